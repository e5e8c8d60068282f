/**
 * Differential cases for the HyperLogLog group: PFADD, PFCOUNT, PFMERGE,
 * PFDEBUG and PFSELFTEST. Values are compared byte for byte with GET, so
 * the sparse and dense encodings, the cached cardinality and the promotion
 * to dense are checked as well as the replies. Crafted values (corrupt
 * opcodes, huge registers, wrong headers) are SET on both servers.
 *
 * OBJECT ENCODING is left out: Redis reports `raw` for every sketch a
 * PFADD touched, resplite derives it from the length (a known difference
 * of strings).
 *
 * @module
 */

import { ALL_BYTES, type CompatCase, type Step } from "../case.ts";

const approx = (...argv: string[]): Step => ({ argv, compare: "approx" });

/** The 8 bytes of a cached cardinality, little endian (a bigint for exactness). */
function card(value: bigint): string {
  let s = "";
  for (let i = 0n; i < 64n; i += 8n) s += String.fromCharCode(Number((value >> i) & 0xffn));
  return s;
}

/** A cache whose top bit says it is invalid. */
const INVALID = card(1n << 63n);

/** A sparse sketch from its opcode bytes. */
function sparse(opcodes: string, cache = INVALID): string {
  return "HYLL\x01\0\0\0" + cache + opcodes;
}

