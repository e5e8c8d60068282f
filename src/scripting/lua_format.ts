/**
 * `string.format` as Lua 5.1 in Redis 7.0.15 runs it: each `%` item is
 * handed to glibc's `sprintf` (x86-64), so numbers format as C does, with
 * exact decimal rounding (round half to even on the exact binary value),
 * `inf` / `-nan`, and C's conversions of a double to `long long` /
 * `unsigned long long` for `%d` / `%x` (a fraction truncates, out of range
 * is `INT64_MIN`).
 *
 * The pieces here are pure; the VM binds them to Lua's argument checks.
 *
 * @module
 */

/** One `%` item of a format. */
export interface FormatSpec {
  /** Flags among `-+ #0`. */
  readonly flags: string;
  /** Field width, if given. */
  readonly width: number | undefined;
  /** Precision, if given (`.` alone is 0). */
  readonly precision: number | undefined;
  /** The conversion character (a byte; anything, checked by the caller). */
  readonly conv: string;
}

/**
 * Scans a `%` item as 5.1's `scanformat` does (up to two digits of width and
 * of precision).
 *
 * @param fmt the format (binary string)
 * @param at the index just after the `%`
 * @returns the item and the index after it, or an error text
 * @example
 * ```ts
 * import { scanFormat } from "./lua_format.ts";
 * const r = scanFormat("%-5.2f", 1);
 * console.assert(typeof r !== "string" && r.spec.conv === "f" && r.next === 6);
 * ```
 */
export function scanFormat(
  fmt: string,
  at: number,
): { spec: FormatSpec; next: number } | string {
  let p = at;
  while (p < fmt.length && "-+ #0".includes(fmt[p]!)) p++;
  if (p - at >= 6) return "invalid format (repeated flags)";
  const flags = fmt.slice(at, p);
  const digit = (i: number) => i < fmt.length && fmt[i]! >= "0" && fmt[i]! <= "9";
  let width: number | undefined;
  let precision: number | undefined;
  const w0 = p;
  if (digit(p)) p++;
  if (digit(p)) p++;
  if (p > w0) width = Number(fmt.slice(w0, p));
  if (fmt[p] === ".") {
    p++;
    const p0 = p;
    if (digit(p)) p++;
    if (digit(p)) p++;
    precision = p > p0 ? Number(fmt.slice(p0, p)) : 0;
  }
  if (digit(p)) return "invalid format (width or precision too long)";
  return { spec: { flags, width, precision, conv: fmt[p] ?? "\0" }, next: p + 1 };
}

/** Pads a formatted item to its width (`-`: left-justified; `zeros`: after the sign / prefix). */
function pad(spec: FormatSpec, sign: string, body: string, zeros: boolean): string {
  const width = spec.width ?? 0;
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  if (spec.flags.includes("-")) return sign + body + " ".repeat(width - len);
  if (zeros && spec.flags.includes("0")) return sign + "0".repeat(width - len) + body;
  return " ".repeat(width - len) + sign + body;
}

const TWO63 = 2 ** 63;

/** C's `(long long)` of a double on x86-64 (`cvttsd2si`: NaN and out of range are INT64_MIN). */
function toLongLong(n: number): bigint {
  if (!(n >= -TWO63 && n < TWO63)) return -(2n ** 63n);
  return BigInt(Math.trunc(n));
}

/** C's `(unsigned long long)` of a double as gcc compiles it on x86-64. */
function toULongLong(n: number): bigint {
  if (n >= TWO63) {
    // (x - 2^63) converted, then the top bit flipped; too large: 0
    return n < 2 ** 64 ? BigInt(n) : 0n;
  }
  return BigInt.asUintN(64, toLongLong(n));
}

/**
 * `%d %i %o %u %x %X %c` of a number (the argument already checked).
 *
 * @param spec the item
 * @param n the number
 * @returns the text (for `%c`, cut at a NUL as `strlen` cuts it)
 */
export function formatInteger(spec: FormatSpec, n: number): string {
  const { conv, flags, precision } = spec;
  if (conv === "c") {
    // (int) of the double (out of range: INT_MIN), then its low byte
    const i = n >= -(2 ** 31) && n < 2 ** 31 ? Math.trunc(n) : 0;
    const s = pad(spec, "", String.fromCharCode((i % 256 + 256) % 256), false);
    const nul = s.indexOf("\0");
    return nul < 0 ? s : s.slice(0, nul);
  }
  let sign = "";
  let digits: string;
  let prefix = "";
  if (conv === "d" || conv === "i") {
    const v = toLongLong(n);
    if (v < 0n) sign = "-";
    else if (flags.includes("+")) sign = "+";
    else if (flags.includes(" ")) sign = " ";
    digits = (v < 0n ? -v : v).toString();
  } else {
    const u = toULongLong(n);
    digits = u.toString(conv === "o" ? 8 : conv === "u" ? 10 : 16);
    if (conv === "X") digits = digits.toUpperCase();
    if (flags.includes("#") && conv !== "u") {
      if (conv === "o") prefix = "0";
      else if (u !== 0n) prefix = conv === "x" ? "0x" : "0X";
    }
  }
  if (precision !== undefined) {
    if (precision === 0 && digits === "0") digits = "";
    digits = digits.padStart(precision, "0");
  }
  if (prefix === "0" && digits.startsWith("0")) prefix = "";
  return pad(spec, sign + prefix, digits, precision === undefined);
}

