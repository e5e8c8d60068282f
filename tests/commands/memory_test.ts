import assert from "node:assert/strict";
import { testServer } from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import { doctorReport } from "../../src/commands/memory.ts";
import { evictionTimeLimitUs } from "../../src/evict.ts";

const SYNTAX = "-ERR syntax error\r\n";
const NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";

function infoValue(text: string, field: string): string {
  const m = text.match(new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`));
  assert.ok(m !== null, `INFO has ${field}`);
  return m[1]!;
}

Deno.test("MEMORY USAGE estimates a key, nil when missing, and checks SAMPLES", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("SET", "foo", "bar");
  await c.call("SET", "n", "12345");
  await c.call("SET", "long", "x".repeat(100));
  // Key sds + dict entry + value, as Redis 7.0 with jemalloc.
  assert.equal(await c.call("MEMORY", "USAGE", "foo"), ":64\r\n");
  assert.equal(await c.call("MEMORY", "USAGE", "n"), ":48\r\n");
  assert.equal(await c.call("MEMORY", "USAGE", "long"), ":160\r\n");
  assert.equal(await c.call("MEMORY", "USAGE", "missing"), "$-1\r\n");
  assert.equal(await c.call("memory", "usage", "foo", "samples", "0"), ":64\r\n");
  assert.equal(await c.call("MEMORY", "USAGE", "foo", "SAMPLES", "-1"), SYNTAX);
  assert.equal(await c.call("MEMORY", "USAGE", "foo", "SAMPLES", "x"), NOT_INTEGER);
  assert.equal(await c.call("MEMORY", "USAGE", "foo", "SAMPLES"), SYNTAX);
  assert.equal(await c.call("MEMORY", "USAGE", "foo", "OTHER", "1"), SYNTAX);
  // Options are checked before the key is looked up.
  assert.equal(await c.call("MEMORY", "USAGE", "missing", "SAMPLES", "x"), NOT_INTEGER);
  assert.equal(
    await c.call("MEMORY", "USAGE"),
    "-ERR wrong number of arguments for 'memory|usage' command\r\n",
  );
  // Containers: a sample of 0 walks everything; the figure grows with the data.
  for (let i = 0; i < 300; i++) await c.call("SADD", "s", `member-${i}`);
  const sampled = Number((await c.call("MEMORY", "USAGE", "s")).slice(1, -2));
  const all = Number((await c.call("MEMORY", "USAGE", "s", "SAMPLES", "0")).slice(1, -2));
  assert.ok(sampled > 300 * 40 && Math.abs(sampled - all) / all < 0.05, `${sampled} ${all}`);
  assert.equal(await c.call("HELLO", "3").then((r) => r[0]), "%");
  assert.equal(await c.call("MEMORY", "USAGE", "missing"), "_\r\n");
});

Deno.test("MEMORY USAGE measures an expired key not yet reclaimed, as Redis", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("SET", "k", "v", "PX", "10");
  t.clock.advance(20);
  assert.equal(await c.call("MEMORY", "USAGE", "k"), ":64\r\n");
  assert.equal(await c.call("GET", "k"), "$-1\r\n");
  assert.equal(await c.call("MEMORY", "USAGE", "k"), "$-1\r\n");
});

Deno.test("MEMORY STATS replies Redis's fields, as a map in RESP3", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("SET", "a", "1");
  await c.call("SELECT", "3");
  await c.call("SET", "b", "2", "EX", "100");
  const r2 = await c.call("MEMORY", "STATS");
  const names = [...r2.matchAll(/\$\d+\r\n([a-z][a-z.\-0-9]*)\r\n/g)].map((m) => m[1]);
  assert.deepEqual(names, [
    "peak.allocated",
    "total.allocated",
    "startup.allocated",
    "replication.backlog",
    "clients.slaves",
    "clients.normal",
    "cluster.links",
    "aof.buffer",
    "lua.caches",
    "functions.caches",
    "db.0",
    "overhead.hashtable.main",
    "overhead.hashtable.expires",
    "db.3",
    "overhead.hashtable.main",
    "overhead.hashtable.expires",
    "overhead.total",
    "keys.count",
    "keys.bytes-per-key",
    "dataset.bytes",
    "dataset.percentage",
    "peak.percentage",
    "allocator.allocated",
    "allocator.active",
    "allocator.resident",
    "allocator-fragmentation.ratio",
    "allocator-fragmentation.bytes",
    "allocator.rss-ratio",
    "allocator.rss-bytes",
    "rss-overhead.ratio",
    "rss-overhead.bytes",
    "fragmentation",
    "fragmentation.bytes",
  ]);
  assert.ok(r2.startsWith("*58\r\n"));
  // db.0: one entry (24), 4 buckets (32), one object (16); no expires.
  assert.match(
    r2,
    /db\.0\r\n\*4\r\n\$23\r\noverhead\.hashtable\.main\r\n:72\r\n\$26\r\noverhead\.hashtable\.expires\r\n:0\r\n/,
  );
  assert.match(
    r2,
    /db\.3\r\n\*4\r\n\$23\r\noverhead\.hashtable\.main\r\n:72\r\n\$26\r\noverhead\.hashtable\.expires\r\n:56\r\n/,
  );
  assert.match(r2, /keys\.count\r\n:2\r\n/);
  await c.call("HELLO", "3");
  const r3 = await c.call("MEMORY", "STATS");
  assert.ok(r3.startsWith("%29\r\n"));
  assert.match(r3, /db\.0\r\n%2\r\n/);
  assert.match(r3, /dataset\.percentage\r\n,[0-9.e+-]+\r\n/);
});

Deno.test("MEMORY DOCTOR, MALLOC-STATS, PURGE and HELP", async () => {
  await using t = await testServer();
  const c = await t.raw();
  assert.match(await c.call("MEMORY", "DOCTOR"), /^\$\d+\r\n(Hi Sam|Sam, I detected)/);
  assert.equal(
    await c.call("MEMORY", "MALLOC-STATS"),
    "+Stats not supported for the current allocator\r\n",
  );
  assert.equal(await c.call("MEMORY", "PURGE"), "+OK\r\n");
  const help = await c.call("MEMORY", "HELP");
  assert.ok(
    help.startsWith("*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
  );
  assert.ok(help.endsWith("+HELP\r\n+    Prints this help.\r\n"));
  assert.equal(
    await c.call("MEMORY", "NOSUCH"),
    "-ERR unknown subcommand 'NOSUCH'. Try MEMORY HELP.\r\n",
  );
  assert.equal(
    await c.call("MEMORY", "STATS", "x"),
    "-ERR wrong number of arguments for 'memory|stats' command\r\n",
  );
  await c.call("HELLO", "3");
  assert.match(await c.call("MEMORY", "DOCTOR"), /^=\d+\r\ntxt:/);
});

Deno.test("MEMORY DOCTOR reports what it can measure", () => {
  const MB = 1024 * 1024;
  const base = {
    used: 100 * MB,
    peak: 100 * MB,
    startup: 0,
    overhead: 0,
    dataset: 0,
    clients: 0,
    keys: 1,
    dbs: [],
    rss: 110 * MB,
    heap: 0,
  };
  assert.equal(
    doctorReport(base, 1),
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
  );
  const report = doctorReport({ ...base, peak: 200 * MB, rss: 300 * MB, clients: MB }, 1);
  assert.ok(
    report.startsWith("Sam, I detected a few issues in this Redis instance memory implants:\n\n"),
  );
  assert.match(report, / \* Peak memory:/);
  assert.match(report, / \* High total RSS:/);
  assert.match(report, / \* Big client buffers:/);
  assert.ok(report.endsWith("I'm here to keep you safe, Sam. I want to help you.\n"));
  assert.match(doctorReport({ ...base, used: MB }, 1), /^Hi Sam, this instance is empty/);
});

Deno.test("INFO memory counts the data, maxmemory and its policy", async () => {
  await using t = await testServer({ config: { maxmemory: "1gb" } });
  const c = await t.raw();
  const before = await c.call("INFO", "memory");
  // (a limit well above the test process's heap at start-up, which used_memory counts)
  assert.equal(infoValue(before, "maxmemory"), String(1024 * 1024 * 1024));
  assert.equal(infoValue(before, "maxmemory_human"), "1.00G");
  assert.equal(infoValue(before, "maxmemory_policy"), "noeviction");
  for (let i = 0; i < 100; i++) await c.call("SET", `key:${i}`, "x".repeat(100));
  const after = await c.call("INFO", "memory");
  const grown = Number(infoValue(after, "used_memory")) - Number(infoValue(before, "used_memory"));
  // 100 keys of about 8 + 24 + 128 bytes, and the table's buckets.
  assert.ok(grown >= 100 * 160 && grown < 100 * 160 + 2048, `${grown}`);
  assert.ok(
    Number(infoValue(after, "used_memory_peak")) >= Number(infoValue(after, "used_memory")),
  );
  const used = Number(infoValue(after, "used_memory"));
  assert.equal(
    Number(infoValue(after, "used_memory_dataset")),
    used - Number(infoValue(after, "used_memory_overhead")),
  );
  assert.match(infoValue(after, "mem_fragmentation_ratio"), /^\d+\.\d\d$/);
  await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
  assert.equal(infoValue(await c.call("INFO", "memory"), "maxmemory_policy"), "allkeys-lfu");
  // The peak outlives the data, and CONFIG RESETSTAT, as in Redis 7.0.
  await c.call("FLUSHALL");
  await c.call("CONFIG", "RESETSTAT");
  const reset = await c.call("INFO", "memory");
  assert.ok(Number(infoValue(reset, "used_memory")) < used);
  assert.ok(Number(infoValue(reset, "used_memory_peak")) >= used);
});

Deno.test("INFO memory measures the keyspace when maxmemory is 0, and tracks it once set", () => {
  const engine = new Engine();
  const client = engine.connect();
  const used = () => engine.memory.used();
  const empty = used();
  engine.call(client, ["SET", "k", "bar"]);
  assert.equal(used() - empty, 64 + 32); // the key, and the table's first 4 buckets
  engine.call(client, ["RPUSH", "l", "a", "b", "c"]);
  const untracked = used();
  engine.call(client, ["CONFIG", "SET", "maxmemory", "1000000000"]);
  assert.equal(used(), untracked);
  engine.call(client, ["RPUSH", "l", "d"]);
  engine.call(client, ["CONFIG", "SET", "maxmemory", "0"]);
  const measured = used();
  engine.call(client, ["CONFIG", "SET", "maxmemory", "1000000000"]);
  assert.equal(used(), measured);
  engine.call(client, ["DEL", "l", "k"]);
  assert.equal(used(), empty);
  engine.close();
});

Deno.test("OBJECT FREQ works under an LFU policy only; IDLETIME under LRU only", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.call("SET", "k", "v");
  assert.match(
    await c.call("OBJECT", "FREQ", "k"),
    /^-ERR An LFU maxmemory policy is not selected/,
  );
  assert.equal(await c.call("OBJECT", "IDLETIME", "k"), ":0\r\n");
  await c.call("CONFIG", "SET", "maxmemory-policy", "volatile-lfu");
  assert.equal(await c.call("OBJECT", "FREQ", "missing"), "$-1\r\n");
  assert.match(
    await c.call("OBJECT", "IDLETIME", "k"),
    /^-ERR An LFU maxmemory policy is selected/,
  );
  await c.call("SET", "fresh", "v");
  assert.equal(await c.call("OBJECT", "FREQ", "fresh"), ":5\r\n");
  await c.call("GET", "fresh");
  assert.equal(await c.call("OBJECT", "FREQ", "fresh"), ":6\r\n");
  await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  t.clock.advance(3000);
  await c.call("GET", "fresh");
  t.clock.advance(2000);
  assert.equal(await c.call("OBJECT", "IDLETIME", "fresh"), ":2\r\n");
});

Deno.test("an eviction run's time budget grows with maxmemory-eviction-tenacity", () => {
  assert.equal(evictionTimeLimitUs(0), 0);
  assert.equal(evictionTimeLimitUs(5), 250);
  assert.equal(evictionTimeLimitUs(11), 575);
  assert.ok(evictionTimeLimitUs(99) > 100e6);
});
