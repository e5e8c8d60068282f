import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { STRING_HANDLERS } from "../../src/commands/string.ts";
import type { ContainerValue, Database } from "../../src/store/database.ts";
import type { Engine } from "../../src/engine.ts";
import { bulk, int } from "../support/resp.ts";

/** A minimal container value, so the string group is tested on its own. */
class FakeList implements ContainerValue {
  readonly type = "list" as const;
  encoding(): string {
    return "quicklist";
  }
  clone(): FakeList {
    return new FakeList();
  }
}

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";
const NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
const NOT_FLOAT = "-ERR value is not a valid float\r\n";
const NIL = "$-1\r\n";
const OK = "+OK\r\n";

/** Every byte value once. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

function db(t: TestServer): Database {
  return t.server.engine.db(0);
}

function wrongArity(name: string): string {
  return `-ERR wrong number of arguments for '${name}' command\r\n`;
}

function invalidExpire(name: string): string {
  return `-ERR invalid expire time in '${name}' command\r\n`;
}

/** Records every keyspace notification as `class:event:key`. */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

Deno.test("GET returns what SET stored, byte for byte", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  assert.equal(await redis.set("k", "hello"), "OK");
  assert.equal(await redis.get("k"), "hello");
  assert.equal(await redis.get("missing"), null);
  await t.step("binary keys and values with every byte", async () => {
    assert.equal(await raw.call("SET", "\x00\xff", ALL_BYTES), OK);
    assert.equal(await raw.call("GET", "\x00\xff"), bulk(ALL_BYTES));
    assert.equal(db(s).get("\x00\xff"), ALL_BYTES);
    // ioredis sends JS strings as UTF-8: name the binary key with a Buffer.
    const buf = await redis.getBuffer(Buffer.from([0, 255]));
    assert.deepEqual([...buf!], Array.from({ length: 256 }, (_, i) => i));
  });
  await t.step("empty values", async () => {
    assert.equal(await raw.call("SET", "e", ""), OK);
    assert.equal(await raw.call("GET", "e"), "$0\r\n\r\n");
  });
  await t.step("a missing key is a nil bulk", async () => {
    assert.equal(await raw.call("GET", "missing"), NIL);
  });
  await t.step("a plain SET removes an existing TTL", async () => {
    await raw.call("SET", "t", "v", "EX", "100");
    await raw.call("SET", "t", "w");
    assert.equal(db(s).getExpire("t"), undefined);
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("GET"), wrongArity("get"));
    assert.equal(await raw.call("GET", "a", "b"), wrongArity("get"));
    assert.equal(await raw.call("SET", "k"), wrongArity("set"));
  });
});

Deno.test("GET and SET GET on another type answer WRONGTYPE", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  db(s).set("l", new FakeList());
  assert.equal(await raw.call("GET", "l"), WRONGTYPE);
  assert.equal(await raw.call("SET", "l", "v", "GET"), WRONGTYPE);
  assert.ok(db(s).get("l") instanceof FakeList);
  assert.equal(await raw.call("SET", "l", "v"), OK);
  assert.equal(await raw.call("GET", "l"), bulk("v"));
});

Deno.test("SET with NX does not overwrite an existing key", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("SET", "k", "1", "NX"), OK);
  assert.equal(await raw.call("SET", "k", "2", "nx"), NIL);
  assert.equal(await raw.call("GET", "k"), bulk("1"));
  await t.step("XX only overwrites an existing key", async () => {
    assert.equal(await raw.call("SET", "n", "1", "XX"), NIL);
    assert.equal(db(s).has("n"), false);
    assert.equal(await raw.call("SET", "k", "3", "xX"), OK);
    assert.equal(await raw.call("GET", "k"), bulk("3"));
  });
  await t.step("NX and XX together are a syntax error", async () => {
    assert.equal(await raw.call("SET", "k", "4", "NX", "XX"), SYNTAX);
    assert.equal(await raw.call("SET", "k", "4", "XX", "NX"), SYNTAX);
    assert.equal(await raw.call("SET", "k", "4", "NX", "NX"), NIL);
  });
  await t.step("an expired key counts as absent", async () => {
    await raw.call("SET", "e", "old", "PX", "10");
    s.clock.advance(10);
    assert.equal(await raw.call("SET", "e", "new", "NX"), OK);
    assert.equal(await raw.call("GET", "e"), bulk("new"));
  });
});

Deno.test("SET with GET answers the old value", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("SET", "k", "1", "GET"), NIL);
  assert.equal(await raw.call("SET", "k", "2", "GET"), bulk("1"));
  assert.equal(await raw.call("SET", "k", "3", "get", "get"), bulk("2"));
  await t.step("with NX it answers the old value and keeps it", async () => {
    assert.equal(await raw.call("SET", "k", "4", "NX", "GET"), bulk("3"));
    assert.equal(await raw.call("GET", "k"), bulk("3"));
  });
  await t.step("with XX on a missing key it answers nil and sets nothing", async () => {
    assert.equal(await raw.call("SET", "n", "1", "XX", "GET"), NIL);
    assert.equal(db(s).has("n"), false);
  });
});

