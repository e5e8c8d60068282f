import assert from "node:assert/strict";
import { Database } from "../../src/store/database.ts";
import { ManualClock } from "../../src/clock.ts";
import { Random } from "../../src/random.ts";
import { HashValue } from "../../src/store/hash.ts";

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

// ---------------------------------------------------------------------------
// Per-key indexes: keys with field TTLs and live HSCAN / SSCAN cursors

/** Every `fieldsExpired` report, as `db:key` (with `!` when the key was deleted). */
function setupFields(): {
  db: Database;
  other: Database;
  clock: ManualClock;
  reports: string[];
} {
  const clock = new ManualClock(1_000_000);
  const reports: string[] = [];
  const hooks = {
    expired() {},
    fieldsExpired: (db: Database, key: string, _fields: readonly string[], deleted: boolean) => {
      reports.push(`${db.id}:${key}${deleted ? "!" : ""}`);
    },
  };
  return {
    db: new Database(0, clock, hooks),
    other: new Database(1, clock, hooks),
    clock,
    reports,
  };
}

/** A hash with fields `a` and `b`, `a` expiring at `at`. */
function hashWithTtl(at: number): HashValue {
  const h = new HashValue();
  h.set("a", "1");
  h.set("b", "2");
  h.setExpire("a", at);
  return h;
}

/** Runs the active field cycle until it has visited every indexed key. */
function expireFieldsFully(db: Database): void {
  db.activeExpireFields(db.fieldExpiresCount + 1);
}

Deno.test("database: keys with field TTLs are indexed, visited round robin, and stale ones dropped", () => {
  const { db, clock, reports } = setupFields();
  const hashes: HashValue[] = [];
  for (let i = 0; i < 5; i++) {
    const h = new HashValue();
    h.set("f", "v");
    db.set(`k${i}`, h);
    h.setExpire("f", clock.now() + 1000);
    db.trackFieldExpiry(`k${i}`);
    hashes.push(h);
  }
  db.set("plain", new HashValue());
  db.trackFieldExpiry("plain");
  db.trackFieldExpiry("missing");
  assert.equal(db.fieldExpiresCount, 5);
  // Round robin: each call goes on where the previous one stopped.
  hashes[0]!.setExpire("f", clock.now());
  hashes[3]!.setExpire("f", clock.now());
  assert.equal(db.activeExpireFields(3), 1);
  assert.deepEqual(reports, ["0:k0!"]);
  assert.equal(db.activeExpireFields(3), 1);
  assert.deepEqual(reports, ["0:k0!", "0:k3!"]);
  assert.equal(db.has("k0") || db.has("k3"), false);
  // Overwritten and deleted keys leave at once; a hash without TTLs when met.
  db.set("k1", "string");
  db.delete("k2");
  assert.equal(db.fieldExpiresCount, 1);
  hashes[4]!.persist("f");
  assert.equal(db.activeExpireFields(10), 0);
  assert.equal(db.fieldExpiresCount, 0);
});

Deno.test("database: a renamed hash keeps its field TTLs in the active cycle", () => {
  const { db, clock, reports } = setupFields();
  for (const key of ["h", "same"]) {
    db.set(key, hashWithTtl(clock.now() + 100));
  }
  assert.equal(db.rename("h", "h2"), true);
  assert.equal(db.fieldExpiresCount, 2);
  clock.advance(100);
  expireFieldsFully(db);
  assert.deepEqual(reports.sort(), ["0:h2", "0:same"]);
  assert.deepEqual([...(db.lookup("h2", false) as HashValue).map.keys()], ["b"]);
  assert.equal(db.fieldExpiresCount, 0);
});

Deno.test("database: move carries the TTL, the field TTL index and the live cursors", () => {
  const { db, other, clock, reports } = setupFields();
  const h = hashWithTtl(clock.now() + 100);
  db.set("h", h);
  db.setExpire("h", clock.now() + 10_000);
  // A move onto an existing key, within one database or of a missing key is refused.
  other.set("h", "x");
  assert.equal(db.move("h", other), false);
  other.delete("h");
  assert.equal(db.move("h", db), false);
  assert.equal(db.move("missing", other), false);
  assert.equal(db.move("h", other), true);
  assert.equal(db.has("h"), false);
  assert.equal(other.lookup("h", false), h);
  assert.equal(other.getExpire("h"), clock.now() + 10_000);
  assert.equal(db.fieldExpiresCount, 0);
  assert.equal(other.fieldExpiresCount, 1);
  clock.advance(100);
  expireFieldsFully(db);
  expireFieldsFully(other);
  assert.deepEqual(reports, ["1:h"]);
  assert.deepEqual([...h.map.keys()], ["b"]);
});

