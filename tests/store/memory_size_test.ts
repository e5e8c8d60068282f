import assert from "node:assert/strict";
import {
  allocSize,
  dictBuckets,
  keySize,
  KeyspaceMemory,
  sdsSize,
  stringSize,
  valueSize,
} from "../../src/store/memory_size.ts";
import {
  LFU_INIT_VAL,
  lfuAccess,
  lfuDecayed,
  lfuIncrement,
  lfuInitial,
  lfuMinutes,
} from "../../src/store/lfu.ts";
import { ListValue } from "../../src/store/list.ts";
import { SetValue } from "../../src/store/set.ts";
import { HashValue } from "../../src/store/hash.ts";
import { ZSetValue } from "../../src/store/zset.ts";
import { Database } from "../../src/store/database.ts";
import { ManualClock } from "../../src/clock.ts";

const OPTIONS = { samples: 5, listFill: -2 };
const ALL = { samples: Infinity, listFill: -2 };
const LIMITS = { maxEntries: 128, maxValue: 64 };

Deno.test("allocations round up to jemalloc's size classes", () => {
  const cases: [number, number][] = [
    [1, 8],
    [8, 8],
    [9, 16],
    [17, 32],
    [33, 48],
    [128, 128],
    [129, 160],
    [160, 160],
    [161, 192],
    [257, 320],
    [1025, 1280],
    [14337, 16384],
    [16385, 20480],
  ];
  for (const [n, size] of cases) assert.equal(allocSize(n), size, `${n}`);
});

Deno.test("sds strings take a header by length, and the terminator", () => {
  assert.equal(sdsSize(3), 8); // 1 + 3 + 1
  assert.equal(sdsSize(31), 48); // 1 + 31 + 1 = 33
  assert.equal(sdsSize(32), 48); // 3 + 32 + 1 = 36
  assert.equal(sdsSize(300), 320); // 5 + 300 + 1
});

Deno.test("strings are sized by their encoding: int, embstr, raw", () => {
  assert.equal(stringSize("12345"), 16);
  assert.equal(stringSize("-9223372036854775808"), 16);
  assert.equal(stringSize("9223372036854775808"), 48); // not a long: embstr of 19 bytes
  assert.equal(stringSize(""), 32); // 16 + 3 + 0 + 1
  assert.equal(stringSize("bar"), 32);
  assert.equal(stringSize("x".repeat(44)), 64); // 16 + 3 + 44 + 1
  assert.equal(stringSize("x".repeat(45)), 16 + 64); // raw: sds 3 + 45 + 1
  assert.equal(keySize("foo", "bar", OPTIONS), 8 + 24 + 32);
});

Deno.test("small containers are sized exactly, by their compact encodings", () => {
  // Intset of 16-bit members: 8 + 3 * 2 = 14 -> 16.
  assert.equal(valueSize(new SetValue(["1", "2", "3"]), OPTIONS), 32);
  // Wider members widen every slot.
  assert.equal(valueSize(new SetValue(["1", "70000"]), OPTIONS), 16 + 16);
  assert.equal(valueSize(new SetValue(["1", String(2 ** 40)]), OPTIONS), 16 + 32);
  // A hash listpack: 7 + (2 + 2) entries of one char = 15 -> 16.
  const h = new HashValue();
  h.set("a", "b");
  assert.equal(valueSize(h, OPTIONS), 32);
  // A sorted-set listpack: member "m" (2+1 bytes) and score 1 (an integer, 2 bytes).
  const z = new ZSetValue();
  z.set("m", 1, LIMITS);
  assert.equal(valueSize(z, OPTIONS), 16 + allocSize(7 + 3 + 2));
  // A list of three one-byte elements: one quicklist node of 7 + 3 * 3 bytes.
  const l = new ListValue(["a", "b", "c"]);
  assert.equal(valueSize(l, OPTIONS), 16 + 40 + 40 + 16);
});

