/**
 * The Lua VM behind scripting (EVAL / FUNCTION): one {@linkcode LuaVm} owns
 * one Lua state. The VM is fengari 0.1.5 (Lua 5.3 in pure JavaScript; chosen
 * over wasmoon from measurements, see `bench/lua_vm.md`), bridged to the Lua
 * 5.1 surface Redis 7.0.15 exposes:
 *
 * - number literals and string→number conversions yield floats (5.1 has only
 *   doubles) and numbers print as `%.14g` (`tostring(3.0)` is `3`,
 *   `tostring(1e15)` is `1e+15`, `0/0` is `-nan`);
 * - 5.1 functions: `unpack`, `loadstring`, `table.getn`, `table.setn`,
 *   `table.maxn`, `table.foreach`, `table.foreachi`, `math.mod`,
 *   `math.pow`, `math.ldexp`, `math.frexp`, `math.log10`, `math.atan2`,
 *   `math.cosh` / `sinh` / `tanh`, `math.log` without a base,
 *   `string.gfind`, `gcinfo`, the global `__redis__err__handler`; Redis's
 *   `math.random` / `math.randomseed` (`redisLrand48`, see
 *   {@linkcode LuaRandom}); 5.3-only names removed (`utf8`, `rawlen`,
 *   `math.type`, `math.tointeger`, `math.maxinteger`, `math.mininteger`,
 *   `math.ult`, `string.pack`, `string.unpack`, `string.packsize`,
 *   `table.move`, `table.pack`, `table.unpack`, `coroutine.isyieldable`,
 *   fengari's `fengari`); the global and library names match Redis's;
 * - tables iterate (`next`, `pairs`, and so cjson objects, msgpack maps,
 *   RESP3 maps) in Lua 5.1's order and `#t` finds 5.1's border: fengari's
 *   tables carry a simulated 5.1 layout (`lua51_tables.ts`, its own known
 *   differences);
 * - `string.format` is C's printf item by item (`lua_format.ts`: exact
 *   rounding, `%d` of a fraction truncates, `inf` / `-nan`), and library
 *   functions truncate number arguments to integers as 5.1 casts them
 *   (`string.sub(s, 2.5)`);
 * - the library set Redis keeps: no `io`, `os`, `package`, `require`,
 *   `loadfile`, `dofile`, `print`, `debug`, `module`, `setfenv`, `getfenv`,
 *   `newproxy` (all "nonexistent global" on Redis 7.0.15);
 * - 5.3-only syntax rejected before compiling (`//`, `&`, `|`, `~` as an
 *   operator, `<<`, `>>`, `::label::`, `goto`);
 * - the Redis 7.0 global protection: reading a missing global raises
 *   `Script attempted to access nonexistent global variable 'x'`, assigning
 *   any global raises `Attempt to modify a readonly table`.
 *
 * It runs a compiled script body with `KEYS` / `ARGV` set (EVAL), or a
 * function with the keys and arguments tables (FCALL), bridges `redis.call` /
 * `redis.pcall` synchronously to a {@linkcode LuaHost}, converts replies both
 * ways as Redis 7.0.15 does for RESP2 and RESP3, and checks an interrupt
 * callback every `hookInterval` VM instructions (SCRIPT KILL /
 * busy-reply-threshold); a run started with {@linkcode LuaVm.start} can
 * yield there. {@linkcode LuaVm.loadLibrary} runs a function library as
 * FUNCTION LOAD does (its load environment, `redis.register_function`).
 *
 * The `redis` table is Redis 7.0.15's: `call`, `pcall`, `error_reply`,
 * `status_reply`, `sha1hex`, `setresp`, `log` + `LOG_*`, `set_repl` +
 * `REPL_*` (to {@linkcode LuaHost.setRepl}), `replicate_commands` (true),
 * `breakpoint` (false: no debugger), `debug` (no-op), `acl_check_cmd` (to
 * {@linkcode LuaHost.aclCheck}), `REDIS_VERSION` ("7.0.15"),
 * `REDIS_VERSION_NUM`. The globals `cjson`, `cmsgpack`, `bit` and `struct`
 * are the TypeScript ports of `src/scripting/libs/` (per-VM cjson
 * configuration, `cjson.new`), read-only. `pcall` gives an error table's
 * `err` field as Redis 7.0's does, and `error` adds the position to a number
 * message as 5.1's does. A runtime error is `ERR ` + the value for a raised
 * non-table (`ERR true`, `ERR nil`, `ERR user_script:1: boom`), the `err`
 * field of a raised table; the run's `where` is the position Redis's error
 * handler finds, for the command layer's ` script: <sha>, on <where>.`.
 *
 * Known differences from Redis 7.0.15:
 * - runtime error wording is Lua 5.3's where it differs from 5.1 beyond
 *   the type errors (`attempt to index local 'x' (a nil value)` is 5.1's
 *   wording, rewritten from 5.3's); the wording of rejected 5.3 syntax is
 *   `unexpected symbol near '<tok>'`, which 5.1 only uses in some positions;
 *   `goto` is a keyword, so it can't be a name;
 * - integers from library results (`#t`, `string.byte`) are fengari's
 *   32-bit integers, and integer-only arithmetic on them can wrap; integer
 *   arguments past 32 bits are clamped (`string.rep('x', 1e10)` is refused
 *   for memory in Redis, attempted here);
 * - the 5.1 helpers written in Lua (`table.foreach`, `table.foreachi`,
 *   `collectgarbage`) report bad arguments in 5.3 / operator wording, and
 *   an error position is lost when a script tail-calls one of them;
 *   `pcall()` without arguments raises (Redis returns nothing);
 * - the readonly protection works through proxy tables (`_G`, `string`,
 *   `table`, `math`, `coroutine`, `redis`, `cjson`, `cmsgpack`, `bit`,
 *   `struct`), which `pairs`, `next` and `rawget` see through and the
 *   table functions reach through metamethods; a fengari function that
 *   reads a table raw would see an empty one;
 * - tables nested deeper than 2000 levels reach the libraries empty;
 * - a reply string longer than JavaScript's longest (about 512 MB) is the
 *   error `ERR reply string too long`;
 * - where Redis 7.0.15 crashes, this answers: `error({})` (a table without
 *   `err`) is `ERR unknown error`; a function name with a byte above 127 is
 *   the invalid-name error;
 * - `load` also accepts a string (5.3), `setfenv`/`getfenv` are absent (as on
 *   Redis 7.0.15);
 * - `collectgarbage` frees nothing (the JavaScript GC owns the memory; its
 *   `count` is a fixed 20 KiB, `gcinfo()` 20); a full collection (no
 *   option, or `"collect"`) turns nil-valued keys into dead keys in the
 *   simulated 5.1 table layout, as C Lua's collector would;
 * - 5.1 merges equal number constants of a chunk, so a literal `-0.0` next
 *   to a `0` reads as `0` there; here `-0.0` stays negative zero;
 * - no script debugger (SCRIPT DEBUG): `redis.breakpoint()` is always false
 *   and `redis.debug()` does nothing, as in Redis outside a debug session;
 * - the decoration of errors (`script: <sha>, on @user_script:1.`) and the
 *   `Error compiling script (new function): ` prefix are left to the command
 *   layer; compile errors are the raw Lua message (loadLibrary's are whole).
 *
 * fengari is patched once per process (number parsing and printing go
 * through its exported `luaO_str2num` / `luaO_tostring`, integer arguments
 * through `lvm.tointeger`, tables through `lua51_tables.ts`); the patch is
 * idempotent and the same for every
 * VM, so no per-server state is shared. A JavaScript exception inside the
 * VM becomes a Lua error (`ERR internal error: ...`, `ERR stack overflow`
 * for JavaScript's own), so the thread stays consistent.
 *
 * @module
 */
import { formatG } from "./libs/value.ts";
import fengari from "fengari";
import lobject from "npm:fengari@0.1.5/src/lobject.js";
import lstring from "npm:fengari@0.1.5/src/lstring.js";
import lstate from "npm:fengari@0.1.5/src/lstate.js";
import lvm from "npm:fengari@0.1.5/src/lvm.js";
import { sha1Hex } from "../store/sha1.ts";
import { NO_FLAGS, parseFlagNames, type ScriptFlags } from "./flags.ts";
import { installLua51Tables, lua51FullCollection } from "./lua51_tables.ts";
import { formatFloat, formatInteger, formatString, quoteString, scanFormat } from "./lua_format.ts";
import {
  createRedisLuaLibs,
  LUA_NULL,
  LuaArgError,
  LuaError,
  type LuaFunction,
  type LuaLibrary,
  LuaOpaque,
  LuaTable,
  type LuaValue,
} from "./libs/mod.ts";
import type { Reply } from "../resp/reply.ts";
import { array, bulk, integer, NIL } from "../resp/reply.ts";
import { formatDouble } from "../resp/encoder.ts";

const { lua, lauxlib, lualib } = fengari;

// deno-lint-ignore no-explicit-any
type LuaState = any;

/** Synchronous host side of `redis.call` / `redis.pcall` / `redis.log`. */
export interface LuaHost {
  /**
   * Runs one command for the script and returns its reply, produced for the
   * protocol the script selected with `redis.setresp` (given as `resp`).
   *
   * @param args the command name and arguments (binary strings)
   * @param resp 2 or 3
   * @returns the command's reply
   */
  call(args: string[], resp: 2 | 3): Reply;
  /**
   * `redis.log(level, message)`.
   *
   * @param level 0 (LOG_DEBUG) to 3 (LOG_WARNING)
   * @param message the joined message
   */
  log?(level: number, message: string): void;
  /**
   * `redis.set_repl(flags)`: where the script's next effects propagate.
   * Called only with valid flags.
   *
   * @param flags a combination of {@linkcode REPL_AOF} and
   *   {@linkcode REPL_REPLICA} (0 to 3)
   */
  setRepl?(flags: number): void;
  /**
   * `redis.acl_check_cmd(command, ...)`: whether the current user may run
   * the command with these arguments. Without it every command is allowed.
   *
   * @param args the command name and arguments
   * @returns true / false, or an error text to raise (e.g.
   *   `ERR Invalid command passed to redis.acl_check_cmd()`)
   */
  aclCheck?(args: string[]): boolean | string;
}

