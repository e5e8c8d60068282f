import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type RawClient, type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { HASH_HANDLERS } from "../../src/commands/hash.ts";
import type { Database } from "../../src/store/database.ts";
import type { Engine } from "../../src/engine.ts";
import { HashValue } from "../../src/store/hash.ts";
import { bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";
const NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
const NOT_FLOAT = "-ERR value is not a valid float\r\n";
const NIL = "$-1\r\n";
const OK = "+OK\r\n";
const EMPTY = "*0\r\n";
const FIELDS_MISSING = "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n";
const NUMFIELDS_EXPIRE = "-ERR Parameter `numFields` should be greater than 0\r\n";
const NUMFIELDS_READ = "-ERR Number of fields must be a positive integer\r\n";
const NUMFIELDS_MISMATCH = "-ERR The `numfields` parameter must match the number of arguments\r\n";

/** Every byte value once. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

function db(t: TestServer): Database {
  return t.server.engine.db(0);
}

function arr(...items: string[]): string {
  return `*${items.length}\r\n${items.join("")}`;
}

function ints(...ns: number[]): string {
  return arr(...ns.map(int));
}

function wrongArity(name: string): string {
  return `-ERR wrong number of arguments for '${name}' command\r\n`;
}

/** Records every keyspace notification as `class:event:key`. */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

function hashAt(t: TestServer, key: string): HashValue {
  const v = db(t).get(key);
  assert.ok(v instanceof HashValue, `${key} holds a hash`);
  return v;
}

Deno.test("HSET and HGET store fields byte for byte", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  assert.equal(await redis.hset("h", "f", "v", "g", "w"), 2);
  assert.equal(await redis.hget("h", "f"), "v");
  assert.equal(await redis.hget("h", "missing"), null);
  assert.equal(await redis.hget("nokey", "f"), null);
  await t.step("HSET answers the number of fields added, not updated", async () => {
    assert.equal(await raw.call("HSET", "h", "f", "1", "n", "2", "n", "3"), int(1));
    assert.equal(await raw.call("HGET", "h", "n"), bulk("3"));
  });
  await t.step("binary fields and values with every byte", async () => {
    assert.equal(await raw.call("HSET", "b", ALL_BYTES, ALL_BYTES), int(1));
    assert.equal(await raw.call("HGET", "b", ALL_BYTES), bulk(ALL_BYTES));
    assert.equal(hashAt(s, "b").get(ALL_BYTES), ALL_BYTES);
    const buf = await redis.hgetBuffer(
      "b",
      Buffer.from([...ALL_BYTES].map((c) => c.charCodeAt(0))),
    );
    assert.deepEqual([...buf!], Array.from({ length: 256 }, (_, i) => i));
  });
  await t.step("HMSET answers OK", async () => {
    assert.equal(await raw.call("HMSET", "m", "a", "1", "b", "2"), OK);
    assert.equal(await redis.hlen("m"), 2);
  });
  await t.step("an odd number of field/value arguments is an arity error", async () => {
    assert.equal(await raw.call("HSET", "h", "f"), wrongArity("hset"));
    assert.equal(await raw.call("HSET", "h", "f", "v", "g"), wrongArity("hset"));
    assert.equal(await raw.call("HMSET", "h", "f", "v", "g"), wrongArity("hmset"));
    assert.equal(await raw.call("HGET", "h"), wrongArity("hget"));
    assert.equal(await raw.call("HSETNX", "h", "f"), wrongArity("hsetnx"));
  });
  await t.step("a plain HSET keeps the key's TTL", async () => {
    await raw.call("EXPIRE", "h", "100");
    await raw.call("HSET", "h", "z", "1");
    assert.notEqual(db(s).getExpire("h"), undefined);
  });
});

Deno.test("hash commands on a string key answer WRONGTYPE", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SET", "s", "v");
  const calls = [
    ["HSET", "s", "f", "v"],
    ["HMSET", "s", "f", "v"],
    ["HSETNX", "s", "f", "v"],
    ["HGET", "s", "f"],
    ["HMGET", "s", "f"],
    ["HGETALL", "s"],
    ["HDEL", "s", "f"],
    ["HLEN", "s"],
    ["HEXISTS", "s", "f"],
    ["HKEYS", "s"],
    ["HVALS", "s"],
    ["HSTRLEN", "s", "f"],
    ["HINCRBY", "s", "f", "1"],
    ["HINCRBYFLOAT", "s", "f", "1"],
    ["HRANDFIELD", "s"],
    ["HRANDFIELD", "s", "2"],
    ["HSCAN", "s", "0"],
    ["HEXPIRE", "s", "x", "FIELDS", "1", "f"],
    ["HTTL", "s", "FIELDS", "1", "f"],
    ["HPERSIST", "s", "FIELDS", "1", "f"],
  ];
  for (const argv of calls) assert.equal(await raw.call(...argv), WRONGTYPE, argv.join(" "));
  assert.equal(await raw.call("GET", "s"), bulk("v"));
});

Deno.test("HSETNX sets a field only when it is missing", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  assert.equal(await raw.call("HSETNX", "h", "f", "1"), int(1));
  assert.equal(await raw.call("HSETNX", "h", "f", "2"), int(0));
  assert.equal(await raw.call("HGET", "h", "f"), bulk("1"));
  assert.deepEqual(events, ["h:hset:h"]);
});

