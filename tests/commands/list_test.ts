import assert from "node:assert/strict";
import { RawClient, type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { encodeCommand } from "../support/raw_client.ts";
import { LIST_HANDLERS } from "../../src/commands/list.ts";
import { Engine } from "../../src/engine.ts";
import { ManualClock } from "../../src/clock.ts";
import { ListValue } from "../../src/store/list.ts";
import type { Reply } from "../../src/resp/reply.ts";
import { bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";
const NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
const MUST_BE_POSITIVE = "-ERR value is out of range, must be positive\r\n";
const NIL = "$-1\r\n";
const NIL_ARRAY = "*-1\r\n";
const EMPTY = "*0\r\n";
const OK = "+OK\r\n";

function bulkArray(...items: string[]): string {
  return `*${items.length}\r\n${items.map(bulk).join("")}`;
}

function wrongArity(name: string): string {
  return `-ERR wrong number of arguments for '${name}' command\r\n`;
}

/** Records every keyspace notification as `class:event:key`. */
function recordEvents(s: TestServer): string[] {
  const events: string[] = [];
  s.server.engine.notify = (_db, cls, event, key) => {
    events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

/** An in-process engine and client, for replies without a socket. */
function inProcess(): { engine: Engine; call: (...argv: string[]) => Reply } {
  const engine = new Engine({ clock: new ManualClock(0) });
  const client = engine.connect();
  return {
    engine,
    call: (...argv) => {
      const r = engine.call(client, argv);
      if (r instanceof Promise) throw new Error("unexpected block");
      return r;
    },
  };
}

Deno.test("LPUSH and RPUSH build a list in argument order", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();

  await t.step("through ioredis", async () => {
    assert.equal(await redis.lpush("l", "a", "b", "c"), 3);
    assert.equal(await redis.rpush("l", "d"), 4);
    assert.deepEqual(await redis.lrange("l", 0, -1), ["c", "b", "a", "d"]);
    assert.equal(await redis.llen("l"), 4);
    assert.equal(await redis.type("l"), "list");
    assert.equal(await redis.object("ENCODING", "l"), "quicklist");
  });

  await t.step("the stored value is a ListValue", () => {
    assert.ok(s.server.engine.db(0).get("l") instanceof ListValue);
  });

  await t.step("raw replies are integers", async () => {
    assert.equal(await raw.call("RPUSH", "r", "x", "y"), int(2));
    assert.equal(await raw.call("LPUSH", "r", "w"), int(3));
  });

  await t.step("elements are binary safe", async () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    assert.equal(await raw.call("RPUSH", "bin", all, "", "\r\n"), int(3));
    assert.equal(await raw.call("LRANGE", "bin", "0", "-1"), bulkArray(all, "", "\r\n"));
  });

  await t.step("arity and WRONGTYPE", async () => {
    assert.equal(await raw.call("LPUSH", "l"), wrongArity("lpush"));
    assert.equal(await raw.call("RPUSH", "l"), wrongArity("rpush"));
    await redis.set("str", "v");
    assert.equal(await raw.call("LPUSH", "str", "a"), WRONGTYPE);
    assert.equal(await raw.call("RPUSHX", "str", "a"), WRONGTYPE);
  });
});

Deno.test("LPUSHX and RPUSHX push only onto an existing list", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("LPUSHX", "l", "a"), int(0));
  assert.equal(await raw.call("RPUSHX", "l", "a", "b"), int(0));
  assert.equal(await raw.call("EXISTS", "l"), int(0));
  assert.equal(await raw.call("RPUSH", "l", "m"), int(1));
  assert.equal(await raw.call("LPUSHX", "l", "b", "a"), int(3));
  assert.equal(await raw.call("RPUSHX", "l", "y"), int(4));
  assert.equal(await raw.call("LRANGE", "l", "0", "-1"), bulkArray("a", "b", "m", "y"));
});

