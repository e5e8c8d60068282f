import assert from "node:assert/strict";
import { RawClient, type TestServer, testServer } from "../support/server.ts";
import { encodeCommand } from "../support/raw_client.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { ZSET_COMBINE_HANDLERS } from "../../src/commands/zset_combine.ts";
import { ZSetValue } from "../../src/store/zset.ts";
import type { Database } from "../../src/store/database.ts";
import { arr, bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";
const NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
const NULL_ARRAY = "*-1\r\n";
const NULL3 = "_\r\n";
const EMPTY = "*0\r\n";

function db(t: TestServer, n = 0): Database {
  return t.server.engine.db(n);
}

/** A RESP3 [member, double] pair. */
function pair3(member: string, score: string): string {
  return `*2\r\n${bulk(member)},${score}\r\n`;
}

/** A RESP2 [member, score] pair. */
function pair2(member: string, score: string): string {
  return `*2\r\n${bulk(member)}${bulk(score)}`;
}

function err(text: string): string {
  return `-${text}\r\n`;
}

/** Waits until the server has `n` clients blocked. */
async function blocked(t: TestServer, n: number): Promise<void> {
  for (let i = 0; t.server.engine.blocking.count !== n; i++) {
    if (i === 2000) throw new Error(`never ${n} blocked`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Sends a command that blocks; its reply is read later with `reply()`. */
async function send(c: RawClient, ...argv: string[]): Promise<void> {
  await c.write(encodeCommand(argv));
}

Deno.test("ZUNION, ZINTER and ZDIFF through ioredis", async () => {
  await using t = await testServer();
  const r = await t.redis();
  await r.zadd("a", 1, "x", 2, "y", 3, "z");
  await r.zadd("b", 10, "y", 20, "z", 30, "w");
  assert.deepEqual(await r.zunion(2, "a", "b"), ["x", "y", "z", "w"]);
  assert.deepEqual(await r.zunion(2, "a", "b", "WITHSCORES"), [
    "x",
    "1",
    "y",
    "12",
    "z",
    "23",
    "w",
    "30",
  ]);
  assert.deepEqual(await r.zinter(2, "a", "b", "WITHSCORES"), ["y", "12", "z", "23"]);
  assert.deepEqual(await r.zdiff(2, "a", "b", "WITHSCORES"), ["x", "1"]);
  assert.equal(await r.zintercard(2, "a", "b"), 2);
  assert.equal(await r.zintercard(2, "a", "b", "LIMIT", 1), 1);
  assert.equal(await r.zunionstore("d", 2, "a", "b", "WEIGHTS", 2, 1, "AGGREGATE", "MAX"), 4);
  assert.deepEqual(await r.zrange("d", 0, -1, "WITHSCORES"), [
    "x",
    "2",
    "y",
    "10",
    "z",
    "20",
    "w",
    "30",
  ]);
  assert.equal(await r.zinterstore("d", 2, "a", "b", "AGGREGATE", "MIN"), 2);
  assert.deepEqual(await r.zrange("d", 0, -1, "WITHSCORES"), ["y", "2", "z", "3"]);
  assert.equal(await r.zdiffstore("d", 2, "b", "a"), 1);
  assert.deepEqual(await r.zrange("d", 0, -1, "WITHSCORES"), ["w", "30"]);
});

Deno.test("ZPOPMIN, ZPOPMAX, ZMPOP and BZPOPMIN through ioredis", async () => {
  await using t = await testServer();
  const r = await t.redis();
  await r.zadd("z", 1, "a", 2, "b", 3, "c", 4, "d");
  assert.deepEqual(await r.zpopmin("z"), ["a", "1"]);
  assert.deepEqual(await r.zpopmax("z", 2), ["d", "4", "c", "3"]);
  assert.deepEqual(await r.zmpop(1, "z", "MIN"), ["z", [["b", "2"]]]);
  assert.equal(await r.exists("z"), 0);
  const waiter = await t.redis();
  const pending = waiter.bzpopmin("z", 0);
  await blocked(t, 1);
  await r.zadd("z", 5, "e");
  assert.deepEqual(await pending, ["z", "e", "5"]);
});

Deno.test("a set operation treats a plain set as scores of 1 and a missing key as empty", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("ZADD", "z", "5", "a", "2", "b");
  await c.call("SADD", "s", "a", "c");
  assert.equal(
    await c.call("ZUNION", "2", "z", "s", "WITHSCORES"),
    arr("c", "1", "b", "2", "a", "6"),
  );
  assert.equal(await c.call("ZINTER", "2", "s", "z", "WITHSCORES"), arr("a", "6"));
  assert.equal(await c.call("ZDIFF", "2", "s", "z", "WITHSCORES"), arr("c", "1"));
  assert.equal(await c.call("ZINTER", "2", "z", "missing"), EMPTY);
  assert.equal(await c.call("ZUNION", "2", "missing", "z"), arr("b", "a"));
  assert.equal(await c.call("ZDIFF", "2", "missing", "z"), EMPTY);
  assert.equal(await c.call("SET", "str", "v"), "+OK\r\n");
  // WRONGTYPE is found before the options are read.
  assert.equal(await c.call("ZUNION", "2", "missing", "str", "junk"), WRONGTYPE);
  assert.equal(await c.call("ZINTERCARD", "1", "str", "LIMIT", "-1"), WRONGTYPE);
});

Deno.test("numkeys, WEIGHTS, AGGREGATE, WITHSCORES and LIMIT errors are Redis's", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("ZADD", "a", "1", "x");
  const needed = (name: string) => err(`ERR at least 1 input key is needed for '${name}' command`);
  assert.equal(await c.call("ZUNION", "0", "a"), needed("zunion"));
  assert.equal(await c.call("ZINTERSTORE", "d", "-1", "a"), needed("zinterstore"));
  assert.equal(await c.call("zdiffstore", "d", "0", "a"), needed("zdiffstore"));
  assert.equal(await c.call("ZINTERCARD", "0", "a"), needed("zintercard"));
  assert.equal(await c.call("ZUNION", "x", "a"), NOT_INTEGER);
  assert.equal(await c.call("ZUNION", "2", "a"), SYNTAX);
  assert.equal(await c.call("ZINTERCARD", "3", "a", "a"), SYNTAX);
  const weight = err("ERR weight value is not a float");
  assert.equal(await c.call("ZUNION", "1", "a", "WEIGHTS", "nan"), weight);
  assert.equal(await c.call("ZUNION", "1", "a", "WEIGHTS", "1e400"), weight);
  assert.equal(await c.call("ZUNION", "1", "a", "WEIGHTS", " 1"), weight);
  assert.equal(await c.call("ZUNION", "2", "a", "a", "WEIGHTS", "1"), SYNTAX);
  assert.equal(await c.call("ZDIFF", "1", "a", "WEIGHTS", "1"), SYNTAX);
  assert.equal(await c.call("ZUNION", "1", "a", "AGGREGATE", "AVG"), SYNTAX);
  assert.equal(await c.call("ZUNION", "1", "a", "AGGREGATE"), SYNTAX);
  assert.equal(await c.call("ZDIFF", "1", "a", "AGGREGATE", "SUM"), SYNTAX);
  assert.equal(await c.call("ZUNIONSTORE", "d", "1", "a", "WITHSCORES"), SYNTAX);
  assert.equal(await c.call("ZINTERCARD", "1", "a", "WITHSCORES"), SYNTAX);
  assert.equal(await c.call("ZUNION", "1", "a", "LIMIT", "1"), SYNTAX);
  const limit = err("ERR LIMIT can't be negative");
  assert.equal(await c.call("ZINTERCARD", "1", "a", "LIMIT", "-1"), limit);
  assert.equal(await c.call("ZINTERCARD", "1", "a", "LIMIT", "x"), limit);
  assert.equal(await c.call("ZINTERCARD", "1", "a", "LIMIT"), SYNTAX);
  assert.equal(await c.call("EXISTS", "d"), int(0));
});

Deno.test("WEIGHTS and AGGREGATE combine scores, NaN made 0 as Redis makes it", async (t) => {
  await using s = await testServer();
  const c = await s.raw();
  await c.call("ZADD", "i", "1", "x", "-inf", "y");
  await c.call("ZADD", "j", "1", "x", "inf", "y");
  await t.step("inf + -inf sums to 0", async () => {
    assert.equal(await c.call("ZUNION", "2", "i", "j", "WITHSCORES"), arr("y", "0", "x", "2"));
    assert.equal(await c.call("ZINTER", "2", "i", "j", "WITHSCORES"), arr("y", "0", "x", "2"));
  });
  await t.step("0 * inf is 0 in ZUNION", async () => {
    assert.equal(
      await c.call("ZUNION", "2", "i", "j", "WEIGHTS", "1", "0", "AGGREGATE", "MIN", "WITHSCORES"),
      arr("y", "-inf", "x", "0"),
    );
  });
  await t.step("ZINTER's MIN and MAX ignore a NaN from a later input", async () => {
    assert.equal(
      await c.call("ZINTER", "2", "j", "i", "WEIGHTS", "1", "0", "AGGREGATE", "MIN", "WITHSCORES"),
      arr("x", "0", "y", "inf"),
    );
    assert.equal(
      await c.call("ZINTER", "2", "i", "j", "WEIGHTS", "1", "0", "AGGREGATE", "MAX", "WITHSCORES"),
      arr("y", "-inf", "x", "1"),
    );
  });
  await t.step("inputs are summed smallest first", async () => {
    await c.call("ZADD", "big", "1", "x", "2", "y", "3", "z");
    await c.call("ZADD", "b", "1", "x");
    await c.call("ZADD", "a", "1e16", "x");
    // (1 + 1e16) + 1, not (1 + 1) + 1e16.
    assert.equal(
      await c.call("ZINTER", "3", "big", "b", "a", "WITHSCORES"),
      arr("x", "10000000000000000"),
    );
  });
  await t.step("a negated 0 is -0 in a reply, 0 once stored in a listpack", async () => {
    await c.call("ZADD", "zero", "0", "m");
    assert.equal(
      await c.call("ZUNION", "1", "zero", "WEIGHTS", "-1", "WITHSCORES"),
      arr("m", "-0"),
    );
    await c.call("ZUNIONSTORE", "d", "1", "zero", "WEIGHTS", "-1");
    assert.equal(await c.call("ZSCORE", "d", "m"), bulk("0"));
  });
});

Deno.test("a STORE replaces any type, drops the TTL, and picks the encoding by size", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("ZADD", "a", "1", "x", "2", "y");
  await c.call("SET", "d", "v", "EX", "100");
  assert.equal(await c.call("ZUNIONSTORE", "d", "1", "a"), int(2));
  const stored = db(t).get("d");
  assert.ok(stored instanceof ZSetValue);
  assert.equal(stored.encoding(), "listpack");
  assert.equal(db(t).getExpire("d"), undefined);
  await c.call("ZADD", "long", "1", "x".repeat(65));
  assert.equal(await c.call("ZUNIONSTORE", "d", "2", "a", "long"), int(3));
  assert.equal((db(t).get("d") as ZSetValue).encoding(), "skiplist");
  // The inter result holds no long member: a listpack again.
  assert.equal(await c.call("ZINTERSTORE", "d", "2", "a", "a"), int(2));
  assert.equal((db(t).get("d") as ZSetValue).encoding(), "listpack");
  // The destination may be an input.
  assert.equal(await c.call("ZDIFFSTORE", "a", "2", "a", "d"), int(0));
  assert.equal(await c.call("EXISTS", "a"), int(0));
});

Deno.test("ZPOPMIN and ZPOPMAX replies in RESP2 and RESP3", async (t) => {
  await using s = await testServer();
  const c = await s.raw();
  await t.step("RESP2: flat", async () => {
    await c.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
    assert.equal(await c.call("ZPOPMIN", "z"), arr("a", "1"));
    assert.equal(await c.call("ZPOPMAX", "z", "5"), arr("c", "3", "b", "2"));
    assert.equal(await c.call("ZPOPMIN", "z"), EMPTY);
    assert.equal(
      await c.call("ZPOPMIN", "z", "-1"),
      err("ERR value is out of range, must be positive"),
    );
    assert.equal(await c.call("ZPOPMIN", "z", "1", "2"), SYNTAX);
  });
  await t.step("RESP3: flat without a count, pairs with one", async () => {
    await c.call("HELLO", "3");
    await c.call("ZADD", "z", "1", "a", "2", "b", "3.5", "c");
    assert.equal(await c.call("ZPOPMIN", "z"), `*2\r\n${bulk("a")},1\r\n`);
    assert.equal(await c.call("ZPOPMAX", "z", "1"), `*1\r\n${pair3("c", "3.5")}`);
    assert.equal(await c.call("ZPOPMAX", "z", "0"), EMPTY);
    assert.equal(await c.call("ZPOPMAX", "missing", "2"), EMPTY);
  });
});

Deno.test("ZMPOP and BZMPOP reply [key, pairs], the null array when nothing is found", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("ZADD", "a", "1", "x", "2", "y", "3", "z");
  assert.equal(
    await c.call("ZMPOP", "2", "missing", "a", "MAX", "COUNT", "2"),
    `*2\r\n${bulk("a")}*2\r\n${pair2("z", "3")}${pair2("y", "2")}`,
  );
  assert.equal(await c.call("ZMPOP", "1", "missing", "MIN"), NULL_ARRAY);
  assert.equal(await c.call("ZMPOP", "0", "a", "MIN"), err("ERR numkeys should be greater than 0"));
  assert.equal(
    await c.call("ZMPOP", "1", "a", "MIN", "COUNT", "0"),
    err("ERR count should be greater than 0"),
  );
  assert.equal(await c.call("ZMPOP", "1", "a", "MIN", "COUNT", "1", "COUNT", "1"), SYNTAX);
  assert.equal(await c.call("ZMPOP", "1", "a", "MIDDLE"), SYNTAX);
  assert.equal(
    await c.call("BZMPOP", "x", "1", "a", "MIN"),
    err("ERR timeout is not a float or out of range"),
  );
  assert.equal(await c.call("BZMPOP", "-1", "1", "a", "MIN"), err("ERR timeout is negative"));
  assert.equal(
    await c.call("BZMPOP", "0", "1", "a", "MIN"),
    `*2\r\n${bulk("a")}*1\r\n${pair2("x", "1")}`,
  );
  await c.call("HELLO", "3");
  assert.equal(await c.call("ZMPOP", "1", "missing", "MIN"), NULL3);
});

