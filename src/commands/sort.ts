/**
 * SORT and SORT_RO: the elements of a list, a set or a sorted set, sorted
 * numerically or (ALPHA) as strings, by themselves or by the values of
 * other keys (BY pattern, `*` replaced by the element, `key->field` for a
 * hash field), ASC or DESC, a LIMIT window, values of other keys in their
 * place (GET pattern, `#` for the element), stored as a list (STORE).
 *
 * Behaviour follows Redis 7.0.15's sort.c, checked against the real server:
 * - A BY pattern without `*` (`nosort`, any constant) means no sorting: a
 *   list keeps its order and a sorted set its score order (DESC reverses
 *   both, and LIMIT takes its window straight from them); a set keeps its
 *   own order, except with STORE, where it is sorted as strings, so that
 *   replicas and the AOF store the same list.
 * - Numeric sorting reads each value as C's strtod does (leading spaces,
 *   hex floats, `inf`; the text ends at a NUL byte): a value that is not
 *   wholly a number, is NaN, overflows or underflows answers
 *   `One or more scores can't be converted into double`. Equal scores are
 *   ordered by the elements' bytes. A missing BY key counts as 0.
 * - ALPHA compares with strcoll, as Redis does; resplite compares as the C
 *   and C.UTF-8 locales do (bytes, unsigned, up to the first NUL). With
 *   STORE, and for equal numeric scores, the whole byte strings are
 *   compared. With BY, a missing value sorts before every other, and equal
 *   values keep the order the sort leaves them in: a stable merge sort (as
 *   glibc's qsort), or, with BY and a LIMIT window, Redis's partial
 *   quicksort (Bentley and McIlroy's, recursing only into the parts that
 *   overlap the window), reproduced here so ties come out the same.
 * - Patterns are matched as C strings (the `*`, the `->` and GET's `#` are
 *   found before the first NUL byte) while the key and field built from
 *   them keep every byte. Each key a pattern names is looked up as a read
 *   (hit and miss statistics, `keymiss` events, lazy expiry of the key;
 *   of the hash field too, for hashes with field TTLs); a value of the
 *   wrong type reads as missing.
 * - A sorted set is converted to the skiplist encoding by SORT, for good,
 *   as Redis does.
 * - STORE writes a list (replacing the destination and its TTL), counts one
 *   change per element stored and publishes `sortstore`; a result of no
 *   elements deletes the destination (one change, `del`) even when its TTL
 *   had passed and nothing had reclaimed it yet. Creating the destination
 *   wakes clients blocked on it (BLPOP and friends). SORT ... STORE
 *   propagates as sent when it changed something; SORT without STORE and
 *   SORT_RO propagate nothing (but the lazy expiry of keys they look up).
 * - SORT_RO does not know STORE: it answers `syntax error`.
 * - COMMAND GETKEYS and client tracking find SORT's keys with
 *   `sortKeys` (src/commands/keys.ts), as Redis's sortGetKeys (the key specs cannot:
 *   STORE may come anywhere).
 *
 * Known differences from Redis 7.0.15:
 * - A hashtable-encoded set is walked in insertion order and a sorted set
 *   in score order, where Redis walks its hash table: a set with a
 *   constant BY and no STORE, and ties between equal ALPHA BY values of
 *   such inputs, come out in a different (equally valid) order.
 * - Redis sorts with strcoll in the locale of its environment; resplite
 *   always compares bytes (the C and C.UTF-8 collation). Under another
 *   locale (en_US.UTF-8, ...) Redis's ALPHA order differs.
 * - Redis also forces the sorted order of a set with a constant BY when
 *   SORT runs from a Lua script; resplite has no scripting.
 * - The ACL and cluster-mode refusals of BY and GET patterns do not apply
 *   (resplite has neither ACL users nor cluster mode).
 * - Redis 7.0.15 does not clear errno before its strtod: after a weight
 *   overflowed or underflowed, a later SORT whose weights are not integers
 *   can fail with the same error until some unrelated system call clears
 *   errno (a new connection being accepted does). resplite judges each
 *   SORT by its own weights.
 * - glibc's strtod does not report the underflow of some inexact
 *   hexadecimal weights with more than 53 significant bits whose value is
 *   subnormal (`0x1.504c8d65498e68p-1023`); resplite refuses them. Decimal
 *   weights and shorter hexadecimal ones were checked to agree with glibc
 *   2.36 on 200,000 generated texts.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { bulks, integer, type Reply } from "../resp/reply.ts";
import { ListValue } from "../store/list.ts";
import type { HashValue } from "../store/hash.ts";
import type { SetValue } from "../store/set.ts";
import type { ZSetValue } from "../store/zset.ts";
import type { Value } from "../store/database.ts";
import { keyword, lookupRead, lookupWrite } from "./lookup.ts";
import type { Args, CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The SORT group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const SORT_HANDLERS: HandlerTable = {
  sort,
  sort_ro: sortRo,
};

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
function sort(ctx: CommandContext, args: Args): Reply {
  return sortGeneric(ctx, args, false);
}

/** SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] */
function sortRo(ctx: CommandContext, args: Args): Reply {
  return sortGeneric(ctx, args, true);
}

