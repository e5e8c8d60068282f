/**
 * Consumer groups of a stream, as Redis 7.0.15's `streamCG`,
 * `streamConsumer` and `streamNACK` (stream.h): a group's last delivered
 * ID and entries-read counter, its pending entries list (PEL: entries
 * delivered and not yet acknowledged, each owned by one consumer, with its
 * delivery time and count), and its consumers (name, seen time and their
 * own PEL, sharing the group PEL's entry objects).
 *
 * Also the 7.0 bookkeeping helpers around entries-read: the estimate of an
 * ID's distance from the first entry ever added
 * ({@linkcode estimateEntriesRead}), the tombstone test
 * ({@linkcode rangeHasTombstones}) and a group's lag ({@linkcode groupLag}),
 * and the listing order XINFO uses (by name, bytewise, as Redis's rax
 * orders them: {@linkcode sortedGroups}, {@linkcode sortedConsumers}).
 *
 * Known differences from Redis 7.0.15: none in behaviour; counters that are
 * 64-bit in Redis (entries-read, delivery counts) are bigints, and times are
 * numbers of milliseconds (exact up to 2^53).
 *
 * @module
 */

import { IdMap } from "./id_map.ts";
import { MAX_ID, MIN_ID, type StreamId } from "./stream_id.ts";
import type { StreamValue } from "./stream.ts";

/** Redis's SCG_INVALID_ENTRIES_READ: a group's entries-read when it is unknown. */
export const INVALID_ENTRIES_READ = -1n;

/**
 * One pending entry (Redis's streamNACK): delivered to a consumer, not yet
 * acknowledged. The group PEL and its consumer's PEL hold the same object.
 */
export interface PendingEntry {
  /** The entry's ID. */
  readonly id: StreamId;
  /** The consumer that owns it. */
  consumer: Consumer;
  /** Last delivery time, ms (server clock). */
  deliveryTime: number;
  /** How many times it was delivered. */
  deliveryCount: bigint;
}

/**
 * A consumer of a group (Redis's streamConsumer; 7.0.15 keeps its seen time
 * only).
 *
 * @example
 * ```ts
 * import { Consumer } from "./stream_group.ts";
 * const c = new Consumer("alice", 1000);
 * console.assert(c.name === "alice" && c.pending.size === 0);
 * ```
 */
export class Consumer {
  /** The consumer's name (a binary string). */
  readonly name: string;
  /** When it was last seen (created, read, claimed), ms. */
  seenTime: number;
  /** Its pending entries: the same objects as in its group's PEL. */
  readonly pending: IdMap<PendingEntry> = new IdMap();

  /**
   * @param name the consumer's name
   * @param seenTime its creation time, ms
   */
  constructor(name: string, seenTime: number) {
    this.name = name;
    this.seenTime = seenTime;
  }
}

/**
 * A consumer group (Redis's streamCG).
 *
 * @example Delivering and acknowledging
 * ```ts
 * import { ConsumerGroup } from "./stream_group.ts";
 * import { MIN_ID, streamId } from "./stream_id.ts";
 * const g = new ConsumerGroup("g", MIN_ID, 0n);
 * const alice = g.createConsumer("alice", 1000);
 * g.deliver(streamId(1, 0), alice, 1000);
 * console.assert(g.pending.size === 1 && alice.pending.size === 1);
 * console.assert(g.acknowledge(streamId(1, 0)) && g.pending.size === 0);
 * ```
 */
export class ConsumerGroup {
  /** The group's name (a binary string). */
  readonly name: string;
  /** The last ID delivered to its consumers (`>` reads after it). */
  lastId: StreamId;
  /** The logical read counter; {@linkcode INVALID_ENTRIES_READ} when unknown. */
  entriesRead: bigint;
  /** The pending entries list. */
  readonly pending: IdMap<PendingEntry> = new IdMap();
  /** The consumers by name (insertion order; see {@linkcode sortedConsumers}). */
  readonly consumers: Map<string, Consumer> = new Map();

  /**
   * @param name the group's name
   * @param lastId its last delivered ID
   * @param entriesRead its entries-read counter (-1n when unknown)
   */
  constructor(name: string, lastId: StreamId, entriesRead: bigint) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /**
   * A consumer by name.
   *
   * @param name the consumer's name
   * @returns the consumer, or undefined
   */
  consumer(name: string): Consumer | undefined {
    return this.consumers.get(name);
  }

