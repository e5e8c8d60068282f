import assert from "node:assert/strict";
import { raxNodeCount, StreamValue } from "../../src/store/stream.ts";
import {
  decrId,
  formatId,
  idMs,
  idSeq,
  incrId,
  MAX_ID,
  MIN_ID,
  type StreamId,
  streamId,
} from "../../src/store/stream_id.ts";
import {
  parseRangeBound,
  parseStreamId,
  parseU64,
  parseXaddId,
} from "../../src/commands/stream_args.ts";
import { ReplyError } from "../../src/errors.ts";
import { ConsumerGroup } from "../../src/store/stream_group.ts";

const U64_MAX = (1n << 64n) - 1n;

Deno.test("stream IDs: construction, order, text and neighbours", async (t) => {
  await t.step("the parts round-trip exactly over the whole uint64 range", () => {
    for (
      const [ms, seq] of [[0n, 0n], [1n, 2n], [2n ** 53n + 1n, 7n], [U64_MAX, U64_MAX], [
        U64_MAX - 1n,
        0n,
      ]]
    ) {
      const id = streamId(ms!, seq!);
      assert.equal(id.length, 16);
      assert.equal(idMs(id), ms);
      assert.equal(idSeq(id), seq);
      assert.equal(formatId(id), `${ms}-${seq}`);
    }
    assert.equal(streamId(5, 6), streamId(5n, 6n));
    assert.equal(MIN_ID, streamId(0, 0));
    assert.equal(MAX_ID, streamId(U64_MAX, U64_MAX));
  });
  await t.step("string comparison orders IDs numerically", () => {
    const ids = [
      streamId(2, 0),
      streamId(1, 5),
      streamId(1, 256),
      streamId(256, 0),
      streamId(0, U64_MAX),
    ];
    const sorted = [...ids].sort();
    assert.deepEqual(sorted.map(formatId), [
      "0-18446744073709551615",
      "1-5",
      "1-256",
      "2-0",
      "256-0",
    ]);
  });
  await t.step("incrId and decrId carry between seq and ms and stop at the ends", () => {
    assert.equal(formatId(incrId(streamId(1, 2))!), "1-3");
    assert.equal(formatId(incrId(streamId(1, U64_MAX))!), "2-0");
    assert.equal(incrId(MAX_ID), undefined);
    assert.equal(formatId(decrId(streamId(2, 0))!), "1-18446744073709551615");
    assert.equal(decrId(MIN_ID), undefined);
  });
});

