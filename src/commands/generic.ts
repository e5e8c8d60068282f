/**
 * The generic (keyspace) command group: DEL, UNLINK, EXISTS, TYPE, KEYS,
 * SCAN, RENAME, RENAMENX, the EXPIRE family, TTL, PTTL, EXPIRETIME,
 * PEXPIRETIME, PERSIST, RANDOMKEY, TOUCH, COPY, MOVE and OBJECT.
 *
 * Known differences from Redis 7.0.15:
 * - Expiry times are kept as doubles: beyond 2^53 ms (year 287396) TTL,
 *   PTTL, EXPIRETIME and PEXPIRETIME lose precision.
 * - SCAN cursors are insertion sequence numbers, not Redis's reversed-bit
 *   bucket cursors; the guarantees (every key present throughout a full
 *   iteration is returned) are the same.
 *
 * What the writes propagate is deterministic, as Redis 7.0.15 rewrites it:
 * EXPIRE, PEXPIRE and EXPIREAT as `PEXPIREAT key <ms>` with their
 * NX / XX / GT / LT options, and a time already past as DEL (UNLINK with
 * `lazyfree-lazy-expire`). Keys SCAN and RANDOMKEY find expired leave as
 * deletions each on its own, not wrapped in MULTI / EXEC.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { globMatch } from "../glob.ts";
import { deleteExpiredNow, lookupReadWith, NONOTIFY, NOTOUCH, pexpireatEffect } from "./lookup.ts";
import { array, bulk, bulks, integer, NIL, OK, type Reply, simple } from "../resp/reply.ts";
import { type Database, type StringEncoding, typeOf, type Value } from "../store/database.ts";
import { type Args, asciiLower, type CommandContext, parseInt64 } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The generic group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const GENERIC_HANDLERS: HandlerTable = {
  del,
  unlink: del,
  exists,
  type,
  keys,
  scan,
  rename,
  renamenx,
  expire,
  pexpire,
  expireat,
  pexpireat,
  ttl,
  pttl,
  expiretime,
  pexpiretime,
  persist,
  randomkey,
  touch,
  copy,
  move,
  "object|encoding": objectEncoding,
  "object|freq": objectFreq,
  "object|idletime": objectIdletime,
  "object|refcount": objectRefcount,
  "object|help": objectHelp,
};

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const INT32_MAX = 2 ** 31 - 1;
/** Values 0..9999 are Redis's shared integer objects. */
const SHARED_INTEGERS = 10000n;
/** Strings up to this length are embedded in their object header. */
const EMBSTR_LIMIT = 44;
/** The refcount Redis reports for shared objects (INT_MAX). */
const SHARED_REFCOUNT = 2147483647;

const OBJECT_HELP: readonly Reply[] = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
].map(simple);

/** The current time in whole milliseconds, as Redis's command time. */
function nowMs(ctx: CommandContext): number {
  return Math.floor(ctx.now());
}

/** An integer reply for a millisecond quantity that may exceed 2^53. */
function msReply(ms: number): Reply {
  if (Number.isSafeInteger(ms)) return integer(ms);
  const v = BigInt(Math.trunc(ms));
  return integer(v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v);
}

/**
 * A database index argument as Redis's getIntFromObjectOrReply plus
 * selectDb: a 32-bit integer, then in range.
 */
function dbIndex(ctx: CommandContext, args: Args, i: number): Database {
  const id = args.integer(i);
  if (id > INT32_MAX || id < -INT32_MAX - 1) throw new ReplyError(Errors.intOutOfRange);
  const server = ctx.server;
  if (id < 0 || id >= server.databases) throw new ReplyError(Errors.dbIndexOutOfRange);
  return server.db(id);
}

/** DEL key [key ...] (and UNLINK: freeing is the garbage collector's job) */
function del(ctx: CommandContext, args: Args): Reply {
  const db = ctx.db;
  let deleted = 0;
  for (let i = 1; i < args.length; i++) {
    const key = args.get(i);
    if (db.delete(key)) {
      ctx.notify("g", "del", key);
      deleted++;
    }
  }
  return integer(deleted);
}

/** EXISTS key [key ...] */
function exists(ctx: CommandContext, args: Args): Reply {
  let found = 0;
  for (let i = 1; i < args.length; i++) {
    if (lookupReadWith(ctx, args.get(i), NOTOUCH) !== undefined) found++;
  }
  return integer(found);
}

/** TOUCH key [key ...] */
function touch(ctx: CommandContext, args: Args): Reply {
  let found = 0;
  for (let i = 1; i < args.length; i++) {
    if (lookupReadWith(ctx, args.get(i), 0) !== undefined) found++;
  }
  return integer(found);
}