Deno.test("HMGET, HKEYS, HVALS and HGETALL list fields in order", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  await redis.hset("h", "a", "1", "b", "2", "c", "3");
  assert.deepEqual(await redis.hmget("h", "a", "x", "c"), ["1", null, "3"]);
  assert.deepEqual(await redis.hkeys("h"), ["a", "b", "c"]);
  assert.deepEqual(await redis.hvals("h"), ["1", "2", "3"]);
  assert.deepEqual(await redis.hgetall("h"), { a: "1", b: "2", c: "3" });
  await t.step("missing keys are empty (nils for HMGET)", async () => {
    assert.equal(await raw.call("HMGET", "nokey", "a", "b"), arr(NIL, NIL));
    assert.equal(await raw.call("HKEYS", "nokey"), EMPTY);
    assert.equal(await raw.call("HVALS", "nokey"), EMPTY);
    assert.equal(await raw.call("HGETALL", "nokey"), EMPTY);
  });
  await t.step("RESP3: HGETALL is a map, an empty one for a missing key", async () => {
    const r3 = await s.raw();
    await r3.call("HELLO", "3");
    assert.equal(
      await r3.call("HGETALL", "h"),
      `%3\r\n${bulk("a")}${bulk("1")}${bulk("b")}${bulk("2")}${bulk("c")}${bulk("3")}`,
    );
    assert.equal(await r3.call("HGETALL", "nokey"), "%0\r\n");
    assert.equal(await r3.call("HKEYS", "h"), arr(bulk("a"), bulk("b"), bulk("c")));
    assert.equal(await r3.call("HMGET", "h", "a", "zz"), arr(bulk("1"), "_\r\n"));
  });
});

Deno.test("HDEL removes fields and deletes an emptied hash", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  assert.equal(await raw.call("HDEL", "nokey", "f"), int(0));
  await raw.call("HSET", "h", "a", "1", "b", "2");
  assert.equal(await raw.call("HDEL", "h", "a", "a", "zz"), int(1));
  assert.equal(await raw.call("HDEL", "h", "zz"), int(0));
  assert.equal(await raw.call("HDEL", "h", "b"), int(1));
  assert.equal(db(s).has("h"), false);
  assert.deepEqual(events, ["h:hset:h", "h:hdel:h", "h:hdel:h", "g:del:h"]);
  assert.equal(await raw.call("HDEL", "h"), wrongArity("hdel"));
});

Deno.test("HLEN, HEXISTS and HSTRLEN", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("HSET", "h", "f", "hello", "z", "");
  assert.equal(await raw.call("HLEN", "h"), int(2));
  assert.equal(await raw.call("HLEN", "nokey"), int(0));
  assert.equal(await raw.call("HEXISTS", "h", "f"), int(1));
  assert.equal(await raw.call("HEXISTS", "h", "g"), int(0));
  assert.equal(await raw.call("HEXISTS", "nokey", "g"), int(0));
  assert.equal(await raw.call("HSTRLEN", "h", "f"), int(5));
  assert.equal(await raw.call("HSTRLEN", "h", "z"), int(0));
  assert.equal(await raw.call("HSTRLEN", "h", "g"), int(0));
  assert.equal(await raw.call("HSTRLEN", "nokey", "g"), int(0));
});

Deno.test("HINCRBY adds a 64-bit integer and keeps the field's TTL", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  assert.equal(await redis.hincrby("h", "f", 5), 5);
  assert.equal(await redis.hincrby("h", "f", -7), -2);
  assert.deepEqual(events, ["h:hincrby:h", "h:hincrby:h"]);
  await t.step("overflow and bad numbers", async () => {
    await raw.call("HSET", "h", "max", "9223372036854775806");
    assert.equal(await raw.call("HINCRBY", "h", "max", "1"), int(9223372036854775807n));
    assert.equal(
      await raw.call("HINCRBY", "h", "max", "1"),
      "-ERR increment or decrement would overflow\r\n",
    );
    assert.equal(await raw.call("HINCRBY", "h", "f", "1.5"), NOT_INTEGER);
    assert.equal(await raw.call("HINCRBY", "h", "f", "9223372036854775808"), NOT_INTEGER);
    await raw.call("HSET", "h", "s", "abc", "z", "01");
    assert.equal(await raw.call("HINCRBY", "h", "s", "1"), "-ERR hash value is not an integer\r\n");
    assert.equal(await raw.call("HINCRBY", "h", "z", "1"), "-ERR hash value is not an integer\r\n");
  });
  await t.step("the increment is checked before the key", async () => {
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("HINCRBY", "str", "f", "x"), NOT_INTEGER);
    assert.equal(await raw.call("HINCRBY", "str", "f", "1"), WRONGTYPE);
  });
  await t.step("a field TTL survives HINCRBY", async () => {
    await raw.call("HPEXPIRE", "h", "1000", "FIELDS", "1", "f");
    await raw.call("HINCRBY", "h", "f", "1");
    assert.equal(await raw.call("HPTTL", "h", "FIELDS", "1", "f"), ints(1000));
  });
});

