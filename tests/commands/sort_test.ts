import assert from "node:assert/strict";
import {
  hasRedisServer,
  RawClient,
  startRealRedis,
  type TestServer,
  testServer,
} from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { parseSortScore, pqsort, SORT_HANDLERS } from "../../src/commands/sort.ts";
import { ZSetValue } from "../../src/store/zset.ts";
import { HashValue } from "../../src/store/hash.ts";
import type { Database } from "../../src/store/database.ts";
import { arr, bulk } from "../support/resp.ts";

const SYNTAX = "-ERR syntax error\r\n";
const NOT_DOUBLE = "-ERR One or more scores can't be converted into double\r\n";

function db(t: TestServer, index = 0): Database {
  return t.server.engine.db(index);
}

const LIMITS = { maxEntries: 128, maxValue: 64 };

/** Stores a sorted set directly (the tests do not depend on ZADD). */
function zset(t: TestServer, key: string, entries: [string, number][]): ZSetValue {
  const z = ZSetValue.fromEntries(entries, LIMITS);
  db(t).set(key, z);
  return z;
}

Deno.test("SORT through ioredis: numeric, ALPHA, BY, GET, LIMIT, STORE", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  await redis.rpush("ids", "3", "1", "2");
  await redis.mset("name_1", "one", "name_2", "two", "name_3", "three");
  await redis.mset("rank_1", "30", "rank_2", "10", "rank_3", "20");
  assert.deepEqual(await redis.sort("ids"), ["1", "2", "3"]);
  assert.deepEqual(await redis.sort("ids", "DESC"), ["3", "2", "1"]);
  assert.deepEqual(await redis.sort("ids", "BY", "rank_*"), ["2", "3", "1"]);
  assert.deepEqual(await redis.sort("ids", "BY", "rank_*", "GET", "name_*", "GET", "#"), [
    "two",
    "2",
    "three",
    "3",
    "one",
    "1",
  ]);
  assert.deepEqual(await redis.sort("ids", "GET", "name_*", "ALPHA", "LIMIT", 1, 1), ["two"]);
  assert.deepEqual(await redis.sort("ids", "BY", "nosort", "GET", "missing_*"), [
    null,
    null,
    null,
  ]);
  assert.equal(await redis.sort("ids", "BY", "rank_*", "DESC", "STORE", "out"), 3);
  assert.deepEqual(await redis.lrange("out", 0, -1), ["1", "3", "2"]);
  assert.deepEqual(await redis.call("SORT_RO", "ids", "DESC", "LIMIT", 0, 2), ["3", "2"]);
  await assert.rejects(redis.call("SORT_RO", "ids", "STORE", "out"), /syntax error/);
  await redis.set("str", "x");
  await assert.rejects(redis.sort("str"), /WRONGTYPE/);
});

Deno.test("SORT answers its errors before touching anything", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "b", "a");
  await raw.call("SET", "str", "v");
  await t.step("options are parsed before the key is looked up", async () => {
    assert.equal(await raw.call("SORT", "str", "NOPE"), SYNTAX);
    assert.equal(
      await raw.call("SORT", "str", "LIMIT", "1", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
  });
  await t.step("a weight that is not a number fails the whole SORT, STORE included", async () => {
    await raw.call("SET", "d", "keep");
    assert.equal(await raw.call("SORT", "l", "STORE", "d"), NOT_DOUBLE);
    assert.equal(await raw.call("GET", "d"), bulk("keep"));
  });
  await t.step("SORT_RO has no STORE", async () => {
    assert.equal(await raw.call("SORT_RO", "l", "ALPHA", "STORE", "d"), SYNTAX);
    assert.equal(await raw.call("SORT_RO", "l", "ALPHA"), arr("a", "b"));
  });
});

