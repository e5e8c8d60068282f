/**
 * Lua 5.1 table layout (src/scripting/lua51_tables.ts): the order `pairs`
 * walks a table, `#t`, and `cjson.encode` / `cmsgpack.pack` of it, compared
 * with real Redis 7.0.15 (EVAL) on hundreds of generated tables.
 */
import assert from "node:assert/strict";
import fengari from "fengari";
import {
  installLua51Tables,
  lua51FullCollection,
  lua51StringHash,
} from "../../src/scripting/lua51_tables.ts";
import { LuaVm } from "../../src/scripting/vm.ts";
import { hasRedisServer, RawClient, startRealRedis, testServer } from "../support/server.ts";
import { mulberry32 } from "../support/prng.ts";

installLua51Tables();

/** Walks `t` and reports its order, `#t`, cjson and cmsgpack encodings. */
const EPILOGUE = `
local function ser(v)
  local ty = type(v)
  if ty == "string" then return "s" .. v end
  if ty == "number" then return "n" .. tostring(v) end
  if ty == "boolean" then return tostring(v) end
  return ty
end
local o = {}
for k, v in pairs(t) do o[#o + 1] = ser(k) .. "=" .. ser(v) end
local ok, j = pcall(cjson.encode, t)
if not ok then j = "E" end
local ok2, m = pcall(cmsgpack.pack, t)
if not ok2 then m = "E" end
local h = {}
for i = 1, #m do h[#h + 1] = string.format("%02x", m:byte(i)) end
return table.concat(o, ",") .. "|#" .. #t .. "|" .. j .. "|" .. table.concat(h)
`;

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

