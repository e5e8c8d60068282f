import assert from "node:assert/strict";
import { IdMap } from "../../src/store/id_map.ts";
import {
  ConsumerGroup,
  estimateEntriesRead,
  groupLag,
  INVALID_ENTRIES_READ,
  rangeHasTombstones,
  sortedConsumers,
  sortedGroups,
} from "../../src/store/stream_group.ts";
import { StreamValue } from "../../src/store/stream.ts";
import { formatId, MAX_ID, MIN_ID, type StreamId, streamId } from "../../src/store/stream_id.ts";
import { Random } from "../../src/random.ts";

/** A reference ordered map: a sorted array of [id, value]. */
class Reference {
  items: [StreamId, number][] = [];
  set(id: StreamId, v: number): void {
    const i = this.items.findIndex(([k]) => k >= id);
    if (i === -1) this.items.push([id, v]);
    else if (this.items[i]![0] === id) this.items[i]![1] = v;
    else this.items.splice(i, 0, [id, v]);
  }
  delete(id: StreamId): boolean {
    const i = this.items.findIndex(([k]) => k === id);
    if (i === -1) return false;
    this.items.splice(i, 1);
    return true;
  }
  range(a: StreamId, b: StreamId, reverse: boolean): [StreamId, number][] {
    const r = this.items.filter(([k]) => k >= a && k <= b);
    return reverse ? r.reverse() : r;
  }
}

function randomId(r: Random, spread: number): StreamId {
  return streamId(Math.floor(r.next() * spread), Math.floor(r.next() * 4));
}

Deno.test("IdMap matches a sorted array under random sets, deletes and range walks", () => {
  const r = new Random(14);
  for (const spread of [50, 5000, 200000]) {
    const m = new IdMap<number>();
    const ref = new Reference();
    for (let step = 0; step < 20000; step++) {
      const id = randomId(r, spread);
      const op = r.next();
      if (op < 0.6) {
        m.set(id, step);
        ref.set(id, step);
      } else {
        assert.equal(m.delete(id), ref.delete(id));
      }
      if (step % 997 === 0) {
        assert.equal(m.size, ref.items.length);
        assert.deepEqual([...m], ref.items);
        const a = randomId(r, spread);
        const b = randomId(r, spread);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        assert.deepEqual([...m.range(lo, hi)], ref.range(lo, hi, false));
        assert.deepEqual([...m.range(lo, hi, true)], ref.range(lo, hi, true));
        assert.deepEqual([...m.range(hi, lo)], lo === hi ? ref.range(lo, hi, false) : []);
      }
    }
    for (const [id, v] of ref.items) assert.equal(m.get(id), v);
    assert.deepEqual(m.first(), ref.items[0]);
    assert.deepEqual(m.last(), ref.items[ref.items.length - 1]);
  }
});

Deno.test("IdMap grows and shrinks across many chunks", () => {
  const m = new IdMap<number>();
  const n = 5000;
  for (let i = n - 1; i >= 0; i--) m.set(streamId(i, 0), i);
  assert.equal(m.size, n);
  assert.deepEqual([...m].map(([, v]) => v), Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < n; i += 2) assert.ok(m.delete(streamId(i, 0)));
  assert.equal(m.size, n / 2);
  assert.equal(m.get(streamId(2, 0)), undefined);
  assert.equal(m.get(streamId(3, 0)), 3);
  assert.ok(m.has(streamId(4999, 0)));
  for (let i = 1; i < n; i += 2) assert.ok(m.delete(streamId(i, 0)));
  assert.equal(m.size, 0);
  assert.equal(m.first(), undefined);
  assert.equal(m.last(), undefined);
  assert.deepEqual([...m.range(MIN_ID, MAX_ID)], []);
  assert.equal(m.delete(MIN_ID), false);
});

