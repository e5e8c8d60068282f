/**
 * maxmemory and eviction: a server filled past its limit under each
 * maxmemory-policy, checking which keys went (LRU evicts the cold ones,
 * LFU the rarely read ones, volatile-* never keys without a TTL,
 * noeviction refuses writes but serves reads and DEL), and what an
 * eviction tells the rest of the server (evicted_keys, the `evicted`
 * keyspace event, client tracking, the effect stream).
 */

import assert from "node:assert/strict";
import { type RawClient, type TestServer, testServer } from "./support/server.ts";

const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
const VALUE = "v".repeat(200);
const LFU_NOT_SELECTED =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LFU_SELECTED =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/** A numeric INFO field. */
async function infoField(c: RawClient, field: string): Promise<number> {
  const text = await c.call("INFO", "everything");
  const m = text.match(new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`));
  assert.ok(m !== null, `INFO has ${field}`);
  return Number(m[1]);
}

/** What eviction compares with maxmemory: used_memory without the clients' buffers. */
async function counted(c: RawClient): Promise<number> {
  return await infoField(c, "used_memory") - await infoField(c, "mem_not_counted_for_evict");
}

async function exists(c: RawClient, key: string): Promise<boolean> {
  return await c.call("EXISTS", key) === ":1\r\n";
}

/** Sets maxmemory to what is used now plus `margin` bytes. */
async function limitTo(c: RawClient, margin: number): Promise<number> {
  const limit = await counted(c) + margin;
  assert.equal(await c.call("CONFIG", "SET", "maxmemory", String(limit)), "+OK\r\n");
  return limit;
}

async function server(policy: string, extra: Record<string, string> = {}): Promise<TestServer> {
  return await testServer({
    seed: 7,
    // No time budget: each eviction run goes on until memory is under the
    // limit, so what is evicted does not depend on the machine's speed.
    config: {
      "maxmemory-policy": policy,
      "maxmemory-samples": "10",
      "maxmemory-eviction-tenacity": "100",
      ...extra,
    },
  });
}

/** Writes `new:0` ... past the limit; returns how many keys were evicted. */
async function overfill(c: RawClient, n: number): Promise<number> {
  for (let i = 0; i < n; i++) assert.equal(await c.call("SET", `new:${i}`, VALUE), "+OK\r\n");
  return await infoField(c, "evicted_keys");
}

Deno.test("allkeys-lru evicts the keys idle the longest, not the ones just read", async () => {
  await using t = await server("allkeys-lru");
  const c = await t.raw();
  for (let i = 0; i < 80; i++) await c.call("SET", `cold:${i}`, VALUE);
  for (let i = 0; i < 20; i++) await c.call("SET", `hot:${i}`, VALUE);
  t.clock.advance(100_000);
  for (let i = 0; i < 20; i++) await c.call("GET", `hot:${i}`);
  t.clock.advance(1000);
  const limit = await limitTo(c, 3000);
  const evicted = await overfill(c, 60);
  assert.ok(evicted >= 30, `evicted ${evicted}`);
  for (let i = 0; i < 20; i++) assert.ok(await exists(c, `hot:${i}`), `hot:${i} kept`);
  for (let i = 0; i < 60; i++) assert.ok(await exists(c, `new:${i}`), `new:${i} kept`);
  let cold = 0;
  for (let i = 0; i < 80; i++) if (await exists(c, `cold:${i}`)) cold++;
  assert.equal(cold, 80 - evicted);
  assert.ok(await counted(c) <= limit);
  assert.equal(await c.call("OBJECT", "FREQ", "hot:0"), `-${LFU_NOT_SELECTED}\r\n`);
});

Deno.test("allkeys-lfu evicts the keys read least often", async () => {
  await using t = await server("allkeys-lfu", { "lfu-log-factor": "0" });
  const c = await t.raw();
  for (let i = 0; i < 80; i++) await c.call("SET", `cold:${i}`, VALUE);
  for (let i = 0; i < 20; i++) {
    await c.call("SET", `hot:${i}`, VALUE);
    for (let j = 0; j < 10; j++) await c.call("GET", `hot:${i}`);
  }
  // lfu-log-factor 0: every access counts, from the initial 5.
  assert.equal(await c.call("OBJECT", "FREQ", "hot:3"), ":15\r\n");
  assert.equal(await c.call("OBJECT", "FREQ", "cold:3"), ":5\r\n");
  assert.equal(await c.call("OBJECT", "IDLETIME", "cold:3"), `-${LFU_SELECTED}\r\n`);
  // A counter decays by one per lfu-decay-time minutes.
  t.clock.advance(2 * 60_000);
  assert.equal(await c.call("OBJECT", "FREQ", "hot:3"), ":13\r\n");
  await limitTo(c, 3000);
  const evicted = await overfill(c, 60);
  assert.ok(evicted >= 30, `evicted ${evicted}`);
  for (let i = 0; i < 20; i++) assert.ok(await exists(c, `hot:${i}`), `hot:${i} kept`);
});

Deno.test("allkeys-random evicts until memory is under the limit", async () => {
  await using t = await server("allkeys-random");
  const c = await t.raw();
  for (let i = 0; i < 100; i++) await c.call("SET", `cold:${i}`, VALUE);
  const limit = await limitTo(c, 3000);
  const evicted = await overfill(c, 60);
  assert.ok(evicted >= 30, `evicted ${evicted}`);
  assert.equal(await c.call("DBSIZE"), `:${160 - evicted}\r\n`);
  assert.ok(await counted(c) <= limit);
});

for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]) {
  Deno.test(`${policy} evicts only keys with a TTL, then refuses writes`, async () => {
    await using t = await server(policy);
    const c = await t.raw();
    // Even keys expire (the lower the number, the sooner), odd ones do not.
    for (let i = 0; i < 80; i++) {
      if (i % 2 === 0) await c.call("SET", `cold:${i}`, VALUE, "EX", String(10_000 + i));
      else await c.call("SET", `cold:${i}`, VALUE);
    }
    t.clock.advance(10_000);
    const limit = await limitTo(c, 3000);
    const evicted = await overfill(c, 30);
    assert.ok(evicted >= 10, `evicted ${evicted}`);
    const gone: number[] = [];
    const kept: number[] = [];
    for (let i = 0; i < 80; i++) {
      if (await exists(c, `cold:${i}`)) {
        if (i % 2 === 0) kept.push(i);
      } else {
        assert.equal(i % 2, 0, `cold:${i} has no TTL and was evicted`);
        gone.push(i);
      }
    }
    assert.equal(gone.length, evicted);
    for (let i = 0; i < 30; i++) assert.ok(await exists(c, `new:${i}`));
    assert.ok(await counted(c) <= limit);
    if (policy === "volatile-ttl") {
      // The sooner a key expires, the likelier it went.
      const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      assert.ok(mean(gone) < mean(kept), `${gone} vs ${kept}`);
    }
    // With no key left to evict, writes are refused; reads and DEL are not.
    assert.equal(await c.call("CONFIG", "SET", "maxmemory", "1"), "+OK\r\n");
    assert.equal(await c.call("SET", "more", "x"), OOM);
    assert.equal(await c.call("GET", "cold:1"), `$${VALUE.length}\r\n${VALUE}\r\n`);
    assert.equal(await c.call("DEL", "cold:3"), ":1\r\n");
    for (let i = 5; i < 80; i += 2) assert.ok(await exists(c, `cold:${i}`), `cold:${i} kept`);
  });
}

Deno.test("noeviction refuses denyoom commands but serves reads and DEL", async () => {
  await using t = await server("noeviction");
  const c = await t.raw();
  for (let i = 0; i < 20; i++) await c.call("SET", `cold:${i}`, VALUE);
  await limitTo(c, 1500);
  let refused = -1;
  for (let i = 0; i < 50 && refused < 0; i++) {
    const r = await c.call("SET", `new:${i}`, VALUE);
    if (r === OOM) refused = i;
    else assert.equal(r, "+OK\r\n");
  }
  assert.ok(refused > 0, "a write was refused");
  assert.equal(await c.call("SET", "x", "y"), OOM);
  assert.equal(await c.call("RPUSH", "l", "y"), OOM);
  assert.equal(await c.call("GET", "cold:0"), `$${VALUE.length}\r\n${VALUE}\r\n`);
  assert.equal(await c.call("EXISTS", "cold:1"), ":1\r\n");
  assert.equal(await infoField(c, "evicted_keys"), 0);
  // Inside MULTI every command but EXEC / DISCARD is refused, and dooms it.
  assert.equal(await c.call("MULTI"), "+OK\r\n");
  assert.equal(await c.call("GET", "cold:0"), OOM);
  assert.equal(
    await c.call("EXEC"),
    "-EXECABORT Transaction discarded because of previous errors.\r\n",
  );
  // DEL frees memory: writes are accepted again.
  assert.equal(await c.call("DEL", "cold:0", "cold:1", "cold:2", "cold:3"), ":4\r\n");
  assert.equal(await c.call("SET", "x", "y"), "+OK\r\n");
  const stats = await c.call("INFO", "errorstats");
  assert.match(stats, /errorstat_OOM:count=\d+/);
});

Deno.test("EXEC is refused when its queue holds a denyoom command and memory ran out", async () => {
  await using t = await server("noeviction");
  const c = await t.raw();
  const admin = await t.raw();
  assert.equal(await c.call("MULTI"), "+OK\r\n");
  assert.equal(await c.call("SET", "k", "v"), "+QUEUED\r\n");
  await admin.call("SET", "filler", VALUE);
  assert.equal(await admin.call("CONFIG", "SET", "maxmemory", "1"), "+OK\r\n");
  assert.equal(
    await c.call("EXEC"),
    "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n",
  );
  // MULTI and DISCARD are never refused; reads outside MULTI are served.
  assert.equal(await c.call("MULTI"), "+OK\r\n");
  assert.equal(await c.call("DISCARD"), "+OK\r\n");
  assert.equal(await c.call("GET", "filler"), `$${VALUE.length}\r\n${VALUE}\r\n`);
});

Deno.test("an eviction is an `evicted` event, a tracking invalidation and no change", async () => {
  await using t = await server("allkeys-random", { "notify-keyspace-events": "Ee" });
  const c = await t.raw();
  const sub = await t.raw();
  const tracker = await t.raw();
  await c.call("SET", "only", VALUE);
  assert.match(await tracker.call("HELLO", "3"), /^%/);
  assert.equal(await tracker.call("CLIENT", "TRACKING", "ON"), "+OK\r\n");
  await tracker.call("GET", "only");
  await sub.call("SUBSCRIBE", "__keyevent@0__:evicted");
  const dirty = await infoField(c, "rdb_changes_since_last_save");
  assert.equal(await c.call("CONFIG", "SET", "maxmemory", "1"), "+OK\r\n");
  assert.equal(await c.call("GET", "only"), "$-1\r\n");
  assert.equal(
    await sub.reply(),
    "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$4\r\nonly\r\n",
  );
  assert.equal(await tracker.reply(), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nonly\r\n");
  assert.equal(await infoField(c, "evicted_keys"), 1);
  assert.equal(await infoField(c, "rdb_changes_since_last_save"), dirty);
  // Nothing left to evict: writes are refused.
  assert.equal(await c.call("SET", "k", "v"), OOM);
});

Deno.test("evictions leave through the effect stream as DEL, or UNLINK when lazy", async () => {
  for (const [lazy, name] of [["no", "DEL"], ["yes", "UNLINK"]]) {
    await using t = await server("allkeys-lru", { "lazyfree-lazy-eviction": lazy! });
    const effects: string[][] = [];
    t.server.engine.propagation.subscribe({ write: (argv) => effects.push([...argv]) });
    const c = await t.raw();
    await c.call("SET", "old", "1");
    t.clock.advance(5000);
    await c.call("SELECT", "2");
    await c.call("SET", "new", "2");
    await c.call("CONFIG", "SET", "maxmemory", "1");
    assert.equal(await c.call("PING"), "+PONG\r\n");
    assert.deepEqual(effects, [
      ["SELECT", "0"],
      ["SET", "old", "1"],
      ["SELECT", "2"],
      ["SET", "new", "2"],
      ["SELECT", "0"],
      [name!, "old"],
      ["SELECT", "2"],
      [name!, "new"],
    ]);
  }
});

Deno.test("CONFIG SET maxmemory below the memory in use evicts at the next cron tick", async () => {
  await using t = await server("allkeys-random");
  const c = await t.raw();
  for (let i = 0; i < 10; i++) await c.call("SET", `k${i}`, VALUE);
  assert.equal(await c.call("CONFIG", "SET", "maxmemory", "1"), "+OK\r\n");
  t.clock.advance(1000);
  assert.equal(t.server.engine.db(0).size, 0);
  assert.equal(await c.call("CONFIG", "SET", "maxmemory", "0"), "+OK\r\n");
  assert.equal(await c.call("SET", "k", "v"), "+OK\r\n");
});

/** The IDs of stream `s`, in order. */
async function ids(c: RawClient): Promise<string[]> {
  const text = await c.call("XRANGE", "s", "-", "+");
  return [...text.matchAll(/\r\n\$\d+\r\n(\d+-\d+)\r\n\*2\r\n/g)].map((m) => m[1]!);
}

Deno.test("streams count toward maxmemory as they grow, and their groups with them", async () => {
  await using s = await server("noeviction");
  const c = await s.raw();
  await limitTo(c, 50_000_000);
  const before = await counted(c);
  for (let i = 0; i < 300; i++) {
    assert.match(await c.call("XADD", "s", "*", "field", VALUE), /^\$/);
  }
  const filled = await counted(c);
  // 300 entries of a 200-byte value: at least their bytes.
  assert.ok(filled - before >= 300 * 200, `${filled - before} bytes for 300 entries`);
  // Group changes signal nothing (no WATCH, no tracking) but are counted at once.
  assert.equal(await c.call("XGROUP", "CREATE", "s", "g", "0"), "+OK\r\n");
  const grouped = await counted(c);
  assert.ok(grouped > filled, "the group is counted");
  await c.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
  const pending = await counted(c);
  assert.ok(pending > grouped, "the consumer and its pending entries are counted");
  assert.match(await c.call("XACK", "s", "g", "0-0", ...(await ids(c))), /^:300\r\n$/);
  assert.ok(await counted(c) < pending, "acknowledged entries leave the estimate");
  assert.equal(await c.call("DEL", "s"), ":1\r\n");
  assert.equal(await counted(c), before);
});