/** TYPE key */
function type(ctx: CommandContext, args: Args): Reply {
  const entry = lookupReadWith(ctx, args.get(1), NOTOUCH);
  return simple(entry === undefined ? "none" : typeOf(entry));
}

/** KEYS pattern */
function keys(ctx: CommandContext, args: Args): Reply {
  const pattern = args.get(1);
  const all = pattern === "*";
  const out: string[] = [];
  for (const key of ctx.db.keys(false)) {
    if (all || globMatch(pattern, key)) out.push(key);
  }
  return bulks(out);
}

/**
 * A SCAN cursor as Redis parses it (strtoul, base 10): an optional sign,
 * digits, nothing after (a NUL byte ends the text); no leading space; an
 * empty text is 0; a negative value wraps modulo 2^64.
 */
export function parseCursor(text: string): number | null {
  const nul = text.indexOf("\0");
  const s = nul === -1 ? text : text.slice(0, nul);
  if (s.length === 0) return 0;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 32 || (first >= 9 && first <= 13)) return null;
  const negative = first === 45;
  if (first === 43 || negative) i = 1;
  if (i === s.length) return null;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  let v = BigInt(s.slice(i));
  if (v > UINT64_MAX) return null;
  if (negative && v !== 0n) v = 2n ** 64n - v;
  return Number(v);
}

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scan(ctx: CommandContext, args: Args): Reply {
  const cursor = parseCursor(args.get(1));
  if (cursor === null) throw new ReplyError(Errors.invalidCursor);
  let count = 10;
  let pattern: string | undefined;
  let typeName: string | undefined;
  for (let i = 2; i < args.length; i += 2) {
    const opt = args.upper(i);
    const more = args.length - i;
    if (opt === "COUNT" && more >= 2) {
      count = args.integer(i + 1);
      if (count < 1) throw new ReplyError(Errors.syntax);
    } else if (opt === "MATCH" && more >= 2) {
      const p = args.get(i + 1);
      pattern = p === "*" ? undefined : p;
    } else if (opt === "TYPE" && more >= 2) {
      const t = args.get(i + 1);
      const nul = t.indexOf("\0");
      typeName = asciiLower(nul === -1 ? t : t.slice(0, nul));
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const db = ctx.db;
  // The keys it finds expired propagate unwrapped, as Redis's
  // CMD_TOUCHES_ARBITRARY_KEYS commands run on their own.
  if (!ctx.inExec) ctx.propagation.unwrap();
  const [next, visited] = db.scanKeys(cursor, count);
  const out: string[] = [];
  // Redis's filter order: pattern, then type (a lookup that may reclaim the
  // key, which then reads as "none"), then expiry.
  for (const key of visited) {
    if (pattern !== undefined && !globMatch(pattern, key)) continue;
    if (typeName !== undefined) {
      const entry = lookupReadWith(ctx, key, NOTOUCH);
      if ((entry === undefined ? "none" : typeOf(entry)) !== typeName) continue;
    }
    if (db.isExpired(key)) {
      db.lookup(key, false);
      continue;
    }
    out.push(key);
  }
  return array([bulk(String(next)), bulks(out)]);
}

/** RENAME key newkey */
function rename(ctx: CommandContext, args: Args): Reply {
  return renameGeneric(ctx, args, false);
}

/** RENAMENX key newkey */
function renamenx(ctx: CommandContext, args: Args): Reply {
  return renameGeneric(ctx, args, true);
}

/**
 * RENAME and RENAMENX: the value moves with its TTL, replacing `dst` (unless
 * `nx`), in one change as Redis counts it.
 */
function renameGeneric(ctx: CommandContext, args: Args, nx: boolean): Reply {
  const src = args.get(1);
  const dst = args.get(2);
  const db = ctx.db;
  if (db.lookup(src) === undefined) throw new ReplyError(Errors.noSuchKey);
  if (src === dst) return nx ? integer(0) : OK;
  // Looked up either way: an expired `dst` is reclaimed (and propagated) first.
  if (db.lookup(dst) !== undefined && nx) return integer(0);
  db.rename(src, dst);
  ctx.notify("g", "rename_from", src);
  ctx.notify("g", "rename_to", dst);
  return nx ? integer(1) : OK;
}

/** EXPIRE key seconds [NX | XX | GT | LT] */
function expire(ctx: CommandContext, args: Args): Reply {
  return expireGeneric(ctx, args, "expire", false, true);
}

/** PEXPIRE key milliseconds [NX | XX | GT | LT] */
function pexpire(ctx: CommandContext, args: Args): Reply {
  return expireGeneric(ctx, args, "pexpire", false, false);
}

/** EXPIREAT key unix-time-seconds [NX | XX | GT | LT] */
function expireat(ctx: CommandContext, args: Args): Reply {
  return expireGeneric(ctx, args, "expireat", true, true);
}

/** PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] */
function pexpireat(ctx: CommandContext, args: Args): Reply {
  return expireGeneric(ctx, args, "pexpireat", true, false);
}

/**
 * The EXPIRE family: options first, then the time (checked for overflow in
 * 64-bit milliseconds), then the key and the NX/XX/GT/LT conditions. A time
 * already past deletes the key. Propagated as `PEXPIREAT key <ms> [options]`
 * (PEXPIREAT itself as sent).
 */
function expireGeneric(
  ctx: CommandContext,
  args: Args,
  name: string,
  absolute: boolean,
  seconds: boolean,
): Reply {
  let nx = false, xx = false, gt = false, lt = false;
  for (let i = 3; i < args.length; i++) {
    switch (args.upper(i)) {
      case "NX":
        nx = true;
        break;
      case "XX":
        xx = true;
        break;
      case "GT":
        gt = true;
        break;
      case "LT":
        lt = true;
        break;
      default:
        throw new ReplyError(Errors.unsupportedOption(args.get(i)));
    }
  }
  if (nx && (xx || gt || lt)) throw new ReplyError(Errors.nxXxGtLt);
  if (gt && lt) throw new ReplyError(Errors.gtAndLt);
  let when = args.int64(2);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      throw new ReplyError(Errors.invalidExpire(name));
    }
    when *= 1000n;
  }
  const now = nowMs(ctx);
  if (!absolute) {
    const base = BigInt(now);
    if (when > INT64_MAX - base) throw new ReplyError(Errors.invalidExpire(name));
    when += base;
  }
  const key = args.get(1);
  const db = ctx.db;
  if (db.lookup(key) === undefined) return integer(0);
  const at = Number(when);
  if (nx || xx || gt || lt) {
    const current = db.getExpire(key);
    if (nx && current !== undefined) return integer(0);
    if (xx && current === undefined) return integer(0);
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (gt && (current === undefined || at <= current)) return integer(0);
    if (lt && current !== undefined && at >= current) return integer(0);
  }
  if (at <= now) {
    deleteExpiredNow(ctx, key);
    return integer(1);
  }
  db.setExpire(key, at);
  ctx.notify("g", "expire", key);
  const propagation = ctx.propagation;
  if (propagation.active && name !== "pexpireat") {
    propagation.rewrite(pexpireatEffect(key, when, args.argv.slice(3)));
  }
  return integer(1);
}

