/**
 * The chaos test: many connections that misbehave at once (resets,
 * half-closes, random and mutated RESP, clients that stop reading with large
 * replies pending, clients that block, subscribe, watch, monitor or wait on a
 * pause and then vanish, and a connection storm), bounded in count. Then the
 * server must still answer, hold the canary data written before, count its
 * clients as before and hold no more memory than a stated bound.
 *
 * Nothing here is timed: every fault is counted and every check compares.
 */

import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { RawClient, testServer } from "./support/server.ts";
import { connectAndReset, eventually, leftovers } from "./support/faults.ts";
import { encodeCommand, replyEnd } from "./support/raw_client.ts";
import { Random } from "../src/random.ts";

/** Heap growth allowed after the storm, once collected. */
const MEMORY_BOUND = 64 * 1024 * 1024;

/** Full collection, for a heap figure that is not just garbage. */
function collect(): void {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  gc();
}

/**
 * Checks a stream of replies: whole RESP replies, and a protocol error only
 * as the last one.
 *
 * @returns how many replies, and whether the last was a protocol error
 */
function checkReplies(out: string): { count: number; protocolError: boolean } {
  let pos = 0;
  let count = 0;
  let protocolError = false;
  while (pos < out.length) {
    assert.equal(protocolError, false, "nothing follows a protocol error");
    const end = replyEnd(out, pos);
    assert.notEqual(end, -1, `a whole reply at ${pos}: ${JSON.stringify(out.slice(pos, 80))}`);
    if (out.startsWith("-ERR Protocol error", pos)) protocolError = true;
    pos = end;
    count++;
  }
  return { count, protocolError };
}

/** Commands the fuzzer starts from: every group, on its own keys only. */
const CORPUS: string[][] = [
  ["SET", "fz:s", "value", "EX", "100"],
  ["GET", "fz:s"],
  ["INCR", "fz:n"],
  ["APPEND", "fz:s", "more"],
  ["MSET", "fz:a", "1", "fz:b", "2"],
  ["RPUSH", "fz:l", "a", "b", "c"],
  ["LRANGE", "fz:l", "0", "-1"],
  ["LPOP", "fz:l"],
  ["HSET", "fz:h", "f", "v", "g", "w"],
  ["HGETALL", "fz:h"],
  ["SADD", "fz:set", "1", "2", "x"],
  ["SMEMBERS", "fz:set"],
  ["DEL", "fz:a"],
  ["EXPIRE", "fz:n", "50"],
  ["TTL", "fz:n"],
  ["MULTI"],
  ["EXEC"],
  ["WATCH", "fz:s"],
  ["PING", "hello"],
  ["ECHO", "\x00\xff\r\n"],
  ["SUBSCRIBE", "fz:ch"],
  ["PUBLISH", "fz:ch", "m"],
  ["BLPOP", "fz:q", "0"],
  ["CLIENT", "SETNAME", "fuzz"],
  ["HELLO", "3"],
  ["SCAN", "0", "MATCH", "fz:*"],
  ["OBJECT", "ENCODING", "fz:l"],
];

function mutate(frame: string, rnd: () => number): string {
  const bytes = [...frame];
  const ops = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(rnd() * bytes.length);
    const op = Math.floor(rnd() * 6);
    if (op === 0) bytes[at] = String.fromCharCode(Math.floor(rnd() * 256));
    else if (op === 1) bytes.splice(at, 0, String.fromCharCode(Math.floor(rnd() * 256)));
    else if (op === 2) bytes.splice(at, 1);
    else if (op === 3) bytes.length = at;
    else if (op === 4) bytes.splice(at, 0, ...bytes.slice(at, at + 8));
    else {
      // A length or count digit replaced: a header that lies.
      const digits = bytes.map((c, j) => /\d/.test(c) ? j : -1).filter((j) => j >= 0);
      if (digits.length > 0) {
        bytes[digits[Math.floor(rnd() * digits.length)]!] = String(Math.floor(rnd() * 10));
      }
    }
  }
  return bytes.join("");
}

function randomBytes(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 2000);
  let s = "";
  // Mostly RESP-looking bytes, so the decoder's deeper states are reached too.
  const alphabet = "*$+-:\r\n0123456789 \"'\\abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let i = 0; i < n; i++) {
    s += rnd() < 0.7
      ? alphabet[Math.floor(rnd() * alphabet.length)]
      : String.fromCharCode(Math.floor(rnd() * 256));
  }
  return s;
}

