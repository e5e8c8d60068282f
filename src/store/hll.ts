/**
 * HyperLogLog sketches in Redis 7.0.15's exact string format, so a value
 * written by real Redis (GET there, SET here) reads the same here, and the
 * bytes resplite writes after a sequence of PFADDs equal Redis's.
 *
 * Layout (all integers little endian):
 *
 * - a 16-byte header: the magic `HYLL`, one encoding byte (0 dense,
 *   1 sparse), three unused bytes, and the cached cardinality as a 64-bit
 *   integer whose most significant bit, when set, marks the cache invalid;
 * - dense: 16384 registers of 6 bits packed from the least significant bit
 *   of each byte on (12288 bytes, 12304 in all);
 * - sparse: run-length opcodes, `ZERO` (`00xxxxxx`: 1 to 64 zero
 *   registers), `XZERO` (`01xxxxxx yyyyyyyy`: 1 to 16384 zero registers)
 *   and `VAL` (`1vvvvvxx`: 1 to 4 registers set to 1..32).
 *
 * Elements are hashed with MurmurHash64A (seed `0xadc83b19`): the low 14
 * bits pick the register, the position of the first set bit in the other
 * 50 (plus one) is the value offered to it. A sparse sketch is promoted to
 * dense when a register needs a value above 32 or when the string would
 * grow beyond `hll-sparse-max-bytes`. The cardinality is estimated from the
 * register histogram with Otmar Ertl's improved estimator, as Redis 7.0
 * does, in the same double arithmetic, so the counts equal Redis's.
 *
 * Strings are read in place (`charCodeAt`); a sketch being modified lives
 * in an {@linkcode HllBuffer}, a byte buffer that is turned back into a
 * string once per command. As in Redis's sds strings, the byte just past
 * the end always reads 0, so the same out-of-range reads of corrupt or
 * boundary data give the same results.
 *
 * @module
 */

