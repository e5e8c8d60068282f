import assert from "node:assert/strict";
import {
  cachedCardinality,
  countHll,
  decodeSparse,
  denseAdd,
  denseHistogram,
  denseRegister,
  emptyHll,
  estimate,
  hasValidCache,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HASH_SEED,
  HLL_SPARSE,
  HllBuffer,
  hllPatLen,
  isHll,
  mergeRegisters,
  murmurHash64A,
  rawHistogram,
  selfTest,
  signedCardinality,
  sparseHistogram,
  sparseRegister,
  withCachedCardinality,
} from "../../src/store/hll.ts";

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A written the obvious way, with bigints: the reference. */
function referenceMurmur(key: string, seed: number): bigint {
  const len = key.length;
  let h = (BigInt(seed) ^ (BigInt(len) * M)) & MASK;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let b = 7; b >= 0; b--) k = (k << 8n) | BigInt(key.charCodeAt(i + b));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let b = rest - 1; b >= 0; b--) h ^= BigInt(key.charCodeAt(blocks + b)) << BigInt(8 * b);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

/** A deterministic pseudo-random source. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
}

function randomBytes(next: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(next() >>> 24);
  return s;
}

/** A sketch after adding `elements` to an empty one. */
function sketchOf(elements: Iterable<string>, maxBytes = 3000): HllBuffer {
  const hll = HllBuffer.empty();
  for (const e of elements) hll.add(e, maxBytes);
  return hll;
}

