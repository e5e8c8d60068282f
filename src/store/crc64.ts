/**
 * CRC-64/Jones as Redis 7.0.15 computes it (`crc64.c`): the reflected
 * polynomial 0xad93d23594c935a9, initial value 0, no final XOR. It checks
 * DUMP / RESTORE and FUNCTION DUMP / RESTORE payloads and RDB files; Redis
 * writes it little-endian after the data.
 *
 * The 64-bit state is kept as two 32-bit halves (no BigInt on the hot path);
 * the results are BigInts, or their eight little-endian bytes.
 *
 * @module
 */

import type { Bytes } from "./sha1.ts";

/** The reflected polynomial, split in halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** Byte-at-a-time tables for the low and high halves (constant once built). */
const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let lo = i;
  let hi = 0;
  for (let k = 0; k < 8; k++) {
    const odd = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (odd) {
      lo = (lo ^ POLY_LO) >>> 0;
      hi = (hi ^ POLY_HI) >>> 0;
    }
  }
  TABLE_LO[i] = lo;
  TABLE_HI[i] = hi;
}

/**
 * An incremental CRC-64 (the state of Redis's `crc64(crc, p, len)` chained
 * over several buffers).
 *
 * @example Checksumming in pieces
 * ```ts
 * import { Crc64 } from "./crc64.ts";
 * const c = new Crc64().update("12345").update(new Uint8Array([54, 55, 56, 57]));
 * console.assert(c.value() === 0xe9c6d914c4b8d9can);
 * ```
 */
export class Crc64 {
  #lo = 0;
  #hi = 0;

  /**
   * Starts from a given CRC (Redis's `crc` argument), 0 by default.
   *
   * @param seed the CRC so far
   */
  constructor(seed: bigint = 0n) {
    this.#lo = Number(seed & 0xffffffffn);
    this.#hi = Number((seed >> 32n) & 0xffffffffn);
  }

  /**
   * Adds bytes to the checksum.
   *
   * @param data a byte array, or a binary string (one char per byte)
   * @returns this, for chaining
   */
  update(data: Bytes): this {
    let lo = this.#lo;
    let hi = this.#hi;
    if (typeof data === "string") {
      for (let i = 0; i < data.length; i++) {
        const idx = (lo ^ data.charCodeAt(i)) & 0xff;
        lo = (TABLE_LO[idx]! ^ ((lo >>> 8) | (hi << 24))) >>> 0;
        hi = (TABLE_HI[idx]! ^ (hi >>> 8)) >>> 0;
      }
    } else {
      for (let i = 0; i < data.length; i++) {
        const idx = (lo ^ data[i]!) & 0xff;
        lo = (TABLE_LO[idx]! ^ ((lo >>> 8) | (hi << 24))) >>> 0;
        hi = (TABLE_HI[idx]! ^ (hi >>> 8)) >>> 0;
      }
    }
    this.#lo = lo;
    this.#hi = hi;
    return this;
  }

  /**
   * The checksum so far.
   *
   * @returns the CRC as an unsigned 64-bit BigInt
   */
  value(): bigint {
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo);
  }

  /**
   * The checksum so far as Redis writes it: eight bytes, little-endian.
   *
   * @returns the bytes
   */
  bytes(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.#lo, true);
    view.setUint32(4, this.#hi, true);
    return out;
  }

  /**
   * The checksum so far as a binary string of its eight little-endian bytes.
   *
   * @returns the binary string
   */
  binary(): string {
    return String.fromCharCode(...this.bytes());
  }
}

/**
 * CRC-64/Jones of some bytes (Redis's `crc64(seed, data, len)`).
 *
 * @param data a byte array, or a binary string
 * @param seed the CRC to continue from (0 to start)
 * @returns the CRC as an unsigned 64-bit BigInt
 * @example The check value
 * ```ts
 * import { crc64 } from "./crc64.ts";
 * console.assert(crc64("123456789") === 0xe9c6d914c4b8d9can);
 * ```
 */
export function crc64(data: Bytes, seed: bigint = 0n): bigint {
  return new Crc64(seed).update(data).value();
}
