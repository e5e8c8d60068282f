/**
 * The stream value, laid out as Redis 7.0.15 lays a stream out: an ordered
 * index of nodes keyed by their master ID (Redis's rax), each node a packed
 * block of entries (Redis's listpack).
 *
 * - Lookup by ID is a binary search over the nodes, then a scan inside one
 *   node (at most `stream-node-max-entries` entries): O(log N). Appends
 *   write at the tail node's end; trims drop whole nodes from the head or
 *   flag entries inside the first node.
 * - A node's entries are one `Uint8Array`: per entry a flags byte
 *   (deleted, same-fields-as-master), the ID as a delta from the node's
 *   master ID (varints), then the field names (omitted when they are the
 *   master entry's, as Redis compresses them) and values, each a varint
 *   length and the bytes. An entry whose ms or seq reaches 2^53 stores its
 *   16-byte ID instead (exact over the whole uint64 range).
 * - Deleted entries stay in their node, flagged, as Redis keeps them; a
 *   node whose last live entry is deleted by XDEL goes away.
 * - Reads walk the nodes with a {@linkcode StreamRange}; the values of a
 *   full node are sliced from its bytes decoded whole, which the stream
 *   keeps for its last few full nodes read (cheaper than decoding value by
 *   value: XRANGE ... COUNT 10 reads ten values for one decode).
 * - Memory (measured, `deno task bench`): about 43 bytes of RSS per entry
 *   of one 16-byte field, against Redis's 31 bytes of used_memory.
 * - Node boundaries are Redis's: each node tracks the byte size its
 *   listpack would have in Redis (master entry, per entry flags, ms-diff,
 *   seq-diff, [field count, fields,] values, lp-count, listpack integer and
 *   string encodings), and an append starts a new node exactly when Redis's
 *   XADD would (`stream-node-max-bytes`, `stream-node-max-entries`, counted
 *   with the deleted entries). Approximate trims remove whole nodes only,
 *   so lengths after `MAXLEN ~` / `MINID ~` equal Redis's, and
 *   `radixTreeKeys` / `radixTreeNodes` are XINFO STREAM's figures.
 *
 * The value also carries what Redis's `stream` struct does: the last
 * generated ID, the max deleted entry ID, the entries-added counter, and the
 * consumer groups (`stream_group.ts`).
 *
 * Known differences from Redis 7.0.15: none in behaviour. The listpack
 * bytes are computed, not stored; the allocation MEMORY USAGE reads is
 * modelled on Redis's (4096-byte preallocation, jemalloc size classes,
 * reallocation when an element passes it or a counter shrinks, shrink to
 * fit when a node is full); `radixTreeNodes` counts the canonical
 * compressed trie of the node keys, which is what Redis's rax holds after
 * any sequence of inserts and removals (checked against XINFO STREAM in
 * tests/commands/stream_test.ts).
 *
 * @module
 */

import type { ContainerValue } from "./database.ts";
import type { ConsumerGroup } from "./stream_group.ts";
import { formatId, MAX_ID, MIN_ID, type StreamId, streamId } from "./stream_id.ts";
import { allocSize, listpackEntrySize } from "./sizing.ts";

const F_DELETED = 1;
const F_SAMEFIELDS = 2;
/** Not a Redis flag: the entry holds its full 16-byte ID. */
const F_WIDE = 4;
const TWO32 = 4294967296;
/** Largest listpack Redis lets a stream node grow (STREAM_LISTPACK_MAX_SIZE). */
const LISTPACK_MAX_SIZE = 2 ** 30;
/** Redis preallocates a new node's listpack up to this (STREAM_LISTPACK_MAX_PRE_ALLOCATE). */
const LISTPACK_PREALLOC = 4096;
/** Listpack header and end byte. */
const LISTPACK_EMPTY = 7;
const INITIAL_CAPACITY = 128;
/** Full nodes whose decoded bytes a stream keeps for reads. */
const NODE_TEXTS = 8;

