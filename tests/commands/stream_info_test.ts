import assert from "node:assert/strict";
import { ManualClock, type RawClient, type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { STREAM_INFO_HANDLERS } from "../../src/commands/stream_info.ts";
import type { Engine } from "../../src/engine.ts";
import { arr, bulk, int } from "../support/resp.ts";

/** The manual clock's start: every time below is relative to it. */
const T0 = 1_700_000_000_000;

const NIL = "$-1\r\n";
const NIL_ARRAY = "*-1\r\n";
const EMPTY = "*0\r\n";
const NOGROUP = "-NOGROUP No such key 's' or consumer group 'g'\r\n";

/** An array of already encoded replies. */
function list(...items: string[]): string {
  return `*${items.length}\r\n${items.join("")}`;
}

/** A stream entry: its ID and its fields. */
function entry(id: string, ...fields: string[]): string {
  return list(bulk(id), arr(...fields));
}

/** One XPENDING extended row. */
function row(id: string, consumer: string, idle: number, count: number): string {
  return list(bulk(id), bulk(consumer), int(idle), int(count));
}

/** Records keyspace notifications of the stream class as `event:key`. */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    if (cls === "t") events.push(`${event}:${key}`);
  };
  return events;
}

/** A server at T0 with stream `s`: entries 1-0 to 4-0, group `g`, bob holding 1-0 and 2-0, alice 3-0 and 4-0. */
async function fixture(): Promise<{ s: TestServer; raw: RawClient }> {
  const s = await testServer({ clock: new ManualClock(T0) });
  const raw = await s.raw();
  await raw.call("XADD", "s", "1-0", "f", "v1");
  await raw.call("XADD", "s", "2-0", "f", "v2");
  await raw.call("XADD", "s", "3-0", "f", "v3");
  await raw.call("XADD", "s", "4-0", "f", "v4");
  await raw.call("XGROUP", "CREATE", "s", "g", "0");
  await raw.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">");
  await raw.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
  return { s, raw };
}

Deno.test("XPENDING summarizes a PEL: count, lowest and highest IDs, consumers by name", async () => {
  const { s, raw } = await fixture();
  await using _ = s;
  assert.equal(
    await raw.call("XPENDING", "s", "g"),
    list(int(4), bulk("1-0"), bulk("4-0"), list(arr("alice", "2"), arr("bob", "2"))),
  );
  await raw.call("XACK", "s", "g", "1-0", "2-0", "3-0", "4-0");
  assert.equal(await raw.call("XPENDING", "s", "g"), list(int(0), NIL, NIL, NIL_ARRAY));
  await raw.call("HELLO", "3");
  assert.equal(await raw.call("XPENDING", "s", "g"), list(int(0), "_\r\n", "_\r\n", "_\r\n"));
  assert.equal(await raw.call("XPENDING", "s", "nope"), NOGROUP.replace("'g'", "'nope'"));
});

Deno.test("XPENDING's extended form reports idle times and delivery counts", async (t) => {
  const { s, raw } = await fixture();
  await using _ = s;
  s.clock.advance(5000);
  await t.step("every entry, idle from the server clock", async () => {
    assert.equal(
      await raw.call("XPENDING", "s", "g", "-", "+", "10"),
      list(
        row("1-0", "bob", 5000, 1),
        row("2-0", "bob", 5000, 1),
        row("3-0", "alice", 5000, 1),
        row("4-0", "alice", 5000, 1),
      ),
    );
  });
  await t.step("count, exclusive bounds, a consumer", async () => {
    assert.equal(
      await raw.call("XPENDING", "s", "g", "-", "+", "1"),
      list(row("1-0", "bob", 5000, 1)),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "(1-0", "(4-0", "10"),
      list(row("2-0", "bob", 5000, 1), row("3-0", "alice", 5000, 1)),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "-", "+", "10", "alice"),
      list(row("3-0", "alice", 5000, 1), row("4-0", "alice", 5000, 1)),
    );
    assert.equal(await raw.call("XPENDING", "s", "g", "-", "+", "10", "nobody"), EMPTY);
    assert.equal(await raw.call("XPENDING", "s", "g", "-", "+", "0"), EMPTY);
    assert.equal(await raw.call("XPENDING", "s", "g", "-", "+", "-1"), EMPTY);
  });
  await t.step("IDLE keeps entries idle at least that long", async () => {
    await raw.call("XCLAIM", "s", "g", "bob", "0", "2-0", "JUSTID");
    s.clock.advance(100);
    assert.equal(
      await raw.call("XPENDING", "s", "g", "IDLE", "5100", "-", "+", "10"),
      list(row("1-0", "bob", 5100, 1), row("3-0", "alice", 5100, 1), row("4-0", "alice", 5100, 1)),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "IDLE", "5100", "-", "+", "2", "bob"),
      list(row("1-0", "bob", 5100, 1)),
    );
    assert.equal(await raw.call("XPENDING", "s", "g", "IDLE", "5101", "-", "+", "10"), EMPTY);
  });
  await t.step("errors", async () => {
    assert.equal(await raw.call("XPENDING", "s", "g", "-", "+"), "-ERR syntax error\r\n");
    assert.equal(
      await raw.call("XPENDING", "s", "g", "IDLE", "x", "-", "+", "1"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "-", "(0-0", "1"),
      "-ERR invalid end ID for the interval\r\n",
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "x", "+", "1"),
      "-ERR Invalid stream ID specified as stream command argument\r\n",
    );
  });
});