Deno.test("SET with EX, PX, EXAT and PXAT sets the expiry time", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const now = s.clock.now();
  assert.equal(await raw.call("SET", "k", "v", "EX", "10"), OK);
  assert.equal(db(s).getExpire("k"), now + 10_000);
  assert.equal(await raw.call("SET", "k", "v", "px", "1500"), OK);
  assert.equal(db(s).getExpire("k"), now + 1500);
  assert.equal(await raw.call("SET", "k", "v", "EXAT", "4000000000"), OK);
  assert.equal(db(s).getExpire("k"), 4_000_000_000_000);
  assert.equal(await raw.call("SET", "k", "v", "PXAT", "4000000000123"), OK);
  assert.equal(db(s).getExpire("k"), 4_000_000_000_123);
  await t.step("the key expires when the clock passes the time", async () => {
    await raw.call("SET", "k", "v", "PX", "100");
    s.clock.advance(99);
    assert.equal(await raw.call("GET", "k"), bulk("v"));
    s.clock.advance(1);
    assert.equal(await raw.call("GET", "k"), NIL);
  });
  await t.step("the same option twice: the last wins", async () => {
    await raw.call("SET", "k", "v", "EX", "10", "EX", "20");
    assert.equal(db(s).getExpire("k"), s.clock.now() + 20_000);
  });
  await t.step("KEEPTTL keeps the TTL", async () => {
    await raw.call("SET", "k", "v", "EX", "10");
    const at = db(s).getExpire("k");
    assert.equal(await raw.call("SET", "k", "w", "KEEPTTL"), OK);
    assert.equal(db(s).getExpire("k"), at);
    assert.equal(await raw.call("GET", "k"), bulk("w"));
  });
  await t.step("KEEPTTL on an expired key does not revive its TTL", async () => {
    await raw.call("SET", "x", "v", "PX", "5");
    s.clock.advance(5);
    assert.equal(await raw.call("SET", "x", "w", "KEEPTTL"), OK);
    assert.equal(db(s).getExpire("x"), undefined);
    assert.equal(await raw.call("GET", "x"), bulk("w"));
  });
  await t.step("a time in the past stores the key already expired", async () => {
    assert.equal(await raw.call("SET", "p", "v", "PXAT", "1"), OK);
    assert.equal(await raw.call("GET", "p"), NIL);
    assert.equal(await raw.call("SET", "p", "v", "EXAT", "1", "GET"), NIL);
  });
  await t.step("the largest valid times", async () => {
    assert.equal(await raw.call("SET", "m", "v", "PXAT", "9223372036854775807"), OK);
    assert.equal(await raw.call("SET", "m", "v", "EXAT", "9223372036854775"), OK);
  });
});

Deno.test("SET rejects bad options and expire times", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("incompatible or unknown options", async () => {
    for (
      const opts of [
        ["EX"],
        ["PX"],
        ["EX", "10", "PX", "100"],
        ["EX", "10", "EXAT", "100"],
        ["PXAT", "10", "EX", "100"],
        ["PX", "10", "PXAT", "100"],
        ["KEEPTTL", "EX", "10"],
        ["EX", "10", "KEEPTTL"],
        ["PERSIST"],
        ["foo"],
        ["NXX"],
      ]
    ) {
      assert.equal(await raw.call("SET", "k", "v", ...opts), SYNTAX, opts.join(" "));
    }
  });
  await t.step("keywords compare as C strings (a NUL ends them)", async () => {
    assert.equal(await raw.call("SET", "k", "v", "NX\x00junk"), OK);
    await raw.call("DEL", "k");
  });
  await t.step("invalid expire times", async () => {
    for (
      const opts of [
        ["EX", "0"],
        ["EX", "-1"],
        ["PX", "0"],
        ["EXAT", "0"],
        ["PXAT", "-5"],
        ["PX", "9223372036854775807"],
        ["EX", "9223372036854775"],
        ["EX", "9223372036854776"],
        ["EXAT", "9223372036854776"],
        ["EX", "0", "GET"],
      ]
    ) {
      assert.equal(await raw.call("SET", "k", "v", ...opts), invalidExpire("set"), opts.join(" "));
    }
  });
  await t.step("expire times that are not integers", async () => {
    assert.equal(await raw.call("SET", "k", "v", "EX", "abc"), NOT_INTEGER);
    assert.equal(await raw.call("SET", "k", "v", "EX", "1.5"), NOT_INTEGER);
    assert.equal(await raw.call("SET", "k", "v", "EX", "9223372036854775808"), NOT_INTEGER);
  });
  await t.step("the expire time is checked before the key's type", async () => {
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("SET", "l", "v", "EX", "0", "GET"), invalidExpire("set"));
  });
  assert.equal(db(s).has("k"), false);
});

