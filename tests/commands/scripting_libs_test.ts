/**
 * Library-style Lua scripts (tests/support/lua_scripts.ts: Redlock's
 * release and extend, a sliding-window rate limiter, a token bucket and
 * BullMQ-like addJob / moveToActive / moveToFinished) run as client
 * workloads through ioredis `defineCommand`, which sends EVAL the first
 * time on a connection, EVALSHA after, and falls back to EVAL on
 * NOSCRIPT, and through node-redis `defineScript`, which always tries
 * EVALSHA first. The same seeded workload runs against resplite and a
 * real redis-server; every reply, the commandstats of what the scripts
 * called and the final datasets must match.
 */

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient, defineScript } from "redis";
import { startServer } from "../../src/server.ts";
import { sha1Hex } from "../../src/store/sha1.ts";
import { hasRedisServer, startRealRedis } from "../support/server.ts";
import { quote } from "../support/dataset.ts";
import {
  ADD_JOB,
  MOVE_TO_ACTIVE,
  MOVE_TO_FINISHED,
  RATE_LIMIT,
  REDLOCK_EXTEND,
  REDLOCK_RELEASE,
  TOKEN_BUCKET,
} from "../support/lua_scripts.ts";
import { mulberry32 } from "../support/prng.ts";

const REAL = hasRedisServer();

/** A command added by `defineCommand`, called with keys then arguments. */
type Custom = (...args: (string | number)[]) => Promise<unknown>;

/** The scripts and how many keys each takes, as an application defines them. */
const COMMANDS: Record<string, { lua: string; numberOfKeys: number }> = {
  releaseLock: { lua: REDLOCK_RELEASE, numberOfKeys: 1 },
  extendLock: { lua: REDLOCK_EXTEND, numberOfKeys: 1 },
  rateLimit: { lua: RATE_LIMIT, numberOfKeys: 1 },
  takeTokens: { lua: TOKEN_BUCKET, numberOfKeys: 1 },
  addJob: { lua: ADD_JOB, numberOfKeys: 6 },
  moveToActive: { lua: MOVE_TO_ACTIVE, numberOfKeys: 4 },
  moveToFinished: { lua: MOVE_TO_FINISHED, numberOfKeys: 5 },
};

/** An ioredis client on `port` with every library script defined. */
async function client(port: number): Promise<Redis> {
  const r = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  await r.connect();
  for (const [name, def] of Object.entries(COMMANDS)) r.defineCommand(name, def);
  return r;
}

/** A defined command of a client (or pipeline), bound to it. */
function custom(target: object, name: string): Custom {
  const f = (target as Record<string, Custom>)[name];
  assert.ok(typeof f === "function", `${name} is not defined`);
  return f.bind(target);
}

/** A reply (or error) as comparable text. */
function show(x: unknown): string {
  if (x instanceof Error) return `error ${x.message}`;
  return JSON.stringify(x);
}

async function settle(p: Promise<unknown>): Promise<string> {
  try {
    return show(await p);
  } catch (e) {
    return show(e);
  }
}

const QUEUE_KEYS = ["q:id", "q:wait", "q:delayed", "q:events", "q:paused", "q:meta"];

/**
 * Runs the seeded workload on one server: locks taken with SET NX PX and
 * released or extended through the scripts (with right and wrong tokens),
 * rate-limited and token-bucket requests on a fake clock, jobs added,
 * taken and finished by several workers, a SCRIPT FLUSH half way (so
 * EVALSHA answers NOSCRIPT and ioredis falls back to EVAL), and a
 * pipeline and a MULTI of defined commands. Times to live are at least
 * a minute of real time, so nothing expires between the two runs. Returns
 * every reply in order.
 */
