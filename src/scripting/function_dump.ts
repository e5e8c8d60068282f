/**
 * The FUNCTION DUMP payload, as Redis 7.0.15 writes and reads it: for each
 * library the RDB opcode `FUNCTION2` (245) and the library's code as an RDB
 * string (LZF-compressed when `rdbcompression` is on, the code is longer
 * than 20 bytes and compressing saves at least 4), then the RDB version
 * (10, two bytes little-endian) and the CRC-64 of everything before it
 * (eight bytes little-endian).
 *
 * The RDB string codec here ({@linkcode encodeRdbString},
 * {@linkcode decodeRdbString}, {@linkcode encodeRdbLength}) is the general
 * one of Redis's `rdb.c` (lengths, integer encodings, LZF), for the RDB
 * files to come.
 *
 * Known differences from Redis 7.0.15:
 * - Redis lists its libraries in hash-table order (random per process);
 *   the dump here lists them in the order they were created, so a dump of
 *   several libraries has the same bytes as Redis's only up to that order;
 * - a corrupt string inside a payload with a valid checksum is refused
 *   here with `Failed loading library payload`; Redis logs the corruption
 *   (and, for some encodings, stops the server).
 *
 * @module
 */

import { Crc64 } from "../store/crc64.ts";
import { binaryToBytes, bytesToBinary, LzfCompressor, lzfDecompress } from "../store/lzf.ts";

/** The RDB version Redis 7.0.15 writes (`RDB_VERSION`). */
export const RDB_VERSION = 10;
/** RDB opcode of a library (`RDB_OPCODE_FUNCTION2`). */
export const RDB_OPCODE_FUNCTION2 = 245;
/** RDB opcode of the format of 7.0's release candidates (`RDB_OPCODE_FUNCTION`), still read. */
export const RDB_OPCODE_FUNCTION = 246;

/** Error texts of FUNCTION RESTORE, without the `ERR ` prefix. */
export const DUMP_ERRORS = {
  versionOrChecksum: "DUMP payload version or checksum are wrong",
  readType: "can not read data type",
  notFunction: "given type is not a function",
  payload: "Failed loading library payload",
  preGaName: "Failed loading library name",
  preGaEngine: "Failed loading engine name",
  preGaHasDescription: "Failed loading library description indicator",
  preGaDescription: "Failed loading library description",
  preGaBlob: "Failed loading library blob",
} as const;

/**
 * Encodes a length as Redis's `rdbSaveLen`: 6 bits, 14 bits, 32 or 64 bits
 * big-endian after a marker byte.
 *
 * @param n the length (a safe integer)
 * @returns the encoded bytes as a binary string
 * @example
 * ```ts
 * import { encodeRdbLength } from "./function_dump.ts";
 * console.assert(encodeRdbLength(10) === "\x0a");
 * console.assert(encodeRdbLength(300) === "\x41\x2c");
 * ```
 */
export function encodeRdbLength(n: number): string {
  if (n < 1 << 6) return String.fromCharCode(n);
  if (n < 1 << 14) return String.fromCharCode(0x40 | (n >> 8), n & 0xff);
  if (n <= 0xffffffff) {
    return String.fromCharCode(
      0x80,
      (n >>> 24) & 0xff,
      (n >>> 16) & 0xff,
      (n >>> 8) & 0xff,
      n & 0xff,
    );
  }
  const hi = Math.floor(n / 0x100000000);
  const lo = n >>> 0;
  return String.fromCharCode(
    0x81,
    (hi >>> 24) & 0xff,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    (lo >>> 24) & 0xff,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  );
}

/** Options of {@linkcode encodeRdbString}. */
export interface RdbStringOptions {
  /** `rdbcompression`: try LZF on strings longer than 20 bytes (default true). */
  readonly compress?: boolean;
  /** A compressor to reuse across many strings. */
  readonly lzf?: LzfCompressor;
}

/** The integer encoding Redis gives a short decimal string, or null. */
function integerEncoding(s: string): string | null {
  if (s.length === 0 || s.length > 11 || !/^(?:0|-?[1-9][0-9]*)$/.test(s)) return null;
  const v = Number(s);
  if (v >= -128 && v <= 127) return String.fromCharCode(0xc0, v & 0xff);
  if (v >= -32768 && v <= 32767) return String.fromCharCode(0xc1, v & 0xff, (v >> 8) & 0xff);
  if (v >= -2147483648 && v <= 2147483647) {
    return String.fromCharCode(
      0xc2,
      v & 0xff,
      (v >> 8) & 0xff,
      (v >> 16) & 0xff,
      (v >>> 24) & 0xff,
    );
  }
  return null;
}

