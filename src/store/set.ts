/**
 * The set value: members are binary strings, with Redis 7.0.15's two
 * encodings as `OBJECT ENCODING` reports them.
 *
 * - `intset`: every member is the canonical text of a signed 64-bit integer
 *   and there are at most `set-max-intset-entries` of them. Redis keeps
 *   these sorted, so they are listed in ascending numeric order.
 * - `hashtable`: anything else. Once a set is a hashtable it stays one;
 *   it is listed in insertion order (Redis's hash order cannot be
 *   reproduced).
 *
 * Members live in a Map from member to slot plus a dense array of the
 * members by slot: membership, insertion and removal are O(1) (removal
 * moves the last member into the freed slot), and a uniformly random
 * member is O(1) too, so SPOP and SRANDMEMBER cost O(count), not O(N).
 * The Map keeps insertion order and its iterators survive changes, which
 * is what SSCAN's cursors build on.
 *
 * @module
 */

import type { ContainerValue } from "./database.ts";

/** A source of random integers (the engine's seeded `Random`). */
export interface RandomSource {
  /**
   * @param n the bound
   * @returns an integer in [0, n)
   */
  below(n: number): number;
}

/**
 * Whether a member would be stored in an intset: the canonical text of a
 * signed 64-bit integer (Redis's string2ll: no sign `+`, no leading zeros,
 * no `-0`, no spaces).
 *
 * @param member a binary string
 * @returns true for integer text
 * @example
 * ```ts
 * import { isIntegerMember } from "./set.ts";
 * console.assert(isIntegerMember("-12"));
 * console.assert(!isIntegerMember("012") && !isIntegerMember("-0"));
 * ```
 */
