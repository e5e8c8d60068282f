/**
 * The engine: everything a server is except its sockets. Databases,
 * configuration, clients, statistics, the command table and the dispatcher,
 * all owned by one instance, so any number run in one process and tests can
 * call commands in-process.
 *
 * @module
 */

import { type Clock, SystemClock } from "./clock.ts";
import { Client, type ClientOptions } from "./client.ts";
import { Config, type ParamSpec } from "./config.ts";
import { Database } from "./store/database.ts";
import { Random } from "./random.ts";
import { PubSub } from "./pubsub.ts";
import { KeyspaceEvents, type NotifyClass } from "./notify.ts";
import { Tracking } from "./tracking.ts";
import { type Command, CommandTable } from "./commands/spec.ts";
import { registerAll } from "./commands/mod.ts";
import { Dispatcher } from "./dispatcher.ts";
import { Watches } from "./multi.ts";
import { Monitors } from "./monitor.ts";
import { ClientPause } from "./pause.ts";
import { Blocking } from "./blocking.ts";
import { Scripting } from "./scripting/scripting.ts";
import type { Reply } from "./resp/reply.ts";
import { Stats } from "./stats.ts";
import { ClientRegistry } from "./clients.ts";
import { Cron } from "./cron.ts";
import { Propagation } from "./propagation.ts";
import { Memory } from "./evict.ts";
import { Slowlog } from "./slowlog.ts";
import { LatencyMonitor } from "./latency.ts";

/** Facts about the process, given by the runtime edge (server.ts). */
export interface HostInfo {
  /** Process id. */
  pid(): number;
  /** Resident set size in bytes. */
  rss(): number;
  /** Heap bytes in use (used_memory). */
  heapUsed(): number;
  /** CPU seconds used: [system, user]. */
  cpu(): [number, number];
  /** The executable path. */
  executable(): string;
  /** Operating system description: `<os> <release> <arch>`. */
  os(): string;
  /** Total physical memory in bytes (INFO total_system_memory); 0 when unknown. */
  totalMemory?(): number;
  /**
   * Runs a full garbage collection, returning free heap pages to the
   * system; false when none ran (not available yet).
   */
  collectGarbage?(): boolean;
  /** The working directory (CONFIG GET dir, CONFIG REWRITE's `dir` line). */
  cwd?(): string;
  /**
   * A file's bytes as a binary string (one char per byte); null when it does
   * not exist. Other failures throw an Error whose message is the C
   * library's text (`Permission denied`).
   */
  readFile?(path: string): string | null;
  /**
   * Replaces a file with a binary string's bytes atomically (a temporary
   * file beside it, then a rename), throwing as `readFile` does.
   */
  replaceFile?(path: string, content: string): void;
}

/** Least RSS growth since the last idle collection that makes an idle server collect. */
const IDLE_GC_GROWTH = 64 * 1024 * 1024;

const PURE_HOST: HostInfo = {
  pid: () => 0,
  rss: () => 0,
  heapUsed: () => 0,
  cpu: () => [0, 0],
  executable: () => "",
  os: () => "unknown",
};

/** Options of an {@linkcode Engine}. */
export interface EngineOptions {
  /** The clock; the system clock by default. */
  clock?: Clock;
  /** Configuration parameters by name (`hz`, `requirepass`, ...). */
  config?: Record<string, string>;
  /** Seed for the random source (RANDOMKEY, run ids, ...). */
  seed?: number;
  /** Process facts, from the runtime edge. */
  host?: HostInfo;
  /** Called with log lines at or above the configured level. */
  log?: (level: LogLevel, message: string) => void;
  /** Extra configuration parameters. */
  params?: readonly ParamSpec[];
}

/** Keyspace event classes, as `notify-keyspace-events` letters. */
export type { NotifyClass } from "./notify.ts";

/** Log levels, as redis.conf's `loglevel`. */
export type LogLevel = "debug" | "verbose" | "notice" | "warning";

const LOG_ORDER: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };

/**
 * A Redis engine without sockets.
 *
 * @example Running commands in-process
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * engine.call(client, ["SET", "k", "v"]);
 * const reply = engine.call(client, ["GET", "k"]);
 * console.assert(!(reply instanceof Promise) && reply.kind === "bulk");
 * engine.close();
 * ```
 */
export class Engine {
  /** The clock every time comes from. */
  readonly clock: Clock;
  /** The configuration. */
  readonly config: Config;
  /** The statistics. */
  readonly stats = new Stats();
  /** The random source. */
  readonly random: Random;
  /** SLOWLOG: the commands slower than `slowlog-log-slower-than`. */
  readonly slowlog: Slowlog;
  /** LATENCY: events over `latency-monitor-threshold`, and `latency-tracking`. */
  readonly latency: LatencyMonitor;
  /** The command table. */
  readonly commands = new CommandTable();
  /** Process facts. */
  readonly host: HostInfo;
  /** Connected clients by id. */
  readonly clients = new ClientRegistry<Client>();
  /** The effect stream: every change to the dataset, for the AOF, replicas and journals. */
  readonly propagation = new Propagation();
  /** Channels, patterns and their subscribers. */
  readonly pubsub = new PubSub();
  /** Client-side caching: who read which keys. */
  readonly tracking: Tracking = new Tracking(this);
  #current: Client | undefined = undefined;
  /** WATCHed keys of every client. */
  readonly watches = new Watches();
  /** Clients in MONITOR mode. */
  readonly monitors = new Monitors();
  /** CLIENT PAUSE state. */
  readonly pause: ClientPause;
  /** Clients blocked on keys (BLPOP, BLMOVE, ...) and the keys that can serve them. */
  readonly blocking: Blocking = new Blocking(this);
  /** EVAL scripts and functions: the script cache, the running script. */
  readonly scripting: Scripting;
  /** 40 hex chars identifying this run. */
  readonly runId: string;
  /** The replication id (INFO master_replid), 40 hex chars. */
  readonly replId: string;
  /** Heap in use once started (INFO used_memory_startup). */
  readonly startupMemory: number;
  /** Memory accounting, `maxmemory` and eviction. */
  readonly memory: Memory;
  /** Start time, ms on the clock. */
  readonly startedAt: number;
  #dirty = 0;
  #shutdownRequested = false;
  #activeExpire = true;
  #onShutdown: () => void = () => {};
  #port = 0;
  #configFile = "";
  #dbs: Database[];
  #dispatcher: Dispatcher;
  #cron: Cron;
  #log: (level: LogLevel, message: string) => void;
  /** `notify-keyspace-events`, parsed. */
  #events: KeyspaceEvents;
  #snapshot: number | undefined;
  /** The start of the running script, if one runs. */
  #scriptTime: number | undefined;
  /** Commands run when the cron last looked, and RSS after the last idle collection (-1: not yet read). */
  #gcLastCommands = -1;
  #gcBaseline = -1;

