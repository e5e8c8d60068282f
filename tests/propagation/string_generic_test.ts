/**
 * What the string and keyspace commands, FLUSHALL, FLUSHDB and SWAPDB
 * propagate, against a real redis-server's AOF: relative and absolute TTLs
 * as `PXAT` / `PEXPIREAT` times, a time already past as a deletion, the
 * rewrites of GETSET, GETDEL, GETEX and INCRBYFLOAT, keys found expired
 * (by a command, in its unit; by the cron, alone), forced flushes.
 */

import assert from "node:assert/strict";
import {
  effectCases,
  maskTimes,
  redisEffects,
  respliteEffects,
  type Step,
} from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

const c = (...cmd: string[]): Step => ({ cmd });
const sleep = (ms: number): Step => ({ sleep: ms });
/** Keys expire only when looked up (no active expiry to race the script). */
const LAZY_ONLY = c("DEBUG", "SET-ACTIVE-EXPIRE", "0");
const DEBUG = { "enable-debug-command": "yes" };
/** Keys that expire 50 ms from now. */
const expiring = (...keys: string[]): Step[] => keys.map((k) => c("SET", k, "1", "PX", "50"));

effectCases("string", [
  {
    name: "SET with EX, PX, EXAT or PXAT: SET key value PXAT <ms>",
    steps: [
      c("SET", "a", "1", "EX", "100"),
      c("SET", "b", "1", "PX", "100000"),
      c("SET", "c", "1", "EXAT", "99999999999"),
      c("SET", "d", "1", "PXAT", "99999999999999"),
      c("set", "e", "1", "ex", "100"),
      c("SET", "f", "1", "EX", "10", "EX", "20"),
    ],
  },
  {
    name: "SET with NX, XX or GET and an expiry: the options go, KEEPTTL stays",
    steps: [
      c("SET", "a", "1"),
      c("SET", "a", "2", "GET", "EX", "100"),
      c("SET", "a", "3", "XX", "PX", "1000"),
      c("SET", "b", "3", "NX", "EX", "100"),
      c("SET", "b", "4", "NX", "EX", "100"),
      c("SET", "a", "5", "KEEPTTL"),
      c("SET", "z", "7", "XX", "EX", "100"),
    ],
  },
  {
    name: "SET with GET and no expiry: without its GET options",
    steps: [
      c("SET", "a", "1"),
      c("SET", "a", "2", "GET"),
      c("set", "a", "3", "get", "get"),
      c("SET", "a", "4", "GET", "NX"),
      c("SET", "b", "4", "NX", "GET"),
      c("SET", "b", "5", "get", "xx", "keepttl"),
      c("SET", "c", "5", "XX", "GET"),
    ],
  },
  {
    name: "SET with an expiry already past: set with it, deleted once looked up",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      c("SET", "a", "1", "PXAT", "1"),
      c("SET", "b", "1", "EXAT", "1", "GET"),
      c("SET", "c", "1", "PXAT", "1", "NX"),
      c("GET", "a"),
      c("SET", "b", "2", "NX"),
    ],
  },
  {
    name: "SETEX and PSETEX as SET PXAT; SETNX as sent",
    steps: [
      c("SETEX", "a", "100", "v"),
      c("psetex", "b", "100000", "v"),
      c("SETNX", "c", "v"),
      c("SETNX", "c", "w"),
    ],
  },
  {
    name: "GETSET as SET",
    steps: [
      c("GETSET", "a", "1"),
      c("getset", "a", "2"),
      c("SET", "b", "1", "EX", "100"),
      c("GETSET", "b", "3"),
    ],
  },
  {
    name: "GETDEL as DEL once it deleted",
    steps: [c("SET", "a", "1"), c("GETDEL", "a"), c("GETDEL", "a"), c("getdel", "x")],
  },
  {
    name: "GETDEL as UNLINK with lazyfree-lazy-user-del; DEL as sent",
    config: { "lazyfree-lazy-user-del": "yes" },
    steps: [c("SET", "a", "1"), c("GETDEL", "a"), c("SET", "b", "1"), c("DEL", "b")],
  },
  {
    name: "GETEX with a TTL as PEXPIREAT, PERSIST as PERSIST once it removed one",
    steps: [
      c("SET", "a", "1"),
      c("GETEX", "a", "EX", "100"),
      c("GETEX", "a", "PX", "100000"),
      c("GETEX", "a", "EXAT", "99999999999"),
      c("getex", "a", "pxat", "99999999999999"),
      c("GETEX", "a", "EX", "10", "EX", "20"),
      c("GETEX", "a", "PERSIST"),
      c("GETEX", "a", "PERSIST"),
      c("GETEX", "a"),
      c("GETEX", "missing", "EX", "10"),
    ],
  },
  {
    name: "GETEX with a time already past as DEL",
    steps: [
      c("SET", "a", "1"),
      c("GETEX", "a", "PXAT", "1"),
      c("SET", "b", "1"),
      c("getex", "b", "exat", "1"),
    ],
  },
  {
    name: "GETEX with a time already past as UNLINK with lazyfree-lazy-expire",
    config: { "lazyfree-lazy-expire": "yes" },
    steps: [c("SET", "a", "1"), c("GETEX", "a", "EXAT", "1")],
  },
  {
    name: "INCRBYFLOAT as SET key result KEEPTTL",
    steps: [
      c("INCRBYFLOAT", "a", "1.5"),
      c("SET", "b", "10.50", "EX", "100"),
      c("incrbyfloat", "b", "2e2"),
      c("INCRBYFLOAT", "b", "0"),
      c("INCRBYFLOAT", "b", "5.0e3"),
      c("SET", "c", "x"),
      c("INCRBYFLOAT", "c", "1"),
    ],
  },
  {
    name: "MSET, MSETNX, SETRANGE, APPEND and the INCR family as sent",
    steps: [
      c("MSET", "a", "1", "b", "2"),
      c("MSETNX", "c", "1", "d", "2"),
      c("MSETNX", "c", "1", "e", "2"),
      c("SETRANGE", "a", "3", "x"),
      c("APPEND", "a", "yy"),
      c("SETRANGE", "a", "1", ""),
      c("APPEND", "a", ""),
      c("INCR", "n"),
      c("DECR", "n"),
      c("INCRBY", "n", "5"),
      c("DECRBY", "n", "3"),
      c("incr", "n"),
      c("INCR", "a"),
    ],
  },
], hasRedisServer());