/** A hash of `n` fields `f0`, `f1`, ... */
function bigHash(n: number): HashValue {
  return new HashValue(new Map(Array.from({ length: n }, (_, i) => [`f${i}`, "v"])));
}

/** The fields `f<from>` to `f<to - 1>`. */
function fieldRange(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `f${from + i}`);
}

Deno.test("database: HSCAN / SSCAN cursors follow their value through rename, move and swap", async (t) => {
  // Each case: scan 5 of 20 fields, delete f0 (a positional resume would then
  // skip f5), relocate the key, and resume where the value now lives.
  const cases: [string, (db: Database, other: Database) => Database][] = [
    ["rename", (db) => {
      assert.equal(db.rename("h", "h2"), true);
      return db;
    }],
    ["move", (db, other) => {
      assert.equal(db.move("h", other), true);
      return other;
    }],
    ["swapWith", (db, other) => {
      db.swapWith(other);
      return other;
    }],
  ];
  for (const [name, relocate] of cases) {
    await t.step(name, () => {
      const { db, other } = setupFields();
      const h = bigHash(20);
      db.set("h", h);
      const [cursor, first] = db.scanContainer(h, () => h.map.keys(), 0, 5);
      assert.deepEqual(first, fieldRange(0, 5));
      h.delete("f0");
      const home = relocate(db, other);
      const [end, rest] = home.scanContainer(h, () => h.map.keys(), cursor, 100);
      assert.deepEqual([end, rest], [0, fieldRange(5, 20)]);
    });
  }
  await t.step("flush forgets them: a resumed cursor falls back to its position", () => {
    const { db } = setupFields();
    const h = bigHash(20);
    db.set("h", h);
    const [cursor] = db.scanContainer(h, () => h.map.keys(), 0, 5);
    db.flush();
    h.delete("f0");
    db.set("h", h);
    const [, rest] = db.scanContainer(h, () => h.map.keys(), cursor, 100);
    assert.deepEqual(rest, fieldRange(6, 20));
  });
});

Deno.test("database: a copy has its own field TTL entry, independent of the source", () => {
  const { db, other, clock, reports } = setupFields();
  const h = hashWithTtl(clock.now() + 100);
  db.set("h", h);
  assert.equal(db.copy("h", db, "c"), true);
  assert.equal(db.copy("h", other, "c"), true);
  assert.notEqual(db.get("c"), h);
  assert.equal(db.fieldExpiresCount, 2);
  assert.equal(other.fieldExpiresCount, 1);
  // Persisting the source's field leaves the copies' TTLs; deleting it leaves their entries.
  h.persist("a");
  db.delete("h");
  assert.equal(db.fieldExpiresCount, 1);
  clock.advance(100);
  expireFieldsFully(db);
  expireFieldsFully(other);
  assert.deepEqual(reports, ["0:c", "1:c"]);
  assert.deepEqual([...h.map.keys()], ["a", "b"]);
});

