/**
 * Sizes of Redis 7.0.15's encodings of a value, for DEBUG OBJECT: the
 * `serializedlength` field (the bytes RDB would write for the value) and
 * the quicklist node layout of a list (`ql_nodes`, `ql_uncompressed_size`).
 *
 * resplite does not store values in Redis's encodings, so these are
 * computed from the content with Redis's rules:
 *
 * - strings: an integer text of up to 11 bytes within 32 bits is written as
 *   a 2, 3 or 5 byte integer, anything else as length + bytes;
 * - intsets, listpacks (small hashes) and quicklist nodes are written as
 *   one blob each, whose size follows the listpack / intset byte formats;
 * - hashtable sets and hashes are written as a count then each member
 *   (field, value) as a string; skiplist sorted sets as a count then each
 *   member as a string and its score as an 8-byte double.
 *
 * They are exact as long as RDB compression is off (`rdbcompression no`).
 * With compression, which Redis applies to strings and blobs longer than
 * 20 bytes when LZF makes them smaller, Redis reports less for
 * compressible data: these values are then an upper bound, an estimate.
 * A list's nodes are laid out as if it had been built by pushes at its
 * tail with the current `list-max-listpack-size`; lists built otherwise
 * (LPUSH, LINSERT, LREM, a fill changed since) may be split differently.
 *
 * @module
 */

import type { Value } from "./database.ts";
import { ListValue } from "./list.ts";
import { isIntegerMember, SetValue } from "./set.ts";
import { HashValue } from "./hash.ts";
import { ZSetValue } from "./zset.ts";
import { StreamValue } from "./stream.ts";
import { idMs, idSeq } from "./stream_id.ts";
import { formatDouble } from "../resp/encoder.ts";
import { listpackEntrySize } from "./sizing.ts";

export { listpackEntrySize };

/** A canonical 64-bit integer text as a bigint (Redis's string2ll), else null. */
function parseInt64(s: string): bigint | null {
  return isIntegerMember(s) ? BigInt(s) : null;
}

/**
 * Bytes of an RDB length field (rdbSaveLen).
 *
 * @param n the length
 * @returns 1, 2, 5 or 9
 * @example
 * ```ts
 * import { rdbLengthSize } from "./encoded_size.ts";
 * console.assert(rdbLengthSize(63) === 1 && rdbLengthSize(64) === 2);
 * ```
 */