/** The number of registers (2^14). */
export const HLL_REGISTERS = 16384;
/** The header's length in bytes. */
export const HLL_HDR_SIZE = 16;
/** The length of a dense sketch in bytes. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
/** The encoding byte of a dense sketch. */
export const HLL_DENSE = 0;
/** The encoding byte of a sparse sketch. */
export const HLL_SPARSE = 1;
/** The highest value a sparse VAL opcode holds. */
export const HLL_SPARSE_VAL_MAX_VALUE = 32;
/** The seed Redis hashes elements with. */
export const HLL_HASH_SEED = 0xadc83b19;

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const P_MASK = HLL_REGISTERS - 1;
const REGISTER_MAX = 63;
const ALPHA_INF = 0.721347520444481703680;
const ZERO_MAX_LEN = 64;
const VAL_MAX_LEN = 4;
const XZERO_BIT = 0x40;
const VAL_BIT = 0x80;
const CARD_INVALID = 0x80;
const TWO_32 = 4294967296;
/** 2^63: what Redis's conversion gives for an estimate too large for a long long. */
const OVERFLOW_CARD = 2n ** 63n;

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** The high 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulHigh(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * MurmurHash64A of a binary string as Redis computes it (endian neutral),
 * written as two 32-bit halves into `out`: `out[0]` the low, `out[1]` the
 * high.
 *
 * @param key the bytes (one char per byte)
 * @param seed the 32-bit seed
 * @param out where the halves go
 */
export function murmurHash64AInto(key: string, seed: number, out: Uint32Array): void {
  const len = key.length;
  // h = seed ^ (len * m)
  let lo = (Math.imul(len, M_LO) >>> 0) ^ (seed >>> 0);
  let hi = (mulHigh(len, M_LO) + Math.imul(len, M_HI)) >>> 0;
  lo >>>= 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kLo = (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) |
      (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (key.charCodeAt(i + 4) | (key.charCodeAt(i + 5) << 8) |
      (key.charCodeAt(i + 6) << 16) | (key.charCodeAt(i + 7) << 24)) >>> 0;
    // k *= m
    let tHi = (mulHigh(kLo, M_LO) + Math.imul(kLo, M_HI) + Math.imul(kHi, M_LO)) >>> 0;
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = tHi;
    // k ^= k >> 47
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    // k *= m
    tHi = (mulHigh(kLo, M_LO) + Math.imul(kLo, M_HI) + Math.imul(kHi, M_LO)) >>> 0;
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = tHi;
    // h ^= k; h *= m
    lo = (lo ^ kLo) >>> 0;
    hi = (hi ^ kHi) >>> 0;
    tHi = (mulHigh(lo, M_LO) + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
    lo = Math.imul(lo, M_LO) >>> 0;
    hi = tHi;
  }
  const rest = len & 7;
  if (rest > 0) {
    switch (rest) {
      case 7:
        hi ^= key.charCodeAt(i + 6) << 16;
      // falls through
      case 6:
        hi ^= key.charCodeAt(i + 5) << 8;
      // falls through
      case 5:
        hi ^= key.charCodeAt(i + 4);
      // falls through
      case 4:
        lo ^= key.charCodeAt(i + 3) << 24;
      // falls through
      case 3:
        lo ^= key.charCodeAt(i + 2) << 16;
      // falls through
      case 2:
        lo ^= key.charCodeAt(i + 1) << 8;
      // falls through
      default:
        lo ^= key.charCodeAt(i);
    }
    lo >>>= 0;
    hi >>>= 0;
    const tHi = (mulHigh(lo, M_LO) + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
    lo = Math.imul(lo, M_LO) >>> 0;
    hi = tHi;
  }
  // h ^= h >> r; h *= m; h ^= h >> r
  lo = (lo ^ (hi >>> 15)) >>> 0;
  const tHi = (mulHigh(lo, M_LO) + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
  lo = Math.imul(lo, M_LO) >>> 0;
  hi = tHi;
  lo = (lo ^ (hi >>> 15)) >>> 0;
  out[0] = lo;
  out[1] = hi;
}

/**
 * MurmurHash64A of a binary string, as Redis's `MurmurHash64A`.
 *
 * @param key the bytes (one char per byte)
 * @param seed the 32-bit seed (Redis's HyperLogLog uses {@linkcode HLL_HASH_SEED})
 * @returns the unsigned 64-bit hash
 * @example
 * ```ts
 * import { murmurHash64A } from "./hll.ts";
 * console.assert(typeof murmurHash64A("hello", 0xadc83b19) === "bigint");
 * ```
 */
export function murmurHash64A(key: string, seed: number): bigint {
  const out = new Uint32Array(2);
  murmurHash64AInto(key, seed, out);
  return (BigInt(out[1]!) << 32n) | BigInt(out[0]!);
}

/**
 * The register an element falls in and the value it offers (Redis's
 * hllPatLen): packed as `index * 64 + count`.
 *
 * @param element the element (one char per byte)
 * @param scratch two words of scratch space, reused across calls
 * @returns `index * 64 + count`, index in [0, 16384), count in [1, 51]
 * @example
 * ```ts
 * import { hllPatLen } from "./hll.ts";
 * const packed = hllPatLen("a");
 * console.assert(packed % 64 >= 1 && Math.floor(packed / 64) < 16384);
 * ```
 */
export function hllPatLen(element: string, scratch: Uint32Array = new Uint32Array(2)): number {
  murmurHash64AInto(element, HLL_HASH_SEED, scratch);
  const lo = scratch[0]!;
  const hi = scratch[1]!;
  const index = lo & P_MASK;
  const low = lo >>> HLL_P;
  let count: number;
  if (low !== 0) {
    count = 32 - Math.clz32(low & -low);
  } else if (hi !== 0) {
    count = 32 - HLL_P + 32 - Math.clz32(hi & -hi);
  } else {
    count = HLL_Q + 1;
  }
  return index * 64 + count;
}

/**
 * Whether a string is a HyperLogLog as Redis's isHLLObjectOrReply checks
 * it: at least a header long, the magic `HYLL`, a known encoding, and a
 * dense one exactly 12304 bytes long. The sparse opcodes are not checked
 * here (the commands find corrupt ones as they walk them).
 *
 * @param value a string value
 * @returns true when it passes
 * @example
 * ```ts
 * import { emptyHll, isHll } from "./hll.ts";
 * console.assert(isHll(emptyHll()) && !isHll("hello"));
 * ```
 */
export function isHll(value: string): boolean {
  if (value.length < HLL_HDR_SIZE) return false;
  if (
    value.charCodeAt(0) !== 72 || value.charCodeAt(1) !== 89 || value.charCodeAt(2) !== 76 ||
    value.charCodeAt(3) !== 76
  ) return false;
  const encoding = value.charCodeAt(4);
  if (encoding > HLL_SPARSE) return false;
  return encoding !== HLL_DENSE || value.length === HLL_DENSE_SIZE;
}

/**
 * A new empty sketch as Redis creates it: sparse, one XZERO of 16384
 * registers, a valid cached cardinality of 0.
 *
 * @returns the 18-byte string
 * @example
 * ```ts
 * import { emptyHll } from "./hll.ts";
 * console.assert(emptyHll() === "HYLL\x01" + "\0".repeat(11) + "\x7f\xff");
 * ```
 */
export function emptyHll(): string {
  return "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff";
}

/** Whether the cached cardinality of a sketch (string) is valid. */
export function hasValidCache(value: string): boolean {
  return (value.charCodeAt(15) & CARD_INVALID) === 0;
}

/**
 * The cached cardinality of a sketch, as the unsigned 64-bit integer stored.
 *
 * @param value the sketch
 * @returns the cached value (a bigint beyond 2^53)
 */
export function cachedCardinality(value: string): number | bigint {
  const lo = (value.charCodeAt(8) | (value.charCodeAt(9) << 8) | (value.charCodeAt(10) << 16) |
    (value.charCodeAt(11) << 24)) >>> 0;
  const hi = (value.charCodeAt(12) | (value.charCodeAt(13) << 8) | (value.charCodeAt(14) << 16) |
    (value.charCodeAt(15) << 24)) >>> 0;
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * A sketch with its cached cardinality set (valid when below 2^63, as
 * the top bit is the invalid flag).
 *
 * @param value the sketch
 * @param card the unsigned 64-bit cardinality
 * @returns the new string
 */
export function withCachedCardinality(value: string, card: number | bigint): string {
  const big = BigInt(card);
  let bytes = "";
  for (let i = 0n; i < 64n; i += 8n) bytes += String.fromCharCode(Number((big >> i) & 0xffn));
  return value.slice(0, 8) + bytes + value.slice(16);
}

/**
 * The cardinality as Redis replies it: the unsigned estimate read as a
 * signed long long (so 2^63, the overflow value, reads -2^63).
 *
 * @param card an unsigned 64-bit cardinality
 * @returns the signed value
 */
export function signedCardinality(card: number | bigint): number | bigint {
  if (typeof card === "number") return card;
  return card >= OVERFLOW_CARD ? card - (1n << 64n) : card;
}

/**
 * Redis's hllSigma (Ertl, "New cardinality estimation algorithms for
 * HyperLogLog sketches").
 */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** Redis's hllTau (Ertl); `pow(1 - x, 2)` is a plain square, as the compiler makes it. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/**
 * The cardinality estimate of a register histogram (`histogram[v]` is the
 * number of registers holding `v`; 64 entries), exactly as Redis's
 * hllCount computes it.
 *
 * @param histogram the register histogram
 * @returns the unsigned estimate: a number, or a bigint beyond 2^53
 *   (2^63 when the estimate overflows a long long, as in Redis)
 * @example
 * ```ts
 * import { estimate } from "./hll.ts";
 * const histogram = new Float64Array(64);
 * histogram[0] = 16384;
 * console.assert(estimate(histogram) === 0);
 * ```
 */
export function estimate(histogram: ArrayLike<number>): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j]!;
    z *= 0.5;
  }
  z += m * sigma(histogram[0]! / m);
  const e = ALPHA_INF * m * m / z;
  // llroundl: half away from zero; beyond a long long, the conversion
  // gives LLONG_MIN, which Redis then reads as the unsigned 2^63.
  if (!(e < 9223372036854775808)) return OVERFLOW_CARD;
  const r = Math.round(e);
  return r <= Number.MAX_SAFE_INTEGER ? r : BigInt(r);
}

/**
 * Adds the histogram of a dense sketch's registers to `histogram`.
 *
 * @param value a dense sketch (string)
 * @param histogram 64 counters
 */
export function denseHistogram(value: string, histogram: Float64Array): void {
  let r = HLL_HDR_SIZE;
  for (let j = 0; j < HLL_REGISTERS / 4; j++) {
    const b0 = value.charCodeAt(r);
    const b1 = value.charCodeAt(r + 1);
    const b2 = value.charCodeAt(r + 2);
    histogram[b0 & 63]!++;
    histogram[((b0 >> 6) | (b1 << 2)) & 63]!++;
    histogram[((b1 >> 4) | (b2 << 4)) & 63]!++;
    histogram[(b2 >> 2) & 63]!++;
    r += 3;
  }
}

/**
 * Adds the histogram of a sparse sketch's registers to `histogram`.
 *
 * @param value a sparse sketch (string)
 * @param histogram 64 counters
 * @returns false when the opcodes do not cover exactly 16384 registers
 */
export function sparseHistogram(value: string, histogram: Float64Array): boolean {
  const end = value.length;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = value.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      idx += run;
      histogram[0]! += run;
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      const next = p + 1 < end ? value.charCodeAt(p + 1) : 0;
      const run = (((op & 0x3f) << 8) | next) + 1;
      idx += run;
      histogram[0]! += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      idx += run;
      histogram[((op >> 2) & 0x1f) + 1]! += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/**
 * Adds the histogram of raw registers (one byte each) to `histogram`.
 *
 * @param registers 16384 register values
 * @param histogram 64 counters
 */
export function rawHistogram(registers: Uint8Array, histogram: Float64Array): void {
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]! & 63]!++;
}

/**
 * The cardinality estimate of a sketch (Redis's hllCount), ignoring the
 * cache.
 *
 * @param value a sketch that passes {@linkcode isHll}
 * @returns the unsigned estimate, or undefined when a sparse sketch is corrupt
 * @example
 * ```ts
 * import { countHll, emptyHll } from "./hll.ts";
 * console.assert(countHll(emptyHll()) === 0);
 * ```
 */
export function countHll(value: string): number | bigint | undefined {
  const histogram = new Float64Array(64);
  if (value.charCodeAt(4) === HLL_DENSE) {
    denseHistogram(value, histogram);
  } else if (!sparseHistogram(value, histogram)) {
    return undefined;
  }
  return estimate(histogram);
}

/**
 * Raises `max[i]` to each register of a sketch (Redis's hllMerge).
 *
 * @param max 16384 raw registers
 * @param value a sketch that passes {@linkcode isHll}
 * @returns false when a sparse sketch is corrupt
 * @example
 * ```ts
 * import { emptyHll, mergeRegisters } from "./hll.ts";
 * console.assert(mergeRegisters(new Uint8Array(16384), emptyHll()));
 * ```
 */
export function mergeRegisters(max: Uint8Array, value: string): boolean {
  if (value.charCodeAt(4) === HLL_DENSE) {
    let r = HLL_HDR_SIZE;
    for (let i = 0; i < HLL_REGISTERS; i += 4) {
      const b0 = value.charCodeAt(r);
      const b1 = value.charCodeAt(r + 1);
      const b2 = value.charCodeAt(r + 2);
      const v0 = b0 & 63;
      const v1 = ((b0 >> 6) | (b1 << 2)) & 63;
      const v2 = ((b1 >> 4) | (b2 << 4)) & 63;
      const v3 = (b2 >> 2) & 63;
      if (v0 > max[i]!) max[i] = v0;
      if (v1 > max[i + 1]!) max[i + 1] = v1;
      if (v2 > max[i + 2]!) max[i + 2] = v2;
      if (v3 > max[i + 3]!) max[i + 3] = v3;
      r += 3;
    }
    return true;
  }
  const end = value.length;
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = value.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      const next = p + 1 < end ? value.charCodeAt(p + 1) : 0;
      i += (((op & 0x3f) << 8) | next) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const v = ((op >> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) break;
      while (run-- > 0) {
        if (v > max[i]!) max[i] = v;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/**
 * One register of a dense sketch (string).
 *
 * @param value a dense sketch
 * @param index the register
 * @returns its value
 */
export function denseRegister(value: string, index: number): number {
  const bit = index * 6;
  const byte = HLL_HDR_SIZE + (bit >> 3);
  const fb = bit & 7;
  const b0 = value.charCodeAt(byte);
  const b1 = byte + 1 < value.length ? value.charCodeAt(byte + 1) : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
}

/**
 * One register of a sparse sketch (string), found by walking its opcodes.
 *
 * @param value a sparse sketch
 * @param index the register
 * @returns its value, or -1 when the opcodes end before it
 * @example
 * ```ts
 * import { emptyHll, sparseRegister } from "./hll.ts";
 * console.assert(sparseRegister(emptyHll(), 100) === 0);
 * ```
 */
export function sparseRegister(value: string, index: number): number {
  const end = value.length;
  let first = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = value.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      first += (op & 0x3f) + 1;
      if (index < first) return 0;
      p++;
    } else if ((op & VAL_BIT) !== 0) {
      first += (op & 3) + 1;
      if (index < first) return ((op >> 2) & 0x1f) + 1;
      p++;
    } else {
      const next = p + 1 < end ? value.charCodeAt(p + 1) : 0;
      first += (((op & 0x3f) << 8) | next) + 1;
      if (index < first) return 0;
      p += 2;
    }
  }
  return -1;
}

/**
 * PFDEBUG DECODE's text for a sparse sketch: `z:<n>` for ZERO, `Z:<n>`
 * for XZERO, `v:<value>,<n>` for VAL, separated by spaces.
 *
 * @param value a sparse sketch
 * @returns the decoded opcodes
 * @example
 * ```ts
 * import { decodeSparse, emptyHll } from "./hll.ts";
 * console.assert(decodeSparse(emptyHll()) === "Z:16384");
 * ```
 */
export function decodeSparse(value: string): string {
  const end = value.length;
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = value.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      const next = p + 1 < end ? value.charCodeAt(p + 1) : 0;
      parts.push(`Z:${(((op & 0x3f) << 8) | next) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(" ");
}

/** Above this many changed registers, a dense add rebuilds the whole string. */
const PATCH_MAX_REGISTERS = 64;

/**
 * Adds elements to a dense sketch (string), as PFADD does: each raises the
 * register it hashes to, and when one did the cache is invalidated. A
 * 12 KB sketch is not copied byte by byte for a few changed registers: the
 * new string is spliced from slices of the old one around the changed
 * bytes (the common case); only many changes rebuild it in a buffer.
 *
 * @param value a dense sketch
 * @param elements the elements (one char per byte each)
 * @param start the index of the first element in `elements`
 * @returns the new sketch, and how many elements raised a register
 * @example
 * ```ts
 * import { denseAdd, HllBuffer } from "./hll.ts";
 * const dense = HllBuffer.emptyDense().toString();
 * const { value, updated } = denseAdd(dense, ["a", "a", "b"], 0);
 * console.assert(updated === 2 && value.length === dense.length);
 * ```
 */
export function denseAdd(
  value: string,
  elements: readonly string[],
  start: number,
): { value: string; updated: number } {
  const scratch = new Uint32Array(2);
  const raised = new Map<number, number>();
  let updated = 0;
  for (let j = start; j < elements.length; j++) {
    const packed = hllPatLen(elements[j]!, scratch);
    const index = packed >>> 6;
    const count = packed & 63;
    if (count > (raised.get(index) ?? denseRegister(value, index))) {
      raised.set(index, count);
      updated++;
    }
  }
  if (updated === 0) return { value, updated };
  if (raised.size > PATCH_MAX_REGISTERS) {
    const hll = HllBuffer.from(value);
    for (const [index, count] of raised) hll.setRegister(index, count);
    hll.invalidateCache();
    return { value: hll.toString(), updated };
  }
  // The changed bytes: each register spans one byte or two.
  const bytes = new Map<number, number>();
  const byteAt = (pos: number) => bytes.get(pos) ?? value.charCodeAt(pos);
  for (const [index, count] of raised) {
    const bit = index * 6;
    const byte = HLL_HDR_SIZE + (bit >> 3);
    const fb = bit & 7;
    bytes.set(byte, ((byteAt(byte) & ~(REGISTER_MAX << fb)) | (count << fb)) & 0xff);
    // A register within one byte (fb 0 or 2) leaves the next one as it is.
    if (fb > 2) {
      const fb8 = 8 - fb;
      bytes.set(byte + 1, (byteAt(byte + 1) & ~(REGISTER_MAX >> fb8)) | (count >> fb8));
    }
  }
  bytes.set(15, value.charCodeAt(15) | CARD_INVALID);
  const positions = [...bytes.keys()].sort((a, b) => a - b);
  let out = "";
  let from = 0;
  for (const pos of positions) {
    out += value.slice(from, pos) + String.fromCharCode(bytes.get(pos)!);
    from = pos + 1;
  }
  return { value: out + value.slice(from), updated };
}

/** The bytes of a binary string, with `room` spare bytes after them (zeroed). */
function toBytes(value: string, room: number): Uint8Array {
  const n = value.length;
  const out = new Uint8Array(n + room);
  for (let i = 0; i < n; i++) out[i] = value.charCodeAt(i);
  return out;
}

const CHUNK = 8192;

/** A binary string of `n` bytes. */
function toBinaryString(bytes: Uint8Array, n: number): string {
  if (n <= CHUNK) {
    return String.fromCharCode.apply(null, bytes.subarray(0, n) as unknown as number[]);
  }
  let s = "";
  for (let i = 0; i < n; i += CHUNK) {
    const part = bytes.subarray(i, Math.min(i + CHUNK, n));
    s += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return s;
}

/**
 * A sketch being modified: its bytes in a growable buffer whose byte just
 * past the end is always 0 (as an sds string's terminator), with Redis's
 * register operations. Turn it back into the stored string with
 * {@linkcode HllBuffer.toString}.
 *
 * @example
 * ```ts
 * import { HllBuffer, emptyHll } from "./hll.ts";
 * const hll = HllBuffer.from(emptyHll());
 * console.assert(hll.add("a", 3000) === 1 && hll.add("a", 3000) === 0);
 * console.assert(hll.toString().startsWith("HYLL\x01"));
 * ```
 */
export class HllBuffer {
  #bytes: Uint8Array;
  #length: number;
  #scratch = new Uint32Array(2);

  private constructor(bytes: Uint8Array, length: number) {
    this.#bytes = bytes;
    this.#length = length;
  }

  /**
   * A buffer holding a copy of a stored sketch.
   *
   * @param value the sketch (it should pass {@linkcode isHll})
   * @returns the buffer
   */
  static from(value: string): HllBuffer {
    return new HllBuffer(toBytes(value, 8), value.length);
  }

  /** A new empty sparse sketch (see {@linkcode emptyHll}). */
  static empty(): HllBuffer {
    return HllBuffer.from(emptyHll());
  }

  /** A dense sketch with every register 0 and a zero header but for the magic. */
  static emptyDense(): HllBuffer {
    const bytes = new Uint8Array(HLL_DENSE_SIZE + 1);
    bytes.set([72, 89, 76, 76]);
    return new HllBuffer(bytes, HLL_DENSE_SIZE);
  }

  /** The length in bytes. */
  get length(): number {
    return this.#length;
  }

  /** The encoding byte: {@linkcode HLL_DENSE} or {@linkcode HLL_SPARSE}. */
  get encoding(): number {
    return this.#bytes[4]!;
  }

  /** The stored form: a binary string. */
  toString(): string {
    return toBinaryString(this.#bytes, this.#length);
  }

  /** Marks the cached cardinality invalid. */
  invalidateCache(): void {
    this.#bytes[15]! |= CARD_INVALID;
  }

  /** Makes room for `extra` more bytes plus the terminator. */
  #reserve(extra: number): void {
    const need = this.#length + extra + 1;
    if (need <= this.#bytes.length) return;
    const bytes = new Uint8Array(Math.max(need, this.#bytes.length * 2));
    bytes.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bytes;
  }

  /** Changes the length by `delta`, keeping the terminator 0 (sdsIncrLen). */
  #grow(delta: number): void {
    this.#length += delta;
    this.#bytes[this.#length] = 0;
  }

  /**
   * One register (a dense sketch only).
   *
   * @param index the register
   * @returns its value
   */
  register(index: number): number {
    const b = this.#bytes;
    const bit = index * 6;
    const byte = HLL_HDR_SIZE + (bit >> 3);
    const fb = bit & 7;
    return ((b[byte]! >> fb) | (b[byte + 1]! << (8 - fb))) & REGISTER_MAX;
  }

  /**
   * Sets one register of a dense sketch.
   *
   * @param index the register
   * @param value its new value (0..63)
   */
  setRegister(index: number, value: number): void {
    const b = this.#bytes;
    const bit = index * 6;
    const byte = HLL_HDR_SIZE + (bit >> 3);
    const fb = bit & 7;
    const fb8 = 8 - fb;
    b[byte] = (b[byte]! & ~(REGISTER_MAX << fb)) | (value << fb);
    b[byte + 1] = (b[byte + 1]! & ~(REGISTER_MAX >> fb8)) | (value >> fb8);
  }

  /**
   * Raises one register of a dense sketch to `count` (hllDenseSet).
   *
   * @param index the register
   * @param count the value offered
   * @returns 1 when the register changed, else 0
   */
  denseSet(index: number, count: number): number {
    if (count > this.register(index)) {
      this.setRegister(index, count);
      return 1;
    }
    return 0;
  }

  /**
   * Converts a sparse sketch to dense (hllSparseToDense), keeping the
   * header (magic, unused bytes and cached cardinality).
   *
   * @returns false when the sparse opcodes are corrupt (nothing changes)
   */
  toDense(): boolean {
    const src = this.#bytes;
    if (src[4] === HLL_DENSE) return true;
    const end = this.#length;
    const dense = new HllBuffer(new Uint8Array(HLL_DENSE_SIZE + 1), HLL_DENSE_SIZE);
    const d = dense.#bytes;
    for (let i = 0; i < HLL_HDR_SIZE; i++) d[i] = src[i]!;
    d[4] = HLL_DENSE;
    let idx = 0;
    let p = HLL_HDR_SIZE;
    while (p < end) {
      const op = src[p]!;
      if ((op & 0xc0) === 0) {
        idx += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === XZERO_BIT) {
        idx += (((op & 0x3f) << 8) | src[p + 1]!) + 1;
        p += 2;
      } else {
        let run = (op & 3) + 1;
        const v = ((op >> 2) & 0x1f) + 1;
        if (run + idx > HLL_REGISTERS) break;
        while (run-- > 0) dense.setRegister(idx++, v);
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.#bytes = d;
    this.#length = HLL_DENSE_SIZE;
    return true;
  }

  /**
   * Raises one register of a sparse sketch to `count` (hllSparseSet),
   * splitting and merging opcodes in place exactly as Redis does, and
   * promoting the sketch to dense when `count` exceeds 32 or the string
   * would grow beyond `maxBytes`.
   *
   * @param index the register
   * @param count the value offered (1..63)
   * @param maxBytes `hll-sparse-max-bytes`
   * @returns 1 when the register changed, 0 when not, -1 when corrupt
   */
  sparseSet(index: number, count: number, maxBytes: number): number {
    if (count > HLL_SPARSE_VAL_MAX_VALUE) return this.#promote(index, count);
    this.#reserve(3);
    const b = this.#bytes;
    const start = HLL_HDR_SIZE;
    let end = this.#length;
    let p = start;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p]!;
      let oplen = 1;
      if ((op & 0xc0) === 0) {
        span = (op & 0x3f) + 1;
      } else if ((op & VAL_BIT) !== 0) {
        span = (op & 3) + 1;
      } else {
        span = (((op & 0x3f) << 8) | b[p + 1]!) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = b[p]!;
    const isZero = (op & 0xc0) === 0;
    const isXzero = (op & 0xc0) === XZERO_BIT;
    const isVal = (op & VAL_BIT) !== 0;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const runlen = span;

    let updated = false;
    if (isVal) {
      const old = ((op >> 2) & 0x1f) + 1;
      if (old >= count) return 0;
      if (runlen === 1) {
        b[p] = valOp(count, 1);
        updated = true;
      }
    }
    if (!updated && isZero && runlen === 1) {
      b[p] = valOp(count, 1);
      updated = true;
    }
    if (!updated) {
      // The general case: split the opcode into up to three.
      const seq: number[] = [];
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) pushZeros(seq, index - first);
        seq.push(valOp(count, 1));
        if (index !== last) pushZeros(seq, last - index);
      } else {
        const cur = ((op >> 2) & 0x1f) + 1;
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      const oldlen = isXzero ? 2 : 1;
      const delta = seq.length - oldlen;
      if (delta > 0 && this.#length + delta > maxBytes) return this.#promote(index, count);
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
      this.#grow(delta);
      for (let i = 0; i < seq.length; i++) b[p + i] = seq[i]!;
      end += delta;
    }

    // Merge adjacent VAL opcodes of the same value, from the previous
    // opcode on, over at most five opcodes.
    p = prev >= 0 ? prev : start;
    let scan = 5;
    while (p < end && scan-- > 0) {
      const o = b[p]!;
      if ((o & 0xc0) === XZERO_BIT) {
        p += 2;
        continue;
      } else if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && (b[p + 1]! & VAL_BIT) !== 0) {
        const v1 = ((o >> 2) & 0x1f) + 1;
        const n = b[p + 1]!;
        const v2 = ((n >> 2) & 0x1f) + 1;
        if (v1 === v2) {
          const len = (o & 3) + 1 + (n & 3) + 1;
          if (len <= VAL_MAX_LEN) {
            b[p + 1] = valOp(v1, len);
            b.copyWithin(p, p + 1, end + 1);
            this.#grow(-1);
            end--;
            continue;
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  /** Converts to dense and sets the register (which must change). */
  #promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return this.denseSet(index, count);
  }

  /**
   * Raises one register to `count` in either encoding.
   *
   * @param index the register
   * @param count the value offered
   * @param maxBytes `hll-sparse-max-bytes`
   * @returns 1 when the register changed, 0 when not, -1 when corrupt
   */
  set(index: number, count: number, maxBytes: number): number {
    switch (this.#bytes[4]) {
      case HLL_DENSE:
        return this.denseSet(index, count);
      case HLL_SPARSE:
        return this.sparseSet(index, count, maxBytes);
      default:
        return -1;
    }
  }

  /**
   * Adds an element (hllAdd): raises the register it hashes to.
   *
   * @param element the element (one char per byte)
   * @param maxBytes `hll-sparse-max-bytes`
   * @returns 1 when a register changed, 0 when not, -1 when corrupt
   */
  add(element: string, maxBytes: number): number {
    const packed = hllPatLen(element, this.#scratch);
    return this.set(packed >>> 6, packed & 63, maxBytes);
  }

  /**
   * The cardinality estimate (ignoring the cache).
   *
   * @returns the unsigned estimate, or undefined when corrupt
   */
  count(): number | bigint | undefined {
    return countHll(this.toString());
  }
}

/** A VAL opcode byte. */
function valOp(value: number, len: number): number {
  return (((value - 1) << 2) | (len - 1)) | VAL_BIT;
}

/** Appends a ZERO or XZERO opcode for `len` zero registers. */
function pushZeros(seq: number[], len: number): void {
  if (len > ZERO_MAX_LEN) {
    const l = len - 1;
    seq.push((l >> 8) | XZERO_BIT, l & 0xff);
  } else {
    seq.push(len - 1);
  }
}

/** The test cycles of the register access check. */
const SELFTEST_CYCLES = 1000;
/** Elements the approximation check adds. */
const SELFTEST_ELEMENTS = 10_000_000;

/**
 * PFSELFTEST: Redis's self test of the implementation, run against this
 * one. First, random values written to every register of a dense sketch
 * must read back unchanged (1000 rounds); then ten million distinct
 * elements are added to a dense and a sparse sketch at once, checking at
 * each power of ten that the sparse one is still sparse while small, that
 * both estimate the same, and that the error stays within six standard
 * errors (1 at 10).
 *
 * @param random a source of 32-bit random integers
 * @param sparseMaxBytes `hll-sparse-max-bytes`
 * @returns undefined on success, else the failure's text (after `TESTFAILED `)
 * @example
 * ```ts ignore
 * import { selfTest } from "./hll.ts";
 * console.assert(selfTest(() => 4, 3000) === undefined);
 * ```
 */
export function selfTest(random: () => number, sparseMaxBytes: number): string | undefined {
  const dense = HllBuffer.emptyDense();
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < SELFTEST_CYCLES; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = random() & REGISTER_MAX;
      expected[i] = r;
      dense.setRegister(i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = dense.register(i);
      if (v !== expected[i]) return `Register ${i} should be ${expected[i]} but is ${v}`;
    }
  }

  const counters = HllBuffer.emptyDense();
  const sparse = HllBuffer.empty();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = random() >>> 0;
  const seedHi = random() >>> 0;
  const scratch = new Uint32Array(2);
  const fromCharCode = String.fromCharCode;
  for (let j = 1; j <= SELFTEST_ELEMENTS; j++) {
    // The element: the 64-bit integer j ^ seed, little endian.
    const lo = (j ^ seedLo) >>> 0;
    const element = fromCharCode(
      lo & 0xff,
      (lo >>> 8) & 0xff,
      (lo >>> 16) & 0xff,
      lo >>> 24,
      seedHi & 0xff,
      (seedHi >>> 8) & 0xff,
      (seedHi >>> 16) & 0xff,
      seedHi >>> 24,
    );
    const packed = hllPatLen(element, scratch);
    counters.denseSet(packed >>> 6, packed & 63);
    sparse.set(packed >>> 6, packed & 63, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < Math.floor(sparseMaxBytes / 2) && sparse.encoding !== HLL_SPARSE) {
      return "sparse encoding not used";
    }
    const card = counters.count();
    if (card !== sparse.count()) return "dense/sparse disagree";
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    const abserr = Math.abs(checkpoint - Number(card));
    if (abserr > maxerr) return `Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return undefined;
}