/** Options of {@linkcode LuaVm.run}. */
export interface RunOptions {
  /** `KEYS`. */
  readonly keys?: readonly string[];
  /** `ARGV`. */
  readonly argv?: readonly string[];
  /** The host for `redis.call` / `redis.pcall` (errors when absent). */
  readonly host?: LuaHost;
  /**
   * Checked every `hookInterval` instructions: returns an error message to
   * abort the script (raised again at every check, so `pcall` can't swallow
   * it), or null to go on.
   */
  readonly interrupt?: () => string | null;
  /**
   * Checked at every interrupt check after `interrupt`: true makes a run
   * started with {@linkcode LuaVm.start} yield there (when it can).
   */
  readonly shouldYield?: () => boolean;
  /**
   * The reference is a function to call with two arguments, the keys and
   * the arguments as arrays (FCALL), rather than a chunk that reads the
   * `KEYS` and `ARGV` globals (EVAL).
   */
  readonly asFunction?: boolean;
}

/** A script run begun with {@linkcode LuaVm.start}. */
export interface ScriptRun {
  /**
   * Runs the script on from where it stopped.
   *
   * @returns the reply once the script is over, undefined if it yielded
   */
  resume(): Reply | undefined;
  /**
   * After a run that ended with a runtime error: where it stopped, as
   * Redis's error handler finds it (`@user_script:2`, `@user_function:5`):
   * the innermost frame, or its caller when that frame is a C function
   * (`error`, `redis.call`, a library function). The command layer decorates
   * raised errors with ` script: <sha-or-name>, on <where>.` (returned
   * `redis.error_reply` tables are not decorated). Undefined otherwise.
   */
  readonly where: string | undefined;
}

/** A function a library registered (`redis.register_function`). */
export interface RegisteredFunction {
  /** Its name (letters, digits, `_`). */
  readonly name: string;
  /** The function, in the VM's registry: run it with `start(ref, { asFunction: true })`. */
  readonly ref: number;
  /** Its `flags`. */
  readonly flags: ScriptFlags;
  /** Its `description`, or null when it has none. */
  readonly description: string | null;
}

/** Result of {@linkcode LuaVm.loadLibrary}. */
export type LibraryLoad =
  | { readonly ok: true; readonly functions: RegisteredFunction[] }
  | {
    readonly ok: false;
    /** The full error text, e.g. `ERR Error registering functions: ...`. */
    readonly message: string;
  };

/** Options of {@linkcode LuaVm.loadLibrary}. */
export interface LoadLibraryOptions {
  /**
   * Checked every `hookInterval` instructions: an error text (e.g.
   * `ERR FUNCTION LOAD timeout`) aborts the load, null goes on.
   */
  readonly interrupt?: () => string | null;
  /** Receives `redis.log` calls made while loading. */
  readonly host?: LuaHost;
}

/** Result of {@linkcode LuaVm.compile}. */
export type CompileResult =
  | { readonly ok: true; readonly ref: number }
  | { readonly ok: false; readonly message: string };

/** Options of the {@linkcode LuaVm} constructor. */
export interface LuaVmOptions {
  /** Instructions between interrupt checks (Redis: 100000). */
  readonly hookInterval?: number;
  /**
   * The generator behind `math.random`: Redis has one per process, shared by
   * EVAL scripts and functions (give the same one to a server's VMs). A
   * fresh one by default.
   */
  readonly random?: LuaRandom;
}

/** `REDIS_LRAND48_MAX`. */
const LRAND48_MAX = 2147483647;

/**
 * The generator behind `math.random` / `math.randomseed`: Redis's
 * `redisLrand48` (the 48-bit linear congruential generator of `lrand48`),
 * starting from `lrand48`'s default state, never reseeded between scripts.
 *
 * @example
 * ```ts
 * import { LuaRandom } from "./vm.ts";
 * const r = new LuaRandom();
 * r.seed(42);
 * console.assert(r.next() >= 0);
 * ```
 */
export class LuaRandom {
  #x = 0x1234abcd330en;

  /**
   * `redisSrand48(seed)`.
   *
   * @param seed a 32-bit integer
   */
  seed(seed: number): void {
    this.#x = (BigInt(seed >>> 0) << 16n) | 0x330en;
  }

  /**
   * `redisLrand48()`.
   *
   * @returns the next value, 0 to 2^31 - 1
   */
  next(): number {
    this.#x = (0x5deece66dn * this.#x + 0xbn) & 0xffffffffffffn;
    return Number(this.#x >> 17n);
  }
}

/** C's `(int)` of a `lua_Number` as 5.1's `luaL_checkint` takes it (x86-64). */
function toCInt(n: number): number {
  const t = Math.trunc(n);
  if (!Number.isFinite(t) || Math.abs(t) >= 2 ** 63) return 0; // (int) of INT64_MIN
  return Number(BigInt.asIntN(32, BigInt(t)));
}

/** C's `ldexp`: `m * 2^e`, in steps so that 2^e never overflows where the result doesn't. */
function ldexp(m: number, e: number): number {
  while (e > 1000) {
    m *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    m *= 2 ** -1000;
    e += 1000;
  }
  return m * 2 ** e;
}

/** C's `frexp`: `x = m * 2^e`, `0.5 <= |m| < 1` (`m = x`, `e = 0` for 0, inf, NaN). */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let m = ldexp(x, -e);
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  return [m, e];
}

/**
 * Converts bytes to a binary string (one char per byte).
 *
 * @param bytes the bytes
 * @returns the binary string
 */
