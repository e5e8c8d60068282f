import assert from "node:assert/strict";
import { hasRedisServer, RawClient, startRealRedis, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { STREAM_HANDLERS } from "../../src/commands/stream.ts";
import type { Engine } from "../../src/engine.ts";
import { StreamValue } from "../../src/store/stream.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/** Records keyspace notifications as `class:event:key` (not `keymiss` and `new`). */
function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    if (cls !== "m" && cls !== "n") events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

Deno.test("XADD appends entries and XRANGE reads them back", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  await t.step("explicit IDs, several fields, binary values", async () => {
    assert.equal(await redis.xadd("s", "1-1", "a", "1", "b", "2"), "1-1");
    assert.equal(await redis.xadd("s", "1-*", "a", "\x00\xff"), "1-2");
    assert.equal(await redis.xadd("s", "7", "c", "3"), "7-0");
    assert.deepEqual(await redis.xrange("s", "-", "+"), [
      ["1-1", ["a", "1", "b", "2"]],
      ["1-2", ["a", "\x00\xff"]],
      ["7-0", ["c", "3"]],
    ]);
    assert.deepEqual(await redis.xrevrange("s", "+", "-", "COUNT", 1), [["7-0", ["c", "3"]]]);
    assert.equal(await redis.xlen("s"), 3);
    assert.equal(await redis.type("s"), "stream");
    assert.equal(await redis.object("ENCODING", "s"), "stream");
  });
  await t.step("errors: ordering, 0-0, wrong type, arity", async () => {
    const raw = await s.raw();
    assert.equal(
      await raw.call("XADD", "s", "7-0", "a", "1"),
      "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    );
    assert.equal(
      await raw.call("XADD", "s", "0-0", "a", "1"),
      "-ERR The ID specified in XADD must be greater than 0-0\r\n",
    );
    await raw.call("SET", "str", "x");
    assert.equal(await raw.call("XADD", "str", "*", "a", "1"), WRONGTYPE);
    assert.equal(
      await raw.call("XADD", "s", "*", "a", "1", "b"),
      "-ERR wrong number of arguments for 'xadd' command\r\n",
    );
    assert.equal(await raw.call("XADD", "nokey", "NOMKSTREAM", "*", "a", "1"), "$-1\r\n");
    assert.equal(await raw.call("EXISTS", "nokey"), ":0\r\n");
  });
});

Deno.test("XADD * takes its IDs from the server clock and never goes back", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const now = s.clock.now();
  assert.equal(
    await raw.call("XADD", "s", "*", "f", "v"),
    `$${String(now).length + 2}\r\n${now}-0\r\n`,
  );
  assert.equal(
    await raw.call("XADD", "s", "*", "f", "v"),
    `$${String(now).length + 2}\r\n${now}-1\r\n`,
  );
  s.clock.advance(5);
  const later = now + 5;
  assert.equal(
    await raw.call("XADD", "s", "*", "f", "v"),
    `$${String(later).length + 2}\r\n${later}-0\r\n`,
  );
  // An explicit ID ahead of the clock: * continues from it.
  const ahead = later + 1000;
  await raw.call("XADD", "s", `${ahead}-7`, "f", "v");
  assert.equal(
    await raw.call("XADD", "s", "*", "f", "v"),
    `$${String(ahead).length + 2}\r\n${ahead}-8\r\n`,
  );
});

Deno.test("the stream writes publish Redis's keyspace events", async () => {
  await using s = await testServer();
  const events = recordEvents(s.server.engine);
  const raw = await s.raw();
  await raw.call("XADD", "s", "1-1", "f", "v");
  await raw.call("XADD", "s", "MAXLEN", "1", "2-1", "f", "v");
  await raw.call("XADD", "s", "MAXLEN", "5", "3-1", "f", "v");
  await raw.call("XDEL", "s", "9-9");
  await raw.call("XDEL", "s", "3-1");
  await raw.call("XTRIM", "s", "MAXLEN", "5");
  await raw.call("XTRIM", "s", "MAXLEN", "0");
  await raw.call("XSETID", "s", "10-0");
  assert.deepEqual(events, [
    "t:xadd:s",
    "t:xadd:s",
    "t:xtrim:s",
    "t:xadd:s",
    "t:xdel:s",
    "t:xtrim:s",
    "t:xsetid:s",
  ]);
});

Deno.test("XADD to an existing stream signals its key to blocked readers", async () => {
  await using s = await testServer();
  const engine = s.server.engine;
  const signalled: string[] = [];
  const blocking = engine.blocking;
  const original = blocking.signal.bind(blocking);
  blocking.signal = (db, key) => {
    signalled.push(key);
    original(db, key);
  };
  const raw = await s.raw();
  await raw.call("XADD", "s", "1-1", "f", "v");
  // The key's creation signals it (the database's created hook).
  assert.deepEqual(signalled, ["s"]);
  signalled.length = 0;
  await raw.call("XADD", "s", "2-1", "f", "v");
  assert.deepEqual(signalled, ["s"], "an append to an existing stream");
  await raw.call("XADD", "s", "1-1", "f", "v");
  await raw.call("XADD", "nokey", "NOMKSTREAM", "*", "f", "v");
  assert.deepEqual(signalled, ["s"], "a failed XADD signals nothing");
});

