/**
 * Memory estimates of keys and values: what MEMORY USAGE reports, what
 * INFO memory's `used_memory` adds up and what eviction compares with
 * `maxmemory`.
 *
 * resplite holds values as V8 objects, whose sizes JavaScript cannot see,
 * so each value is sized as Redis 7.0.15 (64-bit, jemalloc 5.3) lays it
 * out, with Redis's own sampling rules (objectComputeSize). This is a
 * model, not a measurement of the V8 heap; the bench measured resplite's
 * heap at 122 bytes per small string key against Redis's 125
 * (bench/results.md), so the model tracks the real heap for small strings.
 * The figures are deterministic: the same data gives the same bytes.
 *
 * What a value costs (allocations rounded up to jemalloc's size classes):
 *
 * - string: a 16-byte object header; an integer (OBJECT ENCODING `int`)
 *   costs only that; up to 44 bytes (`embstr`) one allocation of header,
 *   3-byte sds header, bytes and terminator; longer (`raw`) the header plus
 *   an sds allocation;
 * - list (quicklist): header, quicklist, and per node a 40-byte node plus
 *   its listpack; the node layout follows `list-max-listpack-size`, sampled
 *   from the first elements and extrapolated;
 * - set: an intset of 2, 4 or 8-byte members, or a hash table (56-byte
 *   dict, 8 bytes per bucket, a 24-byte entry and an sds per member);
 * - hash and sorted set: one listpack (sizes computed entry by entry), or a
 *   hash table (plus the skiplist's nodes for a sorted set);
 * - a key adds its sds and its 24-byte dictionary entry.
 *
 * Sampling, as Redis: a hash table's first `samples` elements, or a list's
 * first `samples` quicklist nodes, are measured and their average
 * extrapolated to the whole; listpacks and intsets are computed exactly, as
 * Redis reads their allocation size. `samples` Infinity (MEMORY USAGE
 * SAMPLES 0) walks everything. For these the figures equal Redis 7.0.15's
 * MEMORY USAGE (checked by the differential suite). The per-write
 * accounting behind `maxmemory` sizes a list from its first `samples * 16`
 * elements instead (`cheap`), as a node can hold thousands of them.
 *
 * Known differences from Redis: strings grown by APPEND or SETRANGE are
 * sized as if built at once (Redis's sds keep spare room); hash tables are
 * sized for their element count, ignoring rehashing and the shrinking
 * Redis's cron does later; skiplist nodes are given their expected size
 * rather than their drawn level; hash field TTLs are not counted.
 *
 * @module
 */

import type { Value } from "./database.ts";
import { ListValue } from "./list.ts";
import { isIntegerMember, SetValue } from "./set.ts";
import { HashValue } from "./hash.ts";
import { ZSetValue } from "./zset.ts";
import { raxNodeCount, StreamValue } from "./stream.ts";
import type { IdMap } from "./id_map.ts";
import { listpackEntrySize, quicklistFill, quicklistNodes } from "./encoded_size.ts";
import { formatDouble } from "../resp/encoder.ts";
import { allocSize } from "./sizing.ts";

export { allocSize };

/** Redis's robj (type, encoding, LRU, refcount, pointer). */
const ROBJ = 16;
/** A dictionary entry: key, value, next. */
export const DICT_ENTRY = 24;
/** A dict struct (two tables' pointers, sizes, rehash state). */
const DICT = 56;
/** The quicklist struct and one node of it. */
const QUICKLIST = 40;
const QUICKLIST_NODE = 40;
/** A zset (dict + skiplist pointers) and its skiplist struct. */
const ZSET = 16;
const ZSKIPLIST = 32;
/** An empty listpack: total bytes, count, end marker. */
const LISTPACK_EMPTY = 7;
/** An intset's header: encoding and length. */
const INTSET_HEADER = 8;
/** Longest string Redis stores with its header in one allocation. */
const EMBSTR_LIMIT = 44;
/** List elements sampled per quicklist node Redis would sample. */
const LIST_SAMPLES_PER_NODE = 16;
/** Listpack size limits of `list-max-listpack-size` -1 to -5. */
const NODE_SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** Largest node a positive fill may grow (SIZE_SAFETY_LIMIT). */
const NODE_SAFETY_LIMIT = 8192;
/** What a node insertion is assumed to add beyond the element (SIZE_ESTIMATE_OVERHEAD). */
const NODE_ENTRY_OVERHEAD = 8;

