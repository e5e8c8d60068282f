/**
 * LZF compression as Redis 7.0.15 uses it for RDB strings (its bundled
 * liblzf 3.6: `HLOG` 16, `VERY_FAST`, not `ULTRA_FAST`, 64-bit offsets in
 * the hash table), so compressed payloads (FUNCTION DUMP, DUMP, RDB files)
 * come out byte for byte as Redis writes them, and any LZF stream Redis
 * wrote decompresses here.
 *
 * Known difference: Redis leaves the compressor's hash table uninitialized
 * (`INIT_HTAB` 0), so in principle a stale slot left on the stack by an
 * earlier call can give it a back reference a fresh table would not; the
 * compressor here always starts from an empty table (what Redis does on a
 * clean stack). Both outputs decompress to the same bytes.
 *
 * @module
 */

import type { Bytes } from "./sha1.ts";

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * Converts a binary string (char codes 0-255) to bytes.
 *
 * @param s the binary string
 * @returns its bytes
 * @example
 * ```ts
 * import { binaryToBytes } from "./lzf.ts";
 * console.assert(binaryToBytes("\xff")[0] === 255);
 * ```
 */
export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Converts bytes to a binary string (one char per byte).
 *
 * @param bytes the bytes
 * @returns the binary string
 * @example
 * ```ts
 * import { bytesToBinary } from "./lzf.ts";
 * console.assert(bytesToBinary(new Uint8Array([104, 105])) === "hi");
 * ```
 */
