/**
 * Differential cases for DEBUG. Both servers run with
 * `enable-debug-command yes` (see `GROUP_CONFIG` in `mod.ts`), except the
 * `debug-refused` group, which runs with the default `no`.
 *
 * The digest cases build the same dataset on both servers, every type
 * resplite has (strings, lists, sets, hashes), in their compact and large
 * encodings, with binary keys and values, TTLs and several databases, and
 * require DEBUG DIGEST and DEBUG DIGEST-VALUE to answer the same 40 hex
 * digits. DEBUG OBJECT is compared by shape only here (addresses and LRU
 * times differ); tests/commands/debug_test.ts compares its fields. DEBUG
 * HELP lists only the subcommands resplite implements, so it is not
 * compared either.
 *
 * @module
 */

import { ALL_BYTES, type CompatCase, type Step } from "../case.ts";

const shape = (...argv: string[]): Step => ({ argv, compare: "type" });

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => String(from + i));

/**
 * `n` pseudo-random binary strings of up to `maxLength` bytes, the same on
 * every run (a linear congruential generator seeded with `seed`).
 */
function binaryStrings(seed: number, n: number, maxLength: number): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const length = next() % (maxLength + 1);
    let s = "";
    for (let j = 0; j < length; j++) s += String.fromCharCode(next() >>> 24);
    // Distinct and never empty, so sets and hashes keep every one.
    out.push(`${i}:${s}`);
  }
  return out;
}

/** Integer-looking texts, canonical or not, that Redis encodes differently. */
const INTEGER_TEXTS = [
  "0",
  "1",
  "-1",
  "9999",
  "10000",
  "12345",
  "-12345",
  "2147483647",
  "-2147483648",
  "2147483648",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "-0",
  "007",
  "+5",
  " 1",
  "1 ",
  "1.5",
  "1e3",
  "0x10",
];

/** The digest of everything, and of each named key (plus a missing one). */
const digests = (...keys: string[]): Step[] => [
  ["DEBUG", "DIGEST"],
  ["DEBUG", "DIGEST-VALUE", ...keys, "no-such-key"],
];

/** The same value through each key so each gets its digest compared. */
const stringKeys = INTEGER_TEXTS.map((_, i) => `int:${i}`);

