/**
 * The request decoder: RESP multibulk and inline requests, resumable at any
 * byte boundary, linear in input size, binary safe, with Redis's limits and
 * exact protocol error texts.
 *
 * Arguments come out as binary strings: one char per byte.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Errors } from "../errors.ts";

/** Longest inline request or header line Redis accepts (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX_SIZE = 64 * 1024;
/** Unauthenticated clients may not announce more arguments than this. */
const UNAUTH_MAX_MULTIBULK = 10;
/** Unauthenticated clients may not announce larger bulks than this. */
const UNAUTH_MAX_BULK = 16384;
/** Incomplete bulks at least this long are gathered in parts, not re-buffered. */
const PARTS_THRESHOLD = 4096;
const INT_MAX = 2147483647;

/** Node's native one-byte-per-char slice, present on Deno's Buffer. */
interface Latin1 {
  latin1Slice(start: number, end: number): string;
}

/** What the decoder needs to know about its client, asked at each header. */
export interface DecoderLimits {
  /** `proto-max-bulk-len`. */
  maxBulkLen(): number;
  /** Whether the client has authenticated (or needs no authentication). */
  authenticated(): boolean;
}

/** The commands decoded from one chunk of input. */
export interface DecodedBatch {
  /** Complete commands, each an argument vector of binary strings. */
  readonly commands: string[][];
  /** A protocol error text: answer it after the commands, then close. */
  readonly error?: string;
}

const DEFAULT_LIMITS: DecoderLimits = {
  maxBulkLen: () => 512 * 1024 * 1024,
  authenticated: () => true,
};

/**
 * Converts bytes to a binary string, one char per byte.
 *
 * @param bytes the source
 * @param start first index
 * @param end index after the last
 * @returns the string
 * @example
 * ```ts
 * import { bytesToBinary } from "./decoder.ts";
 * console.assert(bytesToBinary(new Uint8Array([104, 255]), 0, 2) === "h\xff");
 * ```
 */
export function bytesToBinary(
  bytes: Uint8Array,
  start: number,
  end: number,
): string {
  const n = end - start;
  if (n <= 16) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Latin1;
  return buf.latin1Slice(start, end);
}

/**
 * Converts a binary string (char codes 0-255) to bytes.
 *
 * @param s the string
 * @returns its bytes
 * @example
 * ```ts
 * import { binaryToBytes } from "./decoder.ts";
 * console.assert(binaryToBytes("\xff")[0] === 255);
 * ```
 */
export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * The incremental decoder core. Feed it chunks; it returns the complete
 * commands in each, keeping partial input across calls.
 *
 * @example Decoding a pipeline split across chunks
 * ```ts
 * import { RespDecoder } from "./decoder.ts";
 * const d = new RespDecoder();
 * const a = d.feed(new TextEncoder().encode("*1\r\n$4\r\nPI"));
 * const b = d.feed(new TextEncoder().encode("NG\r\nECHO hi\r\n"));
 * console.assert(a.commands.length === 0);
 * console.assert(b.commands.length === 2);
 * ```
 */
export class RespDecoder {
  #limits: DecoderLimits;
  /** Unparsed bytes carried to the next chunk. */
  #acc = new Uint8Array(0);
  #accLen = 0;
  /** How far into the carried bytes a line end was already searched for. */
  #scanned = 0;
  /** Arguments still expected by the current multibulk (0: between commands). */
  #argsLeft = 0;
  #args: string[] = [];
  /** Length of the bulk being read, or -1 while its header is awaited. */
  #bulkLen = -1;
  /** Parts of a long incomplete bulk (including its CRLF once complete). */
  #parts: Uint8Array[] | null = null;
  #partsLen = 0;
  #failed = false;

