/**
 * The set command group: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER,
 * SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION,
 * SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN.
 *
 * Replies list intset-encoded sets in ascending order, as Redis does;
 * hashtable-encoded sets are listed in insertion order where Redis uses its
 * hash order.
 *
 * Propagation (AOF, replicas) is deterministic, as Redis 7.0.15's: SPOP
 * propagates `SREM key member` for each member popped, or `DEL key` when a
 * count empties the set; the other writes propagate as sent, and only when
 * they changed something.
 *
 * Changes (`rdb_changes_since_last_save`) are counted as Redis 7.0.15
 * counts them: one per member added, removed or popped; SMOVE one, and one
 * more when the member was new to the destination; a *STORE one when it
 * stored or deleted its destination.
 *
 * Known differences from Redis 7.0.15:
 * - Random picks (SPOP, SRANDMEMBER) come from the server's seeded source,
 *   so the members chosen, and their order, differ from Redis's.
 * - SRANDMEMBER with a negative count beyond -2^26 answers an error where
 *   Redis would try to build the reply (and run out of memory).
 * - SSCAN cursors over hashtable sets are resplite's own numbers.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { globMatch } from "../glob.ts";
import { array, bulk, bulks, EMPTY_ARRAY, integer, NIL, type Reply } from "../resp/reply.ts";
import { compareIntegerText, SetValue } from "../store/set.ts";
import type { Value } from "../store/database.ts";
import { parseCursor } from "./generic.ts";
import { keyword, lookupWrite, readTyped, writeTyped } from "./lookup.ts";
import { type Args, type CommandContext, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The set group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const SET_HANDLERS: HandlerTable = {
  sadd,
  srem,
  smembers,
  sismember,
  smismember,
  scard,
  spop,
  srandmember,
  smove,
  sinter,
  sintercard,
  sinterstore,
  sunion,
  sunionstore,
  sdiff,
  sdiffstore,
  sscan,
};

/** SPOP with a count pops one by one while the members left are over 5 times the count. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** The longest SRANDMEMBER reply with repeats resplite builds. */
const MAX_RANDOM_REPLY = 2 ** 26;
const EMPTY_SET: Reply = Object.freeze({ kind: "set", items: [] });

function maxIntset(ctx: CommandContext): number {
  return ctx.config.number("set-max-intset-entries");
}

/**
 * A RESP3 set of bulk strings; for a RESP2 client the same bytes come from
 * the compact array of bulks.
 */
function setReply(ctx: CommandContext, members: readonly string[]): Reply {
  if (ctx.resp === 2) return bulks(members);
  const items: Reply[] = new Array(members.length);
  for (let i = 0; i < members.length; i++) items[i] = bulk(members[i]!);
  return { kind: "set", items };
}

/**
 * After members left a set in place, counting `changes`: the modified-key
 * signal and the event, then, when it emptied, its deletion and `del`.
 * Redis counts nothing for the deletion itself, so it counts `changes`.
 */
function shrunk(
  ctx: CommandContext,
  key: string,
  set: SetValue,
  event: string,
  changes: number,
): void {
  const emptied = set.size === 0;
  if (emptied) {
    ctx.db.delete(key, changes);
  } else {
    ctx.db.touch(key, changes);
  }
  ctx.notify("s", event, key);
  if (emptied) ctx.notify("g", "del", key);
}

/** SADD key member [member ...] */
function sadd(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  let set = writeTyped<SetValue>(ctx, key, "set");
  if (set === undefined) {
    set = new SetValue();
    ctx.db.set(key, set, false, 0);
  }
  const max = maxIntset(ctx);
  let added = 0;
  for (let i = 2; i < args.length; i++) if (set.add(args.get(i), max)) added++;
  if (added > 0) {
    // One change per member added, whether or not the set is new.
    ctx.db.touch(key, added);
    ctx.notify("s", "sadd", key);
  }
  return integer(added);
}