/** TTL key */
function ttl(ctx: CommandContext, args: Args): Reply {
  return ttlGeneric(ctx, args, false);
}

/** PTTL key */
function pttl(ctx: CommandContext, args: Args): Reply {
  return ttlGeneric(ctx, args, true);
}

function ttlGeneric(ctx: CommandContext, args: Args, ms: boolean): Reply {
  const key = args.get(1);
  if (lookupReadWith(ctx, key, NOTOUCH) === undefined) return integer(-2);
  const at = ctx.db.getExpire(key);
  if (at === undefined) return integer(-1);
  const left = Math.max(0, at - nowMs(ctx));
  return ms ? msReply(left) : msReply(Math.floor((left + 500) / 1000));
}

/** EXPIRETIME key */
function expiretime(ctx: CommandContext, args: Args): Reply {
  return expiretimeGeneric(ctx, args, false);
}

/** PEXPIRETIME key */
function pexpiretime(ctx: CommandContext, args: Args): Reply {
  return expiretimeGeneric(ctx, args, true);
}

function expiretimeGeneric(ctx: CommandContext, args: Args, ms: boolean): Reply {
  const key = args.get(1);
  if (lookupReadWith(ctx, key, NOTOUCH) === undefined) return integer(-2);
  const at = ctx.db.getExpire(key);
  if (at === undefined) return integer(-1);
  // Seconds round half up, as Redis does.
  return msReply(ms ? at : Math.floor((at + 500) / 1000));
}

/** PERSIST key */
function persist(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const db = ctx.db;
  if (db.lookup(key) === undefined || !db.persist(key)) return integer(0);
  ctx.notify("g", "persist", key);
  return integer(1);
}

