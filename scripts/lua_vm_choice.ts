/**
 * Measures the two Lua VM candidates for scripting (EVAL) under Deno 2:
 * fengari (Lua 5.3 in pure JavaScript) and wasmoon (Lua 5.4 compiled to
 * WebAssembly). Prints a Markdown report (kept in `bench/lua_vm.md`).
 *
 * Measured: VM creation time, memory per VM, a 100-call script where each
 * call goes from Lua to a JS function with a string argument and back with a
 * string / number result (the shape of `redis.call`), a pure-Lua loop, and
 * whether bytes 0-255 round-trip unchanged through Lua <-> JS.
 *
 * Usage: `deno run -A scripts/lua_vm_choice.ts`
 *
 * @module
 */
import fengari from "npm:fengari@0.1.5";
import { LuaFactory } from "npm:wasmoon@1.16.0";

const { lua, lauxlib, lualib } = fengari;

const CALLS_SCRIPT = `
local n = 0
for i = 1, 100 do
  local r = call("GET", "key:" .. i)
  if type(r) == "number" then n = n + r else n = n + #r end
end
return n`;
const LOOP_SCRIPT = `
local s = 0
for i = 1, 1000000 do s = s + i % 7 end
return s`;

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

function binaryFromBytes(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
function bytesFromBinary(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function hostResult(arg: string): string | number {
  return arg.length % 2 === 0 ? arg.length : "v:" + arg;
}

// deno-lint-ignore no-explicit-any
type FState = any;

function fengariState(): FState {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushcfunction(L, (L: FState) => {
    const n = lua.lua_gettop(L);
    let last = "";
    for (let i = 1; i <= n; i++) last = binaryFromBytes(lua.lua_tolstring(L, i));
    const r = hostResult(last);
    if (typeof r === "number") lua.lua_pushnumber(L, r);
    else lua.lua_pushlstring(L, bytesFromBinary(r), r.length);
    return 1;
  });
  lua.lua_setglobal(L, fengari.to_luastring("call"));
  return L;
}

function fengariRun(L: FState, src: string): unknown {
  if (lauxlib.luaL_loadbuffer(L, fengari.to_luastring(src), null, null) !== 0) {
    throw new Error(fengari.to_jsstring(lua.lua_tostring(L, -1)));
  }
  if (lua.lua_pcall(L, 0, 1, 0) !== 0) {
    throw new Error(fengari.to_jsstring(lua.lua_tostring(L, -1)));
  }
  const v = lua.lua_tonumber(L, -1);
  lua.lua_pop(L, 1);
  return v;
}

function fengariRoundTrip(): boolean {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  let seen = "";
  lua.lua_pushcfunction(L, (L: FState) => {
    seen = binaryFromBytes(lua.lua_tolstring(L, 1));
    lua.lua_pushlstring(L, bytesFromBinary(seen), seen.length);
    return 1;
  });
  lua.lua_setglobal(L, fengari.to_luastring("echo"));
  lua.lua_pushlstring(L, bytesFromBinary(ALL_BYTES), 256);
  lua.lua_setglobal(L, fengari.to_luastring("input"));
  lauxlib.luaL_loadstring(L, fengari.to_luastring("return echo(input)"));
  lua.lua_pcall(L, 0, 1, 0);
  const back = binaryFromBytes(lua.lua_tolstring(L, -1));
  return seen === ALL_BYTES && back === ALL_BYTES;
}

// deno-lint-ignore no-explicit-any
async function wasmoonEngine(factory: LuaFactory): Promise<any> {
  const engine = await factory.createEngine();
  engine.global.set("call", (...args: string[]) => hostResult(args[args.length - 1] ?? ""));
  return engine;
}

async function wasmoonRoundTrip(): Promise<boolean> {
  const engine = await new LuaFactory().createEngine();
  let seen = "";
  engine.global.set("echo", (s: string) => {
    seen = s;
    return s;
  });
  engine.global.set("input", ALL_BYTES);
  const back = await engine.doString("return echo(input)");
  engine.global.close();
  return seen === ALL_BYTES && back === ALL_BYTES;
}

function time(fn: () => void, n: number): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}
async function timeAsync(fn: () => Promise<void>, n: number): Promise<number> {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

function memory(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}
function gc(): void {
  // deno-lint-ignore no-explicit-any
  const g = (globalThis as any).gc;
  if (typeof g === "function") g();
}

const VMS = 100;
const rows: string[][] = [];
const stability: string[] = [];

// fengari
{
  const create = time(() => void fengariState(), 50);
  gc();
  const before = memory();
  const keep: FState[] = [];
  for (let i = 0; i < VMS; i++) keep.push(fengariState());
  gc();
  const perVm = (memory() - before) / VMS;
  const L = fengariState();
  const calls = time(() => void fengariRun(L, CALLS_SCRIPT), 200);
  const loop = time(() => void fengariRun(L, LOOP_SCRIPT), 3);
  let failure = "none in 300 runs";
  for (let i = 0; i < 300; i++) {
    try {
      fengariRun(L, CALLS_SCRIPT);
    } catch (err) {
      failure = `run ${i + 1}: ${String(err).slice(0, 90)}`;
      break;
    }
  }
  stability.push(`fengari: ${failure}`);
  rows.push([
    "fengari 0.1.5 (Lua 5.3, JS)",
    create.toFixed(3),
    (perVm / 1024).toFixed(0),
    calls.toFixed(3),
    loop.toFixed(1),
    String(fengariRoundTrip()),
  ]);
  keep.length = 0;
}

// wasmoon (each phase on its own factory: running scripts on an engine after
// other engines of the same factory were created and closed failed with
// "attempt to index a nil value (upvalue '_ENV')" in our runs)
{
  const e = await wasmoonEngine(new LuaFactory());
  // only 30 runs: the engine breaks after ~45 runs of the 100-call script
  const calls = await timeAsync(async () => void await e.doString(CALLS_SCRIPT), 30);
  const loopEngine = await wasmoonEngine(new LuaFactory());
  const loop = await timeAsync(async () => void await loopEngine.doString(LOOP_SCRIPT), 3);
  const stable = await new LuaFactory().createEngine();
  stable.global.set("call", (...args: string[]) => hostResult(args[args.length - 1] ?? ""));
  let failure = "none in 300 runs";
  for (let i = 0; i < 300; i++) {
    try {
      await stable.doString(CALLS_SCRIPT);
    } catch (err) {
      failure = `run ${i + 1}: ${String(err).slice(0, 90)}`;
      break;
    }
  }
  stability.push(`wasmoon: ${failure}`);
  const createFactory = new LuaFactory();
  const create = await timeAsync(async () => {
    const e = await createFactory.createEngine();
    e.global.close();
  }, 50);
  const memFactory = new LuaFactory();
  await wasmoonEngine(memFactory);
  gc();
  const before = memory();
  const keep = [];
  for (let i = 0; i < VMS; i++) keep.push(await wasmoonEngine(memFactory));
  gc();
  const perVm = (memory() - before) / VMS;
  rows.push([
    "wasmoon 1.16.0 (Lua 5.4, wasm)",
    create.toFixed(3),
    (perVm / 1024).toFixed(0),
    calls.toFixed(3),
    loop.toFixed(1),
    String(await wasmoonRoundTrip()),
  ]);
  for (const k of keep) k.global.close();
}

console.log(
  `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ${Deno.build.os}/${Deno.build.arch}`,
);
console.log("");
console.log(
  "| VM | create (ms) | memory per VM (KiB, heap+external) | 100 host calls (ms/run) | 1e6-iteration Lua loop (ms) | bytes 0-255 round-trip |",
);
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log("");
console.log("Stability, one VM running the 100-call script repeatedly (first failure):");
console.log("");
for (const line of stability) console.log(`- ${line}`);