/** The generated cases: Lua code building a local table `t`. */
function cases(): string[] {
  const r = mulberry32(15);
  const int = (n: number) => Math.floor(r() * n);
  const name = (max: number): string => {
    const len = 1 + int(max);
    let s = "";
    for (let i = 0; i < len; i++) s += ALNUM[int(ALNUM.length)];
    return s;
  };
  const q = (s: string) => JSON.stringify(s);
  const out: string[] = [];
  // arrays by constructor, across SETLIST flushes of 50
  for (const n of [0, 1, 2, 3, 5, 8, 16, 17, 33, 49, 50, 51, 70, 101, 130]) {
    out.push(`local t = {${Array.from({ length: n }, (_, i) => i * 10).join(",")}}`);
  }
  // arrays grown by loops, forwards, backwards, with a step
  for (const n of [1, 2, 3, 4, 5, 7, 9, 15, 16, 17, 31, 33, 64, 65, 100, 200]) {
    out.push(`local t = {} for i = 1, ${n} do t[i] = i end`);
    out.push(`local t = {} for i = ${n}, 1, -1 do t[i] = i end`);
    out.push(`local t = {} for i = 1, ${n} do t[#t + 1] = "v" .. i end`);
    out.push(`local t = {} for i = 1, ${n}, 2 do t[i] = i end`);
  }
  // string keys by constructor and by assignment, names of many lengths
  for (let c = 0; c < 60; c++) {
    const n = 1 + int(c < 30 ? 8 : 40);
    const names = [...new Set(Array.from({ length: n }, () => name(c % 3 === 0 ? 70 : 12)))];
    out.push(`local t = {${names.map((k, i) => `[${q(k)}]=${i}`).join(",")}}`);
    out.push(`local t = {} ${names.map((k, i) => `t[${q(k)}]=${i}`).join(" ")}`);
  }
  // the field names jobs and queues use
  const common = [
    "name",
    "delay",
    "attempts",
    "priority",
    "jobId",
    "timestamp",
    "data",
    "opts",
    "id",
    "status",
    "progress",
    "returnvalue",
    "failedReason",
    "stacktrace",
    "processedOn",
    "finishedOn",
  ];
  for (let c = 0; c < 40; c++) {
    const ks = common.filter(() => r() < 0.5);
    out.push(`local t = {${ks.map((k, i) => `${k}=${i}`).join(",")}}`);
    out.push(`local t = {} ${ks.map((k, i) => `t.${k}=${i}`).join(" ")}`);
  }
  // number keys: negative, fractions, huge, zero
  const nums = [
    "0",
    "-1",
    "-2",
    "0.5",
    "-0.5",
    "1.5",
    "3.25",
    "1e10",
    "-1e10",
    "2^31",
    "2^32",
    "2^53",
    "1e300",
    "-1e300",
    "2^26",
    "2^26+1",
    "1e15",
    "123456789",
    "7",
    "100",
    "1/0",
    "-1/0",
  ];
  for (let c = 0; c < 40; c++) {
    const ks = [...new Set(nums.filter(() => r() < 0.3))];
    out.push(`local t = {${ks.map((k, i) => `[${k}]=${i}`).join(",")}}`);
    out.push(`local t = {} ${ks.map((k, i) => `t[${k}]=${i}`).join(" ")}`);
  }
  for (let c = 0; c < 20; c++) {
    const n = 5 + int(60);
    const ks = [...new Set(Array.from({ length: n }, () => int(2000) - 1000))];
    out.push(`local t = {} ${ks.map((k) => `t[${k}]=${k}`).join(" ")}`);
  }
  // mixed constructors: array items and hash items interleaved, varargs
  for (let c = 0; c < 40; c++) {
    const items: string[] = [];
    const n = 1 + int(20);
    for (let i = 0; i < n; i++) {
      const p = r();
      if (p < 0.4) items.push(String(i));
      else if (p < 0.8) items.push(`[${q(name(6))}]=${i}`);
      else if (p < 0.9) items.push(`[${int(10) + 1}]=${i}`);
      else items.push(`[${r() < 0.5 ? "true" : "false"}]=${i}`);
    }
    out.push(`local t = {${items.join(",")}}`);
    out.push(`local function f() return 1, 2, 3, 4, 5 end local t = {${items.join(",")}, f()}`);
  }
  out.push(`local function f(...) return {...} end local t = f(1, 2, 3, 4, 5, 6, 7)`);
  out.push(`local function f(...) return {a = 1, b = 2, ...} end local t = f(1, 2, 3)`);
  out.push(`local t = {x = 1, y = 2, unpack({1, 2, 3, 4, 5})}`);
  // tables grown by loops past several rehashes, mixed key types
  for (let c = 0; c < 30; c++) {
    const n = 10 + int(300);
    const kind = c % 3;
    const key = kind === 0
      ? `"k" .. i`
      : kind === 1
      ? `i * 3 - 50`
      : `(i % 2 == 0) and i or "s" .. i`;
    out.push(`local t = {} for i = 1, ${n} do t[${key}] = i end`);
  }
  // deletions, re-insertions, nil stores on absent keys
  for (let c = 0; c < 60; c++) {
    const ops: string[] = [];
    const pool = Array.from(
      { length: 4 + int(20) },
      (_, i) => c % 2 === 0 ? q(name(5)) : String(int(40) - 5 + (i % 3 === 0 ? 0.5 : 0)),
    );
    const m = 5 + int(50);
    for (let i = 0; i < m; i++) {
      const k = pool[int(pool.length)]!;
      ops.push(r() < 0.3 ? `t[${k}]=nil` : `t[${k}]=${i}`);
    }
    out.push(`local t = {} ${ops.join(" ")}`);
  }
  for (const n of [5, 10, 20, 50]) {
    out.push(
      `local t = {} for i = 1, ${n} do t["k" .. i] = i end for i = 1, ${n}, 2 do t["k" .. i] = nil end for i = 1, ${n} do t["j" .. i] = i end`,
    );
    out.push(
      `local t = {} for i = 1, ${n} do t[i] = i end for i = 2, ${n}, 3 do t[i] = nil end t.x = 1 t.y = 2`,
    );
    out.push(`local t = {} for i = 1, ${n} do t[i * 2] = i end for i = 1, ${n} do t[i] = nil end`);
  }
  // holes and borders for #t
  for (let c = 0; c < 30; c++) {
    const n = 2 + int(40);
    const set = Array.from({ length: n }, (_, i) => i + 1).filter(() => r() < 0.7);
    out.push(`local t = {} ${set.map((i) => `t[${i}]=${i}`).join(" ")}`);
    out.push(
      `local t = {${
        Array.from({ length: n }, (_, i) => (set.includes(i + 1) ? i : "nil")).join(",")
      }}`,
    );
  }
  // booleans
  out.push(`local t = {[true] = 1, [false] = 2, a = 3, b = 4}`);
  out.push(`local t = {} t[false] = 1 t.x = 2 t[true] = 3 t[1] = 4 t.y = 5`);
  // clearing during a traversal, then reuse
  out.push(
    `local t = {} for i = 1, 30 do t["k" .. i] = i end for k in pairs(t) do t[k] = nil end for i = 1, 5 do t["n" .. i] = i end`,
  );
  // assigning existing fields during a traversal keeps the order
  out.push(
    `local t = {a = 1, b = 2, c = 3, 10, 20} for k, v in pairs(t) do t[k] = v * 2 end`,
  );
  // library and API paths: table.insert / remove / sort, rawset / rawseti,
  // cjson.decode and cmsgpack.unpack results grown further
  for (let c = 0; c < 20; c++) {
    const ks = common.filter(() => r() < 0.4);
    const sets = ks.map((k, i) => `t.${k}=${i}`).join(" ");
    const n = 1 + int(12);
    out.push(`local t = {} ${sets} for i = 1, ${n} do table.insert(t, i) end`);
    out.push(
      `local t = {${
        ks.map((k, i) => `${k}=${i}`).join(",")
      }} for i = 1, ${n} do table.insert(t, 1, i) end table.remove(t, 1)`,
    );
    out.push(
      `local t = {} for i = 1, ${n} do rawset(t, "r" .. i, i) rawset(t, i * 2, i) end ${sets}`,
    );
    const obj = "{" + ks.map((k, i) => `"${k}":${i}`).join(",") + "}";
    out.push(`local t = cjson.decode(${q(obj)}) t.extra = 1 t[1] = 2`);
    out.push(`local t = cjson.decode("[1,2,3,4,5,6,7]") ${sets}`);
    out.push(`local t = cmsgpack.unpack(cmsgpack.pack(cjson.decode(${q(obj)}))) t.z = 0`);
  }
  // random histories over mixed key types: stores, deletions, re-stores
  const keyPool = (): string[] => {
    const p: string[] = [];
    for (let i = 0; i < 3 + int(40); i++) {
      const x = r();
      if (x < 0.35) p.push(q(name(x < 0.1 ? 40 : 8)));
      else if (x < 0.7) p.push(String(1 + int(70)));
      else if (x < 0.8) p.push(String(int(100) - 50 + 0.25));
      else if (x < 0.9) p.push(String(-int(1000)));
      else p.push(r() < 0.5 ? "true" : "false");
    }
    return p;
  };
  for (let c = 0; c < 150; c++) {
    const pool = keyPool();
    const ops: string[] = [];
    const m = 5 + int(120);
    for (let i = 0; i < m; i++) {
      const k = pool[int(pool.length)]!;
      ops.push(r() < 0.2 ? `t[${k}]=nil` : `t[${k}]=${i}`);
    }
    out.push(`local t = {} ${ops.join(" ")}`);
  }
  out.push(`local t = {5, 3, 9, 1, x = 1, y = 2} table.sort(t)`);
  out.push(`local t = {} t[1] = 1 t[2] = 2 t[4] = 4 t.a = 1 t[3] = 3 t[5] = 5`);
  out.push(`local t = {n = 0} for i = 1, 20 do t.n = t.n + 1 t[t.n] = i end`);
  // keys that are tables or functions sit by address in C: only count them
  out.push(
    `local t = {} t[{}] = 1 t[tostring] = 2 local n = 0 for k in pairs(t) do n = n + 1 end t = {n}`,
  );
  return out;
}

