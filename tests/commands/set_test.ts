import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type RawClient, type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { SET_HANDLERS } from "../../src/commands/set.ts";
import type { Database } from "../../src/store/database.ts";
import type { Engine } from "../../src/engine.ts";
import { SetValue } from "../../src/store/set.ts";
import { arr, bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";
const NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
const MUST_BE_POSITIVE = "-ERR value is out of range, must be positive\r\n";
const NIL = "$-1\r\n";
const NULL3 = "_\r\n";

/** Every byte value once. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

function db(t: TestServer): Database {
  return t.server.engine.db(0);
}

/** A RESP3 set of bulk strings. */
function set3(...items: string[]): string {
  return `~${items.length}\r\n${items.map(bulk).join("")}`;
}

function wrongArity(name: string): string {
  return `-ERR wrong number of arguments for '${name}' command\r\n`;
}

/** Parses a flat RESP array of bulk strings (RESP2 `*` or RESP3 `~`). */
function parseBulks(reply: string): string[] {
  assert.ok(reply[0] === "*" || reply[0] === "~", reply);
  const out: string[] = [];
  let p = reply.indexOf("\r\n") + 2;
  while (p < reply.length) {
    const end = reply.indexOf("\r\n", p);
    const n = Number(reply.slice(p + 1, end));
    out.push(reply.slice(end + 2, end + 2 + n));
    p = end + 2 + n + 2;
  }
  return out;
}

/** Parses an SSCAN reply: [cursor, members]. */
function parseScan(reply: string): [string, string[]] {
  const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n/.exec(reply);
  assert.ok(m !== null, reply);
  return [m[1]!, parseBulks(reply.slice(m[0].length))];
}

/** Records keyspace notifications as `class:event:key` (not `keymiss` and `new`). */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    if (cls !== "m" && cls !== "n") events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

async function resp3(t: TestServer): Promise<RawClient> {
  const raw = await t.raw();
  await raw.call("HELLO", "3");
  return raw;
}

function encoding(t: TestServer, key: string): string | undefined {
  const v = db(t).get(key);
  return v === undefined || typeof v === "string" ? undefined : v.encoding();
}

Deno.test("SADD adds new members and counts only those", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  assert.equal(await redis.sadd("s", "a", "b", "a"), 2);
  assert.equal(await redis.sadd("s", "b", "c"), 1);
  assert.deepEqual((await redis.smembers("s")).sort(), ["a", "b", "c"]);
  assert.equal(await redis.type("s"), "set");
  await t.step("binary members with every byte", async () => {
    assert.equal(await raw.call("SADD", "bin", ALL_BYTES, "\x00", "\xff"), int(3));
    assert.equal(await raw.call("SISMEMBER", "bin", ALL_BYTES), int(1));
    assert.equal(await raw.call("SISMEMBER", "bin", "\x00"), int(1));
    assert.equal(await raw.call("SISMEMBER", "bin", "\x01"), int(0));
    const members = await redis.smembersBuffer("bin");
    assert.deepEqual(members.map((b) => b.length).sort((a, b) => a - b), [1, 1, 256]);
    assert.equal(
      await redis.sismember(Buffer.from("bin"), Buffer.from([255])),
      1,
    );
  });
  await t.step("the empty string is a member like any other", async () => {
    assert.equal(await raw.call("SADD", "e", ""), int(1));
    assert.equal(await raw.call("SMEMBERS", "e"), arr(""));
  });
  await t.step("wrong arity and wrong type", async () => {
    assert.equal(await raw.call("SADD", "s"), wrongArity("sadd"));
    assert.equal(await raw.call("SADD"), wrongArity("sadd"));
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SADD", "str", "a"), WRONGTYPE);
    assert.equal(await raw.call("GET", "str"), bulk("x"));
  });
});

Deno.test("SADD and SREM publish sadd, srem and del only when something changed", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await raw.call("SADD", "s", "1", "2");
  await raw.call("SADD", "s", "1");
  await raw.call("SREM", "s", "9");
  await raw.call("SREM", "s", "1");
  await raw.call("SREM", "s", "2", "3");
  await raw.call("SREM", "missing", "1");
  assert.deepEqual(events, ["s:sadd:s", "s:srem:s", "s:srem:s", "g:del:s"]);
});

Deno.test("SREM removes members and deletes the emptied key", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SADD", "s", "a", "b", "c");
  assert.equal(await raw.call("SREM", "s", "a", "x", "a"), int(1));
  assert.equal(await raw.call("SCARD", "s"), int(2));
  assert.equal(await raw.call("SREM", "s", "b", "c", "d"), int(2));
  assert.equal(await raw.call("EXISTS", "s"), int(0));
  await t.step("a missing key removes nothing", async () => {
    assert.equal(await raw.call("SREM", "missing", "a"), int(0));
  });
  await t.step("wrong arity and wrong type", async () => {
    assert.equal(await raw.call("SREM", "s"), wrongArity("srem"));
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SREM", "str", "x"), WRONGTYPE);
  });
});

Deno.test("SMEMBERS lists an intset in ascending order and answers a RESP3 set", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("SADD", "i", "10", "-3", "2", "9223372036854775807", "-9223372036854775808");
  const sorted = ["-9223372036854775808", "-3", "2", "10", "9223372036854775807"];
  assert.equal(await raw.call("SMEMBERS", "i"), arr(...sorted));
  assert.equal(await r3.call("SMEMBERS", "i"), set3(...sorted));
  await t.step("a hashtable set lists every member once", async () => {
    await raw.call("SADD", "h", "b", "a", "c");
    assert.deepEqual(parseBulks(await raw.call("SMEMBERS", "h")).sort(), ["a", "b", "c"]);
  });
  await t.step("a missing key is an empty array / empty set", async () => {
    assert.equal(await raw.call("SMEMBERS", "missing"), "*0\r\n");
    assert.equal(await r3.call("SMEMBERS", "missing"), "~0\r\n");
  });
  await t.step("wrong arity and wrong type", async () => {
    assert.equal(await raw.call("SMEMBERS"), wrongArity("smembers"));
    assert.equal(await raw.call("SMEMBERS", "i", "x"), wrongArity("smembers"));
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SMEMBERS", "str"), WRONGTYPE);
  });
});