/** Node boundaries: `stream-node-max-bytes` and `stream-node-max-entries` (0: no limit). */
export interface NodeLimits {
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/** Redis's defaults. */
export const DEFAULT_NODE_LIMITS: NodeLimits = { maxBytes: 4096, maxEntries: 100 };

/** How XADD / XTRIM trim (Redis's streamAddTrimArgs). */
export interface TrimOptions {
  readonly strategy: "maxlen" | "minid";
  /** MAXLEN's threshold. */
  readonly maxlen?: number;
  /** MINID's threshold. */
  readonly minid?: StreamId;
  /** `~`: remove whole nodes only. */
  readonly approx: boolean;
  /** At most this many entries (0: no limit); only with `approx`. */
  readonly limit: number;
}

/**
 * Bytes of a listpack integer entry (encoding, then backlen).
 *
 * @param v the integer
 * @returns 2 to 10
 */
function lpIntSize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of a listpack integer entry for an int64 held as a bigint. */
function lpBigIntSize(v: bigint): number {
  return v >= -2147483648n && v <= 2147483647n ? lpIntSize(Number(v)) : 10;
}

/** Bytes a varint of `v` (a non-negative safe integer) takes. */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** The ms and seq of an ID as numbers, or -1 for a part at or past 2^53. */
function partsOf(id: StreamId): [ms: number, seq: number] {
  const msHi = ((id.charCodeAt(0) << 24) | (id.charCodeAt(1) << 16) | (id.charCodeAt(2) << 8) |
    id.charCodeAt(3)) >>> 0;
  const msLo = ((id.charCodeAt(4) << 24) | (id.charCodeAt(5) << 16) | (id.charCodeAt(6) << 8) |
    id.charCodeAt(7)) >>> 0;
  const seqHi = ((id.charCodeAt(8) << 24) | (id.charCodeAt(9) << 16) | (id.charCodeAt(10) << 8) |
    id.charCodeAt(11)) >>> 0;
  const seqLo = ((id.charCodeAt(12) << 24) | (id.charCodeAt(13) << 16) |
    (id.charCodeAt(14) << 8) | id.charCodeAt(15)) >>> 0;
  return [
    msHi < 2097152 ? msHi * TWO32 + msLo : -1,
    seqHi < 2097152 ? seqHi * TWO32 + seqLo : -1,
  ];
}

/** The uint64 at `at` (0: ms, 8: seq) as a bigint. */
function u64(id: StreamId, at: number): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(id.charCodeAt(at + i));
  return v;
}

/** A binary string from bytes. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n <= 8192) {
    return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  let s = "";
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(
      null,
      buf.subarray(i, Math.min(end, i + 8192)) as unknown as number[],
    );
  }
  return s;
}

/** One node: a master entry and packed entries (Redis's listpack). */
class StreamNode {
  /** The rax key: the ID of the first entry ever added to the node. */
  readonly master: StreamId;
  /** The master ID's parts as numbers (-1 when at or past 2^53). */
  readonly masterMs: number;
  readonly masterSeq: number;
  /** The master entry's field names. */
  readonly fields: readonly string[];
  buf: Uint8Array;
  used = 0;
  /** Live entries. */
  count = 0;
  /** Entries flagged deleted. */
  deleted = 0;
  /** Redis listpack bytes, without the count and deleted entries. */
  lpFixed: number;
  /** The last entry's ID (deleted or not). */
  last: StreamId;
  /** The listpack's allocation in Redis (zmalloc_size), for MEMORY USAGE. */
  alloc: number;

  constructor(master: StreamId, fields: readonly string[], capacity: number) {
    this.master = master;
    [this.masterMs, this.masterSeq] = partsOf(master);
    this.fields = fields;
    this.buf = new Uint8Array(capacity);
    this.last = master;
    this.lpFixed = LISTPACK_EMPTY;
    this.alloc = 0;
  }

  /** The listpack's total bytes in Redis (lpBytes). */
  get lpBytes(): number {
    return this.lpFixed + lpIntSize(this.count) + lpIntSize(this.deleted);
  }

  /** Redis appends a listpack element of `bytes` (lpAppend). */
  grow(bytes: number): void {
    const before = this.lpBytes;
    this.lpFixed += bytes;
    this.resized(before, before + bytes);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.used + n;
    if (need <= this.buf.length) return;
    let cap = Math.max(this.buf.length * 2, INITIAL_CAPACITY);
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }

  /** Drops spare capacity when there is much of it (the node is full). */
  shrink(): void {
    if (this.buf.length - this.used > this.buf.length / 8) this.buf = this.buf.slice(0, this.used);
  }

  /** A Redis listpack change to `bytes` total: reallocations as lpInsert makes them. */
  resized(before: number, after: number): void {
    if (after > before ? after > this.alloc : after < before) this.alloc = allocSize(after);
  }