/** Redis's default MEMORY USAGE sample count (OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
export const DEFAULT_SAMPLES = 5;

/** The header of an sds string of this length (sdsReqType). */
function sdsHeader(len: number): number {
  if (len < 32) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 4294967296) return 9;
  return 17;
}

/**
 * The allocation of an sds string made for these bytes (keys, hash
 * fields and values, set and sorted-set members).
 *
 * @param len the string's length
 * @returns bytes
 * @example
 * ```ts
 * import { sdsSize } from "./memory_size.ts";
 * console.assert(sdsSize(3) === 8 && sdsSize(40) === 48);
 * ```
 */
export function sdsSize(len: number): number {
  return allocSize(sdsHeader(len) + len + 1);
}

/** Buckets of a dict holding `n` entries: a power of two, at least 4. */
function dictSlots(n: number): number {
  if (n === 0) return 0;
  return n <= 4 ? 4 : 2 ** Math.ceil(Math.log2(n));
}

/**
 * The bytes of a hash table (a database's main or expires dictionary
 * included): its buckets.
 *
 * @param n entries
 * @returns 8 bytes per bucket
 * @example
 * ```ts
 * import { dictBuckets } from "./memory_size.ts";
 * console.assert(dictBuckets(0) === 0 && dictBuckets(5) === 64);
 * ```
 */
export function dictBuckets(n: number): number {
  return dictSlots(n) * 8;
}

/** Expected allocation of a skiplist node: 24 bytes and 16 per level, level ~ 1 + geometric(1/4). */
const ZSKIPLIST_NODE = (() => {
  let sum = 0;
  let p = 0.75;
  for (let level = 1; level < 32; level++) {
    sum += p * allocSize(24 + 16 * level);
    p *= 0.25;
  }
  return sum;
})();
/** The skiplist's header node: 32 levels. */
const ZSKIPLIST_HEADER = allocSize(24 + 16 * 32);

/**
 * What a string value costs: `int`, `embstr` or `raw`.
 *
 * @param s the binary string
 * @returns bytes
 * @example
 * ```ts
 * import { stringSize } from "./memory_size.ts";
 * console.assert(stringSize("12345") === 16);
 * console.assert(stringSize("bar") === 32);
 * console.assert(stringSize("x".repeat(100)) === 16 + 112);
 * ```
 */
export function stringSize(s: string): number {
  const len = s.length;
  if (len <= 20 && isIntegerMember(s)) return ROBJ;
  if (len <= EMBSTR_LIMIT) return allocSize(ROBJ + 3 + len + 1);
  return ROBJ + sdsSize(len);
}

/** Layout facts an estimate needs beyond the value. */
export interface SizeOptions {
  /** Elements to sample (Infinity: all); see the module doc. */
  readonly samples: number;
  /** `list-max-listpack-size`. */
  readonly listFill: number;
  /**
   * Size lists from their first `samples * 16` elements (O(samples))
   * instead of their first `samples` quicklist nodes, as Redis does (up to
   * thousands of small elements a node): what the per-write accounting
   * uses.
   */
  readonly cheap?: boolean;
}

/**
 * The estimated bytes of a value (Redis's objectComputeSize).
 *
 * @param value the value
 * @param options samples and list fill
 * @returns bytes
 * @example
 * ```ts
 * import { valueSize } from "./memory_size.ts";
 * import { SetValue } from "./set.ts";
 * const options = { samples: 5, listFill: -2 };
 * console.assert(valueSize("bar", options) === 32);
 * console.assert(valueSize(new SetValue(["1", "2", "3"]), options) === 16 + 16);
 * ```
 */
