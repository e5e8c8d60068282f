/**
 * The string command group: GET, SET and its variants, GETSET, GETDEL,
 * GETEX, MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE,
 * the INCR family, INCRBYFLOAT and LCS.
 *
 * OBJECT ENCODING follows Redis's objects: a string APPEND extended or
 * SETRANGE wrote is `raw` whatever its length, an integer text
 * INCRBYFLOAT made is `embstr` (see `Database.setEncoding`).
 *
 * Known differences from Redis 7.0.15:
 * - A string cannot grow beyond V8's longest string (2^29 - 24 bytes, 24
 *   bytes short of the default 512 MB `proto-max-bulk-len`): SETRANGE and
 *   APPEND past it answer the proto-max-bulk-len error.
 * - Expiry times are kept as doubles: beyond 2^53 ms they lose precision
 *   (in replies and in the `PXAT` / `PEXPIREAT` times propagated).
 *
 * What the writes propagate is deterministic, as Redis 7.0.15 rewrites it:
 * an expiry as `SET key value PXAT <ms>` (SET, SETEX, PSETEX) or `PEXPIREAT
 * key <ms>` (GETEX), SET without its GET options, GETSET as SET, GETDEL as
 * DEL (UNLINK with `lazyfree-lazy-user-del`), GETEX PERSIST as PERSIST,
 * GETEX with a past time as DEL (UNLINK with `lazyfree-lazy-expire`) and
 * INCRBYFLOAT as `SET key result KEEPTTL`.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { array, bulk, bulks, integer, map, NIL, OK, type Reply } from "../resp/reply.ts";
import { addLongDouble, formatLongDouble, LD_ZERO, parseLongDouble } from "../store/long_double.ts";
import {
  asString,
  deleteExpiredNow,
  formatMs,
  keyword,
  lookupRead,
  lookupWrite,
  pexpireatEffect,
} from "./lookup.ts";
import { type Args, type CommandContext, parseInt64, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The string group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const STRING_HANDLERS: HandlerTable = {
  get,
  set,
  setnx,
  setex,
  psetex,
  getset,
  getdel,
  getex,
  mget,
  mset,
  msetnx,
  append,
  strlen,
  getrange,
  substr: getrange,
  setrange,
  incr,
  decr,
  incrby,
  decrby,
  incrbyfloat,
  lcs,
};

// ---------------------------------------------------------------------------
// Shared helpers

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
/** Longest string V8 can hold (String::kMaxLength on 64-bit hosts). */
const MAX_JS_STRING = 2 ** 29 - 24;

/** SET / GETEX option flags, as Redis's parseExtendedStringArgumentsOrReply. */
const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_PERSIST = 16;
const F_EX = 32;
const F_PX = 64;
const F_EXAT = 128;
const F_PXAT = 256;
const F_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;
const F_SECONDS = F_EX | F_EXAT;
/** The expiry keywords and their flags. */
const EXPIRE_UNITS: ReadonlyMap<string, number> = new Map([
  ["EX", F_EX],
  ["PX", F_PX],
  ["EXAT", F_EXAT],
  ["PXAT", F_PXAT],
]);
const F_RELATIVE = F_EX | F_PX;

const ONE = integer(1);
const ZERO = integer(0);
const EMPTY = bulk("");

/** A string key's value for a read command; WRONGTYPE for other types. */
function readString(ctx: CommandContext, key: string): string | undefined {
  return asString(lookupRead(ctx, key));
}

/** A string key's value for a write command (no hit/miss statistics). */
function writeString(ctx: CommandContext, key: string): string | undefined {
  return asString(lookupWrite(ctx, key));
}

/** Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len. */
function checkStringLength(ctx: CommandContext, size: number, append: number): void {
  const total = size + append;
  if (total > ctx.config.number("proto-max-bulk-len") || total > MAX_JS_STRING) {
    throw new ReplyError(Errors.stringTooLong);
  }
}

/** Stores a string (one change, signalled by the keyspace) and announces it. */
function store(
  ctx: CommandContext,
  key: string,
  value: string,
  keepTtl: boolean,
  event: string,
): void {
  ctx.db.set(key, value, keepTtl);
  ctx.notify("$", event, key);
}

/** Parsed SET / GETEX options. */
interface StringOptions {
  flags: number;
  /** The expire argument, when one of EX/PX/EXAT/PXAT was given. */
  expire: string | undefined;
}