function binary(bytes: Uint8Array): string {
  const n = bytes.length;
  // short strings (keys, small values) char by char: no subarray, no spread
  if (n <= 32) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  let s = "";
  for (let i = 0; i < n; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/**
 * Converts a binary string (char codes 0-255) to bytes.
 *
 * @param s the binary string
 * @returns the bytes
 */
function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function ls(s: string): Uint8Array {
  return fengari.to_luastring(s);
}

/**
 * Formats a number as C's `%.14g` (Lua 5.1's `LUA_NUMBER_FMT`), with
 * `inf`, `-inf` and `-nan` as glibc prints them on x86-64.
 *
 * @param n the number
 * @returns the text
 * @example
 * ```ts
 * import { formatLuaNumber } from "./vm.ts";
 * console.assert(formatLuaNumber(1e15) === "1e+15");
 * console.assert(formatLuaNumber(3) === "3");
 * ```
 */
export function formatLuaNumber(n: number): string {
  // Any NaN prints as x86-64's 0/0 does: JavaScript keeps no NaN sign.
  return Number.isNaN(n) ? "-nan" : formatG(n, 14);
}

/** Parses a Lua numeral as Lua 5.1 does (a double), or null. */
function parseNumeral(text: string): number | null {
  let s = text.trim();
  let sign = 1;
  if (/^[-+]?0[xX]/.test(s)) {
    if (s[0] === "-" || s[0] === "+") {
      if (s[0] === "-") sign = -1;
      s = s.slice(1);
    }
    if (!/^0[xX][0-9a-fA-F]+$/.test(s)) return null;
    return sign * Number(s);
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

const PERCENT_S = new Uint8Array([37, 115]);
const NULL_POINTER_FMT = bytes("%s: (nil)");
const TYPE_ERROR_FMT = bytes("attempt to %s a %s value%s");
const JS_OVERFLOW = bytes("JS stack overflow");
const C_OVERFLOW = bytes("C stack overflow");
const TYPE_ERROR_51 = bytes("attempt to %s %s '%s' (a %s value)");

/** Installs the 5.1 number semantics in fengari (idempotent). */
function patchFengari(): void {
  // deno-lint-ignore no-explicit-any
  const lo = lobject as any;
  if (lo.__respliteLua51) return;
  const str2num = lo.luaO_str2num;
  // deno-lint-ignore no-explicit-any
  lo.luaO_str2num = (s: Uint8Array, o: any): number => {
    const r = str2num(s, o);
    if (r !== 0 && o.ttisinteger()) {
      let end = s.length;
      if (end > 0 && s[end - 1] === 0) end--;
      const n = parseNumeral(binary(s.subarray(0, end)));
      o.setfltvalue(n ?? o.value);
    }
    return r;
  };
  // deno-lint-ignore no-explicit-any
  lo.luaO_tostring = (L: LuaState, obj: any): void => {
    const text = formatLuaNumber(Number(obj.value));
    // deno-lint-ignore no-explicit-any
    obj.setsvalue((lstring as any).luaS_bless(L, ls(text)));
  };
  // luaL_tolstring (tostring, string.format's %s) formats numbers with
  // lua_pushfstring("%I" / "%f")
  const pushvfstring = lo.luaO_pushvfstring;
  lo.luaO_pushvfstring = (L: LuaState, fmt: Uint8Array, argp: unknown[]): unknown => {
    if (
      fmt.length === 2 && fmt[0] === 37 && (fmt[1] === 73 || fmt[1] === 102) &&
      typeof argp[0] === "number"
    ) {
      return pushvfstring(L, PERCENT_S, [ls(formatLuaNumber(argp[0]))]);
    }
    // fengari's own C-call depth limit reads as C Lua's
    if (fmt.length === JS_OVERFLOW.length && binary(fmt) === binary(JS_OVERFLOW)) {
      return pushvfstring(L, C_OVERFLOW, argp);
    }
    // tostring(cjson.null), a NULL light userdata: "userdata: (nil)" as glibc's %p
    if (argp.length === 2 && argp[1] === null && binary(fmt) === "%s: %p") {
      return pushvfstring(L, NULL_POINTER_FMT, [argp[0]]);
    }
    // 5.3's "attempt to index a nil value (local 'x')" is 5.1's "attempt to
    // index local 'x' (a nil value)" (luaG_typeerror's message, pcall'd too)
    if (argp.length === 3 && fmt.length === TYPE_ERROR_FMT.length) {
      const info = argp[2];
      if (info instanceof Uint8Array && info.length > 0 && binary(fmt) === binary(TYPE_ERROR_FMT)) {
        const m = / \(([a-z]+) '(.*)'\)$/s.exec(binary(info));
        if (m) {
          return pushvfstring(L, TYPE_ERROR_51, [argp[0], bytes(m[1]!), bytes(m[2]!), argp[1]]);
        }
      }
    }
    return pushvfstring(L, fmt, argp);
  };
  // fengari 0.1.5 loses a thread's `allowhook` when a pcall inside a
  // coroutine catches an error: lua_pcallk saves it in the caller's
  // `callstatus` with `&=` where C Lua sets the bit, so `recover` restores
  // 0, and hooks would stop for the rest of the run (a script could no
  // longer be interrupted). Hooks here never run Lua, so a pcall always
  // begins with hooks allowed: a CallInfo's saved-allowhook bit (CIST_OAH,
  // bit 0, read only by those two places) always reads as set.
  // deno-lint-ignore no-explicit-any
  Object.defineProperty((lstate as any).CallInfo.prototype, "callstatus", {
    get(this: { cs: number }): number {
      return this.cs | 1;
    },
    set(this: { cs: number }, v: number) {
      this.cs = v;
    },
    configurable: true,
  });
  // 5.1's library functions cast a number argument to an integer by
  // truncation (`string.sub(s, 2.5)` is `string.sub(s, 2)`), where 5.3
  // refuses a float without an integer value: lua_tointegerx (behind
  // luaL_checkinteger) reads `tointeger` from the module object at each call
  // deno-lint-ignore no-explicit-any
  const vm = lvm as any;
  // deno-lint-ignore no-explicit-any
  vm.tointeger = (o: any): number | false => {
    if (o.ttisinteger()) return o.value;
    const n: number | false = o.ttisfloat() ? o.value : vm.tonumber(o);
    if (n === false) return false;
    // toward zero; NaN and out of range as C's cast gives them (INT64_MIN, or
    // a value past fengari's 32-bit integers: clamped)
    const t = Math.trunc(n);
    if (Number.isNaN(t) || t < -2147483648) return -2147483648;
    return t > 2147483647 ? 2147483647 : t;
  };
  installLua51Tables();
  lo.__respliteLua51 = true;
}

/** Lua source run once per VM: the 5.1 surface and Redis's library set. */
const PRELUDE = `
local real, type = _G, type
_VERSION = "Lua 5.1"
unpack = table.unpack
loadstring = load
table.foreach = function(t, f)
  for k, v in pairs(t) do local r = f(k, v) if r ~= nil then return r end end
end
table.foreachi = function(t, f)
  for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end
end
string.gfind = string.gmatch
-- Redis's EVAL error handler, a global in 7.0.15
local dbg, tostring = debug, tostring
function __redis__err__handler(err)
  local i = dbg.getinfo(2, "nSl")
  if i and (i.what == "C" or i.what == "J") then i = dbg.getinfo(3, "nSl") end
  if type(err) ~= "table" then err = {err = "ERR " .. tostring(err)} end
  if i then
    err["source"] = i.source
    err["line"] = i.currentline
  end
  return err
end
local rawpcall = pcall
-- Redis 7.0's pcall gives the err field of an error table (a string or a
-- number) rather than the table
local function pcallResult(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == "table" then
    local m = e.err
    if type(m) == "string" or type(m) == "number" then e = m end
  end
  return false, e
end
pcall = function(...) return pcallResult(rawpcall(...)) end
-- fengari has no lua_gc: the JavaScript GC owns the memory
collectgarbage = function(opt)
  if opt == "count" then return 20 end
  if opt == "step" then return true end
  return 0
end
gcinfo = function() return 20 end
for _, n in ipairs({"io", "os", "package", "require", "loadfile", "dofile", "print",
    "debug", "utf8", "module", "setfenv", "getfenv", "newproxy", "fengari", "rawlen"}) do
  real[n] = nil
end
math.type = nil math.tointeger = nil math.maxinteger = nil math.mininteger = nil
math.ult = nil string.pack = nil string.unpack = nil string.packsize = nil
table.move = nil table.pack = nil table.unpack = nil coroutine.isyieldable = nil
`;

/**
 * Lua source installing `_G` protection; takes the real globals table and
 * the `redis` table of FUNCTION LOAD's environment, returns the protecting
 * proxy, the environment of function libraries and its mode switch.
 */
const PROTECT = `
local real, loadRedis = ...
local rawget, rawset, error, next, setmetatable = rawget, rawset, error, next, setmetatable
local readonly = {}
local function deny() error("Attempt to modify a readonly table", 2) end
local function protect(t, index)
  local proxy = {}
  setmetatable(proxy, {
    __index = index or t,
    __newindex = deny,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
    __metatable = false,
  })
  readonly[proxy] = t
  return proxy
end
for _, name in ipairs({"string", "table", "math", "coroutine", "redis", "cjson", "cmsgpack",
    "bit", "struct"}) do
  real[name] = protect(real[name])
end
getmetatable("").__index = real.string
-- a missing global (or redis field at load time) is an error; a present
-- one resolves through table lookups only (no Lua call per access)
local function missing(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
local guard = {__index = missing}
setmetatable(real, guard)
local proxy = protect(real)
real._G = proxy
-- function libraries: while FUNCTION LOAD runs them, their globals are only
-- 'redis' (register_function, log, versions: a guarded table); afterwards
-- the functions they registered see the normal globals
setmetatable(loadRedis, guard)
local loadGlobals = setmetatable({redis = protect(loadRedis)}, guard)
local functionMeta = {
  __index = real,
  __newindex = deny,
  __pairs = function() return next, {}, nil end,
  __metatable = false,
}
local functionEnv = setmetatable({}, functionMeta)
readonly[functionEnv] = {}
local function setLoading(on) functionMeta.__index = on and loadGlobals or real end
-- Redis's _G has a metatable (its global guards), its library tables none
local getmetatable, globalsMeta = getmetatable, {}
real.getmetatable = function(t)
  if t == proxy then return globalsMeta end
  if readonly[t] then return nil end
  return getmetatable(t)
end
return proxy, functionEnv, setLoading, readonly
`;

const ERR_ARGS = "Lua redis lib command arguments must be strings or integers";

/**
 * The arguments of `redis.call` / `redis.pcall` / `redis.acl_check_cmd`:
 * strings as they are, numbers as `%.17g`; or the error text (without `ERR`).
 */
function commandArgs(L: LuaState): string[] | string {
  const argc = lua.lua_gettop(L);
  if (argc === 0) return "Please specify at least one argument for this redis lib call";
  const args: string[] = [];
  for (let j = 1; j <= argc; j++) {
    const t = lua.lua_type(L, j);
    if (t === lua.LUA_TNUMBER) {
      // "%.17g", not Lua's own "%.14g"
      const n = lua.lua_tonumber(L, j);
      args.push(Number.isNaN(n) ? "-nan" : formatG(n, 17));
    } else if (t === lua.LUA_TSTRING) {
      args.push(binary(lua.lua_tolstring(L, j)));
    } else {
      return ERR_ARGS;
    }
  }
  return args;
}

/** `redis.REPL_NONE`: `redis.set_repl` flags (propagate to nothing). */
export const REPL_NONE = 0;
/** `redis.REPL_AOF`: propagate to the AOF. */
export const REPL_AOF = 1;
/** `redis.REPL_REPLICA` (and `REPL_SLAVE`): propagate to replicas. */
export const REPL_REPLICA = 2;
/** `redis.REPL_ALL`: propagate to the AOF and replicas (the default). */
export const REPL_ALL = 3;

/** The version Redis scripts see (`redis.REDIS_VERSION`). */
const REDIS_VERSION = "7.0.15";
/** `redis.REDIS_VERSION_NUM`: 0x00MMmmpp. */
const REDIS_VERSION_NUM = 0x07000f;

/** Sets `LOG_DEBUG` .. `LOG_WARNING` in the table on top of the stack. */
function setLogLevels(L: LuaState): void {
  const levels = [["LOG_DEBUG", 0], ["LOG_VERBOSE", 1], ["LOG_NOTICE", 2], ["LOG_WARNING", 3]];
  for (const [name, v] of levels as [string, number][]) {
    lua.lua_pushnumber(L, v);
    lua.lua_setfield(L, -2, ls(name));
  }
}

/** Sets `REDIS_VERSION` and `REDIS_VERSION_NUM` in the table on top of the stack. */
function setVersion(L: LuaState): void {
  pushString(L, REDIS_VERSION);
  lua.lua_setfield(L, -2, ls("REDIS_VERSION"));
  lua.lua_pushnumber(L, REDIS_VERSION_NUM);
  lua.lua_setfield(L, -2, ls("REDIS_VERSION_NUM"));
}

/**
 * The value at `idx` as C's `lua_tostring` sees it (strings, and numbers
 * as `%.14g`), without converting it in place; null for other types.
 */
function luaToString(L: LuaState, idx: number): string | null {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING) return binary(lua.lua_tolstring(L, idx));
  if (t === lua.LUA_TNUMBER) return formatLuaNumber(lua.lua_tonumber(L, idx));
  return null;
}

const REGISTER = "redis.register_function";

/** `redis.register_function(name, callback)`: the function or the error text. */
function readPositionalArgs(L: LuaState): RegisteredFunction | string {
  const name = luaToString(L, 1);
  if (name === null) return `first argument to ${REGISTER} must be a string`;
  if (!lua.lua_isfunction(L, 2)) return `second argument to ${REGISTER} must be a function`;
  lua.lua_settop(L, 2);
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  return { name, ref, flags: NO_FLAGS, description: null };
}

/**
 * `redis.register_function{function_name=, callback=, flags=, description=}`
 * (keys case-insensitive): the function or the error text.
 */
function readNamedArgs(L: LuaState): RegisteredFunction | string {
  if (!lua.lua_istable(L, 1)) {
    return `calling ${REGISTER} with a single argument is only applicable to Lua table ` +
      "(representing named arguments).";
  }
  let name: string | null = null;
  let description: string | null = null;
  let ref: number | null = null;
  let flags: ScriptFlags = NO_FLAGS;
  const fail = (msg: string): string => {
    if (ref !== null) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
    return msg;
  };
  lua.lua_settop(L, 1);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1) !== 0) {
    const key = luaToString(L, -2);
    if (key === null) return fail(`named argument key given to ${REGISTER} is not a string`);
    switch (key.toLowerCase()) {
      case "function_name":
        name = luaToString(L, -1);
        if (name === null) {
          return fail(`function_name argument given to ${REGISTER} must be a string`);
        }
        break;
      case "description":
        description = luaToString(L, -1);
        if (description === null) {
          return fail(`description argument given to ${REGISTER} must be a string`);
        }
        break;
      case "callback":
        if (!lua.lua_isfunction(L, -1)) {
          return fail(`callback argument given to ${REGISTER} must be a function`);
        }
        if (ref !== null) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
        ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX); // pops the value
        continue;
      case "flags": {
        if (!lua.lua_istable(L, -1)) {
          return fail(
            `flags argument to ${REGISTER} must be a table representing function flags`,
          );
        }
        const read = readFlags(L);
        if (read === null) return fail("unknown flag given");
        flags = read;
        break;
      }
      default:
        return fail(`unknown argument given to ${REGISTER}`);
    }
    lua.lua_pop(L, 1);
  }
  if (name === null) return fail(`${REGISTER} must get a function name argument`);
  if (ref === null) return fail(`${REGISTER} must get a callback argument`);
  return { name, ref, flags, description };
}

