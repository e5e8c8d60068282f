import assert from "node:assert/strict";
import { type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { GENERIC_HANDLERS } from "../../src/commands/generic.ts";
import type { ContainerValue, Database, Value } from "../../src/store/database.ts";
import type { Engine } from "../../src/engine.ts";

/** A minimal container value, so the generic group is tested on its own. */
class FakeList implements ContainerValue {
  readonly type = "list" as const;
  items: string[];
  constructor(items: string[]) {
    this.items = items;
  }
  encoding(): string {
    return "quicklist";
  }
  clone(): FakeList {
    return new FakeList([...this.items]);
  }
}

function db(t: TestServer, index = 0): Database {
  return t.server.engine.db(index);
}

/** Stores keys directly (the string group is tested elsewhere). */
function seed(t: TestServer, entries: Record<string, Value>, index = 0): void {
  for (const [key, value] of Object.entries(entries)) db(t, index).set(key, value);
}

/** Records every keyspace notification as `db:class:event:key`. */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (database, cls, event, key) => {
    events.push(`${database.id}:${cls}:${event}:${key}`);
  };
  return events;
}

function wrongArity(name: string): string {
  return `-ERR wrong number of arguments for '${name}' command\r\n`;
}

Deno.test("DEL removes keys and counts each removed key once", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  seed(s, { a: "1", b: "2", c: "3" });
  const events = recordEvents(s.server.engine);
  assert.equal(await redis.del("a", "b", "missing", "a"), 2);
  assert.equal(db(s).has("a"), false);
  assert.equal(db(s).has("c"), true);
  assert.deepEqual(events, ["0:g:del:a", "0:g:del:b"]);
  await t.step("an expired key is not counted", async () => {
    db(s).setExpire("c", s.clock.now() + 10);
    s.clock.advance(10);
    assert.equal(await raw.call("DEL", "c"), ":0\r\n");
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("DEL"), wrongArity("del"));
  });
});

Deno.test("UNLINK behaves as DEL", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1", "\x00\xff": "2" });
  const events = recordEvents(s.server.engine);
  assert.equal(await raw.call("UNLINK", "a", "\x00\xff", "a", "zz"), ":2\r\n");
  assert.equal(db(s).size, 0);
  assert.deepEqual(events, ["0:g:del:a", "0:g:del:\x00\xff"]);
  assert.equal(await raw.call("UNLINK"), wrongArity("unlink"));
});

Deno.test("EXISTS counts every argument naming a live key without touching it", async () => {
  await using s = await testServer();
  const redis = await s.redis();
  seed(s, { a: "1", b: "2" });
  const lru = db(s).lru("a")!;
  s.clock.advance(5000);
  assert.equal(await redis.exists("a", "a", "b", "missing"), 3);
  assert.equal(db(s).lru("a")!, lru);
  assert.equal(await redis.exists("missing"), 0);
  db(s).setExpire("b", s.clock.now());
  assert.equal(await redis.exists("b"), 0);
  const stats = s.server.engine.stats;
  assert.equal(stats.keyspaceHits, 3);
  assert.equal(stats.keyspaceMisses, 3);
});

Deno.test("TOUCH counts existing keys and refreshes their access time", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1" });
  s.clock.advance(10_000);
  assert.equal(await raw.call("OBJECT", "IDLETIME", "a"), ":10\r\n");
  assert.equal(await raw.call("TOUCH", "a", "a", "missing"), ":2\r\n");
  assert.equal(await raw.call("OBJECT", "IDLETIME", "a"), ":0\r\n");
  assert.equal(await raw.call("TOUCH"), wrongArity("touch"));
});

Deno.test("TYPE reports the value's type as a simple string", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { s: "v", l: new FakeList(["a"]) });
  await t.step("string", async () => assert.equal(await raw.call("TYPE", "s"), "+string\r\n"));
  await t.step("container", async () => assert.equal(await raw.call("TYPE", "l"), "+list\r\n"));
  await t.step("missing", async () => assert.equal(await raw.call("TYPE", "x"), "+none\r\n"));
  await t.step("expired", async () => {
    db(s).setExpire("s", s.clock.now());
    assert.equal(await raw.call("TYPE", "s"), "+none\r\n");
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("TYPE"), wrongArity("type"));
    assert.equal(await raw.call("TYPE", "a", "b"), wrongArity("type"));
  });
});

function bulkArray(items: string[]): string {
  return `*${items.length}\r\n` + items.map((i) => `$${i.length}\r\n${i}\r\n`).join("");
}

Deno.test("KEYS returns the keys matching a glob pattern", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  seed(s, { hello: "1", hallo: "1", hllo: "1", heeello: "1", "a*b": "1", "\xff\x00": "1" });
  const keys = async (p: string) => (await redis.keys(p)).sort();
  await t.step("star", async () => {
    assert.deepEqual(await keys("h*llo"), ["hallo", "heeello", "hello", "hllo"]);
  });
  await t.step("question mark", async () => {
    assert.deepEqual(await keys("h?llo"), ["hallo", "hello"]);
  });
  await t.step("classes", async () => {
    assert.deepEqual(await keys("h[ae]llo"), ["hallo", "hello"]);
    assert.deepEqual(await keys("h[^e]llo"), ["hallo"]);
    assert.deepEqual(await keys("h[a-b]llo"), ["hallo"]);
  });
  await t.step("escapes", async () => {
    assert.deepEqual(await keys("a\\*b"), ["a*b"]);
    assert.deepEqual(await keys("a\\*"), []);
  });
  await t.step("binary keys", async () => {
    assert.equal(await raw.call("KEYS", "\xff?"), bulkArray(["\xff\x00"]));
  });
  await t.step("no match is an empty array", async () => {
    assert.equal(await raw.call("KEYS", "zzz*"), "*0\r\n");
  });
  await t.step("a lone star also returns the empty key, other stars do not", async () => {
    seed(s, { "": "e" });
    assert.ok((await raw.call("KEYS", "*")).includes("$0\r\n\r\n"));
    assert.ok(!(await raw.call("KEYS", "**")).includes("$0\r\n\r\n"));
    assert.equal(await raw.call("KEYS", ""), bulkArray([""]));
  });
  await t.step("expired keys are left out but not reclaimed", async () => {
    db(s).setExpire("hllo", s.clock.now());
    const before = db(s).size;
    assert.deepEqual(await keys("h*llo"), ["hallo", "heeello", "hello"]);
    assert.equal(db(s).size, before);
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("KEYS"), wrongArity("keys"));
  });
});