effectCases("generic", [
  {
    name: "EXPIRE, PEXPIRE and EXPIREAT as PEXPIREAT <ms>; PEXPIREAT as sent",
    steps: [
      c("SET", "a", "1"),
      c("EXPIRE", "a", "100"),
      c("PEXPIRE", "a", "200000"),
      c("EXPIREAT", "a", "99999999999"),
      c("PEXPIREAT", "a", "99999999999999"),
      c("pexpireat", "a", "99999999999998"),
      c("expire", "a", "100"),
      c("EXPIRE", "missing", "10"),
    ],
  },
  {
    name: "the EXPIRE family's NX, XX, GT and LT: kept as sent",
    steps: [
      c("SET", "a", "1"),
      c("EXPIRE", "a", "100", "nx"),
      c("EXPIRE", "a", "10", "NX"),
      c("EXPIRE", "a", "200", "gt"),
      c("EXPIRE", "a", "100", "GT"),
      c("PEXPIRE", "a", "50000", "LT"),
      c("EXPIREAT", "a", "99999999999", "xx", "gt"),
      c("pexpireat", "a", "99999999999999", "GT"),
      c("SET", "b", "1"),
      c("EXPIRE", "b", "10", "XX"),
    ],
  },
  {
    name: "the EXPIRE family with a time already past as DEL",
    steps: [
      c("SET", "a", "1"),
      c("EXPIRE", "a", "-1"),
      c("SET", "b", "1"),
      c("PEXPIREAT", "b", "1"),
      c("SET", "c", "1"),
      c("EXPIREAT", "c", "1", "NX"),
      c("SET", "d", "1", "EX", "100"),
      c("PEXPIRE", "d", "0", "lt"),
      c("SET", "e", "1"),
      c("EXPIRE", "e", "-5", "GT"),
      c("EXPIRE", "missing", "-1"),
    ],
  },
  {
    name: "the EXPIRE family with a time already past as UNLINK with lazyfree-lazy-expire",
    config: { "lazyfree-lazy-expire": "yes" },
    steps: [
      c("SET", "a", "1"),
      c("EXPIRE", "a", "-1"),
      c("SET", "b", "1"),
      c("PEXPIREAT", "b", "1"),
    ],
  },
  {
    name: "RENAME, RENAMENX, MOVE, COPY, PERSIST, DEL and UNLINK as sent; TOUCH nothing",
    steps: [
      c("SET", "a", "1"),
      c("SET", "b", "2", "EX", "100"),
      c("RENAME", "a", "x"),
      c("RENAME", "x", "x"),
      c("RENAMENX", "x", "b"),
      c("RENAMENX", "x", "y"),
      c("COPY", "b", "c"),
      c("COPY", "b", "c"),
      c("COPY", "b", "c", "REPLACE"),
      c("copy", "b", "c", "db", "2", "replace"),
      c("COPY", "b", "c", "DB", "2"),
      c("PERSIST", "c"),
      c("PERSIST", "c"),
      c("TOUCH", "c", "b", "q"),
      c("MOVE", "y", "3"),
      c("MOVE", "b", "3"),
      c("MOVE", "c", "3"),
      c("UNLINK", "c", "zz"),
      c("DEL", "b", "q"),
      c("del", "nothing"),
    ],
  },
  {
    name: "a key a read finds expired: DEL alone; several in MULTI / EXEC",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      ...expiring("a", "b", "c", "d", "e"),
      sleep(200),
      c("GET", "a"),
      c("EXISTS", "b", "c"),
      c("TTL", "d"),
      c("KEYS", "*"),
      c("MGET", "e", "a"),
    ],
  },
  {
    name: "a key a write finds expired: DEL, then the write, in MULTI / EXEC",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      ...expiring("a", "b", "c", "d", "e", "f", "g", "h"),
      sleep(200),
      c("SET", "a", "2"),
      c("INCR", "b"),
      c("SET", "c", "2", "NX"),
      c("GETSET", "d", "2"),
      c("INCRBYFLOAT", "e", "1"),
      c("APPEND", "f", "x"),
      c("MSET", "g", "2", "z", "3"),
      c("DEL", "h", "z"),
    ],
  },
  {
    name: "a key found expired by a command that then changes nothing or fails: DEL alone",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      ...expiring("a", "b", "c", "d", "e"),
      sleep(200),
      c("RENAME", "a", "z"),
      c("PERSIST", "b"),
      c("EXPIRE", "c", "100"),
      c("GETEX", "d", "PERSIST"),
      c("DEL", "e", "missing"),
    ],
  },
  {
    name: "a key found expired in another database",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      c("SELECT", "3"),
      c("SET", "k", "1", "PX", "50"),
      c("SET", "j", "1", "PX", "50"),
      c("SELECT", "0"),
      c("SET", "k", "2"),
      c("SET", "j", "2"),
      sleep(200),
      c("MOVE", "k", "3"),
      c("COPY", "j", "j", "DB", "3"),
    ],
  },
  {
    name: "keys found expired inside EXEC: in its MULTI / EXEC, in order",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      ...expiring("a", "b", "c"),
      sleep(200),
      c("MULTI"),
      c("SET", "x", "1"),
      c("GET", "a"),
      c("SET", "b", "2"),
      c("EXEC"),
      c("MULTI"),
      c("GETDEL", "c"),
      c("GET", "c"),
      c("EXEC"),
    ],
  },
  {
    name: "a key the cron expires: DEL alone",
    steps: [
      c("SET", "a", "1", "PX", "50"),
      c("SET", "b", "1"),
      c("SELECT", "2"),
      c("SET", "c", "1", "PX", "600"),
      sleep(1500),
      c("SET", "d", "1"),
    ],
  },
  {
    name: "a key the cron expires: UNLINK with lazyfree-lazy-expire",
    config: { "lazyfree-lazy-expire": "yes" },
    steps: [c("SET", "a", "1", "PX", "50"), sleep(1000), c("SET", "b", "1")],
  },
], hasRedisServer());

