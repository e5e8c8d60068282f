/**
 * What SORT and SORT_RO propagate, against a real redis-server 7.0.15's
 * AOF: SORT ... STORE as sent, when it stored a list or deleted its
 * destination; nothing for a SORT without STORE, a SORT_RO, or a STORE of
 * nothing over a missing key; the lazy expiry of keys the sort and its
 * patterns look up as DELs before the command; a client blocked on the
 * destination as its own effect after it.
 */

import assert from "node:assert/strict";
import { effectCases, respliteEffects } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";
import { CommandTable } from "../../src/commands/spec.ts";
import { registerAll } from "../../src/commands/mod.ts";

effectCases("sort", [
  {
    name: "SORT ... STORE as sent; SORT and SORT_RO without STORE propagate nothing",
    steps: [
      { cmd: ["RPUSH", "l", "3", "1", "2"] },
      { cmd: ["SORT", "l"] },
      { cmd: ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "x_*"] },
      { cmd: ["SORT_RO", "l", "DESC"] },
      { cmd: ["SORT", "l", "STORE", "d"] },
      { cmd: ["SORT", "l", "DESC", "LIMIT", "0", "2", "GET", "#", "store", "d"] },
      { cmd: ["SORT", "l", "ALPHA", "BY", "nosort", "STORE", "l"] },
      // Errors propagate nothing.
      { cmd: ["SORT", "l", "STORE", "d", "FOO"] },
      { cmd: ["SET", "str", "v"] },
      { cmd: ["SORT", "str", "STORE", "d"] },
      { cmd: ["RPUSH", "bad", "x"] },
      { cmd: ["SORT", "bad", "STORE", "d"] },
      { cmd: ["SORT_RO", "l", "STORE", "d"] },
    ],
  },
  {
    name: "a STORE of nothing propagates only when it deleted the destination",
    steps: [
      { cmd: ["SET", "d", "x"] },
      { cmd: ["SORT", "missing", "STORE", "d"] },
      { cmd: ["SORT", "missing", "STORE", "d"] },
      { cmd: ["RPUSH", "l", "1"] },
      { cmd: ["SORT", "l", "LIMIT", "0", "0", "STORE", "l"] },
      { cmd: ["EXISTS", "l"] },
    ],
  },
  {
    name: "sets, in another database and in MULTI / EXEC",
    steps: [
      { cmd: ["SELECT", "3"] },
      { cmd: ["SADD", "s", "b", "c", "a"] },
      { cmd: ["SORT", "s", "BY", "nosort", "STORE", "d"] },
      { cmd: ["MULTI"] },
      { cmd: ["SORT", "s", "ALPHA", "STORE", "f"] },
      { cmd: ["SORT", "s", "ALPHA"] },
      { cmd: ["SORT", "missing", "STORE", "f"] },
      { cmd: ["EXEC"] },
      { cmd: ["MULTI"] },
      { cmd: ["SORT", "s", "ALPHA"] },
      { cmd: ["EXEC"] },
    ],
  },
  {
    name: "keys found expired by the sort, its patterns and its destination go as DEL first",
    steps: [
      { cmd: ["RPUSH", "l", "1", "2"] },
      { cmd: ["SET", "w_1", "9", "PX", "20"] },
      { cmd: ["SET", "g_2", "v", "PX", "20"] },
      { cmd: ["SET", "d", "x", "PX", "20"] },
      { cmd: ["RPUSH", "gone", "1"] },
      { cmd: ["PEXPIRE", "gone", "20"] },
      { sleep: 60 },
      { cmd: ["SORT", "gone"] },
      { cmd: ["SORT", "l", "BY", "w_*", "GET", "g_*"] },
      { cmd: ["SORT", "l", "STORE", "d"] },
    ],
    config: { "hz": "1" },
  },
  {
    name: "a client blocked on the destination is served after the SORT",
    steps: [
      { cmd: ["RPUSH", "src", "b", "a"] },
      { cmd: ["BLPOP", "dst", "0"], c: 1, wait: false },
      { cmd: ["SORT", "src", "ALPHA", "STORE", "dst"] },
      { reply: 1 },
      { cmd: ["BRPOPLPUSH", "dst2", "other", "0"], c: 2, wait: false },
      { cmd: ["SORT", "src", "ALPHA", "DESC", "LIMIT", "0", "1", "STORE", "dst2"] },
      { reply: 2 },
    ],
  },
], hasRedisServer());

// Until ZADD exists, the sorted-set case is registered as ignored, saying why.
const TABLE = new CommandTable();
registerAll(TABLE);
const HAS_ZADD = TABLE.lookup("zadd") !== undefined;
if (HAS_ZADD) {
  effectCases("sort", [
    {
      name: "sorted sets, sorted and in score order",
      steps: [
        { cmd: ["ZADD", "z", "1", "x", "2", "y", "0", "10"] },
        { cmd: ["SORT", "z", "BY", "nosort", "DESC", "STORE", "e"] },
        { cmd: ["SORT", "z", "ALPHA", "LIMIT", "1", "5", "STORE", "e"] },
        { cmd: ["SORT", "z", "BY", "nosort"] },
      ],
    },
  ], hasRedisServer());
} else {
  Deno.test({
    name: "sort: sorted sets, sorted and in score order propagates as Redis 7.0.15 does",
    ignore: true, // needs ZADD, not implemented yet
    fn() {},
  });
}

Deno.test("SORT ... STORE of nothing over a destination whose TTL passed propagates the SORT", async () => {
  // Redis deletes the destination without looking it up (no expiry, no
  // DEL): the SORT itself deletes it on replicas too. Checked in process:
  // a real redis-server's active expiry races the test.
  const effects = await respliteEffects([
    { cmd: ["DEBUG", "SET-ACTIVE-EXPIRE", "0"] },
    { cmd: ["SET", "d", "x", "PX", "20"] },
    { sleep: 60 },
    { cmd: ["SORT", "missing", "STORE", "d"] },
  ], { "enable-debug-command": "yes" });
  assert.deepEqual(effects.slice(-1), [["SORT", "missing", "STORE", "d"]]);
  assert.equal(effects.filter((e) => e[0] === "DEL").length, 0);
});
