/**
 * The Lua VM behind scripting (EVAL / FUNCTION): one {@linkcode LuaVm} owns
 * one Lua state. The VM is fengari 0.1.5 (Lua 5.3 in pure JavaScript; chosen
 * over wasmoon from measurements, see `bench/lua_vm.md`), bridged to the Lua
 * 5.1 surface Redis 7.0.15 exposes:
 *
 * - number literals and string→number conversions yield floats (5.1 has only
 *   doubles) and numbers print as `%.14g` (`tostring(3.0)` is `3`,
 *   `tostring(1e15)` is `1e+15`, `0/0` is `-nan`);
 * - 5.1 functions: `unpack`, `loadstring`, `table.getn`, `table.setn`
 *   (errors as 5.1), `table.maxn`, `table.foreach`, `table.foreachi`,
 *   `math.mod`, `math.pow`, `math.ldexp`, `math.log10`, `string.gfind`,
 *   `gcinfo`; 5.3-only names removed (`utf8`, `math.type`,
 *   `math.tointeger`, `math.maxinteger`, `math.mininteger`, `math.ult`,
 *   `string.pack`, `string.unpack`, `string.packsize`, `table.move`,
 *   `coroutine.isyieldable`);
 * - the library set Redis keeps: no `io`, `os`, `package`, `require`,
 *   `loadfile`, `dofile`, `print`, `debug`, `module`, `setfenv`, `getfenv`,
 *   `newproxy` (all "nonexistent global" on Redis 7.0.15);
 * - 5.3-only syntax rejected before compiling (`//`, `&`, `|`, `~` as an
 *   operator, `<<`, `>>`, `::label::`, `goto`);
 * - the Redis 7.0 global protection: reading a missing global raises
 *   `Script attempted to access nonexistent global variable 'x'`, assigning
 *   any global raises `Attempt to modify a readonly table`.
 *
 * It runs a compiled script body with `KEYS` / `ARGV` set, bridges
 * `redis.call` / `redis.pcall` synchronously to a {@linkcode LuaHost}, converts
 * replies both ways as Redis 7.0.15 does for RESP2 and RESP3, and checks an
 * interrupt callback every `hookInterval` VM instructions (SCRIPT KILL /
 * busy-reply-threshold).
 *
 * Known differences from Redis 7.0.15 (not covered yet):
 * - runtime error wording is Lua 5.3's where it differs from 5.1 (e.g.
 *   `attempt to perform arithmetic on a nil value (local 'x')` where 5.1 says
 *   `attempt to perform arithmetic on local 'x' (a nil value)`); the wording
 *   of rejected 5.3 syntax is `unexpected symbol near '<tok>'`, which 5.1 only
 *   uses in some positions; `goto` is a keyword, so it can't be a name;
 * - library functions that need integers (`string.rep`, `string.sub`,
 *   `string.format('%d')`, ...) reject non-integral numbers as 5.3 does where
 *   5.1 truncates; integers from library results (`#t`, `string.byte`) are
 *   fengari's 32-bit integers, and integer-only arithmetic on them can wrap;
 * - the readonly protection works through proxy tables (`_G`, `string`,
 *   `table`, `math`, `coroutine`, `redis`): `next(string)` sees an empty
 *   table (`pairs` works), and `rawequal(string, getmetatable("").__index)`
 *   holds but the proxies are not the library tables fengari's C side uses;
 * - `load` also accepts a string (5.3), `setfenv`/`getfenv` are absent (as on
 *   Redis 7.0.15);
 * - the `redis` table here has `call`, `pcall`, `error_reply`, `status_reply`,
 *   `sha1hex`, `setresp`, `log` and its `LOG_*` levels; replication and ACL
 *   helpers (`set_repl`, `replicate_commands`, `acl_check_cmd`, `breakpoint`,
 *   `debug`) come with the command wiring; `cjson`, `bit`, `struct`,
 *   `cmsgpack` are added by `src/scripting/libs/`;
 * - `collectgarbage` does nothing (the JavaScript GC owns the memory; its
 *   `count` is a fixed 20 KiB, `gcinfo()` 20); `string.format('%g')` prints
 *   as fengari's sprintf, not as C's `%g`;
 * - the decoration of errors (`script: <sha>, on @user_script:1.`) and the
 *   `Error compiling script (new function): ` prefix are left to the command
 *   layer; compile errors are the raw Lua message.
 *
 * fengari is patched once per process (number parsing and printing go
 * through its exported `luaO_str2num` / `luaO_tostring`); the patch is
 * idempotent and the same for every VM, so no per-server state is shared.
 *
 * @module
 */
import { formatG } from "./libs/value.ts";
import fengari from "fengari";
import lobject from "npm:fengari@0.1.5/src/lobject.js";
import lstring from "npm:fengari@0.1.5/src/lstring.js";
import { sha1Hex } from "../store/sha1.ts";
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
}

