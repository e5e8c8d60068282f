/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: a SHA-1 based signature of the
 * dataset, or of single values, computed as Redis 7.0.15 computes it, so
 * that the digests of a resplite server and of a real one holding the same
 * data are equal.
 *
 * The scheme, in Redis's terms:
 *
 * - `xor(d, bytes)`: d ^= SHA1(bytes). Commutative: used where order does
 *   not matter (set members, hash fields, the keys of a database).
 * - `mix(d, bytes)`: d = SHA1(d ^ SHA1(bytes)). Order-dependent: used for
 *   sequences (list elements, a key then its value).
 * - A value's digest starts from the digest it is mixed into: the object
 *   type as a 4-byte big-endian number is mixed first, then the content:
 *   a string mixes its bytes (integer-encoded strings as their decimal
 *   text, which is how resplite holds them anyway); a list mixes every
 *   element from head to tail; a set xors every member (intset members as
 *   decimal text); a hash xors, per field, the digest obtained by mixing
 *   the field then the value into 20 zero bytes. A key with a TTL, whatever
 *   its value, finally xors the 10 bytes `!!expire!!`.
 * - The dataset digest starts at 20 zero bytes. For each non-empty
 *   database, in order, its number (4-byte big-endian) is mixed in; then,
 *   per key, a zeroed digest gets the key mixed in, then the value as
 *   above, and is xored into the total.
 *
 * Keys are taken as stored, logically expired ones not yet reclaimed
 * included, as Redis walks its dictionaries.
 *
 * Adding a type: give it a case in {@linkcode mixValueInto}. Sorted sets
 * (type 3) xor, per member, the digest of mixing the member then its score
 * printed as `%.17g` into 20 zero bytes; streams (type 6) mix, per entry,
 * `<ms>.<seq>` then each field and value.
 *
 * @module
 */

import { type Bytes, Sha1, SHA1_LENGTH, toHex } from "./sha1.ts";
import type { RedisType, Value } from "./database.ts";
import { ListValue } from "./list.ts";
import { SetValue } from "./set.ts";
import { HashValue } from "./hash.ts";
import { ZSetValue } from "./zset.ts";
import { StreamValue } from "./stream.ts";
import { formatId } from "./stream_id.ts";
import { formatDouble } from "../resp/encoder.ts";

/** Redis's object type numbers (`OBJ_STRING`, ...), as digests mix them in. */
export const OBJECT_TYPE_CODES: Readonly<Record<RedisType, number>> = {
  string: 0,
  list: 1,
  set: 2,
  zset: 3,
  hash: 4,
  stream: 6,
};

/** What DEBUG DIGEST reads of a database: Database satisfies it. */
export interface DigestDatabase {
  /** The database number. */
  readonly id: number;
  /** Stored keys, expired ones not yet reclaimed included. */
  readonly size: number;
  /** Every stored key and value, expired ones included, untouched. */
  entries(): Iterable<readonly [key: string, value: Value]>;
  /** A key's expiry time, or undefined without a TTL. */
  getExpire(key: string): number | undefined;
}

const EXPIRE_MARK = "!!expire!!";

/**
 * The digest primitives over one reused SHA-1 instance and scratch
 * buffers: a dataset digest hashes several short messages per key, and
 * allocating per hash would cost more than the hashing.
 */
class Digester {
  #sha = new Sha1();
  #hash = new Uint8Array(SHA1_LENGTH);
  #word = new Uint8Array(4);
  #element = new Uint8Array(SHA1_LENGTH);

  /** digest ^= SHA1(data) */
  xor(digest: Uint8Array, data: Bytes): void {
    const hash = this.#sha.reset().update(data).digest(this.#hash);
    for (let i = 0; i < SHA1_LENGTH; i++) digest[i]! ^= hash[i]!;
  }

  /** digest = SHA1(digest ^ SHA1(data)) */
  mix(digest: Uint8Array, data: Bytes): void {
    this.xor(digest, data);
    this.#sha.reset().update(digest).digest(digest);
  }

  /** Mixes a 32-bit number in as 4 big-endian bytes (Redis's htonl). */
  mixWord(digest: Uint8Array, n: number): void {
    const word = this.#word;
    word[0] = n >>> 24;
    word[1] = n >>> 16;
    word[2] = n >>> 8;
    word[3] = n;
    this.mix(digest, word);
  }

