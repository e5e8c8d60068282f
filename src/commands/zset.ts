/**
 * The sorted-set group, single-key commands: ZADD, ZINCRBY, ZREM, ZCARD,
 * ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZRANGE, ZRANGESTORE,
 * ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE,
 * ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX, ZRANDMEMBER and ZSCAN
 * (the commands over several keys and the pops are in zset_combine.ts).
 *
 * Replies follow Redis 7.0.15 in RESP2 and RESP3: scores are doubles
 * (`%.17g` bulk strings in RESP2), WITHSCORES replies are flat in RESP2
 * and arrays of [member, score] pairs in RESP3.
 *
 * Propagation: every write propagates as sent (Redis 7.0.15 rewrites none
 * of these), and only when it changed something. Changes
 * (`rdb_changes_since_last_save`) count as Redis counts them: ZADD one per
 * member added or updated, ZREM and ZREMRANGEBY* one per member removed,
 * ZRANGESTORE one when it stored or deleted its destination.
 *
 * Known differences from Redis 7.0.15:
 * - ZRANDMEMBER's picks come from the server's seeded random source, so
 *   which members (and, for a skiplist, their order) differ from Redis's;
 *   a negative count beyond -2^27 answers `ERR value is out of range`
 *   where Redis would try to build the reply.
 * - ZSCAN cursors over skiplist-encoded sets are resplite's own numbers and
 *   list members in insertion order, not Redis's hash order.
 * - Lex ranges over members with different scores in a skiplist-encoded
 *   set are undefined in Redis, whose answer depends on its skiplist's
 *   random node levels; resplite walks such a set linearly, Redis's most
 *   likely answer.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { globMatch } from "../glob.ts";
import { array, bulk, bulks, EMPTY_ARRAY, integer, NIL, type Reply } from "../resp/reply.ts";
import {
  type LexRange,
  type ScoreRange,
  ZADD_ADDED,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NAN,
  ZADD_NOP,
  ZADD_NX,
  ZADD_UPDATED,
  ZADD_XX,
  type ZEntry,
  ZSetValue,
} from "../store/zset.ts";
import {
  formatScore,
  parseLexRange,
  parseScore,
  parseScoreRange,
  scoreReply,
  WithScoresReply,
  zsetLimits,
} from "./zset_args.ts";
import { parseCursor } from "./generic.ts";
import { keyword, lookupWrite, readTyped, writeTyped } from "./lookup.ts";
import { type Args, type CommandContext, parseInt64 } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The group's handlers, bound by name to the command table (`table.json`),
 * which gives each its arity, flags, key specs and docs.
 */
export const ZSET_HANDLERS: HandlerTable = {
  zadd,
  zincrby,
  zrem,
  zcard,
  zcount,
  zlexcount,
  zscore,
  zmscore,
  zrank,
  zrevrank,
  zrange,
  zrangestore,
  zrangebyscore,
  zrevrangebyscore,
  zrangebylex,
  zrevrangebylex,
  zrevrange,
  zremrangebyrank,
  zremrangebyscore,
  zremrangebylex,
  zrandmember,
  zscan,
};

const INT64_MAX = (1n << 63n) - 1n;
const HALF_LONG_MAX = (1n << 62n) - 1n;
/** The longest ZRANDMEMBER reply with repeats resplite builds. */
const MAX_RANDOM_PICKS = 2 ** 27;
/** ZRANDMEMBER samples by removal from a copy when the count is over size / 3. */
const ZRANDMEMBER_SUB_STRATEGY_MUL = 3;
const EMPTY_SCAN: Reply = Object.freeze(array([bulk("0"), EMPTY_ARRAY]));

/**
 * After members left a sorted set in place, counting `changes`: the
 * modified-key signal and `event`, then, when it emptied, its deletion
 * and `del` (Redis counts nothing more for the deletion itself).
 */
function shrunk(
  ctx: CommandContext,
  key: string,
  zset: ZSetValue,
  event: string,
  changes: number,
): void {
  const emptied = zset.size === 0;
  if (emptied) ctx.db.delete(key, changes);
  else ctx.db.touch(key, changes);
  ctx.notify("z", event, key);
  if (emptied) ctx.notify("g", "del", key);
}

// ---------------------------------------------------------------------------
// ZADD, ZINCRBY

/**
 * ZADD's and ZINCRBY's shared body (Redis's zaddGenericCommand): options
 * from argument 2 on, then score-member pairs.
 */
