/**
 * Differential harness for the Lua library ports: runs a Lua chunk on a real
 * redis-server 7.0.15 with EVAL and the TypeScript port on the same input,
 * and compares a canonical dump of the results byte for byte.
 *
 * The dump (same in Lua and TS): `nil`, `true`/`false`, `null` (cjson.null),
 * `n<%.17g>` (`nan` for NaN), `s<len>:<bytes>`, tables as `{k=v,...}` with
 * entries sorted, values separated by `|`; an error is `E:<message>`.
 *
 * @module
 */

import { RawClient, startRealRedis } from "../support/server.ts";
import { LuaVm } from "../../src/scripting/vm.ts";
import { createBitLib } from "../../src/scripting/libs/bit.ts";
import { createCjsonLib } from "../../src/scripting/libs/cjson.ts";
import { createCmsgpackLib } from "../../src/scripting/libs/cmsgpack.ts";
import { createStructLib } from "../../src/scripting/libs/struct.ts";
import {
  formatG,
  LUA_NULL,
  LuaError,
  type LuaFunction,
  LuaTable,
  type LuaValue,
} from "../../src/scripting/libs/value.ts";

/** Fresh library instances for one case. */
export interface Libs {
  cjson: Record<string, LuaFunction>;
  cmsgpack: Record<string, LuaFunction>;
  bit: Record<string, LuaFunction>;
  struct: Record<string, LuaFunction>;
}

/** One differential case: a Lua chunk body (ending in `return ...`) and its TS twin. */
export interface Case {
  lua: string;
  ts: (l: Libs) => LuaValue[];
}

const RESET = "cjson.encode_invalid_numbers(false) cjson.decode_invalid_numbers(true) " +
  "cjson.encode_max_depth(1000) cjson.decode_max_depth(1000) " +
  "cjson.encode_number_precision(14) cjson.encode_sparse_array(false,2,10) " +
  "cjson.encode_keep_buffer(true)\n";

const DUMP = `
local function D(v)
  if v == cjson.null then return "null" end
  local t = type(v)
  if t == "nil" then return "nil" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v ~= v then return "nan" end
    return "n" .. string.format("%.17g", v)
  end
  if t == "string" then return "s" .. #v .. ":" .. v end
  if t == "table" then
    local ks = {}
    for k, x in pairs(v) do ks[#ks + 1] = D(k) .. "=" .. D(x) end
    table.sort(ks)
    return "{" .. table.concat(ks, ",") .. "}"
  end
  return t
end
local function P(...) return select("#", ...), {...} end
local n, r = P(pcall(function()
`;

const DUMP_END = `
end))
if not r[1] then return "E:" .. tostring(r[2]) end
local out = {}
for i = 2, n do out[#out + 1] = D(r[i]) end
return table.concat(out, "|")
`;

/** The TS twin of the Lua dump. */
export function dump(v: LuaValue): string {
  if (v === LUA_NULL) return "null";
  if (v === undefined) return "nil";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return Number.isNaN(v) ? "nan" : "n" + formatG(v, 17);
  if (typeof v === "string") return `s${v.length}:${v}`;
  if (v instanceof LuaTable) {
    const ks: string[] = [];
    for (const [k, x] of v.entries()) ks.push(dump(k) + "=" + dump(x));
    ks.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return "{" + ks.join(",") + "}";
  }
  return v.type === "lightuserdata" ? "userdata" : v.type;
}

/** Runs the TS side of a case and dumps it. */
export function runTs(c: Case): string {
  const libs: Libs = {
    cjson: createCjsonLib().functions,
    cmsgpack: createCmsgpackLib(),
    bit: createBitLib(),
    struct: createStructLib(),
  };
  try {
    return c.ts(libs).map(dump).join("|");
  } catch (e) {
    if (e instanceof LuaError) return "E:" + e.message;
    throw e;
  }
}

/** A Lua string literal for a binary string (decimal escapes, Lua 5.1 style). */
export function lit(s: string): string {
  let r = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) r += s[i];
    else r += "\\" + String(c).padStart(3, "0");
  }
  return r + '"';
}

/**
 * Drops what the VM (not the library) adds to an error: the `luaL_where`
 * position of the calling Lua code, and the called function's name in
 * argument errors (the libraries report `'?'`, the glue renames).
 */
function normalize(s: string): string {
  if (!s.startsWith("E:")) return s;
  return s.replace(/^E:user_script:\d+: /, "E:").replace(
    /^(E:bad argument #-?\d+ to )'[^']*'/,
    "$1'?'",
  );
}

function parseBulk(reply: string): string {
  if (reply.startsWith("-")) throw new Error(`script error: ${reply}`);
  const nl = reply.indexOf("\r\n");
  const n = Number(reply.slice(1, nl));
  return reply.slice(nl + 2, nl + 2 + n);
}

/**
 * Runs every case against a real Redis and the TS port.
 *
 * @returns the mismatches (empty when all agree) and the count of cases
 */
export async function runCases(
  cases: readonly Case[],
): Promise<{ count: number; mismatches: string[]; vmMismatches: string[] }> {
  await using real = await startRealRedis();
  const c = await RawClient.connect(real.port);
  const vm = new LuaVm();
  const mismatches: string[] = [];
  const vmMismatches: string[] = [];
  try {
    for (const k of cases) {
      const script = RESET + DUMP + k.lua + DUMP_END;
      const raw = parseBulk(await c.call("EVAL", script, "0"));
      const expected = normalize(raw);
      const got = runTs(k);
      if (got !== expected) {
        mismatches.push(
          `${k.lua}\n  redis: ${JSON.stringify(expected)}\n  ts:    ${JSON.stringify(got)}`,
        );
      }
      // the same chunk through the VM, positions and function names included
      const viaVm = vm.eval(script);
      const text = viaVm.kind === "bulk" ? viaVm.value : JSON.stringify(viaVm);
      if (text !== raw) {
        vmMismatches.push(
          `${k.lua}\n  redis: ${JSON.stringify(raw)}\n  vm:    ${JSON.stringify(text)}`,
        );
      }
    }
  } finally {
    vm.close();
    c.close();
  }
  return { count: cases.length, mismatches, vmMismatches };
}

/** A Lua array table of values. */
export const T = (...v: LuaValue[]): LuaTable => LuaTable.fromArray(v);

/** A Lua table from pairs in iteration order. */
export const M = (...e: [Exclude<LuaValue, undefined>, LuaValue][]): LuaTable =>
  LuaTable.fromEntries(e as [never, LuaValue][]);
