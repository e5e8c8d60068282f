import assert from "node:assert/strict";
import { type RawClient, type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { ZSET_HANDLERS } from "../../src/commands/zset.ts";
import { ZSetValue } from "../../src/store/zset.ts";
import { arr, bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";
const NOT_FLOAT = "-ERR value is not a valid float\r\n";
const MINMAX = "-ERR min or max is not a float\r\n";
const LEXITEM = "-ERR min or max not valid string range item\r\n";
const NIL = "$-1\r\n";
const NULL3 = "_\r\n";

/** Every byte value once. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

/** A RESP3 array of [member, double] pairs. */
function pairs3(...items: [string, string][]): string {
  return `*${items.length}\r\n${items.map(([m, s]) => `*2\r\n${bulk(m)},${s}\r\n`).join("")}`;
}

async function resp3(t: TestServer): Promise<RawClient> {
  const raw = await t.raw();
  await raw.call("HELLO", "3");
  return raw;
}

function zsetOf(t: TestServer, key: string): ZSetValue {
  const v = t.server.engine.db(0).get(key);
  assert.ok(v instanceof ZSetValue, `${key} holds a sorted set`);
  return v;
}

Deno.test("ZADD adds and updates, ZRANGE lists by score then member (ioredis)", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  assert.equal(await redis.zadd("z", 1, "a", 2, "b", 3, "c"), 3);
  assert.equal(await redis.zadd("z", 5, "a", 2, "b", 0, "d"), 1);
  assert.deepEqual(await redis.zrange("z", 0, -1), ["d", "b", "c", "a"]);
  assert.deepEqual(await redis.zrange("z", 0, 1, "WITHSCORES"), ["d", "0", "b", "2"]);
  assert.equal(await redis.zscore("z", "a"), "5");
  assert.equal(await redis.zcard("z"), 4);
  assert.equal(await redis.type("z"), "zset");
  await t.step("a leaderboard: ZINCRBY, ZREVRANGE, ZREVRANK", async () => {
    await redis.zincrby("board", 10, "alice");
    await redis.zincrby("board", 30, "bob");
    await redis.zincrby("board", 25, "alice");
    assert.deepEqual(await redis.zrevrange("board", 0, -1, "WITHSCORES"), [
      "alice",
      "35",
      "bob",
      "30",
    ]);
    assert.equal(await redis.zrevrank("board", "bob"), 1);
  });
  await t.step("a rate limiter: ZREMRANGEBYSCORE, ZADD, ZCARD in MULTI", async () => {
    const now = 1_000_000;
    for (let i = 0; i < 5; i++) await redis.zadd("rl", now - i * 1000, `req${i}`);
    const res = await redis.multi()
      .zremrangebyscore("rl", 0, now - 2500)
      .zadd("rl", now + 1, "req5")
      .zcard("rl")
      .exec();
    assert.deepEqual(res, [[null, 2], [null, 1], [null, 4]]);
  });
  await t.step("binary members with every byte", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("ZADD", "bin", "1", ALL_BYTES, "2", "\x00", "0", "\xff"), int(3));
    assert.equal(await raw.call("ZRANGE", "bin", "0", "-1"), arr("\xff", ALL_BYTES, "\x00"));
    assert.equal(await raw.call("ZSCORE", "bin", ALL_BYTES), bulk("1"));
  });
});