Deno.test("hash tables are sized from sampled elements, extrapolated", () => {
  const members = Array.from({ length: 1000 }, (_, i) => `member:${String(i).padStart(6, "0")}`);
  const set = new SetValue(members);
  assert.equal(set.encoding(), "hashtable");
  // Every member has the same size: sampling gives the exact figure.
  const exact = 16 + 56 + dictBuckets(1000) + 1000 * (24 + sdsSize(13));
  assert.equal(valueSize(set, OPTIONS), exact);
  assert.equal(valueSize(set, ALL), exact);
  assert.equal(dictBuckets(1000), 1024 * 8);
  const hash = new HashValue(new Map(members.map((m) => [m, "v"])), false);
  assert.equal(valueSize(hash, OPTIONS), 16 + 56 + 8192 + 1000 * (24 + sdsSize(13) + sdsSize(1)));
  const z = new ZSetValue();
  for (let i = 0; i < 200; i++) z.set(members[i]!, i, LIMITS);
  assert.equal(z.encoding(), "skiplist");
  const size = valueSize(z, OPTIONS);
  assert.ok(size > 200 * (24 + sdsSize(13) + 48) && size < 200 * (24 + sdsSize(13) + 80) + 2000);
});

Deno.test("long lists are extrapolated from their first quicklist nodes, as Redis", () => {
  const elements = Array.from({ length: 10000 }, () => "x".repeat(10));
  const list = new ListValue(elements);
  // Redis 7.0.15's MEMORY USAGE of this list (minus its 32-byte key):
  // 15 nodes of up to 681 elements; the first 5 are full (8232 bytes each).
  assert.equal(valueSize(list, OPTIONS), 16 + 40 + 15 * (40 + 8192));
  const exact = valueSize(list, ALL);
  assert.equal(exact, 121520 - 32);
  // The per-write accounting samples 80 elements: close to the exact figure.
  const cheap = valueSize(list, { ...OPTIONS, cheap: true });
  assert.ok(Math.abs(exact - cheap) / exact < 0.02, `${exact} vs ${cheap}`);
  // A positive fill caps the elements per node.
  const capped = valueSize(list, { samples: 5, listFill: 100 });
  assert.equal(capped, 16 + 40 + 100 * (40 + allocSize(7 + 100 * 12)));
});

Deno.test("keyspace accounting sums what it measured per slot", () => {
  const m = new KeyspaceMemory((key, value) => key.length + (value as string).length);
  m.set(0, "a", "xx");
  m.set(100, "b", "y");
  assert.equal(m.bytes, 5);
  m.set(0, "a", "");
  assert.equal(m.bytes, 3);
  m.remove(100);
  m.remove(5000);
  assert.equal(m.bytes, 1);
  assert.equal(m.keyAt(0), "a");
  assert.equal(m.keyAt(100), undefined);
});

Deno.test("a database keeps its memory estimate through every keyspace change", () => {
  const clock = new ManualClock(0);
  const db = new Database(0, clock, { expired() {} });
  const other = new Database(1, clock, { expired() {} });
  const measure = (key: string, value: unknown) =>
    key.length + (typeof value === "string" ? value.length : 100 + (value as ListValue).length);
  db.set("pre", "123");
  db.trackMemory(measure);
  other.trackMemory(measure);
  assert.equal(db.memoryBytes, 6);
  db.set("s", "abc");
  assert.equal(db.memoryBytes, 10);
  const list = new ListValue();
  db.set("l", list, false, 0);
  list.pushTail("a");
  list.pushTail("b");
  db.touch("l", 2);
  assert.equal(db.memoryBytes, 10 + 1 + 102);
  db.rename("l", "list");
  assert.equal(db.memoryBytes, 10 + 4 + 102);
  db.delete("pre");
  assert.equal(db.memoryBytes, 4 + 4 + 102);
  db.move("s", other);
  assert.equal(db.memoryBytes, 4 + 102);
  assert.equal(other.memoryBytes, 4);
  db.setExpire("list", 10);
  clock.advance(10);
  assert.equal(db.get("list"), undefined);
  assert.equal(db.memoryBytes, 0);
  db.swapWith(other);
  assert.equal(db.memoryBytes, 4);
  assert.equal(other.memoryBytes, 0);
  db.flush();
  assert.equal(db.memoryBytes, 0);
  db.set("again", "x");
  assert.equal(db.memoryBytes, 6);
  db.trackMemory(undefined);
  assert.equal(db.memoryBytes, undefined);
});