/** Runs SCAN over raw bytes and parses `[cursor, keys]`. */
async function scanRaw(
  raw: Awaited<ReturnType<TestServer["raw"]>>,
  ...argv: string[]
): Promise<[string, string[]]> {
  const reply = await raw.call("SCAN", ...argv);
  assert.ok(reply.startsWith("*2\r\n$"), reply);
  let p = 4;
  const readBulk = (): string => {
    const end = reply.indexOf("\r\n", p);
    const n = Number(reply.slice(p + 1, end));
    const v = reply.slice(end + 2, end + 2 + n);
    p = end + 2 + n + 2;
    return v;
  };
  const cursor = readBulk();
  const end = reply.indexOf("\r\n", p);
  const count = Number(reply.slice(p + 1, end));
  p = end + 2;
  const keys: string[] = [];
  for (let i = 0; i < count; i++) keys.push(readBulk());
  assert.equal(p, reply.length);
  return [cursor, keys];
}

Deno.test("SCAN iterates the whole keyspace", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const all: Record<string, Value> = {};
  for (let i = 0; i < 100; i++) all[`key:${i}`] = String(i);
  all["list"] = new FakeList([]);
  all["\x00bin\xff"] = "b";
  seed(s, all);
  const full = async (...opts: string[]): Promise<string[]> => {
    const seen: string[] = [];
    let cursor = "0";
    let calls = 0;
    do {
      const [next, keys] = await scanRaw(raw, cursor, ...opts);
      seen.push(...keys);
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.ok(calls >= 1);
    return seen;
  };
  await t.step("default COUNT visits about 10 keys per call", async () => {
    const [cursor, keys] = await scanRaw(raw, "0");
    assert.notEqual(cursor, "0");
    assert.equal(keys.length, 10);
    assert.deepEqual((await full()).sort(), Object.keys(all).sort());
  });
  await t.step("COUNT", async () => {
    const [cursor, keys] = await scanRaw(raw, "0", "COUNT", "1000");
    assert.equal(cursor, "0");
    assert.equal(keys.length, 102);
    assert.deepEqual((await full("COUNT", "1")).sort(), Object.keys(all).sort());
  });
  await t.step("MATCH", async () => {
    assert.deepEqual((await full("MATCH", "key:1?")).sort(), [
      "key:10",
      "key:11",
      "key:12",
      "key:13",
      "key:14",
      "key:15",
      "key:16",
      "key:17",
      "key:18",
      "key:19",
    ]);
    assert.deepEqual(await full("MATCH", "\x00*"), ["\x00bin\xff"]);
  });
  await t.step("TYPE, case-insensitive, unknown types match nothing", async () => {
    assert.deepEqual(await full("TYPE", "LIST"), ["list"]);
    assert.equal((await full("type", "string")).length, 101);
    assert.deepEqual(await full("TYPE", "nosuch"), []);
  });
  await t.step("options repeat: the last one wins", async () => {
    assert.deepEqual(await full("MATCH", "x", "MATCH", "key:99", "COUNT", "1", "COUNT", "500"), [
      "key:99",
    ]);
  });
  await t.step("an unknown far cursor ends the iteration", async () => {
    assert.deepEqual(await scanRaw(raw, "18446744073709551615"), ["0", []]);
    assert.deepEqual(await scanRaw(raw, "-1"), ["0", []]);
  });
  await t.step("strtoul-style cursors start over", async () => {
    for (const c of ["", "+0", "-0", "00"]) {
      assert.equal((await scanRaw(raw, c, "COUNT", "1000"))[1].length, 102);
    }
  });
});

Deno.test("SCAN rejects bad cursors and options", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("invalid cursors", async () => {
    for (const c of ["abc", " 1", "1 ", "+", "-", "0x1", "18446744073709551616", "1.0"]) {
      assert.equal(await raw.call("SCAN", c), "-ERR invalid cursor\r\n", c);
    }
    assert.equal(await raw.call("SCAN", "x", "COUNT", "0"), "-ERR invalid cursor\r\n");
  });
  await t.step("COUNT below 1 is a syntax error", async () => {
    assert.equal(await raw.call("SCAN", "0", "COUNT", "0"), "-ERR syntax error\r\n");
    assert.equal(await raw.call("SCAN", "0", "COUNT", "-5"), "-ERR syntax error\r\n");
  });
  await t.step("COUNT must be an integer", async () => {
    assert.equal(
      await raw.call("SCAN", "0", "COUNT", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
  });
  await t.step("options without a value or unknown ones", async () => {
    for (const opt of [["COUNT"], ["MATCH"], ["TYPE"], ["FOO", "x"], ["MATCH", "*", "X"]]) {
      assert.equal(await raw.call("SCAN", "0", ...opt), "-ERR syntax error\r\n");
    }
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("SCAN"), wrongArity("scan"));
  });
});