Deno.test("a blocked pop times out on the server's clock with the null array", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await send(c, "BZPOPMIN", "q", "1.5");
  await blocked(t, 1);
  t.clock.advance(1499);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(t.server.engine.blocking.count, 1);
  t.clock.advance(1);
  assert.equal(await c.reply(), NULL_ARRAY);
  await c.call("HELLO", "3");
  await send(c, "BZMPOP", "0.01", "1", "q", "MAX");
  await blocked(t, 1);
  t.clock.advance(10);
  assert.equal(await c.reply(), NULL3);
});

Deno.test("blocked pops are served first come, first served, from the key created first", async () => {
  await using t = await testServer();
  const writer = await t.raw();
  const w1 = await t.raw();
  const w2 = await t.raw();
  const w3 = await t.raw();
  await send(w1, "BZPOPMAX", "k1", "k2", "0");
  await blocked(t, 1);
  await send(w2, "BZMPOP", "0", "1", "k2", "MIN", "COUNT", "2");
  await blocked(t, 2);
  await send(w3, "BZPOPMIN", "k2", "0");
  await blocked(t, 3);
  await writer.call("MULTI");
  await writer.call("ZADD", "k2", "1", "a", "2", "b", "3", "c", "4", "d");
  await writer.call("ZADD", "k1", "9", "z");
  assert.equal(await writer.call("EXEC"), `*2\r\n${int(4)}${int(1)}`);
  // w1 waits on both and is served from k2, created first.
  assert.equal(await w1.reply(), arr("k2", "d", "4"));
  assert.equal(await w2.reply(), `*2\r\n${bulk("k2")}*2\r\n${pair2("a", "1")}${pair2("b", "2")}`);
  assert.equal(await w3.reply(), arr("k2", "c", "3"));
  assert.equal(await writer.call("EXISTS", "k2"), int(0));
  assert.equal(await writer.call("ZRANGE", "k1", "0", "-1"), arr("z"));
});

