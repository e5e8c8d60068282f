/**
 * An ordered map keyed by stream IDs, for consumer groups' pending entry
 * lists (Redis keeps them in radix trees keyed by the 128-bit big-endian
 * ID).
 *
 * The keys are {@linkcode StreamId}s (16-byte big-endian binary strings),
 * so string comparison is ID order. They live in sorted chunks of at most
 * 512 keys, with the values in parallel chunks and each chunk's last key in
 * a top-level index: `get`, `set` and `delete` are a binary search over
 * the index then one inside a chunk (O(log N)), plus an insertion or
 * removal inside one chunk (bounded by its size); a chunk that grows past
 * its limit splits, one that shrinks under a quarter of it merges with a
 * neighbour. A hash index beside the chunks was measured and left out: it
 * made random lookups in a 1M-entry map 6x faster, but XREADGROUP
 * deliveries (two inserts an entry) and XACK of random IDs about twice as
 * slow, and costs a Map entry per pending entry.
 * Range walks go chunk by chunk and survive changes made to the map while
 * they run (they resume after the last key they returned), as Redis's rax
 * iterators are re-seeked after a removal.
 *
 * @module
 */

import type { StreamId } from "./stream_id.ts";

/** Keys a chunk holds at most; it splits in two past this. */
const MAX_CHUNK = 512;
/** A chunk under this many keys merges with a neighbour. */
const MIN_CHUNK = MAX_CHUNK / 4;

/** Index of the first element of a sorted array that is >= `id`. */
function lowerBound(ids: readonly StreamId[], id: StreamId): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An ordered map from stream IDs to values.
 *
 * @example Pending entries in ID order
 * ```ts
 * import { IdMap } from "./id_map.ts";
 * import { formatId, streamId } from "./stream_id.ts";
 * const m = new IdMap<string>();
 * m.set(streamId(2, 0), "b");
 * m.set(streamId(1, 5), "a");
 * m.set(streamId(3, 0), "c");
 * const seen = [...m.range(streamId(1, 0), streamId(2, 0))].map(([id, v]) => `${formatId(id)}=${v}`);
 * console.assert(seen.join(" ") === "1-5=a 2-0=b");
 * console.assert(m.delete(streamId(2, 0)) && m.size === 2);
 * ```
 */
