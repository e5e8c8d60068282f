import assert from "node:assert/strict";
import { type Case, lit, runCases } from "./lua_oracle.ts";
import { hasRedisServer } from "../support/server.ts";
import type { LuaValue } from "../../src/scripting/libs/value.ts";
import { createStructLib } from "../../src/scripting/libs/struct.ts";

const cases: Case[] = [];
const addPack = (fmt: string, lua: string, args: LuaValue[]) =>
  cases.push({
    lua: `return struct.pack(${lit(fmt)}${lua ? ", " + lua : ""})`,
    ts: (l) => l.struct.pack!([fmt, ...args]),
  });
const addUnpack = (fmt: string, data: string, pos?: number) =>
  cases.push({
    lua: `return struct.unpack(${lit(fmt)}, ${lit(data)}${pos === undefined ? "" : ", " + pos})`,
    ts: (l) => l.struct.unpack!(pos === undefined ? [fmt, data] : [fmt, data, pos]),
  });
const addSize = (fmt: string) =>
  cases.push({ lua: `return struct.size(${lit(fmt)})`, ts: (l) => l.struct.size!([fmt]) });

const INTS: [string, number][] = [
  ["0", 0],
  ["1", 1],
  ["-1", -1],
  ["127", 127],
  ["128", 128],
  ["-128", -128],
  ["255", 255],
  ["256", 256],
  ["300", 300],
  ["-300", -300],
  ["65535", 65535],
  ["-32769", -32769],
  ["2^31", 2 ** 31],
  ["2^32-1", 2 ** 32 - 1],
  ["2^32", 2 ** 32],
  ["-2^31-1", -(2 ** 31) - 1],
  ["2^40+5", 2 ** 40 + 5],
  ["2^53", 2 ** 53],
  ["2^63", 2 ** 63],
  ["2^63+2^20", 2 ** 63 + 2 ** 20],
  ["-2^63", -(2 ** 63)],
  ["1.9", 1.9],
  ["-1.9", -1.9],
  ["2^64", 2 ** 64],
  ["-2^64", -(2 ** 64)],
  ["1/0", Infinity],
  ["-1/0", -Infinity],
  ["0/0", NaN],
  ["2^64+2^60", 2 ** 64 + 2 ** 60],
];
const INT_FORMATS = [
  "b",
  "B",
  "h",
  "H",
  "l",
  "L",
  "T",
  "i",
  "I",
  "i1",
  "i2",
  "i3",
  "I3",
  "i5",
  "I7",
  "i8",
  "I8",
  "i9",
  "I12",
  "i16",
  "I32",
  "i0",
];
for (const f of INT_FORMATS) {
  for (const end of ["<", ">", "="]) {
    for (const [lua, v] of INTS) addPack(end + f, lua, [v]);
  }
}
for (const end of ["<", ">"]) {
  for (
    const [lua, v] of [
      ["0", 0],
      ["1.5", 1.5],
      ["0.1", 0.1],
      ["-2.5e-10", -2.5e-10],
      ["1e300", 1e300],
      ["1/0", Infinity],
      ["-1/0", -Infinity],
      ["3.4028235677973366e38", 3.4028235677973366e38],
      ["2^-149", 2 ** -149],
      ["-0", -0],
    ] as [string, number][]
  ) {
    addPack(end + "f", lua, [v]);
    addPack(end + "d", lua, [v]);
  }
}
addPack("x", "", []);
addPack("xxb", "1", [1]);
addPack("c3", "'abcdef'", ["abcdef"]);
addPack("c0", "'hello'", ["hello"]);
addPack("c0", "''", [""]);
addPack("c1", "12", [12]);
addPack("s", "'hi'", ["hi"]);
addPack("s", "''", [""]);
addPack("s", "'a\\0b'", ["a\0b"]);
addPack("c2 c2", "'ab', 'cd'", ["ab", "cd"]);
addPack(" b  b ", "1, 2", [1, 2]);
addPack(">i", "'258'", ["258"]);
addPack(">i", "' 0x10 '", [" 0x10 "]);
for (const f of ["!", "!1", "!2", "!4", "!8", "!16", "!4 <", ">!2"]) {
  addPack(f + "bhbibdbfbcb", "1,2,3,4,5,6.5,7,8.5,9,'z',10", [
    1,
    2,
    3,
    4,
    5,
    6.5,
    7,
    8.5,
    9,
    "z",
    10,
  ]);
  addPack(f + "b i3 b I5 b i16 b T", "1,2,3,4,5,6,7,8", [1, 2, 3, 4, 5, 6, 7, 8]);
  addPack(f + "b s b x b l", "1,'ab',2,3,4", [1, "ab", 2, 3, 4]);
  addSize(f + "bhbibdbfbc3b");
  addSize(f + "b i3 b I5 b i16 b T x");
}
for (const f of ["", "b", "bhilLTfdx", "c5", "c", "i3i3", ">!4 b d", "< > =", "!", "  "]) {
  addSize(f);
}
// pack errors
addPack("z", "1", [1]);
addPack("i33", "1", [1]);
addPack("i99999999999", "1", [1]);
addPack("!3", "", []);
addPack("!0", "", []);
addPack("!12b", "1", [1]);
addPack("c2", "'a'", ["a"]);
addPack("bc2", "1, 'a'", [1, "a"]);
addPack("s", "nil", [undefined]);
addPack("s", "{}", [new (await import("../../src/scripting/libs/value.ts")).LuaTable()]);
addPack("i", "'x'", ["x"]);
addPack("i", "", []);
addPack("bb", "1", [1]);
addPack("bbb", "1", [1]);
addPack("c99999999999", "'a'", ["a"]);
addPack("!99999999999", "", []);
addPack("c2147483647", "'a'", ["a"]);
addPack("c2147483648", "'a'", ["a"]);
addPack("i214748364", "", []);
addSize("c214748364");
addPack("d", "true", [true]);
addPack("1", "", []);
addPack("b\0b", "1, 2", [1, 2]);
cases.push({ lua: "return struct.pack(12, 1)", ts: (l) => l.struct.pack!([12, 1]) });
cases.push({ lua: "return struct.pack()", ts: (l) => l.struct.pack!([]) });
cases.push({ lua: "return struct.pack(nil)", ts: (l) => l.struct.pack!([undefined]) });
// unpack
const ALL = Array.from({ length: 40 }, (_, i) => String.fromCharCode((i * 37 + 200) & 0xff)).join(
  "",
);
for (const f of INT_FORMATS) {
  for (const end of ["<", ">"]) {
    addUnpack(end + f, ALL);
    addUnpack(end + f, "\xff".repeat(40));
    addUnpack(end + f, "\x80" + "\0".repeat(39));
    addUnpack(end + f, "\0".repeat(39) + "\x80");
  }
}
for (const end of ["<", ">"]) {
  for (const f of ["f", "d"]) {
    addUnpack(end + f, ALL);
    addUnpack(end + f, "\0\0\xc0\x7f\0\0\0\0");
    addUnpack(end + f, "\x7f\xf0\0\0\0\0\0\0");
    addUnpack(end + f, "\0\0\0\0\0\0\xf0\x7f");
  }
}
addUnpack("b", "\x01\x02\x03", 2);
addUnpack("b", "\x01\x02\x03", 3);
addUnpack("b", "\x01\x02\x03", 4);
addUnpack("bb", "\x01\x02\x03", 3);
addUnpack("", "abc");
addUnpack("", "abc", 5);
addUnpack("x", "abc", 2);
addUnpack("b c0", "\x03abcdef");
addUnpack("b c0 b", "\x02abX");
addUnpack("b c0", "\x09abc");
addUnpack("c0", "abc");
addUnpack("c1 c0", "3abc");
addUnpack("c1 c0", "xabc");
addUnpack("b c0 c0", "\x011abc");
addUnpack("c0", "2");
addUnpack("c0", "0");
addUnpack("c0 b", "1");
addUnpack("c0 b", "01");
addUnpack("h c0", "\x00\x02xy");
addUnpack("c3 s s", "abcde\0\0zz");
addUnpack("s", "abc");
addUnpack("c4", "abc");
addUnpack("c2c2c2", "abcdef");
addUnpack("i", "ab");
addUnpack("!4 b i", "\x01\0\0\0\x02\0\0\0");
addUnpack("!4 b i", "\x01\0\0\0\x02\0\0");
addUnpack("!8 b d", "\x01" + "\0".repeat(7) + "\0\0\0\0\0\0\xf0\x3f");
addUnpack(">!2 b h b", "\x01\0\x01\x02\x03");
addUnpack("z", "abc");
addUnpack("i40", "abc");
addUnpack("!5", "abc");
addUnpack("<i2 >i2 =i2", "\x01\x02\x01\x02\x01\x02");
cases.push({ lua: "return struct.unpack('b', 12)", ts: (l) => l.struct.unpack!(["b", 12]) });
cases.push({ lua: "return struct.unpack('b')", ts: (l) => l.struct.unpack!(["b"]) });
cases.push({
  lua: "return struct.unpack('b', 'ab', 'x')",
  ts: (l) => l.struct.unpack!(["b", "ab", "x"]),
});
cases.push({
  lua: "return struct.unpack('b', 'ab', '2')",
  ts: (l) => l.struct.unpack!(["b", "ab", "2"]),
});
cases.push({
  lua: "return struct.unpack('b', 'ab', 1.9)",
  ts: (l) => l.struct.unpack!(["b", "ab", 1.9]),
});
// size errors
for (const f of ["s", "bs", "c0", "bc0", "z", "i33", "!3", "!6b"]) addSize(f);
cases.push({ lua: "return struct.size()", ts: (l) => l.struct.size!([]) });
// round trips
cases.push({
  lua:
    "return struct.unpack('>!4 b i3 h d s c2 f', struct.pack('>!4 b i3 h d s c2 f', -5, -70000, 300, 0.1, 'str', 'xy', 2.5))",
  ts: (l) => {
    const f = ">!4 b i3 h d s c2 f";
    return l.struct.unpack!([f, l.struct.pack!([f, -5, -70000, 300, 0.1, "str", "xy", 2.5])[0]]);
  },
});

Deno.test({
  name: "struct: byte equality with real Redis 7.0.15",
  ignore: !hasRedisServer(),
  async fn() {
    const { count, mismatches, vmMismatches } = await runCases(cases);
    // the same chunks through resplite's VM give real Redis's output exactly
    assert.deepEqual(vmMismatches, [], vmMismatches.join("\n"));
    assert.deepEqual(mismatches, [], `${mismatches.length}/${count} mismatches`);
    assert.ok(count > 1000);
  },
});

Deno.test("struct: pack / unpack / size round trip", () => {
  const s = createStructLib();
  const packed = s.pack!(["<i2 c0", 513, "ab"])[0] as string;
  assert.equal(packed, "\x01\x02ab");
  assert.deepEqual(s.unpack!(["<i2 c2", packed]), [513, "ab", 5]);
  assert.deepEqual(s.size!(["!8 b d"]), [16]);
});