/**
 * Encodes a string as Redis's `rdbSaveRawString`: a canonical integer of up
 * to 11 characters that fits 32 bits as an integer encoding, else LZF when
 * enabled, longer than 20 bytes and at least 4 bytes smaller, else length
 * and bytes.
 *
 * @param s the string (binary string)
 * @param options compression
 * @returns the encoded bytes as a binary string
 * @example
 * ```ts
 * import { encodeRdbString } from "./function_dump.ts";
 * console.assert(encodeRdbString("hi") === "\x02hi");
 * console.assert(encodeRdbString("12") === "\xc0\x0c");
 * ```
 */
export function encodeRdbString(s: string, options: RdbStringOptions = {}): string {
  const asInt = integerEncoding(s);
  if (asInt !== null) return asInt;
  if ((options.compress ?? true) && s.length > 20) {
    const lzf = options.lzf ?? new LzfCompressor();
    const packed = lzf.compress(s, s.length - 4);
    if (packed !== null) {
      return "\xc3" + encodeRdbLength(packed.length) + encodeRdbLength(s.length) +
        bytesToBinary(packed);
    }
  }
  return encodeRdbLength(s.length) + s;
}

/** A length read by {@linkcode decodeRdbLength}: the value, or an encoding marker. */
export type RdbLength =
  | { readonly encoded: false; readonly value: number; readonly next: number }
  | { readonly encoded: true; readonly value: number; readonly next: number };

/**
 * Reads a length as Redis's `rdbLoadLenByRef`.
 *
 * @param buf the binary string
 * @param pos where the length starts
 * @returns the length (or, for the `11` prefix, the encoding type with
 *   `encoded` set) and the position after it; null if truncated or unknown
 * @example
 * ```ts
 * import { decodeRdbLength } from "./function_dump.ts";
 * console.assert(decodeRdbLength("\x41\x2c", 0)?.value === 300);
 * ```
 */
export function decodeRdbLength(buf: string, pos: number): RdbLength | null {
  if (pos >= buf.length) return null;
  const b = buf.charCodeAt(pos);
  const type = b >> 6;
  if (type === 3) return { encoded: true, value: b & 0x3f, next: pos + 1 };
  if (type === 0) return { encoded: false, value: b & 0x3f, next: pos + 1 };
  if (type === 1) {
    if (pos + 2 > buf.length) return null;
    return { encoded: false, value: ((b & 0x3f) << 8) | buf.charCodeAt(pos + 1), next: pos + 2 };
  }
  const width = b === 0x80 ? 4 : b === 0x81 ? 8 : 0;
  if (width === 0 || pos + 1 + width > buf.length) return null;
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + buf.charCodeAt(pos + 1 + i);
  return { encoded: false, value: v, next: pos + 1 + width };
}

/**
 * Reads a string as Redis's `rdbGenericLoadStringObject`.
 *
 * @param buf the binary string
 * @param pos where the string starts
 * @returns the string and the position after it, or null if it is
 *   truncated or corrupt
 * @example
 * ```ts
 * import { decodeRdbString, encodeRdbString } from "./function_dump.ts";
 * const s = "x".repeat(100);
 * console.assert(decodeRdbString(encodeRdbString(s), 0)?.value === s);
 * ```
 */
export function decodeRdbString(
  buf: string,
  pos: number,
): { readonly value: string; readonly next: number } | null {
  const len = decodeRdbLength(buf, pos);
  if (len === null) return null;
  let p = len.next;
  if (!len.encoded) {
    if (p + len.value > buf.length) return null;
    return { value: buf.slice(p, p + len.value), next: p + len.value };
  }
  const byte = (i: number) => buf.charCodeAt(p + i);
  switch (len.value) {
    case 0:
      if (p + 1 > buf.length) return null;
      return { value: String((byte(0) << 24) >> 24), next: p + 1 };
    case 1:
      if (p + 2 > buf.length) return null;
      return { value: String(((byte(0) | (byte(1) << 8)) << 16) >> 16), next: p + 2 };
    case 2:
      if (p + 4 > buf.length) return null;
      return {
        value: String(byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24)),
        next: p + 4,
      };
    case 3: {
      // (read as rdbLoadLen(rdb, NULL): an encoding marker counts as its value)
      const clen = decodeRdbLength(buf, p);
      if (clen === null) return null;
      const ulen = decodeRdbLength(buf, clen.next);
      if (ulen === null) return null;
      p = ulen.next;
      if (p + clen.value > buf.length) return null;
      const out = lzfDecompress(binaryToBytes(buf.slice(p, p + clen.value)), ulen.value);
      if (out === null) return null;
      return { value: bytesToBinary(out), next: p + clen.value };
    }
    default:
      return null;
  }
}

/**
 * Writes the FUNCTION DUMP payload of some libraries.
 *
 * @param codes each library's code, in the order to dump them
 * @param options `compress`: `rdbcompression` (default true)
 * @returns the payload (binary string)
 * @example
 * ```ts
 * import { dumpFunctions, parseFunctionDump } from "./function_dump.ts";
 * const code = "#!lua name=x\nredis.register_function('f', function() return 1 end)";
 * const parsed = parseFunctionDump(dumpFunctions([code]));
 * console.assert(parsed.error === null && parsed.codes[0] === code);
 * ```
 */