function zaddGeneric(ctx: CommandContext, args: Args, flags: number): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    // Only option words start with these letters (scores: digits, sign, `.`, `i`nf).
    const c = a.charCodeAt(0) | 0x20;
    if (c !== 0x6e && c !== 0x78 && c !== 0x63 && c !== 0x69 && c !== 0x67 && c !== 0x6c) break;
    const opt = keyword(a);
    if (opt === "NX") flags |= ZADD_NX;
    else if (opt === "XX") flags |= ZADD_XX;
    else if (opt === "CH") ch = true;
    else if (opt === "INCR") flags |= ZADD_INCR;
    else if (opt === "GT") flags |= ZADD_GT;
    else if (opt === "LT") flags |= ZADD_LT;
    else break;
  }
  const scoreIdx = i;
  const rest = argv.length - scoreIdx;
  if (rest === 0 || rest % 2 !== 0) throw new ReplyError(Errors.syntax);
  const elements = rest >> 1;
  const nx = (flags & ZADD_NX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  if (nx && (flags & ZADD_XX) !== 0) throw new ReplyError(Errors.zaddXxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new ReplyError(Errors.zaddGtLtNx);
  if (incr && elements > 1) throw new ReplyError(Errors.zaddIncrPair);
  // Every score is parsed before anything changes.
  const scores = new Array<number>(elements);
  for (let j = 0; j < elements; j++) scores[j] = parseScore(argv[scoreIdx + 2 * j]!);

  let zset = writeTyped<ZSetValue>(ctx, key, "zset");
  if (zset === undefined) {
    if ((flags & ZADD_XX) !== 0) return incr ? NIL : integer(0);
    zset = new ZSetValue();
    ctx.db.set(key, zset, false, 0);
  }
  const limits = zsetLimits(ctx.config);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let nan = false;
  // INCR's reply is the score computed, before a listpack turns -0 into 0.
  const before = incr ? zset.score(argv[scoreIdx + 1]!) : undefined;
  for (let j = 0; j < elements; j++) {
    const out = zset.add(argv[scoreIdx + 2 * j + 1]!, scores[j]!, flags, limits);
    if ((out & ZADD_NAN) !== 0) {
      nan = true;
      break;
    }
    if ((out & ZADD_ADDED) !== 0) added++;
    if ((out & ZADD_UPDATED) !== 0) updated++;
    if ((out & ZADD_NOP) === 0) processed++;
  }
  if (added + updated > 0) {
    ctx.db.touch(key, added + updated);
    ctx.notify("z", incr ? "zincr" : "zadd", key);
  }
  if (nan) throw new ReplyError(Errors.zsetNaN);
  if (incr) {
    if (processed === 0) return NIL;
    return scoreReply(before === undefined ? scores[0]! : before + scores[0]!);
  }
  return integer(ch ? added + updated : added);
}

/** ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...] */
function zadd(ctx: CommandContext, args: Args): Reply {
  return zaddGeneric(ctx, args, 0);
}

/** ZINCRBY key increment member */
function zincrby(ctx: CommandContext, args: Args): Reply {
  return zaddGeneric(ctx, args, ZADD_INCR);
}

// ---------------------------------------------------------------------------
// ZREM, ZREMRANGEBY*

/** ZREM key member [member ...] */
function zrem(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const zset = writeTyped<ZSetValue>(ctx, key, "zset");
  if (zset === undefined) return integer(0);
  let removed = 0;
  for (let i = 2; i < args.length && zset.size > 0; i++) {
    if (zset.delete(args.get(i))) removed++;
  }
  if (removed > 0) shrunk(ctx, key, zset, "zrem", removed);
  return integer(removed);
}

/** ZREMRANGEBY{RANK,SCORE,LEX}'s shared body, given the ranks to remove. */
function zremrange(
  ctx: CommandContext,
  args: Args,
  event: string,
  ranks: (zset: ZSetValue) => [number, number] | undefined,
): Reply {
  const key = args.get(1);
  const zset = writeTyped<ZSetValue>(ctx, key, "zset");
  if (zset === undefined) return integer(0);
  const r = ranks(zset);
  if (r === undefined) return integer(0);
  const removed = zset.deleteRankRange(r[0], r[1]);
  if (removed > 0) shrunk(ctx, key, zset, event, removed);
  return integer(removed);
}

/**
 * Normalizes a rank range as Redis does (negative from the end, clamped),
 * or undefined when empty.
 */
function rankRange(start: number, end: number, size: number): [number, number] | undefined {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return undefined;
  if (end >= size) end = size - 1;
  return [start, end];
}

/** ZREMRANGEBYRANK key start stop */
function zremrangebyrank(ctx: CommandContext, args: Args): Reply {
  const start = args.integer(2);
  const end = args.integer(3);
  return zremrange(ctx, args, "zremrangebyrank", (z) => rankRange(start, end, z.size));
}

/** ZREMRANGEBYSCORE key min max */
function zremrangebyscore(ctx: CommandContext, args: Args): Reply {
  const range = parseScoreRange(args.get(2), args.get(3));
  return zremrange(ctx, args, "zremrangebyscore", (z) => z.scoreRankRange(range));
}

/** ZREMRANGEBYLEX key min max */
function zremrangebylex(ctx: CommandContext, args: Args): Reply {
  const range = parseLexRange(args.get(2), args.get(3));
  return zremrange(ctx, args, "zremrangebylex", (z) => z.lexRankRange(range, false, true));
}

// ---------------------------------------------------------------------------
// Reads: ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK, ZREVRANK

/** ZCARD key */
function zcard(ctx: CommandContext, args: Args): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  return integer(zset === undefined ? 0 : zset.size);
}

