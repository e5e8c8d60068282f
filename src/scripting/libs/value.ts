/**
 * A VM-neutral model of Lua 5.1 values, shared by the pure-TypeScript ports of
 * the C libraries Redis 7.0.15 loads into its Lua interpreter (`cjson`,
 * `cmsgpack`, `bit`, `struct`).
 *
 * Mapping:
 * - `nil` is `undefined`;
 * - booleans are `boolean`;
 * - numbers are `number` (Lua 5.1 has only doubles, so no integer/float
 *   distinction is needed: `cmsgpack` and `cjson` look at the double's value);
 * - strings are binary JS strings, one char per byte (never UTF-8 decoded);
 * - tables are {@linkcode LuaTable};
 * - `cjson.null` (a NULL light userdata in C) is {@linkcode LUA_NULL};
 * - functions, full userdata, threads and other light userdata are
 *   {@linkcode LuaOpaque} (the libraries only need their type name).
 *
 * Table iteration order: the C libraries walk tables with `lua_next`, and some
 * outputs (JSON objects, msgpack maps) follow that order. {@linkcode LuaTable}
 * iterates in insertion order; the VM glue must therefore build a
 * {@linkcode LuaTable} by inserting the keys in the VM's own `next` order, and
 * the output then follows the VM's order. A VM whose hash order differs from
 * C Lua 5.1's (fengari, wasmoon's Lua 5.4) gives a different key order in
 * JSON objects / msgpack maps than real Redis for tables with several hash
 * keys: that is a known, documented difference.
 *
 * Other known differences: JavaScript cannot carry a NaN's sign or payload,
 * so where Redis's Lua has a negative NaN (`0/0` on x86) the ports see a
 * positive one (visible in `cmsgpack.pack(0/0)` and `struct.pack("d", 0/0)`
 * bytes); hexadecimal numbers parsed by {@linkcode strtod} with more than 53
 * significant bits may round differently from glibc.
 *
 * @module
 */

/** The `cjson.null` sentinel (a NULL light userdata in Redis's Lua). */
export const LUA_NULL: unique symbol = Symbol("cjson.null");

/** Type of {@linkcode LUA_NULL}. */
export type LuaNull = typeof LUA_NULL;

/** A Lua value the libraries cannot look into (function, userdata, thread). */
export class LuaOpaque {
  /**
   * @param type the Lua type name (`"function"`, `"userdata"`, `"thread"`, `"lightuserdata"`)
   * @param ref the VM's own handle, untouched by the libraries
   */
  constructor(
    readonly type: "function" | "userdata" | "thread" | "lightuserdata",
    readonly ref?: unknown,
  ) {}
}

/** A Lua value. `undefined` is `nil`; strings are binary strings. */
export type LuaValue = undefined | boolean | number | string | LuaTable | LuaNull | LuaOpaque;

/** A value usable as a table key (anything but nil and NaN). */
export type LuaKey = boolean | number | string | LuaTable | LuaNull | LuaOpaque;

/**
 * A Lua table: keys iterate in insertion order (see the module doc on `next`
 * order). Setting a key to `nil` removes it.
 *
 * @example Build and read a table
 * ```ts
 * import { LuaTable } from "./value.ts";
 * const t = LuaTable.fromArray(["a", "b"]);
 * t.set("k", 1);
 * console.assert(t.get(2) === "b" && t.length() === 2 && t.size === 3);
 * ```
 */
export class LuaTable {
  #map = new Map<LuaKey, LuaValue>();

  /** A table with `values` at keys 1..n (nil values leave holes). */
  static fromArray(values: readonly LuaValue[]): LuaTable {
    const t = new LuaTable();
    values.forEach((v, i) => t.set(i + 1, v));
    return t;
  }

  /** A table from key/value pairs, inserted in order. */
  static fromEntries(entries: Iterable<readonly [LuaKey, LuaValue]>): LuaTable {
    const t = new LuaTable();
    for (const [k, v] of entries) t.set(k, v);
    return t;
  }

  /** `t[k]` (raw). */
  get(k: LuaKey): LuaValue {
    return this.#map.get(normKey(k));
  }

  /**
   * `t[k] = v` (raw). Throws {@linkcode LuaError} like Lua for a NaN key.
   */
  set(k: LuaKey | undefined, v: LuaValue): void {
    if (k === undefined) throw new LuaError("table index is nil");
    if (typeof k === "number" && Number.isNaN(k)) throw new LuaError("table index is NaN");
    const key = normKey(k);
    if (v === undefined) this.#map.delete(key);
    else this.#map.set(key, v);
  }

  /** Number of non-nil entries. */
  get size(): number {
    return this.#map.size;
  }

  /** Entries in iteration (`next`) order. */
  entries(): IterableIterator<[LuaKey, LuaValue]> {
    return this.#map.entries();
  }

