import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { BITMAP_HANDLERS } from "../../src/commands/bitmap.ts";
import type { Engine } from "../../src/engine.ts";
import { Random } from "../../src/random.ts";
import { bitmapCache } from "../../src/store/bitmap.ts";
import { bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const BIT_OFFSET = "-ERR bit offset is not an integer or out of range\r\n";
const TOO_LONG = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";

/** Records keyspace notifications as `class:event:key` (not `keymiss` and `new`). */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    if (cls !== "m" && cls !== "n") events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

/** Records the effect stream. */
function recordEffects(engine: Engine): string[] {
  const effects: string[] = [];
  engine.propagation.subscribe({ write: (argv) => effects.push(argv.join(" ")) });
  return effects;
}

function dirty(info: string): number {
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

Deno.test("SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD through ioredis", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  assert.equal(await redis.setbit("k", 7, 1), 0);
  assert.equal(await redis.setbit("k", 7, 1), 1);
  assert.equal(await redis.getbit("k", 7), 1);
  assert.equal(await redis.getbit("k", 6), 0);
  assert.equal(await redis.get("k"), "\x01");
  await redis.set("s", "foobar");
  assert.equal(await redis.bitcount("s"), 26);
  assert.equal(await redis.bitcount("s", 1, 1), 6);
  assert.equal(await redis.bitcount("s", 5, 30, "BIT"), 17);
  assert.equal(await redis.bitpos("s", 1), 1);
  assert.equal(await redis.bitpos("s", 0, 2, -1, "BIT"), 3);
  assert.equal(await redis.bitop("AND", "d", "s", "k"), 6);
  assert.deepEqual([...(await redis.getBuffer("d"))!], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(
    await redis.call(
      "BITFIELD",
      "f",
      ..."SET i8 0 -5 GET i8 0 OVERFLOW FAIL INCRBY u2 8 7".split(" "),
    ),
    [0, -5, null],
  );
  assert.deepEqual(await redis.call("BITFIELD_RO", "f", "GET", "u8", "0"), [251]);
  assert.deepEqual(await redis.getBuffer("f"), Buffer.from([251, 0]));
});

Deno.test("SETBIT publishes setbit only when it creates, grows or flips", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await raw.call("SETBIT", "k", "0", "0");
  await raw.call("SETBIT", "k", "0", "0");
  await raw.call("SETBIT", "k", "1", "1");
  await raw.call("SETBIT", "k", "1", "1");
  await raw.call("SETBIT", "k", "20", "0");
  await raw.call("SETBIT", "k", "x", "1");
  assert.deepEqual(events, ["$:setbit:k", "$:setbit:k", "$:setbit:k"]);
});

Deno.test("BITFIELD publishes one setbit per command that changed something", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await raw.call("BITFIELD", "k", "SET", "u8", "0", "1", "SET", "u8", "8", "2");
  await raw.call("BITFIELD", "k", "SET", "u8", "0", "1");
  await raw.call("BITFIELD", "k", "GET", "u8", "0");
  await raw.call("BITFIELD", "k", "INCRBY", "u8", "0", "1");
  await raw.call("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000");
  // All writes failed, yet the key is created (announced as new only).
  await raw.call("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u8", "0", "1000");
  assert.deepEqual(events, ["$:setbit:k", "$:setbit:k"]);
  assert.equal(await raw.call("EXISTS", "f"), int(1));
});

Deno.test("BITOP publishes set for a result and del when an empty one deletes", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "a", "abc");
  await raw.call("SET", "d", "old");
  const events = recordEvents(s.server.engine);
  await raw.call("BITOP", "NOT", "d", "a");
  await raw.call("BITOP", "AND", "d", "missing");
  await raw.call("BITOP", "AND", "d", "missing");
  await raw.call("BITOP", "OR", "n", "a");
  assert.deepEqual(events, ["$:set:d", "g:del:d", "$:set:n"]);
});