Deno.test("ZADD flags follow Redis: NX XX GT LT CH INCR and their errors", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("ZADD", "z", "XX", "1", "a"), int(0));
  assert.equal(await raw.call("EXISTS", "z"), int(0));
  assert.equal(await raw.call("ZADD", "z", "NX", "1", "a"), int(1));
  assert.equal(await raw.call("ZADD", "z", "GT", "CH", "0", "a", "2", "b"), int(1));
  assert.equal(await raw.call("ZADD", "z", "GT", "CH", "3", "a"), int(1));
  assert.equal(await raw.call("ZADD", "z", "LT", "CH", "4", "a"), int(0));
  assert.equal(await raw.call("ZADD", "z", "INCR", "1", "a"), bulk("4"));
  assert.equal(await raw.call("ZADD", "z", "NX", "INCR", "1", "a"), NIL);
  assert.equal(
    await raw.call("ZADD", "z", "NX", "XX", "1", "a"),
    "-ERR XX and NX options at the same time are not compatible\r\n",
  );
  assert.equal(
    await raw.call("ZADD", "z", "GT", "LT", "1", "a"),
    "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
  );
  assert.equal(
    await raw.call("ZADD", "z", "INCR", "1", "a", "2", "b"),
    "-ERR INCR option supports a single increment-element pair\r\n",
  );
  assert.equal(await raw.call("ZADD", "z", "1", "a", "2"), SYNTAX);
  assert.equal(await raw.call("ZADD", "z", "nan", "a"), NOT_FLOAT);
  assert.equal(await raw.call("ZADD", "z", "1e400", "a"), NOT_FLOAT);
  assert.equal(await raw.call("ZINCRBY", "z", "NX", "a"), SYNTAX);
  await raw.call("ZADD", "z", "inf", "i");
  assert.equal(
    await raw.call("ZINCRBY", "z", "-inf", "i"),
    "-ERR resulting score is not a number (NaN)\r\n",
  );
  assert.equal(await raw.call("ZSCORE", "z", "i"), bulk("inf"));
  await raw.call("SET", "str", "x");
  assert.equal(await raw.call("ZADD", "str", "1", "a"), WRONGTYPE);
  // Score errors come before the type check.
  assert.equal(await raw.call("ZADD", "str", "x", "a"), NOT_FLOAT);
});

Deno.test("scores are formatted as Redis 7.0.15 formats doubles, RESP2 and RESP3", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("ZADD", "z", "1.1", "a", "0.5", "b", "1e17", "c", "-inf", "d", "-0", "e");
  assert.equal(await raw.call("ZSCORE", "z", "a"), bulk("1.1000000000000001"));
  assert.equal(await raw.call("ZSCORE", "z", "c"), bulk("1e+17"));
  assert.equal(await raw.call("ZSCORE", "z", "d"), bulk("-inf"));
  // A listpack keeps -0 as 0, as Redis's does.
  assert.equal(await raw.call("ZSCORE", "z", "e"), bulk("0"));
  assert.equal(await r3.call("ZSCORE", "z", "a"), ",1.1000000000000001\r\n");
  assert.equal(await r3.call("ZSCORE", "z", "d"), ",-inf\r\n");
  assert.equal(await r3.call("ZSCORE", "z", "nope"), NULL3);
  assert.equal(
    await r3.call("ZRANGE", "z", "0", "1", "WITHSCORES"),
    pairs3(["d", "-inf"], ["e", "0"]),
  );
  assert.equal(await raw.call("ZRANGE", "z", "0", "1", "WITHSCORES"), arr("d", "-inf", "e", "0"));
  assert.equal(await r3.call("ZMSCORE", "z", "b", "x"), "*2\r\n,0.5\r\n_\r\n");
});

Deno.test("ZRANGE family: ranks, scores, lex, REV and LIMIT", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
  assert.equal(await raw.call("ZRANGE", "z", "-2", "-1"), arr("d", "e"));
  assert.equal(await raw.call("ZRANGE", "z", "0", "1", "REV"), arr("e", "d"));
  assert.equal(await raw.call("ZRANGE", "z", "(1", "3", "BYSCORE"), arr("b", "c"));
  assert.equal(
    await raw.call("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"),
    arr("d", "c"),
  );
  assert.equal(await raw.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"), "*0\r\n");
  assert.equal(
    await raw.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "3", "-1"),
    arr("d", "e"),
  );
  assert.equal(await raw.call("ZREVRANGEBYSCORE", "z", "(4", "2"), arr("c", "b"));
  assert.equal(await raw.call("ZRANGEBYSCORE", "z", "x", "1"), MINMAX);
  assert.equal(await raw.call("ZRANGEBYLEX", "z", "a", "+"), LEXITEM);
  assert.equal(
    await raw.call("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"),
    "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
  );
  assert.equal(
    await raw.call("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"),
    "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
  );
  assert.equal(await raw.call("ZRANGEBYSCORE", "z", "0", "1", "REV"), SYNTAX);
  await raw.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
  assert.equal(await raw.call("ZRANGEBYLEX", "l", "(a", "[c"), arr("b", "c"));
  assert.equal(await raw.call("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2"), arr("c", "b"));
  assert.equal(await raw.call("ZLEXCOUNT", "l", "[b", "+"), int(3));
  assert.equal(await raw.call("ZCOUNT", "z", "(1", "+inf"), int(4));
});

