import assert from "node:assert/strict";
import { HashValue } from "../../src/store/hash.ts";

Deno.test("HashValue sets, gets and deletes fields in insertion order", () => {
  const h = new HashValue();
  assert.equal(h.type, "hash");
  assert.equal(h.set("a", "1"), true);
  assert.equal(h.set("b", "2"), true);
  assert.equal(h.set("a", "3"), false);
  assert.equal(h.get("a"), "3");
  assert.equal(h.size, 2);
  assert.deepEqual([...h.map.keys()], ["a", "b"]);
  assert.equal(h.delete("a"), true);
  assert.equal(h.delete("a"), false);
  h.set("a", "4");
  assert.deepEqual([...h.map.keys()], ["b", "a"]);
});

Deno.test("HashValue converts from listpack to hashtable one way", async (t) => {
  await t.step("a long field or value converts", () => {
    const h = new HashValue();
    h.fit(64, "x".repeat(64));
    assert.equal(h.encoding(), "listpack");
    h.fit(64, "x".repeat(65));
    assert.equal(h.encoding(), "hashtable");
    h.fit(1000, "y");
    assert.equal(h.encoding(), "hashtable");
  });
  await t.step("more fields than the limit convert, deleting does not convert back", () => {
    const h = new HashValue();
    h.set("a", "1");
    h.set("b", "2");
    h.fitSize(2);
    assert.equal(h.isListpack, true);
    h.set("c", "3");
    h.fitSize(2);
    assert.equal(h.encoding(), "hashtable");
    h.delete("c");
    h.delete("b");
    h.fitSize(2);
    assert.equal(h.encoding(), "hashtable");
  });
});

Deno.test("HashValue clone is deep, field TTLs included", () => {
  const h = new HashValue();
  h.set("a", "1");
  h.set("b", "2");
  h.setExpire("a", 100);
  const c = h.clone();
  c.set("c", "3");
  c.persist("a");
  assert.equal(h.size, 2);
  assert.equal(h.getExpire("a"), 100);
  assert.equal(c.getExpire("a"), undefined);
  assert.equal(c.encoding(), "listpackex");
  const big = new HashValue(new Map([["x", "y"]]), false);
  assert.equal(big.clone().encoding(), "hashtable");
});

Deno.test("HashValue field TTLs: set, persist, overwrite and purge", async (t) => {
  await t.step("no TTL index until one is set", () => {
    const h = new HashValue();
    h.set("a", "1");
    assert.equal(h.hasExpires, false);
    assert.equal(h.encoding(), "listpack");
    assert.deepEqual(h.purge(Number.MAX_SAFE_INTEGER), []);
    assert.equal(h.size, 1);
  });
  await t.step("purge removes due fields only, at or before now", () => {
    const h = new HashValue();
    h.set("a", "1");
    h.set("b", "2");
    h.set("c", "3");
    h.setExpire("a", 100);
    h.setExpire("b", 200);
    assert.equal(h.encoding(), "listpackex");
    assert.deepEqual(h.purge(99), []);
    assert.deepEqual(h.purge(100), ["a"]);
    assert.deepEqual([...h.map.keys()], ["b", "c"]);
    assert.deepEqual(h.purge(150), []);
    assert.deepEqual(h.purge(250), ["b"]);
    assert.equal(h.hasExpires, false);
  });
  await t.step("set clears a TTL unless keepTtl, delete and persist clear it", () => {
    const h = new HashValue();
    h.set("a", "1");
    h.set("b", "2");
    h.set("c", "3");
    h.setExpire("a", 100);
    h.setExpire("b", 100);
    h.setExpire("c", 100);
    h.set("a", "x");
    assert.equal(h.getExpire("a"), undefined);
    h.set("b", "y", true);
    assert.equal(h.getExpire("b"), 100);
    assert.equal(h.persist("c"), true);
    assert.equal(h.persist("c"), false);
    assert.deepEqual(h.purge(100), ["b"]);
    assert.deepEqual([...h.map.keys()], ["a", "c"]);
  });
  await t.step("a stale earliest expiry is corrected by the next purge", () => {
    const h = new HashValue();
    h.set("a", "1");
    h.set("b", "2");
    h.setExpire("a", 100);
    h.setExpire("b", 500);
    h.delete("a");
    assert.deepEqual(h.purge(200), []);
    assert.deepEqual(h.purge(499), []);
    assert.deepEqual(h.purge(500), ["b"]);
  });
});