Deno.test("SISMEMBER, SMISMEMBER and SCARD answer integers in both protocols", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("SADD", "s", "a", "b", "1");
  assert.equal(await redis.sismember("s", "a"), 1);
  assert.equal(await redis.sismember("s", "z"), 0);
  assert.deepEqual(await redis.smismember("s", "a", "z", "1"), [1, 0, 1]);
  assert.equal(await redis.scard("s"), 3);
  assert.equal(await r3.call("SISMEMBER", "s", "b"), int(1));
  assert.equal(await r3.call("SMISMEMBER", "s", "b", "q"), "*2\r\n:1\r\n:0\r\n");
  assert.equal(await r3.call("SCARD", "s"), int(3));
  await t.step("a missing key has no members", async () => {
    assert.equal(await raw.call("SISMEMBER", "missing", "a"), int(0));
    assert.equal(await raw.call("SMISMEMBER", "missing", "a", "b"), "*2\r\n:0\r\n:0\r\n");
    assert.equal(await raw.call("SCARD", "missing"), int(0));
  });
  await t.step("wrong arity and wrong type", async () => {
    assert.equal(await raw.call("SISMEMBER", "s"), wrongArity("sismember"));
    assert.equal(await raw.call("SISMEMBER", "s", "a", "b"), wrongArity("sismember"));
    assert.equal(await raw.call("SMISMEMBER", "s"), wrongArity("smismember"));
    assert.equal(await raw.call("SCARD"), wrongArity("scard"));
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SISMEMBER", "str", "a"), WRONGTYPE);
    assert.equal(await raw.call("SMISMEMBER", "str", "a"), WRONGTYPE);
    assert.equal(await raw.call("SCARD", "str"), WRONGTYPE);
  });
});

Deno.test("OBJECT ENCODING follows Redis 7.0.15's intset rules", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("integer members make an intset, any other member a hashtable", async () => {
    await raw.call("SADD", "i", "1", "2", "-3");
    assert.equal(await raw.call("OBJECT", "ENCODING", "i"), bulk("intset"));
    await raw.call("SADD", "i", "a");
    assert.equal(await raw.call("OBJECT", "ENCODING", "i"), bulk("hashtable"));
    await raw.call("SREM", "i", "a");
    assert.equal(await raw.call("OBJECT", "ENCODING", "i"), bulk("hashtable"));
  });
  await t.step("non-canonical integer texts are not integers", async () => {
    for (const m of ["01", "-0", "+1", " 1", "1.0", "9223372036854775808"]) {
      await raw.call("DEL", "n");
      await raw.call("SADD", "n", m);
      assert.equal(await raw.call("OBJECT", "ENCODING", "n"), bulk("hashtable"), m);
    }
    await raw.call("DEL", "n");
    await raw.call("SADD", "n", "9223372036854775807", "-9223372036854775808");
    assert.equal(await raw.call("OBJECT", "ENCODING", "n"), bulk("intset"));
  });
  await t.step("512 integers are an intset, the 513th makes a hashtable", async () => {
    const members = Array.from({ length: 512 }, (_, i) => String(i));
    await raw.call("SADD", "big", ...members);
    assert.equal(encoding(s, "big"), "intset");
    await raw.call("SADD", "big", "0");
    assert.equal(encoding(s, "big"), "intset");
    await raw.call("SADD", "big", "512");
    assert.equal(encoding(s, "big"), "hashtable");
  });
  await t.step("set-max-intset-entries moves the threshold", async () => {
    assert.equal(
      await raw.call("CONFIG", "GET", "set-max-intset-entries"),
      arr("set-max-intset-entries", "512"),
    );
    assert.equal(await raw.call("CONFIG", "SET", "set-max-intset-entries", "3"), "+OK\r\n");
    await raw.call("SADD", "c", "1", "2", "3");
    assert.equal(encoding(s, "c"), "intset");
    await raw.call("SADD", "c", "4");
    assert.equal(encoding(s, "c"), "hashtable");
    // Lowering it leaves existing intsets alone until they grow.
    await raw.call("SADD", "d", "1", "2", "3");
    await raw.call("CONFIG", "SET", "set-max-intset-entries", "1");
    assert.equal(encoding(s, "d"), "intset");
    await raw.call("SADD", "d", "2");
    assert.equal(encoding(s, "d"), "intset");
    await raw.call("SADD", "d", "7");
    assert.equal(encoding(s, "d"), "hashtable");
    await raw.call("CONFIG", "SET", "set-max-intset-entries", "0");
    await raw.call("SADD", "z", "1");
    assert.equal(encoding(s, "z"), "hashtable");
  });
  await t.step("set-max-intset-entries takes 0 to 2^63-1", async () => {
    assert.equal(
      await raw.call("CONFIG", "SET", "set-max-intset-entries", "-1"),
      "-ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - argument must be between 0 and 9223372036854775807 inclusive\r\n",
    );
    assert.equal(
      await raw.call("CONFIG", "SET", "set-max-intset-entries", "1k"),
      "-ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - argument couldn't be parsed into an integer\r\n",
    );
    await raw.call("CONFIG", "SET", "set-max-intset-entries", "9223372036854775807");
    assert.equal(
      await raw.call("CONFIG", "GET", "set-max-intset-entries"),
      arr("set-max-intset-entries", "9223372036854775807"),
    );
  });
});

Deno.test("*STORE results and SMOVE destinations are built as intsets when they can be", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SADD", "h", "a", "1", "2", "3");
  await raw.call("SREM", "h", "a");
  assert.equal(encoding(s, "h"), "hashtable");
  for (const cmd of ["SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"]) {
    await raw.call(cmd, "d", "h");
    assert.equal(encoding(s, "d"), "intset", cmd);
    assert.equal(await raw.call("SMEMBERS", "d"), arr("1", "2", "3"));
  }
  await raw.call("SMOVE", "h", "m", "2");
  assert.equal(encoding(s, "m"), "intset");
  await raw.call("SADD", "x", "a");
  await raw.call("SMOVE", "x", "y", "a");
  assert.equal(encoding(s, "y"), "hashtable");
});