Deno.test("LPOP and RPOP return an element, or with a count an array", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("without a count: a bulk or nil", async () => {
    assert.equal(await raw.call("LPOP", "missing"), NIL);
    await raw.call("RPUSH", "l", "a", "b", "c");
    assert.equal(await raw.call("LPOP", "l"), bulk("a"));
    assert.equal(await raw.call("RPOP", "l"), bulk("c"));
  });

  await t.step("with a count: an array, empty for 0, a nil array for a missing key", async () => {
    assert.equal(await raw.call("LPOP", "missing", "0"), NIL_ARRAY);
    assert.equal(await raw.call("RPOP", "missing", "2"), NIL_ARRAY);
    assert.equal(await raw.call("LPOP", "l", "0"), EMPTY);
    assert.equal(await raw.call("LPOP", "l", "5"), bulkArray("b"));
    assert.equal(await raw.call("EXISTS", "l"), int(0));
  });

  await t.step("a bad count is rejected before the key is looked at", async () => {
    await raw.call("SET", "str", "v");
    assert.equal(await raw.call("LPOP", "missing", "-1"), MUST_BE_POSITIVE);
    assert.equal(await raw.call("LPOP", "str", "x"), MUST_BE_POSITIVE);
    assert.equal(await raw.call("LPOP", "str", "1"), WRONGTYPE);
    assert.equal(await raw.call("LPOP", "l", "1", "2"), wrongArity("lpop"));
    assert.equal(await raw.call("RPOP", "l", "1", "2"), wrongArity("rpop"));
  });

  await t.step("RESP3: nil for a missing key with or without a count", async () => {
    const raw3 = await s.raw();
    await raw3.call("HELLO", "3");
    assert.equal(await raw3.call("LPOP", "missing"), "_\r\n");
    assert.equal(await raw3.call("LPOP", "missing", "1"), "_\r\n");
  });

  await t.step("ioredis", async () => {
    const redis = await s.redis();
    await redis.rpush("i", "1", "2", "3");
    assert.deepEqual(await redis.lpop("i", 2), ["1", "2"]);
    assert.equal(await redis.rpop("i"), "3");
    assert.equal(await redis.rpop("i"), null);
  });
});

Deno.test("LRANGE, LINDEX and LLEN read by index", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "a", "b", "c", "d", "e");
  await raw.call("SET", "str", "v");

  await t.step("LRANGE normalises its range", async () => {
    assert.equal(await raw.call("LRANGE", "l", "1", "2"), bulkArray("b", "c"));
    assert.equal(await raw.call("LRANGE", "l", "-2", "100"), bulkArray("d", "e"));
    assert.equal(await raw.call("LRANGE", "l", "-100", "0"), bulkArray("a"));
    assert.equal(await raw.call("LRANGE", "l", "3", "1"), EMPTY);
    assert.equal(await raw.call("LRANGE", "l", "5", "9"), EMPTY);
    assert.equal(await raw.call("LRANGE", "missing", "0", "-1"), EMPTY);
  });

  await t.step("LRANGE parses its indexes before looking up the key", async () => {
    assert.equal(await raw.call("LRANGE", "missing", "x", "1"), NOT_INTEGER);
    assert.equal(await raw.call("LRANGE", "str", "0", "x"), NOT_INTEGER);
    assert.equal(await raw.call("LRANGE", "str", "0", "1"), WRONGTYPE);
  });

  await t.step("LINDEX looks up the key before parsing the index", async () => {
    assert.equal(await raw.call("LINDEX", "l", "0"), bulk("a"));
    assert.equal(await raw.call("LINDEX", "l", "-1"), bulk("e"));
    assert.equal(await raw.call("LINDEX", "l", "5"), NIL);
    assert.equal(await raw.call("LINDEX", "l", "-6"), NIL);
    assert.equal(await raw.call("LINDEX", "l", "x"), NOT_INTEGER);
    assert.equal(await raw.call("LINDEX", "missing", "x"), NIL);
    assert.equal(await raw.call("LINDEX", "str", "x"), WRONGTYPE);
  });

  await t.step("LLEN", async () => {
    assert.equal(await raw.call("LLEN", "l"), int(5));
    assert.equal(await raw.call("LLEN", "missing"), int(0));
    assert.equal(await raw.call("LLEN", "str"), WRONGTYPE);
  });
});

Deno.test("LSET replaces an element and checks the key and the index", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "a", "b", "c");
  assert.equal(await raw.call("LSET", "l", "0", "A"), OK);
  assert.equal(await raw.call("LSET", "l", "-1", "C"), OK);
  assert.equal(await raw.call("LSET", "l", "3", "x"), "-ERR index out of range\r\n");
  assert.equal(await raw.call("LSET", "l", "-4", "x"), "-ERR index out of range\r\n");
  assert.equal(await raw.call("LSET", "l", "x", "x"), NOT_INTEGER);
  assert.equal(await raw.call("LSET", "missing", "x", "x"), "-ERR no such key\r\n");
  assert.equal(await raw.call("LRANGE", "l", "0", "-1"), bulkArray("A", "b", "C"));
});

