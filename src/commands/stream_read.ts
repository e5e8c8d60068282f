/**
 * The stream group's reads and consumer groups: XREAD and XREADGROUP (one
 * command in Redis, xreadCommand: they share the parsing and the reading
 * here), XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER,
 * HELP) and XACK, with Redis 7.0.15's options, replies (XREAD and
 * XREADGROUP answer a map in RESP3) and errors.
 *
 * XREADGROUP looks its consumer up (creating it, `xgroup-createconsumer`,
 * one change) and marks it seen only for a stream it answers, at once or
 * once woken, as 7.0.15 does: a read that finds nothing, or blocks, leaves
 * the group alone. A `>` read past the group's last ID moves it and its
 * entries-read counter (7.0's bookkeeping, `stream_group.ts`), and makes
 * each entry pending for the consumer unless NOACK; a history read (any
 * other ID) serves the consumer's own PEL, deleted entries as [id, nil],
 * and bumps their delivery time and count.
 *
 * Blocking (BLOCK) waits in the per-key queues of `src/blocking.ts`: XADD
 * signals the key, and a waiter is served when the stream's last ID is past
 * the one it waits after (for `$`, the stream's last ID when it blocked; for
 * XREADGROUP's `>`, its group's last delivered ID at the time it is
 * served), with at most COUNT entries (1000 without COUNT). Inside
 * MULTI/EXEC a read never blocks: it answers the null array. A client
 * blocked in XREADGROUP is answered `UNBLOCKED the stream key no longer
 * exists` once its stream is deleted, expires, is overwritten, renamed or
 * moved away, flushed or swapped out (the database's `streamRemoved` hook
 * and the engine's FLUSHALL / SWAPDB signal the key), and `NOGROUP the
 * consumer group this client was blocked on no longer exists` once its
 * group is destroyed (XGROUP DESTROY signals the key); XREAD keeps waiting.
 *
 * Propagation follows Redis 7.0.15's t_stream.c: XREAD propagates nothing;
 * XREADGROUP never propagates itself but one `XCLAIM key group consumer 0
 * id TIME ms RETRYCOUNT 1 FORCE JUSTID LASTID last-id` per entry a `>` read
 * makes pending, `XGROUP SETID key group last-id ENTRIESREAD n` when a NOACK
 * read moved the group's last ID, and `XGROUP CREATECONSUMER key group
 * consumer` when a NOACK read created the consumer; served after blocking,
 * the same as a unit of its own. XGROUP and XACK propagate as sent when
 * they change something.
 *
 * Changes (`rdb_changes_since_last_save`) as Redis 7.0.15 counts them:
 * XREADGROUP one per stream it answers at once plus one per consumer it
 * creates (woken, only the consumer); XACK one per entry acknowledged;
 * XGROUP CREATE, SETID, DESTROY, CREATECONSUMER and DELCONSUMER one when
 * they change something. As in Redis, XREADGROUP and XACK raise no
 * modified-key signal (WATCH and client tracking do not see them), and
 * neither do the XGROUP subcommands, except CREATE with MKSTREAM creating
 * the key.
 *
 * Keyspace events (class `t`): `xgroup-create`, `xgroup-setid`,
 * `xgroup-destroy`, `xgroup-createconsumer` (XGROUP CREATECONSUMER, and
 * XREADGROUP creating its consumer), `xgroup-delconsumer`; MKSTREAM's new
 * key fires `new`.
 *
 * Known differences from Redis 7.0.15: none known in replies, errors,
 * effects or counts. What Redis's own effect stream leaves out is left out
 * here too (history reads' delivery counts and times, a consumer created
 * by a read that delivers nothing new, the entries-read counter of reads
 * without NOACK), so a replica differs there as a Redis replica does.
 *
 * @module
 */