Deno.test("SETNX, SETEX and PSETEX", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("SETNX sets only a missing key and answers 1 or 0", async () => {
    assert.equal(await raw.call("SETNX", "k", "1"), int(1));
    assert.equal(await raw.call("SETNX", "k", "2"), int(0));
    assert.equal(await raw.call("GET", "k"), bulk("1"));
  });
  await t.step("SETEX sets the value with a TTL in seconds", async () => {
    assert.equal(await raw.call("SETEX", "k", "100", "v"), OK);
    assert.equal(db(s).getExpire("k"), s.clock.now() + 100_000);
    assert.equal(await raw.call("GET", "k"), bulk("v"));
    s.clock.advance(100_000);
    assert.equal(await raw.call("GET", "k"), NIL);
  });
  await t.step("PSETEX sets the value with a TTL in milliseconds", async () => {
    assert.equal(await raw.call("PSETEX", "k", "1500", "w"), OK);
    assert.equal(db(s).getExpire("k"), s.clock.now() + 1500);
  });
  await t.step("errors name the command", async () => {
    assert.equal(await raw.call("SETEX", "k", "0", "v"), invalidExpire("setex"));
    assert.equal(await raw.call("SETEX", "k", "-1", "v"), invalidExpire("setex"));
    assert.equal(await raw.call("PSETEX", "k", "0", "v"), invalidExpire("psetex"));
    assert.equal(await raw.call("SETEX", "k", "abc", "v"), NOT_INTEGER);
    assert.equal(await raw.call("SETNX", "k"), wrongArity("setnx"));
    assert.equal(await raw.call("SETEX", "k", "10"), wrongArity("setex"));
    assert.equal(await raw.call("PSETEX", "k", "10"), wrongArity("psetex"));
  });
  await t.step("SETNX on another type answers 0, SETEX replaces it", async () => {
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("SETNX", "l", "v"), int(0));
    assert.equal(await raw.call("SETEX", "l", "10", "v"), OK);
    assert.equal(await raw.call("GET", "l"), bulk("v"));
  });
});

Deno.test("GETSET answers the old value and drops the TTL", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  assert.equal(await redis.getset("k", "1"), null);
  assert.equal(await redis.getset("k", "2"), "1");
  assert.equal(await redis.get("k"), "2");
  await raw.call("SET", "t", "v", "EX", "100");
  assert.equal(await raw.call("GETSET", "t", "w"), bulk("v"));
  assert.equal(db(s).getExpire("t"), undefined);
  db(s).set("l", new FakeList());
  assert.equal(await raw.call("GETSET", "l", "v"), WRONGTYPE);
  assert.equal(await raw.call("GETSET", "k"), wrongArity("getset"));
});

Deno.test("GETDEL answers the value and deletes the key", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "k", "\x00v\xff");
  assert.equal(await raw.call("GETDEL", "k"), bulk("\x00v\xff"));
  assert.equal(db(s).has("k"), false);
  assert.equal(await raw.call("GETDEL", "k"), NIL);
  db(s).set("l", new FakeList());
  assert.equal(await raw.call("GETDEL", "l"), WRONGTYPE);
  assert.ok(db(s).has("l"));
  assert.equal(await raw.call("GETDEL"), wrongArity("getdel"));
});

Deno.test("GETEX answers the value and sets, changes or removes the TTL", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("GETEX", "missing"), NIL);
  await raw.call("SET", "k", "v");
  assert.equal(await raw.call("GETEX", "k"), bulk("v"));
  assert.equal(db(s).getExpire("k"), undefined);
  await t.step("EX, PX, EXAT and PXAT", async () => {
    assert.equal(await raw.call("GETEX", "k", "EX", "100"), bulk("v"));
    assert.equal(db(s).getExpire("k"), s.clock.now() + 100_000);
    assert.equal(await raw.call("GETEX", "k", "px", "50"), bulk("v"));
    assert.equal(db(s).getExpire("k"), s.clock.now() + 50);
    assert.equal(await raw.call("GETEX", "k", "EXAT", "4000000000"), bulk("v"));
    assert.equal(db(s).getExpire("k"), 4_000_000_000_000);
    assert.equal(await raw.call("GETEX", "k", "PXAT", "4000000000999"), bulk("v"));
    assert.equal(db(s).getExpire("k"), 4_000_000_000_999);
  });
  await t.step("PERSIST removes the TTL", async () => {
    assert.equal(await raw.call("GETEX", "k", "PERSIST"), bulk("v"));
    assert.equal(db(s).getExpire("k"), undefined);
    assert.equal(await raw.call("GETEX", "k", "persist", "persist"), bulk("v"));
  });
  await t.step("an absolute time in the past deletes the key", async () => {
    assert.equal(await raw.call("GETEX", "k", "PXAT", "1"), bulk("v"));
    assert.equal(db(s).has("k"), false);
  });
  await t.step("the TTL set makes the key expire", async () => {
    await raw.call("SET", "k", "v");
    await raw.call("GETEX", "k", "PX", "10");
    s.clock.advance(10);
    assert.equal(await raw.call("GETEX", "k"), NIL);
  });
  await t.step("syntax errors come before the lookup", async () => {
    for (
      const opts of [
        ["foo"],
        ["EX"],
        ["PERSIST", "EX", "10"],
        ["EX", "10", "PERSIST"],
        ["EX", "10", "PX", "10"],
        ["KEEPTTL"],
        ["NX"],
        ["XX"],
        ["GET"],
      ]
    ) {
      assert.equal(await raw.call("GETEX", "missing", ...opts), SYNTAX, opts.join(" "));
    }
  });
  await t.step("expire times are checked only for an existing string", async () => {
    assert.equal(await raw.call("GETEX", "missing", "EX", "0"), NIL);
    assert.equal(await raw.call("GETEX", "missing", "EX", "abc"), NIL);
    await raw.call("SET", "k", "v");
    assert.equal(await raw.call("GETEX", "k", "EX", "0"), invalidExpire("getex"));
    assert.equal(await raw.call("GETEX", "k", "EX", "abc"), NOT_INTEGER);
    assert.equal(await raw.call("GETEX", "k", "EXAT", "9223372036854776"), invalidExpire("getex"));
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("GETEX", "l", "EX", "0"), WRONGTYPE);
  });
  assert.equal(await raw.call("GETEX"), wrongArity("getex"));
});

