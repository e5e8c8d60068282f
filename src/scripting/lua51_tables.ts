/**
 * Lua 5.1 table iteration order for fengari.
 *
 * Redis runs C Lua 5.1.5, where `next` / `pairs` (and so everything that
 * walks a table: `cjson.encode`, `cmsgpack.pack`, RESP3 map replies, loops
 * building commands) visits the array part (keys `1..sizearray` in order),
 * then the hash part in node-vector order. fengari 0.1.5 keeps a table as a
 * JavaScript `Map` in insertion order instead, so scripts saw another order
 * than Redis's. {@linkcode installLua51Tables} patches fengari's `ltable`
 * module (process wide, once) so that every table carries a shadow of the
 * C 5.1 layout, kept up to date on every store:
 *
 * - the array part size and the node vector (a power of two, or the shared
 *   empty "dummy" node), with each key's main position (the string hash of
 *   Redis's Lua, see {@linkcode lua51StringHash}, `& (size-1)`; 5.1's
 *   `hashnum` for numbers:
 *   the double's two 32-bit halves summed, `% ((size-1)|1)`, 0 at node 0;
 *   `hashpow2` for booleans), collision chains, `lastfree` scanning down from
 *   the end, and `rehash` / `resize` (array size from `computesizes`,
 *   vanishing array slice re-inserted, old nodes re-inserted from the last to
 *   the first) whenever no free node is left;
 * - a table created by a constructor starts with the sizes 5.1's
 *   `OP_NEWTABLE` allocates (read from the instruction's B / C operands), and
 *   `OP_SETLIST` grows the array part first as 5.1's does;
 * - storing `nil` under an absent key creates its node as 5.1's `luaH_set`
 *   does; a key set to `nil` keeps its node (and its place) until the next
 *   rehash, and setting it again reuses the node.
 *
 * `luaH_next` walks that layout (a key finds its slot through a map, so each
 * step is O(1) amortized), and `luaH_getn` (`#t`) finds the border as 5.1's
 * does (binary search in the array part, then the unbounded search in the
 * hash part), so `#t` of a table with holes matches too.
 *
 * The patch also fixes fengari's string keys: fengari keyed a string by its
 * bytes in hexadecimal without padding, so `"\1#"` and `"\18\3"` were the
 * same table key and string comparison (`<`) misordered bytes below 16; the
 * key is now two hex digits a byte (the same text as before for strings
 * without such bytes, which fengari's lexer relies on for its reserved words).
 *
 * Known differences from Redis 7.0.15:
 * - keys that C Lua hashes by address (tables, functions, coroutines,
 *   userdata) get a deterministic position from fengari's object id (in
 *   Redis their order depends on the allocator, so it is unpredictable
 *   there too); light userdata keys all hash to node 0;
 * - C Lua's collector turns a string (or other collectable) key whose value
 *   is `nil` into a dead key when it traverses the table, after which storing
 *   that key again takes a new node. A full collection recorded with
 *   {@linkcode lua51FullCollection} (`collectgarbage("collect")`) does the
 *   same here; the collector's automatic incremental steps (driven by C
 *   allocation, unpredictable) are not modelled: between full collections
 *   a deleted key keeps its node until the next rehash (numbers and
 *   booleans are never collected, so they are exact);
 * - a store through a `__newindex` metamethod on an absent key creates no
 *   node here (5.1 creates an empty one before calling the metamethod), and
 *   tables created through the C API (`lua_createtable`) ignore the size
 *   hints as fengari does (Redis's own C code creates its tables empty);
 *
 * @module
 */
import ltable from "npm:fengari@0.1.5/src/ltable.js";
import lstring from "npm:fengari@0.1.5/src/lstring.js";
import lobject from "npm:fengari@0.1.5/src/lobject.js";
import ldebug from "npm:fengari@0.1.5/src/ldebug.js";
import defs from "npm:fengari@0.1.5/src/defs.js";

// fengari's value type tags (defs.js `constant_types`)
const T_NIL = 0;
const T_BOOLEAN = 1;
const T_LIGHTUSERDATA = 2;
const T_NUMBER = 3;
const T_STRING = 4;
const OP_NEWTABLE = 11;
const OP_SETLIST = 43;
const OP_EXTRAARG = 46;
/** 5.1's MAXBITS: the array part holds at most 2^26 slots. */
const MAXBITS = 26;
const MAXASIZE = 1 << MAXBITS;

