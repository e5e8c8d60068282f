import assert from "node:assert/strict";
import { type TestServer, testServer } from "./support/server.ts";
import type { RawClient } from "./support/raw_client.ts";
import { formatNotifyFlags, notifyClassBit, parseNotifyFlags } from "../src/notify.ts";
import { bulk } from "./support/resp.ts";

/** The two pmessage frames of one event, for a `__key*__:*` subscriber. */
function events(db: number, event: string, key: string): string[] {
  const frame = (channel: string, message: string) =>
    `*4\r\n${bulk("pmessage")}${bulk("__key*__:*")}${bulk(channel)}${bulk(message)}`;
  return [
    frame(`__keyspace@${db}__:${key}`, event),
    frame(`__keyevent@${db}__:${event}`, key),
  ];
}

/** A subscriber to every keyspace and keyevent channel, with `flags` set. */
async function watcher(t: TestServer, flags: string): Promise<RawClient> {
  const admin = await t.raw();
  assert.equal(await admin.call("CONFIG", "SET", "notify-keyspace-events", flags), "+OK\r\n");
  const sub = await t.raw();
  await sub.call("PSUBSCRIBE", "__key*__:*");
  return sub;
}

/** Reads the frames of `n` events. */
async function take(sub: RawClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 2 * n; i++) out.push(await sub.reply());
  return out;
}

Deno.test("notify-keyspace-events flags parse and format as Redis", async (t) => {
  await t.step("format puts A or the classes first, then K, E, m", () => {
    assert.equal(formatNotifyFlags(parseNotifyFlags("KEA")!), "AKE");
    assert.equal(formatNotifyFlags(parseNotifyFlags("mK")!), "Km");
    assert.equal(formatNotifyFlags(parseNotifyFlags("lg$")!), "g$l");
    assert.equal(formatNotifyFlags(parseNotifyFlags("dtexzhsl$g")!), "A");
    assert.equal(formatNotifyFlags(parseNotifyFlags("")!), "");
  });
  await t.step("n is shown after the classes, but not next to A", () => {
    assert.equal(formatNotifyFlags(parseNotifyFlags("KEnm")!), "nKEm");
    assert.equal(formatNotifyFlags(parseNotifyFlags("AKEmn")!), "AKEm");
    assert.equal(formatNotifyFlags(parseNotifyFlags("AKEmn")!, true), "AnKEm");
  });
  await t.step("unknown letters are refused", () => {
    assert.equal(parseNotifyFlags("a"), null);
    assert.equal(parseNotifyFlags("KQ"), null);
    assert.equal(notifyClassBit("K"), 0);
  });
});

Deno.test("CONFIG SET notify-keyspace-events validates and CONFIG GET normalises", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("CONFIG", "SET", "notify-keyspace-events", "EKgx"), "+OK\r\n");
  assert.equal(
    await raw.call("CONFIG", "GET", "notify-keyspace-events"),
    `*2\r\n${bulk("notify-keyspace-events")}${bulk("gxKE")}`,
  );
  assert.equal(
    await raw.call("CONFIG", "SET", "notify-keyspace-events", "KEz?"),
    "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n",
  );
  // With A, n stays in effect though CONFIG GET does not show it.
  assert.equal(await raw.call("CONFIG", "SET", "notify-keyspace-events", "AKEn"), "+OK\r\n");
  assert.equal(
    await raw.call("CONFIG", "GET", "notify-keyspace-events"),
    `*2\r\n${bulk("notify-keyspace-events")}${bulk("AKE")}`,
  );
  const sub = await s.raw();
  await sub.call("SUBSCRIBE", "__keyevent@0__:new");
  await raw.call("SET", "fresh", "v");
  assert.equal(
    await sub.reply(),
    `*3\r\n${bulk("message")}${bulk("__keyevent@0__:new")}${bulk("fresh")}`,
  );
});

