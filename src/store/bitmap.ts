/**
 * Bitmaps over string values: counting and searching bits in binary
 * strings (one char per byte), the bit-field arithmetic of BITFIELD, and
 * {@linkcode BitWriter}, which lets SETBIT and BITFIELD write into a long
 * string without copying it whole on every write.
 *
 * Why a writer: strings are V8 one-byte strings, immutable, so every write
 * produces a new string. Rebuilding it as `slice + byte + slice` is cheap
 * once, but the next write slices a concatenation, which makes V8 flatten
 * (copy) the whole string: O(length) per write, measured at about 240 µs
 * per SETBIT on a 1 MB string. A {@linkcode BitRope} instead keeps a long
 * value as a balanced tree of 256-byte leaves whose inner nodes are V8
 * cons strings (concatenation is O(1)): a write rebuilds one leaf and the
 * ~log2(length / 256) concatenations above it, and the root is the new
 * value, an ordinary string to every other command. V8 flattens the root
 * when something reads it whole (GET, GETRANGE), at most once per write;
 * bit reads (GETBIT, BITCOUNT, BITPOS, BITFIELD) go through the leaves.
 *
 * Each database keeps the ropes of its recently written long bitmaps in a
 * {@linkcode BitmapCache} (at most {@linkcode CACHE_MAX_ROPES} of them and
 * {@linkcode CACHE_MAX_BYTES} bytes, the latest always). A rope is used
 * only while the key still holds the very string the rope last produced
 * (or an equal one): any other write to the key (SET, APPEND, ...)
 * simply makes the next bit write build a new rope from the new value.
 * Each database holds its own cache (`Database.bitmaps`, emptied by
 * FLUSHDB / FLUSHALL), so servers in one process share nothing.
 *
 * Costs: a write to a cached rope is O(256 + log n); the first write to a
 * long value not cached is O(n / 256) (leaves are O(1) slices of it);
 * memory while cached is up to twice the value (the leaves, and the flat
 * copy V8 makes when the root is read whole).
 *
 * @module
 */

/** Bytes per rope leaf: a power of two. */
const LEAF_SHIFT = 8;
const LEAF = 1 << LEAF_SHIFT;
const LEAF_MASK = LEAF - 1;
/** A full leaf of zero bytes, shared by every rope's padding. */
const ZERO_LEAF = "\0".repeat(LEAF);