/** How a key's raw hash maps to a node: 5.1's hashpow2, hashmod, or node 0. */
const POW2 = 0;
const MOD = 1;
const ZERO = 2;

/** A node whose key is nil (never used since the vector was made). */
const FREE: unique symbol = Symbol("free");

/** The dummy node vector (never written: stores happen at indices below the size). */
const NONE: readonly never[] = Object.freeze([]);
const NO_POS: ReadonlyMap<unknown, number> = new Map();

/** Two lowercase hex digits for each byte value. */
const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

// deno-lint-ignore no-explicit-any
type Any = any;

/** fengari's table entry (ltable.js `add`): a dead one has `value` undefined. */
interface Entry {
  key: Any;
  value: Any;
}

/** The shadow of a C Lua 5.1 table's layout. */
class Layout {
  /** Array part: slot i holds key i+1's entry (undefined: nil). */
  arr: (Entry | undefined)[] = NONE as never[];
  asize = 0;
  /** Node vector size; 0 is 5.1's dummy node. */
  nsize = 0;
  /** Per node: the key's identity (FREE: nil key). */
  ids: unknown[] = NONE as never[];
  /** Per node: the fengari entry (undefined or dead: nil value). */
  ents: (Entry | undefined)[] = NONE as never[];
  kinds: number[] = NONE as never[];
  raws: number[] = NONE as never[];
  nexts: number[] = NONE as never[];
  lastfree = 0;
  /** Key identity → node index, for keys present in the node vector. */
  pos: Map<unknown, number> = NO_POS as Map<unknown, number>;
  /** The thread of the constructor that made the table (OP_SETLIST detection). */
  L: Any = undefined;
  /** fengari's global state of the table's Lua state (full collections). */
  g: Any = undefined;
  /** The state's count of full collections when the layout last caught up. */
  epoch = 0;
}

/** A node key turned dead by a full collection (5.1's LUA_TDEADKEY). */
class Dead {
  constructor(readonly id: unknown) {}
}

/** Whether C Lua collects a key (strings, tables, functions, userdata, threads). */
const collectable = (id: unknown): boolean =>
  typeof id === "string"
    ? id.charCodeAt(0) === 124 /* "|" */
    : typeof id === "object" && id !== null;

/**
 * Catches up with the full collections run since the layout last looked: as
 * 5.1's collector does when it traverses a table, a collectable key whose
 * value is nil becomes a dead key (its node stays taken, the key no longer
 * matches: storing it again takes a new node).
 */
function catchUp(lay: Layout): void {
  const n: number = lay.g.gc51;
  lay.epoch = n;
  for (let j = 0; j < lay.nsize; j++) {
    const id = lay.ids[j];
    if (id !== FREE && !(id instanceof Dead) && !live(lay.ents[j]) && collectable(id)) {
      lay.ids[j] = new Dead(id);
    }
  }
}

const live = (e: Entry | undefined): e is Entry => e !== undefined && e.value !== undefined;

/** ceil(log2(x)) for x >= 1. */
const ceillog2 = (x: number): number => 32 - Math.clz32(x - 1);

/** luaO_fb2int: the "floating point byte" size hint of OP_NEWTABLE. */
const fb2int = (x: number): number => {
  const e = (x >> 3) & 31;
  return e === 0 ? x : ((x & 7) + 8) * 2 ** (e - 1);
};

/**
 * The string hash of Redis's Lua 5.1 (`luaS_newlstr`): seed = length, then
 * every byte from the last to the first (Redis's copy hashes every byte where
 * stock 5.1.5 skips bytes of strings longer than 31).
 *
 * @example
 * ```ts
 * import { lua51StringHash } from "./lua51_tables.ts";
 * lua51StringHash(new Uint8Array([97])); // "a": 1 ^ ((1 << 5) + (1 >> 2) + 97)
 * ```
 */
export function lua51StringHash(s: Uint8Array): number {
  let h = s.length >>> 0;
  for (let i = s.length; i >= 1; i--) {
    h = (h ^ ((h << 5) + (h >>> 2) + s[i - 1]!)) >>> 0;
  }
  return h;
}