/** Runs the same commands on two servers. */
async function both(a: RawClient, b: RawClient, ...argv: string[]): Promise<void> {
  const [x, y] = await Promise.all([a.call(...argv), b.call(...argv)]);
  assert.equal(x, y, argv.join(" "));
}

/** XINFO STREAM's radix-tree-keys and radix-tree-nodes, from its RESP2 reply. */
function raxFigures(reply: string): [number, number] {
  const keys = /\$15\r\nradix-tree-keys\r\n:(\d+)\r\n/.exec(reply);
  const nodes = /\$16\r\nradix-tree-nodes\r\n:(\d+)\r\n/.exec(reply);
  assert.ok(keys !== null && nodes !== null, reply);
  return [Number(keys[1]), Number(nodes[1])];
}

Deno.test({
  name: "the node layout and rax node count equal Redis's XINFO STREAM figures",
  ignore: !hasRedisServer(), // the oracle is a real redis-server
  fn: async (t) => {
    await using s = await testServer();
    await using real = await startRealRedis();
    await using ours = await RawClient.connect(s.port);
    await using theirs = await RawClient.connect(real.port);
    const shapes: [string, string[][]][] = [];
    const seq = (n: number, f: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => ["XADD", "s", f(i), "f", `v${i}`]);
    shapes.push(["one entry", seq(1, () => "5-1")]);
    shapes.push(["two entries, one node", seq(2, (i) => `${i + 1}-1`)]);
    shapes.push(["250 sequential ms", seq(250, (i) => `${i + 1}-1`)]);
    shapes.push(["1000 clock-like IDs", seq(1000, (i) => `${1700000000000 + i * 3}-${i % 4}`)]);
    shapes.push(["seq only", seq(700, (i) => `9-${i}`)]);
    shapes.push([
      "wide IDs",
      seq(300, (i) => `${18446744073709551000n + BigInt(i)}-${i}`),
    ]);
    for (const [name, script] of shapes) {
      await t.step(name, async () => {
        for (const [entries, bytes] of [["100", "4096"], ["2", "4096"], ["3", "60"], ["0", "0"]]) {
          await both(ours, theirs, "FLUSHALL");
          await both(ours, theirs, "CONFIG", "SET", "stream-node-max-entries", entries!);
          await both(ours, theirs, "CONFIG", "SET", "stream-node-max-bytes", bytes!);
          for (const argv of script) await both(ours, theirs, ...argv);
          const check = async (what: string) => {
            const stream = s.server.engine.db(0).get("s");
            assert.ok(stream instanceof StreamValue);
            const [keys, nodes] = raxFigures(await theirs.call("XINFO", "STREAM", "s"));
            assert.deepEqual(
              [stream.radixTreeKeys, stream.radixTreeNodes],
              [keys, nodes],
              `${what} (node-max-entries ${entries}, node-max-bytes ${bytes})`,
            );
          };
          await check("after the appends");
          const ids = script.map((argv) => argv[2]!);
          await both(ours, theirs, "XDEL", "s", ...ids.filter((_, i) => i % 3 === 1));
          await check("after XDEL");
          await both(
            ours,
            theirs,
            "XTRIM",
            "s",
            "MAXLEN",
            "~",
            String(Math.floor(script.length / 2)),
          );
          await check("after XTRIM ~");
          await both(ours, theirs, "XDEL", "s", ...ids.slice(0, Math.ceil(script.length * 0.8)));
          await check("after deleting most");
        }
      });
    }
    await both(ours, theirs, "CONFIG", "SET", "stream-node-max-entries", "100");
    await both(ours, theirs, "CONFIG", "SET", "stream-node-max-bytes", "4096");
  },
});

/** DEBUG OBJECT's serializedlength. */
function serializedLength(reply: string): number {
  const m = / serializedlength:(\d+) /.exec(reply);
  assert.ok(m !== null, reply);
  return Number(m[1]);
}