  /**
   * Creates a consumer (the existing one is returned if the name is taken).
   *
   * @param name the consumer's name
   * @param now its creation time, ms
   * @returns the consumer
   */
  createConsumer(name: string, now: number): Consumer {
    let consumer = this.consumers.get(name);
    if (consumer === undefined) {
      consumer = new Consumer(name, now);
      this.consumers.set(name, consumer);
    }
    return consumer;
  }

  /**
   * Deletes a consumer and its pending entries (XGROUP DELCONSUMER).
   *
   * @param name the consumer's name
   * @returns how many pending entries it had (0 when it did not exist)
   */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return 0;
    const count = consumer.pending.size;
    for (const [id] of consumer.pending) this.pending.delete(id);
    this.consumers.delete(name);
    return count;
  }

  /**
   * Records the delivery of an entry to a consumer by a `>` read (Redis's
   * streamReplyWithRange with a group): a new pending entry (delivery count
   * 1), or the existing one (when the group's last ID was moved back) given
   * to this consumer with its time reset and count back to 1.
   *
   * @param id the entry's ID
   * @param consumer the consumer it goes to (of this group)
   * @param now the delivery time, ms
   * @returns the pending entry
   */
  deliver(id: StreamId, consumer: Consumer, now: number): PendingEntry {
    let entry = this.pending.get(id);
    if (entry === undefined) {
      entry = { id, consumer, deliveryTime: now, deliveryCount: 1n };
      this.pending.set(id, entry);
    } else {
      entry.consumer.pending.delete(id);
      entry.consumer = consumer;
      entry.deliveryTime = now;
      entry.deliveryCount = 1n;
    }
    consumer.pending.set(id, entry);
    return entry;
  }

  /**
   * Gives a pending entry to another consumer (XCLAIM, XAUTOCLAIM), keeping
   * its time and count (the caller sets them).
   *
   * @param entry a pending entry of this group
   * @param consumer the new owner (of this group)
   */
  reassign(entry: PendingEntry, consumer: Consumer): void {
    if (entry.consumer === consumer) return;
    entry.consumer.pending.delete(entry.id);
    entry.consumer = consumer;
    consumer.pending.set(entry.id, entry);
  }

  /**
   * Removes an entry from the PEL (XACK, or a claim of an entry deleted
   * from the stream).
   *
   * @param id the entry's ID
   * @returns whether it was pending
   */
  acknowledge(id: StreamId): boolean {
    const entry = this.pending.get(id);
    if (entry === undefined) return false;
    this.pending.delete(id);
    entry.consumer.pending.delete(id);
    return true;
  }

  /**
   * A deep copy: consumers, pending entries (shared again between the
   * copies' group and consumer PELs), counters (COPY).
   *
   * @returns the copy
   */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    const consumers = new Map<Consumer, Consumer>();
    for (const [name, consumer] of this.consumers) {
      const c = new Consumer(name, consumer.seenTime);
      consumers.set(consumer, c);
      copy.consumers.set(name, c);
    }
    for (const [id, entry] of this.pending) {
      const owner = consumers.get(entry.consumer)!;
      const e: PendingEntry = {
        id,
        consumer: owner,
        deliveryTime: entry.deliveryTime,
        deliveryCount: entry.deliveryCount,
      };
      copy.pending.set(id, e);
      owner.pending.set(id, e);
    }
    return copy;
  }
}

/**
 * The groups of a stream in XINFO's order: by name, bytewise.
 *
 * @param stream the stream
 * @returns its groups
 * @example
 * ```ts
 * import { StreamValue } from "./stream.ts";
 * import { ConsumerGroup, sortedGroups } from "./stream_group.ts";
 * import { MIN_ID } from "./stream_id.ts";
 * const s = new StreamValue();
 * s.groups = new Map([["b", new ConsumerGroup("b", MIN_ID, 0n)], ["a", new ConsumerGroup("a", MIN_ID, 0n)]]);
 * console.assert(sortedGroups(s).map((g) => g.name).join() === "a,b");
 * ```
 */
export function sortedGroups(stream: StreamValue): ConsumerGroup[] {
  const groups = stream.groups;
  if (groups === undefined) return [];
  return [...groups.values()].sort((a, b) => compareNames(a.name, b.name));
}

