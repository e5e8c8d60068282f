/**
 * The list command group: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN,
 * LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH,
 * LMPOP and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.
 *
 * Blocking follows Redis 7.0: a client blocked on several keys is served
 * from the first of them to be created (in signal order, not argument
 * order); a BLMOVE whose destination holds the wrong type when it is woken
 * gets WRONGTYPE and stops waiting; inside MULTI/EXEC the blocking commands
 * behave as their non-blocking forms.
 *
 * Propagation follows Redis 7.0.15's AOF: the plain commands go as sent;
 * a blocking command served at once goes as its non-blocking form (BLPOP
 * as `LPOP key`, BLMOVE as `LMOVE` with the client's end words, BRPOPLPUSH
 * as `RPOPLPUSH`) and LMPOP / BLMPOP as `LPOP|RPOP key n`, n the number of
 * elements popped. A blocked client served later by another client's write
 * is an effect of its own after that write: the same forms, except that
 * BLMOVE's end words are written lower-case.
 *
 * Changes (`rdb_changes_since_last_save`) are counted as Redis 7.0.15
 * counts them: one per element pushed, popped, removed or trimmed, one per
 * LSET, LINSERT or move; a blocked client served later counts nothing
 * (the push that woke it counted), except BLMPOP, which counts its
 * elements.
 *
 * @module
 */