  /**
   * @param options clock, configuration, seed, host facts
   */
  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.config = new Config(options.config ?? {}, options.params ?? []);
    this.random = new Random(options.seed);
    this.slowlog = new Slowlog(this.config);
    this.latency = new LatencyMonitor(this.config, this.clock);
    this.host = options.host ?? PURE_HOST;
    this.#log = options.log ?? (() => {});
    this.runId = this.random.hex(40);
    this.replId = this.random.hex(40);
    this.startedAt = this.clock.now();
    this.pause = new ClientPause(this.clock);
    this.#events = new KeyspaceEvents((channel, message) => this.pubsub.publish(channel, message));
    this.#events.configure(this.config.get("notify-keyspace-events"));
    this.config.onChange("notify-keyspace-events", (value) => {
      this.#events.configure(value);
    });
    const hooks = {
      created: (db: Database, key: string) => {
        this.blocking.signal(db, key);
        if (this.#events.enabled) this.notify(db, "n", "new", key);
      },
      expired: (db: Database, key: string) => {
        this.notify(db, "x", "expired", key);
        if (this.propagation.active) {
          const lazy = this.config.get("lazyfree-lazy-expire") === "yes";
          this.#propagateExpiry(db, [lazy ? "UNLINK" : "DEL", key]);
        }
        this.#signal(db, key);
        this.stats.expiredKeys++;
      },
      // A stream deleted or overwritten: blocked XREADGROUP clients get an error.
      streamRemoved: (db: Database, key: string) => this.blocking.signal(db, key),
      // Hash fields removed by expiry: `hexpired`, and `del` for an emptied hash.
      fieldsExpired: (db: Database, key: string, fields: readonly string[], deleted: boolean) => {
        if (this.propagation.active) this.#propagateExpiry(db, ["HDEL", key, ...fields]);
        // Signalled like a key expiry: WATCH and tracking, not a change of
        // the running command (dirty), which would make a read propagate.
        this.#signal(db, key);
        this.notify(db, "h", "hexpired", key);
        if (deleted) this.notify(db, "g", "del", key);
      },
      modified: (db: Database, key: string, changes: number) => {
        this.#dirty += changes;
        this.#signal(db, key);
      },
      // Keys are not reclaimed while clients are paused, as in Redis.
      expiryPaused: () => this.pause.type !== "off",
    };
    const count = this.config.number("databases");
    this.#dbs = [];
    // Databases read the command time snapshot, not the clock, on every lookup.
    const commandTime: Clock = {
      // (while a script runs, keys expire by the time it began, as in Redis)
      now: () => this.#scriptTime ?? this.now(),
      schedule: (delayMs, callback) => this.clock.schedule(delayMs, callback),
    };
    for (let i = 0; i < count; i++) this.#dbs.push(new Database(i, commandTime, hooks));
    this.memory = new Memory(this);
    // The Lua clients come first, as in Redis (client ids 1 and 2).
    const luaClient = () => new Client(this, this.clients.nextId(), { addr: "?:0", script: true });
    this.scripting = new Scripting(this, [luaClient(), luaClient()]);
    registerAll(this.commands);
    this.#dispatcher = new Dispatcher(this);
    this.startupMemory = this.host.heapUsed();
    this.#cron = new Cron(this.clock, () => this.config.number("hz"), () => this.cron());
  }

  /** The client whose command is running (Redis's server.current_client), if any. */
  get currentClient(): Client | undefined {
    return this.#current;
  }

  /**
   * Makes a client the one whose command is running (the dispatcher, and
   * the blocking module while it serves a waiter).
   *
   * @param client the client, or undefined between commands
   * @returns the client that was running before, to switch back to
   */
  switchClient(client: Client | undefined): Client | undefined {
    const previous = this.#current;
    this.#current = client;
    return previous;
  }

  /** Number of databases. */
  get databases(): number {
    return this.#dbs.length;
  }

  /** Writes since the last save (INFO rdb_changes_since_last_save): what moves it propagates. */
  get changes(): number {
    return this.#dirty;
  }

  /**
   * Counts changes to the dataset beyond the one each keyspace operation
   * counts itself (an LPUSH of three elements is three changes).
   *
   * @param n how many
   */
  countChanges(n: number): void {
    this.#dirty += n;
  }

  /** Highest memory use seen (INFO used_memory_peak): see `src/evict.ts`. */
  get peakMemory(): number {
    return this.memory.peak;
  }

  /** MEMORY / CONFIG RESETSTAT: the peak starts again from the memory used now. */
  resetPeakMemory(): void {
    this.memory.resetPeak();
  }

  /** Whether SHUTDOWN asked the server to stop. */
  get shutdownRequested(): boolean {
    return this.#shutdownRequested;
  }

  /** SHUTDOWN: tells the server to close once the reply is out. */
  requestShutdown(): void {
    this.#shutdownRequested = true;
    this.#onShutdown();
  }

  /** Whether the cron reclaims expired keys (DEBUG SET-ACTIVE-EXPIRE). */
  get activeExpire(): boolean {
    return this.#activeExpire;
  }