Deno.test("LINSERT inserts around the first pivot", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "a", "b", "a");
  assert.equal(await raw.call("LINSERT", "l", "BEFORE", "a", "x"), int(4));
  assert.equal(await raw.call("LINSERT", "l", "after", "b", "y"), int(5));
  assert.equal(await raw.call("LINSERT", "l", "AFTER", "zz", "y"), int(-1));
  assert.equal(await raw.call("LINSERT", "l", "MIDDLE", "a", "y"), SYNTAX);
  assert.equal(await raw.call("LINSERT", "missing", "BEFORE", "a", "y"), int(0));
  assert.equal(await raw.call("LINSERT", "missing", "middle", "a", "y"), SYNTAX);
  assert.equal(await raw.call("LRANGE", "l", "0", "-1"), bulkArray("x", "a", "b", "y", "a"));
});

Deno.test("LREM and LTRIM remove elements and delete an emptied list", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("LREM by count and direction", async () => {
    await raw.call("RPUSH", "l", "a", "b", "a", "c", "a");
    assert.equal(await raw.call("LREM", "l", "-2", "a"), int(2));
    assert.equal(await raw.call("LRANGE", "l", "0", "-1"), bulkArray("a", "b", "c"));
    assert.equal(await raw.call("LREM", "l", "1", "zz"), int(0));
    assert.equal(await raw.call("LREM", "l", "x", "a"), NOT_INTEGER);
    assert.equal(await raw.call("LREM", "missing", "x", "a"), NOT_INTEGER);
    assert.equal(await raw.call("LREM", "missing", "0", "a"), int(0));
    for (const e of ["a", "b", "c"]) await raw.call("LREM", "l", "0", e);
    assert.equal(await raw.call("EXISTS", "l"), int(0));
  });

  await t.step("LTRIM keeps a range", async () => {
    await raw.call("RPUSH", "t", "a", "b", "c", "d", "e");
    assert.equal(await raw.call("LTRIM", "t", "1", "-2"), OK);
    assert.equal(await raw.call("LRANGE", "t", "0", "-1"), bulkArray("b", "c", "d"));
    assert.equal(await raw.call("LTRIM", "t", "x", "1"), NOT_INTEGER);
    assert.equal(await raw.call("LTRIM", "missing", "0", "1"), OK);
    assert.equal(await raw.call("LTRIM", "t", "2", "1"), OK);
    assert.equal(await raw.call("EXISTS", "t"), int(0));
  });
});

Deno.test("LPOS finds positions with RANK, COUNT and MAXLEN", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "a", "b", "a", "c", "a");

  await t.step("matches", async () => {
    assert.equal(await raw.call("LPOS", "l", "a"), int(0));
    assert.equal(await raw.call("LPOS", "l", "a", "RANK", "2"), int(2));
    assert.equal(await raw.call("LPOS", "l", "a", "RANK", "-1"), int(4));
    assert.equal(await raw.call("LPOS", "l", "a", "COUNT", "0"), "*3\r\n:0\r\n:2\r\n:4\r\n");
    assert.equal(
      await raw.call("LPOS", "l", "a", "RANK", "-2", "COUNT", "2"),
      "*2\r\n:2\r\n:0\r\n",
    );
    assert.equal(
      await raw.call("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "3"),
      "*2\r\n:0\r\n:2\r\n",
    );
    assert.equal(await raw.call("LPOS", "l", "z"), NIL);
    assert.equal(await raw.call("LPOS", "l", "z", "COUNT", "1"), EMPTY);
    assert.equal(await raw.call("LPOS", "missing", "a"), NIL);
    assert.equal(await raw.call("LPOS", "missing", "a", "COUNT", "1"), EMPTY);
  });

  await t.step("RANK -2^63 searches from the tail and ignores COUNT, as Redis", async () => {
    assert.equal(await raw.call("LPOS", "l", "a", "RANK", "-9223372036854775808"), int(4));
    assert.equal(
      await raw.call("LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1"),
      "*3\r\n:4\r\n:2\r\n:0\r\n",
    );
    assert.equal(await raw.call("LPOS", "l", "a", "RANK", "-9223372036854775807"), NIL);
  });

  await t.step("option errors", async () => {
    assert.match(await raw.call("LPOS", "l", "a", "RANK", "0"), /^-ERR RANK can't be zero/);
    assert.equal(await raw.call("LPOS", "l", "a", "RANK", "x"), NOT_INTEGER);
    assert.equal(
      await raw.call("LPOS", "l", "a", "COUNT", "-1"),
      "-ERR COUNT can't be negative\r\n",
    );
    assert.equal(
      await raw.call("LPOS", "l", "a", "MAXLEN", "x"),
      "-ERR MAXLEN can't be negative\r\n",
    );
    assert.equal(await raw.call("LPOS", "l", "a", "RANK"), SYNTAX);
    assert.equal(await raw.call("LPOS", "l", "a", "FOO", "1"), SYNTAX);
  });

  await t.step("ioredis", async () => {
    const redis = await s.redis();
    assert.equal(await redis.lpos("l", "c"), 3);
    assert.deepEqual(await redis.lpos("l", "a", "COUNT", 2), [0, 2]);
  });
});