/**
 * Parses SET (`forSet`) or GETEX options from `start`, with Redis's rules on
 * which combinations are a syntax error.
 */
function parseStringOptions(args: Args, start: number, forSet: boolean): StringOptions {
  const argv = args.argv;
  let flags = 0;
  let expire: string | undefined;
  for (let j = start; j < argv.length; j++) {
    const opt = keyword(argv[j]!);
    if (opt === "NX" && forSet && !(flags & F_XX)) {
      flags |= F_NX;
    } else if (opt === "XX" && forSet && !(flags & F_NX)) {
      flags |= F_XX;
    } else if (opt === "GET" && forSet) {
      flags |= F_GET;
    } else if (opt === "KEEPTTL" && forSet && !(flags & (F_PERSIST | F_EXPIRE))) {
      flags |= F_KEEPTTL;
    } else if (opt === "PERSIST" && !forSet && !(flags & (F_KEEPTTL | F_EXPIRE))) {
      flags |= F_PERSIST;
    } else {
      const unit = EXPIRE_UNITS.get(opt) ?? 0;
      // The same unit may repeat (the last wins); any other expiry does not mix.
      if (
        unit === 0 || j + 1 >= argv.length ||
        (flags & (F_KEEPTTL | F_PERSIST | (F_EXPIRE & ~unit))) !== 0
      ) {
        throw new ReplyError(Errors.syntax);
      }
      flags |= unit;
      expire = argv[++j]!;
    }
  }
  return { flags, expire };
}

/**
 * Redis's getExpireMillisecondsOrReply: the absolute expiry time in ms of an
 * EX/PX/EXAT/PXAT argument.
 */
function expireAt(ctx: CommandContext, text: string, flags: number, command: string): number {
  const seconds = (flags & F_SECONDS) !== 0;
  const relative = (flags & F_RELATIVE) !== 0;
  if (text.length <= 12) {
    // Below 10^12: every step is exact in doubles and cannot overflow.
    const n = parseInteger(text);
    if (n === null) throw new ReplyError(Errors.notInteger);
    if (n <= 0) throw new ReplyError(Errors.invalidExpire(command));
    const ms = seconds ? n * 1000 : n;
    return relative ? ms + ctx.now() : ms;
  }
  const v = parseInt64(text);
  if (v === null) throw new ReplyError(Errors.notInteger);
  if (v <= 0n || (seconds && v > INT64_MAX / 1000n)) {
    throw new ReplyError(Errors.invalidExpire(command));
  }
  let ms = seconds ? v * 1000n : v;
  // Redis's signed addition wraps past INT64_MAX and then fails the > 0 check.
  if (relative) ms += BigInt(ctx.now());
  if (ms > INT64_MAX) throw new ReplyError(Errors.invalidExpire(command));
  return Number(ms);
}

/**
 * The SET family's shared body (Redis's setGenericCommand): validate the
 * expiry, answer the old value for GET, honour NX/XX, and store the value
 * with its TTL as one change, which propagates as `SET key value PXAT <ms>`.
 */
function setGeneric(
  ctx: CommandContext,
  flags: number,
  key: string,
  value: string,
  expire: string | undefined,
  command: string,
  okReply: Reply,
  abortReply: Reply,
): Reply {
  const at = expire === undefined ? 0 : expireAt(ctx, expire, flags, command);
  let old: Reply | undefined;
  if (flags & F_GET) old = bulk(readString(ctx, key));
  const db = ctx.db;
  const found = db.get(key) !== undefined;
  if (((flags & F_NX) && found) || ((flags & F_XX) && !found)) return old ?? abortReply;
  if (expire === undefined) {
    store(ctx, key, value, (flags & F_KEEPTTL) !== 0, "set");
    return old ?? okReply;
  }
  db.setWithExpire(key, value, at);
  ctx.notify("$", "set", key);
  ctx.notify("g", "expire", key);
  const propagation = ctx.propagation;
  if (propagation.active) propagation.rewrite(["SET", key, value, "PXAT", formatMs(at)]);
  return old ?? okReply;
}

// ---------------------------------------------------------------------------
// GET / SET family