Deno.test("a STORE into a key wakes its waiters; another type or an empty result does not", async () => {
  await using t = await testServer();
  const writer = await t.raw();
  const waiter = await t.raw();
  await writer.call("ZADD", "src", "1", "a", "2", "b");
  await send(waiter, "BZPOPMIN", "q", "0");
  await blocked(t, 1);
  await writer.call("SET", "q", "str");
  await writer.call("DEL", "q");
  await writer.call("RPUSH", "q", "x");
  await writer.call("DEL", "q");
  await writer.call("ZINTERSTORE", "q", "2", "src", "missing");
  assert.equal(t.server.engine.blocking.count, 1);
  await writer.call("ZUNIONSTORE", "q", "1", "src", "WEIGHTS", "3");
  assert.equal(await waiter.reply(), arr("q", "a", "3"));
  assert.equal(await writer.call("ZRANGE", "q", "0", "-1", "WITHSCORES"), arr("b", "6"));
});

Deno.test("blocking pops inside MULTI answer at once", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("MULTI");
  await c.call("BZPOPMIN", "q", "0");
  await c.call("BZMPOP", "0", "1", "q", "MIN");
  await c.call("ZADD", "q", "1", "a");
  await c.call("BZPOPMAX", "q", "0");
  assert.equal(
    await c.call("EXEC"),
    `*4\r\n${NULL_ARRAY}${NULL_ARRAY}${int(1)}${arr("q", "a", "1")}`,
  );
  assert.equal(t.server.engine.blocking.count, 0);
});