Deno.test("IdMap range walks survive deletions and insertions made while walking", () => {
  const m = new IdMap<number>();
  for (let i = 0; i < 2000; i++) m.set(streamId(i, 0), i);
  // Delete each entry as it is visited, and one ahead of it.
  const seen: number[] = [];
  for (const [id, v] of m.range(MIN_ID, MAX_ID)) {
    seen.push(v);
    m.delete(id);
    m.delete(streamId(v + 1, 0));
  }
  assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => 2 * i));
  assert.equal(m.size, 0);
  // Descending, inserting below the cursor: the new keys are seen.
  for (let i = 0; i < 10; i++) m.set(streamId(10 * i, 0), 10 * i);
  const down: number[] = [];
  for (const [, v] of m.range(MIN_ID, MAX_ID, true)) {
    down.push(v);
    if (v === 50) m.set(streamId(45, 0), 45);
  }
  assert.deepEqual(down, [90, 80, 70, 60, 50, 45, 40, 30, 20, 10, 0]);
});

Deno.test("IdMap ranges honour bounds between and on keys", () => {
  const m = new IdMap<string>();
  for (const ms of [1, 3, 5, 7]) m.set(streamId(ms, 0), String(ms));
  const vals = (it: Iterable<[StreamId, string]>) => [...it].map(([, v]) => v).join("");
  assert.equal(vals(m.range(streamId(2, 0), streamId(6, 0))), "35");
  assert.equal(vals(m.range(streamId(3, 0), streamId(7, 0))), "357");
  assert.equal(vals(m.range(streamId(3, 0), streamId(7, 0), true)), "753");
  assert.equal(vals(m.range(streamId(8, 0), MAX_ID)), "");
  assert.equal(vals(m.range(MIN_ID, streamId(0, 5), true)), "");
  assert.equal(vals(m.range(streamId(3, 1), streamId(3, 9))), "");
});

Deno.test("ConsumerGroup delivers, reassigns, acknowledges and deletes consumers", () => {
  const g = new ConsumerGroup("g", MIN_ID, 0n);
  const a = g.createConsumer("a", 100);
  const b = g.createConsumer("b", 200);
  assert.equal(g.createConsumer("a", 999), a, "an existing consumer is returned");
  assert.equal(a.seenTime, 100);
  const id1 = streamId(1, 0);
  const id2 = streamId(2, 0);
  const e1 = g.deliver(id1, a, 300);
  g.deliver(id2, a, 300);
  e1.deliveryCount = 5n;
  // Delivered again (the group's last ID moved back): to b, count reset.
  const again = g.deliver(id1, b, 400);
  assert.equal(again, e1);
  assert.equal(e1.consumer, b);
  assert.equal(e1.deliveryCount, 1n);
  assert.equal(e1.deliveryTime, 400);
  assert.equal(a.pending.size, 1);
  assert.equal(b.pending.get(id1), e1);
  g.reassign(e1, a);
  assert.equal(a.pending.size, 2);
  assert.equal(b.pending.size, 0);
  assert.equal(g.acknowledge(id2), true);
  assert.equal(g.acknowledge(id2), false);
  assert.equal(g.pending.size, 1);
  assert.equal(g.deleteConsumer("a"), 1);
  assert.equal(g.pending.size, 0);
  assert.equal(g.deleteConsumer("a"), 0);
  assert.deepEqual([...g.consumers.keys()], ["b"]);
});

Deno.test("ConsumerGroup.clone is deep, and the copy's PELs share their entries", () => {
  const g = new ConsumerGroup("g", streamId(9, 9), 7n);
  const a = g.createConsumer("a", 1);
  g.deliver(streamId(1, 0), a, 10);
  const copy = g.clone();
  assert.equal(copy.lastId, g.lastId);
  assert.equal(copy.entriesRead, 7n);
  const ca = copy.consumer("a")!;
  assert.notEqual(ca, a);
  const entry = copy.pending.get(streamId(1, 0))!;
  assert.equal(entry.consumer, ca);
  assert.equal(ca.pending.get(streamId(1, 0)), entry);
  entry.deliveryCount = 9n;
  assert.equal(g.pending.get(streamId(1, 0))!.deliveryCount, 1n);
  copy.acknowledge(streamId(1, 0));
  assert.equal(g.pending.size, 1);
});