/** Result of {@linkcode LuaVm.compile}. */
export type CompileResult =
  | { readonly ok: true; readonly ref: number }
  | { readonly ok: false; readonly message: string };

/** Options of the {@linkcode LuaVm} constructor. */
export interface LuaVmOptions {
  /** Instructions between interrupt checks (Redis: 100000). */
  readonly hookInterval?: number;
}

/**
 * Converts bytes to a binary string (one char per byte).
 *
 * @param bytes the bytes
 * @returns the binary string
 */
function binary(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
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
    return pushvfstring(L, fmt, argp);
  };
  lo.__respliteLua51 = true;
}

/** Lua source run once per VM: the 5.1 surface and Redis's library set. */
const PRELUDE = `
local real = _G
_VERSION = "Lua 5.1"
unpack = table.unpack
loadstring = load
table.getn = function(t) return #t end
table.setn = function() error("'setn' is obsolete", 2) end
table.maxn = function(t)
  local m = 0
  for k in pairs(t) do if type(k) == "number" and k > m then m = k end end
  return m
end
table.foreach = function(t, f)
  for k, v in pairs(t) do local r = f(k, v) if r ~= nil then return r end end
end
table.foreachi = function(t, f)
  for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end
end
math.mod = math.fmod
math.pow = function(a, b) return a ^ b end
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.log10 = function(x) return math.log(x, 10) end
string.gfind = string.gmatch
-- fengari has no lua_gc: the JavaScript GC owns the memory
collectgarbage = function(opt)
  if opt == "count" then return 20 end
  if opt == "step" then return true end
  return 0
end
gcinfo = function() return 20 end
for _, n in ipairs({"io", "os", "package", "require", "loadfile", "dofile", "print",
    "debug", "utf8", "module", "setfenv", "getfenv", "newproxy"}) do
  real[n] = nil
end
math.type = nil math.tointeger = nil math.maxinteger = nil math.mininteger = nil
math.ult = nil string.pack = nil string.unpack = nil string.packsize = nil
table.move = nil coroutine.isyieldable = nil
`;

/** Lua source installing `_G` protection; takes the real globals table. */
const PROTECT = `
local real = ...
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
  readonly[proxy] = true
  return proxy
end
for _, name in ipairs({"string", "table", "math", "coroutine", "redis"}) do
  real[name] = protect(real[name])
end
getmetatable("").__index = real.string
real.rawset = function(t, k, v)
  if readonly[t] then error("Attempt to modify a readonly table", 0) end
  return rawset(t, k, v)
end
real.setmetatable = function(t, mt)
  if readonly[t] then error("Attempt to modify a readonly table", 0) end
  return setmetatable(t, mt)
end
local proxy = protect(real, function(_, k)
  local v = rawget(real, k)
  if v == nil then
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end
  return v
end)
real._G = proxy
-- Redis's _G has a metatable (its global guards), its library tables none
local getmetatable, globalsMeta = getmetatable, {}
real.getmetatable = function(t)
  if t == proxy then return globalsMeta end
  if readonly[t] then return nil end
  return getmetatable(t)
end
return proxy
`;

const ERR_ARGS = "Lua redis lib command arguments must be strings or integers";

/**
 * Rejects syntax Lua 5.1 doesn't have (5.3's `//`, bitwise operators,
 * labels and `goto`), scanning tokens outside strings and comments.
 *
 * @param src the script (binary string)
 * @returns a 5.1-style message (`user_script:<line>: ...`), or null
 */