Deno.test("SCAN returns every key present throughout an iteration that mutates the keyspace", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const stable = new Set<string>();
  const volatile: string[] = [];
  for (let i = 0; i < 600; i++) {
    const key = `k${i}`;
    db(s).set(key, "v");
    if (i % 3 === 0) volatile.push(key);
    else stable.add(key);
  }
  const seen = new Map<string, number>();
  let cursor = "0";
  let round = 0;
  do {
    const [next, keys] = await scanRaw(raw, cursor, "COUNT", "7");
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
    cursor = next;
    round++;
    // Between calls, through commands: delete and rename volatile keys, add
    // new keys, give stable keys a TTL and overwrite them in place (they stay
    // present throughout).
    const v = volatile.pop();
    if (v !== undefined) assert.equal(await raw.call("DEL", v), ":1\r\n");
    const w = volatile.shift();
    if (w !== undefined) assert.equal(await raw.call("RENAME", w, `renamed${round}`), "+OK\r\n");
    db(s).set(`new${round}`, "n");
    if (round % 2 === 0) await raw.call("UNLINK", `new${round - 1}`);
    const k = `k${1 + ((round * 7) % 200) * 3}`;
    assert.ok(stable.has(k));
    assert.equal(await raw.call("EXPIRE", k, "1000"), ":1\r\n");
    db(s).set(k, "overwritten", true);
  } while (cursor !== "0");
  // Keys present throughout come back exactly once; keys deleted and
  // re-added during the iteration may come back twice.
  for (const key of stable) assert.equal(seen.get(key), 1, `${key} returned ${seen.get(key)}`);
});

Deno.test("SCAN keeps its guarantee when cached cursors are evicted", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  for (let i = 0; i < 300; i++) db(s).set(`k${i}`, "v");
  // 100 interleaved iterations: more live cursors than the database caches.
  const cursors = Array.from({ length: 100 }, () => "0");
  const seen = cursors.map(() => new Set<string>());
  const done = cursors.map(() => false);
  let first = true;
  while (done.some((d) => !d)) {
    for (let i = 0; i < cursors.length; i++) {
      if (done[i]) continue;
      const [next, keys] = await scanRaw(raw, cursors[i]!, "COUNT", "5");
      for (const k of keys) {
        assert.ok(!seen[i]!.has(k), `iteration ${i} saw ${k} twice`);
        seen[i]!.add(k);
      }
      cursors[i] = next;
      if (next === "0") done[i] = true;
    }
    if (first) {
      // Delete some keys ahead of every cursor and add new ones.
      for (let k = 250; k < 260; k++) db(s).delete(`k${k}`);
      for (let k = 0; k < 10; k++) db(s).set(`late${k}`, "v");
      first = false;
    }
  }
  for (const set of seen) {
    for (let k = 0; k < 300; k++) {
      if (k >= 250 && k < 260) continue;
      assert.ok(set.has(`k${k}`), `missing k${k}`);
    }
  }
});

Deno.test("SCAN filters expired keys in Redis's order", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { live: "1", dead: "2", other: "3" });
  db(s).setExpire("dead", s.clock.now());
  db(s).setExpire("other", s.clock.now());
  await t.step("a MATCH miss leaves an expired key alone", async () => {
    assert.deepEqual(await scanRaw(raw, "0", "MATCH", "l*"), ["0", ["live"]]);
    assert.equal(db(s).size, 3);
  });
  await t.step("a matching expired key is reclaimed and left out", async () => {
    assert.deepEqual(await scanRaw(raw, "0", "MATCH", "d*"), ["0", []]);
    assert.equal(db(s).size, 2);
  });
  await t.step("TYPE none reports keys reclaimed by the type lookup, as Redis does", async () => {
    assert.deepEqual(await scanRaw(raw, "0", "TYPE", "none"), ["0", ["other"]]);
    assert.equal(db(s).size, 1);
  });
});

Deno.test("RENAME moves value and TTL to the new name", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  await t.step("missing source", async () => {
    assert.equal(await raw.call("RENAME", "nope", "x"), "-ERR no such key\r\n");
    assert.equal(await raw.call("RENAME", "nope", "nope"), "-ERR no such key\r\n");
  });
  await t.step("same name is OK when the key exists", async () => {
    seed(s, { a: "1" });
    assert.equal(await raw.call("RENAME", "a", "a"), "+OK\r\n");
    assert.equal(db(s).get("a"), "1");
  });
  await t.step("keeps the TTL and overwrites the destination", async () => {
    seed(s, { b: "old" });
    db(s).setExpire("a", s.clock.now() + 100_000);
    const events = recordEvents(s.server.engine);
    assert.equal(await redis.rename("a", "b"), "OK");
    assert.deepEqual(events, ["0:g:rename_from:a", "0:g:rename_to:b"]);
    assert.equal(db(s).has("a"), false);
    assert.equal(db(s).get("b"), "1");
    assert.equal(await redis.ttl("b"), 100);
  });
  await t.step("a destination TTL is dropped when the source has none", async () => {
    seed(s, { c: "3" });
    assert.equal(await redis.rename("c", "b"), "OK");
    assert.equal(await redis.ttl("b"), -1);
  });
  await t.step("binary names and container values", async () => {
    const list = new FakeList(["x"]);
    seed(s, { "\x00l": list });
    assert.equal(await raw.call("RENAME", "\x00l", "\xffl"), "+OK\r\n");
    assert.equal(db(s).get("\xffl"), list);
  });
  await t.step("an expired source is missing", async () => {
    seed(s, { e: "1" });
    db(s).setExpire("e", s.clock.now());
    assert.equal(await raw.call("RENAME", "e", "f"), "-ERR no such key\r\n");
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("RENAME", "a"), wrongArity("rename"));
  });
});

