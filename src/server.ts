/**
 * The network server: listeners (TCP and optionally a Unix socket), the
 * connection registry, and an orderly close.
 *
 * @module
 */

import { Connection, FlushQueue } from "./connection.ts";
import { Engine, type EngineOptions, type HostInfo, type LogLevel } from "./engine.ts";
import type { Clock } from "./clock.ts";
import { Errors } from "./errors.ts";
import { binaryToBytes, bytesToBinary } from "./resp/decoder.ts";

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 6379. */
  port?: number;
  /**
   * Address to bind. Default: the `bind` config parameter (several
   * addresses, `*` for every IPv4 one, `-` prefix for optional ones), else
   * `127.0.0.1`.
   */
  hostname?: string;
  /** Also listen on this Unix socket path. */
  unixSocket?: string;
  /** The clock (a `ManualClock` in tests). */
  clock?: Clock;
  /** Configuration parameters by name, as in redis.conf (`requirepass`, `hz`, ...). */
  config?: Record<string, string>;
  /** Seed for the random source. */
  seed?: number;
  /** Log sink; default: none. */
  log?: (level: LogLevel, message: string) => void;
  /** Path of the config file loaded (INFO server). */
  configFile?: string;
}

const DENO_HOST: HostInfo = {
  pid: () => Deno.pid,
  rss: () => Deno.memoryUsage().rss,
  heapUsed: () => Deno.memoryUsage().heapUsed,
  cpu: processCpu,
  executable: () => Deno.execPath(),
  os: () => `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
  totalMemory: () => Deno.systemMemoryInfo().total,
  collectGarbage: fullGc,
  cwd: () => Deno.cwd(),
  readFile(path: string): string | null {
    try {
      const bytes = Deno.readFileSync(path);
      return bytesToBinary(bytes, 0, bytes.length);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new Error(osErrorText(e));
    }
  },
  replaceFile(path: string, content: string): void {
    const tmp = `${path}.${Math.random().toString(36).slice(2, 8)}`;
    try {
      Deno.writeFileSync(tmp, binaryToBytes(content), { mode: 0o644 });
      Deno.renameSync(tmp, path);
    } catch (e) {
      try {
        Deno.removeSync(tmp);
      } catch {
        // never written
      }
      throw new Error(osErrorText(e));
    }
  },
};

/** The C library's text for a Deno file-system error (`Permission denied`). */
function osErrorText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "Is a directory";
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/ \(os error \d+\).*$/, "");
}

/** Clock ticks per second in `/proc` (USER_HZ, 100 on every Linux ABI). */
const USER_HZ = 100;

/**
 * CPU seconds in a Linux `/proc/<pid>/stat` text, `[system, user]` (every
 * thread of the process).
 *
 * @param stat the file's text
 * @returns seconds of system and user time
 * @example
 * ```ts
 * import { statCpuSeconds } from "./server.ts";
 * const stat = "42 (a b) S " + "0 ".repeat(10) + "250 120 0 0";
 * console.assert(statCpuSeconds(stat)[0] === 1.2 && statCpuSeconds(stat)[1] === 2.5);
 * ```
 */
export function statCpuSeconds(stat: string): [number, number] {
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(fields[12]) / USER_HZ, Number(fields[11]) / USER_HZ];
}

/**
 * CPU seconds this process used, `[system, user]`. Read from
 * `/proc/self/stat` on Linux: `node:process` (for `cpuUsage()`) costs about
 * 30 ms of start-up to load, a third of the start-up budget. Elsewhere it is
 * loaded in the background once a server starts, and reads zero until then.
 */
function processCpu(): [number, number] {
  if (Deno.build.os === "linux") {
    try {
      return statCpuSeconds(Deno.readTextFileSync("/proc/self/stat"));
    } catch {
      // Fall through.
    }
  }
  const u = nodeProcess?.cpuUsage();
  return u === undefined ? [0, 0] : [u.system / 1e6, u.user / 1e6];
}

/** `node:process`, where loaded (not on Linux). */
let nodeProcess: { cpuUsage(): { user: number; system: number } } | undefined;

function loadNodeProcess(): void {
  if (Deno.build.os === "linux" || nodeProcess !== undefined) return;
  import("node:process").then((m) => nodeProcess = m.default, () => {});
}

/** V8's `gc()` once found; null when the runtime refuses it. */
let gcFunction: (() => void) | null | undefined;
let gcLoading = false;

/**
 * Runs a full, compacting garbage collection. V8 hands out `gc()` to
 * contexts created after `--expose-gc` is set, which `node:v8` can do at run
 * time. `node:vm` costs about 20 ms of start-up to load, so both modules are
 * loaded on first use, in the background: that first call reports false.
 *
 * @returns whether a collection ran
 */
function fullGc(): boolean {
  if (gcFunction) {
    gcFunction();
    return true;
  }
  if (gcFunction === undefined && !gcLoading) {
    gcLoading = true;
    Promise.all([import("node:v8"), import("node:vm")]).then(([v8, vm]) => {
      v8.default.setFlagsFromString("--expose-gc");
      const gc = vm.default.runInNewContext("gc");
      gcFunction = typeof gc === "function" ? gc as () => void : null;
    }).catch(() => {
      gcFunction = null;
    });
  }
  return false;
}

/**
 * A running resplite server.
 *
 * @example Starting and stopping a server
 * ```ts
 * import { startServer } from "./server.ts";
 * await using server = await startServer({ port: 0 });
 * console.assert(server.port > 0);
 * console.assert(server.url === `redis://127.0.0.1:${server.port}`);
 * ```
 */
export class RedisServer implements AsyncDisposable {
  /** The engine: databases, config, clients, commands. */
  readonly engine: Engine;
  /** The TCP port bound. */
  readonly port: number;
  /** The first address bound. */
  readonly hostname: string;
  /** The Unix socket path, if any. */
  readonly unixSocket: string | undefined;
  #listeners: Deno.Listener[];
  #connections = new Set<Connection>();
  #tasks = new Set<Promise<void>>();
  #accepting: Promise<void>[];
  #closing: Promise<void> | undefined;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #flushes = new FlushQueue();
  /** Ends the accept loops' back-off waits (on close). */
  #wake = new Set<() => void>();

  /** @internal use {@linkcode startServer} */
  constructor(
    engine: Engine,
    listeners: Deno.Listener[],
    unixSocket: string | undefined,
    configFile?: string,
  ) {
    this.engine = engine;
    this.#listeners = listeners;
    const addr = listeners[0]!.addr as Deno.NetAddr;
    this.port = addr.port;
    this.hostname = addr.hostname;
    this.unixSocket = unixSocket;
    engine.config.set("port", String(addr.port));
    engine.started({
      port: addr.port,
      ...(configFile !== undefined ? { configFile } : {}),
      onShutdown: () => {
        this.close().catch(() => {});
      },
    });
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#accepting = listeners.map((l) => this.#acceptLoop(l));
  }

  /** `redis://host:port`. */
  get url(): string {
    const host = this.hostname.includes(":") ? `[${this.hostname}]` : this.hostname;
    return `redis://${host}:${this.port}`;
  }

  /** Resolves once the server has closed (by `close()` or SHUTDOWN). */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Accepts connections until the server closes. An accept error never ends
   * the loop: it is logged as Redis logs it (`Accepting client connection:
   * ...`, verbose) and the next connection is awaited. A peer that reset
   * before the accept completed (ECONNABORTED, or ENOTCONN from the
   * runtime's address lookup) costs nothing; running out of descriptors or
   * memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) backs off for a moment instead
   * of spinning, while the clients already connected go on being served.
   */
  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    let backoff = 0;
    while (this.#closing === undefined) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (this.#closing !== undefined) return;
        this.engine.log("verbose", `Accepting client connection: ${errorText(e)}`);
        if (e instanceof Deno.errors.BadResource) {
          // The listener itself is gone (not by close()): nothing to accept from.
          this.engine.log("warning", `Listener closed unexpectedly: ${errorText(e)}`);
          return;
        }
        if (RESOURCE_ERRORS.has(errorCode(e))) {
          backoff = Math.min(Math.max(backoff * 2, ACCEPT_BACKOFF_MIN), ACCEPT_BACKOFF_MAX);
          await this.#pause(backoff);
        }
        continue;
      }
      backoff = 0;
      if (this.#closing !== undefined) {
        closeQuietly(conn);
        return;
      }
      this.#serve(conn);
    }
  }

  /** Serves an accepted connection, or turns it away past `maxclients`. */
  #serve(conn: Deno.Conn): void {
    const engine = this.engine;
    if (this.#connections.size >= engine.config.number("maxclients")) {
      engine.stats.rejectedConnections++;
      engine.log(
        "verbose",
        "Error registering fd event for the new client: max number of clients reached",
      );
      this.#track(rejectClient(conn));
      return;
    }
    let connection: Connection;
    try {
      connection = new Connection(conn, engine, { flushes: this.#flushes });
    } catch (e) {
      // The socket failed between accept and registration (reset, closed).
      engine.log("verbose", `Accepting client connection: ${errorText(e)}`);
      closeQuietly(conn);
      return;
    }
    this.#connections.add(connection);
    this.#track(
      connection.run().finally(() => {
        this.#connections.delete(connection);
      }),
    );
  }

  /** Waits `ms` of real time (the accept back-off), or less if the server closes. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake.add(done);
    });
  }

  /** Keeps a task until it settles, so `close()` can await it. */
  #track(task: Promise<void>): void {
    const tracked = task.catch(() => {}).finally(() => {
      this.#tasks.delete(tracked);
    });
    this.#tasks.add(tracked);
  }

  /**
   * Stops listening, closes every connection and waits for their tasks.
   *
   * @returns a promise that resolves once everything is closed
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const wake of [...this.#wake]) wake();
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    await Promise.all(this.#accepting);
    for (const c of this.#connections) c.close();
    await Promise.all(this.#tasks);
    this.engine.close();
    if (this.unixSocket !== undefined) {
      try {
        Deno.removeSync(this.unixSocket);
      } catch {
        // already gone
      }
    }
    this.#resolveClosed();
  }

  /** Closes the server (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a server listening on TCP (and a Unix socket when asked).
 *
 * @param options port, address, clock, config
 * @returns the running server
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * await using server = await startServer({ port: 0, config: { requirepass: "s3cret" } });
 * console.assert(server.engine.authRequired());
 * ```
 */