/** Sends bytes, half-closes and reads every reply until the server closes. */
async function sendAndDrain(port: number, payload: string): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    await c.write(payload).catch(() => {});
    await c.closeWrite().catch(() => {});
    return await c.readToEnd(30_000).catch(() => "");
  } finally {
    c.close();
  }
}

/** Runs `count` tasks, at most `width` at a time. */
async function pool(count: number, width: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await task(next++);
  }));
}

interface Counts {
  [fault: string]: number;
}

async function canaryState(c: RawClient): Promise<string> {
  let s = "";
  for (let i = 0; i < 50; i++) {
    s += await c.call("GET", `canary:s:${i}`);
    s += await c.call("LRANGE", `canary:l:${i}`, "0", "-1");
    s += await c.call("HGETALL", `canary:h:${i}`);
    s += await c.call("SISMEMBER", `canary:set:${i}`, String(i));
    s += await c.call("SCARD", `canary:set:${i}`);
  }
  return s;
}

Deno.test("chaos: every network fault at once, then the server is whole", async () => {
  const seed = Number(Deno.env.get("CHAOS_SEED") ?? 20261207);
  const random = new Random(seed);
  const rnd = () => random.next();
  await using t = await testServer();
  const engine = t.server.engine;
  const port = t.port;
  const admin = await t.raw();
  for (let i = 0; i < 50; i++) {
    await admin.call("SET", `canary:s:${i}`, `v\x00\xff${i}`);
    await admin.call("RPUSH", `canary:l:${i}`, "a", String(i), "c");
    await admin.call("HSET", `canary:h:${i}`, "f", String(i));
    await admin.call("SADD", `canary:set:${i}`, String(i), "x");
  }
  await admin.call("SET", "fz:big", "B".repeat(2 * 1024 * 1024));
  const canary = await canaryState(admin);
  // One connection, shared by concurrent faults: its calls take turns.
  let turn: Promise<unknown> = Promise.resolve();
  const adminCall = (...argv: string[]): Promise<string> => {
    const call = turn.then(() => admin.call(...argv));
    turn = call.catch(() => {});
    return call;
  };
  collect();
  const heapBefore = Deno.memoryUsage().heapUsed;
  const counts: Counts = {};
  const count = (name: string) => counts[name] = (counts[name] ?? 0) + 1;
  let protocolErrors = 0;

  // Clients that stop reading with large replies pending stay open through
  // the whole storm, and are reset at the end.
  const stalled: RawClient[] = [];
  for (let i = 0; i < 8; i++) {
    const c = await RawClient.connect(port);
    await c.write(encodeCommand(["GET", "fz:big"]).repeat(16));
    stalled.push(c);
    count("stop reading with 32 MiB of replies pending");
  }

  const faults: (() => Promise<void>)[] = [
    async () => {
      await connectAndReset(port);
      count("reset right after connecting");
    },
    async () => {
      await connectAndReset(port, "*3\r\n$3\r\nSET\r\n$5\r\nfz:rs\r\n$10\r\nhalf");
      count("reset in the middle of a command");
    },
    async () => {
      await connectAndReset(port, encodeCommand(["INCR", "fz:ctr"]).repeat(200));
      count("reset in the middle of a pipelined batch");
    },
    async () => {
      const n = 1 + Math.floor(rnd() * 50);
      const out = await sendAndDrain(port, encodeCommand(["INCR", "fz:hc"]).repeat(n));
      assert.equal(checkReplies(out).count, n);
      count("half-close after a pipeline (every reply checked)");
    },
    async () => {
      const out = await sendAndDrain(port, randomBytes(rnd));
      if (checkReplies(out).protocolError) protocolErrors++;
      count("random bytes");
    },
    async () => {
      let payload = "";
      const frames = 1 + Math.floor(rnd() * 5);
      for (let i = 0; i < frames; i++) {
        const frame = encodeCommand(CORPUS[Math.floor(rnd() * CORPUS.length)]!);
        payload += rnd() < 0.6 ? mutate(frame, rnd) : frame;
      }
      const out = await sendAndDrain(port, payload);
      if (checkReplies(out).protocolError) protocolErrors++;
      count("mutated RESP");
    },
    async () => {
      const c = await RawClient.connect(port);
      const key = `fz:blk:${Math.floor(rnd() * 10)}`;
      const cmd = [["BLPOP", key, "0"], ["BLMOVE", key, "fz:dst", "LEFT", "RIGHT", "0"], [
        "BRPOPLPUSH",
        key,
        "fz:dst",
        "0",
      ]][Math.floor(rnd() * 3)]!;
      await c.write(encodeCommand(cmd));
      await eventually(() => engine.blocking.count > 0, 50);
      if (rnd() < 0.5) c.close();
      else {
        c.close();
        await connectAndReset(port, encodeCommand(["PING"]));
      }
      count("block and vanish");
    },
    async () => {
      const c = await RawClient.connect(port);
      await c.call("SUBSCRIBE", "fz:ch", `fz:ch:${Math.floor(rnd() * 5)}`).catch(() => "");
      await c.write(encodeCommand(["PSUBSCRIBE", "fz:*"]));
      await adminCall("PUBLISH", "fz:ch", "x".repeat(1000));
      c.close();
      count("subscribe and vanish (messages pending)");
    },
    async () => {
      const c = await RawClient.connect(port);
      await c.call("WATCH", "canary:s:1");
      await c.call("MULTI");
      await c.write(encodeCommand(["SET", "canary:s:1", "clobbered"]));
      c.close();
      count("vanish inside MULTI with WATCH");
    },
    async () => {
      const c = await RawClient.connect(port);
      await c.call("MONITOR");
      await adminCall("PING");
      c.close();
      count("vanish while MONITORing");
    },
    async () => {
      const c = await RawClient.connect(port);
      await c.call("CLIENT", "TRACKING", "on");
      await c.call("GET", "canary:s:2");
      await connectAndReset(port);
      c.close();
      count("vanish with tracking on");
    },
  ];

  await pool(1500, 24, async () => {
    await faults[Math.floor(rnd() * faults.length)]!();
  });

  // Paused clients vanish (one at a time: the pause is the server's).
  for (let i = 0; i < 20; i++) {
    assert.equal(await admin.call("CLIENT", "PAUSE", "100000", "WRITE"), "+OK\r\n");
    const c = await RawClient.connect(port);
    await c.write(encodeCommand(["SET", "canary:s:3", "paused"]));
    assert.ok(await eventually(() => engine.pause.heldCount === 1, 1000));
    c.close();
    assert.ok(await eventually(() => engine.pause.heldCount === 0, 1000));
    assert.equal(await admin.call("CLIENT", "UNPAUSE"), "+OK\r\n");
    count("vanish while paused");
  }

  // While the stalled clients still hold their replies, the rest is served.
  assert.equal(await admin.call("PING"), "+PONG\r\n");

  // A connection storm: 400 at once, each PING, then gone.
  for (let wave = 0; wave < 2; wave++) {
    const conns = await Promise.all(
      Array.from({ length: 200 }, () => RawClient.connect(port)),
    );
    const replies = await Promise.all(conns.map((c) => c.call("PING")));
    for (const r of replies) assert.equal(r, "+PONG\r\n");
    for (const c of conns) c.close();
    counts["connection storm (connections)"] = (counts["connection storm (connections)"] ?? 0) +
      200;
  }

  for (const c of stalled) c.close();

  // Afterwards: a new client is served, the canaries are intact, every
  // client is gone and nothing they held remains.
  await using fresh = await RawClient.connect(port);
  assert.equal(await fresh.call("PING"), "+PONG\r\n");
  assert.equal(await canaryState(fresh), canary);
  fresh.close();
  const settled = await eventually(
    () => engine.clients.size === 1 && engine.blocking.count === 0,
    1000,
  );
  assert.ok(settled, JSON.stringify(leftovers(engine)));
  assert.deepEqual(leftovers(engine), {
    clients: 1,
    blocked: 0,
    held: 0,
    channels: 0,
    patterns: 0,
    watches: 0,
    monitors: 0,
    tracking: 0,
  });
  const info = await admin.call("INFO", "clients");
  assert.match(info, /\r\nconnected_clients:1\r\n/);
  assert.match(info, /\r\nblocked_clients:0\r\n/);
  await admin.call("DEL", "fz:big");
  collect();
  const grown = Deno.memoryUsage().heapUsed - heapBefore;
  assert.ok(grown < MEMORY_BOUND, `heap grew by ${grown} bytes`);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.ok(total >= 1900, `faults injected: ${total}`);
  console.log(
    `chaos seed ${seed}: ${JSON.stringify(counts)}; protocol errors ${protocolErrors}; ` +
      `heap growth ${(grown / 1048576).toFixed(1)} MiB`,
  );
});