Deno.test("RENAMENX renames only to a missing key", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("RENAMENX", "nope", "x"), "-ERR no such key\r\n");
  seed(s, { a: "1", b: "2" });
  assert.equal(await raw.call("RENAMENX", "a", "a"), ":0\r\n");
  assert.equal(await raw.call("RENAMENX", "a", "b"), ":0\r\n");
  assert.equal(db(s).get("b"), "2");
  db(s).setExpire("a", s.clock.now() + 5000);
  const events = recordEvents(s.server.engine);
  assert.equal(await raw.call("RENAMENX", "a", "c"), ":1\r\n");
  assert.deepEqual(events, ["0:g:rename_from:a", "0:g:rename_to:c"]);
  assert.equal(db(s).getExpire("c"), s.clock.now() + 5000);
  assert.equal(await raw.call("RENAMENX", "a", "b", "c"), wrongArity("renamenx"));
});

Deno.test("EXPIRE family sets TTLs that the clock expires", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  const now = () => s.clock.now();
  await t.step("EXPIRE in seconds", async () => {
    seed(s, { a: "1" });
    const events = recordEvents(s.server.engine);
    assert.equal(await redis.expire("a", 10), 1);
    assert.deepEqual(events, ["0:g:expire:a"]);
    assert.equal(db(s).getExpire("a"), now() + 10_000);
    s.clock.advance(9_999);
    assert.equal(await redis.exists("a"), 1);
    s.clock.advance(1);
    assert.equal(await redis.exists("a"), 0);
  });
  await t.step("PEXPIRE in milliseconds", async () => {
    seed(s, { a: "1" });
    assert.equal(await redis.pexpire("a", 1500), 1);
    assert.equal(await redis.pttl("a"), 1500);
    s.clock.advance(1500);
    assert.equal(await redis.pttl("a"), -2);
  });
  await t.step("EXPIREAT and PEXPIREAT take absolute times", async () => {
    seed(s, { a: "1" });
    const at = Math.floor(now() / 1000) + 100;
    assert.equal(await redis.expireat("a", at), 1);
    assert.equal(await redis.call("EXPIRETIME", "a"), at);
    assert.equal(await redis.call("PEXPIRETIME", "a"), at * 1000);
    assert.equal(await redis.pexpireat("a", now() + 1234), 1);
    assert.equal(await redis.call("PEXPIRETIME", "a"), now() + 1234);
    assert.equal(await redis.call("EXPIRETIME", "a"), Math.floor((now() + 1734) / 1000));
  });
  await t.step("EXPIRETIME rounds half up to whole seconds", async () => {
    seed(s, { a: "1" });
    assert.equal(await raw.call("PEXPIREAT", "a", "4102444800499"), ":1\r\n");
    assert.equal(await raw.call("EXPIRETIME", "a"), ":4102444800\r\n");
    assert.equal(await raw.call("PEXPIREAT", "a", "4102444800500"), ":1\r\n");
    assert.equal(await raw.call("EXPIRETIME", "a"), ":4102444801\r\n");
  });
  await t.step("a missing key is not given a TTL", async () => {
    assert.equal(await raw.call("EXPIRE", "missing", "10"), ":0\r\n");
    assert.equal(await raw.call("PEXPIREAT", "missing", "1"), ":0\r\n");
  });
  await t.step("a time in the past deletes the key with a del event", async () => {
    for (
      const argv of [["EXPIRE", "a", "0"], ["PEXPIRE", "a", "-5"], ["EXPIREAT", "a", "1"], [
        "PEXPIREAT",
        "a",
        String(now()),
      ]]
    ) {
      seed(s, { a: "1" });
      const events = recordEvents(s.server.engine);
      assert.equal(await raw.call(...argv), ":1\r\n", argv.join(" "));
      assert.deepEqual(events, ["0:g:del:a"]);
      assert.equal(db(s).size, 0);
    }
  });
  await t.step("the key is expired lazily and counted", async () => {
    seed(s, { a: "1" });
    const before = s.server.engine.stats.expiredKeys;
    await redis.pexpire("a", 10);
    s.clock.advance(10);
    assert.equal(await redis.ttl("a"), -2);
    assert.equal(s.server.engine.stats.expiredKeys, before + 1);
  });
});

