/**
 * Pub/sub state: channels, patterns and shard channels -> subscribers, and
 * message delivery, as Redis's pubsub.c.
 *
 * Subscribers are {@linkcode Client}s; messages go out through
 * `client.transport.push()`, as RESP3 push frames or RESP2 arrays. Channels
 * and patterns are binary strings. Subscribers and a client's subscriptions
 * are kept in insertion order (Redis iterates hash tables, whose order it
 * does not promise either).
 *
 * @module
 */

import type { Client } from "./client.ts";
import { globMatch } from "./glob.ts";
import { bulk, integer, NIL, type Reply } from "./resp/reply.ts";

/** The three kinds of subscription. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

/** The message kind and confirmation names of each kind of subscription. */
const NAMES: Record<SubscriptionKind, { sub: Reply; unsub: Reply }> = {
  channel: { sub: bulk("subscribe"), unsub: bulk("unsubscribe") },
  pattern: { sub: bulk("psubscribe"), unsub: bulk("punsubscribe") },
  shard: { sub: bulk("ssubscribe"), unsub: bulk("sunsubscribe") },
};

const MESSAGE = bulk("message");
const PMESSAGE = bulk("pmessage");
const SMESSAGE = bulk("smessage");

/** One kind of subscription: names -> subscribers, clients -> names. */
class Registry {
  readonly subscribers = new Map<string, Set<Client>>();
  readonly byClient = new Map<Client, Set<string>>();

  add(client: Client, name: string): boolean {
    let mine = this.byClient.get(client);
    if (mine === undefined) {
      mine = new Set();
      this.byClient.set(client, mine);
    }
    if (mine.has(name)) return false;
    mine.add(name);
    let subs = this.subscribers.get(name);
    if (subs === undefined) {
      subs = new Set();
      this.subscribers.set(name, subs);
    }
    subs.add(client);
    return true;
  }

  remove(client: Client, name: string): boolean {
    const mine = this.byClient.get(client);
    if (mine === undefined || !mine.delete(name)) return false;
    if (mine.size === 0) this.byClient.delete(client);
    const subs = this.subscribers.get(name);
    if (subs !== undefined) {
      subs.delete(client);
      if (subs.size === 0) this.subscribers.delete(name);
    }
    return true;
  }

  namesOf(client: Client): string[] {
    return [...(this.byClient.get(client) ?? [])];
  }
}

/**
 * The server's pub/sub registry.
 *
 * @example Publishing to a subscriber
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * engine.pubsub.subscribe(client, "channel", "news", false);
 * console.assert(engine.pubsub.publish("news", "hello") === 1);
 * engine.close();
 * ```
 */
export class PubSub {
  #channels = new Registry();
  #patterns = new Registry();
  #shards = new Registry();

