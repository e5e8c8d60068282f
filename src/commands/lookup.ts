/**
 * Key lookups shared by every command group, as Redis's lookupKeyRead /
 * lookupKeyWrite: lazy expiry, keyspace hit and miss statistics, `keymiss`
 * notifications and WRONGTYPE checks, option keywords, and the deterministic
 * forms of expiry the write commands propagate.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import type { ContainerValue, RedisType, Value } from "../store/database.ts";
import { NIL_ARRAY, type Reply } from "../resp/reply.ts";
import { type Args, asciiUpper, type CommandContext, parseInteger } from "./spec.ts";

/** Lookup flag: do not update the key's LRU time (OBJECT, TTL, ...). */
export const NOTOUCH = 1;
/** Lookup flag: do not publish a `keymiss` event. */
export const NONOTIFY = 2;

/**
 * A read lookup (lookupKeyReadWithFlags): reclaims an expired key, counts a
 * keyspace hit or miss, touches the LRU time unless NOTOUCH, and publishes
 * `keymiss` on a miss unless NONOTIFY.
 *
 * @param ctx the calling client
 * @param key the key
 * @param flags NOTOUCH and/or NONOTIFY
 * @returns the value, or undefined
 * @example
 * ```ts
 * import { Engine } from "../engine.ts";
 * import { lookupReadWith } from "./lookup.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * console.assert(lookupReadWith(client, "missing") === undefined);
 * console.assert(engine.stats.keyspaceMisses === 1);
 * engine.close();
 * ```
 */
export function lookupReadWith(ctx: CommandContext, key: string, flags = 0): Value | undefined {
  const value = ctx.db.lookup(key, (flags & NOTOUCH) === 0);
  const stats = ctx.server.stats;
  if (value !== undefined) {
    stats.keyspaceHits++;
  } else {
    stats.keyspaceMisses++;
    if ((flags & NONOTIFY) === 0) ctx.notify("m", "keymiss", key);
  }
  return value;
}

/**
 * The value of a key for a read command (see {@linkcode lookupReadWith}).
 *
 * @param ctx the calling client
 * @param key the key
 * @returns the value, or undefined
 */
export function lookupRead(ctx: CommandContext, key: string): Value | undefined {
  return lookupReadWith(ctx, key);
}

/**
 * The value of a key for a write command (lookupKeyWrite: no statistics).
 *
 * @param ctx the calling client
 * @param key the key
 * @returns the value, or undefined
 */
export function lookupWrite(ctx: CommandContext, key: string): Value | undefined {
  return ctx.db.get(key);
}

/**
 * A read lookup that must find `type` (or nothing); WRONGTYPE otherwise.
 *
 * @param ctx the calling client
 * @param key the key
 * @param type the expected type
 * @returns the value, or undefined when the key does not exist
 */
export function readTyped<T extends ContainerValue>(
  ctx: CommandContext,
  key: string,
  type: Exclude<RedisType, "string">,
): T | undefined {
  return checkType<T>(lookupRead(ctx, key), type);
}

/**
 * A write lookup that must find `type` (or nothing); WRONGTYPE otherwise.
 *
 * @param ctx the calling client
 * @param key the key
 * @param type the expected type
 * @returns the value, or undefined when the key does not exist
 */
export function writeTyped<T extends ContainerValue>(
  ctx: CommandContext,
  key: string,
  type: Exclude<RedisType, "string">,
): T | undefined {
  return checkType<T>(lookupWrite(ctx, key), type);
}

/**
 * The shape every blocking pop shares (BLPOP, BRPOP, BLMPOP, BZPOPMIN,
 * BZPOPMAX, BZMPOP, and LMPOP / ZMPOP without waiting): pops from the first
 * of `keys` that holds `type` (WRONGTYPE stops at a key of another type);
 * when none does, answers the null array without `wait` or inside EXEC,
 * else waits on every key and, when one is ready, pops from it if it holds
 * `type` (or keeps waiting).
 *
 * @param ctx the calling client
 * @param keys the keys, in argument order
 * @param type the type popped from
 * @param wait how long to wait (ms, 0: forever), or undefined not to wait
 * @param pop pops from a value found; `served` is true when a blocked
 *   client is served later, by another client's write
 * @returns the reply, or its promise while blocked
 */
export function popOrBlock<T extends ContainerValue>(
  ctx: CommandContext,
  keys: readonly string[],
  type: Exclude<RedisType, "string">,
  wait: number | undefined,
  pop: (key: string, value: T, served: boolean) => Reply,
): Reply | Promise<Reply> {
  for (const key of keys) {
    const value = writeTyped<T>(ctx, key, type);
    if (value !== undefined) return pop(key, value, false);
  }
  if (wait === undefined || ctx.inExec) return NIL_ARRAY;
  const db = ctx.db;
  return ctx.blocking.block(ctx, {
    db,
    keys,
    timeoutMs: wait,
    serve: (key) => {
      const value = db.get(key);
      if (value === undefined || typeof value === "string" || value.type !== type) return undefined;
      return pop(key, value as T, true);
    },
  });
}

/** The arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP. */
export interface MpopArgs {
  /** The keys, in argument order. */
  readonly keys: string[];
  /** Whether the end named is the second of the two words (RIGHT, MAX). */
  readonly second: boolean;
  /** COUNT, 1 when absent. */
  readonly count: number;
}