effectCases("server", [
  {
    name: "FLUSHALL and FLUSHDB as sent, even of empty databases",
    steps: [
      c("FLUSHALL"),
      c("FLUSHDB"),
      c("FLUSHALL", "ASYNC"),
      c("flushdb", "sync"),
      c("SET", "a", "1"),
      c("FLUSHDB"),
      c("SELECT", "2"),
      c("FLUSHDB", "ASYNC"),
      c("FLUSHALL", "SYNC"),
    ],
  },
  {
    name: "FLUSHALL and FLUSHDB as sent with lazyfree-lazy-user-flush",
    config: { "lazyfree-lazy-user-flush": "yes" },
    steps: [c("FLUSHALL"), c("SET", "a", "1"), c("FLUSHDB")],
  },
  {
    name: "SWAPDB as sent, even of one database with itself",
    steps: [
      c("SWAPDB", "0", "1"),
      c("SWAPDB", "2", "2"),
      c("SET", "a", "1"),
      c("swapdb", "0", "3"),
    ],
  },
  {
    name: "rewritten forms inside MULTI / EXEC",
    steps: [
      c("SET", "a", "1"),
      c("MULTI"),
      c("EXPIRE", "a", "100"),
      c("INCRBYFLOAT", "f", "1"),
      c("SET", "x", "1", "EX", "10"),
      c("GETSET", "x", "2"),
      c("GETDEL", "x"),
      c("SET", "y", "1", "GET"),
      c("FLUSHDB"),
      c("EXEC"),
      c("MULTI"),
      c("FLUSHALL"),
      c("EXEC"),
      c("MULTI"),
      c("SWAPDB", "0", "1"),
      c("FLUSHDB"),
      c("EXEC"),
    ],
  },
], hasRedisServer());

