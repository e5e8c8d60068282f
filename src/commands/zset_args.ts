/**
 * Parsing and formatting shared by the sorted-set commands (and geo, SORT):
 * scores, score ranges and lex ranges with Redis 7.0.15's exact errors, the
 * text of a score, and the WITHSCORES reply in its RESP2 and RESP3 forms.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { parseFloat64 } from "./spec.ts";
import { formatDouble } from "../resp/encoder.ts";
import { array, bulk, type Reply } from "../resp/reply.ts";
import type { LexBound, LexRange, ScoreRange, ZEntry, ZSetLimits } from "../store/zset.ts";

const INF_TEXT_RE = /^[+-]?(?:inf|infinity)$/i;
/** A decimal mantissa with some nonzero digit (for telling underflow from zero). */
const NONZERO_MANTISSA_RE = /^[+-]?0*\.?0*[1-9]/;

/**
 * Parses a score as Redis's getDoubleFromObject does (ZADD, ZINCRBY): the
 * whole text must be a number, no leading space, `inf` / `-inf` accepted;
 * NaN, overflow (`1e400`) and underflow to zero (`1e-400`) refused.
 *
 * @param text the argument
 * @param message the error to throw (`ERR value is not a valid float`)
 * @returns the score
 * @throws {ReplyError} when the text is not a valid score
 * @example
 * ```ts
 * import { parseScore } from "./zset_args.ts";
 * console.assert(parseScore("-inf") === -Infinity);
 * console.assert(parseScore("1.5") === 1.5);
 * ```
 */
export function parseScore(text: string, message: string = Errors.notFloat): number {
  const quick = smallInteger(text);
  if (quick !== undefined) return quick;
  const v = parseFloat64(text);
  if (v === null) throw new ReplyError(message);
  if ((v === Infinity || v === -Infinity) && !INF_TEXT_RE.test(text)) {
    throw new ReplyError(message);
  }
  if (v === 0 && NONZERO_MANTISSA_RE.test(text) && !/^[+-]?0[xX]/.test(text)) {
    // strtod reported ERANGE: a nonzero number too small for a double.
    throw new ReplyError(message);
  }
  return v;
}

/**
 * The value of a short plain decimal integer (`-`? digits, at most 15
 * characters: exact as a double), the common score, without a regular
 * expression; undefined for anything else.
 */
function smallInteger(text: string): number | undefined {
  const n = text.length;
  if (n === 0 || n > 15) return undefined;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return undefined;
  let v = 0;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return text.charCodeAt(0) === 45 ? -v : v;
}

/** Whether a char code is C's isspace. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * strtod over the whole text as zslParseRange uses it: leading white space
 * skipped, an empty text is 0, overflow gives an infinity, NaN refused.
 */