Deno.test("notify-keyspace-events is read from the start-up configuration", async () => {
  await using s = await testServer({ config: { "notify-keyspace-events": "Eg" } });
  const raw = await s.raw();
  assert.equal(
    await raw.call("CONFIG", "GET", "notify-keyspace-events"),
    `*2\r\n${bulk("notify-keyspace-events")}${bulk("gE")}`,
  );
  const sub = await s.raw();
  await sub.call("PSUBSCRIBE", "*");
  await raw.call("SET", "k", "v");
  await raw.call("DEL", "k");
  assert.equal(
    await sub.reply(),
    `*4\r\n${bulk("pmessage")}${bulk("*")}${bulk("__keyevent@0__:del")}${bulk("k")}`,
  );
});

Deno.test("string and generic writes publish their events on both channels", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("SET", "a", "1");
  assert.deepEqual(await take(sub, 1), events(0, "set", "a"));
  await raw.call("SET", "a", "2", "EX", "100");
  assert.deepEqual(await take(sub, 2), [...events(0, "set", "a"), ...events(0, "expire", "a")]);
  await raw.call("INCR", "a");
  assert.deepEqual(await take(sub, 1), events(0, "incrby", "a"));
  await raw.call("RENAME", "a", "b");
  assert.deepEqual(await take(sub, 2), [
    ...events(0, "rename_from", "a"),
    ...events(0, "rename_to", "b"),
  ]);
  await raw.call("MSET", "x", "1", "y", "2");
  assert.deepEqual(await take(sub, 2), [...events(0, "set", "x"), ...events(0, "set", "y")]);
  await raw.call("DEL", "x", "nosuch", "y");
  assert.deepEqual(await take(sub, 2), [...events(0, "del", "x"), ...events(0, "del", "y")]);
  await raw.call("SELECT", "5");
  await raw.call("APPEND", "z", "abc");
  assert.deepEqual(await take(sub, 1), events(5, "append", "z"));
  // A read publishes nothing without the m class.
  await raw.call("GET", "missing");
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("keymiss and new are published only when asked for", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEmn");
  const raw = await s.raw();
  await raw.call("GET", "missing");
  assert.deepEqual(await take(sub, 1), events(0, "keymiss", "missing"));
  await raw.call("SET", "k", "v");
  assert.deepEqual(await take(sub, 1), events(0, "new", "k"));
  await raw.call("SET", "k", "w");
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("expired is published by lazy expiry and by the active expiry cycle", async (t) => {
  await using s = await testServer();
  const sub = await watcher(s, "KEx");
  const raw = await s.raw();
  await t.step("a lookup of an expired key", async () => {
    await raw.call("SET", "lazy", "v", "PX", "100");
    s.clock.advance(101);
    assert.equal(await raw.call("GET", "lazy"), "$-1\r\n");
    assert.deepEqual(await take(sub, 1), events(0, "expired", "lazy"));
  });
  await t.step("the cron cycle", async () => {
    await raw.call("SET", "active", "v", "PX", "100");
    s.clock.advance(1000);
    assert.deepEqual(await take(sub, 1), events(0, "expired", "active"));
    assert.match(await raw.call("INFO", "stats"), /expired_keys:2\r\n/);
  });
});

Deno.test("classes filter events: with K and g only, EXPIRE publishes one frame", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "Kg");
  const raw = await s.raw();
  await raw.call("SET", "k", "v");
  await raw.call("EXPIRE", "k", "10");
  assert.equal(await sub.reply(), events(0, "expire", "k")[0]!);
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("SORT ... STORE publishes sortstore (l), or del (g) when it stores nothing", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("RPUSH", "src", "2", "1");
  assert.deepEqual(await take(sub, 1), events(0, "rpush", "src"));
  await raw.call("SORT", "src", "STORE", "dst");
  assert.deepEqual(await take(sub, 1), events(0, "sortstore", "dst"));
  await raw.call("SORT", "src", "LIMIT", "0", "0", "STORE", "dst");
  assert.deepEqual(await take(sub, 1), events(0, "del", "dst"));
  // Neither a STORE of nothing over nothing nor a SORT without STORE publishes.
  await raw.call("SORT", "src", "LIMIT", "0", "0", "STORE", "dst");
  await raw.call("SORT", "src");
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("HyperLogLog writes publish pfadd (PFMERGE too), reads and PFDEBUG nothing", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("PFADD", "h", "a");
  assert.deepEqual(await take(sub, 1), events(0, "pfadd", "h"));
  // Nothing changed, a count that stores its cache, a conversion: no event.
  await raw.call("PFADD", "h", "a");
  await raw.call("PFCOUNT", "h");
  await raw.call("PFDEBUG", "TODENSE", "h");
  await raw.call("PFMERGE", "d", "h");
  assert.deepEqual(await take(sub, 1), events(0, "pfadd", "d"));
  await raw.call("PFMERGE", "d");
  assert.deepEqual(await take(sub, 1), events(0, "pfadd", "d"));
  await raw.call("PFADD", "e");
  assert.deepEqual(await take(sub, 1), events(0, "pfadd", "e"));
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("sorted-set writes publish zadd, zincr, zrem, zrem* and zrangestore, del when emptied", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
  assert.deepEqual(await take(sub, 1), events(0, "zadd", "z"));
  await raw.call("ZADD", "z", "INCR", "1", "a");
  assert.deepEqual(await take(sub, 1), events(0, "zincr", "z"));
  await raw.call("ZINCRBY", "z", "1", "a");
  assert.deepEqual(await take(sub, 1), events(0, "zincr", "z"));
  // Nothing changed: no event.
  await raw.call("ZADD", "z", "2", "b");
  await raw.call("ZINCRBY", "z", "0", "a");
  await raw.call("ZREM", "z", "nope");
  await raw.call("ZREMRANGEBYSCORE", "z", "100", "200");
  await raw.call("ZRANGESTORE", "none", "missing", "0", "-1");
  await raw.call("ZREM", "z", "b");
  assert.deepEqual(await take(sub, 1), events(0, "zrem", "z"));
  await raw.call("ZREMRANGEBYRANK", "z", "0", "0");
  assert.deepEqual(await take(sub, 1), events(0, "zremrangebyrank", "z"));
  await raw.call("ZRANGESTORE", "dst", "z", "0", "-1");
  assert.deepEqual(await take(sub, 1), events(0, "zrangestore", "dst"));
  await raw.call("ZRANGESTORE", "dst", "z", "5", "6");
  assert.deepEqual(await take(sub, 1), events(0, "del", "dst"));
  await raw.call("ZREMRANGEBYLEX", "z", "-", "+");
  assert.deepEqual(await take(sub, 2), [
    ...events(0, "zremrangebylex", "z"),
    ...events(0, "del", "z"),
  ]);
  await raw.call("ZADD", "y", "1", "a");
  await raw.call("ZREMRANGEBYSCORE", "y", "-inf", "+inf");
  assert.deepEqual(await take(sub, 3), [
    ...events(0, "zadd", "y"),
    ...events(0, "zremrangebyscore", "y"),
    ...events(0, "del", "y"),
  ]);
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("bitmap writes publish setbit (SETBIT, BITFIELD), set or del (BITOP), only on change", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("SETBIT", "b", "3", "1");
  assert.deepEqual(await take(sub, 1), events(0, "setbit", "b"));
  await raw.call("BITFIELD", "b", "SET", "u8", "0", "7", "GET", "u8", "0");
  assert.deepEqual(await take(sub, 1), events(0, "setbit", "b"));
  await raw.call("BITOP", "NOT", "d", "b");
  assert.deepEqual(await take(sub, 1), events(0, "set", "d"));
  await raw.call("BITOP", "AND", "d", "missing");
  assert.deepEqual(await take(sub, 1), events(0, "del", "d"));
  // Nothing changed: no event (BITCOUNT's and the second BITOP's misses are `m`, not asked for).
  await raw.call("SETBIT", "b", "7", "1");
  await raw.call("BITFIELD", "b", ..."SET u8 0 7 OVERFLOW FAIL INCRBY u8 0 300".split(" "));
  await raw.call("BITFIELD", "b", "GET", "u8", "0");
  await raw.call("BITOP", "AND", "d", "missing");
  await raw.call("BITCOUNT", "b");
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("geo writes publish zadd (GEOADD), geosearchstore, georadiusstore or del", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("GEOADD", "g", "13.361389", "38.115556", "p", "15.087269", "37.502669", "c");
  assert.deepEqual(await take(sub, 1), events(0, "zadd", "g"));
  await raw.call("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "p", "BYRADIUS", "200", "km");
  assert.deepEqual(await take(sub, 1), events(0, "geosearchstore", "d"));
  await raw.call("GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "d");
  assert.deepEqual(await take(sub, 1), events(0, "georadiusstore", "d"));
  await raw.call("GEORADIUSBYMEMBER", "g", "p", "1", "m", "STORE", "e");
  assert.deepEqual(await take(sub, 1), events(0, "georadiusstore", "e"));
  await raw.call("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m");
  assert.deepEqual(await take(sub, 1), events(0, "del", "d"));
  // No change, reads, searches without a store and a store of nothing over nothing: no event.
  await raw.call("GEOADD", "g", "NX", "1", "1", "p");
  await raw.call("GEOPOS", "g", "p");
  await raw.call("GEOSEARCH", "g", "FROMMEMBER", "p", "BYRADIUS", "1", "km");
  await raw.call("GEORADIUS", "g", "15", "37", "200", "km");
  await raw.call("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m");
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("sorted-set STOREs publish zunionstore, zinterstore, zdiffstore or del; pops zpopmin, zpopmax", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const raw = await s.raw();
  await raw.call("ZADD", "a", "1", "x", "2", "y", "3", "z");
  assert.deepEqual(await take(sub, 1), events(0, "zadd", "a"));
  await raw.call("ZUNIONSTORE", "d", "1", "a");
  assert.deepEqual(await take(sub, 1), events(0, "zunionstore", "d"));
  await raw.call("ZINTERSTORE", "d", "2", "a", "a");
  assert.deepEqual(await take(sub, 1), events(0, "zinterstore", "d"));
  await raw.call("ZDIFFSTORE", "d", "1", "a");
  assert.deepEqual(await take(sub, 1), events(0, "zdiffstore", "d"));
  await raw.call("ZINTERSTORE", "d", "2", "a", "missing");
  assert.deepEqual(await take(sub, 1), events(0, "del", "d"));
  await raw.call("ZPOPMIN", "a");
  assert.deepEqual(await take(sub, 1), events(0, "zpopmin", "a"));
  await raw.call("ZMPOP", "1", "a", "MAX", "COUNT", "5");
  assert.deepEqual(await take(sub, 2), [...events(0, "zpopmax", "a"), ...events(0, "del", "a")]);
  await raw.call("ZADD", "a", "1", "x");
  assert.deepEqual(await take(sub, 1), events(0, "zadd", "a"));
  await raw.call("BZPOPMIN", "a", "0");
  assert.deepEqual(await take(sub, 2), [...events(0, "zpopmin", "a"), ...events(0, "del", "a")]);
  // Stores of nothing over nothing, reads, pops of nothing: no event.
  await raw.call("ZINTERSTORE", "d", "2", "a", "missing");
  await raw.call("ZUNION", "1", "a");
  await raw.call("ZINTERCARD", "1", "a");
  await raw.call("ZPOPMIN", "missing");
  await raw.call("ZPOPMAX", "b", "0");
  await raw.call("ZMPOP", "1", "missing", "MIN");
  assert.equal(await sub.call("PING"), `*2\r\n${bulk("pong")}${bulk("")}`);
});

Deno.test("a blocked BZMPOP served by a ZADD publishes its pop after the zadd", async () => {
  await using s = await testServer();
  const sub = await watcher(s, "KEA");
  const waiter = await s.raw();
  const raw = await s.raw();
  const pending = waiter.call("BZMPOP", "0", "1", "q", "MIN", "COUNT", "5");
  // The wait is registered once a later command on another connection runs.
  while ((await raw.call("INFO", "clients")).indexOf("blocked_clients:1") === -1) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await raw.call("ZADD", "q", "1", "a");
  assert.equal(await pending, `*2\r\n${bulk("q")}*1\r\n*2\r\n${bulk("a")}${bulk("1")}`);
  assert.deepEqual(await take(sub, 3), [
    ...events(0, "zadd", "q"),
    ...events(0, "zpopmin", "q"),
    ...events(0, "del", "q"),
  ]);
});
