/**
 * Redis 7.0.15's `struct` library (Roberto Ierusalimschy's struct 1.4) in
 * TypeScript: `struct.pack`, `struct.unpack`, `struct.size`, as built on
 * x86-64 Linux (native little endian, `long`/`size_t` of 8 bytes, `int` of 4,
 * maximum alignment 8, `lua_Integer` of 64 bits).
 *
 * Format letters: `>` big endian, `<` little endian, `![n]` alignment
 * (power of 2, default 8), `x` pad byte, `b`/`B` (1), `h`/`H` (2), `l`/`L`
 * (8), `T` (8), `i[n]`/`I[n]` (default 4, at most 32), `f`, `d`, `c[n]`
 * (`c0`: the whole string / the previous number), `s` (zero-terminated),
 * space (ignored). Any other letter errors "invalid format option".
 *
 * Integers go through a C `long`/`unsigned long` like the C code: packing a
 * size above 8 bytes zero-fills beyond 64 bits (even for negative numbers),
 * unpacking keeps the low 64 bits, out-of-range doubles convert as on x86-64
 * (NaN and values below -2^63 give 2^63), and unpacked values are doubles
 * (precision lost above 2^53, as in Redis). A `c0` with no previous result is
 * an error, as on Redis 7.0.15. Error messages: see mod.ts about positions
 * and function names.
 *
 * @module
 */

import {
  checkNumber,
  checkString,
  LuaArgError,
  LuaError,
  type LuaFunction,
  luaToNumber,
  type LuaValue,
  optInteger,
} from "./value.ts";

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const INT_MAX = 2147483647;
const U64 = (1n << 64n) - 1n;

