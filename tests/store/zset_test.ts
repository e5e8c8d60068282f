import assert from "node:assert/strict";
import {
  type LexRange,
  type ScoreRange,
  ZADD_ADDED,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NAN,
  ZADD_NOP,
  ZADD_NX,
  ZADD_UPDATED,
  ZADD_XX,
  type ZEntry,
  ZSetValue,
} from "../../src/store/zset.ts";
import {
  formatScore,
  parseLexRange,
  parseScore,
  parseScoreRange,
  withScoresReply,
} from "../../src/commands/zset_args.ts";
import { Random } from "../../src/random.ts";
import { serializedLength } from "../../src/store/encoded_size.ts";
import { ReplyError } from "../../src/errors.ts";

const LIMITS = { maxEntries: 128, maxValue: 64 };
const BIG = { maxEntries: 1 << 30, maxValue: 1 << 30 };

/** The model: entries sorted by (score, member). */
function sorted(model: Map<string, number>): ZEntry[] {
  return [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function inScore(s: number, r: ScoreRange): boolean {
  return (r.minExclusive ? s > r.min : s >= r.min) && (r.maxExclusive ? s < r.max : s <= r.max);
}

function checkAgainst(z: ZSetValue, model: Map<string, number>, random: Random): void {
  const expect = sorted(model);
  assert.equal(z.size, expect.length);
  assert.deepEqual([...z.entries()], expect);
  assert.deepEqual(z.rangeByRank(0, expect.length - 1, true), expect.slice().reverse());
  for (let k = 0; k < 20 && expect.length > 0; k++) {
    const i = random.below(expect.length);
    const [m] = expect[i]!;
    assert.equal(z.rank(m), i);
    assert.equal(z.rank(m, true), expect.length - 1 - i);
    assert.deepEqual(z.at(i), expect[i]);
    const j = i + random.below(expect.length - i);
    assert.deepEqual(z.rangeByRank(i, j), expect.slice(i, j + 1));
    assert.deepEqual(z.rangeByRank(i, j, true), expect.slice(i, j + 1).reverse());
    const a = random.below(40) - 5;
    const b = random.below(40) - 5;
    const range: ScoreRange = {
      min: a,
      max: b,
      minExclusive: random.below(2) === 0,
      maxExclusive: random.below(2) === 0,
    };
    const inRange = expect.map((e, idx) => [idx, e[1]] as const).filter(([, s]) =>
      inScore(s, range)
    );
    const r = z.scoreRankRange(range);
    if (inRange.length === 0) assert.equal(r, undefined);
    else assert.deepEqual(r, [inRange[0]![0], inRange[inRange.length - 1]![0]]);
    assert.equal(z.countByScore(range), inRange.length);
  }
}

Deno.test("ZSetValue matches a sorted model under random inserts, updates and deletes", () => {
  const random = new Random(7);
  for (const size of [10, 300, 5000]) {
    const z = new ZSetValue();
    const model = new Map<string, number>();
    for (let step = 0; step < size * 4; step++) {
      const m = "m" + random.below(size);
      const op = random.below(10);
      if (op < 6) {
        const s = random.below(30) + (random.below(3) === 0 ? 0.5 : 0);
        assert.equal(z.set(m, s, BIG), !model.has(m));
        model.set(m, s);
      } else {
        assert.equal(z.delete(m), model.delete(m));
      }
      if (step % (size >> 1) === 0) checkAgainst(z, model, random);
    }
    checkAgainst(z, model, random);
    const copy = z.clone();
    checkAgainst(copy, model, random);
    // The copy is independent.
    for (const m of [...model.keys()]) z.delete(m);
    assert.equal(z.size, 0);
    assert.deepEqual([...z.entries()], []);
    checkAgainst(copy, model, random);
  }
});

Deno.test("ZSetValue stays right through ascending, descending and bulk deletes", () => {
  const random = new Random(3);
  const z = new ZSetValue();
  const model = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    z.set("a" + i, i, BIG);
    model.set("a" + i, i);
  }
  for (let i = 0; i < 20000; i++) {
    z.set("b" + i, -i - 1, BIG);
    model.set("b" + i, -i - 1);
  }
  checkAgainst(z, model, random);
  assert.equal(z.deleteRankRange(100, 30099), 30000);
  for (const [m] of sorted(model).slice(100, 30100)) model.delete(m);
  checkAgainst(z, model, random);
  const low = z.popMin(50);
  const high = z.popMax(50);
  const expect = sorted(model);
  assert.deepEqual(low, expect.slice(0, 50));
  assert.deepEqual(high, expect.slice(-50).reverse());
  for (const [m] of [...low, ...high]) model.delete(m);
  checkAgainst(z, model, random);
  assert.deepEqual(z.popMin(1 << 20).length, model.size);
  assert.equal(z.size, 0);
  assert.deepEqual(z.popMax(3), []);
});

Deno.test("ties are ordered by member bytes, binary-safe", () => {
  const z = new ZSetValue();
  for (const m of ["b", "a", "\xff", "\x00", "ab", ""]) z.set(m, 1, LIMITS);
  assert.deepEqual([...z.entries()].map((e) => e[0]), ["", "\x00", "a", "ab", "b", "\xff"]);
});

Deno.test("encodings: listpack until the entry or value bound, never back; fromEntries fits", () => {
  const z = new ZSetValue();
  const limits = { maxEntries: 3, maxValue: 5 };
  z.set("a", 1, limits);
  z.set("b", 1, limits);
  z.set("c", 1, limits);
  assert.equal(z.encoding(), "listpack");
  z.set("c", 2, limits); // an update never converts
  assert.equal(z.encoding(), "listpack");
  z.set("d", 1, limits);
  assert.equal(z.encoding(), "skiplist");
  z.delete("d");
  z.delete("c");
  assert.equal(z.encoding(), "skiplist");
  const y = new ZSetValue();
  y.set("123456", 1, limits);
  assert.equal(y.encoding(), "skiplist");
  assert.equal(ZSetValue.fromEntries([["a", 1], ["b", 2]], limits).encoding(), "listpack");
  assert.equal(ZSetValue.fromEntries([["abcdef", 1]], limits).encoding(), "skiplist");
  assert.equal(z.clone().encoding(), "skiplist");
});

Deno.test("add applies ZADD's NX, XX, GT, LT and INCR as Redis's zsetAdd", () => {
  const z = new ZSetValue();
  assert.equal(z.add("a", 1, ZADD_XX, LIMITS), ZADD_NOP);
  assert.equal(z.add("a", 1, ZADD_NX, LIMITS), ZADD_ADDED);
  assert.equal(z.add("a", 5, ZADD_NX, LIMITS), ZADD_NOP);
  assert.equal(z.add("a", 1, 0, LIMITS), 0);
  assert.equal(z.add("a", 0, ZADD_GT, LIMITS), ZADD_NOP);
  assert.equal(z.add("a", 2, ZADD_GT, LIMITS), ZADD_UPDATED);
  assert.equal(z.add("a", 3, ZADD_LT, LIMITS), ZADD_NOP);
  assert.equal(z.add("a", -1, ZADD_LT | ZADD_INCR, LIMITS), ZADD_UPDATED);
  assert.equal(z.score("a"), 1);
  assert.equal(z.add("b", 2, ZADD_GT | ZADD_INCR, LIMITS), ZADD_ADDED);
  assert.equal(z.add("c", Infinity, 0, LIMITS), ZADD_ADDED);
  assert.equal(z.add("c", -Infinity, ZADD_INCR, LIMITS), ZADD_NAN);
  assert.equal(z.score("c"), Infinity);
  // 0 and -0 are the same score: no update.
  assert.equal(z.add("a", 0, 0, LIMITS), ZADD_UPDATED);
  assert.equal(z.add("a", -0, 0, LIMITS), 0);
  assert.ok(Object.is(z.score("a"), 0));
});

Deno.test("lex ranges: listpack walks as Redis does, skiplist binary-searches", () => {
  const members = ["a", "b", "c", "d", "e"];
  const lp = ZSetValue.fromEntries(members.map((m) => [m, 0]), LIMITS);
  const sl = ZSetValue.fromEntries(members.map((m) => [m, 0]), { maxEntries: 0, maxValue: 64 });
  assert.equal(sl.encoding(), "skiplist");
  const cases: [string, string, [number, number] | undefined][] = [
    ["-", "+", [0, 4]],
    ["[b", "[d", [1, 3]],
    ["(b", "(d", [2, 2]],
    ["(b", "(c", undefined],
    ["[c", "[b", undefined],
    ["+", "-", undefined],
    ["[aa", "[cc", [1, 2]],
    ["[f", "+", undefined],
    ["-", "(a", undefined],
    ["[c", "[c", [2, 2]],
    ["(c", "[c", undefined],
  ];
  for (const [min, max, want] of cases) {
    const range: LexRange = parseLexRange(min, max);
    assert.deepEqual(lp.lexRankRange(range), want, `${min} ${max} listpack`);
    assert.deepEqual(lp.lexRankRange(range, true), want, `${min} ${max} listpack rev`);
    assert.deepEqual(sl.lexRankRange(range), want, `${min} ${max} skiplist`);
    assert.equal(sl.countByLex(range), want === undefined ? 0 : want[1] - want[0] + 1);
  }
  // Mixed scores in a listpack: Redis's linear walk from each end.
  const mixed = ZSetValue.fromEntries([["c", 1], ["a", 2], ["b", 3]], LIMITS);
  assert.deepEqual(mixed.lexRankRange(parseLexRange("[b", "+")), [0, 2]);
  assert.deepEqual(mixed.lexRankRange(parseLexRange("[b", "+"), true), [2, 2]);
});

Deno.test("a skiplist-sized set keeps logarithmic structure (1e5 members)", () => {
  const z = new ZSetValue();
  const n = 100000;
  for (let i = 0; i < n; i++) z.set("m" + i, (i * 7919) % n, BIG);
  assert.equal(z.rank("m0"), 0);
  for (let k = 0; k < 1000; k++) {
    const i = (k * 104729) % n;
    const score = (i * 7919) % n;
    assert.equal(z.rank("m" + i), score);
    assert.deepEqual(z.at(score), ["m" + i, score]);
  }
  assert.equal(z.countByScore(parseScoreRange("(10", "20")), 10);
});

Deno.test("parseScore accepts what Redis's getDoubleFromObject accepts", () => {
  assert.equal(parseScore("1.5"), 1.5);
  assert.equal(parseScore("inf"), Infinity);
  assert.equal(parseScore("+inf"), Infinity);
  assert.equal(parseScore("-Infinity"), -Infinity);
  assert.equal(parseScore("0x1p3"), 8);
  assert.equal(parseScore("1e-310"), 1e-310);
  assert.ok(Object.is(parseScore("-0"), -0));
  assert.equal(parseScore("0e5"), 0);
  for (const bad of ["", " 1", "1 ", "nan", "1e400", "-1e400", "1e-400", "abc", "1x"]) {
    assert.throws(() => parseScore(bad), ReplyError, JSON.stringify(bad));
  }
});

Deno.test("parseScoreRange follows zslParseRange (strtod rules)", () => {
  assert.deepEqual(parseScoreRange("", "(5"), {
    min: 0,
    max: 5,
    minExclusive: false,
    maxExclusive: true,
  });
  assert.deepEqual(parseScoreRange("(", " 1"), {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: false,
  });
  assert.equal(parseScoreRange("1e400", "-inf").min, Infinity);
  for (const [a, b] of [["x", "1"], ["(x", "1"], ["nan", "1"], [" (1", "1"], ["1 ", "1"]]) {
    assert.throws(() => parseScoreRange(a!, b!), /min or max is not a float/);
  }
});

Deno.test("parseLexRange takes -, +, [ and ( only", () => {
  assert.equal(parseLexRange("-", "+").min.infinity, -1);
  assert.deepEqual(parseLexRange("(a", "[").max, { value: "", exclusive: false, infinity: 0 });
  for (const [a, b] of [["a", "+"], ["-", "++"], ["", "+"], ["--", "+"]]) {
    assert.throws(() => parseLexRange(a!, b!), /not valid string range item/);
  }
});

Deno.test("formatScore and the WITHSCORES reply shapes", () => {
  assert.equal(formatScore(2.5), "2.5");
  assert.equal(formatScore(1.1), "1.1000000000000001");
  assert.equal(formatScore(Infinity), "inf");
  assert.equal(formatScore(-0), "-0");
  const r2 = withScoresReply([["a", 1], ["b", 2]], true, 2);
  assert.deepEqual(r2, { kind: "bulks", values: ["a", "1", "b", "2"] });
  const r3 = withScoresReply([["a", 1], ["b", 2]], true, 3);
  assert.equal(r3.kind === "array" && r3.items.length, 2);
  const plain = withScoresReply([["a", 1]], false, 3);
  assert.deepEqual(plain, { kind: "bulks", values: ["a"] });
});

Deno.test("DEBUG OBJECT's serializedlength of a sorted set equals Redis's, both encodings", () => {
  const entries: [string, number][] = [
    ["a", 1],
    ["b", 2.5],
    ["cccccccccc", 1e20],
    ["12345", -7],
    ["x", Infinity],
    ["y", 1.1],
    ["big", 4503599627370496],
    ["z", -0],
  ];
  const listpack = new ZSetValue();
  const skiplist = new ZSetValue(false);
  for (const [m, s] of entries) {
    listpack.set(m, s, LIMITS);
    skiplist.set(m, s, LIMITS);
  }
  // Measured on redis-server 7.0.15 with rdbcompression no.
  assert.equal(serializedLength(listpack, { listFill: -2 }), 99);
  assert.equal(serializedLength(skiplist, { listFill: -2 }), 93);
});

Deno.test("range deletions of every size keep the tree right (bulk and one by one)", () => {
  const random = new Random(11);
  for (let round = 0; round < 30; round++) {
    const n = 1 + random.below(3000);
    const entries: [string, number][] = [];
    for (let i = 0; i < n; i++) entries.push([`m${i}`, random.below(500)]);
    const z = ZSetValue.fromEntries(entries, BIG);
    const model = new Map(entries);
    for (let k = 0; k < 5 && model.size > 0; k++) {
      const size = model.size;
      const start = random.below(size);
      const end = start + random.below(k % 2 === 0 ? 200 : size - start);
      const expect = sorted(model);
      const removed = z.deleteRankRange(start, end);
      const gone = expect.slice(start, end + 1);
      assert.equal(removed, gone.length);
      for (const [m] of gone) model.delete(m);
      checkAgainst(z, model, random);
      // The tree still takes inserts and deletes after a bulk cut.
      z.set("x" + k, random.below(500), BIG);
      model.set("x" + k, z.score("x" + k)!);
      checkAgainst(z, model, random);
    }
  }
});

Deno.test("fromEntries keeps the last score of a repeated member and sorts", () => {
  const z = ZSetValue.fromEntries([["b", 2], ["a", 5], ["b", 1], ["c", 1]], LIMITS);
  assert.deepEqual([...z.entries()], [["b", 1], ["c", 1], ["a", 5]]);
  const entries = Array.from({ length: 10000 }, (_, i): [string, number] => [
    `m${i}`,
    (i * 37) % 1000,
  ]);
  const big = ZSetValue.fromEntries(entries, LIMITS);
  assert.equal(big.encoding(), "skiplist");
  assert.ok(big.treeStats().height >= 2);
  checkAgainst(big, new Map(entries), new Random(5));
});
