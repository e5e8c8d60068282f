/**
 * Evictions against a real redis-server's AOF: each evicted key is a DEL
 * (UNLINK with lazyfree-lazy-eviction) of its own, in the order the policy
 * picks them; refused writes propagate nothing.
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

const LRU_STEPS = [
  { cmd: ["SET", "old", "1"] },
  { sleep: 2100 },
  { cmd: ["SELECT", "2"] },
  { cmd: ["SET", "new", "2"] },
  { cmd: ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"] },
  { cmd: ["CONFIG", "SET", "maxmemory", "1"] },
  { cmd: ["PING"] },
  { cmd: ["SET", "refused", "1"] },
  { cmd: ["CONFIG", "SET", "maxmemory", "0"] },
  { cmd: ["SET", "after", "1"] },
];

effectCases("memory", [
  { name: "allkeys-lru evicts the older key first, each a DEL", steps: LRU_STEPS },
  {
    name: "evictions are UNLINK with lazyfree-lazy-eviction",
    steps: LRU_STEPS,
    config: { "lazyfree-lazy-eviction": "yes" },
  },
  {
    name: "volatile-ttl evicts the soonest TTL first and spares keys without one",
    steps: [
      { cmd: ["SET", "a", "1", "EX", "100"] },
      { cmd: ["SET", "b", "1", "EX", "50"] },
      { cmd: ["SET", "c", "1"] },
      { cmd: ["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"] },
      { cmd: ["CONFIG", "SET", "maxmemory", "1"] },
      { cmd: ["PING"] },
      { cmd: ["SET", "d", "1"] },
      { cmd: ["CONFIG", "SET", "maxmemory", "0"] },
      { cmd: ["SET", "d", "1"] },
    ],
  },
  {
    name: "noeviction propagates nothing for refused writes",
    steps: [
      { cmd: ["SET", "a", "1"] },
      { cmd: ["CONFIG", "SET", "maxmemory", "1"] },
      { cmd: ["SET", "b", "1"] },
      { cmd: ["MULTI"] },
      { cmd: ["SET", "c", "1"] },
      { cmd: ["EXEC"] },
      { cmd: ["DEL", "a"] },
      { cmd: ["CONFIG", "SET", "maxmemory", "0"] },
      { cmd: ["SET", "e", "1"] },
    ],
  },
], hasRedisServer());