Deno.test("EXPIRE NX, XX, GT and LT compare with the current TTL", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1" });
  const ttl = () => db(s).getExpire("a");
  const now = s.clock.now();
  await t.step("XX and GT need an existing TTL; LT treats none as infinite", async () => {
    assert.equal(await raw.call("EXPIRE", "a", "100", "XX"), ":0\r\n");
    assert.equal(await raw.call("EXPIRE", "a", "100", "GT"), ":0\r\n");
    assert.equal(ttl(), undefined);
    assert.equal(await raw.call("EXPIRE", "a", "100", "LT"), ":1\r\n");
    assert.equal(ttl(), now + 100_000);
  });
  await t.step("NX only without a TTL", async () => {
    assert.equal(await raw.call("EXPIRE", "a", "200", "NX"), ":0\r\n");
    db(s).persist("a");
    assert.equal(await raw.call("EXPIRE", "a", "200", "nx"), ":1\r\n");
    assert.equal(ttl(), now + 200_000);
  });
  await t.step("GT only for a later time, LT only for an earlier one", async () => {
    assert.equal(await raw.call("EXPIRE", "a", "200", "GT"), ":0\r\n");
    assert.equal(await raw.call("EXPIRE", "a", "100", "GT"), ":0\r\n");
    assert.equal(await raw.call("EXPIRE", "a", "201", "GT"), ":1\r\n");
    assert.equal(await raw.call("EXPIRE", "a", "201", "LT"), ":0\r\n");
    assert.equal(await raw.call("EXPIRE", "a", "300", "LT"), ":0\r\n");
    assert.equal(await raw.call("PEXPIRE", "a", "200999", "lt"), ":1\r\n");
    assert.equal(ttl(), now + 200_999);
  });
  await t.step("XX combines with GT or LT; repeated flags are fine", async () => {
    assert.equal(await raw.call("EXPIRE", "a", "50", "XX", "LT", "xx"), ":1\r\n");
    assert.equal(await raw.call("EXPIRE", "a", "60", "GT", "gt"), ":1\r\n");
    assert.equal(ttl(), now + 60_000);
  });
  await t.step("incompatible flags", async () => {
    const nx = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    assert.equal(await raw.call("EXPIRE", "a", "1", "NX", "XX"), nx);
    assert.equal(await raw.call("EXPIRE", "a", "1", "GT", "NX"), nx);
    assert.equal(await raw.call("EXPIRE", "a", "1", "NX", "LT"), nx);
    assert.equal(
      await raw.call("PEXPIRE", "a", "1", "GT", "LT"),
      "-ERR GT and LT options at the same time are not compatible\r\n",
    );
  });
  await t.step("unsupported options are named, newlines blanked", async () => {
    assert.equal(await raw.call("EXPIRE", "a", "1", "foo"), "-ERR Unsupported option foo\r\n");
    assert.equal(
      await raw.call("EXPIRE", "a", "1", "NX", "XX", "a\r\nb"),
      "-ERR Unsupported option a  b\r\n",
    );
  });
  await t.step("options are checked before the time", async () => {
    assert.equal(await raw.call("EXPIRE", "a", "x", "foo"), "-ERR Unsupported option foo\r\n");
  });
  assert.equal(ttl(), now + 60_000);
});

Deno.test("EXPIRE family rejects bad numbers and overflowing times", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1" });
  const notInt = "-ERR value is not an integer or out of range\r\n";
  await t.step("not integers", async () => {
    for (const v of ["abc", "1.5", " 1", "", "99999999999999999999", "+1", "01"]) {
      assert.equal(await raw.call("EXPIRE", "a", v), notInt, v);
    }
  });
  await t.step("overflow in each command's own name", async () => {
    const cases: [string, string][] = [
      ["expire", "9223372036854775807"],
      ["expire", "9223372036854775"],
      ["expire", "-9223372036854776"],
      ["pexpire", "9223372036854775807"],
      ["expireat", "9223372036854776"],
      ["expireat", "-9223372036854776"],
    ];
    for (const [cmd, v] of cases) {
      assert.equal(
        await raw.call(cmd, "a", v),
        `-ERR invalid expire time in '${cmd}' command\r\n`,
        `${cmd} ${v}`,
      );
      assert.equal(
        await raw.call(cmd, "missing", v),
        `-ERR invalid expire time in '${cmd}' command\r\n`,
      );
    }
  });
  await t.step("the largest absolute times are accepted", async () => {
    assert.equal(await raw.call("EXPIREAT", "a", "9223372036854775"), ":1\r\n");
    assert.equal(await raw.call("PEXPIREAT", "a", "9223372036854775807"), ":1\r\n");
    assert.equal(db(s).has("a"), true);
  });
  await t.step("wrong arity", async () => {
    for (const cmd of ["expire", "pexpire", "expireat", "pexpireat"]) {
      assert.equal(await raw.call(cmd, "a"), wrongArity(cmd));
    }
  });
});

Deno.test("TTL and PTTL report what is left, -1 without TTL and -2 when missing", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1", p: "1" });
  await t.step("missing and persistent keys", async () => {
    for (const cmd of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) {
      assert.equal(await raw.call(cmd, "missing"), ":-2\r\n");
      assert.equal(await raw.call(cmd, "p"), ":-1\r\n");
    }
  });
  await t.step("TTL rounds to the nearest second", async () => {
    db(s).setExpire("a", s.clock.now() + 1499);
    assert.equal(await raw.call("TTL", "a"), ":1\r\n");
    assert.equal(await raw.call("PTTL", "a"), ":1499\r\n");
    db(s).setExpire("a", s.clock.now() + 1500);
    assert.equal(await raw.call("TTL", "a"), ":2\r\n");
    s.clock.advance(1001);
    assert.equal(await raw.call("TTL", "a"), ":0\r\n");
    assert.equal(await raw.call("PTTL", "a"), ":499\r\n");
    s.clock.advance(499);
    assert.equal(await raw.call("TTL", "a"), ":-2\r\n");
  });
  await t.step("reading a TTL does not touch the key", async () => {
    seed(s, { b: "1" });
    const lru = db(s).lru("b")!;
    s.clock.advance(3000);
    await raw.call("TTL", "b");
    await raw.call("PEXPIRETIME", "b");
    assert.equal(db(s).lru("b")!, lru);
  });
  await t.step("wrong arity", async () => {
    for (const cmd of ["ttl", "pttl", "expiretime", "pexpiretime"]) {
      assert.equal(await raw.call(cmd), wrongArity(cmd));
      assert.equal(await raw.call(cmd, "a", "b"), wrongArity(cmd));
    }
  });
});

