import assert from "node:assert/strict";
import {
  BitmapCache,
  bitmapCache,
  bitReader,
  BitRope,
  BitWriter,
  byteAt,
  CACHE_MAX_ROPES,
  fieldResult,
  findByteNot,
  popcount,
  readBits,
  ROPE_MIN_LENGTH,
  writeBits,
} from "../../src/store/bitmap.ts";
import { Random } from "../../src/random.ts";

/** Bits set in a byte, the slow way. */
function bitsIn(b: number): number {
  let n = 0;
  for (; b; b >>= 1) n += b & 1;
  return n;
}

function randomBytes(r: Random, n: number, density = 0.5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.next() < density ? r.below(256) : 0);
  return s;
}

Deno.test("popcount counts the bits of any byte range", () => {
  const r = new Random(1);
  const s = randomBytes(r, 1000);
  for (let k = 0; k < 200; k++) {
    const from = r.below(1000);
    const to = from + r.below(1001 - from);
    let expected = 0;
    for (let i = from; i < to; i++) expected += bitsIn(s.charCodeAt(i));
    assert.equal(popcount(s, from, to), expected, `[${from}, ${to})`);
  }
  assert.equal(popcount("\xff\xff\xff\xff\xff", 0, 5), 40);
  assert.equal(popcount("", 0, 0), 0);
});

Deno.test("findByteNot finds the first byte other than 0 or 255, short and long ranges", () => {
  const zeros = "\0".repeat(500) + "\x04" + "\0".repeat(10);
  assert.equal(findByteNot(zeros, 0, zeros.length, 0), 500);
  assert.equal(findByteNot(zeros, 0, 500, 0), -1);
  assert.equal(findByteNot(zeros, 490, 511, 0), 500);
  assert.equal(findByteNot(zeros, 501, 511, 0), -1);
  assert.equal(findByteNot(zeros, 0, 3, 255), 0);
  const ones = "\xff".repeat(300) + "\xfe";
  assert.equal(findByteNot(ones, 0, ones.length, 255), 300);
  assert.equal(findByteNot(ones, 0, 300, 255), -1);
  assert.equal(findByteNot(ones, 299, 301, 255), 300);
});

Deno.test("a BitRope matches a byte-array model through writes, growth and commits", () => {
  const r = new Random(7);
  for (const start of [0, 1, 255, 256, 257, 5000, 70_000]) {
    const initial = randomBytes(r, start, 0.3);
    const model = Array.from(initial, (c) => c.charCodeAt(0));
    const rope = new BitRope(initial);
    assert.equal(rope.value, initial);
    for (let step = 0; step < 300; step++) {
      const roll = r.next();
      if (roll < 0.1) {
        const grow = model.length + r.below(roll < 0.02 ? 100_000 : 600);
        rope.grow(grow);
        while (model.length < grow) model.push(0);
      } else if (model.length > 0) {
        const i = r.below(model.length);
        const b = r.below(256);
        rope.setByte(i, b);
        model[i] = b;
      }
      if (r.next() < 0.3) {
        const value = rope.commit();
        assert.equal(value.length, model.length);
        assert.equal(value, String.fromCharCode(...model.slice(0, 65536)) + tail(model));
      }
      if (model.length > 0) {
        const i = r.below(model.length);
        assert.equal(rope.byte(i), model[i]);
        const from = r.below(model.length);
        const to = from + r.below(Math.min(model.length - from, 3000) + 1);
        let expected = 0;
        for (let k = from; k < to; k++) expected += bitsIn(model[k]!);
        assert.equal(rope.popcount(from, to), expected);
        const skip = r.next() < 0.5 ? 0 : 255;
        let found = -1;
        for (let k = from; k < to; k++) {
          if (model[k] !== skip) {
            found = k;
            break;
          }
        }
        assert.equal(rope.findByteNot(from, to, skip), found);
      }
    }
    const value = rope.commit();
    assert.equal(value, String.fromCharCode(...model.slice(0, 65536)) + tail(model));
  }
});

function tail(model: number[]): string {
  let s = "";
  for (let i = 65536; i < model.length; i += 65536) {
    s += String.fromCharCode(...model.slice(i, i + 65536));
  }
  return s;
}

Deno.test("BitRope.commit without changes keeps the value", () => {
  const v = "a".repeat(5000);
  const rope = new BitRope(v);
  assert.equal(rope.commit(), v);
  rope.setByte(3, 97);
  assert.equal(rope.commit(), v, "an unchanged byte is no change");
});

