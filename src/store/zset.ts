/**
 * The sorted-set value: members (binary strings) with IEEE double scores,
 * ordered by score, ties by member bytes, with Redis 7.0.15's two encodings
 * as `OBJECT ENCODING` reports them.
 *
 * - `listpack`: at most `zset-max-listpack-entries` members, none longer
 *   than `zset-max-listpack-value` bytes. Redis converts to `skiplist` when
 *   a new member breaks either bound and never converts back, except where
 *   it builds a fresh value (ZRANGESTORE, ZUNIONSTORE and friends pick the
 *   encoding by size: {@linkcode ZSetValue.fromEntries}).
 * - `skiplist`: anything else.
 *
 * Both encodings share one representation (the encoding is a flag, so a
 * conversion costs nothing): a `Map` from member to score (O(1) ZSCORE, set
 * algebra, and the insertion-ordered live iteration ZSCAN's cursors build
 * on) and an order-statistic B+tree of (score, member) pairs whose leaves
 * hold packed arrays (a `string[]` of members and a `number[]` of scores,
 * which V8 stores unboxed) linked both ways, and whose inner nodes keep each
 * child's size. Insert, delete, rank, select-by-rank and the bounds of a
 * score or lex range are O(log N); walking a range costs O(1) per element.
 * The member strings are shared between the Map and the leaves.
 *
 * Known differences from Redis:
 * - Lex ranges over members with different scores are "undefined" in Redis:
 *   its skiplist search assumes equal scores, and its answer then depends on
 *   the random levels of its nodes. A listpack-encoded set is walked here
 *   exactly as Redis walks its listpack (linearly), so it matches; a
 *   skiplist-encoded one with mixed scores is walked linearly from the head,
 *   Redis's answer when its search skips no node (the likeliest). With equal
 *   scores (the documented use) ranges are binary-searched and match.
 *
 * @module
 */

import type { ContainerValue } from "./database.ts";

/** A member and its score. */
export type ZEntry = [member: string, score: number];

/** The bounds that decide the encoding: `zset-max-listpack-entries` and `-value`. */
export interface ZSetLimits {
  /** `zset-max-listpack-entries`: most members a listpack holds. */
  readonly maxEntries: number;
  /** `zset-max-listpack-value`: longest member (bytes) a listpack holds. */
  readonly maxValue: number;
}

/** A score interval, as ZRANGEBYSCORE's `min` / `max` arguments give it. */
export interface ScoreRange {
  /** The lower bound (may be -Infinity). */
  readonly min: number;
  /** The upper bound (may be Infinity). */
  readonly max: number;
  /** `(min`: the lower bound itself is excluded. */
  readonly minExclusive: boolean;
  /** `(max`: the upper bound itself is excluded. */
  readonly maxExclusive: boolean;
}

/**
 * One end of a lex interval: `-` (below every member, `infinity` -1), `+`
 * (above every member, `infinity` 1), or `[value` / `(value`.
 */
export interface LexBound {
  /** The member text (empty for `-` / `+`). */
  readonly value: string;
  /** `(value`: the value itself is excluded. */
  readonly exclusive: boolean;
  /** -1 for `-`, 1 for `+`, 0 for a value. */
  readonly infinity: -1 | 0 | 1;
}

/** A lex interval, as ZRANGEBYLEX's `min` / `max` arguments give it. */
export interface LexRange {
  /** The lower bound. */
  readonly min: LexBound;
  /** The upper bound. */
  readonly max: LexBound;
}

/** ZADD input flag: only add new members. */
export const ZADD_NX = 1;
/** ZADD input flag: only update existing members. */
export const ZADD_XX = 2;
/** ZADD input flag: only update when the new score is greater. */
export const ZADD_GT = 4;
/** ZADD input flag: only update when the new score is less. */
export const ZADD_LT = 8;
/** ZADD input flag: the score is an increment (ZADD INCR, ZINCRBY). */
export const ZADD_INCR = 16;

/** ZADD result flag: the member was added. */
export const ZADD_ADDED = 1;
/** ZADD result flag: an existing member's score changed. */
export const ZADD_UPDATED = 2;
/** ZADD result flag: nothing was done because of NX / XX / GT / LT. */
export const ZADD_NOP = 4;
/** ZADD result flag: the increment made the score NaN (nothing changed). */
export const ZADD_NAN = 8;

const LEAF_MAX = 128;
const INNER_MAX = 64;
const LEAF_MERGE_BELOW = LEAF_MAX >> 2;
/** Members per leaf when bulk-loading (room left for inserts). */
const BULK_LEAF_FILL = 96;
/** Range deletions above this many members rebuild the inner levels instead. */
const BULK_DELETE_ABOVE = 64;
const INNER_MERGE_BELOW = INNER_MAX >> 2;