Deno.test("groups and consumers list in bytewise name order", () => {
  const s = new StreamValue();
  assert.deepEqual(sortedGroups(s), []);
  s.groups = new Map();
  for (const name of ["b", "\xff", "a", "B", "ab"]) {
    s.groups.set(name, new ConsumerGroup(name, MIN_ID, 0n));
  }
  assert.deepEqual(sortedGroups(s).map((g) => g.name), ["B", "a", "ab", "b", "\xff"]);
  const g = new ConsumerGroup("g", MIN_ID, 0n);
  for (const name of ["z", "\x00", "m"]) g.createConsumer(name, 0);
  assert.deepEqual(sortedConsumers(g).map((c) => c.name), ["\x00", "m", "z"]);
});

/** A stream with entries 1-0 .. n-0 (append keeps last ID and entries-added). */
function streamOf(n: number): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= n; i++) s.append(streamId(i, 0), ["f", String(i)]);
  return s;
}

Deno.test("entries-read estimates and lag follow Redis 7.0's rules", async (t) => {
  await t.step("a never-used stream: 0 for any ID, lag 0", () => {
    const s = new StreamValue();
    assert.equal(estimateEntriesRead(s, streamId(5, 0)), 0n);
    assert.equal(groupLag(s, new ConsumerGroup("g", MIN_ID, INVALID_ENTRIES_READ)), 0n);
  });
  await t.step("the last ID is exact, a future one unknown", () => {
    const s = streamOf(5);
    assert.equal(estimateEntriesRead(s, streamId(5, 0)), 5n);
    assert.equal(estimateEntriesRead(s, streamId(6, 0)), INVALID_ENTRIES_READ);
  });
  await t.step("before or at the first entry without tombstones", () => {
    const s = streamOf(5);
    assert.equal(estimateEntriesRead(s, MIN_ID), 0n);
    assert.equal(estimateEntriesRead(s, streamId(1, 0)), 1n);
    assert.equal(estimateEntriesRead(s, streamId(3, 0)), INVALID_ENTRIES_READ);
    s.delete(streamId(1, 0));
    s.maxDeletedId = streamId(1, 0);
    // The tombstone is before the first entry: still no fragmentation.
    assert.equal(estimateEntriesRead(s, streamId(1, 5)), 1n);
    assert.equal(estimateEntriesRead(s, streamId(2, 0)), 2n);
    assert.equal(rangeHasTombstones(s), false);
  });
  await t.step("a tombstone inside the stream makes middle IDs unknown", () => {
    const s = streamOf(5);
    s.delete(streamId(3, 0));
    s.maxDeletedId = streamId(3, 0);
    assert.equal(rangeHasTombstones(s), true);
    assert.equal(rangeHasTombstones(s, streamId(3, 0)), true);
    assert.equal(rangeHasTombstones(s, streamId(3, 1)), false);
    assert.equal(estimateEntriesRead(s, MIN_ID), INVALID_ENTRIES_READ);
    const g = new ConsumerGroup("g", streamId(2, 0), 2n);
    // The tombstone is ahead of the group: its counter cannot be trusted.
    assert.equal(groupLag(s, g), undefined);
    g.lastId = streamId(4, 0);
    g.entriesRead = 4n;
    assert.equal(groupLag(s, g), 1n);
  });
  await t.step("an emptied stream: any ID up to the last is at entries-added", () => {
    const s = streamOf(3);
    for (let i = 1; i <= 3; i++) s.delete(streamId(i, 0));
    s.maxDeletedId = streamId(3, 0);
    assert.equal(estimateEntriesRead(s, MIN_ID), 3n);
    assert.equal(estimateEntriesRead(s, streamId(4, 0)), INVALID_ENTRIES_READ);
    assert.equal(groupLag(s, new ConsumerGroup("g", MIN_ID, INVALID_ENTRIES_READ)), 0n);
  });
  await t.step("counters are exact beyond 2^53", () => {
    const s = streamOf(1);
    s.entriesAdded = 2n ** 63n - 1n;
    const g = new ConsumerGroup("g", streamId(1, 0), 5n);
    assert.equal(groupLag(s, g), 2n ** 63n - 6n);
    assert.equal(formatId(streamId(2n ** 64n - 1n, 0)), "18446744073709551615-0");
  });
});