/** The flags in the array on top of the stack (names case-insensitive), or null. */
function readFlags(L: LuaState): ScriptFlags | null {
  const names: string[] = [];
  for (let j = 1;; j++) {
    lua.lua_pushnumber(L, j);
    lua.lua_gettable(L, -2);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    const name = luaToString(L, -1);
    lua.lua_pop(L, 1);
    if (name === null) return null;
    names.push(name.toLowerCase());
  }
  const flags = parseFlagNames(names);
  return typeof flags === "string" ? null : flags;
}

/**
 * Rejects syntax Lua 5.1 doesn't have (5.3's `//`, bitwise operators,
 * labels and `goto`), scanning tokens outside strings and comments.
 *
 * @param src the script (binary string)
 * @returns a 5.1-style message (`user_script:<line>: ...`), or null
 */
function check51(src: string, chunk = "user_script"): string | null {
  let line = 1;
  let i = 0;
  const n = src.length;
  const longBracket = (at: number): number => {
    // returns the level of a long bracket opening at `at`, or -1
    if (src[at] !== "[") return -1;
    let j = at + 1;
    while (src[j] === "=") j++;
    return src[j] === "[" ? j - at - 1 : -1;
  };
  const skipLong = (at: number, level: number): number => {
    const close = "]" + "=".repeat(level) + "]";
    const end = src.indexOf(close, at);
    const stop = end < 0 ? n : end + close.length;
    for (let k = at; k < stop; k++) if (src[k] === "\n") line++;
    return stop;
  };
  const bad = (tok: string) => `${chunk}:${line}: unexpected symbol near '${tok}'`;
  if (src.startsWith("#")) { while (i < n && src[i] !== "\n") i++; }
  while (i < n) {
    const c = src[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === "-" && src[i + 1] === "-") {
      const level = longBracket(i + 2);
      if (level >= 0) i = skipLong(i + 2, level);
      else while (i < n && src[i] !== "\n") i++;
    } else if (c === "[" && longBracket(i) >= 0) {
      i = skipLong(i, longBracket(i));
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") {
        if (src[i] === "\\") {
          if (src[i + 1] === "\n") line++;
          i++;
        }
        i++;
      }
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if (word === "goto") {
        let k = j;
        while (k < n && /[ \t\r]/.test(src[k]!)) k++;
        let m = k;
        while (m < n && /[A-Za-z0-9_]/.test(src[m]!)) m++;
        if (m > k) return `${chunk}:${line}: '=' expected near '${src.slice(k, m)}'`;
      }
      i = j;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      while (i < n && /[0-9A-Za-z_.]/.test(src[i]!)) {
        if (/[eEpP]/.test(src[i]!) && /[-+]/.test(src[i + 1] ?? "")) i++;
        i++;
      }
    } else if (c === "/" && src[i + 1] === "/") {
      return bad("/");
    } else if (c === "&" || c === "|") {
      return bad(c);
    } else if (c === "~" && src[i + 1] !== "=") {
      return bad("~");
    } else if ((c === "<" && src[i + 1] === "<") || (c === ">" && src[i + 1] === ">")) {
      return bad(c);
    } else if (c === ":" && src[i + 1] === ":") {
      return bad(":");
    } else {
      i++;
    }
  }
  return null;
}

/**
 * One Lua VM with Redis's Lua 5.1 surface.
 *
 * @example
 * ```ts
 * import { LuaVm } from "./vm.ts";
 * const vm = new LuaVm();
 * const c = vm.compile("return ARGV[1] .. KEYS[1]");
 * if (c.ok) console.assert(vm.run(c.ref, { keys: ["k"], argv: ["a"] }).kind === "bulk");
 * vm.close();
 * ```
 */
export class LuaVm {
  #L: LuaState;
  #hookInterval: number;
  /** A coroutine whose run ended normally, with its registry reference: the next run reuses it. */
  #idleThread: [LuaState, number] | undefined;
  #run: RunOptions | null = null;
  #scriptResp: 2 | 3 = 2;
  #closed = false;
  #random: LuaRandom;
  #realGlobals = -1;
  #functionEnvRef = -1;
  #setLoadingRef = -1;
  /** The functions registered so far while a library loads. */
  #loading: RegisteredFunction[] | null = null;
  #loadHost: LuaHost | undefined;

  /**
   * Creates the Lua state and installs the Redis 5.1 surface.
   *
   * @param options hook interval
   */
  constructor(options: LuaVmOptions = {}) {
    patchFengari();
    this.#hookInterval = options.hookInterval ?? 100000;
    this.#random = options.random ?? new LuaRandom();
    const L = lauxlib.luaL_newstate();
    this.#L = L;
    lualib.luaL_openlibs(L);
    // a JavaScript exception inside the VM (a bug, a JavaScript stack
    // overflow) becomes a Lua error: left as it is, it would leave the
    // thread half unwound
    lua.lua_atnativeerror(L, (T: LuaState) => {
      const e = lua.lua_touserdata(T, 1);
      const message = String(e?.message ?? e);
      pushString(
        T,
        e instanceof RangeError
          ? /call stack/i.test(message) ? "stack overflow" : "not enough memory"
          : `internal error: ${message}`,
      );
      return 1;
    });
    // no `require` here: an empty loaded-modules table also keeps 5.3's
    // argument errors from naming a function by its module ('math.random'),
    // 5.1 says '?' where the call site gives no name
    lua.lua_newtable(L);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lauxlib.LUA_LOADED_TABLE);
    this.#doSetup(PRELUDE, 0, 0);
    // collectgarbage("collect") (and no option): 5.1's full collection
    // turns keys whose values are nil into dead keys, which the simulated
    // table layout follows (lua51_tables.ts)
    lua.lua_pushcfunction(L, (T: LuaState) => {
      const opt = lua.lua_type(T, 1) === lua.LUA_TSTRING
        ? binary(lua.lua_tolstring(T, 1))
        : "collect";
      if (opt === "count") lua.lua_pushnumber(T, 20);
      else if (opt === "step") lua.lua_pushboolean(T, true);
      else {
        if (opt === "collect") lua51FullCollection(T);
        lua.lua_pushnumber(T, 0);
      }
      return 1;
    });
    lua.lua_setglobal(L, ls("collectgarbage"));
    this.#install51(L);
    this.#installRedis();
    this.#installLibs();
    // replace the globals table the chunks see by the protecting proxy
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    lua.lua_pushvalue(L, -1);
    this.#realGlobals = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.#pushLoadRedis();
    this.#doSetup(PROTECT, 2, 4);
    this.#installGuardedRaw(L);
    this.#setLoadingRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.#functionEnvRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  }