Deno.test("MGET answers nil for missing keys and other types", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  await redis.mset("a", "1", "b", "2");
  db(s).set("l", new FakeList());
  assert.deepEqual(await redis.mget("a", "missing", "l", "b"), ["1", null, null, "2"]);
  assert.equal(await raw.call("MGET", "a", "l"), "*2\r\n$1\r\n1\r\n$-1\r\n");
  assert.equal(await raw.call("MGET"), wrongArity("mget"));
});

Deno.test("MSET sets every pair and drops TTLs", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "t", "v", "EX", "100");
  db(s).set("l", new FakeList());
  assert.equal(await raw.call("MSET", "a", "1", "b", "\x00", "a", "3", "t", "w", "l", "s"), OK);
  assert.equal(db(s).get("a"), "3");
  assert.equal(db(s).get("b"), "\x00");
  assert.equal(db(s).get("l"), "s");
  assert.equal(db(s).getExpire("t"), undefined);
  assert.equal(await raw.call("MSET", "a", "1", "b"), wrongArity("mset"));
  assert.equal(await raw.call("MSET", "a"), wrongArity("mset"));
  assert.equal(db(s).get("a"), "3");
});

Deno.test("MSETNX sets nothing when any key exists", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("MSETNX", "a", "1", "b", "2"), int(1));
  assert.equal(await raw.call("MSETNX", "c", "3", "a", "9"), int(0));
  assert.equal(db(s).has("c"), false);
  assert.equal(db(s).get("a"), "1");
  db(s).set("l", new FakeList());
  assert.equal(await raw.call("MSETNX", "l", "1"), int(0));
  assert.equal(await raw.call("MSETNX", "a", "1", "b"), wrongArity("msetnx"));
});

Deno.test("APPEND creates or extends a string and keeps its TTL", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("APPEND", "k", "hello"), int(5));
  assert.equal(await raw.call("APPEND", "k", " world"), int(11));
  assert.equal(await raw.call("GET", "k"), bulk("hello world"));
  assert.equal(await raw.call("APPEND", "k", ""), int(11));
  await t.step("binary bytes", async () => {
    await raw.call("APPEND", "b", "\x00\xff");
    assert.equal(await raw.call("APPEND", "b", "\x80\x00"), int(4));
    assert.equal(db(s).get("b"), "\x00\xff\x80\x00");
  });
  await t.step("the TTL is kept", async () => {
    await raw.call("SET", "t", "1", "EX", "100");
    const at = db(s).getExpire("t");
    await raw.call("APPEND", "t", "2");
    assert.equal(db(s).getExpire("t"), at);
  });
  await t.step("errors", async () => {
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("APPEND", "l", "x"), WRONGTYPE);
    assert.equal(await raw.call("APPEND", "k"), wrongArity("append"));
  });
  await t.step("growing beyond proto-max-bulk-len is refused", async () => {
    s.server.engine.config.set("proto-max-bulk-len", String(1024 * 1024));
    await raw.call("SETRANGE", "big", String(1024 * 1024 - 1), "x");
    assert.equal(
      await raw.call("APPEND", "big", "y"),
      "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    );
    assert.equal(await raw.call("STRLEN", "big"), int(1024 * 1024));
  });
});

Deno.test("STRLEN answers the length in bytes", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "k", ALL_BYTES);
  assert.equal(await raw.call("STRLEN", "k"), int(256));
  assert.equal(await raw.call("STRLEN", "missing"), int(0));
  db(s).set("l", new FakeList());
  assert.equal(await raw.call("STRLEN", "l"), WRONGTYPE);
  assert.equal(await raw.call("STRLEN"), wrongArity("strlen"));
});

Deno.test("GETRANGE and SUBSTR answer substrings with Redis's index rules", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "k", "This is a string");
  const cases: [string, string, string][] = [
    ["0", "3", "This"],
    ["-3", "-1", "ing"],
    ["0", "-1", "This is a string"],
    ["10", "100", "string"],
    ["5", "3", ""],
    ["-1", "-5", ""],
    ["0", "-100", "T"],
    ["-100", "2", "Thi"],
    ["100", "200", ""],
    ["-9223372036854775808", "9223372036854775807", "This is a string"],
  ];
  for (const [start, end, want] of cases) {
    await t.step(`${start} ${end}`, async () => {
      assert.equal(await raw.call("GETRANGE", "k", start, end), bulk(want));
      assert.equal(await raw.call("SUBSTR", "k", start, end), bulk(want));
    });
  }
  await t.step("missing and empty strings answer an empty bulk", async () => {
    assert.equal(await raw.call("GETRANGE", "missing", "0", "-1"), bulk(""));
    await raw.call("SET", "e", "");
    assert.equal(await raw.call("GETRANGE", "e", "0", "0"), bulk(""));
  });
  await t.step("errors", async () => {
    assert.equal(await raw.call("GETRANGE", "k", "a", "1"), NOT_INTEGER);
    assert.equal(await raw.call("GETRANGE", "k", "0", "9223372036854775808"), NOT_INTEGER);
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("GETRANGE", "l", "0", "1"), WRONGTYPE);
    assert.equal(await raw.call("GETRANGE", "l", "x", "1"), NOT_INTEGER);
    assert.equal(await raw.call("GETRANGE", "k", "0"), wrongArity("getrange"));
    assert.equal(await raw.call("SUBSTR", "k", "0"), wrongArity("substr"));
  });
});