import { cText, Errors, ReplyError, sanitize } from "../errors.ts";
import {
  array,
  bulk,
  bulks,
  error,
  integer,
  map,
  NIL_ARRAY,
  OK,
  type Reply,
  simple,
} from "../resp/reply.ts";
import type { Database } from "../store/database.ts";
import { StreamValue } from "../store/stream.ts";
import {
  type Consumer,
  ConsumerGroup,
  estimateEntriesRead,
  INVALID_ENTRIES_READ,
  rangeHasTombstones,
} from "../store/stream_group.ts";
import { formatId, incrId, MAX_ID, MIN_ID, type StreamId } from "../store/stream_id.ts";
import { keyword, lookupRead, lookupWrite } from "./lookup.ts";
import { type Args, type CommandContext, parseInt64 } from "./spec.ts";
import { parseStreamId } from "./stream_args.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The handlers of XREAD, XREADGROUP, XGROUP's subcommands and XACK, bound
 * by name to the command table (`table.json`), which gives each its arity,
 * flags, key specs and docs.
 */
export const STREAM_READ_HANDLERS: HandlerTable = {
  xread,
  xreadgroup,
  xack,
  "xgroup|create": xgroupCreate,
  "xgroup|setid": xgroupSetid,
  "xgroup|destroy": xgroupDestroy,
  "xgroup|createconsumer": xgroupCreateConsumer,
  "xgroup|delconsumer": xgroupDelConsumer,
  "xgroup|help": xgroupHelp,
};

/**
 * The error texts of this group, verbatim from Redis 7.0.15 (the ones
 * shared with other groups are in `src/errors.ts`).
 *
 * @example
 * ```ts
 * import { StreamReadErrors } from "./stream_read.ts";
 * console.assert(StreamReadErrors.busyGroup === "BUSYGROUP Consumer Group name already exists");
 * ```
 */
export const StreamReadErrors = {
  /** XREAD / XREADGROUP (both) with an odd number of arguments after STREAMS. */
  unbalanced:
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
  groupOnlyXreadgroup:
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
  noackOnlyXreadgroup:
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
  missingGroup: "ERR Missing GROUP option for XREADGROUP",
  /** XREADGROUP on a missing key or group. */
  noGroupRead: (key: string, group: string): string =>
    sanitize(
      `NOGROUP No such key '${cText(key)}' or consumer group '${
        cText(group)
      }' in XREADGROUP with GROUP option`,
    ),
  dollarInXreadgroup:
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
  greaterOnlyXreadgroup:
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
  /** A blocked XREADGROUP whose group was destroyed. */
  groupGone: "NOGROUP the consumer group this client was blocked on no longer exists",
  /** A blocked XREADGROUP whose key was deleted or overwritten. */
  keyGone: "UNBLOCKED the stream key no longer exists",
  /** XGROUP on a missing key (without MKSTREAM). */
  keyRequired:
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
  /** XGROUP SETID, CREATECONSUMER, DELCONSUMER on a missing group. */
  noGroup: (group: string, key: string): string =>
    sanitize(`NOGROUP No such consumer group '${cText(group)}' for key name '${cText(key)}'`),
  busyGroup: "BUSYGROUP Consumer Group name already exists",
  entriesRead: "ERR value for ENTRIESREAD must be positive or -1",
} as const;

/** XREAD's COUNT for a client that blocks without one (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/**
 * Whether XREADGROUP propagates XGROUP SETID only under NOACK (otherwise
 * the XCLAIMs' LASTID carries the group's last ID).
 */
const SETID_ONLY_NOACK = true;
/** Whether XGROUP CREATE refuses `-` and `+` as its ID (streamParseStrictIDOrReply). */
const CREATE_STRICT = true;

// ---------------------------------------------------------------- XREAD / XREADGROUP

/** What XREAD and XREADGROUP asked for. */
interface ReadRequest {
  /** XREADGROUP's group and consumer; undefined for XREAD. */
  readonly group: string | undefined;
  readonly consumer: string;
  /** COUNT, 0 for no limit. */
  readonly count: number;
  /** BLOCK in ms (0: forever), undefined without BLOCK. */
  readonly block: number | undefined;
  readonly noack: boolean;
  /** Index of the first key. */
  readonly streamsAt: number;
  /** Number of streams. */
  readonly streams: number;
}

/** XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] */
function xread(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return xreadGeneric(ctx, args, false);
}