/**
 * Scratch space for a double's two 32-bit halves (filled and read in one
 * synchronous call, so nothing is kept between calls).
 */
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Lua 5.1.5's hashnum raw value (before the modulo) for a non-zero double. */
function numberHash(n: number): number {
  F64[0] = n;
  // C sums the halves in memory order: low word first on little-endian
  return LITTLE ? (U32[0]! + U32[1]!) >>> 0 : (U32[1]! + U32[0]!) >>> 0;
}

/** fengari's string key text, two hex digits a byte. */
function hexKey(s: Uint8Array): string {
  let r = "|";
  for (let i = 0; i < s.length; i++) r += HEX[s[i]!];
  return r;
}

/** The identity of a key (a TValue) in the layout's maps. */
function keyId(k: Any): unknown {
  const t = k.type & 15;
  if (t === T_NUMBER) return k.value === 0 ? 0 : k.value;
  if (t === T_STRING) return k.value.hash;
  if (t === T_LIGHTUSERDATA) {
    const v = k.value;
    switch (typeof v) {
      case "string":
        return "*" + v;
      case "number":
        return "#" + v;
      case "boolean":
        return v ? "?true" : "?false";
      default:
        return v;
    }
  }
  return k.value;
}

/** Kind and raw hash of a key (a TValue). */
function keyHash(k: Any): [number, number] {
  const t = k.type & 15;
  if (t === T_NUMBER) return k.value === 0 ? [ZERO, 0] : [MOD, numberHash(k.value)];
  if (t === T_STRING) {
    const ts = k.value;
    if (ts.h51 === undefined) ts.h51 = lua51StringHash(ts.realstring);
    return [POW2, ts.h51];
  }
  if (t === T_BOOLEAN) return [POW2, k.value ? 1 : 0];
  if (t === T_LIGHTUSERDATA) return [MOD, 0];
  const id = k.value?.id;
  return [MOD, typeof id === "number" ? id >>> 0 : 0];
}

function mainPosition(lay: Layout, kind: number, raw: number): number {
  if (kind === POW2) return raw & (lay.nsize - 1);
  if (kind === MOD) return raw % ((lay.nsize - 1) | 1);
  return 0;
}

function setNodeVector(lay: Layout, size: number): void {
  if (size === 0) {
    lay.nsize = 0;
    lay.ids = NONE as never[];
    lay.ents = NONE as never[];
    lay.kinds = NONE as never[];
    lay.raws = NONE as never[];
    lay.nexts = NONE as never[];
    lay.lastfree = 0;
    lay.pos = NO_POS as Map<unknown, number>;
  } else {
    const n = 2 ** ceillog2(size);
    lay.nsize = n;
    lay.ids = new Array(n).fill(FREE);
    lay.ents = new Array(n).fill(undefined);
    lay.kinds = new Array(n).fill(0);
    lay.raws = new Array(n).fill(0);
    lay.nexts = new Array(n).fill(-1);
    lay.lastfree = n;
    lay.pos = new Map();
  }
}

function getFreePos(lay: Layout): number {
  while (lay.lastfree > 0) {
    lay.lastfree--;
    if (lay.ids[lay.lastfree] === FREE) return lay.lastfree;
  }
  return -1;
}

/** The array index of a number key (5.1's arrayindex), or 0. */
const arrayIndex = (id: unknown): number =>
  typeof id === "number" && Number.isInteger(id) && id > 0 && id <= 0x7fffffff ? id : 0;

function countInt(id: unknown, nums: number[]): number {
  const k = arrayIndex(id);
  if (k > 0 && k <= MAXASIZE) {
    nums[ceillog2(k)]!++;
    return 1;
  }
  return 0;
}

