import assert from "node:assert/strict";
import { type Case, runCases } from "./lua_oracle.ts";
import { hasRedisServer } from "../support/server.ts";
import type { LuaValue } from "../../src/scripting/libs/value.ts";
import { createBitLib, toBits } from "../../src/scripting/libs/bit.ts";

const NUMS: [string, LuaValue][] = [
  ["0", 0],
  ["1", 1],
  ["-1", -1],
  ["2^31", 2 ** 31],
  ["2^31-1", 2 ** 31 - 1],
  ["-2^31", -(2 ** 31)],
  ["-2^31-1", -(2 ** 31) - 1],
  ["2^32", 2 ** 32],
  ["2^32+1", 2 ** 32 + 1],
  ["4294967295", 4294967295],
  ["0.5", 0.5],
  ["1.5", 1.5],
  ["2.5", 2.5],
  ["-0.5", -0.5],
  ["-1.5", -1.5],
  ["-2.5", -2.5],
  ["0.49999999999999994", 0.49999999999999994],
  ["2^51", 2 ** 51],
  ["2^52", 2 ** 52],
  ["2^53+3", 2 ** 53 + 3],
  ["1e20", 1e20],
  ["-1e20", -1e20],
  ["1/0", Infinity],
  ["-1/0", -Infinity],
  ["0/0", NaN],
  ["'10'", "10"],
  ["'0x10'", "0x10"],
  ["' 12 '", " 12 "],
  ["'1e3'", "1e3"],
  ["-0", -0],
  ["123456789.75", 123456789.75],
];

const cases: Case[] = [];
const add = (fn: string, lua: string, args: LuaValue[]) =>
  cases.push({ lua: `return bit.${fn}(${lua})`, ts: (l) => l.bit[fn]!(args) });

for (const [lua, v] of NUMS) {
  add("tobit", lua, [v]);
  add("bnot", lua, [v]);
  add("tohex", lua, [v]);
  add("bswap", lua, [v]);
}
for (const n of [0, 1, 2, 4, 7, 8, 9, -1, -4, -8, -9, 2 ** 31, 100]) {
  add("tohex", `0x12345678, ${n}`, [0x12345678, n]);
  add("tohex", `-1, ${n}`, [-1, n]);
}
for (
  const [a, b] of [["0xff", 0xff], ["-1", -1], ["0x80000000", 0x80000000], [
    "0x12345678",
    0x12345678,
  ]] as const
) {
  for (const n of [0, 1, 4, 31, 32, 33, -1, -31, 2 ** 32 + 3, 0.5, 1.5]) {
    for (const fn of ["lshift", "rshift", "arshift", "rol", "ror"]) add(fn, `${a}, ${n}`, [b, n]);
  }
}
add("band", "1", [1]);
add("band", "0xff, 0x0f, 0x3", [0xff, 0x0f, 0x3]);
add("band", "-1, 2^32+5", [-1, 2 ** 32 + 5]);
add("bor", "1, 2, 4, 8", [1, 2, 4, 8]);
add("bor", "0x80000000, 1", [0x80000000, 1]);
add("bxor", "5, 3", [5, 3]);
add("bxor", "-1, 2^32, 7", [-1, 2 ** 32, 7]);
add("bxor", "1, '2', 4.5", [1, "2", 4.5]);
// errors
add("tobit", "", []);
add("tobit", "nil", [undefined]);
add("tobit", "{}", [new (await import("../../src/scripting/libs/value.ts")).LuaTable()]);
add("tobit", "'abc'", ["abc"]);
add("tobit", "true", [true]);
add("band", "1, 'x'", [1, "x"]);
add("bor", "1, 2, nil", [1, 2, undefined]);
add("lshift", "1", [1]);
add("tohex", "1, nil", [1, undefined]);
add("tohex", "1, 'z'", [1, "z"]);
add("tohex", "'z'", ["z"]);
add("rol", "nil, 1", [undefined, 1]);

Deno.test({
  name: "bit: byte equality with real Redis 7.0.15",
  ignore: !hasRedisServer(),
  async fn() {
    const { count, mismatches, vmMismatches } = await runCases(cases);
    // the same chunks through resplite's VM give real Redis's output exactly
    assert.deepEqual(vmMismatches, [], vmMismatches.join("\n"));
    assert.deepEqual(mismatches, [], `${mismatches.length}/${count} mismatches`);
    assert.ok(count > 300);
  },
});

Deno.test("bit: toBits rounds half to even and wraps modulo 2^32", () => {
  assert.equal(toBits(2.5), 2);
  assert.equal(toBits(3.5), 4);
  assert.equal(toBits(-1), 0xffffffff);
  assert.equal(toBits(2 ** 32 + 7), 7);
  const bit = createBitLib();
  assert.deepEqual(bit.tohex!([-1, -4]), ["FFFF"]);
});