Deno.test("stream ID arguments parse as Redis's string2ull and strtoull", async (t) => {
  const invalid = (f: () => unknown) =>
    assert.throws(
      f,
      (e: unknown) =>
        e instanceof ReplyError &&
        e.message === "ERR Invalid stream ID specified as stream command argument",
    );
  await t.step("parseU64", () => {
    assert.equal(parseU64("0"), 0n);
    assert.equal(parseU64("007"), 7n);
    assert.equal(parseU64("+7"), 7n);
    assert.equal(parseU64(" \t7"), 7n);
    assert.equal(parseU64("-0"), 0n);
    assert.equal(parseU64("-01"), U64_MAX);
    assert.equal(parseU64("18446744073709551615"), U64_MAX);
    for (
      const bad of [
        "",
        " ",
        "-1",
        "-9223372036854775808",
        "18446744073709551616",
        "1 ",
        "0x1",
        "1.0",
        "+",
      ]
    ) {
      assert.equal(parseU64(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parseU64("-9223372036854775809"), U64_MAX - 9223372036854775808n);
  });
  await t.step("parseStreamId", () => {
    assert.equal(formatId(parseStreamId("5", "min")), "5-0");
    assert.equal(formatId(parseStreamId("5", "max")), "5-18446744073709551615");
    assert.equal(parseStreamId("-", "max"), MIN_ID);
    assert.equal(parseStreamId("+", "min"), MAX_ID);
    assert.equal(formatId(parseStreamId("5\x00garbage", "min")), "5-0");
    invalid(() => parseStreamId("-", "min", true));
    invalid(() => parseStreamId("+", "min", true));
    invalid(() => parseStreamId("5-*", "min"));
    invalid(() => parseStreamId("1".repeat(128), "min"));
    invalid(() => parseStreamId("1-2-3", "min"));
    invalid(() => parseStreamId("-5", "min"));
  });
  await t.step("parseXaddId", () => {
    assert.deepEqual(parseXaddId("5-*"), { id: streamId(5, 0), seqGiven: false });
    assert.deepEqual(parseXaddId("5"), { id: streamId(5, 0), seqGiven: true });
    invalid(() => parseXaddId("*"));
    invalid(() => parseXaddId("-"));
  });
  await t.step("parseRangeBound", () => {
    assert.deepEqual(parseRangeBound("(5-1", "min"), {
      id: streamId(5, 2),
      parsed: streamId(5, 1),
      exclusive: true,
    });
    assert.deepEqual(parseRangeBound("(5", "max"), {
      id: streamId(5, U64_MAX - 1n),
      parsed: streamId(5, U64_MAX),
      exclusive: true,
    });
    invalid(() => parseRangeBound("(", "min"));
    invalid(() => parseRangeBound("(-", "min"));
    assert.throws(
      () => parseRangeBound("(18446744073709551615-18446744073709551615", "min"),
      /ERR invalid start ID for the interval/,
    );
    assert.throws(() => parseRangeBound("(0-0", "max"), /ERR invalid end ID for the interval/);
  });
});

/** Appends `n` entries <from+i>-1 with one field. */
function fill(
  s: StreamValue,
  n: number,
  from = 1,
  limits = { maxBytes: 4096, maxEntries: 100 },
): StreamId[] {
  const ids: StreamId[] = [];
  for (let i = 0; i < n; i++) {
    const id = streamId(from + i, 1);
    s.append(id, ["f", `v${i}`], limits);
    ids.push(id);
  }
  return ids;
}

Deno.test("StreamValue: append, get, delete and range", async (t) => {
  await t.step("entries read back with their fields, in both directions", () => {
    const s = new StreamValue();
    s.append(streamId(1, 1), ["a", "1", "b", "2"]);
    s.append(streamId(1, 2), ["a", "3", "b", "4"]);
    s.append(streamId(2, 0), ["c", "\x00\xff"]);
    s.append(streamId(U64_MAX, 3n), ["wide", "yes"]);
    assert.equal(s.length, 4);
    assert.equal(s.lastId, streamId(U64_MAX, 3n));
    assert.equal(s.entriesAdded, 4n);
    assert.deepEqual(s.get(streamId(1, 2)), ["a", "3", "b", "4"]);
    assert.deepEqual(s.get(streamId(2, 0)), ["c", "\x00\xff"]);
    assert.deepEqual(s.get(streamId(U64_MAX, 3n)), ["wide", "yes"]);
    assert.equal(s.get(streamId(1, 3)), undefined);
    assert.deepEqual([...s.range(MIN_ID, MAX_ID)].map(([id]) => formatId(id)), [
      "1-1",
      "1-2",
      "2-0",
      "18446744073709551615-3",
    ]);
    assert.deepEqual(
      [...s.range(streamId(1, 2), streamId(2, 0), true)].map(([id]) => formatId(id)),
      ["2-0", "1-2"],
    );
    assert.deepEqual([...s.range(streamId(3, 0), streamId(1, 0))], []);
  });
  await t.step("a deleted entry is gone, its node stays until its last entry goes", () => {
    const s = new StreamValue();
    const ids = fill(s, 10);
    assert.equal(s.radixTreeKeys, 1);
    assert.equal(s.delete(ids[3]!), true);
    assert.equal(s.delete(ids[3]!), false);
    assert.equal(s.get(ids[3]!), undefined);
    assert.equal(s.length, 9);
    assert.equal(s.firstId(), ids[0]);
    s.delete(ids[0]!);
    assert.equal(s.firstId(), ids[1]);
    s.delete(ids[9]!);
    assert.equal(s.lastEntryId(), ids[8]);
    assert.equal(s.edgeId(false, false), ids[9], "the deleted tail entry is still the node's last");
    assert.equal(s.edgeId(true, false), ids[0]);
    for (const id of ids) s.delete(id);
    assert.equal(s.length, 0);
    assert.equal(s.radixTreeKeys, 0);
    assert.equal(s.firstId(), undefined);
    assert.equal(s.edgeId(true, false), MAX_ID);
    assert.equal(s.edgeId(false, true), MIN_ID);
  });
  await t.step("ranges across many nodes, forward and reverse, skipping deleted entries", () => {
    const s = new StreamValue();
    const ids = fill(s, 1000, 1, { maxBytes: 4096, maxEntries: 7 });
    assert.equal(s.radixTreeKeys, Math.ceil(1000 / 7));
    for (let i = 0; i < 1000; i += 3) s.delete(ids[i]!);
    const live = ids.filter((_, i) => i % 3 !== 0);
    assert.deepEqual([...s.range(MIN_ID, MAX_ID)].map(([id]) => id), live);
    assert.deepEqual([...s.range(MIN_ID, MAX_ID, true)].map(([id]) => id), [...live].reverse());
    assert.deepEqual(
      [...s.range(ids[100]!, ids[120]!)].map(([id]) => id),
      live.filter((id) => id >= ids[100]! && id <= ids[120]!),
    );
    assert.deepEqual(
      [...s.range(ids[100]!, ids[120]!, true)].map(([id]) => id),
      live.filter((id) => id >= ids[100]! && id <= ids[120]!).reverse(),
    );
    for (const id of live) assert.deepEqual(s.get(id), ["f", `v${ids.indexOf(id)}`]);
  });
});

Deno.test("StreamValue: node boundaries follow Redis's listpack sizes", async (t) => {
  await t.step("by entries, counting deleted ones", () => {
    const s = new StreamValue();
    const ids = fill(s, 3, 1, { maxBytes: 4096, maxEntries: 3 });
    s.delete(ids[1]!);
    fill(s, 1, 4, { maxBytes: 4096, maxEntries: 3 });
    assert.equal(s.radixTreeKeys, 2);
  });
  await t.step("by bytes: a node's listpack stays under stream-node-max-bytes", () => {
    const s = new StreamValue();
    fill(s, 100, 1, { maxBytes: 100, maxEntries: 0 });
    for (const [bytes] of s.nodeSizes().slice(0, -1)) assert.ok(bytes < 100 + 20, String(bytes));
    // Empty listpack 7, master entry count/deleted/1/"f"/0 = 2+2+2+3+2, entry flags/ms/seq/value/lp-count.
    const s1 = new StreamValue();
    s1.append(streamId(1, 1), ["f", "v"]);
    assert.deepEqual(s1.nodeSizes()[0]![0], 7 + 11 + 2 + 2 + 2 + 3 + 2);
  });
  await t.step("no limits: one node", () => {
    const s = new StreamValue();
    fill(s, 500, 1, { maxBytes: 0, maxEntries: 0 });
    assert.equal(s.radixTreeKeys, 1);
  });
});

Deno.test("StreamValue: trims as Redis's streamTrim", async (t) => {
  const limits = { maxBytes: 4096, maxEntries: 10 };
  await t.step("approximate MAXLEN removes whole nodes only", () => {
    const s = new StreamValue();
    fill(s, 95, 1, limits);
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 50, approx: true, limit: 0 }), 40);
    assert.equal(s.length, 55);
  });
  await t.step("exact MAXLEN flags entries inside the first node", () => {
    const s = new StreamValue();
    fill(s, 95, 1, limits);
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 50, approx: false, limit: 0 }), 45);
    assert.equal(s.length, 50);
    assert.equal(formatId(s.firstId()!), "46-1");
    assert.equal(s.radixTreeKeys, 6);
  });
  await t.step("MINID, exact and approximate, and LIMIT", () => {
    const s = new StreamValue();
    fill(s, 95, 1, limits);
    assert.equal(s.trim({ strategy: "minid", minid: streamId(25, 0), approx: true, limit: 0 }), 20);
    assert.equal(s.trim({ strategy: "minid", minid: streamId(25, 0), approx: false, limit: 0 }), 4);
    assert.equal(formatId(s.firstId()!), "25-1");
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 0, approx: true, limit: 15 }), 6);
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 0, approx: true, limit: 0 }), 65);
    assert.equal(s.length, 0);
    assert.equal(s.radixTreeKeys, 0);
  });
});