Deno.test("LMOVE and RPOPLPUSH move an element between lists", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("between ends", async () => {
    await raw.call("RPUSH", "a", "1", "2", "3");
    assert.equal(await raw.call("LMOVE", "a", "b", "LEFT", "RIGHT"), bulk("1"));
    assert.equal(await raw.call("LMOVE", "a", "b", "right", "left"), bulk("3"));
    assert.equal(await raw.call("RPOPLPUSH", "a", "b"), bulk("2"));
    assert.equal(await raw.call("EXISTS", "a"), int(0));
    assert.equal(await raw.call("LRANGE", "b", "0", "-1"), bulkArray("2", "3", "1"));
  });

  await t.step("onto itself it rotates", async () => {
    assert.equal(await raw.call("RPOPLPUSH", "b", "b"), bulk("1"));
    assert.equal(await raw.call("LRANGE", "b", "0", "-1"), bulkArray("1", "2", "3"));
  });

  await t.step("nil for a missing source, even with a wrong-type target", async () => {
    await raw.call("SET", "str", "v");
    assert.equal(await raw.call("LMOVE", "missing", "str", "LEFT", "LEFT"), NIL);
    assert.equal(await raw.call("LMOVE", "b", "str", "LEFT", "LEFT"), WRONGTYPE);
    assert.equal(await raw.call("LMOVE", "str", "b", "LEFT", "LEFT"), WRONGTYPE);
    assert.equal(await raw.call("LLEN", "b"), int(3));
  });

  await t.step("bad directions are syntax errors", async () => {
    assert.equal(await raw.call("LMOVE", "a", "b", "UP", "LEFT"), SYNTAX);
    assert.equal(await raw.call("LMOVE", "a", "b", "LEFT", "DOWN"), SYNTAX);
  });
});

Deno.test("LMPOP pops up to count elements from the first non-empty list", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("RPUSH", "l", "a", "b", "c");

  await t.step("pops", async () => {
    assert.equal(
      await raw.call("LMPOP", "2", "missing", "l", "LEFT"),
      `*2\r\n${bulk("l")}${bulkArray("a")}`,
    );
    assert.equal(
      await raw.call("LMPOP", "1", "l", "RIGHT", "COUNT", "9"),
      `*2\r\n${bulk("l")}${bulkArray("c", "b")}`,
    );
    assert.equal(await raw.call("LMPOP", "1", "l", "LEFT"), NIL_ARRAY);
  });

  await t.step("errors", async () => {
    const numkeys = "-ERR numkeys should be greater than 0\r\n";
    const count = "-ERR count should be greater than 0\r\n";
    assert.equal(await raw.call("LMPOP", "0", "l", "LEFT"), numkeys);
    assert.equal(await raw.call("LMPOP", "x", "l", "LEFT"), numkeys);
    assert.equal(await raw.call("LMPOP", "2", "l", "LEFT"), SYNTAX);
    assert.equal(await raw.call("LMPOP", "1", "l", "UP"), SYNTAX);
    assert.equal(await raw.call("LMPOP", "1", "l", "LEFT", "COUNT", "0"), count);
    assert.equal(await raw.call("LMPOP", "1", "l", "LEFT", "COUNT"), SYNTAX);
    assert.equal(await raw.call("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1"), SYNTAX);
    assert.equal(await raw.call("LMPOP", "1", "k"), wrongArity("lmpop"));
  });

  await t.step("RESP3: nil when nothing pops", async () => {
    const raw3 = await s.raw();
    await raw3.call("HELLO", "3");
    assert.equal(await raw3.call("LMPOP", "1", "l", "LEFT"), "_\r\n");
  });
});