  /**
   * Turns the active expiry cycle on or off (DEBUG SET-ACTIVE-EXPIRE).
   *
   * @param on whether it runs
   */
  setActiveExpire(on: boolean): void {
    this.#activeExpire = on;
  }

  /** The TCP port bound (INFO tcp_port). */
  get port(): number {
    return this.#port;
  }

  /** The config file loaded, if any (INFO config_file). */
  get configFile(): string {
    return this.#configFile;
  }

  /**
   * Called once by the network edge when the server is listening.
   *
   * @param facts the port bound, the config file loaded, what SHUTDOWN calls
   */
  started(facts: { port: number; configFile?: string; onShutdown: () => void }): void {
    this.#port = facts.port;
    this.#configFile = facts.configFile ?? "";
    this.#onShutdown = facts.onShutdown;
  }

  /**
   * A database by number.
   *
   * @param index 0 to databases - 1
   * @returns the database
   */
  db(index: number): Database {
    const db = this.#dbs[index];
    if (db === undefined) throw new RangeError(`no database ${index}`);
    return db;
  }

  /**
   * Memory in use now (INFO used_memory, see `src/evict.ts`), tracking the peak.
   *
   * @returns bytes
   */
  usedMemory(): number {
    return this.memory.used();
  }

  /** Whether clients must authenticate (a password is set). */
  authRequired(): boolean {
    return this.config.get("requirepass") !== "";
  }

  /**
   * Registers a new client.
   *
   * @param options addresses and transport
   * @returns the client
   */
  connect(options: ClientOptions = {}): Client {
    const client = new Client(this, this.clients.nextId(), options);
    this.clients.add(client);
    this.stats.totalConnections++;
    return client;
  }

  /**
   * Forgets a client (its connection is gone).
   *
   * @param client the client
   */
  disconnect(client: Client): void {
    this.tracking.disable(client);
    this.pubsub.forget(client);
    client.closed = true;
    this.clients.remove(client);
    this.monitors.remove(client);
    this.watches.unwatchAll(client);
    this.blocking.forget(client);
    this.pause.forget(client);
  }

  /**
   * Runs one command for a client.
   *
   * @param client the calling client
   * @param argv the argument vector, binary strings
   * @returns the reply, or a promise of it for blocking commands
   */
  call(client: Client, argv: string[]): Reply | Promise<Reply> {
    if (this.#snapshot !== undefined) return this.#dispatcher.dispatch(client, argv);
    this.beginBatch();
    try {
      return this.#dispatcher.dispatch(client, argv);
    } finally {
      this.endBatch();
    }
  }

  /**
   * Resolves a command (and subcommand) by its argument vector, as the
   * dispatcher does.
   *
   * @param argv the arguments, name first
   * @returns the command, or undefined for an unknown command or subcommand
   */
  lookupCommand(argv: readonly string[]): Command | undefined {
    const command = this.#dispatcher.resolve(argv);
    return typeof command === "string" ? undefined : command;
  }

  /**
   * Runs a command that already passed the dispatcher's gates: EXEC runs
   * its queued commands through this.
   *
   * @param client the calling client
   * @param command the resolved command
   * @param argv the argument vector
   * @returns the reply (a promise only from a command that blocks)
   */
  execute(client: Client, command: Command, argv: string[]): Reply | Promise<Reply> {
    return this.#dispatcher.execute(client, command, argv);
  }

  /**
   * The command time: within a batch (the commands of one read), the time it
   * began, as Redis gives every command one cached time; else the clock's.
   *
   * @returns milliseconds since the epoch
   */
  now(): number {
    // A script's commands read the clock live (TTL, SET EX), as Redis 7.0's
    // do; only expiry stands still (see {@linkcode Engine.runScript}).
    if (this.#scriptTime !== undefined) return this.clock.now();
    return this.#snapshot ?? this.clock.now();
  }

  /**
   * Marks a script running (or over, with undefined): keys expire by the
   * time it began until it ends, so a key can't expire halfway through a
   * script, as in Redis.
   *
   * @param time the script's start, ms; undefined once it is over
   */
  runScript(time: number | undefined): void {
    this.#scriptTime = time;
  }

  /**
   * Starts a batch: the commands decoded from one read run at one time
   * snapshot, as Redis gives every command one cached time.
   */
  beginBatch(): void {
    this.#snapshot = this.clock.now();
    this.#dispatcher.beginBatch();
  }

  /** Ends the batch begun by {@linkcode Engine.beginBatch}. */
  endBatch(): void {
    this.#snapshot = undefined;
    this.#dispatcher.endBatch();
  }

  /**
   * Writes a log line if the level passes `loglevel`.
   *
   * @param level the line's level
   * @param message the text
   */
  log(level: LogLevel, message: string): void {
    const min = this.config.get("loglevel") as LogLevel;
    if (LOG_ORDER[level] >= LOG_ORDER[min]) this.#log(level, message);
  }

  /** The modified-key signal (Redis's signalModifiedKey): WATCH and client-side tracking. */
  #signal(db: Database, key: string): void {
    if (this.watches.size > 0) this.watches.touch(db, key);
    this.tracking.invalidateKey(key, this.currentClient);
  }

  /**
   * Propagates the deletion of an expired key or field: found by a command,
   * part of its unit, before its own effect (in MULTI / EXEC with it, as
   * Redis 7.0.15's alsoPropagate); found by the cron, a unit of its own.
   */
  #propagateExpiry(db: Database, argv: readonly string[]): void {
    if (this.currentClient !== undefined) this.propagation.add(db.id, argv);
    else this.propagation.emit(db.id, argv);
  }