export function valueSize(value: Value, options: SizeOptions): number {
  if (typeof value === "string") return stringSize(value);
  if (value instanceof ListValue) return listSize(value, options);
  if (value instanceof SetValue) return setSize(value, options.samples);
  if (value instanceof HashValue) return hashSize(value, options.samples);
  if (value instanceof ZSetValue) return zsetSize(value, options.samples);
  if (value instanceof StreamValue) return streamSize(value, options);
  return ROBJ;
}

/** Redis's `stream` struct (7.0: rax, length, last, first and max deleted IDs, entries-added, groups). */
const STREAM = 80;
/** streamCG, streamConsumer and streamNACK (7.0.15). */
const STREAM_CG = 40;
const STREAM_CONSUMER = 24;
const STREAM_NACK = 24;

/**
 * Redis's streamRadixTreeMemoryUsage: 16 bytes a key, and per rax node its
 * 4-byte header plus a fixed 30 pointers' overhead.
 */
function raxSize(keys: number, nodes: number): number {
  return keys * 16 + nodes * (4 + 8 * 30);
}

/**
 * A pending-entries list's rax: exact for MEMORY USAGE; for the per-write
 * accounting (`cheap`), which must stay O(1) in the list's length, one node
 * a key (plus the root), about what a rax of increasing IDs holds.
 */
function pelSize(pending: IdMap<unknown>, cheap: boolean): number {
  if (cheap) return raxSize(pending.size, pending.size + 1);
  const ids = [...pending.entries()].map(([id]) => id);
  return raxSize(ids.length, raxNodeCount(ids));
}

/**
 * A stream as objectComputeSize sizes it: the struct, the rax of nodes,
 * the listpacks' allocations (the first `samples` averaged over all but the
 * last, plus the last), and per group its struct, PEL rax and entries, and
 * per consumer its struct, name and PEL rax. O(samples + groups +
 * consumers) under `cheap`: the node rax's count is kept by the stream.
 */
function streamSize(stream: StreamValue, options: SizeOptions): number {
  const count = stream.radixTreeKeys;
  let size = ROBJ + STREAM + raxSize(count, stream.radixTreeNodes);
  let sampled = 0;
  let bytes = 0;
  while (sampled < options.samples && sampled < count) bytes += stream.nodeAlloc(sampled++);
  if (count <= sampled) {
    size += bytes;
  } else {
    if (sampled > 0) bytes = Math.floor(bytes / sampled);
    size += bytes * (count - 1) + stream.nodeAlloc(count - 1);
  }
  const cheap = options.cheap === true;
  for (const group of stream.groups?.values() ?? []) {
    size += STREAM_CG + pelSize(group.pending, cheap) + STREAM_NACK * group.pending.size;
    for (const consumer of group.consumers.values()) {
      size += STREAM_CONSUMER + consumer.name.length + pelSize(consumer.pending, cheap);
    }
  }
  return size;
}

/**
 * The estimated bytes of a key with its value, as MEMORY USAGE reports:
 * the value, the key's sds and its dictionary entry.
 *
 * @param key the key
 * @param value its value
 * @param options samples and list fill
 * @returns bytes
 * @example
 * ```ts
 * import { keySize } from "./memory_size.ts";
 * console.assert(keySize("foo", "bar", { samples: 5, listFill: -2 }) === 64);
 * ```
 */
export function keySize(key: string, value: Value, options: SizeOptions): number {
  return sdsSize(key.length) + DICT_ENTRY + valueSize(value, options);
}

/**
 * A list as Redis's objectComputeSize sizes it: the average of its first
 * `samples` quicklist nodes (laid out as pushes at the tail build them)
 * times the number of nodes, counted when every element was walked, else
 * extrapolated from the elements per node sampled.
 */
