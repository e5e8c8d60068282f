/**
 * Test helpers: start a resplite server on port 0 (optionally with a manual
 * clock), connect ioredis or a raw client, and find a real redis-server.
 *
 * @module
 */

import { Redis } from "ioredis";
import { type RedisServer, type ServerOptions, startServer } from "../../src/server.ts";
import { ManualClock } from "../../src/clock.ts";
import { RawClient } from "./raw_client.ts";

export { ManualClock, RawClient, Redis };

/** A started test server with its clock. */
export interface TestServer extends AsyncDisposable {
  readonly server: RedisServer;
  readonly port: number;
  readonly clock: ManualClock;
  /** A new ioredis client (closed with the server). */
  redis(options?: Record<string, unknown>): Promise<Redis>;
  /** A new raw client (closed with the server). */
  raw(): Promise<RawClient>;
}

/**
 * Starts a server on port 0 with a manual clock.
 *
 * @example
 * ```ts ignore
 * await using t = await testServer();
 * const redis = await t.redis();
 * assert.equal(await redis.ping(), "PONG");
 * ```
 */
export async function testServer(options: ServerOptions = {}): Promise<TestServer> {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock();
  const server = await startServer({ port: 0, clock, ...options });
  const clients: { quit(): Promise<unknown>; disconnect(): void; status: string }[] = [];
  const raws: RawClient[] = [];
  return {
    server,
    port: server.port,
    clock,
    async redis(opts = {}) {
      const r = new Redis({
        port: server.port,
        host: "127.0.0.1",
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...opts,
      });
      await r.connect();
      clients.push(r);
      return r;
    },
    async raw() {
      const c = await RawClient.connect(server.port);
      raws.push(c);
      return c;
    },
    async [Symbol.asyncDispose]() {
      for (const c of clients) {
        // a client whose connection the server already closed (SHUTDOWN)
        // is done: disconnecting it would only start a 2 s timer
        if (c.status === "end" || c.status === "close") continue;
        try {
          await c.quit();
        } catch {
          c.disconnect();
        }
      }
      for (const c of raws) c.close();
      await server.close();
    },
  };
}

/** Whether a real redis-server binary is on PATH. */
export function hasRedisServer(): boolean {
  try {
    const out = new Deno.Command("redis-server", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A real redis-server child process. */
export interface RealRedis extends AsyncDisposable {
  readonly port: number;
  /** Its working directory (`--dir`), removed on dispose. */
  readonly dir: string;
}

/**
 * Starts a real redis-server on a free port, without persistence.
 *
 * @param args extra redis-server arguments
 */
export async function startRealRedis(args: string[] = []): Promise<RealRedis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "resplite-real-" });
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      ...args,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      const c = await RawClient.connect(port);
      const r = await c.call("PING");
      c.close();
      if (r === "+PONG\r\n" || r.startsWith("-NOAUTH")) break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    port,
    dir,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