/** One line per effect, sorted: Redis's hash order decides which expired key SCAN meets first. */
function sortedLines(effects: readonly (readonly string[])[]): string[] {
  return maskTimes(effects).map((argv) => argv.join(" ")).sort();
}

Deno.test({
  name:
    "generic: keys SCAN and RANDOMKEY find expired propagate as DELs not wrapped in MULTI / EXEC",
  ignore: !hasRedisServer(), // the oracle is a real redis-server's AOF
  fn: async (t) => {
    const scripts: Record<string, Step[]> = {
      SCAN: [LAZY_ONLY, ...expiring("a", "b", "c"), sleep(200), c("SCAN", "0")],
      "SCAN TYPE": [LAZY_ONLY, ...expiring("a", "b"), sleep(200), c("SCAN", "0", "TYPE", "string")],
      RANDOMKEY: [LAZY_ONLY, ...expiring("a", "b", "c"), sleep(200), c("RANDOMKEY")],
    };
    for (const [name, steps] of Object.entries(scripts)) {
      await t.step(name, async () => {
        const [theirs, ours] = await Promise.all([
          redisEffects(steps, ["--enable-debug-command", "yes"]),
          respliteEffects(steps, DEBUG),
        ]);
        assert.deepEqual(sortedLines(ours), sortedLines(theirs));
        assert.ok(!ours.some((argv) => argv[0] === "MULTI"));
      });
    }
  },
});

effectCases("generic", [
  {
    name: "keys SCAN finds expired inside EXEC: in its MULTI / EXEC",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      ...expiring("a"),
      sleep(200),
      c("MULTI"),
      c("SCAN", "0"),
      c("SET", "x", "1"),
      c("EXEC"),
    ],
  },
], hasRedisServer());
