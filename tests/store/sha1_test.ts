import assert from "node:assert/strict";
import { Sha1, sha1, sha1Hex, toHex } from "../../src/store/sha1.ts";

Deno.test("SHA-1 gives the FIPS 180 test vectors", () => {
  assert.equal(sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  assert.equal(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(
    sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
  );
  const million = new Sha1();
  const chunk = "a".repeat(1000);
  for (let i = 0; i < 1000; i++) million.update(chunk);
  assert.equal(toHex(million.digest()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
});

Deno.test("SHA-1 of binary strings and byte arrays agrees with WebCrypto at every length", async () => {
  for (let n = 0; n < 300; n++) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 131 + n * 7) & 0xff;
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    const expected = toHex(new Uint8Array(await crypto.subtle.digest("SHA-1", bytes)));
    assert.equal(sha1Hex(bytes), expected, `bytes, length ${n}`);
    assert.equal(sha1Hex(binary), expected, `binary string, length ${n}`);
    // In three pieces of both kinds.
    const a = Math.floor(n / 3);
    const b = Math.floor((2 * n) / 3);
    const h = new Sha1().update(binary.slice(0, a)).update(bytes.subarray(a, b));
    assert.equal(toHex(h.update(binary.slice(b)).digest()), expected, `pieces, length ${n}`);
  }
});

Deno.test("a finished SHA-1 is reset before it hashes another message", () => {
  const h = new Sha1();
  assert.equal(toHex(h.digest()), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  assert.throws(() => h.update("x"));
  assert.throws(() => h.digest());
  assert.equal(toHex(h.reset().update("abc").digest()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // The digest may be written over its own input.
  const buf = new Uint8Array(20);
  h.reset().update(buf).digest(buf);
  assert.equal(toHex(buf), toHex(sha1(new Uint8Array(20))));
});