Deno.test("BitmapCache finds a rope only for the value it produced, and evicts the oldest", () => {
  const cache = new BitmapCache();
  const a = new BitRope("a".repeat(5000));
  a.setByte(0, 0);
  a.commit();
  cache.keep("a", a);
  assert.equal(cache.find("a", a.value), a);
  // An equal string made some other way serves too.
  assert.equal(cache.find("a", "\0" + "a".repeat(4999)), a);
  assert.equal(cache.find("b", a.value), undefined);
  // Another value: the stale rope goes.
  assert.equal(cache.find("a", "b".repeat(5000)), undefined);
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
  for (let i = 0; i < CACHE_MAX_ROPES + 3; i++) cache.keep(`k${i}`, new BitRope("x".repeat(5000)));
  assert.equal(cache.size, CACHE_MAX_ROPES);
  assert.equal(cache.find("k0", "x".repeat(5000)), undefined);
  assert.ok(cache.find(`k${CACHE_MAX_ROPES + 2}`, "x".repeat(5000)) !== undefined);
  cache.clear();
  assert.equal(cache.size, 0);
});

Deno.test("bitmapCache gives each owner its own cache", () => {
  const one = { bitmaps: new BitmapCache() };
  const two = { bitmaps: new BitmapCache() };
  assert.equal(bitmapCache(one), bitmapCache(one));
  assert.notEqual(bitmapCache(one), bitmapCache(two));
});

Deno.test("BitWriter patches short values and ropes long ones, padding with zeros", async (t) => {
  await t.step("a new key", () => {
    const w = new BitWriter({ bitmaps: new BitmapCache() }, "k", undefined, 4);
    assert.ok(w.grows);
    assert.equal(w.byte(3), 0);
    w.setByte(1, 0xaa);
    assert.equal(w.byte(1), 0xaa);
    assert.equal(w.finish(), "\0\xaa\0\0");
  });
  await t.step("a short value, grown, many patches", () => {
    const w = new BitWriter({ bitmaps: new BitmapCache() }, "k", "abc", 100);
    for (let i = 0; i < 50; i++) w.setByte(i * 2, 65);
    const v = w.finish();
    assert.equal(v.length, 100);
    assert.equal(v.slice(0, 4), "AbA\0");
    assert.equal(v[98], "A");
    assert.equal(v[99], "\0");
  });
  await t.step("a short value, not grown, untouched", () => {
    const w = new BitWriter({ bitmaps: new BitmapCache() }, "k", "abc", 2);
    assert.ok(!w.grows);
    assert.equal(w.length, 3);
    assert.equal(w.finish(), "abc");
  });
  await t.step("a long value goes through the owner's cache", () => {
    const owner = { bitmaps: new BitmapCache() };
    const long = "z".repeat(ROPE_MIN_LENGTH + 10);
    const w = new BitWriter(owner, "k", long, long.length + 300);
    w.setByte(0, 0);
    w.setByte(long.length + 299, 1);
    const v = w.finish();
    assert.equal(v.length, long.length + 300);
    assert.equal(v.charCodeAt(0), 0);
    assert.equal(v.charCodeAt(long.length + 299), 1);
    assert.equal(v.charCodeAt(long.length + 5), 0);
    assert.ok(bitmapCache(owner).find("k", v) !== undefined);
    // Reads of the value just written go through the rope.
    assert.ok(bitReader(owner, "k", v) instanceof BitRope);
    assert.equal(byteAt(owner, "k", v, long.length + 299), 1);
    assert.equal(byteAt(owner, "k", v, 10 ** 9), 0);
    // The next write starts from the cached rope.
    const w2 = new BitWriter(owner, "k", v, 0);
    w2.setByte(1, 2);
    const v2 = w2.finish();
    assert.equal(v2.slice(0, 3), "\0\x02z");
    assert.equal(v.slice(0, 3), "\0zz", "the earlier value is untouched");
  });
});