/**
 * XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds]
 * [NOACK] STREAMS key [key ...] id [id ...]
 */
function xreadgroup(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return xreadGeneric(ctx, args, true);
}

/** Parses XREAD / XREADGROUP's options in Redis's order, each with its error. */
function parseRead(args: Args, xreadgroup: boolean, script = false): ReadRequest {
  let block: number | undefined;
  let count = 0;
  let streamsAt = 0;
  let streams = 0;
  let noack = false;
  let group: string | undefined;
  let consumer = "";
  const argc = args.length;
  for (let i = 1; i < argc; i++) {
    const more = argc - i - 1;
    const o = keyword(args.get(i));
    if (o === "BLOCK" && more > 0) {
      // no sense blocking in a script (Redis refuses it there, by the name as sent)
      if (script) {
        throw new ReplyError(
          `ERR ${args.get(0)} command is not allowed with BLOCK option from scripts`,
        );
      }
      i++;
      block = parseBlock(args.get(i));
    } else if (o === "COUNT" && more > 0) {
      i++;
      const n = parseInt64(args.get(i));
      if (n === null) throw new ReplyError(Errors.notInteger);
      count = n < 0n
        ? 0
        : n > BigInt(Number.MAX_SAFE_INTEGER)
        ? Number.MAX_SAFE_INTEGER
        : Number(n);
    } else if (o === "STREAMS" && more > 0) {
      streamsAt = i + 1;
      const n = argc - streamsAt;
      if (n % 2 !== 0) throw new ReplyError(StreamReadErrors.unbalanced);
      streams = n / 2;
      break;
    } else if (o === "GROUP" && more >= 2) {
      if (!xreadgroup) throw new ReplyError(StreamReadErrors.groupOnlyXreadgroup);
      group = args.get(i + 1);
      consumer = args.get(i + 2);
      i += 2;
    } else if (o === "NOACK") {
      if (!xreadgroup) throw new ReplyError(StreamReadErrors.noackOnlyXreadgroup);
      noack = true;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  if (streamsAt === 0) throw new ReplyError(Errors.syntax);
  if (xreadgroup && group === undefined) throw new ReplyError(StreamReadErrors.missingGroup);
  return { group, consumer, count, block, noack, streamsAt, streams };
}

/**
 * BLOCK's milliseconds (getTimeoutFromObjectOrReply with UNIT_MILLISECONDS):
 * an integer, not negative. A huge one waits as good as forever, as in
 * Redis 7.0.15 (which checks no upper bound).
 */
function parseBlock(text: string): number {
  const ms = parseInt64(text);
  if (ms === null) throw new ReplyError(Errors.timeoutNotInteger);
  if (ms < 0n) throw new ReplyError(Errors.timeoutNegative);
  return Number(ms);
}

/** The ID a read is served after, per stream: `>` is kept as MAX_ID, as Redis does. */
const GREATER: StreamId = MAX_ID;

/** The shared body of XREAD and XREADGROUP (Redis's xreadCommand). */
function xreadGeneric(
  ctx: CommandContext,
  args: Args,
  xreadgroup: boolean,
): Reply | Promise<Reply> {
  const req = parseRead(args, xreadgroup, ctx.script);
  const { streamsAt, streams } = req;
  // XREADGROUP never propagates itself: its effects are XCLAIM / XGROUP.
  if (xreadgroup) ctx.propagation.prevent();
  const ids: StreamId[] = [];
  const groups: ConsumerGroup[] = [];
  for (let n = 0; n < streams; n++) {
    const key = args.get(streamsAt + n);
    const value = lookupRead(ctx, key);
    if (value !== undefined && (typeof value === "string" || value.type !== "stream")) {
      throw new ReplyError(Errors.wrongType);
    }
    const stream = value as StreamValue | undefined;
    if (req.group !== undefined) {
      const group = stream?.groups?.get(req.group);
      if (group === undefined) throw new ReplyError(StreamReadErrors.noGroupRead(key, req.group));
      groups.push(group);
    }
    const idArg = args.get(streamsAt + streams + n);
    const symbol = cText(idArg);
    if (symbol === "$") {
      if (xreadgroup) throw new ReplyError(StreamReadErrors.dollarInXreadgroup);
      ids.push(stream === undefined ? MIN_ID : stream.lastId);
    } else if (symbol === ">") {
      if (!xreadgroup) throw new ReplyError(StreamReadErrors.greaterOnlyXreadgroup);
      ids.push(GREATER);
    } else {
      ids.push(parseStreamId(idArg, "min", true));
    }
  }

  // Serve what can be served now.
  const served: [string, Reply][] = [];
  for (let n = 0; n < streams; n++) {
    const key = args.get(streamsAt + n);
    const stream = lookupRead(ctx, key) as StreamValue | undefined;
    if (stream === undefined) continue;
    let gt = ids[n]!;
    let now = false;
    let history = false;
    let consumer: Consumer | undefined;
    const group = groups[n];
    if (group !== undefined) {
      if (gt !== GREATER) {
        now = true;
        history = true;
      } else if (hasEntriesAfter(stream, group.lastId)) {
        now = true;
        gt = group.lastId;
      }
    } else if (hasEntriesAfter(stream, gt)) {
      now = true;
    }
    if (!now) continue;
    const start = incrId(gt) ?? MIN_ID;
    // The consumer is looked up (or created) only for a stream served now.
    if (group !== undefined) {
      consumer = readConsumer(ctx, ctx.db, key, group, req.consumer, req.noack);
    }
    let entries: Reply;
    if (history) {
      entries = historyReply(ctx, stream, start, req.count, consumer!);
    } else {
      entries = rangeReply(ctx, ctx.db, stream, start, req.count, key, group, consumer, req.noack);
    }
    served.push([key, entries]);
    if (group !== undefined) {
      ctx.countChanges(1);
      ctx.db.resized(key);
    }
  }
  if (served.length > 0) return readReply(ctx, served);

  if (req.block === undefined || ctx.inExec) return NIL_ARRAY;
  return blockRead(ctx, args, req, ids);
}

/**
 * Whether the stream's last live entry is past `gt` (Redis compares
 * streamLastValidID): the last generated ID is checked first, as no entry
 * is past it, so a read with nothing new does not look for the last entry.
 */
function hasEntriesAfter(stream: StreamValue, gt: StreamId): boolean {
  if (stream.length === 0 || !(stream.lastId > gt)) return false;
  return stream.lastEntryId()! > gt;
}

/**
 * Finds or creates XREADGROUP's consumer and marks it seen: a new one
 * counts a change and fires `xgroup-createconsumer`; created under NOACK it
 * propagates as XGROUP CREATECONSUMER (no XCLAIM will create it).
 */
function readConsumer(
  ctx: CommandContext,
  db: Database,
  key: string,
  group: ConsumerGroup,
  name: string,
  noack: boolean,
): Consumer {
  const now = Math.floor(ctx.now());
  let consumer = group.consumer(name);
  if (consumer === undefined) {
    consumer = group.createConsumer(name, now);
    ctx.countChanges(1);
    ctx.notify("t", "xgroup-createconsumer", key, db);
    if (noack && ctx.propagation.active) {
      ctx.propagation.add(db.id, ["XGROUP", "CREATECONSUMER", key, group.name, name]);
    }
  }
  consumer.seenTime = now;
  return consumer;
}

/** XREAD's reply: an array of [key, entries] pairs in RESP2, a map in RESP3. */
function readReply(ctx: CommandContext, served: readonly [string, Reply][]): Reply {
  if (ctx.resp === 3) {
    return map(served.map(([key, entries]): [Reply, Reply] => [bulk(key), entries]));
  }
  return array(served.map(([key, entries]) => array([bulk(key), entries])));
}

/** One entry as the stream replies give it: [id, [field, value, ...]]. */
function entryReply(id: StreamId, fields: readonly string[]): Reply {
  return array([bulk(formatId(id)), bulks(fields)]);
}

/**
 * Redis's streamReplyWithRange from `start` to the end, at most `count`
 * entries (0: all). With a group (a `>` read), every entry past the
 * group's last ID moves it (and its entries-read counter, as 7.0 keeps
 * it); unless NOACK each entry becomes pending for the consumer (an entry
 * already pending, after XGROUP SETID moved the group back, is given to
 * this consumer with its count reset) and propagates as an XCLAIM; a last
 * ID moved under NOACK propagates as XGROUP SETID.
 */
function rangeReply(
  ctx: CommandContext,
  db: Database,
  stream: StreamValue,
  start: StreamId,
  count: number,
  key: string,
  group: ConsumerGroup | undefined,
  consumer: Consumer | undefined,
  noack: boolean,
): Reply {
  const out: Reply[] = [];
  const propagation = ctx.propagation;
  const propagating = propagation.active;
  let movedLastId = false;
  const now = Math.floor(ctx.now());
  for (const [id, fields] of stream.range(start, MAX_ID)) {
    if (group !== undefined && id > group.lastId) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(stream, id)) {
        group.entriesRead++;
      } else if (stream.entriesAdded !== 0n) {
        group.entriesRead = estimateEntriesRead(stream, id);
      }
      group.lastId = id;
      if (noack || !SETID_ONLY_NOACK) movedLastId = true;
    }
    out.push(entryReply(id, fields));
    if (group !== undefined && !noack) {
      const entry = group.deliver(id, consumer!, now);
      if (propagating) {
        propagation.add(db.id, [
          "XCLAIM",
          key,
          group.name,
          consumer!.name,
          "0",
          formatId(id),
          "TIME",
          String(entry.deliveryTime),
          "RETRYCOUNT",
          entry.deliveryCount.toString(),
          "FORCE",
          "JUSTID",
          "LASTID",
          formatId(group.lastId),
        ]);
      }
    }
    if (count !== 0 && out.length === count) break;
  }
  if (movedLastId && propagating) {
    propagation.add(db.id, [
      "XGROUP",
      "SETID",
      key,
      group!.name,
      formatId(group!.lastId),
      "ENTRIESREAD",
      group!.entriesRead.toString(),
    ]);
  }
  return array(out);
}