Deno.test("list commands publish Redis's keyspace events", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s);
  const expect = async (argv: string[], expected: string[]) => {
    events.length = 0;
    await raw.call(...argv);
    assert.deepEqual(events, expected, argv.join(" "));
  };

  await t.step("pushes and pops", async () => {
    await expect(["RPUSH", "l", "a", "b", "c"], ["l:rpush:l"]);
    await expect(["LPUSH", "l", "z"], ["l:lpush:l"]);
    await expect(["LPUSHX", "missing", "z"], []);
    await expect(["LPOP", "l", "0"], []);
    await expect(["LPOP", "l", "2"], ["l:lpop:l"]);
    await expect(["RPOP", "l", "9"], ["l:rpop:l", "g:del:l"]);
  });

  await t.step("in-place edits", async () => {
    await raw.call("RPUSH", "l", "a", "b", "a");
    await expect(["LSET", "l", "0", "x"], ["l:lset:l"]);
    await expect(["LINSERT", "l", "BEFORE", "zz", "y"], []);
    await expect(["LINSERT", "l", "BEFORE", "b", "y"], ["l:linsert:l"]);
    await expect(["LREM", "l", "0", "zz"], []);
    await expect(["LREM", "l", "0", "a"], ["l:lrem:l"]);
    await expect(["LTRIM", "l", "0", "-1"], ["l:ltrim:l"]);
    await expect(["LTRIM", "l", "1", "0"], ["l:ltrim:l", "g:del:l"]);
    await expect(["LTRIM", "missing", "0", "1"], []);
  });

  await t.step("moves: push on the target, pop on the source, then del", async () => {
    await raw.call("RPUSH", "src", "a");
    await expect(["LMOVE", "src", "dst", "LEFT", "RIGHT"], [
      "l:rpush:dst",
      "l:lpop:src",
      "g:del:src",
    ]);
    await expect(["RPOPLPUSH", "dst", "dst"], ["l:lpush:dst", "l:rpop:dst"]);
    await expect(["LMPOP", "1", "dst", "RIGHT", "COUNT", "3"], ["l:rpop:dst", "g:del:dst"]);
  });
});

Deno.test("LPUSH then RPOP of a million elements runs in linear time", () => {
  const { engine, call } = inProcess();
  for (let i = 0; i < 1_000_000; i++) call("LPUSH", "big", "v");
  assert.deepEqual(call("LLEN", "big"), { kind: "integer", value: 1_000_000 });
  for (let i = 0; i < 1_000_000; i++) call("RPOP", "big");
  assert.deepEqual(call("EXISTS", "big"), { kind: "integer", value: 0 });
  engine.close();
});

Deno.test("COPY of a list is a deep copy", () => {
  const { engine, call } = inProcess();
  call("RPUSH", "a", "1", "2");
  call("COPY", "a", "b");
  call("RPUSH", "b", "3");
  assert.deepEqual(call("LLEN", "a"), { kind: "integer", value: 2 });
  assert.deepEqual(call("LLEN", "b"), { kind: "integer", value: 3 });
  engine.close();
});