/** RANDOMKEY */
function randomkey(ctx: CommandContext, _args: Args): Reply {
  const random = ctx.random;
  // As SCAN: the keys it finds expired propagate unwrapped.
  if (!ctx.inExec) ctx.propagation.unwrap();
  return bulk(ctx.db.randomKey(() => random.next()));
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copy(ctx: CommandContext, args: Args): Reply {
  const src = args.get(1);
  const dst = args.get(2);
  const db = ctx.db;
  let target = db;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    const opt = args.upper(i);
    if (opt === "REPLACE") {
      replace = true;
    } else if (opt === "DB" && i + 1 < args.length) {
      target = dbIndex(ctx, args, ++i);
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  if (target === db && src === dst) throw new ReplyError(Errors.sameObject);
  const value = lookupReadWith(ctx, src, 0);
  if (value === undefined) return integer(0);
  if (target.lookup(dst) !== undefined && !replace) return integer(0);
  // A deep copy with the TTL, replacing `dst`: one change, as Redis counts it.
  db.copy(src, target, dst);
  // Redis copies an integer into an object of its own, never a shared one
  // (OBJECT REFCOUNT 1).
  if (
    typeof value === "string" && target.encoding(dst) === undefined && parseInt64(value) !== null
  ) {
    target.setEncoding(dst, "int");
  }
  ctx.notify("g", "copy_to", dst, target);
  return integer(1);
}

/** MOVE key db */
function move(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const src = ctx.db;
  const dst = dbIndex(ctx, args, 2);
  if (dst === src) throw new ReplyError(Errors.sameObject);
  if (src.lookup(key) === undefined) return integer(0);
  if (dst.lookup(key) !== undefined) return integer(0);
  // The value moves with its TTL, its field TTLs and its live HSCAN / SSCAN cursors.
  src.move(key, dst);
  ctx.notify("g", "move_from", key, src);
  ctx.notify("g", "move_to", key, dst);
  return integer(1);
}

/**
 * What OBJECT ENCODING reports for a value: a string follows Redis's
 * tryObjectEncoding (`int` for a 64-bit integer text, `embstr` up to 44
 * bytes, else `raw`) unless its database recorded another encoding for it
 * (`raw` for a string changed in place by APPEND, SETRANGE, SETBIT,
 * BITFIELD or the HyperLogLog commands, or built by BITOP, as Redis's
 * objects are: see `Database.setEncoding`).
 *
 * @param value a stored value
 * @param recorded the encoding its database recorded, if any
 * @returns the encoding name
 * @example
 * ```ts
 * import { encodingOf } from "./generic.ts";
 * console.assert(encodingOf("123") === "int");
 * console.assert(encodingOf("0123") === "embstr");
 * console.assert(encodingOf("x".repeat(45)) === "raw");
 * console.assert(encodingOf("123", "raw") === "raw");
 * ```
 */
export function encodingOf(value: Value, recorded?: StringEncoding): string {
  if (typeof value !== "string") return value.encoding();
  if (recorded !== undefined) return recorded;
  if (parseInt64(value) !== null) return "int";
  return value.length <= EMBSTR_LIMIT ? "embstr" : "raw";
}

/** OBJECT ENCODING key */
function objectEncoding(ctx: CommandContext, args: Args): Reply {
  const key = args.get(2);
  const entry = lookupReadWith(ctx, key, NOTOUCH | NONOTIFY);
  return entry === undefined ? NIL : bulk(encodingOf(entry, ctx.db.encoding(key)));
}

/** OBJECT FREQ key */
function objectFreq(ctx: CommandContext, args: Args): Reply {
  // LFU counters are kept only under an LFU maxmemory-policy: a missing key
  // is nil, an existing one an error otherwise.
  const entry = lookupReadWith(ctx, args.get(2), NOTOUCH | NONOTIFY);
  if (entry === undefined) return NIL;
  if (!ctx.config.get("maxmemory-policy").endsWith("-lfu")) {
    throw new ReplyError(Errors.lfuNotSelected);
  }
  return integer(ctx.db.lfuFrequency(args.get(2))!);
}

/** OBJECT IDLETIME key */
function objectIdletime(ctx: CommandContext, args: Args): Reply {
  const entry = lookupReadWith(ctx, args.get(2), NOTOUCH | NONOTIFY);
  if (entry === undefined) return NIL;
  if (ctx.config.get("maxmemory-policy").endsWith("-lfu")) {
    throw new ReplyError(Errors.lfuSelected);
  }
  return integer(Math.max(0, ctx.db.lruNow() - ctx.db.lru(args.get(2))!));
}

/** OBJECT REFCOUNT key */
function objectRefcount(ctx: CommandContext, args: Args): Reply {
  const key = args.get(2);
  const entry = lookupReadWith(ctx, key, NOTOUCH | NONOTIFY);
  if (entry === undefined) return NIL;
  const value = entry;
  // A string with a recorded encoding (an integer COPY made included) is
  // an object of its own, never a shared integer.
  if (typeof value === "string" && ctx.db.encoding(key) === undefined) {
    const n = parseInt64(value);
    if (n !== null && n >= 0n && n < SHARED_INTEGERS) return integer(SHARED_REFCOUNT);
  }
  return integer(1);
}

/** OBJECT HELP */
function objectHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(OBJECT_HELP);
}