Deno.test("database: rename and copy are one change each and create the destination anew", async (t) => {
  /** A database recording its `modified` and `created` hooks as `event:db:key:changes`. */
  function recording(): { db: Database; other: Database; clock: ManualClock; seen: string[] } {
    const clock = new ManualClock(1_000_000);
    const seen: string[] = [];
    const hooks = {
      expired() {},
      created: (db: Database, key: string) => seen.push(`created:${db.id}:${key}`),
      modified: (db: Database, key: string, n: number) =>
        seen.push(`modified:${db.id}:${key}:${n}`),
    };
    return { db: new Database(0, clock, hooks), other: new Database(1, clock, hooks), clock, seen };
  }
  await t.step("rename replaces the destination and carries the TTL", () => {
    const { db, clock, seen } = recording();
    db.set("a", "1");
    db.setExpire("a", clock.now() + 1000);
    db.set("b", "2");
    seen.length = 0;
    assert.equal(db.rename("a", "b"), true);
    assert.deepEqual(seen, ["created:0:b", "modified:0:a:1", "modified:0:b:0"]);
    assert.deepEqual([db.has("a"), db.get("b"), db.getExpire("b")], [
      false,
      "1",
      clock.now() + 1000,
    ]);
  });
  await t.step("rename drops the destination's TTL when the source has none", () => {
    const { db, clock } = recording();
    db.set("a", "1");
    db.set("b", "2");
    db.setExpire("b", clock.now() + 1000);
    assert.equal(db.rename("a", "b"), true);
    assert.equal(db.getExpire("b"), undefined);
  });
  await t.step("rename refuses a missing source or the same name", () => {
    const { db, seen } = recording();
    db.set("a", "1");
    seen.length = 0;
    assert.equal(db.rename("a", "a"), false);
    assert.equal(db.rename("missing", "b"), false);
    assert.deepEqual(seen, []);
  });
  await t.step("copy replaces the destination, in this database or another", () => {
    const { db, other, clock, seen } = recording();
    db.set("a", "1");
    db.setExpire("a", clock.now() + 1000);
    db.set("b", "2");
    other.set("b", "3");
    seen.length = 0;
    assert.equal(db.copy("a", db, "b"), true);
    assert.equal(db.copy("a", other, "b"), true);
    assert.deepEqual(seen, ["created:0:b", "modified:0:b:1", "created:1:b", "modified:1:b:1"]);
    for (const d of [db, other]) {
      assert.deepEqual([d.get("b"), d.getExpire("b")], ["1", clock.now() + 1000]);
    }
    assert.equal(db.get("a"), "1");
  });
  await t.step("copy refuses a missing source or itself", () => {
    const { db, other, seen } = recording();
    db.set("a", "1");
    seen.length = 0;
    assert.equal(db.copy("a", db, "a"), false);
    assert.equal(db.copy("missing", other, "a"), false);
    assert.deepEqual(seen, []);
  });
});

Deno.test("database: swapWith exchanges the field TTL indexes, flush empties them", () => {
  const { db, other, clock, reports } = setupFields();
  db.set("h", hashWithTtl(clock.now() + 100));
  db.set("x", hashWithTtl(clock.now() + 100));
  other.set("o", hashWithTtl(clock.now() + 100));
  db.swapWith(other);
  assert.equal(db.fieldExpiresCount, 1);
  assert.equal(other.fieldExpiresCount, 2);
  clock.advance(100);
  expireFieldsFully(db);
  expireFieldsFully(other);
  assert.deepEqual(reports.sort(), ["0:o", "1:h", "1:x"]);
  other.set("y", hashWithTtl(clock.now() + 100));
  assert.equal(other.flush(), 3);
  assert.equal(other.fieldExpiresCount, 0);
  assert.equal(other.activeExpireFields(), 0);
});

Deno.test("database: field expiry leaves expired keys to the key cycle and deletes emptied hashes", () => {
  const { db, clock, reports } = setupFields();
  const expiredKey = hashWithTtl(clock.now() + 100);
  db.set("gone", expiredKey);
  db.setExpire("gone", clock.now() + 50);
  const single = new HashValue();
  single.set("f", "v");
  single.setExpire("f", clock.now() + 100);
  db.set("single", single);
  clock.advance(100);
  expireFieldsFully(db);
  // "gone" expired as a key: its fields are not touched, and it stays indexed until reclaimed.
  assert.deepEqual(reports, ["0:single!"]);
  assert.equal(expiredKey.size, 2);
  assert.equal(db.stored("single"), false);
  assert.equal(db.fieldExpiresCount, 1);
  db.activeExpire(Infinity, () => 0);
  assert.equal(db.fieldExpiresCount, 0);
});

Deno.test("database: expireFields purges one key lazily, at the time given", () => {
  const { db, clock, reports } = setupFields();
  db.set("h", hashWithTtl(clock.now() + 100));
  db.set("s", "string");
  assert.equal(db.expireFields("h"), 0);
  assert.equal(db.expireFields("s"), 0);
  assert.equal(db.expireFields("missing"), 0);
  assert.equal(db.expireFields("h", clock.now() + 100), 1);
  assert.deepEqual(reports, ["0:h"]);
  // The last TTL gone, the key leaves the index at once.
  assert.equal(db.fieldExpiresCount, 0);
});