Deno.test("XCLAIM takes entries idle long enough, setting their time and count", async (t) => {
  const { s, raw } = await fixture();
  await using _ = s;
  s.clock.advance(1000);
  await t.step(
    "min-idle-time filters; the claim resets the idle time and counts a delivery",
    async () => {
      assert.equal(await raw.call("XCLAIM", "s", "g", "carol", "1001", "1-0"), EMPTY);
      assert.equal(
        await raw.call("XCLAIM", "s", "g", "carol", "1000", "1-0", "3-0"),
        list(entry("1-0", "f", "v1"), entry("3-0", "f", "v3")),
      );
      assert.equal(
        await raw.call("XPENDING", "s", "g", "-", "+", "10"),
        list(
          row("1-0", "carol", 0, 2),
          row("2-0", "bob", 1000, 1),
          row("3-0", "carol", 0, 2),
          row("4-0", "alice", 1000, 1),
        ),
      );
    },
  );
  await t.step("JUSTID replies IDs and leaves the count alone", async () => {
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "dave", "0", "2", "4-0", "JUSTID"),
      arr("2-0", "4-0"),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "2-0", "2-0", "1"),
      list(row("2-0", "dave", 0, 1)),
    );
  });
  await t.step("IDLE, TIME and RETRYCOUNT", async () => {
    await raw.call("XCLAIM", "s", "g", "dave", "0", "1-0", "IDLE", "300", "RETRYCOUNT", "9");
    await raw.call("XCLAIM", "s", "g", "dave", "0", "3-0", "TIME", String(T0 + 500));
    // A time in the future, or before the epoch, is now.
    await raw.call("XCLAIM", "s", "g", "dave", "0", "4-0", "TIME", String(T0 + 99999), "JUSTID");
    await raw.call("XCLAIM", "s", "g", "dave", "0", "2-0", "IDLE", "-1", "RETRYCOUNT", "-4");
    assert.equal(
      await raw.call("XPENDING", "s", "g", "-", "+", "10"),
      list(
        row("1-0", "dave", 300, 9),
        row("2-0", "dave", 0, 2),
        row("3-0", "dave", 500, 3),
        row("4-0", "dave", 0, 1),
      ),
    );
  });
  await t.step("FORCE creates pending entries, for entries of the stream only", async () => {
    await raw.call("XADD", "s", "5-0", "f", "v5");
    assert.equal(await raw.call("XCLAIM", "s", "g", "erin", "0", "5-0"), EMPTY);
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "erin", "99999", "5-0", "6-0", "FORCE"),
      list(entry("5-0", "f", "v5")),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "5-0", "+", "10"),
      list(row("5-0", "erin", 0, 2)),
    );
  });
  await t.step("an entry deleted from the stream leaves the PEL", async () => {
    await raw.call("XDEL", "s", "1-0");
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "erin", "0", "1-0", "2-0", "JUSTID"),
      arr("2-0"),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g"),
      list(int(4), bulk("2-0"), bulk("5-0"), list(arr("dave", "2"), arr("erin", "2"))),
    );
  });
  await t.step("LASTID moves the group's last ID forward only", async () => {
    await raw.call("XCLAIM", "s", "g", "erin", "0", "9-0", "LASTID", "7-0");
    await raw.call("XCLAIM", "s", "g", "erin", "0", "9-0", "LASTID", "6-0");
    const groups = await raw.call("XINFO", "GROUPS", "s");
    assert.ok(groups.includes(bulk("7-0")), groups);
  });
  await t.step("errors", async () => {
    assert.equal(
      await raw.call("XCLAIM", "s", "nope", "c", "x", "1-0"),
      "-NOGROUP No such key 's' or consumer group 'nope'\r\n",
    );
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "c", "x", "1-0"),
      "-ERR Invalid min-idle-time argument for XCLAIM\r\n",
    );
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "c", "0", "1-0", "IDLE"),
      "-ERR Unrecognized XCLAIM option 'IDLE'\r\n",
    );
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "c", "0", "1-0", "RETRYCOUNT", "1.5"),
      "-ERR Invalid RETRYCOUNT option argument for XCLAIM\r\n",
    );
    assert.equal(
      await raw.call("XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "+"),
      "-ERR Invalid stream ID specified as stream command argument\r\n",
    );
  });
});