Deno.test("SORT of a sorted set converts it to a skiplist and keeps score order with nosort", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const z = zset(s, "z", [["c", 3], ["a", 1], ["b", 2], ["10", 5], ["9", 4]]);
  assert.equal(z.encoding(), "listpack");
  await t.step(
    "a constant BY walks the scores, DESC from the top, LIMIT on the range",
    async () => {
      assert.equal(await raw.call("SORT", "z", "BY", "nosort"), arr("a", "b", "c", "9", "10"));
      assert.equal(z.encoding(), "skiplist");
      assert.equal(
        await raw.call("SORT", "z", "BY", "nosort", "DESC"),
        arr("10", "9", "c", "b", "a"),
      );
      assert.equal(await raw.call("SORT", "z", "BY", "nosort", "LIMIT", "1", "2"), arr("b", "c"));
      assert.equal(
        await raw.call("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"),
        arr("9", "c"),
      );
      assert.equal(await raw.call("SORT", "z", "BY", "nosort", "LIMIT", "4", "9"), arr("10"));
      assert.equal(await raw.call("SORT", "z", "BY", "nosort", "LIMIT", "5", "1"), arr());
    },
  );
  await t.step("sorting sorts the members, not the scores", async () => {
    assert.equal(await raw.call("SORT", "z", "ALPHA"), arr("10", "9", "a", "b", "c"));
    assert.equal(await raw.call("SORT", "z"), NOT_DOUBLE);
    zset(s, "n", [["10", 1], ["9", 2], ["-1", 3]]);
    assert.equal(await raw.call("SORT", "n"), arr("-1", "9", "10"));
    assert.equal(await raw.call("SORT", "n", "STORE", "d"), ":3\r\n");
    assert.equal(await raw.call("LRANGE", "d", "0", "-1"), arr("-1", "9", "10"));
  });
  await t.step("even a SORT that fails converts it", async () => {
    const e = zset(s, "e", [["x", 1]]);
    assert.equal(await raw.call("SORT", "e"), NOT_DOUBLE);
    assert.equal(e.encoding(), "skiplist");
  });
});

Deno.test("SORT looks pattern keys up as reads: statistics and keymiss as Redis", async (t) => {
  const script: string[][] = [
    ["RPUSH", "l", "1", "2", "3"],
    ["SET", "w_1", "5"],
    ["HSET", "h_2", "f", "1"],
    ["SET", "s_3", "x"],
    ["CONFIG", "RESETSTAT"],
    ["SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "h_*->f", "GET", "#", "GET", "nostar"],
    ["SORT", "missing", "BY", "w_*"],
    ["SORT", "l", "BY", "nosort", "GET", "s_*", "LIMIT", "0", "1"],
    ["SORT", "l", "BY", "s_*->f", "ALPHA", "STORE", "d"],
    ["SORT_RO", "l", "BY", "h_*->f", "GET", "h_*->f"],
  ];
  const measure = async (port: number) => {
    await using c = await RawClient.connect(port);
    await c.call("FLUSHALL");
    await c.call("CONFIG", "SET", "notify-keyspace-events", "Km");
    await using sub = await RawClient.connect(port);
    await sub.call("PSUBSCRIBE", "__keyspace@0__:*");
    for (const argv of script) await c.call(...argv);
    const info = await c.call("INFO", "stats");
    const stat = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)![1]);
    // The events, up to a marker published last.
    await c.call("GET", "marker");
    const events: string[] = [];
    for (;;) {
      const frame = await sub.reply();
      const key = frame.split("\r\n")[6]!.slice("__keyspace@0__:".length);
      if (key === "marker") break;
      events.push(key);
    }
    await c.call("CONFIG", "SET", "notify-keyspace-events", "");
    return { hits: stat("keyspace_hits"), misses: stat("keyspace_misses"), events };
  };
  await using s = await testServer();
  const ours = await measure(s.port);
  await t.step("pinned figures", () => {
    assert.deepEqual(ours, {
      hits: 9,
      misses: 15,
      events: [
        "w_2",
        "w_3",
        "o_2",
        "o_3",
        "h_3",
        "o_1",
        "h_1",
        "missing",
        "s_1",
        "s_1",
        "s_2",
        "h_1",
        "h_3",
        "h_1",
        "h_3",
      ],
    });
  });
  await t.step({
    name: "the same on a real redis-server 7.0.15",
    ignore: !hasRedisServer(), // the oracle is a real redis-server
    fn: async () => {
      await using real = await startRealRedis();
      assert.deepEqual(await measure(real.port), ours);
    },
  });
});

Deno.test("SORT ... STORE publishes sortstore, or del when it stores nothing", async (t) => {
  await using s = await testServer({ config: { "enable-debug-command": "yes" } });
  const raw = await s.raw();
  // The active expiry cycle must not reclaim the keys these steps let expire.
  assert.equal(await raw.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "+OK\r\n");
  assert.equal(await raw.call("CONFIG", "SET", "notify-keyspace-events", "KEA"), "+OK\r\n");
  const sub = await s.raw();
  await sub.call("PSUBSCRIBE", "__keyevent@0__:*");
  const next = async () => {
    const frame = await sub.reply();
    const parts = frame.split("\r\n");
    return `${parts[6]!.slice("__keyevent@0__:".length)} ${parts[8]}`;
  };
  await raw.call("RPUSH", "l", "2", "1");
  assert.equal(await next(), "rpush l");
  await t.step("a stored list: sortstore", async () => {
    await raw.call("SORT", "l", "STORE", "d");
    assert.equal(await next(), "sortstore d");
  });
  await t.step("nothing stored over an existing key: del", async () => {
    await raw.call("SORT", "l", "LIMIT", "0", "0", "STORE", "d");
    assert.equal(await next(), "del d");
    await raw.call("SORT", "missing", "STORE", "d");
    await raw.call("SET", "marker", "1");
    assert.equal(await next(), "set marker");
  });
  await t.step("over an expired destination: expired, then sortstore", async () => {
    await raw.call("SET", "e", "x", "PX", "10");
    assert.equal(await next(), "set e");
    assert.equal(await next(), "expire e");
    s.clock.advance(20);
    await raw.call("SORT", "l", "STORE", "e");
    assert.equal(await next(), "expired e");
    assert.equal(await next(), "sortstore e");
  });
  await t.step("nothing stored over an expired destination: del, as Redis's dbDelete", async () => {
    await raw.call("SET", "f", "x", "PX", "10");
    assert.equal(await next(), "set f");
    assert.equal(await next(), "expire f");
    s.clock.advance(20);
    assert.equal(await raw.call("SORT", "missing", "STORE", "f"), ":0\r\n");
    assert.equal(await next(), "del f");
  });
});

