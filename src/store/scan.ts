/**
 * Cursor iteration over containers kept in insertion order (Map, Set), for
 * HSCAN, SSCAN and ZSCAN: a full iteration returns every element present
 * throughout it, exactly once, however the container changes meanwhile.
 *
 * A cursor names a live iterator, kept in a small per-container cache.
 * JavaScript Map and Set iterators stay valid across insertions and
 * deletions, so resuming one never skips an element that was there all
 * along. A cursor that is no longer cached (evicted, or invented by the
 * client) resumes by position, which is what Redis's guarantee allows for a
 * container that did not change.
 *
 * @module
 */

interface Resume<T> {
  iter: Iterator<T>;
  pending: T | undefined;
  /** Position of `pending` in insertion order when the cursor was made. */
  position: number;
}

const CACHE_PER_CONTAINER = 16;

/**
 * Live cursors for the containers of one database (each database owns one,
 * so SWAPDB and MOVE carry the cursors with the keys).
 *
 * @example Scanning a Set two elements at a time
 * ```ts
 * import { ContainerCursors } from "./scan.ts";
 * const cursors = new ContainerCursors();
 * const set = new Set(["a", "b", "c"]);
 * const [next, first] = cursors.scan(set, () => set.values(), 0, 2);
 * const [end, rest] = cursors.scan(set, () => set.values(), next, 2);
 * console.assert(first.length === 2 && rest.length === 1 && end === 0);
 * ```
 */
export class ContainerCursors {
  #byContainer = new WeakMap<object, Map<number, Resume<unknown>>>();
  #next = 1;

  /**
   * One step of an iteration over `container`.
   *
   * @param container the container (identity keys the cursor cache)
   * @param iterate returns a fresh iterator over its elements in order
   * @param cursor 0 to start, else a cursor a previous step returned
   * @param count how many elements to visit
   * @param isLive whether a pending element is still in the container
   * @returns the next cursor (0 when done) and the elements visited
   */
  scan<T>(
    container: object,
    iterate: () => Iterator<T>,
    cursor: number,
    count: number,
    isLive: (item: T) => boolean = () => true,
  ): [number, T[]] {
    let cache = this.#byContainer.get(container);
    let state: Resume<T> | undefined;
    if (cursor !== 0 && cache !== undefined) {
      state = cache.get(cursor) as Resume<T> | undefined;
      cache.delete(cursor);
    }
    if (state === undefined) state = seek(iterate(), cursor === 0 ? 0 : positionOf(cursor));
    const out: T[] = [];
    let position = state.position;
    for (;;) {
      let item: T;
      if (state.pending !== undefined) {
        item = state.pending;
        state.pending = undefined;
        if (!isLive(item)) continue;
      } else {
        const r = state.iter.next();
        if (r.done) return [0, out];
        item = r.value;
      }
      if (out.length >= count) {
        state.pending = item;
        state.position = position;
        break;
      }
      out.push(item);
      position++;
    }
    const next = this.#makeCursor(position);
    if (cache === undefined) {
      cache = new Map();
      this.#byContainer.set(container, cache);
    }
    cache.set(next, state as Resume<unknown>);
    if (cache.size > CACHE_PER_CONTAINER) cache.delete(cache.keys().next().value!);
    return [next, out];
  }

  /**
   * Hands a container's live cursors to another cursor set: MOVE carries
   * them with the key, so an iteration goes on in the other database.
   *
   * @param container the container
   * @param to the cursor set of the database it moves to
   * @example Moving a cursor to another database's set
   * ```ts
   * import { ContainerCursors } from "./scan.ts";
   * const from = new ContainerCursors();
   * const to = new ContainerCursors();
   * const set = new Set(["a", "b", "c"]);
   * const [next] = from.scan(set, () => set.values(), 0, 2);
   * from.transfer(set, to);
   * set.delete("a"); // a cached cursor survives the change, a positional one would skip "c"
   * const [end, rest] = to.scan(set, () => set.values(), next, 2);
   * console.assert(end === 0 && rest.length === 1 && rest[0] === "c");
   * ```
   */
  transfer(container: object, to: ContainerCursors): void {
    const cache = this.#byContainer.get(container);
    if (cache === undefined || to === this) return;
    this.#byContainer.delete(container);
    to.#byContainer.set(container, cache);
    // The moved cursors' serials must never be made again by `to`.
    if (this.#next > to.#next) to.#next = this.#next;
  }

  /** Cursors carry the resume position in their low 20 bits, a serial above. */
  #makeCursor(position: number): number {
    const serial = this.#next++;
    if (this.#next >= 2 ** 32) this.#next = 1;
    return serial * 2 ** 20 + Math.min(position, 2 ** 20 - 1);
  }
}

function positionOf(cursor: number): number {
  return cursor % 2 ** 20;
}

function seek<T>(iter: Iterator<T>, position: number): Resume<T> {
  for (let i = 0; i < position; i++) {
    if (iter.next().done) return { iter, pending: undefined, position: i };
  }
  return { iter, pending: undefined, position };
}