  #doSetup(src: string, nargs: number, nresults: number): void {
    const L = this.#L;
    if (lauxlib.luaL_loadbuffer(L, ls(src), null, ls("=resplite")) !== 0) {
      throw new Error(fengari.to_jsstring(lua.lua_tostring(L, -1)));
    }
    if (nargs) lua.lua_insert(L, -1 - nargs);
    if (lua.lua_pcall(L, nargs, nresults, 0) !== 0) {
      throw new Error(fengari.to_jsstring(lua.lua_tostring(L, -1)));
    }
  }

  /**
   * The 5.1 functions fengari lacks or words differently, as C functions
   * (argument errors name them): `string.format` (C's printf, see
   * `lua_format.ts`), `table.getn` / `setn` / `maxn`, `math.pow`
   * / `ldexp` / `log` (no base) / `log10` / `atan2` / `cosh` / `sinh` /
   * `tanh` / `frexp`, and Redis's `math.random` / `math.randomseed`.
   */
  #install51(L: LuaState): void {
    const fn = (lib: string, name: string, f: (T: LuaState) => number) => {
      lua.lua_getglobal(L, ls(lib));
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, ls(name));
      lua.lua_pop(L, 1);
    };
    const num = (T: LuaState, i: number): number => lauxlib.luaL_checknumber(T, i);
    const unary = (name: string, f: (x: number) => number) =>
      fn("math", name, (T) => {
        lua.lua_pushnumber(T, f(num(T, 1)));
        return 1;
      });
    fn("table", "getn", (T) => {
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      lua.lua_pushnumber(T, lua.lua_rawlen(T, 1));
      return 1;
    });
    fn("table", "setn", (T) => {
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      return lauxlib.luaL_error(T, ls("'setn' is obsolete"));
    });
    fn("table", "maxn", (T) => {
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      let max = 0;
      lua.lua_pushnil(T);
      while (lua.lua_next(T, 1)) {
        lua.lua_pop(T, 1);
        if (lua.lua_type(T, -1) === lua.LUA_TNUMBER) max = Math.max(max, lua.lua_tonumber(T, -1));
      }
      lua.lua_pushnumber(T, max);
      return 1;
    });
    // two-argument C calls: gcc evaluated the second argument check first
    const binary2 = (name: string, f: (a: number, b: number) => number) =>
      fn("math", name, (T) => {
        const b = num(T, 2);
        lua.lua_pushnumber(T, f(num(T, 1), b));
        return 1;
      });
    binary2("pow", Math.pow);
    binary2("atan2", Math.atan2);
    binary2("fmod", (a, b) => a % b);
    binary2("mod", (a, b) => a % b);
    binary2("ldexp", (m, e) => ldexp(m, toCInt(e)));
    fn("math", "frexp", (T) => {
      const [m, e] = frexp(num(T, 1));
      lua.lua_pushnumber(T, m);
      lua.lua_pushnumber(T, e);
      return 2;
    });
    unary("log", Math.log);
    unary("log10", Math.log10);
    unary("cosh", Math.cosh);
    unary("sinh", Math.sinh);
    unary("tanh", Math.tanh);
    fn("string", "format", (T) => {
      const top = lua.lua_gettop(T);
      const fmt = binary(lauxlib.luaL_checklstring(T, 1));
      const str = (arg: number): string => binary(lauxlib.luaL_checklstring(T, arg));
      let arg = 1;
      let out = "";
      let i = 0;
      while (i < fmt.length) {
        const c = fmt[i]!;
        if (c !== "%") {
          out += c;
          i++;
          continue;
        }
        if (fmt[i + 1] === "%") {
          out += "%";
          i += 2;
          continue;
        }
        if (++arg > top) return lauxlib.luaL_argerror(T, arg, ls("no value"));
        const item = scanFormat(fmt, i + 1);
        if (typeof item === "string") return lauxlib.luaL_error(T, PERCENT_S, bytes(item));
        i = item.next;
        const { spec } = item;
        switch (spec.conv) {
          case "c":
          case "d":
          case "i":
          case "o":
          case "u":
          case "x":
          case "X":
            out += formatInteger(spec, lauxlib.luaL_checknumber(T, arg));
            break;
          case "e":
          case "E":
          case "f":
          case "g":
          case "G":
            out += formatFloat(spec, lauxlib.luaL_checknumber(T, arg));
            break;
          case "q":
            out += quoteString(str(arg));
            break;
          case "s": {
            const s = str(arg);
            // without a precision a long string goes in whole (NULs too)
            out += spec.precision === undefined && s.length >= 100 ? s : formatString(spec, s);
            break;
          }
          default: {
            const opt = spec.conv === "\0" ? "" : spec.conv;
            return lauxlib.luaL_error(T, PERCENT_S, bytes(`invalid option '%${opt}' to 'format'`));
          }
        }
      }
      pushString(T, out);
      return 1;
    });
    const random = this.#random;
    fn("math", "random", (T) => {
      // as Redis's redis_math_random, over redisLrand48
      const r = (random.next() % LRAND48_MAX) / LRAND48_MAX;
      switch (lua.lua_gettop(T)) {
        case 0:
          lua.lua_pushnumber(T, r);
          return 1;
        case 1: {
          const u = toCInt(lauxlib.luaL_checknumber(T, 1));
          lauxlib.luaL_argcheck(T, 1 <= u, 1, ls("interval is empty"));
          lua.lua_pushnumber(T, Math.floor(r * u) + 1);
          return 1;
        }
        case 2: {
          const l = toCInt(lauxlib.luaL_checknumber(T, 1));
          const u = toCInt(lauxlib.luaL_checknumber(T, 2));
          lauxlib.luaL_argcheck(T, l <= u, 2, ls("interval is empty"));
          lua.lua_pushnumber(T, Math.floor(r * (u - l + 1)) + l);
          return 1;
        }
        default:
          return lauxlib.luaL_error(T, ls("wrong number of arguments"));
      }
    });
    fn("math", "randomseed", (T) => {
      random.seed(toCInt(lauxlib.luaL_checknumber(T, 1)));
      return 0;
    });
  }

  /**
   * Sets `error` (5.1's: a number message gets the position too),
   * `rawset` and `setmetatable` (refusing the read-only tables, whose set is
   * on top of the stack, popped) in the real globals. C functions, as in
   * Redis: a tail call to them keeps the caller's frame (the error position).
   */
  #installGuardedRaw(L: LuaState): void {
    const readonlyRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    const isReadonly = (T: LuaState): boolean => {
      lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, readonlyRef);
      lua.lua_pushvalue(T, 1);
      const r = lua.lua_rawget(T, -2) !== lua.LUA_TNIL;
      lua.lua_pop(T, 2);
      return r;
    };
    const readonlyError = (T: LuaState): number => {
      pushString(T, "Attempt to modify a readonly table");
      return lua.lua_error(T);
    };
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#realGlobals);
    lua.lua_pushcfunction(L, (T: LuaState) => {
      const level = lauxlib.luaL_optinteger(T, 2, 1);
      lua.lua_settop(T, 1);
      const t = lua.lua_type(T, 1);
      if ((t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) && level > 0) {
        lauxlib.luaL_where(T, level);
        lua.lua_pushvalue(T, 1);
        lua.lua_concat(T, 2);
      }
      return lua.lua_error(T);
    });
    lua.lua_setfield(L, -2, ls("error"));
    lua.lua_pushcfunction(L, (T: LuaState) => {
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      lauxlib.luaL_checkany(T, 2);
      lauxlib.luaL_checkany(T, 3);
      if (isReadonly(T)) return readonlyError(T);
      lua.lua_settop(T, 3);
      lua.lua_rawset(T, 1);
      return 1;
    });
    lua.lua_setfield(L, -2, ls("rawset"));
    lua.lua_pushcfunction(L, (T: LuaState) => {
      const t = lua.lua_type(T, 2);
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      lauxlib.luaL_argcheck(
        T,
        t === lua.LUA_TNIL || t === lua.LUA_TTABLE,
        2,
        ls("nil or table expected"),
      );
      if (isReadonly(T)) return readonlyError(T);
      if (lauxlib.luaL_getmetafield(T, 1, ls("__metatable")) !== lua.LUA_TNIL) {
        return lauxlib.luaL_error(T, ls("cannot change a protected metatable"));
      }
      lua.lua_settop(T, 2);
      lua.lua_setmetatable(T, 1);
      return 1;
    });
    lua.lua_setfield(L, -2, ls("setmetatable"));
    // rawget and next see through the read-only proxies (to the real table)
    const unproxy = (T: LuaState): void => {
      lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, readonlyRef);
      lua.lua_pushvalue(T, 1);
      if (lua.lua_rawget(T, -2) === lua.LUA_TTABLE) lua.lua_replace(T, 1);
      else lua.lua_pop(T, 1);
      lua.lua_pop(T, 1);
    };
    lua.lua_pushcfunction(L, (T: LuaState) => {
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      lauxlib.luaL_checkany(T, 2);
      lua.lua_settop(T, 2);
      unproxy(T);
      lua.lua_rawget(T, 1);
      return 1;
    });
    lua.lua_setfield(L, -2, ls("rawget"));
    lua.lua_pushcfunction(L, (T: LuaState) => {
      lauxlib.luaL_checktype(T, 1, lua.LUA_TTABLE);
      lua.lua_settop(T, 2);
      unproxy(T);
      if (lua.lua_next(T, 1)) return 2;
      lua.lua_pushnil(T);
      return 1;
    });
    lua.lua_setfield(L, -2, ls("next"));
    lua.lua_pop(L, 1);
  }

  /** Sets the globals `cjson`, `cmsgpack`, `bit` and `struct` (made read-only by PROTECT). */
  #installLibs(): void {
    const L = this.#L;
    const libs = createRedisLuaLibs();
    pushCjson(L, libs.cjson);
    lua.lua_setglobal(L, ls("cjson"));
    for (const name of ["cmsgpack", "bit", "struct"] as const) {
      pushLibrary(L, libs[name]);
      lua.lua_setglobal(L, ls(name));
    }
  }

  /** Pushes the `redis` table of FUNCTION LOAD's environment. */
  #pushLoadRedis(): void {
    const L = this.#L;
    lua.lua_newtable(L);
    lua.lua_pushcfunction(L, (L: LuaState) => this.#registerFunction(L));
    lua.lua_setfield(L, -2, ls("register_function"));
    lua.lua_pushcfunction(L, (L: LuaState) => this.#redisLog(L));
    lua.lua_setfield(L, -2, ls("log"));
    setLogLevels(L);
    setVersion(L);
  }

  /**
   * Loads a function library as Redis 7.0.15's FUNCTION LOAD runs it: the
   * code (after its `#!lua ...` first line, whose line still counts) is
   * compiled with the chunk name `@user_function` and run once in the load
   * environment, where the only global is `redis` with `register_function`,
   * `log`, the `LOG_*` levels, `REDIS_VERSION` and `REDIS_VERSION_NUM`
   * (anything else is a nonexistent global; assignments are readonly-table
   * errors). The functions it registers keep that environment, which then
   * reads the VM's normal protected globals: run them with
   * {@linkcode LuaVm.start}`(ref, { asFunction: true, ... })`, which calls
   * them with the keys and arguments tables (no `KEYS` / `ARGV` globals,
   * provided this VM never runs EVAL scripts: use one VM for functions, as
   * Redis does).
   *
   * Checks left to the caller (functions.c): the shebang line, an empty
   * library (`ERR No functions registered`), names already taken by other
   * libraries. Free the references of a library with
   * {@linkcode LuaVm.release} when it's dropped.
   *
   * @param code the library's text, shebang line included (binary string)
   * @param options `interrupt`: checked every `hookInterval` instructions;
   *   a string aborts the load with that error text (Redis: after 500 ms,
   *   `ERR FUNCTION LOAD timeout`), the reply then reads
   *   `ERR Error registering functions: ERR FUNCTION LOAD timeout`
   * @returns the registered functions, or the full error text
   * @example
   * ```ts
   * import { LuaVm } from "./vm.ts";
   * const vm = new LuaVm();
   * const lib = vm.loadLibrary("#!lua name=lib\nredis.register_function('f', function(keys, args) return #keys end)");
   * if (lib.ok) {
   *   console.assert(lib.functions[0]?.name === "f");
   *   const run = vm.start(lib.functions[0]!.ref, { asFunction: true, keys: ["a"] });
   *   console.assert(run.resume()?.kind === "integer");
   * }
   * vm.close();
   * ```
   */
  loadLibrary(code: string, options: LoadLibraryOptions = {}): LibraryLoad {
    this.#open();
    const L = this.#L;
    lua.lua_settop(L, 0);
    // the shebang line goes, its line feed stays: line numbers are the user's
    const nl = code.indexOf("\n");
    const body = code.startsWith("#!") ? (nl < 0 ? "" : code.slice(nl)) : code;
    const rejected = check51(body, "user_function");
    if (rejected) return { ok: false, message: "ERR Error compiling function: " + rejected };
    const src = bytes(body);
    if (lauxlib.luaL_loadbuffer(L, src, src.length, ls("@user_function")) !== 0) {
      const msg = binary(lua.lua_tolstring(L, -1) ?? new Uint8Array(0))
        .replace(/ near <eof>$/, " near '<eof>'")
        .replace(/(^|: )<(eof|name|string|number|integer)> expected/, "$1'<$2>' expected");
      lua.lua_settop(L, 0);
      return { ok: false, message: "ERR Error compiling function: " + msg };
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#functionEnvRef);
    lua.lua_setupvalue(L, -2, 1);
    const functions: RegisteredFunction[] = [];
    this.#loading = functions;
    this.#loadHost = options.host;
    this.#setLoading(true);
    const { interrupt } = options;
    if (interrupt) {
      const hook = (T: LuaState) => {
        const msg = interrupt();
        if (msg !== null) {
          lua.lua_sethook(T, hook, lua.LUA_MASKCOUNT, 1);
          this.#raiseTable(T, msg);
        }
      };
      lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, this.#hookInterval);
    }
    let status: number;
    try {
      status = lua.lua_pcall(L, 0, 0, 0);
    } finally {
      if (interrupt) lua.lua_sethook(L, null, 0, 0);
      this.#loading = null;
      this.#loadHost = undefined;
      this.#setLoading(false);
    }
    if (status === lua.LUA_OK) return { ok: true, functions };
    const message = errorMessage(L, -1);
    lua.lua_settop(L, 0);
    for (const f of functions) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, f.ref);
    return { ok: false, message: "ERR Error registering functions: " + message };
  }

  #setLoading(on: boolean): void {
    const L = this.#L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#setLoadingRef);
    lua.lua_pushboolean(L, on);
    lua.lua_call(L, 1, 0);
  }

  /** `redis.register_function`, only callable while a library loads. */
  #registerFunction(L: LuaState): number {
    const registered = this.#loading;
    if (registered === null) {
      return this.#raiseTable(
        L,
        "ERR redis.register_function can only be called on FUNCTION LOAD command",
      );
    }
    const argc = lua.lua_gettop(L);
    if (argc < 1 || argc > 2) {
      return this.#raiseTable(L, "ERR wrong number of arguments to redis.register_function");
    }
    const f = argc === 1 ? readNamedArgs(L) : readPositionalArgs(L);
    if (typeof f === "string") return this.#raiseTable(L, "ERR " + f);
    let err: string | null = null;
    if (!/^[A-Za-z0-9_]+$/.test(f.name)) {
      // (sic: Redis 7.0.15 says "Library" for a function name)
      err = "Library names can only contain letters, numbers, or underscores(_) and must " +
        "be at least one character long";
    } else if (registered.some((r) => r.name === f.name)) {
      err = "Function already exists in the library";
    }
    if (err !== null) {
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, f.ref);
      return this.#raiseTable(L, "ERR " + err);
    }
    registered.push(f);
    return 0;
  }

  #installRedis(): void {
    const L = this.#L;
    lua.lua_newtable(L);
    const fn = (name: string, f: (L: LuaState) => number) => {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, ls(name));
    };
    fn("call", (L) => this.#redisCall(L, true));
    fn("pcall", (L) => this.#redisCall(L, false));
    fn("error_reply", (L) => {
      if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
        return this.#replyTable(L, "err");
      }
      this.#replyTable(L, "err");
      const s = binary(lua.lua_tolstring(L, 1));
      pushString(L, errorCode(s.startsWith("-") ? s : "-" + s));
      setKey(L, "err");
      return 1;
    });
    fn("status_reply", (L) => this.#replyTable(L, "ok"));
    fn("sha1hex", (L) => {
      if (lua.lua_gettop(L) !== 1) {
        return this.#raiseTable(L, "ERR wrong number of arguments");
      }
      const s = lua.lua_tolstring(L, 1) ?? new Uint8Array(0);
      lua.lua_pushstring(L, ls(sha1Hex(s)));
      return 1;
    });
    fn("setresp", (L) => {
      if (lua.lua_gettop(L) !== 1) {
        return this.#raiseTable(L, "ERR redis.setresp() requires one argument.");
      }
      const v = Math.trunc(lua.lua_tonumber(L, 1));
      if (v !== 2 && v !== 3) {
        return this.#raiseTable(L, "ERR RESP version must be 2 or 3.");
      }
      this.#scriptResp = v;
      return 0;
    });
    fn("log", (L) => this.#redisLog(L));
    fn("set_repl", (L) => {
      if (lua.lua_gettop(L) !== 1) {
        // (sic: it takes one)
        return this.#raiseTable(L, "ERR redis.set_repl() requires two arguments.");
      }
      const flags = Math.trunc(lua.lua_tonumber(L, 1));
      if (!(flags >= REPL_NONE && flags <= REPL_ALL)) {
        return this.#raiseTable(
          L,
          "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        );
      }
      this.#run?.host?.setRepl?.(flags);
      return 0;
    });
    // scripts always replicate their effects (7.0): nothing to switch
    fn("replicate_commands", (L) => {
      lua.lua_pushboolean(L, true);
      return 1;
    });
    // no debugger (SCRIPT DEBUG is not supported): never in a debugging session
    fn("breakpoint", (L) => {
      lua.lua_pushboolean(L, false);
      return 1;
    });
    fn("debug", () => 0);
    fn("acl_check_cmd", (L) => {
      const args = commandArgs(L);
      if (typeof args === "string") return this.#raiseTable(L, "ERR " + args);
      const verdict = this.#run?.host?.aclCheck?.(args) ?? true;
      if (typeof verdict === "string") return this.#raiseTable(L, verdict);
      lua.lua_pushboolean(L, verdict);
      return 1;
    });
    setLogLevels(L);
    setVersion(L);
    const repl = [["REPL_NONE", REPL_NONE], ["REPL_AOF", REPL_AOF], ["REPL_SLAVE", REPL_REPLICA], [
      "REPL_REPLICA",
      REPL_REPLICA,
    ], ["REPL_ALL", REPL_ALL]];
    for (const [name, v] of repl as [string, number][]) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, ls(name));
    }
    lua.lua_setglobal(L, ls("redis"));
  }

  /** `redis.log(level, ...)`. */
  #redisLog(L: LuaState): number {
    const argc = lua.lua_gettop(L);
    if (argc < 2) return this.#raiseTable(L, "ERR redis.log() requires two arguments or more.");
    if (!lua.lua_isnumber(L, 1)) {
      return this.#raiseTable(L, "ERR First argument must be a number (log level).");
    }
    const level = lua.lua_tonumber(L, 1);
    if (level < 0 || level > 3) return this.#raiseTable(L, "ERR Invalid debug level.");
    const parts: string[] = [];
    for (let j = 2; j <= argc; j++) {
      const s = lua.lua_tolstring(L, j);
      if (s) parts.push(binary(s));
    }
    const message = parts.join(" ");
    const host = this.#run?.host ?? this.#loadHost;
    host?.log?.(Math.trunc(level), message);
    return 0;
  }

  #replyTable(L: LuaState, field: string): number {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
      // returned, not raised
      this.#pushErrTable(L, "ERR wrong number or type of arguments");
      return 1;
    }
    const s = lua.lua_tolstring(L, 1);
    lua.lua_newtable(L);
    lua.lua_pushlstring(L, s, s.length);
    setKey(L, field);
    return 1;
  }

  #redisCall(L: LuaState, raise: boolean): number {
    const fail = (text: string): number => {
      const msg = "ERR " + text;
      if (raise) return this.#raiseTable(L, msg);
      this.#pushErrTable(L, msg);
      return 1;
    };
    const args = commandArgs(L);
    if (typeof args === "string") return fail(args);
    const host = this.#run?.host;
    if (!host) return fail("ERR redis.call is not available here");
    const reply = host.call(args, this.#scriptResp);
    if (reply.kind === "error" && raise) return this.#raiseTable(L, errorCode("-" + reply.message));
    lua.lua_settop(L, 0);
    pushReply(L, reply, this.#scriptResp);
    return 1;
  }

  #pushErrTable(L: LuaState, msg: string): void {
    lua.lua_newtable(L);
    lua.lua_pushlstring(L, bytes(msg), msg.length);
    setKey(L, "err");
  }

  #raiseTable(L: LuaState, msg: string): number {
    this.#pushErrTable(L, msg);
    return lua.lua_error(L);
  }

  /**
   * Compiles a script body (chunk name `@user_script`, so messages read
   * `user_script:<line>: ...`) and keeps it in the VM.
   *
   * @param body the script (binary string)
   * @returns a reference for {@linkcode LuaVm.run}, or the compile error
   */
  compile(body: string): CompileResult {
    this.#open();
    const rejected = check51(body);
    if (rejected) return { ok: false, message: rejected };
    const L = this.#L;
    const src = bytes(body);
    if (lauxlib.luaL_loadbuffer(L, src, src.length, ls("@user_script")) !== 0) {
      // 5.1 quotes the end-of-input token
      const msg = binary(lua.lua_tolstring(L, -1) ?? new Uint8Array(0))
        .replace(/ near <eof>$/, " near '<eof>'")
        .replace(/(^|: )<(eof|name|string|number|integer)> expected/, "$1'<$2>' expected");
      lua.lua_settop(L, 0);
      return { ok: false, message: msg };
    }
    return { ok: true, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
  }

  /**
   * Forgets a compiled script.
   *
   * @param ref a reference from {@linkcode LuaVm.compile}
   */
  release(ref: number): void {
    this.#open();
    lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, ref);
  }

  /**
   * Runs a compiled script with `KEYS` and `ARGV` set and converts its result
   * (or its error) to a reply. A runtime error is an error reply as Redis
   * 7.0.15 words it before appending ` script: <sha>, on @user_script:<n>.`:
   * `ERR ` + the Lua message for a raised string (`ERR user_script:1: boom`),
   * the `err` field for a raised table (`redis.call` errors, SCRIPT KILL).
   *
   * @param ref a reference from {@linkcode LuaVm.compile}
   * @param options keys, argv, host and interrupt callback
   * @returns the reply
   */
  run(ref: number, options: RunOptions = {}): Reply {
    const run = this.start(ref, options);
    let reply = run.resume();
    // without `shouldYield` a run never yields; with it, go on regardless
    while (reply === undefined) reply = run.resume();
    return reply;
  }

  /**
   * Starts a run that can pause: the script runs as a coroutine, and at an
   * interrupt check where `options.shouldYield` says so (and the script is
   * not inside a C call or a coroutine of its own) it yields, so the host
   * can serve its event loop (clients get `-BUSY`) and resume it later.
   * Nothing else may run in this VM until the run is over.
   *
   * @param ref a reference from {@linkcode LuaVm.compile} (a chunk) or a
   *   function reference (`options.asFunction`)
   * @param options keys, argv, host, interrupt and yield callbacks
   * @returns the run: call `resume()` until it returns the reply
   */
  start(ref: number, options: RunOptions = {}): ScriptRun {
    this.#open();
    const L = this.#L;
    lua.lua_settop(L, 0);
    // A coroutine that ended normally is reused (a fresh one after an
    // error, whose stack is left as the error found it).
    const idle = this.#idleThread;
    this.#idleThread = undefined;
    let co: LuaState;
    let threadRef: number;
    if (idle !== undefined) {
      [co, threadRef] = idle;
    } else {
      co = lua.lua_newthread(L);
      threadRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    }
    let nargs = 0;
    this.#scriptResp = 2;
    if (options.asFunction) {
      lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, ref);
      pushArray(co, options.keys ?? []);
      pushArray(co, options.argv ?? []);
      nargs = 2;
    } else {
      this.#setArray("KEYS", options.keys ?? []);
      this.#setArray("ARGV", options.argv ?? []);
      lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, ref);
    }
    const { interrupt, shouldYield } = options;
    if (interrupt || shouldYield) {
      const hook = (T: LuaState) => {
        const msg = interrupt?.() ?? null;
        if (msg !== null) {
          // from now on check at every instruction, so an enclosing pcall
          // can't keep the script alive (as Redis switches to a line hook)
          lua.lua_sethook(T, hook, lua.LUA_MASKCOUNT, 1);
          this.#raiseTable(T, msg);
        }
        if (T === co && shouldYield?.() && lua.lua_isyieldable(T)) lua.lua_yield(T, 0);
      };
      lua.lua_sethook(co, hook, lua.LUA_MASKCOUNT, this.#hookInterval);
    } else if (idle !== undefined) {
      lua.lua_sethook(co, null, 0, 0);
    }
    let done = false;
    let first = true;
    const finish = (reply: Reply, reusable = false): Reply => {
      done = true;
      lua.lua_settop(co, 0);
      if (reusable && this.#idleThread === undefined) this.#idleThread = [co, threadRef];
      else lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, threadRef);
      this.#run = null;
      return reply;
    };
    let where: string | undefined;
    return {
      get where(): string | undefined {
        return where;
      },
      resume: (): Reply | undefined => {
        if (done) throw new Error("script run already over");
        this.#run = options;
        let status: number;
        try {
          status = lua.lua_resume(co, null, first ? nargs : 0);
        } catch (e) {
          finish(NIL);
          throw e;
        }
        first = false;
        if (status === lua.LUA_YIELD) return undefined;
        if (status !== lua.LUA_OK) {
          // the failed coroutine's stack is not unwound: find the position
          where = errorWhere(co);
          // read on the main thread: a failed coroutine's stack may be full
          lua.lua_xmove(co, L, 1);
          const message = errorMessage(L, -1);
          lua.lua_settop(L, 0);
          return finish({ kind: "error", message });
        }
        // Redis converts with the script's protocol (redis.setresp), not the
        // caller's: only booleans differ; the encoder then writes the reply
        // in the caller's protocol
        const top = lua.lua_gettop(co);
        let reply: Reply;
        try {
          reply = top === 0 ? NIL : luaToReply(co, 1, this.#scriptResp);
        } catch (e) {
          // a string past JavaScript's longest (about 512 MB)
          if (!(e instanceof RangeError)) throw e;
          reply = { kind: "error", message: "ERR reply string too long" };
        }
        return finish(reply, lua.lua_status(co) === lua.LUA_OK);
      },
    };
  }

  /**
   * Compiles and runs a body in one go (tests, one-off scripts).
   *
   * @param body the script (binary string)
   * @param options as for {@linkcode LuaVm.run}
   * @returns the reply; a compile error is an error reply with the raw
   *   message
   */
  eval(body: string, options: RunOptions = {}): Reply {
    const c = this.compile(body);
    if (!c.ok) return { kind: "error", message: c.message };
    try {
      return this.run(c.ref, options);
    } finally {
      this.release(c.ref);
    }
  }

  #setArray(name: string, values: readonly string[]): void {
    const L = this.#L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#realGlobals);
    pushArray(L, values);
    // set behind the protecting proxy: KEYS / ARGV come from the host
    setKey(L, name);
    lua.lua_pop(L, 1);
  }

  /** Whether {@linkcode LuaVm.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Frees the Lua state. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    lua.lua_close(this.#L);
    this.#L = null;
  }

  #open(): void {
    if (this.#closed) throw new Error("LuaVm is closed");
  }
}

/**
 * Redis's handling of an error text given with its `-`: without the `-`,
 * and with `ERR ` in front when it has no space (no error code).
 */