  /** A border of the table (`#t`): the n with t[n] ~= nil and t[n+1] == nil, from 1. */
  length(): number {
    let n = 0;
    while (this.#map.has(n + 1)) n++;
    return n;
  }
}

function normKey(k: LuaKey): LuaKey {
  return typeof k === "number" && k === 0 ? 0 : k; // -0 and 0 are one key
}

/** A Lua runtime error raised by a library function (`luaL_error`). */
export class LuaError extends Error {
  /** @param message the Lua error message */
  constructor(message: string) {
    super(message);
    this.name = "LuaError";
  }
}

/**
 * `luaL_argerror`: "bad argument #n to 'name' (extra)". The library does not
 * know the name the script called it by; its message uses `'?'` (what Lua
 * prints under `pcall`). The VM glue can call {@linkcode LuaArgError.format}
 * with the real name.
 */
export class LuaArgError extends LuaError {
  /**
   * @param arg the 1-based argument number
   * @param extra the message in parentheses
   */
  constructor(readonly arg: number, readonly extra: string) {
    super(`bad argument #${arg} to '?' (${extra})`);
    this.name = "LuaArgError";
  }

  /** The message with a function name. */
  format(name: string): string {
    return `bad argument #${this.arg} to '${name}' (${this.extra})`;
  }
}

/** A library function: Lua arguments in, Lua results out (may throw {@linkcode LuaError}). */
export type LuaFunction = (args: readonly LuaValue[]) => LuaValue[];

/** Lua's type name of a value (`lua_typename`), `"no value"` for an absent argument. */
export function luaTypeName(v: LuaValue): string {
  if (v === undefined) return "nil";
  if (v === LUA_NULL) return "userdata";
  if (v instanceof LuaTable) return "table";
  if (v instanceof LuaOpaque) return v.type === "lightuserdata" ? "userdata" : v.type;
  return typeof v; // boolean, number, string
}

/** `lua_tonumber`: a number, or a string Lua converts, else `undefined`. */
export function luaToNumber(v: LuaValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  return str2number(v);
}

/** `lua_tonumber` semantic for strings (Lua 5.1 `luaO_str2d`). */
export function str2number(s: string): number | undefined {
  const nul = s.indexOf("\0");
  const str = nul === -1 ? s : s.slice(0, nul); // C string view
  const r = strtod(str, 0);
  if (r.end === 0) return undefined;
  let end = r.end;
  let value = r.value;
  if (str[end] === "x" || str[end] === "X") {
    // Lua retries with strtoul base 16 (only reached when strtod stopped at 'x')
    const m = /^\s*([+-]?)(0[xX])?([0-9a-fA-F]*)/.exec(str)!;
    value = parseInt(m[3] || "0", 16) * (m[1] === "-" ? -1 : 1);
    end = m[2] && !m[3] ? m[0].length - 1 : m[0].length; // "0x" alone: only the 0 parses
  }
  while (end < str.length && isSpace(str.charCodeAt(end))) end++;
  return end === str.length ? value : undefined;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * `luaL_checknumber` for argument `i` (0-based index into `args`).
 * Throws "number expected, got X" like Lua.
 */
export function checkNumber(args: readonly LuaValue[], i: number): number {
  const n = luaToNumber(args[i]);
  if (n === undefined) {
    throw new LuaArgError(i + 1, `number expected, got ${argTypeName(args, i)}`);
  }
  return n;
}

/** `luaL_checkinteger` (truncation toward zero, like `lua_Integer` casts). */
export function checkInteger(args: readonly LuaValue[], i: number): number {
  return toInteger(checkNumber(args, i));
}

/** `luaL_optinteger`. */
export function optInteger(args: readonly LuaValue[], i: number, def: number): number {
  return args[i] === undefined ? def : checkInteger(args, i);
}

/** `luaL_checklstring`: strings, and numbers converted with `%.14g`. */
export function checkString(args: readonly LuaValue[], i: number): string {
  const v = args[i];
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatG(v, 14);
  throw new LuaArgError(i + 1, `string expected, got ${argTypeName(args, i)}`);
}

/** Type name of argument `i`, "no value" when absent. */
export function argTypeName(args: readonly LuaValue[], i: number): string {
  return i >= args.length ? "no value" : luaTypeName(args[i]);
}

/** `lua_Number` to `lua_Integer` (C cast: truncate; NaN/out of range give INT64_MIN like x86). */
export function toInteger(n: number): number {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return -(2 ** 63);
  return Math.trunc(n);
}

/**
 * C `strtod` (glibc, "C" locale) from `pos`: leading white space, sign,
 * decimal or hexadecimal (`0x`, with `p` exponent) numbers, `inf`,
 * `infinity`, `nan`, `nan(chars)`.
 *
 * @returns the value and the index after the number (`pos` when none)
 */
export function strtod(s: string, pos: number): { value: number; end: number } {
  let i = pos;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const sign = neg ? -1 : 1;
  const rest = s.slice(i, i + 8).toLowerCase();
  if (rest.startsWith("inf")) {
    return { value: sign * Infinity, end: i + (rest.startsWith("infinity") ? 8 : 3) };
  }
  if (rest.startsWith("nan")) {
    let end = i + 3;
    if (s[end] === "(") {
      let j = end + 1;
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j]!)) j++;
      if (s[j] === ")") end = j + 1;
    }
    return { value: NaN, end };
  }
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    const m = /^([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?/.exec(s.slice(i + 2))!;
    const intPart = m[1] ?? "";
    const frac = m[2] ?? "";
    if (intPart.length + frac.length > 0) {
      let end = i + 2 + m[0].length;
      let mant = 0;
      for (const ch of intPart + frac) mant = mant * 16 + parseInt(ch, 16);
      let exp = -4 * frac.length;
      const pm = /^[pP]([+-]?\d+)/.exec(s.slice(end));
      if (pm) {
        exp += Number(pm[1]);
        end += pm[0].length;
      }
      return { value: sign * mant * 2 ** exp, end };
    }
    return { value: sign * 0, end: i + 1 }; // "0x" alone parses as 0
  }
  const m = /^(\d*)(?:\.(\d*))?/.exec(s.slice(i))!;
  const intPart = m[1] ?? "";
  const frac = m[2] ?? "";
  if (intPart.length + frac.length === 0) return { value: 0, end: pos };
  let end = i + m[0].length;
  let text = `${intPart || "0"}.${frac || "0"}`;
  const em = /^[eE]([+-]?\d+)/.exec(s.slice(end));
  if (em) {
    text += `e${em[1]}`;
    end += em[0].length;
  }
  return { value: sign * Number(text), end };
}