  /**
   * Publishes a keyspace notification (`notify-keyspace-events`). Every
   * write command calls it once per key and event, as Redis's
   * notifyKeyspaceEvent: to `__keyspace@<db>__:<key>` (flag K) and
   * `__keyevent@<db>__:<event>` (flag E) when the class is enabled.
   *
   * @param db the database
   * @param cls the event class: `g` generic, `$` string, `l` list, ...
   * @param event the event name (`set`, `del`, `expire`, ...)
   * @param key the key
   */
  notify(db: Database, cls: NotifyClass, event: string, key: string): void {
    this.#events.notify(db.id, cls, event, key);
  }

  /**
   * Records a FLUSHDB or FLUSHALL (once per command, whatever the number of
   * databases): every client-side tracking client is told to drop its
   * whole cache, as Redis's trackingInvalidateKeysOnFlush.
   */
  keyspaceFlushed(): void {
    this.tracking.invalidateAll();
  }

  /**
   * Called by the blocking module once a blocked client was served: what
   * serving it changed (a pop, a move) is one unit of the effect stream.
   */
  served(): void {
    this.propagation.flush();
  }

  /**
   * Called once a command's reply is out: sends what waited for it
   * (tracking invalidations of the client's own writes, broadcast
   * invalidations).
   *
   * @param client the client whose reply went out
   */
  afterReply(client?: Client): void {
    this.tracking.flush(client);
  }

  /**
   * Records that every key of a database is about to change at once
   * (FLUSHDB, FLUSHALL, SWAPDB), as Redis's signalFlushedDb /
   * touchAllWatchedKeysInDb: WATCH and client-side tracking hook here.
   * Called before the change: FLUSHDB / FLUSHALL with no replacement (the
   * database is emptied), SWAPDB once per database with the other one. Not
   * a keyspace notification: Redis sends none for these commands.
   *
   * @param db the database
   * @param replacement the database whose keys it receives (SWAPDB)
   */
  databaseReplaced(db: Database, replacement?: Database): void {
    if (this.watches.size > 0) this.watches.touchAll(db, replacement);
    // SWAPDB: blocked clients are served from the keys the swap brings;
    // FLUSHDB / FLUSHALL (and SWAPDB) end XREADGROUP waits on streams
    // that went (Redis's scanDatabaseForDeletedStreams).
    this.blocking.signalAll(db);
  }