function errorCode(s: string): string {
  const m = s.startsWith("-") ? s.slice(1) : s;
  return m.includes(" ") ? m : "ERR " + m;
}

/** The message of a Lua error value (a string, or a table's `err`). */
function errorMessage(L: LuaState, idx: number): string {
  const i = lua.lua_absindex(L, idx);
  switch (lua.lua_type(L, i)) {
    case lua.LUA_TTABLE: {
      // Redis takes the `err` field (a string or a number); without one it
      // crashes (7.0.15): an unknown error here
      lua.lua_getfield(L, i, ls("err"));
      const s = luaToString(L, -1);
      lua.lua_pop(L, 1);
      return s ?? "ERR unknown error";
    }
    case lua.LUA_TSTRING:
      return "ERR " + binary(lua.lua_tolstring(L, i));
    case lua.LUA_TNUMBER:
      return "ERR " + formatLuaNumber(lua.lua_tonumber(L, i));
    case lua.LUA_TNIL:
    case lua.LUA_TNONE:
      return "ERR nil";
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, i) ? "ERR true" : "ERR false";
    default: {
      // as Lua's tostring: "function: 0x...", with fengari's addresses
      const s = binary(lauxlib.luaL_tolstring(L, i));
      lua.lua_pop(L, 1);
      return "ERR " + s;
    }
  }
}

