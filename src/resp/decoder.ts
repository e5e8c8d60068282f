/**
 * The request decoder: RESP multibulk and inline requests, resumable at any
 * byte boundary, linear in input size, binary safe, with Redis's limits and
 * exact protocol error texts.
 *
 * Arguments come out as binary strings: one char per byte.
 *
 * Two ways to use it:
 * - {@linkcode RespDecoder} `push()` / `next()`: one command at a time, so the
 *   limits that depend on the client (authentication) are checked after the
 *   commands before them ran, exactly as Redis does. The connection uses this.
 * - {@linkcode RespDecoderStream}: a `TransformStream` of bytes to batches.
 *
 * @module
 */

import { Errors } from "../errors.ts";

/** Longest inline request or header line Redis accepts (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX_SIZE = 64 * 1024;
/** Unauthenticated clients may not announce more arguments than this. */
export const UNAUTH_MAX_MULTIBULK = 10;
/** Unauthenticated clients may not announce larger bulks than this. */
export const UNAUTH_MAX_BULK = 16384;
/** Arguments of 17 to this many bytes are looked up among recent ones first. */
const RECENT_MAX_LEN = 64;
/** Slots of that direct-mapped cache (a power of two). */
const RECENT_SLOTS = 256;
/** What the decoder reads once a pushed chunk is used up and nothing is left. */
const EMPTY = new Uint8Array(0);
/** The fast path leaves longer multibulks to the general path. */
const FAST_MAX_COUNT = 1024 * 1024;
/** Incomplete bulks at least this long are gathered in parts, not re-buffered. */
const PARTS_THRESHOLD = 4096;
const INT_MAX = 2147483647;
const P = Errors.protocolDetail;
const CR = 13;
const LF = 10;

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

/** Limits for a decoder without a client: Redis's defaults, authenticated. */
export const DEFAULT_LIMITS: DecoderLimits = {
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
  if (end - start <= 16) return shortBinary(bytes, start, end);
  const view = latin1View(bytes.buffer);
  if (view === undefined) return slowBinary(bytes, start, end);
  return view.latin1Slice(bytes.byteOffset + start, bytes.byteOffset + end);
}

/** `Buffer.from` of `node:buffer`, once loaded. */
let bufferFrom: ((buffer: ArrayBufferLike) => Latin1) | undefined;
let bufferLoading = false;

/**
 * A view with Node's native latin1 slice over a buffer, or undefined until
 * `node:buffer` is loaded. Loading it costs about 12 ms, an eighth of the
 * start-up budget, so it is loaded in the background on first need; until
 * then long strings are built in JavaScript.
 */
function latin1View(buffer: ArrayBufferLike): Latin1 | undefined {
  if (bufferFrom !== undefined) return bufferFrom(buffer);
  if (!bufferLoading) {
    bufferLoading = true;
    import("node:buffer").then((m) => {
      bufferFrom = (b) => m.Buffer.from(b) as unknown as Latin1;
    }, () => {});
  }
  return undefined;
}

/** A binary string built in JavaScript, a chunk of char codes at a time. */
function slowBinary(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i += 4096) {
    const chunk = bytes.subarray(i, Math.min(end, i + 4096));
    s += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return s;
}

const fromCharCode = String.fromCharCode;

/** A 32-bit hash of `data[start..end)`, for the decoder's string caches. */
function hashBytes(data: Uint8Array, start: number, end: number): number {
  let h = end - start;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + data[i]!) | 0;
  return h;
}

/** Whether a binary string holds exactly the bytes `data[start..end)`. */
function sameBytes(s: string, data: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i - start) !== data[i]) return false;
  }
  return true;
}

/**
 * A binary string of at most 16 bytes, built flat in one call: cheaper than
 * a native slice (an op call) or a char-by-char concatenation (a rope to
 * flatten before hashing).
 */
