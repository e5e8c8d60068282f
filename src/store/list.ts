/**
 * The list value: a growable ring buffer of binary strings, so pushes and
 * pops at both ends are O(1) amortised and access by index is O(1), as
 * LPUSH/RPOP on a list of millions of elements needs.
 *
 * Redis 7.0 stores every list as a quicklist (a linked list of listpack
 * nodes) and `OBJECT ENCODING` always reports `quicklist`, whatever the
 * size; `list-max-listpack-size` only shapes its nodes. This ring buffer
 * gives the same complexities.
 *
 * @module
 */

import type { ContainerValue } from "./database.ts";

const MIN_CAPACITY = 8;

/**
 * A Redis list.
 *
 * @example Pushing and popping at both ends
 * ```ts
 * import { ListValue } from "./list.ts";
 * const list = new ListValue();
 * list.pushTail("b");
 * list.pushHead("a");
 * list.pushTail("c");
 * console.assert(list.length === 3 && list.at(1) === "b");
 * console.assert(list.popHead() === "a" && list.popTail() === "c");
 * console.assert(list.encoding() === "quicklist");
 * ```
 */
export class ListValue implements ContainerValue {
  /** What `TYPE` reports. */
  readonly type = "list" as const;
  /** Slots; capacity is a power of two. */
  #buf: (string | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;

  /**
   * @param elements the initial elements, head first
   */
  constructor(elements: readonly string[] = []) {
    let capacity = MIN_CAPACITY;
    while (capacity < elements.length) capacity *= 2;
    this.#buf = new Array<string | undefined>(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < elements.length; i++) this.#buf[i] = elements[i];
    this.#size = elements.length;
  }

  /** Number of elements. */
  get length(): number {
    return this.#size;
  }

  /** @returns `quicklist`, as Redis 7.0 reports for every list */
  encoding(): string {
    return "quicklist";
  }