Deno.test("ZRANGESTORE stores with the encoding the result's size picks, or deletes", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const members = Array.from({ length: 200 }, (_, i) => [String(i), `m${i}`]).flat();
  await raw.call("ZADD", "big", ...members);
  assert.equal(zsetOf(s, "big").encoding(), "skiplist");
  assert.equal(await raw.call("ZRANGESTORE", "d", "big", "0", "9"), int(10));
  assert.equal(zsetOf(s, "d").encoding(), "listpack");
  assert.equal(await raw.call("ZRANGESTORE", "d", "big", "(10", "+inf", "BYSCORE"), int(189));
  assert.equal(zsetOf(s, "d").encoding(), "skiplist");
  await raw.call("SET", "str", "v", "EX", "100");
  assert.equal(await raw.call("ZRANGESTORE", "str", "big", "0", "0"), int(1));
  assert.equal(await raw.call("TTL", "str"), int(-1));
  assert.equal(await raw.call("ZRANGESTORE", "str", "big", "500", "600"), int(0));
  assert.equal(await raw.call("EXISTS", "str"), int(0));
  assert.equal(await raw.call("ZRANGESTORE", "d", "big", "0", "0", "WITHSCORES"), SYNTAX);
});

Deno.test("OBJECT ENCODING follows zset-max-listpack-entries / -value and never goes back", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("CONFIG", "SET", "zset-max-ziplist-entries", "3");
  await raw.call("CONFIG", "SET", "zset-max-listpack-value", "4");
  await raw.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
  assert.equal(await raw.call("OBJECT", "ENCODING", "z"), bulk("listpack"));
  await raw.call("ZADD", "z", "4", "d");
  assert.equal(await raw.call("OBJECT", "ENCODING", "z"), bulk("skiplist"));
  await raw.call("ZREM", "z", "a", "b", "c");
  assert.equal(await raw.call("OBJECT", "ENCODING", "z"), bulk("skiplist"));
  await raw.call("ZADD", "v", "1", "abcde");
  assert.equal(await raw.call("OBJECT", "ENCODING", "v"), bulk("skiplist"));
  await raw.call("COPY", "z", "z2");
  assert.equal(await raw.call("OBJECT", "ENCODING", "z2"), bulk("skiplist"));
});

Deno.test("ZRANDMEMBER: distinct picks, repeats, WITHSCORES shapes and errors", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
  const distinct = await s.redis().then((r) => r.zrandmember("z", 3));
  assert.equal(new Set(distinct as string[]).size, 3);
  const repeats = (await s.redis().then((r) => r.zrandmember("z", -20))) as string[];
  assert.equal(repeats.length, 20);
  assert.ok(repeats.every((m) => "abcd".includes(m)));
  assert.equal(await raw.call("ZRANDMEMBER", "z", "10"), arr("d", "c", "b", "a"));
  assert.equal(await raw.call("ZRANDMEMBER", "z", "0"), "*0\r\n");
  assert.equal(await raw.call("ZRANDMEMBER", "missing"), NIL);
  assert.equal(await r3.call("ZRANDMEMBER", "missing"), NULL3);
  const withScores = await r3.call("ZRANDMEMBER", "z", "-2", "WITHSCORES");
  assert.match(withScores, /^\*2\r\n\*2\r\n\$1\r\n[a-d]\r\n,[1-4]\r\n\*2\r\n/);
  assert.equal(await raw.call("ZRANDMEMBER", "z", "1", "foo"), SYNTAX);
  assert.equal(
    await raw.call("ZRANDMEMBER", "z", "-9223372036854775808"),
    "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
  );
  assert.equal(
    await raw.call("ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"),
    "-ERR value is out of range\r\n",
  );
  // The skiplist encoding samples uniformly too.
  const big = Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat();
  await raw.call("ZADD", "big", ...big);
  const picked = (await s.redis().then((r) => r.zrandmember("big", 100))) as string[];
  assert.equal(new Set(picked).size, 100);
});

