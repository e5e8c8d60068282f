import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { type RawClient, testServer } from "../support/server.ts";
import { FUNCTION_HANDLERS } from "../../src/commands/function.ts";
import { SystemClock } from "../../src/clock.ts";
import { dumpFunctions } from "../../src/scripting/function_dump.ts";

const LIB = "#!lua name=mylib\n" +
  "redis.register_function('set_get', function(keys, args) redis.call('SET', keys[1], args[1]) return redis.call('GET', keys[1]) end)\n" +
  "redis.register_function{function_name='count', callback=function(keys, args) return #keys + #args end, flags={'no-writes'}, description='counts'}";

const SPIN = "#!lua name=spin\n" +
  "redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)";

/** Waits until the script started on another connection makes this one BUSY. */
async function busy(c: RawClient): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const reply = await c.call("PING");
    if (reply.startsWith("-BUSY ")) return;
    assert.equal(reply, "+PONG\r\n");
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail("never BUSY");
}

Deno.test("functions through ioredis: load, call, list, delete", async () => {
  await using t = await testServer();
  const redis = await t.redis();
  assert.equal(await redis.call("FUNCTION", "LOAD", LIB), "mylib");
  assert.equal(await redis.fcall("set_get", 1, "k", "v"), "v");
  assert.equal(await redis.fcall_ro("count", 2, "a", "b", "c"), 3);
  assert.equal(await redis.call("FCALL", "COUNT", "0"), 0);
  await assert.rejects(
    redis.fcall_ro("set_get", 1, "k", "v"),
    /Can not execute a script with write flag using \*_ro command/,
  );
  const list = await redis.call("FUNCTION", "LIST", "WITHCODE") as unknown[][];
  assert.equal(list.length, 1);
  assert.deepEqual(list[0]!.slice(0, 4), ["library_name", "mylib", "engine", "LUA"]);
  assert.deepEqual(list[0]![5], [
    ["name", "set_get", "description", null, "flags", []],
    ["name", "count", "description", "counts", "flags", ["no-writes"]],
  ]);
  assert.deepEqual(list[0]!.slice(6), ["library_code", LIB]);
  assert.equal(await redis.call("FUNCTION", "DELETE", "mylib"), "OK");
  await assert.rejects(redis.fcall("count", 0), /ERR Function not found/);
  await assert.rejects(redis.call("FUNCTION", "DELETE", "mylib"), /ERR Library not found/);
});

Deno.test("FUNCTION DUMP and RESTORE round trip binary payloads through ioredis", async () => {
  await using t = await testServer();
  const redis = await t.redis();
  await redis.call("FUNCTION", "LOAD", LIB);
  const dump = await redis.callBuffer("FUNCTION", "DUMP") as Buffer;
  assert.equal(dump.toString("latin1"), dumpFunctions([LIB]));
  assert.equal(await redis.call("FUNCTION", "FLUSH"), "OK");
  assert.equal(await redis.call("FUNCTION", "RESTORE", dump), "OK");
  assert.equal(await redis.fcall("set_get", 1, "k", "again"), "again");
  await assert.rejects(redis.call("FUNCTION", "RESTORE", dump), /ERR Library mylib already exists/);
  assert.equal(await redis.call("FUNCTION", "RESTORE", dump, "REPLACE"), "OK");
  const broken = Buffer.from(dump);
  broken[5] = broken[5]! ^ 0xff;
  await assert.rejects(
    redis.call("FUNCTION", "RESTORE", broken),
    /ERR DUMP payload version or checksum are wrong/,
  );
});

Deno.test("FUNCTION STATS replies in RESP2 and RESP3", async () => {
  await using t = await testServer();
  const c = await t.raw();
  assert.equal(await c.call("FUNCTION", "LOAD", LIB), "$5\r\nmylib\r\n");
  assert.equal(
    await c.call("FUNCTION", "STATS"),
    "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n" +
      "*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n",
  );
  await c.call("HELLO", "3");
  assert.equal(
    await c.call("FUNCTION", "STATS"),
    "%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n" +
      "%2\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n",
  );
});

Deno.test("a library whose code runs past 500 ms fails to load", async () => {
  await using t = await testServer({ clock: new SystemClock() });
  const c = await t.raw();
  const started = Date.now();
  assert.equal(
    await c.call("FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end"),
    "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n",
  );
  assert.ok(Date.now() - started >= 500);
  assert.equal(await c.call("FUNCTION", "LIST"), "*0\r\n");
  // the VM is still usable
  assert.equal(
    await c.call(
      "FUNCTION",
      "LOAD",
      "#!lua name=ok\nredis.register_function('f', function() return 1 end)",
    ),
    "$2\r\nok\r\n",
  );
  assert.equal(await c.call("FCALL", "f", "0"), ":1\r\n");
});

Deno.test("FUNCTION STATS and FUNCTION KILL while a function runs", async () => {
  await using t = await testServer({
    clock: new SystemClock(),
    config: { "busy-reply-threshold": "50" },
  });
  const runner = await t.raw();
  const other = await t.raw();
  assert.equal(await runner.call("FUNCTION", "LOAD", SPIN), "$4\r\nspin\r\n");
  await runner.write("*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n");
  // the second client is served once the threshold passed
  await busy(other);
  const stats = await other.call("FUNCTION", "STATS");
  assert.match(
    stats,
    /^\*4\r\n\$14\r\nrunning_script\r\n\*6\r\n\$4\r\nname\r\n\$4\r\nspin\r\n\$7\r\ncommand\r\n\*3\r\n\$5\r\nFCALL\r\n\$4\r\nspin\r\n\$1\r\n0\r\n\$11\r\nduration_ms\r\n:\d+\r\n/,
  );
  assert.match(await other.call("SCRIPT", "KILL"), /^-BUSY .*FUNCTION KILL/);
  assert.equal(await other.call("FUNCTION", "KILL"), "+OK\r\n");
  assert.match(
    await runner.reply(),
    /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: spin, /,
  );
  assert.equal(
    await other.call("FUNCTION", "KILL"),
    "-NOTBUSY No scripts in execution right now.\r\n",
  );
});