Deno.test("XCLAIM creates its consumer on the first claim, with xgroup-createconsumer", async () => {
  const { s, raw } = await fixture();
  await using _ = s;
  const events = recordEvents(s.server.engine);
  s.clock.advance(10);
  assert.equal(await raw.call("XCLAIM", "s", "g", "carol", "0", "9-0"), EMPTY);
  assert.equal(
    await raw.call("XINFO", "CONSUMERS", "s", "g").then((r) => r.includes("carol")),
    false,
  );
  assert.deepEqual(events, []);
  await raw.call("XCLAIM", "s", "g", "carol", "0", "1-0", "2-0", "JUSTID");
  assert.deepEqual(events, ["xgroup-createconsumer:s"]);
  s.clock.advance(40);
  assert.equal(
    await raw.call("XINFO", "CONSUMERS", "s", "g"),
    list(
      list(bulk("name"), bulk("alice"), bulk("pending"), int(2), bulk("idle"), int(50)),
      list(bulk("name"), bulk("bob"), bulk("pending"), int(0), bulk("idle"), int(50)),
      list(bulk("name"), bulk("carol"), bulk("pending"), int(2), bulk("idle"), int(40)),
    ),
  );
  // A claim that takes nothing, and XPENDING, leave the seen time; a claim refreshes it.
  await raw.call("XCLAIM", "s", "g", "bob", "0", "9-0");
  await raw.call("XAUTOCLAIM", "s", "g", "alice", "99999", "0");
  await raw.call("XPENDING", "s", "g", "-", "+", "10", "alice");
  await raw.call("XAUTOCLAIM", "s", "g", "bob", "0", "3-0", "COUNT", "1", "JUSTID");
  s.clock.advance(5);
  assert.equal(
    await raw.call("XINFO", "CONSUMERS", "s", "g"),
    list(
      list(bulk("name"), bulk("alice"), bulk("pending"), int(1), bulk("idle"), int(55)),
      list(bulk("name"), bulk("bob"), bulk("pending"), int(1), bulk("idle"), int(5)),
      list(bulk("name"), bulk("carol"), bulk("pending"), int(2), bulk("idle"), int(45)),
    ),
  );
  assert.deepEqual(events, ["xgroup-createconsumer:s"]);
});

Deno.test("XAUTOCLAIM walks the PEL in ID order and returns the next cursor", async (t) => {
  const { s, raw } = await fixture();
  await using _ = s;
  s.clock.advance(100);
  await t.step("COUNT bounds the claims; the cursor is the next pending ID", async () => {
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "carol", "100", "0", "COUNT", "1"),
      list(bulk("2-0"), list(entry("1-0", "f", "v1")), EMPTY),
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "carol", "100", "2-0", "COUNT", "2", "JUSTID"),
      list(bulk("4-0"), arr("2-0", "3-0"), EMPTY),
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "carol", "100", "(3-0"),
      list(bulk("0-0"), list(entry("4-0", "f", "v4")), EMPTY),
    );
  });
  await t.step("entries not idle long enough are passed over", async () => {
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "dave", "1", "0"),
      list(bulk("0-0"), EMPTY, EMPTY),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g", "-", "+", "10"),
      list(
        row("1-0", "carol", 0, 2),
        row("2-0", "carol", 0, 1),
        row("3-0", "carol", 0, 1),
        row("4-0", "carol", 0, 2),
      ),
    );
  });
  await t.step("entries deleted from the stream leave the PEL and are listed", async () => {
    await raw.call("XDEL", "s", "2-0", "3-0");
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "10", "JUSTID"),
      list(bulk("0-0"), arr("1-0", "4-0"), arr("2-0", "3-0")),
    );
    assert.equal(
      await raw.call("XPENDING", "s", "g"),
      list(int(2), bulk("1-0"), bulk("4-0"), list(arr("dave", "2"))),
    );
  });
  await t.step("errors", async () => {
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"),
      "-ERR COUNT must be > 0\r\n",
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "missing", "g", "c", "0", "0", "COUNT", "0"),
      "-ERR COUNT must be > 0\r\n",
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "missing", "g", "c", "0", "0"),
      "-NOGROUP No such key 'missing' or consumer group 'g'\r\n",
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "c", "x", "0"),
      "-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n",
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"),
      "-ERR syntax error\r\n",
    );
    // Where Redis's allocator refuses the buffer of COUNT deleted IDs.
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "c", "99999", "0", "COUNT", "5497558138880"),
      list(bulk("0-0"), EMPTY, EMPTY),
    );
    assert.equal(
      await raw.call("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "5497558138881"),
      "-ERR Insufficient memory, failed allocating transient memory, COUNT too high.\r\n",
    );
  });
});

