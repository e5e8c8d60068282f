import assert from "node:assert/strict";
import { type Case, lit, M, runCases, T } from "./lua_oracle.ts";
import { hasRedisServer } from "../support/server.ts";
import { LUA_NULL, LuaOpaque, LuaTable, type LuaValue } from "../../src/scripting/libs/value.ts";
import {
  cjsonDecode,
  cjsonEncode,
  createCjsonLib,
  defaultCjsonConfig,
} from "../../src/scripting/libs/cjson.ts";

const cases: Case[] = [];
type F = Record<string, (a: LuaValue[]) => LuaValue[]>;
/** `setup` runs config calls first (same Lua text on both sides via `cfg`). */
const add = (lua: string, ts: (c: F) => LuaValue[]) =>
  cases.push({ lua, ts: (l) => ts(l.cjson as F) });
const enc = (luaArg: string, v: () => LuaValue, pre = "", preTs: (c: F) => void = () => {}) =>
  add(`${pre} return cjson.encode(${luaArg})`, (c) => {
    preTs(c);
    return c.encode!([v()]);
  });
const dec = (json: string, pre = "", preTs: (c: F) => void = () => {}) =>
  add(`${pre} return cjson.decode(${lit(json)})`, (c) => {
    preTs(c);
    return c.decode!([json]);
  });