/** 5.1's luaH_set of a key not in the table (newkey), rehashing when full. */
function newKey(
  lay: Layout,
  id: unknown,
  kind: number,
  raw: number,
  entry: Entry | undefined,
): void {
  if (lay.nsize === 0) {
    rehash(lay, id);
    setKey(lay, id, kind, raw, entry);
    return;
  }
  let mp = mainPosition(lay, kind, raw);
  if (live(lay.ents[mp])) {
    const n = getFreePos(lay);
    if (n < 0) {
      rehash(lay, id);
      setKey(lay, id, kind, raw, entry);
      return;
    }
    let other = mainPosition(lay, lay.kinds[mp]!, lay.raws[mp]!);
    if (other !== mp) {
      // the colliding node is out of its main position: move it to the free one
      while (lay.nexts[other] !== mp) other = lay.nexts[other]!;
      lay.nexts[other] = n;
      lay.ids[n] = lay.ids[mp];
      lay.ents[n] = lay.ents[mp];
      lay.kinds[n] = lay.kinds[mp]!;
      lay.raws[n] = lay.raws[mp]!;
      lay.nexts[n] = lay.nexts[mp]!;
      lay.pos.set(lay.ids[n], n);
      lay.nexts[mp] = -1;
      lay.ids[mp] = FREE;
      lay.ents[mp] = undefined;
    } else {
      // the new key goes to the free node, chained after its main position
      lay.nexts[n] = lay.nexts[mp]!;
      lay.nexts[mp] = n;
      mp = n;
    }
  }
  const was = lay.ids[mp];
  const old = was instanceof Dead ? was.id : was;
  if (old !== FREE && lay.pos.get(old) === mp) lay.pos.delete(old);
  lay.ids[mp] = id;
  lay.ents[mp] = entry;
  lay.kinds[mp] = kind;
  lay.raws[mp] = raw;
  lay.pos.set(id, mp);
}

/** 5.1's luaH_set: the key's slot if present, else a new node. */
function setKey(
  lay: Layout,
  id: unknown,
  kind: number,
  raw: number,
  entry: Entry | undefined,
): void {
  const k = arrayIndex(id);
  if (k > 0 && k <= lay.asize) {
    lay.arr[k - 1] = entry;
    return;
  }
  const j = lay.pos.get(id);
  if (j !== undefined && lay.ids[j] === id) lay.ents[j] = entry;
  else newKey(lay, id, kind, raw, entry);
}

/** 5.1's rehash: new sizes from the live keys plus the key being added. */
function rehash(lay: Layout, extra: unknown): void {
  const nums = new Array<number>(MAXBITS + 1).fill(0);
  // numusearray
  let nasize = 0;
  for (let lg = 0, ttlg = 1, i = 1; lg <= MAXBITS; lg++, ttlg *= 2) {
    let lc = 0;
    let lim = ttlg;
    if (lim > lay.asize) {
      lim = lay.asize;
      if (i > lim) break;
    }
    for (; i <= lim; i++) if (live(lay.arr[i - 1])) lc++;
    nums[lg]! += lc;
    nasize += lc;
  }
  let total = nasize;
  // numusehash
  for (let i = lay.nsize - 1; i >= 0; i--) {
    if (live(lay.ents[i])) {
      nasize += countInt(lay.ids[i], nums);
      total++;
    }
  }
  nasize += countInt(extra, nums);
  total++;
  // computesizes
  let a = 0;
  let na = 0;
  let n = 0;
  for (let i = 0, twotoi = 1; twotoi / 2 < nasize; i++, twotoi *= 2) {
    if (nums[i]! > 0) {
      a += nums[i]!;
      if (a > twotoi / 2) {
        n = twotoi;
        na = a;
      }
    }
    if (a === nasize) break;
  }
  resize(lay, n, total - na);
}

/** 5.1's resize: new array and node sizes, entries re-inserted. */
function resize(lay: Layout, nasize: number, nhsize: number): void {
  const oldArr = lay.arr;
  const oldAsize = lay.asize;
  const oldIds = lay.ids;
  const oldEnts = lay.ents;
  const oldKinds = lay.kinds;
  const oldRaws = lay.raws;
  const oldNsize = lay.nsize;
  if (nasize > oldAsize) {
    lay.arr = oldArr.concat(new Array(nasize - oldAsize).fill(undefined));
    lay.asize = nasize;
  }
  setNodeVector(lay, nhsize);
  if (nasize < oldAsize) {
    lay.asize = nasize;
    lay.arr = oldArr.slice(0, nasize);
    for (let i = nasize; i < oldAsize; i++) {
      const e = oldArr[i];
      if (live(e)) setKey(lay, i + 1, MOD, numberHash(i + 1), e);
    }
  }
  for (let i = oldNsize - 1; i >= 0; i--) {
    const e = oldEnts[i];
    if (live(e)) setKey(lay, oldIds[i], oldKinds[i]!, oldRaws[i]!, e);
  }
}

