/**
 * The reply encoder: turns {@linkcode Reply} values into RESP2 or RESP3 bytes
 * in one growable, reused output buffer.
 *
 * @module
 */

import type { Reply } from "./reply.ts";

const INITIAL_SIZE = 16 * 1024;
const SHRINK_ABOVE = 1024 * 1024;

/**
 * Formats a double the way C's `printf("%.17g")` does, which is what Redis
 * 7.0.15 sends for double replies: 17 significant digits rounded half to
 * even on the exact binary value, trailing zeros dropped, exponent form
 * below 1e-4 and from 1e17.
 *
 * @param d the number
 * @returns its text (`inf`, `-inf`, `nan` for the special values)
 * @example
 * ```ts
 * import { formatDouble } from "./encoder.ts";
 * console.assert(formatDouble(1.1) === "1.1000000000000001");
 * console.assert(formatDouble(1e21) === "1e+21");
 * console.assert(formatDouble(0.5) === "0.5");
 * ```
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const sign = d < 0 ? "-" : "";
  const x = Math.abs(d);
  // toExponential rounds exact ties up, C rounds them to even: a tie shows
  // as an 18th digit 5, and only then is the exact expansion needed.
  const s17 = x.toExponential(16);
  let digits = s17[0]! + s17.slice(2, 18);
  let exp = Number(s17.slice(19));
  if (x.toExponential(17)[18] === "5") [digits, exp] = exactDigits17(x);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  if (exp < -4 || exp >= 17) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = String(Math.abs(exp));
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${e.length < 2 ? "0" + e : e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + "0".repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * The 17 significant digits of a positive finite double rounded half to
 * even from its exact decimal expansion, with the decimal exponent of the
 * first digit.
 */
function exactDigits17(x: number): [string, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let e2 = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    e2 = biased - 1075;
  }
  // x = all × 10^-scale exactly.
  const all = e2 >= 0
    ? (mantissa << BigInt(e2)).toString()
    : (mantissa * 5n ** BigInt(-e2)).toString();
  const scale = e2 >= 0 ? 0 : -e2;
  let exp = all.length - 1 - scale;
  if (all.length <= 17) return [all.padEnd(17, "0"), exp];
  let head = all.slice(0, 17);
  const next = all.charCodeAt(17) - 48;
  const rest = all.slice(18);
  const beyond = /[1-9]/.test(rest);
  const odd = (head.charCodeAt(16) - 48) % 2 === 1;
  if (next > 5 || (next === 5 && (beyond || odd))) {
    head = (BigInt(head) + 1n).toString();
    if (head.length > 17) {
      head = head.slice(0, 17);
      exp++;
    }
  }
  return [head, exp];
}

/**
 * Encodes replies into a reused byte buffer.
 *
 * @example Encoding a reply
 * ```ts
 * import { ReplyEncoder } from "./encoder.ts";
 * import { OK } from "./reply.ts";
 * const enc = new ReplyEncoder();
 * enc.write(OK, 2);
 * console.assert(enc.length === 5);
 * ```
 */
export class ReplyEncoder {
  #buf = new Uint8Array(INITIAL_SIZE);
  #pos = 0;

  /** Bytes waiting to be sent. */
  get length(): number {
    return this.#pos;
  }

  /** The buffer's size in bytes (CLIENT LIST `rbs`). */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * The encoded bytes so far, as a view valid until the next write.
   *
   * @returns a view of the buffer
   */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /**
   * Drops the first `n` bytes (sent), keeping anything encoded after them.
   *
   * @param n how many bytes were sent
   */
  consume(n: number): void {
    if (n >= this.#pos) {
      this.#pos = 0;
      if (this.#buf.length > SHRINK_ABOVE) {
        this.#buf = new Uint8Array(INITIAL_SIZE);
      }
      return;
    }
    // Called once the write of the first n bytes finished: shift the rest down.
    this.#buf.copyWithin(0, n, this.#pos);
    this.#pos -= n;
  }

