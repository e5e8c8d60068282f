/**
 * The stream group's consumer-group inspection and recovery commands:
 * XPENDING (summary and extended forms, IDLE, exclusive bounds, a
 * consumer filter), XCLAIM (IDLE, TIME, RETRYCOUNT, FORCE, JUSTID,
 * LASTID), XAUTOCLAIM (COUNT, JUSTID, the cursor and the deleted IDs of
 * Redis 7.0), and XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO
 * CONSUMERS and XINFO HELP, with the fields and reply shapes of Redis
 * 7.0.15 (RESP2 arrays, RESP3 maps).
 *
 * Claiming follows t_stream.c: an entry still pending but deleted from the
 * stream leaves the PEL (XAUTOCLAIM lists it, and counts it against
 * COUNT); a pending entry claimed moves to the claiming consumer, with its
 * delivery time set (now, or as IDLE / TIME say, clamped to now) and its
 * delivery count incremented (unless JUSTID) or set (RETRYCOUNT); FORCE
 * creates a pending entry for an entry of the stream nobody holds. The
 * claiming consumer is looked up (its seen time refreshed) or created
 * (`xgroup-createconsumer`, the only keyspace event these commands fire)
 * on the first claim only: a claim that takes nothing creates nothing.
 * Times come from the server clock (`ctx.now()`).
 *
 * Propagation is Redis's: the command itself never propagates; each PEL
 * change propagates as one idempotent `XCLAIM key group consumer 0 id TIME
 * ms RETRYCOUNT n FORCE JUSTID LASTID last-delivered-id` (Redis's
 * streamPropagateXCLAIM; XCLAIM keeps the ID as the client wrote it,
 * XAUTOCLAIM writes `ms-seq`), a pending entry whose stream entry is gone
 * propagates the same way (the replica's XCLAIM finds the entry missing and
 * drops it), and a LASTID that moved the group's last ID with nothing
 * claimed propagates `XGROUP SETID key group id ENTRIESREAD n`. Each of
 * these counts one change, and so does the creation of a consumer. As in
 * Redis, the PEL changes raise no modified-key signal: WATCH and client
 * tracking do not see them.
 *
 * Known differences from Redis 7.0.15:
 * - XINFO STREAM's `radix-tree-keys` and `radix-tree-nodes` are those of
 *   resplite's own node structure (see `src/store/stream.ts`), which
 *   mirrors Redis's listpack nodes (the differential tests find them
 *   equal); `recorded-first-entry-id` is the first live entry (0-0 when
 *   empty), which is what Redis records after adds, deletes and trims.
 * - Redis's XAUTOCLAIM allocates a buffer of COUNT IDs up front and answers
 *   `Insufficient memory` when its allocator refuses it; resplite
 *   allocates nothing per COUNT and answers that error where a fresh
 *   stock 7.0.15 (jemalloc) does, above 5 * 2^40 IDs. A Redis whose
 *   address space already holds large allocations, built with another
 *   allocator or without overcommit, refuses smaller counts.
 *
 * @module
 */

import { cText, ReplyError, sanitize } from "../errors.ts";
import {
  array,
  bulk,
  bulks,
  EMPTY_ARRAY,
  integer,
  map,
  NIL,
  NIL_ARRAY,
  type Reply,
  simple,
} from "../resp/reply.ts";
import type { StreamValue } from "../store/stream.ts";
import { formatId, MAX_ID, MIN_ID, type StreamId } from "../store/stream_id.ts";
import {
  type Consumer,
  type ConsumerGroup,
  groupLag,
  INVALID_ENTRIES_READ,
  type PendingEntry,
  sortedConsumers,
  sortedGroups,
} from "../store/stream_group.ts";
import { keyword, lookupRead, readTyped } from "./lookup.ts";
import { parseRangeBound, parseStreamId } from "./stream_args.ts";
import { type Args, type CommandContext, parseInt64 } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The handlers of XPENDING, XCLAIM, XAUTOCLAIM and XINFO's subcommands,
 * bound by name to the command table (`table.json`), which gives each its
 * arity, flags, key specs and docs.
 */
export const STREAM_INFO_HANDLERS: HandlerTable = {
  xpending,
  xclaim,
  xautoclaim,
  "xinfo|stream": xinfoStream,
  "xinfo|groups": xinfoGroups,
  "xinfo|consumers": xinfoConsumers,
  "xinfo|help": xinfoHelp,
};