/** Values shorter than this are written by patching the string directly. */
export const ROPE_MIN_LENGTH = 4096;
/** Ropes a database keeps at most. */
export const CACHE_MAX_ROPES = 16;
/** Bytes of values a database keeps ropes for at most (the latest rope is always kept). */
export const CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Longest string V8 can hold (String::kMaxLength on 64-bit hosts). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** Bits set in each byte value. */
const POPCOUNT8 = /* @__PURE__ */ (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** Ranges at least this long are searched with a regular expression (native scan). */
const SCAN_MIN = 64;
// deno-lint-ignore no-control-regex -- a byte other than zero, on purpose
const NOT_ZERO = /[^\x00]/;
const NOT_FF = /[^\xff]/;

/**
 * Counts the bits set in bytes `[from, to)` of a binary string: four bytes
 * at a time, SWAR on a 32-bit word.
 *
 * @param s a binary string
 * @param from the first byte
 * @param to the byte after the last
 * @returns the number of bits set
 * @example
 * ```ts
 * import { popcount } from "./bitmap.ts";
 * console.assert(popcount("foobar", 0, 6) === 26);
 * console.assert(popcount("\xff\x01", 1, 2) === 1);
 * ```
 */
export function popcount(s: string, from: number, to: number): number {
  let count = 0;
  let i = from;
  for (const last = to - 3; i < last; i += 4) {
    let v = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) |
      (s.charCodeAt(i + 3) << 24);
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  for (; i < to; i++) count += POPCOUNT8[s.charCodeAt(i)]!;
  return count;
}

/**
 * The first byte in `[from, to)` of a binary string other than `skip`
 * (0 when looking for a set bit, 255 for a clear one).
 *
 * @param s a binary string
 * @param from the first byte
 * @param to the byte after the last
 * @param skip 0 or 255
 * @returns its index, or -1
 * @example
 * ```ts
 * import { findByteNot } from "./bitmap.ts";
 * console.assert(findByteNot("\0\0\x10", 0, 3, 0) === 2);
 * console.assert(findByteNot("\xff\xff", 0, 2, 255) === -1);
 * ```
 */
export function findByteNot(s: string, from: number, to: number, skip: 0 | 255): number {
  if (to - from < SCAN_MIN) {
    for (let i = from; i < to; i++) if (s.charCodeAt(i) !== skip) return i;
    return -1;
  }
  const at = s.slice(from, to).search(skip === 0 ? NOT_ZERO : NOT_FF);
  return at === -1 ? -1 : from + at;
}

/** Read access to a bitmap: a flat string or a rope. */
export interface BitReader {
  /** Length in bytes. */
  readonly length: number;
  /**
   * @param i a byte index below `length`
   * @returns the byte
   */
  byte(i: number): number;
  /**
   * @param from the first byte
   * @param to the byte after the last (at most `length`)
   * @returns bits set in `[from, to)`
   */
  popcount(from: number, to: number): number;
  /**
   * @param from the first byte
   * @param to the byte after the last (at most `length`)
   * @param skip 0 or 255
   * @returns the first byte in `[from, to)` other than `skip`, or -1
   */
  findByteNot(from: number, to: number, skip: 0 | 255): number;
}

/** A {@linkcode BitReader} over a flat string. */
class StringBits implements BitReader {
  readonly #s: string;

  constructor(s: string) {
    this.#s = s;
  }

  get length(): number {
    return this.#s.length;
  }

  byte(i: number): number {
    return this.#s.charCodeAt(i);
  }

  popcount(from: number, to: number): number {
    return popcount(this.#s, from, to);
  }

  findByteNot(from: number, to: number, skip: 0 | 255): number {
    return findByteNot(this.#s, from, to, skip);
  }
}

/**
 * A long binary string held as a balanced tree of 256-byte leaves joined
 * by V8 cons strings: bytes are changed one leaf at a time and
 * {@linkcode BitRope.commit} rebuilds only the concatenations above the
 * leaves changed. Its {@linkcode BitRope.value} is always an ordinary
 * string with the committed bytes.
 *
 * @example Setting a byte in a long string
 * ```ts
 * import { BitRope } from "./bitmap.ts";
 * const rope = new BitRope("\0".repeat(10_000));
 * rope.setByte(5000, 0x80);
 * const value = rope.commit();
 * console.assert(value.length === 10_000 && value.charCodeAt(5000) === 0x80);
 * ```
 */
export class BitRope implements BitReader {
  /** Heap order: node 1 is the root, leaf i is node `#cap + i`. */
  #nodes: string[];
  /** Leaf slots: a power of two. */
  #cap: number;
  #length: number;
  #value: string;
  /** Leaves changed since the last commit. */
  #lo = Infinity;
  #hi = -1;
  /** Every inner node needs rebuilding (the tree was resized). */
  #all = false;

  /**
   * @param value the string to start from (sliced into leaves in O(n / 256))
   */
  constructor(value: string) {
    const length = value.length;
    const leaves = (length + LEAF_MASK) >>> LEAF_SHIFT;
    const cap = capacityFor(leaves);
    const nodes: string[] = new Array(2 * cap).fill("");
    for (let i = 0; i < leaves; i++) {
      nodes[cap + i] = value.slice(i << LEAF_SHIFT, (i + 1) << LEAF_SHIFT);
    }
    for (let k = cap - 1; k >= 1; k--) nodes[k] = nodes[2 * k]! + nodes[2 * k + 1]!;
    this.#nodes = nodes;
    this.#cap = cap;
    this.#length = length;
    this.#value = value;
  }

  /** The committed string. */
  get value(): string {
    return this.#value;
  }

  /**
   * Makes an equal string the committed value (the key was given the same
   * bytes by another command).
   *
   * @param value a string equal to {@linkcode BitRope.value}
   */
  adopt(value: string): void {
    this.#value = value;
  }

  /** Length in bytes, growth not yet committed included. */
  get length(): number {
    return this.#length;
  }

  /**
   * @param i a byte index below `length`
   * @returns the byte
   */
  byte(i: number): number {
    return this.#nodes[this.#cap + (i >>> LEAF_SHIFT)]!.charCodeAt(i & LEAF_MASK);
  }

  /**
   * Changes one byte (committed by {@linkcode BitRope.commit}).
   *
   * @param i a byte index below `length`
   * @param b the byte value
   */
  setByte(i: number, b: number): void {
    const li = i >>> LEAF_SHIFT;
    const slot = this.#cap + li;
    const leaf = this.#nodes[slot]!;
    const j = i & LEAF_MASK;
    if (leaf.charCodeAt(j) === b) return;
    this.#nodes[slot] = leaf.slice(0, j) + String.fromCharCode(b) + leaf.slice(j + 1);
    if (li < this.#lo) this.#lo = li;
    if (li > this.#hi) this.#hi = li;
  }

  /**
   * Pads the string with zero bytes up to `length` (committed by
   * {@linkcode BitRope.commit}); a shorter length does nothing.
   *
   * @param length the new length in bytes, at most {@linkcode MAX_STRING_LENGTH}
   */
  grow(length: number): void {
    const old = this.#length;
    if (length <= old) return;
    const oldLeaves = (old + LEAF_MASK) >>> LEAF_SHIFT;
    const leaves = (length + LEAF_MASK) >>> LEAF_SHIFT;
    if (leaves > this.#cap) {
      const cap = Math.max(2 * this.#cap, capacityFor(leaves));
      const nodes: string[] = new Array(2 * cap).fill("");
      for (let i = 0; i < oldLeaves; i++) nodes[cap + i] = this.#nodes[this.#cap + i]!;
      this.#nodes = nodes;
      this.#cap = cap;
      this.#all = true;
    }
    const cap = this.#cap;
    const nodes = this.#nodes;
    const first = (old & LEAF_MASK) !== 0 ? oldLeaves - 1 : oldLeaves;
    for (let li = first; li < leaves; li++) {
      const size = Math.min(LEAF, length - (li << LEAF_SHIFT));
      const leaf = nodes[cap + li]!;
      nodes[cap + li] = leaf.length === 0 && size === LEAF
        ? ZERO_LEAF
        : leaf + ZERO_LEAF.slice(0, size - leaf.length);
    }
    if (first < this.#lo) this.#lo = first;
    if (leaves - 1 > this.#hi) this.#hi = leaves - 1;
    this.#length = length;
  }

  /**
   * Rebuilds the concatenations above the leaves changed.
   *
   * @returns the new value
   */
  commit(): string {
    const nodes = this.#nodes;
    if (this.#all) {
      for (let k = this.#cap - 1; k >= 1; k--) nodes[k] = nodes[2 * k]! + nodes[2 * k + 1]!;
    } else if (this.#lo <= this.#hi) {
      let a = (this.#cap + this.#lo) >>> 1;
      let b = (this.#cap + this.#hi) >>> 1;
      while (a >= 1) {
        for (let k = a; k <= b; k++) nodes[k] = nodes[2 * k]! + nodes[2 * k + 1]!;
        a >>>= 1;
        b >>>= 1;
      }
    } else {
      return this.#value;
    }
    this.#all = false;
    this.#lo = Infinity;
    this.#hi = -1;
    this.#value = nodes[1]!;
    return this.#value;
  }

  popcount(from: number, to: number): number {
    let count = 0;
    this.#leaves(from, to, (leaf, a, b) => {
      count += popcount(leaf, a, b);
      return false;
    });
    return count;
  }

  findByteNot(from: number, to: number, skip: 0 | 255): number {
    let found = -1;
    this.#leaves(from, to, (leaf, a, b, base) => {
      const at = findByteNot(leaf, a, b, skip);
      if (at !== -1) found = base + at;
      return at !== -1;
    });
    return found;
  }

  /** Visits the leaves over bytes `[from, to)` in order, until `visit` returns true. */
  #leaves(
    from: number,
    to: number,
    visit: (leaf: string, a: number, b: number, base: number) => boolean,
  ): void {
    if (from >= to) return;
    const nodes = this.#nodes;
    const cap = this.#cap;
    for (let li = from >>> LEAF_SHIFT, last = (to - 1) >>> LEAF_SHIFT; li <= last; li++) {
      const base = li << LEAF_SHIFT;
      const a = Math.max(from, base) - base;
      const b = Math.min(to, base + LEAF) - base;
      if (visit(nodes[cap + li]!, a, b, base)) return;
    }
  }
}

/** The least power of two at or above `leaves` (1 at least). */
function capacityFor(leaves: number): number {
  let cap = 1;
  while (cap < leaves) cap *= 2;
  return cap;
}

/**
 * The ropes of a database's recently written long bitmaps, by key, least
 * recently written first.
 *
 * @example
 * ```ts
 * import { BitmapCache, BitRope } from "./bitmap.ts";
 * const cache = new BitmapCache();
 * const rope = new BitRope("x".repeat(5000));
 * cache.keep("k", rope);
 * console.assert(cache.find("k", rope.value) === rope);
 * console.assert(cache.find("k", "other") === undefined);
 * ```
 */
export class BitmapCache {
  #ropes = new Map<string, BitRope>();
  #bytes = 0;

  /** Number of ropes kept. */
  get size(): number {
    return this.#ropes.size;
  }

  /** Bytes of the values kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The rope of `key` when the key holds `value`; a stale rope is dropped.
   *
   * @param key the key
   * @param value the key's current value
   * @returns the rope, or undefined
   */
  find(key: string, value: string): BitRope | undefined {
    const rope = this.#ropes.get(key);
    if (rope === undefined) return undefined;
    // Identity is the common case; an equal string serves as well, and
    // is adopted, so the next look-up compares identities again.
    if (rope.value === value) {
      rope.adopt(value);
      return rope;
    }
    this.#ropes.delete(key);
    this.#bytes -= rope.length;
    return undefined;
  }

  /**
   * Keeps a rope for `key` as the most recently written, evicting the
   * least recently written beyond the limits.
   *
   * @param key the key
   * @param rope its rope, committed
   */
  keep(key: string, rope: BitRope): void {
    const old = this.#ropes.get(key);
    if (old !== undefined) {
      this.#ropes.delete(key);
      this.#bytes -= old.length;
    }
    this.#ropes.set(key, rope);
    this.#bytes += rope.length;
    for (const [k, r] of this.#ropes) {
      if (this.#ropes.size <= CACHE_MAX_ROPES && this.#bytes <= CACHE_MAX_BYTES) break;
      if (r === rope) break;
      this.#ropes.delete(k);
      this.#bytes -= r.length;
    }
  }

  /** Drops every rope. */
  clear(): void {
    this.#ropes.clear();
    this.#bytes = 0;
  }
}

/** What keeps a bitmap cache: a database (its `bitmaps`). */
export interface BitmapOwner {
  /** The owner's cache of ropes. */
  readonly bitmaps: BitmapCache;
}

/**
 * The bitmap cache of a database.
 *
 * @param owner the database
 * @returns its cache
 * @example
 * ```ts
 * import { BitmapCache, bitmapCache } from "./bitmap.ts";
 * const db = { bitmaps: new BitmapCache() };
 * console.assert(bitmapCache(db) === db.bitmaps);
 * ```
 */
export function bitmapCache(owner: BitmapOwner): BitmapCache {
  return owner.bitmaps;
}

/**
 * Read access to a key's string value: through its rope when cached (no
 * flattening of a value just written), else over the string.
 *
 * @param owner the key's database (whose {@linkcode bitmapCache} is used)
 * @param key the key
 * @param value its value
 * @returns a reader
 * @example
 * ```ts
 * import { BitmapCache, bitReader } from "./bitmap.ts";
 * const bits = bitReader({ bitmaps: new BitmapCache() }, "k", "\x80");
 * console.assert(bits.length === 1 && bits.byte(0) === 0x80);
 * ```
 */
export function bitReader(owner: BitmapOwner, key: string, value: string): BitReader {
  if (value.length >= ROPE_MIN_LENGTH) {
    const rope = bitmapCache(owner).find(key, value);
    if (rope !== undefined) return rope;
  }
  return new StringBits(value);
}

/**
 * One byte of a key's value (0 beyond its end), through the rope when
 * cached: GETBIT's fast path.
 *
 * @param owner the key's database (whose {@linkcode bitmapCache} is used)
 * @param key the key
 * @param value its value
 * @param i a byte index
 * @returns the byte
 * @example
 * ```ts
 * import { BitmapCache, byteAt } from "./bitmap.ts";
 * const db = { bitmaps: new BitmapCache() };
 * console.assert(byteAt(db, "k", "ab", 1) === 98 && byteAt(db, "k", "ab", 5) === 0);
 * ```
 */
export function byteAt(owner: BitmapOwner, key: string, value: string, i: number): number {
  if (i >= value.length) return 0;
  if (value.length >= ROPE_MIN_LENGTH) {
    const rope = bitmapCache(owner).find(key, value);
    if (rope !== undefined) return rope.byte(i);
  }
  return value.charCodeAt(i);
}

/**
 * Writes bytes into a key's string value, grown with zero bytes to a
 * length given up front: long values through their cached rope (built
 * when missing), short ones by patching the string.
 *
 * @example Setting the top bit of byte 2 of a new value
 * ```ts
 * import { BitmapCache, BitWriter } from "./bitmap.ts";
 * const w = new BitWriter({ bitmaps: new BitmapCache() }, "k", undefined, 3);
 * w.setByte(2, 0x80);
 * console.assert(w.finish() === "\0\0\x80");
 * ```
 */
export class BitWriter {
  readonly #owner: BitmapOwner;
  readonly #key: string;
  readonly #base: string;
  readonly #length: number;
  readonly #rope: BitRope | undefined;
  /** Short values: byte index -> new byte. */
  #patches: Map<number, number> | undefined;

  /**
   * @param owner the key's database (whose {@linkcode bitmapCache} is used)
   * @param key the key
   * @param value its current value, undefined for a new key
   * @param length the length to write to: at least the current one, at
   *   most {@linkcode MAX_STRING_LENGTH}
   */
  constructor(owner: BitmapOwner, key: string, value: string | undefined, length: number) {
    const base = value ?? "";
    this.#owner = owner;
    this.#key = key;
    this.#base = base;
    this.#length = Math.max(length, base.length);
    let rope = base.length >= ROPE_MIN_LENGTH ? bitmapCache(owner).find(key, base) : undefined;
    if (rope === undefined && this.#length >= ROPE_MIN_LENGTH) rope = new BitRope(base);
    rope?.grow(this.#length);
    this.#rope = rope;
  }

  /** Length in bytes after the write. */
  get length(): number {
    return this.#length;
  }

  /** Whether the write makes the value longer (or creates it). */
  get grows(): boolean {
    return this.#length > this.#base.length;
  }

  /**
   * @param i a byte index below `length`
   * @returns the byte, as written so far
   */
  byte(i: number): number {
    if (this.#rope !== undefined) return this.#rope.byte(i);
    const patched = this.#patches?.get(i);
    if (patched !== undefined) return patched;
    return i < this.#base.length ? this.#base.charCodeAt(i) : 0;
  }

  /**
   * @param i a byte index below `length`
   * @param b the new byte
   */
  setByte(i: number, b: number): void {
    if (this.#rope !== undefined) this.#rope.setByte(i, b);
    else (this.#patches ??= new Map()).set(i, b);
  }

  /**
   * The value written (a long one's rope is kept in the cache).
   *
   * @returns the new string
   */
  finish(): string {
    const rope = this.#rope;
    if (rope !== undefined) {
      rope.commit();
      bitmapCache(this.#owner).keep(this.#key, rope);
      return rope.value;
    }
    return patch(this.#base, this.#length, this.#patches);
  }
}

/** `base` grown with zero bytes to `length`, with bytes replaced. */
function patch(base: string, length: number, patches: Map<number, number> | undefined): string {
  if (patches === undefined || patches.size === 0) return padded(base, 0, length);
  if (patches.size > 32) {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < base.length; i++) bytes[i] = base.charCodeAt(i);
    for (const [i, b] of patches) bytes[i] = b;
    let out = "";
    for (let i = 0; i < length; i += 4096) {
      out += String.fromCharCode.apply(
        null,
        bytes.subarray(i, Math.min(length, i + 4096)) as unknown as number[],
      );
    }
    return out;
  }
  const at = [...patches.keys()].sort((a, b) => a - b);
  let out = "";
  let pos = 0;
  for (const i of at) {
    out += padded(base, pos, i) + String.fromCharCode(patches.get(i)!);
    pos = i + 1;
  }
  return out + padded(base, pos, length);
}

/** Bytes `[from, to)` of `base` followed by zero bytes. */
function padded(base: string, from: number, to: number): string {
  if (to <= base.length) return from === 0 && to === base.length ? base : base.slice(from, to);
  const head = from < base.length ? base.slice(from) : "";
  return head + "\0".repeat(to - Math.max(from, base.length));
}

// ---------------------------------------------------------------------------
// Bit fields

/**
 * Reads an unsigned bit field of `bits` bits (1 to 64) at bit `offset`,
 * most significant bit first, bytes past the end reading as zero.
 *
 * @param bytes the bytes to read: `byte(i)` for `i < length`
 * @param length the number of bytes
 * @param offset the bit offset
 * @param bits the width
 * @returns the value
 * @example
 * ```ts
 * import { readBits } from "./bitmap.ts";
 * const s = "\x12\x34";
 * console.assert(readBits((i) => s.charCodeAt(i), 2, 4, 8) === 0x23n);
 * ```
 */
export function readBits(
  bytes: (i: number) => number,
  length: number,
  offset: number,
  bits: number,
): bigint {
  const first = Math.floor(offset / 8);
  if (first >= length) return 0n;
  const last = Math.floor((offset + bits - 1) / 8);
  const shift = (last + 1) * 8 - (offset + bits);
  if (last - first < 6) {
    // At most 48 bits: exact in a double.
    let v = 0;
    for (let i = first; i <= last; i++) v = v * 256 + (i < length ? bytes(i) : 0);
    return BigInt(Math.floor(v / 2 ** shift) % 2 ** bits);
  }
  let v = 0n;
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(i < length ? bytes(i) : 0);
  return BigInt.asUintN(bits, v >> BigInt(shift));
}

/**
 * Writes an unsigned bit field of `bits` bits at bit `offset`, most
 * significant bit first; the bytes must exist.
 *
 * @param byte reads byte `i`
 * @param setByte writes byte `i`
 * @param offset the bit offset
 * @param bits the width, 1 to 64
 * @param value the value (its low `bits` bits are written)
 * @example
 * ```ts
 * import { writeBits } from "./bitmap.ts";
 * const b = [0, 0];
 * writeBits((i) => b[i]!, (i, v) => (b[i] = v), 4, 8, 0xabn);
 * console.assert(b[0] === 0x0a && b[1] === 0xb0);
 * ```
 */
export function writeBits(
  byte: (i: number) => number,
  setByte: (i: number, b: number) => void,
  offset: number,
  bits: number,
  value: bigint,
): void {
  const end = offset + bits;
  for (let i = Math.floor(offset / 8), last = Math.floor((end - 1) / 8); i <= last; i++) {
    const lo = Math.max(offset, i * 8);
    const hi = Math.min(end, i * 8 + 8);
    const n = hi - lo;
    const part = Number(BigInt.asUintN(n, value >> BigInt(end - hi)));
    const shift = i * 8 + 8 - hi;
    const mask = ((1 << n) - 1) << shift;
    setByte(i, (byte(i) & ~mask & 0xff) | (part << shift));
  }
}

/** How BITFIELD handles a result out of its type's range. */
export type Overflow = "wrap" | "sat" | "fail";

/** A bit-field type: `i1`..`i64` or `u1`..`u63`. */
export interface FieldType {
  readonly signed: boolean;
  readonly bits: number;
}

/**
 * A value stored in a field after an INCRBY (`incr` given) or a SET
 * (`incr` undefined, `value` the new value), with BITFIELD's overflow
 * rules: WRAP keeps the low bits (two's complement for signed types), SAT
 * clamps to the type's range, FAIL gives null.
 *
 * Overflow is detected as Redis 7.0.15 detects it, in 64-bit integer
 * arithmetic, quirks included: a SET of a negative value into an unsigned
 * field is a huge unsigned number (it overflows upwards), and a SET into a
 * signed field of a value so negative that `max - value` wraps past
 * INT64_MAX also counts as overflowing upwards (SAT stores the maximum).
 *
 * @param type the field type
 * @param value the field's current value (INCRBY) or the new value (SET)
 * @param incr the increment, for INCRBY
 * @param overflow the overflow behaviour
 * @returns the value to store, or null for a FAIL
 * @example
 * ```ts
 * import { fieldResult } from "./bitmap.ts";
 * console.assert(fieldResult({ signed: false, bits: 8 }, 250n, 10n, "wrap") === 4n);
 * console.assert(fieldResult({ signed: true, bits: 8 }, 200n, undefined, "sat") === 127n);
 * console.assert(fieldResult({ signed: false, bits: 8 }, -1n, undefined, "sat") === 255n);
 * console.assert(fieldResult({ signed: true, bits: 4 }, 7n, 1n, "fail") === null);
 * ```
 */
export function fieldResult(
  type: FieldType,
  value: bigint,
  incr: bigint | undefined,
  overflow: Overflow,
): bigint | null {
  const bits = type.bits;
  const by = incr ?? 0n;
  let max: bigint;
  let min: bigint;
  let direction: 1 | -1 | 0;
  if (type.signed) {
    max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
    min = -max - 1n;
    // Redis computes both limits in wrapping 64-bit arithmetic.
    const maxIncr = BigInt.asIntN(64, max - value);
    const minIncr = BigInt.asIntN(64, min - value);
    if (value > max || (bits !== 64 && by > maxIncr) || (value >= 0n && by > 0n && by > maxIncr)) {
      direction = 1;
    } else if (
      value < min || (bits !== 64 && by < minIncr) || (value < 0n && by < 0n && by < minIncr)
    ) {
      direction = -1;
    } else {
      direction = 0;
    }
  } else {
    max = (1n << BigInt(bits)) - 1n;
    min = 0n;
    // As unsigned 64-bit: a negative SET is a huge number.
    const v = BigInt.asUintN(64, value);
    if (v > max || (by > 0n && by > BigInt.asIntN(64, max - v))) direction = 1;
    else if (by < 0n && by < BigInt.asIntN(64, -v)) direction = -1;
    else direction = 0;
    value = v;
  }
  if (direction === 0) return value + by;
  switch (overflow) {
    case "wrap":
      return type.signed ? BigInt.asIntN(bits, value + by) : BigInt.asUintN(bits, value + by);
    case "sat":
      return direction === 1 ? max : min;
    default:
      return null;
  }
}

const INT64_MAX = (1n << 63n) - 1n;