/** A dense sketch whose register i holds reg(i). */
function dense(reg: (i: number) => number, cache = INVALID): string {
  let s = "";
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < 16384; i++) {
    acc |= (reg(i) & 63) << bits;
    bits += 6;
    while (bits >= 8) {
      s += String.fromCharCode(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  return "HYLL\0\0\0\0" + cache + s;
}

/** Opcodes: XZERO of n (1..16384), ZERO of n (1..64), VAL v (1..32) times n (1..4). */
function xzero(n: number): string {
  return String.fromCharCode(0x40 | ((n - 1) >> 8), (n - 1) & 0xff);
}
function zero(n: number): string {
  return String.fromCharCode(n - 1);
}
function val(v: number, n: number): string {
  return String.fromCharCode(0x80 | ((v - 1) << 2) | (n - 1));
}

/** `n` distinct elements `prefix0`, `prefix1`, ... */
function elements(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

/** A PFADD of n elements, then the bytes and the count. */
function addAndRead(key: string, prefix: string, n: number, from = 0): Step[] {
  return [
    ["PFADD", key, ...elements(prefix, n, from)],
    ["GET", key],
    ["PFCOUNT", key],
    ["GET", key],
  ];
}

/** Values that are strings but not sketches. */
const NOT_HLL: readonly (readonly [string, string])[] = [
  ["plain text", "hello"],
  ["empty string", ""],
  ["an integer", "12345"],
  ["header only magic", "HYLL"],
  ["15 bytes", "HYLL\x01" + "\0".repeat(10)],
  ["bad magic", "HYLX\x01" + "\0".repeat(11) + xzero(16384)],
  ["lower-case magic", "hyll\x01" + "\0".repeat(11) + xzero(16384)],
  ["encoding 2", "HYLL\x02" + "\0".repeat(11) + xzero(16384)],
  ["encoding 255", "HYLL\xff" + "\0".repeat(11) + xzero(16384)],
  ["dense one byte short", dense(() => 1).slice(0, -1)],
  ["dense one byte long", dense(() => 1) + "\0"],
];

function notHllCases(): CompatCase[] {
  return NOT_HLL.map(([what, value]) => ({
    name: `every HyperLogLog command refuses a string that is not one: ${what}`,
    steps: [
      ["SET", "s", value],
      ["PFADD", "s", "a"],
      ["PFADD", "s"],
      ["PFCOUNT", "s"],
      ["PFCOUNT", "s", "nokey"],
      ["PFCOUNT", "nokey", "s"],
      ["PFMERGE", "s"],
      ["PFMERGE", "d", "s"],
      ["PFMERGE", "s", "nokey"],
      ["EXISTS", "d"],
      ["PFDEBUG", "GETREG", "s"],
      ["PFDEBUG", "DECODE", "s"],
      ["PFDEBUG", "ENCODING", "s"],
      ["PFDEBUG", "TODENSE", "s"],
      ["PFDEBUG", "NOSUCH", "s"],
      ["GET", "s"],
    ],
  }));
}

/** Corrupt sparse sketches: valid headers, opcodes not covering 16384 registers. */
const CORRUPT: readonly (readonly [string, string])[] = [
  ["no opcodes", sparse("")],
  ["half the registers", sparse(xzero(8192))],
  ["one register too many", sparse(xzero(16384) + zero(1))],
  ["a VAL past the end", sparse(xzero(16383) + val(3, 2))],
  ["a truncated XZERO", sparse(xzero(16383) + "\x40")],
  ["values but short", sparse(val(5, 4) + zero(60) + xzero(8000))],
  ["values and too long", sparse(val(5, 4) + xzero(16384))],
];

function corruptCases(): CompatCase[] {
  return CORRUPT.map(([what, value]) => ({
    name: `a corrupt sparse sketch (${what}) gets INVALIDOBJ where it is walked`,
    steps: [
      ["SET", "c", value],
      ["PFCOUNT", "c"],
      ["PFCOUNT", "c", "nokey"],
      ["PFMERGE", "d", "c"],
      ["EXISTS", "d"],
      ["PFMERGE", "c"],
      ["PFDEBUG", "DECODE", "c"],
      ["PFDEBUG", "ENCODING", "c"],
      ["PFDEBUG", "GETREG", "c"],
      ["PFDEBUG", "TODENSE", "c"],
      ["GET", "c"],
      ["PFADD", "c", "a", "b", "c", "d", "e", "f", "g", "h"],
      ["GET", "c"],
      ["PFADD", "c", ...elements("x", 200)],
      ["GET", "c"],
      ["PFADD", "c"],
      ["SET", "c", value],
      ["PFADD", "c", "HYLL-forced-promotion-candidates", ...elements("y", 3000)],
      ["GET", "c"],
    ],
  }));
}

/** Reads `n` replies pushed to connection `conn` without sending anything. */
function read(conn: number, n: number): Step {
  return { argv: [], conn, replies: n };
}

/** WATCH key, run `argv`, then MULTI / PING / EXEC: nil when `argv` signalled the key. */
function watched(key: string, argv: string[]): Step[] {
  return [["WATCH", key], argv, ["MULTI"], ["PING"], ["EXEC"]];
}

/** A sparse sketch whose opcodes cover only half the registers. */
const HALF = sparse(xzero(8192));

/** Cases compared byte for byte with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "WATCH sees PFADD, PFMERGE and a PFCOUNT that stores its cache, not PFDEBUG",
    steps: [
      ["PFADD", "h", "a", "b"],
      ...watched("h", ["PFCOUNT", "h"]),
      ...watched("h", ["PFCOUNT", "h"]),
      ...watched("h", ["PFCOUNT", "h", "nokey"]),
      ...watched("h", ["PFADD", "h", "a"]),
      ...watched("h", ["PFADD", "h"]),
      ...watched("h", ["PFADD", "h", "zzz"]),
      ...watched("h", ["PFDEBUG", "TODENSE", "h"]),
      ...watched("h", ["PFDEBUG", "ENCODING", "h"]),
      ["PFADD", "g", "a"],
      ...watched("g", ["PFDEBUG", "GETREG", "g"]),
      ["PFDEBUG", "ENCODING", "g"],
      ...watched("d", ["PFMERGE", "d"]),
      ...watched("d", ["PFMERGE", "d", "h"]),
      ...watched("e", ["PFADD", "e"]),
      ["SET", "c", HALF],
      ...watched("c", ["PFADD", "c", ...elements("x", 30)]),
      ["GET", "c"],
      ...watched("c", ["PFCOUNT", "c"]),
    ],
  },
  {
    name: "HyperLogLog keyspace events: new, pfadd for PFADD and PFMERGE, keymiss for reads",
    steps: [
      ["CONFIG", "SET", "notify-keyspace-events", "KEAmn"],
      { argv: ["PSUBSCRIBE", "__key*__:*"], conn: 1 },
      ["PFADD", "h", "a"],
      read(1, 4),
      ["PFADD", "h", "a"],
      ["PFCOUNT", "h"],
      ["PFDEBUG", "TODENSE", "h"],
      ["PFDEBUG", "GETREG", "nokey"],
      ["PFCOUNT", "nokey"],
      read(1, 2),
      ["PFCOUNT", "h", "nokey2"],
      read(1, 2),
      ["PFMERGE", "d", "h", "nokey3"],
      read(1, 8),
      ["PFMERGE", "d"],
      read(1, 2),
      ["PFADD", "e"],
      read(1, 4),
      ["SET", "s", "text"],
      read(1, 4),
      ["PFADD", "s", "a"],
      ["PFMERGE", "s", "h"],
      ["SET", "c", HALF],
      read(1, 2),
      ["PFADD", "c", ...elements("x", 30)],
      { argv: ["PING"], conn: 1 },
      ["CONFIG", "SET", "notify-keyspace-events", ""],
    ],
  },
  {
    name: "PFADD creates a sparse sketch and answers 1 only when a register changes",
    steps: [
      ["PFADD", "h"],
      ["GET", "h"],
      ["PFADD", "h"],
      ["PFCOUNT", "h"],
      ["GET", "h"],
      ["PFADD", "h", "a", "b", "c"],
      ["GET", "h"],
      ["PFADD", "h", "a"],
      ["PFADD", "h", "a", "b", "c"],
      ["PFCOUNT", "h"],
      ["GET", "h"],
      ["PFCOUNT", "h"],
      ["PFADD", "h", "a"],
      ["GET", "h"],
      ["PFADD", "h", "d"],
      ["GET", "h"],
      ["PFCOUNT", "h"],
      ["TYPE", "h"],
      ["STRLEN", "h"],
      ["PFADD", "new", "x", "x", "x"],
      ["GET", "new"],
    ],
  },
  {
    name: "PFADD and PFCOUNT are binary safe",
    steps: [
      ["PFADD", "h", ALL_BYTES, "", "\0", "\0\0", "\r\n", "\xff\xfe"],
      ["GET", "h"],
      ["PFADD", "h", ...ALL_BYTES.split("")],
      ["GET", "h"],
      ["PFCOUNT", "h"],
      ["PFADD", ALL_BYTES, "a"],
      ["PFCOUNT", ALL_BYTES],
      ["GET", ALL_BYTES],
      ["PFADD", "long", "x".repeat(1000), "y".repeat(7), "z".repeat(8), "w".repeat(9)],
      ["GET", "long"],
    ],
  },
  {
    name: "elements of every length up to 24 bytes hash as Redis hashes them",
    steps: [
      ...Array.from({ length: 25 }, (_, n): Step => ["PFADD", `len${n}`, "\xa5".repeat(n)]),
      ...Array.from({ length: 25 }, (_, n): Step => ["GET", `len${n}`]),
      ["PFCOUNT", ...Array.from({ length: 25 }, (_, n) => `len${n}`)],
    ],
  },
  {
    name: "a sparse sketch grows opcode by opcode as Redis's does",
    steps: [
      ...addAndRead("h", "e", 10),
      ...addAndRead("h", "e", 100, 10),
      ...addAndRead("h", "e", 400, 110),
      ["PFDEBUG", "ENCODING", "h"],
      ["PFDEBUG", "DECODE", "h"],
      ...addAndRead("h", "e", 1000, 510),
      ["PFDEBUG", "ENCODING", "h"],
      ["PFDEBUG", "DECODE", "h"],
    ],
  },
  {
    name: "a sketch is promoted to dense beyond hll-sparse-max-bytes",
    steps: [
      ...addAndRead("h", "p", 3000),
      ["PFDEBUG", "ENCODING", "h"],
      ["STRLEN", "h"],
      ...addAndRead("h", "p", 5000, 3000),
      ["PFADD", "h", ...elements("p", 100)],
      ["GET", "h"],
      ...addAndRead("h", "q", 20000),
      ["PFADD", "one", "a"],
      ...Array.from({ length: 40 }, (_, i): Step => ["PFADD", "one", `k${i * 97}`]),
      ["GET", "one"],
      ["PFCOUNT", "one"],
    ],
  },
  {
    name: "hll-sparse-max-bytes decides when a sketch turns dense",
    steps: [
      ["CONFIG", "SET", "hll-sparse-max-bytes", "0"],
      ["PFADD", "h0"],
      ["PFDEBUG", "ENCODING", "h0"],
      ["PFADD", "h0", "a"],
      ["PFDEBUG", "ENCODING", "h0"],
      ["GET", "h0"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "100"],
      ...addAndRead("h1", "m", 20),
      ["PFDEBUG", "ENCODING", "h1"],
      ...addAndRead("h1", "m", 40, 20),
      ["PFDEBUG", "ENCODING", "h1"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "1kb"],
      ["CONFIG", "GET", "hll-sparse-max-bytes"],
      ...addAndRead("h2", "m", 600),
      ["PFDEBUG", "ENCODING", "h2"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "20000"],
      ...addAndRead("h3", "m", 6000),
      ["PFDEBUG", "ENCODING", "h3"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "-1"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "abc"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "99999999999999999999"],
      ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"],
      ["CONFIG", "GET", "hll-sparse-max-bytes"],
    ],
  },
  {
    name: "PFCOUNT of one key caches, of several keys counts the union",
    steps: [
      ["PFCOUNT", "nokey"],
      ["PFCOUNT", "nokey", "nokey2"],
      ["PFADD", "a", ...elements("e", 50)],
      ["PFADD", "b", ...elements("e", 80, 30)],
      ["PFADD", "c", ...elements("f", 5000)],
      ["PFCOUNT", "a", "b"],
      ["PFCOUNT", "a", "b", "nokey"],
      ["PFCOUNT", "a", "a"],
      ["PFCOUNT", "a", "c"],
      ["PFCOUNT", "c", "b", "a"],
      ["GET", "a"],
      ["GET", "c"],
      ["PFCOUNT", "a"],
      ["PFCOUNT", "c"],
      ["GET", "a"],
      ["GET", "c"],
      ["PFCOUNT", "c"],
    ],
  },
  {
    name: "PFMERGE merges into a new, sparse or dense destination",
    steps: [
      ["PFADD", "a", ...elements("e", 50)],
      ["PFADD", "b", ...elements("e", 80, 30)],
      ["PFADD", "big", ...elements("g", 4000)],
      ["PFMERGE", "d", "a", "b"],
      ["GET", "d"],
      ["PFCOUNT", "d"],
      ["PFMERGE", "d", "a"],
      ["GET", "d"],
      ["PFMERGE", "d"],
      ["GET", "d"],
      ["PFMERGE", "e"],
      ["GET", "e"],
      ["PFMERGE", "f", "nokey", "nokey2"],
      ["GET", "f"],
      ["PFMERGE", "a", "a"],
      ["GET", "a"],
      ["PFMERGE", "d", "big"],
      ["PFDEBUG", "ENCODING", "d"],
      ["GET", "d"],
      ["PFCOUNT", "d"],
      ["PFMERGE", "g", "a", "big", "b"],
      ["GET", "g"],
      ["PFMERGE", "big", "a"],
      ["GET", "big"],
      ["PFCOUNT", "big", "g", "d"],
      ["PFMERGE", "h", ...Array.from({ length: 30 }, (_, i) => `s${i}`)],
      ["GET", "h"],
    ],
  },
  {
    name: "PFMERGE of many sparse sketches grows the destination past the sparse limit",
    steps: [
      ...Array.from({ length: 8 }, (_, i): Step => ["PFADD", `s${i}`, ...elements(`k${i}-`, 300)]),
      ["PFMERGE", "d", ...Array.from({ length: 8 }, (_, i) => `s${i}`)],
      ["PFDEBUG", "ENCODING", "d"],
      ["GET", "d"],
      ["PFCOUNT", "d"],
      ["PFMERGE", "d2", "s0", "s1"],
      ["PFDEBUG", "ENCODING", "d2"],
      ["GET", "d2"],
      ["PFMERGE", "s7", "s6", "s5"],
      ["GET", "s7"],
    ],
  },
  {
    name: "every HyperLogLog command on another type answers WRONGTYPE",
    steps: [
      ["RPUSH", "l", "a"],
      ["PFADD", "l", "a"],
      ["PFADD", "l"],
      ["PFCOUNT", "l"],
      ["PFCOUNT", "l", "nokey"],
      ["PFCOUNT", "nokey", "l"],
      ["PFMERGE", "l"],
      ["PFMERGE", "d", "l"],
      ["PFMERGE", "d", "nokey", "l"],
      ["EXISTS", "d"],
      ["PFDEBUG", "ENCODING", "l"],
      ["PFDEBUG", "NOSUCH", "l"],
      ["SADD", "s", "a"],
      ["PFMERGE", "s", "nokey"],
      ["PFADD", "h", "a"],
      ["PFMERGE", "h", "s"],
      ["PFCOUNT", "h", "s"],
      ["GET", "h"],
    ],
  },
  ...notHllCases(),
  ...corruptCases(),
  {
    name: "a cached cardinality is believed, even of corrupt registers",
    steps: [
      ["SET", "c", sparse(xzero(100), card(12345n))],
      ["PFCOUNT", "c"],
      ["PFCOUNT", "c", "nokey"],
      ["SET", "big", sparse(xzero(16384), card((1n << 63n) - 1n))],
      ["PFCOUNT", "big"],
      ["SET", "mid", sparse(xzero(16384), card(9007199254740993n))],
      ["PFCOUNT", "mid"],
      ["SET", "d", dense(() => 0, card(42n))],
      ["PFCOUNT", "d"],
      ["PFADD", "d", "a"],
      ["PFCOUNT", "d"],
      ["GET", "d"],
    ],
  },
  {
    name: "huge registers give Redis's huge and overflowing estimates",
    steps: [
      ...[63, 52, 51, 50, 49, 45, 40, 33, 30, 20].flatMap((v): Step[] => [
        ["SET", `d${v}`, dense(() => v)],
        ["PFCOUNT", `d${v}`],
        ["GETRANGE", `d${v}`, "8", "15"],
        ["PFCOUNT", `d${v}`],
        ["PFCOUNT", `d${v}`, "nokey"],
      ]),
      ["SET", "mix", dense((i) => (i % 7 === 0 ? 51 : i % 3))],
      ["PFCOUNT", "mix"],
      ["SET", "hi", dense((i) => (i < 16000 ? 0 : 63))],
      ["PFCOUNT", "hi"],
      ["PFADD", "hi", "a", "b", "c"],
      ["GET", "hi"],
    ],
  },
  {
    name: "crafted sparse sketches: every opcode, merges of adjacent values, odd splits",
    steps: [
      [
        "SET",
        "s",
        sparse(
          zero(1) + val(3, 1) + val(3, 1) + zero(64) + val(32, 4) + xzero(1) + xzero(65) +
            val(1, 2) + xzero(16384 - 1 - 2 - 64 - 4 - 1 - 65 - 2 - 10) + zero(10),
        ),
      ],
      ["PFDEBUG", "DECODE", "s"],
      ["PFCOUNT", "s"],
      ["PFADD", "s", ...elements("z", 60)],
      ["GET", "s"],
      ["PFDEBUG", "DECODE", "s"],
      ["SET", "t", sparse(xzero(16384))],
      ["PFADD", "t", ...elements("r", 300)],
      ["GET", "t"],
      ["SET", "u", sparse(val(1, 4).repeat(4096))],
      ["PFCOUNT", "u"],
      ["PFADD", "u", ...elements("r", 50)],
      ["GET", "u"],
      ["PFDEBUG", "ENCODING", "u"],
      ["SET", "v", sparse(val(2, 1) + xzero(16383))],
      ["PFMERGE", "v", "t"],
      ["GET", "v"],
      ["SET", "w", "HYLL\x01\x07\x08\x09" + card(5n) + xzero(16384)],
      ["PFDEBUG", "TODENSE", "w"],
      ["GETRANGE", "w", "0", "40"],
      ["SET", "x", sparse(xzero(16384)).slice(0, -1)],
      ["PFDEBUG", "DECODE", "x"],
      ["PFCOUNT", "x"],
      ["PFADD", "x", "a"],
      ["GET", "x"],
    ],
  },
  {
    name: "PFDEBUG GETREG, DECODE, ENCODING and TODENSE",
    steps: [
      ["PFDEBUG", "GETREG", "nokey"],
      ["PFDEBUG", "NOSUCH", "nokey"],
      ["PFADD", "h", ...elements("e", 20)],
      ["PFDEBUG", "ENCODING", "h"],
      ["PFDEBUG", "DECODE", "h"],
      ["PFDEBUG", "decode", "h"],
      ["PFDEBUG", "GETREG", "h"],
      ["PFDEBUG", "ENCODING", "h"],
      ["PFDEBUG", "DECODE", "h"],
      ["GET", "h"],
      ["PFDEBUG", "TODENSE", "h"],
      ["PFADD", "h2", ...elements("e", 20)],
      ["PFDEBUG", "ToDense", "h2"],
      ["PFDEBUG", "TODENSE", "h2"],
      ["GET", "h2"],
      ["PFDEBUG", "GETREG", "h2"],
      ["PFDEBUG", "encoding\0junk", "h2"],
      ["PFDEBUG", "NOSUCH", "h2"],
      ["PFDEBUG", "bad\r\nname", "h2"],
      ["PFDEBUG", "bad\0name", "h2"],
      ["PFDEBUG", "", "h2"],
      ["PFADD", "e"],
      ["PFDEBUG", "DECODE", "e"],
      ["PFDEBUG", "GETREG", "e"],
      ["SET", "hdr", sparse("")],
      ["PFDEBUG", "DECODE", "hdr"],
    ],
  },
  {
    name: "PFSELFTEST passes",
    steps: [["PFSELFTEST"]],
  },
  {
    name: "HyperLogLog arity errors",
    steps: [
      ["PFADD"],
      ["PFCOUNT"],
      ["PFMERGE"],
      ["PFDEBUG"],
      ["PFDEBUG", "GETREG"],
      ["PFDEBUG", "GETREG", "k", "extra"],
      ["PFSELFTEST", "x"],
      ["EXISTS", "k"],
    ],
  },
  {
    name: "HyperLogLog replies in RESP3",
    resp: 3,
    steps: [
      ["PFADD", "h", "a", "b"],
      ["PFADD", "h", "a"],
      ["PFCOUNT", "h"],
      ["PFCOUNT", "h", "nokey"],
      ["PFMERGE", "d", "h"],
      ["PFDEBUG", "ENCODING", "d"],
      ["PFDEBUG", "DECODE", "d"],
      ["PFDEBUG", "GETREG", "d"],
      ["PFDEBUG", "TODENSE", "d"],
      ["PFDEBUG", "NOSUCH", "d"],
      ["SET", "s", "x"],
      ["PFADD", "s", "a"],
      ["SET", "c", sparse(xzero(3))],
      ["PFCOUNT", "c"],
    ],
  },
  {
    name: "HyperLogLog commands in MULTI / EXEC, and a TTL kept by every write",
    steps: [
      ["MULTI"],
      ["PFADD", "h", "a", "b"],
      ["PFCOUNT", "h"],
      ["PFMERGE", "d", "h"],
      ["PFDEBUG", "TODENSE", "d"],
      ["PFCOUNT", "d", "h"],
      ["EXEC"],
      ["EXPIRE", "h", "1000"],
      ["PFADD", "h", "c"],
      approx("TTL", "h"),
      ["PFCOUNT", "h"],
      approx("TTL", "h"),
      ["PFMERGE", "h", "d"],
      approx("TTL", "h"),
      ["PFDEBUG", "TODENSE", "h"],
      approx("TTL", "h"),
      ["SET", "s", "x"],
      ["MULTI"],
      ["PFADD", "s", "a"],
      ["PFADD", "ok", "a"],
      ["EXEC"],
    ],
  },
  {
    name: "a sketch edited as a string: APPEND and SETRANGE",
    steps: [
      ["PFADD", "h", ...elements("e", 5000)],
      ["APPEND", "h", "x"],
      ["PFCOUNT", "h"],
      ["PFADD", "s", "a"],
      ["APPEND", "s", "\x40\x00"],
      ["PFCOUNT", "s"],
      ["PFADD", "s", "b"],
      ["SETRANGE", "s", "4", "\x00"],
      ["PFCOUNT", "s"],
      ["SETRANGE", "s", "4", "\x01"],
      ["SETRANGE", "s", "15", "\x00"],
      ["PFCOUNT", "s"],
      ["GET", "s"],
    ],
  },
];
