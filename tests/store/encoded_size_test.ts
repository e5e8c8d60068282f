import assert from "node:assert/strict";
import {
  listpackEntrySize,
  quicklistFill,
  quicklistNodes,
  rdbLengthSize,
  rdbStringSize,
  serializedLength,
} from "../../src/store/encoded_size.ts";
import { ListValue } from "../../src/store/list.ts";
import { SetValue } from "../../src/store/set.ts";
import { HashValue } from "../../src/store/hash.ts";

Deno.test("RDB lengths and strings take Redis's sizes", () => {
  assert.deepEqual([0, 63, 64, 16383, 16384, 0xffffffff, 2 ** 32].map(rdbLengthSize), [
    1,
    1,
    2,
    2,
    5,
    5,
    9,
  ]);
  const strings: [string, number][] = [
    ["", 1],
    ["hello", 6],
    ["127", 2],
    ["-128", 2],
    ["128", 3],
    ["-32768", 3],
    ["32768", 5],
    ["2147483647", 5],
    ["-2147483648", 5],
    ["2147483648", 11],
    ["-21474836480", 13],
    ["007", 4],
    ["-0", 3],
    ["x".repeat(64), 66],
  ];
  for (const [s, size] of strings) assert.equal(rdbStringSize(s), size, JSON.stringify(s));
});

Deno.test("listpack entries take Redis's sizes", () => {
  const entries: [string, number][] = [
    ["0", 2],
    ["127", 2],
    ["128", 3],
    ["-1", 3],
    ["-4096", 3],
    ["4096", 4],
    ["-32768", 4],
    ["32768", 5],
    ["8388607", 5],
    ["8388608", 6],
    ["2147483648", 10],
    ["9223372036854775807", 10],
    ["9223372036854775808", 21],
    ["a", 3],
    ["x".repeat(63), 65],
    ["x".repeat(64), 67],
    ["x".repeat(125), 128],
    ["x".repeat(126), 130],
    ["x".repeat(127), 131],
    ["x".repeat(4095), 4099],
    ["x".repeat(4096), 4103],
  ];
  for (const [s, size] of entries) {
    assert.equal(listpackEntrySize(s), size, s.length > 20 ? `${s.length} bytes` : s);
  }
});

Deno.test("quicklist nodes follow list-max-listpack-size", () => {
  assert.equal(quicklistFill(-9), -5);
  assert.equal(quicklistFill(99999), 32767);
  assert.deepEqual(quicklistNodes([], -2), []);
  assert.deepEqual(quicklistNodes(["a", "b", "c"], 0), [
    { count: 1, bytes: 10 },
    { count: 1, bytes: 10 },
    { count: 1, bytes: 10 },
  ]);
  const huge = "y".repeat(4080);
  const nodes = quicklistNodes([...Array(7).fill(huge), "a", "b"], -1);
  assert.deepEqual(nodes.map((n) => n.count), [1, 1, 1, 1, 1, 1, 1, 2]);
  // The 8 KiB safety limit caps a positive fill.
  const big = quicklistNodes(Array(10).fill("z".repeat(3000)), 100);
  assert.deepEqual(big.map((n) => n.count), [2, 2, 2, 2, 2]);
});

Deno.test("serialized lengths of each type", () => {
  const opts = { listFill: -2 };
  assert.equal(serializedLength(new ListValue(["a", "b", "c"]), opts), 19);
  assert.equal(serializedLength(new SetValue(["1", "2", "3"]), opts), 15);
  assert.equal(serializedLength(new SetValue(["1", "70000"]), opts), 17);
  assert.equal(serializedLength(new SetValue(["a", "b"]), opts), 5);
  assert.equal(serializedLength(new HashValue(new Map([["f", "v"]])), opts), 14);
  assert.equal(serializedLength(new HashValue(new Map([["f", "v"]]), false), opts), 5);
});
