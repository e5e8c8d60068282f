import assert from "node:assert/strict";
import {
  hasRedisServer,
  ManualClock,
  RawClient,
  startRealRedis,
  testServer,
} from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import type { Reply } from "../../src/resp/reply.ts";
import { OK } from "../../src/resp/reply.ts";
import type { Client } from "../../src/client.ts";
import { LatencyHistogram } from "../../src/latency.ts";
import { slowlogArguments } from "../../src/slowlog.ts";
import { advanceSpec } from "../support/advance.ts";

const REAL = hasRedisServer();
const START = 1_700_000_000_000;

/** An in-process engine on a manual clock, with ADVANCE / FASTADVANCE commands. */
function inProcess(config: Record<string, string> = {}) {
  const clock = new ManualClock(START);
  const engine = new Engine({ clock, config });
  engine.commands.register([
    advanceSpec("advance", clock, false),
    advanceSpec("fastadvance", clock, true),
  ]);
  const client = engine.connect({ addr: "10.0.0.1:4242" });
  const call = (c: Client, ...argv: string[]): Reply => {
    const r = engine.call(c, argv);
    if (r instanceof Promise) throw new Error("unexpected block");
    return r;
  };
  return {
    engine,
    clock,
    client,
    call: (...argv: string[]) => call(client, ...argv),
    callAs: call,
    [Symbol.dispose]: () => engine.close(),
  };
}

/** A reply as plain values: integers as numbers, strings as strings, arrays and maps nested. */
function plain(r: Reply): unknown {
  switch (r.kind) {
    case "integer":
      return Number(r.value);
    case "bulk":
    case "simple":
    case "verbatim":
      return r.value;
    case "error":
      return { error: r.message };
    case "array":
    case "set":
    case "push":
      return r.items.map(plain);
    case "bulks":
      return [...r.values];
    case "map":
      return r.entries.map(([k, v]) => [plain(k), plain(v)]);
    default:
      return r.kind;
  }
}

Deno.test("SLOWLOG entries: id, time, exact duration, arguments, address and name", () => {
  using s = inProcess({ "slowlog-log-slower-than": "5000" });
  s.client.name = "worker";
  s.call("SLOWLOG", "RESET");
  s.call("ADVANCE", "4"); // 4000 µs: under the threshold
  assert.deepEqual(plain(s.call("SLOWLOG", "LEN")), 0);
  s.call("ADVANCE", "5"); // exactly the threshold: logged
  s.clock.advance(2000);
  s.call("ADVANCE", "12");
  assert.deepEqual(plain(s.call("SLOWLOG", "GET")), [
    [
      1,
      Math.floor((START + 9 + 2000 + 12) / 1000),
      12000,
      ["ADVANCE", "12"],
      "10.0.0.1:4242",
      "worker",
    ],
    [0, Math.floor((START + 9) / 1000), 5000, ["ADVANCE", "5"], "10.0.0.1:4242", "worker"],
  ]);
  assert.deepEqual(plain(s.call("SLOWLOG", "GET", "1")), [
    [
      1,
      Math.floor((START + 9 + 2000 + 12) / 1000),
      12000,
      ["ADVANCE", "12"],
      "10.0.0.1:4242",
      "worker",
    ],
  ]);
  assert.deepEqual(plain(s.call("SLOWLOG", "GET", "0")), []);
  assert.equal((plain(s.call("SLOWLOG", "GET", "-1")) as unknown[]).length, 2);
  assert.deepEqual(plain(s.call("SLOWLOG", "GET", "-2")), {
    error: "ERR count should be greater than or equal to -1",
  });
  assert.deepEqual(plain(s.call("SLOWLOG", "GET", "x")), {
    error: "ERR count should be greater than or equal to -1",
  });
  // RESET empties the log; ids keep counting.
  assert.deepEqual(s.call("SLOWLOG", "RESET"), OK);
  s.call("ADVANCE", "6");
  assert.deepEqual((plain(s.call("SLOWLOG", "GET")) as unknown[][])[0]![0], 2);
});

