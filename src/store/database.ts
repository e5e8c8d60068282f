/**
 * One logical database: the keyspace, the expiry index, lazy and active
 * expiry, a SCAN cursor that never misses a key present throughout an
 * iteration, and every per-key index (keys whose hashes have field TTLs,
 * live HSCAN / SSCAN cursors), kept right by the keyspace operations
 * themselves so RENAME, MOVE, COPY, SWAPDB and FLUSHDB carry them.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import { ContainerCursors } from "./scan.ts";
import { BitmapCache } from "./bitmap.ts";
import { KeyspaceMemory, type Measure } from "./memory_size.ts";
import { lfuAccess, lfuDecayed, lfuInitial, type LfuParams } from "./lfu.ts";

/** The type names `TYPE` reports. */
export type RedisType = "string" | "list" | "set" | "zset" | "hash" | "stream";

/** A value held by a key other than a plain string: lists, hashes, ... */
export interface ContainerValue {
  /** What `TYPE` reports. */
  readonly type: Exclude<RedisType, "string">;
  /** What `OBJECT ENCODING` reports. */
  encoding(): string;
  /** A deep copy, for COPY. */
  clone(): ContainerValue;
  /**
   * Whether some elements carry their own TTL (hash fields, Redis 7.4).
   * Absent for types whose elements cannot; a value that reports true
   * implements {@linkcode ExpiringContainer}.
   */
  readonly hasExpires?: boolean;
}

/**
 * A container whose elements can carry their own TTL (a hash with field
 * TTLs). The database indexes the keys holding one, so its active cycle
 * reaches elements nobody reads.
 */
export interface ExpiringContainer extends ContainerValue {
  /** Whether some elements have a TTL. */
  readonly hasExpires: boolean;
  /** Number of elements, expired ones not yet removed included. */
  readonly size: number;
  /**
   * Removes the elements whose TTL is at or before `now`.
   *
   * @param now the current time in ms
   * @returns the elements removed
   */
  purge(now: number): readonly string[];
}

/** Whether a value has elements with their own TTL. */
function hasElementExpiry(value: Value): value is ExpiringContainer {
  return typeof value !== "string" && value.hasExpires === true;
}

/**
 * A stored value: strings are binary strings (one char per byte), the other
 * types are objects that know their type.
 */
export type Value = string | ContainerValue;

/** A string's OBJECT ENCODING where its content does not decide it (see `Database.setEncoding`). */
export type StringEncoding = "raw" | "embstr" | "int";

/**
 * The type name of a value.
 *
 * @param value a stored value
 * @returns its `TYPE` name
 * @example
 * ```ts
 * import { typeOf } from "./database.ts";
 * console.assert(typeOf("abc") === "string");
 * ```
 */
export function typeOf(value: Value): RedisType {
  return typeof value === "string" ? "string" : value.type;
}

/** What a database tells its server about. */
export interface DatabaseHooks {
  /** A key was found expired and removed (lazily or by the active cycle). */
  expired(db: Database, key: string): void;
  /** Whether expired keys must stay stored for now (CLIENT PAUSE): they read as absent. */
  expiryPaused?(): boolean;
  /** A key was created (Redis's dbAdd: the `new` keyspace event). */
  created?(db: Database, key: string): void;
  /**
   * A key was written, deleted, given or stripped of a TTL, or changed in
   * place (Redis's signalModifiedKey, plus `changes` for the dirty
   * counter): WATCH, client-side tracking and persistence hook here. Raised
   * by the keyspace operations themselves, so no command can forget it.
   */
  modified?(db: Database, key: string, changes: number): void;
  /**
   * Expired elements (hash fields) were removed from a key's value, lazily
   * or by the active cycle: the elements, and `deleted` when none was left,
   * so the key was deleted too.
   */
  fieldsExpired?(db: Database, key: string, fields: readonly string[], deleted: boolean): void;
  /**
   * A stream left a key: deleted, expired, overwritten, renamed or moved
   * away (Redis's signalKeyAsReady from dbGenericDelete and dbSetValue):
   * clients blocked in XREADGROUP on it are answered an error.
   */
  streamRemoved?(db: Database, key: string): void;
}

interface ScanState {
  iter: Iterator<[string, number]>;
  /** The next key to return, its slot and that slot's sequence number then. */
  pending: [key: string, slot: number, seq: number] | undefined;
}

const INITIAL_SLOTS = 64;

const SCAN_CACHE = 64;
const EXPIRE_KEYS_PER_LOOP = 20;
/** Keys with field TTLs the active field expiry visits per call. */
const FIELD_EXPIRE_KEYS_PER_CYCLE = 20;

/**
 * A keyspace with expiry.
 *
 * Memory layout (measured: see bench/results.md): the key map holds a small
 * integer slot per key; values, LRU times and insertion sequence numbers live
 * in slot-indexed arrays (one pointer, 4 and 8 bytes a key) instead of a
 * 48-byte object per key. Freed slots are reused.
 *
 * @example
 * ```ts
 * import { Database } from "./database.ts";
 * import { ManualClock } from "../clock.ts";
 * const clock = new ManualClock(0);
 * const db = new Database(0, clock, { expired() {} });
 * db.set("k", "v");
 * db.setExpire("k", 1000);
 * clock.advance(1000);
 * console.assert(db.get("k") === undefined);
 * ```
 */