Deno.test("SPOP without count removes and returns one member", async (t) => {
  await using s = await testServer({ seed: 1 });
  const raw = await s.raw();
  const r3 = await resp3(s);
  const events = recordEvents(s.server.engine);
  await raw.call("SADD", "s", "a", "b");
  const first = await raw.call("SPOP", "s");
  assert.ok(first === bulk("a") || first === bulk("b"));
  const second = await raw.call("SPOP", "s");
  assert.notEqual(second, first);
  assert.equal(await raw.call("EXISTS", "s"), int(0));
  assert.deepEqual(events, ["s:sadd:s", "s:spop:s", "s:spop:s", "g:del:s"]);
  await t.step("a missing key is nil", async () => {
    assert.equal(await raw.call("SPOP", "missing"), NIL);
    assert.equal(await r3.call("SPOP", "missing"), NULL3);
  });
  await t.step("wrong arity, syntax and wrong type", async () => {
    assert.equal(await raw.call("SPOP"), wrongArity("spop"));
    assert.equal(await raw.call("SPOP", "s", "1", "2"), SYNTAX);
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SPOP", "str"), WRONGTYPE);
  });
});

Deno.test("SPOP with a count returns a set of distinct members", async (t) => {
  await using s = await testServer({ seed: 1 });
  const raw = await s.raw();
  const r3 = await resp3(s);
  const events = recordEvents(s.server.engine);
  const all = Array.from({ length: 20 }, (_, i) => `m${i}`);
  await raw.call("SADD", "s", ...all);
  const popped = parseBulks(await raw.call("SPOP", "s", "3"));
  assert.equal(new Set(popped).size, 3);
  assert.equal(await raw.call("SCARD", "s"), int(17));
  for (const m of popped) assert.equal(await raw.call("SISMEMBER", "s", m), int(0));
  assert.deepEqual(events, ["s:sadd:s", "s:spop:s"]);
  await t.step("a count of at least the size pops everything and deletes the key", async () => {
    events.length = 0;
    const rest = parseBulks(await raw.call("SPOP", "s", "100"));
    assert.deepEqual(rest.concat(popped).sort(), all.slice().sort());
    assert.equal(await raw.call("EXISTS", "s"), int(0));
    assert.deepEqual(events, ["s:spop:s", "g:del:s"]);
  });
  await t.step("an intset popped whole comes in ascending order", async () => {
    await raw.call("SADD", "i", "3", "1", "2");
    assert.equal(await raw.call("SPOP", "i", "3"), arr("1", "2", "3"));
    await raw.call("SADD", "i", "3", "1", "2");
    assert.equal(await r3.call("SPOP", "i", "9223372036854775807"), set3("1", "2", "3"));
  });
  await t.step("popping nearly all of an intset lists them in ascending order", async () => {
    await raw.call("SADD", "i", ...Array.from({ length: 10 }, (_, i) => String(i)));
    const got = parseBulks(await raw.call("SPOP", "i", "9"));
    assert.deepEqual(got, got.slice().sort((a, b) => Number(a) - Number(b)));
    assert.equal(await raw.call("SCARD", "i"), int(1));
  });
  await t.step("popping nearly all of a hashtable rebuilds the rest as an intset", async () => {
    await raw.call("SADD", "h", "x", ...Array.from({ length: 19 }, (_, i) => String(i + 1)));
    // 17 of 20 leave 3: Redis rebuilds the set, so 3 integers make an intset.
    let rebuilt = false;
    for (let tries = 0; tries < 50 && !rebuilt; tries++) {
      await raw.call("DEL", "h");
      await raw.call("SADD", "h", "x", ...Array.from({ length: 19 }, (_, i) => String(i + 1)));
      await raw.call("SPOP", "h", "17");
      const left = parseBulks(await raw.call("SMEMBERS", "h"));
      assert.equal(left.length, 3);
      const expected = left.includes("x") ? "hashtable" : "intset";
      assert.equal(encoding(s, "h"), expected);
      rebuilt = expected === "intset";
    }
    assert.ok(rebuilt);
    // Popping a few keeps the encoding as it was.
    await raw.call("DEL", "h");
    await raw.call("SADD", "h", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    await raw.call("SREM", "h", "x");
    await raw.call("SPOP", "h", "1");
    assert.equal(encoding(s, "h"), "hashtable");
  });
  await t.step("a count of 0 is an empty set", async () => {
    await raw.call("SADD", "z", "a");
    assert.equal(await raw.call("SPOP", "z", "0"), "*0\r\n");
    assert.equal(await r3.call("SPOP", "z", "0"), "~0\r\n");
    assert.equal(await r3.call("SPOP", "missing", "2"), "~0\r\n");
    assert.equal(await raw.call("SPOP", "missing", "2"), "*0\r\n");
    assert.equal(await raw.call("SCARD", "z"), int(1));
  });
  await t.step("a negative or non-integer count is out of range, checked first", async () => {
    for (const c of ["-1", "abc", "-0", "01", "1.5", "9223372036854775808"]) {
      assert.equal(await raw.call("SPOP", "z", c), MUST_BE_POSITIVE, c);
    }
    assert.equal(await raw.call("SPOP", "missing", "-1"), MUST_BE_POSITIVE);
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SPOP", "str", "-1"), MUST_BE_POSITIVE);
    assert.equal(await raw.call("SPOP", "str", "0"), WRONGTYPE);
    assert.equal(await raw.call("SPOP", "str", "1"), WRONGTYPE);
  });
});

Deno.test("SRANDMEMBER returns members without removing them", async (t) => {
  await using s = await testServer({ seed: 1 });
  const raw = await s.raw();
  const r3 = await resp3(s);
  const all = ["a", "b", "c", "d", "e"];
  await raw.call("SADD", "s", ...all);
  const one = await raw.call("SRANDMEMBER", "s");
  assert.ok(all.map(bulk).includes(one));
  assert.equal(await raw.call("SCARD", "s"), int(5));
  await t.step("a positive count gives distinct members", async () => {
    for (let i = 0; i < 20; i++) {
      const got = parseBulks(await raw.call("SRANDMEMBER", "s", "3"));
      assert.equal(got.length, 3);
      assert.equal(new Set(got).size, 3);
      for (const m of got) assert.ok(all.includes(m));
    }
  });
  await t.step("a count of at least the size gives the whole set", async () => {
    assert.deepEqual(parseBulks(await raw.call("SRANDMEMBER", "s", "5")).sort(), all);
    await raw.call("SADD", "i", "3", "-1", "2");
    assert.equal(await raw.call("SRANDMEMBER", "i", "9223372036854775807"), arr("-1", "2", "3"));
  });
  await t.step("a negative count may repeat members", async () => {
    const got = parseBulks(await raw.call("SRANDMEMBER", "s", "-50"));
    assert.equal(got.length, 50);
    assert.ok(new Set(got).size < 50);
    for (const m of got) assert.ok(all.includes(m));
    assert.equal(await raw.call("SCARD", "s"), int(5));
  });
  await t.step("replies are arrays in RESP3 too", async () => {
    assert.equal((await r3.call("SRANDMEMBER", "s", "2"))[0], "*");
    assert.equal((await r3.call("SRANDMEMBER", "s", "-2"))[0], "*");
    assert.equal(await r3.call("SRANDMEMBER", "s", "0"), "*0\r\n");
    assert.equal(await r3.call("SRANDMEMBER", "missing"), NULL3);
    assert.equal(await r3.call("SRANDMEMBER", "missing", "3"), "*0\r\n");
  });
  await t.step("missing keys and count 0", async () => {
    assert.equal(await raw.call("SRANDMEMBER", "missing"), NIL);
    assert.equal(await raw.call("SRANDMEMBER", "missing", "-3"), "*0\r\n");
    assert.equal(await raw.call("SRANDMEMBER", "s", "0"), "*0\r\n");
  });
  await t.step("count errors come before the key lookup", async () => {
    const range =
      "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n";
    assert.equal(await raw.call("SRANDMEMBER", "s", "-9223372036854775808"), range);
    assert.equal(await raw.call("SRANDMEMBER", "missing", "-9223372036854775808"), range);
    for (const c of ["abc", "-0", "1.5", "9223372036854775808", ""]) {
      assert.equal(await raw.call("SRANDMEMBER", "s", c), NOT_INTEGER, c);
    }
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SRANDMEMBER", "str", "-9223372036854775808"), range);
    assert.equal(await raw.call("SRANDMEMBER", "str", "0"), WRONGTYPE);
    assert.equal(await raw.call("SRANDMEMBER", "str"), WRONGTYPE);
  });
  await t.step("a repeat count too large to build is refused", async () => {
    assert.match(await raw.call("SRANDMEMBER", "s", "-9223372036854775807"), /^-ERR /);
  });
  await t.step("wrong arity and syntax", async () => {
    assert.equal(await raw.call("SRANDMEMBER"), wrongArity("srandmember"));
    assert.equal(await raw.call("SRANDMEMBER", "s", "1", "2"), SYNTAX);
  });
});

Deno.test("SPOP and SRANDMEMBER pick members uniformly on a seeded server", async (t) => {
  await using s = await testServer({ seed: 1 });
  const raw = await s.raw();
  const members = Array.from({ length: 10 }, (_, i) => `m${i}`);
  await raw.call("SADD", "s", ...members);
  await t.step("SRANDMEMBER with a negative count", async () => {
    const counts = new Map<string, number>();
    const got = parseBulks(await raw.call("SRANDMEMBER", "s", "-100000"));
    for (const m of got) counts.set(m, (counts.get(m) ?? 0) + 1);
    assert.equal(counts.size, 10);
    for (const n of counts.values()) assert.ok(n > 9000 && n < 11000, String(n));
  });
  await t.step("SRANDMEMBER with a positive count", async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const m of parseBulks(await raw.call("SRANDMEMBER", "s", "3"))) {
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
    }
    for (const n of counts.values()) assert.ok(n > 500 && n < 700, String(n));
  });
  await t.step("SPOP", async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      await raw.call("SADD", "p", ...members);
      const m = parseBulks(`*1\r\n${await raw.call("SPOP", "p")}`)[0]!;
      counts.set(m, (counts.get(m) ?? 0) + 1);
      for (const x of parseBulks(await raw.call("SPOP", "p", "2"))) {
        counts.set(x, (counts.get(x) ?? 0) + 1);
      }
      await raw.call("DEL", "p");
    }
    for (const n of counts.values()) assert.ok(n > 500 && n < 700, String(n));
  });
  await t.step("the same seed gives the same picks", async () => {
    await using one = await testServer({ seed: 1 });
    await using two = await testServer({ seed: 1 });
    const picks: string[][] = [];
    for (const server of [one, two]) {
      const c = await server.raw();
      await c.call("SADD", "s", ...members);
      picks.push([
        await c.call("SRANDMEMBER", "s", "-5"),
        await c.call("SRANDMEMBER", "s", "3"),
        await c.call("SPOP", "s", "3"),
        await c.call("SPOP", "s"),
      ]);
    }
    assert.deepEqual(picks[0], picks[1]);
  });
});