Deno.test("HINCRBYFLOAT adds with long double precision", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  assert.equal(await raw.call("HINCRBYFLOAT", "h", "f", "0.1"), bulk("0.1"));
  assert.equal(await raw.call("HINCRBYFLOAT", "h", "f", "0.2"), bulk("0.3"));
  assert.equal(await raw.call("HINCRBYFLOAT", "h", "f", "1e17"), bulk("100000000000000000.296875"));
  assert.equal(await raw.call("HGET", "h", "f"), bulk("100000000000000000.296875"));
  assert.deepEqual(events.slice(0, 1), ["h:hincrbyfloat:h"]);
  await t.step("errors", async () => {
    assert.equal(await raw.call("HINCRBYFLOAT", "h", "f", "abc"), NOT_FLOAT);
    assert.equal(
      await raw.call("HINCRBYFLOAT", "h", "f", "inf"),
      "-ERR value is NaN or Infinity\r\n",
    );
    await raw.call("HSET", "h", "s", "abc", "big", "1e4932");
    assert.equal(
      await raw.call("HINCRBYFLOAT", "h", "s", "1"),
      "-ERR hash value is not a float\r\n",
    );
    assert.equal(
      await raw.call("HINCRBYFLOAT", "h", "big", "1e4932"),
      "-ERR increment would produce NaN or Infinity\r\n",
    );
    assert.equal(await raw.call("HINCRBYFLOAT", "nokey", "f", "x"), NOT_FLOAT);
    assert.equal(db(s).has("nokey"), false);
  });
});

Deno.test("HRANDFIELD picks random fields", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  await redis.hset("h", "a", "1", "b", "2", "c", "3", "d", "4");
  const all = ["a", "b", "c", "d"];
  await t.step("without a count: one field, nil for a missing key", async () => {
    assert.ok(all.includes((await redis.hrandfield("h")) as string));
    assert.equal(await raw.call("HRANDFIELD", "nokey"), NIL);
  });
  await t.step("a positive count gives distinct fields", async () => {
    for (let i = 0; i < 20; i++) {
      const got = (await redis.hrandfield("h", 3)) as string[];
      assert.equal(new Set(got).size, 3);
      for (const f of got) assert.ok(all.includes(f));
    }
    assert.deepEqual(await redis.hrandfield("h", 10), all);
    assert.equal(await raw.call("HRANDFIELD", "h", "0"), EMPTY);
    assert.equal(await raw.call("HRANDFIELD", "nokey", "3"), EMPTY);
  });
  await t.step("a negative count may repeat fields", async () => {
    const got = (await redis.hrandfield("h", -50)) as string[];
    assert.equal(got.length, 50);
    assert.ok(new Set(got).size < 50);
  });
  await t.step("WITHVALUES pairs each field with its value", async () => {
    const flat = (await redis.hrandfield("h", -6, "WITHVALUES")) as string[];
    assert.equal(flat.length, 12);
    for (let i = 0; i < flat.length; i += 2) {
      assert.equal(flat[i + 1], String(all.indexOf(flat[i]!) + 1));
    }
    const r3 = await s.raw();
    await r3.call("HELLO", "3");
    assert.equal(
      await r3.call("HRANDFIELD", "h", "10", "WITHVALUES"),
      arr(...all.map((f, i) => arr(bulk(f), bulk(String(i + 1))))),
    );
    assert.equal(await r3.call("HRANDFIELD", "nokey"), "_\r\n");
  });
  await t.step("count errors, as Redis 7.0.15", async () => {
    assert.equal(await raw.call("HRANDFIELD", "h", "x"), NOT_INTEGER);
    assert.equal(await raw.call("HRANDFIELD", "h", "1", "foo"), SYNTAX);
    assert.equal(await raw.call("HRANDFIELD", "h", "1", "WITHVALUES", "x"), SYNTAX);
    assert.equal(
      await raw.call("HRANDFIELD", "h", "-9223372036854775808"),
      "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
    );
    assert.equal(
      await raw.call("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
      "-ERR value is out of range\r\n",
    );
    assert.equal(
      await raw.call("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
      "-ERR value is out of range\r\n",
    );
    assert.equal(
      await raw.call("HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"),
      "-ERR value is out of range\r\n",
    );
  });
});

Deno.test("HSCAN on a listpack hash returns everything at once", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("HSET", "h", "a", "1", "b", "2", "ab", "3");
  const full = arr(bulk("0"), arr(...["a", "1", "b", "2", "ab", "3"].map(bulk)));
  assert.equal(await raw.call("HSCAN", "h", "0"), full);
  assert.equal(await raw.call("HSCAN", "h", "12345", "COUNT", "1"), full);
  assert.equal(
    await raw.call("HSCAN", "h", "0", "MATCH", "a*"),
    arr(bulk("0"), arr(...["a", "1", "ab", "3"].map(bulk))),
  );
  assert.equal(await raw.call("HSCAN", "nokey", "0"), arr(bulk("0"), EMPTY));
  await t.step("NOVALUES (Redis 7.4) lists fields only", async () => {
    assert.equal(
      await raw.call("HSCAN", "h", "0", "NOVALUES"),
      arr(bulk("0"), arr(...["a", "b", "ab"].map(bulk))),
    );
  });
  await t.step("errors", async () => {
    assert.equal(await raw.call("HSCAN", "h", "x"), "-ERR invalid cursor\r\n");
    assert.equal(await raw.call("HSCAN", "h", "0", "COUNT", "0"), SYNTAX);
    assert.equal(await raw.call("HSCAN", "h", "0", "COUNT", "x"), NOT_INTEGER);
    assert.equal(await raw.call("HSCAN", "h", "0", "MATCH"), SYNTAX);
    assert.equal(await raw.call("HSCAN", "h", "0", "TYPE", "hash"), SYNTAX);
    assert.equal(await raw.call("HSCAN", "h"), wrongArity("hscan"));
  });
});

