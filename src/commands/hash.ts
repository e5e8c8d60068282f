/**
 * The hash command group: HSET, HSETNX, HGET, HMSET, HMGET, HGETALL, HDEL,
 * HLEN, HEXISTS, HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD,
 * HSCAN, and Redis 7.4's field-expiry family: HEXPIRE, HPEXPIRE, HEXPIREAT,
 * HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME and HPERSIST (with
 * HSCAN's 7.4 NOVALUES option).
 *
 * Expired fields are removed lazily, whenever a hash command touches their
 * hash, and actively, by the database's field expiry cycle
 * (`Database.activeExpireFields`) from the engine's periodic task; each
 * removal publishes `hexpired`, and a hash left empty is deleted (`del`).
 *
 * Propagation (AOF, replicas) is deterministic: HINCRBYFLOAT propagates
 * `HSET key field value` with the value reached (Redis 7.0.15), followed by
 * `HPEXPIREAT` when the field has a TTL; the field-expiry commands propagate
 * as Redis 7.4 does (see `hexpireGeneric`); a field expiring propagates
 * `HDEL` as a unit of its own, never the command that found it. The other
 * writes propagate as sent, and only when they changed something.
 *
 * Changes (`rdb_changes_since_last_save`) are counted as Redis 7.0.15
 * counts them: one per field-value pair HSET / HMSET is given (new or
 * not), one per field deleted, one for HSETNX, HINCRBY and HINCRBYFLOAT;
 * as Redis 7.4 for its commands: one per field whose TTL was set or that
 * was deleted, one for an HPERSIST that removed any TTL. A field expiring
 * counts none.
 *
 * Known differences from Redis 7.0.15:
 * - HGETALL, HKEYS, HVALS and HSCAN list a `hashtable`-encoded hash in
 *   insertion order rather than dict order, and HSCAN cursors are not
 *   Redis's reversed-bit bucket cursors (the full-iteration guarantee
 *   holds).
 * - HRANDFIELD without a count, and with a positive count, is O(N) in the
 *   hash size; a negative count beyond 2^27 answers `ERR value is out of
 *   range` where Redis would try to build the reply.
 * - The field-expiry family (7.4) follows the Redis 7.4 documentation; a
 *   listpack hash with field TTLs reports the `listpackex` encoding, as 7.4.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import {
  array,
  bulk,
  bulks,
  EMPTY_ARRAY,
  integer,
  map,
  NIL,
  OK,
  type Reply,
} from "../resp/reply.ts";
import { addLongDouble, formatLongDouble, LD_ZERO, parseLongDouble } from "../store/long_double.ts";
import { HashValue } from "../store/hash.ts";
import { globMatch } from "../glob.ts";
import { keyword, readTyped, writeTyped } from "./lookup.ts";
import { parseCursor } from "./generic.ts";
import { type Args, type CommandContext, parseInt64, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The hash group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const HASH_HANDLERS: HandlerTable = {
  hset,
  hsetnx,
  hget,
  hmset,
  hmget,
  hgetall,
  hdel,
  hlen,
  hexists,
  hkeys,
  hvals,
  hstrlen,
  hincrby,
  hincrbyfloat,
  hrandfield,
  hscan,
  hexpire,
  hpexpire,
  hexpireat,
  hpexpireat,
  httl,
  hpttl,
  hexpiretime,
  hpexpiretime,
  hpersist,
};

// ---------------------------------------------------------------------------
// Shared helpers

const ZERO = integer(0);
const ONE = integer(1);
const EMPTY_SCAN = array([bulk("0"), EMPTY_ARRAY]);
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
/** Redis's LONG_MAX / 2: the WITHVALUES count bound of HRANDFIELD. */
const HALF_LONG_MAX = (1n << 62n) - 1n;
/** Beyond this many repeated picks the reply cannot be built in memory. */
const MAX_RANDOM_PICKS = 2 ** 27;
/** The latest field expiry Redis 7.4 accepts: (2^48 - 1) >> 2 ms. */
const HFE_MAX_ABS_TIME_MSEC = 2 ** 46 - 1;

/** The listpack limits: `hash-max-listpack-entries` and `hash-max-listpack-value`. */
function limits(ctx: CommandContext): [entries: number, value: number] {
  const config = ctx.config;
  return [config.number("hash-max-listpack-entries"), config.number("hash-max-listpack-value")];
}