/** A B+tree leaf: parallel arrays of members and scores, in order. */
class Leaf {
  members: string[];
  scores: number[];
  prev: Leaf | null = null;
  next: Leaf | null = null;
  constructor(members: string[], scores: number[]) {
    this.members = members;
    this.scores = scores;
  }
}

/**
 * An inner node: children, their sizes, and each child's lower separator
 * key (index 0's is not used for searching).
 */
class Inner {
  children: Node[];
  counts: number[];
  sepScores: number[];
  sepMembers: string[];
  constructor(children: Node[], counts: number[], sepScores: number[], sepMembers: string[]) {
    this.children = children;
    this.counts = counts;
    this.sepScores = sepScores;
    this.sepMembers = sepMembers;
  }
}

type Node = Leaf | Inner;

/** What a split hands up: the new right sibling and its separator. */
interface Split {
  node: Node;
  count: number;
  sepScore: number;
  sepMember: string;
}

/** (s1, m1) < (s2, m2) in the set's order. */
function less(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

/** Index of the child of `node` whose range holds the key (score, member). */
function childFor(node: Inner, score: number, member: string): number {
  const ss = node.sepScores;
  const sm = node.sepMembers;
  // Last i >= 1 with sep[i] <= key, else 0.
  let lo = 1;
  let hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (less(score, member, ss[mid]!, sm[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/** Position of the first leaf entry not below (score, member). */
function leafLowerBound(leaf: Leaf, score: number, member: string): number {
  const ss = leaf.scores;
  const sm = leaf.members;
  let lo = 0;
  let hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (less(ss[mid]!, sm[mid]!, score, member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nodeSize(node: Node): number {
  if (node instanceof Leaf) return node.members.length;
  let n = 0;
  for (const c of node.counts) n += c;
  return n;
}

/** Whether `member` lies at or above a lex range's lower bound. */
function lexGteMin(member: string, min: LexBound): boolean {
  if (min.infinity !== 0) return min.infinity < 0;
  return min.exclusive ? member > min.value : member >= min.value;
}

/** Whether `member` lies at or below a lex range's upper bound. */
function lexLteMax(member: string, max: LexBound): boolean {
  if (max.infinity !== 0) return max.infinity > 0;
  return max.exclusive ? member < max.value : member <= max.value;
}

/** Whether a lex range can hold anything at all (Redis's sanity check). */
function lexRangeNonEmpty(range: LexRange): boolean {
  const { min, max } = range;
  if (min.infinity === 1 || max.infinity === -1) return false;
  if (min.infinity === -1 || max.infinity === 1) return true;
  if (min.value > max.value) return false;
  if (min.value === max.value && (min.exclusive || max.exclusive)) return false;
  return true;
}

/** Whether a score range can hold anything at all (Redis's sanity check). */
function scoreRangeNonEmpty(range: ScoreRange): boolean {
  if (range.min > range.max) return false;
  if (range.min === range.max && (range.minExclusive || range.maxExclusive)) return false;
  return true;
}

/**
 * A Redis sorted set.
 *
 * @example Scores, ranks and ranges
 * ```ts
 * import { ZSetValue } from "./zset.ts";
 * const limits = { maxEntries: 128, maxValue: 64 };
 * const z = new ZSetValue();
 * z.set("b", 2, limits);
 * z.set("a", 1, limits);
 * z.set("c", 2, limits);
 * console.assert(z.score("c") === 2 && z.rank("c") === 2 && z.rank("a", true) === 2);
 * const seen: string[] = [];
 * z.forEachByRank(0, 1, false, (m) => { seen.push(m); });
 * console.assert(seen.join() === "a,b" && z.encoding() === "listpack");
 * ```
 */
export class ZSetValue implements ContainerValue {
  /** What `TYPE` reports. */
  readonly type = "zset" as const;
  /** Member -> score, in insertion order. */
  #scores = new Map<string, number>();
  #root: Node = new Leaf([], []);
  #first: Leaf;
  #last: Leaf;
  #listpack: boolean;

  /**
   * An empty sorted set.
   *
   * @param listpack whether it starts in the compact encoding (Redis's
   *   ZADD starts a new key as a skiplist when `zset-max-listpack-entries`
   *   is 0 or the first member is longer than `zset-max-listpack-value`)
   */
  constructor(listpack = true) {
    this.#listpack = listpack;
    this.#first = this.#last = this.#root as Leaf;
  }

  /**
   * A set built from entries with the encoding Redis gives a value it
   * builds and then fits (ZRANGESTORE, ZUNIONSTORE, ...): listpack when it
   * has at most `maxEntries` members, none longer than `maxValue` bytes.
   * A member given twice keeps its last score.
   *
   * @param entries members and scores
   * @param limits the encoding bounds
   * @returns the set
   * @example
   * ```ts
   * import { ZSetValue } from "./zset.ts";
   * const z = ZSetValue.fromEntries([["a", 1], ["b", 2]], { maxEntries: 1, maxValue: 64 });
   * console.assert(z.size === 2 && z.encoding() === "skiplist");
   * ```
   */
  static fromEntries(entries: Iterable<readonly [string, number]>, limits: ZSetLimits): ZSetValue {
    const z = new ZSetValue(false);
    const scores = z.#scores;
    for (const [m, s] of entries) scores.set(m, s);
    // Sorted once and bulk-loaded: O(N log N) with the native sort (O(N)
    // for input already in order, as ZRANGESTORE's), not N tree inserts.
    const members = [...scores.keys()];
    members.sort((a, b) => {
      const sa = scores.get(a)!;
      const sb = scores.get(b)!;
      return sa < sb ? -1 : sa > sb ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
    const leaves: Leaf[] = [];
    for (let i = 0; i < members.length; i += BULK_LEAF_FILL) {
      const ms = members.slice(i, i + BULK_LEAF_FILL);
      const ss: number[] = [];
      for (const m of ms) ss.push(scores.get(m)!);
      leaves.push(new Leaf(ms, ss));
    }
    z.#buildFromLeaves(leaves);
    z.fitEncoding(limits);
    return z;
  }

  /** What `OBJECT ENCODING` reports. */
  encoding(): "listpack" | "skiplist" {
    return this.#listpack ? "listpack" : "skiplist";
  }

  /** Whether the compact (listpack) encoding is in use. */
  get isListpack(): boolean {
    return this.#listpack;
  }

  /** Switches to the skiplist encoding (for good). */
  convertToSkiplist(): void {
    this.#listpack = false;
  }

  /**
   * Picks the encoding by size as Redis's zsetConvertToListpackIfNeeded
   * does for a value it just built: listpack when at most
   * `limits.maxEntries` members, none longer than `limits.maxValue`.
   *
   * @param limits the encoding bounds
   */
  fitEncoding(limits: ZSetLimits): void {
    if (this.#scores.size > limits.maxEntries) {
      this.#listpack = false;
      return;
    }
    for (const m of this.#scores.keys()) {
      if (m.length > limits.maxValue) {
        this.#listpack = false;
        return;
      }
    }
    this.#listpack = true;
    // A listpack stores -0 as the integer 0: it reads back as 0.
    for (const [m, score] of this.#scores) {
      if (Object.is(score, -0)) this.#scores.set(m, 0);
    }
    for (let l: Leaf | null = this.#first; l !== null; l = l.next) {
      const ss = l.scores;
      for (let j = 0; j < ss.length; j++) if (ss[j] === 0) ss[j] = 0;
    }
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): ZSetValue {
    const copy = new ZSetValue(this.#listpack);
    copy.#scores = new Map(this.#scores);
    let leaf: Leaf | null = this.#first;
    const leaves: Leaf[] = [];
    for (; leaf !== null; leaf = leaf.next) {
      if (leaf.members.length > 0) leaves.push(new Leaf(leaf.members.slice(), leaf.scores.slice()));
    }
    copy.#buildFromLeaves(leaves);
    return copy;
  }

  /** Number of members. */
  get size(): number {
    return this.#scores.size;
  }

  /**
   * Member -> score, live and read-only, in insertion order (for set
   * algebra and ZSCAN; not the sorted order).
   */
  get scores(): ReadonlyMap<string, number> {
    return this.#scores;
  }

  /**
   * A member's score.
   *
   * @param member the member
   * @returns its score, or undefined when absent
   */
  score(member: string): number | undefined {
    return this.#scores.get(member);
  }

  /**
   * Whether a member is present.
   *
   * @param member the member
   * @returns true if present
   */
  has(member: string): boolean {
    return this.#scores.has(member);
  }

  /**
   * Sets a member's score, adding it if absent. Adding a member converts a
   * listpack to a skiplist when it would then exceed `limits.maxEntries`
   * members or the member is longer than `limits.maxValue` (as Redis's
   * zsetAdd does); updating never converts. A listpack stores a score of
   * -0 as 0, as Redis's does.
   *
   * @param member the member
   * @param score the score (never NaN)
   * @param limits the encoding bounds
   * @returns true when the member was added
   */
  set(member: string, score: number, limits: ZSetLimits): boolean {
    const old = this.#scores.get(member);
    if (old === undefined) {
      if (
        this.#listpack &&
        (this.#scores.size + 1 > limits.maxEntries || member.length > limits.maxValue)
      ) this.#listpack = false;
      // A listpack stores -0 as the integer 0: it reads back as 0.
      if (score === 0 && this.#listpack) score = 0;
      this.#scores.set(member, score);
      this.#insert(score, member);
      return true;
    }
    // As Redis compares with ==, 0 and -0 are the same score: no update.
    if (old !== score) {
      if (score === 0 && this.#listpack) score = 0;
      this.#scores.set(member, score);
      this.#remove(old, member);
      this.#insert(score, member);
    }
    return false;
  }

  /**
   * ZADD's core for one member (Redis's zsetAdd): applies NX / XX / GT / LT
   * / INCR (the `ZADD_*` input flags) and reports what happened (the
   * `ZADD_ADDED` / `ZADD_UPDATED` / `ZADD_NOP` / `ZADD_NAN` result flags,
   * 0 when the member existed with that score already). Read the resulting
   * score with {@linkcode score}. Flag compatibility (NX with XX, GT with
   * LT, ...) is the caller's to check.
   *
   * @param member the member
   * @param score the score, or the increment with `ZADD_INCR`
   * @param flags `ZADD_NX | ZADD_XX | ZADD_GT | ZADD_LT | ZADD_INCR`
   * @param limits the encoding bounds
   * @returns the result flags
   * @example
   * ```ts
   * import { ZSetValue, ZADD_INCR, ZADD_UPDATED } from "./zset.ts";
   * const limits = { maxEntries: 128, maxValue: 64 };
   * const z = new ZSetValue();
   * z.add("m", 1, 0, limits);
   * console.assert(z.add("m", 2, ZADD_INCR, limits) === ZADD_UPDATED && z.score("m") === 3);
   * ```
   */
  add(member: string, score: number, flags: number, limits: ZSetLimits): number {
    const current = this.#scores.get(member);
    if (current !== undefined) {
      if ((flags & ZADD_NX) !== 0) return ZADD_NOP;
      if ((flags & ZADD_INCR) !== 0) {
        score += current;
        if (Number.isNaN(score)) return ZADD_NAN;
      }
      if (
        ((flags & ZADD_LT) !== 0 && score >= current) ||
        ((flags & ZADD_GT) !== 0 && score <= current)
      ) return ZADD_NOP;
      if (score !== current) {
        this.set(member, score, limits);
        return ZADD_UPDATED;
      }
      return 0;
    }
    if ((flags & ZADD_XX) !== 0) return ZADD_NOP;
    this.set(member, score, limits);
    return ZADD_ADDED;
  }

  /**
   * Removes a member.
   *
   * @param member the member
   * @returns whether it was present
   */
  delete(member: string): boolean {
    const score = this.#scores.get(member);
    if (score === undefined) return false;
    this.#scores.delete(member);
    this.#remove(score, member);
    return true;
  }

  /**
   * A member's 0-based rank, ascending (or descending with `reverse`).
   *
   * @param member the member
   * @param reverse rank from the highest score
   * @returns the rank, or undefined when absent
   */
  rank(member: string, reverse = false): number | undefined {
    const score = this.#scores.get(member);
    if (score === undefined) return undefined;
    let rank = 0;
    let node = this.#root;
    while (node instanceof Inner) {
      const i = childFor(node, score, member);
      const counts = node.counts;
      for (let j = 0; j < i; j++) rank += counts[j]!;
      node = node.children[i]!;
    }
    rank += leafLowerBound(node, score, member);
    return reverse ? this.#scores.size - 1 - rank : rank;
  }

  /**
   * The entry at an ascending rank.
   *
   * @param rank 0-based, below the size
   * @returns the member and score, or undefined when out of range
   */
  at(rank: number): ZEntry | undefined {
    if (rank < 0 || rank >= this.#scores.size) return undefined;
    const [leaf, i] = this.#locate(rank);
    return [leaf.members[i]!, leaf.scores[i]!];
  }

  /**
   * Calls `fn` for the entries of ascending ranks `start..end` (inclusive,
   * both already clamped to the set), in ascending order, or from `end`
   * down to `start` with `reverse`. O(log N + M).
   *
   * @param start first rank (ascending numbering)
   * @param end last rank (ascending numbering)
   * @param reverse walk from `end` down to `start`
   * @param fn receives each member and score
   */
  forEachByRank(
    start: number,
    end: number,
    reverse: boolean,
    fn: (member: string, score: number) => void,
  ): void {
    if (start < 0) start = 0;
    if (end >= this.#scores.size) end = this.#scores.size - 1;
    if (start > end) return;
    let remaining = end - start + 1;
    let [leaf, i] = this.#locate(reverse ? end : start);
    let l: Leaf | null = leaf;
    if (!reverse) {
      while (l !== null && remaining > 0) {
        const ms = l.members;
        const ss = l.scores;
        const stop = Math.min(ms.length, i + remaining);
        for (let j = i; j < stop; j++) fn(ms[j]!, ss[j]!);
        remaining -= stop - i;
        l = l.next;
        i = 0;
      }
    } else {
      while (l !== null && remaining > 0) {
        const ms = l.members;
        const ss = l.scores;
        const stop = Math.max(-1, i - remaining);
        for (let j = i; j > stop; j--) fn(ms[j]!, ss[j]!);
        remaining -= i - stop;
        l = l.prev;
        if (l !== null) i = l.members.length - 1;
      }
    }
  }

  /**
   * The entries of ascending ranks `start..end` (inclusive, clamped).
   *
   * @param start first rank
   * @param end last rank
   * @param reverse list from `end` down to `start`
   * @returns the entries
   */
  rangeByRank(start: number, end: number, reverse = false): ZEntry[] {
    const out: ZEntry[] = [];
    this.forEachByRank(start, end, reverse, (m, s) => {
      out.push([m, s]);
    });
    return out;
  }

  /**
   * Every entry in ascending order.
   *
   * @returns an iterator (do not change the set while iterating)
   */
  *entries(): IterableIterator<ZEntry> {
    for (let l: Leaf | null = this.#first; l !== null; l = l.next) {
      const ms = l.members;
      const ss = l.scores;
      for (let j = 0; j < ms.length; j++) yield [ms[j]!, ss[j]!];
    }
  }

  /** Every entry in ascending order. */
  [Symbol.iterator](): IterableIterator<ZEntry> {
    return this.entries();
  }

  /**
   * Number of entries whose score is below `score` (or at most `score`
   * with `inclusive`). O(log N).
   *
   * @param score the bound
   * @param inclusive count entries equal to the bound too
   * @returns the count
   */
  countBelowScore(score: number, inclusive: boolean): number {
    if (score === Infinity && inclusive) return this.#scores.size;
    if (score === -Infinity && !inclusive) return 0;
    let n = 0;
    let node = this.#root;
    while (node instanceof Inner) {
      const ss = node.sepScores;
      // Last i >= 1 whose separator score is below (or at) the bound.
      let lo = 1;
      let hi = ss.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (inclusive ? ss[mid]! <= score : ss[mid]! < score) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      for (let j = 0; j < i; j++) n += node.counts[j]!;
      node = node.children[i]!;
    }
    const ss = node.scores;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive ? ss[mid]! <= score : ss[mid]! < score) lo = mid + 1;
      else hi = mid;
    }
    return n + lo;
  }

  /**
   * The ascending ranks `[first, last]` of the entries in a score range
   * (Redis's zslFirstInRange / zslLastInRange), or undefined when none.
   * O(log N).
   *
   * @param range the score interval
   * @returns the first and last rank, inclusive
   * @example
   * ```ts
   * import { ZSetValue } from "./zset.ts";
   * const z = ZSetValue.fromEntries([["a", 1], ["b", 2], ["c", 3]], { maxEntries: 128, maxValue: 64 });
   * const r = z.scoreRankRange({ min: 1, max: 3, minExclusive: true, maxExclusive: false });
   * console.assert(r !== undefined && r[0] === 1 && r[1] === 2);
   * ```
   */
  scoreRankRange(range: ScoreRange): [number, number] | undefined {
    if (!scoreRangeNonEmpty(range) || this.#scores.size === 0) return undefined;
    const first = this.countBelowScore(range.min, range.minExclusive);
    const last = this.countBelowScore(range.max, !range.maxExclusive) - 1;
    return first <= last ? [first, last] : undefined;
  }

  /**
   * Number of entries in a score range (ZCOUNT). O(log N).
   *
   * @param range the score interval
   * @returns the count
   */
  countByScore(range: ScoreRange): number {
    const r = this.scoreRankRange(range);
    return r === undefined ? 0 : r[1] - r[0] + 1;
  }

  /**
   * The ascending ranks `[first, last]` of the entries in a lex range, or
   * undefined when none. When all scores are equal (the documented use)
   * the bounds are binary-searched by member. Otherwise the order by member
   * is undefined in Redis, and the set is walked linearly as Redis walks it:
   * a listpack from the head for a forward range and from the tail with
   * `reverse`; a skiplist from the head, as its search does when no node
   * is skipped over (Redis's answer then depends on its nodes' random
   * levels, so it can differ).
   *
   * @param range the lex interval
   * @param reverse find the range as a reverse walk does (ZREVRANGEBYLEX)
   * @param deleting find it as ZREMRANGEBYLEX does on a skiplist (without
   *   first checking the set's ends against the range)
   * @returns the first and last rank, inclusive
   * @example
   * ```ts
   * import { ZSetValue } from "./zset.ts";
   * const z = ZSetValue.fromEntries([["a", 0], ["b", 0], ["c", 0]], { maxEntries: 128, maxValue: 64 });
   * const r = z.lexRankRange({
   *   min: { value: "b", exclusive: false, infinity: 0 },
   *   max: { value: "", exclusive: false, infinity: 1 },
   * });
   * console.assert(r !== undefined && r[0] === 1 && r[1] === 2);
   * ```
   */
  lexRankRange(range: LexRange, reverse = false, deleting = false): [number, number] | undefined {
    const n = this.#scores.size;
    if (!lexRangeNonEmpty(range) || n === 0) return undefined;
    const { min, max } = range;
    if (!this.#listpack && this.at(0)![1] === this.at(n - 1)![1]) {
      const first = min.infinity === -1 ? 0 : this.#countBelowMember(min.value, min.exclusive);
      const last = max.infinity === 1
        ? n - 1
        : this.#countBelowMember(max.value, !max.exclusive) - 1;
      return first <= last ? [first, last] : undefined;
    }
    const ms = this.#singleLeaf().members;
    // Redis first checks the ends (except ZREMRANGEBYLEX on a skiplist):
    // the last member must reach min and the first must not pass max.
    if (
      (this.#listpack || !deleting) &&
      (!lexGteMin(ms[n - 1]!, min) || !lexLteMax(ms[0]!, max))
    ) return undefined;
    if (!reverse) {
      let i = 0;
      while (i < n && !lexGteMin(ms[i]!, min)) i++;
      if (i === n || !lexLteMax(ms[i]!, max)) return undefined;
      let j = i;
      while (j + 1 < n && lexLteMax(ms[j + 1]!, max)) j++;
      return [i, j];
    }
    let j: number;
    if (this.#listpack) {
      // From the tail: the last member not past max.
      j = n - 1;
      while (j >= 0 && !lexLteMax(ms[j]!, max)) j--;
    } else {
      // From the head: the member before the first one past max.
      j = 0;
      while (j < n && lexLteMax(ms[j]!, max)) j++;
      j--;
    }
    if (j < 0 || !lexGteMin(ms[j]!, min)) return undefined;
    let i = j;
    while (i - 1 >= 0 && lexGteMin(ms[i - 1]!, min)) i--;
    return [i, j];
  }

  /**
   * Number of entries in a lex range (ZLEXCOUNT).
   *
   * @param range the lex interval
   * @returns the count
   */
  countByLex(range: LexRange): number {
    const r = this.lexRankRange(range);
    return r === undefined ? 0 : r[1] - r[0] + 1;
  }

  /**
   * Removes the entries of ascending ranks `start..end` (inclusive,
   * clamped).
   *
   * @param start first rank
   * @param end last rank
   * @returns how many were removed
   */
  deleteRankRange(start: number, end: number): number {
    const n = this.#scores.size;
    if (start < 0) start = 0;
    if (end >= n) end = n - 1;
    if (start > end) return 0;
    const count = end - start + 1;
    if (count <= BULK_DELETE_ABOVE) {
      const members: string[] = [];
      this.forEachByRank(start, end, false, (m) => {
        members.push(m);
      });
      for (const m of members) this.delete(m);
      return count;
    }
    if (count === n) {
      this.#scores.clear();
      this.#buildFromLeaves([]);
      return count;
    }
    // Many members: cut them out of the leaves they span, then rebuild the
    // inner levels over the leaves left (O(M + N / leaf size)).
    let [leaf, i] = this.#locate(start);
    let remaining = count;
    const scores = this.#scores;
    for (let l: Leaf | null = leaf; l !== null && remaining > 0; l = l.next, i = 0) {
      const take = Math.min(remaining, l.members.length - i);
      const gone = l.members.splice(i, take);
      l.scores.splice(i, take);
      for (const m of gone) scores.delete(m);
      remaining -= take;
    }
    const leaves: Leaf[] = [];
    for (let l: Leaf | null = this.#first; l !== null; l = l.next) {
      if (l.members.length === 0) continue;
      const prev = leaves[leaves.length - 1];
      if (prev !== undefined && prev.members.length + l.members.length <= LEAF_MAX) {
        for (let j = 0; j < l.members.length; j++) {
          prev.members.push(l.members[j]!);
          prev.scores.push(l.scores[j]!);
        }
      } else leaves.push(l);
    }
    this.#buildFromLeaves(leaves);
    return count;
  }

  /**
   * Removes and returns up to `count` entries with the lowest scores
   * (ZPOPMIN), lowest first.
   *
   * @param count how many
   * @returns the entries removed
   */
  popMin(count: number): ZEntry[] {
    const out = this.rangeByRank(0, count - 1, false);
    this.deleteRankRange(0, out.length - 1);
    return out;
  }

  /**
   * Removes and returns up to `count` entries with the highest scores
   * (ZPOPMAX), highest first.
   *
   * @param count how many
   * @returns the entries removed
   */
  popMax(count: number): ZEntry[] {
    const n = this.#scores.size;
    const out = this.rangeByRank(n - count, n - 1, true);
    this.deleteRankRange(n - out.length, n - 1);
    return out;
  }

  /**
   * The tree's shape, for tests and diagnostics: its height (1 for a
   * single leaf), the number of leaves and their average fill (0..1).
   *
   * @returns the shape
   */
  treeStats(): { height: number; leaves: number; fill: number } {
    let height = 1;
    for (let node = this.#root; node instanceof Inner; node = node.children[0]!) height++;
    let leaves = 0;
    for (let l: Leaf | null = this.#first; l !== null; l = l.next) leaves++;
    return { height, leaves, fill: this.#scores.size / (leaves * LEAF_MAX) };
  }

  // --- the tree ---

  /** Inserts a key known to be absent. */
  #insert(score: number, member: string): void {
    const split = this.#insertInto(this.#root, score, member);
    if (split !== undefined) {
      const left = this.#root;
      this.#root = new Inner(
        [left, split.node],
        [this.#scores.size - split.count, split.count],
        [-Infinity, split.sepScore],
        ["", split.sepMember],
      );
    }
  }

  #insertInto(node: Node, score: number, member: string): Split | undefined {
    if (node instanceof Leaf) {
      const pos = leafLowerBound(node, score, member);
      const ms = node.members;
      const ss = node.scores;
      if (pos === ms.length) {
        ms.push(member);
        ss.push(score);
      } else {
        ms.splice(pos, 0, member);
        ss.splice(pos, 0, score);
      }
      if (ms.length <= LEAF_MAX) return undefined;
      return this.#splitLeaf(node, pos);
    }
    const i = childFor(node, score, member);
    node.counts[i]!++;
    const split = this.#insertInto(node.children[i]!, score, member);
    if (split === undefined) return undefined;
    node.children.splice(i + 1, 0, split.node);
    node.counts.splice(i + 1, 0, split.count);
    node.counts[i]! -= split.count;
    node.sepScores.splice(i + 1, 0, split.sepScore);
    node.sepMembers.splice(i + 1, 0, split.sepMember);
    if (node.children.length <= INNER_MAX) return undefined;
    const mid = node.children.length >> 1;
    const right = new Inner(
      node.children.splice(mid),
      node.counts.splice(mid),
      node.sepScores.splice(mid),
      node.sepMembers.splice(mid),
    );
    return {
      node: right,
      count: nodeSize(right),
      sepScore: right.sepScores[0]!,
      sepMember: right.sepMembers[0]!,
    };
  }

  #splitLeaf(leaf: Leaf, pos: number): Split {
    // Appending at the end (ascending inserts) splits unevenly so leaves
    // fill up, as B-trees bulk loading do.
    const n = leaf.members.length;
    let mid = n >> 1;
    if (pos === n - 1 && leaf.next === null) mid = n - 1;
    else if (pos === 0 && leaf.prev === null) mid = 1;
    const right = new Leaf(leaf.members.splice(mid), leaf.scores.splice(mid));
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.#last = right;
    leaf.next = right;
    return {
      node: right,
      count: right.members.length,
      sepScore: right.scores[0]!,
      sepMember: right.members[0]!,
    };
  }

  /** Removes a key known to be present. */
  #remove(score: number, member: string): void {
    this.#removeFrom(this.#root, score, member);
    let root = this.#root;
    while (root instanceof Inner && root.children.length === 1) root = root.children[0]!;
    this.#root = root;
  }

  #removeFrom(node: Node, score: number, member: string): void {
    if (node instanceof Leaf) {
      const pos = leafLowerBound(node, score, member);
      if (pos === node.members.length - 1) {
        node.members.pop();
        node.scores.pop();
      } else {
        node.members.splice(pos, 1);
        node.scores.splice(pos, 1);
      }
      return;
    }
    const i = childFor(node, score, member);
    node.counts[i]!--;
    const child = node.children[i]!;
    this.#removeFrom(child, score, member);
    if (child instanceof Leaf) {
      const n = child.members.length;
      if (n === 0) {
        if (node.children.length > 1) {
          this.#unlink(child);
          this.#dropChild(node, i);
        }
      } else if (n < LEAF_MERGE_BELOW) this.#mergeLeaf(node, i);
    } else if (child.children.length < INNER_MERGE_BELOW) this.#mergeInner(node, i);
  }

  /** Removes child `i` of an inner node. */
  #dropChild(node: Inner, i: number): void {
    node.children.splice(i, 1);
    node.counts.splice(i, 1);
    node.sepScores.splice(i, 1);
    node.sepMembers.splice(i, 1);
  }

  #unlink(leaf: Leaf): void {
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else if (leaf.next !== null) this.#first = leaf.next;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else if (leaf.prev !== null) this.#last = leaf.prev;
    leaf.prev = leaf.next = null;
  }

  /** Merges leaf child `i` with a sibling when both fit in one leaf. */
  #mergeLeaf(node: Inner, i: number): void {
    const kids = node.children;
    for (const [l, r] of [[i - 1, i], [i, i + 1]] as const) {
      if (l < 0 || r >= kids.length) continue;
      const left = kids[l] as Leaf;
      const right = kids[r] as Leaf;
      if (left.members.length + right.members.length > LEAF_MAX) continue;
      for (let j = 0; j < right.members.length; j++) {
        left.members.push(right.members[j]!);
        left.scores.push(right.scores[j]!);
      }
      node.counts[l]! += node.counts[r]!;
      this.#unlink(right);
      this.#dropChild(node, r);
      return;
    }
  }

  /** Merges inner child `i` with a sibling when both fit in one node. */
  #mergeInner(node: Inner, i: number): void {
    const kids = node.children;
    for (const [l, r] of [[i - 1, i], [i, i + 1]] as const) {
      if (l < 0 || r >= kids.length) continue;
      const left = kids[l] as Inner;
      const right = kids[r] as Inner;
      if (left.children.length + right.children.length > INNER_MAX) continue;
      // The right node's unused first separator becomes the parent's.
      right.sepScores[0] = node.sepScores[r]!;
      right.sepMembers[0] = node.sepMembers[r]!;
      left.children.push(...right.children);
      left.counts.push(...right.counts);
      left.sepScores.push(...right.sepScores);
      left.sepMembers.push(...right.sepMembers);
      node.counts[l]! += node.counts[r]!;
      this.#dropChild(node, r);
      return;
    }
  }

  /** The leaf and index holding an ascending rank (in range). */
  #locate(rank: number): [Leaf, number] {
    let node = this.#root;
    while (node instanceof Inner) {
      const counts = node.counts;
      let i = 0;
      while (rank >= counts[i]! && i < counts.length - 1) rank -= counts[i++]!;
      node = node.children[i]!;
    }
    return [node, rank];
  }

  /** The members and scores in one leaf: the root when it is one, else a copy. */
  #singleLeaf(): Leaf {
    if (this.#root instanceof Leaf) return this.#root;
    const members: string[] = [];
    const scores: number[] = [];
    for (let l: Leaf | null = this.#first; l !== null; l = l.next) {
      for (let j = 0; j < l.members.length; j++) {
        members.push(l.members[j]!);
        scores.push(l.scores[j]!);
      }
    }
    return new Leaf(members, scores);
  }

  /** Number of members below `value` (or at most it), by member order. */
  #countBelowMember(value: string, inclusive: boolean): number {
    let n = 0;
    let node = this.#root;
    while (node instanceof Inner) {
      const sm = node.sepMembers;
      let lo = 1;
      let hi = sm.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (inclusive ? sm[mid]! <= value : sm[mid]! < value) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      for (let j = 0; j < i; j++) n += node.counts[j]!;
      node = node.children[i]!;
    }
    const ms = node.members;
    let lo = 0;
    let hi = ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive ? ms[mid]! <= value : ms[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return n + lo;
  }

  /** Builds the tree bottom-up from non-empty, ordered leaves (clone). */
  #buildFromLeaves(leaves: Leaf[]): void {
    if (leaves.length === 0) {
      const leaf = new Leaf([], []);
      this.#root = this.#first = this.#last = leaf;
      return;
    }
    for (let i = 0; i < leaves.length; i++) {
      leaves[i]!.prev = leaves[i - 1] ?? null;
      leaves[i]!.next = leaves[i + 1] ?? null;
    }
    this.#first = leaves[0]!;
    this.#last = leaves[leaves.length - 1]!;
    let level: Node[] = leaves;
    while (level.length > 1) {
      const up: Node[] = [];
      for (let i = 0; i < level.length; i += INNER_MAX) {
        const kids = level.slice(i, i + INNER_MAX);
        const seps = kids.map(firstKey);
        up.push(
          new Inner(
            kids,
            kids.map(nodeSize),
            seps.map((k) => k[1]),
            seps.map((k) => k[0]),
          ),
        );
      }
      level = up;
    }
    this.#root = level[0]!;
  }
}

/** The smallest key under a node. */
function firstKey(node: Node): ZEntry {
  while (node instanceof Inner) node = node.children[0]!;
  return [node.members[0]!, node.scores[0]!];
}