// ---------------------------------------------------------------------------
// Error texts (verbatim from Redis 7.0.15)

/**
 * The error texts of XPENDING, XCLAIM, XAUTOCLAIM and XINFO, byte for byte
 * as Redis 7.0.15 sends them.
 *
 * @example
 * ```ts
 * import { StreamInfoErrors } from "./stream_info.ts";
 * console.assert(StreamInfoErrors.noGroup("k", "g") === "NOGROUP No such key 'k' or consumer group 'g'");
 * ```
 */
export const StreamInfoErrors = {
  /** XPENDING, XCLAIM, XAUTOCLAIM on a missing key or group. */
  noGroup: (key: string, group: string): string =>
    sanitize(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}'`),
  /** XINFO CONSUMERS on a missing group. */
  noGroupForKey: (group: string, key: string): string =>
    sanitize(`NOGROUP No such consumer group '${cText(group)}' for key name '${cText(key)}'`),
  xclaimMinIdle: "ERR Invalid min-idle-time argument for XCLAIM",
  xautoclaimMinIdle: "ERR Invalid min-idle-time argument for XAUTOCLAIM",
  xclaimIdle: "ERR Invalid IDLE option argument for XCLAIM",
  xclaimTime: "ERR Invalid TIME option argument for XCLAIM",
  xclaimRetryCount: "ERR Invalid RETRYCOUNT option argument for XCLAIM",
  xclaimOption: (option: string): string =>
    sanitize(`ERR Unrecognized XCLAIM option '${cText(option)}'`),
  xautoclaimCount: "ERR COUNT must be > 0",
  /** XAUTOCLAIM with a COUNT whose ID buffer Redis's allocator refuses. */
  xautoclaimMemory: "ERR Insufficient memory, failed allocating transient memory, COUNT too high.",
  syntax: "ERR syntax error",
  notInteger: "ERR value is not an integer or out of range",
  noSuchKey: "ERR no such key",
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  /** XINFO STREAM with options other than FULL [COUNT n]. */
  subcommandSyntax: (sub: string, container: string): string =>
    sanitize(
      `ERR unknown subcommand or wrong number of arguments for '${
        cText(sub).slice(0, 128)
      }'. Try ${container.toUpperCase()} HELP.`,
    ),
} as const;

// ---------------------------------------------------------------------------
// Shared helpers

/** Redis's LONG_MAX / max(sizeof(streamID), 10): XAUTOCLAIM's COUNT limit. */
const XAUTOCLAIM_MAX_COUNT = ((1n << 63n) - 1n) / 16n;
/**
 * The largest COUNT whose buffer of deleted IDs (16 bytes each) a fresh
 * Redis 7.0.15 (jemalloc, 47-bit address space) allocates: 1.25 * 2^46
 * bytes is the largest size class that fits.
 */
const XAUTOCLAIM_MAX_ALLOC_COUNT = 5n << 40n;
/** XAUTOCLAIM's default COUNT. */
const XAUTOCLAIM_DEFAULT_COUNT = 100n;
/** XAUTOCLAIM visits at most this many PEL entries per entry it may claim. */
const XAUTOCLAIM_ATTEMPTS_FACTOR = 10n;
/** XINFO STREAM FULL's default COUNT. */
const XINFO_FULL_DEFAULT_COUNT = 10;
const U64_MASK = (1n << 64n) - 1n;

/** An ID reply: `ms-seq` as a bulk string. */
function idReply(id: StreamId): Reply {
  return bulk(formatId(id));
}

/** A stream entry reply: its ID, then its fields and values in one flat array. */
function entryReply(id: StreamId, fields: readonly string[]): Reply {
  return array([idReply(id), bulks(fields)]);
}

/** An int64 reply of a uint64 counter, as Redis's addReplyLongLong prints one. */
function int64Reply(value: bigint): Reply {
  const v = BigInt.asIntN(64, value);
  return integer(v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);
}

/** A 64-bit integer argument as getLongLongFromObjectOrReply reads it. */
function int64Arg(text: string, message: string): bigint {
  const v = parseInt64(text);
  if (v === null) throw new ReplyError(message);
  return v;
}

/** The stream and group named by a claim or XPENDING: NOGROUP when either is missing. */
function groupOf(
  key: string,
  groupName: string,
  stream: StreamValue | undefined,
): ConsumerGroup {
  const group = stream?.groups?.get(groupName);
  if (group === undefined) throw new ReplyError(StreamInfoErrors.noGroup(key, groupName));
  return group;
}