Deno.test("CLIENT UNBLOCK ends a blocked pop; a disconnect leaves the queue", async () => {
  await using t = await testServer();
  const admin = await t.raw();
  const waiter = await t.raw();
  const id = (await waiter.call("CLIENT", "ID")).slice(1, -2);
  await send(waiter, "BZPOPMIN", "q", "0");
  await blocked(t, 1);
  assert.equal(await admin.call("CLIENT", "UNBLOCK", id, "ERROR"), int(1));
  assert.equal(await waiter.reply(), err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  const gone = await t.raw();
  await send(gone, "BZMPOP", "0", "1", "q", "MIN");
  await blocked(t, 1);
  gone.close();
  await blocked(t, 0);
  await admin.call("ZADD", "q", "1", "a");
  assert.equal(await admin.call("ZCARD", "q"), int(1));
});

Deno.test("a served pop is propagated as ZPOPMIN / ZPOPMAX after the write that served it", async () => {
  await using t = await testServer();
  const effects: string[] = [];
  t.server.engine.propagation.subscribe({ write: (argv) => effects.push(argv.join(" ")) });
  const writer = await t.raw();
  const w1 = await t.raw();
  const w2 = await t.raw();
  await send(w1, "BZPOPMAX", "q", "0");
  await blocked(t, 1);
  await send(w2, "BZMPOP", "0", "1", "q", "MIN", "COUNT", "10");
  await blocked(t, 2);
  await writer.call("ZADD", "q", "1", "a", "2", "b", "3", "c");
  await w1.reply();
  await w2.reply();
  assert.deepEqual(effects, ["SELECT 0", "ZADD q 1 a 2 b 3 c", "ZPOPMAX q", "ZPOPMIN q 2"]);
  effects.length = 0;
  await writer.call("ZADD", "q", "1", "a", "2", "b", "3", "c");
  await writer.call("ZMPOP", "1", "q", "MAX", "COUNT", "2");
  await writer.call("BZPOPMIN", "q", "0");
  assert.deepEqual(effects, ["ZADD q 1 a 2 b 3 c", "ZPOPMAX q 2", "ZPOPMIN q"]);
});

Deno.test("binary members and keys survive every command", async () => {
  await using t = await testServer();
  const c = await t.raw();
  const bin = "\x00\xff\r\n\x80";
  await c.call("ZADD", bin, "1", bin, "2", "\x01");
  assert.equal(await c.call("ZUNION", "1", bin, "WITHSCORES"), arr(bin, "1", "\x01", "2"));
  assert.equal(await c.call("ZUNIONSTORE", "d\x00", "1", bin), int(2));
  assert.equal(await c.call("ZPOPMIN", "d\x00"), arr(bin, "1"));
  assert.equal(await c.call("BZPOPMAX", bin, "0"), arr(bin, "\x01", "2"));
});

const Z = ["ZADD", "z", "1", "a", "2", "b", "3", "c"];
const DIRTY_CASES: readonly DirtyCase[] = [
  { setup: [Z], run: ["ZUNIONSTORE", "d", "1", "z"], changes: 1 },
  { setup: [Z, ["SET", "d", "v"]], run: ["ZUNIONSTORE", "d", "1", "z"], changes: 1 },
  { run: ["ZUNIONSTORE", "d", "1", "missing"], changes: 0 },
  { setup: [["SET", "d", "v"]], run: ["ZUNIONSTORE", "d", "1", "missing"], changes: 1 },
  { setup: [Z], run: ["ZINTERSTORE", "d", "2", "z", "z"], changes: 1 },
  { setup: [Z], run: ["ZINTERSTORE", "d", "2", "z", "missing"], changes: 0 },
  { setup: [Z], run: ["ZDIFFSTORE", "d", "1", "z"], changes: 1 },
  { setup: [Z, ["SET", "d", "v"]], run: ["ZDIFFSTORE", "d", "2", "z", "z"], changes: 1 },
  { setup: [Z], run: ["ZPOPMIN", "z"], changes: 1 },
  { setup: [Z], run: ["ZPOPMIN", "z", "2"], changes: 2 },
  { setup: [Z], run: ["ZPOPMAX", "z", "10"], changes: 3 },
  { setup: [Z], run: ["ZPOPMAX", "z", "0"], changes: 0 },
  { run: ["ZPOPMAX", "missing"], changes: 0 },
  { setup: [Z], run: ["ZMPOP", "1", "z", "MIN"], changes: 1 },
  { setup: [Z], run: ["ZMPOP", "1", "z", "MAX", "COUNT", "5"], changes: 3 },
  { run: ["ZMPOP", "1", "missing", "MAX"], changes: 0 },
  { setup: [Z], run: ["BZPOPMIN", "z", "0"], changes: 1 },
  { setup: [Z], run: ["BZPOPMAX", "z", "0"], changes: 1 },
  { setup: [Z], run: ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "2"], changes: 2 },
  { setup: [Z], run: ["BZMPOP", "0", "2", "missing", "z", "MIN"], changes: 1 },
];