  /**
   * @param limits limits and the client's authentication state
   */
  constructor(limits: DecoderLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  /** Bytes held for the next chunk (for memory accounting). */
  get buffered(): number {
    return this.#accLen + this.#partsLen;
  }

  /**
   * Decodes one chunk.
   *
   * @param chunk the bytes received
   * @returns the commands completed by this chunk, and a protocol error if any
   */
  feed(chunk: Uint8Array): DecodedBatch {
    const commands: string[][] = [];
    if (this.#failed) return { commands };
    if (this.#parts !== null) {
      const used = this.#fillParts(chunk);
      if (this.#parts !== null) return { commands };
      if (this.#argsLeft === 0) this.#complete(commands);
      chunk = chunk.subarray(used);
    }
    let data: Uint8Array;
    if (this.#accLen === 0) {
      data = chunk;
    } else {
      this.#append(chunk);
      data = this.#acc.subarray(0, this.#accLen);
    }
    const error = this.#parse(data, commands);
    if (error !== undefined) {
      this.#failed = true;
      this.#accLen = 0;
      this.#acc = new Uint8Array(0);
      return { commands, error: Errors.protocol(error) };
    }
    return { commands };
  }

  /** Parses `data` from the start; keeps what is left. Returns an error detail. */
  #parse(data: Uint8Array, commands: string[][]): string | undefined {
    const len = data.length;
    let pos = 0;
    let error: string | undefined;
    outer: while (pos < len) {
      if (this.#argsLeft === 0) {
        if (data[pos] === 42) { // '*'
          const cr = this.#findByte(data, pos, 13);
          if (cr === -1) {
            if (len - pos > INLINE_MAX_SIZE) error = "too big mbulk count string";
            break;
          }
          if (cr + 1 >= len) break;
          const n = parseLength(data, pos + 1, cr);
          if (n === null || n > INT_MAX) {
            error = "invalid multibulk length";
            break;
          }
          if (n > UNAUTH_MAX_MULTIBULK && !this.#limits.authenticated()) {
            error = "unauthenticated multibulk length";
            break;
          }
          pos = cr + 2;
          this.#scanned = 0;
          if (n <= 0) continue;
          this.#argsLeft = n;
          this.#args = [];
        } else {
          const lf = this.#findByte(data, pos, 10);
          if (lf === -1) {
            if (len - pos > INLINE_MAX_SIZE) error = "too big inline request";
            break;
          }
          const end = lf > pos && data[lf - 1] === 13 ? lf - 1 : lf;
          const args = splitInline(data, pos, end);
          if (args === null) {
            error = "unbalanced quotes in request";
            break;
          }
          pos = lf + 1;
          this.#scanned = 0;
          if (args.length > 0) commands.push(args);
          continue;
        }
      }
      while (this.#argsLeft > 0) {
        if (this.#bulkLen === -1) {
          const cr = this.#findByte(data, pos, 13);
          if (cr === -1) {
            if (len - pos > INLINE_MAX_SIZE) error = "too big bulk count string";
            break outer;
          }
          if (cr + 1 >= len) break outer;
          if (data[pos] !== 36) { // '$'
            error = `expected '$', got '${String.fromCharCode(data[pos]!)}'`;
            break outer;
          }
          const n = parseLength(data, pos + 1, cr);
          if (n === null || n < 0 || n > this.#limits.maxBulkLen()) {
            error = "invalid bulk length";
            break outer;
          }
          if (n > UNAUTH_MAX_BULK && !this.#limits.authenticated()) {
            error = "unauthenticated bulk length";
            break outer;
          }
          pos = cr + 2;
          this.#scanned = 0;
          this.#bulkLen = n;
        }
        const n = this.#bulkLen;
        if (len - pos >= n + 2) {
          this.#args.push(bytesToBinary(data, pos, pos + n));
          pos += n + 2;
          this.#bulkLen = -1;
          this.#argsLeft--;
          continue;
        }
        if (n >= PARTS_THRESHOLD) {
          this.#parts = [];
          this.#partsLen = 0;
          this.#fillParts(data.subarray(pos));
          pos = len;
        }
        break outer;
      }
      this.#complete(commands);
    }
    this.#keep(data, pos);
    return error;
  }

  /** Moves a finished multibulk to the output. */
  #complete(commands: string[][]): void {
    if (this.#argsLeft === 0 && this.#args.length > 0) {
      commands.push(this.#args);
      this.#args = [];
    }
  }

  /** Adds bytes to a long bulk; returns how many of `chunk` it used. */
  #fillParts(chunk: Uint8Array): number {
    const need = this.#bulkLen + 2 - this.#partsLen;
    const take = Math.min(need, chunk.length);
    if (take > 0) {
      this.#parts!.push(chunk.slice(0, take));
      this.#partsLen += take;
    }
    if (this.#partsLen === this.#bulkLen + 2) {
      const whole = new Uint8Array(this.#partsLen);
      let off = 0;
      for (const part of this.#parts!) {
        whole.set(part, off);
        off += part.length;
      }
      this.#args.push(bytesToBinary(whole, 0, this.#bulkLen));
      this.#parts = null;
      this.#partsLen = 0;
      this.#bulkLen = -1;
      this.#argsLeft--;
    }
    return take;
  }

  /** Finds a byte from `pos`, skipping what an earlier call already searched. */
  #findByte(data: Uint8Array, pos: number, byte: number): number {
    const from = pos + this.#scanned;
    const at = data.indexOf(byte, from);
    if (at === -1) this.#scanned = data.length - pos;
    return at;
  }

  #keep(data: Uint8Array, pos: number): void {
    const rest = data.length - pos;
    if (rest === 0) {
      this.#accLen = 0;
      if (this.#acc.length > INLINE_MAX_SIZE * 4) this.#acc = new Uint8Array(0);
      return;
    }
    if (data.buffer === this.#acc.buffer) {
      this.#acc.copyWithin(0, pos, pos + rest);
      this.#accLen = rest;
    } else {
      this.#accLen = 0;
      this.#append(data.subarray(pos));
    }
  }

  #append(bytes: Uint8Array): void {
    const need = this.#accLen + bytes.length;
    if (need > this.#acc.length) {
      const next = new Uint8Array(Math.max(need, this.#acc.length * 2, 256));
      next.set(this.#acc.subarray(0, this.#accLen));
      this.#acc = next;
    }
    this.#acc.set(bytes, this.#accLen);
    this.#accLen = need;
  }
}

/**
 * Parses the decimal number of a `*` or `$` header as Redis's string2ll
 * does. Returns null when it is not a valid 64-bit integer.
 */
function parseLength(data: Uint8Array, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  let i = start;
  let negative = false;
  if (data[i] === 45) {
    negative = true;
    i++;
    if (i === end) return null;
  }
  if (data[i] === 48) return end - i === 1 && !negative ? 0 : null;
  let v = 0;
  for (; i < end; i++) {
    const c = data[i]! - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v > Number.MAX_SAFE_INTEGER) return negative ? -INT_MAX : INT_MAX + 1;
  return negative ? -v : v;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits an inline request line as Redis's sdssplitargs does: spaces
 * separate arguments, "double quotes" take \n \r \t \b \a \xHH escapes,
 * 'single quotes' take \'. Returns null for unbalanced quotes.
 */
function splitInline(data: Uint8Array, start: number, end: number): string[] | null {
  const args: string[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(data[p]!)) p++;
    if (p >= end) return args;
    let inDouble = false;
    let inSingle = false;
    let current = "";
    for (;;) {
      if (inDouble) {
        if (p >= end) return null;
        const c = data[p]!;
        if (
          c === 92 && p + 3 < end && data[p + 1] === 120 &&
          hexValue(data[p + 2]!) >= 0 && hexValue(data[p + 3]!) >= 0
        ) {
          current += String.fromCharCode(
            hexValue(data[p + 2]!) * 16 + hexValue(data[p + 3]!),
          );
          p += 3;
        } else if (c === 92 && p + 1 < end) {
          p++;
          const e = data[p]!;
          current += e === 110
            ? "\n"
            : e === 114
            ? "\r"
            : e === 116
            ? "\t"
            : e === 98
            ? "\b"
            : e === 97
            ? "\x07"
            : String.fromCharCode(e);
        } else if (c === 34) {
          if (p + 1 < end && !isSpace(data[p + 1]!)) return null;
          inDouble = false;
          p++;
          break;
        } else current += String.fromCharCode(c);
      } else if (inSingle) {
        if (p >= end) return null;
        const c = data[p]!;
        if (c === 92 && p + 1 < end && data[p + 1] === 39) {
          p++;
          current += "'";
        } else if (c === 39) {
          if (p + 1 < end && !isSpace(data[p + 1]!)) return null;
          inSingle = false;
          p++;
          break;
        } else current += String.fromCharCode(c);
      } else {
        if (p >= end) break;
        const c = data[p]!;
        if (isSpace(c)) break;
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else current += String.fromCharCode(c);
      }
      p++;
    }
    args.push(current);
  }
}

/**
 * The decoder as a `TransformStream`: bytes in, one batch of commands out
 * per chunk. After a protocol error it emits the error batch and ignores the
 * rest of its input.
 *
 * @example Piping bytes through the decoder
 * ```ts
 * import { RespDecoderStream } from "./decoder.ts";
 * const batches = ReadableStream.from([new TextEncoder().encode("PING\r\n")])
 *   .pipeThrough(new RespDecoderStream());
 * for await (const batch of batches) console.assert(batch.commands[0]![0] === "PING");
 * ```
 */
export class RespDecoderStream extends TransformStream<Uint8Array, DecodedBatch> {
  /**
   * @param limits limits and the client's authentication state
   */
  constructor(limits: DecoderLimits = DEFAULT_LIMITS) {
    const decoder = new RespDecoder(limits);
    super({
      transform(chunk, controller) {
        const batch = decoder.feed(chunk);
        if (batch.commands.length > 0 || batch.error !== undefined) {
          controller.enqueue(batch);
        }
      },
    });
  }
}
