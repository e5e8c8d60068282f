import assert from "node:assert/strict";
import { globMatch } from "../src/glob.ts";

function check(pattern: string, yes: string[], no: string[], nocase = false): void {
  for (const s of yes) {
    assert.equal(
      globMatch(pattern, s, nocase),
      true,
      `${JSON.stringify(pattern)} ~ ${JSON.stringify(s)}`,
    );
  }
  for (const s of no) {
    assert.equal(
      globMatch(pattern, s, nocase),
      false,
      `${JSON.stringify(pattern)} !~ ${JSON.stringify(s)}`,
    );
  }
}

Deno.test("glob: literals match only themselves", () => {
  check("hello", ["hello"], ["hell", "helloo", "Hello", ""]);
  check("", [""], ["a"]);
});

Deno.test("glob: * matches any run of bytes", async (t) => {
  await t.step("prefix, suffix and infix", () => {
    check("h*o", ["ho", "hello", "h\x00o"], ["hellox", "xho"]);
    check("*o", ["o", "hello"], ["oh"]);
    check("h*", ["h", "hello"], ["ah"]);
    check("*a*b*", ["ab", "xaxbx", "aab"], ["ba", "b"]);
  });
  await t.step("runs of stars collapse", () => {
    check("a**b", ["ab", "axxb"], ["a"]);
    check("***", ["x", "xyz"], []);
  });
  await t.step("a star needs at least one subject byte to enter the loop", () => {
    // Redis: "*" and "**" do not match the empty string (KEYS/SCAN special-case a lone "*").
    check("*", ["a"], [""]);
    check("**", ["a"], [""]);
  });
  await t.step("trailing stars match nothing once the subject ends", () => {
    check("abc*", ["abc", "abcd"], ["ab"]);
    check("abc**", ["abc"], []);
  });
});

Deno.test("glob: ? matches exactly one byte", () => {
  check("h?llo", ["hello", "hallo", "h\xffllo"], ["hllo", "heello"]);
  check("??", ["ab"], ["a", "abc", ""]);
});

Deno.test("glob: classes", async (t) => {
  await t.step("sets", () => {
    check("h[ae]llo", ["hello", "hallo"], ["hillo", "hllo"]);
  });
  await t.step("ranges, in either order", () => {
    check("[a-c]x", ["ax", "bx", "cx"], ["dx", "Ax"]);
    check("[c-a]x", ["ax", "bx", "cx"], ["dx"]);
    check("[0-9][0-9]", ["42"], ["4a"]);
  });
  await t.step("negation", () => {
    check("h[^e]llo", ["hallo", "hbllo"], ["hello"]);
    check("[^a-c]", ["d", "z"], ["a", "b", "c"]);
  });
  await t.step("escapes inside a class", () => {
    check("[\\]]b", ["]b"], ["\\b", "b"]);
    check("[\\-]", ["-"], ["\\"]);
    check("[a\\-z]", ["a", "-", "z"], ["b"]);
  });
  await t.step("an empty class matches nothing, its negation anything", () => {
    check("[]a]", [], ["a", "]", "]a]", "a]"]);
    check("[^]", ["a", "]"], ["", "ab"]);
  });
  await t.step("a dash before the closing bracket takes it as a range end", () => {
    // "[a-]b" is the class ']'..'a' followed by 'b' ... then the class runs to the end.
    check("[a-]b", [], ["ab", "]b", "-b"]);
    check("[a-]", ["a", "]", "^", "_", "`"], ["-", "b"]);
  });
  await t.step("an unclosed class runs to the end of the pattern", () => {
    check("[abc", ["a", "c"], ["d", "ab"]);
    check("x[", [], ["x", "x["]);
    check("[^", ["a", "^"], [""]);
    check("[", [], ["[", ""]);
  });
  await t.step("range ends compare as signed bytes", () => {
    // 0xff is -1 as a C char: "[a-\xff]" is the range -1..'a'.
    check("[a-\xff]", ["a", "A", "\x00", "\xff"], ["b", "\x80"]);
    check("[\x80-\xff]", ["\x80", "\xc0", "\xff"], ["a", "\x7f"]);
  });
});

Deno.test("glob: backslash escapes the next byte", () => {
  check("a\\*b", ["a*b"], ["axb", "ab"]);
  check("\\?", ["?"], ["a"]);
  check("\\[a]", ["[a]"], ["a"]);
  check("a\\", ["a\\"], ["a", "a\\\\"]);
  check("a\\\\", ["a\\"], ["a\\\\"]);
});

Deno.test("glob: nocase folds ASCII letters only", () => {
  check("HeLLo*", ["hello", "HELLO world"], ["hallo"], true);
  check("[A-C]", ["b", "B"], ["d"], true);
  check("[x]", ["X"], ["y"], true);
  check("\xe9", ["\xe9"], ["\xc9"], true);
});

Deno.test("glob: binary bytes are matched as bytes", () => {
  check("\x00*\xff", ["\x00\xff", "\x00abc\xff"], ["\x00"]);
  check("a?c", ["a\x00c", "a\rc"], []);
});

Deno.test("glob: more than 1000 nested stars never match", () => {
  const subject = "a".repeat(1100);
  assert.equal(globMatch("*a".repeat(999), subject), true);
  assert.equal(globMatch("*a".repeat(1000), subject), true);
  assert.equal(globMatch("*a".repeat(1001), subject), false);
});

Deno.test("glob: pathological patterns finish (a backtracking matcher would not)", () => {
  assert.equal(globMatch("a*".repeat(30) + "b", "a".repeat(60)), false);
  assert.equal(globMatch("*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(2000)), false);
});