/** GET key */
function get(ctx: CommandContext, args: Args): Reply {
  const value = ctx.db.get(args.argv[1]!);
  const stats = ctx.server.stats;
  if (value === undefined) {
    stats.keyspaceMisses++;
    ctx.notify("m", "keymiss", args.argv[1]!);
    return NIL;
  }
  stats.keyspaceHits++;
  if (typeof value !== "string") throw new ReplyError(Errors.wrongType);
  return { kind: "bulk", value };
}

/** SET key value [NX | XX] [GET] [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL] */
function set(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  if (argv.length === 3) {
    // The common case: no options to parse.
    const db = ctx.db;
    const key = argv[1]!;
    // As lookupKeyWrite: reclaim an expired key first (its `expired` event).
    if (db.expiresCount > 0) db.has(key);
    store(ctx, key, argv[2]!, false, "set");
    return OK;
  }
  const { flags, expire } = parseStringOptions(args, 3, true);
  const reply = setGeneric(ctx, flags, argv[1]!, argv[2]!, expire, "set", OK, NIL);
  // Propagated without its GET options (an expiry rewrote it whole).
  if ((flags & F_GET) && expire === undefined && ctx.propagation.active) {
    ctx.propagation.rewrite(argv.filter((arg, j) => j < 3 || keyword(arg) !== "GET"));
  }
  return reply;
}

/** SETNX key value */
function setnx(ctx: CommandContext, args: Args): Reply {
  return setGeneric(ctx, F_NX, args.argv[1]!, args.argv[2]!, undefined, "setnx", ONE, ZERO);
}

/** SETEX key seconds value */
function setex(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  return setGeneric(ctx, F_EX, argv[1]!, argv[3]!, argv[2]!, "setex", OK, NIL);
}

/** PSETEX key milliseconds value */
function psetex(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  return setGeneric(ctx, F_PX, argv[1]!, argv[3]!, argv[2]!, "psetex", OK, NIL);
}

/** GETSET key value */
function getset(ctx: CommandContext, args: Args): Reply {
  const key = args.argv[1]!;
  const old = readString(ctx, key);
  const value = args.argv[2]!;
  store(ctx, key, value, false, "set");
  const propagation = ctx.propagation;
  if (propagation.active) propagation.rewrite(["SET", key, value]);
  return bulk(old);
}

/** GETDEL key */
function getdel(ctx: CommandContext, args: Args): Reply {
  const key = args.argv[1]!;
  const old = readString(ctx, key);
  if (old === undefined) return NIL;
  ctx.db.delete(key);
  ctx.notify("g", "del", key);
  const propagation = ctx.propagation;
  if (propagation.active) {
    const lazy = ctx.config.get("lazyfree-lazy-user-del") === "yes";
    propagation.rewrite([lazy ? "UNLINK" : "DEL", key]);
  }
  return bulk(old);
}

/** GETEX key [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST] */
function getex(ctx: CommandContext, args: Args): Reply {
  const { flags, expire } = parseStringOptions(args, 2, false);
  const key = args.argv[1]!;
  const value = readString(ctx, key);
  if (value === undefined) return NIL;
  const at = expire === undefined ? 0 : expireAt(ctx, expire, flags, "getex");
  const db = ctx.db;
  const propagation = ctx.propagation;
  if ((flags & (F_EXAT | F_PXAT)) && at <= ctx.now()) {
    deleteExpiredNow(ctx, key);
  } else if (expire !== undefined) {
    db.setExpire(key, at);
    ctx.notify("g", "expire", key);
    if (propagation.active) propagation.rewrite(pexpireatEffect(key, at));
  } else if ((flags & F_PERSIST) && db.persist(key)) {
    ctx.notify("g", "persist", key);
    if (propagation.active) propagation.rewrite(["PERSIST", key]);
  }
  return bulk(value);
}

/** MGET key [key ...] */
function mget(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const out: (string | null)[] = new Array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const value = lookupRead(ctx, argv[j]!);
    out[j - 1] = typeof value === "string" ? value : null;
  }
  return bulks(out);
}

/** MSET key value [key value ...] */
function mset(ctx: CommandContext, args: Args): Reply {
  return msetGeneric(ctx, args, false);
}

/** MSETNX key value [key value ...] */
function msetnx(ctx: CommandContext, args: Args): Reply {
  return msetGeneric(ctx, args, true);
}