Deno.test("SORT ... STORE wakes a client blocked on the destination", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  const blocked = await s.redis();
  await redis.rpush("src", "3", "1", "2");
  const popped = blocked.blpop("dst", 0);
  // Let the BLPOP register.
  while ((await redis.info("clients")).includes("blocked_clients:0")) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(await redis.sort("src", "STORE", "dst"), 3);
  assert.deepEqual(await popped, ["dst", "1"]);
  assert.deepEqual(await redis.lrange("dst", 0, -1), ["2", "3"]);
});

Deno.test("SORT ... STORE aborts a WATCHing EXEC; SORT without STORE does not", async () => {
  await using s = await testServer();
  const a = await s.raw();
  const b = await s.raw();
  await a.call("RPUSH", "l", "1");
  await a.call("WATCH", "d", "l");
  await b.call("SORT", "l", "BY", "w_*", "GET", "#");
  await a.call("MULTI");
  await a.call("PING");
  assert.equal(await a.call("EXEC"), "*1\r\n+PONG\r\n");
  await a.call("WATCH", "d");
  await b.call("SORT", "l", "STORE", "d");
  await a.call("MULTI");
  await a.call("PING");
  assert.equal(await a.call("EXEC"), "*-1\r\n");
});

Deno.test("a hash field reached through -> expires lazily", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "1", "2");
  await raw.call("HSET", "h_1", "f", "10", "g", "x");
  await raw.call("HSET", "h_2", "f", "5");
  await raw.call("HPEXPIRE", "h_2", "100", "FIELDS", "1", "f");
  assert.equal(await raw.call("SORT", "l", "BY", "h_*->f"), arr("2", "1"));
  s.clock.advance(200);
  assert.equal(await raw.call("SORT", "l", "BY", "h_*->f", "GET", "h_*->f"), arr(null, "10"));
  assert.equal(await raw.call("EXISTS", "h_2"), ":0\r\n");
});

Deno.test("SORT is binary safe in elements, patterns, keys and fields", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
  await raw.call("RPUSH", "l", ...all.map((c) => `e${c}`));
  for (const c of all) await raw.call("SET", `\xffe${c}\x00`, `v${c}`);
  const reply = await raw.call("SORT", "l", "ALPHA", "STORE", "d", "GET", "\xff*\x00");
  assert.equal(reply, ":256\r\n");
  const values = await raw.call("LRANGE", "d", "0", "-1");
  // Whole byte strings with STORE: e\0 first, e\xff last.
  assert.equal(values, arr(...all.map((c) => `v${c}`)));
  await raw.call("HSET", "h\x00", "f\x00\xff", "1");
  assert.equal(
    await raw.call("SORT", "l", "LIMIT", "0", "1", "ALPHA", "GET", "h*->f\x00\xff"),
    arr(null),
  );
  await raw.call("HSET", "he\x00", "f\x00\xff", "1");
  assert.equal(
    await raw.call("SORT", "l", "LIMIT", "0", "1", "ALPHA", "GET", "h*->f\x00\xff"),
    arr("1"),
  );
});

Deno.test("SORT of a large list: STORE, LIMIT and ALPHA DESC", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const n = 200_000;
  const batch: string[] = [];
  for (let i = 0; i < n; i++) batch.push(String((i * 7919) % n));
  for (let i = 0; i < n; i += 10_000) await raw.call("RPUSH", "big", ...batch.slice(i, i + 10_000));
  assert.equal(await raw.call("SORT", "big", "STORE", "out"), `:${n}\r\n`);
  assert.equal(await raw.call("SORT", "big", "LIMIT", "0", "2"), arr("0", "1"));
  assert.equal(await raw.call("SORT", "big", "ALPHA", "DESC", "LIMIT", "0", "1"), arr("99999"));
  assert.equal(await raw.call("LINDEX", "out", "-1"), bulk(String(n - 1)));
});