export function rdbLengthSize(n: number): number {
  if (n < 64) return 1;
  if (n < 16384) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/**
 * Bytes RDB writes for a string, without compression (rdbSaveRawString).
 *
 * @param s a binary string
 * @returns the size
 * @example
 * ```ts
 * import { rdbStringSize } from "./encoded_size.ts";
 * console.assert(rdbStringSize("12345") === 3);
 * console.assert(rdbStringSize("hello") === 6);
 * ```
 */
export function rdbStringSize(s: string): number {
  if (s.length <= 11) {
    const n = parseInt64(s);
    if (n !== null) {
      if (n >= -128n && n <= 127n) return 2;
      if (n >= -32768n && n <= 32767n) return 3;
      if (n >= -2147483648n && n <= 2147483647n) return 5;
    }
  }
  return rdbLengthSize(s.length) + s.length;
}

/** Bytes of a blob (listpack, intset) written as an RDB string. */
function rdbBlobSize(bytes: number): number {
  return rdbLengthSize(bytes) + bytes;
}

/** Listpack header (total bytes, element count) and end byte. */
const LISTPACK_EMPTY = 7;

/** One quicklist node: its element count and listpack bytes. */
export interface QuicklistNode {
  count: number;
  bytes: number;
}

/** Listpack size limits of the negative `list-max-listpack-size` values -1 to -5. */
const NODE_SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** Largest node a positive fill may grow (SIZE_SAFETY_LIMIT). */
const NODE_SAFETY_LIMIT = 8192;
/** What an insertion is assumed to add beyond the element's length (SIZE_ESTIMATE_OVERHEAD). */
const NODE_ENTRY_OVERHEAD = 8;

/**
 * A quicklist's fill as Redis stores it: `list-max-listpack-size` clamped
 * to -5 ... 32767.
 *
 * @param fill the configured value
 * @returns the clamped fill
 * @example
 * ```ts
 * import { quicklistFill } from "./encoded_size.ts";
 * console.assert(quicklistFill(-7) === -5 && quicklistFill(40000) === 32767);
 * ```
 */
export function quicklistFill(fill: number): number {
  return Math.min(Math.max(fill, -5), 32767);
}

/**
 * The quicklist nodes Redis 7.0 builds for these elements pushed one by
 * one at the tail (_quicklistNodeAllowInsert).
 *
 * @param elements the list, head first
 * @param fill `list-max-listpack-size`
 * @returns the nodes, head first (none for an empty list)
 * @example
 * ```ts
 * import { quicklistNodes } from "./encoded_size.ts";
 * const nodes = quicklistNodes(["a", "b", "c", "d", "e", "f", "g"], 3);
 * console.assert(nodes.map((n) => n.count).join() === "3,3,1");
 * console.assert(nodes[0]!.bytes === 16);
 * ```
 */
export function quicklistNodes(elements: Iterable<string>, fill: number): QuicklistNode[] {
  const f = quicklistFill(fill);
  const limit = f < 0 ? NODE_SIZE_LIMITS[-f - 1]! : 0;
  const nodes: QuicklistNode[] = [];
  let node: QuicklistNode | undefined;
  for (const element of elements) {
    const entry = listpackEntrySize(element);
    if (node !== undefined) {
      const grown = node.bytes + element.length + NODE_ENTRY_OVERHEAD;
      const fits = f < 0 ? grown <= limit : grown <= NODE_SAFETY_LIMIT && node.count < f;
      if (fits) {
        node.count++;
        node.bytes += entry;
        continue;
      }
    }
    node = { count: 1, bytes: LISTPACK_EMPTY + entry };
    nodes.push(node);
  }
  return nodes;
}

/** Layout facts DEBUG OBJECT needs beyond the value. */
export interface EncodingOptions {
  /** `list-max-listpack-size`. */
  readonly listFill: number;
}

/**
 * Bytes RDB would write for a value without compression (Redis's
 * rdbSavedObjectLen with `rdbcompression no`): DEBUG OBJECT's
 * `serializedlength`.
 *
 * @param value the stored value
 * @param options the list fill
 * @returns the size
 * @example
 * ```ts
 * import { serializedLength } from "./encoded_size.ts";
 * import { SetValue } from "./set.ts";
 * console.assert(serializedLength("hello", { listFill: -2 }) === 6);
 * console.assert(serializedLength(new SetValue(["1", "2", "3"]), { listFill: -2 }) === 15);
 * ```
 */
export function serializedLength(value: Value, options: EncodingOptions): number {
  if (typeof value === "string") return rdbStringSize(value);
  if (value instanceof ListValue) {
    const nodes = quicklistNodes(value.values(), options.listFill);
    let size = rdbLengthSize(nodes.length);
    // Per node: its container type (packed), then the listpack blob.
    for (const node of nodes) size += 1 + rdbBlobSize(node.bytes);
    return size;
  }
  if (value instanceof SetValue) {
    if (value.encoding() === "intset") return rdbBlobSize(intsetBytes(value.members()));
    let size = rdbLengthSize(value.size);
    for (const member of value.keys()) size += rdbStringSize(member);
    return size;
  }
  if (value instanceof HashValue) {
    if (value.isListpack) {
      let bytes = LISTPACK_EMPTY;
      for (const [field, v] of value.map) bytes += listpackEntrySize(field) + listpackEntrySize(v);
      return rdbBlobSize(bytes);
    }
    let size = rdbLengthSize(value.size);
    for (const [field, v] of value.map) size += rdbStringSize(field) + rdbStringSize(v);
    return size;
  }
  if (value instanceof ZSetValue) {
    if (value.isListpack) {
      // Member then score, the score as Redis's d2string writes it.
      let bytes = LISTPACK_EMPTY;
      for (const [member, score] of value.scores) {
        bytes += listpackEntrySize(member) + listpackEntrySize(formatDouble(score));
      }
      return rdbBlobSize(bytes);
    }
    // A count, then each member as a string and its score as 8 binary bytes.
    let size = rdbLengthSize(value.size);
    for (const member of value.scores.keys()) size += rdbStringSize(member) + 8;
    return size;
  }
  if (value instanceof StreamValue) return streamSerializedLength(value);
  throw new Error(`no serialized length for ${value.type} values`);
}

/** rdbSaveLen of a uint64 held as a bigint or a number. */
function rdbBigLengthSize(n: bigint | number): number {
  const v = BigInt(n);
  return v <= 0xffffffffn ? rdbLengthSize(Number(v)) : 9;
}

/** rdbSaveLen of both halves of a stream ID. */
function rdbIdSize(id: string): number {
  return rdbBigLengthSize(idMs(id)) + rdbBigLengthSize(idSeq(id));
}

/**
 * What RDB writes for a stream (RDB_TYPE_STREAM_LISTPACKS_2): the node
 * count, per node its 16-byte key and its listpack as a blob, then the
 * length, last ID, first ID, max deleted ID and entries-added, then the
 * consumer groups (name, last ID, entries-read, the PEL with delivery
 * times and counts, the consumers with their seen times and PEL IDs).
 */
function streamSerializedLength(stream: StreamValue): number {
  let size = rdbLengthSize(stream.radixTreeKeys);
  for (const [bytes] of stream.nodeSizes()) size += 17 + rdbBlobSize(bytes);
  size += rdbLengthSize(stream.length) + rdbIdSize(stream.lastId) +
    rdbIdSize(stream.firstId() ?? "\0".repeat(16)) + rdbIdSize(stream.maxDeletedId) +
    rdbBigLengthSize(stream.entriesAdded);
  const groups = stream.groups;
  size += rdbLengthSize(groups?.size ?? 0);
  for (const group of groups?.values() ?? []) {
    size += rdbStringSize(group.name) + rdbIdSize(group.lastId) +
      rdbBigLengthSize(BigInt.asUintN(64, group.entriesRead));
    size += rdbLengthSize(group.pending.size);
    for (const [, entry] of group.pending.entries()) {
      size += 16 + 8 + rdbBigLengthSize(entry.deliveryCount);
    }
    size += rdbLengthSize(group.consumers.size);
    for (const consumer of group.consumers.values()) {
      size += rdbStringSize(consumer.name) + 8 + rdbLengthSize(consumer.pending.size) +
        16 * consumer.pending.size;
    }
  }
  return size;
}

/**
 * Bytes of an intset holding these members: an 8-byte header, then every
 * member in the narrowest of 2, 4 or 8 bytes that fits them all.
 *
 * @param sorted the members, ascending integer texts
 * @returns the size
 */
function intsetBytes(sorted: readonly string[]): number {
  if (sorted.length === 0) return 8;
  const min = BigInt(sorted[0]!);
  const max = BigInt(sorted[sorted.length - 1]!);
  let width = 8;
  if (min >= -32768n && max <= 32767n) width = 2;
  else if (min >= -2147483648n && max <= 2147483647n) width = 4;
  return 8 + sorted.length * width;
}
