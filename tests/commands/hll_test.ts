import assert from "node:assert/strict";
import {
  hasRedisServer,
  RawClient,
  type RealRedis,
  startRealRedis,
  type TestServer,
  testServer,
} from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { HLL_HANDLERS } from "../../src/commands/hll.ts";

const REAL = hasRedisServer();

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_HLL = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
const CORRUPT_ERR = "-INVALIDOBJ Corrupted HLL object detected\r\n";

/** A sparse sketch whose opcodes cover only half the registers. */
const HALF = "HYLL\x01\0\0\0" + "\0".repeat(7) + "\x80" + "\x5f\xff";

function int(n: number | bigint): string {
  return `:${n}\r\n`;
}

/** The payload of a bulk reply. */
function payload(reply: string): string {
  assert.equal(reply[0], "$", reply.slice(0, 40));
  return reply.slice(reply.indexOf("\r\n") + 2, -2);
}

function elements(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

/** A deterministic pseudo-random source of 24-bit integers. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
}

Deno.test("PFADD, PFCOUNT and PFMERGE through ioredis", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  assert.equal(await redis.pfadd("visitors", "alice", "bob", "carol"), 1);
  assert.equal(await redis.pfadd("visitors", "alice"), 0);
  assert.equal(await redis.pfcount("visitors"), 3);
  assert.equal(await redis.pfadd("other", "dave", "alice"), 1);
  assert.equal(await redis.pfcount("visitors", "other"), 4);
  assert.equal(await redis.pfmerge("all", "visitors", "other"), "OK");
  assert.equal(await redis.pfcount("all"), 4);
  assert.equal(await redis.type("all"), "string");
  const bytes = await redis.getBuffer("all");
  assert.equal(bytes!.subarray(0, 4).toString("latin1"), "HYLL");
  assert.equal(await redis.pfadd("empty"), 1);
  assert.equal(await redis.pfcount("empty"), 0);
  assert.equal(await redis.pfcount("missing"), 0);
  assert.equal(await redis.pfadd("visitors"), 0);
});

Deno.test("HyperLogLog errors are Redis's, counted in errorstats by code", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "a");
  await raw.call("SET", "s", "text");
  await raw.call("SET", "c", HALF);
  assert.equal(await raw.call("PFADD", "l", "a"), WRONGTYPE);
  assert.equal(await raw.call("PFADD", "s", "a"), NOT_HLL);
  assert.equal(await raw.call("PFCOUNT", "s"), NOT_HLL);
  assert.equal(await raw.call("PFCOUNT", "c"), CORRUPT_ERR);
  assert.equal(await raw.call("PFCOUNT", "c", "nokey"), CORRUPT_ERR);
  assert.equal(await raw.call("PFMERGE", "d", "c"), CORRUPT_ERR);
  assert.equal(await raw.call("PFDEBUG", "TODENSE", "c"), CORRUPT_ERR);
  assert.equal(
    await raw.call("PFDEBUG", "TODENSE", "nokey"),
    "-ERR The specified key does not exist\r\n",
  );
  assert.equal(await raw.call("PFDEBUG", "DECODE", "s"), NOT_HLL);
  await raw.call("PFADD", "h", ...elements("e", 5000));
  assert.equal(await raw.call("PFDEBUG", "DECODE", "h"), "-ERR HLL encoding is not sparse\r\n");
  assert.equal(
    await raw.call("PFDEBUG", "what\r\never", "h"),
    "-ERR Unknown PFDEBUG subcommand 'what  ever'\r\n",
  );
  const info = await raw.call("INFO", "errorstats");
  assert.match(info, /errorstat_INVALIDOBJ:count=4\r\n/);
  assert.match(info, /errorstat_WRONGTYPE:count=4\r\n/);
});

Deno.test("PFADD fails part way on a corrupt sketch, keeping what it changed", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "c", HALF);
  // "a" lands in register 12711, past the opcodes; "hello" in 9216, too.
  assert.equal(await raw.call("PFADD", "c", "a"), CORRUPT_ERR);
  assert.equal(payload(await raw.call("GET", "c")), HALF, "nothing changed before the failure");
  // Some of these land below register 8192 and change the value in place.
  assert.equal(await raw.call("PFADD", "c", ...elements("x", 50)), CORRUPT_ERR);
  const after = payload(await raw.call("GET", "c"));
  assert.notEqual(after, HALF);
  assert.equal(after.slice(0, 16), HALF.slice(0, 16), "the cache was already invalid");
});

Deno.test("HyperLogLog writes keep the key's TTL; an expired sketch is gone", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("PFADD", "h", "a");
  await raw.call("PEXPIRE", "h", "10000");
  await raw.call("PFADD", "h", "b");
  await raw.call("PFCOUNT", "h");
  await raw.call("PFMERGE", "h", "h");
  await raw.call("PFDEBUG", "TODENSE", "h");
  assert.equal(await raw.call("PTTL", "h"), int(10000));
  s.clock.advance(10000);
  assert.equal(await raw.call("PFCOUNT", "h"), int(0));
  assert.equal(await raw.call("PFADD", "h", "a"), int(1));
  assert.equal(await raw.call("PTTL", "h"), int(-1));
});

/** Runs a command on both servers; the replies must be equal. */
async function both(ours: RawClient, theirs: RawClient, ...argv: string[]): Promise<string> {
  const [a, b] = await Promise.all([ours.call(...argv), theirs.call(...argv)]);
  assert.equal(a, b, `${argv[0]} ${argv[1] ?? ""}: replies differ`);
  return a;
}

async function withBoth(
  fn: (ours: RawClient, theirs: RawClient, s: TestServer, real: RealRedis) => Promise<void>,
): Promise<void> {
  await using s = await testServer();
  await using real = await startRealRedis();
  await using ours = await RawClient.connect(s.port);
  await using theirs = await RawClient.connect(real.port);
  await fn(ours, theirs, s, real);
}

Deno.test({
  name: "a sketch GET from redis-server counts the same here, and the other way round",
  ignore: !REAL, // the oracle is a real redis-server
  fn: () =>
    withBoth(async (ours, theirs) => {
      for (const n of [0, 1, 10, 200, 1500, 4000, 50000]) {
        const key = `h${n}`;
        const items = elements(`${n}-`, n);
        // Written by Redis, read here.
        for (let i = 0; i < n || i === 0; i += 1000) {
          await theirs.call("PFADD", key, ...items.slice(i, i + 1000));
        }
        const written = payload(await theirs.call("GET", key));
        await ours.call("SET", key, written);
        assert.equal(await ours.call("PFCOUNT", key), await theirs.call("PFCOUNT", key), key);
        assert.equal(
          payload(await ours.call("GET", key)),
          payload(await theirs.call("GET", key)),
          `${key}: the cached cardinality`,
        );
        // Written here, read by Redis.
        const mine = `m${n}`;
        for (let i = 0; i < n || i === 0; i += 1000) {
          await ours.call("PFADD", mine, ...items.slice(i, i + 1000));
        }
        await theirs.call("SET", mine, payload(await ours.call("GET", mine)));
        await both(ours, theirs, "GET", mine);
        await theirs.call("SET", mine, payload(await ours.call("GET", mine)));
        assert.equal(await theirs.call("PFCOUNT", mine), await ours.call("PFCOUNT", mine));
        // Both go on from there to the same bytes.
        await both(ours, theirs, "PFADD", mine, ...elements("more", 300));
        await both(ours, theirs, "GET", mine);
        await both(ours, theirs, "PFCOUNT", key, mine);
      }
    }),
});

Deno.test({
  name: "random PFADD and PFMERGE sequences leave the bytes redis-server leaves",
  ignore: !REAL, // the oracle is a real redis-server
  fn: () =>
    withBoth(async (ours, theirs) => {
      const next = lcg(2024);
      const limits = ["3000", "0", "50", "400", "12000"];
      for (let round = 0; round < 40; round++) {
        await both(ours, theirs, "CONFIG", "SET", "hll-sparse-max-bytes", limits[round % 5]!);
        const keys = ["a", "b", "c"];
        for (let step = 0; step < 12; step++) {
          const key = keys[next() % 3]!;
          const r = next() % 8;
          if (r < 5) {
            const n = next() % (round < 20 ? 30 : 400);
            const items = Array.from({ length: n }, () => {
              let s = "";
              for (let k = next() % 12; k > 0; k--) s += String.fromCharCode(next() & 255);
              return s;
            });
            await both(ours, theirs, "PFADD", key, ...items);
          } else if (r < 6) {
            await both(ours, theirs, "PFCOUNT", key);
          } else if (r < 7) {
            await both(ours, theirs, "PFMERGE", key, keys[next() % 3]!, keys[next() % 3]!);
          } else {
            await both(ours, theirs, "PFCOUNT", ...keys);
          }
          await both(ours, theirs, "GET", key);
        }
        for (const key of keys) await both(ours, theirs, "DEL", key);
      }
      await both(ours, theirs, "CONFIG", "SET", "hll-sparse-max-bytes", "3000");
    }),
});

Deno.test({
  name: "crafted sparse sketches of short runs split and merge as redis-server's do",
  ignore: !REAL, // the oracle is a real redis-server
  fn: () =>
    withBoth(async (ours, theirs) => {
      const next = lcg(777);
      await both(ours, theirs, "CONFIG", "SET", "hll-sparse-max-bytes", "100000");
      for (let t = 0; t < 60; t++) {
        // Runs of VAL 1..3, ZERO and XZERO, covering the 16384 registers.
        let ops = "";
        let total = 0;
        while (total < 16384) {
          const left = 16384 - total;
          const kind = next() % 3;
          if (kind === 0) {
            const n = Math.min(left, 1 + next() % 4);
            ops += String.fromCharCode(0x80 | ((next() % 3) << 2) | (n - 1));
            total += n;
          } else if (kind === 1) {
            const n = Math.min(left, 1 + next() % 64);
            ops += String.fromCharCode(n - 1);
            total += n;
          } else {
            const n = Math.min(left, 1 + next() % 300);
            ops += String.fromCharCode(0x40 | ((n - 1) >> 8), (n - 1) & 255);
            total += n;
          }
        }
        const value = "HYLL\x01\0\0\0" + "\0".repeat(7) + "\x80" + ops;
        await both(ours, theirs, "SET", "k", value);
        await both(ours, theirs, "PFCOUNT", "k");
        await both(ours, theirs, "PFADD", "k", ...elements(`e${t}-`, 200));
        await both(ours, theirs, "GET", "k");
        await both(ours, theirs, "PFMERGE", "m", "k");
        await both(ours, theirs, "GET", "m");
        await both(ours, theirs, "DEL", "m");
      }
      await both(ours, theirs, "CONFIG", "SET", "hll-sparse-max-bytes", "3000");
    }),
});

const H = [["PFADD", "h", "a", "b"]];
const DENSE = [...H, ["PFDEBUG", "TODENSE", "h"]];

/** Each HyperLogLog write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["PFADD", "h"], changes: 1 },
  { run: ["PFADD", "h", "a", "b", "c"], changes: 4 },
  { run: ["PFADD", "h", "a", "a"], changes: 2 },
  { setup: H, run: ["PFADD", "h", "a", "b"], changes: 0 },
  { setup: H, run: ["PFADD", "h"], changes: 0 },
  { setup: H, run: ["PFADD", "h", "a", "c", "d"], changes: 2 },
  { setup: DENSE, run: ["PFADD", "h", "a", "c", "d"], changes: 2 },
  { setup: [["SET", "h", "text"]], run: ["PFADD", "h", "a"], changes: 0 },
  { setup: [["SET", "h", HALF]], run: ["PFADD", "h", ...elements("x", 50)], changes: 0 },
  { setup: H, run: ["PFMERGE", "d", "h"], changes: 1 },
  { setup: H, run: ["PFMERGE", "h", "h"], changes: 1 },
  { run: ["PFMERGE", "d"], changes: 1 },
  { run: ["PFMERGE", "d", "x", "y"], changes: 1 },
  { setup: [["SET", "h", HALF]], run: ["PFMERGE", "d", "h"], changes: 0 },
  { setup: H, run: ["PFCOUNT", "h"], changes: 1 },
  { setup: [...H, ["PFCOUNT", "h"]], run: ["PFCOUNT", "h"], changes: 0 },
  { setup: H, run: ["PFCOUNT", "h", "h"], changes: 0 },
  { run: ["PFCOUNT", "h"], changes: 0 },
  { setup: H, run: ["PFDEBUG", "GETREG", "h"], changes: 1 },
  { setup: DENSE, run: ["PFDEBUG", "GETREG", "h"], changes: 0 },
  { setup: H, run: ["PFDEBUG", "TODENSE", "h"], changes: 1 },
  { setup: DENSE, run: ["PFDEBUG", "TODENSE", "h"], changes: 0 },
  { setup: H, run: ["PFDEBUG", "DECODE", "h"], changes: 0 },
  { setup: H, run: ["PFDEBUG", "ENCODING", "h"], changes: 0 },
  { setup: [["SET", "h", HALF]], run: ["PFDEBUG", "TODENSE", "h"], changes: 0 },
];

dirtyCountTests("hll", { handlers: HLL_HANDLERS, cases: DIRTY_CASES });