Deno.test("eviction samples stored keys, and only keys with a TTL when volatile", () => {
  const clock = new ManualClock(0);
  const db = new Database(0, clock, { expired() {} });
  db.trackMemory(() => 1);
  for (let i = 0; i < 50; i++) db.set(`k${i}`, "v");
  for (let i = 0; i < 5; i++) db.setExpire(`k${i}`, 1000 + i);
  let state = 1;
  const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const seen: string[] = [];
  assert.equal(db.sampleKeys(10, false, random, (key) => seen.push(key)), 10);
  assert.ok(seen.every((k) => db.stored(k)));
  const volatile: [string, number | undefined][] = [];
  for (let round = 0; round < 10; round++) {
    db.sampleKeys(3, true, random, (key, _word, at) => volatile.push([key, at]));
  }
  assert.ok(volatile.length > 0);
  for (const [key, at] of volatile) assert.equal(at, db.getExpire(key));
  assert.ok(volatile.every(([key]) => Number(key.slice(1)) < 5));
  const empty = new Database(1, clock, { expired() {} });
  assert.equal(empty.sampleKeys(5, false, random, () => {}), 0);
});

Deno.test("LFU counters grow logarithmically and decay by the minute", () => {
  assert.equal(lfuMinutes(60_000 * 3), 3);
  assert.equal(lfuInitial(0) & 0xff, LFU_INIT_VAL);
  // The first increments past the initial value are certain, later ones rare.
  assert.equal(lfuIncrement(5, 10, 0.999), 6);
  assert.equal(lfuIncrement(6, 10, 0.5), 6);
  assert.equal(lfuIncrement(6, 10, 0.05), 7);
  assert.equal(lfuIncrement(100, 0, 0.999), 101);
  assert.equal(lfuIncrement(255, 0, 0), 255);
  // Decay: one per lfu-decay-time minutes, never below 0; 0 disables it.
  const word = lfuInitial(0) + 10; // counter 15 at minute 0
  assert.equal(lfuDecayed(word, 0, 1), 15);
  assert.equal(lfuDecayed(word, 4 * 60_000, 1), 11);
  assert.equal(lfuDecayed(word, 4 * 60_000, 2), 13);
  assert.equal(lfuDecayed(word, 100 * 60_000, 1), 0);
  assert.equal(lfuDecayed(word, 100 * 60_000, 0), 15);
  // The 16-bit minute clock wraps.
  const late = (65535 << 8) | 10;
  assert.equal(lfuDecayed(late, 2 * 60_000, 1), 8);
  // An access decays first, then increments, and stamps the minute.
  const params = { logFactor: 10, decayTime: 1, random: () => 0 };
  const next = lfuAccess(word, 4 * 60_000, params);
  assert.equal(next & 0xff, 12);
  assert.equal(next >>> 8, 4);
});

Deno.test("a database under LFU counts accesses instead of stamping times", () => {
  const clock = new ManualClock(0);
  const db = new Database(0, clock, { expired() {} });
  db.useLfu({ logFactor: 0, decayTime: 1, random: () => 0.5 });
  db.set("k", "v");
  assert.equal(db.lfuFrequency("k"), LFU_INIT_VAL);
  for (let i = 0; i < 10; i++) db.get("k");
  assert.equal(db.lfuFrequency("k"), LFU_INIT_VAL + 10);
  db.has("k"); // no touch
  assert.equal(db.lfuFrequency("k"), LFU_INIT_VAL + 10);
  db.set("k", "w"); // an overwrite is an access and keeps the counter
  assert.equal(db.lfuFrequency("k"), LFU_INIT_VAL + 11);
  clock.advance(3 * 60_000);
  assert.equal(db.lfuFrequency("k"), LFU_INIT_VAL + 8);
  assert.equal(db.lfuFrequency("missing"), undefined);
  db.useLfu(undefined);
  db.get("k");
  assert.equal(db.lru("k"), 180);
});
