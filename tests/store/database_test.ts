import assert from "node:assert/strict";
import { Database } from "../../src/store/database.ts";
import { ManualClock } from "../../src/clock.ts";
import { Random } from "../../src/random.ts";

function setup(): { db: Database; clock: ManualClock; expired: string[] } {
  const clock = new ManualClock(1_000_000);
  const expired: string[] = [];
  const db = new Database(0, clock, { expired: (_db, key) => expired.push(key) });
  return { db, clock, expired };
}

/** Runs a full SCAN, calling `between` after each step. */
function fullScan(
  db: Database,
  count: number,
  between: (step: number) => void = () => {},
): string[] {
  const out: string[] = [];
  let cursor = 0;
  let step = 0;
  do {
    const [next, keys] = db.scan(cursor, count);
    out.push(...keys);
    cursor = next;
    between(step++);
  } while (cursor !== 0);
  return out;
}

Deno.test("database: lookups reclaim expired keys and report them", () => {
  const { db, clock, expired } = setup();
  db.set("a", "1");
  db.setExpire("a", clock.now() + 100);
  assert.equal(db.isExpired("a"), false);
  clock.advance(100);
  assert.equal(db.isExpired("a"), true);
  assert.equal(db.size, 1);
  assert.equal(db.get("a"), undefined);
  assert.equal(db.size, 0);
  assert.deepEqual(expired, ["a"]);
  assert.equal(db.isExpired("a"), false);
});

Deno.test("database: set keeps or drops the TTL, delete reports presence", () => {
  const { db, clock } = setup();
  db.set("a", "1");
  db.setExpire("a", clock.now() + 100);
  db.set("a", "2", true);
  assert.equal(db.getExpire("a"), clock.now() + 100);
  db.set("a", "3");
  assert.equal(db.getExpire("a"), undefined);
  assert.equal(db.delete("a"), true);
  assert.equal(db.delete("a"), false);
});

Deno.test("database: lookup touches the LRU clock unless told not to", () => {
  const { db, clock } = setup();
  db.set("a", "1");
  const lru = db.lru("a")!;
  clock.advance(5000);
  assert.equal(db.lru("a")!, lru);
  db.lookup("a");
  assert.equal(db.lru("a")!, lru + 5);
});

Deno.test("database: keys() reclaims expired keys, keys(false) only skips them", () => {
  const { db, clock, expired } = setup();
  db.set("a", "1");
  db.set("b", "2");
  db.setExpire("b", clock.now());
  assert.deepEqual(db.keys(false), ["a"]);
  assert.equal(db.size, 2);
  assert.deepEqual(db.keys(), ["a"]);
  assert.equal(db.size, 1);
  assert.deepEqual(expired, ["b"]);
});

Deno.test("database: scan visits every key exactly once", async (t) => {
  for (const count of [1, 3, 10, 1000]) {
    await t.step(`COUNT ${count}`, () => {
      const { db } = setup();
      for (let i = 0; i < 100; i++) db.set(`k${i}`, "v");
      const seen = fullScan(db, count);
      assert.equal(seen.length, 100);
      assert.equal(new Set(seen).size, 100);
    });
  }
  await t.step("an empty database ends at once", () => {
    const { db } = setup();
    assert.deepEqual(db.scan(0, 10), [0, []]);
  });
  await t.step("exactly COUNT keys end with cursor 0", () => {
    const { db } = setup();
    for (let i = 0; i < 10; i++) db.set(`k${i}`, "v");
    const [cursor, keys] = db.scan(0, 10);
    assert.equal(cursor, 0);
    assert.equal(keys.length, 10);
  });
});

Deno.test("database: scan returns keys present throughout despite deletes, adds and overwrites", () => {
  const { db } = setup();
  const random = new Random(1);
  for (let i = 0; i < 1000; i++) db.set(`k${i}`, "v");
  const touched = new Set<string>();
  const seen = fullScan(db, 13, () => {
    for (let j = 0; j < 5; j++) {
      const i = random.below(1000);
      const key = `k${i}`;
      switch (random.below(4)) {
        case 0:
          db.delete(key);
          touched.add(key);
          break;
        case 1:
          db.set(key, "re-added");
          touched.add(key);
          break;
        case 2:
          db.set(key, "overwritten", true);
          break;
        default:
          db.set(`new${random.below(100_000)}`, "n");
      }
    }
  });
  const counts = new Map<string, number>();
  for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (let i = 0; i < 1000; i++) {
    const key = `k${i}`;
    if (touched.has(key)) continue;
    assert.equal(counts.get(key), 1, `${key} returned ${counts.get(key) ?? 0} times`);
  }
  for (const [key, n] of counts) {
    // A key deleted and re-added may come back once more; nothing else repeats.
    if (!touched.has(key)) assert.equal(n, 1, key);
  }
});