  /** Redis's xorObjectDigest: the type, the content, the TTL mark. */
  value(digest: Uint8Array, value: Value, hasExpire: boolean): void {
    if (typeof value === "string") {
      this.mixWord(digest, OBJECT_TYPE_CODES.string);
      this.mix(digest, value);
    } else {
      this.mixWord(digest, OBJECT_TYPE_CODES[value.type]);
      if (value instanceof ListValue) {
        for (const element of value.values()) this.mix(digest, element);
      } else if (value instanceof SetValue) {
        for (const member of value.keys()) this.xor(digest, member);
      } else if (value instanceof HashValue) {
        // Every stored field, as Redis 7.0 (which has no field TTLs) walks them.
        const element = this.#element;
        for (const [field, v] of value.map) {
          element.fill(0);
          this.mix(element, field);
          this.mix(element, v);
          this.xor(digest, element);
        }
      } else if (value instanceof ZSetValue) {
        // Each member mixed with its score as `%.17g`, in any order.
        const element = this.#element;
        for (const [member, score] of value.scores) {
          element.fill(0);
          this.mix(element, member);
          this.mix(element, formatDouble(score));
          this.xor(digest, element);
        }
      } else if (value instanceof StreamValue) {
        // Each live entry: `<ms>.<seq>`, then its fields and values (groups are not mixed).
        for (const [id, fields] of value.entries()) {
          this.mix(digest, formatId(id).replace("-", "."));
          for (const part of fields) this.mix(digest, part);
        }
      } else {
        throw new Error(`no digest for ${value.type} values`);
      }
    }
    if (hasExpire) this.xor(digest, EXPIRE_MARK);
  }
}

/**
 * Xors the SHA-1 of some bytes into a digest (Redis's xorDigest).
 *
 * @param digest 20 bytes, updated in place
 * @param data the bytes
 * @example
 * ```ts
 * import { xorDigest } from "./digest.ts";
 * const d = new Uint8Array(20);
 * xorDigest(d, "a");
 * xorDigest(d, "a");
 * console.assert(d.every((b) => b === 0));
 * ```
 */
export function xorDigest(digest: Uint8Array, data: Bytes): void {
  new Digester().xor(digest, data);
}

/**
 * Mixes some bytes into a digest, order-dependently: the SHA-1 of the data
 * is xored in, then the digest is replaced by its own SHA-1 (Redis's
 * mixDigest).
 *
 * @param digest 20 bytes, updated in place
 * @param data the bytes
 * @example
 * ```ts
 * import { mixDigest } from "./digest.ts";
 * const ab = new Uint8Array(20);
 * mixDigest(ab, "a");
 * mixDigest(ab, "b");
 * const ba = new Uint8Array(20);
 * mixDigest(ba, "b");
 * mixDigest(ba, "a");
 * console.assert(ab.some((b, i) => b !== ba[i]));
 * ```
 */
export function mixDigest(digest: Uint8Array, data: Bytes): void {
  new Digester().mix(digest, data);
}

/**
 * Mixes a value into a digest: its type, its content and the TTL mark
 * (Redis's xorObjectDigest).
 *
 * @param digest 20 bytes, updated in place
 * @param value the stored value
 * @param hasExpire whether the key has a TTL
 * @throws Error for a type without a digest yet
 * @example
 * ```ts
 * import { mixValueInto } from "./digest.ts";
 * import { toHex } from "./sha1.ts";
 * const d = new Uint8Array(20);
 * mixValueInto(d, "v", false);
 * console.assert(toHex(d).length === 40);
 * ```
 */
export function mixValueInto(digest: Uint8Array, value: Value, hasExpire: boolean): void {
  new Digester().value(digest, value, hasExpire);
}

/**
 * The digest of one value (DEBUG DIGEST-VALUE): 20 zero bytes for a missing
 * key, else the value mixed into 20 zero bytes.
 *
 * @param value the stored value, or undefined
 * @param hasExpire whether the key has a TTL
 * @returns 40 hex digits
 * @example
 * ```ts
 * import { valueDigest } from "./digest.ts";
 * console.assert(valueDigest(undefined, false) === "0".repeat(40));
 * ```
 */
export function valueDigest(value: Value | undefined, hasExpire: boolean): string {
  const digest = new Uint8Array(SHA1_LENGTH);
  if (value !== undefined) new Digester().value(digest, value, hasExpire);
  return toHex(digest);
}

/**
 * The digest of a whole dataset (DEBUG DIGEST): 40 zeros when every
 * database is empty.
 *
 * @param databases the databases, in number order
 * @returns 40 hex digits
 * @example
 * ```ts
 * import { datasetDigest } from "./digest.ts";
 * import { Database } from "./database.ts";
 * import { ManualClock } from "../clock.ts";
 * const db = new Database(0, new ManualClock(0), { expired() {} });
 * console.assert(datasetDigest([db]) === "0".repeat(40));
 * db.set("k", "v");
 * console.assert(datasetDigest([db]) !== "0".repeat(40));
 * ```
 */
export function datasetDigest(databases: Iterable<DigestDatabase>): string {
  const digester = new Digester();
  const total = new Uint8Array(SHA1_LENGTH);
  const digest = new Uint8Array(SHA1_LENGTH);
  for (const db of databases) {
    if (db.size === 0) continue;
    digester.mixWord(total, db.id);
    for (const [key, value] of db.entries()) {
      digest.fill(0);
      digester.mix(digest, key);
      digester.value(digest, value, db.getExpire(key) !== undefined);
      digester.xor(total, digest);
    }
  }
  return toHex(total);
}
