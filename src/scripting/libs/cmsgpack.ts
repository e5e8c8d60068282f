/**
 * Redis 7.0.15's `cmsgpack` library (lua-cmsgpack 0.4.0) in TypeScript:
 * `pack`, `unpack`, `unpack_one`, `unpack_limit`, with the same encoding
 * choices as the C code:
 *
 * - a number whose value fits an int64 exactly is packed as the smallest
 *   msgpack integer (positive fixint, uint8/16/32/64, negative fixint,
 *   int8/16/32/64); any other number (fractions, ±inf, NaN, ≥ 2^63) as a
 *   float32 when the float32 round trip is exact, else as a float64;
 * - strings as fixstr / str8 / str16 / str32 (bytes untouched);
 * - a table whose keys are exactly 1..n (no holes; the empty table too) as an
 *   array (fixarray / array16 / array32), any other table as a map whose
 *   pairs follow the table's iteration order (see value.ts);
 * - tables nested 16 deep, `nil`, `cjson.null`, functions and userdata as nil;
 * - decoding: integers and floats become numbers (uint64 values ≥ 2^63 wrap
 *   negative like the C code), bin/ext types are "Bad data format in input.",
 *   truncated input "Missing bytes in input.".
 *
 * The C function's own stack limit (LUAI_MAXCSTACK, 8000 slots) is modelled:
 * unpacking more than 7999 values at once fails with the C code's "stack
 * overflow (too many return values at once; ...)" error.
 *
 * @module
 */

import {
  checkInteger,
  checkString,
  LuaArgError,
  LuaError,
  type LuaFunction,
  LuaTable,
  type LuaValue,
  optInteger,
} from "./value.ts";

const MAX_NESTING = 16;

class Buf {
  parts: string[] = [];
  bytes(...b: number[]): void {
    this.parts.push(String.fromCharCode(...b.map((x) => x & 0xff)));
  }
  raw(s: string): void {
    this.parts.push(s);
  }
}

function be(n: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = bytes - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return out;
}

function be64(n: bigint): number[] {
  const u = BigInt.asUintN(64, n);
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(Number((u >> BigInt(8 * i)) & 0xffn));
  return out;
}

function encodeInt(buf: Buf, n: bigint): void {
  if (n >= 0n) {
    const v = Number(n);
    if (n <= 127n) buf.bytes(v);
    else if (n <= 0xffn) buf.bytes(0xcc, v);
    else if (n <= 0xffffn) buf.bytes(0xcd, ...be(v, 2));
    else if (n <= 0xffffffffn) buf.bytes(0xce, ...be(v, 4));
    else buf.bytes(0xcf, ...be64(n));
  } else {
    const v = Number(n);
    if (n >= -32n) buf.bytes(v & 0xff);
    else if (n >= -128n) buf.bytes(0xd0, v & 0xff);
    else if (n >= -32768n) buf.bytes(0xd1, ...be(v & 0xffff, 2));
    else if (n >= -2147483648n) buf.bytes(0xd2, ...be(v >>> 0, 4));
    else buf.bytes(0xd3, ...be64(n));
  }
}

function encodeDouble(buf: Buf, d: number): void {
  const f = Math.fround(d);
  if (d === f) {
    const dv = new DataView(new ArrayBuffer(4));
    dv.setFloat32(0, f);
    buf.bytes(0xca, dv.getUint8(0), dv.getUint8(1), dv.getUint8(2), dv.getUint8(3));
  } else {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, d);
    const b: number[] = [0xcb];
    for (let i = 0; i < 8; i++) b.push(dv.getUint8(i));
    buf.bytes(...b);
  }
}

function isInt64Equivalent(x: number): boolean {
  // !isinf(x) && (int64_t)x == x ; NaN and values outside int64 convert to INT64_MIN on x86
  return Number.isFinite(x) && Number.isInteger(x) && x >= -(2 ** 63) && x < 2 ** 63;
}

function encodeString(buf: Buf, s: string): void {
  const len = s.length;
  if (len < 32) buf.bytes(0xa0 | len);
  else if (len <= 0xff) buf.bytes(0xd9, len);
  else if (len <= 0xffff) buf.bytes(0xda, ...be(len, 2));
  else buf.bytes(0xdb, ...be(len, 4));
  buf.raw(s);
}

function lenHeader(buf: Buf, n: number, fix: number, b16: number, b32: number): void {
  if (n <= 15) buf.bytes(fix | n);
  else if (n <= 0xffff) buf.bytes(b16, ...be(n, 2));
  else buf.bytes(b32, ...be(n, 4));
}

function isArray(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  for (const [k] of t.entries()) {
    // LUA_TNUMBER, > 0 and equal to its (int) cast
    if (typeof k !== "number" || !(k > 0) || !(Number.isInteger(k) && k <= 2147483647)) {
      return false;
    }
    if (k > max) max = k;
    count++;
  }
  return max === count;
}