function parseBulk(reply: string): string {
  if (reply.startsWith("-")) throw new Error(`script error: ${reply}`);
  const nl = reply.indexOf("\r\n");
  const n = Number(reply.slice(1, nl));
  return reply.slice(nl + 2, nl + 2 + n);
}

Deno.test({
  name: "lua51 tables: pairs order, #t, cjson and cmsgpack match Redis",
  ignore: !hasRedisServer(),
  async fn() {
    await using real = await startRealRedis();
    const c = await RawClient.connect(real.port);
    const vm = new LuaVm();
    const all = cases();
    const bad: string[] = [];
    try {
      for (const code of all) {
        const script = code + "\n" + EPILOGUE;
        const want = parseBulk(await c.call("EVAL", script, "0"));
        const r = vm.eval(script);
        const got = r.kind === "bulk" ? r.value : JSON.stringify(r);
        if (got !== want) bad.push(`${code}\n  redis: ${want}\n  vm:    ${got}`);
      }
    } finally {
      vm.close();
      c.close();
    }
    console.log(`lua51 tables: ${all.length - bad.length} of ${all.length} cases match Redis`);
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${all.length} cases differ`);
  },
});

Deno.test("lua51 tables: 5.1's string hash", () => {
  const h = (s: string) => lua51StringHash(new TextEncoder().encode(s));
  // seed = length, then h ^= (h << 5) + (h >> 2) + byte from the last byte
  assert.deepEqual(h(""), 0);
  let x = 1;
  x = (x ^ ((x << 5) + (x >>> 2) + 97)) >>> 0;
  assert.deepEqual(h("a"), x);
});

Deno.test("lua51 tables: next with a deleted key, invalid keys, string keys with low bytes", () => {
  const vm = new LuaVm();
  try {
    const run = (s: string) => vm.eval(s);
    assert.deepEqual(
      run(`local t = {a = 1, b = 2, c = 3} local n = 0
        for k in pairs(t) do t[k] = nil n = n + 1 end return n`),
      { kind: "integer", value: 3 },
    );
    assert.deepEqual(
      run(`local t = {} t["\\1#"] = 1 t["\\18\\3"] = 2 return t["\\1#"] + t["\\18\\3"]`),
      {
        kind: "integer",
        value: 3,
      },
    );
    assert.deepEqual(run(`return {"\\15" < "\\16", "\\16" < "\\15"}`), {
      kind: "array",
      items: [{ kind: "integer", value: 1 }, { kind: "nil" }],
    });
    const e = run(`return next({a = 1}, "zz")`);
    assert.deepEqual(e.kind, "error");
  } finally {
    vm.close();
  }
});

Deno.test({
  name: "lua51 tables: dead keys after a full collection match Redis",
  ignore: !hasRedisServer(),
  async fn() {
    // a bare fengari state whose collectgarbage() records a full collection
    // deno-lint-ignore no-explicit-any
    const { lua, lauxlib, lualib, to_luastring } = fengari as any;
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    // deno-lint-ignore no-explicit-any
    lua.lua_pushcfunction(L, (T: any) => {
      lua51FullCollection(T);
      return 0;
    });
    lua.lua_setglobal(L, to_luastring("collectgarbage"));
    await using real = await startRealRedis();
    const c = await RawClient.connect(real.port);
    const r = mulberry32(51);
    const walk = ` local o = {} for k in pairs(t) do o[#o + 1] = tostring(k) end
      return table.concat(o, ",")`;
    const bad: string[] = [];
    const count = 200;
    try {
      for (let s = 0; s < count; s++) {
        const pool = Array.from(
          { length: 3 + Math.floor(r() * 20) },
          () => r() < 0.7 ? `"k${Math.floor(r() * 30)}"` : String(Math.floor(r() * 20)),
        );
        let code = "local t = {} ";
        for (let i = 0; i < 40; i++) {
          const k = pool[Math.floor(r() * pool.length)];
          const p = r();
          code += p < 0.25 ? `t[${k}]=nil ` : p < 0.35 ? "collectgarbage() " : `t[${k}]=${i} `;
        }
        const want = parseBulk(await c.call("EVAL", code + walk, "0"));
        assert.equal(lauxlib.luaL_dostring(L, to_luastring(code + walk)), 0);
        const got = lua.lua_tojsstring(L, -1);
        lua.lua_pop(L, 1);
        if (got !== want) bad.push(`${code}\n  redis: ${want}\n  vm:    ${got}`);
      }
    } finally {
      c.close();
    }
    assert.deepEqual(bad.slice(0, 3), [], `${bad.length} of ${count} cases differ`);
  },
});

Deno.test({
  name: "lua51 tables: EVAL through the server walks tables as Redis (RESP2 and RESP3)",
  ignore: !hasRedisServer(),
  async fn() {
    await using real = await startRealRedis();
    await using t = await testServer();
    const want = await RawClient.connect(real.port);
    const got = await t.raw();
    const fields: string[] = [];
    for (let i = 0; i < 40; i++) fields.push(`field:${i * 7}`, `v${i}`);
    const scripts = [
      // a hash read into a table keyed by field, then encoded
      `local r = redis.call('HGETALL', KEYS[1]) local t = {}
       for i = 1, #r, 2 do t[r[i]] = r[i + 1] end
       local o = {} for k in pairs(t) do o[#o + 1] = k end
       return {table.concat(o, ','), cjson.encode(t), cmsgpack.pack(t)}`,
      // a map reply from a script table (RESP3) and its RESP2 flattening
      `redis.setresp(3) local r = redis.call('HGETALL', KEYS[1])
       local n = 0 for k in pairs(r.map) do n = n + 1 end
       local t = {} for k, v in pairs(r.map) do t[k .. '!'] = v end
       return {map = t}`,
      `redis.setresp(3) return redis.call('HGETALL', KEYS[1])`,
      `local t = {name = 'x', delay = 5, attempts = 3, priority = 1, jobId = '12'}
       return cjson.encode(t)`,
    ];
    try {
      for (const c of [want, got]) {
        assert.equal(await c.call("DEL", "h"), ":0\r\n");
        assert.equal(await c.call("HSET", "h", ...fields), ":40\r\n");
      }
      for (const proto of ["2", "3"]) {
        for (const c of [want, got]) await c.call("HELLO", proto);
        for (const s of scripts) {
          assert.equal(
            await got.call("EVAL", s, "1", "h"),
            await want.call("EVAL", s, "1", "h"),
            `RESP${proto}: ${s}`,
          );
        }
      }
    } finally {
      want.close();
    }
  },
});