Deno.test("HSCAN over a hashtable returns every field present throughout, while the hash changes", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  const n = 1000;
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
  await redis.hset("h", ...args);
  assert.equal(await redis.object("ENCODING", "h"), "hashtable");
  const seen = new Map<string, number>();
  let cursor = "0";
  let round = 0;
  do {
    const [next, items] = await redis.hscan("h", cursor, "COUNT", 37);
    for (let i = 0; i < items.length; i += 2) {
      seen.set(items[i]!, (seen.get(items[i]!) ?? 0) + 1);
      const field = items[i]!;
      if (field.startsWith("f")) assert.equal(items[i + 1], `v${field.slice(1)}`);
    }
    cursor = next;
    // Meanwhile: delete a few never-seen-again fields, add new ones.
    await redis.hdel("h", `f${n - 1 - round}`);
    await redis.hset("h", `new${round}`, "x");
    round++;
  } while (cursor !== "0");
  // Every field present for the whole iteration was returned exactly once.
  for (let i = 0; i < n - round; i++) assert.equal(seen.get(`f${i}`), 1, `f${i}`);
  for (const count of seen.values()) assert.equal(count, 1);
});

Deno.test("OBJECT ENCODING converts listpack to hashtable at the thresholds, one way", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const enc = async (key: string) => await raw.call("OBJECT", "ENCODING", key);
  await t.step("defaults: 512 entries, 64-byte values", async () => {
    assert.equal(
      await raw.call("CONFIG", "GET", "hash-max-listpack-entries"),
      arr(bulk("hash-max-listpack-entries"), bulk("512")),
    );
    await raw.call("HSET", "a", "x".repeat(64), "y".repeat(64));
    assert.equal(await enc("a"), bulk("listpack"));
    await raw.call("HSET", "a", "f", "y".repeat(65));
    assert.equal(await enc("a"), bulk("hashtable"));
    await raw.call("HDEL", "a", "f");
    assert.equal(await enc("a"), bulk("hashtable"));
    const args: string[] = [];
    for (let i = 0; i < 512; i++) args.push(`f${i}`, "v");
    await raw.call("HSET", "b", ...args);
    assert.equal(await enc("b"), bulk("listpack"));
    await raw.call("HSET", "b", "one-more", "v");
    assert.equal(await enc("b"), bulk("hashtable"));
  });
  await t.step("HSETNX, HINCRBY and HINCRBYFLOAT convert on long fields", async () => {
    await raw.call("HSETNX", "c", "x".repeat(65), "1");
    assert.equal(await enc("c"), bulk("hashtable"));
    await raw.call("HINCRBY", "d", "x".repeat(65), "1");
    assert.equal(await enc("d"), bulk("hashtable"));
    await raw.call("HSET", "e", "f", "1");
    await raw.call("HSETNX", "e", "f", "x".repeat(65));
    assert.equal(await enc("e"), bulk("listpack"));
  });
  await t.step("the ziplist aliases and CONFIG SET ranges", async () => {
    assert.equal(await raw.call("CONFIG", "SET", "hash-max-ziplist-entries", "1"), OK);
    await raw.call("HSET", "g", "a", "1");
    assert.equal(await enc("g"), bulk("listpack"));
    await raw.call("HSET", "g", "b", "1");
    assert.equal(await enc("g"), bulk("hashtable"));
    assert.equal(await raw.call("CONFIG", "SET", "hash-max-listpack-value", "1kb"), OK);
    assert.equal(
      await raw.call("CONFIG", "GET", "hash-max-ziplist-value"),
      arr(bulk("hash-max-ziplist-value"), bulk("1024")),
    );
    assert.equal(
      await raw.call("CONFIG", "SET", "hash-max-listpack-entries", "-1"),
      "-ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument must be between 0 and 9223372036854775807 inclusive\r\n",
    );
    assert.equal(
      await raw.call("CONFIG", "SET", "hash-max-listpack-entries", "9223372036854775807"),
      OK,
    );
    assert.equal(
      await raw.call("CONFIG", "GET", "hash-max-listpack-entries"),
      arr(bulk("hash-max-listpack-entries"), bulk("9223372036854775807")),
    );
  });
});