/** ZCOUNT key min max */
function zcount(ctx: CommandContext, args: Args): Reply {
  const range = parseScoreRange(args.get(2), args.get(3));
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  return integer(zset === undefined ? 0 : zset.countByScore(range));
}

/** ZLEXCOUNT key min max */
function zlexcount(ctx: CommandContext, args: Args): Reply {
  const range = parseLexRange(args.get(2), args.get(3));
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  return integer(zset === undefined ? 0 : zset.countByLex(range));
}

/** ZSCORE key member */
function zscore(ctx: CommandContext, args: Args): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  const score = zset?.score(args.get(2));
  return score === undefined ? NIL : scoreReply(score);
}

/** ZMSCORE key member [member ...] */
function zmscore(ctx: CommandContext, args: Args): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  const items: Reply[] = [];
  for (let i = 2; i < args.length; i++) {
    const score = zset?.score(args.get(i));
    items.push(score === undefined ? NIL : scoreReply(score));
  }
  return array(items);
}

function rankGeneric(ctx: CommandContext, args: Args, reverse: boolean): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  const rank = zset?.rank(args.get(2), reverse);
  return rank === undefined ? NIL : integer(rank);
}

/** ZRANK key member */
function zrank(ctx: CommandContext, args: Args): Reply {
  return rankGeneric(ctx, args, false);
}

/** ZREVRANK key member */
function zrevrank(ctx: CommandContext, args: Args): Reply {
  return rankGeneric(ctx, args, true);
}

// ---------------------------------------------------------------------------
// ZRANGE and its relatives

const BY_RANK = 0;
const BY_SCORE = 1;
const BY_LEX = 2;

/** How a ZRANGE-family command was called: what its name fixes. */
interface RangeCall {
  /** Index of the key whose range is read. */
  readonly keyIdx: number;
  /** The destination (ZRANGESTORE), else undefined. */
  readonly store: string | undefined;
  /** BY_RANK / BY_SCORE / BY_LEX when the command fixes it, else -1. */
  readonly by: number;
  /** true / false when the command fixes the direction, else undefined. */
  readonly reverse: boolean | undefined;
}

/**
 * The ZRANGE family's shared body (Redis's zrangeGenericCommand): options,
 * then the range, then the lookup; the result goes to the client or, for
 * ZRANGESTORE, into the destination.
 */
