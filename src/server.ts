/**
 * The network server: listeners (TCP and optionally a Unix socket), the
 * connection registry, and an orderly close.
 *
 * @module
 */

import process from "node:process";
import { Connection } from "./connection.ts";
import { Engine, type EngineOptions, type HostInfo, type LogLevel } from "./engine.ts";
import type { Clock } from "./clock.ts";

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 6379. */
  port?: number;
  /** Address to bind. Default `127.0.0.1`. */
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
  cpu: () => {
    const u = process.cpuUsage();
    return [u.system / 1e6, u.user / 1e6];
  },
  executable: () => Deno.execPath(),
  os: () => `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
};

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
  /** The address bound. */
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

  /** @internal use {@linkcode startServer} */
  constructor(engine: Engine, listeners: Deno.Listener[], unixSocket: string | undefined) {
    this.engine = engine;
    this.#listeners = listeners;
    const addr = listeners[0]!.addr as Deno.NetAddr;
    this.port = addr.port;
    this.hostname = addr.hostname;
    this.unixSocket = unixSocket;
    engine.port = addr.port;
    engine.config.set("port", String(addr.port));
    engine.onShutdown = () => {
      this.close().catch(() => {});
    };
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

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      const maxClients = this.engine.config.number("maxclients");
      if (this.#connections.size >= maxClients) {
        this.engine.stats.rejectedConnections++;
        const msg = new TextEncoder().encode("-ERR max number of clients reached\r\n");
        conn.write(msg).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch {
            // already closed
          }
        });
        continue;
      }
      const connection = new Connection(conn, this.engine);
      this.#connections.add(connection);
      const task = connection.run().finally(() => {
        this.#connections.delete(connection);
        this.#tasks.delete(task);
      });
      this.#tasks.add(task);
    }
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
  const hostname = options.hostname ?? firstBind(config.bind) ?? "127.0.0.1";
  const unixSocket = options.unixSocket ?? (config.unixsocket || undefined);
  const engineOptions: EngineOptions = { config, host: DENO_HOST };
  if (options.clock !== undefined) engineOptions.clock = options.clock;
  if (options.seed !== undefined) engineOptions.seed = options.seed;
  if (options.log !== undefined) engineOptions.log = options.log;
  config.port = String(port);
  config.bind = config.bind ?? hostname;
  if (unixSocket !== undefined) config.unixsocket = unixSocket;
  const engine = new Engine(engineOptions);
  if (options.configFile !== undefined) engine.configFile = options.configFile;
  const listeners: Deno.Listener[] = [];
  try {
    listeners.push(Deno.listen({ hostname, port, transport: "tcp" }));
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
  return Promise.resolve(new RedisServer(engine, listeners, unixSocket));
}

function firstBind(bind: string | undefined): string | undefined {
  if (bind === undefined) return undefined;
  const first = bind.trim().split(/\s+/)[0];
  if (first === undefined || first === "" || first === "*") return undefined;
  return first.startsWith("-") ? first.slice(1) : first;
}