import { parseTimeout } from "../blocking.ts";
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
import type { Database } from "../store/database.ts";
import { ListValue } from "../store/list.ts";
import { keyword, parseMpop, popOrBlock, readTyped, writeTyped } from "./lookup.ts";
import { type Args, type CommandContext, parseInt64, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The list group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const LIST_HANDLERS: HandlerTable = {
  lpush,
  rpush,
  lpushx,
  rpushx,
  lpop,
  rpop,
  llen,
  lrange,
  lindex,
  lset,
  linsert,
  lrem,
  ltrim,
  lpos,
  lmove,
  rpoplpush,
  lmpop,
  blpop,
  brpop,
  blmove,
  brpoplpush,
  blmpop,
};

/** Which end of a list: true for the head (LEFT), false for the tail (RIGHT). */
type End = boolean;
const HEAD: End = true;
const TAIL: End = false;

/** LPUSH key element [element ...] */
function lpush(ctx: CommandContext, args: Args): Reply {
  return pushGeneric(ctx, args, HEAD, false);
}

/** RPUSH key element [element ...] */
function rpush(ctx: CommandContext, args: Args): Reply {
  return pushGeneric(ctx, args, TAIL, false);
}

/** LPUSHX key element [element ...] */
function lpushx(ctx: CommandContext, args: Args): Reply {
  return pushGeneric(ctx, args, HEAD, true);
}

/** RPUSHX key element [element ...] */
function rpushx(ctx: CommandContext, args: Args): Reply {
  return pushGeneric(ctx, args, TAIL, true);
}

/** The push family: `onlyExisting` for the X variants. */
function pushGeneric(ctx: CommandContext, args: Args, head: End, onlyExisting: boolean): Reply {
  const key = args.get(1);
  const db = ctx.db;
  let list = writeTyped<ListValue>(ctx, key, "list");
  if (list === undefined) {
    if (onlyExisting) return integer(0);
    list = new ListValue();
    db.set(key, list, false, 0);
  }
  const argv = args.argv;
  if (head) {
    for (let i = 2; i < argv.length; i++) list.pushHead(argv[i]!);
  } else {
    for (let i = 2; i < argv.length; i++) list.pushTail(argv[i]!);
  }
  // One change per element pushed, whether or not the list is new.
  db.touch(key, argv.length - 2);
  ctx.notify("l", head ? "lpush" : "rpush", key);
  return integer(list.length);
}

/** LPOP key [count] */
function lpop(ctx: CommandContext, args: Args): Reply {
  return popGeneric(ctx, args, HEAD);
}

/** RPOP key [count] */
function rpop(ctx: CommandContext, args: Args): Reply {
  return popGeneric(ctx, args, TAIL);
}

function popGeneric(ctx: CommandContext, args: Args, head: End): Reply {
  if (args.length > 3) throw new ReplyError(Errors.wrongArity(head ? "lpop" : "rpop"));
  const hasCount = args.length === 3;
  let count = 1;
  if (hasCount) {
    const n = parseInteger(args.get(2));
    if (n === null || n < 0) throw new ReplyError(Errors.mustBePositive);
    count = n;
  }
  const key = args.get(1);
  const list = writeTyped<ListValue>(ctx, key, "list");
  if (list === undefined) return hasCount ? NIL_ARRAY : NIL;
  if (!hasCount) {
    const value = popOne(list, head);
    popped(ctx, ctx.db, key, list, head, 1, false);
    return bulk(value);
  }
  if (count === 0) return EMPTY_ARRAY;
  const values = popMany(list, head, count);
  popped(ctx, ctx.db, key, list, head, values.length, false);
  return bulks(values);
}

function popOne(list: ListValue, head: End): string {
  return (head ? list.popHead() : list.popTail())!;
}

function popMany(list: ListValue, head: End, count: number): string[] {
  const n = Math.min(count, list.length);
  const values: string[] = [];
  for (let i = 0; i < n; i++) values.push(popOne(list, head));
  return values;
}

/**
 * After a pop that counts `changes`: the `lpop`/`rpop` event, then the
 * key's deletion (and `del`) when emptied, or the modified-key signal. A
 * blocked client `served` outside any command raises no signal of its own
 * (the push that woke it did), as in Redis.
 */
function popped(
  ctx: CommandContext,
  db: Database,
  key: string,
  list: ListValue,
  head: End,
  changes: number,
  served: boolean,
): void {
  ctx.notify("l", head ? "lpop" : "rpop", key, db);
  if (served && list.length !== 0) ctx.countChanges(changes);
  else shrunk(ctx, db, key, list, changes);
}

/**
 * Records what a blocking pop or move (or LMPOP) did as deterministic
 * commands: the running command's rewrite (Redis's
 * rewriteClientCommandVector), or for a blocked client `served` outside any
 * command an effect of its own (alsoPropagate; the blocking module ends the
 * unit once the serve is over). Callers build `argv` only when
 * `propagation.active`.
 */
function propagateAs(
  ctx: CommandContext,
  db: Database,
  served: boolean,
  argv: readonly string[],
): void {
  const propagation = ctx.propagation;
  if (served) propagation.add(db.id, argv);
  else propagation.rewrite(argv);
}

/**
 * A pop's deterministic form: `LPOP|RPOP key`, with the number of elements
 * popped for the LMPOP family (`count`), as Redis 7.0.15 writes it.
 */
function propagatePop(
  ctx: CommandContext,
  db: Database,
  key: string,
  head: End,
  count: number | undefined,
  served: boolean,
): void {
  if (!ctx.propagation.active) return;
  const name = head ? "LPOP" : "RPOP";
  propagateAs(ctx, db, served, count === undefined ? [name, key] : [name, key, String(count)]);
}

/**
 * After elements left a list in place, counting `changes`: the modified-key
 * signal, or, when it emptied, its deletion and `del`. Redis counts nothing
 * for the deletion itself, so it counts `changes` (0 for a served waiter's
 * pop, which Redis does not count).
 */
function shrunk(
  ctx: CommandContext,
  db: Database,
  key: string,
  list: ListValue,
  changes: number,
): void {
  if (list.length !== 0) {
    db.touch(key, changes);
    return;
  }
  db.delete(key, changes);
  ctx.notify("g", "del", key, db);
}

/** LLEN key */
function llen(ctx: CommandContext, args: Args): Reply {
  const list = readTyped<ListValue>(ctx, args.get(1), "list");
  return integer(list === undefined ? 0 : list.length);
}

/**
 * Redis's start/end normalisation for LRANGE and LTRIM.
 *
 * @returns [start, end] within the list, or undefined when the range is empty
 */
function normaliseRange(start: number, end: number, len: number): [number, number] | undefined {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return undefined;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** LRANGE key start stop */
function lrange(ctx: CommandContext, args: Args): Reply {
  const start = args.integer(2);
  const end = args.integer(3);
  const list = readTyped<ListValue>(ctx, args.get(1), "list");
  if (list === undefined) return EMPTY_ARRAY;
  const range = normaliseRange(start, end, list.length);
  if (range === undefined) return EMPTY_ARRAY;
  return bulks(list.range(range[0], range[1]));
}

/** LINDEX key index */
function lindex(ctx: CommandContext, args: Args): Reply {
  const list = readTyped<ListValue>(ctx, args.get(1), "list");
  if (list === undefined) return NIL;
  let index = args.integer(2);
  if (index < 0) index += list.length;
  return bulk(list.at(index));
}

/** LSET key index element */
function lset(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const list = writeTyped<ListValue>(ctx, key, "list");
  if (list === undefined) throw new ReplyError(Errors.noSuchKey);
  let index = args.integer(2);
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) throw new ReplyError(Errors.indexOutOfRange);
  list.set(index, args.get(3));
  ctx.db.touch(key);
  ctx.notify("l", "lset", key);
  return OK;
}

/** LINSERT key BEFORE|AFTER pivot element */
function linsert(ctx: CommandContext, args: Args): Reply {
  const where = keyword(args.get(2));
  if (where !== "BEFORE" && where !== "AFTER") throw new ReplyError(Errors.syntax);
  const key = args.get(1);
  const list = writeTyped<ListValue>(ctx, key, "list");
  if (list === undefined) return integer(0);
  const pivot = list.indexOf(args.get(3));
  if (pivot === -1) return integer(-1);
  list.insert(where === "BEFORE" ? pivot : pivot + 1, args.get(4));
  ctx.db.touch(key);
  ctx.notify("l", "linsert", key);
  return integer(list.length);
}

/** LREM key count element */
function lrem(ctx: CommandContext, args: Args): Reply {
  const count = args.integer(2);
  const key = args.get(1);
  const list = writeTyped<ListValue>(ctx, key, "list");
  if (list === undefined) return integer(0);
  const removed = list.remove(args.get(3), count);
  if (removed > 0) {
    ctx.notify("l", "lrem", key);
    shrunk(ctx, ctx.db, key, list, removed);
  }
  return integer(removed);
}

/** LTRIM key start stop */
function ltrim(ctx: CommandContext, args: Args): Reply {
  const start = args.integer(2);
  const end = args.integer(3);
  const key = args.get(1);
  const list = writeTyped<ListValue>(ctx, key, "list");
  if (list === undefined) return OK;
  const before = list.length;
  const range = normaliseRange(start, end, before);
  if (range === undefined) list.trim(1, 0);
  else list.trim(range[0], range[1]);
  ctx.notify("l", "ltrim", key);
  // A trim that removes nothing is signalled but changes nothing (and so
  // is not propagated), as in Redis.
  shrunk(ctx, ctx.db, key, list, before - list.length);
  return OK;
}

const LLONG_MIN = -(2n ** 63n);

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lpos(ctx: CommandContext, args: Args): Reply {
  let rank = 1n;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < args.length; i++) {
    const option = keyword(args.get(i));
    if (i + 1 >= args.length) throw new ReplyError(Errors.syntax);
    const value = args.get(++i);
    if (option === "RANK") {
      const r = parseInt64(value);
      if (r === null) throw new ReplyError(Errors.notInteger);
      if (r === 0n) throw new ReplyError(Errors.lposRankZero);
      rank = r;
    } else if (option === "COUNT") {
      const n = parseInteger(value);
      if (n === null || n < 0) throw new ReplyError(Errors.lposCountNegative);
      count = n;
    } else if (option === "MAXLEN") {
      const n = parseInteger(value);
      if (n === null || n < 0) throw new ReplyError(Errors.lposMaxlenNegative);
      maxlen = n;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const list = readTyped<ListValue>(ctx, args.get(1), "list");
  if (list === undefined) return count !== -1 ? EMPTY_ARRAY : NIL;
  // Redis negates a negative rank to search from the tail; LLONG_MIN stays
  // negative there, so every match ranks and COUNT never stops the search.
  const fromTail = rank < 0n;
  const wraps = rank === LLONG_MIN;
  const ranked = wraps ? 1 : Number(fromTail ? -rank : rank);
  const limit = wraps ? 0 : count;
  const element = args.get(2);
  const len = list.length;
  const found: Reply[] = [];
  let matches = 0;
  let index = 0;
  for (const value of list.values(fromTail)) {
    if (maxlen !== 0 && index >= maxlen) break;
    if (value === element) {
      matches++;
      if (matches >= ranked) {
        const pos = fromTail ? len - index - 1 : index;
        if (count === -1) return integer(pos);
        found.push(integer(pos));
        if (limit !== 0 && matches - ranked + 1 >= limit) break;
      }
    }
    index++;
  }
  return count === -1 ? NIL : array(found);
}

/** Parses LEFT or RIGHT. */
function parseEnd(arg: string): End {
  const where = keyword(arg);
  if (where === "LEFT") return HEAD;
  if (where === "RIGHT") return TAIL;
  throw new ReplyError(Errors.syntax);
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmove(ctx: CommandContext, args: Args): Reply {
  const from = parseEnd(args.get(3));
  const to = parseEnd(args.get(4));
  return moveGeneric(ctx, ctx.db, args.get(1), args.get(2), from, to, false) ?? NIL;
}

/** RPOPLPUSH source destination */
function rpoplpush(ctx: CommandContext, args: Args): Reply {
  return moveGeneric(ctx, ctx.db, args.get(1), args.get(2), TAIL, HEAD, false) ?? NIL;
}

/**
 * The move family: pops from `src` and pushes onto `dst` (created when
 * missing). Events as Redis: the push on the destination, then the pop on
 * the source, then `del` if the source emptied. Both keys are signalled,
 * except the source of a BLMOVE `served` outside any command (the push
 * that woke it was). Redis counts one change for a move and none for a
 * served one, whatever keys it creates or deletes.
 *
 * @returns the element moved, or undefined when the source is missing
 */
function moveGeneric(
  ctx: CommandContext,
  db: Database,
  src: string,
  dst: string,
  from: End,
  to: End,
  served: boolean,
): Reply | undefined {
  const source = asList(db.get(src));
  if (source === undefined) return undefined;
  let target = asList(db.get(dst));
  const value = popOne(source, from);
  if (target === undefined) {
    target = new ListValue();
    db.set(dst, target, false, 0);
  } else {
    db.touch(dst, 0);
  }
  if (to) target.pushHead(value);
  else target.pushTail(value);
  ctx.notify("l", to ? "lpush" : "rpush", dst, db);
  ctx.notify("l", from ? "lpop" : "rpop", src, db);
  if (source.length === 0) {
    db.delete(src, 0);
    ctx.notify("g", "del", src, db);
  } else if (!served) {
    db.touch(src, 0);
  }
  if (!served) ctx.countChanges(1);
  return bulk(value);
}

/** A list value, undefined when absent; WRONGTYPE for another type. */
function asList(value: ReturnType<Database["get"]>): ListValue | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof ListValue)) throw new ReplyError(Errors.wrongType);
  return value;
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpop(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return mpopGeneric(ctx, args, 1, false);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpop(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return mpopGeneric(ctx, args, 2, true);
}

/** The end words of LMPOP and BLMPOP. */
const LIST_ENDS = ["LEFT", "RIGHT"] as const;

function mpopGeneric(
  ctx: CommandContext,
  args: Args,
  numkeysIndex: number,
  blocking: boolean,
): Reply | Promise<Reply> {
  const { keys, second, count } = parseMpop(args, numkeysIndex, LIST_ENDS);
  const head = second ? TAIL : HEAD;
  const timeoutMs = blocking ? parseTimeout(args.get(1)) : undefined;
  const db = ctx.db;
  return popOrBlock<ListValue>(
    ctx,
    keys,
    "list",
    timeoutMs,
    (key, list, served) => mpopFrom(ctx, db, key, list, head, count, served),
  );
}

function mpopFrom(
  ctx: CommandContext,
  db: Database,
  key: string,
  list: ListValue,
  head: End,
  count: number,
  served: boolean,
): Reply {
  const values = popMany(list, head, count);
  popped(ctx, db, key, list, head, values.length, served);
  propagatePop(ctx, db, key, head, values.length, served);
  return array([bulk(key), bulks(values)]);
}

/** BLPOP key [key ...] timeout */
function blpop(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return bpopGeneric(ctx, args, HEAD);
}

/** BRPOP key [key ...] timeout */
function brpop(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return bpopGeneric(ctx, args, TAIL);
}

function bpopGeneric(ctx: CommandContext, args: Args, head: End): Reply | Promise<Reply> {
  const timeoutMs = parseTimeout(args.get(args.length - 1));
  const keys = args.argv.slice(1, -1);
  const db = ctx.db;
  return popOrBlock<ListValue>(
    ctx,
    keys,
    "list",
    timeoutMs,
    (key, list, served) => bpopFrom(ctx, db, key, list, head, served),
  );
}

function bpopFrom(
  ctx: CommandContext,
  db: Database,
  key: string,
  list: ListValue,
  head: End,
  served: boolean,
): Reply {
  const value = popOne(list, head);
  // A served waiter's pop counts nothing in Redis 7.0.15 (BLMPOP's does).
  popped(ctx, db, key, list, head, served ? 0 : 1, served);
  propagatePop(ctx, db, key, head, undefined, served);
  return bulks([key, value]);
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmove(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  const from = parseEnd(args.get(3));
  const to = parseEnd(args.get(4));
  return bmoveGeneric(ctx, args, from, to, parseTimeout(args.get(5)), true);
}

/** BRPOPLPUSH source destination timeout */
function brpoplpush(ctx: CommandContext, args: Args): Reply | Promise<Reply> {
  return bmoveGeneric(ctx, args, TAIL, HEAD, parseTimeout(args.get(3)), false);
}

/** The blocking moves: `lmove` for BLMOVE, else BRPOPLPUSH. */
function bmoveGeneric(
  ctx: CommandContext,
  args: Args,
  from: End,
  to: End,
  timeoutMs: number,
  lmove: boolean,
): Reply | Promise<Reply> {
  const db = ctx.db;
  const src = args.get(1);
  const dst = args.get(2);
  const moved = moveGeneric(ctx, db, src, dst, from, to, false);
  if (moved !== undefined) {
    propagateMove(ctx, db, args, from, to, lmove, false);
    return moved;
  }
  if (ctx.inExec) return NIL;
  return ctx.blocking.block(ctx, {
    db,
    keys: [src],
    timeoutMs,
    serve: () => {
      if (!(db.get(src) instanceof ListValue)) return undefined;
      // A destination of the wrong type ends the wait with WRONGTYPE (the
      // blocking module answers a thrown ReplyError), as in Redis 7.0.
      const reply = moveGeneric(ctx, db, src, dst, from, to, true);
      propagateMove(ctx, db, args, from, to, lmove, true);
      return reply;
    },
  });
}

/**
 * A blocking move's deterministic form, as Redis 7.0.15 writes it:
 * BRPOPLPUSH as `RPOPLPUSH source destination`; BLMOVE as `LMOVE` with the
 * client's own end words when served at once (its arguments, rewritten) and
 * lower-case ones when `served` later (Redis's shared `left` / `right`).
 */
function propagateMove(
  ctx: CommandContext,
  db: Database,
  args: Args,
  from: End,
  to: End,
  lmove: boolean,
  served: boolean,
): void {
  if (!ctx.propagation.active) return;
  const src = args.get(1);
  const dst = args.get(2);
  let argv: string[];
  if (!lmove) argv = ["RPOPLPUSH", src, dst];
  else if (served) argv = ["LMOVE", src, dst, from ? "left" : "right", to ? "left" : "right"];
  else argv = ["LMOVE", src, dst, args.get(3), args.get(4)];
  propagateAs(ctx, db, served, argv);
}
