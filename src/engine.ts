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
import { ContainerCursors } from "./store/scan.ts";
import { CommandTable } from "./commands/spec.ts";
import { registerAll } from "./commands/mod.ts";
import { Dispatcher } from "./dispatcher.ts";
import type { Reply } from "./resp/reply.ts";

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
}

const PURE_HOST: HostInfo = {
  pid: () => 0,
  rss: () => 0,
  heapUsed: () => 0,
  cpu: () => [0, 0],
  executable: () => "",
  os: () => "unknown",
};

/** Per-command statistics (INFO commandstats). */
export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Server statistics (INFO stats). */
export class Stats {
  totalConnections = 0;
  rejectedConnections = 0;
  totalCommands = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  totalErrorReplies = 0;
  /** Keyed by full command name. */
  commands = new Map<string, CommandStats>();
  /** Keyed by error code. */
  errors = new Map<string, number>();
  /** Socket reads that returned data (total_reads_processed). */
  totalReads = 0;
  /** Socket writes (total_writes_processed). */
  totalWrites = 0;
  /** Rolling samples of commands per second (instantaneous_ops_per_sec). */
  opsSamples: number[] = [];
  /** Rolling samples of input KiB per second (instantaneous_input_kbps). */
  inputKbpsSamples: number[] = [];
  /** Rolling samples of output KiB per second (instantaneous_output_kbps). */
  outputKbpsSamples: number[] = [];
  /** The previous sample's time and counters; time 0 before the first. */
  lastSample: [time: number, commands: number, netIn: number, netOut: number] = [0, 0, 0, 0];

  /**
   * Statistics of a command, created on first use.
   *
   * @param name full command name
   * @returns the mutable record
   */
  command(name: string): CommandStats {
    let s = this.commands.get(name);
    if (s === undefined) {
      s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.commands.set(name, s);
    }
    return s;
  }

  /**
   * Counts an error reply.
   *
   * @param code the error code (`ERR`, `WRONGTYPE`, ...)
   */
  error(code: string): void {
    this.totalErrorReplies++;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /**
   * Takes one instantaneous-metrics sample (Redis keeps 16, 100 ms apart).
   *
   * @param now the time in ms
   */
  sample(now: number): void {
    const [t, n, bytesIn, bytesOut] = this.lastSample;
    if (t !== 0 && now - t < 100) return;
    if (t !== 0) {
      const dt = now - t;
      push(this.opsSamples, ((this.totalCommands - n) * 1000) / dt);
      push(this.inputKbpsSamples, ((this.netInputBytes - bytesIn) * 1000) / dt / 1024);
      push(this.outputKbpsSamples, ((this.netOutputBytes - bytesOut) * 1000) / dt / 1024);
    }
    this.lastSample = [now, this.totalCommands, this.netInputBytes, this.netOutputBytes];
  }

  /**
   * CONFIG RESETSTAT. Command records are zeroed in place, so the command
   * running the reset is still counted, as in Redis.
   */
  reset(): void {
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalCommands = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.totalErrorReplies = 0;
    this.totalReads = 0;
    this.totalWrites = 0;
    for (const s of this.commands.values()) {
      s.calls = 0;
      s.usec = 0;
      s.rejectedCalls = 0;
      s.failedCalls = 0;
    }
    this.errors.clear();
    this.opsSamples = [];
    this.inputKbpsSamples = [];
    this.outputKbpsSamples = [];
    this.lastSample = [0, 0, 0, 0];
  }
}

const SAMPLES = 16;

function push(samples: number[], value: number): void {
  samples.push(value);
  if (samples.length > SAMPLES) samples.shift();
}

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
export type NotifyClass = "g" | "$" | "l" | "s" | "h" | "z" | "x" | "e" | "t" | "m" | "d" | "n";

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
  /** The command table. */
  readonly commands = new CommandTable();
  /** Process facts. */
  readonly host: HostInfo;
  /** Connected clients by id. */
  readonly clients = new Map<number, Client>();
  /** Live HSCAN / SSCAN / ZSCAN cursors. */
  readonly cursors = new ContainerCursors();
  /** 40 hex chars identifying this run. */
  readonly runId: string;
  /** The replication id (INFO master_replid), 40 hex chars. */
  readonly replId: string;
  /** Heap in use once started (INFO used_memory_startup). */
  readonly startupMemory: number;
  /** Highest heap use seen (INFO used_memory_peak). */
  peakMemory = 0;
  /** Start time, ms on the clock. */
  readonly startedAt: number;
  /** Writes since the last save (rdb_changes_since_last_save). */
  dirty = 0;
  /** Set by SHUTDOWN: the server closes once the reply is out. */
  shutdownRequested = false;
  /** Called when SHUTDOWN asks the server to stop. */
  onShutdown: () => void = () => {};
  /** The TCP port actually bound (INFO server). */
  port = 0;
  /** The config file loaded, if any (INFO server). */
  configFile = "";
  #dbs: Database[];
  #dispatcher: Dispatcher;
  #nextClientId = 1;
  #cancelCron: (() => void) | undefined;
  #log: (level: LogLevel, message: string) => void;
  #closed = false;