Deno.test("bit reads count keyspace hits and misses; BITFIELD writes do not", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const stats = s.server.engine.stats;
  await raw.call("SET", "a", "x");
  const before = [stats.keyspaceHits, stats.keyspaceMisses];
  await raw.call("GETBIT", "a", "0");
  await raw.call("GETBIT", "missing", "0");
  await raw.call("BITCOUNT", "missing");
  await raw.call("BITPOS", "a", "1");
  await raw.call("BITOP", "OR", "d", "a", "missing");
  await raw.call("BITFIELD_RO", "missing", "GET", "u8", "0");
  await raw.call("BITFIELD", "a", "GET", "u8", "0");
  await raw.call("BITFIELD", "a", "SET", "u8", "0", "1");
  await raw.call("SETBIT", "missing2", "0", "1");
  assert.deepEqual(
    [stats.keyspaceHits - before[0]!, stats.keyspaceMisses - before[1]!],
    [4, 4],
  );
});

Deno.test("a SETBIT that changes nothing leaves a WATCH alone; one that flips aborts it", async () => {
  await using s = await testServer();
  const a = await s.raw();
  const b = await s.raw();
  await a.call("SET", "k", "\x80");
  await b.call("WATCH", "k");
  await a.call("SETBIT", "k", "0", "1");
  await b.call("MULTI");
  await b.call("PING");
  assert.equal(await b.call("EXEC"), "*1\r\n+PONG\r\n");
  await b.call("WATCH", "k");
  await a.call("SETBIT", "k", "0", "0");
  await b.call("MULTI");
  await b.call("PING");
  assert.equal(await b.call("EXEC"), "*-1\r\n");
});

Deno.test("SETBIT and BITFIELD keep a TTL; BITOP drops its destination's", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "k", "abc", "PX", "5000");
  await raw.call("SETBIT", "k", "100", "1");
  await raw.call("BITFIELD", "k", "SET", "u8", "0", "1");
  assert.equal(await raw.call("PTTL", "k"), int(5000));
  await raw.call("BITOP", "NOT", "k", "k");
  assert.equal(await raw.call("PTTL", "k"), int(-1));
});

Deno.test("writes past V8's longest string answer the proto-max-bulk-len error", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  // 2^29 - 24 bytes is V8's limit; Redis's default limit is 2^29.
  assert.equal(await raw.call("SETBIT", "k", String((2 ** 29 - 23) * 8), "1"), TOO_LONG);
  assert.equal(await raw.call("SETBIT", "k", String(2 ** 32), "1"), BIT_OFFSET);
  assert.equal(
    await raw.call("BITFIELD", "k", "SET", "u8", String((2 ** 29 - 24) * 8), "1"),
    TOO_LONG,
  );
  assert.equal(await raw.call("EXISTS", "k"), int(0));
  await raw.call("RPUSH", "l", "a");
  assert.equal(await raw.call("SETBIT", "l", String((2 ** 29 - 23) * 8), "1"), WRONGTYPE);
  // Reads that far are fine.
  assert.equal(await raw.call("GETBIT", "k", String(2 ** 32 - 1)), int(0));
});

