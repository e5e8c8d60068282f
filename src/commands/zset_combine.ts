/**
 * The sorted-set commands over several keys, and the pops: ZUNION, ZINTER,
 * ZDIFF and their STORE forms (WEIGHTS, AGGREGATE SUM / MIN / MAX,
 * WITHSCORES), ZINTERCARD (LIMIT), ZPOPMIN, ZPOPMAX, ZMPOP and the
 * blocking BZPOPMIN, BZPOPMAX and BZMPOP.
 *
 * Set algebra follows Redis 7.0.15's zunionInterDiffGenericCommand: plain
 * sets are accepted as inputs, each member scoring 1; the inputs of ZUNION
 * and ZINTER are taken smallest first (a stable order by size, which
 * decides how a SUM's floating-point additions round); a weighted score
 * that is NaN (`0 * inf`) counts as 0 for ZUNION and for ZINTER's first
 * input, a SUM that is NaN (`inf + -inf`) is 0, and MIN / MAX ignore a NaN
 * from ZINTER's other inputs, all as Redis. A *STORE result replaces its
 * destination whatever its type (and TTL) and picks its encoding by size
 * (listpack when small enough); an empty result deletes the destination.
 *
 * Blocking pops wait in the per-key queues of `blocking.ts`, as the list
 * group's BLPOP: served first come, first served when a write creates the
 * key (ZADD, ZUNIONSTORE, ...); inside MULTI they behave as their
 * non-blocking forms; a timeout (seconds, a float) answers the null array.
 *
 * Propagation follows Redis 7.0.15's AOF: ZPOPMIN / ZPOPMAX and the
 * *STORE forms go as sent; ZMPOP and BZMPOP as `ZPOPMIN|ZPOPMAX key n`
 * with the number of members popped; BZPOPMIN / BZPOPMAX as
 * `ZPOPMIN|ZPOPMAX key`; a blocked client served later by another
 * client's write is an effect of its own after that write, in the same
 * forms.
 *
 * Changes (`rdb_changes_since_last_save`) count as Redis 7.0.15 counts
 * them: one per member popped (a blocked client served later included);
 * a *STORE one when it stored or deleted its destination.
 *
 * Known differences from Redis 7.0.15:
 * - Inputs of equal size are taken in argument order. Redis sorts them
 *   with the C library's qsort, which glibc up to 2.36 (the reference
 *   build) implements as a stable merge sort, so the two agree; a Redis
 *   built on a libc with an unstable qsort may round a SUM over three or
 *   more inputs of equal size differently.
 * - Redis also checks that a listpack result stays under 1 GiB before
 *   choosing that encoding; results that large are out of reach here.
 *
 * @module
 */