export function bytesToBinary(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

function asBytes(data: Bytes): Uint8Array {
  return typeof data === "string" ? binaryToBytes(data) : data;
}

/**
 * An LZF compressor. It keeps its 64 Ki-slot hash table between calls and
 * invalidates it by generation instead of clearing it, so compressing many
 * short strings (an RDB file) costs no table allocation per string.
 *
 * @example
 * ```ts
 * import { LzfCompressor, lzfDecompress } from "./lzf.ts";
 * const lzf = new LzfCompressor();
 * const input = new TextEncoder().encode("abcabcabcabcabcabcabcabc");
 * const packed = lzf.compress(input, input.length - 4);
 * console.assert(packed !== null && lzfDecompress(packed, input.length)?.length === input.length);
 * ```
 */
export class LzfCompressor {
  /** Position + 1 of the last input position whose 3 bytes hashed to each slot. */
  #slots = new Int32Array(HSIZE);
  /** The call a slot was written by. */
  #stamps = new Uint32Array(HSIZE);
  #generation = 0;

  /**
   * Compresses as Redis's `lzf_compress(in, in_len, out, out_len)`.
   *
   * @param input the bytes (or a binary string)
   * @param maxOut the most output bytes allowed (Redis passes the input
   *   length minus 4: compressing must save at least 4 bytes)
   * @returns the compressed bytes, or null when they don't fit in `maxOut`
   *   (or the input or `maxOut` is empty)
   */
  compress(input: Bytes, maxOut: number): Uint8Array | null {
    const ip0 = asBytes(input);
    const inLen = ip0.length;
    if (inLen === 0 || maxOut <= 0) return null;
    if (++this.#generation === 0x100000000) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
    const gen = this.#generation;
    const slots = this.#slots;
    const stamps = this.#stamps;
    // a few bytes of slack: the final literal copy is unchecked in liblzf
    const out = new Uint8Array(maxOut + 3);
    const outEnd = maxOut;
    const inEnd = inLen;
    const at = (i: number): number => (i < inLen ? ip0[i]! : 0);
    const idx = (h: number): number => (((h >>> 8) - Math.imul(h, 5)) >>> 0) & (HSIZE - 1);
    const put = (h: number, pos: number): void => {
      const s = idx(h);
      slots[s] = pos;
      stamps[s] = gen;
    };

    let ip = 0;
    let op = 0;
    let lit = 0;
    op++; // start run
    let hval = ((at(0) << 8) | at(1)) >>> 0;
    while (ip < inEnd - 2) {
      hval = ((hval << 8) | ip0[ip + 2]!) >>> 0;
      const s = idx(hval);
      // a slot not written in this call reads as offset 0 (= the input's start)
      const ref = stamps[s] === gen ? slots[s]! : 0;
      slots[s] = ip;
      stamps[s] = gen;
      const off = ip - ref - 1;
      if (
        ref < ip && off < MAX_OFF && ref > 0 &&
        ip0[ref + 2] === ip0[ip + 2] && ip0[ref] === ip0[ip] && ip0[ref + 1] === ip0[ip + 1]
      ) {
        let len = 2;
        let maxlen = inEnd - ip - len;
        if (maxlen > MAX_REF) maxlen = MAX_REF;
        if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
        out[op - lit - 1] = lit - 1; // stop run
        if (lit === 0) op--; // undo run if length is zero
        // liblzf unrolls 16 steps without checking maxlen (they stay in the
        // input: maxlen > 16 leaves 19 bytes), then steps at least once more
        let mismatch = false;
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (ip0[ref + len] !== ip0[ip + len]) {
              mismatch = true;
              break;
            }
          }
        }
        if (!mismatch) {
          do len++; while (len < maxlen && ip0[ref + len] === ip0[ip + len]);
        }
        len -= 2; // now #octets - 1
        ip++;
        if (len < 7) {
          out[op++] = (off >> 8) + (len << 5);
        } else {
          out[op++] = (off >> 8) + (7 << 5);
          out[op++] = len - 7;
        }
        out[op++] = off & 0xff;
        lit = 0;
        op++; // start run
        ip += len + 1;
        if (ip >= inEnd - 2) break;
        ip -= 2;
        hval = ((ip0[ip]! << 8) | ip0[ip + 1]!) >>> 0;
        hval = ((hval << 8) | ip0[ip + 2]!) >>> 0;
        put(hval, ip);
        ip++;
        hval = ((hval << 8) | ip0[ip + 2]!) >>> 0;
        put(hval, ip);
        ip++;
      } else {
        if (op >= outEnd) return null;
        lit++;
        out[op++] = ip0[ip++]!;
        if (lit === MAX_LIT) {
          out[op - lit - 1] = lit - 1;
          lit = 0;
          op++;
        }
      }
    }
    if (op + 3 > outEnd) return null;
    while (ip < inEnd) {
      lit++;
      out[op++] = ip0[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
    out[op - lit - 1] = lit - 1; // end run
    if (lit === 0) op--;
    // liblzf's last copy is unchecked: Redis's buffer has room for it, but
    // its caller takes only what fits in out_len
    if (op > outEnd) return null;
    return out.slice(0, op);
  }
}

/**
 * Compresses with a fresh {@linkcode LzfCompressor}.
 *
 * @param input the bytes (or a binary string)
 * @param maxOut the most output bytes allowed
 * @returns the compressed bytes, or null when they don't fit
 * @example
 * ```ts
 * import { lzfCompress } from "./lzf.ts";
 * console.assert(lzfCompress("a".repeat(100), 96) !== null);
 * console.assert(lzfCompress("abc", 10) !== null);
 * console.assert(lzfCompress("abcdefgh", 4) === null);
 * ```
 */
export function lzfCompress(input: Bytes, maxOut: number): Uint8Array | null {
  return new LzfCompressor().compress(input, maxOut);
}

/**
 * Decompresses as Redis's `lzf_decompress(in, in_len, out, out_len)` with
 * input checking on, and requires the output to be exactly `outLen` bytes
 * (as Redis's RDB loader does).
 *
 * @param input the compressed bytes (or a binary string)
 * @param outLen the uncompressed length
 * @returns the bytes, or null if the stream is corrupt or of another length
 * @example
 * ```ts
 * import { lzfCompress, lzfDecompress } from "./lzf.ts";
 * const packed = lzfCompress("hello hello hello hello", 19)!;
 * console.assert(new TextDecoder().decode(lzfDecompress(packed, 23)!) === "hello hello hello hello");
 * ```
 */
export function lzfDecompress(input: Bytes, outLen: number): Uint8Array | null {
  const ip0 = asBytes(input);
  const inEnd = ip0.length;
  const out = new Uint8Array(outLen);
  if (inEnd === 0) return outLen === 0 ? out : null;
  let ip = 0;
  let op = 0;
  do {
    let ctrl = ip0[ip++]!;
    if (ctrl < 1 << 5) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > inEnd) return null;
      out.set(ip0.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) return null;
      if (len === 7) {
        len += ip0[ip++]!;
        if (ip >= inEnd) return null;
      }
      ref -= ip0[ip++]!;
      if (op + len + 2 > outLen || ref < 0) return null;
      for (let n = len + 2; n > 0; n--) out[op++] = out[ref++]!;
    }
  } while (ip < inEnd);
  return op === outLen ? out : null;
}