function shortBinary(d: Uint8Array, i: number, end: number): string {
  const n = end - i;
  if (n <= 4) {
    switch (n) {
      case 0:
        return "";
      case 1:
        return fromCharCode(d[i]!);
      case 2:
        return fromCharCode(d[i]!, d[i + 1]!);
      case 3:
        return fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!);
      default:
        return fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!);
    }
  }
  if (n <= 8) {
    const head = fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!);
    switch (n) {
      case 5:
        return head + fromCharCode(d[i + 4]!);
      case 6:
        return head + fromCharCode(d[i + 4]!, d[i + 5]!);
      case 7:
        return head + fromCharCode(d[i + 4]!, d[i + 5]!, d[i + 6]!);
      default:
        return head + fromCharCode(d[i + 4]!, d[i + 5]!, d[i + 6]!, d[i + 7]!);
    }
  }
  if (n === 16) {
    // deno-fmt-ignore
    return fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!, d[i + 4]!, d[i + 5]!, d[i + 6]!,
      d[i + 7]!, d[i + 8]!, d[i + 9]!, d[i + 10]!, d[i + 11]!, d[i + 12]!, d[i + 13]!, d[i + 14]!,
      d[i + 15]!);
  }
  // deno-fmt-ignore
  let s = fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!, d[i + 4]!, d[i + 5]!, d[i + 6]!,
    d[i + 7]!);
  for (let k = i + 8; k < end; k++) s += fromCharCode(d[k]!);
  return s;
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
 * The incremental decoder core. `push()` input as it arrives and take
 * complete commands with `next()` until it returns `undefined`; then check
 * `error`. Partial input is kept across pushes.
 *
 * A pushed chunk is read only until `next()` returns `undefined` or
 * `release()` is called: whatever is still needed is copied, so the caller
 * may reuse its read buffer then.
 *
 * @example Decoding a pipeline split across chunks
 * ```ts
 * import { RespDecoder } from "./decoder.ts";
 * const d = new RespDecoder();
 * d.push(new TextEncoder().encode("*1\r\n$4\r\nPI"));
 * console.assert(d.next() === undefined);
 * d.push(new TextEncoder().encode("NG\r\nECHO hi\r\n"));
 * console.assert(d.next()![0] === "PING");
 * console.assert(d.next()![1] === "hi");
 * console.assert(d.next() === undefined && d.error === undefined);
 * ```
 */
export class RespDecoder {
  /** Interned command names by a hash of their bytes. */
  #names = new Map<number, string>();
  /** Medium-length arguments seen recently, by a hash of their bytes. */
  #recent: (string | undefined)[] = new Array(RECENT_SLOTS);
  /** A Buffer over the ArrayBuffer last decoded from, for native latin1 slices. */
  #latin1: Latin1 | undefined;
  #latin1Of: ArrayBufferLike | undefined;
  #limits: DecoderLimits;
  /** The input being parsed: a pushed chunk, or a view of `#acc`. */
  #data: Uint8Array;
  /** Parse position in `#data`. */
  #pos = 0;
  /** The decoder's own buffer for bytes carried to the next push. */
  #acc: Uint8Array;
  /** How far past `#pos` a line end was already searched for. */
  #scanned = 0;
  /**
   * A NUL byte precedes the line end. Redis looks for line ends with
   * `strchr`, which stops at NUL, so such a line never completes: it waits
   * until the 64 KiB limit fails it. Cleared when the position moves.
   */
  #stuck = false;
  /** Arguments still expected by the current multibulk (0: between commands). */
  #argsLeft = 0;
  #args: string[] = [];
  /** Length of the bulk being read, or -1 while its header is awaited. */
  #bulkLen = -1;
  /** Parts of a long incomplete bulk (including its CRLF once complete). */
  #parts: Uint8Array[] | null = null;
  #partsLen = 0;
  /** A command completed by `push()` (the end of a long bulk), not yet taken. */
  #ready: string[] | null = null;
  #error: string | undefined;

  /**
   * @param limits limits and the client's authentication state
   */
  constructor(limits: DecoderLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
    this.#acc = new Uint8Array(0);
    this.#data = this.#acc;
  }

  /** Bytes held for commands not yet complete (CLIENT LIST qbuf). */
  get buffered(): number {
    return this.#data.length - this.#pos + this.#partsLen;
  }

  /**
   * The protocol error (`ERR Protocol error: ...`) that stopped decoding, if
   * any. Once set, the decoder ignores further input.
   */
  get error(): string | undefined {
    return this.#error;
  }