Deno.test({
  name: "DEBUG OBJECT, MEMORY USAGE and DEBUG DIGEST-VALUE of streams equal Redis's",
  ignore: !hasRedisServer(), // the oracle is a real redis-server
  fn: async (t) => {
    await using s = await testServer({ config: { "enable-debug-command": "yes" } });
    await using real = await startRealRedis([
      "--rdbcompression",
      "no",
      "--enable-debug-command",
      "yes",
    ]);
    await using ours = await RawClient.connect(s.port);
    await using theirs = await RawClient.connect(real.port);
    const groups = s.server.engine.commands.lookup("xgroup") !== undefined &&
      s.server.engine.commands.lookup("xreadgroup") !== undefined;
    const compare = async (what: string) => {
      for (const key of ["s", "big", "wide"]) {
        assert.equal(
          serializedLength(await ours.call("DEBUG", "OBJECT", key)),
          serializedLength(await theirs.call("DEBUG", "OBJECT", key)),
          `${what}: serializedlength of ${key}`,
        );
        for (const samples of ["5", "0", "1"]) {
          assert.equal(
            await ours.call("MEMORY", "USAGE", key, "SAMPLES", samples),
            await theirs.call("MEMORY", "USAGE", key, "SAMPLES", samples),
            `${what}: MEMORY USAGE ${key} SAMPLES ${samples}`,
          );
        }
        assert.equal(
          await ours.call("DEBUG", "DIGEST-VALUE", key),
          await theirs.call("DEBUG", "DIGEST-VALUE", key),
          `${what}: digest of ${key}`,
        );
      }
    };
    await t.step("entries only", async () => {
      await both(ours, theirs, "XADD", "s", "1-1", "f", "v");
      for (let i = 0; i < 700; i++) {
        await both(
          ours,
          theirs,
          "XADD",
          "big",
          `${1700000000000 + i}-${i % 3}`,
          "field",
          `value-${i}`,
          "n",
          String(i),
        );
      }
      await both(ours, theirs, "XADD", "wide", "18446744073709551614-5", "a", "1");
      await both(ours, theirs, "XADD", "wide", "18446744073709551615-*", "b", "2", "c", "3");
      await compare("appended");
      await both(ours, theirs, "XDEL", "big", "1700000000005-2", "1700000000400-1");
      await both(ours, theirs, "XTRIM", "big", "MAXLEN", "~", "500");
      await both(
        ours,
        theirs,
        "XSETID",
        "s",
        "99-0",
        "ENTRIESADDED",
        "70000",
        "MAXDELETEDID",
        "5-5",
      );
      await compare("after XDEL, XTRIM and XSETID");
    });
    await t.step({
      name: "with consumer groups",
      ignore: !groups, // XGROUP and XREADGROUP come from stream_read.ts
      fn: async () => {
        for (const key of ["s", "big", "wide"]) {
          await both(ours, theirs, "XGROUP", "CREATE", key, "g1", "0");
          await both(ours, theirs, "XGROUP", "CREATE", key, "g2", "$");
        }
        // Replies carry delivery data, not times: only the effects matter here.
        for (const key of ["s", "big", "wide"]) {
          await ours.call("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "50", "STREAMS", key, ">");
          await theirs.call(
            "XREADGROUP",
            "GROUP",
            "g1",
            "alice",
            "COUNT",
            "50",
            "STREAMS",
            key,
            ">",
          );
          await ours.call("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", key, ">");
          await theirs.call("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", key, ">");
        }
        const big = (c: RawClient) =>
          c.call("XACK", "big", "g1", "1700000000210-0", "1700000000211-1");
        await Promise.all([big(ours), big(theirs)]);
        await compare("with groups");
      },
    });
  },
});

const DIRTY_CASES: DirtyCase[] = [
  { run: ["XADD", "s", "1-1", "f", "v"], changes: 1 },
  { setup: [["XADD", "s", "1-1", "f", "v"]], run: ["XADD", "s", "2-1", "f", "v"], changes: 1 },
  {
    setup: [["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "2-1", "f", "v"]],
    run: ["XADD", "s", "MAXLEN", "0", "3-1", "f", "v"],
    changes: 1,
  },
  { run: ["XADD", "s", "NOMKSTREAM", "1-1", "f", "v"], changes: 0 },
  { setup: [["XADD", "s", "5-1", "f", "v"]], run: ["XADD", "s", "1-1", "f", "v"], changes: 0 },
  {
    setup: [["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "2-1", "f", "v"], [
      "XADD",
      "s",
      "3-1",
      "f",
      "v",
    ]],
    run: ["XDEL", "s", "1-1", "3-1", "9-9"],
    changes: 2,
  },
  { setup: [["XADD", "s", "1-1", "f", "v"]], run: ["XDEL", "s", "9-9"], changes: 0 },
  {
    setup: [["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "2-1", "f", "v"], [
      "XADD",
      "s",
      "3-1",
      "f",
      "v",
    ]],
    run: ["XTRIM", "s", "MAXLEN", "1"],
    changes: 2,
  },
  { setup: [["XADD", "s", "1-1", "f", "v"]], run: ["XTRIM", "s", "MAXLEN", "1"], changes: 0 },
  { setup: [["XADD", "s", "1-1", "f", "v"]], run: ["XSETID", "s", "5-5"], changes: 1 },
  { setup: [["XADD", "s", "1-1", "f", "v"]], run: ["XSETID", "s", "1-1"], changes: 1 },
  { setup: [["XADD", "s", "5-1", "f", "v"]], run: ["XSETID", "s", "1-1"], changes: 0 },
];

dirtyCountTests("stream", { handlers: STREAM_HANDLERS, cases: DIRTY_CASES });