Deno.test("SMOVE moves a member between sets", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await raw.call("SADD", "src", "a", "b", "1");
  await raw.call("SADD", "dst", "b");
  assert.equal(await raw.call("SMOVE", "src", "dst", "a"), int(1));
  assert.equal(await raw.call("SISMEMBER", "dst", "a"), int(1));
  assert.equal(await raw.call("SISMEMBER", "src", "a"), int(0));
  assert.deepEqual(events.splice(0), ["s:sadd:src", "s:sadd:dst", "s:srem:src", "s:sadd:dst"]);
  await t.step("a member already in the destination is only removed from the source", async () => {
    assert.equal(await raw.call("SMOVE", "src", "dst", "b"), int(1));
    assert.equal(await raw.call("SCARD", "dst"), int(2));
    assert.deepEqual(events.splice(0), ["s:srem:src"]);
  });
  await t.step("an absent member moves nothing", async () => {
    assert.equal(await raw.call("SMOVE", "src", "dst", "zz"), int(0));
    assert.equal(await raw.call("SMOVE", "missing", "dst", "b"), int(0));
    assert.deepEqual(events.splice(0), []);
  });
  await t.step("moving within one set only tells whether it is a member", async () => {
    assert.equal(await raw.call("SMOVE", "src", "src", "1"), int(1));
    assert.equal(await raw.call("SMOVE", "src", "src", "zz"), int(0));
    assert.equal(await raw.call("SCARD", "src"), int(1));
    assert.deepEqual(events.splice(0), []);
  });
  await t.step(
    "moving the last member deletes the source and creates the destination",
    async () => {
      assert.equal(await raw.call("SMOVE", "src", "new", "1"), int(1));
      assert.equal(await raw.call("EXISTS", "src"), int(0));
      assert.equal(await raw.call("SMEMBERS", "new"), arr("1"));
      assert.deepEqual(events.splice(0), ["s:srem:src", "g:del:src", "s:sadd:new"]);
    },
  );
  await t.step("wrong types", async () => {
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SMOVE", "str", "dst", "a"), WRONGTYPE);
    assert.equal(await raw.call("SMOVE", "str", "missing", "a"), WRONGTYPE);
    assert.equal(await raw.call("SMOVE", "dst", "str", "a"), WRONGTYPE);
    assert.equal(await raw.call("SMOVE", "dst", "str", "nope"), WRONGTYPE);
    // A missing source answers 0 before the destination's type is checked.
    assert.equal(await raw.call("SMOVE", "missing", "str", "a"), int(0));
    assert.equal(await raw.call("SCARD", "dst"), int(2));
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("SMOVE", "a", "b"), wrongArity("smove"));
    assert.equal(await raw.call("SMOVE", "a", "b", "c", "d"), wrongArity("smove"));
  });
});