export function startServer(options: ServerOptions = {}): Promise<RedisServer> {
  const config: Record<string, string> = { ...options.config };
  const port = options.port ?? Number(config.port ?? 6379);
  const binds = options.hostname !== undefined
    ? [{ hostname: options.hostname, optional: false }]
    : bindAddresses(config.bind ?? "127.0.0.1");
  if (binds.length === 0) binds.push({ hostname: "127.0.0.1", optional: false });
  const unixSocket = options.unixSocket ?? (config.unixsocket || undefined);
  loadNodeProcess();
  const engineOptions: EngineOptions = { config, host: DENO_HOST };
  if (options.clock !== undefined) engineOptions.clock = options.clock;
  if (options.seed !== undefined) engineOptions.seed = options.seed;
  if (options.log !== undefined) engineOptions.log = options.log;
  config.port = String(port);
  config.bind = config.bind ?? binds[0]!.hostname;
  if (unixSocket !== undefined) config.unixsocket = unixSocket;
  const engine = new Engine(engineOptions);
  const listeners: Deno.Listener[] = [];
  try {
    // Every address shares one port: with port 0, the first one picks it.
    let bound = port;
    for (const { hostname, optional } of binds) {
      try {
        const l = Deno.listen({ hostname, port: bound, transport: "tcp" });
        listeners.push(l);
        bound = (l.addr as Deno.NetAddr).port;
      } catch (e) {
        if (!optional) throw e;
      }
    }
    if (listeners.length === 0) throw new Error(`could not bind any of ${config.bind}`);
    if (unixSocket !== undefined) {
      try {
        Deno.removeSync(unixSocket);
      } catch {
        // no stale socket
      }
      listeners.push(Deno.listen({ path: unixSocket, transport: "unix" }));
    }
  } catch (e) {
    for (const l of listeners) l.close();
    engine.close();
    return Promise.reject(e);
  }
  return Promise.resolve(new RedisServer(engine, listeners, unixSocket, options.configFile));
}