Deno.test("XAUTOCLAIM visits at most ten PEL entries per COUNT", async () => {
  await using s = await testServer({ clock: new ManualClock(T0) });
  const raw = await s.raw();
  for (let i = 1; i <= 25; i++) await raw.call("XADD", "s", `${i}-0`, "f", "v");
  await raw.call("XGROUP", "CREATE", "s", "g", "0");
  await raw.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">");
  s.clock.advance(5);
  assert.equal(
    await raw.call("XAUTOCLAIM", "s", "g", "carol", "10", "0", "COUNT", "1"),
    list(bulk("11-0"), EMPTY, EMPTY),
  );
  assert.equal(
    await raw.call("XAUTOCLAIM", "s", "g", "carol", "5", "24-0", "COUNT", "1", "JUSTID"),
    list(bulk("25-0"), arr("24-0"), EMPTY),
  );
});

Deno.test("XINFO STREAM reports the stream and its first and last entries", async (t) => {
  await using s = await testServer({ clock: new ManualClock(T0) });
  const raw = await s.raw();
  await raw.call("XADD", "s", "1-0", "f", "v");
  await raw.call("XADD", "s", "2-0", "a", "b", "c", "d");
  await raw.call("XADD", "s", "3-0", "f", "v");
  await raw.call("XDEL", "s", "3-0");
  await raw.call("XGROUP", "CREATE", "s", "g", "0");
  const info = await raw.call("XINFO", "STREAM", "s");
  await t.step("the fields, in Redis's order", () => {
    assert.ok(
      info.startsWith(`*20\r\n${bulk("length")}${int(2)}${bulk("radix-tree-keys")}:`),
      info,
    );
    assert.ok(
      info.endsWith(
        `${bulk("last-generated-id")}${bulk("3-0")}${bulk("max-deleted-entry-id")}${bulk("3-0")}` +
          `${bulk("entries-added")}${int(3)}${bulk("recorded-first-entry-id")}${bulk("1-0")}` +
          `${bulk("groups")}${int(1)}${bulk("first-entry")}${entry("1-0", "f", "v")}` +
          `${bulk("last-entry")}${entry("2-0", "a", "b", "c", "d")}`,
      ),
      info,
    );
  });
  await t.step("a missing key, and an empty stream", async () => {
    assert.equal(await raw.call("XINFO", "STREAM", "missing"), "-ERR no such key\r\n");
    await raw.call("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM");
    const empty = await raw.call("XINFO", "STREAM", "e");
    assert.ok(empty.endsWith(`${bulk("first-entry")}${NIL}${bulk("last-entry")}${NIL}`), empty);
  });
  await t.step("RESP3: a map", async () => {
    await raw.call("HELLO", "3");
    const map = await raw.call("XINFO", "STREAM", "s");
    assert.ok(map.startsWith(`%10\r\n${bulk("length")}${int(2)}`), map);
  });
  await t.step("option errors", async () => {
    assert.equal(
      await raw.call("XINFO", "STREAM", "s", "FULL", "x", "1"),
      "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n",
    );
  });
});