Deno.test("SINTER, SINTERCARD and SINTERSTORE intersect sets", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("SADD", "a", "1", "2", "3", "4", "x");
  await raw.call("SADD", "b", "4", "3", "2", "y");
  await raw.call("SADD", "c", "3", "2", "9");
  assert.equal(await raw.call("SINTER", "a", "b", "c"), arr("2", "3"));
  assert.equal(await r3.call("SINTER", "a", "b", "c"), set3("2", "3"));
  assert.deepEqual(parseBulks(await raw.call("SINTER", "a")).sort(), ["1", "2", "3", "4", "x"]);
  assert.deepEqual(parseBulks(await raw.call("SINTER", "a", "a", "b")).sort(), ["2", "3", "4"]);
  assert.equal(await raw.call("SINTERCARD", "3", "a", "b", "c"), int(2));
  assert.equal(await raw.call("SINTERCARD", "2", "a", "b"), int(3));
  await t.step("a missing key makes the intersection empty", async () => {
    assert.equal(await raw.call("SINTER", "a", "missing"), "*0\r\n");
    assert.equal(await r3.call("SINTER", "missing", "a"), "~0\r\n");
    assert.equal(await raw.call("SINTERCARD", "2", "a", "missing"), int(0));
  });
  await t.step("SINTERCARD LIMIT stops counting early", async () => {
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "LIMIT", "1"), int(1));
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "limit", "0"), int(3));
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "LIMIT", "9"), int(3));
    assert.equal(
      await raw.call("SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "5"),
      int(3),
    );
  });
  await t.step("SINTERCARD errors", async () => {
    const numkeys = "-ERR numkeys should be greater than 0\r\n";
    const tooMany = "-ERR Number of keys can't be greater than number of args\r\n";
    const limit = "-ERR LIMIT can't be negative\r\n";
    assert.equal(await raw.call("SINTERCARD", "0", "a"), numkeys);
    assert.equal(await raw.call("SINTERCARD", "-1", "a"), numkeys);
    assert.equal(await raw.call("SINTERCARD", "x", "a"), numkeys);
    assert.equal(await raw.call("SINTERCARD", "9223372036854775808", "a"), numkeys);
    assert.equal(await raw.call("SINTERCARD", "3", "a", "b"), tooMany);
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "LIMIT", "-1"), limit);
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "LIMIT", "x"), limit);
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "LIMIT"), SYNTAX);
    assert.equal(await raw.call("SINTERCARD", "1", "a", "b"), SYNTAX);
    assert.equal(await raw.call("SINTERCARD", "2", "a", "b", "FOO", "1"), SYNTAX);
    assert.equal(await raw.call("SINTERCARD", "1"), wrongArity("sintercard"));
  });
  await t.step("SINTERSTORE stores the result, replacing the destination and its TTL", async () => {
    await raw.call("SET", "d", "old", "EX", "100");
    assert.equal(await raw.call("SINTERSTORE", "d", "a", "b"), int(3));
    assert.deepEqual(parseBulks(await raw.call("SMEMBERS", "d")).sort(), ["2", "3", "4"]);
    assert.equal(await raw.call("TTL", "d"), int(-1));
    assert.equal(await raw.call("SINTERSTORE", "a2", "a", "a"), int(5));
  });
  await t.step("SINTERSTORE with an empty result deletes the destination", async () => {
    const events = recordEvents(s.server.engine);
    assert.equal(await raw.call("SINTERSTORE", "d", "a", "missing"), int(0));
    assert.equal(await raw.call("EXISTS", "d"), int(0));
    assert.equal(await raw.call("SINTERSTORE", "d", "a", "missing"), int(0));
    assert.equal(await raw.call("SINTERSTORE", "d", "a", "c"), int(2));
    assert.deepEqual(events, ["g:del:d", "s:sinterstore:d"]);
  });
  await t.step("every key's type is checked, even after a missing key", async () => {
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SINTER", "missing", "str"), WRONGTYPE);
    assert.equal(await raw.call("SINTER", "str", "a"), WRONGTYPE);
    assert.equal(await raw.call("SINTERCARD", "2", "missing", "str"), WRONGTYPE);
    assert.equal(await raw.call("SINTERSTORE", "d", "missing", "str"), WRONGTYPE);
    assert.equal(await raw.call("SINTERSTORE", "str", "a", "b"), int(3));
    assert.equal(await raw.call("TYPE", "str"), "+set\r\n");
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("SINTER"), wrongArity("sinter"));
    assert.equal(await raw.call("SINTERSTORE", "d"), wrongArity("sinterstore"));
  });
});