/**
 * The consumers of a group in XINFO's order: by name, bytewise.
 *
 * @param group the group
 * @returns its consumers
 * @example
 * ```ts
 * import { ConsumerGroup, sortedConsumers } from "./stream_group.ts";
 * import { MIN_ID } from "./stream_id.ts";
 * const g = new ConsumerGroup("g", MIN_ID, 0n);
 * g.createConsumer("zed", 0);
 * g.createConsumer("amy", 0);
 * console.assert(sortedConsumers(g).map((c) => c.name).join() === "amy,zed");
 * ```
 */
export function sortedConsumers(group: ConsumerGroup): Consumer[] {
  return [...group.consumers.values()].sort((a, b) => compareNames(a.name, b.name));
}

/** Bytewise order of binary strings (one char per byte). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Redis's streamRangeHasTombstones: whether entries between `start` and
 * `end` (inclusive; the whole stream by default) may have been deleted,
 * judged from the max-deleted-entry-id.
 *
 * @param stream the stream
 * @param start the range's start (0-0 by default)
 * @param end the range's end (the highest ID by default)
 * @returns true when a deleted entry may lie in the range
 * @example
 * ```ts
 * import { StreamValue } from "./stream.ts";
 * import { rangeHasTombstones } from "./stream_group.ts";
 * console.assert(!rangeHasTombstones(new StreamValue()));
 * ```
 */
export function rangeHasTombstones(
  stream: StreamValue,
  start: StreamId = MIN_ID,
  end: StreamId = MAX_ID,
): boolean {
  const maxDeleted = stream.maxDeletedId;
  if (stream.length === 0 || maxDeleted === MIN_ID) return false;
  const first = stream.firstId();
  if (first !== undefined && first > maxDeleted) return false;
  return start <= maxDeleted && maxDeleted <= end;
}

/**
 * Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read
 * counter a group whose last ID is `id` would have, when it can be known.
 *
 * @param stream the stream
 * @param id a group's last ID
 * @returns the counter, or {@linkcode INVALID_ENTRIES_READ} when it cannot be told
 * @example
 * ```ts
 * import { StreamValue } from "./stream.ts";
 * import { estimateEntriesRead } from "./stream_group.ts";
 * import { MIN_ID } from "./stream_id.ts";
 * console.assert(estimateEntriesRead(new StreamValue(), MIN_ID) === 0n);
 * ```
 */
export function estimateEntriesRead(stream: StreamValue, id: StreamId): bigint {
  const added = stream.entriesAdded;
  if (added === 0n) return 0n;
  const last = stream.lastId;
  if (stream.length === 0 && id <= last) return added;
  if (id === last) return added;
  if (id > last) return INVALID_ENTRIES_READ;
  const first = stream.firstId() ?? MIN_ID;
  const maxDeleted = stream.maxDeletedId;
  if (maxDeleted === MIN_ID || maxDeleted < first) {
    if (id < first) return added - BigInt(stream.length);
    if (id === first) return added - BigInt(stream.length) + 1n;
  }
  return INVALID_ENTRIES_READ;
}

/**
 * A group's lag as XINFO GROUPS / XINFO STREAM report it (Redis's
 * streamReplyWithCGLag): entries in the stream not yet delivered to it.
 *
 * @param stream the stream
 * @param group one of its groups
 * @returns the lag, or undefined when it cannot be computed (a nil reply)
 * @example
 * ```ts
 * import { StreamValue } from "./stream.ts";
 * import { ConsumerGroup, groupLag } from "./stream_group.ts";
 * import { MIN_ID } from "./stream_id.ts";
 * console.assert(groupLag(new StreamValue(), new ConsumerGroup("g", MIN_ID, 0n)) === 0n);
 * ```
 */
export function groupLag(stream: StreamValue, group: ConsumerGroup): bigint | undefined {
  const added = stream.entriesAdded;
  if (added === 0n) return 0n;
  if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(stream, group.lastId)) {
    return added - group.entriesRead;
  }
  const read = estimateEntriesRead(stream, group.lastId);
  return read === INVALID_ENTRIES_READ ? undefined : added - read;
}

/**
 * Looks up a group of a stream.
 *
 * @param stream the stream
 * @param name the group's name
 * @returns the group, or undefined
 */
export function lookupGroup(stream: StreamValue, name: string): ConsumerGroup | undefined {
  return stream.groups?.get(name);
}
