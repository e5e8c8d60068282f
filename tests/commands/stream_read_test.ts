import assert from "node:assert/strict";
import { testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { STREAM_READ_HANDLERS } from "../../src/commands/stream_read.ts";
import { Engine } from "../../src/engine.ts";
import { ManualClock } from "../../src/clock.ts";
import type { Client } from "../../src/client.ts";
import type { Reply } from "../../src/resp/reply.ts";
import type { StreamValue } from "../../src/store/stream.ts";
import { formatId, streamId } from "../../src/store/stream_id.ts";
import { arr, bulk, int } from "../support/resp.ts";

const T0 = 1_700_000_000_000;

/** An in-process engine on a manual clock, with one client. */
function engine(): {
  engine: Engine;
  clock: ManualClock;
  c: Client;
  run: (...a: string[]) => Reply;
} {
  const clock = new ManualClock(T0);
  const e = new Engine({ clock });
  const c = e.connect();
  const run = (...argv: string[]): Reply => {
    const r = e.call(c, argv);
    assert.ok(!(r instanceof Promise), `${argv.join(" ")} blocked`);
    return r;
  };
  return { engine: e, clock, c, run };
}

/** A reply as plain data: strings, numbers, null, nested arrays, errors as `-text`. */
function plain(r: Reply): unknown {
  switch (r.kind) {
    case "simple":
      return r.value;
    case "error":
      return `-${r.message}`;
    case "integer":
      return Number(r.value);
    case "bulk":
      return r.value;
    case "nil":
    case "nilArray":
      return null;
    case "array":
    case "set":
      return r.items.map(plain);
    case "bulks":
      return [...r.values];
    case "map":
      return { map: r.entries.map(([k, v]) => [plain(k), plain(v)]) };
    default:
      return r.kind;
  }
}

function stream(e: Engine, key: string): StreamValue {
  return e.db(0).get(key) as StreamValue;
}

function addEntries(run: (...a: string[]) => Reply, key: string, ids: string[]): void {
  for (const id of ids) assert.equal(plain(run("XADD", key, id, "f", id)), id);
}

Deno.test("XREAD reads past an ID, with COUNT, across streams, RESP2 and RESP3", () => {
  const { engine: e, c, run } = engine();
  try {
    addEntries(run, "s", ["1-1", "1-2", "1-3"]);
    addEntries(run, "t", ["5-0"]);
    assert.deepEqual(plain(run("XREAD", "COUNT", "2", "STREAMS", "s", "t", "1-1", "0")), [
      ["s", [["1-2", ["f", "1-2"]], ["1-3", ["f", "1-3"]]]],
      ["t", [["5-0", ["f", "5-0"]]]],
    ]);
    assert.equal(plain(run("XREAD", "STREAMS", "s", "$")), null);
    assert.equal(plain(run("XREAD", "STREAMS", "nope", "0")), null);
    c.resp = 3;
    assert.deepEqual(plain(run("XREAD", "STREAMS", "s", "1-2")), {
      map: [["s", [["1-3", ["f", "1-3"]]]]],
    });
  } finally {
    e.close();
  }
});

Deno.test("XREAD and XREADGROUP errors", () => {
  const { engine: e, run } = engine();
  try {
    addEntries(run, "s", ["1-1"]);
    run("SET", "str", "x");
    const cases: [string[], string][] = [
      [
        ["XREAD", "STREAMS", "s", "t", "0"],
        "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
      ],
      [
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">"],
        "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
      ],
      [
        ["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"],
        "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
      ],
      [
        ["XREAD", "NOACK", "STREAMS", "s", "0"],
        "-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
      ],
      [
        ["XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"],
        "-ERR Missing GROUP option for XREADGROUP",
      ],
      [["XREAD", "COUNT", "1", "s", "0"], "-ERR syntax error"],
      [
        ["XREAD", "STREAMS", "s", ">"],
        "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
      ],
      [
        ["XREAD", "STREAMS", "s", "-"],
        "-ERR Invalid stream ID specified as stream command argument",
      ],
      [
        ["XREAD", "STREAMS", "str", "0"],
        "-WRONGTYPE Operation against a key holding the wrong kind of value",
      ],
      [["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"], "-ERR timeout is negative"],
      [
        ["XREAD", "BLOCK", "x", "STREAMS", "s", "0"],
        "-ERR timeout is not an integer or out of range",
      ],
      [
        ["XREAD", "COUNT", "x", "STREAMS", "s", "0"],
        "-ERR value is not an integer or out of range",
      ],
      [
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
        "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option",
      ],
      [
        ["XGROUP", "CREATE", "nope", "g", "$"],
        "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
      ],
      [["XGROUP", "SETID", "s", "g", "0"], "-NOGROUP No such consumer group 'g' for key name 's'"],
      [
        ["XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "-2"],
        "-ERR value for ENTRIESREAD must be positive or -1",
      ],
      [
        ["XGROUP", "CREATE", "s", "g", "0", "FOO"],
        "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.",
      ],
    ];
    for (const [argv, expected] of cases) {
      assert.equal(plain(run(...argv)), expected, argv.join(" "));
    }
    assert.equal(plain(run("XGROUP", "CREATE", "s", "g", "0")), "OK");
    assert.equal(
      plain(run("XGROUP", "CREATE", "s", "g", "0")),
      "-BUSYGROUP Consumer Group name already exists",
    );
    assert.equal(
      plain(run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$")),
      "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
    );
  } finally {
    e.close();
  }
});

Deno.test("XREADGROUP delivers, records pending entries, and serves history", () => {
  const { engine: e, clock, run } = engine();
  try {
    addEntries(run, "s", ["1-1", "1-2", "1-3"]);
    run("XGROUP", "CREATE", "s", "g", "0");
    clock.advance(10);
    assert.deepEqual(
      plain(run("XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">")),
      [
        ["s", [["1-1", ["f", "1-1"]], ["1-2", ["f", "1-2"]]]],
      ],
    );
    const g = stream(e, "s").groups!.get("g")!;
    assert.equal(formatId(g.lastId), "1-2");
    assert.equal(g.entriesRead, 2n);
    const a = g.consumer("a")!;
    assert.equal(a.seenTime, T0 + 10);
    assert.equal(g.pending.size, 2);
    const e1 = g.pending.get(streamId(1, 1))!;
    assert.equal(e1.consumer, a);
    assert.equal(e1.deliveryCount, 1n);
    assert.equal(e1.deliveryTime, T0 + 10);
    // History: delivered again, count and time move.
    clock.advance(5);
    assert.deepEqual(
      plain(run("XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", "0")),
      [
        ["s", [["1-1", ["f", "1-1"]]]],
      ],
    );
    assert.equal(e1.deliveryCount, 2n);
    assert.equal(e1.deliveryTime, T0 + 15);
    // Another consumer sees only its own history.
    assert.deepEqual(plain(run("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", "0")), [["s", []]]);
    assert.deepEqual(plain(run("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">")), [
      ["s", [["1-3", ["f", "1-3"]]]],
    ]);
    assert.equal(plain(run("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">")), null);
    // A deleted pending entry reads as nil.
    run("XDEL", "s", "1-2");
    assert.deepEqual(plain(run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0")), [
      ["s", [["1-1", ["f", "1-1"]], ["1-2", null]]],
    ]);
    assert.equal(plain(run("XACK", "s", "g", "1-1", "1-2", "1-9")), 2);
    assert.equal(g.pending.size, 1);
    assert.equal(a.pending.size, 0);
    assert.equal(
      plain(run("XACK", "s", "g", "1-3", "bad")),
      "-ERR Invalid stream ID specified as stream command argument",
    );
    assert.equal(g.pending.size, 1, "XACK is all or nothing");
    assert.equal(plain(run("XACK", "s", "nope", "bad")), 0);
    assert.equal(plain(run("XACK", "nope", "g", "1-1")), 0);
  } finally {
    e.close();
  }
});

Deno.test("XREADGROUP NOACK moves the group without pending entries", () => {
  const { engine: e, run } = engine();
  try {
    addEntries(run, "s", ["1-1", "1-2"]);
    run("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(plain(run("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">")), [
      ["s", [["1-1", ["f", "1-1"]], ["1-2", ["f", "1-2"]]]],
    ]);
    const g = stream(e, "s").groups!.get("g")!;
    assert.equal(g.pending.size, 0);
    assert.equal(formatId(g.lastId), "1-2");
    assert.ok(g.consumer("c") !== undefined);
  } finally {
    e.close();
  }
});

Deno.test("XGROUP subcommands", () => {
  const { engine: e, run } = engine();
  try {
    assert.equal(
      plain(run("XGROUP", "CREATE", "m", "g", "$", "MKSTREAM", "ENTRIESREAD", "3")),
      "OK",
    );
    const g = stream(e, "m").groups!.get("g")!;
    assert.equal(g.entriesRead, 3n);
    assert.equal(plain(run("XGROUP", "SETID", "m", "g", "5-5", "ENTRIESREAD", "7")), "OK");
    assert.equal(formatId(g.lastId), "5-5");
    assert.equal(g.entriesRead, 7n);
    assert.equal(plain(run("XGROUP", "SETID", "m", "g", "6")), "OK");
    assert.equal(g.entriesRead, -1n);
    assert.equal(plain(run("XGROUP", "CREATECONSUMER", "m", "g", "c")), 1);
    assert.equal(plain(run("XGROUP", "CREATECONSUMER", "m", "g", "c")), 0);
    assert.equal(plain(run("XGROUP", "DELCONSUMER", "m", "g", "c")), 0);
    assert.equal(plain(run("XGROUP", "DELCONSUMER", "m", "g", "c")), 0);
    assert.equal(plain(run("XGROUP", "DESTROY", "m", "g")), 1);
    assert.equal(plain(run("XGROUP", "DESTROY", "m", "g")), 0);
    const help = plain(run("XGROUP", "HELP")) as string[];
    assert.equal(help[0], "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.equal(help[help.length - 1], "    Prints this help.");
  } finally {
    e.close();
  }
});

Deno.test("blocked reads: served by XADD, timed out by the clock, never inside MULTI", async (t) => {
  const { engine: e, clock, run } = engine();
  const other = e.connect();
  try {
    addEntries(run, "s", ["1-1"]);
    await t.step("XREAD with $ gets just the new entry", async () => {
      const pending = e.call(other, ["XREAD", "BLOCK", "0", "STREAMS", "s", "nope", "$", "$"]);
      assert.ok(pending instanceof Promise);
      assert.equal(e.blocking.count, 1);
      addEntries(run, "s", ["2-0", "2-1"]);
      assert.deepEqual(plain(await pending), [["s", [["2-0", ["f", "2-0"]]]]]);
    });
    await t.step("a timeout answers the null array", async () => {
      const pending = e.call(other, ["XREAD", "BLOCK", "100", "STREAMS", "s", "$"]);
      assert.ok(pending instanceof Promise);
      clock.advance(99);
      assert.equal(e.blocking.count, 1);
      clock.advance(1);
      assert.equal(plain(await pending), null);
    });
    await t.step("a blocked XREAD without COUNT gets at most 1000 entries", async () => {
      const pending = e.call(other, ["XREAD", "BLOCK", "0", "STREAMS", "big", "0"]);
      run("MULTI");
      for (let i = 1; i <= 1005; i++) run("XADD", "big", `${i}-0`, "f", "v");
      run("EXEC");
      const reply = plain(await pending) as [string, unknown[]][];
      assert.equal(reply[0]![1].length, 1000);
    });
    await t.step("XREADGROUP > serves one consumer per new entry, in arrival order", async () => {
      run("XGROUP", "CREATE", "s", "g", "$");
      const first = e.connect();
      const second = e.connect();
      const p1 = e.call(first, [
        "XREADGROUP",
        "GROUP",
        "g",
        "a",
        "BLOCK",
        "0",
        "STREAMS",
        "s",
        ">",
      ]);
      const p2 = e.call(second, [
        "XREADGROUP",
        "GROUP",
        "g",
        "b",
        "BLOCK",
        "0",
        "STREAMS",
        "s",
        ">",
      ]);
      addEntries(run, "s", ["3-0"]);
      assert.deepEqual(plain(await p1), [["s", [["3-0", ["f", "3-0"]]]]]);
      assert.equal(e.blocking.count, 1);
      addEntries(run, "s", ["3-1"]);
      assert.deepEqual(plain(await p2), [["s", [["3-1", ["f", "3-1"]]]]]);
      const g = stream(e, "s").groups!.get("g")!;
      assert.equal(g.pending.get(streamId(3, 0))!.consumer.name, "a");
      assert.equal(g.pending.get(streamId(3, 1))!.consumer.name, "b");
    });
    await t.step("inside MULTI the reads answer at once", () => {
      run("MULTI");
      run("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      run("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">");
      assert.deepEqual(plain(run("EXEC")), [null, null]);
    });
  } finally {
    e.close();
  }
});

Deno.test("a blocked XREADGROUP is told when its stream or group goes away", async (t) => {
  const { engine: e, clock, run } = engine();
  const other = e.connect();
  const blockOn = (key: string) =>
    e.call(other, ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", key, ">"]);
  const fresh = (key: string) => {
    run("DEL", key);
    run("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
  };
  try {
    for (
      const [what, act, expected] of [
        ["DEL", () => run("DEL", "s"), "-UNBLOCKED the stream key no longer exists"],
        ["SET", () => run("SET", "s", "x"), "-UNBLOCKED the stream key no longer exists"],
        ["RENAME", () => run("RENAME", "s", "s2"), "-UNBLOCKED the stream key no longer exists"],
        ["FLUSHALL", () => run("FLUSHALL"), "-UNBLOCKED the stream key no longer exists"],
        ["SWAPDB", () => run("SWAPDB", "0", "1"), "-UNBLOCKED the stream key no longer exists"],
        [
          "XGROUP DESTROY",
          () => run("XGROUP", "DESTROY", "s", "g"),
          "-NOGROUP the consumer group this client was blocked on no longer exists",
        ],
        ["expiry", () => {
          run("PEXPIRE", "s", "10");
          clock.advance(10);
          run("EXISTS", "s");
        }, "-UNBLOCKED the stream key no longer exists"],
      ] as const
    ) {
      await t.step(what, async () => {
        fresh("s");
        const pending = blockOn("s");
        assert.ok(pending instanceof Promise);
        act();
        assert.equal(plain(await pending), expected);
        assert.equal(e.blocking.count, 0);
      });
    }
    await t.step("a blocked XREAD keeps waiting through a DEL", async () => {
      fresh("s");
      const pending = e.call(other, ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
      run("DEL", "s");
      assert.equal(e.blocking.count, 1);
      addEntries(run, "s", ["0-1"]);
      assert.deepEqual(plain(await pending), [["s", [["0-1", ["f", "0-1"]]]]]);
    });
  } finally {
    e.close();
  }
});

Deno.test("XREADGROUP through ioredis and a raw client", async () => {
  await using t = await testServer();
  const redis = await t.redis();
  assert.equal(await redis.xgroup("CREATE", "jobs", "workers", "$", "MKSTREAM"), "OK");
  const waiting = (await t.redis()).xreadgroup(
    "GROUP",
    "workers",
    "w1",
    "COUNT",
    "10",
    "BLOCK",
    "0",
    "STREAMS",
    "jobs",
    ">",
  );
  // Let the blocked read arrive before the XADD.
  await new Promise((r) => setTimeout(r, 30));
  await redis.xadd("jobs", "1-1", "task", "a");
  assert.deepEqual(await waiting, [["jobs", [["1-1", ["task", "a"]]]]]);
  assert.equal(await redis.xack("jobs", "workers", "1-1"), 1);
  const raw = await t.raw();
  assert.equal(
    await raw.call("XREADGROUP", "GROUP", "workers", "w1", "STREAMS", "jobs", "0"),
    `*1\r\n*2\r\n${bulk("jobs")}*0\r\n`,
  );
  await redis.xadd("jobs", "1-2", "task", "b");
  assert.equal(
    await raw.call("XREAD", "STREAMS", "jobs", "1-1"),
    `*1\r\n*2\r\n${bulk("jobs")}*1\r\n*2\r\n${bulk("1-2")}${arr("task", "b")}`,
  );
  await raw.call("HELLO", "3");
  assert.equal(
    await raw.call("XREAD", "STREAMS", "jobs", "1-1"),
    `%1\r\n${bulk("jobs")}*1\r\n*2\r\n${bulk("1-2")}${arr("task", "b")}`,
  );
  assert.equal(await raw.call("XGROUP", "DESTROY", "jobs", "workers"), int(1));
});

/** Entries 1-1 .. 1-3 in `s`. */
const S3 = [["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "1-2", "f", "v"], [
  "XADD",
  "s",
  "1-3",
  "f",
  "v",
]];
const G = [...S3, ["XGROUP", "CREATE", "s", "g", "0"]];

const DIRTY_CASES: readonly DirtyCase[] = [
  { setup: G, run: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"], changes: 2 },
  {
    setup: [...G, ["XGROUP", "CREATECONSUMER", "s", "g", "c"]],
    run: ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"],
    changes: 1,
  },
  {
    setup: [...G, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]],
    run: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    changes: 0,
  },
  {
    setup: [...G, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]],
    run: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"],
    changes: 1,
  },
  { setup: G, run: ["XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">"], changes: 2 },
  {
    setup: [...G, ["XADD", "t", "1-1", "f", "v"], ["XGROUP", "CREATE", "t", "g", "0"]],
    // A consumer created in each stream's group, and each stream answered.
    run: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">", ">"],
    changes: 4,
  },
  { setup: G, run: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"], changes: 0 },
  {
    setup: [...G, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]],
    run: ["XACK", "s", "g", "1-1", "1-2", "9-9"],
    changes: 2,
  },
  { setup: G, run: ["XACK", "s", "g", "1-1"], changes: 0 },
  { run: ["XACK", "s", "g", "1-1"], changes: 0 },
  { setup: S3, run: ["XGROUP", "CREATE", "s", "g", "$"], changes: 1 },
  { run: ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"], changes: 1 },
  { setup: G, run: ["XGROUP", "CREATE", "s", "g", "$"], changes: 0 },
  { setup: G, run: ["XGROUP", "SETID", "s", "g", "1-1"], changes: 1 },
  { setup: G, run: ["XGROUP", "DESTROY", "s", "g"], changes: 1 },
  { setup: S3, run: ["XGROUP", "DESTROY", "s", "g"], changes: 0 },
  { setup: G, run: ["XGROUP", "CREATECONSUMER", "s", "g", "c"], changes: 1 },
  {
    setup: [...G, ["XGROUP", "CREATECONSUMER", "s", "g", "c"]],
    run: ["XGROUP", "CREATECONSUMER", "s", "g", "c"],
    changes: 0,
  },
  {
    setup: [...G, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]],
    run: ["XGROUP", "DELCONSUMER", "s", "g", "c"],
    changes: 1,
  },
  { setup: G, run: ["XGROUP", "DELCONSUMER", "s", "g", "c"], changes: 0 },
];

dirtyCountTests("stream-read", { handlers: STREAM_READ_HANDLERS, cases: DIRTY_CASES });

Deno.test("XREADGROUP creates and marks its consumer only for a stream it answers", async () => {
  const { engine: e, clock, run } = engine();
  const other = e.connect();
  try {
    run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    const g = stream(e, "s").groups!.get("g")!;
    assert.equal(plain(run("XREADGROUP", "GROUP", "g", "idle", "STREAMS", "s", ">")), null);
    assert.equal(g.consumer("idle"), undefined, "nothing read: no consumer");
    const pending = e.call(other, [
      "XREADGROUP",
      "GROUP",
      "g",
      "w",
      "BLOCK",
      "0",
      "STREAMS",
      "s",
      ">",
    ]);
    assert.equal(g.consumer("w"), undefined, "blocked: no consumer yet");
    clock.advance(50);
    addEntries(run, "s", ["1-1"]);
    assert.deepEqual(plain(await pending), [["s", [["1-1", ["f", "1-1"]]]]]);
    assert.equal(g.consumer("w")!.seenTime, T0 + 50);
    clock.advance(50);
    assert.deepEqual(plain(run("XREADGROUP", "GROUP", "g", "w", "STREAMS", "s", "0")), [
      ["s", [["1-1", ["f", "1-1"]]]],
    ]);
    assert.equal(g.consumer("w")!.seenTime, T0 + 100);
    assert.equal(g.pending.get(streamId(1, 1))!.deliveryCount, 2n);
  } finally {
    e.close();
  }
});