Deno.test("StreamValue: clone is deep", () => {
  const s = new StreamValue();
  const ids = fill(s, 30, 1, { maxBytes: 4096, maxEntries: 7 });
  s.maxDeletedId = ids[3]!;
  const c = s.clone();
  c.delete(ids[0]!);
  c.append(streamId(100, 0), ["x", "y"]);
  assert.equal(s.length, 30);
  assert.equal(c.length, 30);
  assert.deepEqual(s.get(ids[0]!), ["f", "v0"]);
  assert.equal(c.maxDeletedId, ids[3]);
  assert.equal(s.lastId, ids[29]);
  assert.equal(formatId(c.lastId), "100-0");
});

Deno.test("StreamValue: clone copies the consumer groups deeply (COPY)", () => {
  const s = new StreamValue();
  const ids = fill(s, 5);
  const group = new ConsumerGroup("g", ids[2]!, 3n);
  const alice = group.createConsumer("alice", 1000);
  group.deliver(ids[0]!, alice, 1000);
  s.groups = new Map([["g", group]]);
  const c = s.clone();
  const copy = c.groups!.get("g")!;
  assert.notEqual(copy, group);
  assert.equal(copy.lastId, ids[2]);
  assert.equal(copy.entriesRead, 3n);
  assert.equal(copy.pending.size, 1);
  copy.acknowledge(ids[0]!);
  assert.equal(group.pending.size, 1, "the original's PEL is untouched");
  assert.equal(alice.pending.size, 1);
});

Deno.test("raxNodeCount counts a Redis rax's nodes", () => {
  assert.equal(raxNodeCount([]), 1);
  assert.equal(raxNodeCount(["abc"]), 2);
  assert.equal(raxNodeCount(["abc", "abd"]), 4);
  // Branch at the root: root, two leaves' chains and leaves.
  assert.equal(raxNodeCount(["abc", "xbc"]), 5);
  assert.equal(raxNodeCount(["aaa", "aab", "abb"]), 7);
});