function listNodesSize(list: ListValue, options: SizeOptions): number {
  const n = list.length;
  const fill = quicklistFill(options.listFill);
  const limit = fill < 0 ? NODE_SIZE_LIMITS[-fill - 1]! : 0;
  let sampled = 0;
  let sampledBytes = 0;
  let sampledElements = 0;
  let count = 0;
  let bytes = 0;
  let walked = 0;
  const close = () => {
    sampled++;
    sampledBytes += QUICKLIST_NODE + allocSize(bytes);
    sampledElements += count;
  };
  for (const element of list.values()) {
    const entry = listpackEntrySize(element);
    if (count > 0) {
      const grown = bytes + element.length + NODE_ENTRY_OVERHEAD;
      const fits = fill < 0 ? grown <= limit : grown <= NODE_SAFETY_LIMIT && count < fill;
      if (fits) {
        count++;
        bytes += entry;
        walked++;
        continue;
      }
      close();
      if (sampled >= options.samples) break;
    }
    count = 1;
    bytes = LISTPACK_EMPTY + entry;
    walked++;
  }
  let nodes: number;
  if (walked === n && sampled < options.samples) {
    close();
    nodes = sampled;
  } else {
    nodes = sampled + Math.ceil((n - sampledElements) / (sampledElements / sampled));
  }
  return ROBJ + QUICKLIST + Math.round((sampledBytes / sampled) * nodes);
}

function listSize(list: ListValue, options: SizeOptions): number {
  const n = list.length;
  let nodes = 0;
  let bytes = ROBJ + QUICKLIST;
  if (n === 0) return bytes;
  if (options.cheap !== true) return listNodesSize(list, options);
  const sampled = Math.min(n, options.samples * LIST_SAMPLES_PER_NODE);
  if (sampled >= n) {
    for (const node of quicklistNodes(list.values(), options.listFill)) {
      bytes += QUICKLIST_NODE + allocSize(node.bytes);
      nodes++;
    }
    return bytes;
  }
  let entries = 0;
  let lengths = 0;
  for (let i = 0; i < sampled; i++) {
    const element = list.at(i)!;
    entries += listpackEntrySize(element);
    lengths += element.length;
  }
  const entry = entries / sampled;
  const len = lengths / sampled;
  // Elements per node by Redis's insertion rule: a node takes one more
  // while its bytes plus the element plus 8 stay within the limit.
  const fill = quicklistFill(options.listFill);
  const limit = fill < 0 ? NODE_SIZE_LIMITS[-fill - 1]! : NODE_SAFETY_LIMIT;
  let perNode = Math.max(
    1,
    Math.floor((limit - LISTPACK_EMPTY - NODE_ENTRY_OVERHEAD - len) / entry) + 1,
  );
  if (fill > 0) perNode = Math.min(perNode, fill);
  nodes = Math.ceil(n / perNode);
  const last = n - (nodes - 1) * perNode;
  bytes += (nodes - 1) * (QUICKLIST_NODE + allocSize(LISTPACK_EMPTY + perNode * entry));
  bytes += QUICKLIST_NODE + allocSize(LISTPACK_EMPTY + last * entry);
  return Math.round(bytes);
}

/** Average of `sizeOf` over the first `samples` items, times `n`. */
function extrapolate<T>(
  items: Iterable<T>,
  n: number,
  samples: number,
  sizeOf: (item: T) => number,
): number {
  let sum = 0;
  let seen = 0;
  for (const item of items) {
    if (seen >= samples) break;
    sum += sizeOf(item);
    seen++;
  }
  return seen === 0 ? 0 : (sum / seen) * n;
}