  /**
   * Appends one reply.
   *
   * @param reply the reply
   * @param resp protocol version, 2 or 3
   */
  write(reply: Reply, resp: number): void {
    switch (reply.kind) {
      case "simple":
        this.#byte(43);
        this.#ascii(reply.value);
        this.#crlf();
        return;
      case "error":
        this.#byte(45);
        this.#binary(reply.message);
        this.#crlf();
        return;
      case "integer":
        this.#byte(58);
        this.#ascii(String(reply.value));
        this.#crlf();
        return;
      case "bulk":
        this.#bulk(reply.value);
        return;
      case "nil":
        if (resp === 3) this.#raw3(95, 13, 10);
        else this.#ascii("$-1\r\n");
        return;
      case "nilArray":
        if (resp === 3) this.#raw3(95, 13, 10);
        else this.#ascii("*-1\r\n");
        return;
      case "array":
        this.#header(42, reply.items.length);
        for (const item of reply.items) this.write(item, resp);
        return;
      case "bulks":
        this.#header(42, reply.values.length);
        for (const v of reply.values) {
          if (v === null) {
            if (resp === 3) this.#raw3(95, 13, 10);
            else this.#ascii("$-1\r\n");
          } else this.#bulk(v);
        }
        return;
      case "map":
        if (resp === 3) this.#header(37, reply.entries.length);
        else this.#header(42, reply.entries.length * 2);
        for (const [k, v] of reply.entries) {
          this.write(k, resp);
          this.write(v, resp);
        }
        return;
      case "set":
        this.#header(resp === 3 ? 126 : 42, reply.items.length);
        for (const item of reply.items) this.write(item, resp);
        return;
      case "push":
        this.#header(resp === 3 ? 62 : 42, reply.items.length);
        for (const item of reply.items) this.write(item, resp);
        return;
      case "double": {
        const text = reply.text ?? formatDouble(reply.value);
        if (resp === 3) {
          this.#byte(44);
          this.#ascii(text);
          this.#crlf();
        } else this.#bulk(text);
        return;
      }
      case "boolean":
        if (resp === 3) this.#ascii(reply.value ? "#t\r\n" : "#f\r\n");
        else this.#ascii(reply.value ? ":1\r\n" : ":0\r\n");
        return;
      case "verbatim":
        if (resp === 3) {
          this.#byte(61);
          this.#ascii(String(reply.value.length + 4));
          this.#crlf();
          this.#ascii(reply.format);
          this.#byte(58);
          this.#binary(reply.value);
          this.#crlf();
        } else this.#bulk(reply.value);
        return;
      case "bignum":
        if (resp === 3) {
          this.#byte(40);
          this.#ascii(reply.value);
          this.#crlf();
        } else this.#bulk(reply.value);
        return;
      case "attribute":
        if (resp === 3) {
          this.#header(124, reply.entries.length);
          for (const [k, v] of reply.entries) {
            this.write(k, resp);
            this.write(v, resp);
          }
        }
        this.write(reply.reply, resp);
        return;
      case "preceded":
        this.write(reply.push, resp);
        this.write(reply.reply, resp);
        return;
      case "none":
        return;
    }
  }

  #bulk(value: string): void {
    const n = value.length;
    this.#ensure(n + 24);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 36;
    p = writeDigits(buf, p, n);
    buf[p++] = 13;
    buf[p++] = 10;
    for (let i = 0; i < n; i++) buf[p + i] = value.charCodeAt(i);
    p += n;
    buf[p++] = 13;
    buf[p++] = 10;
    this.#pos = p;
  }

  #header(type: number, n: number): void {
    this.#ensure(24);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = type;
    p = writeDigits(buf, p, n);
    buf[p++] = 13;
    buf[p++] = 10;
    this.#pos = p;
  }

  #byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = b;
  }

  #raw3(a: number, b: number, c: number): void {
    this.#ensure(3);
    const buf = this.#buf;
    buf[this.#pos++] = a;
    buf[this.#pos++] = b;
    buf[this.#pos++] = c;
  }

  #crlf(): void {
    this.#ensure(2);
    this.#buf[this.#pos++] = 13;
    this.#buf[this.#pos++] = 10;
  }

  #ascii(s: string): void {
    this.#binary(s);
  }

  #binary(s: string): void {
    const n = s.length;
    this.#ensure(n);
    const buf = this.#buf;
    const p = this.#pos;
    for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
    this.#pos = p + n;
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }
}

/** Writes a non-negative integer as ASCII digits; returns the new position. */
function writeDigits(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  let digits = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
  let q = p + digits - 1;
  for (let v = n; v > 0; v = Math.floor(v / 10)) buf[q--] = 48 + (v % 10);
  return p + digits;
}