function newLayout(nasize: number, nhsize: number): Layout {
  const lay = new Layout();
  if (nasize > 0) {
    lay.arr = new Array(nasize).fill(undefined);
    lay.asize = nasize;
  }
  if (nhsize > 0) setNodeVector(lay, nhsize);
  return lay;
}

/** The layout of a table made before the patch: its keys in insertion order. */
function layoutOf(t: Any): Layout {
  let lay: Layout | undefined = t.l51;
  if (lay !== undefined) {
    if (lay.g !== undefined && lay.g.gc51 !== lay.epoch) catchUp(lay);
    return lay;
  }
  lay = newLayout(0, 0);
  t.l51 = lay;
  for (let e = t.f; e; e = e.n) {
    const [kind, raw] = keyHash(e.key);
    setKey(lay, keyId(e.key), kind, raw, e);
  }
  return lay;
}

/**
 * After fengari stored `value` under a key of table `t`: the same store in
 * the layout. `added` is fengari's new entry when the key was not live (a
 * live key's entry is updated in place), undefined for a `nil` value.
 */
function track(lay: Layout, id: unknown, k: Any, added: Entry | undefined): void {
  const ai = arrayIndex(id);
  if (ai > 0 && ai <= lay.asize) {
    if (added !== undefined) lay.arr[ai - 1] = added;
    return;
  }
  const j = lay.pos.get(id);
  if (j !== undefined && lay.ids[j] === id) {
    if (added !== undefined) lay.ents[j] = added;
    return;
  }
  if (typeof k === "number") {
    newKey(lay, id, k === 0 ? ZERO : MOD, k === 0 ? 0 : numberHash(k), added);
  } else {
    const [kind, raw] = keyHash(k);
    newKey(lay, id, kind, raw, added);
  }
}

/** The instruction the thread's running Lua function is executing, if any. */
function currentOp(L: Any): Any {
  const ci = L?.ci;
  if (!ci || !ci.l_code) return undefined;
  let i = ci.l_code[ci.l_savedpc - 1];
  if (i && i.opcode === OP_EXTRAARG) i = ci.l_code[ci.l_savedpc - 2];
  return i;
}

/**
 * Records a full garbage collection of the Lua state `L` (5.1's
 * `collectgarbage("collect")`): from then on, in every table of that state,
 * a string (or other collectable) key whose value was nil at this point is a
 * dead key, as C Lua's collector leaves it. Tables catch up lazily, the next
 * time they are read or written.
 *
 * @example
 * ```ts ignore
 * // inside a JavaScript implementation of collectgarbage("collect")
 * lua51FullCollection(L);
 * ```
 */
export function lua51FullCollection(L: { l_G: { gc51?: number } }): void {
  const g = L.l_G;
  g.gc51 = (g.gc51 ?? 0) + 1;
}

/**
 * Patches fengari's `ltable` module (once per process; later calls do
 * nothing) so that tables iterate in C Lua 5.1.5's order and `#t` finds
 * 5.1's border. See the module documentation.
 *
 * @example
 * ```ts
 * import { installLua51Tables } from "./lua51_tables.ts";
 * installLua51Tables(); // before creating Lua states
 * ```
 */