/** The chunk name of resplite's own Lua helpers (they stand for Redis's C functions). */
const INTERNAL_SOURCE = "=resplite";

/**
 * Where a failed run stopped, as Redis's error handler finds it: the
 * innermost frame, or its caller when that frame is a C function (a
 * library function, `error`, `redis.call`). resplite's own Lua helpers
 * count as the C functions they stand for, and a C function they call is
 * part of them.
 *
 * @param L the failed thread (its stack is not unwound)
 * @returns `<source>:<line>` (e.g. `@user_script:2`), or undefined
 */
function errorWhere(L: LuaState): string | undefined {
  const frames: { internal: boolean; c: boolean; where: string }[] = [];
  for (let level = 0; level < 1000; level++) {
    const ar = new lua.lua_Debug();
    if (!lua.lua_getstack(L, level, ar)) break;
    lua.lua_getinfo(L, ls("Sl"), ar);
    const source = binary(ar.source ?? new Uint8Array(0));
    const internal = source === INTERNAL_SOURCE;
    const c = binary(ar.what ?? new Uint8Array(0)) === "J";
    frames.push({ internal, c: c || internal, where: `${c ? "=[C]" : source}:${ar.currentline}` });
  }
  // a frame called by a helper is part of that helper
  const kept = frames.filter((f, j) => !((f.c || f.internal) && frames[j + 1]?.internal));
  const f = kept[0]?.c ? kept[1] : kept[0];
  return f?.where;
}

/** Deeper tables reach a library as empty tables (bounds the JavaScript recursion). */
const MAX_LIB_DEPTH = 2000;

/**
 * The Lua value at `idx` as a library argument: tables walked in the VM's
 * `next` order (a table met again is the same {@linkcode LuaTable}),
 * `cjson.null` (a NULL light userdata) as {@linkcode LUA_NULL}.
 */
function toLibValue(L: LuaState, idx: number, seen: Map<unknown, LuaTable>, depth = 0): LuaValue {
  const i = lua.lua_absindex(L, idx);
  switch (lua.lua_type(L, i)) {
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, i);
    case lua.LUA_TNUMBER:
      return lua.lua_tonumber(L, i);
    case lua.LUA_TSTRING:
      return binary(lua.lua_tolstring(L, i));
    case lua.LUA_TTABLE: {
      const ptr = lua.lua_topointer(L, i);
      const known = seen.get(ptr);
      if (known !== undefined) return known;
      const t = new LuaTable();
      seen.set(ptr, t);
      if (depth >= MAX_LIB_DEPTH || !lua.lua_checkstack(L, 3)) return t;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, i) !== 0) {
        const k = toLibValue(L, -2, seen, depth + 1);
        const v = toLibValue(L, -1, seen, depth + 1);
        if (k !== undefined) t.set(k, v);
        lua.lua_pop(L, 1);
      }
      return t;
    }
    case lua.LUA_TLIGHTUSERDATA:
      return lua.lua_touserdata(L, i) === null ? LUA_NULL : new LuaOpaque("lightuserdata");
    case lua.LUA_TFUNCTION:
      return new LuaOpaque("function");
    case lua.LUA_TTHREAD:
      return new LuaOpaque("thread");
    case lua.LUA_TUSERDATA:
      return new LuaOpaque("userdata");
    default:
      return undefined;
  }
}

/** Pushes a library result. */
function pushLibValue(L: LuaState, v: LuaValue): void {
  lauxlib.luaL_checkstack(L, 3, ls("too many nested values"));
  if (v === undefined) lua.lua_pushnil(L);
  else if (v === LUA_NULL) lua.lua_pushlightuserdata(L, null);
  else if (typeof v === "boolean") lua.lua_pushboolean(L, v);
  else if (typeof v === "number") lua.lua_pushnumber(L, v);
  else if (typeof v === "string") pushString(L, v);
  else if (v instanceof LuaTable) {
    lua.lua_createtable(L, 0, 0);
    for (const [k, x] of v.entries()) {
      pushLibValue(L, k);
      pushLibValue(L, x);
      lua.lua_rawset(L, -3);
    }
  } else lua.lua_pushnil(L);
}

/**
 * A library function as a Lua C function: arguments converted, a
 * {@linkcode LuaArgError} raised as `luaL_argerror` (naming the function as
 * Lua does: `bad argument #1 to 'encode' (...)`), a {@linkcode LuaError} as
 * `luaL_error` (with the caller's position: `user_script:1: ...`).
 */
function libFunction(f: LuaFunction): (L: LuaState) => number {
  return (L: LuaState): number => {
    const n = lua.lua_gettop(L);
    const seen = new Map<unknown, LuaTable>();
    const args: LuaValue[] = [];
    for (let j = 1; j <= n; j++) args.push(toLibValue(L, j, seen));
    let results: LuaValue[];
    try {
      results = f(args);
    } catch (e) {
      if (e instanceof LuaArgError) return lauxlib.luaL_argerror(L, e.arg, bytes(e.extra));
      if (e instanceof LuaError) {
        // the VM's own errors inside a C function carry no position
        if (/^table index is (nil|NaN)$/.test(e.message)) {
          pushString(L, e.message);
          return lua.lua_error(L);
        }
        return lauxlib.luaL_error(L, PERCENT_S, bytes(e.message));
      }
      throw e;
    }
    lauxlib.luaL_checkstack(L, results.length + 3, ls("too many results"));
    for (const r of results) pushLibValue(L, r);
    return results.length;
  };
}