Deno.test("SLOWLOG cuts arguments: 32 at most, 128 bytes each", async (t) => {
  await t.step("the rules", () => {
    const long = "a".repeat(200);
    assert.deepEqual(slowlogArguments(["SET", "k", long]), [
      "SET",
      "k",
      "a".repeat(128) + "... (72 more bytes)",
    ]);
    assert.deepEqual(slowlogArguments(["X", "b".repeat(128)]), ["X", "b".repeat(128)]);
    const argv32 = Array.from({ length: 32 }, (_, i) => String(i));
    assert.deepEqual(slowlogArguments(argv32), argv32);
    const argv40 = Array.from({ length: 40 }, (_, i) => String(i));
    assert.deepEqual(slowlogArguments(argv40), [...argv40.slice(0, 31), "... (9 more arguments)"]);
    assert.deepEqual(slowlogArguments(["AUTH", "secret"], [1]), ["AUTH", "(redacted)"]);
  });
  await t.step("through the server, binary safe", () => {
    using s = inProcess({ "slowlog-log-slower-than": "0" });
    const bin = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    s.call("DEL", ...Array.from({ length: 50 }, (_, i) => `k${i}`));
    s.call("SET", "k", bin);
    const entries = plain(s.call("SLOWLOG", "GET", "2")) as unknown[][];
    assert.deepEqual(entries[0]![3], ["SET", "k", bin.slice(0, 128) + "... (128 more bytes)"]);
    const del = entries[1]![3] as string[];
    assert.equal(del.length, 32);
    assert.equal(del[31], "... (20 more arguments)");
  });
});

Deno.test("SLOWLOG: -1 disables, max-len trims at the next entry, EXEC is left out", () => {
  using s = inProcess({ "slowlog-log-slower-than": "-1" });
  s.call("ADVANCE", "1000");
  assert.deepEqual(plain(s.call("SLOWLOG", "LEN")), 0);
  s.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
  for (let i = 0; i < 5; i++) s.call("PING");
  // SLOWLOG LEN answers before it is logged itself.
  assert.deepEqual(plain(s.call("SLOWLOG", "LEN")), 6);
  s.call("CONFIG", "SET", "slowlog-max-len", "2");
  assert.deepEqual(plain(s.call("SLOWLOG", "LEN")), 2);
  s.call("CONFIG", "SET", "slowlog-max-len", "128");
  s.call("SLOWLOG", "RESET");
  s.call("MULTI");
  s.call("SET", "a", "1");
  s.call("EXEC");
  const names = (plain(s.call("SLOWLOG", "GET")) as unknown[][]).map((e) => (e[3] as string[])[0]);
  assert.deepEqual(names, ["SET", "MULTI", "SLOWLOG"]);
});

