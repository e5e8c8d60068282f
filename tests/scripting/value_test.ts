import assert from "node:assert/strict";
import { type Case, lit, runCases } from "./lua_oracle.ts";
import { hasRedisServer } from "../support/server.ts";
import {
  formatG,
  LuaArgError,
  LuaError,
  LuaTable,
  str2number,
  strtod,
} from "../../src/scripting/libs/value.ts";

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cases: Case[] = [];
const rand = rng(15);
const nums: number[] = [0.5, 1.5, 2.5, 1e21, 1e-5, 1e-4, 123456789012345.5, 5e-324, 2 ** 70];
for (let i = 0; i < 400; i++) {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, Math.floor(rand() * 2 ** 32));
  dv.setUint32(4, Math.floor(rand() * 2 ** 32));
  const x = dv.getFloat64(0);
  if (Number.isFinite(x)) nums.push(x);
  nums.push(Math.round(rand() * 1e6) / 1000, (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20));
}
for (const x of nums) {
  const src = formatG(x, 17);
  cases.push({ lua: `return tostring(${src}), ${src}`, ts: () => [formatG(x, 14), x] });
  for (const p of [1, 5, 10]) {
    cases.push({ lua: `return string.format("%.${p}g", ${src})`, ts: () => [formatG(x, p)] });
  }
}
const STRS = [
  "1",
  " 1 ",
  "1x",
  "0x10",
  "0X1F",
  "-0x10",
  "0x",
  "1e5",
  "1e",
  ".5",
  "5.",
  ".",
  "-",
  "+3",
  "inf",
  "-inf",
  "nan",
  "infinity",
  "1\0",
  "\t7\n",
  "1 2",
  "0x1p4",
  "1e400",
  "",
  " ",
  "abc",
  "1.5e-3",
  "00012",
  "0x1.8",
  "  -.5e1  ",
];
for (const s of STRS) {
  cases.push({ lua: `return tonumber(${lit(s)})`, ts: () => [str2number(s)] });
}

Deno.test({
  name: "value: number formatting and parsing match real Redis's Lua",
  ignore: !hasRedisServer(),
  async fn() {
    const { count, mismatches } = await runCases(cases);
    assert.deepEqual(mismatches, [], `${mismatches.length}/${count} mismatches`);
    assert.ok(count > 4000);
  },
});

Deno.test("value: formatG", () => {
  assert.equal(formatG(0.1 + 0.2, 14), "0.3");
  assert.equal(formatG(1e300, 14), "1e+300");
  assert.equal(formatG(-0, 14), "-0");
  assert.equal(formatG(12345678901234.5, 14), "12345678901234"); // half to even
  assert.equal(formatG(Infinity, 14), "inf");
  assert.equal(formatG(1e-5, 14), "1e-05");
});

Deno.test("value: strtod", () => {
  assert.deepEqual(strtod("  -1.5e3x", 0), { value: -1500, end: 8 });
  assert.deepEqual(strtod("0x1p4", 0), { value: 16, end: 5 });
  assert.equal(strtod("abc", 0).end, 0);
  assert.equal(strtod("-", 0).end, 0);
});

Deno.test("value: LuaArgError names the function on demand", () => {
  const e = new LuaArgError(2, "number expected, got nil");
  assert.equal(e.message, "bad argument #2 to '?' (number expected, got nil)");
  assert.equal(e.format("tobit"), "bad argument #2 to 'tobit' (number expected, got nil)");
});

Deno.test("value: LuaTable", () => {
  const t = LuaTable.fromArray([1, undefined, 3]);
  assert.equal(t.size, 2);
  assert.equal(t.length(), 1);
  t.set(-0, "z");
  assert.equal(t.get(0), "z");
  t.set(1, undefined);
  assert.equal(t.size, 2);
  assert.throws(() => t.set(NaN, 1), LuaError);
  assert.throws(() => t.set(undefined, 1), /table index is nil/);
});
