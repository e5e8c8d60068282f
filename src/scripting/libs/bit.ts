/**
 * Redis 7.0.15's `bit` library (LuaBitOp 1.0.2) in TypeScript: 32-bit
 * operations on Lua numbers. Every argument is converted like LuaBitOp does
 * (add 2^52+2^51 to the double and keep the low 32 bits of its mantissa:
 * round half to even, wrap modulo 2^32); results are signed 32-bit numbers.
 *
 * Covered: `tobit`, `tohex`, `bnot`, `band`, `bor`, `bxor`, `lshift`,
 * `rshift`, `arshift`, `rol`, `ror`, `bswap`, with LuaBitOp's argument errors.
 *
 * @module
 */

import { argTypeName, LuaArgError, type LuaFunction, luaToNumber, type LuaValue } from "./value.ts";

/** LuaBitOp's argument conversion (`barg`): unsigned 32-bit result. */
export function toBits(n: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, n + 6755399441055744.0, true);
  return dv.getUint32(0, true);
}

function barg(args: readonly LuaValue[], i: number): number {
  const n = luaToNumber(args[i]);
  const b = toBits(n ?? 0);
  if (b === 0 && n === undefined) {
    throw new LuaArgError(i + 1, `number expected, got ${argTypeName(args, i)}`);
  }
  return b;
}

const ret = (b: number): LuaValue[] => [b | 0];

/**
 * The `bit` library's functions by name.
 *
 * @example
 * ```ts
 * import { createBitLib } from "./bit.ts";
 * const bit = createBitLib();
 * console.assert(bit.tohex!([255]).at(0) === "000000ff");
 * console.assert(bit.band!([0xff, 0x0f]).at(0) === 15);
 * ```
 */
export function createBitLib(): Record<string, LuaFunction> {
  const variadic = (op: (a: number, b: number) => number): LuaFunction => (args) => {
    let b = barg(args, 0);
    for (let i = args.length - 1; i >= 1; i--) b = op(b, barg(args, i));
    return ret(b);
  };
  const shift = (op: (b: number, n: number) => number): LuaFunction => (args) => {
    const b = barg(args, 0);
    const n = barg(args, 1) & 31;
    return ret(op(b, n));
  };
  return {
    tobit: (args) => ret(barg(args, 0)),
    bnot: (args) => ret(~barg(args, 0)),
    band: variadic((a, b) => a & b),
    bor: variadic((a, b) => a | b),
    bxor: variadic((a, b) => a ^ b),
    lshift: shift((b, n) => b << n),
    rshift: shift((b, n) => b >>> n),
    arshift: shift((b, n) => (b | 0) >> n),
    rol: shift((b, n) => (b << n) | (n === 0 ? 0 : b >>> (32 - n))),
    ror: shift((b, n) => (n === 0 ? 0 : b << (32 - n)) | (b >>> n)),
    bswap: (args) => {
      const b = barg(args, 0);
      return ret((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
    },
    tohex: (args) => {
      let b = barg(args, 0);
      let n = args.length < 2 ? 8 : barg(args, 1) | 0;
      let digits = "0123456789abcdef";
      if (n < 0) {
        n = -n; // INT_MIN: the C code ends up with 8 digits too
        digits = "0123456789ABCDEF";
      }
      if (n > 8) n = 8;
      let s = "";
      for (let i = n; --i >= 0;) {
        s = digits[b & 15] + s;
        b >>>= 4;
      }
      return [s];
    },
  };
}