export function dumpFunctions(
  codes: Iterable<string>,
  options: { readonly compress?: boolean } = {},
): string {
  const lzf = new LzfCompressor();
  const compress = options.compress ?? true;
  let out = "";
  for (const code of codes) {
    out += String.fromCharCode(RDB_OPCODE_FUNCTION2) + encodeRdbString(code, { compress, lzf });
  }
  out += String.fromCharCode(RDB_VERSION & 0xff, RDB_VERSION >> 8);
  return out + new Crc64().update(out).binary();
}

/**
 * Checks a DUMP-style footer as Redis's `verifyDumpPayload`: at least 10
 * bytes, an RDB version not above {@linkcode RDB_VERSION}, and the CRC-64 of
 * everything before the checksum.
 *
 * @param payload the payload (binary string)
 * @returns whether it is valid
 * @example
 * ```ts
 * import { dumpFunctions, verifyDumpPayload } from "./function_dump.ts";
 * console.assert(verifyDumpPayload(dumpFunctions([])));
 * console.assert(!verifyDumpPayload("0123456789"));
 * ```
 */
export function verifyDumpPayload(payload: string): boolean {
  const len = payload.length;
  if (len < 10) return false;
  const version = payload.charCodeAt(len - 10) | (payload.charCodeAt(len - 9) << 8);
  if (version > RDB_VERSION) return false;
  return new Crc64().update(payload.slice(0, len - 8)).binary() === payload.slice(len - 8);
}

/** C's `%s`: a string ends at its first NUL byte. */
const cString = (s: string) => {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
};

/**
 * Reads a library in the format of Redis 7.0's release candidates (opcode
 * 246: name, engine, an optional description, code without first line) and
 * gives it the first line the GA format has, as Redis 7.0.15 does.
 */
function readPreGa(buf: string, pos: number): { value: string; next: number } | string {
  const name = decodeRdbString(buf, pos);
  if (name === null) return DUMP_ERRORS.preGaName;
  const engine = decodeRdbString(buf, name.next);
  if (engine === null) return DUMP_ERRORS.preGaEngine;
  const hasDesc = decodeRdbLength(buf, engine.next);
  if (hasDesc === null) return DUMP_ERRORS.preGaHasDescription;
  let next = hasDesc.next;
  if (hasDesc.value !== 0) {
    const desc = decodeRdbString(buf, next);
    if (desc === null) return DUMP_ERRORS.preGaDescription;
    next = desc.next;
  }
  const blob = decodeRdbString(buf, next);
  if (blob === null) return DUMP_ERRORS.preGaBlob;
  return {
    value: `#!${cString(engine.value)} name=${cString(name.value)}\n${cString(blob.value)}`,
    next: blob.next,
  };
}

/**
 * What {@linkcode parseFunctionDump} read: the code of each library read
 * before the payload ended or went wrong, and what went wrong (Redis
 * creates each library as it reads it, so an error creating one of `codes`
 * comes before `error`).
 */
export interface ParsedDump {
  /** Each library's code, in payload order. */
  readonly codes: readonly string[];
  /** The error text (without `ERR `) met after `codes`, or null. */
  readonly error: string | null;
}

/**
 * Reads a FUNCTION DUMP payload as FUNCTION RESTORE does, up to the
 * libraries' code (creating them is the registry's part).
 *
 * @param payload the payload (binary string)
 * @returns the libraries' code and the error met after them, if any (see
 *   {@linkcode DUMP_ERRORS})
 * @example
 * ```ts
 * import { parseFunctionDump } from "./function_dump.ts";
 * const r = parseFunctionDump("bogus");
 * console.assert(r.error === "DUMP payload version or checksum are wrong");
 * ```
 */
export function parseFunctionDump(payload: string): ParsedDump {
  const codes: string[] = [];
  if (!verifyDumpPayload(payload)) return { codes, error: DUMP_ERRORS.versionOrChecksum };
  const end = payload.length - 10;
  let pos = 0;
  while (pos < end) {
    const type = payload.charCodeAt(pos++);
    if (type === RDB_OPCODE_FUNCTION) {
      const old = readPreGa(payload, pos);
      if (typeof old === "string") return { codes, error: old };
      codes.push(old.value);
      pos = old.next;
      continue;
    }
    if (type !== RDB_OPCODE_FUNCTION2) return { codes, error: DUMP_ERRORS.notFunction };
    // Redis reads the string from the whole buffer, footer included
    const s = decodeRdbString(payload, pos);
    if (s === null) return { codes, error: DUMP_ERRORS.payload };
    codes.push(s.value);
    pos = s.next;
  }
  return { codes, error: null };
}