Deno.test("SUNION, SDIFF and their STORE forms", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("SADD", "a", "3", "1", "2");
  await raw.call("SADD", "b", "2", "5");
  await raw.call("SADD", "h", "x", "2");
  assert.equal(await raw.call("SUNION", "a", "b", "missing"), arr("1", "2", "3", "5"));
  assert.equal(await r3.call("SUNION", "a", "b"), set3("1", "2", "3", "5"));
  assert.deepEqual(parseBulks(await raw.call("SUNION", "a", "h")).sort(), ["1", "2", "3", "x"]);
  assert.equal(await raw.call("SDIFF", "a", "b", "missing"), arr("1", "3"));
  assert.equal(await r3.call("SDIFF", "a", "h"), set3("1", "3"));
  assert.equal(await raw.call("SDIFF", "a", "a"), "*0\r\n");
  assert.equal(await raw.call("SDIFF", "missing", "a"), "*0\r\n");
  assert.equal(await r3.call("SUNION", "missing"), "~0\r\n");
  await t.step("STORE forms store the result and answer its size", async () => {
    const events = recordEvents(s.server.engine);
    assert.equal(await raw.call("SUNIONSTORE", "u", "a", "b"), int(4));
    assert.equal(await raw.call("SMEMBERS", "u"), arr("1", "2", "3", "5"));
    assert.equal(await raw.call("SDIFFSTORE", "d", "a", "b"), int(2));
    assert.equal(await raw.call("SMEMBERS", "d"), arr("1", "3"));
    assert.equal(await raw.call("SDIFFSTORE", "d", "a", "a"), int(0));
    assert.equal(await raw.call("EXISTS", "d"), int(0));
    assert.equal(await raw.call("SUNIONSTORE", "d", "missing"), int(0));
    assert.equal(await raw.call("SUNIONSTORE", "a", "a", "b"), int(4));
    assert.deepEqual(events, [
      "s:sunionstore:u",
      "s:sdiffstore:d",
      "g:del:d",
      "s:sunionstore:a",
    ]);
  });
  await t.step("wrong types and arity", async () => {
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SUNION", "missing", "str"), WRONGTYPE);
    assert.equal(await raw.call("SDIFF", "missing", "str"), WRONGTYPE);
    assert.equal(await raw.call("SDIFF", "str", "missing"), WRONGTYPE);
    assert.equal(await raw.call("SUNIONSTORE", "d", "str"), WRONGTYPE);
    assert.equal(await raw.call("SDIFFSTORE", "d", "a", "str"), WRONGTYPE);
    assert.equal(await raw.call("SUNION"), wrongArity("sunion"));
    assert.equal(await raw.call("SDIFF"), wrongArity("sdiff"));
    assert.equal(await raw.call("SUNIONSTORE", "d"), wrongArity("sunionstore"));
    assert.equal(await raw.call("SDIFFSTORE", "d"), wrongArity("sdiffstore"));
  });
});

Deno.test("read commands count keyspace hits and misses as Redis does", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const stats = s.server.engine.stats;
  await raw.call("SADD", "a", "1", "2");
  const before = [stats.keyspaceHits, stats.keyspaceMisses];
  await raw.call("SINTERSTORE", "d", "a", "missing");
  await raw.call("SMOVE", "a", "b", "1");
  await raw.call("SPOP", "b", "5");
  assert.deepEqual([stats.keyspaceHits - before[0]!, stats.keyspaceMisses - before[1]!], [2, 1]);
});

Deno.test("SSCAN returns a small set whole and iterates a large one", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const r3 = await resp3(s);
  await raw.call("SADD", "i", "20", "1", "10", "2", "3");
  assert.equal(
    await raw.call("SSCAN", "i", "0"),
    `*2\r\n${bulk("0")}${arr("1", "2", "3", "10", "20")}`,
  );
  assert.equal(
    await r3.call("SSCAN", "i", "0"),
    `*2\r\n${bulk("0")}${arr("1", "2", "3", "10", "20")}`,
  );
  await t.step("an intset ignores COUNT and the cursor", async () => {
    assert.equal(
      await raw.call("SSCAN", "i", "5", "COUNT", "1"),
      `*2\r\n${bulk("0")}${arr("1", "2", "3", "10", "20")}`,
    );
  });
  await t.step("MATCH filters members", async () => {
    assert.equal(
      await raw.call("SSCAN", "i", "0", "MATCH", "1*"),
      `*2\r\n${bulk("0")}${arr("1", "10")}`,
    );
    assert.equal(
      await raw.call("SSCAN", "i", "0", "match", "*"),
      `*2\r\n${bulk("0")}${arr("1", "2", "3", "10", "20")}`,
    );
  });
  await t.step("a missing key is an empty scan, whatever the options", async () => {
    assert.equal(await raw.call("SSCAN", "missing", "0"), `*2\r\n${bulk("0")}*0\r\n`);
    assert.equal(
      await raw.call("SSCAN", "missing", "0", "COUNT", "0"),
      `*2\r\n${bulk("0")}*0\r\n`,
    );
  });
  await t.step("errors", async () => {
    const invalid = "-ERR invalid cursor\r\n";
    assert.equal(await raw.call("SSCAN", "i", "abc"), invalid);
    assert.equal(await raw.call("SSCAN", "missing", "abc"), invalid);
    assert.equal(await raw.call("SSCAN", "i", "18446744073709551616"), invalid);
    assert.equal(await raw.call("SSCAN", "i", "0", "COUNT", "0"), SYNTAX);
    assert.equal(await raw.call("SSCAN", "i", "0", "COUNT", "-1"), SYNTAX);
    assert.equal(await raw.call("SSCAN", "i", "0", "COUNT", "x"), NOT_INTEGER);
    assert.equal(await raw.call("SSCAN", "i", "0", "TYPE", "set"), SYNTAX);
    assert.equal(await raw.call("SSCAN", "i", "0", "MATCH"), SYNTAX);
    assert.equal(await raw.call("SSCAN", "i", "0", "FOO"), SYNTAX);
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("SSCAN", "str", "0"), WRONGTYPE);
    assert.equal(await raw.call("SSCAN", "str", "0", "COUNT", "0"), WRONGTYPE);
    assert.equal(await raw.call("SSCAN", "str", "abc"), invalid);
    assert.equal(await raw.call("SSCAN", "i"), wrongArity("sscan"));
  });
  await t.step("a hashtable set is iterated COUNT at a time", async () => {
    const members = Array.from({ length: 100 }, (_, i) => `m${i}`);
    await raw.call("SADD", "h", ...members);
    let cursor = "0";
    const seen: string[] = [];
    let calls = 0;
    do {
      const [next, got] = parseScan(await raw.call("SSCAN", "h", cursor, "COUNT", "10"));
      assert.ok(got.length <= 10);
      seen.push(...got);
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.ok(calls >= 10);
    assert.deepEqual(seen.sort(), members.slice().sort());
  });
});