/** MSET and MSETNX: with `nx`, nothing is set when any key exists. */
function msetGeneric(ctx: CommandContext, args: Args, nx: boolean): Reply {
  const argv = args.argv;
  if (argv.length % 2 === 0) throw new ReplyError(Errors.wrongArity(nx ? "msetnx" : "mset"));
  const db = ctx.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.get(argv[j]!) !== undefined) return ZERO;
    }
  }
  const reclaim = db.expiresCount > 0;
  for (let j = 1; j < argv.length; j += 2) {
    const key = argv[j]!;
    if (reclaim) db.has(key);
    store(ctx, key, argv[j + 1]!, false, "set");
  }
  return nx ? ONE : OK;
}

// ---------------------------------------------------------------------------
// Substrings

/** APPEND key value */
function append(ctx: CommandContext, args: Args): Reply {
  const key = args.argv[1]!;
  const tail = args.argv[2]!;
  const current = writeString(ctx, key);
  let value = tail;
  if (current !== undefined) {
    checkStringLength(ctx, current.length, tail.length);
    value = current + tail;
  }
  store(ctx, key, value, true, "append");
  // Appended to in place, the string is `raw`; a new key is encoded as SET's.
  if (current !== undefined) ctx.db.setEncoding(key, "raw");
  return integer(value.length);
}

/** STRLEN key */
function strlen(ctx: CommandContext, args: Args): Reply {
  const value = readString(ctx, args.argv[1]!);
  return value === undefined ? ZERO : integer(value.length);
}

/** GETRANGE key start end (and SUBSTR) */
function getrange(ctx: CommandContext, args: Args): Reply {
  let start = args.integer(2);
  let end = args.integer(3);
  const value = readString(ctx, args.argv[1]!);
  if (value === undefined) return EMPTY;
  const len = value.length;
  if (start < 0 && end < 0 && start > end) return EMPTY;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return EMPTY;
  return bulk(value.slice(start, end + 1));
}

/** SETRANGE key offset value */
function setrange(ctx: CommandContext, args: Args): Reply {
  const key = args.argv[1]!;
  const offset = args.integer(2);
  if (offset < 0) throw new ReplyError(Errors.offsetOutOfRange);
  const patch = args.argv[3]!;
  const current = writeString(ctx, key);
  if (patch.length === 0) return current === undefined ? ZERO : integer(current.length);
  checkStringLength(ctx, offset, patch.length);
  let value: string;
  if (current === undefined) {
    value = "\0".repeat(offset) + patch;
  } else if (offset >= current.length) {
    value = current + "\0".repeat(offset - current.length) + patch;
  } else {
    value = current.slice(0, offset) + patch + current.slice(offset + patch.length);
  }
  store(ctx, key, value, true, "setrange");
  ctx.db.setEncoding(key, "raw");
  return integer(value.length);
}

// ---------------------------------------------------------------------------
// Counters

/** INCR key */
function incr(ctx: CommandContext, args: Args): Reply {
  return incrDecr(ctx, args.argv[1]!, 1);
}

/** DECR key */
function decr(ctx: CommandContext, args: Args): Reply {
  return incrDecr(ctx, args.argv[1]!, -1);
}

/** INCRBY key increment */
function incrby(ctx: CommandContext, args: Args): Reply {
  return incrDecr(ctx, args.argv[1]!, increment(args.argv[2]!));
}

/** DECRBY key decrement */
function decrby(ctx: CommandContext, args: Args): Reply {
  const by = increment(args.argv[2]!);
  // Negating INT64_MIN would overflow.
  if (by === INT64_MIN) throw new ReplyError(Errors.decrementOverflow);
  return incrDecr(ctx, args.argv[1]!, -by);
}

/** A 64-bit increment: a number when exact (below 10^15), else a bigint. */
function increment(text: string): number | bigint {
  if (text.length < 16) {
    const n = parseInteger(text);
    if (n === null) throw new ReplyError(Errors.notInteger);
    return n;
  }
  const v = parseInt64(text);
  if (v === null) throw new ReplyError(Errors.notInteger);
  return v;
}

/**
 * INCR, DECR, INCRBY and DECRBY: adds `by` to the key's 64-bit integer,
 * failing on overflow; the TTL is kept.
 */
