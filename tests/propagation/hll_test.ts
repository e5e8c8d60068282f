/**
 * What the HyperLogLog group propagates, against a real redis-server
 * 7.0.15's AOF: PFADD as sent when it changed a register or created the
 * key; PFMERGE always; PFCOUNT of one key when it stored a newly computed
 * cardinality in the value (a read-only command that propagates, as in
 * Redis); PFDEBUG GETREG and TODENSE when they converted a sparse sketch
 * to dense. Nothing for errors, for reads that found a valid cache, and
 * for a PFADD that failed part way on a corrupt sketch.
 *
 * The property test's workload sends PFCOUNT with two keys only: it
 * counts a propagating read as a fault, and PFCOUNT of one key is one in
 * Redis. So this file also replays a PFCOUNT-heavy stream into a second
 * server and checks the values are the same bytes.
 */

import assert from "node:assert/strict";
import { effectCases, type Step } from "../support/effects.ts";
import { hasRedisServer, RawClient } from "../support/server.ts";
import { startServer } from "../../src/server.ts";

/** A sparse sketch whose opcodes cover only half the registers. */
const CORRUPT = "HYLL\x01\0\0\0" + "\0".repeat(7) + "\x80" + "\x5f\xff";

const els = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

effectCases(
  "hll",
  [
    {
      name: "PFADD when it creates or changes, not when it changes nothing or fails",
      steps: [
        { cmd: ["PFADD", "h"] },
        { cmd: ["PFADD", "h"] },
        { cmd: ["PFADD", "h", "a", "b"] },
        { cmd: ["PFADD", "h", "a", "b"] },
        { cmd: ["PFADD", "h", "a", "c"] },
        { cmd: ["PFADD", "d", ...els("e", 4000)] },
        { cmd: ["PFADD", "d", ...els("e", 100)] },
        { cmd: ["PFADD", "d", "new-one", "new-two"] },
        { cmd: ["SET", "s", "text"] },
        { cmd: ["PFADD", "s", "a"] },
        { cmd: ["RPUSH", "l", "a"] },
        { cmd: ["PFADD", "l", "a"] },
        { cmd: ["SET", "c", CORRUPT] },
        { cmd: ["PFADD", "c", ...els("x", 50)] },
      ],
    },
    {
      name: "PFCOUNT of one key when it stores a new cache, never of several",
      steps: [
        { cmd: ["PFCOUNT", "missing"] },
        { cmd: ["PFADD", "h", "a", "b"] },
        { cmd: ["PFCOUNT", "h"] },
        { cmd: ["PFCOUNT", "h"] },
        { cmd: ["PFADD", "h", "c"] },
        { cmd: ["PFCOUNT", "h", "missing"] },
        { cmd: ["PFCOUNT", "h", "h"] },
        { cmd: ["PFCOUNT", "h"] },
        { cmd: ["PFADD", "d", ...els("e", 4000)] },
        { cmd: ["PFCOUNT", "d"] },
        { cmd: ["SET", "c", CORRUPT] },
        { cmd: ["PFCOUNT", "c"] },
        { cmd: ["SET", "s", "text"] },
        { cmd: ["PFCOUNT", "s"] },
      ],
    },
    {
      name: "PFMERGE always, a merge that changes nothing and one without sources too",
      steps: [
        { cmd: ["PFADD", "a", "x", "y"] },
        { cmd: ["PFMERGE", "d", "a"] },
        { cmd: ["PFMERGE", "d", "a"] },
        { cmd: ["PFMERGE", "d"] },
        { cmd: ["PFMERGE", "e", "missing"] },
        { cmd: ["SET", "c", CORRUPT] },
        { cmd: ["PFMERGE", "d", "c"] },
        { cmd: ["SET", "s", "text"] },
        { cmd: ["PFMERGE", "s", "a"] },
      ],
    },
    {
      name: "PFDEBUG GETREG and TODENSE when they convert a sparse sketch",
      steps: [
        { cmd: ["PFADD", "h", "a", "b"] },
        { cmd: ["PFDEBUG", "ENCODING", "h"] },
        { cmd: ["PFDEBUG", "DECODE", "h"] },
        { cmd: ["PFDEBUG", "GETREG", "h"] },
        { cmd: ["PFDEBUG", "GETREG", "h"] },
        { cmd: ["PFDEBUG", "TODENSE", "h"] },
        { cmd: ["PFADD", "g", "a"] },
        { cmd: ["PFDEBUG", "todense", "g"] },
        { cmd: ["PFDEBUG", "TODENSE", "g"] },
        { cmd: ["PFDEBUG", "TODENSE", "missing"] },
        { cmd: ["PFDEBUG", "NOSUCH", "g"] },
        { cmd: ["SET", "c", CORRUPT] },
        { cmd: ["PFDEBUG", "TODENSE", "c"] },
        { cmd: ["PFDEBUG", "GETREG", "c"] },
      ],
    },
    {
      name: "HyperLogLog writes in MULTI / EXEC, PFCOUNT's cache with them",
      steps: [
        { cmd: ["MULTI"] },
        { cmd: ["PFADD", "h", "a"] },
        { cmd: ["PFCOUNT", "h"] },
        { cmd: ["PFCOUNT", "h"] },
        { cmd: ["PFMERGE", "d", "h"] },
        { cmd: ["EXEC"] },
        { cmd: ["MULTI"] },
        { cmd: ["PFCOUNT", "h"] },
        { cmd: ["PFCOUNT", "d"] },
        { cmd: ["EXEC"] },
      ],
    },
    {
      name: "a sketch past its TTL is deleted before PFADD or PFCOUNT sees it",
      steps: [
        { cmd: ["PFADD", "h", "a"] },
        { cmd: ["PEXPIRE", "h", "50"] },
        { sleep: 120 },
        { cmd: ["PFADD", "h", "b"] },
        { cmd: ["PFADD", "g", "a"] },
        { cmd: ["PEXPIRE", "g", "50"] },
        { sleep: 120 },
        { cmd: ["PFCOUNT", "g"] },
      ],
    },
  ] satisfies { name: string; steps: Step[] }[],
  hasRedisServer(),
);

Deno.test("a replica replaying the HyperLogLog effect stream holds the same bytes", async () => {
  await using primary = await startServer({ port: 0 });
  await using replica = await startServer({ port: 0 });
  await using feed = await RawClient.connect(replica.port);
  const effects: string[][] = [];
  primary.engine.propagation.subscribe({ write: (argv) => effects.push([...argv]) });
  await using c = await RawClient.connect(primary.port);
  let seed = 99;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
  const keys = ["a", "b", "c"];
  for (let i = 0; i < 400; i++) {
    const key = keys[next() % 3]!;
    const r = next() % 10;
    if (r < 5) {
      const n = next() % 40;
      await c.call("PFADD", key, ...Array.from({ length: n }, () => `e${next() % 3000}`));
    } else if (r < 7) {
      await c.call("PFCOUNT", key);
    } else if (r < 8) {
      await c.call("PFMERGE", key, keys[next() % 3]!);
    } else if (r < 9) {
      await c.call("PFDEBUG", "TODENSE", key);
    } else {
      await c.call("PFCOUNT", key, keys[next() % 3]!);
    }
  }
  for (const argv of effects) await feed.call(...argv);
  for (const key of keys) assert.equal(await feed.call("GET", key), await c.call("GET", key), key);
  assert.ok(effects.some((e) => e[0]!.toUpperCase() === "PFCOUNT"), "PFCOUNT propagated");
});