function encodeValue(buf: Buf, v: LuaValue, level: number): void {
  if (v instanceof LuaTable && level === MAX_NESTING) v = undefined;
  if (typeof v === "string") encodeString(buf, v);
  else if (typeof v === "boolean") buf.bytes(v ? 0xc3 : 0xc2);
  else if (typeof v === "number") {
    if (isInt64Equivalent(v)) encodeInt(buf, BigInt(v));
    else encodeDouble(buf, v);
  } else if (v instanceof LuaTable) {
    if (isArray(v)) {
      const len = v.length();
      lenHeader(buf, len, 0x90, 0xdc, 0xdd);
      for (let j = 1; j <= len; j++) encodeValue(buf, v.get(j), level + 1);
    } else {
      lenHeader(buf, v.size, 0x80, 0xde, 0xdf);
      for (const [k, val] of v.entries()) {
        encodeValue(buf, k, level + 1);
        encodeValue(buf, val, level + 1);
      }
    }
  } else buf.bytes(0xc0);
}

/**
 * `cmsgpack.pack(v1, v2, ...)`: the concatenated encodings.
 *
 * @example
 * ```ts
 * import { LuaTable } from "./value.ts";
 * import { msgpackPack } from "./cmsgpack.ts";
 * console.assert(msgpackPack([LuaTable.fromArray([1, "a"])]) === "\x92\x01\xa1a");
 * ```
 */
export function msgpackPack(args: readonly LuaValue[]): string {
  if (args.length === 0) throw new LuaArgError(0, "MessagePack pack needs input.");
  const buf = new Buf();
  for (const a of args) encodeValue(buf, a, 0);
  return buf.parts.join("");
}

const EOF = 1;
const BADFMT = 2;

/** LUAI_MAXCSTACK: the most stack slots a C function may use. */
const MAX_C_STACK = 8000;

/** `luaL_checkstack(L, 1, msg)` against the slots in use. */
function checkStack(c: Cur, msg: string): void {
  if (c.top + 1 > MAX_C_STACK) throw new LuaError(`stack overflow (${msg})`);
}

class Cur {
  err = 0;
  /** Stack slots the C function would be using (its string argument first). */
  top = 1;
  constructor(readonly s: string, public p: number) {}
  get left(): number {
    return this.s.length - this.p;
  }
  byte(i: number): number {
    return this.s.charCodeAt(this.p + i);
  }
  uint(off: number, n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.byte(off + i);
    return v;
  }
  u64(off: number): bigint {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.byte(off + i));
    return v;
  }
}

function need(c: Cur, n: number): boolean {
  if (c.left < n) {
    c.err = EOF;
    return false;
  }
  return true;
}

function float(c: Cur, size: 4 | 8): number {
  const dv = new DataView(new ArrayBuffer(size));
  for (let i = 0; i < size; i++) dv.setUint8(i, c.byte(1 + i));
  return size === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
}

function decodeArray(c: Cur, len: number): LuaValue {
  const t = new LuaTable();
  c.top++; // the new table
  checkStack(c, "in function mp_decode_to_lua_array");
  let index = 1;
  try {
    while (len--) {
      c.top++; // the index
      const v = decode(c);
      if (c.err) return t;
      c.top--;
      t.set(index++, v);
    }
  } finally {
    c.top--;
  }
  return t;
}

function decodeMap(c: Cur, len: number): LuaValue {
  const t = new LuaTable();
  c.top++;
  try {
    while (len--) {
      const k = decode(c);
      if (c.err) return t;
      c.top++; // the key
      const v = decode(c);
      c.top--;
      if (c.err) return t;
      t.set(k as Exclude<LuaValue, undefined> | undefined, v);
    }
  } finally {
    c.top--;
  }
  return t;
}

function str(c: Cur, hdr: number, len: number): LuaValue {
  if (!need(c, hdr + len)) return undefined;
  const s = c.s.slice(c.p + hdr, c.p + hdr + len);
  c.p += hdr + len;
  return s;
}

