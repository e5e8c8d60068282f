/**
 * Parsing of stream IDs as the stream commands take them, with Redis
 * 7.0.15's rules and errors (t_stream.c's streamGenericParseIDOrReply and
 * streamParseIntervalIDOrReply):
 *
 * - `ms-seq`, or `ms` alone (the sequence then defaults to 0 or to the
 *   maximum, as the caller says); each part is read as C's strtoull does
 *   after a fast canonical path: leading blanks, a `+` or `-` sign (which
 *   negates modulo 2^64) and leading zeros are accepted; anything else
 *   after the digits, or a value past 2^64 - 1, is an error.
 * - `-` and `+` stand for 0-0 and the maximum ID, except in strict mode
 *   (XADD, XDEL, XSETID, MINID, and exclusive range bounds).
 * - Only XADD takes `ms-*` (see {@linkcode parseXaddId}).
 * - An argument of more than 127 bytes is invalid; one holding a NUL byte
 *   is read up to it (Redis copies it into a C string).
 *
 * Shared by the stream command groups (XRANGE and friends here, XREAD and
 * XREADGROUP, XPENDING, XCLAIM, XAUTOCLAIM).
 *
 * @module
 */

import { ReplyError } from "../errors.ts";
import { decrId, incrId, MAX_ID, MIN_ID, type StreamId, streamId } from "../store/stream_id.ts";

/** Redis's error for an ID it cannot parse. */
export const INVALID_STREAM_ID = "ERR Invalid stream ID specified as stream command argument";
/** An exclusive start bound that is the maximum ID. */
export const INVALID_START_INTERVAL = "ERR invalid start ID for the interval";
/** An exclusive end bound that is 0-0. */
export const INVALID_END_INTERVAL = "ERR invalid end ID for the interval";

const U64_MAX = (1n << 64n) - 1n;

/** Whether `c` is a C isspace character. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Reads an unsigned 64-bit integer as Redis's string2ull: a canonical
 * signed integer text when non-negative, else what strtoull accepts in full.
 *
 * @param s the text (no NUL bytes)
 * @returns the value, or undefined when invalid
 * @example
 * ```ts
 * import { parseU64 } from "./stream_args.ts";
 * console.assert(parseU64("007") === 7n);
 * console.assert(parseU64("-1") === undefined);
 * console.assert(parseU64("18446744073709551616") === undefined);
 * ```
 */
export function parseU64(s: string): bigint | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  // Fast path: plain digits, no leading zero (string2ll succeeds).
  if (n < 16) {
    let v = 0;
    let ok = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        ok = false;
        break;
      }
      v = v * 10 + (c - 48);
    }
    if (ok) return BigInt(v);
  }
  // A canonical negative integer: string2ll succeeds, and string2ull refuses it.
  if (/^-[1-9][0-9]*$/.test(s) && n <= 20) {
    if (BigInt(s) >= -(1n << 63n)) return undefined;
  }
  // strtoull: blanks, optional sign, at least one digit, then the end.
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    negative = s.charCodeAt(i) === 45;
    i++;
  }
  const start = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    i++;
  }
  if (i === start) return undefined;
  const v = BigInt(s.slice(start));
  if (v > U64_MAX) return undefined;
  return negative ? BigInt.asUintN(64, -v) : v;
}

/** The part of an argument Redis reads: up to a NUL byte; undefined when too long. */
function cText(text: string): string | undefined {
  if (text.length > 127) return undefined;
  const nul = text.indexOf("\0");
  return nul === -1 ? text : text.slice(0, nul);
}

/** What {@linkcode parseXaddId} returns. */
export interface XaddId {
  /** The ID (with seq 0 when not given). */
  readonly id: StreamId;
  /** False for the `ms-*` form. */
  readonly seqGiven: boolean;
}