Deno.test("SSCAN returns every member present throughout, once, while the set changes", async () => {
  await using s = await testServer({ seed: 3 });
  const raw = await s.raw();
  const stable = Array.from({ length: 500 }, (_, i) => `s${i}`);
  await raw.call("SADD", "h", ...stable, ...Array.from({ length: 300 }, (_, i) => `v${i}`));
  let cursor = "0";
  const seen = new Map<string, number>();
  let round = 0;
  do {
    const [next, got] = parseScan(await raw.call("SSCAN", "h", cursor, "COUNT", "25"));
    for (const m of got) seen.set(m, (seen.get(m) ?? 0) + 1);
    cursor = next;
    // Churn: remove some volatile members, add new ones.
    await raw.call("SREM", "h", `v${round * 3}`, `v${round * 3 + 1}`);
    await raw.call("SADD", "h", `n${round}a`, `n${round}b`, `n${round}c`);
    round++;
  } while (cursor !== "0");
  for (const m of stable) assert.equal(seen.get(m), 1, m);
  for (const [m, n] of seen) assert.equal(n, 1, m);
});

Deno.test("a million-member set answers SADD, SISMEMBER, SPOP and SRANDMEMBER", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const batch = 10_000;
  for (let b = 0; b < 1_000_000 / batch; b++) {
    const members = Array.from({ length: batch }, (_, i) => `member:${b * batch + i}`);
    assert.equal(await raw.call("SADD", "big", ...members), int(batch));
  }
  assert.equal(await raw.call("SCARD", "big"), int(1_000_000));
  const engine = s.server.engine;
  const client = engine.connect();
  for (let i = 0; i < 100_000; i++) {
    const reply = engine.call(client, ["SISMEMBER", "big", `member:${(i * 7919) % 1_000_000}`]);
    assert.ok(!(reply instanceof Promise) && reply.kind === "integer" && reply.value === 1);
  }
  engine.disconnect(client);
  assert.equal(await raw.call("SISMEMBER", "big", "member:999999"), int(1));
  assert.equal(await raw.call("SISMEMBER", "big", "member:1000000"), int(0));
  for (let i = 0; i < 1000; i++) await raw.call("SPOP", "big");
  assert.equal((await raw.call("SRANDMEMBER", "big", "1000")).startsWith("*1000\r\n"), true);
  assert.equal(await raw.call("SCARD", "big"), int(999_000));
});

Deno.test("a set value copied with COPY is independent", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SADD", "a", "1", "2");
  assert.equal(await raw.call("COPY", "a", "b"), int(1));
  await raw.call("SADD", "b", "3");
  assert.equal(await raw.call("SMEMBERS", "a"), arr("1", "2"));
  assert.equal(await raw.call("SMEMBERS", "b"), arr("1", "2", "3"));
  assert.ok(db(s).get("b") instanceof SetValue);
});

Deno.test("ioredis can drive every set command", async () => {
  await using s = await testServer({ seed: 2 });
  const redis = await s.redis();
  assert.equal(await redis.sadd("a", "1", "2", "3", "x"), 4);
  assert.equal(await redis.sadd("b", ["2", "3", "y"]), 3);
  assert.equal(await redis.srem("a", "x"), 1);
  assert.deepEqual(await redis.smembers("a"), ["1", "2", "3"]);
  assert.equal(await redis.sismember("a", "1"), 1);
  assert.deepEqual(await redis.smismember("a", "1", "9"), [1, 0]);
  assert.equal(await redis.scard("a"), 3);
  assert.deepEqual(await redis.sinter("a", "b"), ["2", "3"]);
  assert.equal(await redis.sintercard(2, "a", "b"), 2);
  assert.equal(await redis.sintercard(2, "a", "b", "LIMIT", 1), 1);
  assert.equal(await redis.sinterstore("i", "a", "b"), 2);
  assert.deepEqual((await redis.sunion("a", "b")).sort(), ["1", "2", "3", "y"]);
  assert.equal(await redis.sunionstore("u", "a", "b"), 4);
  assert.deepEqual(await redis.sdiff("a", "b"), ["1"]);
  assert.equal(await redis.sdiffstore("d", "a", "b"), 1);
  assert.equal(await redis.smove("a", "d", "1"), 1);
  assert.deepEqual(await redis.smembers("d"), ["1"]);
  const [cursor, scanned] = await redis.sscan("u", 0);
  assert.equal(cursor, "0");
  assert.deepEqual(scanned.sort(), ["1", "2", "3", "y"]);
  const rand = await redis.srandmember("u");
  assert.ok(["1", "2", "3", "y"].includes(rand!));
  assert.equal((await redis.srandmember("u", 2)).length, 2);
  assert.equal((await redis.srandmember("u", -6)).length, 6);
  const popped = await redis.spop("u");
  assert.ok(popped !== null && (await redis.sismember("u", popped)) === 0);
  assert.equal((await redis.spop("u", 2)).length, 2);
  assert.equal(await redis.scard("u"), 1);
  assert.equal(await redis.spop("missing"), null);
  assert.deepEqual(await redis.spop("missing", 2), []);
  await assert.rejects(redis.spop("u", -1), /must be positive/);
  await assert.rejects(redis.sintercard(0, "a"), /numkeys should be greater than 0/);
  await redis.set("str", "x");
  await assert.rejects(redis.sadd("str", "a"), /WRONGTYPE/);
});

