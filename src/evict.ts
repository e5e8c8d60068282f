/**
 * Memory accounting and eviction: the figures INFO memory and MEMORY STATS
 * report, `maxmemory` with every `maxmemory-policy`, and the OOM gate the
 * dispatcher asks before running a command.
 *
 * What `used_memory` counts (all deterministic: the same data and clients
 * give the same figure, whatever the garbage collector does):
 *
 * - `used_memory_startup`: the V8 heap in use when the server started (the
 *   runtime, the command table; a real figure, measured once);
 * - every key: its estimate from `src/store/memory_size.ts` (key, value and
 *   dictionary entry, sized as Redis 7.0.15 lays them out);
 * - per database, the buckets of the key and expiry tables and a 24-byte
 *   entry per key with a TTL;
 * - the clients' query and output buffers (`mem_clients_normal`), which
 *   are also reported as `mem_not_counted_for_evict`: eviction compares
 *   `used_memory` minus them with `maxmemory`, so what is evicted depends on
 *   the data only, never on traffic.
 *
 * The real process figures are `used_memory_rss` (RSS) and
 * `allocator_allocated` (the V8 heap in use now); `mem_fragmentation_ratio`
 * is RSS over `used_memory`, as Redis computes it.
 *
 * While `maxmemory` is 0 nothing is tracked per write: INFO and MEMORY STATS
 * measure the keyspace when asked (cached until the next change). Once
 * `maxmemory` is set, every database keeps each key's estimate up to date
 * on its stores, in-place changes and removals, so the figure eviction
 * compares is O(databases) to read.
 *
 * Eviction follows Redis 7.0.15's performEvictions: before every command
 * (and from the cron, where Redis uses a timer after CONFIG SET maxmemory),
 * while over the limit, keys are picked by the policy and deleted. LRU, LFU
 * and volatile-ttl sample `maxmemory-samples` keys per database into a
 * 16-entry eviction pool kept across calls, best candidates last, and
 * evict from its end; the random policies pick a random key, one database
 * after another. Each eviction counts in `evicted_keys`, publishes the
 * `evicted` keyspace event, raises the modified-key signal (WATCH, client
 * tracking invalidation) and propagates as DEL (UNLINK with
 * `lazyfree-lazy-eviction yes`), each its own unit. An eviction run stops
 * after `maxmemory-eviction-tenacity`'s time budget and goes on at the next
 * command or cron tick. No eviction happens while clients are paused.
 *
 * Known differences from Redis: memory is an estimate (see
 * `memory_size.ts`), not the allocator's count; keys with a TTL are
 * sampled walking the expiry index with random skips rather than at
 * random; after CONFIG SET maxmemory, eviction starts at the next command
 * or cron tick (Redis starts a timer at once).
 *
 * @module
 */

import type { Engine } from "./engine.ts";
import type { Client } from "./client.ts";
import type { Command } from "./commands/spec.ts";
import type { Database } from "./store/database.ts";
import {
  DEFAULT_SAMPLES,
  DICT_ENTRY,
  dictBuckets,
  keySize,
  type Measure,
} from "./store/memory_size.ts";
import { lfuDecayed } from "./store/lfu.ts";

/** The `maxmemory-policy` values. */
export type EvictionPolicy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl";

/** What an eviction run ended with (Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL). */
export type EvictionResult = "ok" | "running" | "fail";

/** Redis's EVPOOL_SIZE. */
const POOL_SIZE = 16;
/** Redis's robj, counted per key in `overhead.hashtable.main`. */
const ROBJ = 16;
/** Commands a client inside MULTI may still send when out of memory. */
const MULTI_ALLOWED: ReadonlySet<string> = new Set(["exec", "discard", "quit", "reset"]);

/** A candidate in the eviction pool: the higher the score, the better. */
interface PoolEntry {
  readonly key: string;
  readonly db: number;
  readonly score: number;
}

/** The memory overhead of one database (MEMORY STATS `db.N`). */
export interface DatabaseOverhead {
  /** The database number. */
  readonly id: number;
  /** `overhead.hashtable.main`: entries, buckets and a 16-byte object per key. */
  readonly main: number;
  /** `overhead.hashtable.expires`: entries and buckets. */
  readonly expires: number;
}

/** Every figure INFO memory and MEMORY STATS / DOCTOR report. */
export interface MemoryFigures {
  /** `used_memory`. */
  readonly used: number;
  /** `used_memory_peak`. */
  readonly peak: number;
  /** `used_memory_startup`. */
  readonly startup: number;
  /** `used_memory_overhead`: startup, clients and database tables. */
  readonly overhead: number;
  /** `used_memory_dataset`: used minus overhead. */
  readonly dataset: number;
  /** The clients' buffers (`mem_clients_normal`, `mem_not_counted_for_evict`). */
  readonly clients: number;
  /** Keys in every database. */
  readonly keys: number;
  /** Databases holding keys. */
  readonly dbs: readonly DatabaseOverhead[];
  /** Resident set size, bytes (0 when unknown). */
  readonly rss: number;
  /** The V8 heap in use now (0 when unknown). */
  readonly heap: number;
}

