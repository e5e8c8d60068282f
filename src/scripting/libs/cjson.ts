/**
 * Redis 7.0.15's `cjson` library (lua-cjson 2.1.0 as configured by Redis) in
 * TypeScript, one {@linkcode CjsonLib} per VM (the configuration set by
 * `cjson.encode_*` / `cjson.decode_*` is per library instance, and persists
 * across scripts like in Redis, where the Lua VM outlives the scripts).
 *
 * Encoding: strings byte for byte (only `"` `\` `/` control characters and
 * DEL are escaped; invalid UTF-8 passes through), numbers with
 * `%.<precision>g` (default 14), `nil`/`cjson.null` as `null`, tables as
 * arrays when every key is a positive integer (holes as `null`, excessively
 * sparse arrays rejected or converted per `encode_sparse_array`), as objects
 * otherwise (number keys written as strings; the empty table is `{}`), and the
 * error texts of the C code ("Cannot serialise ...").
 *
 * Decoding: the C tokenizer's grammar and error texts ("Expected X but found
 * Y at character N"), `\uXXXX` escapes and surrogate pairs to UTF-8, numbers
 * by C `strtod` (with `decode_invalid_numbers`: hex, inf, nan, `+`), JSON
 * `null` as {@linkcode LUA_NULL}, a NUL byte ending the text like in C.
 *
 * Not covered: the Lua C-stack limit (`lua_checkstack`) that also bounds
 * nesting when the depth limits are raised above ~8000; `cjson.new` (the VM
 * glue makes another {@linkcode CjsonLib}); object key order follows the
 * table's iteration order (see value.ts).
 *
 * @module
 */

import {
  checkString,
  formatG,
  LUA_NULL,
  LuaArgError,
  LuaError,
  type LuaFunction,
  LuaOpaque,
  LuaTable,
  luaToNumber,
  luaTypeName,
  type LuaValue,
  strtod,
  toInteger,
} from "./value.ts";

/** lua-cjson's configuration, with Redis's defaults. */
export interface CjsonConfig {
  encodeSparseConvert: number;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 off, 1 on, 2 "null" */
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: number;
  encodeKeepBuffer: number;
  encodeNumberPrecision: number;
}

/** Redis's defaults. */
export function defaultCjsonConfig(): CjsonConfig {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: 1,
    encodeKeepBuffer: 1,
    encodeNumberPrecision: 14,
  };
}

const ESCAPES: (string | undefined)[] = (() => {
  const t: (string | undefined)[] = new Array(256).fill(undefined);
  for (let i = 0; i < 32; i++) t[i] = "\\u" + i.toString(16).padStart(4, "0");
  t[8] = "\\b";
  t[9] = "\\t";
  t[10] = "\\n";
  t[12] = "\\f";
  t[13] = "\\r";
  t[34] = '\\"';
  t[47] = "\\/";
  t[92] = "\\\\";
  t[127] = "\\u007f";
  return t;
})();

function encodeString(s: string, out: string[]): void {
  let r = '"';
  for (let i = 0; i < s.length; i++) {
    const e = ESCAPES[s.charCodeAt(i) & 0xff];
    r += e ?? s[i];
  }
  out.push(r + '"');
}

function encodeError(v: LuaValue, reason: string): never {
  throw new LuaError(`Cannot serialise ${luaTypeName(v)}: ${reason}`);
}

function encodeNumber(cfg: CjsonConfig, n: number, out: string[]): void {
  if (cfg.encodeInvalidNumbers === 0) {
    if (!Number.isFinite(n)) encodeError(n, "must not be NaN or Inf");
  } else if (cfg.encodeInvalidNumbers === 1) {
    if (Number.isNaN(n)) {
      out.push("nan");
      return;
    }
  } else if (!Number.isFinite(n)) {
    out.push("null");
    return;
  }
  out.push(formatG(n, cfg.encodeNumberPrecision));
}