export class Database {
  /** The database number. */
  readonly id: number;
  #clock: Clock;
  #hooks: DatabaseHooks;
  /** Key -> slot. */
  #data = new Map<string, number>();
  #values: (Value | undefined)[] = [];
  /** Last access per slot, in seconds of the LRU clock. */
  #lru = new Uint32Array(INITIAL_SLOTS);
  /** Insertion sequence number per slot: SCAN cursors are built on it. */
  #seqs = new Float64Array(INITIAL_SLOTS);
  #free: number[] = [];
  #expires = new Map<string, number>();
  #seq = 1;
  #scans = new Map<number, ScanState>();
  #expireIter: Iterator<[string, number]> | undefined;
  /**
   * Keys whose values have element TTLs (hash fields), for the active
   * field expiry. Every key whose value has some is here; an entry whose
   * value lost its last TTL (HPERSIST, HSET) stays until the cycle meets it.
   */
  #fieldExpires = new Map<string, ExpiringContainer>();
  #fieldExpireIter: Iterator<[string, ExpiringContainer]> | undefined;
  /** Live HSCAN / SSCAN cursors of the containers stored here. */
  #cursors = new ContainerCursors();
  /** Per-key memory estimates while `maxmemory` is set (see `trackMemory`). */
  #memory: KeyspaceMemory | undefined = undefined;
  /** Set under an LFU maxmemory-policy: the `#lru` words then hold LFU counters. */
  #lfu: LfuParams | undefined = undefined;
  /** Where eviction sampling by walking resumes, and the map it walks. */
  #evictIter: Iterator<string> | undefined = undefined;
  #evictMap: Map<string, number> | undefined = undefined;
  /**
   * String keys whose Redis object differs from the one SET would make of
   * their content (`raw` after APPEND, SETRANGE, SETBIT, PFADD, ...;
   * `embstr` for an integer text INCRBYFLOAT wrote; `int` for an unshared
   * integer COPY made): see {@linkcode Database.setEncoding}.
   * Any store or removal of the key drops its entry; an empty map costs
   * those paths one size test.
   */
  #encodings = new Map<string, StringEncoding>();

  /**
   * @param id the database number
   * @param clock the server's clock
   * @param hooks what to tell the server
   */
  /** Ropes of recently written long bitmaps (SETBIT, BITFIELD): see `bitmap.ts`. */
  readonly bitmaps: BitmapCache = new BitmapCache();