Deno.test("SETRANGE pads with zero bytes and overwrites in place", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("SETRANGE", "k", "5", "hi"), int(7));
  assert.equal(db(s).get("k"), "\x00\x00\x00\x00\x00hi");
  assert.equal(await raw.call("SETRANGE", "k", "0", "ab"), int(7));
  assert.equal(db(s).get("k"), "ab\x00\x00\x00hi");
  assert.equal(await raw.call("SETRANGE", "k", "6", "xyz"), int(9));
  assert.equal(db(s).get("k"), "ab\x00\x00\x00hxyz");
  assert.equal(await raw.call("SETRANGE", "k", "3", "\xff\x00"), int(9));
  assert.equal(db(s).get("k"), "ab\x00\xff\x00hxyz");
  await t.step("an empty value changes nothing", async () => {
    assert.equal(await raw.call("SETRANGE", "k", "100", ""), int(9));
    assert.equal(await raw.call("SETRANGE", "n", "5", ""), int(0));
    assert.equal(db(s).has("n"), false);
  });
  await t.step("the TTL is kept", async () => {
    await raw.call("SET", "t", "hello", "EX", "100");
    const at = db(s).getExpire("t");
    assert.equal(await raw.call("SETRANGE", "t", "0", "J"), int(5));
    assert.equal(db(s).get("t"), "Jello");
    assert.equal(db(s).getExpire("t"), at);
  });
  await t.step("offsets and sizes", async () => {
    assert.equal(await raw.call("SETRANGE", "k", "-1", "x"), "-ERR offset is out of range\r\n");
    assert.equal(await raw.call("SETRANGE", "k", "a", "x"), NOT_INTEGER);
    const tooBig = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    assert.equal(await raw.call("SETRANGE", "k", "536870912", "x"), tooBig);
    assert.equal(await raw.call("SETRANGE", "n", "536870912", "x"), tooBig);
    assert.equal(await raw.call("SETRANGE", "n", "9223372036854775807", "x"), tooBig);
    assert.equal(await raw.call("SETRANGE", "n", "536870912", ""), int(0));
    assert.equal(await raw.call("SETRANGE", "n", "9223372036854775808", "x"), NOT_INTEGER);
  });
  await t.step("other types", async () => {
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("SETRANGE", "l", "0", "x"), WRONGTYPE);
    assert.equal(await raw.call("SETRANGE", "l", "0", ""), WRONGTYPE);
    assert.equal(await raw.call("SETRANGE", "l", "-1", "x"), "-ERR offset is out of range\r\n");
    assert.equal(await raw.call("SETRANGE", "k", "0"), wrongArity("setrange"));
  });
});

Deno.test("INCR, DECR, INCRBY and DECRBY count in exact 64-bit integers", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  assert.equal(await redis.incr("n"), 1);
  assert.equal(await redis.incr("n"), 2);
  assert.equal(await redis.decr("n"), 1);
  assert.equal(await redis.incrby("n", 10), 11);
  assert.equal(await redis.decrby("n", 20), -9);
  assert.equal(await redis.get("n"), "-9");
  await t.step("beyond 2^53 the arithmetic stays exact", async () => {
    await raw.call("SET", "b", "9007199254740992");
    assert.equal(await raw.call("INCR", "b"), int(9007199254740993n));
    assert.equal(await raw.call("INCRBY", "b", "1000000000000000000"), int(1009007199254740993n));
    assert.equal(db(s).get("b"), "1009007199254740993");
    assert.equal(await raw.call("DECRBY", "b", "1009007199254740993"), int(0));
  });
  await t.step("overflow is an error and leaves the value", async () => {
    const overflow = "-ERR increment or decrement would overflow\r\n";
    await raw.call("SET", "m", "9223372036854775806");
    assert.equal(await raw.call("INCR", "m"), int(9223372036854775807n));
    assert.equal(await raw.call("INCR", "m"), overflow);
    assert.equal(await raw.call("DECRBY", "m", "-1"), overflow);
    await raw.call("SET", "m", "-9223372036854775808");
    assert.equal(await raw.call("DECR", "m"), overflow);
    assert.equal(await raw.call("INCRBY", "m", "-1"), overflow);
    assert.equal(db(s).get("m"), "-9223372036854775808");
    assert.equal(
      await raw.call("DECRBY", "m", "-9223372036854775808"),
      "-ERR decrement would overflow\r\n",
    );
    assert.equal(await raw.call("INCRBY", "z", "-9223372036854775808"), int(-9223372036854775808n));
  });
  await t.step("values and increments must be canonical integers", async () => {
    for (const bad of [" 1", "1 ", "+1", "01", "-0", "1.5", "abc", "", "9223372036854775808"]) {
      await raw.call("SET", "v", bad);
      assert.equal(await raw.call("INCR", "v"), NOT_INTEGER, JSON.stringify(bad));
      assert.equal(await raw.call("INCRBY", "w", bad), NOT_INTEGER, JSON.stringify(bad));
    }
  });
  await t.step("the TTL is kept", async () => {
    await raw.call("SET", "t", "5", "EX", "100");
    const at = db(s).getExpire("t");
    assert.equal(await raw.call("INCR", "t"), int(6));
    assert.equal(db(s).getExpire("t"), at);
  });
  await t.step("other types and arity", async () => {
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("INCR", "l"), WRONGTYPE);
    assert.equal(await raw.call("DECRBY", "l", "1"), WRONGTYPE);
    assert.equal(await raw.call("INCRBY", "l", "abc"), NOT_INTEGER);
    assert.equal(await raw.call("INCR"), wrongArity("incr"));
    assert.equal(await raw.call("DECR", "a", "b"), wrongArity("decr"));
    assert.equal(await raw.call("INCRBY", "a"), wrongArity("incrby"));
    assert.equal(await raw.call("DECRBY", "a"), wrongArity("decrby"));
  });
});

