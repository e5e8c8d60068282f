/**
 * One client's state: database, protocol version, authentication, name,
 * reply mode. Plain TypeScript: the connection owns the socket and gives the
 * client a {@linkcode ClientTransport}.
 *
 * @module
 */

import type { Engine } from "./engine.ts";
import type { Database } from "./store/database.ts";
import type { Reply } from "./resp/reply.ts";

/** What a client needs from its connection. */
export interface ClientTransport {
  /** Sends a reply outside the request/reply flow (pub/sub, tracking). */
  push(reply: Reply): void;
  /** Closes the connection after the pending output is written. */
  close(): void;
  /** Bytes buffered on the way in (CLIENT LIST qbuf). */
  inputBuffered(): number;
  /** Bytes buffered on the way out (CLIENT LIST omem). */
  outputBuffered(): number;
}

/** `CLIENT REPLY` modes. */
export type ReplyMode = "on" | "off" | "skip";

const NULL_TRANSPORT: ClientTransport = {
  push() {},
  close() {},
  inputBuffered: () => 0,
  outputBuffered: () => 0,
};

/** Options for a new client. */
export interface ClientOptions {
  /** Remote address, `ip:port` or `path:0` style. */
  readonly addr?: string;
  /** Local address. */
  readonly laddr?: string;
  /** The connection behind the client. */
  readonly transport?: ClientTransport;
  /** Whether it is a Unix socket client. */
  readonly unix?: boolean;
}

/**
 * A client of an {@linkcode Engine}: the context every command runs in.
 *
 * @example An in-process client
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * console.assert(client.db.id === 0);
 * engine.disconnect(client);
 * engine.close();
 * ```
 */
export class Client {
  /** CLIENT ID. */
  readonly id: number;
  /** The engine this client talks to. */
  readonly engine: Engine;
  /** Remote address. */
  readonly addr: string;
  /** Local address. */
  readonly laddr: string;
  /** Connected through a Unix socket. */
  readonly unix: boolean;
  /** Connection time, ms. */
  readonly createdAt: number;
  /** Last command time, ms. */
  lastInteraction: number;
  /** Protocol version: 2 or 3. */
  resp: 2 | 3 = 2;
  /** CLIENT SETNAME name ("" when none). */
  name = "";
  /** Whether AUTH succeeded (or no password is required). */
  authenticated: boolean;
  /** The user name authenticated as. */
  user = "default";
  /** CLIENT REPLY mode. */
  replyMode: ReplyMode = "on";
  /** CLIENT NO-EVICT. */
  noEvict = false;
  /** Full name of the last command run (CLIENT LIST cmd). */
  lastCommand = "NULL";
  /** Set once the connection is to close after the current reply (QUIT). */
  closing = false;
  /** Set once the client was killed or disconnected. */
  closed = false;
  /** The connection. */
  transport: ClientTransport;
  #dbIndex = 0;
  #db: Database;

  /**
   * @param engine the engine
   * @param id the client id
   * @param options addresses and transport
   */
  constructor(engine: Engine, id: number, options: ClientOptions = {}) {
    this.engine = engine;
    this.id = id;
    this.addr = options.addr ?? "127.0.0.1:0";
    this.laddr = options.laddr ?? "127.0.0.1:0";
    this.unix = options.unix ?? false;
    this.transport = options.transport ?? NULL_TRANSPORT;
    this.createdAt = engine.clock.now();
    this.lastInteraction = this.createdAt;
    this.authenticated = !engine.authRequired();
    this.#db = engine.db(0);
  }

  /** The selected database. */
  get db(): Database {
    return this.#db;
  }

  /** The selected database's number. */
  get dbIndex(): number {
    return this.#dbIndex;
  }

  /**
   * Selects a database (the index must be valid).
   *
   * @param index the database number
   */
  select(index: number): void {
    this.#dbIndex = index;
    this.#db = this.engine.db(index);
  }
}