function check51(src: string): string | null {
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
  const bad = (tok: string) => `user_script:${line}: unexpected symbol near '${tok}'`;
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
        if (m > k) return `user_script:${line}: '=' expected near '${src.slice(k, m)}'`;
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
  #run: RunOptions | null = null;
  #scriptResp: 2 | 3 = 2;
  #closed = false;
  #realGlobals = -1;

  /**
   * Creates the Lua state and installs the Redis 5.1 surface.
   *
   * @param options hook interval
   */
  constructor(options: LuaVmOptions = {}) {
    patchFengari();
    this.#hookInterval = options.hookInterval ?? 100000;
    const L = lauxlib.luaL_newstate();
    this.#L = L;
    lualib.luaL_openlibs(L);
    this.#doSetup(PRELUDE, 0);
    this.#installRedis();
    // replace the globals table the chunks see by the protecting proxy
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    lua.lua_pushvalue(L, -1);
    this.#realGlobals = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.#doSetup(PROTECT, 1);
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  }

  #doSetup(src: string, nargs: number): void {
    const L = this.#L;
    if (lauxlib.luaL_loadbuffer(L, ls(src), null, ls("=resplite")) !== 0) {
      throw new Error(fengari.to_jsstring(lua.lua_tostring(L, -1)));
    }
    if (nargs) lua.lua_insert(L, -1 - nargs);
    if (lua.lua_pcall(L, nargs, nargs ? 1 : 0, 0) !== 0) {
      throw new Error(fengari.to_jsstring(lua.lua_tostring(L, -1)));
    }
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
      this.#replyTable(L, "err");
      const s = binary(lua.lua_tolstring(L, 1));
      pushString(L, errorCode(s.startsWith("-") ? s : "-" + s));
      lua.lua_setfield(L, -2, ls("err"));
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
      const v = lua.lua_tonumber(L, 1);
      if (v !== 2 && v !== 3) {
        return this.#raiseTable(L, "ERR RESP version must be 2 or 3.");
      }
      this.#scriptResp = v;
      return 0;
    });
    fn("log", (L) => {
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
      this.#run?.host?.log?.(Math.trunc(level), parts.join(" "));
      return 0;
    });
    for (
      const [name, v] of [["LOG_DEBUG", 0], ["LOG_VERBOSE", 1], ["LOG_NOTICE", 2], [
        "LOG_WARNING",
        3,
      ]] as const
    ) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, ls(name));
    }
    lua.lua_setglobal(L, ls("redis"));
  }

  #replyTable(L: LuaState, field: string): number {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
      return this.#raiseTable(L, "ERR wrong number or type of arguments");
    }
    const s = lua.lua_tolstring(L, 1);
    lua.lua_newtable(L);
    lua.lua_pushlstring(L, s, s.length);
    lua.lua_setfield(L, -2, ls(field));
    return 1;
  }

  #redisCall(L: LuaState, raise: boolean): number {
    const argc = lua.lua_gettop(L);
    const fail = (text: string): number => {
      const msg = "ERR " + text;
      if (raise) return this.#raiseTable(L, msg);
      this.#pushErrTable(L, msg);
      return 1;
    };
    if (argc === 0) return fail("Please specify at least one argument for this redis lib call");
    const args: string[] = [];
    for (let j = 1; j <= argc; j++) {
      const t = lua.lua_type(L, j);
      if (t === lua.LUA_TNUMBER) {
        args.push(formatLuaNumber(lua.lua_tonumber(L, j)));
      } else if (t === lua.LUA_TSTRING) {
        args.push(binary(lua.lua_tolstring(L, j)));
      } else {
        return fail(ERR_ARGS);
      }
    }
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
    lua.lua_setfield(L, -2, ls("err"));
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
        .replace(/ near <eof>$/, " near '<eof>'");
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
    this.#open();
    const L = this.#L;
    this.#run = options;
    this.#scriptResp = 2;
    lua.lua_settop(L, 0);
    try {
      this.#setArray("KEYS", options.keys ?? []);
      this.#setArray("ARGV", options.argv ?? []);
      const interrupt = options.interrupt;
      if (interrupt) {
        const hook = (L: LuaState) => {
          const msg = interrupt();
          if (msg !== null) {
            // from now on check at every instruction, so an enclosing pcall
            // can't keep the script alive (as Redis switches to a line hook)
            lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, 1);
            this.#raiseTable(L, msg);
          }
        };
        lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, this.#hookInterval);
      }
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      const status = lua.lua_pcall(L, 0, 1, 0);
      if (interrupt) lua.lua_sethook(L, null, 0, 0);
      if (status !== 0) return { kind: "error", message: errorMessage(L, -1) };
      // Redis converts with the script's protocol (redis.setresp), not the
      // caller's: only booleans differ; the encoder then writes the reply
      // in the caller's protocol
      return luaToReply(L, -1, this.#scriptResp);
    } finally {
      lua.lua_settop(L, 0);
      this.#run = null;
    }
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
    lua.lua_createtable(L, values.length, 0);
    values.forEach((v, i) => {
      lua.lua_pushlstring(L, bytes(v), v.length);
      lua.lua_rawseti(L, -2, i + 1);
    });
    // set behind the protecting proxy: KEYS / ARGV come from the host
    lua.lua_setfield(L, -2, ls(name));
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
  if (lua.lua_type(L, idx) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, idx, ls("err"));
    const s = lua.lua_type(L, -1) === lua.LUA_TSTRING ? binary(lua.lua_tolstring(L, -1)) : null;
    lua.lua_pop(L, 1);
    if (s !== null) return s;
    return "ERR unknown error";
  }
  const b = lua.lua_tolstring(L, idx);
  // 5.3 says "attempt to index a nil value (field 'x')", 5.1
  // "attempt to index field 'x' (a nil value)"
  return b
    ? "ERR " + binary(b).replace(
      / attempt to ([a-z ]+?) a ([a-z]+) value \(([a-z]+) '([^']*)'\)$/,
      " attempt to $1 $3 '$4' (a $2 value)",
    )
    : "ERR unknown error";
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

function pushString(L: LuaState, s: string): void {
  lua.lua_pushlstring(L, bytes(s), s.length);
}

function pushTableWith(L: LuaState, field: string, push: () => void): void {
  lua.lua_newtable(L);
  push();
  lua.lua_setfield(L, -2, ls(field));
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