Deno.test("INCRBYFLOAT computes and prints as Redis's long double does", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  // [initial value or null, increment, reply] as redis-server 7.0.15 answers.
  const cases: [string | null, string, string][] = [
    [null, "0.1", "0.1"],
    ["0.1", "0.2", "0.3"],
    ["10.5", "0.1", "10.6"],
    ["1000.1", "0.2", "1000.29999999999999999"],
    [null, "5.0e3", "5000"],
    [null, "1e20", "100000000000000000000"],
    ["1e20", "1", "100000000000000000000"],
    [null, "-3.7", "-3.7"],
    [null, "0x10", "16"],
    [null, "0x1p-3", "0.125"],
    [null, "+.5", "0.5"],
    [null, "5.", "5"],
    [null, "-0", "0"],
    [null, "-0.000000000000000001", "0"],
    [null, "1.23456789012345678901234", "1.23456789012345679"],
    [null, "123456789012345678901234567890", "123456789012345678899921813504"],
    ["1e17", "0.1", "100000000000000000.1015625"],
    ["1", "1e17", "100000000000000001"],
    [null, "3.814697265625e-6", "0.00000381469726562"],
    [null, "1e-4950", "0"],
    ["10", "-10", "0"],
  ];
  for (const [init, by, want] of cases) {
    await t.step(`${init ?? "(none)"} + ${by} = ${want}`, async () => {
      await raw.call("DEL", "f");
      if (init !== null) await raw.call("SET", "f", init);
      assert.equal(await raw.call("INCRBYFLOAT", "f", by), bulk(want));
      assert.equal(db(s).get("f"), want);
    });
  }
  await t.step("1.5e308 is well within a long double's range", async () => {
    await raw.call("DEL", "f");
    const reply = await raw.call("INCRBYFLOAT", "f", "1.5e+308");
    assert.ok(reply.startsWith("$309\r\n1499999999999999999999014764894684"), reply.slice(0, 40));
  });
  await t.step("invalid floats", async () => {
    const bad = [
      "  1",
      "1 ",
      "abc",
      "nan",
      "-nan",
      "",
      ".",
      "1e",
      "0x",
      "1\x00",
      "1e4933",
      "1e-4960",
    ];
    for (const by of bad) {
      assert.equal(await raw.call("INCRBYFLOAT", "g", by), NOT_FLOAT, JSON.stringify(by));
      await raw.call("SET", "h", by);
      assert.equal(await raw.call("INCRBYFLOAT", "h", "1"), NOT_FLOAT, JSON.stringify(by));
    }
    assert.equal(await raw.call("INCRBYFLOAT", "g", "1".padStart(5120, "0")), NOT_FLOAT);
    assert.equal(await raw.call("INCRBYFLOAT", "g", "1".padStart(5119, "0")), bulk("1"));
  });
  await t.step("infinities are parsed but the result may not be one", async () => {
    const nanInf = "-ERR increment would produce NaN or Infinity\r\n";
    for (const by of ["inf", "-inf", "infinity", "-INF"]) {
      assert.equal(await raw.call("INCRBYFLOAT", "f", by), nanInf, by);
    }
    await raw.call("SET", "f", "0x1.fffffffffffffffep16383");
    assert.equal(await raw.call("INCRBYFLOAT", "f", "0x1p16319"), nanInf);
  });
  await t.step("the TTL is kept", async () => {
    await raw.call("SET", "t", "1", "EX", "100");
    const at = db(s).getExpire("t");
    assert.equal(await raw.call("INCRBYFLOAT", "t", "1.5"), bulk("2.5"));
    assert.equal(db(s).getExpire("t"), at);
  });
  await t.step("other types and arity", async () => {
    db(s).set("l", new FakeList());
    assert.equal(await raw.call("INCRBYFLOAT", "l", "abc"), WRONGTYPE);
    assert.equal(await raw.call("INCRBYFLOAT", "f"), wrongArity("incrbyfloat"));
  });
});