/**
 * Redis's streamReplyWithRangeFromConsumerPEL: the consumer's own pending
 * entries from `start` on (at most `count`, 0: all); one deleted from the
 * stream is given as [id, nil]; the others are delivered again (their
 * delivery time and count move; nothing propagates, as in Redis).
 */
function historyReply(
  ctx: CommandContext,
  stream: StreamValue,
  start: StreamId,
  count: number,
  consumer: Consumer,
): Reply {
  const out: Reply[] = [];
  const now = Math.floor(ctx.now());
  for (const [id, entry] of consumer.pending.range(start, MAX_ID)) {
    if (count !== 0 && out.length >= count) break;
    const fields = stream.get(id);
    if (fields === undefined) {
      out.push(array([bulk(formatId(id)), NIL_ARRAY]));
    } else {
      out.push(entryReply(id, fields));
      entry.deliveryTime = now;
      entry.deliveryCount = BigInt.asUintN(64, entry.deliveryCount + 1n);
    }
  }
  return array(out);
}

/**
 * Blocks an XREAD / XREADGROUP that found nothing: it waits on every key
 * (the first ID given for a key repeated wins, as in Redis) and is served
 * from the first of them to get entries past its ID.
 */
function blockRead(
  ctx: CommandContext,
  args: Args,
  req: ReadRequest,
  ids: readonly StreamId[],
): Promise<Reply> {
  const db = ctx.db;
  const keys: string[] = [];
  const after = new Map<string, StreamId>();
  for (let n = 0; n < req.streams; n++) {
    const key = args.get(req.streamsAt + n);
    keys.push(key);
    if (!after.has(key)) after.set(key, ids[n]!);
  }
  const count = req.count !== 0 ? req.count : BLOCKED_DEFAULT_COUNT;
  const groupName = req.group;
  return ctx.blocking.block(ctx, {
    db,
    keys,
    timeoutMs: req.block!,
    serve: (key) => {
      const value = db.get(key);
      if (value === undefined || typeof value === "string" || value.type !== "stream") {
        // A deleted or retyped key ends XREADGROUP's wait; XREAD keeps waiting.
        return groupName === undefined ? undefined : error(StreamReadErrors.keyGone);
      }
      const stream = value as StreamValue;
      let gt = after.get(key)!;
      let group: ConsumerGroup | undefined;
      if (groupName !== undefined) {
        group = stream.groups?.get(groupName);
        if (group === undefined) return error(StreamReadErrors.groupGone);
        gt = group.lastId;
        after.set(key, gt);
      }
      if (!(stream.lastId > gt)) return undefined;
      const start = incrId(gt) ?? MIN_ID;
      let consumer: Consumer | undefined;
      if (group !== undefined) {
        consumer = readConsumer(ctx, db, key, group, req.consumer, req.noack);
      }
      const entries = rangeReply(ctx, db, stream, start, count, key, group, consumer, req.noack);
      return readReply(ctx, [[key, entries]]);
    },
  });
}