/**
 * Parses `numkeys key [key ...] <end> [COUNT count]` as Redis checks it:
 * numkeys, the end word, then COUNT, each with its error.
 *
 * @param args the command's arguments
 * @param numkeysIndex where numkeys is (1, or 2 after a timeout)
 * @param ends the two end words (`LEFT`, `RIGHT` or `MIN`, `MAX`)
 * @returns the keys, the end and the count
 */
export function parseMpop(
  args: Args,
  numkeysIndex: number,
  ends: readonly [string, string],
): MpopArgs {
  const numkeys = parseInteger(args.get(numkeysIndex));
  if (numkeys === null || numkeys < 1) throw new ReplyError(Errors.numkeysNotPositive);
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= args.length) throw new ReplyError(Errors.syntax);
  const where = keyword(args.get(whereIndex));
  if (where !== ends[0] && where !== ends[1]) throw new ReplyError(Errors.syntax);
  let count = -1;
  for (let i = whereIndex + 1; i < args.length; i++) {
    if (count === -1 && keyword(args.get(i)) === "COUNT" && i + 1 < args.length) {
      const n = parseInteger(args.get(++i));
      if (n === null || n < 1) throw new ReplyError(Errors.countNotPositive);
      count = n;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  return {
    keys: args.argv.slice(numkeysIndex + 1, whereIndex),
    second: where === ends[1],
    count: count === -1 ? 1 : count,
  };
}

function checkType<T extends ContainerValue>(
  value: Value | undefined,
  type: Exclude<RedisType, "string">,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" || value.type !== type) throw new ReplyError(Errors.wrongType);
  return value as T;
}

/**
 * Throws WRONGTYPE unless the value is a string (or absent).
 *
 * @param value a looked-up value
 * @returns the string, or undefined
 */
export function asString(value: Value | undefined): string | undefined {
  if (value !== undefined && typeof value !== "string") throw new ReplyError(Errors.wrongType);
  return value;
}

/**
 * An option keyword as Redis compares it: case-insensitively, as a C string
 * (a NUL byte ends it).
 *
 * @param arg the argument
 * @returns the upper-case keyword
 * @example
 * ```ts
 * import { keyword } from "./lookup.ts";
 * console.assert(keyword("nx\0junk") === "NX");
 * ```
 */
export function keyword(arg: string): string {
  const nul = arg.indexOf("\0");
  return asciiUpper(nul === -1 ? arg : arg.slice(0, nul));
}

/**
 * An absolute expiry time as Redis writes it into the commands it
 * propagates (`PXAT <ms>`, `PEXPIREAT key <ms>`): a decimal long long.
 *
 * @param ms milliseconds since the epoch (a bigint is exact)
 * @returns the decimal integer
 * @example
 * ```ts
 * import { formatMs } from "./lookup.ts";
 * console.assert(formatMs(1700000000123) === "1700000000123");
 * console.assert(formatMs(2 ** 60) === "1152921504606846976");
 * ```
 */
export function formatMs(ms: number | bigint): string {
  if (typeof ms === "bigint" || Number.isSafeInteger(ms)) return String(ms);
  return BigInt(Math.trunc(ms)).toString();
}

/**
 * The deterministic form of a new TTL (EXPIRE, PEXPIRE, EXPIREAT, GETEX):
 * `PEXPIREAT key <ms>`, with the options the command kept.
 *
 * @param key the key
 * @param at the absolute expiry time in ms
 * @param options trailing arguments propagated as sent (EXPIRE's NX, XX, GT, LT)
 * @returns the command to propagate
 * @example
 * ```ts
 * import { pexpireatEffect } from "./lookup.ts";
 * console.assert(pexpireatEffect("k", 1700000000000, ["NX"]).join(" ") === "PEXPIREAT k 1700000000000 NX");
 * ```
 */
export function pexpireatEffect(
  key: string,
  at: number | bigint,
  options: readonly string[] = [],
): string[] {
  return ["PEXPIREAT", key, formatMs(at), ...options];
}

/**
 * Deletes a key whose new expiry time has already passed (EXPIRE and GETEX
 * with a time not in the future), as Redis does at once: `del` is
 * announced, and the command propagates as DEL, or UNLINK with
 * `lazyfree-lazy-expire`.
 *
 * @param ctx the calling client
 * @param key the key, which exists
 * @example
 * ```ts
 * import { Engine } from "../engine.ts";
 * import { deleteExpiredNow } from "./lookup.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * const seen: string[] = [];
 * engine.propagation.subscribe({ write: (argv) => seen.push(argv.join(" ")) });
 * client.db.set("k", "v");
 * deleteExpiredNow(client, "k");
 * engine.propagation.commandDone(0, ["EXPIRE", "k", "-1"]);
 * engine.propagation.flush();
 * console.assert(!client.db.has("k") && seen.join("|") === "SELECT 0|DEL k");
 * engine.close();
 * ```
 */
export function deleteExpiredNow(ctx: CommandContext, key: string): void {
  ctx.db.delete(key);
  ctx.notify("g", "del", key);
  const propagation = ctx.propagation;
  if (propagation.active) {
    const lazy = ctx.config.get("lazyfree-lazy-expire") === "yes";
    propagation.rewrite([lazy ? "UNLINK" : "DEL", key]);
  }
}
