/**
 * The stream group's core commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL,
 * XTRIM and XSETID, as Redis 7.0.15's t_stream.c (the store is
 * `src/store/stream.ts`; groups, XREAD and claims live in `stream_read.ts`
 * and `stream_info.ts`).
 *
 * - Options are parsed (and every error answered) before the key is looked
 *   up, as Redis does for XADD, XTRIM and XSETID; XDEL checks the key first.
 * - XADD creates the key (unless NOMKSTREAM), appends with node boundaries
 *   from `stream-node-max-bytes` / `stream-node-max-entries` read at each
 *   call, then trims. Generated IDs come from the server clock
 *   (`ctx.now()`); an append to an existing key wakes XREAD waiters
 *   (`ctx.blocking.signal`), a created key signals by itself.
 * - Keyspace events (class `t`): `xadd`, then `xtrim` when XADD's trim
 *   removed something; `xtrim`, `xdel`, `xsetid`.
 * - Changes (`rdb_changes_since_last_save`): XADD one (its trim adds
 *   none); XTRIM and XDEL one per entry removed; XSETID one.
 * - Propagation: XADD with `*` or `ms-*` propagates the ID it generated; an
 *   approximate trim (`~`, XADD's or XTRIM's) propagates as `=` with the
 *   threshold it reached (MAXLEN the length left, MINID the first entry
 *   left, deleted ones included), so replaying is deterministic; LIMIT
 *   stays, and is ignored when a master sends it (Redis's mustObeyClient).
 *
 * Known differences from Redis 7.0.15: none intended. XSETID raises no
 * modified-key signal (WATCH, tracking), as Redis 7.0.15 does not.
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
  NIL,
  NIL_ARRAY,
  OK,
  type Reply,
} from "../resp/reply.ts";
import { type NodeLimits, StreamValue, type TrimOptions } from "../store/stream.ts";
import {
  formatId,
  idMsNumber,
  idSeqNumber,
  incrId,
  MAX_ID,
  MIN_ID,
  type StreamId,
  streamId,
} from "../store/stream_id.ts";
import { keyword, readTyped, writeTyped } from "./lookup.ts";
import { parseRangeBound, parseStreamId, parseXaddId } from "./stream_args.ts";
import type { Args, CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/** The handlers of XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM and XSETID, bound by name to the command table. */
export const STREAM_HANDLERS: HandlerTable = {
  xadd,
  xrange,
  xrevrange,
  xlen,
  xdel,
  xtrim,
  xsetid,
};

/** Error texts of this group, verbatim from Redis 7.0.15. */
export const StreamErrors = {
  maxlenAndMinid: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
  maxlenNegative: "ERR The MAXLEN argument must be >= 0.",
  limitNegative: "ERR The LIMIT argument must be >= 0.",
  limitWithoutStrategy:
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
  xtrimWithoutStrategy: "ERR syntax error, XTRIM must be called with a trimming strategy",
  limitWithoutApprox: "ERR syntax error, LIMIT cannot be used without the special ~ option",
  xaddZeroId: "ERR The ID specified in XADD must be greater than 0-0",
  exhausted: "ERR The stream has exhausted the last possible ID, unable to add more items",
  xaddTooSmall: "ERR The ID specified in XADD is equal or smaller than the target stream top item",
  tooLarge: "ERR Elements are too large to be stored",
  entriesAddedNegative: "ERR entries_added must be positive",
  xsetidBelowMaxDeleted:
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
  xsetidTooSmall: "ERR The ID specified in XSETID is smaller than the target stream top item",
  xsetidEntriesAdded:
    "ERR The entries_added specified in XSETID is smaller than the target stream length",
  xaddArity: "ERR wrong number of arguments for 'xadd' command",
} as const;

/** Largest total of an entry's fields and values (STREAM_LISTPACK_MAX_SIZE). */
const LISTPACK_MAX_SIZE = 2 ** 30;

/**
 * The reply for one entry: its ID, then its fields and values.
 *
 * @param id the entry ID
 * @param fields the flat field, value list
 * @returns the two-element array
 * @example
 * ```ts
 * import { entryReply } from "./stream.ts";
 * import { streamId } from "../store/stream_id.ts";
 * console.assert(entryReply(streamId(1, 2), ["f", "v"]).kind === "array");
 * ```
 */