  constructor(id: number, clock: Clock, hooks: DatabaseHooks) {
    this.id = id;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  /** Number of keys, counting ones expired but not yet reclaimed (as DBSIZE does). */
  get size(): number {
    return this.#data.size;
  }

  /** Number of keys with a TTL. */
  get expiresCount(): number {
    return this.#expires.size;
  }

  /**
   * Number of keys indexed for the active field expiry: every key whose
   * value has element TTLs, and ones whose last TTL went since the cycle
   * last met them.
   */
  get fieldExpiresCount(): number {
    return this.#fieldExpires.size;
  }

  /** The current LRU clock, in seconds. */
  lruNow(): number {
    return Math.floor(this.#clock.now() / 1000);
  }

  /**
   * The live value of a key, removing the key first if it has expired.
   *
   * @param key the key
   * @param touch whether the access updates the key's LRU time
   * @returns the value, or undefined
   */
  lookup(key: string, touch = true): Value | undefined {
    const slot = this.#data.get(key);
    if (slot === undefined) return undefined;
    if (this.#expires.size > 0) {
      const at = this.#expires.get(key);
      if (at !== undefined && at <= this.#clock.now()) {
        this.#expireKey(key);
        return undefined;
      }
    }
    if (touch) {
      if (this.#lfu === undefined) this.#lru[slot] = this.lruNow();
      else this.#lru[slot] = lfuAccess(this.#lru[slot]!, this.#clock.now(), this.#lfu);
    }
    return this.#values[slot];
  }

  /**
   * The live value of a key (touching its LRU time).
   *
   * @param key the key
   * @returns the value, or undefined
   */
  get(key: string): Value | undefined {
    return this.lookup(key);
  }

  /**
   * A stored key's last access time, without touching it or checking expiry.
   *
   * @param key the key
   * @returns seconds of the LRU clock, or undefined when not stored
   */
  lru(key: string): number | undefined {
    const slot = this.#data.get(key);
    return slot === undefined ? undefined : this.#lru[slot];
  }

  /**
   * Whether a key exists (without touching its LRU time).
   *
   * @param key the key
   * @returns true if present and not expired
   */
  has(key: string): boolean {
    return this.lookup(key, false) !== undefined;
  }

  /**
   * Stores a value, creating the key or replacing its value. Replacing
   * removes the TTL unless `keepTtl`.
   *
   * @param key the key
   * @param value the value
   * @param keepTtl keep an existing TTL
   * @param changes how many changes it counts (dirty), default 1
   */
  set(key: string, value: Value, keepTtl = false, changes = 1): void {
    this.#put(key, value, keepTtl);
    this.#hooks.modified?.(this, key, changes);
  }

  /**
   * Stores a value with an expiry time in one change (SET EX, SETEX, ...).
   *
   * @param key the key
   * @param value the value
   * @param at the expiry time, ms since the epoch
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * const db = new Database(0, new ManualClock(0), { expired() {} });
   * db.setWithExpire("k", "v", 1000);
   * console.assert(db.getExpire("k") === 1000);
   * ```
   */
  setWithExpire(key: string, value: Value, at: number): void {
    this.#put(key, value, false);
    this.#expires.set(key, at);
    this.#hooks.modified?.(this, key, 1);
  }

  /**
   * Records that a stored value was changed in place (an element pushed,
   * a field set): the one call a command makes after changing a container
   * it looked up, raising the modified-key signal.
   *
   * @param key the key
   * @param changes how many changes it counts (dirty), default 1
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * const seen: string[] = [];
   * const db = new Database(0, new ManualClock(0), {
   *   expired() {},
   *   modified: (_db, key, n) => seen.push(`${key}:${n}`),
   * });
   * db.touch("k", 3);
   * console.assert(seen[0] === "k:3");
   * ```
   */
  touch(key: string, changes = 1): void {
    if (this.#memory !== undefined) this.#remeasure(key);
    this.#hooks.modified?.(this, key, changes);
  }

  /**
   * A value changed in place where no client is told (a stream's consumer
   * groups: Redis's XGROUP, XREADGROUP, XACK and XCLAIM signal nothing):
   * only its memory estimate follows, while `maxmemory` is tracked.
   *
   * @param key the key
   */
  resized(key: string): void {
    if (this.#memory !== undefined) this.#remeasure(key);
  }

  /**
   * Records that a stored string's OBJECT ENCODING differs from what its
   * content gives, as Redis's object differs from the one SET would have
   * made: `raw` once a command changed the string in place (Redis's
   * dbUnshareStringValue: APPEND, SETRANGE, SETBIT, BITFIELD, PFADD, ...) or
   * built it as a plain buffer (BITOP, a new HyperLogLog), `embstr` for an
   * integer text INCRBYFLOAT made, `int` for an integer that is an object
   * of its own rather than a shared one (a COPY's). The mark goes with the key through
   * RENAME, MOVE, COPY and SWAPDB and is dropped by any later store or
   * removal. Call it after the store that wrote the value. No signal, no
   * change.
   *
   * @param key a stored key (nothing happens when it is not stored)
   * @param encoding the encoding to report
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * const db = new Database(0, new ManualClock(0), { expired() {} });
   * db.set("k", "ab");
   * db.setEncoding("k", "raw");
   * console.assert(db.encoding("k") === "raw");
   * db.set("k", "ab");
   * console.assert(db.encoding("k") === undefined);
   * ```
   */
  setEncoding(key: string, encoding: StringEncoding): void {
    if (this.#data.has(key)) this.#encodings.set(key, encoding);
  }

  /**
   * The encoding {@linkcode Database.setEncoding} recorded for a key.
   *
   * @param key the key
   * @returns `raw`, `embstr`, `int`, or undefined when its content decides
   */
  encoding(key: string): StringEncoding | undefined {
    return this.#encodings.size === 0 ? undefined : this.#encodings.get(key);
  }

  /**
   * Replaces a stored key's value, keeping its TTL, without the
   * modified-key signal: for the few in-place changes Redis makes without
   * signalModifiedKey (PFDEBUG changing a HyperLogLog's encoding, a PFADD
   * that fails part way).
   *
   * @param key the key (nothing happens when it is not stored)
   * @param value the new value
   */
  replaceQuietly(key: string, value: Value): void {
    const slot = this.#data.get(key);
    if (slot !== undefined) this.#values[slot] = value;
    if (slot !== undefined && this.#memory !== undefined) this.#memory.set(slot, key, value);
  }

  /** Stores a value, without the modified-key signal. */
  #put(key: string, value: Value, keepTtl: boolean): void {
    const slot = this.#data.get(key);
    if (slot === undefined) {
      const fresh = this.#allocate();
      this.#values[fresh] = value;
      this.#lru[fresh] = this.#lfu === undefined ? this.lruNow() : lfuInitial(this.#clock.now());
      if (this.#memory !== undefined) this.#memory.set(fresh, key, value);
      this.#seqs[fresh] = this.#seq++;
      this.#data.set(key, fresh);
      if (hasElementExpiry(value)) this.#fieldExpires.set(key, value);
      this.#hooks.created?.(this, key);
      return;
    }
    const old = this.#values[slot];
    if (old !== value && typeof old === "object" && old.type === "stream") {
      this.#hooks.streamRemoved?.(this, key);
    }
    this.#values[slot] = value;
    // Under LFU an overwrite is an access and keeps the counter, as Redis.
    if (this.#lfu === undefined) this.#lru[slot] = this.lruNow();
    else this.#lru[slot] = lfuAccess(this.#lru[slot]!, this.#clock.now(), this.#lfu);
    if (this.#memory !== undefined) this.#memory.set(slot, key, value);
    if (this.#encodings.size !== 0) this.#encodings.delete(key);
    if (!keepTtl && this.#expires.size > 0) this.#expires.delete(key);
    if (this.#fieldExpires.size > 0) this.#fieldExpires.delete(key);
    if (hasElementExpiry(value)) this.#fieldExpires.set(key, value);
  }

  /** A free slot, growing the slot arrays when none is left. */
  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#values.length;
    if (slot >= this.#lru.length) {
      const lru = new Uint32Array(this.#lru.length * 2);
      lru.set(this.#lru);
      this.#lru = lru;
      const seqs = new Float64Array(this.#seqs.length * 2);
      seqs.set(this.#seqs);
      this.#seqs = seqs;
    }
    this.#values.push(undefined);
    return slot;
  }

  /** Removes a stored key and frees its slot. */
  #remove(key: string): void {
    const slot = this.#data.get(key);
    if (slot === undefined) return;
    const old = this.#values[slot];
    if (typeof old === "object" && old.type === "stream") this.#hooks.streamRemoved?.(this, key);
    this.#data.delete(key);
    this.#values[slot] = undefined;
    if (this.#memory !== undefined) this.#memory.remove(slot);
    this.#free.push(slot);
    this.#expires.delete(key);
    if (this.#fieldExpires.size > 0) this.#fieldExpires.delete(key);
    if (this.#encodings.size !== 0) this.#encodings.delete(key);
  }

  /**
   * Removes a key.
   *
   * @param key the key
   * @param changes how many changes it counts (dirty): 1 by default; a
   *   container emptied by a command is deleted counting what the command
   *   removed from it, as Redis counts nothing for the deletion itself
   * @returns whether it existed (expired keys count as absent)
   */
  delete(key: string, changes = 1): boolean {
    if (this.lookup(key, false) === undefined) return false;
    this.#remove(key);
    this.#hooks.modified?.(this, key, changes);
    return true;
  }

  /**
   * Removes a stored key whether or not its TTL has passed, without the
   * lazy expiry a lookup does (Redis's bare dbDelete, which SORT ... STORE
   * calls on its destination when it stores nothing).
   *
   * @param key the key
   * @param changes how many changes it counts (dirty), default 1
   * @returns whether it was stored
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * const clock = new ManualClock(0);
   * const db = new Database(0, clock, { expired() {} });
   * db.set("k", "v");
   * db.setExpire("k", 10);
   * clock.advance(20);
   * console.assert(db.deleteStored("k") && db.size === 0);
   * ```
   */
  deleteStored(key: string, changes = 1): boolean {
    if (!this.#data.has(key)) return false;
    this.#remove(key);
    this.#hooks.modified?.(this, key, changes);
    return true;
  }

  /**
   * Moves a key with its TTL and its indexes (field TTLs, live HSCAN /
   * SSCAN cursors) to another database, as MOVE.
   *
   * @param key the key
   * @param target the database to move it to
   * @returns false when the key is missing here or present in `target`
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * const clock = new ManualClock(0);
   * const db0 = new Database(0, clock, { expired() {} });
   * const db1 = new Database(1, clock, { expired() {} });
   * db0.set("k", "v");
   * db0.setExpire("k", 1000);
   * console.assert(db0.move("k", db1) && !db0.has("k") && db1.getExpire("k") === 1000);
   * ```
   */
  move(key: string, target: Database): boolean {
    if (target === this) return false;
    const value = this.lookup(key, false);
    if (value === undefined || target.lookup(key, false) !== undefined) return false;
    const at = this.#expires.get(key);
    const encoding = this.#encodings.get(key);
    target.#put(key, value, false);
    if (at !== undefined) target.#expires.set(key, at);
    if (encoding !== undefined) target.#encodings.set(key, encoding);
    if (typeof value !== "string") this.#cursors.transfer(value, target.#cursors);
    this.#remove(key);
    this.#hooks.modified?.(this, key, 1);
    target.#hooks.modified?.(target, key, 0);
    return true;
  }

  /**
   * Renames a key with its TTL and its indexes, as RENAME: an existing
   * `dst` is deleted first, so `dst` is created anew (Redis's dbDelete +
   * dbAdd). One change, signalled on both keys.
   *
   * @param src the key to rename
   * @param dst its new name
   * @returns false when `src` is missing or is `dst`
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * let changes = 0;
   * const db = new Database(0, new ManualClock(0), {
   *   expired() {},
   *   modified: (_db, _key, n) => changes += n,
   * });
   * db.set("a", "1");
   * db.set("b", "2");
   * db.setExpire("a", 1000);
   * changes = 0;
   * console.assert(db.rename("a", "b") && !db.has("a") && db.getExpire("b") === 1000);
   * console.assert(changes === 1);
   * ```
   */
  rename(src: string, dst: string): boolean {
    if (src === dst) return false;
    const value = this.lookup(src, false);
    if (value === undefined) return false;
    const at = this.#expires.get(src);
    const encoding = this.#encodings.get(src);
    this.#remove(dst);
    this.#put(dst, value, false);
    if (at !== undefined) this.#expires.set(dst, at);
    if (encoding !== undefined) this.#encodings.set(dst, encoding);
    this.#remove(src);
    this.#hooks.modified?.(this, src, 1);
    this.#hooks.modified?.(this, dst, 0);
    return true;
  }

  /**
   * Copies a key's value (deeply) and TTL to `dst` in `target`, as COPY:
   * an existing `dst` is deleted first, so `dst` is created anew (Redis's
   * dbDelete + dbAdd). One change, signalled on `dst`.
   *
   * @param src the key to copy
   * @param target the database to copy it to (this one or another)
   * @param dst the name of the copy
   * @returns false when `src` is missing or is the same key as the copy
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * let changes = 0;
   * const db = new Database(0, new ManualClock(0), {
   *   expired() {},
   *   modified: (_db, _key, n) => changes += n,
   * });
   * db.set("a", "1");
   * db.set("b", "2");
   * db.setExpire("a", 1000);
   * changes = 0;
   * console.assert(db.copy("a", db, "b") && db.get("b") === "1" && db.getExpire("b") === 1000);
   * console.assert(changes === 1);
   * ```
   */
  copy(src: string, target: Database, dst: string): boolean {
    if (target === this && src === dst) return false;
    const value = this.lookup(src, false);
    if (value === undefined) return false;
    const at = this.#expires.get(src);
    const encoding = this.#encodings.get(src);
    target.#remove(dst);
    target.#put(dst, typeof value === "string" ? value : value.clone(), false);
    if (at !== undefined) target.#expires.set(dst, at);
    if (encoding !== undefined) target.#encodings.set(dst, encoding);
    target.#hooks.modified?.(target, dst, 1);
    return true;
  }

  /**
   * The expiry time of a key.
   *
   * @param key the key
   * @returns ms since the epoch, or undefined without a TTL
   */
  getExpire(key: string): number | undefined {
    return this.#expires.get(key);
  }

  /**
   * Sets the expiry time of an existing key.
   *
   * @param key the key (must exist)
   * @param at ms since the epoch
   */
  setExpire(key: string, at: number): void {
    this.#expires.set(key, at);
    this.#hooks.modified?.(this, key, 1);
  }

  /**
   * Removes a key's TTL.
   *
   * @param key the key
   * @returns whether it had one
   */
  persist(key: string): boolean {
    if (!this.#expires.delete(key)) return false;
    this.#hooks.modified?.(this, key, 1);
    return true;
  }

  /**
   * Every live key. Expired keys met on the way are reclaimed, or only
   * skipped when `reclaim` is false (as Redis's KEYS leaves them).
   *
   * @param reclaim remove the expired keys met
   * @returns the keys
   */
  keys(reclaim = true): string[] {
    const out: string[] = [];
    const now = this.#clock.now();
    for (const key of this.#data.keys()) {
      const at = this.#expires.get(key);
      if (at !== undefined && at <= now) {
        if (reclaim) this.#expireKey(key);
        continue;
      }
      out.push(key);
    }
    return out;
  }

  /**
   * Whether a key is stored, even if it has expired and is not yet
   * reclaimed (WATCH compares this as Redis looks in its dictionary).
   *
   * @param key the key
   * @returns true if stored
   */
  stored(key: string): boolean {
    return this.#data.has(key);
  }

  /**
   * Whether a key's TTL has passed (it is still stored until a lookup or the
   * active cycle reclaims it).
   *
   * @param key the key
   * @returns true if the key has a TTL at or before now
   */
  isExpired(key: string): boolean {
    const at = this.#expires.get(key);
    return at !== undefined && at <= this.#clock.now();
  }

  /**
   * One SCAN step: about `count` keys from `cursor` on.
   *
   * Cursors are insertion sequence numbers: a key present for the whole
   * iteration keeps its place and is returned exactly once.
   *
   * @param cursor 0 to start, else a cursor a previous call returned
   * @param count how many keys to visit
   * @returns the next cursor (0 when done) and the keys visited
   */
  scan(cursor: number, count: number): [number, string[]] {
    const [next, keys] = this.scanKeys(cursor, count);
    const now = this.#clock.now();
    const live = keys.filter((key) => {
      const at = this.#expires.get(key);
      if (at !== undefined && at <= now) {
        this.#expireKey(key);
        return false;
      }
      return true;
    });
    return [next, live];
  }

  /**
   * One SCAN step without expiry: the keys visited from `cursor` on, expired
   * ones included, for callers that filter them in Redis's order (pattern,
   * then type, then expiry).
   *
   * @param cursor 0 to start, else a cursor a previous call returned
   * @param count how many keys to visit
   * @returns the next cursor (0 when done) and the keys visited
   */
  scanKeys(cursor: number, count: number): [number, string[]] {
    let state = cursor === 0
      ? { iter: this.#data.entries(), pending: undefined }
      : this.#scans.get(cursor);
    if (state !== undefined) this.#scans.delete(cursor);
    else state = this.#seekScan(cursor);
    const keys: string[] = [];
    let next: [string, number, number] | undefined;
    for (;;) {
      let item = state.pending;
      state.pending = undefined;
      if (item !== undefined) {
        // Still the same key in the same slot since the cursor was made?
        if (this.#data.get(item[0]) !== item[1] || this.#seqs[item[1]] !== item[2]) continue;
      } else {
        const r = state.iter.next();
        if (r.done) break;
        item = [r.value[0], r.value[1], this.#seqs[r.value[1]]!];
      }
      if (keys.length >= count) {
        next = item;
        break;
      }
      keys.push(item[0]);
    }
    if (next === undefined) return [0, keys];
    const nextCursor = next[2];
    state.pending = next;
    this.#scans.set(nextCursor, state);
    if (this.#scans.size > SCAN_CACHE) {
      this.#scans.delete(this.#scans.keys().next().value!);
    }
    return [nextCursor, keys];
  }

  /** Positions a fresh iterator at the first key whose sequence is >= cursor. */
  #seekScan(cursor: number): ScanState {
    const iter = this.#data.entries();
    for (;;) {
      const r = iter.next();
      if (r.done) return { iter, pending: undefined };
      const seq = this.#seqs[r.value[1]]!;
      if (seq >= cursor) return { iter, pending: [r.value[0], r.value[1], seq] };
    }
  }

  /**
   * One step of an HSCAN / SSCAN iteration over a value stored here; the
   * cursors live in this database, keyed by the value, so they follow it
   * through RENAME, MOVE and SWAPDB.
   *
   * @param container the stored value (its identity keys the cursor cache)
   * @param iterate returns a fresh iterator over its elements in order
   * @param cursor 0 to start, else a cursor a previous step returned
   * @param count how many elements to visit
   * @param isLive whether a pending element is still in the container
   * @returns the next cursor (0 when done) and the elements visited
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * import { HashValue } from "./hash.ts";
   * const db = new Database(0, new ManualClock(0), { expired() {} });
   * const h = new HashValue(new Map([["a", "1"], ["b", "2"], ["c", "3"]]));
   * db.set("h", h);
   * const [next, first] = db.scanContainer(h, () => h.map.keys(), 0, 2);
   * const [end, rest] = db.scanContainer(h, () => h.map.keys(), next, 2);
   * console.assert(first.length === 2 && rest.length === 1 && end === 0);
   * ```
   */
  scanContainer<T>(
    container: ContainerValue,
    iterate: () => Iterator<T>,
    cursor: number,
    count: number,
    isLive?: (item: T) => boolean,
  ): [number, T[]] {
    return this.#cursors.scan(container, iterate, cursor, count, isLive);
  }

  /**
   * A random live key.
   *
   * @param random a function returning a float in [0, 1)
   * @returns a key, or undefined when the database is empty
   */
  randomKey(random: () => number): string | undefined {
    for (let tries = 0; this.#data.size > 0 && tries < 100; tries++) {
      const target = Math.floor(random() * this.#data.size);
      let i = 0;
      for (const key of this.#data.keys()) {
        if (i++ === target) {
          if (this.lookup(key, false) !== undefined) return key;
          break;
        }
      }
    }
    return this.keys()[0];
  }

  /**
   * Removes every key.
   *
   * @returns how many keys there were
   */
  flush(): number {
    const n = this.#data.size;
    this.#data = new Map();
    this.#values = [];
    this.#lru = new Uint32Array(INITIAL_SLOTS);
    this.#seqs = new Float64Array(INITIAL_SLOTS);
    this.#free = [];
    this.#expires = new Map();
    this.#scans.clear();
    this.#expireIter = undefined;
    this.#fieldExpires = new Map();
    this.#fieldExpireIter = undefined;
    this.#cursors = new ContainerCursors();
    this.#encodings = new Map();
    this.bitmaps.clear();
    if (this.#memory !== undefined) this.#memory = new KeyspaceMemory(this.#memory.measure);
    return n;
  }

  /**
   * Swaps the contents of two databases (SWAPDB).
   *
   * @param other the other database
   */
  swapWith(other: Database): void {
    [this.#data, other.#data] = [other.#data, this.#data];
    [this.#values, other.#values] = [other.#values, this.#values];
    [this.#lru, other.#lru] = [other.#lru, this.#lru];
    [this.#seqs, other.#seqs] = [other.#seqs, this.#seqs];
    [this.#free, other.#free] = [other.#free, this.#free];
    [this.#expires, other.#expires] = [other.#expires, this.#expires];
    [this.#seq, other.#seq] = [other.#seq, this.#seq];
    [this.#fieldExpires, other.#fieldExpires] = [other.#fieldExpires, this.#fieldExpires];
    [this.#cursors, other.#cursors] = [other.#cursors, this.#cursors];
    [this.#memory, other.#memory] = [other.#memory, this.#memory];
    [this.#encodings, other.#encodings] = [other.#encodings, this.#encodings];
    this.#scans.clear();
    other.#scans.clear();
    this.#expireIter = undefined;
    other.#expireIter = undefined;
    this.#fieldExpireIter = undefined;
    other.#fieldExpireIter = undefined;
  }

  /**
   * One active expiry pass as Redis's activeExpireCycle: sample keys with a
   * TTL, reclaim the expired ones, and repeat while more than 10% of a
   * sample had expired, until the deadline.
   *
   * @param deadline stop at this `performance.now()`-style time
   * @param timer returns the current time on the deadline's scale
   * @returns how many keys were reclaimed
   */
  activeExpire(deadline: number, timer: () => number): number {
    let reclaimed = 0;
    for (let loops = 0;; loops++) {
      if (this.#expires.size === 0) return reclaimed;
      const now = this.#clock.now();
      let sampled = 0;
      let expired = 0;
      const sample = Math.min(EXPIRE_KEYS_PER_LOOP, this.#expires.size);
      while (sampled < sample) {
        this.#expireIter ??= this.#expires.entries();
        const r = this.#expireIter.next();
        if (r.done) {
          this.#expireIter = undefined;
          if (sampled === 0 && loops > 0) return reclaimed;
          break;
        }
        sampled++;
        const [key, at] = r.value;
        if (at <= now && this.#expires.get(key) === at) {
          this.#expireKey(key);
          expired++;
        }
      }
      reclaimed += expired;
      if (sampled === 0 || expired * 10 <= sampled) return reclaimed;
      if ((loops & 15) === 15 && timer() > deadline) return reclaimed;
    }
  }

  /**
   * Registers a key whose value just got element TTLs (HEXPIRE and
   * friends), for the active field expiry. Values stored with TTLs already
   * (RENAME, MOVE, COPY) are registered by {@linkcode Database.set}.
   *
   * @param key the key
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { HashValue } from "./hash.ts";
   * import { ManualClock } from "../clock.ts";
   * const db = new Database(0, new ManualClock(0), { expired() {} });
   * const h = new HashValue();
   * h.set("f", "v");
   * db.set("h", h);
   * h.setExpire("f", 1000);
   * db.trackFieldExpiry("h");
   * console.assert(db.fieldExpiresCount === 1);
   * ```
   */
  trackFieldExpiry(key: string): void {
    const slot = this.#data.get(key);
    if (slot === undefined) return;
    const value = this.#values[slot]!;
    if (hasElementExpiry(value)) this.#fieldExpires.set(key, value);
  }

  /**
   * Lazy field expiry: removes the expired elements of a key's value,
   * deleting the key when none is left, and tells the server
   * (`hooks.fieldsExpired`).
   *
   * @param key the key
   * @param now the time to compare with (the database's clock by default)
   * @returns how many elements were removed
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { HashValue } from "./hash.ts";
   * import { ManualClock } from "../clock.ts";
   * const clock = new ManualClock(0);
   * const db = new Database(0, clock, { expired() {} });
   * const h = new HashValue();
   * h.set("a", "1");
   * h.set("b", "2");
   * h.setExpire("a", 100);
   * db.set("h", h);
   * clock.advance(100);
   * console.assert(db.expireFields("h") === 1 && h.size === 1);
   * ```
   */
  expireFields(key: string, now: number = this.#clock.now()): number {
    const slot = this.#data.get(key);
    if (slot === undefined) return 0;
    const value = this.#values[slot]!;
    return hasElementExpiry(value) ? this.#purgeFields(key, value, now) : 0;
  }

  /**
   * One active field expiry pass (Redis 7.4's hash field expiration):
   * visits up to `limit` keys whose values have element TTLs, round robin
   * across calls, and removes their expired elements as
   * {@linkcode Database.expireFields}. A key itself expired is left to
   * {@linkcode Database.activeExpire}; a key whose value has no element
   * TTL left leaves the index.
   *
   * @param limit how many indexed keys to visit at most
   * @returns how many keys had elements removed
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { HashValue } from "./hash.ts";
   * import { ManualClock } from "../clock.ts";
   * const clock = new ManualClock(0);
   * const db = new Database(0, clock, { expired() {} });
   * const h = new HashValue();
   * h.set("f", "v");
   * h.setExpire("f", 100);
   * db.set("h", h);
   * clock.advance(100);
   * console.assert(db.activeExpireFields() === 1 && !db.has("h"));
   * ```
   */
  activeExpireFields(limit = FIELD_EXPIRE_KEYS_PER_CYCLE): number {
    const index = this.#fieldExpires;
    if (index.size === 0) return 0;
    const now = this.#clock.now();
    let iter = this.#fieldExpireIter ?? index.entries();
    let changed = 0;
    const n = Math.min(limit, index.size);
    for (let i = 0; i < n; i++) {
      let r = iter.next();
      if (r.done) {
        iter = index.entries();
        r = iter.next();
        if (r.done) break;
      }
      const [key, value] = r.value;
      if (!value.hasExpires) {
        index.delete(key);
        continue;
      }
      // Only peek: an expired key is reclaimed by the keyspace's own cycle.
      const at = this.#expires.get(key);
      if (at !== undefined && at <= now) continue;
      if (this.#purgeFields(key, value, now) > 0) changed++;
    }
    this.#fieldExpireIter = iter;
    return changed;
  }

  /** Removes a value's expired elements, then its key if emptied, and reports them. */
  #purgeFields(key: string, value: ExpiringContainer, now: number): number {
    const fields = value.purge(now);
    if (fields.length === 0) return 0;
    const deleted = value.size === 0;
    if (deleted) this.#remove(key);
    else if (!value.hasExpires) this.#fieldExpires.delete(key);
    if (!deleted && this.#memory !== undefined) this.#remeasure(key);
    this.#hooks.fieldsExpired?.(this, key, fields, deleted);
    return fields.length;
  }

  /**
   * The average remaining TTL of keys with one, in ms, estimated from a
   * bounded sample (INFO keyspace `avg_ttl`, which Redis estimates too).
   *
   * @param sample how many live keys with a TTL to average at most
   * @returns the average in ms, 0 without such keys
   */
  averageTtl(sample = 128): number {
    const now = this.#clock.now();
    let sum = 0;
    let n = 0;
    let visited = 0;
    for (const at of this.#expires.values()) {
      if (at > now) {
        sum += at - now;
        n++;
      }
      if (n >= sample || ++visited >= sample * 4) break;
    }
    return n === 0 ? 0 : Math.floor(sum / n);
  }

  /**
   * A stored value, expired or not, without touching its LRU time or
   * reclaiming it (DEBUG looks keys up as Redis's dictFind does).
   *
   * @param key the key
   * @returns the value, or undefined when not stored
   */
  peek(key: string): Value | undefined {
    const slot = this.#data.get(key);
    return slot === undefined ? undefined : this.#values[slot];
  }

  /**
   * Every stored key and value, expired ones not yet reclaimed included,
   * untouched (DEBUG DIGEST). The database must not change meanwhile.
   *
   * @returns the entries
   */
  *entries(): IterableIterator<[key: string, value: Value]> {
    for (const [key, slot] of this.#data) yield [key, this.#values[slot]!];
  }

  /**
   * Starts or stops per-key memory accounting (on while `maxmemory` is
   * set): given a measure, every key is measured now and again on every
   * store, in-place change ({@linkcode Database.touch}) and removal, and
   * {@linkcode Database.memoryBytes} is their sum. Off, the keyspace
   * operations pay one field test.
   *
   * @param measure how a key and its value are measured, or undefined to stop
   * @example
   * ```ts
   * import { Database } from "./database.ts";
   * import { ManualClock } from "../clock.ts";
   * const db = new Database(0, new ManualClock(0), { expired() {} });
   * db.set("a", "xy");
   * db.trackMemory((key, value) => key.length + (value as string).length);
   * db.set("b", "z");
   * console.assert(db.memoryBytes === 5);
   * db.delete("a");
   * console.assert(db.memoryBytes === 2);
   * ```
   */
  trackMemory(measure: Measure | undefined): void {
    if (measure === undefined) {
      this.#memory = undefined;
      return;
    }
    const memory = new KeyspaceMemory(measure);
    for (const [key, slot] of this.#data) memory.set(slot, key, this.#values[slot]!);
    this.#memory = memory;
  }

  /** The sum of every key's estimate while memory is tracked, else undefined. */
  get memoryBytes(): number | undefined {
    return this.#memory?.bytes;
  }

  #remeasure(key: string): void {
    const slot = this.#data.get(key);
    if (slot !== undefined) this.#memory!.set(slot, key, this.#values[slot]!);
  }

  /**
   * Keeps LFU counters instead of access times (an LFU maxmemory-policy
   * selected), or access times again. Existing words are not converted:
   * they adjust as keys are accessed, as in Redis.
   *
   * @param params the LFU parameters, or undefined for LRU
   */
  useLfu(params: LfuParams | undefined): void {
    this.#lfu = params;
  }

  /**
   * A stored key's LFU counter after decay, unchanged (OBJECT FREQ).
   *
   * @param key the key
   * @returns the counter, or undefined when not stored
   */
  lfuFrequency(key: string): number | undefined {
    const slot = this.#data.get(key);
    if (slot === undefined) return undefined;
    return lfuDecayed(this.#lru[slot]!, this.#clock.now(), this.#lfu?.decayTime ?? 1);
  }

  /**
   * Samples keys for eviction, as Redis's dictGetSomeKeys: up to `count`
   * stored keys (only keys with a TTL when `volatile`), each given to
   * `visit` with its LRU / LFU word and expiry time. Any key is picked at
   * random by slot while memory is tracked; keys with a TTL are taken
   * walking the expiry index from where the last sample stopped, skipping
   * some at random. At least one key comes back from a non-empty set.
   *
   * @param count how many keys
   * @param volatile sample only keys with a TTL
   * @param random a float in [0, 1)
   * @param visit called per key sampled
   * @returns how many keys were sampled
   */
  sampleKeys(
    count: number,
    volatile: boolean,
    random: () => number,
    visit: (key: string, word: number, expireAt: number | undefined) => void,
  ): number {
    const map = volatile ? this.#expires : this.#data;
    const n = Math.min(count, map.size);
    let found = 0;
    const memory = this.#memory;
    if (!volatile && memory !== undefined) {
      const slots = this.#values.length;
      for (let tries = 0; found < n && tries < n * 8; tries++) {
        const slot = Math.floor(random() * slots);
        const key = memory.keyAt(slot);
        if (key === undefined) continue;
        visit(key, this.#lru[slot]!, this.#expires.get(key));
        found++;
      }
      if (found > 0) return found;
    }
    if (this.#evictMap !== map || this.#evictIter === undefined) {
      this.#evictMap = map;
      this.#evictIter = map.keys();
    }
    const skip = map.size > 2 * n;
    for (let restarts = 0; found < n;) {
      const r = this.#evictIter.next();
      if (r.done) {
        if (++restarts > 1) break;
        this.#evictIter = map.keys();
        continue;
      }
      if (skip && random() < 0.5) continue;
      const slot = this.#data.get(r.value);
      if (slot === undefined) continue;
      visit(r.value, this.#lru[slot]!, this.#expires.get(r.value));
      found++;
    }
    return found;
  }

  #expireKey(key: string): void {
    if (this.#hooks.expiryPaused?.()) return;
    this.#remove(key);
    this.#hooks.expired(this, key);
  }
}