/** The options of one SORT, as parsed. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  /** LIMIT's offset and count as given (count -1: no limit). */
  offset: number;
  count: number;
  /** The BY pattern, if any (even a constant one). */
  by: string | undefined;
  /** Whether nothing is to be sorted: a BY pattern without `*` was given. */
  dontSort: boolean;
  /** The GET patterns, in order. */
  gets: string[];
  store: string | undefined;
}

/** One element being sorted, with what it is sorted by. */
interface Item {
  /** The element. */
  readonly element: string;
  /** Its numeric weight (0 when its BY key is missing). */
  score: number;
  /**
   * Its ALPHA weight: the element or its BY value (null when missing), cut
   * at its first NUL unless the result is stored.
   */
  weight: string | null;
}

/**
 * Parses SORT's options in order, as Redis does: the last ASC / DESC,
 * LIMIT, BY and STORE win, and a LIMIT that is not two integers answers
 * the integer error at once.
 */
function parseOptions(args: Args, readonly: boolean): SortOptions {
  const options: SortOptions = {
    desc: false,
    alpha: false,
    offset: 0,
    count: -1,
    by: undefined,
    dontSort: false,
    gets: [],
    store: undefined,
  };
  const argc = args.length;
  for (let j = 2; j < argc; j++) {
    const left = argc - j - 1;
    const word = keyword(args.get(j));
    if (word === "ASC") {
      options.desc = false;
    } else if (word === "DESC") {
      options.desc = true;
    } else if (word === "ALPHA") {
      options.alpha = true;
    } else if (word === "LIMIT" && left >= 2) {
      options.offset = args.integer(j + 1);
      options.count = args.integer(j + 2);
      j += 2;
    } else if (word === "STORE" && !readonly && left >= 1) {
      options.store = args.get(++j);
    } else if (word === "BY" && left >= 1) {
      const pattern = args.get(++j);
      options.by = pattern;
      // A constant pattern means no sorting; a later pattern with `*` does
      // not undo it (as in Redis).
      if (cString(pattern).indexOf("*") === -1) options.dontSort = true;
    } else if (word === "GET" && left >= 1) {
      options.gets.push(args.get(++j));
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  return options;
}

/** The SORT family: `readonly` for SORT_RO (no STORE). */
function sortGeneric(ctx: CommandContext, args: Args, readonly: boolean): Reply {
  const options = parseOptions(args, readonly);
  const source = lookupRead(ctx, args.get(1));
  if (source !== undefined && !isSortable(source)) throw new ReplyError(Errors.wrongType);
  const { desc, gets, store } = options;
  let { alpha, by, dontSort } = options;

  // A set has no order of its own that replicas would share: with STORE
  // its elements are sorted as strings instead of left as they are.
  if (dontSort && source?.type === "set" && store !== undefined) {
    dontSort = false;
    alpha = true;
    by = undefined;
  }
  // Redis converts a sorted set to its skiplist encoding to sort it.
  if (source?.type === "zset") (source as ZSetValue).convertToSkiplist();

  const size = source === undefined ? 0 : sizeOf(source);
  let [start, end] = window(options.offset, options.count, size);

  // Lists and sorted sets left unsorted give their window directly, in
  // their order (reversed with DESC).
  let items: Item[];
  if (dontSort && source !== undefined && source.type !== "set") {
    const elements = end >= start
      ? orderedRange(source as ListValue | ZSetValue, start, end, desc)
      : [];
    items = elements.map(item);
    end -= start;
    start = 0;
  } else {
    items = source === undefined ? [] : allElements(source).map(item);
  }

  if (!dontSort) {
    let notDouble = false;
    for (const it of items) {
      let value: string;
      if (by !== undefined) {
        const found = lookupByPattern(ctx, by, it.element);
        if (found === undefined) continue;
        value = found;
      } else {
        value = it.element;
      }
      if (alpha) {
        // Compared as strcoll sees them (up to a NUL), or whole with STORE.
        it.weight = store === undefined ? cString(value) : value;
      } else {
        const score = parseSortScore(value);
        if (score === null) notDouble = true;
        else it.score = score;
      }
    }
    // Redis sorts before answering the conversion error: nothing shows it.
    if (notDouble) throw new ReplyError(Errors.sortScoresNotDouble);
    const compare = comparator(alpha, desc);
    if (by !== undefined && (start !== 0 || end !== items.length - 1)) {
      pqsort(items, compare, start, end);
    } else {
      items.sort(compare);
    }
  }

  const out: (string | null)[] = [];
  for (let j = start; j <= end; j++) {
    const element = items[j]!.element;
    if (gets.length === 0) {
      out.push(element);
      continue;
    }
    for (const pattern of gets) {
      const value = lookupByPattern(ctx, pattern, element);
      out.push(value ?? (store === undefined ? null : ""));
    }
  }
  if (store === undefined) return bulks(out);
  return storeResult(ctx, store, out as string[]);
}

/** Whether SORT can sort a value: a list, a set or a sorted set. */
function isSortable(value: Value): value is ListValue | SetValue | ZSetValue {
  return typeof value !== "string" &&
    (value.type === "list" || value.type === "set" || value.type === "zset");
}

/** The number of elements of a sortable value. */
function sizeOf(value: Value): number {
  if (value instanceof ListValue) return value.length;
  return (value as SetValue | ZSetValue).size;
}

/** A fresh item for an element. */
function item(element: string): Item {
  return { element, score: 0, weight: null };
}

/**
 * LIMIT's window over `size` elements, as Redis clamps it: the first and
 * last positions (inclusive); `end < start` when it is empty.
 */
function window(offset: number, count: number, size: number): [number, number] {
  let start = Math.min(Math.max(offset, 0), size);
  const limit = Math.min(Math.max(count, -1), size);
  let end = limit < 0 ? size - 1 : start + limit - 1;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  }
  if (end >= size) end = size - 1;
  return [start, end];
}

/**
 * Positions `start..end` of a list or sorted set in its own order, or in
 * reverse (counted from its end) with `desc`.
 */
function orderedRange(
  value: ListValue | ZSetValue,
  start: number,
  end: number,
  desc: boolean,
): string[] {
  const n = sizeOf(value);
  const first = desc ? n - 1 - end : start;
  const last = desc ? n - 1 - start : end;
  if (value instanceof ListValue) {
    const out = value.range(first, last);
    return desc ? out.reverse() : out;
  }
  const out: string[] = [];
  value.forEachByRank(first, last, desc, (member) => {
    out.push(member);
  });
  return out;
}

/** Every element of a sortable value, in the order it is walked. */
function allElements(value: ListValue | SetValue | ZSetValue): string[] {
  if (value instanceof ListValue) return value.range(0, value.length - 1);
  if (value.type === "set") return [...(value as SetValue).members()];
  const out: string[] = [];
  const z = value as ZSetValue;
  z.forEachByRank(0, z.size - 1, false, (member) => {
    out.push(member);
  });
  return out;
}

/** Stores SORT's result as a list at `key` (or deletes `key` when there is none). */
function storeResult(ctx: CommandContext, key: string, elements: string[]): Reply {
  const db = ctx.db;
  if (elements.length > 0) {
    // The write lookup reclaims an expired destination first (its `expired`
    // event and DEL), so the list is created anew.
    lookupWrite(ctx, key);
    db.set(key, new ListValue(elements), false, elements.length);
    ctx.notify("l", "sortstore", key);
  } else if (db.deleteStored(key)) {
    ctx.notify("g", "del", key);
  }
  return integer(elements.length);
}

/** A binary string up to its first NUL byte: what C's string functions see. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul === -1 ? s : s.slice(0, nul);
}

/** Byte order of whole binary strings (memcmp, then length). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The comparison SORT sorts with, as Redis's sortCompare: by score, then
 * by the elements' bytes; or (ALPHA) by the weights' bytes, a missing
 * weight first, equal weights equal.
 */
function comparator(alpha: boolean, desc: boolean): (a: Item, b: Item) => number {
  let compare: (a: Item, b: Item) => number;
  if (!alpha) {
    compare = (a, b) =>
      a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
  } else {
    compare = (a, b) => {
      const x = a.weight;
      const y = b.weight;
      if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
  return desc ? (a, b) => -compare(a, b) : compare;
}

/**
 * The value a pattern names for an element (Redis's lookupKeyByPattern):
 * `#` is the element itself; otherwise the first `*` is replaced by the
 * element, and a `->field` after it reads that field of a hash. A pattern
 * without `*`, a missing key and a value of the wrong type give undefined.
 *
 * @param ctx the calling client
 * @param pattern the BY or GET pattern
 * @param element the element
 * @returns the value, or undefined
 */
function lookupByPattern(
  ctx: CommandContext,
  pattern: string,
  element: string,
): string | undefined {
  const c = cString(pattern);
  if (c === "#") return element;
  const star = c.indexOf("*");
  if (star === -1) return undefined;
  const arrow = c.indexOf("->", star + 1);
  const hasField = arrow !== -1 && arrow + 2 < c.length;
  const key = pattern.slice(0, star) + element +
    pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const value = lookupRead(ctx, key);
  if (value === undefined) return undefined;
  if (!hasField) return typeof value === "string" ? value : undefined;
  if (typeof value === "string" || value.type !== "hash") return undefined;
  const hash = value as HashValue;
  // Lazy field expiry, as the hash commands do it (the database announces
  // and propagates what expired, and deletes the hash if it emptied).
  if (hash.hasExpires && ctx.db.expireFields(key, ctx.clock.now()) > 0 && hash.size === 0) {
    return undefined;
  }
  return hash.get(pattern.slice(arrow + 2));
}

// ---------------------------------------------------------------------------
// Scores: C's strtod, as glibc reads a number

const DBL_MIN = 2 ** -1022;
const DECIMAL_RE = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^(?:inf|infinity)$/i;

/**
 * A SORT weight read as Redis reads it with strtod: the text ends at its
 * first NUL byte; leading white space, a sign, decimal and hexadecimal
 * floats and `inf` / `infinity` are accepted; the empty text is 0. Text
 * left over, NaN, and results that overflow or underflow (glibc's ERANGE:
 * a result too small for a normal double that is not exact) are refused.
 *
 * @param text the value
 * @returns the number, or null when it cannot be converted
 * @example
 * ```ts
 * import { parseSortScore } from "./sort.ts";
 * console.assert(parseSortScore(" 1.5") === 1.5);
 * console.assert(parseSortScore("0x10") === 16);
 * console.assert(parseSortScore("") === 0);
 * console.assert(parseSortScore("1e400") === null);
 * console.assert(parseSortScore("5 ") === null);
 * ```
 */
export function parseSortScore(text: string): number | null {
  const fast = plainDecimal(text);
  if (fast !== null) return fast;
  const s = cString(text);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    negative = sign === 45;
    i++;
  }
  const body = s.slice(i);
  let value: number | null;
  if (INF_RE.test(body)) {
    value = Infinity;
  } else if (body.length > 1 && body[0] === "0" && (body[1] === "x" || body[1] === "X")) {
    value = parseHex(body);
  } else {
    value = parseDecimal(body);
  }
  if (value === null) return null;
  return negative ? -value : value;
}

/**
 * The common case, without regular expressions: up to 30 characters of an
 * optional `-` and digits with at most one `.` (such a number is never
 * out of range). Null when the text is anything else.
 */
function plainDecimal(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 30) return null;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return null;
    }
  }
  return digits === 0 ? null : Number(s);
}