/** lua_array_length: -1 for an object, else the max index. */
function arrayLength(cfg: CjsonConfig, t: LuaTable): number {
  let max = 0;
  let items = 0;
  for (const [k] of t.entries()) {
    if (typeof k === "number" && k !== 0 && Math.floor(k) === k && k >= 1) {
      if (k > max) max = k < 2 ** 31 ? k : -(2 ** 31); // C double -> int
      items++;
      continue;
    }
    return -1;
  }
  if (
    cfg.encodeSparseRatio > 0 && max > items * cfg.encodeSparseRatio &&
    max > cfg.encodeSparseSafe
  ) {
    if (!cfg.encodeSparseConvert) encodeError(t, "excessively sparse array");
    return -1;
  }
  return max;
}

function encodeValue(cfg: CjsonConfig, v: LuaValue, depth: number, out: string[]): void {
  if (typeof v === "string") encodeString(v, out);
  else if (typeof v === "number") encodeNumber(cfg, v, out);
  else if (typeof v === "boolean") out.push(v ? "true" : "false");
  else if (v === undefined || v === LUA_NULL) out.push("null");
  else if (v instanceof LuaTable) {
    depth++;
    if (depth > cfg.encodeMaxDepth) {
      throw new LuaError(`Cannot serialise, excessive nesting (${depth})`);
    }
    const len = arrayLength(cfg, v);
    if (len > 0) {
      out.push("[");
      for (let i = 1; i <= len; i++) {
        if (i > 1) out.push(",");
        encodeValue(cfg, v.get(i), depth, out);
      }
      out.push("]");
    } else {
      out.push("{");
      let comma = false;
      for (const [k, val] of v.entries()) {
        if (comma) out.push(",");
        comma = true;
        if (typeof k === "number") {
          out.push('"');
          encodeNumber(cfg, k, out);
          out.push('":');
        } else if (typeof k === "string") {
          encodeString(k, out);
          out.push(":");
        } else encodeError(k, "table key must be a number or string");
        encodeValue(cfg, val, depth, out);
      }
      out.push("}");
    }
  } else if (v instanceof LuaOpaque) encodeError(v, "type not supported");
}

/**
 * Encodes a Lua value like `cjson.encode` with the given configuration.
 *
 * @example
 * ```ts
 * import { LuaTable } from "./value.ts";
 * import { cjsonEncode, defaultCjsonConfig } from "./cjson.ts";
 * const t = LuaTable.fromArray([1, 2.5, "a/b"]);
 * console.assert(cjsonEncode(defaultCjsonConfig(), t) === '[1,2.5,"a\\/b"]');
 * ```
 */
export function cjsonEncode(cfg: CjsonConfig, v: LuaValue): string {
  const out: string[] = [];
  encodeValue(cfg, v, 0, out);
  return out.join("");
}

// ---------------------------------------------------------------- decoding

const enum T {
  OBJ_BEGIN,
  OBJ_END,
  ARR_BEGIN,
  ARR_END,
  STRING,
  NUMBER,
  BOOLEAN,
  NULL,
  COLON,
  COMMA,
  END,
  WHITESPACE,
  ERROR,
  UNKNOWN,
}

const TOKEN_NAMES = [
  "T_OBJ_BEGIN",
  "T_OBJ_END",
  "T_ARR_BEGIN",
  "T_ARR_END",
  "T_STRING",
  "T_NUMBER",
  "T_BOOLEAN",
  "T_NULL",
  "T_COLON",
  "T_COMMA",
  "T_END",
  "T_WHITESPACE",
  "T_ERROR",
  "T_UNKNOWN",
];

function charToken(ch: string): T {
  switch (ch) {
    case "{":
      return T.OBJ_BEGIN;
    case "}":
      return T.OBJ_END;
    case "[":
      return T.ARR_BEGIN;
    case "]":
      return T.ARR_END;
    case ",":
      return T.COMMA;
    case ":":
      return T.COLON;
    case "\0":
      return T.END;
    case " ":
    case "\t":
    case "\n":
    case "\r":
      return T.WHITESPACE;
    case "f":
    case "i":
    case "I":
    case "n":
    case "N":
    case "t":
    case '"':
    case "+":
    case "-":
      return T.UNKNOWN;
  }
  return ch >= "0" && ch <= "9" ? T.UNKNOWN : T.ERROR;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
};

interface Token {
  type: T;
  index: number;
  value: LuaValue;
  error?: string;
}

