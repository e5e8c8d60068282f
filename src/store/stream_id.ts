/**
 * Stream entry IDs as Redis's `streamID` (two unsigned 64-bit integers, the
 * milliseconds and the sequence number), held as one 16-character binary
 * string: the milliseconds then the sequence number, each 8 bytes
 * big-endian. Plain string comparison (`<`, `>`, `===`) then orders IDs as
 * Redis does, and an ID is a cheap Map key, exact over the whole uint64
 * range (no JS doubles involved).
 *
 * @module
 */

/** A stream ID: 16 bytes, big-endian ms then seq, as a binary string. */
export type StreamId = string;

const TWO32 = 4294967296;
/** 2^48: below it a uint64 held in 8 bytes fits a double exactly with room to spare. */
const TWO48 = 281474976710656;

/** Eight bytes of a uint64 given as a number in [0, 2^53). */
function u64Number(n: number): string {
  const hi = Math.floor(n / TWO32);
  const lo = n >>> 0;
  return String.fromCharCode(
    hi >>> 24,
    (hi >>> 16) & 255,
    (hi >>> 8) & 255,
    hi & 255,
    lo >>> 24,
    (lo >>> 16) & 255,
    (lo >>> 8) & 255,
    lo & 255,
  );
}

/** Eight bytes of a uint64 given as a bigint (taken modulo 2^64). */
function u64Big(n: bigint): string {
  const v = BigInt.asUintN(64, n);
  return u64Parts(Number(v >> 32n), Number(v & 0xffffffffn));
}

/** Eight bytes from the high and low 32-bit halves. */
function u64Parts(hi: number, lo: number): string {
  return String.fromCharCode(
    hi >>> 24,
    (hi >>> 16) & 255,
    (hi >>> 8) & 255,
    hi & 255,
    lo >>> 24,
    (lo >>> 16) & 255,
    (lo >>> 8) & 255,
    lo & 255,
  );
}

/** The high 32 bits of the uint64 at `at` (0 or 8). */
function hi32(id: StreamId, at: number): number {
  return ((id.charCodeAt(at) << 24) | (id.charCodeAt(at + 1) << 16) | (id.charCodeAt(at + 2) << 8) |
    id.charCodeAt(at + 3)) >>> 0;
}

/** The low 32 bits of the uint64 at `at` (0 or 8). */
function lo32(id: StreamId, at: number): number {
  return hi32(id, at + 4);
}

/** The ID 0-0. */
export const MIN_ID: StreamId = "\0".repeat(16);
/** The ID 18446744073709551615-18446744073709551615. */
export const MAX_ID: StreamId = "\xff".repeat(16);

/**
 * Builds an ID.
 *
 * @param ms the milliseconds part (a uint64; numbers must be safe integers)
 * @param seq the sequence part (a uint64)
 * @returns the ID
 * @example
 * ```ts
 * import { formatId, streamId } from "./stream_id.ts";
 * console.assert(formatId(streamId(5, 1n)) === "5-1");
 * console.assert(streamId(1, 0) > streamId(0, 99));
 * ```
 */
export function streamId(ms: bigint | number, seq: bigint | number): StreamId {
  if (typeof ms === "number" && typeof seq === "number") {
    // One flat string in one call (the hot path of decoding).
    const msHi = Math.floor(ms / TWO32);
    const msLo = ms >>> 0;
    const seqHi = Math.floor(seq / TWO32);
    const seqLo = seq >>> 0;
    return String.fromCharCode(
      msHi >>> 24,
      (msHi >>> 16) & 255,
      (msHi >>> 8) & 255,
      msHi & 255,
      msLo >>> 24,
      (msLo >>> 16) & 255,
      (msLo >>> 8) & 255,
      msLo & 255,
      seqHi >>> 24,
      (seqHi >>> 16) & 255,
      (seqHi >>> 8) & 255,
      seqHi & 255,
      seqLo >>> 24,
      (seqLo >>> 16) & 255,
      (seqLo >>> 8) & 255,
      seqLo & 255,
    );
  }
  return (typeof ms === "number" ? u64Number(ms) : u64Big(ms)) +
    (typeof seq === "number" ? u64Number(seq) : u64Big(seq));
}

/**
 * Builds an ID from its 32-bit halves (the hot path of decoding).
 *
 * @param msHi high 32 bits of ms
 * @param msLo low 32 bits of ms
 * @param seqHi high 32 bits of seq
 * @param seqLo low 32 bits of seq
 * @returns the ID
 * @example
 * ```ts
 * import { formatId, idFromParts } from "./stream_id.ts";
 * console.assert(formatId(idFromParts(0, 7, 0, 2)) === "7-2");
 * ```
 */