/** WRONGTYPE unless the value looked up is a stream (or nothing). */
function asStream(value: ReturnType<typeof lookupRead>): StreamValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" || value.type !== "stream") {
    throw new ReplyError(StreamInfoErrors.wrongType);
  }
  return value as StreamValue;
}

/**
 * The claiming consumer (Redis's lookup with the seen-time refresh, or its
 * creation: one change and `xgroup-createconsumer`).
 */
function claimer(
  ctx: CommandContext,
  key: string,
  group: ConsumerGroup,
  name: string,
  now: number,
): Consumer {
  const found = group.consumer(name);
  if (found !== undefined) {
    found.seenTime = now;
    return found;
  }
  const created = group.createConsumer(name, now);
  ctx.countChanges(1);
  ctx.notify("t", "xgroup-createconsumer", key);
  return created;
}

/**
 * Redis's streamPropagateXCLAIM: the idempotent XCLAIM that gives a
 * replica the pending entry's state (or, for an entry gone from the
 * stream, drops it there).
 */
function xclaimEffect(
  key: string,
  groupName: string,
  group: ConsumerGroup,
  idText: string,
  entry: PendingEntry,
): string[] {
  return [
    "XCLAIM",
    key,
    groupName,
    entry.consumer.name,
    "0",
    idText,
    "TIME",
    String(entry.deliveryTime),
    "RETRYCOUNT",
    String(BigInt.asIntN(64, entry.deliveryCount)),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(group.lastId),
  ];
}

/**
 * After a claim: the changes counted, the effects recorded in place of the
 * command (nothing when there are none, as Redis's
 * preventCommandPropagation).
 */
function claimed(
  ctx: CommandContext,
  key: string,
  changes: number,
  effects: readonly string[][],
): void {
  if (changes > 0) {
    ctx.countChanges(changes);
    ctx.db.resized(key);
  }
  const propagation = ctx.propagation;
  if (propagation.active) propagation.rewrite(...effects);
}

// ---------------------------------------------------------------------------
// XPENDING

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpending(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) throw new ReplyError(StreamInfoErrors.syntax);
  let start = MIN_ID;
  let end = MAX_ID;
  let count = 0n;
  let minIdle = 0n;
  let consumerName: string | undefined;
  if (argc >= 6) {
    let at = 3;
    if (keyword(argv[3]!) === "IDLE") {
      minIdle = int64Arg(argv[4]!, StreamInfoErrors.notInteger);
      if (argc < 8) throw new ReplyError(StreamInfoErrors.syntax);
      at += 2;
    }
    count = int64Arg(argv[at + 2]!, StreamInfoErrors.notInteger);
    if (count < 0n) count = 0n;
    start = parseRangeBound(argv[at]!, "min").id;
    end = parseRangeBound(argv[at + 1]!, "max").id;
    if (at + 3 < argc) consumerName = argv[at + 3]!;
  }
  const key = argv[1]!;
  const group = groupOf(key, argv[2]!, readTyped<StreamValue>(ctx, key, "stream"));
  if (argc === 3) return pendingSummary(group);
  let pel = group.pending;
  if (consumerName !== undefined) {
    const consumer = group.consumer(consumerName);
    if (consumer === undefined) return EMPTY_ARRAY;
    pel = consumer.pending;
  }
  if (count === 0n) return EMPTY_ARRAY;
  const now = ctx.now();
  const out: Reply[] = [];
  for (const [id, entry] of pel.range(start, end)) {
    const idle = now - entry.deliveryTime;
    if (minIdle !== 0n && BigInt(idle) < minIdle) continue;
    out.push(array([
      idReply(id),
      bulk(entry.consumer.name),
      integer(idle < 0 ? 0 : idle),
      int64Reply(entry.deliveryCount),
    ]));
    if (BigInt(out.length) >= count) break;
  }
  return array(out);
}

/** XPENDING key group: the count, the lowest and highest IDs, the count per consumer. */
function pendingSummary(group: ConsumerGroup): Reply {
  const pel = group.pending;
  const first = pel.first();
  const last = pel.last();
  if (first === undefined || last === undefined) return array([integer(0), NIL, NIL, NIL_ARRAY]);
  const consumers: Reply[] = [];
  for (const consumer of sortedConsumers(group)) {
    const n = consumer.pending.size;
    if (n > 0) consumers.push(bulks([consumer.name, String(n)]));
  }
  return array([integer(pel.size), idReply(first[0]), idReply(last[0]), array(consumers)]);
}

