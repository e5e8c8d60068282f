import assert from "node:assert/strict";
import {
  binaryToBytes,
  bytesToBinary,
  lzfCompress,
  LzfCompressor,
  lzfDecompress,
} from "../../src/store/lzf.ts";
import { encodeRdbString } from "../../src/scripting/function_dump.ts";
import { RawClient } from "../support/raw_client.ts";
import { hasRedisServer, startRealRedis } from "../support/server.ts";

/** A deterministic mix of text, repeats and noise. */
function sample(n: number, seed: number): string {
  const words = ["redis", "call", " ", "\n", "aaaa", "KEYS[1]", "\x00", "\xff", "0123456789"];
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
  let s = "";
  while (s.length < n) {
    const r = next() % 10;
    if (r < 3) s += String.fromCharCode(next() & 0xff);
    else if (r < 5 && s.length > 10) {
      const from = next() % s.length;
      s += s.slice(from, from + (next() % 300));
    } else s += words[next() % words.length];
  }
  return s.slice(0, n);
}

Deno.test("binary strings and bytes convert both ways", () => {
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  assert.equal(bytesToBinary(binaryToBytes(all)), all);
  const big = "\xfe".repeat(100_000);
  assert.equal(bytesToBinary(binaryToBytes(big)), big);
});

Deno.test("LZF round trips every kind of input", () => {
  const lzf = new LzfCompressor();
  for (let n = 1; n < 2000; n += n < 50 ? 1 : 37) {
    for (const seed of [1, 2, 3]) {
      const s = sample(n, seed * 1000 + n);
      const packed = lzf.compress(s, s.length + 64);
      assert.ok(packed !== null, `length ${n}`);
      assert.equal(bytesToBinary(lzfDecompress(packed, s.length)!), s, `length ${n}`);
    }
  }
  const runs = "a".repeat(70_000) + "b".repeat(10) + "a".repeat(9000);
  const packed = lzfCompress(runs, runs.length)!;
  assert.ok(packed.length < 3000);
  assert.equal(bytesToBinary(lzfDecompress(packed, runs.length)!), runs);
});

Deno.test("LZF compression gives up when the output does not fit", () => {
  assert.equal(lzfCompress("", 10), null);
  assert.equal(lzfCompress("abc", 0), null);
  const noise = sample(200, 9).replace(/(.)\1/g, "$1");
  const fits = lzfCompress(noise, 1000)!;
  assert.equal(lzfCompress(noise, fits.length - 1), null);
  // the bound only decides whether the same output is given
  assert.deepEqual(lzfCompress(noise, fits.length + 8), fits);
  // as Redis asks: at least 4 bytes saved
  const text = "0123456789abcdefghij"; // nothing repeats
  assert.equal(lzfCompress(text, text.length - 4), null);
});

Deno.test("LZF output of literal runs and back references has liblzf's layout", () => {
  // 3 literals: a run header of 2, then the bytes
  assert.deepEqual([...lzfCompress("abc", 10)!], [2, 97, 98, 99]);
  // "aaaa...": two literals (a reference to the input's first byte is never
  // taken), a back reference of 6 bytes at offset 0, two literals
  assert.deepEqual([...lzfCompress("a".repeat(10), 10)!], [1, 97, 97, 0x80, 0, 1, 97, 97]);
  // 33 distinct bytes: a full run of 32, then a run of 1
  const distinct = Array.from({ length: 33 }, (_, i) => String.fromCharCode(65 + i)).join("");
  const out = lzfCompress(distinct, 100)!;
  assert.equal(out[0], 31);
  assert.equal(out[33], 0);
  assert.equal(out.length, 35);
});

Deno.test("LZF decompression refuses corrupt streams and wrong lengths", () => {
  assert.equal(lzfDecompress("", 0)?.length, 0);
  assert.equal(lzfDecompress("", 1), null);
  assert.equal(lzfDecompress("\x05ab", 6), null); // literal run past the input
  assert.equal(lzfDecompress("\x02abc", 2), null); // more output than asked
  assert.equal(lzfDecompress("\x02abc", 4), null); // less output than asked
  assert.equal(lzfDecompress("\x00a\x20\x05", 4), null); // reference before the start
  assert.equal(lzfDecompress("\x00a\xe0", 12), null); // reference cut short
  assert.equal(lzfDecompress("\x00a\xe0\x00", 12), null); // long reference cut short
  assert.equal(bytesToBinary(lzfDecompress("\x00a\x20\x00", 4)!), "aaaa");
});

Deno.test({
  name: "LZF compresses byte for byte as a real redis-server (DUMP of strings)",
  ignore: !hasRedisServer(), // the oracle is a real redis-server
  async fn() {
    await using real = await startRealRedis();
    await using c = await RawClient.connect(real.port);
    const lengths = [21, 22, 24, 25, 40, 64, 100, 255, 256, 1000, 5000, 9000, 20_000, 70_000];
    let compressed = 0;
    for (const n of lengths) {
      for (const seed of [1, 2, 3, 4]) {
        const value = seed === 4 ? "abc".repeat(n).slice(0, n) : sample(n, seed * 31 + n);
        await c.call("SET", "k", value);
        const reply = await c.call("DUMP", "k");
        const payload = reply.slice(reply.indexOf("\r\n") + 2, -2);
        // type byte 0 (string), the RDB string, then version and CRC
        const theirs = payload.slice(1, -10);
        assert.equal(bytesToBinary(binaryToBytes(encodeRdbString(value))), theirs, `${n}/${seed}`);
        if (theirs.charCodeAt(0) === 0xc3) compressed++;
      }
    }
    // short periodic strings: matches that run into the input's end
    for (let n = 21; n < 64; n++) {
      for (const period of [1, 2, 3, 5, 7]) {
        const value = "abcdefg".slice(0, period).repeat(n).slice(0, n);
        await c.call("SET", "k", value);
        const reply = await c.call("DUMP", "k");
        const theirs = reply.slice(reply.indexOf("\r\n") + 2, -2).slice(1, -10);
        assert.equal(encodeRdbString(value), theirs, `${n}, period ${period}`);
      }
    }
    assert.ok(compressed > 20, `only ${compressed} compressed`);
  },
});