Deno.test("keys with TTLs are reclaimed by the active cycle without being accessed", async () => {
  await using s = await testServer();
  const d = db(s);
  for (let i = 0; i < 200; i++) {
    d.set(`t${i}`, "v");
    d.setExpire(`t${i}`, s.clock.now() + 1000 + i);
  }
  d.set("keep", "v");
  const before = s.server.engine.stats.expiredKeys;
  assert.equal(d.size, 201);
  s.clock.advance(1500);
  assert.equal(d.size, 1);
  assert.equal(s.server.engine.stats.expiredKeys, before + 200);
});

Deno.test("PERSIST removes a TTL", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("PERSIST", "missing"), ":0\r\n");
  seed(s, { a: "1" });
  assert.equal(await raw.call("PERSIST", "a"), ":0\r\n");
  db(s).setExpire("a", s.clock.now() + 1000);
  const events = recordEvents(s.server.engine);
  assert.equal(await raw.call("PERSIST", "a"), ":1\r\n");
  assert.deepEqual(events, ["0:g:persist:a"]);
  assert.equal(await raw.call("TTL", "a"), ":-1\r\n");
  s.clock.advance(2000);
  assert.equal(await raw.call("EXISTS", "a"), ":1\r\n");
  db(s).setExpire("a", s.clock.now());
  assert.equal(await raw.call("PERSIST", "a"), ":0\r\n");
  assert.equal(await raw.call("PERSIST"), wrongArity("persist"));
});

Deno.test("RANDOMKEY returns a live key, or nil when there is none", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("empty database", async () => {
    assert.equal(await raw.call("RANDOMKEY"), "$-1\r\n");
  });
  await t.step("every key shows up eventually", async () => {
    seed(s, { a: "1", b: "2", c: "3", "\x00": "4" });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = await raw.call("RANDOMKEY");
      seen.add(r.slice(r.indexOf("\r\n") + 2, -2));
    }
    assert.deepEqual([...seen].sort(), ["\x00", "a", "b", "c"]);
  });
  await t.step("expired keys are never returned", async () => {
    for (const k of ["a", "b", "c"]) db(s).setExpire(k, s.clock.now());
    for (let i = 0; i < 20; i++) assert.equal(await raw.call("RANDOMKEY"), "$1\r\n\x00\r\n");
    db(s).setExpire("\x00", s.clock.now());
    assert.equal(await raw.call("RANDOMKEY"), "$-1\r\n");
  });
  await t.step("wrong arity", async () => {
    assert.equal(await raw.call("RANDOMKEY", "x"), wrongArity("randomkey"));
  });
});

Deno.test("RANDOMKEY is repeatable with a seed", async () => {
  const picks: string[][] = [];
  for (let run = 0; run < 2; run++) {
    await using s = await testServer({ seed: 7 });
    const raw = await s.raw();
    for (let i = 0; i < 50; i++) db(s).set(`k${i}`, "v");
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push(await raw.call("RANDOMKEY"));
    picks.push(out);
  }
  assert.deepEqual(picks[0], picks[1]);
});