// ---------------------------------------------------------------------------
// XCLAIM

/**
 * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
 * [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID]
 * [LASTID lastid]
 */
function xclaim(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const groupName = argv[2]!;
  const stream = readTyped<StreamValue>(ctx, key, "stream");
  const group = groupOf(key, groupName, stream);
  let minIdle = int64Arg(argv[4]!, StreamInfoErrors.xclaimMinIdle);
  if (minIdle < 0n) minIdle = 0n;
  // The IDs run until the first argument that is not one: the options follow.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = strictId(argv[j]!);
    if (id === undefined) break;
    ids.push(id);
  }
  const now = ctx.now();
  let deliveryTime: bigint | undefined;
  let retryCount = -1n;
  let force = false;
  let justId = false;
  let lastId = MIN_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = keyword(argv[j]!);
    if (option === "FORCE") {
      force = true;
    } else if (option === "JUSTID") {
      justId = true;
    } else if (option === "IDLE" && more > 0) {
      deliveryTime = BigInt(now) - int64Arg(argv[++j]!, StreamInfoErrors.xclaimIdle);
    } else if (option === "TIME" && more > 0) {
      deliveryTime = int64Arg(argv[++j]!, StreamInfoErrors.xclaimTime);
    } else if (option === "RETRYCOUNT" && more > 0) {
      retryCount = int64Arg(argv[++j]!, StreamInfoErrors.xclaimRetryCount);
    } else if (option === "LASTID" && more > 0) {
      lastId = parseStreamId(argv[++j]!, "min", true);
    } else {
      throw new ReplyError(StreamInfoErrors.xclaimOption(argv[j]!));
    }
  }
  // Everything parsed: from here on the command runs to its end.
  let changes = 0;
  let lastIdMoved = false;
  if (lastId > group.lastId) {
    group.lastId = lastId;
    lastIdMoved = true;
  }
  // A time in the future or before the epoch is taken as now.
  const time = deliveryTime === undefined || deliveryTime < 0n || deliveryTime > BigInt(now)
    ? now
    : Number(deliveryTime);
  const effects: string[][] = [];
  const out: Reply[] = [];
  let consumer: Consumer | undefined;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const idText = argv[5 + i]!;
    let entry = group.pending.get(id);
    const fields = stream!.get(id);
    if (fields === undefined) {
      // Gone from the stream: it leaves the PEL too.
      if (entry !== undefined) {
        effects.push(xclaimEffect(key, groupName, group, idText, entry));
        changes++;
        lastIdMoved = false;
        group.acknowledge(id);
      }
      continue;
    }
    if (entry === undefined) {
      if (!force) continue;
      // FORCE creates the pending entry; no idle time to check.
      consumer ??= claimer(ctx, key, group, argv[3]!, now);
      entry = { id, consumer, deliveryTime: now, deliveryCount: 1n };
      group.pending.set(id, entry);
      consumer.pending.set(id, entry);
    } else {
      if (minIdle !== 0n && BigInt(now - entry.deliveryTime) < minIdle) continue;
      consumer ??= claimer(ctx, key, group, argv[3]!, now);
      group.reassign(entry, consumer);
    }
    entry.deliveryTime = time;
    if (retryCount >= 0n) entry.deliveryCount = retryCount;
    else if (!justId) entry.deliveryCount = (entry.deliveryCount + 1n) & U64_MASK;
    out.push(justId ? idReply(id) : entryReply(id, fields));
    effects.push(xclaimEffect(key, groupName, group, idText, entry));
    changes++;
    lastIdMoved = false;
  }
  if (lastIdMoved) {
    effects.push(setIdEffect(key, groupName, group));
    changes++;
  }
  claimed(ctx, key, changes, effects);
  return array(out);
}

/** A strict stream ID (no `-` / `+`), or undefined when the text is not one. */
function strictId(text: string): StreamId | undefined {
  try {
    return parseStreamId(text, "min", true);
  } catch {
    return undefined;
  }
}

/** Redis's streamPropagateGroupID: `XGROUP SETID key group id ENTRIESREAD n`. */
function setIdEffect(key: string, groupName: string, group: ConsumerGroup): string[] {
  return [
    "XGROUP",
    "SETID",
    key,
    groupName,
    formatId(group.lastId),
    "ENTRIESREAD",
    String(group.entriesRead),
  ];
}