/** SREM key member [member ...] */
function srem(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const set = writeTyped<SetValue>(ctx, key, "set");
  if (set === undefined) return integer(0);
  let removed = 0;
  for (let i = 2; i < args.length && set.size > 0; i++) if (set.delete(args.get(i))) removed++;
  if (removed > 0) shrunk(ctx, key, set, "srem", removed);
  return integer(removed);
}

/** SMEMBERS key */
function smembers(ctx: CommandContext, args: Args): Reply {
  const set = readTyped<SetValue>(ctx, args.get(1), "set");
  return set === undefined ? EMPTY_SET : setReply(ctx, set.members());
}

/** SISMEMBER key member */
function sismember(ctx: CommandContext, args: Args): Reply {
  const set = readTyped<SetValue>(ctx, args.get(1), "set");
  return integer(set !== undefined && set.has(args.get(2)) ? 1 : 0);
}

/** SMISMEMBER key member [member ...] */
function smismember(ctx: CommandContext, args: Args): Reply {
  const set = readTyped<SetValue>(ctx, args.get(1), "set");
  const items: Reply[] = [];
  for (let i = 2; i < args.length; i++) {
    items.push(integer(set !== undefined && set.has(args.get(i)) ? 1 : 0));
  }
  return array(items);
}

/** SCARD key */
function scard(ctx: CommandContext, args: Args): Reply {
  const set = readTyped<SetValue>(ctx, args.get(1), "set");
  return integer(set === undefined ? 0 : set.size);
}

/** SPOP key [count] */
function spop(ctx: CommandContext, args: Args): Reply {
  if (args.length > 3) throw new ReplyError(Errors.syntax);
  const key = args.get(1);
  if (args.length === 2) {
    const set = writeTyped<SetValue>(ctx, key, "set");
    if (set === undefined) return NIL;
    const [member] = set.popRandom(ctx.random, 1);
    shrunk(ctx, key, set, "spop", 1);
    // Replicas and the AOF remove the member chosen, not another random one.
    const propagation = ctx.propagation;
    if (propagation.active) propagation.rewrite(["SREM", key, member!]);
    return bulk(member);
  }
  const count = parseInteger(args.get(2));
  if (count === null || count < 0) throw new ReplyError(Errors.mustBePositive);
  const set = writeTyped<SetValue>(ctx, key, "set");
  if (set === undefined || count === 0) return EMPTY_SET;
  const size = set.size;
  if (count >= size) {
    // The whole set, listed as SUNION would list it (after a read lookup).
    readTyped<SetValue>(ctx, key, "set");
    const all = new SetValue(set.ordered(), maxIntset(ctx));
    // One change per member popped.
    ctx.db.delete(key, size);
    ctx.notify("s", "spop", key);
    ctx.notify("g", "del", key);
    // Redis 7.0.15 propagates DEL here, even with lazyfree-lazy-server-del.
    if (ctx.propagation.active) ctx.propagation.rewrite(["DEL", key]);
    return setReply(ctx, all.members());
  }
  const wasIntset = set.encoding() === "intset";
  const popped = set.popRandom(ctx.random, count);
  if ((size - count) * SPOP_MOVE_STRATEGY_MUL <= count) {
    // Redis rebuilds the set from the members left and lists the old one's
    // remaining members: in ascending order for an intset.
    set.rebuildEncoding(maxIntset(ctx));
    if (wasIntset) popped.sort(compareIntegerText);
  }
  ctx.db.touch(key, count);
  ctx.notify("s", "spop", key);
  // One SREM per member, in reply order (Redis 7.0.15 does not batch them);
  // the dispatcher wraps more than one in MULTI / EXEC.
  const propagation = ctx.propagation;
  if (propagation.active) propagation.rewrite(...popped.map((m) => ["SREM", key, m]));
  return setReply(ctx, popped);
}

