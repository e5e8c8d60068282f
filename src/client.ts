/**
 * One client's state: database, protocol version, authentication, name,
 * reply mode. Plain TypeScript: the connection owns the socket and gives the
 * client a {@linkcode ClientTransport}.
 *
 * @module
 */

import type { Engine, NotifyClass } from "./engine.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { Random } from "./random.ts";
import type { Propagation } from "./propagation.ts";
import type { Blocking } from "./blocking.ts";
import type { Database } from "./store/database.ts";
import type { Reply } from "./resp/reply.ts";
import type { ClientTracking } from "./tracking.ts";
import { discardTransaction, type Transaction, type WatchedKey } from "./multi.ts";

/**
 * What the server-administration commands (the server, connection, debug,
 * transaction and pub/sub groups) and INFO reach of the server: a view of
 * the engine's services, not the engine. Data commands need none of it;
 * what every command may use (clock, config, propagation, notify, ...) is
 * on the {@linkcode Client} itself.
 */
export type ServerServices = Pick<
  Engine,
  | "clock"
  | "config"
  | "stats"
  | "commands"
  | "host"
  | "clients"
  | "pubsub"
  | "tracking"
  | "watches"
  | "monitors"
  | "pause"
  | "blocking"
  | "runId"
  | "replId"
  | "startupMemory"
  | "startedAt"
  | "databases"
  | "db"
  | "usedMemory"
  | "authRequired"
  | "execute"
  | "log"
  | "changes"
  | "peakMemory"
  | "memory"
  | "resetPeakMemory"
  | "requestShutdown"
  | "setActiveExpire"
  | "port"
  | "configFile"
  | "keyspaceFlushed"
  | "databaseReplaced"
  | "slowlog"
  | "latency"
  | "scripting"
>;

/** What a client needs from its connection. */
export interface ClientTransport {
  /** Sends a reply outside the request/reply flow (pub/sub, tracking). */
  push(reply: Reply): void;
  /** Closes the connection after the pending output is written. */
  close(): void;
  /** Bytes buffered on the way in (CLIENT LIST qbuf). */
  inputBuffered(): number;
  /** Bytes buffered on the way out (CLIENT LIST obl and omem). */
  outputBuffered(): number;
  /** The buffers' state, for CLIENT LIST / CLIENT INFO. */
  buffers(): ClientBuffers;
}

/** A connection's buffers as CLIENT LIST and CLIENT INFO report them. */
export interface ClientBuffers {
  /**
   * Bytes in the query buffer (`qbuf`). While the client's commands run it
   * is the whole input they arrived in, as Redis trims its query buffer only
   * once every command read is done; otherwise the input not yet run.
   */
  readonly qbuf: number;
  /** Room left in the input buffer the next read goes into (`qbuf-free`). */
  readonly qbufFree: number;
  /** The reply buffer's size (`rbs`). */
  readonly rbs: number;
  /** The most output held at once lately (`rbp`). */
  readonly rbp: number;
  /** Output bytes waiting to be sent. */
  readonly output: number;
  /** A socket write is in flight (`events` `w`). */
  readonly writing: boolean;
}

/** `CLIENT REPLY` modes; `skip` means the next command's reply is dropped. */
export type ReplyMode = "on" | "off" | "skip";

/** What a connection is to the server (`CLIENT LIST` flags S, M, O). */
export type ClientRole = "normal" | "master" | "replica" | "monitor";

/** Client types, as `CLIENT LIST TYPE` and `CLIENT KILL TYPE` name them. */
export type ClientType = "normal" | "master" | "replica" | "pubsub";

const NO_BUFFERS: ClientBuffers = {
  qbuf: 0,
  qbufFree: 0,
  rbs: 0,
  rbp: 0,
  output: 0,
  writing: false,
};