Deno.test("ioredis sscanStream walks a large set", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  const members = Array.from({ length: 1000 }, (_, i) => `m${i}`);
  await redis.sadd("h", ...members);
  const seen: string[] = [];
  const stream = redis.sscanStream("h", { count: 50 });
  for await (const batch of stream) seen.push(...(batch as string[]));
  assert.deepEqual(seen.sort(), members.slice().sort());
});

Deno.test("an SSCAN iteration goes on after MOVE of its set", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  const members = Array.from({ length: 600 }, (_, i) => `m${i}`);
  await redis.sadd("s", ...members);
  assert.equal(encoding(s, "s"), "hashtable");
  const [cursor, first] = await redis.sscan("s", 0, "COUNT", 10);
  assert.notEqual(cursor, "0");
  // Members already returned go: a resume by position alone would skip some.
  await redis.srem("s", ...first.slice(0, 5));
  assert.equal(await redis.move("s", 1), 1);
  await redis.select(1);
  const seen = [...first];
  let next = cursor;
  do {
    const [c, batch] = await redis.sscan("s", next, "COUNT", 50);
    seen.push(...batch);
    next = c;
  } while (next !== "0");
  assert.deepEqual(seen.sort(), members.slice().sort());
});

const ABC = [["SADD", "k", "a", "b", "c"]];

/** Each set write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["SADD", "k", "a", "b"], changes: 2 },
  { run: ["SADD", "k", "a", "a"], changes: 1 },
  { setup: [["SADD", "k", "a"]], run: ["SADD", "k", "a", "b", "c"], changes: 2 },
  { setup: [["SADD", "k", "a"]], run: ["SADD", "k", "a"], changes: 0 },
  { setup: [["SET", "k", "v"]], run: ["SADD", "k", "a"], changes: 0 },
  { setup: ABC, run: ["SREM", "k", "a", "b", "q"], changes: 2 },
  { setup: [["SADD", "k", "a", "b"]], run: ["SREM", "k", "a", "b"], changes: 2 },
  { setup: [["SADD", "k", "a"]], run: ["SREM", "k", "a"], changes: 1 },
  { setup: ABC, run: ["SREM", "k", "q"], changes: 0 },
  { run: ["SREM", "k", "a"], changes: 0 },
  { setup: ABC, run: ["SPOP", "k"], changes: 1 },
  { setup: [["SADD", "k", "a"]], run: ["SPOP", "k"], changes: 1 },
  { run: ["SPOP", "k"], changes: 0 },
  { setup: ABC, run: ["SPOP", "k", "2"], changes: 2 },
  { setup: ABC, run: ["SPOP", "k", "3"], changes: 3 },
  { setup: ABC, run: ["SPOP", "k", "5"], changes: 3 },
  { setup: [["SADD", "k", "a"]], run: ["SPOP", "k", "1"], changes: 1 },
  { setup: ABC, run: ["SPOP", "k", "0"], changes: 0 },
  {
    setup: [["SADD", "k", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]],
    run: ["SPOP", "k", "9"],
    changes: 9,
  },
  { setup: ABC, run: ["SMOVE", "k", "d", "a"], changes: 2 },
  { setup: [...ABC, ["SADD", "d", "a"]], run: ["SMOVE", "k", "d", "a"], changes: 1 },
  { setup: [...ABC, ["SADD", "d", "x"]], run: ["SMOVE", "k", "d", "a"], changes: 2 },
  { setup: [["SADD", "k", "a"]], run: ["SMOVE", "k", "d", "a"], changes: 2 },
  { setup: [["SADD", "k", "a"], ["SADD", "d", "a"]], run: ["SMOVE", "k", "d", "a"], changes: 1 },
  { setup: [["SADD", "k", "a"]], run: ["SMOVE", "k", "d", "q"], changes: 0 },
  { setup: [["SADD", "k", "a", "b"]], run: ["SMOVE", "k", "k", "a"], changes: 0 },
  { setup: [["SADD", "k", "a"], ["SET", "d", "v"]], run: ["SMOVE", "k", "d", "a"], changes: 0 },
  { setup: ABC, run: ["SINTERSTORE", "d", "k"], changes: 1 },
  { setup: [...ABC, ["SET", "d", "v"]], run: ["SINTERSTORE", "d", "k"], changes: 1 },
  { setup: [["SADD", "d", "a"]], run: ["SINTERSTORE", "d", "k", "q"], changes: 1 },
  { run: ["SINTERSTORE", "d", "k", "q"], changes: 0 },
  { setup: ABC, run: ["SUNIONSTORE", "d", "k"], changes: 1 },
  { setup: [["SADD", "d", "a"]], run: ["SUNIONSTORE", "d", "q"], changes: 1 },
  { run: ["SUNIONSTORE", "d", "q"], changes: 0 },
  { setup: ABC, run: ["SDIFFSTORE", "d", "k"], changes: 1 },
  { setup: [["SADD", "d", "a"]], run: ["SDIFFSTORE", "d", "q", "k"], changes: 1 },
  { setup: ABC, run: ["SDIFFSTORE", "k", "k", "k"], changes: 1 },
  { run: ["SDIFFSTORE", "d", "q"], changes: 0 },
];

dirtyCountTests("set", { handlers: SET_HANDLERS, cases: DIRTY_CASES });