/**
 * Redis's evictionTimeLimitUs: how long one eviction run may last.
 *
 * @param tenacity `maxmemory-eviction-tenacity`, 0 to 100
 * @returns microseconds (Infinity at 100)
 * @example
 * ```ts
 * import { evictionTimeLimitUs } from "./evict.ts";
 * console.assert(evictionTimeLimitUs(10) === 500);
 * console.assert(evictionTimeLimitUs(100) === Infinity);
 * ```
 */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * 1.15 ** (tenacity - 10));
  return Infinity;
}

/**
 * One engine's memory accounting and eviction.
 *
 * @example A server over its limit evicts the least recently used keys
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine({ config: { "maxmemory-policy": "allkeys-lru" } });
 * const client = engine.connect();
 * for (let i = 0; i < 100; i++) engine.call(client, ["SET", `k${i}`, "x".repeat(100)]);
 * engine.call(client, ["CONFIG", "SET", "maxmemory", String(engine.memory.counted() - 1000)]);
 * engine.call(client, ["PING"]);
 * console.assert(engine.stats.evictedKeys > 0 && engine.memory.counted() <= engine.memory.limit);
 * engine.close();
 * ```
 */
export class Memory {
  /**
   * Whether memory was over `maxmemory` (with nothing left to evict) when
   * the running top-level command started (Redis's
   * pre_command_oom_state): scripts refuse `denyoom` commands by it.
   */
  preCommandOom = false;
  #engine: Engine;
  #limit = 0;
  #policy: EvictionPolicy = "noeviction";
  #tracking = false;
  #pool: (PoolEntry | undefined)[] = new Array<PoolEntry | undefined>(POOL_SIZE).fill(undefined);
  #nextDb = 0;
  #peak = 0;
  /** The keyspace's bytes measured while untracked, and the state they were measured at. */
  #cache: [state: string, bytes: number] | undefined = undefined;
  #measure: Measure;
  #lfu = { logFactor: 10, decayTime: 1, random: (): number => 0 };