/** Pushes a library table: its functions and fields. */
function pushLibrary(L: LuaState, lib: LuaLibrary): void {
  lua.lua_newtable(L);
  for (const [name, f] of Object.entries(lib.functions)) {
    lua.lua_pushcfunction(L, libFunction(f));
    lua.lua_setfield(L, -2, ls(name));
  }
  for (const [name, v] of Object.entries(lib.fields)) {
    pushLibValue(L, v);
    lua.lua_setfield(L, -2, ls(name));
  }
}

/** Pushes a `cjson` table, with `new` making another (own configuration, writable). */
function pushCjson(L: LuaState, lib: LuaLibrary): void {
  pushLibrary(L, lib);
  lua.lua_pushcfunction(L, (L: LuaState) => {
    pushCjson(L, createRedisLuaLibs().cjson);
    return 1;
  });
  lua.lua_setfield(L, -2, ls("new"));
}

const INT64_MIN = -9223372036854775808n;

/** C's `(long long)` of a double on x86-64 (out of range and NaN: INT64_MIN). */
function toLongLong(n: number): Reply {
  const t = Math.trunc(n);
  if (!Number.isFinite(t) || t >= 9223372036854775808 || t < -9223372036854775808) {
    return integer(INT64_MIN);
  }
  return integer(Number.isSafeInteger(t) ? t : BigInt(t));
}

function fieldType(L: LuaState, idx: number, name: string): number {
  return lua.lua_getfield(L, idx, ls(name));
}

/**
 * Converts the Lua value at `idx` to a reply as Redis 7.0.15's
 * luaReplyToRedisReply does, `resp` being the script's protocol
 * (`redis.setresp`).
 */
function luaToReply(L: LuaState, idx: number, resp: 2 | 3): Reply {
  const i = lua.lua_absindex(L, idx);
  if (!lua.lua_checkstack(L, 4)) return { kind: "error", message: "ERR reached lua stack limit" };
  switch (lua.lua_type(L, i)) {
    case lua.LUA_TSTRING:
      return bulk(binary(lua.lua_tolstring(L, i)));
    case lua.LUA_TBOOLEAN:
      if (resp === 3) return { kind: "boolean", value: lua.lua_toboolean(L, i) };
      return lua.lua_toboolean(L, i) ? integer(1) : NIL;
    case lua.LUA_TNUMBER:
      return toLongLong(lua.lua_tonumber(L, i));
    case lua.LUA_TTABLE:
      return tableToReply(L, i, resp);
    default:
      return NIL;
  }
}

function tableToReply(L: LuaState, i: number, resp: 2 | 3): Reply {
  if (fieldType(L, i, "err") === lua.LUA_TSTRING) {
    const msg = binary(lua.lua_tolstring(L, -1)).replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return { kind: "error", message: msg };
  }
  lua.lua_pop(L, 1);
  if (fieldType(L, i, "ok") === lua.LUA_TSTRING) {
    const s = binary(lua.lua_tolstring(L, -1)).replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return { kind: "simple", value: s };
  }
  lua.lua_pop(L, 1);
  if (fieldType(L, i, "double") === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return { kind: "double", value: d };
  }
  lua.lua_pop(L, 1);
  if (fieldType(L, i, "big_number") === lua.LUA_TSTRING) {
    const s = binary(lua.lua_tolstring(L, -1)).replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return { kind: "bignum", value: s };
  }
  lua.lua_pop(L, 1);
  if (fieldType(L, i, "verbatim_string") === lua.LUA_TTABLE) {
    const t = lua.lua_gettop(L);
    const fmt = lua.lua_getfield(L, t, ls("format")) === lua.LUA_TSTRING
      ? binary(lua.lua_tolstring(L, -1))
      : null;
    const str = lua.lua_getfield(L, t, ls("string")) === lua.LUA_TSTRING
      ? binary(lua.lua_tolstring(L, -1))
      : null;
    lua.lua_pop(L, 3);
    if (fmt !== null && str !== null) return { kind: "verbatim", format: fmt, value: str };
  } else lua.lua_pop(L, 1);
  if (fieldType(L, i, "map") === lua.LUA_TTABLE) {
    const t = lua.lua_gettop(L);
    const entries: [Reply, Reply][] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t) !== 0) {
      const v = luaToReply(L, -1, resp);
      const k = luaToReply(L, -2, resp);
      entries.push([k, v]);
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return { kind: "map", entries };
  }
  lua.lua_pop(L, 1);
  if (fieldType(L, i, "set") === lua.LUA_TTABLE) {
    const t = lua.lua_gettop(L);
    const items: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t) !== 0) {
      items.push(luaToReply(L, -2, resp));
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return { kind: "set", items };
  }
  lua.lua_pop(L, 1);
  const items: Reply[] = [];
  for (let j = 1;; j++) {
    lua.lua_rawgeti(L, i, j);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    items.push(luaToReply(L, -1, resp));
    lua.lua_pop(L, 1);
  }
  return array(items);
}

function pushArray(L: LuaState, values: readonly string[]): void {
  lua.lua_createtable(L, values.length, 0);
  for (let i = 0; i < values.length; i++) {
    pushString(L, values[i]!);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/**
 * Pushes a binary string as a Lua string. As `lua_pushlstring`, but the
 * fresh byte array becomes the Lua string itself (fengari's
 * `lua_pushlstring` copies it once more).
 */
function pushString(L: LuaState, s: string): void {
  if (L.top >= L.ci.top) lauxlib.luaL_checkstack(L, 1, null);
  // deno-lint-ignore no-explicit-any
  (lobject as any).pushsvalue2s(L, (lstring as any).luaS_bless(L, bytes(s)));
}

function pushTableWith(L: LuaState, field: string, push: () => void): void {
  lua.lua_newtable(L);
  push();
  setKey(L, field);
}

/**
 * `t[name] = v` without metamethods, for the table at -2 and the value at
 * -1 (popped), as `lua_setfield` but with the key string made once per VM:
 * fengari hashes a fresh key string byte by byte on every `lua_setfield`,
 * which made the per-script KEYS / ARGV and the `{ok=}` / `{err=}` reply
 * tables a tenth of a small script's cost. The strings are kept in the
 * registry, by name, in a map on the VM's global state (one per VM).
 */
function setKey(L: LuaState, name: string): void {
  const g = L.l_G as { respliteKeys?: Map<string, number> };
  const keys = g.respliteKeys ??= new Map();
  let ref = keys.get(name);
  if (ref === undefined) {
    lua.lua_pushstring(L, ls(name));
    ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    keys.set(name, ref);
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  lua.lua_insert(L, -2);
  lua.lua_rawset(L, -3);
}

/**
 * Pushes a command reply as a Lua value, as Redis 7.0.15's
 * redisProtocolToLuaType does for the script's protocol (`redis.setresp`).
 */
function pushReply(L: LuaState, reply: Reply, resp: 2 | 3): void {
  lua.luaL_checkstack?.(L, 4, null);
  switch (reply.kind) {
    case "simple":
      return pushTableWith(L, "ok", () => pushString(L, reply.value));
    case "error":
      return pushTableWith(L, "err", () => pushString(L, reply.message));
    case "integer":
      return lua.lua_pushnumber(L, Number(reply.value));
    case "bulk":
      return pushString(L, reply.value);
    case "verbatim":
      if (resp === 2) return pushString(L, reply.value);
      return pushTableWith(L, "verbatim_string", () => {
        lua.lua_newtable(L);
        pushString(L, reply.value);
        lua.lua_setfield(L, -2, ls("string"));
        pushString(L, reply.format);
        lua.lua_setfield(L, -2, ls("format"));
      });
    case "nil":
    case "nilArray":
      if (resp === 2) return lua.lua_pushboolean(L, false);
      return lua.lua_pushnil(L);
    case "array":
    case "push":
    case "set": {
      if (reply.kind === "set" && resp === 3) {
        return pushTableWith(L, "set", () => {
          lua.lua_newtable(L);
          for (const item of reply.items) {
            pushReply(L, item, resp);
            lua.lua_pushboolean(L, true);
            lua.lua_settable(L, -3);
          }
        });
      }
      lua.lua_createtable(L, reply.items.length, 0);
      reply.items.forEach((item, j) => {
        pushReply(L, item, resp);
        lua.lua_rawseti(L, -2, j + 1);
      });
      return;
    }
    case "bulks":
      lua.lua_createtable(L, reply.values.length, 0);
      reply.values.forEach((v, j) => {
        if (v === null) {
          if (resp === 2) lua.lua_pushboolean(L, false);
          else lua.lua_pushnil(L);
        } else pushString(L, v);
        lua.lua_rawseti(L, -2, j + 1);
      });
      return;
    case "map":
      if (resp === 3) {
        return pushTableWith(L, "map", () => {
          lua.lua_newtable(L);
          for (const [k, v] of reply.entries) {
            pushReply(L, k, resp);
            pushReply(L, v, resp);
            lua.lua_settable(L, -3);
          }
        });
      }
      lua.lua_createtable(L, reply.entries.length * 2, 0);
      reply.entries.forEach(([k, v], j) => {
        pushReply(L, k, resp);
        lua.lua_rawseti(L, -2, 2 * j + 1);
        pushReply(L, v, resp);
        lua.lua_rawseti(L, -2, 2 * j + 2);
      });
      return;
    case "double":
      if (resp === 2) return pushString(L, reply.text ?? formatDouble(reply.value));
      return pushTableWith(L, "double", () => lua.lua_pushnumber(L, reply.value));
    case "boolean":
      if (resp === 2) return lua.lua_pushnumber(L, reply.value ? 1 : 0);
      return lua.lua_pushboolean(L, reply.value);
    case "bignum":
      if (resp === 2) return pushString(L, reply.value);
      return pushTableWith(L, "big_number", () => pushString(L, reply.value));
    case "attribute":
      return pushReply(L, reply.reply, resp);
    case "preceded":
      return pushReply(L, reply.reply, resp);
    case "none":
      return lua.lua_pushboolean(L, false);
  }
}

/** Internal helpers exported for tests. */
export const _internals = { check51, parseNumeral };
