/**
 * Blocking commands: per-key wait queues woken by key-ready signals, as
 * Redis's blocked.c.
 *
 * A blocking command (BLPOP, BLMOVE, BLMPOP; later BZPOPMIN, XREAD BLOCK)
 * that finds nothing to serve calls {@linkcode Blocking.block} with its
 * keys and a `serve` callback, and returns the promise it gets. A write
 * that creates a key signals it ({@linkcode Blocking.signal}: only keys
 * somebody waits on are queued, nothing else is woken); once the running
 * command is over, the dispatcher calls {@linkcode Blocking.serveReady},
 * which offers each ready key to its waiters first come, first served.
 * A waiter's `serve` either takes what it needs and returns its reply, or
 * returns undefined to keep waiting (wrong type, nothing left). Serving
 * may create keys in turn (BLMOVE's target), which are served in the same
 * call.
 *
 * Key creation signals by itself (the engine's `created` database hook, as
 * Redis's dbAdd): lists and sorted sets need nothing more, since a key with
 * waiters is always empty. A type whose waiters also want writes to an
 * existing key (XADD for XREAD BLOCK) calls `signal` itself.
 *
 * Timeouts run on the engine's clock; CLIENT UNBLOCK, CLIENT KILL and a
 * disconnect end a wait early.
 *
 * @module
 */

import { Errors, ReplyError } from "./errors.ts";
import { error, NIL_ARRAY, NONE, type Reply } from "./resp/reply.ts";
import { parseLongDouble } from "./store/long_double.ts";
import type { Cancel, Clock } from "./clock.ts";
import type { Client } from "./client.ts";
import type { Database } from "./store/database.ts";

/** What a blocked client waits for. */
export interface BlockRequest {
  /** The database the keys live in. */
  readonly db: Database;
  /** The keys waited on, in argument order (duplicates are ignored). */
  readonly keys: readonly string[];
  /** Timeout in milliseconds; 0 waits forever. */
  readonly timeoutMs: number;
  /**
   * Tries to serve the client from a key that became ready. Returns the
   * reply when served (the wait ends), or undefined to keep waiting.
   */
  readonly serve: (key: string) => Reply | undefined;
  /** The reply on timeout; the null array (as Redis 7.0 for every blocking type) by default. */
  readonly timeoutReply?: Reply;
}

/** How CLIENT UNBLOCK ends a wait. */
export type UnblockReason = "timeout" | "error";

/** What the engine gives the blocking module. */
export interface BlockingHost {
  /** The clock timeouts run on. */
  readonly clock: Clock;
  /**
   * Makes a client the running one (the waiter, while it is served), and
   * returns the one before.
   */
  switchClient(client: Client | undefined): Client | undefined;
  /**
   * Called after every attempt to serve a waiter: what the attempt changed
   * (the pop it made, or keys it found expired even when it could not be
   * served) is one unit of the effect stream (the engine flushes its
   * propagation).
   */
  served?(): void;
}

interface Waiter {
  readonly client: Client;
  readonly request: BlockRequest;
  readonly resolve: (reply: Reply) => void;
  /** The queues this waiter sits in. */
  readonly queues: Set<Waiter>[];
  cancelTimer: Cancel | undefined;
}

/** setTimeout's longest delay; longer timeouts re-arm. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Per-key wait queues of one engine.
 *
 * @example Blocking, then serving once the key is written
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { ManualClock } from "./clock.ts";
 * const engine = new Engine({ clock: new ManualClock(0) });
 * const waiter = engine.connect();
 * const pending = engine.call(waiter, ["BLPOP", "jobs", "0"]);
 * console.assert(pending instanceof Promise && engine.blocking.count === 1);
 * engine.call(engine.connect(), ["RPUSH", "jobs", "a"]);
 * const reply = await pending;
 * console.assert(reply.kind === "bulks" && reply.values[1] === "a");
 * engine.close();
 * ```
 */
export class Blocking {
  #host: BlockingHost;
  /** db id -> key -> waiters in arrival order. */
  #queues = new Map<number, Map<string, Set<Waiter>>>();
  #waiters = new Map<Client, Waiter>();
  /** Keys signalled since the last serve, in signal order. */
  #ready: [Database, string][] = [];
  /** db id -> keys in #ready. */
  #readySet = new Map<number, Set<string>>();
  #withTimeout = 0;

  /**
   * @param host the engine: its clock and current client
   */
  constructor(host: BlockingHost) {
    this.#host = host;
  }