Deno.test("long bitmaps written through their rope stay equal to a byte model", async () => {
  await using s = await testServer({ config: { databases: "2" } });
  const raw = await s.raw();
  const engine = s.server.engine;
  const r = new Random(11);
  let model = new Uint8Array(0);
  let roped = 0;
  const grow = (n: number) => {
    if (n <= model.length) return;
    const next = new Uint8Array(n);
    next.set(model);
    model = next;
  };
  const modelString = () => String.fromCharCode(...model.subarray(0, 50_000)) + tail(model);
  const check = (what: string) => {
    const value = engine.db(0).get("bm");
    assert.equal(value, modelString(), `the value after ${what}`);
  };
  for (let step = 0; step < 600; step++) {
    const roll = r.next();
    if (roll < 0.45) {
      const offset = r.below(Math.max(8, model.length * 8 + 4000));
      const on = r.below(2);
      const old = (model[offset >> 3] ?? 0) >> (7 - (offset & 7)) & 1;
      assert.equal(await raw.call("SETBIT", "bm", String(offset), String(on)), int(old));
      grow((offset >> 3) + 1);
      model[offset >> 3] = on
        ? model[offset >> 3]! | (1 << (7 - (offset & 7)))
        : model[offset >> 3]! & ~(1 << (7 - (offset & 7)));
    } else if (roll < 0.65) {
      const offset = r.below(Math.max(8, model.length * 8 + 100));
      const value = r.below(65536);
      await raw.call("BITFIELD", "bm", "SET", "u16", String(offset), String(value));
      grow(((offset + 15) >> 3) + 1);
      for (let k = 0; k < 16; k++) {
        const bit = offset + k;
        const v = (value >> (15 - k)) & 1;
        model[bit >> 3] = v
          ? model[bit >> 3]! | (1 << (7 - (bit & 7)))
          : model[bit >> 3]! & ~(1 << (7 - (bit & 7)));
      }
    } else if (roll < 0.8 && model.length > 0) {
      const offset = r.below(model.length * 8);
      const bit = (model[offset >> 3]! >> (7 - (offset & 7))) & 1;
      assert.equal(await raw.call("GETBIT", "bm", String(offset)), int(bit));
      let count = 0;
      const from = r.below(model.length);
      for (let i = from; i < model.length; i++) {
        for (let b = model[i]!; b; b >>= 1) count += b & 1;
      }
      assert.equal(await raw.call("BITCOUNT", "bm", String(from), "-1"), int(count));
      let first = -1;
      for (let i = from; i < model.length && first === -1; i++) {
        if (model[i] !== 0) first = i * 8 + Math.clz32(model[i]!) - 24;
      }
      assert.equal(await raw.call("BITPOS", "bm", "1", String(from)), int(first));
    } else if (roll < 0.85) {
      // Another write to the key: the rope is stale from now on.
      await raw.call("APPEND", "bm", "xy");
      grow(model.length + 2);
      model[model.length - 2] = 120;
      model[model.length - 1] = 121;
    } else if (roll < 0.88) {
      const value = "\x0f".repeat(r.below(9000));
      await raw.call("SET", "bm", value);
      model = Uint8Array.from(value, (c) => c.charCodeAt(0));
    } else if (roll < 0.91) {
      // Round trips through another key and database.
      await raw.call("RENAME", "bm", "other");
      await raw.call("SETBIT", "other", "3", "1");
      model[0] = model[0]! | 0x10;
      await raw.call("MOVE", "other", "1");
      await raw.call("SWAPDB", "0", "1");
      await raw.call("RENAME", "other", "bm");
    } else if (roll < 0.94) {
      await raw.call("GET", "bm");
    } else if (roll < 0.96) {
      await raw.call("FLUSHALL");
      model = new Uint8Array(0);
    } else {
      await raw.call("BITOP", "NOT", "bm", "bm");
      if (model.length === 0) continue;
      model = model.map((b) => ~b & 0xff);
    }
    if (model.length > 0) check(`step ${step}`);
    const value = engine.db(0).get("bm");
    if (typeof value === "string" && bitmapCache(engine.db(0)).find("bm", value)) roped++;
  }
  assert.ok(roped > 100, `the rope served ${roped} steps`);
  assert.ok(bitmapCache(engine.db(0)).size <= 2);
});

function tail(model: Uint8Array): string {
  let s = "";
  for (let i = 50_000; i < model.length; i += 50_000) {
    s += String.fromCharCode(...model.subarray(i, i + 50_000));
  }
  return s;
}

Deno.test("a BITFIELD whose writes all fail propagates, though it counts no change", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const effects = recordEffects(s.server.engine);
  const info = async () => dirty(await raw.call("INFO", "persistence"));
  const before = await info();
  assert.equal(
    await raw.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "8", "300"),
    "*1\r\n$-1\r\n",
  );
  assert.equal(await raw.call("GET", "k"), bulk("\0\0"));
  // Nothing grows: nothing propagates.
  await raw.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "8", "300");
  assert.equal(await info(), before);
  assert.deepEqual(effects, ["SELECT 0", "BITFIELD k OVERFLOW FAIL SET u8 8 300"]);
});