class Parser {
  ptr = 0;
  depth = 0;
  constructor(readonly data: string, readonly cfg: CjsonConfig) {}

  /** The byte at i as a C string would show it ('\0' past the end). */
  at(i: number): string {
    return i < this.data.length ? this.data[i]! : "\0";
  }

  startsWith(word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.at(this.ptr + k) !== word[k]) return false;
    return true;
  }

  setError(tok: Token, msg: string): void {
    tok.type = T.ERROR;
    tok.index = this.ptr;
    tok.error = msg;
  }

  hex4(i: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const d = parseInt(this.at(i + k), 16);
      if (Number.isNaN(d)) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  /** Appends the UTF-8 of a \u escape at ptr; false on error. */
  unicodeEscape(parts: string[]): boolean {
    let cp = this.hex4(this.ptr + 2);
    if (cp < 0) return false;
    let escLen = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return false;
      if (this.at(this.ptr + 6) !== "\\" || this.at(this.ptr + 7) !== "u") return false;
      const low = this.hex4(this.ptr + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return false;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      escLen = 12;
    }
    const b: number[] = [];
    if (cp <= 0x7f) b.push(cp);
    else if (cp <= 0x7ff) b.push((cp >> 6) | 0xc0, (cp & 0x3f) | 0x80);
    else if (cp <= 0xffff) {
      b.push((cp >> 12) | 0xe0, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
    } else {
      b.push(
        (cp >> 18) | 0xf0,
        ((cp >> 12) & 0x3f) | 0x80,
        ((cp >> 6) & 0x3f) | 0x80,
        (cp & 0x3f) | 0x80,
      );
    }
    parts.push(String.fromCharCode(...b));
    this.ptr += escLen;
    return true;
  }

  stringToken(tok: Token): void {
    this.ptr++;
    const parts: string[] = [];
    let ch: string;
    while ((ch = this.at(this.ptr)) !== '"') {
      if (ch === "\0") {
        this.setError(tok, "unexpected end of string");
        return;
      }
      if (ch === "\\") {
        const esc = this.at(this.ptr + 1);
        if (esc === "u") {
          if (this.unicodeEscape(parts)) continue;
          this.setError(tok, "invalid unicode escape code");
          return;
        }
        const rep = SIMPLE_ESCAPES[esc];
        if (rep === undefined) {
          this.setError(tok, "invalid escape code");
          return;
        }
        this.ptr++;
        ch = rep;
      }
      parts.push(ch);
      this.ptr++;
    }
    this.ptr++;
    tok.type = T.STRING;
    tok.value = parts.join("");
  }

  isInvalidNumber(): boolean {
    let p = this.ptr;
    if (this.at(p) === "+") return true;
    if (this.at(p) === "-") p++;
    const c = this.at(p);
    if (c === "0") {
      const c2 = this.at(p + 1);
      return c2 === "x" || c2 === "X" || (c2 >= "0" && c2 <= "9");
    }
    if (c <= "9") return false;
    const word = (this.at(p) + this.at(p + 1) + this.at(p + 2)).toLowerCase();
    return word === "inf" || word === "nan";
  }

  numberToken(tok: Token): void {
    tok.type = T.NUMBER;
    const nul = this.data.indexOf("\0", this.ptr);
    const view = nul === -1 ? this.data : this.data.slice(0, nul);
    const r = strtod(view, this.ptr);
    if (r.end === this.ptr) this.setError(tok, "invalid number");
    else {
      tok.value = r.value;
      this.ptr = r.end;
    }
  }

  next(): Token {
    const tok: Token = { type: T.END, index: 0, value: undefined };
    let ch: string;
    for (;;) {
      ch = this.at(this.ptr);
      tok.type = charToken(ch);
      if (tok.type !== T.WHITESPACE) break;
      this.ptr++;
    }
    tok.index = this.ptr;
    if (tok.type === T.ERROR) {
      this.setError(tok, "invalid token");
      return tok;
    }
    if (tok.type === T.END) return tok;
    if (tok.type !== T.UNKNOWN) {
      this.ptr++;
      return tok;
    }
    if (ch === '"') this.stringToken(tok);
    else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      if (!this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
        this.setError(tok, "invalid number");
      } else this.numberToken(tok);
    } else if (this.startsWith("true")) {
      tok.type = T.BOOLEAN;
      tok.value = true;
      this.ptr += 4;
    } else if (this.startsWith("false")) {
      tok.type = T.BOOLEAN;
      tok.value = false;
      this.ptr += 5;
    } else if (this.startsWith("null")) {
      tok.type = T.NULL;
      tok.value = LUA_NULL;
      this.ptr += 4;
    } else if (this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
      this.numberToken(tok);
    } else this.setError(tok, "invalid token");
    return tok;
  }

  fail(expected: string, tok: Token): never {
    const found = tok.type === T.ERROR ? tok.error! : TOKEN_NAMES[tok.type]!;
    throw new LuaError(`Expected ${expected} but found ${found} at character ${tok.index + 1}`);
  }

  descend(): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth) {
      throw new LuaError(
        `Found too many nested data structures (${this.depth}) at character ${this.ptr}`,
      );
    }
  }

  object(): LuaTable {
    this.descend();
    const t = new LuaTable();
    let tok = this.next();
    if (tok.type === T.OBJ_END) {
      this.depth--;
      return t;
    }
    for (;;) {
      if (tok.type !== T.STRING) this.fail("object key string", tok);
      const key = tok.value as string;
      tok = this.next();
      if (tok.type !== T.COLON) this.fail("colon", tok);
      t.set(key, this.value(this.next()));
      tok = this.next();
      if (tok.type === T.OBJ_END) {
        this.depth--;
        return t;
      }
      if (tok.type !== T.COMMA) this.fail("comma or object end", tok);
      tok = this.next();
    }
  }

  array(): LuaTable {
    this.descend();
    const t = new LuaTable();
    let tok = this.next();
    if (tok.type === T.ARR_END) {
      this.depth--;
      return t;
    }
    for (let i = 1;; i++) {
      t.set(i, this.value(tok));
      tok = this.next();
      if (tok.type === T.ARR_END) {
        this.depth--;
        return t;
      }
      if (tok.type !== T.COMMA) this.fail("comma or array end", tok);
      tok = this.next();
    }
  }

  value(tok: Token): LuaValue {
    switch (tok.type) {
      case T.STRING:
      case T.NUMBER:
      case T.BOOLEAN:
      case T.NULL:
        return tok.value;
      case T.OBJ_BEGIN:
        return this.object();
      case T.ARR_BEGIN:
        return this.array();
      default:
        this.fail("value", tok);
    }
  }
}