interface Cursor {
  fmt: string;
  i: number;
  littleEndian: boolean;
  align: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function getnum(c: Cursor, df: number): number {
  if (!isDigit(c.fmt[c.i])) return df;
  let a = 0;
  do {
    const d = c.fmt.charCodeAt(c.i++) - 48;
    if (a > Math.floor(INT_MAX / 10) || a * 10 > INT_MAX - d) {
      throw new LuaError("integral size overflow");
    }
    a = a * 10 + d;
  } while (isDigit(c.fmt[c.i]));
  return a;
}

function optsize(c: Cursor, opt: string): number {
  switch (opt) {
    case "B":
    case "b":
      return 1;
    case "H":
    case "h":
      return 2;
    case "L":
    case "l":
    case "T":
    case "d":
      return 8;
    case "f":
      return 4;
    case "x":
      return 1;
    case "c":
      return getnum(c, 1);
    case "i":
    case "I": {
      const sz = getnum(c, 4);
      if (sz > MAXINTSIZE) {
        throw new LuaError(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      }
      return sz;
    }
    default:
      return 0;
  }
}

function gettoalign(len: number, c: Cursor, opt: string, size: number): number {
  if (size === 0 || opt === "c") return 0;
  if (size > c.align) size = c.align;
  return (size - (len & (size - 1))) & (size - 1);
}

function controloptions(c: Cursor, opt: string): void {
  switch (opt) {
    case " ":
      return;
    case ">":
      c.littleEndian = false;
      return;
    case "<":
      c.littleEndian = true;
      return;
    case "!": {
      const a = getnum(c, MAXALIGN);
      if (!(a > 0 && (a & (a - 1)) === 0)) {
        throw new LuaError(`alignment ${a} is not a power of 2`);
      }
      c.align = a;
      return;
    }
    default:
      throw new LuaArgError(1, `invalid format option '${opt}'`);
  }
}

/** C's double -> (unsigned long) conversion as putinteger does it (x86-64). */
function toULong(n: number): bigint {
  if (n < 0) {
    // (unsigned long)(long)n
    if (!Number.isFinite(n) || n < -(2 ** 63)) return 1n << 63n;
    return BigInt(Math.trunc(n)) & U64;
  }
  if (!(n < 2 ** 64)) return n >= 2 ** 64 ? 0n : 1n << 63n; // out of range (x86 cvttsd2si)
  return BigInt(Math.trunc(n));
}

function putinteger(out: string[], n: number, little: boolean, size: number): void {
  let value = toULong(n);
  const bytes = new Array<string>(size);
  for (let k = 0; k < size; k++) {
    const idx = little ? k : size - 1 - k;
    bytes[idx] = String.fromCharCode(Number(value & 0xffn));
    value >>= 8n;
  }
  out.push(bytes.join(""));
}

function floatBytes(x: number, size: 4 | 8, little: boolean): string {
  const dv = new DataView(new ArrayBuffer(size));
  if (size === 4) dv.setFloat32(0, x, little);
  else dv.setFloat64(0, x, little);
  let s = "";
  for (let k = 0; k < size; k++) s += String.fromCharCode(dv.getUint8(k));
  return s;
}

function readFloat(data: string, pos: number, size: 4 | 8, little: boolean): number {
  const dv = new DataView(new ArrayBuffer(size));
  for (let k = 0; k < size; k++) dv.setUint8(k, data.charCodeAt(pos + k));
  return size === 4 ? dv.getFloat32(0, little) : dv.getFloat64(0, little);
}

function getinteger(
  data: string,
  pos: number,
  little: boolean,
  signed: boolean,
  size: number,
): number {
  let l = 0n;
  for (let k = 0; k < size; k++) {
    const idx = little ? pos + size - 1 - k : pos + k;
    l = ((l << 8n) | BigInt(data.charCodeAt(idx))) & U64;
  }
  if (!signed) return Number(l);
  const shift = size * 8 - 1;
  // C: ~0UL << shift (shift >= 64 is UB; x86 masks the count to 6 bits)
  const mask = (U64 << BigInt(shift & 63)) & U64;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function pack(argv: readonly LuaValue[]): LuaValue[] {
  const fmt = checkString(argv, 0);
  // the C code pushes a nil mark after the arguments: the first missing one is "nil"
  const args = [...argv, undefined];
  const c: Cursor = { fmt, i: 0, littleEndian: true, align: 1 };
  const out: string[] = [];
  let arg = 1;
  let total = 0;
  while (c.i < c.fmt.length) {
    const opt = c.fmt[c.i++]!;
    if (opt === "\0") break; // the format is a C string
    let size = optsize(c, opt);
    const toalign = gettoalign(total, c, opt, size);
    total += toalign;
    if (toalign > 0) out.push("\0".repeat(toalign));
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        putinteger(out, checkNumber(args, arg++), c.littleEndian, size);
        break;
      case "x":
        out.push("\0");
        break;
      case "f":
        out.push(floatBytes(checkNumber(args, arg++), 4, c.littleEndian));
        break;
      case "d":
        out.push(floatBytes(checkNumber(args, arg++), 8, c.littleEndian));
        break;
      case "c":
      case "s": {
        const s = checkString(args, arg++);
        if (size === 0) size = s.length;
        // luaL_argcheck uses the already incremented index (one past the argument)
        if (s.length < size) throw new LuaArgError(arg + 1, "string too short");
        out.push(s.slice(0, size));
        if (opt === "s") {
          out.push("\0");
          size++;
        }
        break;
      }
      default:
        controloptions(c, opt);
    }
    total += size;
  }
  return [out.join("")];
}

function unpack(args: readonly LuaValue[]): LuaValue[] {
  const c: Cursor = { fmt: checkString(args, 0), i: 0, littleEndian: true, align: 1 };
  const data = checkString(args, 1);
  const ld = data.length;
  let pos = optInteger(args, 2, 1) - 1;
  const res: LuaValue[] = [];
  while (c.i < c.fmt.length) {
    const opt = c.fmt[c.i++]!;
    if (opt === "\0") break;
    let size = optsize(c, opt);
    pos += gettoalign(pos, c, opt, size);
    // size_t arithmetic: a negative start wraps to a huge value
    if (pos < 0 || pos + size > ld) throw new LuaArgError(2, "data string too short");
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        res.push(getinteger(data, pos, c.littleEndian, opt >= "a", size));
        break;
      case "x":
        break;
      case "f":
        res.push(readFloat(data, pos, 4, c.littleEndian));
        break;
      case "d":
        res.push(readFloat(data, pos, 8, c.littleEndian));
        break;
      case "c": {
        if (size === 0) {
          // the previous result (Redis rejects a "c0" with no previous result)
          const prev = res.length > 0 ? luaToNumber(res[res.length - 1]) : undefined;
          if (prev === undefined) throw new LuaError("format 'c0' needs a previous size");
          size = Math.trunc(prev);
          res.pop();
          if (size < 0 || pos + size > ld) throw new LuaArgError(2, "data string too short");
        }
        res.push(data.slice(pos, pos + size));
        break;
      }
      case "s": {
        const e = data.indexOf("\0", pos);
        if (e === -1) throw new LuaError("unfinished string in data");
        size = e - pos + 1;
        res.push(data.slice(pos, e));
        break;
      }
      default:
        controloptions(c, opt);
    }
    pos += size;
  }
  res.push(pos + 1);
  return res;
}

function size(args: readonly LuaValue[]): LuaValue[] {
  const c: Cursor = { fmt: checkString(args, 0), i: 0, littleEndian: true, align: 1 };
  let pos = 0;
  while (c.i < c.fmt.length) {
    const opt = c.fmt[c.i++]!;
    if (opt === "\0") break;
    const sz = optsize(c, opt);
    pos += gettoalign(pos, c, opt, sz);
    if (opt === "s") throw new LuaArgError(1, "option 's' has no fixed size");
    if (opt === "c" && sz === 0) throw new LuaArgError(1, "option 'c0' has no fixed size");
    if (!/[0-9A-Za-z]/.test(opt)) controloptions(c, opt);
    pos += sz;
  }
  return [pos];
}

/**
 * The `struct` library's functions by name.
 *
 * @example
 * ```ts
 * import { createStructLib } from "./struct.ts";
 * const struct = createStructLib();
 * console.assert(struct.pack!([">H", 258]).at(0) === "\x01\x02");
 * console.assert(struct.size!(["!4bi"]).at(0) === 8);
 * ```
 */
export function createStructLib(): Record<string, LuaFunction> {
  return { pack, unpack, size };
}