// ---------------------------------------------------------------- XACK

/** XACK key group id [id ...] */
function xack(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const value = lookupRead(ctx, key);
  if (value === undefined) return integer(0);
  if (typeof value === "string" || value.type !== "stream") throw new ReplyError(Errors.wrongType);
  const group = (value as StreamValue).groups?.get(args.get(2));
  if (group === undefined) return integer(0);
  // All IDs are parsed before any is acknowledged: all or nothing.
  const ids: StreamId[] = [];
  for (let i = 3; i < args.length; i++) ids.push(parseStreamId(args.get(i), "min", true));
  let acked = 0;
  for (const id of ids) if (group.acknowledge(id)) acked++;
  if (acked > 0) {
    ctx.countChanges(acked);
    ctx.db.resized(key);
  }
  return integer(acked);
}

// ---------------------------------------------------------------- XGROUP

/** What the XGROUP subcommands share: the stream and the group looked up. */
interface GroupTarget {
  readonly key: string;
  readonly stream: StreamValue | undefined;
  readonly name: string;
  readonly group: ConsumerGroup | undefined;
}

/**
 * The lookups every XGROUP subcommand but HELP starts with, in Redis's
 * order: WRONGTYPE; a missing key (unless MKSTREAM); a missing group for
 * the subcommands that need one.
 */