/**
 * C `printf("%.<precision>g", x)` with glibc's exact rounding (round half
 * to even on the exact binary value), as Lua's `tostring` (`%.14g`) and
 * cjson's number encoder use.
 *
 * @example
 * ```ts
 * import { formatG } from "./value.ts";
 * console.assert(formatG(0.1 + 0.2, 14) === "0.3");
 * console.assert(formatG(2 ** 53, 14) === "9.007199254741e+15");
 * ```
 */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return signBit(x) ? "-nan" : "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const P = precision === 0 ? 1 : precision;
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return neg ? "-0" : "0";
  const { digits, exp } = roundDigits(Math.abs(x), P); // value = 0.d1d2.. * 10^exp
  const X = exp - 1; // exponent in d.ddd form
  let out: string;
  if (P > X && X >= -4) {
    // fixed notation with P-1-X decimals
    const decimals = P - 1 - X;
    let s: string;
    if (X >= 0) s = digits.slice(0, X + 1) + "." + digits.slice(X + 1);
    else s = "0." + "0".repeat(-X - 1) + digits;
    if (decimals >= 0) s = stripZeros(s);
    out = s;
  } else {
    let mant = digits[0] + "." + digits.slice(1);
    mant = stripZeros(mant);
    const e = Math.abs(X);
    out = `${mant}e${X < 0 ? "-" : "+"}${e < 10 ? "0" + e : String(e)}`;
  }
  return neg ? "-" + out : out;
}

function signBit(x: number): boolean {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return (dv.getUint8(0) & 0x80) !== 0;
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  s = s.replace(/0+$/, "");
  return s.endsWith(".") ? s.slice(0, -1) : s;
}

/** Exact decimal expansion of a positive finite double, rounded half-even to P digits. */
function roundDigits(x: number, P: number): { digits: string; exp: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  // x = mant * 2^e2 = N / 10^k
  let N: bigint;
  let k: number;
  if (e2 >= 0) {
    N = mant << BigInt(e2);
    k = 0;
  } else {
    N = mant * 5n ** BigInt(-e2);
    k = -e2;
  }
  const all = N.toString();
  let exp = all.length - k; // value = 0.all * 10^exp
  let head = all.slice(0, P).padEnd(P, "0");
  const tail = all.slice(P);
  let up = false;
  if (tail.length > 0) {
    const first = tail.charCodeAt(0) - 48;
    const restNonZero = /[1-9]/.test(tail.slice(1));
    if (first > 5 || (first === 5 && restNonZero)) up = true;
    else if (first === 5) up = (head.charCodeAt(P - 1) - 48) % 2 === 1;
  }
  if (up) {
    const inc = (BigInt(head) + 1n).toString();
    if (inc.length > P) {
      head = inc.slice(0, P);
      exp++;
    } else head = inc.padStart(P, "0");
  }
  return { digits: head, exp };
}
