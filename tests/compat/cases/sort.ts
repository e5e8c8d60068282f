/**
 * Differential cases for SORT and SORT_RO.
 *
 * Lists keep their order and intset-encoded sets are walked in ascending
 * order by both servers, so their replies compare exactly; hashtable sets
 * and sorted sets are walked in hash order by Redis, so they compare
 * exactly only once sorted with no ties, and as multisets otherwise. Ties
 * between equal ALPHA BY weights come out as Redis's sorts leave them: a
 * stable merge sort without LIMIT, its partial quicksort with one; the
 * generated cases at the end sort lists with many ties under many LIMIT
 * windows to pin the latter.
 *
 * @module
 */

import { block, type CompatCase, read, type Step } from "../case.ts";

const unordered = (...argv: string[]): Step => ({ argv, compare: "unordered" });

/** Lets the server register what other connections sent, or time pass: 50 ms on both. */
const SETTLE: Step = ["BLPOP", "settle:never-written", "0.05"];

/** Every byte value, one per element. */
const BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/** Texts strtod reads wholly as numbers (with 4 to compare them with). */
const NUMBERS = [
  "",
  " 5",
  "\t7",
  "\n\v\f\r8",
  "+3",
  "-0",
  "0",
  "1.",
  ".5",
  "00012",
  "1e3",
  "1E-3",
  "0x10",
  "0X1p3",
  "0x.8",
  "-0x1.8p1",
  "inf",
  "-inf",
  "INFINITY",
  "-Infinity",
  "1.7976931348623157e308",
  "2.2250738585072014e-308",
  "2.2250738585072013e-308",
  "0x1p-1074",
  "0x1.fffffffffffff8p-1023",
  "0e-999",
  "0x0p0",
  "123456789012345678901234567890",
  "9223372036854775807",
  "-9223372036854775808",
  "3\x00junk",
  "\x003",
];

/** Texts strtod refuses (left-over text, NaN, overflow, underflow). */
const NOT_NUMBERS = [
  " ",
  "5 ",
  "1_0",
  "abc",
  "e5",
  "1e",
  "1e+",
  "+",
  "-",
  ".",
  "0x",
  "0x1p",
  "0b1",
  "nan",
  "-nan",
  "NaN(123)",
  "infinit",
  "1e400",
  "-1e400",
  "1.7976931348623159e308",
  "1e-400",
  "1e-310",
  "4.9406564584124654e-324",
  "2.2250738585072011e-308",
  "2.2250738585072012e-308",
  "0x1p-1075",
  "0x3p-1075",
  "0x1.fffffffffffffp-1023",
  "0x1p99999",
];

/** Wrong number of arguments. */
const ARITY: readonly (readonly string[])[] = [["SORT"], ["SORT_RO"]];