  /**
   * One run of the periodic task: active expiry, idle-client timeout and
   * the instantaneous-metrics sample.
   */
  cron(): void {
    // Nothing moves the dataset while a script runs (it yields only when
    // slow), as Redis's cron does not run then.
    if (this.scripting.running !== undefined) return;
    const hz = this.config.number("hz");
    const budget = Math.max(1, 250 / hz);
    const deadline = performance.now() + budget;
    // No active expiry while clients are paused, as in Redis.
    if (this.pause.type === "off" && this.#activeExpire) {
      const start = this.clock.ticks?.() ?? this.clock.now();
      const cpuStart = performance.now();
      for (const db of this.#dbs) {
        if (db.expiresCount > 0) db.activeExpire(deadline, () => performance.now());
      }
      for (const db of this.#dbs) {
        if (db.fieldExpiresCount > 0) db.activeExpireFields();
      }
      // INFO expire_cycle_cpu_milliseconds.
      this.stats.expireCycleUsec += (performance.now() - cpuStart) * 1000;
      const ms = (this.clock.ticks?.() ?? this.clock.now()) - start;
      this.latency.addSampleIfNeeded("expire-cycle", Math.floor(ms));
    }
    // A stream the cycle expired ends its blocked XREADGROUP clients' wait.
    if (this.blocking.hasReady) this.blocking.serveReady();
    this.tracking.flush();
    const now = this.clock.now();
    this.stats.sample(now);
    this.memory.cron();
    const timeout = this.config.number("timeout");
    if (timeout > 0) this.#closeIdleClients(now, timeout);
    this.#idleCollect();
  }

  /**
   * Gives memory back once a burst of writes is over. A V8 heap grows far
   * past its live data under load (young generation, old-space slack), and
   * V8 shrinks it only on its own schedule; so when no command ran for a
   * whole cron period and RSS grew by half (and at least 64 MiB) since the
   * last such collection, the server runs one full collection, as Redis's
   * allocator returns freed pages. The growth rule bounds the cost (a
   * collection takes about 0.35 µs per live key here) to a fraction of the
   * work that grew the heap; small datasets never trigger it.
   */
  #idleCollect(): void {
    const collect = this.host.collectGarbage;
    if (collect === undefined) return;
    const commands = this.stats.totalCommands;
    const idle = commands === this.#gcLastCommands;
    this.#gcLastCommands = commands;
    if (!idle) return;
    const rss = this.host.rss();
    if (this.#gcBaseline < 0) this.#gcBaseline = rss;
    if (rss - this.#gcBaseline < Math.max(IDLE_GC_GROWTH, this.#gcBaseline / 2)) {
      // Shrinking (a collection V8 ran itself) lowers the mark.
      if (rss < this.#gcBaseline) this.#gcBaseline = rss;
      return;
    }
    if (collect.call(this.host)) this.#gcBaseline = this.host.rss();
  }

  /**
   * Closes clients idle for more than `timeout` seconds, as Redis's
   * clientsCronHandleTimeout: replicas, masters, MONITOR and subscribed
   * clients are exempt, and so are blocked clients (a client held by
   * CLIENT PAUSE is blocked too, in Redis 7.0).
   */
  #closeIdleClients(now: number, timeout: number): void {
    const nowSec = Math.floor(now / 1000);
    for (const client of this.clients.values()) {
      if (client.role !== "normal" || client.subscribed) continue;
      if (this.blocking.isBlocked(client) || this.pause.holds(client)) continue;
      if (nowSec - Math.floor(client.lastInteraction / 1000) <= timeout) continue;
      this.log("verbose", "Closing idle client");
      client.transport.close();
      this.disconnect(client);
    }
  }

  /** Stops the periodic task; the engine may not be used afterwards. */
  close(): void {
    this.#cron.stop();
    this.pause.close();
    this.blocking.close();
    this.scripting.close();
  }
}