function setSize(set: SetValue, samples: number): number {
  const n = set.size;
  if (set.encoding() === "intset") {
    let min = 0;
    let max = 0;
    for (const member of set.keys()) {
      const v = Number(member);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const width = min >= -32768 && max <= 32767
      ? 2
      : min >= -2147483648 && max <= 2147483647
      ? 4
      : 8;
    return ROBJ + allocSize(INTSET_HEADER + n * width);
  }
  const table = ROBJ + DICT + dictBuckets(n);
  return Math.round(
    table + extrapolate(set.keys(), n, samples, (m) => DICT_ENTRY + sdsSize(m.length)),
  );
}

function hashSize(hash: HashValue, samples: number): number {
  const n = hash.size;
  if (hash.isListpack) {
    let bytes = LISTPACK_EMPTY;
    for (const [field, value] of hash.map) {
      bytes += listpackEntrySize(field) + listpackEntrySize(value);
    }
    return ROBJ + allocSize(bytes);
  }
  const table = ROBJ + DICT + dictBuckets(n);
  return Math.round(
    table +
      extrapolate(
        hash.map,
        n,
        samples,
        ([f, v]) => DICT_ENTRY + sdsSize(f.length) + sdsSize(v.length),
      ),
  );
}

function zsetSize(zset: ZSetValue, samples: number): number {
  const n = zset.size;
  if (zset.isListpack) {
    let bytes = LISTPACK_EMPTY;
    for (const [member, score] of zset.scores) {
      bytes += listpackEntrySize(member) + listpackEntrySize(formatDouble(score));
    }
    return ROBJ + allocSize(bytes);
  }
  const fixed = ROBJ + ZSET + ZSKIPLIST + DICT + dictBuckets(n) + ZSKIPLIST_HEADER;
  return Math.round(
    fixed +
      extrapolate(
        zset.scores.keys(),
        n,
        samples,
        (m) => sdsSize(m.length) + DICT_ENTRY + ZSKIPLIST_NODE,
      ),
  );
}

/** Measures a key and its value, in bytes. */
export type Measure = (key: string, value: Value) => number;

/**
 * Per-key memory accounting of one database: the estimate of every key,
 * by the database's slot numbers, and their sum, kept up to date by the
 * keyspace operations while `maxmemory` is set. It also maps slots back to
 * keys, so eviction samples random keys in O(1).
 *
 * @example
 * ```ts
 * import { KeyspaceMemory } from "./memory_size.ts";
 * const memory = new KeyspaceMemory((key, value) => key.length + String(value).length);
 * memory.set(0, "k", "vv");
 * memory.set(0, "k", "v");
 * memory.set(3, "a", "b");
 * console.assert(memory.bytes === 4 && memory.keyAt(3) === "a");
 * memory.remove(3);
 * console.assert(memory.bytes === 2 && memory.keyAt(3) === undefined);
 * ```
 */
export class KeyspaceMemory {
  /** How a key and its value are measured. */
  readonly measure: Measure;
  #sizes = new Float64Array(64);
  #keys: (string | undefined)[] = [];
  /** The sum of every key's estimate. */
  bytes = 0;

  /**
   * @param measure how a key and its value are measured
   */
  constructor(measure: Measure) {
    this.measure = measure;
  }

  /**
   * Measures a key stored (or changed) in a slot.
   *
   * @param slot the database slot
   * @param key the key
   * @param value its value
   */
  set(slot: number, key: string, value: Value): void {
    if (slot >= this.#sizes.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.#sizes.length * 2));
      grown.set(this.#sizes);
      this.#sizes = grown;
    }
    const size = this.measure(key, value);
    this.bytes += size - this.#sizes[slot]!;
    this.#sizes[slot] = size;
    this.#keys[slot] = key;
  }

  /**
   * Forgets the key of a slot.
   *
   * @param slot the database slot
   */
  remove(slot: number): void {
    if (slot >= this.#sizes.length) return;
    this.bytes -= this.#sizes[slot]!;
    this.#sizes[slot] = 0;
    this.#keys[slot] = undefined;
  }

  /**
   * The key stored in a slot.
   *
   * @param slot the database slot
   * @returns the key, or undefined for a free slot
   */
  keyAt(slot: number): string | undefined {
    return this.#keys[slot];
  }
}