/** Decodes one value (the caller counts the slot it will occupy). */
function decode(c: Cur): LuaValue {
  if (!need(c, 1)) return undefined;
  checkStack(c, "too many return values at once; use unpack_one or unpack_limit instead.");
  const b = c.byte(0);
  const fixed = (n: number, v: () => LuaValue): LuaValue => {
    if (!need(c, n)) return undefined;
    const r = v();
    c.p += n;
    return r;
  };
  switch (b) {
    case 0xcc:
      return fixed(2, () => c.byte(1));
    case 0xd0:
      return fixed(2, () => (c.byte(1) << 24) >> 24);
    case 0xcd:
      return fixed(3, () => c.uint(1, 2));
    case 0xd1:
      return fixed(3, () => (c.uint(1, 2) << 16) >> 16);
    case 0xce:
      return fixed(5, () => c.uint(1, 4));
    case 0xd2:
      return fixed(5, () => c.uint(1, 4) | 0);
    case 0xcf: // pushed as a signed lua_Integer
      return fixed(9, () => Number(BigInt.asIntN(64, c.u64(1))));
    case 0xd3:
      return fixed(9, () => Number(BigInt.asIntN(64, c.u64(1))));
    case 0xc0:
      c.p += 1;
      return undefined;
    case 0xc3:
      c.p += 1;
      return true;
    case 0xc2:
      c.p += 1;
      return false;
    case 0xca:
      return fixed(5, () => float(c, 4));
    case 0xcb:
      return fixed(9, () => float(c, 8));
    case 0xd9:
      if (!need(c, 2)) return undefined;
      return str(c, 2, c.byte(1));
    case 0xda:
      if (!need(c, 3)) return undefined;
      return str(c, 3, c.uint(1, 2));
    case 0xdb:
      if (!need(c, 5)) return undefined;
      return str(c, 5, c.uint(1, 4));
    case 0xdc:
    case 0xde: {
      if (!need(c, 3)) return undefined;
      const l = c.uint(1, 2);
      c.p += 3;
      return b === 0xdc ? decodeArray(c, l) : decodeMap(c, l);
    }
    case 0xdd:
    case 0xdf: {
      if (!need(c, 5)) return undefined;
      const l = c.uint(1, 4);
      c.p += 5;
      return b === 0xdd ? decodeArray(c, l) : decodeMap(c, l);
    }
  }
  if ((b & 0x80) === 0) {
    c.p += 1;
    return b;
  }
  if ((b & 0xe0) === 0xe0) {
    c.p += 1;
    return (b << 24) >> 24;
  }
  if ((b & 0xe0) === 0xa0) return str(c, 1, b & 0x1f);
  if ((b & 0xf0) === 0x90) {
    c.p += 1;
    return decodeArray(c, b & 0xf);
  }
  if ((b & 0xf0) === 0x80) {
    c.p += 1;
    return decodeMap(c, b & 0xf);
  }
  c.err = BADFMT;
  return undefined;
}

/**
 * The shared decoder of `unpack`, `unpack_one`, `unpack_limit`.
 * With `limit` and `offset` both 0 it decodes everything and returns the
 * values; otherwise the next offset (-1 at the end) followed by the values.
 */
export function msgpackUnpack(s: string, limit: number, offset: number): LuaValue[] {
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    // the C code prints the input length where it announces the limit
    throw new LuaError(
      `Invalid request to unpack with offset of ${cInt(offset)} and limit of ${cInt(s.length)}.`,
    );
  }
  if (offset > s.length) {
    throw new LuaError(`Start offset ${cInt(offset)} greater than input length ${cInt(s.length)}.`);
  }
  if (decodeAll) limit = 2147483647;
  const c = new Cur(s, offset);
  const out: LuaValue[] = [];
  for (let cnt = 0; c.left > 0 && cnt < limit; cnt++) {
    const v = decode(c);
    if (c.err === EOF) throw new LuaError("Missing bytes in input.");
    if (c.err === BADFMT) throw new LuaError("Bad data format in input.");
    out.push(v);
    c.top++;
  }
  if (!decodeAll) {
    checkStack(c, "in function mp_unpack_full");
    out.unshift(c.left === 0 ? -1 : c.p);
  }
  return out;
}

function cInt(n: number): number {
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(n))));
}

/**
 * The `cmsgpack` library's functions by name (with `_NAME`, `_VERSION`, ...
 * fields left to the VM glue).
 *
 * @example
 * ```ts
 * import { createCmsgpackLib } from "./cmsgpack.ts";
 * const mp = createCmsgpackLib();
 * const packed = mp.pack!([1, 2]).at(0) as string;
 * console.assert(packed === "\x01\x02");
 * console.assert(mp.unpack!([packed]).length === 2);
 * ```
 */
export function createCmsgpackLib(): Record<string, LuaFunction> {
  return {
    pack: (args) => [msgpackPack(args)],
    unpack: (args) => msgpackUnpack(checkString(args, 0), 0, 0),
    unpack_one: (args) => {
      const offset = optInteger(args, 1, 0);
      return msgpackUnpack(checkString(args, 0), 1, offset);
    },
    unpack_limit: (args) => {
      const limit = checkInteger(args, 1);
      const offset = optInteger(args, 2, 0);
      return msgpackUnpack(checkString(args, 0), limit, offset);
    },
  };
}

/** Library metadata fields (`cmsgpack._NAME` etc.). */
export const CMSGPACK_FIELDS: Readonly<Record<string, string>> = {
  _NAME: "cmsgpack",
  _VERSION: "lua-cmsgpack 0.4.0",
  _COPYRIGHT: "Copyright (C) 2012, Salvatore Sanfilippo",
  _DESCRIPTION: "MessagePack C implementation for Lua",
};