Deno.test("HEXPIRE family sets field TTLs with per-field codes", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const now = s.clock.now();
  await raw.call("HSET", "h", "f1", "v1", "f2", "v2");
  assert.equal(await raw.call("HEXPIRE", "h", "100", "FIELDS", "2", "f1", "ghost"), ints(1, -2));
  assert.equal(await raw.call("HTTL", "h", "FIELDS", "3", "f1", "f2", "ghost"), ints(100, -1, -2));
  assert.equal(await raw.call("HPTTL", "h", "FIELDS", "1", "f1"), ints(100000));
  assert.equal(
    await raw.call("HEXPIRETIME", "h", "FIELDS", "1", "f1"),
    ints(Math.floor((now + 100000 + 999) / 1000)),
  );
  assert.equal(await raw.call("HPEXPIRETIME", "h", "FIELDS", "1", "f1"), ints(now + 100000));
  await t.step("HPEXPIRE, HEXPIREAT and HPEXPIREAT", async () => {
    assert.equal(await raw.call("HPEXPIRE", "h", "5000", "FIELDS", "1", "f2"), ints(1));
    assert.equal(await raw.call("HPEXPIRETIME", "h", "FIELDS", "1", "f2"), ints(now + 5000));
    const at = Math.floor(now / 1000) + 1000;
    assert.equal(await raw.call("HEXPIREAT", "h", String(at), "FIELDS", "1", "f2"), ints(1));
    assert.equal(await raw.call("HPEXPIRETIME", "h", "FIELDS", "1", "f2"), ints(at * 1000));
    assert.equal(
      await raw.call("HPEXPIREAT", "h", String(now + 7000), "FIELDS", "1", "f2"),
      ints(1),
    );
    assert.equal(await raw.call("HPTTL", "h", "FIELDS", "1", "f2"), ints(7000));
  });
  await t.step("NX, XX, GT and LT conditions; no TTL counts as infinite", async () => {
    await raw.call("HSET", "c", "ttl", "1", "none", "2");
    await raw.call("HPEXPIRE", "c", "1000", "FIELDS", "1", "ttl");
    assert.equal(
      await raw.call("HPEXPIRE", "c", "2000", "NX", "FIELDS", "2", "ttl", "none"),
      ints(0, 1),
    );
    await raw.call("HPERSIST", "c", "FIELDS", "1", "none");
    assert.equal(
      await raw.call("HPEXPIRE", "c", "2000", "XX", "FIELDS", "2", "ttl", "none"),
      ints(1, 0),
    );
    assert.equal(
      await raw.call("HPEXPIRE", "c", "2000", "GT", "FIELDS", "2", "ttl", "none"),
      ints(0, 0),
    );
    assert.equal(await raw.call("HPEXPIRE", "c", "3000", "gt", "FIELDS", "1", "ttl"), ints(1));
    assert.equal(
      await raw.call("HPEXPIRE", "c", "3000", "LT", "FIELDS", "2", "ttl", "none"),
      ints(0, 1),
    );
    assert.equal(await raw.call("HPEXPIRE", "c", "1000", "lt", "fields", "1", "ttl"), ints(1));
    assert.equal(await raw.call("HPTTL", "c", "FIELDS", "2", "ttl", "none"), ints(1000, 3000));
  });
  await t.step(
    "a zero TTL or a past time deletes the field (2); the last one deletes the key",
    async () => {
      const events = recordEvents(s.server.engine);
      await raw.call("HSET", "d", "a", "1", "b", "2");
      assert.equal(await raw.call("HEXPIRE", "d", "0", "FIELDS", "1", "a"), ints(2));
      assert.equal(await raw.call("HGET", "d", "a"), NIL);
      assert.equal(await raw.call("HPEXPIREAT", "d", "1", "NX", "FIELDS", "1", "b"), ints(2));
      assert.equal(db(s).has("d"), false);
      assert.deepEqual(events, ["h:hset:d", "h:hexpired:d", "h:hexpired:d", "g:del:d"]);
    },
  );
  await t.step("missing keys answer -2 per field", async () => {
    assert.equal(await raw.call("HEXPIRE", "nokey", "10", "FIELDS", "2", "a", "b"), ints(-2, -2));
    assert.equal(await raw.call("HTTL", "nokey", "FIELDS", "1", "a"), ints(-2));
    assert.equal(await raw.call("HPERSIST", "nokey", "FIELDS", "1", "a"), ints(-2));
    assert.equal(db(s).has("nokey"), false);
  });
  await t.step("notifications: hexpire, hpersist; unchanged TTLs publish nothing", async () => {
    const events = recordEvents(s.server.engine);
    await raw.call("HSET", "e", "a", "1");
    await raw.call("HPEXPIRE", "e", "1000", "FIELDS", "1", "a");
    await raw.call("HPEXPIRE", "e", "1000", "NX", "FIELDS", "1", "a");
    assert.equal(await raw.call("HPERSIST", "e", "FIELDS", "2", "a", "zz"), ints(1, -2));
    assert.equal(await raw.call("HPERSIST", "e", "FIELDS", "1", "a"), ints(-1));
    assert.deepEqual(events, ["h:hset:e", "h:hexpire:e", "h:hpersist:e"]);
  });
});

Deno.test("HEXPIRE family argument errors follow Redis 7.4", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("HSET", "h", "f", "v");
  const cases: [string[], string][] = [
    [["HEXPIRE", "h", "100", "FIELDS", "1"], wrongArity("hexpire")],
    [["HTTL", "h", "FIELDS", "1"], wrongArity("httl")],
    [["HPERSIST", "h", "FIELDS", "1"], wrongArity("hpersist")],
    [["HEXPIRE", "h", "x", "FIELDS", "1", "f"], NOT_INTEGER],
    [["HEXPIRE", "h", "-1", "FIELDS", "1", "f"], "-ERR invalid expire time, must be >= 0\r\n"],
    [
      ["HEXPIRE", "h", String(Math.floor((2 ** 46 - 1) / 1000) + 1), "FIELDS", "1", "f"],
      "-ERR invalid expire time in 'hexpire' command\r\n",
    ],
    [
      ["HPEXPIREAT", "h", String(2 ** 46), "FIELDS", "1", "f"],
      "-ERR invalid expire time in 'hpexpireat' command\r\n",
    ],
    [
      ["HPEXPIRE", "h", String(2 ** 46 - 1), "FIELDS", "1", "f"],
      "-ERR invalid expire time in 'hpexpire' command\r\n",
    ],
    [["HEXPIRE", "h", "100", "BADCOND", "FIELDS", "1", "f"], FIELDS_MISSING],
    [["HEXPIRE", "h", "100", "NX", "XX", "FIELDS", "1", "f"], FIELDS_MISSING],
    [["HTTL", "h", "NOTFIELDS", "1", "f"], FIELDS_MISSING],
    [["HEXPIRE", "h", "100", "FIELDS", "0", "f"], NUMFIELDS_EXPIRE],
    [["HEXPIRE", "h", "100", "FIELDS", "x", "f"], NUMFIELDS_EXPIRE],
    [["HTTL", "h", "FIELDS", "0", "f"], NUMFIELDS_READ],
    [["HPERSIST", "h", "FIELDS", "x", "f"], NUMFIELDS_READ],
    [["HEXPIRE", "h", "100", "FIELDS", "2", "f"], NUMFIELDS_MISMATCH],
    [["HEXPIRE", "h", "100", "NX", "FIELDS", "1"], NUMFIELDS_MISMATCH],
    [["HTTL", "h", "FIELDS", "1", "f1", "f2"], NUMFIELDS_MISMATCH],
    [["HPTTL", "h", "FIELDS", "3", "f1", "f2"], NUMFIELDS_MISMATCH],
  ];
  for (const [argv, reply] of cases) assert.equal(await raw.call(...argv), reply, argv.join(" "));
  assert.equal(await raw.call("HTTL", "h", "FIELDS", "1", "f"), ints(-1));
});