export function entryReply(id: StreamId, fields: readonly string[]): Reply {
  return array([bulk(formatId(id)), bulks(fields)]);
}

/**
 * The node boundaries configured now (`stream-node-max-bytes`,
 * `stream-node-max-entries`), read at each XADD as Redis does.
 *
 * @param ctx the calling client
 * @returns the limits
 */
export function nodeLimits(ctx: CommandContext): NodeLimits {
  const config = ctx.config;
  return {
    maxBytes: config.number("stream-node-max-bytes"),
    maxEntries: config.number("stream-node-max-entries"),
  };
}

/** XADD / XTRIM options (Redis's streamAddTrimArgs). */
interface AddTrimArgs {
  /** Index of the ID argument (XADD), or past the options. */
  index: number;
  id: StreamId | undefined;
  seqGiven: boolean;
  noMkStream: boolean;
  trim: TrimOptions | undefined;
  /** Index of the threshold argument, for the rewrite. */
  thresholdIndex: number;
}

/** Parses XADD's (`xadd`) or XTRIM's options, answering Redis's errors. */
function parseAddTrim(ctx: CommandContext, args: Args, xadd: boolean): AddTrimArgs {
  const argc = args.length;
  let strategy: "maxlen" | "minid" | undefined;
  let approx = false;
  let maxlen = 0;
  let minid = MIN_ID;
  let limit = 0n;
  let limitGiven = false;
  let thresholdIndex = 0;
  let id: StreamId | undefined;
  let seqGiven = true;
  let noMkStream = false;
  let i = 2;
  for (; i < argc; i++) {
    const more = argc - 1 - i;
    const opt = args.get(i);
    // Compared as C strings, as Redis does (a NUL byte ends them).
    if (xadd && opt.charCodeAt(0) === 42 && (opt.length === 1 || opt.charCodeAt(1) === 0)) break;
    const word = keyword(opt);
    if ((word === "MAXLEN" || word === "MINID") && more > 0) {
      if (strategy !== undefined) throw new ReplyError(StreamErrors.maxlenAndMinid);
      approx = false;
      const next = args.get(i + 1);
      const mark = next.length === 1 || next.charCodeAt(1) === 0 ? next.charCodeAt(0) : 0;
      if (more >= 2 && mark === 126) {
        approx = true;
        i++;
      } else if (more >= 2 && mark === 61) {
        i++;
      }
      if (word === "MAXLEN") {
        const n = args.int64(i + 1);
        if (n < 0n) throw new ReplyError(StreamErrors.maxlenNegative);
        maxlen = Number(n);
        strategy = "maxlen";
      } else {
        minid = parseStreamId(args.get(i + 1), "min", true);
        strategy = "minid";
      }
      i++;
      thresholdIndex = i;
    } else if (word === "LIMIT" && more > 0) {
      limit = args.int64(i + 1);
      if (limit < 0n) throw new ReplyError(StreamErrors.limitNegative);
      limitGiven = true;
      i++;
    } else if (xadd && word === "NOMKSTREAM") {
      noMkStream = true;
    } else if (xadd) {
      const parsed = parseXaddId(opt);
      id = parsed.id;
      seqGiven = parsed.seqGiven;
      break;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  if (limit !== 0n && strategy === undefined) {
    throw new ReplyError(StreamErrors.limitWithoutStrategy);
  }
  if (!xadd && strategy === undefined) throw new ReplyError(StreamErrors.xtrimWithoutStrategy);
  if (ctx.role === "master") {
    // A master's commands were rewritten to be exact: no limit applies.
    limit = 0n;
  } else if (limitGiven) {
    if (!approx) throw new ReplyError(StreamErrors.limitWithoutApprox);
  } else if (approx) {
    // At most 100 nodes' worth of work, bounded both ways.
    limit = 100n * BigInt(ctx.config.number("stream-node-max-entries"));
    if (limit <= 0n) limit = 10000n;
    if (limit > 1000000n) limit = 1000000n;
  } else {
    limit = 0n;
  }
  const trim: TrimOptions | undefined = strategy === undefined
    ? undefined
    : { strategy, maxlen, minid, approx, limit: Number(limit) };
  return { index: i, id, seqGiven, noMkStream, trim, thresholdIndex };
}

/**
 * After a trim: the effect an approximate one propagates (`=` and the
 * threshold reached), written into `argv`.
 */
function rewriteApprox(
  stream: StreamValue,
  trim: TrimOptions,
  argv: string[],
  index: number,
): void {
  argv[index - 1] = "=";
  argv[index] = trim.strategy === "maxlen"
    ? String(stream.length)
    : formatId(stream.edgeId(true, false));
}

/** Whether two IDs have the same ms part (their first 8 bytes). */
function sameMs(a: StreamId, b: StreamId): boolean {
  return a.slice(0, 8) === b.slice(0, 8);
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
function xadd(ctx: CommandContext, args: Args): Reply {
  const parsed = parseAddTrim(ctx, args, true);
  const fieldPos = parsed.index + 1;
  const pairs = args.length - fieldPos;
  if (pairs < 2 || pairs % 2 === 1) throw new ReplyError(StreamErrors.xaddArity);
  const given = parsed.id;
  if (given !== undefined && parsed.seqGiven && given === MIN_ID) {
    throw new ReplyError(StreamErrors.xaddZeroId);
  }
  const key = args.get(1);
  let stream = writeTyped<StreamValue>(ctx, key, "stream");
  const existed = stream !== undefined;
  if (stream === undefined) {
    if (parsed.noMkStream) return NIL;
    stream = new StreamValue();
    ctx.db.set(key, stream, false, 0);
  }
  const last = stream.lastId;
  if (last === MAX_ID) throw new ReplyError(StreamErrors.exhausted);
  // The new ID: the clock's ms with seq 0 when past the last ID's ms, else
  // the next ID (in numbers while they are small, the common case).
  let id: StreamId;
  let text: string | undefined;
  const lastMs = given === undefined ? idMsNumber(last) : undefined;
  const lastSeq = lastMs === undefined ? undefined : idSeqNumber(last);
  if (lastMs !== undefined && lastSeq !== undefined) {
    const now = ctx.now();
    const ms = now > lastMs ? now : lastMs;
    const seq = now > lastMs ? 0 : lastSeq + 1;
    id = streamId(ms, seq);
    text = ms + "-" + seq;
  } else if (given === undefined) {
    const fresh = streamId(ctx.now(), 0);
    id = fresh > last ? fresh : incrId(last)!;
  } else if (!parsed.seqGiven && sameMs(given, last)) {
    const next = incrId(last)!;
    if (!sameMs(next, last)) throw new ReplyError(StreamErrors.xaddTooSmall);
    id = next;
  } else {
    id = given;
  }
  if (id <= last) throw new ReplyError(StreamErrors.xaddTooSmall);
  const fields = args.argv.slice(fieldPos);
  let total = 0;
  for (const f of fields) total += f.length;
  if (total > LISTPACK_MAX_SIZE) throw new ReplyError(StreamErrors.tooLarge);
  stream.append(id, fields, nodeLimits(ctx));
  text ??= formatId(id);
  ctx.db.touch(key, 1);
  ctx.notify("t", "xadd", key);
  const trim = parsed.trim;
  if (trim !== undefined && stream.trim(trim) > 0) ctx.notify("t", "xtrim", key);
  const approx = trim?.approx === true;
  if ((approx || given === undefined || !parsed.seqGiven) && ctx.propagation.active) {
    // The effect: the ID generated, an approximate trim made exact.
    const argv = args.argv.slice();
    if (approx) rewriteApprox(stream, trim!, argv, parsed.thresholdIndex);
    if (given === undefined || !parsed.seqGiven) argv[parsed.index] = text;
    ctx.propagation.rewrite(argv);
  }
  if (existed) ctx.blocking.signal(ctx.db, key);
  return bulk(text);
}

/** XRANGE key start end [COUNT count] and XREVRANGE key end start [COUNT count]. */
function rangeGeneric(ctx: CommandContext, args: Args, reverse: boolean): Reply {
  const start = parseRangeBound(args.get(reverse ? 3 : 2), "min").id;
  const end = parseRangeBound(args.get(reverse ? 2 : 3), "max").id;
  let count = -1;
  for (let j = 4; j < args.length; j++) {
    if (keyword(args.get(j)) === "COUNT" && args.length - j - 1 >= 1) {
      count = Math.max(0, args.integer(j + 1));
      j++;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const stream = readTyped<StreamValue>(ctx, args.get(1), "stream");
  if (stream === undefined) return EMPTY_ARRAY;
  if (count === 0) return NIL_ARRAY;
  const items: Reply[] = [];
  const max = count < 0 ? Infinity : count;
  const walk = stream.range(start, end, reverse);
  while (items.length < max && walk.advance()) {
    items.push(array([bulk(walk.idText()), bulks(walk.fields())]));
  }
  return array(items);
}

/** XRANGE key start end [COUNT count] */
function xrange(ctx: CommandContext, args: Args): Reply {
  return rangeGeneric(ctx, args, false);
}

/** XREVRANGE key end start [COUNT count] */
function xrevrange(ctx: CommandContext, args: Args): Reply {
  return rangeGeneric(ctx, args, true);
}

/** XLEN key */
function xlen(ctx: CommandContext, args: Args): Reply {
  const stream = readTyped<StreamValue>(ctx, args.get(1), "stream");
  return integer(stream === undefined ? 0 : stream.length);
}

/** XDEL key id [id ...] */
function xdel(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const stream = writeTyped<StreamValue>(ctx, key, "stream");
  if (stream === undefined) return integer(0);
  const ids: StreamId[] = [];
  for (let j = 2; j < args.length; j++) ids.push(parseStreamId(args.get(j), "min", true));
  let deleted = 0;
  for (const id of ids) {
    if (stream.delete(id)) {
      if (id > stream.maxDeletedId) stream.maxDeletedId = id;
      deleted++;
    }
  }
  if (deleted > 0) {
    ctx.db.touch(key, deleted);
    ctx.notify("t", "xdel", key);
  }
  return integer(deleted);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
function xtrim(ctx: CommandContext, args: Args): Reply {
  const parsed = parseAddTrim(ctx, args, false);
  const key = args.get(1);
  const stream = writeTyped<StreamValue>(ctx, key, "stream");
  if (stream === undefined) return integer(0);
  const trim = parsed.trim!;
  const deleted = stream.trim(trim);
  if (deleted > 0) {
    ctx.notify("t", "xtrim", key);
    if (trim.approx && ctx.propagation.active) {
      const argv = args.argv.slice();
      rewriteApprox(stream, trim, argv, parsed.thresholdIndex);
      ctx.propagation.rewrite(argv);
    }
    ctx.db.touch(key, deleted);
  }
  return integer(deleted);
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(ctx: CommandContext, args: Args): Reply {
  const id = parseStreamId(args.get(2), "min", true);
  let entriesAdded = -1n;
  let maxDeleted = MIN_ID;
  for (let i = 3; i < args.length;) {
    const more = args.length - 1 - i;
    const opt = keyword(args.get(i));
    if (opt === "ENTRIESADDED" && more > 0) {
      entriesAdded = args.int64(i + 1);
      if (entriesAdded < 0n) throw new ReplyError(StreamErrors.entriesAddedNegative);
      i += 2;
    } else if (opt === "MAXDELETEDID" && more > 0) {
      maxDeleted = parseStreamId(args.get(i + 1), "min", true);
      if (id < maxDeleted) throw new ReplyError(StreamErrors.xsetidBelowMaxDeleted);
      i += 2;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const key = args.get(1);
  const stream = writeTyped<StreamValue>(ctx, key, "stream");
  if (stream === undefined) throw new ReplyError(Errors.noSuchKey);
  if (stream.length > 0) {
    const top = stream.lastEntryId()!;
    if (id < top) throw new ReplyError(StreamErrors.xsetidTooSmall);
    if (entriesAdded !== -1n && BigInt(stream.length) > entriesAdded) {
      throw new ReplyError(StreamErrors.xsetidEntriesAdded);
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1n) stream.entriesAdded = entriesAdded;
  if (maxDeleted !== MIN_ID) stream.maxDeletedId = maxDeleted;
  // Redis 7.0.15 counts the change without the modified-key signal.
  ctx.countChanges(1);
  ctx.notify("t", "xsetid", key);
  return OK;
}