function zrangeGeneric(ctx: CommandContext, args: Args, call: RangeCall): Reply {
  const argv = args.argv;
  const key = argv[call.keyIdx]!;
  let minIdx = call.keyIdx + 1;
  let maxIdx = call.keyIdx + 2;
  let by = call.by;
  let reverse = call.reverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = call.keyIdx + 3; j < argv.length; j++) {
    const opt = keyword(argv[j]!);
    const left = argv.length - j - 1;
    if (call.store === undefined && opt === "WITHSCORES") {
      withScores = true;
    } else if (opt === "LIMIT" && left >= 2) {
      offset = args.integer(j + 1);
      limit = args.integer(j + 2);
      j += 2;
    } else if (reverse === undefined && opt === "REV") {
      reverse = true;
    } else if (by === -1 && opt === "BYLEX") {
      by = BY_LEX;
    } else if (by === -1 && opt === "BYSCORE") {
      by = BY_SCORE;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  reverse ??= false;
  if (by === -1) by = BY_RANK;
  if (limit !== -1 && by === BY_RANK) throw new ReplyError(Errors.zrangeLimit);
  if (withScores && by === BY_LEX) throw new ReplyError(Errors.zrangeBylexWithscores);
  if (reverse && by !== BY_RANK) [minIdx, maxIdx] = [maxIdx, minIdx];

  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (by === BY_RANK) {
    start = args.integer(minIdx);
    end = args.integer(maxIdx);
  } else if (by === BY_SCORE) {
    scoreRange = parseScoreRange(argv[minIdx]!, argv[maxIdx]!);
  } else {
    lexRange = parseLexRange(argv[minIdx]!, argv[maxIdx]!);
  }

  const zset = readTyped<ZSetValue>(ctx, key, "zset");
  // The ascending ranks of the result, walked from `last` down with REV.
  let ranks: [number, number] | undefined;
  if (zset !== undefined) {
    const size = zset.size;
    if (by === BY_RANK) {
      ranks = rankRange(start, end, size);
      if (ranks !== undefined && reverse) ranks = [size - 1 - ranks[1], size - 1 - ranks[0]];
    } else {
      ranks = by === BY_SCORE
        ? zset.scoreRankRange(scoreRange!)
        : zset.lexRankRange(lexRange!, reverse);
      if (ranks !== undefined) ranks = applyLimit(ranks, offset, limit, reverse);
    }
  }

  if (call.store !== undefined) return storeRange(ctx, call.store, zset, ranks, reverse);
  if (ranks === undefined) return EMPTY_ARRAY;
  if (!withScores) {
    const members: string[] = [];
    zset!.forEachByRank(ranks[0], ranks[1], reverse, (m) => {
      members.push(m);
    });
    return bulks(members);
  }
  const out = new WithScoresReply(true, ctx.resp);
  zset!.forEachByRank(ranks[0], ranks[1], reverse, (m, s) => out.push(m, s));
  return out.reply();
}

/**
 * Narrows the ranks of a score or lex range by LIMIT as Redis walks it: a
 * negative offset skips everything, a negative count takes all the rest.
 */
function applyLimit(
  ranks: [number, number],
  offset: number,
  limit: number,
  reverse: boolean,
): [number, number] | undefined {
  let [first, last] = ranks;
  const length = last - first + 1;
  if (offset < 0 || offset >= length || limit === 0) return undefined;
  const take = limit < 0 ? length - offset : Math.min(limit, length - offset);
  if (reverse) {
    last -= offset;
    first = last - take + 1;
  } else {
    first += offset;
    last = first + take - 1;
  }
  return [first, last];
}

/** ZRANGESTORE's end: the range into the destination, or its deletion. */
function storeRange(
  ctx: CommandContext,
  dst: string,
  zset: ZSetValue | undefined,
  ranks: [number, number] | undefined,
  reverse: boolean,
): Reply {
  if (zset === undefined || ranks === undefined) {
    // Redis's bare dbDelete: a destination whose TTL passed goes too.
    if (ctx.db.deleteStored(dst, 1)) ctx.notify("g", "del", dst);
    return integer(0);
  }
  const entries: ZEntry[] = [];
  zset.forEachByRank(ranks[0], ranks[1], reverse, (m, s) => {
    entries.push([m, s]);
  });
  const result = ZSetValue.fromEntries(entries, zsetLimits(ctx.config));
  // setKey's write lookup reclaims an expired destination first (its
  // `expired` event and DEL).
  lookupWrite(ctx, dst);
  ctx.db.set(dst, result, false, 1);
  ctx.notify("z", "zrangestore", dst);
  return integer(result.size);
}

/** ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
function zrange(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 1, store: undefined, by: -1, reverse: undefined });
}

/** ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] */
function zrangestore(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 2, store: args.get(1), by: -1, reverse: undefined });
}

/** ZREVRANGE key start stop [WITHSCORES] */
function zrevrange(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 1, store: undefined, by: BY_RANK, reverse: true });
}

/** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
function zrangebyscore(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 1, store: undefined, by: BY_SCORE, reverse: false });
}

/** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
function zrevrangebyscore(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 1, store: undefined, by: BY_SCORE, reverse: true });
}

/** ZRANGEBYLEX key min max [LIMIT offset count] */
function zrangebylex(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 1, store: undefined, by: BY_LEX, reverse: false });
}