Deno.test("BITFIELD reads and writes i64 and u63 extremes exactly", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(
    await raw.call(
      "BITFIELD",
      "k",
      "SET",
      "i64",
      "3",
      "-9223372036854775808",
      "GET",
      "i64",
      "3",
      "SET",
      "u63",
      "70",
      "9223372036854775807",
      "GET",
      "u63",
      "70",
      "INCRBY",
      "i64",
      "3",
      "9223372036854775807",
    ),
    `*5\r\n${int(0)}${int(-9223372036854775808n)}${int(0)}${int(9223372036854775807n)}${int(-1)}`,
  );
});

/** Each bitmap write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["SETBIT", "k", "0", "1"], changes: 1 },
  { run: ["SETBIT", "k", "0", "0"], changes: 1 },
  { setup: [["SET", "k", "\x80"]], run: ["SETBIT", "k", "0", "1"], changes: 0 },
  { setup: [["SET", "k", "\x80"]], run: ["SETBIT", "k", "0", "0"], changes: 1 },
  { setup: [["SET", "k", "\x80"]], run: ["SETBIT", "k", "1", "0"], changes: 0 },
  { setup: [["SET", "k", "\x80"]], run: ["SETBIT", "k", "100", "0"], changes: 1 },
  { setup: [["RPUSH", "k", "a"]], run: ["SETBIT", "k", "0", "1"], changes: 0 },
  { run: ["SETBIT", "k", "x", "1"], changes: 0 },
  { setup: [["SET", "a", "abc"]], run: ["BITOP", "AND", "d", "a", "b"], changes: 1 },
  { setup: [["SET", "a", "abc"]], run: ["BITOP", "NOT", "a", "a"], changes: 1 },
  { run: ["BITOP", "AND", "d", "a", "b"], changes: 0 },
  { setup: [["SET", "d", "x"]], run: ["BITOP", "OR", "d", "a"], changes: 1 },
  { setup: [["SET", "d", "x"], ["SET", "e", ""]], run: ["BITOP", "NOT", "d", "e"], changes: 1 },
  { setup: [["RPUSH", "a", "x"]], run: ["BITOP", "AND", "d", "a"], changes: 0 },
  { run: ["BITOP", "NOT", "d", "a", "b"], changes: 0 },
  { run: ["BITFIELD", "k", "SET", "u8", "0", "1"], changes: 1 },
  { run: ["BITFIELD", "k", "SET", "u8", "0", "0"], changes: 1 },
  {
    run: ["BITFIELD", "k", "SET", "u8", "0", "5", "SET", "u8", "0", "5", "INCRBY", "u8", "0", "0"],
    changes: 3,
  },
  { run: ["BITFIELD", "k", "GET", "u8", "0"], changes: 0 },
  { run: ["BITFIELD", "k"], changes: 0 },
  { run: ["BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "300"], changes: 0 },
  {
    run: ["BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "300", "SET", "u8", "0", "3"],
    changes: 1,
  },
  { setup: [["SET", "k", "\x05"]], run: ["BITFIELD", "k", "SET", "u8", "0", "5"], changes: 0 },
  { setup: [["SET", "k", "\x05"]], run: ["BITFIELD", "k", "SET", "u8", "0", "6"], changes: 1 },
  { setup: [["SET", "k", "\x05"]], run: ["BITFIELD", "k", "SET", "u8", "8", "0"], changes: 1 },
  {
    setup: [["SET", "k", "\x05"]],
    run: ["BITFIELD", "k", "INCRBY", "u8", "0", "1", "INCRBY", "u8", "0", "-1", "GET", "u8", "0"],
    changes: 2,
  },
  {
    setup: [["SET", "k", "\x05"]],
    run: ["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000"],
    changes: 0,
  },
  { setup: [["RPUSH", "k", "a"]], run: ["BITFIELD", "k", "SET", "u8", "0", "1"], changes: 0 },
  { run: ["BITFIELD", "k", "SET", "u99", "0", "1"], changes: 0 },
];

dirtyCountTests("bitmap", { handlers: BITMAP_HANDLERS, cases: DIRTY_CASES });