Deno.test("COPY copies the value and TTL", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1", c: "3" });
  db(s).setExpire("a", s.clock.now() + 50_000);
  await t.step("to a new key", async () => {
    const events = recordEvents(s.server.engine);
    assert.equal(await raw.call("COPY", "a", "b"), ":1\r\n");
    assert.deepEqual(events, ["0:g:copy_to:b"]);
    assert.equal(db(s).get("b"), "1");
    assert.equal(db(s).getExpire("b"), s.clock.now() + 50_000);
    assert.equal(db(s).get("a"), "1");
  });
  await t.step("an existing destination needs REPLACE", async () => {
    assert.equal(await raw.call("COPY", "c", "b"), ":0\r\n");
    assert.equal(await raw.call("COPY", "c", "b", "replace"), ":1\r\n");
    assert.equal(db(s).get("b"), "3");
    assert.equal(db(s).getExpire("b"), undefined);
  });
  await t.step("missing source", async () => {
    assert.equal(await raw.call("COPY", "missing", "b", "REPLACE"), ":0\r\n");
  });
  await t.step("to another database", async () => {
    assert.equal(await raw.call("COPY", "a", "a", "DB", "3"), ":1\r\n");
    assert.equal(db(s, 3).get("a"), "1");
    assert.equal(await raw.call("COPY", "a", "a", "DB", "3"), ":0\r\n");
    assert.equal(await raw.call("COPY", "c", "a", "REPLACE", "DB", "3"), ":1\r\n");
    assert.equal(db(s, 3).get("a"), "3");
  });
  await t.step("containers are deep copies", async () => {
    const list = new FakeList(["x"]);
    seed(s, { l: list });
    assert.equal(await raw.call("COPY", "l", "l2"), ":1\r\n");
    const copy = db(s).get("l2") as FakeList;
    assert.notEqual(copy, list);
    copy.items.push("y");
    assert.deepEqual(list.items, ["x"]);
  });
  await t.step("same key in the same database", async () => {
    const same = "-ERR source and destination objects are the same\r\n";
    assert.equal(await raw.call("COPY", "a", "a"), same);
    assert.equal(await raw.call("COPY", "missing", "missing"), same);
    assert.equal(await raw.call("COPY", "a", "a", "DB", "0", "REPLACE"), same);
  });
  await t.step("bad options and indexes", async () => {
    assert.equal(await raw.call("COPY", "a", "b", "DB"), "-ERR syntax error\r\n");
    assert.equal(await raw.call("COPY", "a", "b", "FOO"), "-ERR syntax error\r\n");
    assert.equal(
      await raw.call("COPY", "a", "b", "DB", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assert.equal(
      await raw.call("COPY", "a", "b", "DB", "4294967296"),
      "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
    );
    for (const i of ["16", "-1"]) {
      assert.equal(await raw.call("COPY", "a", "b", "DB", i), "-ERR DB index is out of range\r\n");
    }
    assert.equal(
      await raw.call("COPY", "a", "b", "DB", "16", "FOO"),
      "-ERR DB index is out of range\r\n",
    );
    assert.equal(await raw.call("COPY", "a"), wrongArity("copy"));
  });
});

Deno.test("MOVE moves a key with its TTL to another database", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1", b: "0" });
  seed(s, { b: "1" }, 1);
  db(s).setExpire("a", s.clock.now() + 9000);
  await t.step("to a database without the key", async () => {
    const events = recordEvents(s.server.engine);
    assert.equal(await raw.call("MOVE", "a", "1"), ":1\r\n");
    assert.deepEqual(events, ["0:g:move_from:a", "1:g:move_to:a"]);
    assert.equal(db(s).has("a"), false);
    assert.equal(db(s, 1).get("a"), "1");
    assert.equal(db(s, 1).getExpire("a"), s.clock.now() + 9000);
  });
  await t.step("not over an existing key, nor a missing one", async () => {
    assert.equal(await raw.call("MOVE", "b", "1"), ":0\r\n");
    assert.equal(db(s).get("b"), "0");
    assert.equal(await raw.call("MOVE", "missing", "1"), ":0\r\n");
  });
  await t.step("errors", async () => {
    assert.equal(
      await raw.call("MOVE", "b", "0"),
      "-ERR source and destination objects are the same\r\n",
    );
    assert.equal(await raw.call("MOVE", "b", "16"), "-ERR DB index is out of range\r\n");
    assert.equal(await raw.call("MOVE", "b", "-1"), "-ERR DB index is out of range\r\n");
    assert.equal(
      await raw.call("MOVE", "b", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assert.equal(
      await raw.call("MOVE", "b", "2147483648"),
      "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
    );
    assert.equal(await raw.call("MOVE", "b"), wrongArity("move"));
  });
});

Deno.test("OBJECT ENCODING follows Redis's string encodings", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const cases: [string, string][] = [
    ["0", "int"],
    ["-9223372036854775808", "int"],
    ["9223372036854775807", "int"],
    ["9223372036854775808", "embstr"],
    ["-0", "embstr"],
    ["007", "embstr"],
    ["1.5", "embstr"],
    ["x".repeat(44), "embstr"],
    ["x".repeat(45), "raw"],
    ["", "embstr"],
  ];
  for (const [value, encoding] of cases) {
    await t.step(`${JSON.stringify(value.slice(0, 22))} is ${encoding}`, async () => {
      seed(s, { k: value });
      assert.equal(
        await raw.call("OBJECT", "ENCODING", "k"),
        `$${encoding.length}\r\n${encoding}\r\n`,
      );
    });
  }
  await t.step("containers report their own encoding", async () => {
    seed(s, { l: new FakeList([]) });
    assert.equal(await raw.call("object", "encoding", "l"), "$9\r\nquicklist\r\n");
  });
  await t.step("missing key is nil", async () => {
    assert.equal(await raw.call("OBJECT", "ENCODING", "missing"), "$-1\r\n");
  });
});

Deno.test("OBJECT REFCOUNT reports shared integers as Redis does", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { z: "0", top: "9999", big: "10000", neg: "-1", str: "abc", l: new FakeList([]) });
  assert.equal(await raw.call("OBJECT", "REFCOUNT", "z"), ":2147483647\r\n");
  assert.equal(await raw.call("OBJECT", "REFCOUNT", "top"), ":2147483647\r\n");
  for (const k of ["big", "neg", "str", "l"]) {
    assert.equal(await raw.call("OBJECT", "REFCOUNT", k), ":1\r\n");
  }
  assert.equal(await raw.call("OBJECT", "REFCOUNT", "missing"), "$-1\r\n");
});

Deno.test("OBJECT IDLETIME counts seconds since the last access without touching", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1" });
  s.clock.advance(61_000);
  assert.equal(await raw.call("OBJECT", "IDLETIME", "a"), ":61\r\n");
  assert.equal(await raw.call("OBJECT", "IDLETIME", "a"), ":61\r\n");
  assert.equal(await raw.call("OBJECT", "IDLETIME", "missing"), "$-1\r\n");
});

Deno.test("OBJECT FREQ needs an LFU policy", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1" });
  assert.equal(
    await raw.call("OBJECT", "FREQ", "a"),
    "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
  );
  assert.equal(await raw.call("OBJECT", "FREQ", "missing"), "$-1\r\n");
});

Deno.test("OBJECT HELP and subcommand errors", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("help text", async () => {
    const lines = [
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
    ];
    assert.equal(
      await raw.call("OBJECT", "help"),
      `*15\r\n${lines.map((l) => `+${l}\r\n`).join("")}`,
    );
  });
  await t.step("errors", async () => {
    assert.equal(await raw.call("OBJECT"), wrongArity("object"));
    assert.equal(
      await raw.call("OBJECT", "foo", "k"),
      "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
    );
    assert.equal(await raw.call("OBJECT", "ENCODING"), wrongArity("object|encoding"));
    assert.equal(await raw.call("OBJECT", "IDLETIME", "a", "b"), wrongArity("object|idletime"));
    assert.equal(await raw.call("OBJECT", "HELP", "x"), wrongArity("object|help"));
  });
});

