/**
 * One logical database: the keyspace, the expiry index, lazy and active
 * expiry, and a SCAN cursor that never misses a key present throughout an
 * iteration.
 *
 * @module
 */

import type { Clock } from "../clock.ts";

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
}

/**
 * A stored value: strings are binary strings (one char per byte), the other
 * types are objects that know their type.
 */
export type Value = string | ContainerValue;

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
}

interface ScanState {
  iter: Iterator<[string, number]>;
  /** The next key to return, its slot and that slot's sequence number then. */
  pending: [key: string, slot: number, seq: number] | undefined;
}

const INITIAL_SLOTS = 64;

const SCAN_CACHE = 64;
const EXPIRE_KEYS_PER_LOOP = 20;

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
   * @param id the database number
   * @param clock the server's clock
   * @param hooks what to tell the server
   */
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
    if (touch) this.#lru[slot] = this.lruNow();
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
   */
  set(key: string, value: Value, keepTtl = false): void {
    const slot = this.#data.get(key);
    if (slot === undefined) {
      const fresh = this.#allocate();
      this.#values[fresh] = value;
      this.#lru[fresh] = this.lruNow();
      this.#seqs[fresh] = this.#seq++;
      this.#data.set(key, fresh);
      this.#hooks.created?.(this, key);
      return;
    }
    this.#values[slot] = value;
    this.#lru[slot] = this.lruNow();
    if (!keepTtl && this.#expires.size > 0) this.#expires.delete(key);
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
    this.#data.delete(key);
    this.#values[slot] = undefined;
    this.#free.push(slot);
    this.#expires.delete(key);
  }

  /**
   * Removes a key.
   *
   * @param key the key
   * @returns whether it existed (expired keys count as absent)
   */
  delete(key: string): boolean {
    if (this.lookup(key, false) === undefined) return false;
    this.#remove(key);
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
  }

  /**
   * Removes a key's TTL.
   *
   * @param key the key
   * @returns whether it had one
   */
  persist(key: string): boolean {
    return this.#expires.delete(key);
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
    this.#scans.clear();
    other.#scans.clear();
    this.#expireIter = undefined;
    other.#expireIter = undefined;
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

  #expireKey(key: string): void {
    if (this.#hooks.expiryPaused?.()) return;
    this.#remove(key);
    this.#hooks.expired(this, key);
  }
}
