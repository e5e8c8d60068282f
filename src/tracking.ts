/**
 * Server-assisted client-side caching (CLIENT TRACKING), as Redis's
 * tracking.c: which clients read which keys (default mode), which prefixes
 * broadcasting clients follow (BCAST mode), and the `invalidate` messages
 * sent when keys change.
 *
 * Messages go to the tracking client as RESP3 `invalidate` pushes, or, with
 * REDIRECT, to another client: as pushes if it speaks RESP3, as messages of
 * the `__redis__:invalidate` channel if it is a RESP2 client in pub/sub mode.
 * Invalidations meant for the client whose command is running are held
 * until its reply is out ({@linkcode Tracking.flush}), as in Redis;
 * broadcast invalidations are gathered and sent by the same flush.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { bulk, bulks, integer, NIL, type Reply } from "./resp/reply.ts";

/** A client's tracking state (present while tracking is on). */
export class ClientTracking {
  /** REDIRECT target id, 0 for none. */
  redirect = 0;
  /** The redirect target went away. */
  brokenRedirect = false;
  /** BCAST mode: invalidations by prefix, nothing remembered. */
  bcast = false;
  /** OPTIN: only keys read right after CLIENT CACHING YES are remembered. */
  optin = false;
  /** OPTOUT: keys read right after CLIENT CACHING NO are not remembered. */
  optout = false;
  /** No invalidations for the client's own writes. */
  noloop = false;
  /** CLIENT CACHING given for the next command. */
  caching = false;
  /** BCAST prefixes. */
  readonly prefixes = new Set<string>();
}

/** How CLIENT TRACKING ON asks tracking to behave. */
export interface TrackingOptions {
  readonly redirect: number;
  readonly bcast: boolean;
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
  readonly prefixes: readonly string[];
}

/** Broadcast state of one prefix: its clients and the keys changed since the last flush. */
interface PrefixState {
  readonly clients: Set<Client>;
  /** Changed key -> the client that changed it (for NOLOOP), if any. */
  keys: Map<string, Client | undefined>;
}

/** What tracking needs from the server. */
export interface TrackingHost {
  /** Connected clients by id. */
  readonly clients: {
    get(id: number): Client | undefined;
    values(): IterableIterator<Client>;
  };
  /** The client whose command is running, if any. */
  readonly currentClient: Client | undefined;
}

const INVALIDATE = bulk("invalidate");
const MESSAGE = bulk("message");
const CHANNEL = bulk("__redis__:invalidate");
const REDIR_BROKEN = bulk("tracking-redir-broken");

/**
 * The server's tracking tables.
 *
 * @example A read key is invalidated when it changes
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * engine.tracking.enable(client, {
 *   redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [],
 * });
 * engine.tracking.remember(client, ["k"]);
 * console.assert(engine.tracking.totalKeys === 1);
 * engine.tracking.invalidateKey("k", undefined);
 * console.assert(engine.tracking.totalKeys === 0);
 * engine.close();
 * ```
 */
export class Tracking {
  #host: TrackingHost;
  /** Key -> ids of the clients that read it. */
  #table = new Map<string, Set<number>>();
  #items = 0;
  #prefixes = new Map<string, PrefixState>();
  /**
   * Invalidations of keys a client's own command changed, held until that
   * client's reply is out (a client served after blocking gets its reply
   * later than the command that served it ends).
   */
  #deferred = new Map<Client, (string | null)[]>();
  #bcastDirty = false;
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;

  /**
   * @param host the server's clients and current client
   */
  constructor(host: TrackingHost) {
    this.#host = host;
  }

  /** Keys remembered (INFO tracking_total_keys). */
  get totalKeys(): number {
    return this.#table.size;
  }

  /** Client-key pairs remembered (INFO tracking_total_items). */
  get totalItems(): number {
    return this.#items;
  }

  /** Prefixes followed by broadcasting clients (INFO tracking_total_prefixes). */
  get totalPrefixes(): number {
    return this.#prefixes.size;
  }

  /**
   * CLIENT TRACKING ON, options already validated.
   *
   * @param client the client
   * @param options the mode, redirect and prefixes
   */
  enable(client: Client, options: TrackingOptions): void {
    let t = client.tracking;
    if (t === undefined) {
      t = new ClientTracking();
      client.tracking = t;
      this.clients++;
    }
    t.brokenRedirect = false;
    t.redirect = options.redirect;
    t.bcast = options.bcast;
    t.optin = options.optin;
    t.optout = options.optout;
    t.noloop = options.noloop;
    if (options.bcast) {
      if (options.prefixes.length === 0) this.#follow(client, t, "");
      for (const prefix of options.prefixes) this.#follow(client, t, prefix);
    }
  }

  /**
   * CLIENT TRACKING OFF (also RESET and disconnection).
   *
   * @param client the client
   */
  disable(client: Client): void {
    const t = client.tracking;
    if (t === undefined) return;
    for (const prefix of t.prefixes) {
      const state = this.#prefixes.get(prefix);
      if (state === undefined) continue;
      state.clients.delete(client);
      if (state.clients.size === 0) this.#prefixes.delete(prefix);
    }
    client.tracking = undefined;
    this.#deferred.delete(client);
    this.clients--;
  }