/** ZREVRANGEBYLEX key max min [LIMIT offset count] */
function zrevrangebylex(ctx: CommandContext, args: Args): Reply {
  return zrangeGeneric(ctx, args, { keyIdx: 1, store: undefined, by: BY_LEX, reverse: true });
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmember(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  if (argv.length >= 3) return zrandmemberWithCount(ctx, args);
  const zset = readTyped<ZSetValue>(ctx, argv[1]!, "zset");
  if (zset === undefined) return NIL;
  return bulk(zset.at(ctx.random.below(zset.size))![0]);
}

function zrandmemberWithCount(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const l = parseInt64(argv[2]!);
  if (l === null) throw new ReplyError(Errors.notInteger);
  if (l < -INT64_MAX) throw new ReplyError(Errors.hashRandCountRange);
  let withScores = false;
  if (argv.length > 4 || (argv.length === 4 && keyword(argv[3]!) !== "WITHSCORES")) {
    throw new ReplyError(Errors.syntax);
  } else if (argv.length === 4) {
    withScores = true;
    if (l < -HALF_LONG_MAX || l > HALF_LONG_MAX) {
      throw new ReplyError(Errors.hashRandCountOverflow);
    }
  }
  const zset = readTyped<ZSetValue>(ctx, argv[1]!, "zset");
  if (zset === undefined || l === 0n) return EMPTY_ARRAY;
  const random = ctx.random;
  const size = zset.size;
  const out = new WithScoresReply(withScores, ctx.resp);
  const unique = l > 0n;
  if (!unique || l === 1n) {
    // With repeats: each pick uniformly from the whole set.
    const count = unique ? 1n : -l;
    if (count > BigInt(MAX_RANDOM_PICKS)) throw new ReplyError(Errors.hashRandCountOverflow);
    for (let i = Number(count); i > 0; i--) {
      const [m, s] = zset.at(random.below(size))!;
      out.push(m, s);
    }
    return out.reply();
  }
  if (l >= BigInt(size)) {
    // The whole set, highest score first, as Redis lists it.
    zset.forEachByRank(0, size - 1, true, (m, s) => out.push(m, s));
    return out.reply();
  }
  const count = Number(l);
  // Distinct ranks by a partial Fisher-Yates shuffle over a sparse map.
  const swapped = new Map<number, number>();
  const picked: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const j = i + random.below(size - i);
    const at = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    picked[i] = at;
  }
  // Redis samples a listpack in its own order (lpRandomPairsUnique) unless
  // the count is over a third of the set (then it lists what is left of a
  // copy it removed random members from, in no particular order).
  if (zset.isListpack && count * ZRANDMEMBER_SUB_STRATEGY_MUL <= size) {
    picked.sort((a, b) => a - b);
  }
  for (const rank of picked) {
    const [m, s] = zset.at(rank)!;
    out.push(m, s);
  }
  return out.reply();
}

// ---------------------------------------------------------------------------
// ZSCAN

/** ZSCAN key cursor [MATCH pattern] [COUNT count] */
function zscan(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const cursor = parseCursor(argv[2]!);
  if (cursor === null) throw new ReplyError(Errors.invalidCursor);
  const zset = readTyped<ZSetValue>(ctx, argv[1]!, "zset");
  if (zset === undefined) return EMPTY_SCAN;
  let count = 10;
  let pattern: string | undefined;
  for (let i = 3; i < argv.length; i += 2) {
    const opt = keyword(argv[i]!);
    if (opt === "COUNT" && i + 1 < argv.length) {
      count = args.integer(i + 1);
      if (count < 1) throw new ReplyError(Errors.syntax);
    } else if (opt === "MATCH" && i + 1 < argv.length) {
      const p = argv[i + 1]!;
      pattern = p === "*" ? undefined : p;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  let next = 0;
  let members: readonly string[];
  if (zset.isListpack) {
    // Redis returns a small encoding whole, whatever the cursor.
    const all: string[] = [];
    zset.forEachByRank(0, zset.size - 1, false, (m) => {
      all.push(m);
    });
    members = all;
  } else {
    [next, members] = ctx.db.scanContainer(
      zset,
      () => zset.scores.keys(),
      cursor,
      count,
      (m) => zset.has(m),
    );
  }
  const out: string[] = [];
  for (const m of members) {
    if (pattern !== undefined && !globMatch(pattern, m)) continue;
    out.push(m, formatScore(zset.score(m)!));
  }
  return array([bulk(String(next)), bulks(out)]);
}