import { parseTimeout } from "../blocking.ts";
import { Errors, ReplyError } from "../errors.ts";
import { array, bulk, bulks, EMPTY_ARRAY, integer, type Reply } from "../resp/reply.ts";
import type { Database } from "../store/database.ts";
import { SetValue } from "../store/set.ts";
import { type ZEntry, ZSetValue } from "../store/zset.ts";
import { formatScore, parseScore, scoreReply, WithScoresReply, zsetLimits } from "./zset_args.ts";
import { keyword, lookupRead, parseMpop, popOrBlock, writeTyped } from "./lookup.ts";
import { type Args, type CommandContext, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The group's handlers, bound by name to the command table (`table.json`),
 * which gives each its arity, flags, key specs and docs.
 */
export const ZSET_COMBINE_HANDLERS: HandlerTable = {
  zunion,
  zinter,
  zdiff,
  zunionstore,
  zinterstore,
  zdiffstore,
  zintercard,
  zpopmin,
  zpopmax,
  zmpop,
  bzpopmin,
  bzpopmax,
  bzmpop,
};

// ---------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD

/** Which set operation. */
type SetOp = "union" | "inter" | "diff";

/** How the scores of a member found in several inputs combine. */
type Aggregate = "sum" | "min" | "max";

/** One input: a sorted set, a plain set (every member scoring 1) or nothing. */
interface Source {
  readonly value: ZSetValue | SetValue | undefined;
  weight: number;
}

/** What the caller wants of the result. */
interface CombineTarget {
  /** The command's name as Redis reports it in errors (`zunionstore`). */
  readonly name: string;
  readonly op: SetOp;
  /** The index of `numkeys`. */
  readonly numkeysIndex: number;
  /** The destination of a *STORE form. */
  readonly dst?: string;
  /** ZINTERCARD: only the number of members. */
  readonly cardinality?: boolean;
}

/** ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zunion(ctx: CommandContext, args: Args): Reply {
  return combineGeneric(ctx, args, { name: "zunion", op: "union", numkeysIndex: 1 });
}

/** ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zinter(ctx: CommandContext, args: Args): Reply {
  return combineGeneric(ctx, args, { name: "zinter", op: "inter", numkeysIndex: 1 });
}

/** ZDIFF numkeys key [key ...] [WITHSCORES] */
function zdiff(ctx: CommandContext, args: Args): Reply {
  return combineGeneric(ctx, args, { name: "zdiff", op: "diff", numkeysIndex: 1 });
}

/** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zunionstore(ctx: CommandContext, args: Args): Reply {
  const dst = args.get(1);
  return combineGeneric(ctx, args, { name: "zunionstore", op: "union", numkeysIndex: 2, dst });
}

/** ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zinterstore(ctx: CommandContext, args: Args): Reply {
  const dst = args.get(1);
  return combineGeneric(ctx, args, { name: "zinterstore", op: "inter", numkeysIndex: 2, dst });
}

/** ZDIFFSTORE destination numkeys key [key ...] */
function zdiffstore(ctx: CommandContext, args: Args): Reply {
  const dst = args.get(1);
  return combineGeneric(ctx, args, { name: "zdiffstore", op: "diff", numkeysIndex: 2, dst });
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
function zintercard(ctx: CommandContext, args: Args): Reply {
  return combineGeneric(ctx, args, {
    name: "zintercard",
    op: "inter",
    numkeysIndex: 1,
    cardinality: true,
  });
}

/**
 * The set operations, as Redis's zunionInterDiffGenericCommand: numkeys,
 * then every input looked up (WRONGTYPE before any option error), then
 * the options, then the result.
 */
function combineGeneric(ctx: CommandContext, args: Args, target: CombineTarget): Reply {
  const { op, numkeysIndex, dst } = target;
  const cardinality = target.cardinality === true;
  const numkeys = parseInteger(args.get(numkeysIndex));
  if (numkeys === null) throw new ReplyError(Errors.notInteger);
  if (numkeys < 1) throw new ReplyError(Errors.zsetNumkeysNeeded(target.name));
  const firstKey = numkeysIndex + 1;
  if (numkeys > args.length - firstKey) throw new ReplyError(Errors.syntax);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    // A read lookup even for the STORE forms (keyspace hits, `keymiss`), as Redis.
    const value = lookupRead(ctx, args.get(firstKey + i));
    if (value !== undefined && !(value instanceof ZSetValue) && !(value instanceof SetValue)) {
      throw new ReplyError(Errors.wrongType);
    }
    sources.push({ value, weight: 1 });
  }
  let aggregate: Aggregate = "sum";
  let withScores = false;
  let limit = 0;
  const algebra = op !== "diff" && !cardinality;
  for (let j = firstKey + numkeys; j < args.length;) {
    const remaining = args.length - j;
    const option = keyword(args.get(j));
    if (algebra && remaining >= numkeys + 1 && option === "WEIGHTS") {
      j++;
      for (const source of sources) {
        source.weight = parseScore(args.get(j++), Errors.zsetWeightNotFloat);
      }
    } else if (algebra && remaining >= 2 && option === "AGGREGATE") {
      const how = keyword(args.get(j + 1));
      if (how === "SUM") aggregate = "sum";
      else if (how === "MIN") aggregate = "min";
      else if (how === "MAX") aggregate = "max";
      else throw new ReplyError(Errors.syntax);
      j += 2;
    } else if (dst === undefined && !cardinality && option === "WITHSCORES") {
      withScores = true;
      j++;
    } else if (cardinality && remaining >= 2 && option === "LIMIT") {
      const n = parseInteger(args.get(j + 1));
      if (n === null || n < 0) throw new ReplyError(Errors.limitNegative);
      limit = n;
      j += 2;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  if (cardinality) return integer(interCard(sortBySize(sources), limit));
  let entries: ZEntry[];
  if (op === "union") entries = union(sortBySize(sources), aggregate);
  else if (op === "inter") entries = intersection(sortBySize(sources), aggregate);
  else entries = difference(sources);
  if (dst !== undefined) return storeResult(ctx, dst, entries, target.name);
  entries.sort(compareEntries);
  const reply = new WithScoresReply(withScores, ctx.resp);
  for (const [member, score] of entries) reply.push(member, score);
  return reply.reply();
}

/** Number of members of an input. */
function sizeOf(source: Source): number {
  return source.value === undefined ? 0 : source.value.size;
}

/** The inputs smallest first, in a stable order (as Redis's qsort here). */
function sortBySize(sources: Source[]): Source[] {
  return sources.slice().sort((a, b) => sizeOf(a) - sizeOf(b));
}

/** The members of an input with their scores (1 for a plain set), in its own order. */
function entriesOf(value: ZSetValue | SetValue): Iterable<readonly [string, number]> {
  return value instanceof ZSetValue ? value.scores : setEntries(value);
}

function* setEntries(set: SetValue): Generator<readonly [string, number]> {
  for (const member of set.keys()) yield [member, 1];
}

/** A member's score in an input (1 in a plain set), or undefined when absent. */
function scoreIn(value: ZSetValue | SetValue, member: string): number | undefined {
  if (value instanceof ZSetValue) return value.score(member);
  return value.has(member) ? 1 : undefined;
}

/**
 * Combines a member's score so far with another (Redis's
 * zunionInterAggregate): a SUM that is NaN (`inf + -inf`) is 0; MIN and
 * MAX keep what they have when `value` is NaN.
 */
function aggregateScore(current: number, value: number, how: Aggregate): number {
  if (how === "sum") {
    const sum = current + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === "min") return value < current ? value : current;
  return value > current ? value : current;
}

/** A weighted score; NaN (`0 * inf`) counts as 0. */
function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

/** ZUNION: every member of every input, its scores weighted and aggregated input by input. */
function union(sources: readonly Source[], how: Aggregate): ZEntry[] {
  const acc = new Map<string, number>();
  for (const source of sources) {
    const value = source.value;
    if (value === undefined || value.size === 0) continue;
    const weight = source.weight;
    for (const [member, score] of entriesOf(value)) {
      const v = weighted(score, weight);
      const current = acc.get(member);
      acc.set(member, current === undefined ? v : aggregateScore(current, v, how));
    }
  }
  return [...acc];
}

/**
 * ZINTER: the members of the smallest input found in every other. Only
 * the first input's weighted score has NaN made 0, as in Redis.
 *
 * @param sources the inputs, smallest first
 * @param how the aggregate
 * @param limit stop at this many (ZINTERCARD's LIMIT; 0: no limit)
 * @param collect where to collect the members with their scores, if wanted
 * @returns how many members were found
 */
function intersect(
  sources: readonly Source[],
  how: Aggregate,
  limit: number,
  collect: ZEntry[] | undefined,
): number {
  const [first, ...others] = sources;
  const base = first?.value;
  if (base === undefined || base.size === 0) return 0;
  const weight = first!.weight;
  let found = 0;
  outer: for (const [member, score] of entriesOf(base)) {
    let total = weighted(score, weight);
    for (const other of others) {
      const value = other.value;
      const s = value === undefined ? undefined : scoreIn(value, member);
      if (s === undefined) continue outer;
      total = aggregateScore(total, s * other.weight, how);
    }
    found++;
    collect?.push([member, total]);
    if (limit !== 0 && found >= limit) break;
  }
  return found;
}

function intersection(sources: readonly Source[], how: Aggregate): ZEntry[] {
  const out: ZEntry[] = [];
  intersect(sources, how, 0, out);
  return out;
}

function interCard(sources: readonly Source[], limit: number): number {
  return intersect(sources, "sum", limit, undefined);
}

/** ZDIFF: the members of the first input in none of the others, with their first scores. */
function difference(sources: readonly Source[]): ZEntry[] {
  const [first, ...others] = sources;
  const base = first?.value;
  if (base === undefined || base.size === 0) return [];
  const present: (ZSetValue | SetValue)[] = [];
  for (const other of others) {
    const value = other.value;
    if (value === base) return [];
    if (value !== undefined && value.size > 0) present.push(value);
  }
  const out: ZEntry[] = [];
  outer: for (const [member, score] of entriesOf(base)) {
    for (const other of present) if (other.has(member)) continue outer;
    out.push([member, score]);
  }
  return out;
}

/** Ascending by score, ties by member bytes (the order of a sorted set). */
function compareEntries(a: ZEntry, b: ZEntry): number {
  if (a[1] < b[1]) return -1;
  if (a[1] > b[1]) return 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Stores a *STORE result: a non-empty one replaces the destination
 * (whatever it held, and its TTL), with the encoding its size gives it,
 * and announces `event`; an empty one deletes the destination (`del`).
 * One change either way, none when there was nothing to delete.
 */
function storeResult(
  ctx: CommandContext,
  dst: string,
  entries: readonly ZEntry[],
  event: string,
): Reply {
  if (entries.length > 0) {
    ctx.db.set(dst, ZSetValue.fromEntries(entries, zsetLimits(ctx.config)));
    ctx.notify("z", event, dst);
  } else if (ctx.db.delete(dst)) {
    ctx.notify("g", "del", dst);
  }
  return integer(entries.length);
}

// ---------------------------------------------------------------------------
// ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP

/** Which end a pop takes from: true for the highest scores (MAX). */
type End = boolean;
const MIN: End = false;
const MAX: End = true;

/** The reply shape of a pop, as Redis's genericZpopCommand picks it. */
interface PopShape {
  /** The key comes first (the blocking pops, ZMPOP). */
  readonly withKey: boolean;
  /** [member, score] pairs (ZMPOP, BZMPOP, RESP3 ZPOPMIN with a count); else flat. */
  readonly nested: boolean;
}

const PLAIN: PopShape = { withKey: false, nested: false };
const PLAIN_NESTED: PopShape = { withKey: false, nested: true };
const BZPOP: PopShape = { withKey: true, nested: false };
const MPOP: PopShape = { withKey: true, nested: true };

/** ZPOPMIN key [count] */
function zpopmin(ctx: CommandContext, args: Args): Reply {
  return zpopGeneric(ctx, args, MIN);
}

/** ZPOPMAX key [count] */
function zpopmax(ctx: CommandContext, args: Args): Reply {
  return zpopGeneric(ctx, args, MAX);
}

/**
 * ZPOPMIN / ZPOPMAX: a flat reply, except in RESP3 with a count (pairs);
 * an empty array when the key is missing or the count is 0.
 */
function zpopGeneric(ctx: CommandContext, args: Args, end: End): Reply {
  if (args.length > 3) throw new ReplyError(Errors.syntax);
  let count = -1;
  if (args.length === 3) {
    const n = parseInteger(args.get(2));
    if (n === null || n < 0) throw new ReplyError(Errors.mustBePositive);
    count = n;
  }
  const key = args.get(1);
  const zset = writeTyped<ZSetValue>(ctx, key, "zset");
  if (zset === undefined || count === 0) return EMPTY_ARRAY;
  const shape = ctx.resp > 2 && count !== -1 ? PLAIN_NESTED : PLAIN;
  const entries = popFrom(ctx, ctx.db, key, zset, end, count === -1 ? 1 : count);
  return popReply(ctx, key, entries, shape);
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
function zmpop(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return mpopGeneric(ctx, args, 1, false);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpop(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return mpopGeneric(ctx, args, 2, true);
}

/** The end words of ZMPOP and BZMPOP. */
const ZSET_ENDS = ["MIN", "MAX"] as const;

/** ZMPOP and BZMPOP: numkeys, the end, COUNT, then (BZMPOP) the timeout. */
function mpopGeneric(
  ctx: CommandContext,
  args: Args,
  numkeysIndex: number,
  blocking: boolean,
): Reply | Promise<Reply> {
  const { keys, second, count } = parseMpop(args, numkeysIndex, ZSET_ENDS);
  return blockingPop(ctx, keys, second, blocking ? parseTimeout(args.get(1)) : undefined, count);
}

/** BZPOPMIN key [key ...] timeout */
function bzpopmin(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return blockingPop(ctx, args.argv.slice(1, -1), MIN, parseTimeout(args.get(args.length - 1)));
}

/** BZPOPMAX key [key ...] timeout */
function bzpopmax(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return blockingPop(ctx, args.argv.slice(1, -1), MAX, parseTimeout(args.get(args.length - 1)));
}

/**
 * The pops over several keys: serves from the first key holding a sorted
 * set (WRONGTYPE stops at the first key of another type), else waits on
 * every key (unless `timeoutMs` is undefined: ZMPOP); inside MULTI it
 * answers the null array at once.
 *
 * @param count the (B)ZMPOP count; undefined for BZPOPMIN / BZPOPMAX
 */
function blockingPop(
  ctx: CommandContext,
  keys: readonly string[],
  end: End,
  timeoutMs: number | undefined,
  count?: number,
): Reply | Promise<Reply> {
  const db = ctx.db;
  return popOrBlock<ZSetValue>(
    ctx,
    keys,
    "zset",
    timeoutMs,
    (key, zset, served) => servePop(ctx, db, key, zset, end, count, served),
  );
}

/**
 * A pop that names its key (ZMPOP, BZMPOP with `count`; BZPOPMIN /
 * BZPOPMAX without), and its deterministic form: the running command's
 * rewrite, or for a blocked client `served` later by another client's
 * write an effect of its own (the blocking module ends the unit).
 */
function servePop(
  ctx: CommandContext,
  db: Database,
  key: string,
  zset: ZSetValue,
  end: End,
  count: number | undefined,
  served: boolean,
): Reply {
  const entries = popFrom(ctx, db, key, zset, end, count ?? 1);
  const propagation = ctx.propagation;
  if (propagation.active) {
    const name = end === MAX ? "ZPOPMAX" : "ZPOPMIN";
    const argv = count === undefined ? [name, key] : [name, key, String(entries.length)];
    if (served) propagation.add(db.id, argv);
    else propagation.rewrite(argv);
  }
  return popReply(ctx, key, entries, count === undefined ? BZPOP : MPOP);
}

/**
 * Pops up to `count` members from a sorted set: the `zpopmin` / `zpopmax`
 * event, then the key's deletion (and `del`) when it emptied, else the
 * modified-key signal. One change per member popped.
 */
function popFrom(
  ctx: CommandContext,
  db: Database,
  key: string,
  zset: ZSetValue,
  end: End,
  count: number,
): ZEntry[] {
  const entries = end === MAX ? zset.popMax(count) : zset.popMin(count);
  ctx.notify("z", end === MAX ? "zpopmax" : "zpopmin", key, db);
  if (zset.size === 0) {
    db.delete(key, entries.length);
    ctx.notify("g", "del", key, db);
  } else {
    db.touch(key, entries.length);
  }
  return entries;
}

/** A pop's reply in the shape its command gives it. */
function popReply(
  ctx: CommandContext,
  key: string,
  entries: readonly ZEntry[],
  shape: PopShape,
): Reply {
  if (shape.nested) {
    const pairs: Reply[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const [member, score] = entries[i]!;
      pairs[i] = array([bulk(member), scoreReply(score)]);
    }
    return shape.withKey ? array([bulk(key), array(pairs)]) : array(pairs);
  }
  if (ctx.resp === 2) {
    // RESP2 sends scores as bulk strings: the same bytes, compactly.
    const values: string[] = shape.withKey ? [key] : [];
    for (const [member, score] of entries) values.push(member, formatScore(score));
    return bulks(values);
  }
  const items: Reply[] = shape.withKey ? [bulk(key)] : [];
  for (const [member, score] of entries) items.push(bulk(member), scoreReply(score));
  return array(items);
}