/** C's isspace in the C locale. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** An unsigned decimal float, or null when not wholly one or out of range. */
function parseDecimal(body: string): number | null {
  const m = DECIMAL_RE.exec(body);
  if (m === null) return null;
  const intPart = m[1]!;
  const fracPart = m[2] ?? "";
  if (intPart.length + fracPart.length === 0) return null;
  const value = Number(body);
  if (value === Infinity) return null;
  if (value > DBL_MIN) return value;
  // Tiny results: is the exact value M * 10^-E nonzero and inexact, and
  // below DBL_MIN once rounded to 53 bits?
  const digits = (intPart + fracPart).replace(/^0+/, "");
  if (digits.length === 0) return value;
  const exponent = BigInt(m[3] ?? "0") - BigInt(fracPart.length);
  if (value === 0) return null;
  // value <= DBL_MIN here, so the exponent is far below 0.
  const num = BigInt(digits);
  const den = 10n ** -exponent;
  return underflows(value, num, den) ? null : value;
}

/** An unsigned hexadecimal float (`0x...`), or null when not wholly one or out of range. */
function parseHex(body: string): number | null {
  const m = HEX_RE.exec(body);
  if (m === null) return null;
  const intPart = m[1]!;
  const fracPart = m[2] ?? "";
  if (intPart.length + fracPart.length === 0) return null;
  const mantissa = BigInt("0x0" + intPart + fracPart);
  if (mantissa === 0n) return 0;
  // A huge exponent overflows or underflows whatever the digits.
  const p = Math.max(-1e6, Math.min(1e6, Number(m[3] ?? "0")));
  const e = p - 4 * fracPart.length;
  const [value, exact] = roundBinary(mantissa, e);
  if (value === Infinity) return null;
  if (value > DBL_MIN || exact) return value;
  if (value === 0) return null;
  const [num, den] = e >= 0 ? [mantissa << BigInt(e), 1n] : [mantissa, 1n << BigInt(-e)];
  return underflows(value, num, den) ? null : value;
}

