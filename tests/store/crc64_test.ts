import assert from "node:assert/strict";
import { Crc64, crc64 } from "../../src/store/crc64.ts";
import { RawClient } from "../support/raw_client.ts";
import { hasRedisServer, startRealRedis } from "../support/server.ts";

/** Bit-at-a-time CRC-64/Jones over BigInt: the definition, to check the tables against. */
function reference(data: Uint8Array, seed = 0n): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = seed;
  for (const b of data) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const binary = (b: Uint8Array) => String.fromCharCode(...b);

Deno.test("CRC-64/Jones gives Redis's check value", () => {
  assert.equal(crc64("123456789"), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(""), 0n);
  assert.equal(crc64(new Uint8Array(0)), 0n);
  // Redis's crc64 self-test: the check value continued over its own text
  const text = "This is a test of the emergency broadcast system.";
  assert.equal(crc64(text), reference(new TextEncoder().encode(text)));
});

Deno.test("the table-driven CRC equals the bitwise definition at every length and byte", () => {
  for (let n = 0; n < 300; n++) {
    const b = bytes(n, n + 1);
    const expected = reference(b);
    assert.equal(crc64(b), expected, `bytes, length ${n}`);
    assert.equal(crc64(binary(b)), expected, `binary string, length ${n}`);
  }
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(crc64(all), reference(all));
});

Deno.test("a CRC continues from a seed and over pieces", () => {
  const b = bytes(1000, 7);
  const whole = crc64(b);
  for (const cut of [0, 1, 7, 8, 500, 999, 1000]) {
    assert.equal(crc64(b.subarray(cut), crc64(b.subarray(0, cut))), whole, `cut at ${cut}`);
    const c = new Crc64().update(binary(b.subarray(0, cut))).update(b.subarray(cut));
    assert.equal(c.value(), whole);
  }
  assert.equal(
    crc64("abc", 0xffffffffffffffffn),
    reference(new TextEncoder().encode("abc"), 0xffffffffffffffffn),
  );
});

Deno.test("the CRC's bytes are little-endian, as Redis writes them", () => {
  const c = new Crc64().update("123456789");
  assert.deepEqual([...c.bytes()], [0xca, 0xd9, 0xb8, 0xc4, 0x14, 0xd9, 0xc6, 0xe9]);
  assert.equal(c.binary(), "\xca\xd9\xb8\xc4\x14\xd9\xc6\xe9");
});

Deno.test({
  name: "the CRC matches the checksum of a real redis-server's DUMP payloads",
  ignore: !hasRedisServer(), // the oracle is a real redis-server
  async fn() {
    await using real = await startRealRedis();
    await using c = await RawClient.connect(real.port);
    for (const value of ["", "v", "hello world", "x".repeat(1000), binary(bytes(300, 3))]) {
      await c.call("SET", "k", value);
      const reply = await c.call("DUMP", "k");
      const header = reply.indexOf("\r\n") + 2;
      const payload = reply.slice(header, -2);
      const body = payload.slice(0, -8);
      assert.equal(new Crc64().update(body).binary(), payload.slice(-8));
    }
  },
});