export class IdMap<V> {
  /** Sorted chunks of keys; never an empty chunk. */
  #keys: StreamId[][] = [];
  /** The values, parallel to `#keys`. */
  #values: V[][] = [];
  /** The last key of each chunk. */
  #maxes: StreamId[] = [];
  #size = 0;
  /** Bumped by every insertion or removal: walks re-seek when it moved. */
  #version = 0;

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /**
   * The value of an ID.
   *
   * @param id the key
   * @returns its value, or undefined
   */
  get(id: StreamId): V | undefined {
    const c = lowerBound(this.#maxes, id);
    if (c === this.#maxes.length) return undefined;
    const keys = this.#keys[c]!;
    const i = lowerBound(keys, id);
    return keys[i] === id ? this.#values[c]![i] : undefined;
  }

  /**
   * Whether an ID is present.
   *
   * @param id the key
   * @returns true when present
   */
  has(id: StreamId): boolean {
    const c = lowerBound(this.#maxes, id);
    if (c === this.#maxes.length) return false;
    const keys = this.#keys[c]!;
    return keys[lowerBound(keys, id)] === id;
  }

  /**
   * Sets the value of an ID, adding it when absent.
   *
   * @param id the key
   * @param value its value
   */
  set(id: StreamId, value: V): void {
    const maxes = this.#maxes;
    if (maxes.length === 0) {
      this.#keys.push([id]);
      this.#values.push([value]);
      maxes.push(id);
      this.#size = 1;
      this.#version++;
      return;
    }
    let c = lowerBound(maxes, id);
    if (c === maxes.length) c--;
    const keys = this.#keys[c]!;
    const values = this.#values[c]!;
    const i = lowerBound(keys, id);
    if (keys[i] === id) {
      values[i] = value;
      return;
    }
    if (i === keys.length) {
      keys.push(id);
      values.push(value);
      maxes[c] = id;
    } else {
      keys.splice(i, 0, id);
      values.splice(i, 0, value);
    }
    this.#size++;
    this.#version++;
    if (keys.length > MAX_CHUNK) this.#split(c);
  }

  /**
   * Removes an ID.
   *
   * @param id the key
   * @returns whether it was present
   */
  delete(id: StreamId): boolean {
    const maxes = this.#maxes;
    const c = lowerBound(maxes, id);
    if (c === maxes.length) return false;
    const keys = this.#keys[c]!;
    const i = lowerBound(keys, id);
    if (keys[i] !== id) return false;
    const values = this.#values[c]!;
    if (i === keys.length - 1) {
      keys.pop();
      values.pop();
      if (keys.length > 0) maxes[c] = keys[keys.length - 1]!;
    } else {
      keys.splice(i, 1);
      values.splice(i, 1);
    }
    this.#size--;
    this.#version++;
    if (keys.length === 0) {
      this.#keys.splice(c, 1);
      this.#values.splice(c, 1);
      maxes.splice(c, 1);
    } else if (keys.length < MIN_CHUNK && maxes.length > 1) {
      this.#merge(c);
    }
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.#keys = [];
    this.#values = [];
    this.#maxes = [];
    this.#size = 0;
    this.#version++;
  }

  /**
   * The entry with the lowest ID.
   *
   * @returns the ID and its value, or undefined when empty
   */
  first(): [StreamId, V] | undefined {
    if (this.#size === 0) return undefined;
    return [this.#keys[0]![0]!, this.#values[0]![0]!];
  }

  /**
   * The entry with the highest ID.
   *
   * @returns the ID and its value, or undefined when empty
   */
  last(): [StreamId, V] | undefined {
    const n = this.#keys.length;
    if (n === 0) return undefined;
    const keys = this.#keys[n - 1]!;
    return [keys[keys.length - 1]!, this.#values[n - 1]![keys.length - 1]!];
  }

  /**
   * Entries with start <= id <= end, ascending (descending when reverse).
   * Lazy; changes made to the map while walking are seen from the next key
   * on.
   *
   * @param start the lowest ID
   * @param end the highest ID
   * @param reverse walk from `end` down to `start`
   * @returns the entries
   */
  *range(start: StreamId, end: StreamId, reverse = false): IterableIterator<[StreamId, V]> {
    if (start > end) return;
    if (!reverse) {
      let [c, i] = this.#seekUp(start, false);
      let version = this.#version;
      while (c < this.#keys.length) {
        const keys = this.#keys[c]!;
        if (i >= keys.length) {
          c++;
          i = 0;
          continue;
        }
        const id = keys[i]!;
        if (id > end) return;
        yield [id, this.#values[c]![i]!];
        if (this.#version !== version) {
          version = this.#version;
          [c, i] = this.#seekUp(id, true);
        } else {
          i++;
        }
      }
    } else {
      let [c, i] = this.#seekDown(end, false);
      let version = this.#version;
      while (c >= 0) {
        if (i < 0) {
          c--;
          if (c >= 0) i = this.#keys[c]!.length - 1;
          continue;
        }
        const id = this.#keys[c]![i]!;
        if (id < start) return;
        yield [id, this.#values[c]![i]!];
        if (this.#version !== version) {
          version = this.#version;
          [c, i] = this.#seekDown(id, true);
        } else {
          i--;
        }
      }
    }
  }

  /**
   * Every entry, ascending.
   *
   * @returns the entries
   */
  *entries(): IterableIterator<[StreamId, V]> {
    for (let c = 0; c < this.#keys.length; c++) {
      const keys = this.#keys[c]!;
      const values = this.#values[c]!;
      for (let i = 0; i < keys.length; i++) yield [keys[i]!, values[i]!];
    }
  }

  /** Every entry, ascending. */
  [Symbol.iterator](): IterableIterator<[StreamId, V]> {
    return this.entries();
  }

  /** Position of the first key >= id (> id when `after`): chunk and index. */
  #seekUp(id: StreamId, after: boolean): [number, number] {
    const maxes = this.#maxes;
    let c = lowerBound(maxes, id);
    if (after && c < maxes.length && maxes[c] === id) c++;
    if (c === maxes.length) return [c, 0];
    const keys = this.#keys[c]!;
    let i = lowerBound(keys, id);
    if (after && keys[i] === id) i++;
    return [c, i];
  }

  /** Position of the last key <= id (< id when `before`): chunk and index. */
  #seekDown(id: StreamId, before: boolean): [number, number] {
    const maxes = this.#maxes;
    const c = lowerBound(maxes, id);
    if (c === maxes.length) {
      const last = c - 1;
      return [last, last < 0 ? -1 : this.#keys[last]!.length - 1];
    }
    const keys = this.#keys[c]!;
    const i = lowerBound(keys, id);
    // keys[i] >= id: step back unless it is id itself and that is wanted.
    if (keys[i] === id && !before) return [c, i];
    if (i > 0) return [c, i - 1];
    const prev = c - 1;
    return [prev, prev < 0 ? -1 : this.#keys[prev]!.length - 1];
  }

  /** Splits chunk `c` in two halves. */
  #split(c: number): void {
    const keys = this.#keys[c]!;
    const values = this.#values[c]!;
    const half = keys.length >>> 1;
    const rightKeys = keys.splice(half);
    const rightValues = values.splice(half);
    this.#keys.splice(c + 1, 0, rightKeys);
    this.#values.splice(c + 1, 0, rightValues);
    this.#maxes.splice(c, 1, keys[keys.length - 1]!, rightKeys[rightKeys.length - 1]!);
  }

  /** Merges the small chunk `c` into a neighbour (splitting again when too big). */
  #merge(c: number): void {
    const left = c > 0 ? c - 1 : c;
    const right = left + 1;
    const keys = this.#keys[left]!.concat(this.#keys[right]!);
    const values = this.#values[left]!.concat(this.#values[right]!);
    this.#keys.splice(left, 2, keys);
    this.#values.splice(left, 2, values);
    this.#maxes.splice(left, 2, keys[keys.length - 1]!);
    if (keys.length > MAX_CHUNK) this.#split(left);
  }
}