/**
 * Lazy field expiry: purges a hash's expired fields (the database
 * announces them: `hexpired`, and `del` when the emptied hash is deleted);
 * undefined when none is left.
 */
function live(ctx: CommandContext, key: string, hash: HashValue): HashValue | undefined {
  if (!hash.hasExpires) return hash;
  // The expiry propagates its own HDEL and leaves dirty alone: the running
  // command does not become a write (HGET must not propagate), as in Redis 7.4.
  if (ctx.db.expireFields(key, ctx.clock.now()) === 0) return hash;
  return hash.size === 0 ? undefined : hash;
}

/** A hash for a read command (hit/miss statistics, WRONGTYPE), expired fields purged. */
function readHash(ctx: CommandContext, key: string): HashValue | undefined {
  const hash = readTyped<HashValue>(ctx, key, "hash");
  return hash === undefined ? undefined : live(ctx, key, hash);
}

/** A hash for a write command (WRONGTYPE), expired fields purged. */
function writeHash(ctx: CommandContext, key: string): HashValue | undefined {
  const hash = writeTyped<HashValue>(ctx, key, "hash");
  return hash === undefined ? undefined : live(ctx, key, hash);
}

/**
 * After a write to a hash counting `changes`: the new hash stored or the
 * modified-key signal, and the event.
 */
function stored(
  ctx: CommandContext,
  key: string,
  found: HashValue | undefined,
  hash: HashValue,
  event: string,
  changes: number,
): void {
  if (found === undefined) {
    ctx.db.set(key, hash, false, changes);
  } else {
    ctx.db.touch(key, changes);
  }
  ctx.notify("h", event, key);
}

/**
 * After fields left a hash in place, counting `changes`: the modified-key
 * signal and the event, then, when it emptied, its deletion and `del`.
 * Redis counts nothing for the deletion itself, so it counts `changes`.
 *
 * @returns whether the hash emptied and was deleted
 */
function shrunk(
  ctx: CommandContext,
  key: string,
  hash: HashValue,
  event: string,
  changes: number,
): boolean {
  const emptied = hash.size === 0;
  if (emptied) {
    ctx.db.delete(key, changes);
  } else {
    ctx.db.touch(key, changes);
  }
  ctx.notify("h", event, key);
  if (emptied) ctx.notify("g", "del", key);
  return emptied;
}

// ---------------------------------------------------------------------------
// Setting and getting fields

/** HSET key field value [field value ...] */
function hset(ctx: CommandContext, args: Args): Reply {
  return hsetGeneric(ctx, args, "hset");
}

/** HMSET key field value [field value ...] */
function hmset(ctx: CommandContext, args: Args): Reply {
  return hsetGeneric(ctx, args, "hmset");
}

/** HSET and HMSET: HSET answers how many fields were added, HMSET OK. */
function hsetGeneric(ctx: CommandContext, args: Args, name: "hset" | "hmset"): Reply {
  const argv = args.argv;
  if (argv.length % 2 === 1) throw new ReplyError(Errors.wrongArity(name));
  const key = argv[1]!;
  const found = writeHash(ctx, key);
  const hash = found ?? new HashValue();
  const [maxEntries, maxValue] = limits(ctx);
  if (hash.isListpack) {
    for (let j = 2; j < argv.length; j++) hash.fit(maxValue, argv[j]!);
  }
  let added = 0;
  for (let j = 2; j < argv.length; j += 2) {
    if (hash.set(argv[j]!, argv[j + 1]!)) added++;
  }
  hash.fitSize(maxEntries);
  // One change per pair given, whether its field was new or not.
  stored(ctx, key, found, hash, "hset", (argv.length - 2) / 2);
  return name === "hset" ? integer(added) : OK;
}

/** HSETNX key field value */
function hsetnx(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const field = argv[2]!;
  const value = argv[3]!;
  const found = writeHash(ctx, key);
  if (found?.get(field) !== undefined) return ZERO;
  const hash = found ?? new HashValue();
  const [maxEntries, maxValue] = limits(ctx);
  hash.fit(maxValue, field);
  hash.fit(maxValue, value);
  hash.set(field, value);
  hash.fitSize(maxEntries);
  stored(ctx, key, found, hash, "hset", 1);
  return ONE;
}

/** HGET key field */
function hget(ctx: CommandContext, args: Args): Reply {
  const hash = readHash(ctx, args.argv[1]!);
  return hash === undefined ? NIL : bulk(hash.get(args.argv[2]!));
}