Deno.test("read lookups count keyspace hits and misses as Redis does", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  seed(s, { a: "1" });
  const stats = s.server.engine.stats;
  const count = async (...argv: string[]): Promise<[number, number]> => {
    const h = stats.keyspaceHits;
    const m = stats.keyspaceMisses;
    await raw.call(...argv);
    return [stats.keyspaceHits - h, stats.keyspaceMisses - m];
  };
  assert.deepEqual(await count("EXISTS", "a", "zz"), [1, 1]);
  assert.deepEqual(await count("TYPE", "zz"), [0, 1]);
  assert.deepEqual(await count("TTL", "a"), [1, 0]);
  assert.deepEqual(await count("TOUCH", "a", "zz"), [1, 1]);
  assert.deepEqual(await count("OBJECT", "ENCODING", "a"), [1, 0]);
  assert.deepEqual(await count("COPY", "zz", "b"), [0, 1]);
  assert.deepEqual(await count("SCAN", "0", "TYPE", "string"), [1, 0]);
  assert.deepEqual(await count("DEL", "zz"), [0, 0]);
  assert.deepEqual(await count("RENAME", "a", "b"), [0, 0]);
  assert.deepEqual(await count("EXPIRE", "b", "10"), [0, 0]);
  assert.deepEqual(await count("KEYS", "*"), [0, 0]);
});

Deno.test("generic replies in RESP3", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("HELLO", "3");
  seed(s, { a: "1" });
  assert.equal(await raw.call("OBJECT", "ENCODING", "missing"), "_\r\n");
  assert.equal(await raw.call("RANDOMKEY"), "$1\r\na\r\n");
  assert.equal(await raw.call("SCAN", "0"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  assert.equal(await raw.call("TYPE", "a"), "+string\r\n");
});

const AB: readonly (readonly string[])[] = [["SET", "a", "1"], ["SET", "b", "2"]];
const A_TTL: readonly (readonly string[])[] = [["SET", "a", "1", "EX", "100"]];

/** Each generic write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { setup: [...AB, ["SET", "c", "3"]], run: ["DEL", "a", "b", "c"], changes: 3 },
  { setup: [["SET", "a", "1"]], run: ["DEL", "a", "b", "c"], changes: 1 },
  { run: ["DEL", "a"], changes: 0 },
  { setup: AB, run: ["UNLINK", "a", "b", "zz"], changes: 2 },
  { setup: [["SET", "a", "1"]], run: ["RENAME", "a", "b"], changes: 1 },
  { setup: AB, run: ["RENAME", "a", "b"], changes: 1 },
  { setup: [...A_TTL, ["SET", "b", "2", "EX", "100"]], run: ["RENAME", "a", "b"], changes: 1 },
  { setup: [["RPUSH", "l", "x", "y"], ["SET", "m", "1"]], run: ["RENAME", "l", "m"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["RENAME", "a", "a"], changes: 0 },
  { run: ["RENAME", "a", "b"], changes: 0 },
  { setup: [["SET", "a", "1"]], run: ["RENAMENX", "a", "b"], changes: 1 },
  { setup: AB, run: ["RENAMENX", "a", "b"], changes: 0 },
  { setup: [["SET", "a", "1"]], run: ["RENAMENX", "a", "a"], changes: 0 },
  { setup: [["SET", "a", "1"]], run: ["EXPIRE", "a", "100"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["EXPIRE", "a", "100", "NX"], changes: 1 },
  { setup: A_TTL, run: ["EXPIRE", "a", "1000", "NX"], changes: 0 },
  { setup: A_TTL, run: ["EXPIRE", "a", "1000", "GT"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["EXPIRE", "a", "-1"], changes: 1 },
  { run: ["EXPIRE", "a", "100"], changes: 0 },
  { setup: [["SET", "a", "1"]], run: ["PEXPIRE", "a", "100000"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["EXPIREAT", "a", "99999999999"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["EXPIREAT", "a", "1"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["PEXPIREAT", "a", "99999999999999"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["PEXPIREAT", "a", "1"], changes: 1 },
  { setup: A_TTL, run: ["PERSIST", "a"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["PERSIST", "a"], changes: 0 },
  { setup: [["SET", "a", "1"]], run: ["COPY", "a", "b"], changes: 1 },
  { setup: A_TTL, run: ["COPY", "a", "b"], changes: 1 },
  { setup: AB, run: ["COPY", "a", "b"], changes: 0 },
  { setup: AB, run: ["COPY", "a", "b", "REPLACE"], changes: 1 },
  { setup: [...A_TTL, ["SET", "b", "2"]], run: ["COPY", "a", "b", "REPLACE"], changes: 1 },
  { setup: [["RPUSH", "l", "x", "y"]], run: ["COPY", "l", "m"], changes: 1 },
  { setup: [["SET", "a", "1"]], run: ["COPY", "a", "b", "DB", "1"], changes: 1 },
  {
    setup: [["SET", "a", "1"], ["SELECT", "1"], ["SET", "b", "2"], ["SELECT", "0"]],
    run: ["COPY", "a", "b", "DB", "1", "REPLACE"],
    changes: 1,
  },
  { run: ["COPY", "a", "b"], changes: 0 },
  { setup: [["SET", "a", "1"]], run: ["MOVE", "a", "1"], changes: 1 },
  { setup: A_TTL, run: ["MOVE", "a", "1"], changes: 1 },
  {
    setup: [["SET", "a", "1"], ["SELECT", "1"], ["SET", "a", "2"], ["SELECT", "0"]],
    run: ["MOVE", "a", "1"],
    changes: 0,
  },
  { run: ["MOVE", "a", "1"], changes: 0 },
];

dirtyCountTests("generic", { handlers: GENERIC_HANDLERS, cases: DIRTY_CASES });
