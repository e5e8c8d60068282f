/**
 * Transactions: the commands a client queues between MULTI and EXEC, and the
 * keys clients WATCH, invalidated as Redis 7.0's multi.c does (a write to
 * the key, its expiry, FLUSHDB / FLUSHALL / SWAPDB replacing it).
 *
 * @module
 */

import type { Client } from "./client.ts";
import type { Command } from "./commands/spec.ts";
import type { Database } from "./store/database.ts";

/** One command queued inside MULTI. */
export interface QueuedCommand {
  readonly command: Command;
  readonly argv: string[];
}

/**
 * A client's MULTI state.
 *
 * @example
 * ```ts
 * import { Transaction } from "./multi.ts";
 * const tx = new Transaction();
 * console.assert(tx.queue.length === 0 && !tx.aborted);
 * ```
 */
export class Transaction {
  /** The queued commands, in order. */
  readonly queue: QueuedCommand[] = [];
  /** A command was rejected while queueing: EXEC answers EXECABORT. */
  aborted = false;
  /** A queued command writes or may replicate (CLIENT PAUSE WRITE holds EXEC then). */
  mayReplicate = false;
  /** A queued command reads the keyspace. */
  reads = false;
}

/** One key a client watches. */
export class WatchedKey {
  /** The watching client. */
  readonly client: Client;
  /** The database (by number: SWAPDB moves contents, not watchers). */
  readonly db: Database;
  /** The key. */
  readonly key: string;
  /** The key had already expired (but was still stored) when WATCHed. */
  expired: boolean;

  /**
   * @param client the watching client
   * @param db the database
   * @param key the key
   * @param expired whether the key was logically expired at WATCH time
   */
  constructor(client: Client, db: Database, key: string, expired: boolean) {
    this.client = client;
    this.db = db;
    this.key = key;
    this.expired = expired;
  }
}

/**
 * Every watched key of one engine, by database and key.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * engine.watches.watch(client, client.db, "k");
 * engine.watches.touch(client.db, "k");
 * console.assert(client.watchDirty);
 * engine.close();
 * ```
 */
export class Watches {
  #byDb = new Map<Database, Map<string, WatchedKey[]>>();
  #count = 0;

  /** Number of (client, key) watches. */
  get size(): number {
    return this.#count;
  }

  /**
   * WATCH one key (a second WATCH of the same key is a no-op).
   *
   * @param client the client
   * @param db the client's database
   * @param key the key
   */
  watch(client: Client, db: Database, key: string): void {
    for (const wk of client.watched) if (wk.db === db && wk.key === key) return;
    let keys = this.#byDb.get(db);
    if (keys === undefined) {
      keys = new Map();
      this.#byDb.set(db, keys);
    }
    const wk = new WatchedKey(client, db, key, db.isExpired(key));
    const list = keys.get(key);
    if (list === undefined) keys.set(key, [wk]);
    else list.push(wk);
    client.watched.push(wk);
    this.#count++;
  }

  /**
   * Forgets every key a client watches (its dirty flag is left alone).
   *
   * @param client the client
   */
  unwatchAll(client: Client): void {
    const watched = client.watched;
    if (watched.length === 0) return;
    for (const wk of watched) {
      const keys = this.#byDb.get(wk.db)!;
      const list = keys.get(wk.key)!;
      if (list.length === 1) keys.delete(wk.key);
      else list.splice(list.indexOf(wk), 1);
      this.#count--;
    }
    watched.length = 0;
  }

  /**
   * A key was written, deleted or expired: its watchers' transactions fail,
   * except where the key had already expired when watched and is now gone
   * (logically nothing changed).
   *
   * @param db the database
   * @param key the key
   */
  touch(db: Database, key: string): void {
    const list = this.#byDb.get(db)?.get(key);
    if (list === undefined) return;
    for (const wk of list.slice()) {
      if (wk.expired && !db.stored(key)) {
        wk.expired = false;
        continue;
      }
      this.#dirty(wk.client);
    }
  }

  /**
   * Every key of a database is about to be replaced: by nothing (FLUSHDB,
   * FLUSHALL) or by another database's keys (SWAPDB). Called before the
   * change. A watched key fails its watchers if it was stored or will be,
   * except expired keys that stay logically absent.
   *
   * @param emptied the database losing its keys
   * @param replacement the database whose keys it receives, if any
   */
  touchAll(emptied: Database, replacement: Database | undefined): void {
    const keys = this.#byDb.get(emptied);
    if (keys === undefined) return;
    for (const [key, list] of [...keys]) {
      const existed = emptied.stored(key);
      const arrives = replacement !== undefined && replacement.stored(key);
      if (!existed && !arrives) continue;
      for (const wk of list.slice()) {
        if (wk.expired) {
          if (!arrives) {
            wk.expired = false;
            continue;
          }
          if (replacement!.isExpired(key)) continue;
        } else if (!existed && replacement!.isExpired(key)) {
          wk.expired = true;
          continue;
        }
        this.#dirty(wk.client);
      }
    }
  }

  /**
   * Whether a key the client watches has expired since it was watched
   * (checked by EXEC, as Redis 7.0's isWatchedKeyExpired).
   *
   * @param client the client
   * @returns true if EXEC must fail
   */
  expired(client: Client): boolean {
    for (const wk of client.watched) {
      if (!wk.expired && wk.db.isExpired(wk.key)) return true;
    }
    return false;
  }

  #dirty(client: Client): void {
    client.watchDirty = true;
    // Nothing more can change its outcome: stop watching.
    this.unwatchAll(client);
  }
}

/**
 * Ends a client's transaction (DISCARD, EXEC, RESET): drops the queue,
 * clears the dirty flags and forgets the watched keys.
 *
 * @param client the client
 */
export function discardTransaction(client: Client): void {
  client.transaction = undefined;
  client.watchDirty = false;
  client.unwatchAll();
}
