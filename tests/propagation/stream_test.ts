/**
 * What XADD, XDEL, XTRIM and XSETID propagate, against a real
 * redis-server 7.0.15's AOF: XADD with `*` or `ms-*` as the ID it
 * generated; approximate trims (XADD's and XTRIM's `~`) as `=` with the
 * threshold reached (the length left for MAXLEN, the first entry left,
 * deleted ones included, for MINID), LIMIT kept; exact trims as sent; the
 * writes that change nothing not at all.
 */

import assert from "node:assert/strict";
import { effectCases, redisEffects, respliteEffects, type Step } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

const hasRedis = hasRedisServer();

/** XADD of `n` entries <from+i>-1 with one field. */
function fill(key: string, n: number, from = 1): Step[] {
  return Array.from(
    { length: n },
    (_, i) => ({ cmd: ["XADD", key, `${from + i}-1`, "f", `v${i}`] }),
  );
}

effectCases("stream", [
  {
    name: "XADD with explicit IDs, ms-* IDs, NOMKSTREAM and errors",
    steps: [
      { cmd: ["XADD", "s", "1-1", "a", "1"] },
      { cmd: ["XADD", "s", "1-*", "a", "2"] },
      { cmd: ["XADD", "s", "5-*", "a", "3"] },
      { cmd: ["XADD", "s", "6", "a", "4"] },
      { cmd: ["XADD", "s", "NOMKSTREAM", "7-*", "a", "5"] },
      { cmd: ["XADD", "nokey", "NOMKSTREAM", "7-*", "a", "5"] },
      { cmd: ["XADD", "s", "1-1", "a", "6"] },
      { cmd: ["XADD", "s", "0-0", "a", "6"] },
      { cmd: ["XADD", "s", "MAXLEN", "=", "5", "LIMIT", "1", "8-1", "a", "6"] },
    ],
  },
  {
    name: "XADD with exact and approximate trims",
    config: { "stream-node-max-entries": "5" },
    steps: [
      ...fill("s", 12),
      { cmd: ["XADD", "s", "MAXLEN", "10", "13-1", "f", "x"] },
      { cmd: ["XADD", "s", "MAXLEN", "~", "4", "14-1", "f", "x"] },
      { cmd: ["XADD", "s", "MAXLEN", "~", "4", "15-1", "f", "x"] },
      { cmd: ["XADD", "s", "MINID", "~", "14", "16-1", "f", "x"] },
      { cmd: ["XADD", "s", "MINID", "~", "0", "17-*", "f", "x"] },
      { cmd: ["XADD", "s", "MAXLEN", "~", "0", "LIMIT", "3", "18-1", "f", "x"] },
      { cmd: ["XADD", "s", "MINID", "=", "16", "19-1", "f", "x"] },
    ],
  },
  {
    name: "XTRIM exact and approximate, with LIMIT, and trims that remove nothing",
    config: { "stream-node-max-entries": "4" },
    steps: [
      ...fill("s", 20),
      { cmd: ["XTRIM", "s", "MAXLEN", "18"] },
      { cmd: ["XTRIM", "s", "MAXLEN", "~", "17"] },
      { cmd: ["XTRIM", "s", "MAXLEN", "~", "10"] },
      { cmd: ["XDEL", "s", "9-1", "10-1"] },
      { cmd: ["XTRIM", "s", "MINID", "~", "11"] },
      { cmd: ["XTRIM", "s", "MINID", "~", "13"] },
      { cmd: ["XTRIM", "s", "MINID", "=", "14"] },
      { cmd: ["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "4"] },
      { cmd: ["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "3"] },
      { cmd: ["XTRIM", "s", "MAXLEN", "100"] },
      { cmd: ["XTRIM", "nokey", "MAXLEN", "0"] },
      { cmd: ["XTRIM", "s", "MAXLEN", "~", "0"] },
    ],
  },
  {
    name: "XDEL and XSETID, and the ones that change nothing",
    steps: [
      ...fill("s", 4),
      { cmd: ["XDEL", "s", "2-1", "9-9"] },
      { cmd: ["XDEL", "s", "9-9"] },
      { cmd: ["XDEL", "nokey", "1-1"] },
      { cmd: ["XDEL", "s", "x"] },
      { cmd: ["XSETID", "s", "10-0"] },
      { cmd: ["XSETID", "s", "11-0", "ENTRIESADDED", "40", "MAXDELETEDID", "3-0"] },
      { cmd: ["XSETID", "s", "1-0"] },
      { cmd: ["XSETID", "nokey", "1-0"] },
      { cmd: ["XDEL", "s", "1-1", "3-1", "4-1"] },
    ],
  },
], hasRedis);

/** Replaces the IDs XADD generated from the clock (the servers' clocks differ) by `<id>`. */
function maskIds(effects: readonly (readonly string[])[]): string[][] {
  return effects.map((argv) =>
    argv.map((
      a,
      i,
    ) => (i > 1 && argv[0]!.toUpperCase() === "XADD" && /^\d{13}-\d+$/.test(a) ? "<id>" : a))
  );
}

Deno.test({
  name: "stream: XADD with * propagates the ID it generated as Redis 7.0.15 does",
  ignore: !hasRedis,
  fn: async () => {
    const steps: Step[] = [
      { cmd: ["XADD", "s", "*", "a", "1"] },
      { cmd: ["XADD", "s", "MAXLEN", "~", "1", "*", "a", "2"] },
      { cmd: ["XADD", "s", "NOMKSTREAM", "MINID", "0", "*", "a", "3"] },
    ];
    const [theirs, ours] = await Promise.all([redisEffects(steps), respliteEffects(steps)]);
    assert.deepEqual(maskIds(ours), maskIds(theirs));
    // The IDs are the generated ones, not `*`.
    assert.ok(ours.every((argv) => !argv.includes("*")));
  },
});
