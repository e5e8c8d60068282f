/**
 * Exact emulation of the x87 80-bit `long double` arithmetic Redis 7.0 uses
 * for INCRBYFLOAT (and HINCRBYFLOAT): parsing as glibc's `strtold` does
 * (correctly rounded to a 64-bit mantissa), addition rounded the same way,
 * and printing as `printf("%.17Lf")` with trailing zeros removed.
 *
 * Values are held exactly as `mant * 2^exp` with BigInt arithmetic, so the
 * text produced is byte for byte what Redis prints.
 *
 * @module
 */

/** A finite or infinite x87 extended-precision value. */
export interface LongDouble {
  /** Sign (a zero may be negative). */
  readonly neg: boolean;
  /** The mantissa: below 2^64; ignored when infinite. */
  readonly mant: bigint;
  /** The binary exponent of the mantissa's lowest bit. */
  readonly exp: number;
  /** Whether the value is an infinity. */
  readonly inf: boolean;
}

/** Longest text Redis accepts as a long double (MAX_LONG_DOUBLE_CHARS - 1). */
const MAX_CHARS = 5 * 1024 - 1;
const MANT_BITS = 64;
/** Exponent of the lowest mantissa bit of the smallest subnormal: 2^-16445. */
const MIN_LSB_EXP = -16445;
/** Exponent of the lowest mantissa bit of the largest finite value. */
const MAX_LSB_EXP = 16320;
const TEN17 = 10n ** 17n;

/** Zero, the value INCRBYFLOAT starts a missing key from. */
export const LD_ZERO: LongDouble = Object.freeze({ neg: false, mant: 0n, exp: 0, inf: false });
const ZERO = LD_ZERO;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds `num / den * 2^exp` (non-negative) to the nearest long double,
 * ties to even, with subnormals and overflow to infinity.
 */
function roundRatio(neg: boolean, num: bigint, den: bigint, exp: number): LongDouble {
  if (num === 0n) return { neg, mant: 0n, exp: 0, inf: false };
  // Choose the shift s so that num * 2^s / den has exactly 64 bits ...
  let s = MANT_BITS - (bitLength(num) - bitLength(den));
  if (scaledQuotient(num, den, s) >= 1n << 64n) s--;
  // ... unless that puts the lowest bit below the subnormal limit.
  s = Math.min(s, exp - MIN_LSB_EXP);
  const n = s >= 0 ? num << BigInt(s) : num;
  const d = s >= 0 ? den : den << BigInt(-s);
  let q = n / d;
  const r2 = (n - q * d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  let lsb = exp - s;
  if (q === 1n << 64n) {
    q >>= 1n;
    lsb++;
  }
  if (lsb > MAX_LSB_EXP) return { neg, mant: 0n, exp: 0, inf: true };
  return { neg, mant: q, exp: lsb, inf: false };
}

/** floor(num * 2^s / den). */
function scaledQuotient(num: bigint, den: bigint, s: number): bigint {
  return s >= 0 ? (num << BigInt(s)) / den : num / (den << BigInt(-s));
}

/** glibc `isspace` in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Reads an optional-signed decimal exponent from `i`; returns [value, end] or null. */
function readExponent(s: string, i: number): [number, number] | null {
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  if (!isDigit(s.charCodeAt(i))) return null;
  let v = 0;
  for (; isDigit(s.charCodeAt(i)); i++) {
    // Saturate: anything this large over- or underflows regardless.
    if (v < 1e9) v = v * 10 + (s.charCodeAt(i) - 48);
  }
  return [neg ? -v : v, i];
}

/**
 * Parses a long double as Redis's string2ld does: glibc `strtold` on the
 * whole text (decimal, hex floats, `inf`/`infinity`), rejecting leading
 * space, trailing bytes, NaN, overflow and underflow to zero.
 *
 * @param s the text (a binary string)
 * @returns the value (possibly infinite), or null when not a valid float
 * @example
 * ```ts
 * import { formatLongDouble, parseLongDouble } from "./long_double.ts";
 * console.assert(formatLongDouble(parseLongDouble("1.50")!) === "1.5");
 * console.assert(parseLongDouble(" 1") === null);
 * ```
 */
export function parseLongDouble(s: string): LongDouble | null {
  const len = s.length;
  if (len === 0 || len > MAX_CHARS || isSpace(s.charCodeAt(0))) return null;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  const rest = s.slice(i).toLowerCase();
  if (rest === "inf" || rest === "infinity") return { neg, mant: 0n, exp: 0, inf: true };
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 0x20) === 120) {
    return parseHex(s, i + 2, neg);
  }
  // Decimal: digits [. digits] [e [+-] digits]
  let digits = "";
  let fracDigits = 0;
  let seen = false;
  for (; isDigit(s.charCodeAt(i)); i++) {
    seen = true;
    digits += s[i];
  }
  if (s.charCodeAt(i) === 46) {
    for (i++; isDigit(s.charCodeAt(i)); i++) {
      seen = true;
      digits += s[i];
      fracDigits++;
    }
  }
  if (!seen) return null;
  let exp10 = -fracDigits;
  if ((s.charCodeAt(i) | 0x20) === 101) {
    const e = readExponent(s, i + 1);
    if (e === null) return null;
    exp10 += e[0];
    i = e[1];
  }
  if (i !== len) return null;
  const first = digits.search(/[1-9]/);
  if (first === -1) return { ...ZERO, neg };
  const sig = digits.slice(first).replace(/0+$/, "");
  exp10 += digits.length - first - sig.length;
  const magnitude = exp10 + sig.length; // value < 10^magnitude
  if (magnitude > 4934) return null;
  if (magnitude < -4952) return null;
  const d = BigInt(sig);
  const v = exp10 >= 0
    ? roundRatio(neg, d * 10n ** BigInt(exp10), 1n, 0)
    : roundRatio(neg, d, 10n ** BigInt(-exp10), 0);
  return v.inf || v.mant === 0n ? null : v;
}