/** Each list write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["LPUSH", "k", "a", "b", "c"], changes: 3 },
  { setup: [["RPUSH", "k", "x"]], run: ["LPUSH", "k", "a", "b"], changes: 2 },
  { run: ["RPUSH", "k", "a", "b", "c"], changes: 3 },
  { run: ["LPUSHX", "k", "a", "b"], changes: 0 },
  { setup: [["RPUSH", "k", "x"]], run: ["LPUSHX", "k", "a", "b"], changes: 2 },
  { setup: [["RPUSH", "k", "x"]], run: ["RPUSHX", "k", "a", "b", "c"], changes: 3 },
  { setup: [["SET", "k", "v"]], run: ["LPUSH", "k", "a"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b", "c"]], run: ["LPOP", "k"], changes: 1 },
  { setup: [["RPUSH", "k", "a"]], run: ["LPOP", "k"], changes: 1 },
  { setup: [["RPUSH", "k", "a", "b", "c"]], run: ["LPOP", "k", "2"], changes: 2 },
  { setup: [["RPUSH", "k", "a", "b", "c"]], run: ["LPOP", "k", "5"], changes: 3 },
  { setup: [["RPUSH", "k", "a", "b", "c"]], run: ["LPOP", "k", "0"], changes: 0 },
  { run: ["LPOP", "k"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b", "c"]], run: ["RPOP", "k", "3"], changes: 3 },
  { setup: [["RPUSH", "k", "a", "b", "c"]], run: ["RPOP", "k"], changes: 1 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LSET", "k", "0", "z"], changes: 1 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LSET", "k", "5", "z"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LINSERT", "k", "BEFORE", "b", "x"], changes: 1 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LINSERT", "k", "AFTER", "q", "x"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b", "a"]], run: ["LREM", "k", "0", "a"], changes: 2 },
  { setup: [["RPUSH", "k", "a", "a"]], run: ["LREM", "k", "0", "a"], changes: 2 },
  { setup: [["RPUSH", "k", "a", "b", "a"]], run: ["LREM", "k", "-1", "a"], changes: 1 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LREM", "k", "0", "q"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b", "c", "d"]], run: ["LTRIM", "k", "1", "2"], changes: 2 },
  { setup: [["RPUSH", "k", "a", "b", "c", "d"]], run: ["LTRIM", "k", "0", "-1"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b", "c", "d"]], run: ["LTRIM", "k", "5", "6"], changes: 4 },
  { run: ["LTRIM", "k", "0", "1"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LMOVE", "k", "d", "LEFT", "RIGHT"], changes: 1 },
  { setup: [["RPUSH", "k", "a"]], run: ["LMOVE", "k", "d", "LEFT", "RIGHT"], changes: 1 },
  {
    setup: [["RPUSH", "k", "a"], ["RPUSH", "d", "x"]],
    run: ["LMOVE", "k", "d", "RIGHT", "LEFT"],
    changes: 1,
  },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LMOVE", "k", "k", "LEFT", "RIGHT"], changes: 1 },
  { setup: [["RPUSH", "k", "a"]], run: ["LMOVE", "k", "k", "LEFT", "LEFT"], changes: 1 },
  { setup: [["RPUSH", "k", "a"], ["SET", "d", "v"]], run: ["RPOPLPUSH", "k", "d"], changes: 0 },
  { run: ["RPOPLPUSH", "k", "d"], changes: 0 },
  { setup: [["RPUSH", "k", "a"], ["RPUSH", "d", "x"]], run: ["RPOPLPUSH", "k", "d"], changes: 1 },
  {
    setup: [["RPUSH", "k", "a", "b", "c"]],
    run: ["LMPOP", "1", "k", "LEFT", "COUNT", "2"],
    changes: 2,
  },
  {
    setup: [["RPUSH", "k", "a", "b", "c"]],
    run: ["LMPOP", "1", "k", "LEFT", "COUNT", "5"],
    changes: 3,
  },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["LMPOP", "2", "q", "k", "RIGHT"], changes: 1 },
  { run: ["LMPOP", "1", "k", "LEFT"], changes: 0 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["BLPOP", "q", "k", "0"], changes: 1 },
  { setup: [["RPUSH", "k", "a"]], run: ["BLPOP", "k", "0"], changes: 1 },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["BRPOP", "k", "0"], changes: 1 },
  { setup: [["RPUSH", "k", "a"]], run: ["BRPOP", "k", "0"], changes: 1 },
  {
    setup: [["RPUSH", "k", "a", "b", "c"]],
    run: ["BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2"],
    changes: 2,
  },
  {
    setup: [["RPUSH", "k", "a", "b", "c"]],
    run: ["BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "3"],
    changes: 3,
  },
  { setup: [["RPUSH", "k", "a"]], run: ["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"], changes: 1 },
  {
    setup: [["RPUSH", "k", "a", "b"], ["RPUSH", "d", "x"]],
    run: ["BLMOVE", "k", "d", "RIGHT", "RIGHT", "0"],
    changes: 1,
  },
  { setup: [["RPUSH", "k", "a", "b"]], run: ["BRPOPLPUSH", "k", "d", "0"], changes: 1 },
];

/**
 * A blocking command left waiting, then served by another client's write:
 * the changes Redis 7.0.15 counts for the write and the serve together.
 */