export function idFromParts(msHi: number, msLo: number, seqHi: number, seqLo: number): StreamId {
  return u64Parts(msHi, msLo) + u64Parts(seqHi, seqLo);
}

/**
 * The milliseconds part.
 *
 * @param id an ID
 * @returns its ms as a bigint
 * @example
 * ```ts
 * import { idMs, streamId } from "./stream_id.ts";
 * console.assert(idMs(streamId(12, 3)) === 12n);
 * ```
 */
export function idMs(id: StreamId): bigint {
  return (BigInt(hi32(id, 0)) << 32n) | BigInt(lo32(id, 0));
}

/**
 * The sequence part.
 *
 * @param id an ID
 * @returns its seq as a bigint
 * @example
 * ```ts
 * import { idSeq, streamId } from "./stream_id.ts";
 * console.assert(idSeq(streamId(12, 3)) === 3n);
 * ```
 */
export function idSeq(id: StreamId): bigint {
  return (BigInt(hi32(id, 8)) << 32n) | BigInt(lo32(id, 8));
}

/**
 * The milliseconds part as a number when below 2^48, else undefined.
 *
 * @param id an ID
 * @returns the ms, exactly, or undefined when large
 * @example
 * ```ts
 * import { idMsNumber, streamId } from "./stream_id.ts";
 * console.assert(idMsNumber(streamId(12, 3)) === 12);
 * ```
 */
export function idMsNumber(id: StreamId): number | undefined {
  const hi = hi32(id, 0);
  return hi < 65536 ? hi * TWO32 + lo32(id, 0) : undefined;
}

/**
 * The sequence part as a number when below 2^48, else undefined.
 *
 * @param id an ID
 * @returns the seq, exactly, or undefined when large
 * @example
 * ```ts
 * import { idSeqNumber, streamId } from "./stream_id.ts";
 * console.assert(idSeqNumber(streamId(12, 3)) === 3);
 * ```
 */
export function idSeqNumber(id: StreamId): number | undefined {
  const hi = hi32(id, 8);
  return hi < 65536 ? hi * TWO32 + lo32(id, 8) : undefined;
}

/** The decimal text of the uint64 at `at`. */
function u64Text(id: StreamId, at: number): string {
  const hi = hi32(id, at);
  const lo = lo32(id, at);
  if (hi === 0) return String(lo);
  const n = hi * TWO32 + lo;
  if (n < TWO48) return String(n);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * The `ms-seq` text of an ID.
 *
 * @param id an ID
 * @returns its text, as Redis replies it
 * @example
 * ```ts
 * import { formatId, MAX_ID } from "./stream_id.ts";
 * console.assert(formatId(MAX_ID) === "18446744073709551615-18446744073709551615");
 * ```
 */
export function formatId(id: StreamId): string {
  return u64Text(id, 0) + "-" + u64Text(id, 8);
}

/**
 * The next ID (seq + 1, or the next ms with seq 0 when seq is at its max).
 *
 * @param id an ID
 * @returns the next ID, or undefined when `id` is {@linkcode MAX_ID}
 * @example
 * ```ts
 * import { formatId, incrId, streamId } from "./stream_id.ts";
 * console.assert(formatId(incrId(streamId(1, 2))!) === "1-3");
 * ```
 */
export function incrId(id: StreamId): StreamId | undefined {
  let i = 15;
  while (i >= 0 && id.charCodeAt(i) === 255) i--;
  if (i < 0) return undefined;
  return id.slice(0, i) + String.fromCharCode(id.charCodeAt(i) + 1) + "\0".repeat(15 - i);
}

/**
 * The previous ID (seq - 1, or the previous ms with the max seq when seq is 0).
 *
 * @param id an ID
 * @returns the previous ID, or undefined when `id` is {@linkcode MIN_ID}
 * @example
 * ```ts
 * import { decrId, formatId, streamId } from "./stream_id.ts";
 * console.assert(formatId(decrId(streamId(2, 0))!) === "1-18446744073709551615");
 * ```
 */
export function decrId(id: StreamId): StreamId | undefined {
  let i = 15;
  while (i >= 0 && id.charCodeAt(i) === 0) i--;
  if (i < 0) return undefined;
  return id.slice(0, i) + String.fromCharCode(id.charCodeAt(i) - 1) + "\xff".repeat(15 - i);
}