/** HMGET key field [field ...] */
function hmget(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const hash = readHash(ctx, argv[1]!);
  const out: (string | null)[] = new Array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) out[j - 2] = hash?.get(argv[j]!) ?? null;
  return bulks(out);
}

/** HDEL key field [field ...] */
function hdel(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  if (hash === undefined) return ZERO;
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (hash.delete(argv[j]!)) deleted++;
    if (hash.size === 0) break;
  }
  if (deleted > 0) shrunk(ctx, key, hash, "hdel", deleted);
  return integer(deleted);
}

/** HLEN key */
function hlen(ctx: CommandContext, args: Args): Reply {
  return integer(readHash(ctx, args.argv[1]!)?.size ?? 0);
}

/** HEXISTS key field */
function hexists(ctx: CommandContext, args: Args): Reply {
  const hash = readHash(ctx, args.argv[1]!);
  return hash?.get(args.argv[2]!) === undefined ? ZERO : ONE;
}

/** HSTRLEN key field */
function hstrlen(ctx: CommandContext, args: Args): Reply {
  return integer(readHash(ctx, args.argv[1]!)?.get(args.argv[2]!)?.length ?? 0);
}

/** HGETALL key */
function hgetall(ctx: CommandContext, args: Args): Reply {
  const hash = readHash(ctx, args.argv[1]!);
  if (hash === undefined) return map([]);
  if (ctx.resp === 2) {
    const out: string[] = new Array(hash.size * 2);
    let i = 0;
    for (const [field, value] of hash.map) {
      out[i++] = field;
      out[i++] = value;
    }
    return bulks(out);
  }
  const entries: (readonly [Reply, Reply])[] = [];
  for (const [field, value] of hash.map) entries.push([bulk(field), bulk(value)]);
  return map(entries);
}

/** HKEYS key */
function hkeys(ctx: CommandContext, args: Args): Reply {
  const hash = readHash(ctx, args.argv[1]!);
  return hash === undefined ? EMPTY_ARRAY : bulks([...hash.map.keys()]);
}

/** HVALS key */
function hvals(ctx: CommandContext, args: Args): Reply {
  const hash = readHash(ctx, args.argv[1]!);
  return hash === undefined ? EMPTY_ARRAY : bulks([...hash.map.values()]);
}

// ---------------------------------------------------------------------------
// Counters

/** HINCRBY key field increment */
function hincrby(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const by = parseInt64(argv[3]!);
  if (by === null) throw new ReplyError(Errors.notInteger);
  const key = argv[1]!;
  const field = argv[2]!;
  const found = writeHash(ctx, key);
  const current = found?.get(field);
  let old = 0n;
  if (current !== undefined) {
    const v = current.length < 16 ? parseInteger(current) : parseInt64(current);
    if (v === null) throw new ReplyError(Errors.notIntegerHash);
    old = BigInt(v);
  }
  const sum = old + by;
  if (sum > INT64_MAX || sum < INT64_MIN) throw new ReplyError(Errors.overflow);
  const text = String(sum);
  storeCounter(ctx, key, found, field, text, "hincrby");
  return integer(sum >= -9007199254740991n && sum <= 9007199254740991n ? Number(sum) : sum);
}

/** HINCRBYFLOAT key field increment */
function hincrbyfloat(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const by = parseLongDouble(argv[3]!);
  if (by === null) throw new ReplyError(Errors.notFloat);
  if (by.inf) throw new ReplyError(Errors.hashIncrNanOrInfinity);
  const key = argv[1]!;
  const field = argv[2]!;
  const found = writeHash(ctx, key);
  const current = found?.get(field);
  const value = current === undefined ? LD_ZERO : parseLongDouble(current);
  if (value === null) throw new ReplyError(Errors.hashNotFloat);
  const sum = addLongDouble(value, by);
  if (sum === null || sum.inf) throw new ReplyError(Errors.nanOrInfinity);
  const text = formatLongDouble(sum);
  storeCounter(ctx, key, found, field, text, "hincrbyfloat");
  const propagation = ctx.propagation;
  if (propagation.active) {
    // The value reached, as Redis propagates it, so that float formatting
    // cannot make a replica differ. HSET drops a field TTL that HINCRBYFLOAT
    // kept: HPEXPIREAT restores it (Redis 7.4's fix, redis/redis#14227).
    const set = ["HSET", key, field, text];
    const at = found?.getExpire(field);
    if (at === undefined) propagation.rewrite(set);
    else propagation.rewrite(set, ["HPEXPIREAT", key, String(at), "FIELDS", "1", field]);
  }
  return bulk(text);
}