const NUMBERS: [string, number][] = [
  ["0.1+0.2", 0.1 + 0.2],
  ["1e300", 1e300],
  ["123456789012345678", 123456789012345678],
  ["-0", -0],
  ["1/3", 1 / 3],
  ["1e-300", 1e-300],
  ["100", 100],
  ["2^53", 2 ** 53],
  ["12345678901234.5", 12345678901234.5],
  ["12345678901235.5", 12345678901235.5],
  ["0.5", 0.5],
  ["1e15", 1e15],
  ["1e14", 1e14],
  ["99999999999999.5", 99999999999999.5],
  ["123456.789", 123456.789],
  ["-1.5e-7", -1.5e-7],
  ["5e-324", 5e-324],
  ["0.0001", 0.0001],
  ["0.00001", 0.00001],
  ["1.7976931348623157e308", 1.7976931348623157e308],
  ["-2^63", -(2 ** 63)],
  ["2^31", 2 ** 31],
  ["0.000123456789012345", 0.000123456789012345],
  ["1234567.0000005", 1234567.0000005],
  ["9.5", 9.5],
  ["0.95", 0.95],
  ["2.675", 2.675],
];
for (const [lua, v] of NUMBERS) {
  enc(lua, () => v);
  for (const p of [1, 2, 3, 6, 13]) {
    enc(
      lua,
      () => v,
      `cjson.encode_number_precision(${p})`,
      (c) => c.encode_number_precision!([p]),
    );
  }
}
for (
  const [lua, v] of [["1/0", Infinity], ["-1/0", -Infinity], ["0/0", NaN]] as [string, number][]
) {
  enc(lua, () => v);
  enc(`{${lua}}`, () => T(v));
  enc(`{[${lua}]=1}`, () => M([v, 1]));
  for (const mode of ["true", "false", "'on'", "'off'", "'null'"]) {
    const tsMode: LuaValue = mode === "true" ? true : mode === "false" ? false : mode.slice(1, -1);
    enc(
      lua,
      () => v,
      `cjson.encode_invalid_numbers(${mode})`,
      (c) => c.encode_invalid_numbers!([tsMode]),
    );
    enc(
      `{${lua}, 1}`,
      () => T(v, 1),
      `cjson.encode_invalid_numbers(${mode})`,
      (c) => c.encode_invalid_numbers!([tsMode]),
    );
  }
}
const STRINGS = [
  "",
  "abc",
  "\0\x01\x1f\x7f\x80\xff",
  '"\\/',
  "\b\t\n\f\r\x0b\x0e",
  "\xc3\xa9\xf0\x9f\x98\x80",
  "\xc3",
  "\xed\xa0\x80",
  Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(""),
];
for (const s of STRINGS) {
  enc(lit(s), () => s);
  enc(`{[${lit(s)}]=${lit(s)}}`, () => M([s, s]));
}
enc("true", () => true);
enc("false", () => false);
enc("nil", () => undefined);
enc("cjson.null", () => LUA_NULL);
enc("redis.call", () => new LuaOpaque("function"));
enc("{redis.call}", () => T(new LuaOpaque("function")));
enc("{}", () => new LuaTable());
enc("{1,2,3}", () => T(1, 2, 3));
enc("{1,nil,3}", () => T(1, undefined, 3));
enc("{[1]=1,[3]=3}", () => M([1, 1], [3, 3]));
enc("{[10]=1}", () => M([10, 1]));
enc("{[11]=1}", () => M([11, 1]));
enc("{[20]=1}", () => M([20, 1]));
enc(
  "{[11]=1,[1]=1,[2]=2,[3]=3,[4]=4,[5]=5}",
  () => M([1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [11, 1]),
);
enc(
  "{[12]=1,[1]=1,[2]=2,[3]=3,[4]=4,[5]=5}",
  () => M([1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [12, 1]),
);
enc(
  "{[20]=1}",
  () => M([20, 1]),
  "cjson.encode_sparse_array(true)",
  (c) => c.encode_sparse_array!([true]),
);
enc(
  "{[20]=1}",
  () => M([20, 1]),
  "cjson.encode_sparse_array(false, 0)",
  (c) => c.encode_sparse_array!([false, 0]),
);
enc(
  "{[20]=1}",
  () => M([20, 1]),
  "cjson.encode_sparse_array(nil, nil, 20)",
  (c) => c.encode_sparse_array!([undefined, undefined, 20]),
);
enc(
  "{[5]=1,[1]=2}",
  () => M([1, 2], [5, 1]),
  "cjson.encode_sparse_array(nil, 1, 0)",
  (c) => c.encode_sparse_array!([undefined, 1, 0]),
);
enc("{[2^31]=1}", () => M([2 ** 31, 1]));
enc("{[1e10]=1}", () => M([1e10, 1]));
enc("{a=1}", () => M(["a", 1]));
enc("{[1.5]=1}", () => M([1.5, 1]));
enc("{[-1]=2}", () => M([-1, 2]));
enc("{[0]=2}", () => M([0, 2]));
enc("{1,2,x=3}", () => M([1, 1], [2, 2], ["x", 3]));
enc("{[true]=1}", () => M([true, 1]));
enc("{[{}]=1}", () => M([new LuaTable(), 1]));
enc("{[redis.call]=1}", () => M([new LuaOpaque("function"), 1]));
enc("{a={b={}}}", () => M(["a", M(["b", new LuaTable()])]));
enc("{cjson.null, {x=cjson.null}}", () => T(LUA_NULL, M(["x", LUA_NULL])));
enc("{[0.1]={1/3}}", () => M([0.1, T(1 / 3)]));
for (const depth of [999, 1000, 1001]) {
  const mk = () => {
    let t = new LuaTable();
    for (let i = 1; i < depth; i++) t = T(t);
    return t;
  };
  enc(`(function() local t = {} for i = 2, ${depth} do t = {t} end return t end)()`, mk);
}
for (const md of [1, 2, 3]) {
  enc(
    "{{{}}}",
    () => T(T(new LuaTable())),
    `cjson.encode_max_depth(${md})`,
    (c) => c.encode_max_depth!([md]),
  );
  enc(
    "{a={b=1}}",
    () => M(["a", M(["b", 1])]),
    `cjson.encode_max_depth(${md})`,
    (c) => c.encode_max_depth!([md]),
  );
}
add("return cjson.encode()", (c) => c.encode!([]));
add("return cjson.encode(1, 2)", (c) => c.encode!([1, 2]));
add("return cjson.encode(nil, nil)", (c) => c.encode!([undefined, undefined]));

// decoding
const JSON_TEXTS = [
  "[1,2,3]",
  '{"a":1}',
  '"\\u00e9"',
  '"\\ud83d\\ude00"',
  '"\\ud83d"',
  '"\\udc00"',
  '"\\ud83d\\u0041"',
  '"\\ud83dx"',
  '"\\u12"',
  '"\\u12g4"',
  '"\\uABCD"',
  '"\\u0000"',
  '"\\x"',
  '"\\"\\\\\\/\\b\\f\\n\\r\\t"',
  '"abc',
  "[1,2",
  '{"a":1,}',
  '{"a" 1}',
  "{1:2}",
  "[1 2]",
  "tru",
  "true",
  "false",
  "null",
  "nul",
  "  1  ",
  "1 2",
  "",
  " ",
  "-",
  "-0",
  "1e400",
  "-1e400",
  "0x10",
  "-0x10",
  "0X1p4",
  "NaN",
  "nan",
  "-nan",
  "nan(123)",
  "Infinity",
  "-Infinity",
  "inf",
  "-inf",
  "INF",
  "+1",
  "+",
  "01",
  "-01",
  "1.",
  ".5",
  "-.5",
  "1e",
  "1E+2",
  "1e-2",
  "1.5e3x",
  '"\xff\xfe"',
  "[1]\0junk",
  "\0[",
  "a\0",
  '"a\0b"',
  '{"a":1,"a":2}',
  "[null,1,null]",
  '{"x":null}',
  "[]",
  "{}",
  "[[]]",
  '{"":{}}',
  "[1,]",
  "[,1]",
  ",",
  ":",
  "]",
  "}",
  "x",
  "[1:2]",
  '{"a":}',
  '{"a"',
  "{",
  "[",
  '"\\',
  "\t\r\n 7",
  "123456789012345678901234567890",
  "0.1",
  "1e-400",
  "[true,false]",
  '{"a":[1,{"b":null}]}',
  "\xef\xbb\xbf1",
  "\x011",
  "1\x01",
  "[1\x00]",
  '"\x01\x1f"',
  "t",
  "f",
  "n",
  "N",
  "I",
  "i",
];
for (const j of JSON_TEXTS) dec(j);
for (const j of ["NaN", "0x10", "+1", "01", "-inf", "Infinity", "1", "-1.5", "-", "nan"]) {
  dec(j, "cjson.decode_invalid_numbers(false)", (c) => c.decode_invalid_numbers!([false]));
}
for (const depth of [999, 1000, 1001]) dec("[".repeat(depth) + "]".repeat(depth));
dec("[".repeat(1001));
dec('{"a":'.repeat(1001));
for (const md of [1, 2, 3]) {
  dec("[[[1]]]", `cjson.decode_max_depth(${md})`, (c) => c.decode_max_depth!([md]));
  dec('{"a":{"b":[]}}', `cjson.decode_max_depth(${md})`, (c) => c.decode_max_depth!([md]));
}
add("return cjson.decode()", (c) => c.decode!([]));
add("return cjson.decode('1', '2')", (c) => c.decode!(["1", "2"]));
add("return cjson.decode(123)", (c) => c.decode!([123]));
add("return cjson.decode(1.5e300)", (c) => c.decode!([1.5e300]));
add("return cjson.decode({})", (c) => c.decode!([new LuaTable()]));
add("return cjson.decode(nil)", (c) => c.decode!([undefined]));
add("return cjson.decode(true)", (c) => c.decode!([true]));

// configuration functions
const CFG: [string, LuaValue[]][] = [
  ["encode_number_precision", []],
  ["encode_number_precision", [5]],
  ["encode_number_precision", [0]],
  ["encode_number_precision", [15]],
  ["encode_number_precision", ["7"]],
  ["encode_number_precision", [7.9]],
  ["encode_number_precision", ["x"]],
  ["encode_number_precision", [true]],
  ["encode_number_precision", [1, 2]],
  ["encode_number_precision", [2 ** 32 + 5]],
  ["encode_number_precision", [undefined]],
  ["encode_max_depth", []],
  ["encode_max_depth", [0]],
  ["encode_max_depth", [5]],
  ["encode_max_depth", [-1]],
  ["encode_max_depth", [2 ** 31]],
  ["decode_max_depth", []],
  ["decode_max_depth", [0]],
  ["decode_max_depth", [50]],
  ["encode_invalid_numbers", []],
  ["encode_invalid_numbers", [true]],
  ["encode_invalid_numbers", ["null"]],
  ["encode_invalid_numbers", ["on"]],
  ["encode_invalid_numbers", ["off"]],
  ["encode_invalid_numbers", ["x"]],
  ["encode_invalid_numbers", [1]],
  ["encode_invalid_numbers", [{} as never]],
  ["encode_invalid_numbers", [1, 2]],
  ["decode_invalid_numbers", []],
  ["decode_invalid_numbers", [false]],
  ["decode_invalid_numbers", ["on"]],
  ["decode_invalid_numbers", ["null"]],
  ["encode_keep_buffer", []],
  ["encode_keep_buffer", [false]],
  ["encode_keep_buffer", ["off"]],
  ["encode_keep_buffer", ["maybe"]],
  ["encode_sparse_array", []],
  ["encode_sparse_array", [true, 3, 5]],
  ["encode_sparse_array", ["on"]],
  ["encode_sparse_array", [undefined, -1]],
  ["encode_sparse_array", [undefined, undefined, -1]],
  ["encode_sparse_array", [false, 0, 0]],
  ["encode_sparse_array", [1, 2, 3, 4]],
  ["encode_sparse_array", ["x"]],
];
const luaVal = (v: LuaValue): string =>
  v === undefined
    ? "nil"
    : typeof v === "string"
    ? lit(v)
    : typeof v === "object"
    ? "{}"
    : String(v);
for (const [fn, args] of CFG) {
  const tsArgs = args.map((a) => (typeof a === "object" ? new LuaTable() : a));
  add(`return cjson.${fn}(${args.map(luaVal).join(", ")})`, (c) => c[fn]!(tsArgs));
  add(
    `cjson.${fn}(${args.map(luaVal).join(", ")}) return cjson.${fn}()`,
    (c) => {
      c[fn]!(tsArgs);
      return c[fn]!([]);
    },
  );
}
// round trips
for (const j of ['{"a":[1,2.5,"x",true,null,{"b":[]}]}', "[1e308,-1e-308,0]", '"\\u00e9\\n"']) {
  add(`return cjson.encode(cjson.decode(${lit(j)}))`, (c) => c.encode!(c.decode!([j])));
}

Deno.test({
  name: "cjson: byte equality with real Redis 7.0.15",
  ignore: !hasRedisServer(),
  async fn() {
    const { count, mismatches, vmMismatches } = await runCases(cases);
    // the same chunks through resplite's VM give real Redis's output exactly
    assert.deepEqual(vmMismatches, [], vmMismatches.join("\n"));
    assert.deepEqual(mismatches, [], `${mismatches.length}/${count} mismatches`);
    assert.ok(count > 450, `only ${count} cases`);
  },
});

Deno.test("cjson: encode / decode", () => {
  const cfg = defaultCjsonConfig();
  assert.equal(cjsonEncode(cfg, T(1, 2.5, "a/b")), '[1,2.5,"a\\/b"]');
  assert.equal(cjsonEncode(cfg, new LuaTable()), "{}");
  const t = cjsonDecode(cfg, '{"a":[1,null]}') as LuaTable;
  assert.equal((t.get("a") as LuaTable).get(2), LUA_NULL);
  const lib = createCjsonLib();
  lib.functions.encode_number_precision!([3]);
  assert.equal(lib.config.encodeNumberPrecision, 3);
  assert.deepEqual(lib.functions.encode!([Math.PI]), ["3.14"]);
});