function parseHex(s: string, i: number, neg: boolean): LongDouble | null {
  const len = s.length;
  let hex = "";
  let fracDigits = 0;
  let seen = false;
  for (; hexValue(s.charCodeAt(i)) >= 0; i++) {
    seen = true;
    hex += s[i];
  }
  if (s.charCodeAt(i) === 46) {
    for (i++; hexValue(s.charCodeAt(i)) >= 0; i++) {
      seen = true;
      hex += s[i];
      fracDigits++;
    }
  }
  if (!seen) return null;
  let exp2 = -4 * fracDigits;
  if ((s.charCodeAt(i) | 0x20) === 112) {
    const e = readExponent(s, i + 1);
    if (e === null) return null;
    exp2 += e[0];
    i = e[1];
  }
  if (i !== len) return null;
  const m = BigInt("0x" + hex);
  if (m === 0n) return { ...ZERO, neg };
  const top = bitLength(m) + exp2;
  if (top > 16400) return null;
  if (top < -16500) return null;
  const v = roundRatio(neg, m, 1n, exp2);
  return v.inf || v.mant === 0n ? null : v;
}

/**
 * Adds two long doubles, rounding the exact sum once as the x87 FPU does.
 *
 * @param a a value
 * @param b another value
 * @returns the sum; `inf` set on overflow, and NaN (inf - inf) reported as null
 * @example
 * ```ts
 * import { addLongDouble, formatLongDouble, parseLongDouble } from "./long_double.ts";
 * const sum = addLongDouble(parseLongDouble("0.1")!, parseLongDouble("0.2")!)!;
 * console.assert(formatLongDouble(sum) === "0.3");
 * ```
 */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (a.mant === 0n) return b.mant === 0n ? { ...ZERO, neg: a.neg && b.neg } : b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const va = (a.neg ? -a.mant : a.mant) << BigInt(a.exp - e);
  const vb = (b.neg ? -b.mant : b.mant) << BigInt(b.exp - e);
  const sum = va + vb;
  if (sum === 0n) return ZERO;
  const neg = sum < 0n;
  return roundRatio(neg, neg ? -sum : sum, 1n, e);
}

/**
 * Formats a finite long double as Redis's human-friendly ld2string does:
 * `%.17Lf`, trailing zeros and a trailing dot removed, `-0` printed as `0`.
 *
 * @param v a finite value
 * @returns the text
 * @example
 * ```ts
 * import { formatLongDouble, parseLongDouble } from "./long_double.ts";
 * console.assert(formatLongDouble(parseLongDouble("5.0e3")!) === "5000");
 * console.assert(formatLongDouble(parseLongDouble("-1e-18")!) === "0");
 * ```
 */
export function formatLongDouble(v: LongDouble): string {
  if (v.inf) return v.neg ? "-inf" : "inf";
  let scaled: bigint; // round(|v| * 10^17)
  if (v.exp >= 0) {
    scaled = (v.mant << BigInt(v.exp)) * TEN17;
  } else {
    const k = BigInt(-v.exp);
    const t = v.mant * TEN17;
    scaled = t >> k;
    const r2 = (t - (scaled << k)) << 1n;
    const one = 1n << k;
    if (r2 > one || (r2 === one && (scaled & 1n) === 1n)) scaled++;
  }
  let int = (scaled / TEN17).toString();
  const frac = (scaled % TEN17).toString().padStart(17, "0");
  let end = 17;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
  if (end > 0) int += "." + frac.slice(0, end);
  if (v.neg && int !== "0") return "-" + int;
  return int;
}