/** Stores a counter's new value, keeping the field's TTL (hashTypeSet's conversion rules). */
function storeCounter(
  ctx: CommandContext,
  key: string,
  found: HashValue | undefined,
  field: string,
  text: string,
  event: string,
): void {
  const hash = found ?? new HashValue();
  const [maxEntries, maxValue] = limits(ctx);
  hash.fit(maxValue, field);
  hash.fit(maxValue, text);
  hash.set(field, text, true);
  hash.fitSize(maxEntries);
  stored(ctx, key, found, hash, event, 1);
}

// ---------------------------------------------------------------------------
// HRANDFIELD

/** HRANDFIELD key [count [WITHVALUES]] */
function hrandfield(ctx: CommandContext, args: Args): Reply {
  if (args.length >= 3) return hrandfieldWithCount(ctx, args);
  const hash = readHash(ctx, args.argv[1]!);
  if (hash === undefined) return NIL;
  return bulk(fieldAt(hash, ctx.random.below(hash.size)));
}

/** The field at a position in insertion order. */
function fieldAt(hash: HashValue, index: number): string {
  let i = 0;
  for (const field of hash.map.keys()) {
    if (i++ === index) return field;
  }
  throw new RangeError("field index out of range");
}

/** HRANDFIELD with a count: distinct fields for a positive count, repeats for a negative one. */
function hrandfieldWithCount(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const l = args.int64(2);
  if (l < -INT64_MAX) throw new ReplyError(Errors.hashRandCountRange);
  const unique = l >= 0n;
  let withValues = false;
  if (argv.length > 4 || (argv.length === 4 && keyword(argv[3]!) !== "WITHVALUES")) {
    throw new ReplyError(Errors.syntax);
  } else if (argv.length === 4) {
    withValues = true;
    if (l < -HALF_LONG_MAX || l > HALF_LONG_MAX) {
      throw new ReplyError(Errors.hashRandCountOverflow);
    }
  }
  const hash = readHash(ctx, argv[1]!);
  if (hash === undefined || l === 0n) return EMPTY_ARRAY;
  const random = ctx.random;
  const size = hash.size;
  let picked: string[];
  if (!unique || l === 1n) {
    const count = unique ? 1 : -l;
    if (count > BigInt(MAX_RANDOM_PICKS)) throw new ReplyError(Errors.hashRandCountOverflow);
    const fields = [...hash.map.keys()];
    picked = new Array(Number(count));
    for (let i = 0; i < picked.length; i++) picked[i] = fields[random.below(size)]!;
  } else if (l >= BigInt(size)) {
    picked = [...hash.map.keys()];
  } else {
    // A partial Fisher-Yates shuffle: `count` distinct fields.
    const count = Number(l);
    const fields = [...hash.map.keys()];
    for (let i = 0; i < count; i++) {
      const j = i + random.below(size - i);
      const t = fields[i]!;
      fields[i] = fields[j]!;
      fields[j] = t;
    }
    picked = fields.slice(0, count);
  }
  if (!withValues) return bulks(picked);
  if (ctx.resp === 3) {
    return array(picked.map((f) => bulks([f, hash.get(f)!])));
  }
  const out: string[] = new Array(picked.length * 2);
  for (let i = 0; i < picked.length; i++) {
    out[2 * i] = picked[i]!;
    out[2 * i + 1] = hash.get(picked[i]!)!;
  }
  return bulks(out);
}

// ---------------------------------------------------------------------------
// HSCAN

/** HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES] */
function hscan(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const cursor = parseCursor(argv[2]!);
  if (cursor === null) throw new ReplyError(Errors.invalidCursor);
  const hash = readHash(ctx, argv[1]!);
  if (hash === undefined) return EMPTY_SCAN;
  let count = 10;
  let pattern: string | undefined;
  let noValues = false;
  for (let i = 3; i < argv.length;) {
    const opt = keyword(argv[i]!);
    const more = argv.length - i;
    if (opt === "COUNT" && more >= 2) {
      count = args.integer(i + 1);
      if (count < 1) throw new ReplyError(Errors.syntax);
      i += 2;
    } else if (opt === "MATCH" && more >= 2) {
      const p = argv[i + 1]!;
      pattern = p === "*" ? undefined : p;
      i += 2;
    } else if (opt === "NOVALUES") {
      noValues = true;
      i++;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const fields = hash.map;
  let next = 0;
  let visited: Iterable<string>;
  if (hash.isListpack) {
    // A listpack is returned whole in one call, whatever the cursor.
    visited = fields.keys();
  } else {
    [next, visited] = ctx.db.scanContainer(
      hash,
      () => fields.keys(),
      cursor,
      count,
      (field) => fields.has(field),
    );
  }
  const out: string[] = [];
  for (const field of visited) {
    if (pattern !== undefined && !globMatch(pattern, field)) continue;
    out.push(field);
    if (!noValues) out.push(fields.get(field)!);
  }
  return array([bulk(String(next)), bulks(out)]);
}

// ---------------------------------------------------------------------------
// Field expiry (Redis 7.4)

const COND_NX = 1;
const COND_XX = 2;
const COND_GT = 3;
const COND_LT = 4;
const CONDITIONS: ReadonlyMap<string, number> = new Map([
  ["NX", COND_NX],
  ["XX", COND_XX],
  ["GT", COND_GT],
  ["LT", COND_LT],
]);

/** HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...] */
function hexpire(ctx: CommandContext, args: Args): Reply {
  return hexpireGeneric(ctx, args, "hexpire", true, true);
}

/** HPEXPIRE key milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...] */
function hpexpire(ctx: CommandContext, args: Args): Reply {
  return hexpireGeneric(ctx, args, "hpexpire", false, true);
}

/** HEXPIREAT key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields field [field ...] */
function hexpireat(ctx: CommandContext, args: Args): Reply {
  return hexpireGeneric(ctx, args, "hexpireat", true, false);
}

/** HPEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...] */
function hpexpireat(ctx: CommandContext, args: Args): Reply {
  return hexpireGeneric(ctx, args, "hpexpireat", false, false);
}

/**
 * The `FIELDS numfields field ...` block from `at`: the number of fields,
 * checked against the arguments left.
 */
function parseFields(args: Args, at: number, numFieldsError: string): number {
  const argv = args.argv;
  if (keyword(argv[at]!) !== "FIELDS") throw new ReplyError(Errors.hfeFieldsMissing);
  const n = parseInt64(argv[at + 1] ?? "");
  if (n === null || n < 1n) throw new ReplyError(numFieldsError);
  if (n !== BigInt(argv.length - at - 2)) throw new ReplyError(Errors.hfeNumFieldsMismatch);
  return Number(n);
}

/** One integer per field, all `code` (a missing key). */
function sameCodes(n: number, code: number): Reply {
  return array(new Array<Reply>(n).fill(integer(code)));
}

/**
 * HEXPIRE, HPEXPIRE, HEXPIREAT and HPEXPIREAT: per field, -2 when missing,
 * 0 when the condition fails, 2 when the time is already past (the field
 * is deleted), else 1 (even when the time is unchanged, as Redis counts it).
 *
 * Propagates as Redis 7.4: `HDEL key field` for each field deleted, then,
 * if any field's time was set, the command as HPEXPIREAT with the absolute
 * time in ms and only those fields (its condition kept).
 */
function hexpireGeneric(
  ctx: CommandContext,
  args: Args,
  name: string,
  seconds: boolean,
  relative: boolean,
): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  const n = args.int64(2);
  if (n < 0n) throw new ReplyError(Errors.hfeExpireNegative);
  const max = BigInt(HFE_MAX_ABS_TIME_MSEC);
  if (seconds && n > max / 1000n) throw new ReplyError(Errors.invalidExpire(name));
  const ms = seconds ? n * 1000n : n;
  const now = ctx.clock.now();
  const base = relative ? now : 0;
  if (ms > max - BigInt(base)) throw new ReplyError(Errors.invalidExpire(name));
  const at = Number(ms) + base;
  const cond = CONDITIONS.get(keyword(argv[3]!)) ?? 0;
  const fieldsAt = cond === 0 ? 3 : 4;
  const count = parseFields(args, fieldsAt, Errors.hfeNumFieldsExpire);
  if (hash === undefined) return sameCodes(count, -2);
  const codes: Reply[] = new Array(count);
  let updated = 0;
  let deleted = 0;
  // The effects, built only when the effect stream has a listener.
  const propagation = ctx.propagation;
  const effects: string[][] | undefined = propagation.active ? [] : undefined;
  const set: string[] | undefined = propagation.active ? [] : undefined;
  for (let i = 0; i < count; i++) {
    const field = argv[fieldsAt + 2 + i]!;
    if (hash.get(field) === undefined) {
      codes[i] = integer(-2);
      continue;
    }
    const prev = hash.getExpire(field);
    const met = cond === 0 ||
      (prev === undefined
        ? cond === COND_NX || cond === COND_LT
        : (cond === COND_XX || (cond === COND_GT && at > prev) ||
          (cond === COND_LT && at < prev)));
    if (!met) {
      codes[i] = ZERO;
    } else if (at <= now) {
      hash.delete(field);
      deleted++;
      effects?.push(["HDEL", key, field]);
      codes[i] = integer(2);
    } else {
      hash.setExpire(field, at);
      updated++;
      set?.push(field);
      codes[i] = ONE;
    }
  }
  if (effects !== undefined && set !== undefined && updated + deleted > 0) {
    if (updated > 0) {
      const effect = [name === "hpexpireat" ? argv[0]! : "HPEXPIREAT", key];
      effect.push(relative || seconds ? String(at) : argv[2]!);
      if (cond !== 0) effect.push(argv[3]!);
      effect.push(argv[fieldsAt]!, updated === count ? argv[fieldsAt + 1]! : String(updated));
      effects.push(effect.concat(set));
    }
    propagation.rewrite(...effects);
  }
  if (updated + deleted > 0) {
    const event = deleted > 0 ? "hexpired" : "hexpire";
    // One change per field, as Redis 7.4 counts them.
    if (!shrunk(ctx, key, hash, event, updated + deleted) && hash.hasExpires) {
      ctx.db.trackFieldExpiry(key);
    }
  }
  return array(codes);
}

/** What HTTL and friends report for a field's expiry. */
type TtlUnit = "ttl" | "pttl" | "expiretime" | "pexpiretime";

/** HTTL key FIELDS numfields field [field ...] */
function httl(ctx: CommandContext, args: Args): Reply {
  return httlGeneric(ctx, args, "ttl");
}

/** HPTTL key FIELDS numfields field [field ...] */
function hpttl(ctx: CommandContext, args: Args): Reply {
  return httlGeneric(ctx, args, "pttl");
}

/** HEXPIRETIME key FIELDS numfields field [field ...] */
function hexpiretime(ctx: CommandContext, args: Args): Reply {
  return httlGeneric(ctx, args, "expiretime");
}

/** HPEXPIRETIME key FIELDS numfields field [field ...] */
function hpexpiretime(ctx: CommandContext, args: Args): Reply {
  return httlGeneric(ctx, args, "pexpiretime");
}

/** HTTL, HPTTL, HEXPIRETIME and HPEXPIRETIME: -2 for a missing field, -1 without TTL. */
function httlGeneric(ctx: CommandContext, args: Args, unit: TtlUnit): Reply {
  const argv = args.argv;
  const hash = readHash(ctx, argv[1]!);
  const count = parseFields(args, 2, Errors.hfeNumFieldsRead);
  if (hash === undefined) return sameCodes(count, -2);
  const now = ctx.clock.now();
  const codes: Reply[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const field = argv[4 + i]!;
    if (hash.get(field) === undefined) {
      codes[i] = integer(-2);
      continue;
    }
    const at = hash.getExpire(field);
    if (at === undefined) {
      codes[i] = integer(-1);
      continue;
    }
    let v: number;
    if (unit === "ttl") v = Math.floor((at - now + 999) / 1000);
    else if (unit === "pttl") v = at - now;
    else if (unit === "expiretime") v = Math.floor((at + 999) / 1000);
    else v = at;
    codes[i] = integer(v);
  }
  return array(codes);
}

/** HPERSIST key FIELDS numfields field [field ...] */
function hpersist(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  const count = parseFields(args, 2, Errors.hfeNumFieldsRead);
  if (hash === undefined) return sameCodes(count, -2);
  const codes: Reply[] = new Array(count);
  let changed = 0;
  for (let i = 0; i < count; i++) {
    const field = argv[4 + i]!;
    if (hash.get(field) === undefined) codes[i] = integer(-2);
    else if (hash.persist(field)) {
      changed++;
      codes[i] = ONE;
    } else codes[i] = integer(-1);
  }
  // One change however many fields, as Redis 7.4 counts it.
  if (changed > 0) {
    ctx.db.touch(key);
    ctx.notify("h", "hpersist", key);
  }
  return array(codes);
}