Deno.test("parseSortScore reads numbers as glibc's strtod", async (t) => {
  await t.step("accepted", () => {
    const cases: [string, number][] = [
      ["", 0],
      ["\x00abc", 0],
      ["3\x00junk", 3],
      [" \t\n\v\f\r5", 5],
      ["+3", 3],
      ["-0", -0],
      ["1.", 1],
      [".5", 0.5],
      ["00012", 12],
      ["1e3", 1000],
      ["1E-3", 0.001],
      ["0x10", 16],
      ["0X1p3", 8],
      ["0x.8", 0.5],
      ["-0x1.8p1", -3],
      ["inf", Infinity],
      ["-INFINITY", -Infinity],
      ["1.7976931348623157e308", 1.7976931348623157e308],
      ["2.2250738585072014e-308", 2 ** -1022],
      ["2.2250738585072013e-308", 2 ** -1022],
      ["0x1p-1074", 2 ** -1074],
      ["0x1.fffffffffffff8p-1023", 2 ** -1022],
      ["0e-999", 0],
      ["0x0p99999", 0],
      ["9223372036854775807", 9223372036854775807],
    ];
    for (const [text, value] of cases) {
      assert.ok(Object.is(parseSortScore(text), value), JSON.stringify(text));
    }
  });
  await t.step("refused", () => {
    const cases = [
      " ",
      "5 ",
      "1_0",
      "e5",
      "1e",
      "1e+",
      "+",
      "-",
      ".",
      "0x",
      "0x1p",
      "nan",
      "infinit",
      "1e400",
      "1.7976931348623159e308",
      "1e-400",
      "1e-310",
      "4.9406564584124654e-324",
      "2.2250738585072011e-308",
      "2.2250738585072012e-308",
      "0x1p-1075",
      "0x3p-1075",
      "0x1.fffffffffffffp-1023",
      "0x1p99999",
      "0x1p-99999",
    ];
    for (const text of cases) assert.equal(parseSortScore(text), null, JSON.stringify(text));
  });
});

Deno.test("pqsort puts what a full sort would in the wanted window", () => {
  let x = 12345;
  const rand = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let round = 0; round < 400; round++) {
    const n = rand(120);
    const v = Array.from({ length: n }, () => rand(n < 30 ? 4 : 60));
    const sorted = v.slice().sort((a, b) => a - b);
    const lo = rand(n + 1);
    const hi = Math.min(n - 1, lo + rand(n + 1) - 1);
    const w = v.slice();
    pqsort(w, (a, b) => a - b, lo, hi);
    assert.deepEqual(w.slice(lo, hi + 1), sorted.slice(lo, hi + 1), `n=${n} ${lo}..${hi}`);
    assert.deepEqual(w.slice().sort((a, b) => a - b), sorted);
  }
});

Deno.test("SORT of a hash value answers WRONGTYPE; patterns reading a hash as a string get nil", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  db(s).set("h", new HashValue(new Map([["f", "v"]])));
  assert.equal(
    await raw.call("SORT", "h"),
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
  );
  await raw.call("RPUSH", "l", "h");
  assert.equal(await raw.call("SORT", "l", "ALPHA", "GET", "*", "GET", "*->f"), arr(null, "v"));
});

const LIST = [["RPUSH", "l", "3", "1", "2"]];

/** SORT and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { setup: LIST, run: ["SORT", "l"], changes: 0 },
  { setup: LIST, run: ["SORT", "l", "STORE", "d"], changes: 3 },
  { setup: LIST, run: ["SORT", "l", "GET", "#", "GET", "x_*", "STORE", "d"], changes: 6 },
  { setup: LIST, run: ["SORT", "l", "LIMIT", "1", "1", "STORE", "d"], changes: 1 },
  { setup: [...LIST, ["SET", "d", "x"]], run: ["SORT", "l", "STORE", "d"], changes: 3 },
  { setup: [["SET", "d", "x"]], run: ["SORT", "missing", "STORE", "d"], changes: 1 },
  {
    setup: [...LIST, ["SET", "d", "x"]],
    run: ["SORT", "l", "LIMIT", "0", "0", "STORE", "d"],
    changes: 1,
  },
  { run: ["SORT", "missing", "STORE", "d"], changes: 0 },
  { setup: [["RPUSH", "l", "a"]], run: ["SORT", "l", "STORE", "d"], changes: 0 },
  {
    setup: [["SADD", "s", "b", "a"]],
    run: ["SORT", "s", "BY", "nosort", "STORE", "d"],
    changes: 2,
  },
];

dirtyCountTests("sort", { handlers: SORT_HANDLERS, cases: DIRTY_CASES });