  #registry(kind: SubscriptionKind): Registry {
    return kind === "channel" ? this.#channels : kind === "pattern" ? this.#patterns : this.#shards;
  }

  /**
   * Subscribes a client to a channel, pattern or shard channel and, when
   * `reply` is set, sends the confirmation (`subscribe`, name, count).
   *
   * @param client the subscriber
   * @param kind what `name` is
   * @param name the channel or pattern
   * @param reply whether to send the confirmation
   * @returns whether the subscription is new
   */
  subscribe(client: Client, kind: SubscriptionKind, name: string, reply: boolean): boolean {
    const added = this.#registry(kind).add(client, name);
    if (added) this.#count(client, kind, 1);
    if (reply) this.#confirm(client, NAMES[kind].sub, bulk(name), kind);
    return added;
  }

  /**
   * Unsubscribes a client from one channel, pattern or shard channel; the
   * confirmation is sent (when `reply` is set) even if it was not subscribed.
   *
   * @param client the subscriber
   * @param kind what `name` is
   * @param name the channel or pattern
   * @param reply whether to send the confirmation
   * @returns whether it was subscribed
   */
  unsubscribe(client: Client, kind: SubscriptionKind, name: string, reply: boolean): boolean {
    const removed = this.#registry(kind).remove(client, name);
    if (removed) this.#count(client, kind, -1);
    if (reply) this.#confirm(client, NAMES[kind].unsub, bulk(name), kind);
    return removed;
  }

  /**
   * Unsubscribes a client from every subscription of a kind. With `reply`,
   * one confirmation per subscription, or one with a nil name when there
   * were none.
   *
   * @param client the subscriber
   * @param kind which subscriptions
   * @param reply whether to send the confirmations
   * @returns how many there were
   */
  unsubscribeAll(client: Client, kind: SubscriptionKind, reply: boolean): number {
    const names = this.#registry(kind).namesOf(client);
    for (const name of names) this.unsubscribe(client, kind, name, reply);
    if (reply && names.length === 0) this.#confirm(client, NAMES[kind].unsub, NIL, kind);
    return names.length;
  }

  /**
   * Drops every subscription of a client without replies (RESET, disconnect).
   *
   * @param client the subscriber
   */
  forget(client: Client): void {
    if (!client.subscribed) return;
    this.unsubscribeAll(client, "channel", false);
    this.unsubscribeAll(client, "pattern", false);
    this.unsubscribeAll(client, "shard", false);
  }

  /**
   * Publishes a message to a channel's subscribers, then to the clients of
   * every matching pattern.
   *
   * @param channel the channel
   * @param message the message
   * @returns how many clients received it
   */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const subs = this.#channels.subscribers.get(channel);
    if (subs !== undefined) {
      const frame: Reply = { kind: "push", items: [MESSAGE, bulk(channel), bulk(message)] };
      for (const client of subs) {
        client.transport.push(frame);
        receivers++;
      }
    }
    if (this.#patterns.subscribers.size > 0) {
      let channelReply: Reply | undefined;
      let messageReply: Reply | undefined;
      for (const [pattern, clients] of this.#patterns.subscribers) {
        if (!globMatch(pattern, channel)) continue;
        channelReply ??= bulk(channel);
        messageReply ??= bulk(message);
        const frame: Reply = {
          kind: "push",
          items: [PMESSAGE, bulk(pattern), channelReply, messageReply],
        };
        for (const client of clients) {
          client.transport.push(frame);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /**
   * Publishes a message to a shard channel's subscribers (patterns do not
   * see shard messages).
   *
   * @param channel the shard channel
   * @param message the message
   * @returns how many clients received it
   */
  publishShard(channel: string, message: string): number {
    const subs = this.#shards.subscribers.get(channel);
    if (subs === undefined) return 0;
    const frame: Reply = { kind: "push", items: [SMESSAGE, bulk(channel), bulk(message)] };
    for (const client of subs) client.transport.push(frame);
    return subs.size;
  }

  /**
   * The active channels (or shard channels): those with a subscriber,
   * optionally matching a pattern.
   *
   * @param kind `channel` or `shard`
   * @param pattern a glob pattern, or undefined for all
   * @returns the names
   */
  channels(kind: "channel" | "shard", pattern?: string): string[] {
    const out: string[] = [];
    for (const name of this.#registry(kind).subscribers.keys()) {
      if (pattern === undefined || globMatch(pattern, name)) out.push(name);
    }
    return out;
  }

  /**
   * Number of subscribers of a channel, pattern or shard channel.
   *
   * @param kind what `name` is
   * @param name the name
   * @returns the count
   */
  subscriberCount(kind: SubscriptionKind, name: string): number {
    return this.#registry(kind).subscribers.get(name)?.size ?? 0;
  }

  /**
   * Number of distinct channels, patterns or shard channels with a
   * subscriber (INFO pubsub_channels, PUBSUB NUMPAT, ...).
   *
   * @param kind which
   * @returns the count
   */
  size(kind: SubscriptionKind): number {
    return this.#registry(kind).subscribers.size;
  }

  #count(client: Client, kind: SubscriptionKind, delta: number): void {
    if (kind === "channel") client.channelCount += delta;
    else if (kind === "pattern") client.patternCount += delta;
    else client.shardChannelCount += delta;
  }

  /**
   * Sends a (un)subscribe confirmation. Its count is the client's channels
   * plus patterns, or its shard channels for the shard kind.
   */
  #confirm(client: Client, name: Reply, subject: Reply, kind: SubscriptionKind): void {
    const count = kind === "shard"
      ? client.shardChannelCount
      : client.channelCount + client.patternCount;
    client.transport.push({ kind: "push", items: [name, subject, integer(count)] });
  }
}