/**
 * `mantissa * 2^e` rounded to a double (to nearest, ties to even), and
 * whether it was exact.
 */
function roundBinary(mantissa: bigint, e: number): [number, boolean] {
  const bits = mantissa.toString(2).length;
  const top = bits - 1 + e;
  if (top > 1023) return [Infinity, false];
  if (top < -1075) return [0, false];
  // The exponent of the last bit kept: 53 bits, or fewer when subnormal.
  const q = Math.max(top - 52, -1074);
  const drop = q - e;
  let m: bigint;
  let exact = true;
  if (drop <= 0) {
    m = mantissa << BigInt(-drop);
  } else {
    const d = BigInt(drop);
    m = mantissa >> d;
    const rest = mantissa & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    if (rest !== 0n) exact = false;
    if (rest > half || (rest === half && (m & 1n) === 1n)) m++;
  }
  const value = Number(m) * 2 ** q;
  return [value, exact];
}

/**
 * Whether glibc's strtod reports ERANGE for a result `value` (at most
 * DBL_MIN) of the exact value `num / den`: when it is not exact and, once
 * rounded to 53 bits with no bound on the exponent, below DBL_MIN (IEEE
 * tininess after rounding).
 */
function underflows(value: number, num: bigint, den: bigint): boolean {
  // value = k * 2^-1074 exactly.
  const k = BigInt(value / Number.MIN_VALUE);
  const scaledNum = num << 1074n;
  if (scaledNum === k * den) return false;
  if (value < DBL_MIN) return true;
  // Rounded to DBL_MIN: was the exact value below it, and so tiny before
  // rounding to the subnormal grid? Round at 2^-1075 (53 bits in the binade
  // below DBL_MIN).
  if ((num << 1022n) >= den) return false;
  const scaled = num << 1075n;
  let q = scaled / den;
  const r = scaled - q * den;
  if (2n * r > den || (2n * r === den && (q & 1n) === 1n)) q++;
  return q !== 1n << 53n;
}