function range(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

Deno.test("murmurHash64A equals the 64-bit reference for every length and byte", () => {
  const next = lcg(7);
  for (let len = 0; len < 40; len++) {
    for (let t = 0; t < 20; t++) {
      const key = randomBytes(next, len);
      for (const seed of [0, HLL_HASH_SEED, 0xffffffff]) {
        assert.equal(murmurHash64A(key, seed), referenceMurmur(key, seed), JSON.stringify(key));
      }
    }
  }
  assert.equal(murmurHash64A("", 0), 0n);
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  assert.equal(murmurHash64A(all, HLL_HASH_SEED), referenceMurmur(all, HLL_HASH_SEED));
});

Deno.test("hllPatLen picks the register from the low 14 bits and counts the run to the first 1", () => {
  const next = lcg(11);
  for (let t = 0; t < 2000; t++) {
    const key = randomBytes(next, t % 17);
    const h = referenceMurmur(key, HLL_HASH_SEED);
    const index = Number(h & 16383n);
    let rest = (h >> 14n) | (1n << 50n);
    let count = 1;
    while ((rest & 1n) === 0n) {
      rest >>= 1n;
      count++;
    }
    assert.equal(hllPatLen(key), index * 64 + count, JSON.stringify(key));
  }
  // As real Redis decodes them: PFADD x a -> Z:12711 v:2,1; hello -> Z:9216 v:1,1.
  assert.equal(hllPatLen("a"), 12711 * 64 + 2);
  assert.equal(hllPatLen("hello"), 9216 * 64 + 1);
});

Deno.test("an empty sketch is sparse, one XZERO of 16384, with a valid cache of 0", () => {
  const empty = emptyHll();
  assert.equal(empty.length, 18);
  assert.equal(empty.slice(0, 5), "HYLL\x01");
  assert.equal(decodeSparse(empty), "Z:16384");
  assert.equal(hasValidCache(empty), true);
  assert.equal(cachedCardinality(empty), 0);
  assert.equal(countHll(empty), 0);
  assert.equal(isHll(empty), true);
});

Deno.test("isHll checks the length, magic, encoding and dense size as Redis does", () => {
  const dense = HllBuffer.emptyDense().toString();
  assert.equal(dense.length, HLL_DENSE_SIZE);
  assert.equal(isHll(dense), true);
  assert.equal(isHll(dense + "x"), false);
  assert.equal(isHll(dense.slice(0, -1)), false);
  assert.equal(isHll("HYLL\x01" + "\0".repeat(11)), true, "a bare sparse header passes");
  assert.equal(isHll("HYLL\x01" + "\0".repeat(10)), false);
  assert.equal(isHll("HYLX\x01" + "\0".repeat(11)), false);
  assert.equal(isHll("HYLL\x02" + "\0".repeat(11)), false);
  assert.equal(isHll(""), false);
});

Deno.test("sparse sets split and merge opcodes as Redis's documented example", () => {
  const hll = HllBuffer.empty();
  assert.equal(hll.sparseSet(1000, 2, 3000), 1);
  assert.equal(decodeSparse(hll.toString()), "Z:1000 v:2,1 Z:15383");
  assert.equal(hll.sparseSet(1020, 3, 3000), 1);
  assert.equal(hll.sparseSet(1021, 3, 3000), 1);
  assert.equal(decodeSparse(hll.toString()), "Z:1000 v:2,1 z:19 v:3,2 Z:15362");
  assert.equal(hll.sparseSet(1021, 3, 3000), 0, "an equal value changes nothing");
  assert.equal(hll.sparseSet(1020, 1, 3000), 0, "a smaller value changes nothing");
  assert.equal(hll.sparseSet(1022, 3, 3000), 1);
  assert.equal(hll.sparseSet(1023, 3, 3000), 1);
  assert.equal(decodeSparse(hll.toString()), "Z:1000 v:2,1 z:19 v:3,4 Z:15360");
  assert.equal(hll.sparseSet(1024, 3, 3000), 1, "a run of 5 needs two VALs");
  assert.equal(decodeSparse(hll.toString()), "Z:1000 v:2,1 z:19 v:3,4 v:3,1 Z:15359");
  assert.equal(hll.sparseSet(1021, 4, 3000), 1, "a VAL run is split");
  assert.equal(
    decodeSparse(hll.toString()),
    "Z:1000 v:2,1 z:19 v:3,1 v:4,1 v:3,3 Z:15359",
    "the split's right part merges with the next VAL",
  );
  assert.equal(hll.sparseSet(0, 1, 3000), 1);
  assert.equal(hll.sparseSet(16383, 32, 3000), 1);
  assert.equal(
    decodeSparse(hll.toString()),
    "v:1,1 Z:999 v:2,1 z:19 v:3,1 v:4,1 v:3,3 Z:15358 v:32,1",
  );
  assert.equal(hll.encoding, HLL_SPARSE);
  assert.equal(hasValidCache(hll.toString()), false, "a change invalidates the cache");
});

Deno.test("a sparse sketch turns dense for a value above 32 or beyond the byte limit", () => {
  const big = HllBuffer.empty();
  big.sparseSet(5, 2, 3000);
  assert.equal(big.sparseSet(7, 33, 3000), 1);
  assert.equal(big.encoding, HLL_DENSE);
  assert.equal(big.length, HLL_DENSE_SIZE);
  assert.equal(big.register(5), 2);
  assert.equal(big.register(7), 33);
  assert.equal(big.register(6), 0);

  const small = HllBuffer.empty();
  assert.equal(small.sparseSet(100, 1, 19), 1, "18 + 2 bytes would pass 19");
  assert.equal(small.encoding, HLL_DENSE);
  const fits = HllBuffer.empty();
  assert.equal(fits.sparseSet(100, 1, 21), 1);
  assert.equal(fits.encoding, HLL_SPARSE);
  assert.equal(fits.length, 21);
});

Deno.test("sparse and dense sketches of the same elements hold the same registers and counts", () => {
  for (const n of [1, 10, 100, 400]) {
    const items = range("x", n);
    const sparse = sketchOf(items);
    assert.equal(sparse.encoding, HLL_SPARSE, `${n}`);
    const dense = HllBuffer.emptyDense();
    for (const e of items) dense.add(e, 3000);
    const s = sparse.toString();
    const converted = HllBuffer.from(s);
    assert.equal(converted.toDense(), true);
    for (let i = 0; i < 16384; i++) {
      assert.equal(converted.register(i), dense.register(i), `${n}: register ${i}`);
    }
    assert.equal(countHll(s), countHll(dense.toString()));
    assert.equal(countHll(converted.toString()), countHll(dense.toString()));
  }
});

Deno.test("counts equal real Redis 7.0.15's for the same elements", () => {
  // PFADD ref<n> e0 .. e<n-1>, then PFCOUNT, on redis-server 7.0.15.
  const redis: [number, number, number][] = [
    [1, 1, HLL_SPARSE],
    [10, 10, HLL_SPARSE],
    [100, 100, HLL_SPARSE],
    [1000, 1008, HLL_SPARSE],
    [10000, 9973, HLL_DENSE],
    [100000, 100853, HLL_DENSE],
  ];
  for (const [n, count, encoding] of redis) {
    const hll = sketchOf(range("e", n));
    assert.equal(hll.encoding, encoding, `${n}`);
    assert.equal(hll.count(), count, `${n}`);
  }
});

Deno.test("estimate follows Redis's arithmetic to its huge and overflowing ends", () => {
  const h = new Float64Array(64);
  h[0] = 16384;
  assert.equal(estimate(h), 0);
  h.fill(0);
  h[51] = 16384;
  assert.equal(estimate(h), 2n ** 63n, "an infinite estimate overflows");
  h.fill(0);
  h[50] = 16384;
  assert.equal(estimate(h), 2n ** 63n, "beyond 2^63 overflows");
  h.fill(0);
  h[49] = 16384;
  assert.equal(estimate(h), 6653256548922161152n);
  h.fill(0);
  h[30] = 16384;
  assert.equal(estimate(h), 12690079782337);
  h.fill(0);
  h[63] = 16384;
  assert.equal(estimate(h), 2n ** 63n, "registers above 51 are not counted");
  assert.equal(signedCardinality(2n ** 63n), -(2n ** 63n));
  assert.equal(signedCardinality(6653256548922161152n), 6653256548922161152n);
  assert.equal(signedCardinality(5), 5);
});

Deno.test("the cached cardinality round-trips, beyond 2^53 exactly", () => {
  for (const card of [0, 1, 255, 256, 2 ** 40 + 3, 2n ** 53n + 1n, 2n ** 63n - 1n]) {
    const value = withCachedCardinality(emptyHll(), card);
    assert.equal(hasValidCache(value), true);
    assert.equal(BigInt(cachedCardinality(value)), BigInt(card));
  }
  const overflow = withCachedCardinality(emptyHll(), 2n ** 63n);
  assert.equal(hasValidCache(overflow), false, "the overflow value reads as an invalid cache");
  const hll = HllBuffer.from(withCachedCardinality(emptyHll(), 7));
  hll.invalidateCache();
  assert.equal(hasValidCache(hll.toString()), false);
});

Deno.test("corrupt sparse opcodes are found by every walk", () => {
  const short = "HYLL\x01" + "\0".repeat(10) + "\x80" + "\x5f\xff"; // XZERO 8192
  const h = new Float64Array(64);
  assert.equal(sparseHistogram(short, h), false);
  assert.equal(countHll(short), undefined);
  assert.equal(mergeRegisters(new Uint8Array(16384), short), false);
  assert.equal(HllBuffer.from(short).toDense(), false);
  const hll = HllBuffer.from(short);
  assert.equal(hll.sparseSet(8191, 1, 3000), 1, "inside the opcodes");
  assert.equal(hll.sparseSet(9000, 1, 3000), -1, "past them");
  assert.equal(hll.sparseSet(9000, 40, 3000), -1, "a promotion fails too");
  assert.equal(HllBuffer.from("HYLL\x01" + "\0".repeat(11)).sparseSet(0, 1, 3000), -1);
  const long = "HYLL\x01" + "\0".repeat(10) + "\x80" + "\x7f\xff\x00";
  assert.equal(countHll(long), undefined);
  assert.equal(decodeSparse(long), "Z:16384 z:1");
  assert.equal(decodeSparse(long.slice(0, -2)), "Z:16129", "a cut XZERO reads a zero byte");
});

Deno.test("mergeRegisters takes the maximum of dense and sparse registers", () => {
  const a = sketchOf(range("a", 50));
  const b = sketchOf(range("b", 5000));
  assert.equal(b.encoding, HLL_DENSE);
  const max = new Uint8Array(16384);
  assert.equal(mergeRegisters(max, a.toString()), true);
  assert.equal(mergeRegisters(max, b.toString()), true);
  const both = sketchOf([...range("a", 50), ...range("b", 5000)]);
  for (let i = 0; i < 16384; i++) assert.equal(max[i], both.register(i));
  const h = new Float64Array(64);
  rawHistogram(max, h);
  const d = new Float64Array(64);
  denseHistogram(both.toString(), d);
  assert.deepEqual(h, d);
  assert.equal(estimate(h), both.count());
  assert.equal(denseRegister(both.toString(), 16383), both.register(16383));
});

Deno.test("toDense keeps the header and the registers", () => {
  const s = "HYLL\x01\x07\x08\x09" + "\x05" + "\0".repeat(7) + "\x80\x7f\xfe";
  const hll = HllBuffer.from(s);
  assert.equal(hll.toDense(), true);
  const d = hll.toString();
  assert.equal(d.slice(0, 16), "HYLL\x00\x07\x08\x09\x05" + "\0".repeat(7));
  assert.equal(denseRegister(d, 0), 1);
  assert.equal(denseRegister(d, 1), 0);
  assert.equal(hll.toDense(), true, "already dense");
});

Deno.test("selfTest passes with the default sparse limit and with none", () => {
  assert.equal(selfTest(lcg(1), 3000), undefined);
  assert.equal(selfTest(lcg(2), 0), undefined, "no sparse check with a zero limit");
});

Deno.test("denseAdd splices few changes and rebuilds for many, as a buffer would", () => {
  const base = sketchOf(range("d", 6000));
  assert.equal(base.encoding, HLL_DENSE);
  let value = withCachedCardinality(base.toString(), 5955);
  const reference = HllBuffer.from(value);
  const next = lcg(5);
  for (const batch of [0, 1, 2, 5, 30, 64, 65, 200, 3000]) {
    const items = Array.from({ length: batch }, () => randomBytes(next, 1 + (next() >>> 28)));
    let expected = 0;
    for (const e of items) if (reference.add(e, 3000) === 1) expected++;
    if (expected > 0) reference.invalidateCache();
    const added = denseAdd(value, ["PFADD", "key", ...items], 2);
    assert.equal(added.updated, expected, `batch ${batch}`);
    assert.equal(added.value, reference.toString(), `batch ${batch}`);
    value = added.value;
  }
  const same = denseAdd(value, ["d1", "d2"], 0);
  assert.equal(same.updated, 0);
  assert.equal(same.value, value);
});

Deno.test("sparseRegister reads what toDense writes, and -1 past corrupt opcodes", () => {
  const sparse = sketchOf(range("r", 300)).toString();
  const dense = HllBuffer.from(sparse);
  assert.equal(dense.toDense(), true);
  for (let i = 0; i < 16384; i++) assert.equal(sparseRegister(sparse, i), dense.register(i));
  const half = "HYLL\x01" + "\0".repeat(10) + "\x80" + "\x5f\xff";
  assert.equal(sparseRegister(half, 8191), 0);
  assert.equal(sparseRegister(half, 8192), -1);
});