Deno.test("expired fields vanish lazily: HGET, HLEN, HGETALL and HRANDFIELD never show them", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await raw.call("HSET", "h", "dead", "1", "live", "2");
  await raw.call("HPEXPIRE", "h", "50", "FIELDS", "1", "dead");
  s.clock.advance(50);
  assert.equal(await raw.call("HLEN", "h"), int(1));
  assert.equal(await raw.call("HGET", "h", "dead"), NIL);
  assert.deepEqual(await redis.hgetall("h"), { live: "2" });
  assert.equal(await raw.call("HRANDFIELD", "h", "-5"), arr(...new Array(5).fill(bulk("live"))));
  assert.equal(await raw.call("HTTL", "h", "FIELDS", "1", "dead"), ints(-2));
  assert.deepEqual(events.slice(-1), ["h:hexpired:h"]);
  await t.step("HSET over an expired field creates it afresh, without a TTL", async () => {
    await raw.call("HPEXPIRE", "h", "10", "FIELDS", "1", "live");
    s.clock.advance(10);
    assert.equal(await raw.call("HSET", "h", "live", "3"), int(1));
    assert.equal(await raw.call("HTTL", "h", "FIELDS", "1", "live"), ints(-1));
  });
  await t.step("a hash whose last field expires is deleted", async () => {
    await raw.call("HSET", "g", "only", "1");
    await raw.call("HPEXPIRE", "g", "20", "FIELDS", "1", "only");
    s.clock.advance(20);
    assert.equal(await raw.call("HLEN", "g"), int(0));
    assert.equal(await raw.call("EXISTS", "g"), int(0));
    assert.deepEqual(events.slice(-3), ["h:hexpired:g", "g:del:g", "m:keymiss:g"]);
  });
  await t.step("HSCAN skips expired fields", async () => {
    await raw.call("HSET", "sc", "a", "1", "b", "2");
    await raw.call("HPEXPIRE", "sc", "5", "FIELDS", "1", "a");
    s.clock.advance(5);
    assert.equal(await raw.call("HSCAN", "sc", "0"), arr(bulk("0"), arr(bulk("b"), bulk("2"))));
  });
});

Deno.test("expired fields vanish actively: the periodic task reclaims untouched hashes", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  for (let i = 0; i < 5; i++) {
    await raw.call("HSET", `h${i}`, "a", "1", "b", "2");
    await raw.call("HPEXPIRE", `h${i}`, "1000", "FIELDS", "2", "a", "b");
  }
  await raw.call("HSET", "keep", "a", "1", "b", "2");
  await raw.call("HPEXPIRE", "keep", "1000", "FIELDS", "1", "a");
  events.length = 0;
  // The cron runs from the manual clock: no command touches the hashes.
  s.clock.advance(1500);
  for (let i = 0; i < 5; i++) assert.equal(db(s).has(`h${i}`), false);
  assert.deepEqual(hashAt(s, "keep").map, new Map([["b", "2"]]));
  assert.ok(events.includes("h:hexpired:h0"));
  assert.ok(events.includes("g:del:h4"));
  assert.ok(events.includes("h:hexpired:keep"));
  assert.equal(db(s).fieldExpiresCount, 0);
  assert.equal(await raw.call("DBSIZE"), int(1));
});

Deno.test("field TTLs: HSET and HDEL clear them, COPY keeps them, encoding reports listpackex", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("HSET", "h", "a", "1", "b", "2");
  await raw.call("HPEXPIRE", "h", "1000", "FIELDS", "2", "a", "b");
  assert.equal(await raw.call("OBJECT", "ENCODING", "h"), bulk("listpackex"));
  await raw.call("HSET", "h", "a", "x");
  assert.equal(await raw.call("HPTTL", "h", "FIELDS", "2", "a", "b"), ints(-1, 1000));
  await raw.call("COPY", "h", "h2");
  assert.equal(await raw.call("HPTTL", "h2", "FIELDS", "1", "b"), ints(1000));
  await raw.call("HDEL", "h", "b");
  await raw.call("HSET", "h", "b", "3");
  assert.equal(await raw.call("HPTTL", "h", "FIELDS", "1", "b"), ints(-1));
  await raw.call("HSET", "big", "f", "x".repeat(100));
  await raw.call("HPEXPIRE", "big", "1000", "FIELDS", "1", "f");
  assert.equal(await raw.call("OBJECT", "ENCODING", "big"), bulk("hashtable"));
  s.clock.advance(60);
  assert.equal(await raw.call("HPTTL", "h2", "FIELDS", "1", "b"), ints(940));
  assert.equal(await raw.call("HTTL", "h2", "FIELDS", "1", "b"), ints(1));
});

// ---------------------------------------------------------------------------
// Field TTLs and HSCAN cursors follow the key (they live in its database)