interface ServedCase {
  /** Commands run first, after a FLUSHALL. */
  readonly setup?: readonly (readonly string[])[];
  /** The blocking command, which waits. */
  readonly block: readonly string[];
  /** The write that serves it. */
  readonly write: readonly string[];
  /** The rdb_changes_since_last_save delta over the write and the serve. */
  readonly changes: number;
}

const SERVED_CASES: readonly ServedCase[] = [
  // The push counts; serving BLPOP / BRPOP / BLMOVE / BRPOPLPUSH counts
  // nothing, emptied list or not; serving BLMPOP counts its elements.
  { block: ["BLPOP", "k", "0"], write: ["RPUSH", "k", "a"], changes: 1 },
  { block: ["BLPOP", "k", "0"], write: ["RPUSH", "k", "a", "b", "c"], changes: 3 },
  { block: ["BRPOP", "q", "k", "0"], write: ["LPUSH", "k", "a", "b"], changes: 2 },
  { block: ["BLMPOP", "0", "1", "k", "LEFT"], write: ["RPUSH", "k", "a"], changes: 2 },
  {
    block: ["BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2"],
    write: ["RPUSH", "k", "a", "b", "c"],
    changes: 5,
  },
  {
    block: ["BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "5"],
    write: ["RPUSH", "k", "a", "b", "c"],
    changes: 6,
  },
  { block: ["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"], write: ["RPUSH", "k", "a"], changes: 1 },
  {
    block: ["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"],
    write: ["RPUSH", "k", "a", "b"],
    changes: 2,
  },
  {
    setup: [["RPUSH", "d", "x"]],
    block: ["BLMOVE", "k", "d", "RIGHT", "LEFT", "0"],
    write: ["RPUSH", "k", "a", "b"],
    changes: 2,
  },
  { block: ["BRPOPLPUSH", "k", "d", "0"], write: ["RPUSH", "k", "a"], changes: 1 },
  {
    // The destination's type ends the wait with WRONGTYPE, nothing moved.
    setup: [["SET", "d", "v"]],
    block: ["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"],
    write: ["RPUSH", "k", "a"],
    changes: 1,
  },
  {
    setup: [["RPUSH", "s", "a"]],
    block: ["BLPOP", "k", "0"],
    write: ["LMOVE", "s", "k", "LEFT", "RIGHT"],
    changes: 1,
  },
];

function servedCaseName(c: ServedCase): string {
  const setup = c.setup === undefined
    ? ""
    : ` (after ${c.setup.map((a) => a.join(" ")).join("; ")})`;
  return `${c.block.join(" ")} served by ${c.write.join(" ")}${setup}`;
}

function dirtyOf(info: string): number {
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

/**
 * Runs a served case on the server at `port` from an empty keyspace.
 *
 * @returns how much rdb_changes_since_last_save moved over the write and the serve
 */
async function servedChangesOf(port: number, c: ServedCase): Promise<number> {
  await using admin = await RawClient.connect(port);
  await using waiter = await RawClient.connect(port);
  await admin.call("FLUSHALL");
  for (const argv of c.setup ?? []) await admin.call(...argv);
  await waiter.write(encodeCommand(c.block));
  // Waits (a few ms at a time) until the server has the waiter blocked.
  for (let i = 0; !/blocked_clients:1\r\n/.test(await admin.call("INFO", "clients")); i++) {
    if (i === 1000) throw new Error(`${c.block.join(" ")} never blocked`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const before = dirtyOf(await admin.call("INFO", "persistence"));
  await admin.call(...c.write);
  assert.doesNotMatch(await waiter.reply(), /^[-*]-1/, "the waiter is served");
  return dirtyOf(await admin.call("INFO", "persistence")) - before;
}

dirtyCountTests("list", {
  handlers: LIST_HANDLERS,
  cases: DIRTY_CASES,
  extra: SERVED_CASES.map((c) => ({
    name: servedCaseName(c),
    changes: c.changes,
    measure: (port: number) => servedChangesOf(port, c),
  })),
});