/**
 * Decodes JSON text like `cjson.decode` with the given configuration.
 *
 * @example
 * ```ts
 * import { LuaTable } from "./value.ts";
 * import { cjsonDecode, defaultCjsonConfig } from "./cjson.ts";
 * const t = cjsonDecode(defaultCjsonConfig(), '{"a":[1,2]}') as LuaTable;
 * console.assert((t.get("a") as LuaTable).get(2) === 2);
 * ```
 */
export function cjsonDecode(cfg: CjsonConfig, text: string): LuaValue {
  if (text.length >= 2 && (text[0] === "\0" || text[1] === "\0")) {
    throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
  }
  const p = new Parser(text, cfg);
  const v = p.value(p.next());
  const tok = p.next();
  if (tok.type !== T.END) p.fail("the end", tok);
  return v;
}

// ------------------------------------------------------------ configuration

function argInit(args: readonly LuaValue[], n: number): LuaValue[] {
  if (args.length > n) throw new LuaArgError(n + 1, "found too many arguments");
  const a = [...args];
  while (a.length < n) a.push(undefined);
  return a;
}

function integerOption(
  args: readonly LuaValue[],
  i: number,
  get: () => number,
  set: (v: number) => void,
  min: number,
  max: number,
): number {
  if (args[i] !== undefined) {
    const n = luaToNumber(args[i]);
    if (n === undefined) {
      throw new LuaArgError(i + 1, `number expected, got ${luaTypeName(args[i])}`);
    }
    // lua_Integer stored into a C int
    const value = Number(BigInt.asIntN(32, BigInt(toInteger(n))));
    if (!(min <= value && value <= max)) {
      throw new LuaArgError(1, `expected integer between ${min} and ${max}`);
    }
    set(value);
  }
  return get();
}