/** A small seeded generator for the generated cases (xorshift32). */
function generator(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/**
 * Lists of many elements whose ALPHA BY weights tie a lot, sorted under
 * many LIMIT windows, ASC and DESC, with and without STORE: the order ties
 * come out in is Redis's partial quicksort's (with a LIMIT) or its stable
 * merge sort's (without).
 */
function tieCases(): CompatCase[] {
  const out: CompatCase[] = [];
  const sizes = [5, 6, 7, 8, 12, 40, 41, 60, 150];
  for (const size of sizes) {
    const next = generator(size * 7919);
    const setup: Step[] = [];
    const elements = Array.from({ length: size }, (_, i) => `e${i}`);
    // Shuffled, so the list's order is not the elements' order.
    for (let i = elements.length - 1; i > 0; i--) {
      const j = next(i + 1);
      [elements[i], elements[j]] = [elements[j]!, elements[i]!];
    }
    setup.push(["RPUSH", "l", ...elements]);
    // Three or four distinct weights, some missing.
    const mset: string[] = ["MSET"];
    for (const e of elements) {
      const w = next(5);
      if (w < 4) mset.push(`w_${e}`, ["a", "b", "c", "a"][w]!);
      const h = next(3);
      if (h < 2) {
        setup.push(["HSET", `h_${e}`, "f", ["x", "y"][h]!]);
      }
    }
    if (mset.length > 1) setup.push(mset);
    const steps: Step[] = [...setup];
    steps.push(["SORT", "l", "BY", "w_*", "ALPHA"]);
    steps.push(["SORT", "l", "BY", "w_*", "ALPHA", "DESC"]);
    steps.push(["SORT", "l", "BY", "h_*->f", "ALPHA"]);
    steps.push(["SORT", "l", "BY", "missing_*", "ALPHA"]);
    for (let k = 0; k < 12; k++) {
      const offset = next(size + 2) - 1;
      const count = next(size + 2) - 1;
      const by = next(3) === 0 ? "h_*->f" : next(4) === 0 ? "missing_*" : "w_*";
      const argv = ["SORT", "l", "BY", by, "ALPHA", "LIMIT", String(offset), String(count)];
      if (next(2) === 0) argv.push("DESC");
      if (next(3) === 0) argv.push("GET", "#", "GET", "w_*");
      if (next(4) === 0) {
        steps.push([...argv, "STORE", "dst"]);
        steps.push(["LRANGE", "dst", "0", "-1"]);
      } else {
        steps.push(argv);
      }
    }
    // Numeric BY weights tie too, but equal scores are ordered by element.
    steps.push(["SORT", "l", "BY", "missing_*", "LIMIT", "1", "3"]);
    out.push({ name: `ALPHA BY ties over ${size} elements come out in Redis's order`, steps });
  }
  return out;
}

/** Cases compared byte for byte with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "SORT sorts a list numerically, ASC by default, DESC on request",
    steps: [
      ["RPUSH", "l", "3", "-1", "10", "2.5", "0", "-20", "2.5"],
      ["SORT", "l"],
      ["SORT", "l", "ASC"],
      ["SORT", "l", "DESC"],
      ["SORT", "l", "desc", "asc"],
      ["SORT", "l", "ASC", "DESC"],
      ["SORT", "missing"],
      ["SORT", "missing", "DESC", "ALPHA", "LIMIT", "0", "5"],
      ["SORT_RO", "l"],
      ["SORT_RO", "l", "DESC", "LIMIT", "1", "2"],
      ["LRANGE", "l", "0", "-1"],
    ],
  },
  {
    name: "numeric SORT reads weights as strtod: white space, hex, inf, NUL-terminated",
    steps: NUMBERS.flatMap((n): Step[] => [
      ["DEL", "l"],
      ["RPUSH", "l", "4", n, "-1"],
      ["SORT", "l"],
      ["SORT", "l", "DESC"],
    ]),
  },
  {
    name: "numeric SORT refuses what strtod does not read wholly or cannot represent",
    steps: NOT_NUMBERS.flatMap((n): Step[] => [
      ["DEL", "l"],
      ["RPUSH", "l", "4", n],
      ["SORT", "l"],
      ["SORT", "l", "ALPHA"],
    ]),
  },
  {
    name: "equal numeric weights are ordered by the elements' bytes",
    steps: [
      ["RPUSH", "l", "1.0", "1", "01", "1e0", "0x1", " 1", "-0", "0", "0.0", "1.0"],
      ["SORT", "l"],
      ["SORT", "l", "DESC"],
      ["SORT", "l", "BY", "nokey_*"],
      ["SORT", "l", "BY", "nokey_*", "DESC"],
      ["SORT", "l", "BY", "nokey_*", "LIMIT", "2", "4"],
    ],
  },
  {
    name: "ALPHA sorts by bytes up to a NUL; with STORE by whole byte strings",
    steps: [
      ["RPUSH", "l", ...BYTES],
      ["SORT", "l", "ALPHA"],
      ["SORT", "l", "ALPHA", "DESC"],
      ["SORT", "l", "ALPHA", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["DEL", "l"],
      [
        "RPUSH",
        "l",
        "b\x00z",
        "b\x00a",
        "a",
        "b",
        "\xc3\xa9",
        "e",
        "E",
        "\xff",
        "Z",
        "_",
        "10",
        "9",
      ],
      ["SORT", "l", "ALPHA"],
      ["SORT", "l", "ALPHA", "DESC"],
      ["SORT", "l", "ALPHA", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "ALPHA", "DESC", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "ALPHA", "LIMIT", "2", "3"],
    ],
  },
  {
    name: "LIMIT windows: negative, past the end, zero, huge, and their clamping",
    steps: [
      ["RPUSH", "l", "5", "1", "4", "2", "3"],
      ...[
        ["0", "0"],
        ["0", "1"],
        ["1", "2"],
        ["-5", "-5"],
        ["-1", "2"],
        ["1", "-1"],
        ["4", "10"],
        ["5", "1"],
        ["6", "1"],
        ["2", "9223372036854775807"],
        ["9223372036854775807", "9223372036854775807"],
        ["-9223372036854775808", "2"],
        ["0", "-9223372036854775808"],
        ["3", "0"],
      ].flatMap(([offset, count]): Step[] => [
        ["SORT", "l", "LIMIT", offset!, count!],
        ["SORT", "l", "LIMIT", offset!, count!, "DESC"],
        ["SORT", "l", "BY", "nosort", "LIMIT", offset!, count!],
        ["SORT", "l", "BY", "nosort", "LIMIT", offset!, count!, "DESC"],
        ["SORT", "l", "BY", "w_*", "LIMIT", offset!, count!],
      ]),
      ["SORT", "l", "LIMIT", "0", "1", "LIMIT", "2", "2"],
      ["SORT", "l", "LIMIT", "x", "1"],
      ["SORT", "l", "LIMIT", "1", "x"],
      ["SORT", "l", "LIMIT", "1.5", "1"],
      ["SORT", "l", "LIMIT", "9223372036854775808", "1"],
      ["SORT", "l", "LIMIT", "1"],
      ["SORT", "l", "LIMIT"],
      ["SORT", "missing", "LIMIT", "0", "1"],
      ["SORT", "missing", "LIMIT", "x", "1"],
    ],
  },
  {
    name: "BY a constant pattern keeps a list's order; DESC reverses it",
    steps: [
      ["RPUSH", "l", "c", "a", "b", "10", "2"],
      ["SORT", "l", "BY", "nosort"],
      ["SORT", "l", "BY", "nosort", "DESC"],
      ["SORT", "l", "BY", "nosort", "ALPHA", "DESC"],
      ["SORT", "l", "BY", "constant"],
      ["SORT", "l", "BY", "#"],
      ["SORT", "l", "BY", "w_\x00*"],
      ["SORT", "l", "BY", "nosort", "GET", "#", "GET", "x_*"],
      // A constant BY is sticky: a later pattern does not bring sorting back.
      ["SORT", "l", "BY", "nosort", "BY", "w_*"],
      ["SORT", "l", "BY", "w_*", "BY", "nosort", "ALPHA"],
      ["SORT", "l", "BY", "nosort", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
    ],
  },
  {
    name: "BY a pattern sorts by other keys' values: strings, hash fields, missing, wrong type",
    steps: [
      ["RPUSH", "l", "1", "2", "3", "4", "5"],
      ["MSET", "w_1", "50", "w_2", "10", "w_3", "30", "w_5", "-2"],
      ["RPUSH", "w_4", "not", "a", "string"],
      ["SORT", "l", "BY", "w_*"],
      ["SORT", "l", "BY", "w_*", "DESC"],
      ["SORT", "l", "BY", "w_*", "ALPHA"],
      ["SORT", "l", "BY", "w_*", "ALPHA", "DESC"],
      ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2"],
      ["SORT", "l", "BY", "*"],
      ["SORT", "l", "BY", "w_*", "GET", "w_*"],
      ["HSET", "h_1", "f", "9", "g", "b"],
      ["HSET", "h_2", "f", "7", "g", "a"],
      ["HSET", "h_3", "g", "c"],
      ["SET", "h_4", "f"],
      ["SORT", "l", "BY", "h_*->f"],
      ["SORT", "l", "BY", "h_*->f", "DESC"],
      ["SORT", "l", "BY", "h_*->g", "ALPHA"],
      ["SORT", "l", "BY", "h_*->g", "ALPHA", "DESC", "LIMIT", "0", "3"],
      ["SORT", "l", "BY", "h_*->"],
      ["SORT", "l", "BY", "h_*->nofield"],
      // A weight that is no number refuses the whole sort.
      ["SET", "w_2", "ten"],
      ["SORT", "l", "BY", "w_*"],
      ["SORT", "l", "BY", "w_*", "ALPHA"],
      ["SORT", "l", "BY", "w_*", "STORE", "d"],
      ["EXISTS", "d"],
    ],
  },
  {
    name: "BY and GET patterns: the first *, -> after it, binary keys and fields",
    steps: [
      ["RPUSH", "l", "a", "b"],
      ["SET", "pre_a_post", "1"],
      ["SET", "pre_b_post", "2"],
      ["SET", "x*a", "star"],
      ["SORT", "l", "ALPHA", "GET", "pre_*_post", "GET", "x*a", "GET", "x*", "GET", "*"],
      ["SORT", "l", "ALPHA", "GET", "x**"],
      ["SET", "x*a*", "two stars"],
      ["SORT", "l", "ALPHA", "GET", "x**"],
      ["SORT", "l", "ALPHA", "GET", "x***"],
      ["HSET", "h_a", "f\x00g", "9", "f", "8", "->", "arrow", "f->g", "z"],
      ["HSET", "h->_a", "f", "left"],
      ["SET", "h_a->", "plain"],
      ["SET", "h_a\x00->f", "nul"],
      [
        "SORT",
        "l",
        "ALPHA",
        "GET",
        "h_*->f\x00g",
        "GET",
        "h_*->f",
        "GET",
        "h_*->",
        "GET",
        "h_*\x00->f",
        "GET",
        "h_*->->",
        "GET",
        "h_*->f->g",
        "GET",
        "h->_*->f",
      ],
      ["SORT", "l", "ALPHA", "BY", "h_*->f", "GET", "#"],
      ["SET", "k\x00\xff_a", "bin"],
      ["SORT", "l", "ALPHA", "GET", "k\x00\xff_*"],
      ["SORT", "l", "ALPHA", "GET", "#\x00x", "GET", "#", "GET", "##", "GET", "#*"],
    ],
  },
  {
    name: "GET: several patterns, # for the element, nil for anything missing",
    steps: [
      ["RPUSH", "l", "3", "1", "2"],
      ["SET", "o_1", "one"],
      ["SET", "o_3", "three"],
      ["RPUSH", "o_2", "list"],
      ["HSET", "hh_1", "name", "uno"],
      ["SET", "hh_2", "str"],
      ["SORT", "l", "GET", "o_*"],
      ["SORT", "l", "GET", "#", "GET", "o_*", "GET", "hh_*->name", "GET", "nostar", "GET", "#"],
      ["SORT", "l", "DESC", "GET", "o_*", "LIMIT", "1", "5"],
      ["SORT", "l", "GET", "o_*", "LIMIT", "0", "0"],
      ["SORT", "l", "GET", "o_*", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "GET", "#", "GET", "hh_*->name", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "GET", "missing_*", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "GET"],
      ["SORT", "l", "GET", "o_*", "GET"],
    ],
  },
  {
    name: "RESP3: SORT replies are arrays, missing GET values are nulls",
    resp: 3,
    steps: [
      ["RPUSH", "l", "2", "1"],
      ["SET", "o_1", "one"],
      ["SORT", "l"],
      ["SORT", "l", "GET", "o_*", "GET", "#"],
      ["SORT", "missing"],
      ["SORT_RO", "l", "GET", "o_*"],
      ["SORT", "l", "STORE", "d"],
      ["SORT", "l", "ALPHA", "BY", "x", "GET", "nope_*"],
      ["SORT", "l", "BY", "o_*", "ALPHA", "LIMIT", "0", "1"],
      ["SADD", "s", "b", "a"],
      ["SORT", "s", "ALPHA"],
      ["SORT", "s", "x"],
      ["SORT", "s", "BY", "nosort", "STORE", "d"],
      ["SET", "str", "v"],
      ["SORT", "str"],
    ],
  },
  {
    name: "STORE writes a list: replaces any value and its TTL, counts, wakes nothing else",
    steps: [
      ["RPUSH", "l", "3", "1", "2"],
      ["SET", "d", "old", "EX", "100"],
      ["SORT", "l", "STORE", "d"],
      ["TYPE", "d"],
      ["TTL", "d"],
      ["OBJECT", "ENCODING", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "DESC", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "l", "STORE", "l"],
      ["LRANGE", "l", "0", "-1"],
      ["SORT", "l", "STORE", "d", "STORE", "e"],
      ["EXISTS", "d", "e"],
      ["LRANGE", "e", "0", "-1"],
      ["SORT", "l", "store", "f", "limit", "0", "1", "get", "#", "get", "#"],
      ["LRANGE", "f", "0", "-1"],
      ["SORT_RO", "l"],
    ],
  },
  {
    name: "STORE of nothing deletes the destination; of a missing source too",
    steps: [
      ["SET", "d", "x"],
      ["SORT", "missing", "STORE", "d"],
      ["EXISTS", "d"],
      ["SORT", "missing", "STORE", "d"],
      ["RPUSH", "l", "1", "2"],
      ["HSET", "d", "f", "v"],
      ["SORT", "l", "LIMIT", "5", "1", "STORE", "d"],
      ["EXISTS", "d"],
      ["SET", "d", "x"],
      ["SORT", "l", "LIMIT", "0", "0", "STORE", "d"],
      ["EXISTS", "d"],
      ["SORT", "l", "LIMIT", "0", "0", "GET", "#", "STORE", "d"],
    ],
  },
  {
    name: "SORT_RO refuses STORE as a syntax error; option errors come before WRONGTYPE",
    steps: [
      ["RPUSH", "l", "1"],
      ["SET", "str", "v"],
      ["HSET", "h", "f", "v"],
      ["SORT_RO", "l", "STORE", "d"],
      ["SORT_RO", "l", "STORE"],
      ["SORT_RO", "str", "STORE", "d"],
      ["EXISTS", "d"],
      ["SORT", "l", "STORE"],
      ["SORT", "l", "BY"],
      ["SORT", "l", "BY", "w_*", "GET"],
      ["SORT", "l", "FOO"],
      ["SORT", "l", "ALPHA", "FOO"],
      ["SORT", "l", "ALPHAX"],
      ["SORT", "l", "alpha\x00junk"],
      ["SORT", "l", "desc\x00", "limit\x00x", "0", "1"],
      ["SORT", "str"],
      ["SORT", "h"],
      ["SORT", "str", "FOO"],
      ["SORT", "str", "LIMIT", "x", "1"],
      ["SORT", "l", "FOO", "LIMIT", "x", "1"],
      ["SORT", "l", "LIMIT", "x", "1", "FOO"],
      ["SORT", "str", "STORE", "d"],
      ["SORT_RO", "str"],
      ["SORT_RO", "h", "ALPHA"],
      ["EXISTS", "d"],
      ...ARITY.map((argv): Step => [...argv]),
    ],
  },
  {
    name: "SORT of an intset and a hashtable set; a constant BY with STORE sorts it",
    steps: [
      ["SADD", "i", "5", "-3", "100", "0", "42"],
      ["SORT", "i"],
      ["SORT", "i", "DESC"],
      ["SORT", "i", "ALPHA"],
      ["SORT", "i", "BY", "nosort"],
      ["SORT", "i", "BY", "nosort", "DESC"],
      ["SORT", "i", "BY", "nosort", "LIMIT", "1", "2"],
      ["SORT", "i", "BY", "nosort", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "i", "BY", "nosort", "DESC", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "i", "BY", "nosort", "GET", "#", "LIMIT", "0", "2", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SADD", "s", "pear", "apple", "fig", "banana", "10", "9"],
      ["SORT", "s", "ALPHA"],
      ["SORT", "s", "ALPHA", "DESC", "LIMIT", "1", "3"],
      ["SORT", "s"],
      unordered("SORT", "s", "BY", "nosort"),
      ["SORT", "s", "BY", "nosort", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      // The BY pattern is dropped too: nothing is looked up.
      ["SORT", "s", "BY", "nosort", "BY", "w_*", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      [
        "MSET",
        "w_pear",
        "1",
        "w_apple",
        "3",
        "w_fig",
        "2",
        "w_banana",
        "0",
        "w_10",
        "5",
        "w_9",
        "4",
      ],
      ["SORT", "s", "BY", "w_*"],
      ["SORT", "s", "BY", "w_*", "DESC", "GET", "#", "GET", "w_*"],
      ["SORT", "s", "BY", "w_*", "LIMIT", "2", "2", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
    ],
  },
  {
    name: "SORT of a sorted set: by member, by score order with a constant BY, LIMIT on the range",
    requires: ["zadd"],
    steps: [
      ["ZADD", "z", "3", "c", "1", "a", "2", "b", "5", "10", "4", "9", "0", "-1"],
      ["OBJECT", "ENCODING", "z"],
      ["SORT", "z", "ALPHA"],
      ["OBJECT", "ENCODING", "z"],
      ["SORT", "z"],
      ["SORT", "z", "ALPHA", "DESC", "LIMIT", "1", "3"],
      ["SORT", "z", "BY", "nosort"],
      ["SORT", "z", "BY", "nosort", "DESC"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "1", "2"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "5", "10"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "5", "10"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "6", "1"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "-3", "0"],
      ["SORT", "z", "BY", "nosort", "GET", "#", "GET", "w_*", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["MSET", "w_a", "3", "w_b", "1", "w_c", "2"],
      ["SORT", "z", "BY", "w_*", "LIMIT", "0", "4"],
      ["SORT", "z", "BY", "w_*", "DESC", "GET", "w_*", "GET", "#"],
      ["SORT_RO", "z", "BY", "nosort", "DESC"],
      ["ZADD", "n", "1", "10", "2", "9", "3", "-1"],
      ["SORT", "n"],
      ["SORT", "n", "DESC", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["OBJECT", "ENCODING", "n"],
      ["ZADD", "e", "1", "x"],
      ["SORT", "e"],
      ["OBJECT", "ENCODING", "e"],
    ],
  },
  {
    name: "SORT of a skiplist sorted set with a constant BY: windows from either end",
    requires: ["zadd"],
    steps: [
      [
        "ZADD",
        "z",
        ...Array.from({ length: 200 }, (_, i) => [String((i * 37) % 200), `m${i}`]).flat(),
      ],
      ["OBJECT", "ENCODING", "z"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "0", "5"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "97", "6"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "0", "5"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "150", "60"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "199", "1", "GET", "#", "GET", "x_*"],
      ["SORT", "z", "ALPHA", "LIMIT", "10", "5"],
      ["SORT", "z", "ALPHA", "DESC", "LIMIT", "0", "3", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["ZADD", "ties", "1", "b", "1", "a", "1", "c", "0", "z"],
      ["SORT", "ties", "BY", "nosort"],
      ["SORT", "ties", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
    ],
  },
  {
    name: "RESP3: SORT of a sorted set",
    requires: ["zadd"],
    resp: 3,
    steps: [
      ["ZADD", "z", "2", "b", "1", "a"],
      ["SORT", "z", "BY", "nosort"],
      ["SORT", "z", "ALPHA", "GET", "nope_*"],
    ],
  },
  {
    name: "SORT ... STORE serves a client blocked on the destination",
    steps: [
      ["RPUSH", "src", "3", "1", "2"],
      block(1, "BLPOP", "dst", "0"),
      SETTLE,
      ["SORT", "src", "STORE", "dst"],
      read(1),
      ["LRANGE", "dst", "0", "-1"],
      block(1, "BRPOP", "dst2", "0"),
      SETTLE,
      ["SORT", "src", "DESC", "LIMIT", "0", "1", "STORE", "dst2"],
      read(1),
      ["EXISTS", "dst2"],
      block(1, "BLMOVE", "dst3", "other", "LEFT", "RIGHT", "0"),
      SETTLE,
      ["SORT", "missing", "STORE", "dst3"],
      ["SORT", "src", "STORE", "dst3"],
      read(1),
      ["LRANGE", "other", "0", "-1"],
      ["LRANGE", "dst3", "0", "-1"],
    ],
  },
  {
    name: "SORT inside MULTI / EXEC, and keys that expired before patterns reach them",
    steps: [
      ["RPUSH", "l", "1", "2", "3"],
      ["MSET", "w_1", "3", "w_2", "2", "w_3", "1"],
      ["MULTI"],
      ["SORT", "l", "BY", "w_*"],
      ["SORT", "l", "BY", "w_*", "STORE", "d"],
      ["SORT_RO", "l", "GET", "w_*"],
      ["EXEC"],
      ["SET", "w_2", "-5", "PX", "10"],
      ["SET", "g_2", "gone", "PX", "10"],
      ["SET", "d", "x", "PX", "10"],
      SETTLE,
      ["SORT", "l", "BY", "w_*", "GET", "g_*"],
      ["SORT", "l", "BY", "w_*", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["EXISTS", "w_2", "g_2"],
      ["RPUSH", "e", "2", "1"],
      ["PEXPIRE", "e", "10"],
      SETTLE,
      ["SORT", "e"],
      ["SORT", "e", "STORE", "d"],
      ["EXISTS", "d"],
    ],
  },
  {
    name: "patterns that name the sorted key itself or the destination",
    steps: [
      ["RPUSH", "l", "b", "a"],
      ["SORT", "l", "ALPHA", "GET", "*", "GET", "l"],
      ["SET", "la", "x"],
      ["SORT", "l", "ALPHA", "GET", "l*", "STORE", "la"],
      ["LRANGE", "la", "0", "-1"],
      ["SORT", "l", "ALPHA", "GET", "l*", "STORE", "la"],
      ["LRANGE", "la", "0", "-1"],
    ],
  },
  {
    name: "COMMAND GETKEYS finds SORT's destination as Redis's sortGetKeys does",
    steps: [
      ["COMMAND", "GETKEYS", "SORT", "l"],
      ["COMMAND", "GETKEYS", "SORT", "l", "STORE", "d"],
      ["COMMAND", "GETKEYS", "SORT", "l", "BY", "w_*", "LIMIT", "0", "1", "GET", "#", "STORE", "d"],
      ["COMMAND", "GETKEYS", "SORT", "l", "LIMIT", "store", "1", "STORE", "d", "ASC"],
      ["COMMAND", "GETKEYS", "SORT", "l", "GET", "STORE", "STORE", "d"],
      ["COMMAND", "GETKEYS", "SORT", "l", "STORE", "d", "STORE", "e"],
      ["COMMAND", "GETKEYS", "SORT", "l", "STORE", "limit", "x", "y"],
      ["COMMAND", "GETKEYS", "SORT", "l", "store\x00x", "d"],
      ["COMMAND", "GETKEYS", "SORT", "l", "STORE"],
      ["COMMAND", "GETKEYS", "SORT", "l", "ASC", "store", "STORE"],
      ["COMMAND", "GETKEYS", "SORT_RO", "l", "STORE", "d"],
      ["COMMAND", "GETKEYSANDFLAGS", "SORT", "l", "STORE", "d"],
      ["COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "l", "GET", "x"],
      ["COMMAND", "GETKEYS", "SORT"],
    ],
  },
  {
    name: "client tracking remembers the key SORT_RO read",
    steps: [
      ["RPUSH", "l", "1"],
      ["CLIENT", "TRACKING", "on", "REDIRECT", "$id:1"],
      { argv: ["SUBSCRIBE", "__redis__:invalidate"], conn: 1 },
      ["SORT_RO", "l"],
      ["SORT", "l"],
      ["RPUSH", "l", "2"],
      read(1),
    ],
  },
  ...tieCases(),
];