  /**
   * @param engine the engine whose databases, configuration and statistics this uses
   */
  constructor(engine: Engine) {
    this.#engine = engine;
    const config = engine.config;
    this.#measure = (key, value) =>
      keySize(key, value, {
        samples: DEFAULT_SAMPLES,
        listFill: config.number("list-max-listpack-size"),
        cheap: true,
      });
    this.#lfu.random = () => engine.random.next();
    for (
      const name of ["maxmemory", "maxmemory-policy", "lfu-log-factor", "lfu-decay-time"]
    ) {
      config.onChange(name, () => this.#configure(false));
    }
    this.#configure(true);
  }

  /** `maxmemory` in bytes; 0 when unlimited (the dispatcher's one test per command). */
  get limit(): number {
    return this.#limit;
  }

  /** The selected `maxmemory-policy`. */
  get policy(): EvictionPolicy {
    return this.#policy;
  }

  /** The highest `used_memory` seen (INFO used_memory_peak). */
  get peak(): number {
    return this.#peak;
  }

  /** MEMORY / CONFIG RESETSTAT: the peak starts again from the memory used now. */
  resetPeak(): void {
    this.#peak = 0;
    this.used();
  }

  /** Applies the configuration; `initial` at construction (no warning then). */
  #configure(initial: boolean): void {
    const engine = this.#engine;
    const config = engine.config;
    const policy = config.get("maxmemory-policy") as EvictionPolicy;
    if (policy !== this.#policy) this.#pool.fill(undefined);
    this.#policy = policy;
    this.#lfu.logFactor = config.number("lfu-log-factor");
    this.#lfu.decayTime = config.number("lfu-decay-time");
    const lfu = policy.endsWith("-lfu") ? this.#lfu : undefined;
    const limit = config.number("maxmemory");
    const track = limit > 0;
    for (let i = 0; i < engine.databases; i++) {
      const db = engine.db(i);
      db.useLfu(lfu);
      if (track !== this.#tracking) db.trackMemory(track ? this.#measure : undefined);
    }
    this.#tracking = track;
    if (track && !initial && limit !== this.#limit) {
      const used = this.counted();
      if (limit < used) {
        engine.log(
          "warning",
          `WARNING: the new maxmemory value set via CONFIG SET (${limit}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
        );
      }
    }
    this.#limit = limit;
  }

  /** The bytes of every key, tracked or measured now (cached while nothing changed). */
  #keyBytes(): number {
    const engine = this.#engine;
    const n = engine.databases;
    if (this.#tracking) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += engine.db(i).memoryBytes ?? 0;
      return sum;
    }
    let keys = 0;
    for (let i = 0; i < n; i++) keys += engine.db(i).size;
    const state = `${engine.changes}|${engine.stats.expiredKeys}|${keys}`;
    if (this.#cache !== undefined && this.#cache[0] === state) return this.#cache[1];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      for (const [key, value] of engine.db(i).entries()) sum += this.#measure(key, value);
    }
    this.#cache = [state, sum];
    return sum;
  }

  /** The bytes of the databases' tables: buckets, and an entry per key with a TTL. */
  #tableBytes(): number {
    const engine = this.#engine;
    let sum = 0;
    for (let i = 0; i < engine.databases; i++) {
      const db = engine.db(i);
      if (db.size === 0) continue;
      const expires = db.expiresCount;
      sum += dictBuckets(db.size) + expires * DICT_ENTRY + dictBuckets(expires);
    }
    return sum;
  }

  /** The clients' query and output buffers. */
  #clientBytes(): number {
    let sum = 0;
    for (const c of this.#engine.clients.values()) {
      sum += c.transport.inputBuffered() + c.transport.outputBuffered();
    }
    return sum;
  }

  /**
   * The memory eviction compares with `maxmemory`: `used_memory` without
   * the clients' buffers (`mem_not_counted_for_evict`).
   *
   * @returns bytes
   */
  counted(): number {
    const used = this.#engine.startupMemory + this.#keyBytes() + this.#tableBytes();
    if (used > this.#peak) this.#peak = used;
    return used;
  }

  /**
   * `used_memory`: what {@linkcode Memory.counted} counts plus the clients'
   * buffers; tracks the peak.
   *
   * @returns bytes
   */
  used(): number {
    const used = this.counted() + this.#clientBytes();
    if (used > this.#peak) this.#peak = used;
    return used;
  }

  /**
   * Every figure INFO memory and MEMORY STATS report.
   *
   * @returns the figures
   */
  figures(): MemoryFigures {
    const engine = this.#engine;
    const clients = this.#clientBytes();
    const used = this.counted() + clients;
    if (used > this.#peak) this.#peak = used;
    const startup = Math.min(engine.startupMemory, used);
    const dbs: DatabaseOverhead[] = [];
    let keys = 0;
    let overhead = startup + clients;
    for (let i = 0; i < engine.databases; i++) {
      const db = engine.db(i);
      const n = db.size;
      if (n === 0) continue;
      const expires = db.expiresCount;
      const main = n * DICT_ENTRY + dictBuckets(n) + n * ROBJ;
      const exp = expires * DICT_ENTRY + dictBuckets(expires);
      dbs.push({ id: i, main, expires: exp });
      keys += n;
      overhead += main + exp;
    }
    overhead = Math.min(overhead, used);
    return {
      used,
      peak: this.#peak,
      startup,
      overhead,
      dataset: used - overhead,
      clients,
      keys,
      dbs,
      rss: engine.host.rss(),
      heap: engine.host.heapUsed(),
    };
  }

  /** The periodic task: eviction left over by a run that ran out of time, and the peak. */
  cron(): void {
    if (this.#limit === 0) return;
    if (this.counted() > this.#limit) this.perform();
  }

  /**
   * The OOM gate (Redis's processCommand): evicts while over `maxmemory`,
   * then says whether the command must be refused with the OOM error: a
   * command flagged `denyoom` (an EXEC whose queue holds one), or any
   * command queued inside MULTI (EXEC, DISCARD, QUIT and RESET aside), when
   * memory is still over the limit.
   *
   * @param client the caller
   * @param command the command about to run or be queued
   * @param denyoom whether it may use more memory (a script's declared
   *   flags decide for EVAL / FCALL)
   * @returns true when refused
   */
  refuses(client: Client, command: Command, denyoom = command.flags.has("denyoom")): boolean {
    this.preCommandOom = this.perform() === "fail";
    if (!this.preCommandOom) return false;
    if (denyoom) return true;
    const name = command.fullName;
    const tx = client.transaction;
    if (tx === undefined) return false;
    if (!MULTI_ALLOWED.has(name)) return true;
    return name === "exec" && tx.queue.some((q) => q.command.flags.has("denyoom"));
  }

  /**
   * Redis's performEvictions: while the memory counted is over
   * `maxmemory`, evicts keys by the policy.
   *
   * @returns `ok` when under the limit (or nothing is to be done), `fail`
   *   when over it with nothing (more) to evict or `noeviction`, `running`
   *   when the time budget ran out first
   */
  perform(): EvictionResult {
    const limit = this.#limit;
    if (limit === 0) return "ok";
    const engine = this.#engine;
    // Clients paused: the dataset stays as it is, as in Redis.
    if (engine.pause.type !== "off") return "ok";
    let used = this.counted();
    if (used <= limit) return "ok";
    if (this.#policy === "noeviction") return "fail";
    const budget = evictionTimeLimitUs(engine.config.number("maxmemory-eviction-tenacity"));
    const start = performance.now();
    let evicted = 0;
    let result: EvictionResult = "ok";
    while (used > limit) {
      const pick = this.#select();
      if (pick === undefined) {
        result = "fail";
        break;
      }
      const before = performance.now();
      this.#evict(pick[0], pick[1]);
      engine.latency.addSampleIfNeeded("eviction-del", Math.floor(performance.now() - before));
      used = this.counted();
      if (++evicted % 16 === 0 && (performance.now() - start) * 1000 > budget) {
        if (used > limit) result = "running";
        break;
      }
    }
    engine.latency.addSampleIfNeeded("eviction-cycle", Math.floor(performance.now() - start));
    return result;
  }

  /** Deletes one key as an eviction. */
  #evict(db: Database, key: string): void {
    const engine = this.#engine;
    // No change counted (Redis does not add evictions to dirty); the
    // deletion raises the modified-key signal (WATCH, tracking).
    db.deleteStored(key, 0);
    engine.stats.evictedKeys++;
    engine.notify(db, "e", "evicted", key);
    if (engine.propagation.active) {
      const lazy = engine.config.get("lazyfree-lazy-eviction") === "yes";
      engine.propagation.emit(db.id, [lazy ? "UNLINK" : "DEL", key]);
    }
  }

  /** The next key to evict by the policy, or undefined when none is left. */
  #select(): [Database, string] | undefined {
    const engine = this.#engine;
    const policy = this.#policy;
    const volatile = policy.startsWith("volatile-");
    const random = () => engine.random.next();
    if (policy.endsWith("-random")) {
      const n = engine.databases;
      for (let i = 0; i < n; i++) {
        this.#nextDb = (this.#nextDb + 1) % n;
        const db = engine.db(this.#nextDb);
        const picked: string[] = [];
        db.sampleKeys(1, volatile, random, (key) => {
          picked.push(key);
        });
        if (picked.length > 0) return [db, picked[0]!];
      }
      return undefined;
    }
    const pool = this.#pool;
    // Sampling may meet only ghosts a few times; a bound keeps a broken
    // sampler from spinning.
    for (let round = 0; round < 64; round++) {
      let total = 0;
      for (let i = 0; i < engine.databases; i++) {
        const db = engine.db(i);
        const n = volatile ? db.expiresCount : db.size;
        if (n === 0) continue;
        this.#populate(db, volatile);
        total += n;
      }
      if (total === 0) return undefined;
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const entry = pool[k];
        if (entry === undefined) continue;
        pool[k] = undefined;
        const db = engine.db(entry.db);
        const live = volatile ? db.getExpire(entry.key) !== undefined : db.stored(entry.key);
        if (live) return [db, entry.key];
      }
    }
    return undefined;
  }

  /** Samples a database into the eviction pool (Redis's evictionPoolPopulate). */
  #populate(db: Database, volatile: boolean): void {
    const engine = this.#engine;
    const policy = this.#policy;
    const now = engine.now();
    const lruNow = db.lruNow();
    const decay = this.#lfu.decayTime;
    db.sampleKeys(
      engine.config.number("maxmemory-samples"),
      volatile,
      () => engine.random.next(),
      (key, word, expireAt) => {
        let score: number;
        if (policy.endsWith("-lru")) score = Math.max(0, lruNow - word);
        else if (policy.endsWith("-lfu")) score = 255 - lfuDecayed(word, now, decay);
        else score = -(expireAt ?? Infinity);
        this.#insert({ key, db: db.id, score });
      },
    );
  }

  /** Puts a candidate in the pool, kept in ascending score order. */
  #insert(entry: PoolEntry): void {
    const pool = this.#pool;
    let k = 0;
    while (k < POOL_SIZE && pool[k] !== undefined && pool[k]!.score < entry.score) k++;
    if (k === 0 && pool[POOL_SIZE - 1] !== undefined) return;
    if (k < POOL_SIZE && pool[k] === undefined) {
      pool[k] = entry;
      return;
    }
    if (pool[POOL_SIZE - 1] === undefined) {
      // Room on the right: shift right from k.
      pool.splice(k, 0, entry);
      pool.length = POOL_SIZE;
    } else {
      // Full: drop the worst (leftmost) and insert at k - 1.
      pool.shift();
      pool.splice(k - 1, 0, entry);
    }
  }
}