/** Stores `a`, `b` in each hash, `a` with a 100 ms TTL. */
async function hashesWithTtl(raw: RawClient, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    await raw.call("HSET", key, "a", "1", "b", "2");
    await raw.call("HPEXPIRE", key, "100", "FIELDS", "1", "a");
  }
}

/** The fields stored in a hash of a database, read without any expiry. */
function storedFields(t: TestServer, key: string, index = 0): string[] | undefined {
  const v = t.server.engine.db(index).lookup(key, false);
  return v instanceof HashValue ? [...v.map.keys()] : undefined;
}

Deno.test("the active field expiry still reaches a hash after RENAME", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await hashesWithTtl(raw, "h", "same", "nx");
  assert.equal(await raw.call("RENAME", "h", "h2"), OK);
  assert.equal(await raw.call("RENAMENX", "nx", "nx2"), int(1));
  assert.equal(db(s).fieldExpiresCount, 3);
  events.length = 0;
  // The cron runs from the manual clock: no command touches the hashes.
  s.clock.advance(1500);
  await t.step("the renamed hashes lose their field like one never renamed", () => {
    assert.deepEqual(storedFields(s, "h2"), ["b"]);
    assert.deepEqual(storedFields(s, "nx2"), ["b"]);
    assert.deepEqual(storedFields(s, "same"), ["b"]);
    assert.deepEqual(events.sort(), ["h:hexpired:h2", "h:hexpired:nx2", "h:hexpired:same"]);
    assert.equal(db(s).fieldExpiresCount, 0);
  });
  await t.step("RENAME over a hash with field TTLs drops the overwritten one's entry", async () => {
    await hashesWithTtl(raw, "x", "y");
    assert.equal(await raw.call("RENAME", "x", "y"), OK);
    assert.equal(db(s).fieldExpiresCount, 1);
    await raw.call("SET", "y", "string");
    assert.equal(db(s).fieldExpiresCount, 0);
  });
});

Deno.test("the active field expiry follows a hash through MOVE", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await hashesWithTtl(raw, "h");
  assert.equal(await raw.call("MOVE", "h", "1"), int(1));
  assert.equal(db(s).fieldExpiresCount, 0);
  assert.equal(s.server.engine.db(1).fieldExpiresCount, 1);
  s.clock.advance(1500);
  assert.deepEqual(storedFields(s, "h", 1), ["b"]);
  assert.equal(s.server.engine.db(1).fieldExpiresCount, 0);
});

Deno.test("COPY gives the copy its own field TTL entry, independent of the source", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await hashesWithTtl(raw, "h", "kept");
  assert.equal(await raw.call("COPY", "h", "c"), int(1));
  assert.equal(await raw.call("COPY", "h", "c", "DB", "1"), int(1));
  assert.equal(await raw.call("COPY", "kept", "k2"), int(1));
  // The sources change: h is deleted, kept's field loses its TTL; the copies keep theirs.
  assert.equal(await raw.call("DEL", "h"), int(1));
  assert.equal(await raw.call("HPERSIST", "kept", "FIELDS", "1", "a"), ints(1));
  assert.equal(db(s).fieldExpiresCount, 3);
  events.length = 0;
  s.clock.advance(1500);
  assert.deepEqual(storedFields(s, "c"), ["b"]);
  assert.deepEqual(storedFields(s, "c", 1), ["b"]);
  assert.deepEqual(storedFields(s, "k2"), ["b"]);
  assert.deepEqual(storedFields(s, "kept"), ["a", "b"]);
  assert.deepEqual(events.sort(), ["h:hexpired:c", "h:hexpired:c", "h:hexpired:k2"]);
  assert.equal(db(s).fieldExpiresCount, 0);
  assert.equal(s.server.engine.db(1).fieldExpiresCount, 0);
});

Deno.test("SWAPDB swaps the field TTL indexes with the keys", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await hashesWithTtl(raw, "h0");
  await raw.call("SELECT", "1");
  await hashesWithTtl(raw, "h1a", "h1b");
  assert.equal(await raw.call("SWAPDB", "0", "1"), OK);
  assert.equal(db(s).fieldExpiresCount, 2);
  assert.equal(s.server.engine.db(1).fieldExpiresCount, 1);
  s.clock.advance(1500);
  assert.deepEqual(storedFields(s, "h0", 1), ["b"]);
  assert.deepEqual(storedFields(s, "h1a"), ["b"]);
  assert.deepEqual(storedFields(s, "h1b"), ["b"]);
});

Deno.test("FLUSHDB and FLUSHALL leave no field TTL entry behind", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await hashesWithTtl(raw, "h", "g");
  assert.equal(await raw.call("FLUSHDB"), OK);
  assert.equal(db(s).fieldExpiresCount, 0);
  await hashesWithTtl(raw, "h");
  await raw.call("SELECT", "1");
  await hashesWithTtl(raw, "h");
  assert.equal(await raw.call("FLUSHALL"), OK);
  assert.equal(db(s).fieldExpiresCount, 0);
  assert.equal(s.server.engine.db(1).fieldExpiresCount, 0);
  // A plain hash stored under a flushed name is left alone.
  await raw.call("HSET", "h", "a", "1");
  events.length = 0;
  s.clock.advance(1500);
  assert.deepEqual(storedFields(s, "h", 1), ["a"]);
  assert.deepEqual(events, []);
});

