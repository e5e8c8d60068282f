/**
 * Scripts in the server: -BUSY past busy-reply-threshold and SCRIPT KILL,
 * UNKILLABLE after a write and SHUTDOWN NOSAVE, script time on the server
 * clock, and what commandstats, the slow log, MONITOR, client tracking and
 * blocked clients see of the commands scripts run.
 */

import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { ManualClock, testServer } from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import type { Client } from "../../src/client.ts";
import { OK, type Reply } from "../../src/resp/reply.ts";
import { sha1Hex } from "../../src/store/sha1.ts";
import { advanceSpec } from "../support/advance.ts";

const SPIN = "local i = 0 while true do i = i + 1 end";
const KILLED = "ERR Script killed by user with SCRIPT KILL...";
const BUSY =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

/** An error's message, or the value (ioredis rejects on error replies). */
function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then((v) => v, (e: Error) => e.message);
}

/** Sends GET until the server answers -BUSY; returns that error's text. */
async function untilBusy(redis: Redis): Promise<string> {
  for (let i = 0; i < 5000; i++) {
    const r = await outcome(redis.get("probe"));
    if (typeof r === "string" && r.startsWith("BUSY")) return r;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error("the server never answered -BUSY");
}

Deno.test("a script past busy-reply-threshold: others get -BUSY, SCRIPT KILL ends it", async () => {
  await using s = await testServer({ config: { "busy-reply-threshold": "0" } });
  const a = await s.redis();
  const b = await s.redis();
  const running = outcome(a.eval(SPIN, 0));
  assert.equal(await untilBusy(b), BUSY);
  // allow_busy commands run: MULTI and DISCARD; SHUTDOWN only with NOSAVE
  assert.equal(await b.call("MULTI"), "OK");
  assert.equal(await b.call("DISCARD"), "OK");
  assert.equal(await outcome(b.call("SHUTDOWN")), BUSY);
  assert.equal(await outcome(b.call("DBSIZE")), BUSY);
  assert.equal(await b.call("SCRIPT", "KILL"), "OK");
  assert.equal(await running, `${KILLED} script: ${sha1Hex(SPIN)}, on @user_script:1.`);
  assert.equal(await b.get("probe"), null);
  assert.equal(
    await outcome(b.call("SCRIPT", "KILL")),
    "NOTBUSY No scripts in execution right now.",
  );
  // a script that keeps catching errors is killed all the same
  const stubborn = "while true do pcall(function() while true do end end) end";
  const again = outcome(a.eval(stubborn, 0));
  assert.equal(await untilBusy(b), BUSY);
  assert.equal(await b.call("SCRIPT", "KILL"), "OK");
  assert.match(String(await again), /^ERR Script killed by user with SCRIPT KILL\.\.\./);
  // a slow script that ends on its own replies as usual
  assert.equal(await a.eval("local i = 0 for j = 1, 300000 do i = i + 1 end return i", 0), 300000);
});

Deno.test("a script that wrote is UNKILLABLE; SHUTDOWN NOSAVE still stops the server", async () => {
  await using s = await testServer({ config: { "busy-reply-threshold": "0" } });
  const a = await s.redis();
  const b = await s.redis();
  const done = outcome(a.eval(`redis.call('SET', 'w', '1') ${SPIN}`, 0));
  assert.equal(await untilBusy(b), BUSY);
  assert.equal(
    await outcome(b.call("SCRIPT", "KILL")),
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
  );
  const raw = await s.raw();
  await raw.write("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
  await s.server.closed;
  assert.ok(s.server.engine.shutdownRequested);
  // the script ends with the server; its caller's connection is gone
  assert.equal(typeof await done, "string");
  // both clients see their connection end (then the test server leaves them alone)
  await Promise.all(
    [a, b].map((c) =>
      c.status === "end" ? undefined : new Promise((resolve) => c.once("end", resolve))
    ),
  );
});

Deno.test("inside MULTI / EXEC a slow script does not yield: EXEC answers with its result", async () => {
  await using s = await testServer({ config: { "busy-reply-threshold": "0" } });
  const a = await s.redis();
  const r = await a.multi().eval("local i = 0 for j = 1, 300000 do i = i + 1 end return i", 0)
    .exec();
  assert.deepEqual(r, [[null, 300000]]);
});

function inProcess(config: Record<string, string> = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const logs: string[] = [];
  const engine = new Engine({ clock, config, log: (_level, message) => logs.push(message) });
  engine.commands.register([advanceSpec("advance", clock)]);
  return {
    engine,
    clock,
    logs,
    call: (c: Client, ...argv: string[]): Reply | Promise<Reply> => engine.call(c, argv),
    [Symbol.dispose]: () => engine.close(),
  };
}

Deno.test("script time follows the server clock", async (t) => {
  using s = inProcess();
  const a = s.engine.connect();
  const b = s.engine.connect();

  await t.step("a script that stays under busy-reply-threshold never yields", () => {
    const r = s.call(a, "EVAL", "redis.call('advance', '4000') return 1", "0");
    assert.deepEqual(r, { kind: "integer", value: 1 });
  });

  await t.step("past the threshold on the server clock, the script yields", async () => {
    const body = `redis.call('advance', '6000') ${SPIN}`;
    const r = s.call(a, "EVAL", body, "0");
    assert.ok(r instanceof Promise);
    // the script yields at its first check: other clients run again
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(s.call(b, "GET", "x"), { kind: "error", message: BUSY });
    assert.ok(
      s.logs.some((l) =>
        l.startsWith("Slow script detected: still in execution after 6000 milliseconds.")
      ),
    );
    assert.deepEqual(s.call(b, "SCRIPT", "KILL"), OK);
    assert.deepEqual(await r, {
      kind: "error",
      message: `${KILLED} script: ${sha1Hex(body)}, on @user_script:1.`,
    });
  });

  await t.step("keys do not expire while a script runs: its time is its start", () => {
    s.call(a, "SET", "k", "v", "PX", "100");
    const r = s.call(
      a,
      "EVAL",
      "redis.call('advance', '200') return redis.call('GET', KEYS[1])",
      "1",
      "k",
    );
    assert.deepEqual(r, { kind: "bulk", value: "v" });
    assert.deepEqual(s.call(a, "GET", "k"), { kind: "nil" });
  });
});

Deno.test("commandstats, the slow log and MONITOR show the commands scripts run", async (t) => {
  const body = "redis.call('SET', 'k', 'v') return redis.call('GET', 'k')";

  await t.step("commandstats and SLOWLOG", () => {
    using s = inProcess({ "slowlog-log-slower-than": "0" });
    const a = s.engine.connect({ addr: "10.0.0.1:4242" });
    s.call(a, "CLIENT", "SETNAME", "caller");
    s.call(a, "SLOWLOG", "RESET");
    assert.deepEqual(s.call(a, "EVAL", body, "0"), { kind: "bulk", value: "v" });
    const info = s.call(a, "INFO", "commandstats") as Reply & { value: string };
    for (const name of ["eval", "set", "get"]) {
      assert.match(info.value, new RegExp(`cmdstat_${name}:calls=1,`));
    }
    const log = s.call(a, "SLOWLOG", "GET", "10") as Reply & { kind: "array" };
    const entries = log.items.map((e) => {
      const items = (e as Reply & { kind: "array" }).items;
      const argv = (items[3] as Reply & { kind: "array" }).items.map((x) =>
        (x as { value: string }).value
      );
      return [
        argv[0],
        (items[4] as { value: string }).value,
        (items[5] as { value: string }).value,
      ];
    });
    assert.deepEqual(entries, [
      ["INFO", "10.0.0.1:4242", "caller"],
      ["EVAL", "10.0.0.1:4242", "caller"],
      ["GET", "?:0", ""],
      ["SET", "?:0", ""],
      ["SLOWLOG", "10.0.0.1:4242", "caller"],
    ]);
  });

  await t.step("MONITOR shows the script, then its commands as from lua", async () => {
    await using s = await testServer();
    const a = await s.redis();
    const monitor = await s.raw();
    assert.equal(await monitor.call("MONITOR"), "+OK\r\n");
    await a.eval(body, 0);
    const lines: string[] = [];
    while (lines.length < 3) {
      const line = await monitor.reply();
      lines.push(
        line.replace(/^\+\d+\.\d+ /, "").replace(/^\[0 127\.0\.0\.1:\d+\]/, "[0 client]"),
      );
    }
    assert.deepEqual(lines, [
      `[0 client] "eval" "${body}" "0"\r\n`,
      `[0 lua] "SET" "k" "v"\r\n`,
      `[0 lua] "GET" "k"\r\n`,
    ]);
  });
});

Deno.test("client tracking: keys a script reads are tracked for its caller", async () => {
  await using s = await testServer();
  const tracked = await s.raw();
  await tracked.call("HELLO", "3");
  assert.equal(await tracked.call("CLIENT", "TRACKING", "ON"), "+OK\r\n");
  assert.equal(
    await tracked.call("EVAL", "return redis.call('GET', KEYS[1])", "1", "k"),
    "_\r\n",
  );
  const other = await s.redis();
  await other.set("k", "1");
  assert.equal(await tracked.reply(), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
});

Deno.test("a client blocked on a key a script fills is served when the script ends", async () => {
  await using s = await testServer();
  const blocked = await s.redis();
  const a = await s.redis();
  const popped = blocked.blpop("q", 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await a.eval("redis.call('RPUSH', 'q', 'x') return redis.call('LLEN', 'q')", 0), 1);
  assert.deepEqual(await popped, ["q", "x"]);
});

Deno.test("the Lua clients take client ids 1 and 2, as in Redis: the first connection is 3", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("CLIENT", "ID"), ":3\r\n");
});

Deno.test("errorstats count a command's error once, however a script passes it on", async (t) => {
  using s = inProcess();
  const a = s.engine.connect();
  s.call(a, "SET", "str", "abc");
  /** errorstats and the commandstats counts of the commands named, then a reset. */
  const stats = (...names: string[]) => {
    const errors = (s.call(a, "INFO", "errorstats") as Reply & { value: string }).value;
    const commands = (s.call(a, "INFO", "commandstats") as Reply & { value: string }).value;
    const counts = names.map((n) => {
      const m = commands.match(
        new RegExp(`cmdstat_${n}:calls=(\\d+),.*rejected_calls=(\\d+),failed_calls=(\\d+)`),
      );
      return m === null ? `${n} -` : `${n} ${m[1]}/${m[2]}/${m[3]}`;
    });
    s.call(a, "CONFIG", "RESETSTAT");
    return [...errors.trim().split("\r\n").slice(1), ...counts];
  };
  s.call(a, "CONFIG", "RESETSTAT");
  // each expectation as real Redis 7.0.15 reports it (calls/rejected/failed)
  for (
    const [name, argv, expected] of [
      ["redis.call raising a command's error", ["EVAL", "return redis.call('incr','str')", "0"], [
        "errorstat_ERR:count=1",
        "eval 1/0/1",
        "incr 1/0/1",
      ]],
      ["redis.pcall's error returned", ["EVAL", "return redis.pcall('incr','str')", "0"], [
        "errorstat_ERR:count=1",
        "eval 1/0/1",
        "incr 1/0/1",
      ]],
      ["error()", ["EVAL", "error('x')", "0"], ["errorstat_ERR:count=1", "eval 1/0/1"]],
      ["redis.error_reply", ["EVAL", "return redis.error_reply('MY thing')", "0"], [
        "errorstat_MY:count=1",
        "eval 1/0/1",
      ]],
      ["an unknown command", ["EVAL", "return redis.call('nosuch')", "0"], [
        "errorstat_ERR:count=1",
        "eval 1/0/1",
      ]],
      ["a write refused to a read-only script", [
        "EVAL_RO",
        "return redis.call('set','a','b')",
        "0",
      ], [
        "errorstat_ERR:count=1",
        "eval_ro 1/0/1",
        "set 0/1/0",
      ]],
    ] as const
  ) {
    await t.step(name, () => {
      s.call(a, ...argv);
      const names = expected.filter((e) => !e.startsWith("errorstat")).map((e) => e.split(" ")[0]!);
      assert.deepEqual(stats(...names), expected);
    });
  }
});