  /**
   * Adds received bytes.
   *
   * @param chunk the bytes; read until `next()` returns `undefined`
   */
  push(chunk: Uint8Array): void {
    if (this.#error !== undefined || chunk.length === 0) return;
    if (this.#parts !== null) {
      const used = this.#fillParts(chunk);
      if (used === chunk.length) return;
      chunk = chunk.subarray(used);
    }
    if (this.#pos === this.#data.length) {
      this.#data = chunk;
      this.#pos = 0;
      return;
    }
    this.#carry();
    const rest = this.#data.length;
    const need = rest + chunk.length;
    if (need > this.#acc.length) {
      const next = new Uint8Array(Math.max(need, this.#acc.length * 2, 256));
      next.set(this.#data);
      this.#acc = next;
    }
    this.#acc.set(chunk, rest);
    this.#data = this.#acc.subarray(0, need);
  }

  /**
   * Copies the unread rest of the last pushed chunk into the decoder's own
   * buffer, so the caller may reuse its read buffer before `next()` has
   * returned `undefined` (a read started while a command is blocked).
   */
  release(): void {
    if (this.#data.buffer !== this.#acc.buffer) this.#carry();
  }

  /**
   * Decodes the next complete command.
   *
   * @returns its argument vector, or `undefined` when more input is needed
   *   or a protocol error occurred (see `error`)
   */
  next(): string[] | undefined {
    if (this.#ready !== null) {
      const ready = this.#ready;
      this.#ready = null;
      return ready;
    }
    if (this.#error !== undefined || this.#parts !== null) return undefined;
    const data = this.#data;
    const len = data.length;
    let pos = this.#pos;
    outer: while (pos < len) {
      if (this.#argsLeft === 0) {
        if (data[pos] === 42) {
          const args = this.#whole(data, pos);
          if (args !== undefined) return args;
        } else { // not '*': an inline request
          const lf = this.#scan(data, pos, LF);
          if (lf === -1) {
            if (len - pos > INLINE_MAX_SIZE) return this.#fail(P.tooBigInline);
            break;
          }
          const end = lf > pos && data[lf - 1] === CR ? lf - 1 : lf;
          const args = splitInline(data, pos, end);
          if (args === null) return this.#fail(P.unbalancedQuotes);
          pos = this.#moveTo(lf + 1);
          if (args.length > 0) return args;
          continue;
        }
        const cr = this.#scan(data, pos, CR);
        if (cr === -1) {
          if (len - pos > INLINE_MAX_SIZE) return this.#fail(P.tooBigMultibulk);
          break;
        }
        if (cr + 1 >= len) break; // the LF is not here yet
        const n = parseLength(data, pos + 1, cr);
        if (n === null || n > INT_MAX) return this.#fail(P.invalidMultibulk);
        if (n > UNAUTH_MAX_MULTIBULK && !this.#limits.authenticated()) {
          return this.#fail(P.unauthMultibulk);
        }
        pos = this.#moveTo(cr + 2);
        if (n <= 0) continue;
        this.#argsLeft = n;
      }
      while (this.#argsLeft > 0) {
        if (this.#bulkLen === -1) {
          const cr = this.#scan(data, pos, CR);
          if (cr === -1) {
            if (len - pos > INLINE_MAX_SIZE) return this.#fail(P.tooBigBulkCount);
            break outer;
          }
          if (cr + 1 >= len) break outer;
          const first = data[pos]!;
          if (first !== 36) { // '$'
            // Redis turns CR and LF in error texts into spaces.
            const got = first === CR || first === LF ? " " : String.fromCharCode(first);
            return this.#fail(P.expectedDollar(got));
          }
          const n = parseLength(data, pos + 1, cr);
          if (n === null || n < 0 || n > this.#limits.maxBulkLen()) {
            return this.#fail(P.invalidBulk);
          }
          if (n > UNAUTH_MAX_BULK && !this.#limits.authenticated()) {
            return this.#fail(P.unauthBulk);
          }
          pos = this.#moveTo(cr + 2);
          this.#bulkLen = n;
        }
        const n = this.#bulkLen;
        if (len - pos >= n + 2) {
          // Like Redis, the two bytes after the data are skipped unchecked.
          this.#args.push(
            this.#args.length === 0
              ? this.#name(data, pos, pos + n)
              : this.#binary(data, pos, pos + n),
          );
          pos = this.#moveTo(pos + n + 2);
          this.#bulkLen = -1;
          this.#argsLeft--;
          continue;
        }
        if (n >= PARTS_THRESHOLD && pos < len) {
          this.#parts = [];
          this.#partsLen = 0;
          this.#fillParts(data.subarray(pos));
          pos = this.#moveTo(len);
        }
        break outer;
      }
      const args = this.#args;
      this.#args = [];
      return args;
    }
    this.#pos = pos;
    this.#carry();
    return undefined;
  }

  /**
   * Pushes a chunk and takes every command it completes.
   *
   * @param chunk the bytes received
   * @returns the commands completed by this chunk, and a protocol error if any
   */
  feed(chunk: Uint8Array): DecodedBatch {
    this.push(chunk);
    const commands: string[][] = [];
    for (let argv = this.next(); argv !== undefined; argv = this.next()) commands.push(argv);
    return this.#error === undefined ? { commands } : { commands, error: this.#error };
  }

  /**
   * The fast path: a whole multibulk command already in `data` at `pos`,
   * with canonical headers (`*<n>\r\n`, `$<n>\r\n`, no sign or leading
   * zero), decoded in one pass. Anything else (an incomplete command, an
   * unusual header, a limit to check) returns undefined without changing
   * state, and the general path decodes it from the same position.
   */
  #whole(data: Uint8Array, pos: number): string[] | undefined {
    const len = data.length;
    let p = pos + 1;
    let c = data[p]!;
    if (!(c >= 49 && c <= 57)) return undefined;
    let count = c - 48;
    for (c = data[++p]!; c >= 48 && c <= 57; c = data[++p]!) {
      count = count * 10 + c - 48;
      if (count > FAST_MAX_COUNT) return undefined;
    }
    if (c !== CR || data[p + 1] !== LF) return undefined;
    if (count > UNAUTH_MAX_MULTIBULK && !this.#limits.authenticated()) return undefined;
    p += 2;
    const args: string[] = [];
    for (let k = 0; k < count; k++) {
      if (data[p] !== 36) return undefined; // '$'
      c = data[++p]!;
      let n: number;
      if (c === 48) {
        n = 0;
        c = data[++p]!;
      } else if (c >= 49 && c <= 57) {
        n = c - 48;
        for (c = data[++p]!; c >= 48 && c <= 57; c = data[++p]!) {
          n = n * 10 + c - 48;
          if (n > UNAUTH_MAX_BULK) return undefined;
        }
      } else {
        return undefined;
      }
      if (c !== CR || data[p + 1] !== LF) return undefined;
      p += 2;
      // Like Redis, the two bytes after the data are skipped unchecked.
      if (p + n + 2 > len) return undefined;
      args.push(k === 0 ? this.#name(data, p, p + n) : this.#binary(data, p, p + n));
      p += n + 2;
    }
    this.#moveTo(p);
    return args;
  }

  /**
   * A command name, interned: the same few names arrive again and again, and
   * handing out one string object per name lets the command lookup reuse its
   * cached hash instead of hashing a fresh string per command.
   */
  #name(data: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n > 24) return this.#binary(data, start, end);
    const h = hashBytes(data, start, end);
    const known = this.#names.get(h);
    if (known !== undefined && sameBytes(known, data, start, end)) return known;
    const name = this.#binary(data, start, end);
    if (this.#names.size < 256) this.#names.set(h, name);
    return name;
  }

  /** A binary string of `data[start..end)`, reusing one Buffer view per input buffer. */
  #binary(data: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n <= 1) return shortBinary(data, start, end);
    if (n <= RECENT_MAX_LEN) {
      // Recently seen strings (hot keys, repeated members and values) are
      // handed out again: comparing bytes is cheaper than building a
      // string, the string's hash stays computed for the keyspace lookup,
      // and a value stored many times (list elements) is one string.
      const at = hashBytes(data, start, end) & (RECENT_SLOTS - 1);
      const seen = this.#recent[at];
      if (seen !== undefined && sameBytes(seen, data, start, end)) return seen;
      const made = n <= 16 ? shortBinary(data, start, end) : this.#native(data, start, end);
      this.#recent[at] = made;
      return made;
    }
    return this.#native(data, start, end);
  }

  /** A binary string built by Node's native latin1 slice, once `node:buffer` is loaded. */
  #native(data: Uint8Array, start: number, end: number): string {
    if (this.#latin1Of !== data.buffer || this.#latin1 === undefined) {
      this.#latin1Of = data.buffer;
      this.#latin1 = latin1View(data.buffer);
      if (this.#latin1 === undefined) return slowBinary(data, start, end);
    }
    return this.#latin1.latin1Slice(data.byteOffset + start, data.byteOffset + end);
  }

  /** Moves the parse position, resetting the line-end search. */
  #moveTo(pos: number): number {
    this.#pos = pos;
    this.#scanned = 0;
    this.#stuck = false;
    return pos;
  }

  #fail(detail: string): undefined {
    this.#error = Errors.protocol(detail);
    this.#acc = new Uint8Array(0);
    this.#data = this.#acc;
    this.#pos = 0;
    this.#args = [];
    return undefined;
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
      if (this.#argsLeft === 0) {
        this.#ready = this.#args;
        this.#args = [];
      }
    }
    return take;
  }

  /**
   * Finds `target` from `pos` as Redis's strchr would: a NUL byte first
   * means not found. Resumes where an earlier search of this line stopped.
   */
  #scan(data: Uint8Array, pos: number, target: number): number {
    if (this.#stuck) return -1;
    const len = data.length;
    for (let i = pos + this.#scanned; i < len; i++) {
      const c = data[i];
      if (c === target) return i;
      if (c === 0) {
        this.#stuck = true;
        return -1;
      }
    }
    this.#scanned = len - pos;
    return -1;
  }

  /** Moves unparsed bytes into the decoder's own buffer, at its start. */
  #carry(): void {
    const rest = this.#data.length - this.#pos;
    if (rest === 0) {
      // Nothing to keep: forget the caller's chunk.
      this.#data = EMPTY;
      this.#pos = 0;
      return;
    }
    if (this.#data.buffer === this.#acc.buffer) {
      if (this.#pos > 0) {
        this.#acc.copyWithin(0, this.#pos, this.#data.length);
      }
    } else {
      if (rest > this.#acc.length || this.#acc.length > INLINE_MAX_SIZE * 4) {
        this.#acc = new Uint8Array(Math.max(rest, 256));
      }
      this.#acc.set(this.#data.subarray(this.#pos));
    }
    this.#data = this.#acc.subarray(0, rest);
    this.#pos = 0;
  }
}

/**
 * Parses the decimal number of a `*` or `$` header as Redis's string2ll
 * does. Returns null when it is not a valid 64-bit integer; values past
 * 2^53 come back inexact but on the right side of every limit.
 */
function parseLength(data: Uint8Array, start: number, end: number): number | null {
  const len = end - start;
  if (len === 1 && data[start] === 48) return 0;
  if (len === 0 || len > 20) return null;
  let i = start;
  let negative = false;
  if (data[i] === 45) { // '-'
    negative = true;
    i++;
  }
  const first = data[i];
  if (first === undefined || i === end || first < 49 || first > 57) return null;
  const digits = end - i;
  if (digits > 19) return null;
  let v = 0;
  for (; i < end; i++) {
    const c = data[i]! - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (digits === 19) {
    // Compare with 9223372036854775807 (or ...808 when negative) exactly.
    const limit = negative ? "9223372036854775808" : "9223372036854775807";
    for (let k = 0; k < 19; k++) {
      const d = data[end - 19 + k]!;
      const l = limit.charCodeAt(k);
      if (d < l) break;
      if (d > l) return null;
    }
  }
  return negative ? -v : v;
}

/** Where sdssplitargs ends an unquoted argument: space, \n, \r, \t (and NUL). */
function endsToken(c: number): boolean {
  return c === 32 || c === LF || c === CR || c === 9 || c === 0;
}

/** C's isspace: the separators skipped between arguments. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const ESCAPES: Record<number, string> = {
  110: "\n",
  114: "\r",
  116: "\t",
  98: "\b",
  97: "\x07",
};

/**
 * Splits an inline request line as Redis's sdssplitargs does: whitespace
 * separates arguments, "double quotes" take \n \r \t \b \a \xHH escapes (any
 * other escaped char stands for itself), 'single quotes' take \'. A closing
 * quote must be followed by whitespace or the end. Returns null for
 * unbalanced quotes.
 */
function splitInline(data: Uint8Array, start: number, end: number): string[] | null {
  const args: string[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(data[p]!)) p++;
    if (p >= end) return args;
    let current = "";
    for (;;) {
      // A run of plain characters is sliced in one go.
      let q = p;
      while (q < end) {
        const c = data[q]!;
        if (endsToken(c) || c === 34 || c === 39) break;
        q++;
      }
      if (q > p) current += bytesToBinary(data, p, q);
      p = q;
      if (p >= end || endsToken(data[p]!)) break;
      const quote = data[p++]!;
      if (quote === 34) { // "
        for (;;) {
          if (p >= end) return null;
          const c = data[p]!;
          if (c === 92 && data[p + 1] === 120 && p + 3 < end) { // \x
            const hi = hexValue(data[p + 2]);
            const lo = hexValue(data[p + 3]);
            if (hi >= 0 && lo >= 0) {
              current += String.fromCharCode(hi * 16 + lo);
              p += 4;
              continue;
            }
          }
          if (c === 92 && p + 1 < end) {
            const e = data[p + 1]!;
            current += ESCAPES[e] ?? String.fromCharCode(e);
            p += 2;
          } else if (c === 34) {
            p++;
            if (p < end && !isSpace(data[p]!)) return null;
            break;
          } else {
            let q = p + 1;
            while (q < end && data[q] !== 92 && data[q] !== 34) q++;
            current += bytesToBinary(data, p, q);
            p = q;
          }
        }
      } else { // '
        for (;;) {
          if (p >= end) return null;
          const c = data[p]!;
          if (c === 92 && p + 1 < end && data[p + 1] === 39) {
            current += "'";
            p += 2;
          } else if (c === 39) {
            p++;
            if (p < end && !isSpace(data[p]!)) return null;
            break;
          } else {
            let q = p + 1;
            while (q < end && data[q] !== 92 && data[q] !== 39) q++;
            current += bytesToBinary(data, p, q);
            p = q;
          }
        }
      }
      // After a closing quote the argument ends (whitespace or the line end follows).
      break;
    }
    args.push(current);
  }
}

/**
 * Splits a line as Redis's sdssplitargs does (inline requests, redis.conf
 * lines). Returns null for unbalanced quotes.
 *
 * @param line a binary string (one char per byte)
 * @returns the arguments, or null
 * @example
 * ```ts
 * import { splitArgs } from "./decoder.ts";
 * console.assert(splitArgs(`set "a b" 'c'`)!.join("|") === "set|a b|c");
 * console.assert(splitArgs(`"unbalanced`) === null);
 * ```
 */
export function splitArgs(line: string): string[] | null {
  return splitInline(binaryToBytes(line), 0, line.length);
}

/**
 * The commands of one received chunk, decoded lazily: each `next()` decodes
 * one command, so limits that depend on the client's state (the
 * unauthenticated request limits) see the effect of an AUTH that ran just
 * before, as in Redis.
 */
export interface CommandCursor {
  /** The next complete command, or `undefined` when the chunk is used up. */
  next(): string[] | undefined;
  /** The protocol error that stopped decoding, if any. */
  readonly error: string | undefined;
  /** Bytes held for commands not yet complete. */
  readonly buffered: number;
}

/**
 * Quotes a binary string as Redis's sdscatrepr: `"`, `\\`, `\n`, `\r`,
 * `\t`, `\a`, `\b` escaped, other non-printable bytes as `\xhh`.
 *
 * @param s a binary string
 * @returns the quoted text
 * @example
 * ```ts
 * import { quoteRepr } from "./decoder.ts";
 * console.assert(quoteRepr('a"\n\xff') === '"a\\"\\n\\xff"');
 * ```
 */
export function quoteRepr(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c <= 126 && c !== 34 && c !== 92) continue;
    out += s.slice(from, i);
    from = i + 1;
    switch (c) {
      case 34:
        out += '\\"';
        break;
      case 92:
        out += "\\\\";
        break;
      case 10:
        out += "\\n";
        break;
      case 13:
        out += "\\r";
        break;
      case 9:
        out += "\\t";
        break;
      case 7:
        out += "\\a";
        break;
      case 8:
        out += "\\b";
        break;
      default:
        out += "\\x" + c.toString(16).padStart(2, "0");
    }
  }
  return out + s.slice(from) + '"';
}