Deno.test("SLOWLOG logs a blocked command once answered, timed without the wait", async () => {
  await using t = await testServer({ clock: new ManualClock(START) });
  const a = await t.raw();
  const b = await t.raw();
  await a.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
  await a.call("SLOWLOG", "RESET");
  await b.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
  await new Promise((r) => setTimeout(r, 30));
  t.clock.advance(10_000);
  await a.call("RPUSH", "q", "x");
  assert.equal(await b.reply(), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
  const log = await a.call("SLOWLOG", "GET");
  // Newest first: BLPOP (answered after RPUSH), RPUSH, SLOWLOG RESET.
  assert.match(log, /^\*3\r\n\*6\r\n:3\r\n:\d+\r\n:0\r\n\*3\r\n\$5\r\nBLPOP\r\n/);
  assert.match(log, /\*3\r\n\$5\r\nRPUSH\r\n/);
});

Deno.test("within a batch, fast commands share the time between clock reads, in order", () => {
  using s = inProcess({ "slowlog-log-slower-than": "5000", "latency-monitor-threshold": "5" });
  s.call("SLOWLOG", "RESET");
  s.engine.beginBatch();
  // Two fast commands read no clock: they share the 10 ms that passed.
  s.call("FASTADVANCE", "2");
  s.call("FASTADVANCE", "8");
  // A command that is not fast settles them before it runs, so it reads
  // them as settled.
  assert.deepEqual(plain(s.call("SLOWLOG", "LEN")), 2);
  s.call("FASTADVANCE", "1");
  s.engine.endBatch();
  const log = plain(s.call("SLOWLOG", "GET")) as unknown[][];
  assert.deepEqual(log.map((e) => [e[2], e[3]]), [
    [5000, ["FASTADVANCE", "8"]],
    [5000, ["FASTADVANCE", "2"]],
  ]);
  const stats = plain(s.call("INFO", "commandstats")) as string;
  assert.match(stats, /cmdstat_fastadvance:calls=3,usec=11000,usec_per_call=3666\.67,/);
  // The latency monitor saw the two 5 ms shares, not the 1 ms one.
  const latest = plain(s.call("LATENCY", "LATEST")) as unknown[][];
  assert.deepEqual(latest.map((e) => [e[0], e[2], e[3]]), [["fast-command", 5, 5]]);
});

Deno.test("LATENCY: events over the threshold, by the command's fast flag", () => {
  using s = inProcess({ "latency-monitor-threshold": "5" });
  s.call("ADVANCE", "4");
  assert.deepEqual(plain(s.call("LATENCY", "LATEST")), []);
  s.call("ADVANCE", "7");
  s.call("ADVANCE", "9"); // same second: the higher one is kept
  s.call("ADVANCE", "6"); // same second, lower: dropped
  s.clock.advance(3000);
  s.call("FASTADVANCE", "5");
  const sec = (ms: number) => Math.floor(ms / 1000);
  const t1 = sec(START + 4 + 7 + 9 + 6);
  const t2 = sec(START + 26 + 3000 + 5);
  assert.deepEqual(plain(s.call("LATENCY", "LATEST")), [
    ["command", t1, 9, 9],
    ["fast-command", t2, 5, 5],
  ]);
  assert.deepEqual(plain(s.call("LATENCY", "HISTORY", "command")), [[t1, 9]]);
  assert.deepEqual(plain(s.call("LATENCY", "HISTORY", "COMMAND")), []);
  s.clock.advance(1000);
  s.call("ADVANCE", "20");
  assert.deepEqual(plain(s.call("LATENCY", "HISTORY", "command")), [
    [t1, 9],
    [sec(START + 26 + 3005 + 1000 + 20), 20],
  ]);
  const graph = plain(s.call("LATENCY", "GRAPH", "command")) as string;
  assert.equal(
    graph,
    "command - high 20 ms, low 9 ms (all time high 20 ms)\n" +
      "-".repeat(80) + "\n" +
      " #\n" +
      " |\n" +
      " |\n" +
      "_|\n" +
      "  \n" +
      "40\n" +
      "ss\n",
  );
  assert.deepEqual(plain(s.call("LATENCY", "GRAPH", "nope")), {
    error: "ERR No samples available for event 'nope'",
  });
  const doctor = plain(s.call("LATENCY", "DOCTOR")) as string;
  assert.match(doctor, /^Dave, I have observed latency spikes in this Redis instance\./);
  assert.match(
    doctor,
    /1\. command: 2 latency spikes \(average 14ms, mean deviation 5ms, period 2\.00 sec\)\. Worst all time event 20ms\./,
  );
  assert.match(doctor, /2\. fast-command: 1 latency spikes/);
  assert.match(doctor, /- Check your Slow Log/);
  assert.deepEqual(plain(s.call("LATENCY", "RESET", "COMMAND", "nope")), 1);
  assert.deepEqual(plain(s.call("LATENCY", "RESET")), 1);
  assert.deepEqual(plain(s.call("LATENCY", "LATEST")), []);
});

Deno.test("LATENCY: the active expiry cycle is an `expire-cycle` event", () => {
  /** A clock whose high-resolution reading moves 15 ms at every read. */
  class SteppingClock extends ManualClock {
    #ticks = 0;
    ticks(): number {
      return (this.#ticks += 15);
    }
  }
  const engine = new Engine({
    clock: new SteppingClock(START),
    config: { "latency-monitor-threshold": "10" },
  });
  try {
    engine.cron();
    assert.deepEqual(engine.latency.latest(), [["expire-cycle", START / 1000, 15, 15]]);
  } finally {
    engine.close();
  }
});

Deno.test("LATENCY DOCTOR with the monitor off and nothing observed", () => {
  using s = inProcess();
  assert.match(plain(s.call("LATENCY", "DOCTOR")) as string, /^I'm sorry, Dave, I can't do that\./);
  s.call("CONFIG", "SET", "latency-monitor-threshold", "100");
  assert.match(
    plain(s.call("LATENCY", "DOCTOR")) as string,
    /^Dave, no latency spike was observed/,
  );
});

Deno.test("latency histograms: percentiles and buckets as Redis's hdr_histogram", async (t) => {
  await t.step("one microsecond", () => {
    const h = new LatencyHistogram();
    h.recordUsec(1);
    assert.equal(h.valueAtPercentile(50), 1003);
    assert.deepEqual(h.cumulative(), [[1, 1]]);
  });
  await t.step("sub-microsecond and larger values", () => {
    const h = new LatencyHistogram();
    h.recordUsec(0);
    h.recordUsec(0);
    h.recordUsec(3);
    h.recordUsec(1500);
    assert.equal(h.count, 4);
    assert.deepEqual(h.cumulative(), [[1, 2], [4, 3], [2113, 4]]);
    assert.equal(h.valueAtPercentile(50), 1);
    assert.equal(h.valueAtPercentile(99), 1507327);
  });
  await t.step("through LATENCY HISTOGRAM and INFO latencystats, reset by RESETSTAT", () => {
    using s = inProcess();
    s.call("ADVANCE", "0");
    s.call("ADVANCE", "0");
    s.call("ADVANCE", "2");
    assert.deepEqual(plain(s.call("LATENCY", "HISTOGRAM", "advance", "nosuch")), [
      ["advance", [["calls", 3], ["histogram_usec", [[1, 2], [2113, 3]]]]],
    ]);
    const info = plain(s.call("INFO", "latencystats")) as string;
    assert.match(
      info,
      /latency_percentiles_usec_advance:p50=0\.001,p99=2007\.039,p99\.9=2007\.039\r\n/,
    );
    s.call("CONFIG", "RESETSTAT");
    assert.deepEqual(plain(s.call("LATENCY", "HISTOGRAM", "advance")), []);
    assert.deepEqual(
      (plain(s.call("LATENCY", "HISTOGRAM", "config")) as unknown[][]).map((e) => e[0]),
      ["config|resetstat"],
    );
    s.call("CONFIG", "SET", "latency-tracking", "no");
    assert.equal(plain(s.call("INFO", "latencystats")), "# Latencystats\r\n");
  });
});

Deno.test("LOLWUT and MODULE", () => {
  using s = inProcess();
  assert.equal(plain(s.call("LOLWUT")), "Redis ver. 7.0.15\n");
  const art = plain(s.call("LOLWUT", "VERSION", "5", "3", "1", "1")) as string;
  assert.ok(art.endsWith("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"));
  const sky = plain(s.call("LOLWUT", "VERSION", "6", "4", "2")) as string;
  assert.equal(sky.split("\n").length, 5);
  assert.deepEqual(plain(s.call("MODULE", "LIST")), []);
  // LOAD, LOADEX and UNLOAD are protected by enable-module-command (no by default).
  assert.match(
    (plain(s.call("MODULE", "UNLOAD", "x")) as { error: string }).error,
    /^ERR MODULE command not allowed\./,
  );
  using m = inProcess({ "enable-module-command": "yes" });
  assert.deepEqual(plain(m.call("MODULE", "UNLOAD", "x")), {
    error: "ERR Error unloading module: no such module with that name",
  });
  assert.deepEqual(plain(m.call("MODULE", "LOADEX", "/x.so", "CONFIG", "a")), {
    error: "ERR Error loading the extension. Please check the server logs.",
  });
});

/** Masks what legitimately differs between two servers in a SLOWLOG GET reply. */
function maskSlowlog(reply: string): string {
  return reply
    .replace(/\$\d+\r\n127\.0\.0\.1:\d+\r\n/g, "$ADDR\r\n")
    .replace(/\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n/g, "*6\r\n:ID\r\n:TIME\r\n:DURATION\r\n");
}

Deno.test({
  name: "SLOWLOG entries match a real redis-server's but for ids, times, durations and ports",
  ignore: !REAL,
  fn: async () => {
    await using real = await startRealRedis();
    await using t = await testServer();
    const run = async (port: number) => {
      const c = await RawClient.connect(port);
      try {
        await c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
        await c.call("SLOWLOG", "RESET");
        await c.call("CLIENT", "SETNAME", "tester");
        await c.call("SET", "k", "v".repeat(300));
        await c.call("DEL", ...Array.from({ length: 40 }, (_, i) => `key:${i}`));
        await c.call("RPUSH", "l", ...Array.from({ length: 31 }, (_, i) => String(i)));
        await c.call("AUTH", "secret");
        await c.call("AUTH", "user", "secret");
        await c.call("HELLO", "2", "AUTH", "default", "secret");
        await c.call("MULTI");
        await c.call("INCR", "n");
        await c.call("EXEC");
        await c.call("ECHO", "é\x00\xff");
        return maskSlowlog(await c.call("SLOWLOG", "GET", "-1"));
      } finally {
        c.close();
      }
    };
    const expected = await run(real.port);
    const actual = await run(t.port);
    assert.equal(actual, expected);
  },
});