  /** @returns a deep copy (elements are immutable strings) */
  clone(): ListValue {
    return new ListValue(this.range(0, this.#size - 1));
  }

  /**
   * Adds an element before the first.
   *
   * @param value the element
   */
  pushHead(value: string): void {
    if (this.#size === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#head = (this.#head - 1) & this.#mask;
    this.#buf[this.#head] = value;
    this.#size++;
  }

  /**
   * Adds an element after the last.
   *
   * @param value the element
   */
  pushTail(value: string): void {
    if (this.#size === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#buf[(this.#head + this.#size) & this.#mask] = value;
    this.#size++;
  }

  /**
   * Removes and returns the first element.
   *
   * @returns the element, or undefined when empty
   */
  popHead(): string | undefined {
    if (this.#size === 0) return undefined;
    const value = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    this.#maybeShrink();
    return value;
  }

  /**
   * Removes and returns the last element.
   *
   * @returns the element, or undefined when empty
   */
  popTail(): string | undefined {
    if (this.#size === 0) return undefined;
    const slot = (this.#head + this.#size - 1) & this.#mask;
    const value = this.#buf[slot];
    this.#buf[slot] = undefined;
    this.#size--;
    this.#maybeShrink();
    return value;
  }

  /**
   * The element at an index from the head.
   *
   * @param index 0 to length - 1
   * @returns the element, or undefined when out of range
   */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#buf[(this.#head + index) & this.#mask];
  }

  /**
   * Replaces the element at an index (which must be in range).
   *
   * @param index 0 to length - 1
   * @param value the new element
   */
  set(index: number, value: string): void {
    this.#buf[(this.#head + index) & this.#mask] = value;
  }

  /**
   * The elements from `start` to `stop` inclusive (clamped to the list).
   *
   * @param start first index from the head
   * @param stop last index from the head
   * @returns the elements, head first
   */
  range(start: number, stop: number): string[] {
    if (start < 0) start = 0;
    if (stop >= this.#size) stop = this.#size - 1;
    const out: string[] = [];
    for (let i = start; i <= stop; i++) out.push(this.#buf[(this.#head + i) & this.#mask]!);
    return out;
  }

  /**
   * Inserts an element so that it ends up at `index`, moving the elements
   * on the shorter side.
   *
   * @param index 0 to length
   * @param value the element
   */
  insert(index: number, value: string): void {
    if (index <= 0) return this.pushHead(value);
    if (index >= this.#size) return this.pushTail(value);
    if (this.#size === this.#buf.length) this.#resize(this.#buf.length * 2);
    const buf = this.#buf;
    const mask = this.#mask;
    if (index < this.#size - index) {
      this.#head = (this.#head - 1) & mask;
      for (let i = 0; i < index; i++) {
        buf[(this.#head + i) & mask] = buf[(this.#head + i + 1) & mask];
      }
    } else {
      for (let i = this.#size; i > index; i--) {
        buf[(this.#head + i) & mask] = buf[(this.#head + i - 1) & mask];
      }
    }
    buf[(this.#head + index) & mask] = value;
    this.#size++;
  }

  /**
   * Index of the first element equal to `value`, from the head.
   *
   * @param value the element to find
   * @returns its index, or -1
   */
  indexOf(value: string): number {
    for (let i = 0; i < this.#size; i++) {
      if (this.#buf[(this.#head + i) & this.#mask] === value) return i;
    }
    return -1;
  }

  /**
   * Removes elements equal to `value` (LREM): up to `count` from the head
   * when count > 0, from the tail when count < 0, all when 0.
   *
   * @param value the element to remove
   * @param count how many, and from which end
   * @returns how many were removed
   */
  remove(value: string, count: number): number {
    const limit = count === 0 ? Infinity : Math.abs(count);
    const keep: boolean[] = new Array<boolean>(this.#size).fill(true);
    let removed = 0;
    if (count >= 0) {
      for (let i = 0; i < this.#size && removed < limit; i++) {
        if (this.at(i) === value) {
          keep[i] = false;
          removed++;
        }
      }
    } else {
      for (let i = this.#size - 1; i >= 0 && removed < limit; i--) {
        if (this.at(i) === value) {
          keep[i] = false;
          removed++;
        }
      }
    }
    if (removed === 0) return 0;
    const buf = this.#buf;
    const mask = this.#mask;
    let w = 0;
    for (let r = 0; r < this.#size; r++) {
      if (keep[r]) buf[(this.#head + w++) & mask] = buf[(this.#head + r) & mask];
    }
    for (let i = w; i < this.#size; i++) buf[(this.#head + i) & mask] = undefined;
    this.#size = w;
    this.#maybeShrink();
    return removed;
  }

  /**
   * Keeps only the elements from `start` to `stop` inclusive (LTRIM), both
   * already clamped to the list; an empty range empties it.
   *
   * @param start first index kept
   * @param stop last index kept
   */
  trim(start: number, stop: number): void {
    if (start > stop || start >= this.#size || stop < 0) {
      this.#buf = new Array<string | undefined>(MIN_CAPACITY);
      this.#mask = MIN_CAPACITY - 1;
      this.#head = 0;
      this.#size = 0;
      return;
    }
    const dropTail = this.#size - 1 - stop;
    for (let i = 0; i < dropTail; i++) {
      this.#buf[(this.#head + this.#size - 1) & this.#mask] = undefined;
      this.#size--;
    }
    for (let i = 0; i < start; i++) {
      this.#buf[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
      this.#size--;
    }
    this.#maybeShrink();
  }

  /** Iterates from the head (`fromTail` false) or from the tail. */
  *values(fromTail = false): IterableIterator<string> {
    if (fromTail) {
      for (let i = this.#size - 1; i >= 0; i--) yield this.#buf[(this.#head + i) & this.#mask]!;
    } else {
      for (let i = 0; i < this.#size; i++) yield this.#buf[(this.#head + i) & this.#mask]!;
    }
  }

  #maybeShrink(): void {
    const capacity = this.#buf.length;
    if (capacity > MIN_CAPACITY * 4 && this.#size < capacity / 4) this.#resize(capacity / 2);
  }

  #resize(capacity: number): void {
    const next = new Array<string | undefined>(capacity);
    for (let i = 0; i < this.#size; i++) next[i] = this.#buf[(this.#head + i) & this.#mask];
    this.#buf = next;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