  /** Number of blocked clients (INFO blocked_clients). */
  get count(): number {
    return this.#waiters.size;
  }

  /** Number of blocked clients with a timeout (INFO clients_in_timeout_table). */
  get withTimeout(): number {
    return this.#withTimeout;
  }

  /** Whether keys wait to be served: the dispatcher then calls {@linkcode serveReady}. */
  get hasReady(): boolean {
    return this.#ready.length > 0;
  }

  /**
   * Whether a client is blocked (CLIENT LIST flag `b`).
   *
   * @param client the client
   * @returns true while it waits
   */
  isBlocked(client: Client): boolean {
    return this.#waiters.has(client);
  }

  /**
   * Blocks a client on keys until a key serves it, the timeout passes or
   * the wait is ended.
   *
   * @param client the blocked client
   * @param request the keys, timeout and serve callback
   * @returns the reply the client eventually gets
   */
  block(client: Client, request: BlockRequest): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      const waiter: Waiter = { client, request, resolve, queues: [], cancelTimer: undefined };
      let byKey = this.#queues.get(request.db.id);
      if (byKey === undefined) {
        byKey = new Map();
        this.#queues.set(request.db.id, byKey);
      }
      for (const key of request.keys) {
        let queue = byKey.get(key);
        if (queue === undefined) {
          queue = new Set();
          byKey.set(key, queue);
        }
        if (queue.has(waiter)) continue;
        queue.add(waiter);
        waiter.queues.push(queue);
      }
      this.#waiters.set(client, waiter);
      if (request.timeoutMs > 0) {
        this.#withTimeout++;
        const deadline = this.#host.clock.now() + request.timeoutMs;
        this.#arm(waiter, deadline);
      }
    });
  }

  /**
   * Marks a key ready if a client waits on it (Redis's signalKeyAsReady):
   * called when a key is created. Cheap when nobody waits.
   *
   * @param db the database
   * @param key the key
   */
  signal(db: Database, key: string): void {
    if (this.#waiters.size === 0) return;
    if (this.#queues.get(db.id)?.has(key) !== true) return;
    let ready = this.#readySet.get(db.id);
    if (ready === undefined) {
      ready = new Set();
      this.#readySet.set(db.id, ready);
    }
    if (ready.has(key)) return;
    ready.add(key);
    this.#ready.push([db, key]);
  }

  /**
   * Marks every key waited on in a database ready (SWAPDB gives it a whole
   * new keyspace; Redis's scanDatabaseForReadyKeys). Serving checks what
   * the keys hold.
   *
   * @param db the database
   */
  signalAll(db: Database): void {
    const byKey = this.#queues.get(db.id);
    if (byKey === undefined) return;
    for (const key of byKey.keys()) this.signal(db, key);
  }

  /**
   * Serves the clients waiting on ready keys (Redis's
   * handleClientsBlockedOnKeys): keys in signal order, each key's waiters
   * first come, first served, until the key can serve no more. Keys
   * signalled while serving (BLMOVE targets) are served too.
   */
  serveReady(): void {
    const host = this.#host;
    const caller = host.switchClient(undefined);
    try {
      while (this.#ready.length > 0) {
        const batch = this.#ready;
        this.#ready = [];
        for (const [db, key] of batch) {
          this.#readySet.get(db.id)?.delete(key);
          const queue = this.#queues.get(db.id)?.get(key);
          if (queue === undefined) continue;
          for (const waiter of queue) {
            host.switchClient(waiter.client);
            const reply = serveSafely(waiter.request, key);
            host.served?.();
            if (reply !== undefined) this.#finish(waiter, reply);
          }
        }
      }
    } finally {
      host.switchClient(caller);
    }
  }

  /**
   * Ends a client's wait as CLIENT UNBLOCK does: with its timeout reply or
   * the UNBLOCKED error.
   *
   * @param client the client
   * @param reason `timeout` or `error`
   * @returns whether the client was blocked
   */
  unblock(client: Client, reason: UnblockReason): boolean {
    const waiter = this.#waiters.get(client);
    if (waiter === undefined) return false;
    this.#finish(
      waiter,
      reason === "error" ? error(Errors.unblocked) : waiter.request.timeoutReply ?? NIL_ARRAY,
    );
    return true;
  }

  /**
   * Forgets a client that went away: it leaves every queue, its timer is
   * cancelled and its pending reply settles with no reply.
   *
   * @param client the client
   */
  forget(client: Client): void {
    const waiter = this.#waiters.get(client);
    if (waiter !== undefined) this.#finish(waiter, NONE);
  }

  /** Ends every wait (the engine closes). */
  close(): void {
    for (const waiter of [...this.#waiters.values()]) this.#finish(waiter, NONE);
    this.#ready = [];
    this.#readySet.clear();
  }

  #arm(waiter: Waiter, deadline: number): void {
    const clock = this.#host.clock;
    const delay = deadline - clock.now();
    waiter.cancelTimer = clock.schedule(Math.min(delay, MAX_TIMER), () => {
      waiter.cancelTimer = undefined;
      if (this.#waiters.get(waiter.client) !== waiter) return;
      if (clock.now() < deadline) return this.#arm(waiter, deadline);
      this.#finish(waiter, waiter.request.timeoutReply ?? NIL_ARRAY);
    });
  }

  #finish(waiter: Waiter, reply: Reply): void {
    if (this.#waiters.get(waiter.client) !== waiter) return;
    this.#waiters.delete(waiter.client);
    const db = waiter.request.db.id;
    const byKey = this.#queues.get(db);
    for (const queue of waiter.queues) queue.delete(waiter);
    if (byKey !== undefined) {
      for (const key of waiter.request.keys) {
        if (byKey.get(key)?.size === 0) byKey.delete(key);
      }
      if (byKey.size === 0) this.#queues.delete(db);
    }
    if (waiter.request.timeoutMs > 0) this.#withTimeout--;
    waiter.cancelTimer?.();
    waiter.cancelTimer = undefined;
    waiter.resolve(reply);
  }
}

/**
 * Runs a waiter's serve callback; an error it throws is its reply (a
 * ReplyError's text, else an internal error), never the writer's problem.
 */
function serveSafely(request: BlockRequest, key: string): Reply | undefined {
  try {
    return request.serve(key);
  } catch (e) {
    if (e instanceof ReplyError) return error(e.message);
    return error(Errors.internal(e instanceof Error ? e.message : String(e)));
  }
}

/** 2^63: a timeout this many ms or more overflows Redis's long long. */
const LLONG_LIMIT = 2n ** 63n;

/**
 * Parses a blocking command's timeout in seconds as Redis 7.0 does: a long
 * double (`strtold`: decimals, hex floats, `inf`), times 1000 rounded as
 * the x87 FPU does, rounded up to whole milliseconds; a tiny positive
 * timeout waits 1 ms, a result that overflows a long long (`inf`, 1e17)
 * counts as negative, and a negative one above -1 ms waits forever.
 *
 * @param text the argument
 * @returns milliseconds; 0 means forever
 * @throws {ReplyError} `timeout is not a float or out of range` or `timeout is negative`
 * @example
 * ```ts
 * import { parseTimeout } from "./blocking.ts";
 * console.assert(parseTimeout("0.5") === 500);
 * console.assert(parseTimeout("0") === 0);
 * console.assert(parseTimeout("1e-9") === 1);
 * ```
 */
export function parseTimeout(text: string): number {
  const v = parseLongDouble(text);
  if (v === null) throw new ReplyError(Errors.timeoutNotFloat);
  if (v.inf) throw new ReplyError(Errors.timeoutNegative);
  if (v.mant === 0n) return 0;
  // mant * 1000 * 2^exp, rounded to a 64-bit mantissa (ties to even).
  let mant = v.mant * 1000n;
  let exp = v.exp;
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const half = 1n << (shift - 1n);
    const rest = mant & ((1n << shift) - 1n);
    mant >>= shift;
    if (rest > half || (rest === half && (mant & 1n) === 1n)) mant++;
    exp += bits - 64;
  }
  // ceil toward +inf of (-1)^neg * mant * 2^exp.
  let ms: bigint;
  if (exp >= 0) {
    ms = mant << BigInt(exp);
  } else if (-exp >= 80) {
    ms = 0n;
    if (!v.neg) ms = 1n;
  } else {
    const shift = BigInt(-exp);
    const whole = mant >> shift;
    const frac = (mant & ((1n << shift) - 1n)) !== 0n;
    ms = v.neg ? whole : whole + (frac ? 1n : 0n);
  }
  if (v.neg) ms = -ms;
  if (ms >= LLONG_LIMIT || ms < -LLONG_LIMIT) throw new ReplyError(Errors.timeoutNegative);
  if (ms < 0n) throw new ReplyError(Errors.timeoutNegative);
  return Number(ms);
}