// ---------------------------------------------------------------------------
// Redis's partial quicksort

/**
 * Sorts `v` so that positions `lo..hi` hold what a full sort would put
 * there, as Redis's pqsort (Bentley and McIlroy's quicksort, "Engineering
 * a Sort Function", skipping the parts that do not overlap `lo..hi`).
 * Elements that compare equal end up where Redis leaves them.
 *
 * @param v the items, sorted in place
 * @param cmp the comparison
 * @param lo first position wanted
 * @param hi last position wanted
 * @example
 * ```ts
 * import { pqsort } from "./sort.ts";
 * const v = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0];
 * pqsort(v, (a, b) => a - b, 0, 2);
 * console.assert(v.slice(0, 3).join() === "0,1,2");
 * ```
 */
export function pqsort<T>(
  v: T[],
  cmp: (a: T, b: T) => number,
  lo: number,
  hi: number,
): void {
  sortPart(v, 0, v.length, cmp, lo, hi);
}

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i]!;
  v[i] = v[j]!;
  v[j] = t;
}

/** Swaps the `n` items from `i` with the `n` items from `j`, pairwise. */
function swapRuns<T>(v: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k);
}

/** The median of three positions. */
function median3<T>(v: T[], a: number, b: number, c: number, cmp: (x: T, y: T) => number): number {
  if (cmp(v[a]!, v[b]!) < 0) {
    if (cmp(v[b]!, v[c]!) < 0) return b;
    return cmp(v[a]!, v[c]!) < 0 ? c : a;
  }
  if (cmp(v[b]!, v[c]!) > 0) return b;
  return cmp(v[a]!, v[c]!) < 0 ? a : c;
}

