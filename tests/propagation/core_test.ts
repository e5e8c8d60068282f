/**
 * The effect stream's own rules, against a real redis-server's AOF: what
 * changes nothing propagates nothing, SELECT precedes a change of database,
 * EXEC's writes are wrapped in MULTI / EXEC (one write alone is not).
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

effectCases("core", [
  {
    name: "writes as sent; reads and no-ops nothing",
    steps: [
      { cmd: ["SET", "a", "1"] },
      { cmd: ["GET", "a"] },
      { cmd: ["DEL", "missing"] },
      { cmd: ["set", "b", "\x00\xff\r\n"] },
      { cmd: ["RPUSH", "l", "x", "y"] },
      { cmd: ["SADD", "s", "m"] },
      { cmd: ["SADD", "s", "m"] },
      { cmd: ["HSET", "h", "f", "v"] },
      { cmd: ["DEL", "a", "missing"] },
    ],
  },
  {
    name: "a change of database",
    steps: [
      { cmd: ["SET", "a", "1"] },
      { cmd: ["SELECT", "3"] },
      { cmd: ["SET", "b", "2"] },
      { cmd: ["SET", "c", "2"] },
      { cmd: ["SELECT", "0"] },
      { cmd: ["SET", "d", "3"] },
      { cmd: ["SET", "e", "4"], c: 1 },
      { cmd: ["SELECT", "5"], c: 1 },
      { cmd: ["SET", "f", "4"], c: 1 },
      { cmd: ["SET", "g", "5"] },
    ],
  },
  {
    name: "transactions",
    steps: [
      { cmd: ["MULTI"] },
      { cmd: ["SET", "m1", "1"] },
      { cmd: ["EXEC"] },
      { cmd: ["MULTI"] },
      { cmd: ["SET", "m2", "1"] },
      { cmd: ["GET", "m2"] },
      { cmd: ["SELECT", "2"] },
      { cmd: ["SET", "m3", "1"] },
      { cmd: ["EXEC"] },
      { cmd: ["MULTI"] },
      { cmd: ["GET", "m2"] },
      { cmd: ["EXEC"] },
      { cmd: ["MULTI"] },
      { cmd: ["SET", "never", "1"] },
      { cmd: ["DISCARD"] },
      { cmd: ["SET", "after", "1"] },
    ],
  },
], hasRedisServer());

effectCases("core", [
  {
    name: "a transaction whose first write is in another database",
    steps: [
      { cmd: ["SET", "a", "1"] },
      { cmd: ["MULTI"] },
      { cmd: ["SELECT", "4"] },
      { cmd: ["SET", "b", "1"] },
      { cmd: ["SELECT", "0"] },
      { cmd: ["SET", "c", "1"] },
      { cmd: ["EXEC"] },
    ],
  },
], hasRedisServer());