  #follow(client: Client, t: ClientTracking, prefix: string): void {
    let state = this.#prefixes.get(prefix);
    if (state === undefined) {
      state = { clients: new Set(), keys: new Map() };
      this.#prefixes.set(prefix, state);
    }
    state.clients.add(client);
    t.prefixes.add(prefix);
  }

  /**
   * After a command ran: remembers the keys a read-only command read (in
   * default mode, honouring OPTIN/OPTOUT and CLIENT CACHING), and ends a
   * CLIENT CACHING that applied to it.
   *
   * @param client the client (tracking on)
   * @param readonly whether the command is read-only
   * @param isClientCommand whether it was a CLIENT subcommand (CACHING survives those)
   * @param keys the command's keys, computed lazily
   */
  afterCommand(
    client: Client,
    readonly: boolean,
    isClientCommand: boolean,
    keys: () => readonly string[],
  ): void {
    const t = client.tracking;
    if (t === undefined) return;
    if (readonly && !t.bcast && !((t.optin && !t.caching) || (t.optout && t.caching))) {
      this.remember(client, keys());
    }
    if (t.caching && !isClientCommand && client.multiCount < 0) t.caching = false;
  }

  /**
   * Remembers that a client read keys.
   *
   * @param client the client
   * @param keys the keys
   */
  remember(client: Client, keys: readonly string[]): void {
    for (const key of keys) {
      let ids = this.#table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.#table.set(key, ids);
      }
      if (!ids.has(client.id)) {
        ids.add(client.id);
        this.#items++;
      }
    }
  }

  /**
   * A key changed (written, deleted, expired, evicted): tells the clients
   * that read it, and records it for broadcasting clients.
   *
   * @param key the key
   * @param modifier the client whose command changed it, if any
   */
  invalidateKey(key: string, modifier: Client | undefined): void {
    if (this.#prefixes.size > 0) this.#recordForBroadcast(key, modifier);
    const ids = this.#table.get(key);
    if (ids === undefined) return;
    const current = this.#host.currentClient;
    for (const id of ids) {
      const target = this.#host.clients.get(id);
      const t = target?.tracking;
      if (target === undefined || t === undefined || t.bcast) continue;
      if (target === current) {
        if (t.noloop) continue;
        this.#defer(target, key);
      } else {
        this.#send(target, bulks([key]));
      }
    }
    this.#items -= ids.size;
    this.#table.delete(key);
  }

  /**
   * FLUSHDB / FLUSHALL: every tracking client is told to drop its whole
   * cache (a null invalidation) and the tables are cleared.
   */
  invalidateAll(): void {
    if (this.clients > 0) {
      const current = this.#host.currentClient;
      for (const client of this.#host.clients.values()) {
        if (client.tracking === undefined) continue;
        if (client === current) this.#defer(client, null);
        else this.#send(client, NIL);
      }
    }
    this.#table.clear();
    this.#items = 0;
  }

  /**
   * Sends what waited for a reply: the invalidations a client's own
   * commands caused (once its reply is out, as Redis orders them), and the
   * gathered broadcast invalidations.
   *
   * @param client the client whose reply just went out; every client's
   *   held invalidations when absent (the cron)
   */
  flush(client?: Client): void {
    if (this.#deferred.size > 0) {
      if (client === undefined) {
        for (const c of [...this.#deferred.keys()]) this.#sendDeferred(c);
      } else {
        this.#sendDeferred(client);
      }
    }
    if (this.#bcastDirty) this.#broadcast();
  }

  #sendDeferred(client: Client): void {
    const keys = this.#deferred.get(client);
    if (keys === undefined) return;
    this.#deferred.delete(client);
    if (client.closed || client.tracking === undefined) return;
    for (const key of keys) this.#send(client, key === null ? NIL : bulks([key]));
  }

  #defer(client: Client, key: string | null): void {
    const keys = this.#deferred.get(client);
    if (keys === undefined) this.#deferred.set(client, [key]);
    else keys.push(key);
  }

  #recordForBroadcast(key: string, modifier: Client | undefined): void {
    for (const [prefix, state] of this.#prefixes) {
      if (!key.startsWith(prefix)) continue;
      state.keys.set(key, modifier);
      this.#bcastDirty = true;
    }
  }

  #broadcast(): void {
    this.#bcastDirty = false;
    for (const state of this.#prefixes.values()) {
      if (state.keys.size === 0) continue;
      const changed = [...state.keys.keys()].sort();
      const modifiers = state.keys;
      state.keys = new Map();
      let common: Reply | undefined;
      for (const client of state.clients) {
        if (client.tracking?.noloop === true) {
          const own = changed.filter((k) => modifiers.get(k) !== client);
          if (own.length > 0) this.#send(client, bulks(own));
        } else {
          common ??= bulks(changed);
          this.#send(client, common);
        }
      }
    }
  }

  /** Sends an invalidation (keys array, or nil for everything) as Redis's sendTrackingMessage. */
  #send(client: Client, payload: Reply): void {
    const t = client.tracking;
    if (t === undefined) return;
    let target = client;
    let redirected = false;
    if (t.redirect !== 0) {
      const redirection = this.#host.clients.get(t.redirect);
      if (redirection === undefined || redirection.closed) {
        t.brokenRedirect = true;
        if (client.resp === 3) {
          client.transport.push({ kind: "push", items: [REDIR_BROKEN, integer(t.redirect)] });
        }
        return;
      }
      target = redirection;
      redirected = true;
    }
    if (target.resp === 3) {
      target.transport.push({ kind: "push", items: [INVALIDATE, payload] });
    } else if (redirected && target.subscribed) {
      target.transport.push({ kind: "push", items: [MESSAGE, CHANNEL, payload] });
    }
  }
}