/** Insertion sort of `n` items from `a`. */
function insertionSort<T>(v: T[], a: number, n: number, cmp: (x: T, y: T) => number): void {
  for (let m = a + 1; m < a + n; m++) {
    for (let l = m; l > a && cmp(v[l - 1]!, v[l]!) > 0; l--) swap(v, l, l - 1);
  }
}

/** Whether the part `a..a+n-1` overlaps the wanted positions `lo..hi`. */
function overlaps(a: number, n: number, lo: number, hi: number): boolean {
  const last = a + n - 1;
  return !((lo < a && hi < a) || (lo > last && hi > last));
}

function sortPart<T>(
  v: T[],
  a: number,
  n: number,
  cmp: (x: T, y: T) => number,
  lo: number,
  hi: number,
): void {
  for (;;) {
    if (n < 7) {
      insertionSort(v, a, n, cmp);
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(v, pm - d, pm, pm + d, cmp);
        pn = median3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(v, pl, pm, pn, cmp);
    }
    swap(v, a, pm);
    let swapped = false;
    let pa = a + 1;
    let pb = a + 1;
    let pc = a + n - 1;
    let pd = a + n - 1;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(v[pb]!, v[a]!)) <= 0) {
        if (r === 0) {
          swapped = true;
          swap(v, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc]!, v[a]!)) >= 0) {
        if (r === 0) {
          swapped = true;
          swap(v, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb, pc);
      swapped = true;
      pb++;
      pc--;
    }
    if (!swapped) {
      insertionSort(v, a, n, cmp);
      return;
    }
    const end = a + n;
    let r = Math.min(pa - a, pb - pa);
    swapRuns(v, a, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(v, pb, end - r, r);
    r = pb - pa;
    if (r > 1 && overlaps(a, r, lo, hi)) sortPart(v, a, r, cmp, lo, hi);
    r = pd - pc;
    if (r <= 1) return;
    a = end - r;
    n = r;
    if (!overlaps(a, n, lo, hi)) return;
  }
}