Deno.test("readBits and writeBits address bits most significant first", () => {
  const bytes = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed];
  const read = (i: number) => bytes[i]!;
  assert.equal(readBits(read, bytes.length, 0, 8), 0x12n);
  assert.equal(readBits(read, bytes.length, 4, 8), 0x23n);
  assert.equal(readBits(read, bytes.length, 0, 64), 0x123456789abcdef0n);
  assert.equal(
    readBits(read, bytes.length, 7, 64),
    BigInt.asUintN(64, 0x123456789abcdef00fn >> 1n),
  );
  assert.equal(readBits(read, bytes.length, 76, 8), 0xd0n, "past the end reads zeros");
  assert.equal(readBits(read, bytes.length, 10 ** 15, 8), 0n);
  assert.equal(readBits(read, 2, 12, 8), 0x40n, "only `length` bytes are read");
  const out = new Array(10).fill(0);
  const set = (i: number, b: number) => (out[i] = b);
  const get = (i: number) => out[i]!;
  writeBits(get, set, 7, 64, 0xffffffffffffffffn);
  assert.deepEqual(out.slice(0, 9), [1, 255, 255, 255, 255, 255, 255, 255, 254]);
  writeBits(get, set, 3, 2, 2n);
  assert.equal(out[0], 0b00010001);
  const r = new Random(3);
  for (let k = 0; k < 300; k++) {
    const bits = 1 + r.below(64);
    const offset = r.below(20);
    const v = BigInt.asUintN(bits, BigInt(r.below(2 ** 31)) * BigInt(r.below(2 ** 31)) + 7n);
    const buf = Array.from({ length: 12 }, () => r.below(256));
    const before = [...buf];
    writeBits((i) => buf[i]!, (i, b) => (buf[i] = b), offset, bits, v);
    assert.equal(readBits((i) => buf[i]!, buf.length, offset, bits), v);
    // Bits outside the field are untouched.
    if (offset > 0) {
      assert.equal(
        readBits((i) => buf[i]!, 12, 0, offset),
        readBits((i) => before[i]!, 12, 0, offset),
      );
    }
    const end = offset + bits;
    assert.equal(
      readBits((i) => buf[i]!, 12, end, 96 - end > 64 ? 64 : 96 - end),
      readBits((i) => before[i]!, 12, end, 96 - end > 64 ? 64 : 96 - end),
    );
  }
});

Deno.test("fieldResult: WRAP, SAT and FAIL as Redis 7.0.15", async (t) => {
  const u8 = { signed: false, bits: 8 };
  const i8 = { signed: true, bits: 8 };
  const i64 = { signed: true, bits: 64 };
  const u63 = { signed: false, bits: 63 };
  await t.step("in range", () => {
    assert.equal(fieldResult(u8, 5n, 10n, "fail"), 15n);
    assert.equal(fieldResult(i8, -5n, -10n, "fail"), -15n);
    assert.equal(fieldResult(i8, -128n, undefined, "fail"), -128n);
  });
  await t.step("INCRBY overflows", () => {
    assert.equal(fieldResult(u8, 250n, 10n, "wrap"), 4n);
    assert.equal(fieldResult(u8, 250n, 10n, "sat"), 255n);
    assert.equal(fieldResult(u8, 250n, 10n, "fail"), null);
    assert.equal(fieldResult(u8, 5n, -10n, "wrap"), 251n);
    assert.equal(fieldResult(u8, 5n, -10n, "sat"), 0n);
    assert.equal(fieldResult(i8, 120n, 10n, "wrap"), -126n);
    assert.equal(fieldResult(i8, -120n, -10n, "sat"), -128n);
    assert.equal(fieldResult(i64, 2n ** 63n - 1n, 1n, "wrap"), -(2n ** 63n));
    assert.equal(fieldResult(i64, -(2n ** 63n), -1n, "sat"), -(2n ** 63n));
    assert.equal(fieldResult(u63, 0n, -1n, "wrap"), 2n ** 63n - 1n);
    assert.equal(fieldResult(u63, 2n ** 63n - 1n, 2n ** 63n - 1n, "sat"), 2n ** 63n - 1n);
  });
  await t.step("SET overflows, Redis's quirks included", () => {
    assert.equal(fieldResult(u8, 256n, undefined, "wrap"), 0n);
    assert.equal(fieldResult(u8, -1n, undefined, "wrap"), 255n);
    assert.equal(fieldResult(u8, -1n, undefined, "sat"), 255n, "a negative SET is huge");
    assert.equal(fieldResult(i8, 200n, undefined, "sat"), 127n);
    assert.equal(fieldResult(i8, -200n, undefined, "sat"), -128n);
    assert.equal(fieldResult(i8, -200n, undefined, "wrap"), 56n);
    // max - value wraps past INT64_MAX: counted as overflowing upwards.
    assert.equal(fieldResult(i8, -(2n ** 63n), undefined, "sat"), 127n);
    assert.equal(fieldResult(i8, -(2n ** 63n), undefined, "wrap"), 0n);
    assert.equal(fieldResult(i64, -(2n ** 63n), undefined, "fail"), -(2n ** 63n));
  });
});
