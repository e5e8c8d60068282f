import assert from "node:assert/strict";
import { type Case, lit, M, runCases, T } from "./lua_oracle.ts";
import { hasRedisServer } from "../support/server.ts";
import { LUA_NULL, LuaOpaque, LuaTable, type LuaValue } from "../../src/scripting/libs/value.ts";
import { createCmsgpackLib, msgpackPack } from "../../src/scripting/libs/cmsgpack.ts";

const cases: Case[] = [];
/** pack(values) — compared as the raw packed bytes. */
const addPack = (lua: string, vals: () => LuaValue[]) =>
  cases.push({ lua: `return cmsgpack.pack(${lua})`, ts: (l) => l.cmsgpack.pack!(vals()) });
const addUnpack = (fn: string, data: string, extra = "", extraVals: LuaValue[] = []) =>
  cases.push({
    lua: `return cmsgpack.${fn}(${lit(data)}${extra ? ", " + extra : ""})`,
    ts: (l) => l.cmsgpack[fn]!([data, ...extraVals]),
  });

const NUMBERS: [string, number][] = [
  ["0", 0],
  ["1", 1],
  ["127", 127],
  ["128", 128],
  ["255", 255],
  ["256", 256],
  ["65535", 65535],
  ["65536", 65536],
  ["2^32-1", 2 ** 32 - 1],
  ["2^32", 2 ** 32],
  ["2^53", 2 ** 53],
  ["2^63-1024", 2 ** 63 - 1024],
  ["2^63", 2 ** 63],
  ["2^64", 2 ** 64],
  ["-1", -1],
  ["-32", -32],
  ["-33", -33],
  ["-128", -128],
  ["-129", -129],
  ["-32768", -32768],
  ["-32769", -32769],
  ["-2^31", -(2 ** 31)],
  ["-2^31-1", -(2 ** 31) - 1],
  ["-2^63", -(2 ** 63)],
  ["-2^63-2048", -(2 ** 63) - 2048],
  ["0.5", 0.5],
  ["0.1", 0.1],
  ["1.5", 1.5],
  ["-0.25", -0.25],
  ["1/0", Infinity],
  ["-1/0", -Infinity],
  ["-0", -0],
  ["1e300", 1e300],
  ["-1e-300", -1e-300],
  ["3.4028234663852886e38", 3.4028234663852886e38],
  ["2^-149", 2 ** -149],
  ["1/3", 1 / 3],
  ["123456.789", 123456.789],
  ["2^24+1", 2 ** 24 + 1],
  ["(2^24+1)/2", (2 ** 24 + 1) / 2],
];
for (const [lua, v] of NUMBERS) addPack(lua, () => [v]);
for (const n of [0, 1, 31, 32, 255, 256, 65535, 65536]) {
  const s = "x".repeat(n);
  addPack(`string.rep('x', ${n})`, () => [s]);
}
addPack(lit('\0\xff\x80a"\\'), () => ['\0\xff\x80a"\\']);
addPack("true", () => [true]);
addPack("false", () => [false]);
addPack("nil", () => [undefined]);
addPack("cjson.null", () => [LUA_NULL]);
addPack("redis.call", () => [new LuaOpaque("function")]);
addPack("{}", () => [new LuaTable()]);
addPack("{1,2,3}", () => [T(1, 2, 3)]);
addPack("{1,nil,3}", () => [T(1, undefined, 3)]);
addPack("{[1]=1,[3]=3}", () => [M([1, 1], [3, 3])]);
addPack("{a=1}", () => [M(["a", 1])]);
addPack("{x={y={}}}", () => [M(["x", M(["y", new LuaTable()])])]);
addPack("{1,2,x=3}", () => [M([1, 1], [2, 2], ["x", 3])]);
addPack("{[1.5]=1}", () => [M([1.5, 1])]);
addPack("{[0]=1}", () => [M([0, 1])]);
addPack("{[-1]=1}", () => [M([-1, 1])]);
addPack("{[true]=false}", () => [M([true, false])]);
addPack("{[2]='b'}", () => [M([2, "b"])]);
addPack("{{}, {{}}, 'a', 1.5}", () => [T(new LuaTable(), T(new LuaTable()), "a", 1.5)]);
for (const n of [15, 16, 65535, 65536]) {
  const t = T(...Array.from({ length: n }, (_, i) => i % 200));
  addPack(
    `(function() local t = {} for i = 1, ${n} do t[i] = (i - 1) % 200 end return t end)()`,
    () => [t],
  );
}
// maps with 16 / 65536 keys (integer keys with a hole; Lua iterates them in order here)
for (const n of [15, 16, 65536]) {
  const t = M(...Array.from({ length: n }, (_, i) => [i + 2, 1] as [number, number]));
  addPack(
    `(function() local t = {} for i = 2, ${n + 1} do t[i] = 1 end return t end)()`,
    () => [t],
  );
}
// nesting: level 16 tables become nil
for (const depth of [15, 16, 17, 20]) {
  const mk = () => {
    let t = T(1);
    for (let i = 1; i < depth; i++) t = T(t);
    return t;
  };
  addPack(
    `(function() local t = {1} for i = 2, ${depth} do t = {t} end return t end)()`,
    () => [mk()],
  );
}
addPack("1, 'a', {}, nil, true", () => [1, "a", new LuaTable(), undefined, true]);
addPack("", () => []);
// unpack of raw bytes
const RAW = [
  "\x00",
  "\x7f",
  "\xcc\xff",
  "\xd0\x80",
  "\xd0\x7f",
  "\xcd\x12\x34",
  "\xd1\x80\x00",
  "\xd1\xff\xfe",
  "\xce\xff\xff\xff\xff",
  "\xd2\x80\x00\x00\x00",
  "\xd2\xff\xff\xff\xfe",
  "\xcf\x00\x00\x00\x01\x00\x00\x00\x00",
  "\xcf\xff\xff\xff\xff\xff\xff\xff\xff",
  "\xcf\x80\x00\x00\x00\x00\x00\x00\x00",
  "\xcf\x00\x20\x00\x00\x00\x00\x00\x01",
  "\xd3\x80\x00\x00\x00\x00\x00\x00\x00",
  "\xd3\xff\xff\xff\xff\xff\xff\xff\xfe",
  "\xe0",
  "\xff",
  "\xc0",
  "\xc2",
  "\xc3",
  "\xca\x3f\xc0\x00\x00",
  "\xca\x7f\x80\x00\x00",
  "\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a",
  "\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00",
  "\xa0",
  "\xa3abc",
  "\xbf" + "z".repeat(31),
  "\xd9\x03abc",
  "\xda\x00\x02ab",
  "\xdb\x00\x00\x00\x01a",
  "\x90",
  "\x93\x01\x02\x03",
  "\x92\xc0\x01",
  "\x93\x01\xc0\xc0",
  "\xdc\x00\x02\x01\x02",
  "\xdd\x00\x00\x00\x01\x05",
  "\x80",
  "\x81\xa1a\x01",
  "\x82\x01\x02\x03\x04",
  "\x81\xa1a\xc0",
  "\x82\xa1a\x01\xa1a\x02",
  "\xde\x00\x01\x01\x02",
  "\xdf\x00\x00\x00\x01\xc3\xc2",
  "\x81\x92\x01\x02\x03",
  "\x01\x02\x03",
  "\xa1a\x93\x01\x02\x03\xc0",
  // errors
  "\xc1",
  "\xc4\x01a",
  "\xc7\x01\x01a",
  "\xd4\x01\x01",
  "\xcc",
  "\xcd\x01",
  "\xd9",
  "\xd9\x05ab",
  "\xdb\x00\x00\x00\x05ab",
  "\x92\x01",
  "\x81\x01",
  "\x81\xc0\x01",
  "\x81\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00\x01",
  "\x01\xc1",
  "\xdc\x00",
  "\xa5abc",
];
for (const d of RAW) {
  addUnpack("unpack", d);
  addUnpack("unpack_one", d);
  for (const off of [0, 1, 2, 3]) addUnpack("unpack_one", d, String(off), [off]);
  for (const [lim, off] of [[0, 0], [1, 0], [2, 0], [1, 1], [2, 1], [5, 2]]) {
    addUnpack("unpack_limit", d, `${lim}, ${off}`, [lim, off]);
  }
}
addUnpack("unpack", "");
addUnpack("unpack_one", "");
addUnpack("unpack_one", "", "1", [1]);
addUnpack("unpack_one", "a", "5", [5]);
addUnpack("unpack_one", "a", "-1", [-1]);
addUnpack("unpack_limit", "a");
addUnpack("unpack_limit", "a", "-1", [-1]);
addUnpack("unpack_limit", "\x01\x02", "'1'", ["1"]);
addUnpack("unpack_limit", "\x01\x02", "1.9", [1.9]);
addUnpack("unpack_limit", "\x01\x02", "1, 'x'", [1, "x"]);
addUnpack("unpack_one", "\x01\x02", "nil", [undefined]);
cases.push({ lua: "return cmsgpack.unpack()", ts: (l) => l.cmsgpack.unpack!([]) });
cases.push({ lua: "return cmsgpack.unpack({})", ts: (l) => l.cmsgpack.unpack!([new LuaTable()]) });
cases.push({ lua: "return cmsgpack.unpack(1)", ts: (l) => l.cmsgpack.unpack!([1]) });
// the C function's stack limit
for (const n of [7997, 7998, 7999, 8000, 8001]) {
  cases.push({
    lua: `return select('#', cmsgpack.unpack(string.rep('\\1', ${n})))`,
    ts: (l) => [l.cmsgpack.unpack!(["\x01".repeat(n)]).length],
  });
  for (
    const [pre, bytes] of [["\\145", "\x91"], ["\\129\\1", "\x81\x01"], ["\\145\\145", "\x91\x91"]]
  ) {
    cases.push({
      lua: `return select('#', cmsgpack.unpack(string.rep('\\1', ${n - 3}) .. '${pre}\\1'))`,
      ts: (l) => [l.cmsgpack.unpack!(["\x01".repeat(n - 3) + bytes + "\x01"]).length],
    });
  }
  cases.push({
    lua: `return select('#', cmsgpack.unpack_limit(string.rep('\\1', ${n}), ${n}, 0))`,
    ts: (l) => [l.cmsgpack.unpack_limit!(["\x01".repeat(n), n, 0]).length],
  });
}
// round trips through both sides
for (const [lua, v] of NUMBERS) {
  cases.push({
    lua: `return cmsgpack.unpack(cmsgpack.pack(${lua}, {${lua}}))`,
    ts: (l) => l.cmsgpack.unpack!([l.cmsgpack.pack!([v, T(v)])[0]]),
  });
}

Deno.test({
  name: "cmsgpack: byte equality with real Redis 7.0.15",
  ignore: !hasRedisServer(),
  async fn() {
    const { count, mismatches, vmMismatches } = await runCases(cases);
    // the same chunks through resplite's VM give real Redis's output exactly
    assert.deepEqual(vmMismatches, [], vmMismatches.join("\n"));
    assert.deepEqual(mismatches, [], `${mismatches.length}/${count} mismatches`);
    assert.ok(count > 700);
  },
});

Deno.test("cmsgpack: pack and unpack", () => {
  assert.equal(msgpackPack([T(1, "a")]), "\x92\x01\xa1a");
  const mp = createCmsgpackLib();
  const [t] = mp.unpack!(["\x81\xa1k\x92\x01\xc3"]);
  assert.ok(t instanceof LuaTable);
  assert.deepEqual([...(t.get("k") as LuaTable).entries()], [[1, 1], [2, true]]);
  assert.deepEqual(mp.unpack_one!(["\x01\x02"]), [1, 1]);
  assert.deepEqual(mp.unpack_limit!(["\x01\x02\x03", 2, 1]), [-1, 2, 3]);
});
