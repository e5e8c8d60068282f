/**
 * Glob-style matching with Redis's exact rules (its `stringmatchlen`), as
 * KEYS, SCAN MATCH, PSUBSCRIBE and CONFIG GET use it.
 *
 * Patterns and subjects are binary strings (one char per byte):
 *
 * - `*` matches any run of bytes, `?` exactly one byte;
 * - `[abc]`, `[a-z]` (ends in either order) and `[^...]` match one byte of
 *   (or not of) a class; `\x` inside a class is a literal `x`; an unclosed
 *   class runs to the end of the pattern;
 * - `\x` matches `x` literally; a trailing `\` matches a `\`.
 *
 * Redis's quirks are kept: range ends compare as signed bytes (C `char` on
 * x86), more than 1000 nested `*` never match, and `*` alone does not match
 * an empty subject (KEYS and SCAN special-case a lone `*` themselves).
 *
 * @module
 */

/** Deepest `*` recursion Redis allows before giving up (no match). */
const MAX_NESTING = 1000;

const STAR = 42;
const QUESTION = 63;
const OPEN = 91;
const CLOSE = 93;
const BACKSLASH = 92;
const CARET = 94;
const DASH = 45;

/** Results of {@linkcode match}. */
const MATCH = 1;
const NO_MATCH = 0;
/**
 * No match, and a `*` failed at every remaining position: a later start
 * cannot match either, so every enclosing `*` gives up at once (Redis's
 * skipLongerMatches).
 */
const NO_MATCH_GIVE_UP = -1;

/**
 * Whether a subject matches a glob pattern, exactly as Redis decides it.
 *
 * @param pattern the glob, a binary string
 * @param subject the text to test, a binary string
 * @param nocase compare ASCII letters case-insensitively (CONFIG GET does)
 * @returns true on a match
 * @example
 * ```ts
 * import { globMatch } from "./glob.ts";
 * console.assert(globMatch("h?llo*", "hello world"));
 * console.assert(globMatch("h[^e]llo", "hallo"));
 * console.assert(!globMatch("h[a-b]llo", "hello"));
 * console.assert(globMatch("A*", "abc", true));
 * ```
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  return match(pattern, 0, subject, 0, nocase, 0) === MATCH;
}

function match(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  nesting: number,
): number {
  if (nesting > MAX_NESTING) return NO_MATCH;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case STAR: {
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === STAR) pi++;
        if (pi + 1 === plen) return MATCH;
        while (si < slen) {
          const r = match(p, pi + 1, s, si, nocase, nesting + 1);
          if (r !== NO_MATCH) return r;
          si++;
        }
        return NO_MATCH_GIVE_UP;
      }
      case QUESTION:
        si++;
        break;
      case OPEN: {
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === CARET;
        if (not) pi++;
        const c = s.charCodeAt(si);
        let matched = false;
        for (;;) {
          const rest = plen - pi;
          const cur = p.charCodeAt(pi);
          if (cur === BACKSLASH && rest >= 2) {
            pi++;
            if (p.charCodeAt(pi) === c) matched = true;
          } else if (cur === CLOSE) {
            break;
          } else if (rest <= 0) {
            // Unclosed class: step back so the advance below ends the pattern.
            pi--;
            break;
          } else if (rest >= 3 && p.charCodeAt(pi + 1) === DASH) {
            let start = signedByte(cur);
            let end = signedByte(p.charCodeAt(pi + 2));
            let sc = signedByte(c);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              sc = lower(sc);
            }
            pi += 2;
            if (sc >= start && sc <= end) matched = true;
          } else if (nocase ? lower(cur) === lower(c) : cur === c) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return NO_MATCH;
        si++;
        break;
      }
      case BACKSLASH:
        if (plen - pi >= 2) pi++;
      // falls through
      default: {
        const lit = p.charCodeAt(pi);
        const c = s.charCodeAt(si);
        if (nocase ? lower(lit) !== lower(c) : lit !== c) return NO_MATCH;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi >= plen && si === slen ? MATCH : NO_MATCH;
}

/** A byte as C's signed `char` (x86), for range comparisons. */
function signedByte(c: number): number {
  return c > 127 ? c - 256 : c;
}

/** ASCII lower case of a char code (other codes unchanged). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
