import assert from "node:assert/strict";
import { compareIntegerText, isIntegerMember, SetValue } from "../../src/store/set.ts";
import { Random } from "../../src/random.ts";

Deno.test("isIntegerMember accepts exactly Redis's canonical 64-bit integer texts", () => {
  for (const s of ["0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"]) {
    assert.equal(isIntegerMember(s), true, s);
  }
  const rejected = [
    "",
    "-",
    "-0",
    "01",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "1e3",
    "0x10",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    "123456789012345678901",
    "abc",
    "1\x00",
  ];
  for (const s of rejected) assert.equal(isIntegerMember(s), false, JSON.stringify(s));
});

Deno.test("compareIntegerText orders integer texts numerically, beyond 2^53 too", () => {
  const values = [
    "10",
    "-9223372036854775808",
    "9007199254740993",
    "-1",
    "0",
    "9007199254740992",
    "-10",
    "2",
    "9223372036854775807",
    "-2",
  ];
  const sorted = values.slice().sort(compareIntegerText);
  assert.deepEqual(sorted, [
    "-9223372036854775808",
    "-10",
    "-2",
    "-1",
    "0",
    "2",
    "10",
    "9007199254740992",
    "9007199254740993",
    "9223372036854775807",
  ]);
  assert.equal(compareIntegerText("5", "5"), 0);
});

Deno.test("a set is an intset until a non-integer member or too many members", async (t) => {
  await t.step("integers stay an intset, listed in ascending order", () => {
    const set = new SetValue(["3", "-5", "10", "1"]);
    assert.equal(set.encoding(), "intset");
    assert.deepEqual(set.members(), ["-5", "1", "3", "10"]);
  });
  await t.step("a non-integer member makes a hashtable for good", () => {
    const set = new SetValue(["3", "1"]);
    assert.equal(set.add("a", 512), true);
    assert.equal(set.encoding(), "hashtable");
    assert.equal(set.delete("a"), true);
    assert.equal(set.encoding(), "hashtable");
  });
  await t.step("more than maxIntset members make a hashtable", () => {
    const set = new SetValue();
    for (let i = 0; i < 4; i++) set.add(String(i), 4);
    assert.equal(set.encoding(), "intset");
    assert.equal(set.add("3", 4), false);
    assert.equal(set.encoding(), "intset");
    set.add("4", 4);
    assert.equal(set.encoding(), "hashtable");
  });
  await t.step("maxIntset 0 never keeps an intset", () => {
    assert.equal(new SetValue(["1"], 0).encoding(), "hashtable");
  });
  await t.step("an empty set starts as an intset", () => {
    assert.equal(new SetValue().encoding(), "intset");
  });
  await t.step("rebuildEncoding applies the rules to the current members", () => {
    const set = new SetValue(["a", "1", "2"]);
    set.delete("a");
    assert.equal(set.encoding(), "hashtable");
    set.rebuildEncoding(512);
    assert.equal(set.encoding(), "intset");
    set.rebuildEncoding(1);
    assert.equal(set.encoding(), "hashtable");
  });
});

Deno.test("members are held binary safe, one char per byte", () => {
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
  const set = new SetValue(all);
  assert.equal(set.size, 256);
  for (const m of all) assert.equal(set.has(m), true);
  assert.equal(set.has("\u0100"), false);
  assert.deepEqual(set.members(), all);
});

Deno.test("delete keeps every other member reachable", () => {
  const set = new SetValue();
  for (let i = 0; i < 100; i++) set.add(`m${i}`, 512);
  for (let i = 0; i < 100; i += 3) assert.equal(set.delete(`m${i}`), true);
  assert.equal(set.delete("m0"), false);
  for (let i = 0; i < 100; i++) assert.equal(set.has(`m${i}`), i % 3 !== 0);
  assert.equal(set.size, 66);
  const random = new Random(7);
  for (let i = 0; i < 200; i++) assert.equal(set.has(set.random(random)), true);
});

Deno.test("randomDistinct picks distinct members without changing the set", () => {
  const set = new SetValue(Array.from({ length: 50 }, (_, i) => `x${i}`));
  const before = [...set.members()];
  const random = new Random(1);
  for (let k = 0; k <= 50; k += 7) {
    const picked = set.randomDistinct(random, k);
    assert.equal(picked.length, k);
    assert.equal(new Set(picked).size, k);
    for (const m of picked) assert.equal(set.has(m), true);
  }
  assert.deepEqual(set.members(), before);
  assert.equal(set.randomDistinct(random, 80).length, 50);
});

Deno.test("popRandom removes exactly the members it returns", () => {
  const set = new SetValue(Array.from({ length: 20 }, (_, i) => String(i)));
  const popped = set.popRandom(new Random(3), 8);
  assert.equal(popped.length, 8);
  assert.equal(set.size, 12);
  for (const m of popped) assert.equal(set.has(m), false);
  assert.equal(set.members().length, 12);
});

Deno.test("random picks are roughly uniform", () => {
  const set = new SetValue(["a", "b", "c", "d"]);
  const random = new Random(99);
  const counts = new Map<string, number>();
  for (let i = 0; i < 40000; i++) {
    const m = set.random(random);
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  for (const n of counts.values()) assert.ok(n > 9000 && n < 11000, String(n));
});

Deno.test("clone is independent and keeps the encoding", () => {
  const set = new SetValue(["1", "2", "a"]);
  set.delete("a");
  const copy = set.clone();
  assert.equal(copy.encoding(), "hashtable");
  copy.add("3", 512);
  assert.equal(set.has("3"), false);
  assert.deepEqual([...copy.members()].sort(), ["1", "2", "3"]);
  const ints = new SetValue(["2", "1"]).clone();
  assert.equal(ints.encoding(), "intset");
  assert.deepEqual(ints.members(), ["1", "2"]);
});

Deno.test("members() arrays are snapshots: later changes do not alter them", () => {
  const set = new SetValue(["2", "1"]);
  const first = set.members();
  set.add("0", 512);
  set.delete("2");
  assert.deepEqual(first, ["1", "2"]);
  assert.deepEqual(set.members(), ["0", "1"]);
  const hash = new SetValue(["a", "b"]);
  const snapshot = hash.members();
  hash.delete("a");
  assert.deepEqual(snapshot, ["a", "b"]);
});

Deno.test("a million members: add, has and a counted pop", () => {
  const set = new SetValue();
  for (let i = 0; i < 1_000_000; i++) set.add(`member:${i}`, 512);
  assert.equal(set.size, 1_000_000);
  let found = 0;
  for (let i = 0; i < 1_000_000; i += 7) if (set.has(`member:${i}`)) found++;
  assert.equal(found, Math.ceil(1_000_000 / 7));
  const popped = set.popRandom(new Random(5), 1000);
  assert.equal(popped.length, 1000);
  assert.equal(set.size, 1_000_000 - 1000);
});