const NULL_TRANSPORT: ClientTransport = {
  push() {},
  close() {},
  inputBuffered: () => 0,
  outputBuffered: () => 0,
  buffers: () => NO_BUFFERS,
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
  /** The socket's file descriptor (CLIENT LIST fd); -1 when unknown. */
  readonly fd?: number;
  /** The client scripts run their commands as (MONITOR shows it as `lua`). */
  readonly script?: boolean;
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
  /**
   * The engine this client talks to: private, so a command handler (which
   * gets the client as its context) reaches only the facilities below.
   */
  readonly #engine: Engine;
  /** Remote address. */
  readonly addr: string;
  /** Local address. */
  readonly laddr: string;
  /** Connected through a Unix socket. */
  readonly unix: boolean;
  /** CLIENT LIST fd: -1 when the runtime exposes no descriptor (and for in-process clients). */
  readonly fd: number;
  /** The client scripts run their commands as (Redis's Lua client). */
  readonly script: boolean;
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
  /** CLIENT NO-EVICT. */
  noEvict = false;
  /** Replication / MONITOR role; the replication and MONITOR commands set it. */
  role: ClientRole = "normal";
  /** Channels subscribed (CLIENT LIST sub); the pub/sub commands maintain it. */
  channelCount = 0;
  /** Patterns subscribed (CLIENT LIST psub); the pub/sub commands maintain it. */
  patternCount = 0;
  /** Shard channels subscribed (CLIENT LIST ssub); the pub/sub commands maintain it. */
  shardChannelCount = 0;
  /** CLIENT TRACKING state: undefined while tracking is off. */
  tracking: ClientTracking | undefined = undefined;
  /** The MULTI state: undefined outside a transaction. */
  transaction: Transaction | undefined = undefined;
  /** A WATCHed key was touched: EXEC will fail (CLIENT LIST flag d). */
  watchDirty = false;
  /** The keys this client WATCHes. */
  readonly watched: WatchedKey[] = [];
  /**
   * Argument indexes of the running command that MONITOR shows as
   * `(redacted)` (AUTH and HELLO passwords); the dispatcher clears it.
   */
  redacted: number[] | undefined = undefined;
  /**
   * True while EXEC runs the queued commands (and while anything else runs
   * commands atomically): blocking commands then behave as their
   * non-blocking forms, as in Redis.
   */
  inExec = false;
  /**
   * Where this client's writes propagate (Redis's PROPAGATE_AOF /
   * PROPAGATE_REPL bits): both, but for the Lua client after a script's
   * `redis.set_repl`.
   */
  replTargets = 3;
  /**
   * Bytes of the arguments of the client's command while it waits (blocked
   * or held by CLIENT PAUSE), 0 otherwise (CLIENT LIST argv-mem); the
   * connection sets it.
   */
  waitingArgvMem = 0;
  /** Full name of the last command run (CLIENT LIST cmd). */
  lastCommand = "NULL";
  /** Set once the connection is to close after the current reply (QUIT). */
  closing = false;
  /** Set once the client was killed or disconnected. */
  closed = false;
  /** The connection. */
  transport: ClientTransport;
  #replyMode: ReplyMode = "on";
  #skipCurrent = false;
  #dbIndex = 0;
  #db: Database;

  /**
   * @param engine the engine
   * @param id the client id
   * @param options addresses and transport
   */
  constructor(engine: Engine, id: number, options: ClientOptions = {}) {
    this.#engine = engine;
    this.id = id;
    this.addr = options.addr ?? "127.0.0.1:0";
    this.laddr = options.laddr ?? "127.0.0.1:0";
    this.unix = options.unix ?? false;
    this.fd = options.fd ?? -1;
    this.script = options.script ?? false;
    this.transport = options.transport ?? NULL_TRANSPORT;
    this.createdAt = engine.clock.now();
    this.lastInteraction = this.createdAt;
    this.authenticated = !engine.authRequired();
    this.#db = engine.db(0);
  }

  /** Commands queued by MULTI, -1 outside a transaction (CLIENT LIST multi). */
  get multiCount(): number {
    return this.transaction === undefined ? -1 : this.transaction.queue.length;
  }

  /**
   * Hides an argument of the running command from MONITOR.
   *
   * @param index the argument's index (0 is the name)
   */
  redact(index: number): void {
    (this.redacted ??= []).push(index);
  }

  /** The clock every time comes from. */
  get clock(): Clock {
    return this.#engine.clock;
  }

  /**
   * The command time: one cached time per batch of commands, as Redis
   * gives every command one time.
   *
   * @returns milliseconds since the epoch
   */
  now(): number {
    return this.#engine.now();
  }

  /** The configuration. */
  get config(): Config {
    return this.#engine.config;
  }

  /** The server's seedable random source. */
  get random(): Random {
    return this.#engine.random;
  }

  /** The effect stream: a command's handler rewrites or adds its effects here. */
  get propagation(): Propagation {
    return this.#engine.propagation;
  }

  /** The per-key wait queues blocking commands wait in. */
  get blocking(): Blocking {
    return this.#engine.blocking;
  }

  /** Forgets every key this client WATCHes (UNWATCH, EXEC, DISCARD, RESET). */
  unwatchAll(): void {
    this.#engine.watches.unwatchAll(this);
  }

  /** The server's services, for the administration commands. */
  get server(): ServerServices {
    return this.#engine;
  }

  /**
   * Publishes a keyspace notification (`notify-keyspace-events`) for a
   * change the command made; the modified-key signal itself comes from the
   * keyspace operation that made it.
   *
   * @param cls the event class: `g` generic, `$` string, `l` list, ...
   * @param event the event name (`set`, `del`, `lpush`, ...)
   * @param key the key
   * @param db its database, the client's by default
   */
  notify(cls: NotifyClass, event: string, key: string, db: Database = this.#db): void {
    this.#engine.notify(db, cls, event, key);
  }

  /**
   * Counts changes beyond the one each keyspace operation counts (an LPUSH
   * of three elements makes three).
   *
   * @param n how many
   */
  countChanges(n: number): void {
    this.#engine.countChanges(n);
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
   * Whether the client is in pub/sub mode (subscribed to anything). In RESP2
   * this restricts its commands and makes PING reply `["pong", message]`.
   */
  get subscribed(): boolean {
    return this.channelCount + this.patternCount + this.shardChannelCount > 0;
  }

  /** The client's type for `CLIENT LIST TYPE` and `CLIENT KILL TYPE`. */
  get type(): ClientType {
    if (this.role === "replica") return "replica";
    if (this.subscribed) return "pubsub";
    if (this.role === "master") return "master";
    return "normal";
  }

  /** The persistent `CLIENT REPLY` mode (`skip`: the next command's reply is dropped). */
  get replyMode(): ReplyMode {
    return this.#replyMode;
  }

  /**
   * Called by the connection before each command: a pending `CLIENT REPLY
   * SKIP` applies to this command.
   */
  beginCommand(): void {
    this.#skipCurrent = this.#replyMode === "skip";
    if (this.#skipCurrent) this.#replyMode = "on";
  }

  /** Whether the reply to the command just run is to be sent (`CLIENT REPLY`). */
  get sendsReply(): boolean {
    return !this.#skipCurrent && this.#replyMode !== "off";
  }

  /**
   * `CLIENT REPLY ON|OFF|SKIP`. ON also answers a command that was being
   * skipped; SKIP has no effect while replies are OFF.
   *
   * @param mode the new mode
   */
  setReplyMode(mode: ReplyMode): void {
    if (mode === "on") {
      this.#replyMode = "on";
      this.#skipCurrent = false;
    } else if (mode === "off") {
      this.#replyMode = "off";
    } else if (this.#replyMode !== "off") {
      this.#replyMode = "skip";
    }
  }

  /**
   * Disconnects this client at once (CLIENT KILL of another client): closes
   * its connection and forgets it.
   */
  kill(): void {
    this.transport.close();
    this.#engine.disconnect(this);
  }

  /**
   * RESET: back to database 0, RESP2, no name, replies on (a skip in effect
   * for the current command stays) and the default user, unauthenticated if
   * a password is required. NO-EVICT is kept, as in Redis 7.0. MONITOR,
   * MULTI and WATCH end here; pub/sub and tracking state are cleared by
   * their features' hooks.
   */
  resetConnection(): void {
    this.#engine.tracking.disable(this);
    this.#engine.pubsub.forget(this);
    this.#engine.monitors.remove(this);
    discardTransaction(this);
    this.select(0);
    this.resp = 2;
    this.name = "";
    this.#replyMode = "on";
    this.user = "default";
    this.authenticated = !this.#engine.authRequired();
  }

  /**
   * Selects a database (the index must be valid).
   *
   * @param index the database number
   */
  select(index: number): void {
    this.#dbIndex = index;
    this.#db = this.#engine.db(index);
  }
}

/** Redis's fixed reply buffer: output past it counts as its reply list (`oll`, `omem`). */
const REPLY_CHUNK = 16 * 1024;

/**
 * One client's CLIENT LIST / CLIENT INFO fields, without the newline, as
 * Redis's log lines about a client show them too. The fields and their
 * order are Redis 7.0.15's.
 *
 * The buffer and memory fields report resplite's own buffers, in Redis's
 * terms: `qbuf` the input held (all of the current read while its commands
 * run, as Redis), `qbuf-free` the room left in the connection's read slab,
 * `argv-mem` the bytes of the arguments of the command running or waiting
 * (blocked: {@linkcode Client.waitingArgvMem}), `multi-mem` the
 * queued commands' arguments plus a pointer per argument (as Redis counts
 * them), `rbs` the reply buffer's size and `rbp` the most output it held
 * lately, `obl` the output up to 16 KiB (Redis's fixed buffer), `oll` and
 * `omem` the output past it in 16 KiB blocks and in bytes, `tot-mem` the
 * sum of the input held and free, argument, MULTI and reply buffer bytes,
 * and `events` `w` while a socket write is in flight.
 *
 * Known differences from Redis 7.0.15: the figures are those of
 * resplite's buffers, not of Redis's allocator (a fresh Redis client shows
 * `qbuf-free=20474`-like jemalloc sizes, `tot-mem` includes its struct),
 * and `fd` is -1: the runtime exposes no socket descriptor.
 *
 * @param c the client
 * @param argvMem bytes held by the arguments of its running command (0 for
 *   a client not running one)
 * @returns the line
 * @example A fresh in-process client
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { clientInfoLine } from "./client.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * console.assert(clientInfoLine(client, 0).startsWith(`id=${client.id} addr=127.0.0.1:0 `));
 * engine.close();
 * ```
 */
export function clientInfoLine(c: Client, argvMem: number): string {
  const now = c.clock.now();
  const b = c.transport.buffers();
  const obl = Math.min(b.output, REPLY_CHUNK);
  const omem = b.output - obl;
  const oll = Math.ceil(omem / REPLY_CHUNK);
  const multiMem = multiMemory(c);
  const totMem = b.qbuf + b.qbufFree + argvMem + multiMem + b.rbs;
  const age = Math.floor((now - c.createdAt) / 1000);
  const idle = Math.floor((now - c.lastInteraction) / 1000);
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${age} idle=${idle} flags=${clientFlags(c)} db=${c.dbIndex}` +
    ` sub=${c.channelCount} psub=${c.patternCount} ssub=${c.shardChannelCount}` +
    ` multi=${c.multiCount} qbuf=${b.qbuf} qbuf-free=${b.qbufFree} argv-mem=${argvMem}` +
    ` multi-mem=${multiMem} rbs=${b.rbs} rbp=${b.rbp} obl=${obl} oll=${oll} omem=${omem}` +
    ` tot-mem=${totMem} events=${b.writing ? "rw" : "r"} cmd=${c.lastCommand} user=${c.user}` +
    ` redir=${c.tracking === undefined ? -1 : c.tracking.redirect}` +
    ` resp=${c.resp}`;
}

/**
 * Bytes of the commands queued in MULTI, as Redis's `multi-mem`: each
 * command's argument bytes plus a pointer per argument.
 */
function multiMemory(c: Client): number {
  const tx = c.transaction;
  if (tx === undefined) return 0;
  let n = 0;
  for (const q of tx.queue) {
    n += 8 * q.argv.length;
    for (const a of q.argv) n += a.length;
  }
  return n;
}

/**
 * The CLIENT LIST flags of a client: S replica, O monitor, M master, P
 * pub/sub, x MULTI, b blocked, d dirty WATCH, c closing after the reply, U
 * Unix socket, e no-evict, N none. t tracking, R broken redirect, B broadcast.
 */
function clientFlags(c: Client): string {
  let f = "";
  if (c.role === "replica") f += "S";
  else if (c.role === "monitor") f += "O";
  if (c.role === "master") f += "M";
  if (c.subscribed) f += "P";
  if (c.multiCount >= 0) f += "x";
  if (c.blocking.isBlocked(c)) f += "b";
  const t = c.tracking;
  if (t !== undefined) {
    f += "t";
    if (t.brokenRedirect) f += "R";
    if (t.bcast) f += "B";
  }
  if (c.watchDirty) f += "d";
  if (c.closing) f += "c";
  if (c.unix) f += "U";
  if (c.noEvict) f += "e";
  return f === "" ? "N" : f;
}