Deno.test("database: a cursor whose next key was deleted still resumes in place", () => {
  const { db } = setup();
  for (let i = 0; i < 20; i++) db.set(`k${i}`, "v");
  const [cursor, first] = db.scan(0, 5);
  assert.deepEqual(first, ["k0", "k1", "k2", "k3", "k4"]);
  db.delete("k5");
  db.delete("k6");
  const [, second] = db.scan(cursor, 5);
  assert.deepEqual(second, ["k7", "k8", "k9", "k10", "k11"]);
});

Deno.test("database: cursors still work after the iterator cache forgot them", () => {
  const { db } = setup();
  for (let i = 0; i < 200; i++) db.set(`k${i}`, "v");
  const [cursor, first] = db.scan(0, 50);
  // Start more iterations than the cache holds, evicting the first cursor.
  for (let i = 0; i < 100; i++) db.scan(0, 60 + i);
  db.delete("k60");
  db.set("late", "v");
  const rest = fullScanFrom(db, cursor, 7);
  const all = [...first, ...rest];
  for (let i = 0; i < 200; i++) {
    if (i === 60) continue;
    assert.equal(all.filter((k) => k === `k${i}`).length, 1, `k${i}`);
  }
  assert.ok(!all.includes("k60"));
  assert.ok(all.includes("late"));
});

function fullScanFrom(db: Database, cursor: number, count: number): string[] {
  const out: string[] = [];
  do {
    const [next, keys] = db.scan(cursor, count);
    out.push(...keys);
    cursor = next;
  } while (cursor !== 0);
  return out;
}

Deno.test("database: two iterations on the same cursor do not disturb each other", () => {
  const { db } = setup();
  for (let i = 0; i < 30; i++) db.set(`k${i}`, "v");
  const [cursor] = db.scan(0, 10);
  const a = fullScanFrom(db, cursor, 4);
  const b = fullScanFrom(db, cursor, 6);
  assert.deepEqual(a, b);
  assert.equal(a.length, 20);
});

Deno.test("database: scan leaves out and reclaims expired keys; scanKeys keeps them", () => {
  const { db, clock, expired } = setup();
  for (let i = 0; i < 10; i++) db.set(`k${i}`, "v");
  db.setExpire("k3", clock.now());
  assert.deepEqual(db.scanKeys(0, 100), [0, Array.from({ length: 10 }, (_, i) => `k${i}`)]);
  assert.equal(db.size, 10);
  const [, keys] = db.scan(0, 100);
  assert.equal(keys.length, 9);
  assert.ok(!keys.includes("k3"));
  assert.deepEqual(expired, ["k3"]);
});

Deno.test("database: flush and swapWith forget live cursors", () => {
  const { db, clock } = setup();
  const other = new Database(1, clock, { expired() {} });
  for (let i = 0; i < 20; i++) db.set(`a${i}`, "v");
  for (let i = 0; i < 5; i++) other.set(`b${i}`, "v");
  const [cursor] = db.scan(0, 5);
  db.swapWith(other);
  const rest = fullScanFrom(db, cursor, 100);
  for (const k of rest) assert.ok(k.startsWith("b"));
  db.flush();
  assert.deepEqual(db.scan(cursor, 10), [0, []]);
});

Deno.test("database: randomKey returns only live keys", () => {
  const { db, clock } = setup();
  const random = new Random(3);
  const next = () => random.next();
  assert.equal(db.randomKey(next), undefined);
  for (let i = 0; i < 10; i++) db.set(`k${i}`, "v");
  for (let i = 0; i < 9; i++) db.setExpire(`k${i}`, clock.now());
  for (let i = 0; i < 20; i++) assert.equal(db.randomKey(next), "k9");
  db.setExpire("k9", clock.now());
  assert.equal(db.randomKey(next), undefined);
});

Deno.test("database: the active cycle reclaims expired keys that nobody reads", () => {
  const { db, clock, expired } = setup();
  for (let i = 0; i < 500; i++) {
    db.set(`k${i}`, "v");
    if (i % 2 === 0) db.setExpire(`k${i}`, clock.now() + 10);
  }
  assert.equal(db.activeExpire(Infinity, () => 0), 0);
  clock.advance(10);
  let total = 0;
  for (let i = 0; i < 50 && db.expiresCount > 0; i++) total += db.activeExpire(Infinity, () => 0);
  assert.equal(total, 250);
  assert.equal(db.size, 250);
  assert.equal(expired.length, 250);
});
