/**
 * SHA-1 (FIPS 180-4), synchronous, over byte arrays and binary strings (one
 * char per byte). `crypto.subtle.digest` is asynchronous, and the places
 * that need SHA-1 run inside a synchronous command: DEBUG DIGEST, and later
 * script SHAs (`redis.sha1hex`, EVALSHA).
 *
 * @module
 */

/** Bytes hashed: a `Uint8Array`, or a binary string whose char codes are bytes. */
export type Bytes = string | Uint8Array;

/** Digest length in bytes. */
export const SHA1_LENGTH = 20;

/**
 * An incremental SHA-1 computation. One instance can hash many messages
 * ({@linkcode Sha1.reset}), which saves its buffers' allocation where many
 * short messages are hashed (DEBUG DIGEST hashes several per key).
 *
 * @example Hashing in pieces
 * ```ts
 * import { Sha1, toHex } from "./sha1.ts";
 * const h = new Sha1();
 * h.update("ab").update(new Uint8Array([0x63]));
 * console.assert(toHex(h.digest()) === "a9993e364706816aba3e25717850c26c9cd0d89d");
 * console.assert(toHex(h.reset().update("abc").digest()) === "a9993e364706816aba3e25717850c26c9cd0d89d");
 * ```
 */
export class Sha1 {
  #h0 = 0;
  #h1 = 0;
  #h2 = 0;
  #h3 = 0;
  #h4 = 0;
  /** The current, partly filled 64-byte block. */
  #block = new Uint8Array(64);
  #filled = 0;
  /** Total bytes hashed so far. */
  #length = 0;
  #w = new Int32Array(80);
  #done = false;

  constructor() {
    this.reset();
  }

  /**
   * Starts a new message, forgetting the current one.
   *
   * @returns this, for chaining
   */
  reset(): this {
    this.#h0 = 0x67452301;
    this.#h1 = 0xefcdab89 | 0;
    this.#h2 = 0x98badcfe | 0;
    this.#h3 = 0x10325476;
    this.#h4 = 0xc3d2e1f0 | 0;
    this.#filled = 0;
    this.#length = 0;
    this.#done = false;
    return this;
  }

  /**
   * Adds bytes to the message.
   *
   * @param data a byte array or a binary string
   * @returns this, for chaining
   */
  update(data: Bytes): this {
    if (this.#done) throw new Error("Sha1: update after digest (reset first)");
    const block = this.#block;
    const n = data.length;
    let filled = this.#filled;
    if (typeof data === "string") {
      for (let i = 0; i < n; i++) {
        block[filled++] = data.charCodeAt(i);
        if (filled === 64) {
          this.#compress(block, 0);
          filled = 0;
        }
      }
    } else {
      let i = 0;
      // Whole blocks straight from the input once the buffer is empty.
      while (i < n) {
        if (filled === 0 && n - i >= 64) {
          this.#compress(data, i);
          i += 64;
          continue;
        }
        block[filled++] = data[i++]!;
        if (filled === 64) {
          this.#compress(block, 0);
          filled = 0;
        }
      }
    }
    this.#filled = filled;
    this.#length += n;
    return this;
  }

  /**
   * Finishes the message; {@linkcode Sha1.reset} starts another.
   *
   * @param out where to write the 20 bytes (a new array by default); it
   *   may be the last input, which has been consumed by then
   * @returns `out`
   */
  digest(out: Uint8Array = new Uint8Array(SHA1_LENGTH)): Uint8Array {
    if (this.#done) throw new Error("Sha1: digest called twice (reset first)");
    this.#done = true;
    const block = this.#block;
    const bits = this.#length * 8;
    let filled = this.#filled;
    block[filled++] = 0x80;
    if (filled > 56) {
      block.fill(0, filled);
      this.#compress(block, 0);
      filled = 0;
    }
    block.fill(0, filled, 56);
    // The message length in bits, big-endian, in the last 8 bytes.
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    block[56] = high >>> 24;
    block[57] = high >>> 16;
    block[58] = high >>> 8;
    block[59] = high;
    block[60] = low >>> 24;
    block[61] = low >>> 16;
    block[62] = low >>> 8;
    block[63] = low;
    this.#compress(block, 0);
    writeWord(out, 0, this.#h0);
    writeWord(out, 4, this.#h1);
    writeWord(out, 8, this.#h2);
    writeWord(out, 12, this.#h3);
    writeWord(out, 16, this.#h4);
    return out;
  }

  /** Runs the compression function on the 64 bytes at `bytes[at]`. */
  #compress(bytes: Uint8Array, at: number): void {
    const w = this.#w;
    for (let t = 0; t < 16; t++) {
      const p = at + t * 4;
      w[t] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = this.#h0;
    let b = this.#h1;
    let c = this.#h2;
    let d = this.#h3;
    let e = this.#h4;
    let t = 0;
    for (; t < 20; t++) {
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    for (; t < 40; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    for (; t < 60; t++) {
      const temp =
        (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (0x8f1bbcdc | 0) + w[t]!) |
        0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    for (; t < 80; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (0xca62c1d6 | 0) + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    this.#h0 = (this.#h0 + a) | 0;
    this.#h1 = (this.#h1 + b) | 0;
    this.#h2 = (this.#h2 + c) | 0;
    this.#h3 = (this.#h3 + d) | 0;
    this.#h4 = (this.#h4 + e) | 0;
  }
}

/** Writes a 32-bit word big-endian. */
function writeWord(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = v >>> 16;
  out[at + 2] = v >>> 8;
  out[at + 3] = v;
}

/**
 * The SHA-1 digest of some bytes.
 *
 * @param data a byte array or a binary string
 * @returns the 20-byte digest
 * @example
 * ```ts
 * import { sha1 } from "./sha1.ts";
 * console.assert(sha1("").length === 20);
 * ```
 */
export function sha1(data: Bytes): Uint8Array {
  return new Sha1().update(data).digest();
}

/**
 * The SHA-1 digest of some bytes as 40 lower-case hex digits (Redis's
 * `redis.sha1hex`, script SHAs).
 *
 * @param data a byte array or a binary string
 * @returns the hex digest
 * @example
 * ```ts
 * import { sha1Hex } from "./sha1.ts";
 * console.assert(sha1Hex("") === "da39a3ee5e6b4b0d3255bfef95601890afd80709");
 * ```
 */
export function sha1Hex(data: Bytes): string {
  return toHex(sha1(data));
}

const HEX = "0123456789abcdef";

/**
 * Bytes as lower-case hex, two digits a byte.
 *
 * @param bytes the bytes
 * @returns the hex text
 * @example
 * ```ts
 * import { toHex } from "./sha1.ts";
 * console.assert(toHex(new Uint8Array([0, 15, 255])) === "000fff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}