/** Accept errors that mean the process is out of a resource: back off before the next try. */
const RESOURCE_ERRORS: ReadonlySet<string> = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);
const ACCEPT_BACKOFF_MIN = 10;
const ACCEPT_BACKOFF_MAX = 1000;

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

const MAX_CLIENTS_REACHED = Uint8Array.from(`-${Errors.maxClients}\r\n`, (c) => c.charCodeAt(0));

/** Tells a client over `maxclients` so, as Redis does, and closes it. */
async function rejectClient(conn: Deno.Conn): Promise<void> {
  try {
    await conn.write(MAX_CLIENTS_REACHED);
  } catch {
    // The client left already.
  } finally {
    closeQuietly(conn);
  }
}

/**
 * The addresses of a redis.conf `bind` value: `*` is every IPv4 address,
 * `::*` every IPv6 one, and a `-` prefix marks an address that may be
 * unavailable.
 */
function bindAddresses(bind: string): { hostname: string; optional: boolean }[] {
  const out: { hostname: string; optional: boolean }[] = [];
  for (const word of bind.trim().split(/\s+/)) {
    if (word === "") continue;
    const optional = word.startsWith("-");
    const addr = optional ? word.slice(1) : word;
    out.push({ hostname: addr === "*" ? "0.0.0.0" : addr === "::*" ? "::" : addr, optional });
  }
  return out;
}