/** SRANDMEMBER key [count] */
function srandmember(ctx: CommandContext, args: Args): Reply {
  if (args.length > 3) throw new ReplyError(Errors.syntax);
  const key = args.get(1);
  if (args.length === 2) {
    const set = readTyped<SetValue>(ctx, key, "set");
    return set === undefined ? NIL : bulk(set.random(ctx.random));
  }
  const text = args.get(2);
  const count = parseInteger(text);
  if (count === null) throw new ReplyError(Errors.notInteger);
  if (text === "-9223372036854775808") throw new ReplyError(Errors.outOfRangeLong);
  const set = readTyped<SetValue>(ctx, key, "set");
  if (set === undefined || count === 0) return EMPTY_ARRAY;
  const random = ctx.random;
  if (count < 0) {
    const n = -count;
    if (n > MAX_RANDOM_REPLY) throw new ReplyError(Errors.replyTooLarge);
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = set.random(random);
    return bulks(out);
  }
  if (count >= set.size) return bulks(set.members());
  return bulks(set.randomDistinct(random, count));
}

/** SMOVE source destination member */
function smove(ctx: CommandContext, args: Args): Reply {
  const srcKey = args.get(1);
  const dstKey = args.get(2);
  const member = args.get(3);
  const srcValue = lookupWrite(ctx, srcKey);
  const dstValue = lookupWrite(ctx, dstKey);
  if (srcValue === undefined) return integer(0);
  const src = asSet(srcValue);
  let dst = dstValue === undefined ? undefined : asSet(dstValue);
  if (src === dst) return integer(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return integer(0);
  // One change for the removal, one more for an addition; a deletion of
  // the emptied source and a creation of the destination count them.
  ctx.notify("s", "srem", srcKey);
  if (src.size === 0) {
    ctx.db.delete(srcKey);
    ctx.notify("g", "del", srcKey);
  } else {
    ctx.db.touch(srcKey);
  }
  const created = dst === undefined;
  if (dst === undefined) {
    dst = new SetValue();
    ctx.db.set(dstKey, dst);
  }
  if (dst.add(member, maxIntset(ctx))) {
    if (!created) ctx.db.touch(dstKey);
    ctx.notify("s", "sadd", dstKey);
  }
  return integer(1);
}

/** A looked-up value as a set, or WRONGTYPE. */
function asSet(value: Value): SetValue {
  if (!(value instanceof SetValue)) throw new ReplyError(Errors.wrongType);
  return value;
}

/**
 * Looks up every source set for SINTER and friends, in order: a missing key
 * is an empty set, any other type is WRONGTYPE (even after a missing key).
 */
function sourceSets(
  ctx: CommandContext,
  args: Args,
  from: number,
  to: number,
): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) sets.push(readTyped<SetValue>(ctx, args.get(i), "set"));
  return sets;
}

/**
 * The intersection of the sets, walking the smallest one in its order; at
 * most `limit` members (0: no limit).
 */
function intersect(sets: readonly (SetValue | undefined)[], limit: number): string[] {
  const present: SetValue[] = [];
  for (const set of sets) {
    if (set === undefined) return [];
    present.push(set);
  }
  present.sort((a, b) => a.size - b.size);
  const [smallest, ...others] = present as [SetValue, ...SetValue[]];
  const out: string[] = [];
  outer: for (const member of smallest.ordered()) {
    for (const other of others) if (other !== smallest && !other.has(member)) continue outer;
    out.push(member);
    if (out.length === limit) break;
  }
  return out;
}