/** The shared parser: undefined when invalid. */
function parseGeneric(
  text: string,
  missingSeq: bigint,
  strict: boolean,
  allowSeqStar: boolean,
): XaddId | undefined {
  const buf = cText(text);
  if (buf === undefined) return undefined;
  if (buf === "-" || buf === "+") {
    if (strict) return undefined;
    return { id: buf === "-" ? MIN_ID : MAX_ID, seqGiven: true };
  }
  const dash = buf.indexOf("-");
  const ms = parseU64(dash === -1 ? buf : buf.slice(0, dash));
  if (ms === undefined) return undefined;
  if (dash === -1) return { id: streamId(ms, missingSeq), seqGiven: true };
  const tail = buf.slice(dash + 1);
  if (allowSeqStar && tail === "*") return { id: streamId(ms, 0), seqGiven: false };
  const seq = parseU64(tail);
  if (seq === undefined) return undefined;
  return { id: streamId(ms, seq), seqGiven: true };
}

/**
 * Parses a stream ID argument.
 *
 * @param text the argument
 * @param missingSeq the sequence of an `ms` given alone: 0 ("min") or the maximum ("max")
 * @param strict refuse `-` and `+`
 * @returns the ID
 * @throws ReplyError `ERR Invalid stream ID specified as stream command argument`
 * @example
 * ```ts
 * import { parseStreamId } from "./stream_args.ts";
 * import { formatId } from "../store/stream_id.ts";
 * console.assert(formatId(parseStreamId("5", "max")) === "5-18446744073709551615");
 * console.assert(formatId(parseStreamId("-", "min")) === "0-0");
 * ```
 */
export function parseStreamId(text: string, missingSeq: "min" | "max", strict = false): StreamId {
  const parsed = parseGeneric(text, missingSeq === "min" ? 0n : U64_MAX, strict, false);
  if (parsed === undefined) throw new ReplyError(INVALID_STREAM_ID);
  return parsed.id;
}

/**
 * Parses XADD's ID argument (strict, with the `ms-*` form).
 *
 * @param text the argument (not `*`, which the caller handles)
 * @returns the ID and whether its sequence was given
 * @throws ReplyError `ERR Invalid stream ID specified as stream command argument`
 * @example
 * ```ts
 * import { parseXaddId } from "./stream_args.ts";
 * console.assert(parseXaddId("5-*").seqGiven === false);
 * ```
 */
export function parseXaddId(text: string): XaddId {
  const parsed = parseGeneric(text, 0n, true, true);
  if (parsed === undefined) throw new ReplyError(INVALID_STREAM_ID);
  return parsed;
}

/** What {@linkcode parseRangeBound} returns. */
export interface RangeBound {
  /**
   * The inclusive bound to use: the ID parsed, moved one step inwards when
   * the bound was exclusive (next ID for a start, previous for an end).
   */
  readonly id: StreamId;
  /** The ID as written (after the `(`). */
  readonly parsed: StreamId;
  /** Whether the bound had the `(` prefix. */
  readonly exclusive: boolean;
}

/**
 * Parses an XRANGE-style bound: an ID (`-` and `+` allowed), or `(` then a
 * strict ID for an exclusive bound (XRANGE, XREVRANGE, XPENDING,
 * XAUTOCLAIM).
 *
 * @param text the argument
 * @param missingSeq "min" for a start bound (an `ms` alone means ms-0), "max" for an end bound
 * @returns the bound
 * @throws ReplyError the invalid ID error, or `ERR invalid start ID for the interval`
 *   (`(` on the maximum ID) / `ERR invalid end ID for the interval` (`(` on 0-0)
 * @example
 * ```ts
 * import { parseRangeBound } from "./stream_args.ts";
 * import { formatId } from "../store/stream_id.ts";
 * const b = parseRangeBound("(5-1", "min");
 * console.assert(b.exclusive && formatId(b.id) === "5-2");
 * ```
 */
export function parseRangeBound(text: string, missingSeq: "min" | "max"): RangeBound {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 40;
  if (!exclusive) {
    const id = parseStreamId(text, missingSeq);
    return { id, parsed: id, exclusive };
  }
  const parsed = parseStreamId(text.slice(1), missingSeq, true);
  if (missingSeq === "min") {
    const id = incrId(parsed);
    if (id === undefined) throw new ReplyError(INVALID_START_INTERVAL);
    return { id, parsed, exclusive };
  }
  const id = decrId(parsed);
  if (id === undefined) throw new ReplyError(INVALID_END_INTERVAL);
  return { id, parsed, exclusive };
}