Deno.test("an HSCAN iteration goes on after RENAME, MOVE or SWAPDB of its hash", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const n = 600;
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
  // Each case relocates the hash and returns [its new name, the database to SELECT].
  const cases: [string, () => Promise<[string, number]>][] = [
    ["RENAME", async () => {
      await redis.rename("h", "h2");
      return ["h2", 0];
    }],
    ["MOVE", async () => {
      await redis.move("h", 1);
      return ["h", 1];
    }],
    ["SWAPDB", async () => {
      await redis.swapdb(0, 1);
      return ["h", 1];
    }],
  ];
  for (const [name, relocate] of cases) {
    await t.step(name, async () => {
      await redis.flushall();
      await redis.select(0);
      await redis.hset("h", ...args);
      assert.equal(await redis.object("ENCODING", "h"), "hashtable");
      const [cursor, first] = await redis.hscan("h", "0", "COUNT", 10);
      assert.notEqual(cursor, "0");
      // Fields already returned go: a resume by position alone would skip f10 to f14.
      await redis.hdel("h", "f0", "f1", "f2", "f3", "f4");
      const [key, index] = await relocate();
      await redis.select(index);
      const seen = [];
      for (let i = 0; i < first.length; i += 2) seen.push(first[i]!);
      let next = cursor;
      do {
        const [c, items] = await redis.hscan(key, next, "COUNT", 50);
        for (let i = 0; i < items.length; i += 2) seen.push(items[i]!);
        next = c;
      } while (next !== "0");
      assert.deepEqual(seen, Array.from({ length: n }, (_, i) => `f${i}`));
    });
  }
});

const FG = [["HSET", "k", "f", "1", "g", "2"]];

/** Each hash write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["HSET", "k", "f", "v"], changes: 1 },
  { run: ["HSET", "k", "f", "v", "g", "w"], changes: 2 },
  { run: ["HSET", "k", "f", "v", "f", "w"], changes: 2 },
  { setup: [["HSET", "k", "f", "v"]], run: ["HSET", "k", "f", "v", "g", "w"], changes: 2 },
  { setup: [["HSET", "k", "f", "v"]], run: ["HSET", "k", "f", "v"], changes: 1 },
  { setup: [["SET", "k", "v"]], run: ["HSET", "k", "f", "v"], changes: 0 },
  { run: ["HMSET", "k", "f", "v", "g", "w"], changes: 2 },
  { setup: FG, run: ["HMSET", "k", "f", "v"], changes: 1 },
  { run: ["HSETNX", "k", "f", "v"], changes: 1 },
  { setup: FG, run: ["HSETNX", "k", "h", "v"], changes: 1 },
  { setup: FG, run: ["HSETNX", "k", "f", "v"], changes: 0 },
  { setup: [...FG, ["HSET", "k", "h", "3"]], run: ["HDEL", "k", "f", "g", "q"], changes: 2 },
  { setup: FG, run: ["HDEL", "k", "f", "g"], changes: 2 },
  { setup: [["HSET", "k", "f", "v"]], run: ["HDEL", "k", "f"], changes: 1 },
  { setup: FG, run: ["HDEL", "k", "q"], changes: 0 },
  { run: ["HDEL", "k", "f"], changes: 0 },
  { run: ["HINCRBY", "k", "f", "2"], changes: 1 },
  { setup: FG, run: ["HINCRBY", "k", "f", "2"], changes: 1 },
  { setup: [["HSET", "k", "f", "x"]], run: ["HINCRBY", "k", "f", "2"], changes: 0 },
  { run: ["HINCRBYFLOAT", "k", "f", "2.5"], changes: 1 },
  { setup: FG, run: ["HINCRBYFLOAT", "k", "f", "2.5"], changes: 1 },
  { setup: [["HSET", "k", "f", "x"]], run: ["HINCRBYFLOAT", "k", "f", "1"], changes: 0 },
];

/**
 * The field-expiry commands (Redis 7.4, absent from 7.0.15), pinned to
 * what 7.4 counts: one per field whose TTL was set or that was deleted,
 * one for an HPERSIST that removed any TTL. Checked on resplite only.
 */
const LATER_DIRTY_CASES: readonly DirtyCase[] = [
  { setup: FG, run: ["HEXPIRE", "k", "100", "FIELDS", "2", "f", "g"], changes: 2 },
  { setup: FG, run: ["HEXPIRE", "k", "100", "FIELDS", "2", "f", "q"], changes: 1 },
  { setup: FG, run: ["HEXPIRE", "k", "100", "XX", "FIELDS", "1", "f"], changes: 0 },
  { run: ["HEXPIRE", "k", "100", "FIELDS", "1", "f"], changes: 0 },
  { setup: FG, run: ["HPEXPIRE", "k", "100000", "FIELDS", "1", "f"], changes: 1 },
  { setup: FG, run: ["HEXPIREAT", "k", "4000000000", "FIELDS", "1", "f"], changes: 1 },
  { setup: FG, run: ["HPEXPIREAT", "k", "1", "FIELDS", "1", "f"], changes: 1 },
  { setup: FG, run: ["HPEXPIREAT", "k", "1", "FIELDS", "2", "f", "g"], changes: 2 },
  {
    setup: [...FG, ["HEXPIRE", "k", "100", "FIELDS", "2", "f", "g"]],
    run: ["HPERSIST", "k", "FIELDS", "2", "f", "g"],
    changes: 1,
  },
  { setup: FG, run: ["HPERSIST", "k", "FIELDS", "1", "f"], changes: 0 },
];

dirtyCountTests("hash", { handlers: HASH_HANDLERS, cases: DIRTY_CASES, later: LATER_DIRTY_CASES });
