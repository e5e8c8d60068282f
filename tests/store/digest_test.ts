import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { Database } from "../../src/store/database.ts";
import { ListValue } from "../../src/store/list.ts";
import { SetValue } from "../../src/store/set.ts";
import { HashValue } from "../../src/store/hash.ts";
import { ZSetValue } from "../../src/store/zset.ts";
import { datasetDigest, mixDigest, valueDigest, xorDigest } from "../../src/store/digest.ts";
import { sha1, toHex } from "../../src/store/sha1.ts";

/** Digests a real redis-server 7.0.15 answered for the same values. */
const REDIS: Record<string, string> = {
  s: "36b23a1456b2dce2c3ed252c456761301dba8060",
  i: "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83",
  l: "6b15aa298e0e4d1f6244448df32b23e74a4147ce",
  is: "2a462a3f51a1db89738ebbeef0c47ce1bbc85246",
  hs: "593c2414786d75446e97f4ea5d4b731f3313da72",
  h: "ad9a818d75d51dd3c55d5905f22259a91bbc4b14",
  e: "311b17018163335616e089f6b951c82c477335ac",
};

function database(id = 0): Database {
  return new Database(id, new ManualClock(0), { expired() {} });
}

Deno.test("xorDigest and mixDigest are SHA-1 xor and SHA-1 feedback", () => {
  const d = new Uint8Array(20);
  xorDigest(d, "abc");
  assert.equal(toHex(d), toHex(sha1("abc")));
  mixDigest(d, "abc"); // d ^ sha1("abc") is zero: d becomes sha1 of 20 zero bytes.
  assert.equal(toHex(d), toHex(sha1(new Uint8Array(20))));
});

Deno.test("value and dataset digests equal Redis 7.0.15's", () => {
  const db = database();
  db.set("s", "hello");
  db.set("i", "12345");
  db.set("l", new ListValue(["a", "b", "1", "2"]));
  db.set("is", new SetValue(["3", "1", "2"]));
  db.set("hs", new SetValue(["a", "b", "c"]));
  db.set("h", new HashValue(new Map([["f", "v"], ["n", "1"]])));
  db.set("e", "v");
  db.setExpire("e", 1_000_000);
  for (const [key, digest] of Object.entries(REDIS)) {
    assert.equal(valueDigest(db.peek(key), db.getExpire(key) !== undefined), digest, key);
  }
  assert.equal(datasetDigest([db]), "cdd86f4e8f3540c8abe2f4881f45bf586227ddd7");
  assert.equal(datasetDigest([database(), db]), "cdd86f4e8f3540c8abe2f4881f45bf586227ddd7");
  assert.equal(valueDigest(undefined, true), "0".repeat(40));
});

Deno.test("a value type without a digest yet is an error, not a wrong digest", () => {
  const stream = { type: "stream", encoding: () => "stream", clone: () => stream } as const;
  assert.throws(() => valueDigest(stream, false), /no digest for stream values/);
});

Deno.test("sorted-set digests equal Redis 7.0.15's in both encodings", () => {
  // ZADD k 1.1 a -0 b inf c 3 7 -2.5e-7 d 1e20 e, as a listpack (-0 reads
  // back as 0 there) and as a skiplist (-0 kept).
  const entries: [string, number][] = [
    ["a", 1.1],
    ["b", -0],
    ["c", Infinity],
    ["7", 3],
    ["d", -2.5e-7],
    ["e", 1e20],
  ];
  const listpack = new ZSetValue();
  const skiplist = new ZSetValue(false);
  for (const [m, s] of entries) {
    listpack.set(m, s, { maxEntries: 128, maxValue: 64 });
    skiplist.set(m, s, { maxEntries: 0, maxValue: 64 });
  }
  assert.equal(listpack.encoding(), "listpack");
  assert.equal(skiplist.encoding(), "skiplist");
  assert.equal(valueDigest(listpack, false), "d2ae840df2f8d838aafba74479ad7e9cf9dd1cc6");
  assert.equal(valueDigest(skiplist, false), "70f2bd5a1f6bfe875e99134bd2c4c0d01dee76c3");
});
