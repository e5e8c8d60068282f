import assert from "node:assert/strict";
import { Database } from "../../src/store/database.ts";
import { ManualClock } from "../../src/clock.ts";

function database(id = 0, clock = new ManualClock(0)): Database {
  return new Database(id, clock, { expired() {} });
}

Deno.test("a recorded string encoding is dropped by any store or removal of the key", () => {
  const db = database();
  db.set("k", "1");
  assert.equal(db.encoding("k"), undefined);
  db.setEncoding("k", "raw");
  assert.equal(db.encoding("k"), "raw");
  db.set("k", "1", true);
  assert.equal(db.encoding("k"), undefined);
  db.setEncoding("k", "embstr");
  db.setWithExpire("k", "2", 100);
  assert.equal(db.encoding("k"), undefined);
  db.setEncoding("k", "raw");
  db.delete("k");
  assert.equal(db.encoding("k"), undefined);
  db.set("k", "1");
  assert.equal(db.encoding("k"), undefined);
});

Deno.test("setEncoding ignores a key that is not stored", () => {
  const db = database();
  db.setEncoding("nosuch", "raw");
  db.set("nosuch", "x");
  assert.equal(db.encoding("nosuch"), undefined);
});

Deno.test("a recorded encoding survives touch and replaceQuietly", () => {
  const db = database();
  db.set("k", "abc");
  db.setEncoding("k", "raw");
  db.touch("k");
  db.replaceQuietly("k", "abd");
  assert.equal(db.encoding("k"), "raw");
});

Deno.test("a recorded encoding goes with the key through rename, move and copy", () => {
  const clock = new ManualClock(0);
  const db0 = database(0, clock);
  const db1 = database(1, clock);
  db0.set("a", "1");
  db0.setEncoding("a", "raw");
  assert.ok(db0.rename("a", "b"));
  assert.equal(db0.encoding("a"), undefined);
  assert.equal(db0.encoding("b"), "raw");
  assert.ok(db0.copy("b", db0, "c"));
  assert.equal(db0.encoding("c"), "raw");
  assert.equal(db0.encoding("b"), "raw");
  assert.ok(db0.copy("b", db1, "d"));
  assert.equal(db1.encoding("d"), "raw");
  assert.ok(db0.move("c", db1));
  assert.equal(db0.encoding("c"), undefined);
  assert.equal(db1.encoding("c"), "raw");
  // A copy or rename onto a key with a mark, from one without, clears it.
  db0.set("plain", "1");
  assert.ok(db0.copy("plain", db0, "b"));
  assert.equal(db0.encoding("b"), undefined);
  db1.set("plain", "1");
  assert.ok(db1.rename("plain", "d"));
  assert.equal(db1.encoding("d"), undefined);
});

Deno.test("a recorded encoding expires with its key and goes with SWAPDB, not FLUSHDB", () => {
  const clock = new ManualClock(0);
  const db0 = database(0, clock);
  const db1 = database(1, clock);
  db0.set("k", "1");
  db0.setEncoding("k", "raw");
  db0.swapWith(db1);
  assert.equal(db0.encoding("k"), undefined);
  assert.equal(db1.encoding("k"), "raw");
  db1.flush();
  db1.set("k", "1");
  assert.equal(db1.encoding("k"), undefined);
  db1.setEncoding("k", "raw");
  db1.setExpire("k", 10);
  clock.advance(20);
  assert.equal(db1.get("k"), undefined);
  db1.set("k", "1");
  assert.equal(db1.encoding("k"), undefined);
});