Deno.test("XINFO STREAM FULL lays out entries, groups, PEL and consumers", async () => {
  const { s, raw } = await fixture();
  await using _ = s;
  s.clock.advance(7);
  await raw.call(
    "XCLAIM",
    "s",
    "g",
    "bob",
    "0",
    "3-0",
    "TIME",
    String(T0 + 3),
    "RETRYCOUNT",
    "5",
    "JUSTID",
  );
  const full = await raw.call("XINFO", "STREAM", "s", "FULL", "COUNT", "1");
  const group = list(
    bulk("name"),
    bulk("g"),
    bulk("last-delivered-id"),
    bulk("4-0"),
    bulk("entries-read"),
    int(4),
    bulk("lag"),
    int(0),
    bulk("pel-count"),
    int(4),
    bulk("pending"),
    list(list(bulk("1-0"), bulk("bob"), int(T0), int(1))),
    bulk("consumers"),
    list(
      list(
        bulk("name"),
        bulk("alice"),
        bulk("seen-time"),
        int(T0),
        bulk("pel-count"),
        int(1),
        bulk("pending"),
        list(list(bulk("4-0"), int(T0), int(1))),
      ),
      list(
        bulk("name"),
        bulk("bob"),
        bulk("seen-time"),
        int(T0 + 7),
        bulk("pel-count"),
        int(3),
        bulk("pending"),
        list(list(bulk("1-0"), int(T0), int(1))),
      ),
    ),
  );
  assert.ok(full.startsWith(`*18\r\n${bulk("length")}${int(4)}`), full);
  assert.ok(
    full.endsWith(
      `${bulk("entries")}${list(entry("1-0", "f", "v1"))}${bulk("groups")}${list(group)}`,
    ),
    full,
  );
});

Deno.test("XINFO GROUPS and XINFO CONSUMERS", async (t) => {
  const { s, raw } = await fixture();
  await using _ = s;
  await t.step("groups by name with their counters", async () => {
    assert.equal(
      await raw.call("XINFO", "GROUPS", "s"),
      list(
        list(
          bulk("name"),
          bulk("g"),
          bulk("consumers"),
          int(2),
          bulk("pending"),
          int(4),
          bulk("last-delivered-id"),
          bulk("4-0"),
          bulk("entries-read"),
          int(4),
          bulk("lag"),
          int(0),
        ),
      ),
    );
  });
  await t.step("consumers: idle from the seen time", async () => {
    s.clock.advance(25);
    assert.equal(
      await raw.call("XINFO", "CONSUMERS", "s", "g"),
      list(
        list(bulk("name"), bulk("alice"), bulk("pending"), int(2), bulk("idle"), int(25)),
        list(bulk("name"), bulk("bob"), bulk("pending"), int(2), bulk("idle"), int(25)),
      ),
    );
    assert.equal(
      await raw.call("XINFO", "CONSUMERS", "s", "nope"),
      "-NOGROUP No such consumer group 'nope' for key name 's'\r\n",
    );
  });
  await t.step("HELP", async () => {
    const help = await raw.call("XINFO", "HELP");
    assert.ok(help.startsWith("*9\r\n+XINFO <subcommand>"), help);
  });
});

const FIXTURE: readonly (readonly string[])[] = [
  ["XADD", "s", "1-0", "f", "v"],
  ["XADD", "s", "2-0", "f", "v"],
  ["XADD", "s", "3-0", "f", "v"],
  ["XGROUP", "CREATE", "s", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
];

/** Each claim and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "bob", "0", "1-0"], changes: 1 },
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "carol", "0", "1-0", "2-0"], changes: 3 },
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "carol", "0", "9-0"], changes: 0 },
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "carol", "9999999", "1-0"], changes: 0 },
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "bob", "0", "9-0", "LASTID", "5-0"], changes: 1 },
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "5-0"], changes: 1 },
  { setup: FIXTURE, run: ["XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "1-0"], changes: 1 },
  {
    setup: [...FIXTURE, ["XDEL", "s", "1-0", "2-0"]],
    run: ["XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "3-0"],
    changes: 3,
  },
  {
    setup: [["XADD", "s", "1-0", "f", "v"], ["XGROUP", "CREATE", "s", "g", "$"]],
    run: ["XCLAIM", "s", "g", "c", "0", "1-0", "FORCE"],
    changes: 2,
  },
  { setup: FIXTURE, run: ["XCLAIM", "s", "nope", "c", "0", "1-0"], changes: 0 },
  { setup: FIXTURE, run: ["XAUTOCLAIM", "s", "g", "bob", "0", "0"], changes: 3 },
  { setup: FIXTURE, run: ["XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "2"], changes: 3 },
  { setup: FIXTURE, run: ["XAUTOCLAIM", "s", "g", "carol", "9999999", "0"], changes: 0 },
  {
    setup: [...FIXTURE, ["XDEL", "s", "2-0"]],
    run: ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "JUSTID"],
    changes: 3,
  },
  { setup: FIXTURE, run: ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "0"], changes: 0 },
];

dirtyCountTests("stream-info", { handlers: STREAM_INFO_HANDLERS, cases: DIRTY_CASES });
