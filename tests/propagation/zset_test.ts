/**
 * What the sorted-set group's single-key writes propagate, against a real
 * redis-server 7.0.15's AOF: every write as sent (ZADD INCR and ZINCRBY
 * too: Redis 7.0.15 does not rewrite them), and only when it changed
 * something (a ZADD that updates nothing, a ZINCRBY by 0, a ZREM of absent
 * members, an empty ZREMRANGEBY*, a ZRANGESTORE with nothing to store or
 * delete propagate nothing).
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

effectCases("zset", [
  {
    name: "ZADD as sent, with its options; no-ops propagate nothing",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b"] },
      { cmd: ["ZADD", "z", "1", "a"] },
      { cmd: ["ZADD", "z", "NX", "5", "a"] },
      { cmd: ["ZADD", "z", "XX", "5", "nope"] },
      { cmd: ["ZADD", "missing", "XX", "5", "a"] },
      { cmd: ["ZADD", "z", "GT", "0", "a"] },
      { cmd: ["ZADD", "z", "GT", "CH", "3", "a", "1", "b", "4", "c"] },
      { cmd: ["ZADD", "z", "LT", "XX", "0", "a"] },
      { cmd: ["ZADD", "z", "1", "x", "x"] },
      { cmd: ["ZADD", "z", "NX", "XX", "1", "a"] },
      { cmd: ["ZADD", "z", "-0", "neg", "inf", "top", "1.1", "frac"] },
    ],
  },
  {
    name: "ZADD INCR and ZINCRBY as sent; by 0, NOP and NaN propagate nothing",
    steps: [
      { cmd: ["ZINCRBY", "z", "1.5", "a"] },
      { cmd: ["ZADD", "z", "INCR", "2", "a"] },
      { cmd: ["ZINCRBY", "z", "0", "a"] },
      { cmd: ["ZADD", "z", "NX", "INCR", "2", "a"] },
      { cmd: ["ZADD", "z", "XX", "INCR", "2", "nope"] },
      { cmd: ["ZINCRBY", "z", "inf", "a"] },
      { cmd: ["ZINCRBY", "z", "-inf", "a"] },
      { cmd: ["ZADD", "z", "GT", "INCR", "-1", "a"] },
    ],
  },
  {
    name: "ZREM and ZREMRANGEBY* as sent, emptying the key too",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "0", "e"] },
      { cmd: ["ZREM", "z", "nope"] },
      { cmd: ["ZREM", "missing", "a"] },
      { cmd: ["ZREM", "z", "a", "nope"] },
      { cmd: ["ZREMRANGEBYRANK", "z", "10", "20"] },
      { cmd: ["ZREMRANGEBYRANK", "z", "0", "0"] },
      { cmd: ["ZREMRANGEBYSCORE", "z", "100", "200"] },
      { cmd: ["ZREMRANGEBYSCORE", "z", "(1", "2"] },
      { cmd: ["ZREMRANGEBYLEX", "z", "[x", "+"] },
      { cmd: ["ZREMRANGEBYLEX", "z", "-", "[c"] },
      { cmd: ["ZREMRANGEBYRANK", "z", "0", "-1"] },
      { cmd: ["ZREMRANGEBYRANK", "z", "0", "-1"] },
      { cmd: ["ZADD", "y", "1", "a"] },
      { cmd: ["ZREM", "y", "a"] },
    ],
  },
  {
    name: "ZRANGESTORE as sent, deleting its destination too; nothing to do propagates nothing",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b", "3", "c"] },
      { cmd: ["ZRANGESTORE", "d", "z", "0", "1"] },
      { cmd: ["ZRANGESTORE", "d", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"] },
      { cmd: ["ZRANGESTORE", "d", "z", "5", "6"] },
      { cmd: ["ZRANGESTORE", "d", "z", "5", "6"] },
      { cmd: ["ZRANGESTORE", "d", "missing", "0", "-1"] },
      { cmd: ["SET", "s", "x"] },
      { cmd: ["ZRANGESTORE", "s", "z", "[a", "[b", "BYLEX", "REV"] },
    ],
  },
  {
    name: "writes that find their key expired: DEL first, then the write",
    config: { "enable-debug-command": "yes" },
    steps: [
      { cmd: ["DEBUG", "SET-ACTIVE-EXPIRE", "0"] },
      { cmd: ["ZADD", "src", "1", "a", "2", "b"] },
      { cmd: ["ZADD", "z1", "1", "a"] },
      { cmd: ["PEXPIRE", "z1", "50"] },
      { cmd: ["ZADD", "z2", "1", "a"] },
      { cmd: ["PEXPIRE", "z2", "50"] },
      { cmd: ["ZADD", "d1", "1", "a"] },
      { cmd: ["PEXPIRE", "d1", "50"] },
      { cmd: ["ZADD", "d2", "1", "a"] },
      { cmd: ["PEXPIRE", "d2", "50"] },
      { cmd: ["ZADD", "z3", "1", "a"] },
      { cmd: ["PEXPIRE", "z3", "50"] },
      { sleep: 200 },
      { cmd: ["ZADD", "z1", "2", "b"] },
      { cmd: ["ZREM", "z2", "a"] },
      { cmd: ["ZRANGESTORE", "d1", "src", "0", "-1"] },
      { cmd: ["ZRANGESTORE", "d2", "src", "5", "6"] },
      { cmd: ["ZRANGE", "z3", "0", "-1"] },
    ],
  },
  {
    name: "reads propagate nothing",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b"] },
      { cmd: ["ZRANGE", "z", "0", "-1", "WITHSCORES"] },
      { cmd: ["ZRANGEBYSCORE", "z", "-inf", "+inf"] },
      { cmd: ["ZRANDMEMBER", "z", "-3"] },
      { cmd: ["ZSCAN", "z", "0"] },
      { cmd: ["ZSCORE", "z", "a"] },
      { cmd: ["ZCOUNT", "z", "0", "5"] },
      { cmd: ["ZRANK", "z", "a"] },
    ],
  },
], hasRedisServer());