async function workload(port: number, steps: number): Promise<string[]> {
  const r = await client(port);
  const sub = await client(port);
  const out: string[] = [];
  let published = 0;
  try {
    await r.config("RESETSTAT");
    await sub.subscribe("q:added");
    sub.on("message", () => published++);
    const rand = mulberry32(15);
    let clock = 1_000_000;
    const tokens = new Map<string, string>();
    const active: { id: string; token: string }[] = [];
    for (let i = 0; i < steps; i++) {
      clock += Math.floor(rand() * 3000);
      const pick = rand();
      if (i === Math.floor(steps / 2)) {
        out.push(`flush ${await r.script("FLUSH")}`);
      }
      if (pick < 0.15) {
        const lock = `lock:${Math.floor(rand() * 4)}`;
        const token = `t${i}`;
        const got = await r.set(lock, token, "PX", 60000, "NX");
        if (got === "OK") tokens.set(lock, token);
        out.push(`acquire ${lock} ${got}`);
      } else if (pick < 0.25) {
        const lock = `lock:${Math.floor(rand() * 4)}`;
        const token = rand() < 0.8 ? tokens.get(lock) ?? "none" : "intruder";
        out.push(`release ${await settle(custom(r, "releaseLock")(lock, token))}`);
      } else if (pick < 0.32) {
        const lock = `lock:${Math.floor(rand() * 4)}`;
        const token = rand() < 0.8 ? tokens.get(lock) ?? "none" : "intruder";
        out.push(`extend ${await settle(custom(r, "extendLock")(lock, token, 90000))}`);
      } else if (pick < 0.47) {
        const who = `rl:user${Math.floor(rand() * 3)}`;
        out.push(
          `limit ${await settle(custom(r, "rateLimit")(who, clock, 60000, 4, `req${i}`))}`,
        );
      } else if (pick < 0.6) {
        const bucket = `tb:${Math.floor(rand() * 2)}`;
        const want = 1 + Math.floor(rand() * 3);
        out.push(`bucket ${await settle(custom(r, "takeTokens")(bucket, 10, 20000, clock, want))}`);
      } else if (pick < 0.78) {
        const delay = rand() < 0.25 ? 1000 + Math.floor(rand() * 5000) : 0;
        const data = JSON.stringify({ n: i, text: `job ${i} é` });
        out.push(
          `add ${await settle(
            custom(r, "addJob")(...QUEUE_KEYS, "q:", `kind${i % 3}`, data, delay, clock),
          )}`,
        );
      } else if (pick < 0.9) {
        const token = `worker${i}`;
        const job = await custom(r, "moveToActive")(
          "q:wait",
          "q:active",
          "q:",
          "q:events",
          token,
          30000,
          clock,
        );
        if (Array.isArray(job)) active.push({ id: String(job[0]), token });
        out.push(`take ${show(job)}`);
      } else if (active.length > 0) {
        const at = Math.floor(rand() * active.length);
        const { id, token } = active.splice(at, 1)[0]!;
        const given = rand() < 0.85 ? token : "stolen";
        out.push(
          `finish ${await settle(
            custom(r, "moveToFinished")(
              "q:active",
              "q:completed",
              "q:",
              "q:events",
              `q:${id}:lock`,
              id,
              given,
              JSON.stringify({ ok: id }),
              clock,
            ),
          )}`,
        );
      } else {
        out.push(`idle ${await r.llen("q:active")}`);
      }
    }
    // A pipeline and a transaction of defined commands.
    const p = r.pipeline();
    custom(p, "rateLimit")("rl:pipe", clock, 60000, 2, "p1");
    custom(p, "rateLimit")("rl:pipe", clock, 60000, 2, "p2");
    custom(p, "rateLimit")("rl:pipe", clock, 60000, 2, "p3");
    custom(p, "addJob")(...QUEUE_KEYS, "q:", "piped", "{}", 0, clock);
    out.push(`pipeline ${show(await p.exec())}`);
    const m = r.multi();
    custom(m, "takeTokens")("tb:multi", 3, 60000, clock, 2);
    custom(m, "takeTokens")("tb:multi", 3, 60000, clock, 2);
    custom(m, "releaseLock")("lock:none", "x");
    out.push(`multi ${show(await m.exec())}`);
    out.push(`cached ${show(await r.script("EXISTS", sha1Hex(ADD_JOB), sha1Hex(RATE_LIMIT)))}`);
    // Let the last PUBLISH reach the subscriber.
    await r.ping();
    await sub.ping();
    out.push(`published ${published}`);
    return out;
  } finally {
    sub.disconnect();
    await r.quit();
  }
}

/**
 * INFO commandstats as `name calls=N rejected_calls=N failed_calls=N`
 * lines (times left out), INFO and PING left out (client set-up sends them).
 */
async function commandStats(port: number): Promise<string[]> {
  const r = await client(port);
  try {
    const info = await r.info("commandstats");
    const out: string[] = [];
    for (const line of info.split("\r\n")) {
      const m = /^cmdstat_([^:]+):calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)$/.exec(
        line,
      );
      if (m === null || m[1] === "info" || m[1] === "ping") continue;
      out.push(`${m[1]} calls=${m[2]} rejected_calls=${m[3]} failed_calls=${m[4]}`);
    }
    return out.sort();
  } finally {
    await r.quit();
  }
}

/**
 * Every key of database 0 as text, read through commands: type, value
 * (streams with their IDs replaced by positions, since XADD * stamps the
 * server's clock) and whether it has a time to live.
 */