  /**
   * @param options clock, configuration, seed, host facts
   */
  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.config = new Config(options.config ?? {}, options.params ?? []);
    this.random = new Random(options.seed);
    this.host = options.host ?? PURE_HOST;
    this.#log = options.log ?? (() => {});
    this.runId = this.random.hex(40);
    this.replId = this.random.hex(40);
    this.startedAt = this.clock.now();
    const hooks = {
      expired: (_db: Database, _key: string) => {
        this.stats.expiredKeys++;
      },
    };
    const count = this.config.number("databases");
    this.#dbs = [];
    for (let i = 0; i < count; i++) this.#dbs.push(new Database(i, this.clock, hooks));
    registerAll(this.commands);
    this.#dispatcher = new Dispatcher(this);
    this.startupMemory = this.host.heapUsed();
    this.peakMemory = this.startupMemory;
    this.#scheduleCron();
  }

  /** Number of databases. */
  get databases(): number {
    return this.#dbs.length;
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
   * Heap in use now (INFO used_memory), tracking the peak.
   *
   * @returns bytes
   */
  usedMemory(): number {
    const used = this.host.heapUsed();
    if (used > this.peakMemory) this.peakMemory = used;
    return used;
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
    const client = new Client(this, this.#nextClientId++, options);
    this.clients.set(client.id, client);
    this.stats.totalConnections++;
    return client;
  }

  /**
   * Forgets a client (its connection is gone).
   *
   * @param client the client
   */
  disconnect(client: Client): void {
    client.closed = true;
    this.clients.delete(client.id);
  }

  /**
   * Runs one command for a client.
   *
   * @param client the calling client
   * @param argv the argument vector, binary strings
   * @returns the reply, or a promise of it for blocking commands
   */
  call(client: Client, argv: string[]): Reply | Promise<Reply> {
    return this.#dispatcher.dispatch(client, argv);
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

  /**
   * Records that a key was written (WATCH, tracking and notifications hook
   * here) and counts the change for persistence.
   *
   * @param _db the database
   * @param _key the key
   */
  keyModified(_db: Database, _key: string): void {
    this.dirty++;
  }

  /**
   * Publishes a keyspace notification (`notify-keyspace-events`). Every
   * write command calls it once per key and event, as Redis's
   * notifyKeyspaceEvent; the pub/sub delivery comes with notifications.
   *
   * @param _db the database
   * @param _cls the event class: `g` generic, `$` string, `l` list, ...
   * @param _event the event name (`set`, `del`, `expire`, ...)
   * @param _key the key
   */
  notify(_db: Database, _cls: NotifyClass, _event: string, _key: string): void {
  }

  /**
   * Records that every key of a database may have changed at once (FLUSHDB,
   * FLUSHALL, SWAPDB), as Redis's signalFlushedDb / touchAllWatchedKeysInDb:
   * WATCH and client-side tracking hook here. Not a keyspace notification:
   * Redis sends none for these commands.
   *
   * @param _db the database
   */
  databaseReplaced(_db: Database): void {
  }

  /**
   * One run of the periodic task: active expiry, idle-client timeout and
   * the instantaneous-metrics sample.
   */
  cron(): void {
    const hz = this.config.number("hz");
    const budget = Math.max(1, 250 / hz);
    const deadline = performance.now() + budget;
    for (const db of this.#dbs) {
      if (db.expiresCount > 0) db.activeExpire(deadline, () => performance.now());
    }
    const now = this.clock.now();
    this.stats.sample(now);
    this.usedMemory();
    const timeout = this.config.number("timeout");
    if (timeout > 0) this.#closeIdleClients(now, timeout);
  }

  /**
   * Closes clients idle for more than `timeout` seconds, as Redis's
   * clientsCronHandleTimeout: replicas, masters, MONITOR and subscribed
   * clients are exempt (blocked clients too, once blocking exists).
   */
  #closeIdleClients(now: number, timeout: number): void {
    const nowSec = Math.floor(now / 1000);
    for (const client of this.clients.values()) {
      if (client.role !== "normal" || client.subscribed) continue;
      if (nowSec - Math.floor(client.lastInteraction / 1000) <= timeout) continue;
      this.log("verbose", "Closing idle client");
      client.transport.close();
      this.disconnect(client);
    }
  }

  #scheduleCron(): void {
    if (this.#closed) return;
    const hz = this.config.number("hz");
    this.#cancelCron = this.clock.schedule(1000 / hz, () => {
      this.#cancelCron = undefined;
      this.cron();
      this.#scheduleCron();
    });
  }

  /** Stops the periodic task; the engine may not be used afterwards. */
  close(): void {
    this.#closed = true;
    this.#cancelCron?.();
    this.#cancelCron = undefined;
  }
}