/** The exact value of a positive finite double as `N / 10^k`. */
function exact(x: number): { n: bigint; k: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(dv.getUint32(4));
  let e2 = -1074;
  if (bexp !== 0) {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  if (e2 >= 0) return { n: mant << BigInt(e2), k: 0 };
  return { n: mant * 5n ** BigInt(-e2), k: -e2 };
}

/** `q / d` rounded half to even. */
function divRound(q: bigint, d: bigint): bigint {
  const r = q % d;
  let v = q / d;
  const twice = 2n * r;
  if (twice > d || (twice === d && v % 2n === 1n)) v++;
  return v;
}

/** `%.<p>f` digits of |x| (no sign): the integer part, then p decimals. */
function fixed(x: number, p: number): string {
  if (x === 0) return "0".repeat(p + 1);
  const { n, k } = exact(x);
  const m = k <= p ? n * 10n ** BigInt(p - k) : divRound(n, 10n ** BigInt(k - p));
  return m.toString().padStart(p + 1, "0");
}

/** `%.<p>e` of |x|: the p+1 significant digits and the decimal exponent. */
function scientific(x: number, p: number): { digits: string; exp: number } {
  if (x === 0) return { digits: "0".repeat(p + 1), exp: 0 };
  const { n, k } = exact(x);
  const all = n.toString();
  let exp = all.length - k - 1;
  const drop = all.length - (p + 1);
  let digits: string;
  if (drop <= 0) digits = all + "0".repeat(-drop);
  else {
    digits = divRound(n, 10n ** BigInt(drop)).toString();
    if (digits.length > p + 1) {
      digits = digits.slice(0, p + 1);
      exp++;
    }
  }
  return { digits, exp };
}

function withPoint(intPart: string, frac: string, alt: boolean): string {
  return frac.length > 0 || alt ? `${intPart}.${frac}` : intPart;
}

function expText(exp: number, upper: boolean): string {
  const a = Math.abs(exp);
  return `${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${a < 10 ? "0" + a : a}`;
}

/**
 * `%e %E %f %g %G` of a number, as glibc prints it.
 *
 * @param spec the item
 * @param x the number (a NaN prints as x86-64's `0/0`: `-nan`)
 * @returns the text
 * @example
 * ```ts
 * import { formatFloat } from "./lua_format.ts";
 * const g = { flags: "", width: undefined, precision: undefined, conv: "g" };
 * console.assert(formatFloat(g, 1e-5) === "1e-05");
 * console.assert(formatFloat({ ...g, conv: "f", precision: 0 }, 2.5) === "2");
 * ```
 */
export function formatFloat(spec: FormatSpec, x: number): string {
  const { conv, flags } = spec;
  const upper = conv === "E" || conv === "G";
  const alt = flags.includes("#");
  const neg = Number.isNaN(x) || x < 0 || Object.is(x, -0);
  const sign = neg ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  if (!Number.isFinite(x)) {
    const t = Number.isNaN(x) ? "nan" : "inf";
    return pad(spec, sign, upper ? t.toUpperCase() : t, false);
  }
  const a = Math.abs(x);
  const p = spec.precision ?? 6;
  let body: string;
  if (conv === "f") {
    const d = fixed(a, p);
    body = withPoint(d.slice(0, d.length - p), d.slice(d.length - p), alt);
  } else if (conv === "e" || conv === "E") {
    const { digits, exp } = scientific(a, p);
    body = withPoint(digits[0]!, digits.slice(1), alt) + expText(exp, upper);
  } else {
    const P = p === 0 ? 1 : p;
    const { exp: X } = scientific(a, P - 1);
    if (P > X && X >= -4) {
      const q = P - 1 - X;
      const d = fixed(a, q);
      let frac = d.slice(d.length - q);
      if (!alt) frac = frac.replace(/0+$/, "");
      body = withPoint(d.slice(0, d.length - q), frac, alt);
    } else {
      const { digits, exp } = scientific(a, P - 1);
      let frac = digits.slice(1);
      if (!alt) frac = frac.replace(/0+$/, "");
      body = withPoint(digits[0]!, frac, alt) + expText(exp, upper);
    }
  }
  return pad(spec, sign, body, true);
}

/**
 * `%s` of a string (C string: cut at a NUL) with precision and width.
 *
 * @param spec the item
 * @param s the string (binary)
 * @returns the text
 */
export function formatString(spec: FormatSpec, s: string): string {
  const nul = s.indexOf("\0");
  let t = nul < 0 ? s : s.slice(0, nul);
  if (spec.precision !== undefined) t = t.slice(0, spec.precision);
  return pad(spec, "", t, false);
}

/**
 * `%q`: a string quoted as 5.1's `addquoted` does.
 *
 * @param s the string (binary)
 * @returns the quoted text
 * @example
 * ```ts
 * import { quoteString } from "./lua_format.ts";
 * console.assert(quoteString('a"\n') === '"a\\"\\\n"');
 * ```
 */
export function quoteString(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === "\\" || c === "\n") out += "\\" + c;
    else if (c === "\r") out += "\\r";
    else if (c === "\0") out += "\\000";
    else out += c;
  }
  return out + '"';
}