function enumOption(
  args: readonly LuaValue[],
  i: number,
  get: () => number,
  set: (v: number) => void,
  options: readonly string[] = ["off", "on"],
): LuaValue {
  const v = args[i];
  if (v !== undefined) {
    if (typeof v === "boolean") set(v ? 1 : 0);
    else {
      const name = checkString(args, i);
      const idx = options.indexOf(name);
      if (idx === -1) throw new LuaArgError(i + 1, `invalid option '${name}'`);
      set(idx);
    }
  }
  const s = get();
  return s === 0 || s === 1 ? s === 1 : options[s];
}

/** A `cjson` library instance: its configuration and its functions. */
export interface CjsonLib {
  readonly config: CjsonConfig;
  /** `encode`, `decode` and the configuration functions, by name. */
  readonly functions: Record<string, LuaFunction>;
}

/**
 * A `cjson` library with its own configuration (Redis's defaults).
 * `cjson.null` is {@linkcode LUA_NULL}; `_NAME` is "cjson", `_VERSION` "2.1.0".
 *
 * @example
 * ```ts
 * import { createCjsonLib } from "./cjson.ts";
 * const cjson = createCjsonLib();
 * console.assert(cjson.functions.encode!(["x"]).at(0) === '"x"');
 * console.assert(cjson.functions.encode_number_precision!([3]).at(0) === 3);
 * ```
 */
export function createCjsonLib(): CjsonLib {
  const cfg = defaultCjsonConfig();
  const functions: Record<string, LuaFunction> = {
    encode: (args) => {
      if (args.length !== 1) throw new LuaArgError(1, "expected 1 argument");
      return [cjsonEncode(cfg, args[0])];
    },
    decode: (args) => {
      if (args.length !== 1) throw new LuaArgError(1, "expected 1 argument");
      return [cjsonDecode(cfg, checkString(args, 0))];
    },
    encode_sparse_array: (args) => {
      const a = argInit(args, 3);
      return [
        enumOption(a, 0, () => cfg.encodeSparseConvert, (v) => cfg.encodeSparseConvert = v),
        integerOption(
          a,
          1,
          () => cfg.encodeSparseRatio,
          (v) => cfg.encodeSparseRatio = v,
          0,
          2147483647,
        ),
        integerOption(
          a,
          2,
          () => cfg.encodeSparseSafe,
          (v) => cfg.encodeSparseSafe = v,
          0,
          2147483647,
        ),
      ];
    },
    encode_max_depth: (args) => [
      integerOption(
        argInit(args, 1),
        0,
        () => cfg.encodeMaxDepth,
        (v) => cfg.encodeMaxDepth = v,
        1,
        2147483647,
      ),
    ],
    decode_max_depth: (args) => [
      integerOption(
        argInit(args, 1),
        0,
        () => cfg.decodeMaxDepth,
        (v) => cfg.decodeMaxDepth = v,
        1,
        2147483647,
      ),
    ],
    encode_number_precision: (args) => [
      integerOption(
        argInit(args, 1),
        0,
        () => cfg.encodeNumberPrecision,
        (v) => cfg.encodeNumberPrecision = v,
        1,
        14,
      ),
    ],
    encode_keep_buffer: (args) => [
      enumOption(argInit(args, 1), 0, () => cfg.encodeKeepBuffer, (v) => cfg.encodeKeepBuffer = v),
    ],
    encode_invalid_numbers: (args) => [
      enumOption(
        argInit(args, 1),
        0,
        () => cfg.encodeInvalidNumbers,
        (v) => cfg.encodeInvalidNumbers = v,
        ["off", "on", "null"],
      ),
    ],
    decode_invalid_numbers: (args) => [
      enumOption(
        argInit(args, 1),
        0,
        () => cfg.decodeInvalidNumbers,
        (v) => cfg.decodeInvalidNumbers = v,
      ),
    ],
  };
  return { config: cfg, functions };
}