Deno.test("ZSCAN: a listpack whole, a skiplist by cursor, every member once", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  await redis.zadd("small", 1, "a", 2.5, "b");
  assert.deepEqual(await redis.zscan("small", "5"), ["0", ["a", "1", "b", "2.5"]]);
  const n = 1000;
  const args: (string | number)[] = [];
  for (let i = 0; i < n; i++) args.push(i, `m${i}`);
  await redis.zadd("big", ...args);
  const seen = new Map<string, string>();
  let cursor = "0";
  let calls = 0;
  do {
    const [next, items] = await redis.zscan("big", cursor, "COUNT", 50);
    for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
    // Changes during the scan do not hide members present throughout.
    if (calls === 3) await redis.zadd("big", -1, "new", 5000, "m5");
    cursor = next;
    calls++;
  } while (cursor !== "0");
  for (let i = 0; i < n; i++) assert.ok(seen.has(`m${i}`), `m${i}`);
  assert.ok(calls > 10);
  const [, matched] = await redis.zscan("big", "0", "MATCH", "m99*", "COUNT", 10000);
  assert.deepEqual(matched.filter((_, i) => i % 2 === 0).sort(), [
    "m99",
    "m990",
    "m991",
    "m992",
    "m993",
    "m994",
    "m995",
    "m996",
    "m997",
    "m998",
    "m999",
  ]);
});

Deno.test("a 100,000-member sorted set answers ranks and ranges correctly", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const n = 100_000;
  for (let i = 0; i < n; i += 1000) {
    const args: string[] = [];
    for (let j = i; j < i + 1000; j++) args.push(String((j * 7919) % n), `m${j}`);
    await raw.call("ZADD", "z", ...args);
  }
  assert.equal(await raw.call("ZCARD", "z"), int(n));
  // Member m_j has score (j * 7919) % n, a permutation of 0..n-1.
  assert.equal(await raw.call("ZRANK", "z", "m1"), int(7919));
  assert.equal(await raw.call("ZREVRANK", "z", "m1"), int(n - 1 - 7919));
  assert.equal(await raw.call("ZRANGEBYSCORE", "z", "7919", "7919"), arr("m1"));
  assert.equal(await raw.call("ZCOUNT", "z", "(1000", "2000"), int(1000));
  assert.equal(await raw.call("ZREMRANGEBYSCORE", "z", "0", "49999"), int(50000));
  const memberWithScore = (score: number) => {
    for (let j = 0; j < n; j++) if ((j * 7919) % n === score) return `m${j}`;
    throw new Error("no such score");
  };
  assert.equal(
    await raw.call("ZRANGE", "z", "0", "0", "WITHSCORES"),
    arr(memberWithScore(50000), "50000"),
  );
  assert.equal(await raw.call("ZREMRANGEBYRANK", "z", "0", "-2"), int(49999));
  assert.equal(
    await raw.call("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    arr(memberWithScore(99999), "99999"),
  );
});

Deno.test("wrong type and arity for every command", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "str", "x");
  for (
    const argv of [
      ["ZADD", "str", "1", "a"],
      ["ZINCRBY", "str", "1", "a"],
      ["ZREM", "str", "a"],
      ["ZCARD", "str"],
      ["ZCOUNT", "str", "0", "1"],
      ["ZLEXCOUNT", "str", "-", "+"],
      ["ZSCORE", "str", "a"],
      ["ZMSCORE", "str", "a"],
      ["ZRANK", "str", "a"],
      ["ZREVRANK", "str", "a"],
      ["ZRANGE", "str", "0", "1"],
      ["ZRANGESTORE", "d", "str", "0", "1"],
      ["ZRANGEBYSCORE", "str", "0", "1"],
      ["ZREVRANGEBYSCORE", "str", "1", "0"],
      ["ZRANGEBYLEX", "str", "-", "+"],
      ["ZREVRANGEBYLEX", "str", "+", "-"],
      ["ZREVRANGE", "str", "0", "1"],
      ["ZREMRANGEBYRANK", "str", "0", "1"],
      ["ZREMRANGEBYSCORE", "str", "0", "1"],
      ["ZREMRANGEBYLEX", "str", "-", "+"],
      ["ZRANDMEMBER", "str"],
      ["ZSCAN", "str", "0"],
    ]
  ) {
    assert.equal(await raw.call(...argv), WRONGTYPE, argv.join(" "));
    assert.match(
      await raw.call(argv[0]!),
      /^-ERR wrong number of arguments for '[a-z]+' command\r\n$/,
      argv[0],
    );
  }
});