  writeVarint(v: number): void {
    const buf = this.buf;
    let p = this.used;
    while (v >= 128) {
      buf[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    buf[p++] = v;
    this.used = p;
  }

  writeString(s: string): void {
    const n = s.length;
    this.writeVarint(n);
    const buf = this.buf;
    let p = this.used;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.used = p;
  }
}

/**
 * A cursor over a node's entries: `next()` decodes the ID and flags of the
 * next entry, `fields()` its content (before the following `next()`).
 */
class NodeCursor {
  node: StreamNode;
  pos: number;
  /** Start of the current entry, and of its content. */
  start = 0;
  content = 0;
  flags = 0;
  /** The current ID, built on demand from `ms` and `seq`. */
  #id: StreamId | undefined = MIN_ID;
  /** The current ID's parts as numbers (-1 for an entry holding its 16-byte ID). */
  ms = 0;
  seq = 0;
  /** Scratch for decoding short strings (String.fromCharCode.apply over an array is fastest). */
  #chars: number[] = [];
  /** The node's bytes as a binary string, when decoded whole (values are then sliced from it). */
  text: string | undefined = undefined;

  constructor(node: StreamNode, pos = 0) {
    this.node = node;
    this.pos = pos;
  }

  /** Moves to another node's start. */
  reset(node: StreamNode, text: string | undefined): void {
    this.node = node;
    this.pos = 0;
    this.text = text;
  }

  /** The current entry's ID. */
  get id(): StreamId {
    return this.#id ??= streamId(this.ms, this.seq);
  }

  /**
   * Whether the current entry's ID is below a bound given as its parts
   * (Infinity for a part at or past 2^53, which no compact ID reaches) and
   * as an ID.
   */
  below(ms: number, seq: number, id: StreamId): boolean {
    if (this.ms < 0) return this.id < id;
    return this.ms < ms || (this.ms === ms && this.seq < seq);
  }

  /** Whether the current entry's ID is above a bound (see {@linkcode NodeCursor.below}). */
  above(ms: number, seq: number, id: StreamId): boolean {
    if (this.ms < 0) return this.id > id;
    return this.ms > ms || (this.ms === ms && this.seq > seq);
  }

  /** The current entry's ID as text (`ms-seq`). */
  idText(): string {
    return this.ms >= 0 ? this.ms + "-" + this.seq : formatId(this.id);
  }

  /** `len` bytes at the position as a binary string; moves past them. */
  string(len: number): string {
    const at = this.pos;
    this.pos = at + len;
    if (this.text !== undefined) return this.text.slice(at, at + len);
    const buf = this.node.buf;
    if (len > 64) return latin1(buf, at, at + len);
    const chars = this.#chars;
    chars.length = len;
    for (let i = 0; i < len; i++) chars[i] = buf[at + i]!;
    return String.fromCharCode.apply(null, chars);
  }

  varint(): number {
    const buf = this.node.buf;
    let b = buf[this.pos++]!;
    if (b < 128) return b;
    let v = b & 127;
    let mul = 128;
    do {
      b = buf[this.pos++]!;
      v += (b & 127) * mul;
      mul *= 128;
    } while (b >= 128);
    return v;
  }

  /** Decodes the next entry's header; false at the node's end. */
  next(): boolean {
    const node = this.node;
    if (this.pos >= node.used) return false;
    this.start = this.pos;
    const flags = node.buf[this.pos++]!;
    this.flags = flags;
    if ((flags & F_WIDE) !== 0) {
      this.#id = latin1(node.buf, this.pos, this.pos + 16);
      this.pos += 16;
      this.ms = -1;
      this.seq = -1;
    } else {
      const msDelta = this.varint();
      const seq = this.varint();
      if (msDelta === 0) {
        this.ms = node.masterMs;
        this.seq = node.masterSeq + seq;
      } else {
        this.ms = node.masterMs + msDelta;
        this.seq = seq;
      }
      this.#id = undefined;
    }
    this.content = this.pos;
    this.skipContent();
    return true;
  }

  /** Moves past the current entry's fields and values. */
  skipContent(): void {
    let strings: number;
    if ((this.flags & F_SAMEFIELDS) !== 0) strings = this.node.fields.length;
    else strings = this.varint() * 2;
    for (let i = 0; i < strings; i++) {
      const len = this.varint();
      this.pos += len;
    }
  }

  /** The current entry's flat field, value list. */
  fields(): string[] {
    const node = this.node;
    const save = this.pos;
    this.pos = this.content;
    const out: string[] = [];
    if ((this.flags & F_SAMEFIELDS) !== 0) {
      for (const f of node.fields) out.push(f, this.string(this.varint()));
    } else {
      const n = this.varint() * 2;
      for (let i = 0; i < n; i++) out.push(this.string(this.varint()));
    }
    this.pos = save;
    return out;
  }
}

/**
 * Counts the nodes a Redis rax holds for a set of keys of one length, as
 * XINFO STREAM's `radix-tree-nodes` reports: the head, every child of a
 * branching position, every branching position and every key's leaf
 * (chains of single children are one compressed node).
 *
 * @param keys the keys, sorted, distinct, all of one length
 * @returns the node count (1 for an empty rax)
 * @example
 * ```ts
 * import { raxNodeCount } from "./stream.ts";
 * console.assert(raxNodeCount([]) === 1);
 * console.assert(raxNodeCount(["abc"]) === 2);
 * console.assert(raxNodeCount(["abc", "abd"]) === 4);
 * ```
 */
export function raxNodeCount(keys: readonly string[]): number {
  if (keys.length === 0) return 1;
  const len = keys[0]!.length;
  const count = (lo: number, hi: number, depth: number, nodeStart: boolean): number => {
    if (hi - lo === 1) return (nodeStart && depth < len ? 1 : 0) + 1;
    // The common prefix of the whole group: that of its first and last keys.
    const a = keys[lo]!;
    const b = keys[hi - 1]!;
    let d = depth;
    while (d < len && a.charCodeAt(d) === b.charCodeAt(d)) d++;
    // Position `d` branches: a node of its own (a chain leading to it is another).
    let total = 1 + (nodeStart && d > depth ? 1 : 0);
    let i = lo;
    while (i < hi) {
      const c = keys[i]!.charCodeAt(d);
      let j = i + 1;
      while (j < hi && keys[j]!.charCodeAt(d) === c) j++;
      total += count(i, j, d + 1, true);
      i = j;
    }
    return total;
  };
  return count(0, keys.length, 0, true);
}

/**
 * The bytes of a stream's recently read full nodes, decoded whole as
 * binary strings: a few per stream, the oldest dropped first.
 */
class NodeTexts {
  #texts = new Map<StreamNode, string>();

  /** A node's bytes as a binary string. */
  get(node: StreamNode): string {
    let text = this.#texts.get(node);
    // A node is appended to again when the nodes after it went away.
    if (text !== undefined && text.length === node.used) return text;
    text = latin1(node.buf, 0, node.used);
    this.#texts.delete(node);
    if (this.#texts.size >= NODE_TEXTS) this.#texts.delete(this.#texts.keys().next().value!);
    this.#texts.set(node, text);
    return text;
  }

  /** Forgets every node (trims, clones). */
  clear(): void {
    this.#texts.clear();
  }
}

/** An ID's parts as numbers for comparisons, Infinity for a part at or past 2^53. */
function boundParts(id: StreamId): [ms: number, seq: number] {
  const [ms, seq] = partsOf(id);
  return [ms < 0 ? Infinity : ms, seq < 0 ? Infinity : seq];
}

/**
 * A lazy walk over a stream's live entries between two IDs, in either
 * direction (Redis's streamIterator): an iterator of `[id, fields]`, and,
 * for replies built in place, {@linkcode StreamRange.advance} with the
 * entry's ID as text and its fields. The stream must not change while a
 * walk is under way.
 */
export class StreamRange implements IterableIterator<[StreamId, readonly string[]]> {
  #nodes: readonly StreamNode[];
  #index: number;
  #start: StreamId;
  #end: StreamId;
  #reverse: boolean;
  #cursor: NodeCursor | undefined = undefined;
  /** Entry offsets of the current node, walked backwards (reverse walks). */
  #starts: number[] = [];
  #k = 0;
  #done: boolean;
  /** The bounds' parts as numbers, Infinity at or past 2^53. */
  #startMs: number;
  #startSeq: number;
  #endMs: number;
  #endSeq: number;

  #texts: NodeTexts;

  constructor(
    nodes: readonly StreamNode[],
    texts: NodeTexts,
    first: number,
    start: StreamId,
    end: StreamId,
    reverse: boolean,
  ) {
    this.#nodes = nodes;
    this.#texts = texts;
    this.#index = first;
    this.#start = start;
    this.#end = end;
    this.#reverse = reverse;
    this.#done = start > end || first < 0 || first >= nodes.length;
    [this.#startMs, this.#startSeq] = boundParts(start);
    [this.#endMs, this.#endSeq] = boundParts(end);
  }

  /** The next node worth walking, or undefined at the end. */
  #nextNode(): StreamNode | undefined {
    const nodes = this.#nodes;
    while (this.#index >= 0 && this.#index < nodes.length) {
      const node = nodes[this.#index]!;
      this.#index += this.#reverse ? -1 : 1;
      if (this.#reverse ? node.last < this.#start : node.master > this.#end) return undefined;
      if (node.count === 0 || (!this.#reverse && node.last < this.#start)) continue;
      return node;
    }
    return undefined;
  }

  /**
   * Moves to the next live entry in range.
   *
   * @returns false at the end
   */
  advance(): boolean {
    if (this.#done) return false;
    for (;;) {
      let c = this.#cursor;
      if (!this.#reverse) {
        if (c !== undefined) {
          while (c.next()) {
            if ((c.flags & F_DELETED) !== 0) continue;
            if (c.below(this.#startMs, this.#startSeq, this.#start)) continue;
            if (c.above(this.#endMs, this.#endSeq, this.#end)) return this.#finish();
            return true;
          }
        }
      } else if (c !== undefined) {
        while (this.#k > 0) {
          c.pos = this.#starts[--this.#k]!;
          c.next();
          if ((c.flags & F_DELETED) !== 0) continue;
          if (c.above(this.#endMs, this.#endSeq, this.#end)) continue;
          if (c.below(this.#startMs, this.#startSeq, this.#start)) return this.#finish();
          return true;
        }
      }
      const node = this.#nextNode();
      if (node === undefined) return this.#finish();
      // A full node's values are sliced from its bytes decoded whole (cheaper
      // than decoding value by value, and cached for the next reads).
      const text = node === this.#nodes[this.#nodes.length - 1] ? undefined : this.#texts.get(node);
      if (c === undefined) c = this.#cursor = new NodeCursor(node);
      c.reset(node, text);
      if (this.#reverse) {
        const starts = this.#starts;
        starts.length = 0;
        while (c.next()) starts.push(c.start);
        this.#k = starts.length;
      }
    }
  }

  #finish(): false {
    this.#done = true;
    return false;
  }

  /** The current entry's ID (after {@linkcode StreamRange.advance}). */
  get id(): StreamId {
    return this.#cursor!.id;
  }

  /** The current entry's ID as `ms-seq` text. */
  idText(): string {
    return this.#cursor!.idText();
  }

  /** The current entry's flat field, value list. */
  fields(): string[] {
    return this.#cursor!.fields();
  }

  /** @returns the next `[id, fields]` */
  next(): IteratorResult<[StreamId, readonly string[]]> {
    if (!this.advance()) return { done: true, value: undefined };
    return { done: false, value: [this.id, this.fields()] };
  }

  /** @returns this iterator */
  [Symbol.iterator](): StreamRange {
    return this;
  }
}

/**
 * A Redis stream.
 *
 * @example
 * ```ts
 * import { StreamValue } from "./stream.ts";
 * import { formatId, streamId } from "./stream_id.ts";
 * const s = new StreamValue();
 * s.append(streamId(1, 0), ["f", "v"]);
 * s.append(streamId(2, 0), ["f", "w"]);
 * console.assert(s.length === 2 && formatId(s.lastId) === "2-0");
 * console.assert(s.get(streamId(2, 0))?.join() === "f,w");
 * ```
 */
export class StreamValue implements ContainerValue {
  /** What `TYPE` reports. */
  readonly type = "stream" as const;
  /** Nodes in master ID order. */
  #nodes: StreamNode[] = [];
  /** `radixTreeNodes`, computed when asked, until the node list changes. */
  #raxNodes: number | undefined = undefined;
  /** Decoded bytes of recently read full nodes. */
  #texts = new NodeTexts();
  #length = 0;
  /** The last generated ID (0-0 when none was). */
  lastId: StreamId = MIN_ID;
  /** The max-deleted-entry-id. */
  maxDeletedId: StreamId = MIN_ID;
  /** The entries-added counter. */
  entriesAdded = 0n;
  /** Consumer groups by name; undefined until the first group exists. */
  groups: Map<string, ConsumerGroup> | undefined = undefined;

  /** What `OBJECT ENCODING` reports. */
  encoding(): string {
    return "stream";
  }

  /** A deep copy, consumer groups included (COPY). */
  clone(): StreamValue {
    const copy = new StreamValue();
    copy.#nodes = this.#nodes.map((node) => {
      const n = new StreamNode(node.master, node.fields, 0);
      n.buf = node.buf.slice(0, node.used);
      n.used = node.used;
      n.count = node.count;
      n.deleted = node.deleted;
      n.lpFixed = node.lpFixed;
      n.last = node.last;
      // Redis's streamDup allocates each copy at its listpack's size.
      n.alloc = allocSize(node.lpBytes);
      return n;
    });
    copy.#length = this.#length;
    copy.lastId = this.lastId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    if (this.groups !== undefined) {
      copy.groups = new Map();
      for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    }
    return copy;
  }

  /** Number of live entries. */
  get length(): number {
    return this.#length;
  }

  /** Number of nodes (XINFO STREAM's `radix-tree-keys`). */
  get radixTreeKeys(): number {
    return this.#nodes.length;
  }

  /** Nodes of the rax indexing the nodes (XINFO STREAM's `radix-tree-nodes`). */
  get radixTreeNodes(): number {
    return this.#raxNodes ??= raxNodeCount(this.#nodes.map((n) => n.master));
  }

  /** The first live entry's ID. */
  firstId(): StreamId | undefined {
    for (const node of this.#nodes) {
      if (node.count === 0) continue;
      const c = new NodeCursor(node);
      while (c.next()) if ((c.flags & F_DELETED) === 0) return c.id;
    }
    return undefined;
  }

  /** The last live entry's ID. */
  lastEntryId(): StreamId | undefined {
    for (let i = this.#nodes.length - 1; i >= 0; i--) {
      const node = this.#nodes[i]!;
      if (node.count === 0) continue;
      let found: StreamId | undefined;
      const c = new NodeCursor(node);
      while (c.next()) if ((c.flags & F_DELETED) === 0) found = c.id;
      return found;
    }
    return undefined;
  }

  /**
   * The first or last entry ID as Redis's streamGetEdgeID: deleted entries
   * still in their node count unless `skipTombstones`; with no entry, the
   * maximum ID for the first, 0-0 for the last.
   *
   * @param first the first entry, else the last
   * @param skipTombstones ignore deleted entries
   * @returns the ID
   */
  edgeId(first: boolean, skipTombstones: boolean): StreamId {
    if (skipTombstones) {
      return (first ? this.firstId() : this.lastEntryId()) ?? (first ? MAX_ID : MIN_ID);
    }
    if (this.#nodes.length === 0) return first ? MAX_ID : MIN_ID;
    if (!first) return this.#nodes[this.#nodes.length - 1]!.last;
    const c = new NodeCursor(this.#nodes[0]!);
    return c.next() ? c.id : MAX_ID;
  }

  /**
   * Appends an entry as Redis's streamAppendItem: to the tail node, or to a
   * new node when the tail is full by `limits`. Updates `lastId` and
   * `entriesAdded`; the caller checks `id > lastId`.
   *
   * @param id the new entry's ID
   * @param fields flat field, value pairs
   * @param limits node boundaries (Redis's defaults when absent)
   */
  append(id: StreamId, fields: readonly string[], limits: NodeLimits = DEFAULT_NODE_LIMITS): void {
    const numFields = fields.length >> 1;
    let node = this.#nodes[this.#nodes.length - 1];
    if (node !== undefined) {
      let total = 0;
      for (const s of fields) total += s.length;
      let maxBytes = limits.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      if (
        node.lpBytes + total >= maxBytes ||
        (limits.maxEntries !== 0 && node.count + node.deleted >= limits.maxEntries)
      ) {
        // Redis shrinks a full node's listpack to its size (lpShrinkToFit).
        node.shrink();
        if (node.alloc > node.lpBytes) node.alloc = allocSize(node.lpBytes);
        node = undefined;
      }
    }
    let same = false;
    if (node === undefined) {
      const names: string[] = [];
      for (let i = 0; i < fields.length; i += 2) names.push(fields[i]!);
      // Sized like the node before it, which new nodes usually resemble.
      const previous = this.#nodes[this.#nodes.length - 1];
      node = new StreamNode(
        id,
        names,
        previous === undefined ? INITIAL_CAPACITY : previous.used + 64,
      );
      // lpNew(prealloc), then count 1, deleted 0, the field count, the
      // field names and the master entry's 0 terminator, one by one.
      node.alloc = allocSize(
        limits.maxBytes > 0 && limits.maxBytes < LISTPACK_PREALLOC
          ? limits.maxBytes
          : LISTPACK_PREALLOC,
      );
      node.resized(LISTPACK_EMPTY, LISTPACK_EMPTY + 2);
      node.count = 1;
      node.resized(LISTPACK_EMPTY + 2, node.lpBytes);
      node.grow(lpIntSize(numFields));
      for (const name of names) node.grow(listpackEntrySize(name));
      node.grow(2);
      this.#nodes.push(node);
      this.#raxNodes = undefined;
      same = true;
    } else {
      const before = node.lpBytes;
      node.count++;
      node.resized(before, node.lpBytes);
      if (numFields === node.fields.length) {
        same = true;
        for (let i = 0; i < numFields; i++) {
          if (fields[i * 2] !== node.fields[i]) {
            same = false;
            break;
          }
        }
      }
    }
    // Redis's listpack grows by the entry: flags, ms-diff, seq-diff,
    // [field count, fields,] values, lp-count.
    const [ms, seq] = partsOf(id);
    const compact = ms >= 0 && seq >= 0;
    let msDiff: number;
    let seqDiff: number;
    if (compact && node.masterMs >= 0 && node.masterSeq >= 0) {
      msDiff = lpIntSize(ms - node.masterMs);
      seqDiff = lpIntSize(seq - node.masterSeq);
    } else {
      msDiff = lpBigIntSize(BigInt.asIntN(64, u64(id, 0) - u64(node.master, 0)));
      seqDiff = lpBigIntSize(BigInt.asIntN(64, u64(id, 8) - u64(node.master, 8)));
    }
    const lpCount = numFields + 3 + (same ? 0 : numFields + 1);
    const step = same ? 2 : 1;
    let total = 2 + msDiff + seqDiff + (same ? 0 : lpIntSize(numFields)) + lpIntSize(lpCount);
    for (let i = same ? 1 : 0; i < fields.length; i += step) total += listpackEntrySize(fields[i]!);
    if (node.lpBytes + total <= node.alloc) {
      node.lpFixed += total;
    } else {
      // Past the allocation: reallocations as each element's lpInsert makes them.
      node.grow(2);
      node.grow(msDiff);
      node.grow(seqDiff);
      if (!same) node.grow(lpIntSize(numFields));
      for (let i = same ? 1 : 0; i < fields.length; i += step) {
        node.grow(listpackEntrySize(fields[i]!));
      }
      node.grow(lpIntSize(lpCount));
    }
    // The packed entry.
    let size = 1;
    let msDelta = 0;
    let seqStored = 0;
    if (compact) {
      msDelta = ms - node.masterMs;
      seqStored = msDelta === 0 ? seq - node.masterSeq : seq;
      size += varintSize(msDelta) + varintSize(seqStored);
    } else {
      size += 16;
    }
    if (!same) size += varintSize(numFields);
    for (let i = same ? 1 : 0; i < fields.length; i += same ? 2 : 1) {
      const len = fields[i]!.length;
      size += varintSize(len) + len;
    }
    node.reserve(size);
    const buf = node.buf;
    buf[node.used++] = (same ? F_SAMEFIELDS : 0) | (compact ? 0 : F_WIDE);
    if (compact) {
      node.writeVarint(msDelta);
      node.writeVarint(seqStored);
    } else {
      for (let i = 0; i < 16; i++) buf[node.used++] = id.charCodeAt(i);
    }
    if (!same) node.writeVarint(numFields);
    for (let i = same ? 1 : 0; i < fields.length; i += same ? 2 : 1) node.writeString(fields[i]!);
    node.last = id;
    this.#length++;
    this.lastId = id;
    this.entriesAdded++;
  }

  /** Index of the last node whose master ID is <= id, or -1. */
  #nodeAtOrBefore(id: StreamId): number {
    const nodes = this.#nodes;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid]!.master <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** A cursor on the live entry `id`, or undefined. */
  #find(id: StreamId): NodeCursor | undefined {
    const i = this.#nodeAtOrBefore(id);
    if (i < 0) return undefined;
    const node = this.#nodes[i]!;
    if (id > node.last) return undefined;
    const c = new NodeCursor(node);
    while (c.next()) {
      if (c.id === id) return (c.flags & F_DELETED) === 0 ? c : undefined;
      if (c.id > id) return undefined;
    }
    return undefined;
  }

  /**
   * A live entry.
   *
   * @param id an ID
   * @returns its flat field, value list, or undefined when absent or deleted
   */
  get(id: StreamId): readonly string[] | undefined {
    return this.#find(id)?.fields();
  }

  /**
   * Whether a live entry has this ID (Redis's streamEntryExists).
   *
   * @param id an ID
   * @returns true when present
   */
  has(id: StreamId): boolean {
    return this.#find(id) !== undefined;
  }

  /**
   * Deletes one entry (XDEL): flags it deleted in its node, or removes the
   * node when it was the node's last live entry. Leaves `maxDeletedId` to
   * the caller.
   *
   * @param id an ID
   * @returns whether a live entry was deleted
   */
  delete(id: StreamId): boolean {
    const c = this.#find(id);
    if (c === undefined) return false;
    const node = c.node;
    this.#length--;
    if (node.count === 1) {
      this.#nodes.splice(this.#nodes.indexOf(node), 1);
      this.#raxNodes = undefined;
      this.#texts.clear();
      return true;
    }
    node.buf[c.start] = c.flags | F_DELETED;
    let before = node.lpBytes;
    node.count--;
    node.resized(before, node.lpBytes);
    before = node.lpBytes;
    node.deleted++;
    node.resized(before, node.lpBytes);
    return true;
  }

  /**
   * Live entries with start <= id <= end, ascending (or descending when
   * `reverse`), read lazily; the stream must not change while iterating.
   *
   * @param start the lowest ID
   * @param end the highest ID
   * @param reverse descending order
   * @returns the entries: ID, then the flat field, value list
   */
  range(
    start: StreamId,
    end: StreamId,
    reverse = false,
  ): StreamRange {
    const first = reverse ? this.#nodeAtOrBefore(end) : Math.max(0, this.#nodeAtOrBefore(start));
    return new StreamRange(this.#nodes, this.#texts, first, start, end, reverse);
  }

  /**
   * Trims from the head as Redis's streamTrim: whole nodes while they can
   * go, then (unless approximate) single entries of the next node, which
   * are flagged deleted; an approximate trim stops at the first node it
   * cannot remove whole, and a limit stops before the node that would pass
   * it.
   *
   * @param options the strategy and its threshold, approx, limit
   * @returns the entries removed
   */
  trim(options: TrimOptions): number {
    const maxlen = options.maxlen ?? 0;
    const minid = options.minid ?? MIN_ID;
    const byLength = options.strategy === "maxlen";
    const nodes = this.#nodes;
    let removed = 0;
    let dropped = 0;
    while (dropped < nodes.length) {
      if (byLength && this.#length <= maxlen) break;
      const node = nodes[dropped]!;
      const entries = node.count;
      if (options.limit !== 0 && removed + entries > options.limit) break;
      const whole = byLength ? this.#length - entries >= maxlen : node.last < minid;
      if (whole) {
        dropped++;
        this.#length -= entries;
        removed += entries;
        continue;
      }
      if (options.approx) break;
      // Flag entries inside this node.
      let fromNode = 0;
      const c = new NodeCursor(node);
      while (c.next()) {
        if (byLength ? this.#length <= maxlen : c.id >= minid) break;
        if ((c.flags & F_DELETED) === 0) {
          node.buf[c.start] = c.flags | F_DELETED;
          fromNode++;
          this.#length--;
        }
      }
      if (fromNode > 0) {
        let before = node.lpBytes;
        node.count -= fromNode;
        node.resized(before, node.lpBytes);
        before = node.lpBytes;
        node.deleted += fromNode;
        node.resized(before, node.lpBytes);
      }
      removed += fromNode;
      break;
    }
    if (dropped > 0) {
      nodes.splice(0, dropped);
      this.#raxNodes = undefined;
      this.#texts.clear();
    }
    return removed;
  }

  /**
   * Every entry, in ID order, for DEBUG DIGEST and persistence.
   *
   * @returns the live entries
   */
  entries(): IterableIterator<[StreamId, readonly string[]]> {
    return this.range(MIN_ID, MAX_ID);
  }

  /**
   * The bytes Redis's listpacks hold: per node its listpack size and its
   * allocation, in order (MEMORY USAGE, DEBUG OBJECT).
   *
   * @returns per node [lpBytes, allocation]
   */
  nodeSizes(): [bytes: number, alloc: number][] {
    return this.#nodes.map((n): [number, number] => [n.lpBytes, n.alloc]);
  }

  /**
   * One node's allocation (what MEMORY USAGE samples), without building
   * the list `nodeSizes` gives.
   *
   * @param index the node's position, 0 to `radixTreeKeys - 1`
   * @returns bytes
   */
  nodeAlloc(index: number): number {
    return this.#nodes[index]!.alloc;
  }
  /** The master IDs of the nodes (the rax's keys), in order. */
  nodeKeys(): StreamId[] {
    return this.#nodes.map((n) => n.master);
  }
}