async function dataset(port: number): Promise<Map<string, string>> {
  const r = await client(port);
  try {
    const out = new Map<string, string>();
    for (const key of (await r.keys("*")).sort()) {
      const type = await r.type(key);
      let value: string;
      switch (type) {
        case "string":
          value = quote((await r.get(key)) ?? "");
          break;
        case "list":
          value = (await r.lrange(key, 0, -1)).map(quote).join(", ");
          break;
        case "set":
          value = (await r.smembers(key)).sort().map(quote).join(", ");
          break;
        case "hash": {
          const h = await r.hgetall(key);
          value = Object.keys(h).sort().map((f) => `${quote(f)}: ${quote(h[f]!)}`).join(", ");
          break;
        }
        case "zset":
          value = (await r.zrange(key, 0, -1, "WITHSCORES")).map(quote).join(", ");
          break;
        case "stream": {
          const entries = await r.xrange(key, "-", "+");
          value = entries.map(([, fields], i) => `#${i} [${fields.map(quote).join(", ")}]`).join(
            ", ",
          );
          break;
        }
        default:
          value = "?";
      }
      const ttl = await r.pttl(key);
      out.set(key, `${type} ${value}${ttl > 0 ? " (expires)" : ""}`);
    }
    return out;
  } finally {
    await r.quit();
  }
}

Deno.test({
  name: "library scripts through ioredis: same replies and data as redis-server",
  ignore: !REAL,
  async fn() {
    await using real = await startRealRedis();
    await using ours = await startServer({ port: 0 });
    const steps = 400;
    const theirs = await workload(real.port, steps);
    const mine = await workload(ours.port, steps);
    // The commands the scripts called count in commandstats, as Redis counts them.
    assert.deepEqual(await commandStats(ours.port), await commandStats(real.port));
    for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
      assert.equal(mine[i], theirs[i], `step ${i}`);
    }
    const [a, b] = [await dataset(ours.port), await dataset(real.port)];
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [key, value] of b) assert.equal(a.get(key), value, `key ${key}`);
  },
});

Deno.test("defineCommand falls back to EVAL after SCRIPT FLUSH", async () => {
  await using server = await startServer({ port: 0 });
  const r = await client(server.port);
  try {
    const release = custom(r, "releaseLock");
    await r.set("lock", "me");
    // First use on the connection: EVAL, which caches the script.
    assert.equal(await release("lock", "other"), 0);
    assert.deepEqual(await r.script("EXISTS", sha1Hex(REDLOCK_RELEASE)), [1]);
    // Then EVALSHA; after a flush it answers NOSCRIPT and ioredis resends EVAL.
    assert.equal(await r.script("FLUSH"), "OK");
    assert.deepEqual(await r.script("EXISTS", sha1Hex(REDLOCK_RELEASE)), [0]);
    assert.equal(await release("lock", "me"), 1);
    assert.deepEqual(await r.script("EXISTS", sha1Hex(REDLOCK_RELEASE)), [1]);
    assert.equal(await r.exists("lock"), 0);
    await assert.rejects(
      r.evalsha("ffffffffffffffffffffffffffffffffffffffff", 0),
      /NOSCRIPT No matching script/,
    );
  } finally {
    await r.quit();
  }
});

Deno.test("Redlock release and extend only act for the holder's token", async () => {
  await using server = await startServer({ port: 0 });
  const r = await client(server.port);
  try {
    const release = custom(r, "releaseLock");
    const extend = custom(r, "extendLock");
    assert.equal(await r.set("res", "token-1", "PX", 10000, "NX"), "OK");
    assert.equal(await r.set("res", "token-2", "PX", 10000, "NX"), null);
    assert.equal(await extend("res", "token-2", 50000), 0);
    assert.equal(await extend("res", "token-1", 50000), 1);
    assert.ok((await r.pttl("res")) > 10000);
    assert.equal(await release("res", "token-2"), 0);
    assert.equal(await r.get("res"), "token-1");
    assert.equal(await release("res", "token-1"), 1);
    assert.equal(await r.exists("res"), 0);
    assert.equal(await release("res", "token-1"), 0);
    assert.equal(await extend("res", "token-1", 50000), 0);
  } finally {
    await r.quit();
  }
});