const Z3: DirtyCase["setup"] = [["ZADD", "k", "1", "a", "2", "b", "3", "c"]];

/** Changes Redis 7.0.15 counts (rdb_changes_since_last_save), measured on redis-server. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["ZADD", "k", "1", "a", "2", "b", "3", "c"], changes: 3 },
  { setup: Z3, run: ["ZADD", "k", "1", "a", "5", "b", "3", "d"], changes: 2 },
  { setup: Z3, run: ["ZADD", "k", "1", "a"], changes: 0 },
  { setup: Z3, run: ["ZADD", "k", "CH", "9", "a"], changes: 1 },
  { setup: Z3, run: ["ZADD", "k", "NX", "9", "a", "4", "d"], changes: 1 },
  { setup: Z3, run: ["ZADD", "k", "XX", "9", "a", "4", "d"], changes: 1 },
  { run: ["ZADD", "k", "XX", "1", "a"], changes: 0 },
  { setup: Z3, run: ["ZADD", "k", "GT", "0", "a"], changes: 0 },
  { setup: Z3, run: ["ZADD", "k", "INCR", "1", "a"], changes: 1 },
  { setup: Z3, run: ["ZADD", "k", "NX", "INCR", "1", "a"], changes: 0 },
  { setup: [["ZADD", "k", "inf", "a"]], run: ["ZADD", "k", "INCR", "-inf", "a"], changes: 0 },
  { setup: [["SET", "k", "v"]], run: ["ZADD", "k", "1", "a"], changes: 0 },
  { run: ["ZINCRBY", "k", "1", "a"], changes: 1 },
  { setup: Z3, run: ["ZINCRBY", "k", "0", "a"], changes: 0 },
  { setup: Z3, run: ["ZREM", "k", "a", "b", "q"], changes: 2 },
  { setup: Z3, run: ["ZREM", "k", "a", "b", "c"], changes: 3 },
  { setup: Z3, run: ["ZREM", "k", "q"], changes: 0 },
  { run: ["ZREM", "k", "a"], changes: 0 },
  { setup: Z3, run: ["ZREMRANGEBYRANK", "k", "0", "1"], changes: 2 },
  { setup: Z3, run: ["ZREMRANGEBYRANK", "k", "0", "-1"], changes: 3 },
  { setup: Z3, run: ["ZREMRANGEBYRANK", "k", "5", "6"], changes: 0 },
  { setup: Z3, run: ["ZREMRANGEBYSCORE", "k", "(1", "3"], changes: 2 },
  { setup: Z3, run: ["ZREMRANGEBYSCORE", "k", "10", "20"], changes: 0 },
  {
    setup: [["ZADD", "k", "0", "a", "0", "b"]],
    run: ["ZREMRANGEBYLEX", "k", "-", "+"],
    changes: 2,
  },
  { setup: Z3, run: ["ZREMRANGEBYLEX", "k", "[x", "+"], changes: 0 },
  { setup: Z3, run: ["ZRANGESTORE", "d", "k", "0", "-1"], changes: 1 },
  { setup: [...Z3, ["SET", "d", "v"]], run: ["ZRANGESTORE", "d", "k", "5", "6"], changes: 1 },
  { setup: Z3, run: ["ZRANGESTORE", "d", "k", "5", "6"], changes: 0 },
  { run: ["ZRANGESTORE", "d", "k", "0", "-1"], changes: 0 },
  { setup: [["SET", "d", "v"]], run: ["ZRANGESTORE", "d", "k", "0", "-1"], changes: 1 },
];

dirtyCountTests("zset", { handlers: ZSET_HANDLERS, cases: DIRTY_CASES });