/** Cases compared byte for byte with a real redis-server started with DEBUG enabled. */
export const CASES: readonly CompatCase[] = [
  {
    name: "DEBUG DIGEST of an empty dataset is 40 zeros, DIGEST-VALUE of missing keys too",
    steps: [
      ["DEBUG", "DIGEST"],
      ["DEBUG", "DIGEST-VALUE"],
      ["DEBUG", "DIGEST-VALUE", "a", "b"],
      ["debug", "digest"],
    ],
  },
  {
    name: "DEBUG DIGEST of strings: plain, empty, long, integer-encoded and integer-looking",
    steps: [
      ["SET", "plain", "hello"],
      ["SET", "empty", ""],
      ["SET", "embstr", "x".repeat(44)],
      ["SET", "raw", "y".repeat(45)],
      ["SET", "long", "z".repeat(10000)],
      ...INTEGER_TEXTS.map((v, i) => ["SET", stringKeys[i]!, v]),
      ["SET", "counter", "10"],
      ["INCRBY", "counter", "100000"],
      ["APPEND", "appended", "12"],
      ["APPEND", "appended", "34"],
      ["SETRANGE", "ranged", "3", "abc"],
      ["INCRBYFLOAT", "float", "1.5"],
      ...digests("plain", "empty", "embstr", "raw", "long", ...stringKeys),
      ...digests("counter", "appended", "ranged", "float"),
    ],
  },
  {
    name: "DEBUG DIGEST of binary keys and values with every byte",
    steps: [
      ["SET", ALL_BYTES, ALL_BYTES],
      ["SET", "\x00", "\x00\xff\r\n"],
      ["SET", "k\r\n", ALL_BYTES.repeat(4)],
      ...digests(ALL_BYTES, "\x00", "k\r\n"),
    ],
  },
  {
    name: "DEBUG DIGEST of lists: order matters, integers and binary elements, small and large",
    steps: [
      ["RPUSH", "ab", "a", "b"],
      ["RPUSH", "ba", "b", "a"],
      ["LPUSH", "lpushed", "a", "b"],
      ["RPUSH", "ints", ...INTEGER_TEXTS],
      ["RPUSH", "binary", ...binaryStrings(1, 50, 40), ALL_BYTES],
      ["RPUSH", "large", ...range(0, 3000)],
      ["RPUSH", "wide", ...binaryStrings(2, 200, 300)],
      ["RPUSH", "edited", "a", "b", "c", "d", "e"],
      ["LSET", "edited", "1", "B"],
      ["LINSERT", "edited", "BEFORE", "d", "x"],
      ["LREM", "edited", "1", "a"],
      ["LPOP", "large"],
      ["RPOP", "large", "10"],
      ...digests("ab", "ba", "lpushed", "ints", "binary", "large", "wide", "edited"),
    ],
  },
  {
    name: "DEBUG DIGEST of sets: intsets, hashtables, order-independent",
    steps: [
      ["SADD", "intset", "3", "1", "2", "-5", "9223372036854775807", "-9223372036854775808"],
      ["SADD", "intset2", "-9223372036854775808", "9223372036854775807", "-5", "2", "1", "3"],
      ["SADD", "small16", "1", "2", "300"],
      ["SADD", "strings", "c", "b", "a"],
      ["SADD", "strings2", "a", "b", "c"],
      ["SADD", "mixed", "1", "2", "x", "007", "-0"],
      ["SADD", "big-intset", ...range(-256, 256)],
      ["SADD", "converted", ...range(0, 600)],
      ["SADD", "became-hashtable", "1", "2", "3"],
      ["SADD", "became-hashtable", "three"],
      ["SREM", "became-hashtable", "three"],
      ["SADD", "binary", ...binaryStrings(3, 100, 30), ALL_BYTES],
      ["SADD", "shrunk", ...range(0, 20)],
      ["SREM", "shrunk", ...range(5, 15)],
      ["SREM", "converted", ...range(100, 250)],
      ["SCARD", "converted"],
      ...digests(
        "intset",
        "intset2",
        "small16",
        "strings",
        "strings2",
        "mixed",
        "big-intset",
        "converted",
        "became-hashtable",
        "binary",
        "shrunk",
      ),
    ],
  },
  {
    name: "DEBUG DIGEST of hashes: listpack and hashtable, integer and binary fields",
    steps: [
      ["HSET", "small", "f", "v", "n", "1", "neg", "-12345"],
      ["HSET", "small2", "neg", "-12345", "n", "1", "f", "v"],
      ["HSET", "ints", ...INTEGER_TEXTS.flatMap((v, i) => [v, String(i)])],
      ["HSET", "long-value", "f", "v".repeat(100)],
      ["HSET", "many", ...range(0, 1200)],
      ["HSET", "binary", ...binaryStrings(4, 60, 50), ALL_BYTES, ALL_BYTES],
      ["HSET", "edited", "a", "1", "b", "2", "c", "3"],
      ["HDEL", "edited", "b"],
      ["HINCRBY", "edited", "a", "41"],
      ["HINCRBYFLOAT", "edited", "c", "0.5"],
      ["HSETNX", "edited", "d", "4"],
      ...digests("small", "small2", "ints", "long-value", "many", "binary", "edited"),
    ],
  },
  {
    name: "DEBUG DIGEST mixes in whether a key has a TTL",
    steps: [
      ["SET", "plain", "v"],
      ["SET", "ttl", "v", "EX", "1000"],
      ["SET", "pttl", "v", "PXAT", "99999999999999"],
      ["RPUSH", "list", "a", "b"],
      ["EXPIRE", "list", "5000"],
      ["SADD", "set", "1", "2"],
      ["PEXPIRE", "set", "500000"],
      ["HSET", "hash", "f", "v"],
      ["EXPIREAT", "hash", "99999999999"],
      ["SET", "persisted", "v", "EX", "100"],
      ["PERSIST", "persisted"],
      ...digests("plain", "ttl", "pttl", "list", "set", "hash", "persisted"),
      ["PERSIST", "ttl"],
      ...digests("ttl"),
    ],
  },
  {
    name: "DEBUG DIGEST mixes in database numbers; DIGEST-VALUE reads the selected database",
    steps: [
      ["SET", "k", "v"],
      ["DEBUG", "DIGEST"],
      ["MOVE", "k", "1"],
      ["DEBUG", "DIGEST"],
      ["SELECT", "1"],
      ["DEBUG", "DIGEST-VALUE", "k"],
      ["SELECT", "15"],
      ["SET", "k", "v"],
      ["RPUSH", "l", "x"],
      ["DEBUG", "DIGEST"],
      ["SELECT", "7"],
      ["SADD", "s", "a"],
      ["HSET", "h", "a", "b"],
      ["DEBUG", "DIGEST"],
      ["DEBUG", "DIGEST-VALUE", "k", "s", "h"],
      ["SWAPDB", "7", "3"],
      ["DEBUG", "DIGEST"],
      ["FLUSHDB"],
      ["DEBUG", "DIGEST"],
      ["SELECT", "1"],
      ["DEL", "k"],
      ["DEBUG", "DIGEST"],
    ],
  },
  {
    name: "DEBUG DIGEST of one dataset of every type across several databases",
    steps: [
      ["SET", "s", "1"],
      ["RPUSH", "l", ...range(0, 700), ...binaryStrings(5, 30, 20)],
      ["SADD", "i", ...range(1000, 1500)],
      ["HSET", "h", ...binaryStrings(6, 40, 100)],
      ["EXPIRE", "h", "100000"],
      ["SELECT", "2"],
      ["MSET", ...binaryStrings(7, 40, 60)],
      ["SADD", "s", ...binaryStrings(8, 700, 10)],
      ["SELECT", "9"],
      ["HSET", "h", ...range(0, 2000)],
      ["RPUSH", "s", ALL_BYTES, "", "0"],
      ["PEXPIRE", "s", "123456789"],
      ["DEBUG", "DIGEST"],
      ["SELECT", "0"],
      ["DEBUG", "DIGEST"],
      ["DEBUG", "DIGEST-VALUE", "s", "l", "i", "h"],
      ["DEL", "l"],
      ["DEBUG", "DIGEST"],
    ],
  },
  {
    name: "DEBUG subcommand and argument errors",
    steps: [
      ["DEBUG"],
      ["DEBUG", "foo"],
      ["DEBUG", "foo", "bar"],
      ["debug", "nope"],
      ["DEBUG", "HELP", "x"],
      ["DEBUG", "DIGEST", "x"],
      ["DEBUG", "OBJECT"],
      ["DEBUG", "OBJECT", "a", "b"],
      ["DEBUG", "OBJECT", "missing"],
      ["DEBUG", "SLEEP"],
      ["DEBUG", "SLEEP", "0", "1"],
      ["DEBUG", "SET-ACTIVE-EXPIRE"],
      ["DEBUG", "SET-ACTIVE-EXPIRE", "1", "2"],
      ["DEBUG", "PROTOCOL"],
      ["DEBUG", "PROTOCOL", "a", "b"],
      ["DEBUG", "PROTOCOL", "nope"],
      ["DEBUG", "PROTOCOL", "push"],
      ["DEBUG", "x".repeat(300)],
      ["DEBUG", "a\r\nb"],
    ],
  },
  {
    name: "DEBUG SLEEP and SET-ACTIVE-EXPIRE answer OK for any argument",
    steps: [
      ["DEBUG", "SLEEP", "0"],
      ["DEBUG", "SLEEP", "0.01"],
      ["DEBUG", "SLEEP", "-1"],
      ["DEBUG", "SLEEP", "abc"],
      ["DEBUG", "SLEEP", "inf"],
      ["DEBUG", "SLEEP", "nan"],
      ["DEBUG", "SLEEP", "1e30"],
      ["debug", "sleep", " 0.001xyz"],
      ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
      ["DEBUG", "SET-ACTIVE-EXPIRE", "abc"],
      ["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
    ],
  },
  {
    name: "DEBUG OBJECT answers a status line for each type",
    steps: [
      ["SET", "s", "v"],
      ["RPUSH", "l", "a"],
      ["SADD", "set", "1"],
      ["HSET", "h", "f", "v"],
      shape("DEBUG", "OBJECT", "s"),
      shape("DEBUG", "OBJECT", "l"),
      shape("DEBUG", "OBJECT", "set"),
      shape("DEBUG", "OBJECT", "h"),
    ],
  },
  {
    name: "DEBUG PROTOCOL replies in RESP2",
    steps: [
      ...[
        "string",
        "integer",
        "double",
        "bignum",
        "null",
        "array",
        "set",
        "map",
        "attrib",
        "push",
        "verbatim",
        "true",
        "false",
        "STRING",
        "Map",
      ].map((t) => ["DEBUG", "PROTOCOL", t]),
    ],
  },
  {
    name: "DEBUG PROTOCOL replies in RESP3, the push before its reply",
    resp: 3,
    steps: [
      ...[
        "string",
        "integer",
        "double",
        "bignum",
        "null",
        "array",
        "set",
        "map",
        "attrib",
        "verbatim",
        "true",
        "false",
        "nope",
      ].map((t) => ["DEBUG", "PROTOCOL", t]),
      { argv: ["DEBUG", "PROTOCOL", "push"], replies: 2 },
    ],
  },
  {
    name: "DEBUG runs inside MULTI; a push inside EXEC goes out within its array",
    resp: 3,
    steps: [
      ["MULTI"],
      ["DEBUG", "DIGEST"],
      ["DEBUG", "PROTOCOL", "push"],
      ["DEBUG", "PROTOCOL", "attrib"],
      ["DEBUG", "PROTOCOL", "bignum"],
      ["DEBUG", "nope"],
      ["EXEC"],
    ],
  },
  {
    name: "COMMAND INFO, DOCS and GETKEYS describe DEBUG as Redis does",
    steps: [
      ["COMMAND", "INFO", "DEBUG"],
      ["COMMAND", "DOCS", "debug"],
      ["COMMAND", "GETKEYS", "DEBUG", "OBJECT", "k"],
      ["COMMAND", "LIST", "FILTERBY", "PATTERN", "debu*"],
    ],
  },
];

/** Cases for a server with the default `enable-debug-command no`. */
export const REFUSED_CASES: readonly CompatCase[] = [
  {
    name: "DEBUG is refused, after the arity check, and dooms a transaction",
    steps: [
      ["DEBUG", "DIGEST"],
      ["DEBUG", "HELP"],
      ["DEBUG", "nope"],
      ["DEBUG"],
      ["MULTI"],
      ["DEBUG", "DIGEST"],
      ["EXEC"],
      ["CONFIG", "SET", "enable-debug-command", "yes"],
      ["CONFIG", "SET", "enable-debug-command", "local"],
      ["CONFIG", "GET", "enable-debug-command"],
    ],
  },
];