/** A blocking pop served by another client's write. */
interface ServedCase {
  readonly block: readonly string[];
  readonly write: readonly string[];
  /** The changes of the write and the serve together. */
  readonly changes: number;
}

const SERVED_CASES: readonly ServedCase[] = [
  // Unlike BLPOP, a served sorted-set pop counts its members.
  { block: ["BZPOPMIN", "k", "0"], write: ["ZADD", "k", "1", "a"], changes: 2 },
  { block: ["BZPOPMAX", "k", "0"], write: ["ZADD", "k", "1", "a", "2", "b"], changes: 3 },
  {
    block: ["BZMPOP", "0", "1", "k", "MIN", "COUNT", "5"],
    write: ["ZADD", "k", "1", "a", "2", "b", "3", "c"],
    changes: 6,
  },
  {
    block: ["BZMPOP", "0", "1", "k", "MIN"],
    write: ["ZUNIONSTORE", "k", "1", "src"],
    changes: 2,
  },
];

async function servedChangesOf(port: number, c: ServedCase): Promise<number> {
  await using admin = await RawClient.connect(port);
  await using waiter = await RawClient.connect(port);
  await admin.call("FLUSHALL");
  await admin.call("ZADD", "src", "1", "a", "2", "b");
  await waiter.write(encodeCommand([...c.block]));
  for (let i = 0; !/blocked_clients:1\r\n/.test(await admin.call("INFO", "clients")); i++) {
    if (i === 1000) throw new Error(`${c.block.join(" ")} never blocked`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const dirty = async () =>
    Number(/rdb_changes_since_last_save:(\d+)/.exec(await admin.call("INFO", "persistence"))![1]);
  const before = await dirty();
  await admin.call(...c.write);
  assert.doesNotMatch(await waiter.reply(), /^[-*]-1/, "the waiter is served");
  return (await dirty()) - before;
}

dirtyCountTests("zset-combine", {
  handlers: ZSET_COMBINE_HANDLERS,
  cases: DIRTY_CASES,
  extra: SERVED_CASES.map((c) => ({
    name: `${c.block.join(" ")} served by ${c.write.join(" ")}`,
    changes: c.changes,
    measure: (port: number) => servedChangesOf(port, c),
  })),
});
