import assert from "node:assert/strict";
import { type TestServer, testServer } from "./support/server.ts";
import type { RawClient } from "./support/raw_client.ts";
import { formatNotifyFlags, notifyClassBit, parseNotifyFlags } from "../src/notify.ts";

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

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