function strtodWhole(text: string): number | null {
  const quick = smallInteger(text);
  if (quick !== undefined) return quick;
  if (text === "+inf" || text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const rest = i === 0 ? text : text.slice(i);
  if (rest.length === 0) return text.length === 0 ? 0 : null;
  const v = parseFloat64(rest);
  return v;
}

function parseScoreBound(text: string): [number, boolean] {
  const exclusive = text.charCodeAt(0) === 40; // (
  const v = strtodWhole(exclusive ? text.slice(1) : text);
  if (v === null) throw new ReplyError(Errors.zsetMinMaxNotFloat);
  return [v, exclusive];
}

/**
 * Parses the `min` and `max` of ZRANGEBYSCORE and friends as Redis's
 * zslParseRange does: `(` makes a bound exclusive, `-inf` / `+inf` work,
 * leading white space is allowed and an empty bound is 0 (strtod's rules).
 *
 * @param min the min argument
 * @param max the max argument
 * @returns the range
 * @throws {ReplyError} `ERR min or max is not a float`
 * @example
 * ```ts
 * import { parseScoreRange } from "./zset_args.ts";
 * const r = parseScoreRange("(1", "+inf");
 * console.assert(r.min === 1 && r.minExclusive && r.max === Infinity);
 * ```
 */
export function parseScoreRange(min: string, max: string): ScoreRange {
  const [lo, minExclusive] = parseScoreBound(min);
  const [hi, maxExclusive] = parseScoreBound(max);
  return { min: lo, max: hi, minExclusive, maxExclusive };
}

const LEX_MINUS: LexBound = Object.freeze({ value: "", exclusive: false, infinity: -1 });
const LEX_PLUS: LexBound = Object.freeze({ value: "", exclusive: false, infinity: 1 });

function parseLexBound(text: string): LexBound {
  const c = text.charCodeAt(0);
  if (c === 43 && text.length === 1) return LEX_PLUS; // +
  if (c === 45 && text.length === 1) return LEX_MINUS; // -
  if (c === 40) return { value: text.slice(1), exclusive: true, infinity: 0 }; // (
  if (c === 91) return { value: text.slice(1), exclusive: false, infinity: 0 }; // [
  throw new ReplyError(Errors.zsetLexRangeItem);
}

/**
 * Parses the `min` and `max` of ZRANGEBYLEX and friends: `-`, `+`,
 * `[member` (inclusive) or `(member` (exclusive).
 *
 * @param min the min argument
 * @param max the max argument
 * @returns the range
 * @throws {ReplyError} `ERR min or max not valid string range item`
 * @example
 * ```ts
 * import { parseLexRange } from "./zset_args.ts";
 * const r = parseLexRange("[a", "+");
 * console.assert(r.min.value === "a" && r.max.infinity === 1);
 * ```
 */
export function parseLexRange(min: string, max: string): LexRange {
  return { min: parseLexBound(min), max: parseLexBound(max) };
}

/**
 * A score as Redis 7.0.15 writes it in a RESP2 bulk reply, in ZSCAN and
 * in DEBUG DIGEST (`%.17g`, `inf`, `-inf`, `-0`).
 *
 * @param score the score
 * @returns its text
 * @example
 * ```ts
 * import { formatScore } from "./zset_args.ts";
 * console.assert(formatScore(1.1) === "1.1000000000000001");
 * console.assert(formatScore(-Infinity) === "-inf");
 * ```
 */
export function formatScore(score: number): string {
  return formatDouble(score);
}

/**
 * A score reply: a bulk string in RESP2, a RESP3 double.
 *
 * @param score the score
 * @returns the reply
 */
export function scoreReply(score: number): Reply {
  return { kind: "double", value: score };
}

/**
 * Collects reply items for members with or without their scores, in the
 * shape ZRANGE WITHSCORES and friends reply: RESP2 a flat array (member,
 * score, ...), RESP3 an array of [member, double] pairs; without scores an
 * array of members.
 *
 * @example Building a reply entry by entry
 * ```ts
 * import { WithScoresReply } from "./zset_args.ts";
 * const r = new WithScoresReply(true, 3);
 * r.push("a", 1);
 * console.assert(r.reply().kind === "array");
 * ```
 */
export class WithScoresReply {
  #withScores: boolean;
  #resp3: boolean;
  #items: Reply[] = [];
  #members: string[] = [];

  /**
   * @param withScores whether scores are sent
   * @param resp the client's protocol version (2 or 3)
   */
  constructor(withScores: boolean, resp: number) {
    this.#withScores = withScores;
    this.#resp3 = resp === 3;
  }

  /**
   * Adds one entry.
   *
   * @param member the member
   * @param score its score
   */
  push(member: string, score: number): void {
    if (!this.#withScores) {
      this.#members.push(member);
    } else if (this.#resp3) {
      this.#items.push(array([bulk(member), scoreReply(score)]));
    } else {
      // RESP2 sends the score as a bulk string: the same bytes, compactly.
      this.#members.push(member, formatDouble(score));
    }
  }

  /** Number of entries pushed. */
  get length(): number {
    if (this.#withScores && this.#resp3) return this.#items.length;
    return this.#withScores ? this.#members.length >> 1 : this.#members.length;
  }

  /**
   * The reply.
   *
   * @returns the array reply
   */
  reply(): Reply {
    if (this.#withScores && this.#resp3) return array(this.#items);
    return { kind: "bulks", values: this.#members };
  }
}

/**
 * The WITHSCORES reply for a list of entries (see {@linkcode WithScoresReply}).
 *
 * @param entries members and scores, in reply order
 * @param withScores whether scores are sent
 * @param resp the client's protocol version
 * @returns the reply
 * @example
 * ```ts
 * import { withScoresReply } from "./zset_args.ts";
 * console.assert(withScoresReply([["a", 1]], true, 2).kind === "bulks");
 * ```
 */
export function withScoresReply(
  entries: readonly ZEntry[],
  withScores: boolean,
  resp: number,
): Reply {
  const r = new WithScoresReply(withScores, resp);
  for (const [m, s] of entries) r.push(m, s);
  return r.reply();
}

/**
 * The encoding bounds from the server's config.
 *
 * @param config anything with `number(name)` (the client's config view)
 * @returns `zset-max-listpack-entries` and `zset-max-listpack-value`
 */
export function zsetLimits(config: { number(name: string): number }): ZSetLimits {
  return {
    maxEntries: config.number("zset-max-listpack-entries"),
    maxValue: config.number("zset-max-listpack-value"),
  };
}