function groupTarget(
  ctx: CommandContext,
  args: Args,
  mkstream: boolean,
  needsGroup: boolean,
): GroupTarget {
  const key = args.get(2);
  const name = args.get(3);
  const value = lookupWrite(ctx, key);
  if (value !== undefined && (typeof value === "string" || value.type !== "stream")) {
    throw new ReplyError(Errors.wrongType);
  }
  const stream = value as StreamValue | undefined;
  let group: ConsumerGroup | undefined;
  if (!mkstream) {
    if (stream === undefined) throw new ReplyError(StreamReadErrors.keyRequired);
    group = stream.groups?.get(name);
    if (group === undefined && needsGroup) {
      throw new ReplyError(StreamReadErrors.noGroup(name, key));
    }
  }
  return { key, stream, name, group };
}

/** The subcommand syntax error (addReplySubcommandSyntaxError). */
function subcommandSyntax(args: Args): ReplyError {
  return new ReplyError(Errors.unknownSubcommandOrArgs(cText(args.get(1)), args.get(0)));
}

/** An ENTRIESREAD value: an integer, positive or -1. */
function parseEntriesRead(text: string): bigint {
  const n = parseInt64(text);
  if (n === null) throw new ReplyError(Errors.notInteger);
  if (n < 0n && n !== INVALID_ENTRIES_READ) throw new ReplyError(StreamReadErrors.entriesRead);
  return n;
}

/** What XGROUP CREATE and SETID take after the ID. */
interface GroupOptions {
  readonly mkstream: boolean;
  readonly entriesRead: bigint;
}

/**
 * The options after XGROUP CREATE's and SETID's ID, parsed before anything
 * is looked up (MKSTREAM for CREATE only; ENTRIESREAD for both): anything
 * else is the subcommand syntax error.
 */