export function installLua51Tables(): void {
  const lt = ltable as Any;
  if (lt.__respliteLua51Tables) return;
  lt.__respliteLua51Tables = true;

  // string keys: two hex digits a byte (see the module doc); a prototype
  // accessor catches the constructor's `this.hash = null`
  Object.defineProperty((lstring as Any).TString.prototype, "hash", {
    get(this: { hk: string | null; realstring: Uint8Array }): string {
      return this.hk ?? (this.hk = hexKey(this.realstring));
    },
    set(this: { hk: string | null; h51: number | undefined }, v: string | null) {
      this.hk = v === null ? null : this.hk;
      this.h51 = undefined;
    },
    configurable: true,
  });

  const origNew = lt.luaH_new;
  lt.luaH_new = (L: Any): Any => {
    const t = origNew(L);
    // (not inside a debug hook: C runs hooks on the Lua function's frame)
    const i = L.allowhook ? currentOp(L) : undefined;
    let lay: Layout;
    if (i && i.opcode === OP_NEWTABLE) {
      lay = newLayout(fb2int(i.B), fb2int(i.C));
      lay.L = L;
    } else {
      lay = new Layout();
    }
    const g = L.l_G;
    if (g.gc51 === undefined) g.gc51 = 0;
    lay.g = g;
    lay.epoch = g.gc51;
    t.l51 = lay;
    return t;
  };

  // After fengari's store: a non-nil value under a live key (same last
  // entry) or a nil deleting a live key (one entry fewer) leaves the layout
  // as it is; anything else is a store of a key fengari did not hold.
  const origSetint = lt.luaH_setint;
  lt.luaH_setint = (t: Any, key: number, value: Any): void => {
    const lay = layoutOf(t);
    if (lay.L !== undefined && key > lay.asize) {
      // 5.1's OP_SETLIST first grows the array part to its last index (the
      // first one stored)
      const i = currentOp(lay.L);
      if (i && i.opcode === OP_SETLIST) resize(lay, key, lay.nsize);
    }
    const last = t.l;
    const size = t.strong.size;
    origSetint(t, key, value);
    if (value.type !== T_NIL) {
      if (t.l !== last) track(lay, key === 0 ? 0 : key, key, t.l);
    } else if (t.strong.size === size) track(lay, key === 0 ? 0 : key, key, undefined);
  };

  const origSetfrom = lt.luaH_setfrom;
  lt.luaH_setfrom = (L: Any, t: Any, key: Any, value: Any): void => {
    const lay = layoutOf(t);
    const last = t.l;
    const size = t.strong.size;
    origSetfrom(L, t, key, value);
    if (value.type !== T_NIL) {
      if (t.l !== last) track(lay, keyId(key), key, t.l);
    } else if (t.strong.size === size) track(lay, keyId(key), key, undefined);
  };

  lt.luaH_next = (L: Any, t: Any, keyI: number): boolean => {
    const lay = layoutOf(t);
    const k = L.stack[keyI];
    let i: number;
    if (k.type === T_NIL) {
      i = 0;
    } else {
      const id = keyId(k);
      const ai = arrayIndex(id);
      if (ai > 0 && ai <= lay.asize) {
        i = ai;
      } else {
        const j = lay.pos.get(id);
        if (j === undefined) {
          return ldebug.luaG_runerror(L, defs.to_luastring("invalid key to 'next'"));
        }
        i = lay.asize + j + 1;
      }
    }
    for (; i < lay.asize; i++) {
      const e = lay.arr[i];
      if (live(e)) {
        lobject.setobj2s(L, keyI, e.key);
        lobject.setobj2s(L, keyI + 1, e.value);
        return true;
      }
    }
    for (let j = i - lay.asize; j < lay.nsize; j++) {
      const e = lay.ents[j];
      if (live(e)) {
        lobject.setobj2s(L, keyI, e.key);
        lobject.setobj2s(L, keyI + 1, e.value);
        return true;
      }
    }
    return false;
  };

  lt.luaH_getn = (t: Any): number => {
    const lay = layoutOf(t);
    let j = lay.asize;
    if (j > 0 && !live(lay.arr[j - 1])) {
      // a border in the array part: binary search
      let i = 0;
      while (j - i > 1) {
        const m = Math.floor((i + j) / 2);
        if (!live(lay.arr[m - 1])) j = m;
        else i = m;
      }
      return i;
    }
    if (lay.nsize === 0) return j;
    // unbound search in the hash part
    const has = (n: number): boolean => {
      if (n <= lay.asize) return live(lay.arr[n - 1]);
      return live(t.strong.get(n));
    };
    let i = j;
    j++;
    while (has(j)) {
      i = j;
      j *= 2;
      if (j > 0x7fffffff) {
        i = 1;
        while (has(i)) i++;
        return i - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (!has(m)) j = m;
      else i = m;
    }
    return i;
  };
}