// ---------------------------------------------------------------------------
// XAUTOCLAIM

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaim(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const groupName = argv[2]!;
  const found = lookupRead(ctx, key);
  let minIdle = int64Arg(argv[4]!, StreamInfoErrors.xautoclaimMinIdle);
  if (minIdle < 0n) minIdle = 0n;
  const start = parseRangeBound(argv[5]!, "min").id;
  let count = XAUTOCLAIM_DEFAULT_COUNT;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = keyword(argv[j]!);
    if (option === "COUNT" && more > 0) {
      const n = parseInt64(argv[++j]!);
      if (n === null || n < 1n || n > XAUTOCLAIM_MAX_COUNT) {
        throw new ReplyError(StreamInfoErrors.xautoclaimCount);
      }
      count = n;
    } else if (option === "JUSTID") {
      justId = true;
    } else {
      throw new ReplyError(StreamInfoErrors.syntax);
    }
  }
  const stream = asStream(found);
  const group = groupOf(key, groupName, stream);
  if (count > XAUTOCLAIM_MAX_ALLOC_COUNT) throw new ReplyError(StreamInfoErrors.xautoclaimMemory);
  const now = ctx.now();
  let attempts = count * XAUTOCLAIM_ATTEMPTS_FACTOR;
  let changes = 0;
  const effects: string[][] = [];
  const out: Reply[] = [];
  const deleted: Reply[] = [];
  let consumer: Consumer | undefined;
  let next = MIN_ID;
  // The walk goes on after the last entry visited: it is the next cursor.
  const walk = group.pending.range(start, MAX_ID);
  for (;;) {
    if (attempts === 0n || count === 0n) {
      next = walk.next().value?.[0] ?? MIN_ID;
      break;
    }
    attempts--;
    const step = walk.next();
    if (step.done) break;
    const [id, entry] = step.value;
    const fields = stream!.get(id);
    if (fields === undefined) {
      // Gone from the stream: it leaves the PEL, and the reply lists it.
      effects.push(xclaimEffect(key, groupName, group, formatId(id), entry));
      changes++;
      group.acknowledge(id);
      deleted.push(idReply(id));
      count--;
      continue;
    }
    if (minIdle !== 0n && BigInt(now - entry.deliveryTime) < minIdle) continue;
    consumer ??= claimer(ctx, key, group, argv[3]!, now);
    group.reassign(entry, consumer);
    entry.deliveryTime = now;
    if (!justId) entry.deliveryCount = (entry.deliveryCount + 1n) & U64_MASK;
    out.push(justId ? idReply(id) : entryReply(id, fields));
    count--;
    effects.push(xclaimEffect(key, groupName, group, formatId(id), entry));
    changes++;
  }
  claimed(ctx, key, changes, effects);
  return array([idReply(next), array(out), array(deleted)]);
}

// ---------------------------------------------------------------------------
// XINFO

/** The stream of an XINFO subcommand: `ERR no such key` when missing. */
function infoStream(ctx: CommandContext, key: string): StreamValue {
  const stream = readTyped<StreamValue>(ctx, key, "stream");
  if (stream === undefined) throw new ReplyError(StreamInfoErrors.noSuchKey);
  return stream;
}

/** A group's entries-read: nil when unknown. */
function entriesReadReply(group: ConsumerGroup): Reply {
  return group.entriesRead === INVALID_ENTRIES_READ ? NIL : int64Reply(group.entriesRead);
}

/** A group's lag: nil when it cannot be computed. */
function lagReply(stream: StreamValue, group: ConsumerGroup): Reply {
  const lag = groupLag(stream, group);
  return lag === undefined ? NIL : int64Reply(lag);
}

/** A map reply with bulk-string field names. */
function fieldMap(entries: readonly (readonly [string, Reply])[]): Reply {
  return map(entries.map(([name, value]) => [bulk(name), value] as const));
}