Deno.test("a BullMQ-style job goes wait -> active -> completed", async () => {
  await using server = await startServer({ port: 0 });
  const r = await client(server.port);
  try {
    assert.equal(await custom(r, "addJob")(...QUEUE_KEYS, "q:", "mail", "{}", 0, 100), "1");
    assert.equal(await custom(r, "addJob")(...QUEUE_KEYS, "q:", "mail", "{}", 500, 100), "2");
    assert.deepEqual(await r.lrange("q:wait", 0, -1), ["1"]);
    assert.deepEqual(await r.zrange("q:delayed", 0, -1, "WITHSCORES"), ["2", "600"]);
    const take = custom(r, "moveToActive");
    const job = await take("q:wait", "q:active", "q:", "q:events", "tok", 30000, 200);
    assert.ok(Array.isArray(job));
    assert.equal(job[0], "1");
    assert.equal(await take("q:wait", "q:active", "q:", "q:events", "tok", 30000, 201), null);
    assert.equal(await r.get("q:1:lock"), "tok");
    const finish = custom(r, "moveToFinished");
    const keys = ["q:active", "q:completed", "q:", "q:events", "q:1:lock"];
    assert.equal(await finish(...keys, "1", "bad", "null", 300), -6);
    assert.equal(await finish(...keys, "1", "tok", '"ok"', 300), 0);
    assert.equal(await finish(...keys, "1", "tok", '"ok"', 301), -2);
    assert.deepEqual(await r.lrange("q:active", 0, -1), []);
    assert.deepEqual(await r.zrange("q:completed", 0, -1, "WITHSCORES"), ["1", "300"]);
    assert.equal(await r.hget("q:1", "returnvalue"), '"ok"');
    assert.equal(await r.hget("q:1", "processedOn"), "200");
    assert.equal(await r.xlen("q:events"), 4);
  } finally {
    await r.quit();
  }
});

/** node-redis scripts: EVALSHA first, EVAL when the server answers NOSCRIPT. */
const NODE_SCRIPTS = {
  releaseLock: defineScript({
    NUMBER_OF_KEYS: 1,
    SCRIPT: REDLOCK_RELEASE,
    transformArguments: (key: string, token: string): string[] => [key, token],
    transformReply: (reply: number): number => reply,
  }),
  extendLock: defineScript({
    NUMBER_OF_KEYS: 1,
    SCRIPT: REDLOCK_EXTEND,
    transformArguments: (key: string, token: string, ms: number): string[] => [
      key,
      token,
      String(ms),
    ],
    transformReply: (reply: number): number => reply,
  }),
  rateLimit: defineScript({
    NUMBER_OF_KEYS: 1,
    SCRIPT: RATE_LIMIT,
    transformArguments: (key: string, now: number, id: string): string[] => [
      key,
      String(now),
      "60000",
      "2",
      id,
    ],
    transformReply: (reply: number[]): number[] => reply,
  }),
};

/** A short node-redis session: replies in order, then commandstats of the script commands. */
async function nodeRedisSession(port: number): Promise<string[]> {
  const c = createClient({ url: `redis://127.0.0.1:${port}`, scripts: NODE_SCRIPTS });
  await c.connect();
  try {
    const out: string[] = [];
    await c.sendCommand(["SCRIPT", "FLUSH"]);
    await c.sendCommand(["CONFIG", "RESETSTAT"]);
    out.push(await settle(c.set("lock", "me", { PX: 60000, NX: true })));
    out.push(await settle(c.extendLock("lock", "other", 90000)));
    out.push(await settle(c.extendLock("lock", "me", 90000)));
    out.push(await settle(c.releaseLock("lock", "other")));
    out.push(await settle(c.releaseLock("lock", "me")));
    for (let i = 0; i < 4; i++) out.push(await settle(c.rateLimit("rl", 1000 + i, `r${i}`)));
    out.push(await settle(c.sendCommand(["SCRIPT", "FLUSH"])));
    out.push(await settle(c.releaseLock("lock", "me")));
    out.push(await settle(c.zRange("rl", 0, -1)));
    const info = String(await c.sendCommand(["INFO", "commandstats"]));
    const stats: string[] = [];
    for (const line of info.split("\r\n")) {
      const m =
        /^cmdstat_(eval|evalsha|get|del|pexpire|zadd|zcard|script\|flush):calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)$/
          .exec(line);
      if (m !== null) stats.push(`${m[1]} calls=${m[2]} rejected=${m[3]} failed=${m[4]}`);
    }
    // Redis prints commandstats in its hash order.
    return [...out, ...stats.sort()];
  } finally {
    await c.quit();
  }
}

Deno.test({
  name: "library scripts through node-redis (EVALSHA, then EVAL on NOSCRIPT) as redis-server",
  ignore: !REAL,
  async fn() {
    await using real = await startRealRedis();
    await using ours = await startServer({ port: 0 });
    const theirs = await nodeRedisSession(real.port);
    const mine = await nodeRedisSession(ours.port);
    assert.deepEqual(mine, theirs);
    assert.ok(theirs.some((l) => l.startsWith("evalsha calls=")), theirs.join("\n"));
  },
});