function incrDecr(ctx: CommandContext, key: string, by: number | bigint): Reply {
  const current = writeString(ctx, key);
  let result: number | bigint;
  if (typeof by === "number" && (current === undefined || current.length < 16)) {
    // Both operands are below 10^15: the sum is exact and cannot overflow.
    const n = current === undefined ? 0 : parseInteger(current);
    if (n === null) throw new ReplyError(Errors.notInteger);
    result = n + by;
  } else {
    const n = current === undefined ? 0n : parseInt64(current);
    if (n === null) throw new ReplyError(Errors.notInteger);
    const sum = n + BigInt(by);
    if (sum > INT64_MAX || sum < INT64_MIN) throw new ReplyError(Errors.overflow);
    result = sum >= -9007199254740991n && sum <= 9007199254740991n ? Number(sum) : sum;
  }
  store(ctx, key, String(result), true, "incrby");
  return integer(result);
}

/** INCRBYFLOAT key increment */
function incrbyfloat(ctx: CommandContext, args: Args): Reply {
  const key = args.argv[1]!;
  const current = writeString(ctx, key);
  const value = current === undefined ? LD_ZERO : parseLongDouble(current);
  if (value === null) throw new ReplyError(Errors.notFloat);
  const by = parseLongDouble(args.argv[2]!);
  if (by === null) throw new ReplyError(Errors.notFloat);
  const sum = addLongDouble(value, by);
  if (sum === null || sum.inf) throw new ReplyError(Errors.nanOrInfinity);
  const text = formatLongDouble(sum);
  store(ctx, key, text, true, "incrbyfloat");
  // The result is made as a plain string object: an integer text is `embstr`.
  if (parseInt64(text) !== null) ctx.db.setEncoding(key, "embstr");
  // Propagated as the value it computed: replicas need not redo the float math.
  const propagation = ctx.propagation;
  if (propagation.active) propagation.rewrite(["SET", key, text, "KEEPTTL"]);
  return bulk(text);
}

// ---------------------------------------------------------------------------
// LCS

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] */
function lcs(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const va = lookupRead(ctx, argv[1]!);
  const vb = lookupRead(ctx, argv[2]!);
  if (
    (va !== undefined && typeof va !== "string") || (vb !== undefined && typeof vb !== "string")
  ) {
    throw new ReplyError(Errors.lcsWrongType);
  }
  const a = va ?? "";
  const b = vb ?? "";
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = keyword(argv[j]!);
    if (opt === "IDX") getIdx = true;
    else if (opt === "LEN") getLen = true;
    else if (opt === "WITHMATCHLEN") withMatchLen = true;
    else if (opt === "MINMATCHLEN" && j + 1 < argv.length) {
      minMatchLen = Math.max(0, args.integer(++j));
    } else throw new ReplyError(Errors.syntax);
  }
  if (getIdx && getLen) throw new ReplyError(Errors.lcsIdxAndLen);
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  if ((alen + 1) * width * 4 > ctx.config.number("proto-max-bulk-len")) {
    throw new ReplyError(Errors.lcsTooBig);
  }
  // table[i * width + j]: LCS length of a[0..i) and b[0..j).
  const table = new Uint32Array((alen + 1) * width);
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) {
        table[row + j] = table[prev + j - 1]! + 1;
      } else {
        const up = table[prev + j]!;
        const left = table[row + j - 1]!;
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * width + blen]!;
  if (getLen) return integer(total);
  return lcsBacktrack(a, b, table, { getIdx, withMatchLen, minMatchLen, total });
}

/**
 * Walks the LCS table back from the end, building the common string and,
 * for IDX, the matched ranges (last first), as Redis does.
 */
function lcsBacktrack(
  a: string,
  b: string,
  table: Uint32Array,
  opts: { getIdx: boolean; withMatchLen: boolean; minMatchLen: number; total: number },
): Reply {
  const alen = a.length;
  const width = b.length + 1;
  const chars: string[] = new Array(opts.total);
  const ranges: Reply[] = [];
  let k = opts.total;
  // The open range; aStart === -1 when none.
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[--k] = a[i - 1]!;
      if (aStart === -1) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart !== -1) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (opts.getIdx && (opts.minMatchLen === 0 || matchLen >= opts.minMatchLen)) {
        const item = [
          array([integer(aStart), integer(aEnd)]),
          array([integer(bStart), integer(bEnd)]),
        ];
        if (opts.withMatchLen) item.push(integer(matchLen));
        ranges.push(array(item));
      }
      aStart = -1;
    }
  }
  if (!opts.getIdx) return bulk(chars.join(""));
  return map([
    [bulk("matches"), array(ranges)],
    [bulk("len"), integer(opts.total)],
  ]);
}