/** XINFO STREAM key [FULL [COUNT count]] */
function xinfoStream(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const stream = infoStream(ctx, argv[2]!);
  const options = argv.length - 3;
  let full = false;
  let count = XINFO_FULL_DEFAULT_COUNT;
  if (options > 0) {
    const syntax = () => new ReplyError(StreamInfoErrors.subcommandSyntax(argv[1]!, argv[0]!));
    if (options !== 1 && options !== 3) throw syntax();
    if (keyword(argv[3]!) !== "FULL") throw syntax();
    if (options === 3) {
      if (keyword(argv[4]!) !== "COUNT") throw syntax();
      const n = int64Arg(argv[5]!, StreamInfoErrors.notInteger);
      count = n < 0n
        ? XINFO_FULL_DEFAULT_COUNT
        : n > BigInt(Number.MAX_SAFE_INTEGER)
        ? 0
        : Number(n);
    }
    full = true;
  }
  const head: (readonly [string, Reply])[] = [
    ["length", integer(stream.length)],
    ["radix-tree-keys", integer(stream.radixTreeKeys)],
    ["radix-tree-nodes", integer(stream.radixTreeNodes)],
    ["last-generated-id", idReply(stream.lastId)],
    ["max-deleted-entry-id", idReply(stream.maxDeletedId)],
    ["entries-added", int64Reply(stream.entriesAdded)],
    ["recorded-first-entry-id", idReply(stream.firstId() ?? MIN_ID)],
  ];
  if (!full) {
    const first = stream.range(MIN_ID, MAX_ID).next();
    const last = stream.range(MIN_ID, MAX_ID, true).next();
    return fieldMap([
      ...head,
      ["groups", integer(stream.groups?.size ?? 0)],
      ["first-entry", first.done ? NIL : entryReply(first.value[0], first.value[1])],
      ["last-entry", last.done ? NIL : entryReply(last.value[0], last.value[1])],
    ]);
  }
  const entries: Reply[] = [];
  for (const [id, fields] of stream.range(MIN_ID, MAX_ID)) {
    if (count !== 0 && entries.length >= count) break;
    entries.push(entryReply(id, fields));
  }
  const groups = sortedGroups(stream).map((group) => fullGroup(stream, group, count));
  return fieldMap([...head, ["entries", array(entries)], ["groups", array(groups)]]);
}

/** One group of XINFO STREAM FULL: its counters, its PEL and its consumers (at most `count` of each PEL). */
function fullGroup(stream: StreamValue, group: ConsumerGroup, count: number): Reply {
  const pending: Reply[] = [];
  for (const [id, entry] of group.pending) {
    if (count !== 0 && pending.length >= count) break;
    pending.push(array([
      idReply(id),
      bulk(entry.consumer.name),
      integer(entry.deliveryTime),
      int64Reply(entry.deliveryCount),
    ]));
  }
  const consumers = sortedConsumers(group).map((consumer) => {
    const own: Reply[] = [];
    for (const [id, entry] of consumer.pending) {
      if (count !== 0 && own.length >= count) break;
      own.push(array([idReply(id), integer(entry.deliveryTime), int64Reply(entry.deliveryCount)]));
    }
    return fieldMap([
      ["name", bulk(consumer.name)],
      ["seen-time", integer(consumer.seenTime)],
      ["pel-count", integer(consumer.pending.size)],
      ["pending", array(own)],
    ]);
  });
  return fieldMap([
    ["name", bulk(group.name)],
    ["last-delivered-id", idReply(group.lastId)],
    ["entries-read", entriesReadReply(group)],
    ["lag", lagReply(stream, group)],
    ["pel-count", integer(group.pending.size)],
    ["pending", array(pending)],
    ["consumers", array(consumers)],
  ]);
}

/** XINFO GROUPS key */
function xinfoGroups(ctx: CommandContext, args: Args): Reply {
  const stream = infoStream(ctx, args.argv[2]!);
  return array(
    sortedGroups(stream).map((group) =>
      fieldMap([
        ["name", bulk(group.name)],
        ["consumers", integer(group.consumers.size)],
        ["pending", integer(group.pending.size)],
        ["last-delivered-id", idReply(group.lastId)],
        ["entries-read", entriesReadReply(group)],
        ["lag", lagReply(stream, group)],
      ])
    ),
  );
}

/** XINFO CONSUMERS key group */
function xinfoConsumers(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[2]!;
  const stream = infoStream(ctx, key);
  const group = stream.groups?.get(argv[3]!);
  if (group === undefined) throw new ReplyError(StreamInfoErrors.noGroupForKey(argv[3]!, key));
  const now = ctx.now();
  return array(
    sortedConsumers(group).map((consumer) => {
      const idle = now - consumer.seenTime;
      return fieldMap([
        ["name", bulk(consumer.name)],
        ["pending", integer(consumer.pending.size)],
        ["idle", integer(idle < 0 ? 0 : idle)],
      ]);
    }),
  );
}

const XINFO_HELP: readonly Reply[] = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Prints this help.",
].map(simple);

/** XINFO HELP */
function xinfoHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(XINFO_HELP);
}