Deno.test("LCS answers the common subsequence, its length or its ranges", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("MSET", "a", "ohmytext", "b", "mynewtext");
  assert.equal(await raw.call("LCS", "a", "b"), bulk("mytext"));
  assert.equal(await raw.call("LCS", "a", "b", "LEN"), int(6));
  assert.equal(await raw.call("LCS", "a", "missing"), bulk(""));
  const range = (a0: number, a1: number, b0: number, b1: number, len?: number) =>
    `*${len === undefined ? 2 : 3}\r\n*2\r\n:${a0}\r\n:${a1}\r\n*2\r\n:${b0}\r\n:${b1}\r\n` +
    (len === undefined ? "" : `:${len}\r\n`);
  await t.step("IDX in RESP2 is a flat array", async () => {
    assert.equal(
      await raw.call("LCS", "a", "b", "IDX"),
      "*4\r\n$7\r\nmatches\r\n*2\r\n" + range(4, 7, 5, 8) + range(2, 3, 0, 1) +
        "$3\r\nlen\r\n:6\r\n",
    );
    assert.equal(
      await raw.call("LCS", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"),
      "*4\r\n$7\r\nmatches\r\n*1\r\n" + range(4, 7, 5, 8, 4) + "$3\r\nlen\r\n:6\r\n",
    );
    assert.equal(
      await raw.call("LCS", "x", "y", "IDX"),
      "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
    );
  });
  await t.step("IDX in RESP3 is a map", async () => {
    const r3 = await s.raw();
    await r3.call("HELLO", "3");
    assert.equal(
      await r3.call("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
      "%2\r\n$7\r\nmatches\r\n*2\r\n" + range(4, 7, 5, 8, 4) + range(2, 3, 0, 1, 2) +
        "$3\r\nlen\r\n:6\r\n",
    );
  });
  await t.step("binary strings", async () => {
    await raw.call("MSET", "p", "\x00\xff\x01abc\xfe", "q", "zz\xff\x01ab\xfe");
    assert.equal(await raw.call("LCS", "p", "q"), bulk("\xff\x01ab\xfe"));
  });
  await t.step("errors", async () => {
    assert.equal(
      await raw.call("LCS", "a", "b", "IDX", "LEN"),
      "-ERR If you want both the length and indexes, please just use IDX.\r\n",
    );
    assert.equal(await raw.call("LCS", "a", "b", "MINMATCHLEN"), SYNTAX);
    assert.equal(await raw.call("LCS", "a", "b", "MINMATCHLEN", "x"), NOT_INTEGER);
    assert.equal(await raw.call("LCS", "a", "b", "foo"), SYNTAX);
    db(s).set("l", new FakeList());
    const wrong = "-ERR The specified keys must contain string values\r\n";
    assert.equal(await raw.call("LCS", "a", "l"), wrong);
    assert.equal(await raw.call("LCS", "l", "a", "foo"), wrong);
    assert.equal(await raw.call("LCS", "a"), wrongArity("lcs"));
    await raw.call("SET", "big", "x".repeat(12000));
    assert.equal(
      await raw.call("LCS", "big", "big", "LEN"),
      "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
    );
  });
});

Deno.test("string reads count keyspace hits and misses as Redis does", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const stats = s.server.engine.stats;
  await raw.call("SET", "k", "v");
  const steps: [string[], number, number][] = [
    [["GET", "k"], 1, 0],
    [["GET", "nope"], 1, 1],
    [["MGET", "k", "nope", "k"], 3, 2],
    [["STRLEN", "k"], 4, 2],
    [["GETRANGE", "nope", "0", "1"], 4, 3],
    [["SET", "k", "w", "GET"], 5, 3],
    [["GETEX", "k"], 6, 3],
    [["GETSET", "nope", "x"], 6, 4],
    [["GETDEL", "nope2"], 6, 5],
    [["LCS", "k", "nope3"], 7, 6],
    [["INCR", "counter"], 7, 6],
    [["APPEND", "k", "x"], 7, 6],
    [["SETNX", "k", "x"], 7, 6],
    [["INCRBYFLOAT", "ff", "1"], 7, 6],
    [["SETRANGE", "k", "0", "a"], 7, 6],
    [["MSETNX", "k", "1"], 7, 6],
  ];
  for (const [argv, hits, misses] of steps) {
    await raw.call(...argv);
    assert.deepEqual([stats.keyspaceHits, stats.keyspaceMisses], [hits, misses], argv.join(" "));
  }
});