Deno.test("FUNCTION STATS while an EVAL script runs is BUSY", async () => {
  await using t = await testServer({
    clock: new SystemClock(),
    config: { "busy-reply-threshold": "50" },
  });
  const runner = await t.raw();
  const other = await t.raw();
  const body = "local i = 0 while true do i = i + 1 end";
  await runner.write(`*3\r\n$4\r\nEVAL\r\n$${body.length}\r\n${body}\r\n$1\r\n0\r\n`);
  await busy(other);
  assert.equal(
    await other.call("FUNCTION", "STATS"),
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
  );
  assert.equal(
    await other.call("FUNCTION", "KILL"),
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
  );
  assert.equal(await other.call("SCRIPT", "KILL"), "+OK\r\n");
  assert.match(await runner.reply(), /^-ERR Script killed by user/);
});

Deno.test("functions touch no key: WATCH holds, no keyspace event", async () => {
  await using t = await testServer({ config: { "notify-keyspace-events": "KEA" } });
  const watcher = await t.raw();
  const admin = await t.raw();
  const events = await t.raw();
  await events.call("PSUBSCRIBE", "*");
  await watcher.call("WATCH", "k");
  assert.equal(await admin.call("FUNCTION", "LOAD", LIB), "$5\r\nmylib\r\n");
  await admin.call("FUNCTION", "RESTORE", dumpFunctions([LIB]), "REPLACE");
  await admin.call("FUNCTION", "DELETE", "mylib");
  await admin.call("FUNCTION", "FLUSH");
  await watcher.call("MULTI");
  await watcher.call("PING");
  assert.equal(await watcher.call("EXEC"), "*1\r\n+PONG\r\n");
  // a function's writes do signal
  await admin.call("FUNCTION", "LOAD", LIB);
  await watcher.call("WATCH", "k");
  await admin.call("FCALL", "set_get", "1", "k", "v");
  await watcher.call("MULTI");
  await watcher.call("PING");
  assert.equal(await watcher.call("EXEC"), "*-1\r\n");
  assert.match(await events.reply(), /__keyspace@0__:k\r\n\$3\r\nset\r\n$/);
  assert.match(await events.reply(), /__keyevent@0__:set\r\n\$1\r\nk\r\n$/);
});

Deno.test("the libraries are per server", async () => {
  await using a = await testServer();
  await using b = await testServer();
  const ca = await a.raw();
  const cb = await b.raw();
  await ca.call("FUNCTION", "LOAD", LIB);
  assert.equal(await cb.call("FCALL", "count", "0"), "-ERR Function not found\r\n");
  assert.equal(await cb.call("FUNCTION", "LIST"), "*0\r\n");
});

const FLUSH = ["FUNCTION", "FLUSH"];
const LOADED = [FLUSH, ["FUNCTION", "LOAD", LIB]];

const DIRTY_CASES: DirtyCase[] = [
  { setup: [FLUSH], run: ["FUNCTION", "LOAD", LIB], changes: 1 },
  { setup: LOADED, run: ["FUNCTION", "LOAD", LIB], changes: 0 },
  { setup: LOADED, run: ["FUNCTION", "LOAD", "REPLACE", LIB], changes: 1 },
  { setup: [FLUSH], run: ["FUNCTION", "LOAD", "#!lua name=x\nfoo("], changes: 0 },
  { setup: LOADED, run: ["FUNCTION", "DELETE", "mylib"], changes: 1 },
  { setup: [FLUSH], run: ["FUNCTION", "DELETE", "mylib"], changes: 0 },
  { setup: [FLUSH], run: ["FUNCTION", "FLUSH"], changes: 1 },
  { setup: LOADED, run: ["FUNCTION", "FLUSH", "ASYNC"], changes: 1 },
  { setup: [FLUSH], run: ["FUNCTION", "FLUSH", "bogus"], changes: 0 },
  { setup: [FLUSH], run: ["FUNCTION", "RESTORE", dumpFunctions([LIB])], changes: 1 },
  { setup: [FLUSH], run: ["FUNCTION", "RESTORE", dumpFunctions([])], changes: 1 },
  { setup: LOADED, run: ["FUNCTION", "RESTORE", dumpFunctions([LIB])], changes: 0 },
  { setup: LOADED, run: ["FUNCTION", "RESTORE", dumpFunctions([LIB]), "FLUSH"], changes: 1 },
  { setup: [FLUSH], run: ["FUNCTION", "RESTORE", "bogus"], changes: 0 },
  { setup: LOADED, run: ["FCALL", "set_get", "1", "k", "v"], changes: 1 },
  { setup: LOADED, run: ["FCALL", "count", "1", "k", "v"], changes: 0 },
  { setup: LOADED, run: ["FCALL_RO", "count", "1", "k", "v"], changes: 0 },
  { setup: LOADED, run: ["FUNCTION", "DUMP"], changes: 0 },
];

dirtyCountTests("function", { handlers: FUNCTION_HANDLERS, cases: DIRTY_CASES });
