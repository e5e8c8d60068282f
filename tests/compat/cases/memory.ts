/**
 * Differential cases for MEMORY, INFO memory, the OOM refusals of
 * `maxmemory` and OBJECT FREQ / IDLETIME under an LFU policy. Memory
 * figures differ between the two servers (resplite estimates, Redis counts
 * its allocations), so they are compared by reply type; errors, nils,
 * texts and which keys are evicted are compared exactly. MEMORY
 * MALLOC-STATS is left out: Redis built with jemalloc answers its
 * allocator's report, resplite what Redis built with libc answers.
 *
 * Cases that set `maxmemory` set it back to 0 (and the policy back to
 * noeviction) at their end: both servers live through the whole group.
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** Restores the limits a case changed. */
const RESET: readonly (readonly string[])[] = [
  ["CONFIG", "SET", "maxmemory", "0"],
  ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
];

/** Cases compared with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "MEMORY USAGE: a figure, nil for a missing key, and its option errors",
    steps: [
      ["SET", "foo", "bar"],
      ["RPUSH", "l", "a", "b", "c"],
      ["SADD", "s", "1", "2", "3"],
      ["HSET", "h", "f", "v"],
      ["ZADD", "z", "1", "m"],
      // Sized as Redis lays them out: these figures are Redis's own.
      ["MEMORY", "USAGE", "foo"],
      ["MEMORY", "USAGE", "l"],
      ["MEMORY", "USAGE", "s", "SAMPLES", "0"],
      ["memory", "usage", "h", "samples", "10"],
      ["MEMORY", "USAGE", "z"],
      ["MEMORY", "USAGE", "missing"],
      ["MEMORY", "USAGE", "missing", "SAMPLES", "3"],
      ["MEMORY", "USAGE", "foo", "SAMPLES", "-1"],
      ["MEMORY", "USAGE", "foo", "SAMPLES", "x"],
      ["MEMORY", "USAGE", "missing", "SAMPLES", "x"],
      ["MEMORY", "USAGE", "foo", "SAMPLES"],
      ["MEMORY", "USAGE", "foo", "SAMPLES", "1", "SAMPLES"],
      ["MEMORY", "USAGE", "foo", "NOSUCH"],
      ["MEMORY", "USAGE"],
      ["MEMORY"],
      ["MEMORY", "NOSUCH"],
      ["MEMORY", "STATS", "x"],
      ["MEMORY", "DOCTOR", "x"],
      ["MEMORY", "MALLOC-STATS", "x"],
      ["MEMORY", "PURGE", "x"],
      ["MEMORY", "HELP", "x"],
    ],
  },
  {
    name: "MEMORY USAGE of strings, hash tables and long lists equals Redis's figures",
    steps: [
      ["SET", "int", "12345"],
      ["SET", "embstr", "x".repeat(44)],
      ["SET", "raw", "x".repeat(45)],
      ["SET", "long", "y".repeat(5000)],
      ["SET", "", ""],
      ["SADD", "intset", "1", "70000", "-5"],
      ["SADD", "set", ...Array.from({ length: 1000 }, (_, i) => `member:${i}`)],
      ["HSET", "hash", ...Array.from({ length: 600 }, (_, i) => [`field:${i}`, "v"]).flat()],
      ["RPUSH", "list", ...Array.from({ length: 10000 }, () => "xxxxxxxxxx")],
      ["MEMORY", "USAGE", "int"],
      ["MEMORY", "USAGE", "embstr"],
      ["MEMORY", "USAGE", "raw"],
      ["MEMORY", "USAGE", "long"],
      ["MEMORY", "USAGE", ""],
      ["MEMORY", "USAGE", "intset"],
      ["MEMORY", "USAGE", "set"],
      ["MEMORY", "USAGE", "set", "SAMPLES", "0"],
      ["MEMORY", "USAGE", "hash"],
      ["MEMORY", "USAGE", "list"],
      ["MEMORY", "USAGE", "list", "SAMPLES", "0"],
      ["MEMORY", "USAGE", "list", "SAMPLES", "2"],
    ],
  },
  {
    name: "MEMORY USAGE of a missing key is RESP3 null",
    resp: 3,
    steps: [["MEMORY", "USAGE", "missing"], {
      argv: ["MEMORY", "USAGE", "missing", "SAMPLES", "0"],
    }],
  },
  {
    name: "MEMORY STATS, DOCTOR, PURGE and HELP",
    steps: [
      ["SET", "a", "1"],
      { argv: ["MEMORY", "STATS"], compare: "type" },
      { argv: ["MEMORY", "DOCTOR"], compare: "type" },
      ["MEMORY", "PURGE"],
      ["MEMORY", "HELP"],
      ["memory", "help"],
    ],
  },
  {
    name: "MEMORY STATS and DOCTOR in RESP3",
    resp: 3,
    steps: [
      ["SET", "a", "1"],
      { argv: ["MEMORY", "STATS"], compare: "type" },
      { argv: ["MEMORY", "DOCTOR"], compare: "type" },
      ["MEMORY", "HELP"],
    ],
  },
  {
    name: "INFO memory has Redis's fields",
    steps: [
      ["CONFIG", "SET", "maxmemory", "1gb"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
      { argv: ["INFO", "memory"], compare: "fields" },
      ...RESET,
      { argv: ["INFO", "memory"], compare: "fields" },
    ],
  },
  {
    name: "noeviction over maxmemory refuses writes, serves reads and DEL",
    steps: [
      ["CONFIG", "RESETSTAT"],
      ["SET", "a", "1"],
      ["SET", "b", "2"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["SET", "c", "3"],
      ["RPUSH", "l", "x"],
      ["INCR", "a"],
      ["GET", "a"],
      ["EXISTS", "b"],
      ["EXPIRE", "b", "100"],
      ["DEL", "b"],
      ["DBSIZE"],
      ["PING"],
      ...RESET,
      ["SET", "c", "3"],
      ["INFO", "errorstats"],
    ],
  },
  {
    name: "out of memory inside MULTI: every queued command is refused, EXEC aborts",
    steps: [
      ["SET", "a", "1"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["MULTI"],
      ["GET", "a"],
      ["SET", "b", "2"],
      ["EXEC"],
      ["MULTI"],
      ["DISCARD"],
      ...RESET,
    ],
  },
  {
    name: "EXEC of a queued write is refused once memory ran out",
    steps: [
      ["MULTI"],
      ["SET", "a", "1"],
      { argv: ["CONFIG", "SET", "maxmemory", "1"], conn: 1 },
      ["EXEC"],
      ["GET", "a"],
      ["MULTI"],
      ...RESET.map((argv) => ({ argv, conn: 1 })),
      ["GET", "a"],
      ["EXEC"],
    ],
  },
  {
    name: "EXEC of reads only runs while out of memory",
    steps: [
      ["SET", "a", "1"],
      ["MULTI"],
      ["GET", "a"],
      { argv: ["CONFIG", "SET", "maxmemory", "1"], conn: 1 },
      ["EXEC"],
      ...RESET,
    ],
  },
  {
    name: "volatile-lru evicts keys with a TTL only, then refuses writes",
    steps: [
      ["SET", "keep", "1"],
      ["SET", "t1", "1", "EX", "100"],
      ["SET", "t2", "1", "EX", "200"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-lru"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["DBSIZE"],
      ["GET", "keep"],
      ["EXISTS", "t1", "t2"],
      ["SET", "more", "x"],
      ["INFO", "keyspace"],
      ...RESET,
      ["SET", "more", "x"],
    ],
  },
  {
    name: "volatile-ttl and volatile-random evict keys with a TTL only",
    steps: [
      ["SET", "keep", "1"],
      ["SET", "t1", "1", "EX", "100"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["EXISTS", "keep", "t1"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["SET", "t2", "1", "PX", "100000"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-random"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["EXISTS", "keep", "t2"],
      ["SETEX", "t3", "100", "x"],
      ...RESET,
    ],
  },
  {
    name: "allkeys policies evict every key when nothing else helps",
    steps: [
      ["SET", "a", "1"],
      ["RPUSH", "l", "x", "y"],
      ["SELECT", "1"],
      ["SET", "b", "1"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["DBSIZE"],
      ["SET", "c", "1"],
      ["GET", "c"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["SET", "c", "1"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-random"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["EXISTS", "c"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["SET", "d", "1"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["EXISTS", "d"],
      ["SELECT", "0"],
      ["DBSIZE"],
      ...RESET,
      { argv: ["INFO", "stats"], compare: "fields" },
    ],
  },
  {
    name: "OBJECT FREQ counts accesses under an LFU policy; IDLETIME refuses",
    steps: [
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
      ["SET", "k", "value"],
      ["OBJECT", "FREQ", "k"],
      ["GET", "k"],
      ["OBJECT", "FREQ", "k"],
      ["OBJECT", "FREQ", "missing"],
      ["OBJECT", "IDLETIME", "k"],
      ["OBJECT", "IDLETIME", "missing"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"],
      ["OBJECT", "FREQ", "k"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"],
      ["OBJECT", "FREQ", "k"],
      ...RESET,
    ],
  },
];