Deno.test("string writes publish Redis's keyspace events", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  const cases: [string[][], string[]][] = [
    [[["SET", "k", "v"]], ["$:set:k"]],
    [[["SET", "k", "v", "EX", "10"]], ["$:set:k", "g:expire:k"]],
    [[["SET", "k", "v", "PXAT", "1"]], ["$:set:k", "g:expire:k"]],
    // The key left by PXAT 1 expires on this lookup first, as in Redis.
    [[["SET", "k", "v"], ["SET", "k", "w", "NX"]], ["x:expired:k", "$:set:k"]],
    [[["SETNX", "n1", "v"]], ["$:set:n1"]],
    [[["SETEX", "k", "10", "v"]], ["$:set:k", "g:expire:k"]],
    [[["PSETEX", "k", "10", "v"]], ["$:set:k", "g:expire:k"]],
    [[["GETSET", "k", "w"]], ["$:set:k"]],
    [[["GETDEL", "k"], ["GETDEL", "k"]], ["g:del:k", "m:keymiss:k"]],
    [[["MSET", "a", "1", "b", "2"]], ["$:set:a", "$:set:b"]],
    [[["MSETNX", "c", "1", "d", "2"], ["MSETNX", "c", "1"]], ["$:set:c", "$:set:d"]],
    [[["APPEND", "a", "x"], ["APPEND", "a", ""]], ["$:append:a", "$:append:a"]],
    [[["SETRANGE", "a", "0", "y"], ["SETRANGE", "a", "0", ""]], ["$:setrange:a"]],
    [[["INCR", "i"], ["DECR", "i"], ["INCRBY", "i", "2"], ["DECRBY", "i", "2"]], [
      "$:incrby:i",
      "$:incrby:i",
      "$:incrby:i",
      "$:incrby:i",
    ]],
    [[["INCRBYFLOAT", "f", "1.5"]], ["$:incrbyfloat:f"]],
    [[["GETEX", "a", "EX", "10"]], ["g:expire:a"]],
    [[["GETEX", "a", "PERSIST"], ["GETEX", "a", "PERSIST"]], ["g:persist:a"]],
    [[["GETEX", "a", "PXAT", "1"]], ["g:del:a"]],
    [[["GETEX", "b"], ["GET", "b"], ["MGET", "b"], ["STRLEN", "b"], ["LCS", "b", "c"]], []],
  ];
  for (const [commands, want] of cases) {
    await t.step(commands.map((c) => c.join(" ")).join("; "), async () => {
      events.length = 0;
      for (const argv of commands) await raw.call(...argv);
      assert.deepEqual(events, want);
    });
  }
});

Deno.test("string writes count as changes, failed ones do not", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const engine = s.server.engine;
  const before = engine.changes;
  await raw.call("MSET", "a", "1", "b", "2");
  await raw.call("SET", "a", "3", "NX");
  await raw.call("INCR", "a");
  await raw.call("SETRANGE", "a", "0", "");
  assert.equal(engine.changes - before, 3);
});

/** Each string write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["SET", "k", "v"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["SET", "k", "w", "NX"], changes: 0 },
  { run: ["SET", "k", "v", "XX"], changes: 0 },
  { run: ["SET", "k", "v", "EX", "100"], changes: 1 },
  { run: ["SET", "k", "v", "PX", "100000", "GET"], changes: 1 },
  { setup: [["SET", "k", "v", "EX", "100"]], run: ["SET", "k", "w", "KEEPTTL"], changes: 1 },
  { run: ["SET", "k", "v", "EXAT", "1"], changes: 1 },
  { setup: [["SET", "k", "1"]], run: ["SET", "k", "v", "GET"], changes: 1 },
  { run: ["SETNX", "k", "v"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["SETNX", "k", "w"], changes: 0 },
  { run: ["SETEX", "k", "100", "v"], changes: 1 },
  { run: ["SETEX", "k", "0", "v"], changes: 0 },
  { run: ["PSETEX", "k", "100000", "v"], changes: 1 },
  { run: ["GETSET", "k", "v"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["GETSET", "k", "w"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["GETDEL", "k"], changes: 1 },
  { run: ["GETDEL", "k"], changes: 0 },
  { setup: [["SET", "k", "v"]], run: ["GETEX", "k"], changes: 0 },
  { setup: [["SET", "k", "v"]], run: ["GETEX", "k", "EX", "100"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["GETEX", "k", "PXAT", "1"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["GETEX", "k", "PERSIST"], changes: 0 },
  { setup: [["SET", "k", "v", "EX", "100"]], run: ["GETEX", "k", "PERSIST"], changes: 1 },
  { run: ["GETEX", "k", "EX", "100"], changes: 0 },
  { run: ["MSET", "a", "1", "b", "2"], changes: 2 },
  { run: ["MSET", "a", "1", "a", "2", "a", "3"], changes: 3 },
  { run: ["MSETNX", "a", "1", "b", "2"], changes: 2 },
  { setup: [["SET", "a", "x"]], run: ["MSETNX", "a", "1", "b", "2"], changes: 0 },
  { run: ["APPEND", "k", "x"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["APPEND", "k", "x"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["APPEND", "k", ""], changes: 1 },
  { run: ["SETRANGE", "k", "2", "xy"], changes: 1 },
  { setup: [["SET", "k", "vvv"]], run: ["SETRANGE", "k", "0", "a"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["SETRANGE", "k", "0", ""], changes: 0 },
  { run: ["SETRANGE", "k", "0", ""], changes: 0 },
  { run: ["INCR", "k"], changes: 1 },
  { setup: [["SET", "k", "abc"]], run: ["INCR", "k"], changes: 0 },
  { run: ["DECR", "k"], changes: 1 },
  { run: ["INCRBY", "k", "5"], changes: 1 },
  { setup: [["SET", "k", String(2n ** 63n - 1n)]], run: ["INCRBY", "k", "1"], changes: 0 },
  { run: ["DECRBY", "k", "5"], changes: 1 },
  { run: ["INCRBYFLOAT", "k", "1.5"], changes: 1 },
  { setup: [["SET", "k", "abc"]], run: ["INCRBYFLOAT", "k", "1.5"], changes: 0 },
];

dirtyCountTests("string", { handlers: STRING_HANDLERS, cases: DIRTY_CASES });
