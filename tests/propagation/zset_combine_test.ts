/**
 * What the sorted-set combining and popping commands propagate, against a
 * real redis-server's AOF: the *STORE forms and ZPOPMIN / ZPOPMAX as sent
 * (no-ops nothing), ZMPOP and BZMPOP as `ZPOPMIN|ZPOPMAX key n` with the
 * number popped, BZPOPMIN / BZPOPMAX as `ZPOPMIN|ZPOPMAX key`, and blocked
 * clients served later as effects of their own after the write that woke
 * them, in the order Redis serves them.
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

effectCases("zset-combine", [
  {
    name: "the STORE forms as sent, an empty result as a deletion only when there was a key",
    steps: [
      { cmd: ["ZADD", "a", "1", "x", "2", "y", "3", "z"] },
      { cmd: ["ZADD", "b", "1", "y", "5", "w"] },
      { cmd: ["SADD", "s", "x", "q"] },
      { cmd: ["ZUNIONSTORE", "d", "3", "a", "b", "s", "WEIGHTS", "1", "2", "3"] },
      { cmd: ["zinterstore", "d", "2", "a", "b", "aggregate", "max"] },
      { cmd: ["ZDIFFSTORE", "d", "2", "a", "b"] },
      { cmd: ["ZINTERSTORE", "d", "2", "a", "missing"] },
      { cmd: ["ZINTERSTORE", "d", "2", "a", "missing"] },
      { cmd: ["ZDIFFSTORE", "e", "2", "a", "a"] },
      { cmd: ["SET", "str", "v", "EX", "100"] },
      { cmd: ["ZUNIONSTORE", "str", "1", "s"] },
      // Errors and reads propagate nothing.
      { cmd: ["ZUNIONSTORE", "d", "1", "a", "WEIGHTS", "x"] },
      { cmd: ["ZUNIONSTORE", "d", "1", "str", "WITHSCORES"] },
      { cmd: ["ZUNION", "2", "a", "b"] },
      { cmd: ["ZINTER", "2", "a", "b", "WITHSCORES"] },
      { cmd: ["ZDIFF", "2", "a", "b"] },
      { cmd: ["ZINTERCARD", "2", "a", "b"] },
    ],
  },
  {
    name: "ZPOPMIN and ZPOPMAX as sent, and no-ops as nothing",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"] },
      { cmd: ["ZPOPMIN", "z"] },
      { cmd: ["zpopmax", "z", "2"] },
      { cmd: ["ZPOPMIN", "z", "0"] },
      { cmd: ["ZPOPMIN", "missing"] },
      { cmd: ["ZPOPMAX", "missing", "3"] },
      { cmd: ["ZPOPMIN", "z", "-1"] },
      // More than there is, and the key emptied: as sent, no DEL.
      { cmd: ["ZPOPMAX", "z", "10"] },
      { cmd: ["EXISTS", "z"] },
    ],
  },
  {
    name: "ZMPOP as ZPOPMIN / ZPOPMAX with the number of members popped",
    steps: [
      { cmd: ["ZADD", "m", "1", "a", "2", "b", "3", "c"] },
      { cmd: ["ZMPOP", "1", "m", "max"] },
      { cmd: ["zmpop", "2", "missing", "m", "MIN", "COUNT", "10"] },
      { cmd: ["ZADD", "m", "1", "a", "2", "b", "3", "c"] },
      { cmd: ["ZMPOP", "1", "m", "MIN", "COUNT", "2"] },
      { cmd: ["ZMPOP", "1", "missing", "MIN"] },
    ],
  },
  {
    name: "blocking pops that find members at once, as their non-blocking forms",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"] },
      { cmd: ["BZPOPMIN", "z", "0"] },
      { cmd: ["bzpopmax", "missing", "z", "0"] },
      { cmd: ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "1"] },
      { cmd: ["bzmpop", "0", "2", "missing", "z", "min"] },
      { cmd: ["BZMPOP", "1", "1", "z", "MAX", "COUNT", "10"] },
    ],
  },
  {
    name: "blocking pops inside MULTI, as their non-blocking forms",
    steps: [
      { cmd: ["ZADD", "z", "1", "a", "2", "b", "3", "c"] },
      { cmd: ["MULTI"] },
      { cmd: ["BZPOPMIN", "z", "0"] },
      { cmd: ["BZPOPMAX", "empty", "0"] },
      { cmd: ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"] },
      { cmd: ["ZMPOP", "1", "z", "MIN"] },
      { cmd: ["EXEC"] },
      // Nothing to pop: nothing at all, not even MULTI / EXEC.
      { cmd: ["MULTI"] },
      { cmd: ["BZPOPMIN", "e", "0"] },
      { cmd: ["BZMPOP", "0", "1", "e", "MIN", "COUNT", "3"] },
      { cmd: ["EXEC"] },
    ],
  },
  {
    name: "blocked clients served by one ZADD, each after it in arrival order",
    steps: [
      { cmd: ["BZPOPMIN", "a", "q", "0"], c: 1, wait: false },
      { cmd: ["BZPOPMAX", "q", "0"], c: 2, wait: false },
      { cmd: ["BZMPOP", "0", "1", "q", "MAX", "COUNT", "10"], c: 3, wait: false },
      { cmd: ["BZMPOP", "0", "1", "q", "MIN"], c: 4, wait: false },
      { cmd: ["ZADD", "q", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"] },
      { reply: 1 },
      { reply: 2 },
      { reply: 3 },
      // The key is gone: the last waiter waits for the next ZADD.
      { cmd: ["ZADD", "q", "1", "x", "2", "y"] },
      { reply: 4 },
    ],
  },
  {
    name: "blocked clients served by the STORE forms and ZRANGESTORE",
    steps: [
      { cmd: ["ZADD", "src", "1", "a", "2", "b", "3", "c"] },
      { cmd: ["BZPOPMIN", "u", "0"], c: 1, wait: false },
      { cmd: ["ZUNIONSTORE", "u", "1", "src"] },
      { reply: 1 },
      { cmd: ["BZMPOP", "0", "1", "i", "MAX", "COUNT", "2"], c: 1, wait: false },
      { cmd: ["ZINTERSTORE", "i", "2", "src", "src"] },
      { reply: 1 },
      { cmd: ["BZPOPMAX", "d", "0"], c: 1, wait: false },
      { cmd: ["ZDIFFSTORE", "d", "1", "src"] },
      { reply: 1 },
      { cmd: ["BZPOPMAX", "r", "0"], c: 1, wait: false },
      { cmd: ["ZRANGESTORE", "r", "src", "0", "1"] },
      { reply: 1 },
    ],
  },
  {
    name: "blocked clients served after the writer's EXEC, and in their own database",
    steps: [
      { cmd: ["BZMPOP", "0", "3", "a", "b", "c", "MIN", "COUNT", "2"], c: 1, wait: false },
      { cmd: ["BZPOPMAX", "c", "b", "0"], c: 2, wait: false },
      { cmd: ["MULTI"] },
      { cmd: ["ZADD", "c", "1", "x", "2", "y", "3", "z"] },
      { cmd: ["ZADD", "b", "4", "w"] },
      { cmd: ["SET", "k", "1"] },
      { cmd: ["EXEC"] },
      { reply: 1 },
      { reply: 2 },
      { cmd: ["SELECT", "3"], c: 3 },
      { cmd: ["BZPOPMIN", "k", "0"], c: 3, wait: false },
      { cmd: ["SELECT", "3"], c: 4 },
      { cmd: ["ZADD", "k", "1", "v"], c: 4 },
      { reply: 3 },
      { cmd: ["SET", "y", "1"] },
    ],
  },
  {
    name: "waiters that cannot be served propagate nothing",
    steps: [
      { cmd: ["BZPOPMIN", "k", "0"], c: 1, wait: false },
      { cmd: ["SET", "k", "v"] },
      { cmd: ["DEL", "k"] },
      { cmd: ["RPUSH", "k", "v"] },
      { cmd: ["DEL", "k"] },
      { cmd: ["ZADD", "k", "1", "m"] },
      { reply: 1 },
      { cmd: ["BZMPOP", "0.1", "1", "t", "MIN"], c: 1, wait: false },
      { sleep: 300 },
      { reply: 1 },
      { cmd: ["ZADD", "t", "1", "x"] },
    ],
  },
], hasRedisServer());