export function isIntegerMember(member: string): boolean {
  const n = member.length;
  if (n === 0 || n > 20) return false;
  const negative = member.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  if (start === n) return false;
  const first = member.charCodeAt(start);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (let i = start + 1; i < n; i++) {
    const c = member.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const digits = n - start;
  if (digits < 19) return true;
  if (digits > 19) return false;
  // 19 digits: compare with 2^63 - 1 (2^63 for negatives) as text.
  return member.slice(start) <= (negative ? "9223372036854775808" : "9223372036854775807");
}

/**
 * Orders two canonical integer texts numerically, exactly (beyond 2^53 too).
 *
 * @param a integer text
 * @param b integer text
 * @returns negative, zero or positive as a < b, a = b, a > b
 * @example
 * ```ts
 * import { compareIntegerText } from "./set.ts";
 * console.assert(compareIntegerText("-10", "-9") < 0);
 * console.assert(compareIntegerText("9223372036854775807", "9223372036854775806") > 0);
 * ```
 */
export function compareIntegerText(a: string, b: string): number {
  if (a === b) return 0;
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  if (negA !== negB) return negA ? -1 : 1;
  // Same sign: a longer text is larger in magnitude, else compare digits.
  const smallerMagnitude = a.length !== b.length ? a.length < b.length : a < b;
  return smallerMagnitude !== negA ? -1 : 1;
}

/**
 * A Redis set.
 *
 * @example Encodings follow Redis 7.0.15
 * ```ts
 * import { SetValue } from "./set.ts";
 * const set = new SetValue();
 * set.add("3", 512);
 * set.add("-1", 512);
 * console.assert(set.encoding() === "intset");
 * console.assert(set.members().join() === "-1,3");
 * set.add("x", 512);
 * console.assert(set.encoding() === "hashtable");
 * ```
 */
export class SetValue implements ContainerValue {
  /** What `TYPE` reports. */
  readonly type = "set" as const;
  /** Member -> its slot in `#items`; iterated in insertion order. */
  #slots: Map<string, number>;
  /** Members by slot, dense. */
  #items: string[];
  #intset: boolean;
  /** The members in ascending order while an intset, built on demand; never mutated. */
  #sorted: readonly string[] | undefined;

  /**
   * An empty set, encoded as an intset until a member says otherwise (as
   * Redis builds the results of SINTERSTORE and friends).
   *
   * @param members members to add, in order (duplicates ignored)
   * @param maxIntset the `set-max-intset-entries` value
   */
  constructor(members: Iterable<string> = [], maxIntset = 512) {
    this.#slots = new Map();
    this.#items = [];
    this.#intset = true;
    for (const m of members) this.add(m, maxIntset);
  }

  /** What `OBJECT ENCODING` reports. */
  encoding(): "intset" | "hashtable" {
    return this.#intset ? "intset" : "hashtable";
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): SetValue {
    const copy = new SetValue();
    copy.#slots = new Map(this.#slots);
    copy.#items = this.#items.slice();
    copy.#intset = this.#intset;
    copy.#sorted = this.#sorted;
    return copy;
  }

  /** Number of members. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * Whether a member is present.
   *
   * @param member the member
   * @returns true if present
   */
  has(member: string): boolean {
    return this.#slots.has(member);
  }

  /**
   * Adds a member. An intset becomes a hashtable on a non-integer member or
   * when it grows beyond `maxIntset` members.
   *
   * @param member the member
   * @param maxIntset the `set-max-intset-entries` value
   * @returns whether it was added (false if already present)
   */
  add(member: string, maxIntset: number): boolean {
    if (this.#slots.has(member)) return false;
    this.#slots.set(member, this.#items.length);
    this.#items.push(member);
    if (this.#intset) {
      this.#sorted = undefined;
      if (!isIntegerMember(member) || this.#items.length > maxIntset) this.#intset = false;
    }
    return true;
  }

  /**
   * Removes a member.
   *
   * @param member the member
   * @returns whether it was present
   */
  delete(member: string): boolean {
    const slot = this.#slots.get(member);
    if (slot === undefined) return false;
    this.#slots.delete(member);
    const last = this.#items.pop()!;
    if (last !== member) {
      this.#items[slot] = last;
      this.#slots.set(last, slot);
    }
    this.#sorted = undefined;
    return true;
  }

  /**
   * The members in Redis's order: ascending for an intset, insertion order
   * for a hashtable. The array is never modified afterwards.
   *
   * @returns the members
   */
  members(): readonly string[] {
    if (!this.#intset) return [...this.#slots.keys()];
    this.#sorted ??= this.#items.slice().sort(compareIntegerText);
    return this.#sorted;
  }

  /**
   * The members in Redis's order without copying a hashtable's: for
   * walking the set (not for keeping).
   *
   * @returns the members, ascending for an intset
   */
  ordered(): Iterable<string> {
    return this.#intset ? this.members() : this.#slots.keys();
  }

  /**
   * The members in insertion order, live: for SSCAN cursors.
   *
   * @returns an iterator that survives changes to the set
   */
  keys(): IterableIterator<string> {
    return this.#slots.keys();
  }

  /**
   * A uniformly random member.
   *
   * @param random the random source
   * @returns a member (the set must not be empty)
   */
  random(random: RandomSource): string {
    return this.#items[random.below(this.#items.length)]!;
  }

  /**
   * `count` distinct random members, uniformly chosen, in random order, in
   * O(count): a partial Fisher-Yates shuffle of the slots (the set's
   * contents do not change).
   *
   * @param random the random source
   * @param count how many, at most the size
   * @returns the members
   */
  randomDistinct(random: RandomSource, count: number): string[] {
    const items = this.#items;
    const n = items.length;
    const out: string[] = [];
    for (let i = 0; i < count && i < n; i++) {
      const j = i + random.below(n - i);
      const picked = items[j]!;
      if (j !== i) {
        const moved = items[i]!;
        items[i] = picked;
        items[j] = moved;
        this.#slots.set(picked, i);
        this.#slots.set(moved, j);
      }
      out.push(picked);
    }
    return out;
  }

  /**
   * Removes and returns `count` distinct random members, in O(count).
   *
   * @param random the random source
   * @param count how many, at most the size
   * @returns the members removed, in the order picked
   */
  popRandom(random: RandomSource, count: number): string[] {
    const picked = this.randomDistinct(random, count);
    for (const m of picked) this.delete(m);
    return picked;
  }

  /**
   * Re-encodes the set as Redis does when it rebuilds one member by member
   * (SPOP's large-count strategy): an intset again if every member is an
   * integer and there are at most `maxIntset`.
   *
   * @param maxIntset the `set-max-intset-entries` value
   */
  rebuildEncoding(maxIntset: number): void {
    let intset = this.#items.length <= maxIntset;
    for (let i = 0; intset && i < this.#items.length; i++) {
      intset = isIntegerMember(this.#items[i]!);
    }
    this.#intset = intset;
    this.#sorted = undefined;
  }
}
