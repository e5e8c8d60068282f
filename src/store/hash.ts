/**
 * The hash data structure: a `Map` of binary-string fields to binary-string
 * values (insertion ordered, O(1) get, set and delete), the encoding Redis
 * 7.0 would report for it, and, only once a field TTL is used, a per-field
 * expiry index (Redis 7.4 hash field expiration).
 *
 * The expiry index keeps a lower bound of the earliest field expiry, so a
 * hash whose fields are all still live is checked in O(1); a purge scans
 * only the fields that have a TTL. Which keys hold such hashes is indexed
 * by their database (`Database`, database.ts), whose active cycle purges
 * them.
 *
 * @module
 */

import type { ExpiringContainer } from "./database.ts";

/** What OBJECT ENCODING reports for a hash. */
export type HashEncoding = "listpack" | "listpackex" | "hashtable";

/**
 * A hash value.
 *
 * @example Fields, encoding conversion and field expiry
 * ```ts
 * import { HashValue } from "./hash.ts";
 * const h = new HashValue();
 * console.assert(h.set("f", "v") === true);
 * console.assert(h.get("f") === "v" && h.encoding() === "listpack");
 * h.fit(64, "x".repeat(65));
 * console.assert(h.encoding() === "hashtable");
 * h.setExpire("f", 1000);
 * console.assert(h.purge(1000).length === 1 && h.size === 0);
 * ```
 */
export class HashValue implements ExpiringContainer {
  /** What `TYPE` reports. */
  readonly type = "hash" as const;
  /** Field to value, in insertion order. */
  readonly map: Map<string, string>;
  #listpack: boolean;
  /** Field to absolute expiry (ms); absent until a field TTL is first set. */
  #expires: Map<string, number> | undefined;
  /** A lower bound of the earliest field expiry (Infinity when none). */
  #minExpire = Infinity;

  /**
   * @param map the initial fields (taken, not copied)
   * @param listpack whether the compact encoding is still in use
   */
  constructor(map: Map<string, string> = new Map(), listpack = true) {
    this.map = map;
    this.#listpack = listpack;
  }

  /** What `OBJECT ENCODING` reports: `listpackex` is 7.4's listpack with field TTLs. */
  encoding(): HashEncoding {
    if (!this.#listpack) return "hashtable";
    return this.#expires === undefined ? "listpack" : "listpackex";
  }

  /** Whether the compact (listpack) encoding is in use. */
  get isListpack(): boolean {
    return this.#listpack;
  }

  /** A deep copy (COPY), field TTLs included. */
  clone(): HashValue {
    const copy = new HashValue(new Map(this.map), this.#listpack);
    if (this.#expires !== undefined) {
      copy.#expires = new Map(this.#expires);
      copy.#minExpire = this.#minExpire;
    }
    return copy;
  }

  /** Number of fields (expired ones not yet purged included). */
  get size(): number {
    return this.map.size;
  }

  /**
   * A field's value.
   *
   * @param field the field
   * @returns the value, or undefined
   */
  get(field: string): string | undefined {
    return this.map.get(field);
  }

  /**
   * Sets a field, removing its TTL unless `keepTtl` (HINCRBY keeps it).
   *
   * @param field the field
   * @param value the value
   * @param keepTtl keep an existing field TTL
   * @returns true if the field was created
   */
  set(field: string, value: string, keepTtl = false): boolean {
    const map = this.map;
    const size = map.size;
    map.set(field, value);
    if (!keepTtl && this.#expires !== undefined) this.#expires.delete(field);
    return map.size !== size;
  }

  /**
   * Removes a field and its TTL.
   *
   * @param field the field
   * @returns whether it existed
   */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    this.#expires?.delete(field);
    return true;
  }

  /**
   * Converts to the hashtable encoding when a field or value about to be
   * written is longer than `hash-max-listpack-value` (Redis's
   * hashTypeTryConversion). One way.
   *
   * @param maxValue `hash-max-listpack-value`
   * @param s a field or value about to be written
   */
  fit(maxValue: number, s: string): void {
    if (this.#listpack && s.length > maxValue) this.#listpack = false;
  }

  /**
   * Converts to the hashtable encoding when there are more fields than
   * `hash-max-listpack-entries`. One way.
   *
   * @param maxEntries `hash-max-listpack-entries`
   */
  fitSize(maxEntries: number): void {
    if (this.#listpack && this.map.size > maxEntries) this.#listpack = false;
  }

  // -------------------------------------------------------------------------
  // Field expiry (Redis 7.4)

  /** Whether any field has (or had) a TTL: such hashes need purging. */
  get hasExpires(): boolean {
    return this.#expires !== undefined && this.#expires.size > 0;
  }

  /**
   * A field's expiry time.
   *
   * @param field the field
   * @returns ms since the epoch, or undefined without a TTL
   */
  getExpire(field: string): number | undefined {
    return this.#expires?.get(field);
  }

  /**
   * Sets the expiry time of an existing field.
   *
   * @param field the field (must exist)
   * @param at ms since the epoch
   */
  setExpire(field: string, at: number): void {
    this.#expires ??= new Map();
    this.#expires.set(field, at);
    if (at < this.#minExpire) this.#minExpire = at;
  }

  /**
   * Removes a field's TTL.
   *
   * @param field the field
   * @returns whether it had one
   */
  persist(field: string): boolean {
    return this.#expires?.delete(field) ?? false;
  }

  /**
   * Removes every field whose expiry is at or before `now`. O(1) while no
   * field is due; otherwise a scan of the fields with a TTL.
   *
   * @param now the current time in ms
   * @returns the fields removed
   */
  purge(now: number): string[] {
    const expires = this.#expires;
    if (expires === undefined || now < this.#minExpire) return NONE_REMOVED;
    const removed: string[] = [];
    let min = Infinity;
    for (const [field, at] of expires) {
      if (at <= now) {
        expires.delete(field);
        this.map.delete(field);
        removed.push(field);
      } else if (at < min) {
        min = at;
      }
    }
    this.#minExpire = min;
    return removed;
  }
}

const NONE_REMOVED: string[] = [];