/** SINTER key [key ...] */
function sinter(ctx: CommandContext, args: Args): Reply {
  const sets = sourceSets(ctx, args, 1, args.length);
  return setReply(ctx, intersect(sets, 0));
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(ctx: CommandContext, args: Args): Reply {
  const numkeys = parseInteger(args.get(1));
  if (numkeys === null || numkeys < 1) throw new ReplyError(Errors.numkeysNotPositive);
  if (numkeys > args.length - 2) throw new ReplyError(Errors.tooManyNumkeys);
  let limit = 0;
  for (let i = 2 + numkeys; i < args.length; i++) {
    if (keyword(args.get(i)) === "LIMIT" && i + 1 < args.length) {
      const v = parseInteger(args.get(++i));
      if (v === null || v < 0) throw new ReplyError(Errors.limitNegative);
      limit = v;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const sets = sourceSets(ctx, args, 2, 2 + numkeys);
  return integer(intersect(sets, limit).length);
}

/** SINTERSTORE destination key [key ...] */
function sinterstore(ctx: CommandContext, args: Args): Reply {
  const sets = sourceSets(ctx, args, 2, args.length);
  return store(ctx, args.get(1), intersect(sets, 0), "sinterstore");
}

/** SUNION key [key ...] */
function sunion(ctx: CommandContext, args: Args): Reply {
  return setReply(ctx, union(ctx, sourceSets(ctx, args, 1, args.length)).members());
}

/** SUNIONSTORE destination key [key ...] */
function sunionstore(ctx: CommandContext, args: Args): Reply {
  const result = union(ctx, sourceSets(ctx, args, 2, args.length));
  return storeSet(ctx, args.get(1), result, "sunionstore");
}

/** SDIFF key [key ...] */
function sdiff(ctx: CommandContext, args: Args): Reply {
  return setReply(ctx, difference(ctx, sourceSets(ctx, args, 1, args.length)).members());
}

/** SDIFFSTORE destination key [key ...] */
function sdiffstore(ctx: CommandContext, args: Args): Reply {
  const result = difference(ctx, sourceSets(ctx, args, 2, args.length));
  return storeSet(ctx, args.get(1), result, "sdiffstore");
}

/** The union, built member by member as Redis builds it (so its encoding follows). */
function union(ctx: CommandContext, sets: readonly (SetValue | undefined)[]): SetValue {
  const max = maxIntset(ctx);
  const result = new SetValue();
  for (const set of sets) {
    if (set === undefined) continue;
    for (const member of set.ordered()) result.add(member, max);
  }
  return result;
}

/** The members of the first set in none of the others. */
function difference(ctx: CommandContext, sets: readonly (SetValue | undefined)[]): SetValue {
  const max = maxIntset(ctx);
  const result = new SetValue();
  const [first, ...others] = sets;
  if (first === undefined || others.includes(first)) return result;
  outer: for (const member of first.ordered()) {
    for (const other of others) if (other !== undefined && other.has(member)) continue outer;
    result.add(member, max);
  }
  return result;
}

/** Stores a result built from members (SINTERSTORE). */
function store(
  ctx: CommandContext,
  key: string,
  members: readonly string[],
  event: string,
): Reply {
  return storeSet(ctx, key, new SetValue(members, maxIntset(ctx)), event);
}

/**
 * Stores a *STORE result: a non-empty set replaces the destination (and its
 * TTL); an empty one deletes it.
 */
function storeSet(ctx: CommandContext, key: string, result: SetValue, event: string): Reply {
  if (result.size > 0) {
    ctx.db.set(key, result);
    ctx.notify("s", event, key);
  } else if (ctx.db.delete(key)) {
    ctx.notify("g", "del", key);
  }
  return integer(result.size);
}

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscan(ctx: CommandContext, args: Args): Reply {
  const cursor = parseCursor(args.get(2));
  if (cursor === null) throw new ReplyError(Errors.invalidCursor);
  const set = readTyped<SetValue>(ctx, args.get(1), "set");
  if (set === undefined) return array([bulk("0"), EMPTY_ARRAY]);
  let count = 10;
  let pattern: string | undefined;
  for (let i = 3; i < args.length; i += 2) {
    const option = keyword(args.get(i));
    if (option === "COUNT" && i + 1 < args.length) {
      count = args.integer(i + 1);
      if (count < 1) throw new ReplyError(Errors.syntax);
    } else if (option === "MATCH" && i + 1 < args.length) {
      const p = args.get(i + 1);
      pattern = p === "*" ? undefined : p;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  let next = 0;
  let visited: readonly string[];
  if (set.encoding() === "intset") {
    // Redis returns a small encoding whole, whatever the cursor.
    visited = set.members();
  } else {
    [next, visited] = ctx.db.scanContainer(
      set,
      () => set.keys(),
      cursor,
      count,
      (m) => set.has(m),
    );
  }
  const out = pattern === undefined ? visited : visited.filter((m) => globMatch(pattern, m));
  return array([bulk(String(next)), bulks(out)]);
}