function parseGroupOptions(args: Args, create: boolean): GroupOptions {
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  const argc = args.length;
  for (let i = 5; i < argc;) {
    const o = keyword(args.get(i));
    if (create && o === "MKSTREAM") {
      mkstream = true;
      i++;
    } else if (o === "ENTRIESREAD" && i + 1 < argc) {
      entriesRead = parseEntriesRead(args.get(i + 1));
      i += 2;
    } else {
      throw subcommandSyntax(args);
    }
  }
  return { mkstream, entriesRead };
}

/** XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read] */
function xgroupCreate(ctx: CommandContext, args: Args): Reply {
  const { mkstream, entriesRead } = parseGroupOptions(args, true);
  const target = groupTarget(ctx, args, mkstream, false);
  if (args.length > 8) throw subcommandSyntax(args);
  let stream = target.stream;
  const idArg = args.get(4);
  const id = cText(idArg) === "$"
    ? (stream?.lastId ?? MIN_ID)
    : parseStreamId(idArg, "min", CREATE_STRICT);
  if (stream === undefined) {
    // MKSTREAM: the new key counts no change of its own (dbAdd).
    stream = new StreamValue();
    ctx.db.set(target.key, stream, false, 0);
  }
  const groups = stream.groups ??= new Map();
  if (groups.has(target.name)) throw new ReplyError(StreamReadErrors.busyGroup);
  groups.set(target.name, new ConsumerGroup(target.name, id, entriesRead));
  ctx.countChanges(1);
  ctx.db.resized(target.key);
  ctx.notify("t", "xgroup-create", target.key);
  return OK;
}

/** XGROUP SETID key group id|$ [ENTRIESREAD entries-read] */
function xgroupSetid(ctx: CommandContext, args: Args): Reply {
  const { entriesRead } = parseGroupOptions(args, false);
  const target = groupTarget(ctx, args, false, true);
  const argc = args.length;
  if (argc !== 5 && argc !== 7) throw subcommandSyntax(args);
  const idArg = args.get(4);
  const id = cText(idArg) === "$" ? target.stream!.lastId : parseStreamId(idArg, "min");
  const group = target.group!;
  group.lastId = id;
  group.entriesRead = entriesRead;
  ctx.countChanges(1);
  ctx.db.resized(target.key);
  ctx.notify("t", "xgroup-setid", target.key);
  return OK;
}

/** XGROUP DESTROY key group */
function xgroupDestroy(ctx: CommandContext, args: Args): Reply {
  const target = groupTarget(ctx, args, false, false);
  if (target.group === undefined) return integer(0);
  target.stream!.groups!.delete(target.name);
  ctx.countChanges(1);
  ctx.db.resized(target.key);
  ctx.notify("t", "xgroup-destroy", target.key);
  // Clients blocked in XREADGROUP on this group get NOGROUP.
  ctx.blocking.signal(ctx.db, target.key);
  return integer(1);
}

/** XGROUP CREATECONSUMER key group consumer */
function xgroupCreateConsumer(ctx: CommandContext, args: Args): Reply {
  const target = groupTarget(ctx, args, false, true);
  const group = target.group!;
  const name = args.get(4);
  if (group.consumer(name) !== undefined) return integer(0);
  group.createConsumer(name, Math.floor(ctx.now()));
  ctx.countChanges(1);
  ctx.db.resized(target.key);
  ctx.notify("t", "xgroup-createconsumer", target.key);
  return integer(1);
}

/** XGROUP DELCONSUMER key group consumer */
function xgroupDelConsumer(ctx: CommandContext, args: Args): Reply {
  const target = groupTarget(ctx, args, false, true);
  const group = target.group!;
  const name = args.get(4);
  if (group.consumer(name) === undefined) return integer(0);
  const pending = group.deleteConsumer(name);
  ctx.countChanges(1);
  ctx.db.resized(target.key);
  ctx.notify("t", "xgroup-delconsumer", target.key);
  return integer(pending);
}

const XGROUP_HELP: readonly string[] = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Prints this help.",
];

/** XGROUP HELP */
function xgroupHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(XGROUP_HELP.map(simple));
}
