import assert from "node:assert/strict";
import {
  addLongDouble,
  formatLongDouble,
  LD_ZERO,
  parseLongDouble,
} from "../../src/store/long_double.ts";

/** Adds like INCRBYFLOAT: null when a text is invalid, "NANINF" when the sum is. */
function incr(a: string | null, b: string): string | null {
  const x = a === null ? LD_ZERO : parseLongDouble(a);
  const y = parseLongDouble(b);
  if (x === null || y === null) return null;
  const sum = addLongDouble(x, y);
  return sum === null || sum.inf ? "NANINF" : formatLongDouble(sum);
}

// Expected texts come from C: glibc strtold, x87 addition, printf("%.17Lf").
Deno.test("long double sums print as glibc's %.17Lf with zeros stripped", () => {
  const cases: [string | null, string, string][] = [
    [null, "0.1", "0.1"],
    ["0.1", "0.2", "0.3"],
    ["1000.1", "0.2", "1000.29999999999999999"],
    [null, "1e-4950", "0"],
    [null, "1.9e-4951", "0"],
    [null, "2e-17", "0.00000000000000002"],
    [null, "2.5e-17", "0.00000000000000002"],
    [null, "3.5e-17", "0.00000000000000004"],
    [null, "0x1p-18", "0.00000381469726562"],
    [null, "0x3p-18", "0.00001144409179688"],
    ["-1e-30", "1e-30", "0"],
    ["0.1", "-0.1", "0"],
    [null, "-1.5", "-1.5"],
    [null, "9223372036854775807", "9223372036854775807"],
    [null, "18446744073709551615", "18446744073709551615"],
    [null, "18446744073709551617", "18446744073709551616"],
    [null, "36893488147419103231", "36893488147419103232"],
    [null, "0.30000000000000000001", "0.3"],
    ["3.3", "-3.2", "0.1"],
    [null, "1e-17", "0.00000000000000001"],
    [null, "-1e-17", "-0.00000000000000001"],
    [null, "-1e-18", "0"],
    [null, "0x1.8p0", "1.5"],
    [null, "0XAP0", "10"],
    [null, "1E2", "100"],
    [null, "00012.500", "12.5"],
  ];
  for (const [a, b, want] of cases) assert.equal(incr(a, b), want, `${a} + ${b}`);
});

Deno.test("long double parsing follows strtold's range and Redis's strictness", () => {
  // Far beyond a double's range, well within a long double's.
  const big = incr("1e308", "1e308")!;
  assert.ok(big.startsWith("199999999999999999993371759311691291321120199694831"), big);
  assert.equal(big.length, 309);
  assert.ok(incr(null, "1.18973149535723176505e+4932")!.startsWith("118973149535723176502"));
  // Overflow and underflow to zero are invalid; a subnormal is not.
  assert.equal(incr(null, "1.18973149535723176506e+4932"), null);
  assert.equal(incr(null, "1.8e-4951"), null);
  assert.equal(incr(null, "0e99999"), "0");
  for (
    const bad of [
      "",
      " 1",
      "1 ",
      "\t1",
      "abc",
      "nan",
      "-nan",
      "nan(1)",
      "1e",
      "0x",
      ".",
      "+",
      "1\x00",
    ]
  ) {
    assert.equal(parseLongDouble(bad), null, JSON.stringify(bad));
  }
  assert.equal(parseLongDouble("1".padStart(5120, "0")), null);
  assert.equal(incr(null, "1".padStart(5119, "0")), "1");
});

Deno.test("infinities parse, and sums reaching infinity are reported", () => {
  assert.equal(parseLongDouble("inf")?.inf, true);
  assert.equal(parseLongDouble("-Infinity")?.neg, true);
  assert.equal(incr(null, "inf"), "NANINF");
  assert.equal(incr("inf", "-inf"), "NANINF");
  assert.equal(incr("0x1.fffffffffffffffep16383", "0x1p16319"), "NANINF");
  assert.notEqual(incr("0x1.fffffffffffffffep16383", "0x1p16318"), "NANINF");
});
