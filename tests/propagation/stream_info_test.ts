/**
 * What XCLAIM and XAUTOCLAIM propagate, against a real redis-server
 * 7.0.15's AOF: never the command itself, but one idempotent `XCLAIM key
 * group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id` per
 * pending entry claimed or dropped (XCLAIM writes the ID as the client
 * did, XAUTOCLAIM as `ms-seq`), `XGROUP SETID ... ENTRIESREAD n` for a
 * LASTID that moved the group with nothing claimed, and nothing for a
 * claim that changed nothing. The delivery times (TIME's argument) differ
 * between the two servers' clocks: they are masked. XPENDING and XINFO are
 * reads: they propagate nothing.
 */

import assert from "node:assert/strict";
import { maskTimes, redisEffects, respliteEffects, type Step } from "../support/effects.ts";
import { hasRedisServer, ManualClock } from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import { Random } from "../../src/random.ts";
import type { Reply } from "../../src/resp/reply.ts";
import { StreamValue } from "../../src/store/stream.ts";
import { formatId } from "../../src/store/stream_id.ts";
import { sortedConsumers, sortedGroups } from "../../src/store/stream_group.ts";

/** The effect streams with XCLAIM's delivery times masked. */
function masked(effects: readonly (readonly string[])[]): string[][] {
  return maskTimes(effects).map((argv) => {
    if (argv[0]!.toUpperCase() !== "XCLAIM") return argv;
    return argv.map((a, i) => (i > 0 && argv[i - 1]!.toUpperCase() === "TIME" ? "<ms>" : a));
  });
}

/** A stream of four entries, a group, bob holding 1-0 and 2-0, alice 3-0 and 4-0. */
const FIXTURE: readonly Step[] = [
  { cmd: ["XADD", "s", "1-0", "f", "v1"] },
  { cmd: ["XADD", "s", "2-0", "f", "v2"] },
  { cmd: ["XADD", "s", "3-0", "f", "v3"] },
  { cmd: ["XADD", "s", "4-0", "f", "v4"] },
  { cmd: ["XGROUP", "CREATE", "s", "g", "0"] },
  { cmd: ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"] },
  { cmd: ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"] },
];

interface Case {
  readonly name: string;
  readonly steps: readonly Step[];
}

const CASES: readonly Case[] = [
  {
    name: "XCLAIM: one XCLAIM per entry claimed, the ID as written",
    steps: [
      ...FIXTURE,
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "1", "3-0"] },
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "2-0", "JUSTID", "RETRYCOUNT", "7"] },
      { cmd: ["XCLAIM", "s", "g", "bob", "0", "4-0", "IDLE", "100"] },
    ],
  },
  {
    name: "XCLAIM's delivery count wraps past 2^63 - 1 as Redis's int64 printing",
    steps: [
      ...FIXTURE,
      { cmd: ["XCLAIM", "s", "g", "bob", "0", "1-0", "RETRYCOUNT", "9223372036854775807"] },
      { cmd: ["XCLAIM", "s", "g", "bob", "0", "1-0"] },
      { cmd: ["XAUTOCLAIM", "s", "g", "bob", "0", "1-0", "COUNT", "1"] },
      { cmd: ["XCLAIM", "s", "g", "bob", "0", "2-0", "RETRYCOUNT", "9223372036854775808"] },
    ],
  },
  {
    name: "XCLAIM that changes nothing propagates nothing",
    steps: [
      ...FIXTURE,
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "9-0"] },
      { cmd: ["XCLAIM", "s", "g", "carol", "3600000", "1-0", "2-0"] },
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "1-0", "LASTID", "2-0", "FOO"] },
      { cmd: ["XCLAIM", "s", "nope", "carol", "0", "1-0"] },
      { cmd: ["XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "3-0"] },
    ],
  },
  {
    name: "XCLAIM LASTID with nothing claimed propagates XGROUP SETID",
    steps: [
      ...FIXTURE,
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "9-0", "LASTID", "7-0"] },
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "1-0", "LASTID", "8-0"] },
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "9-0", "LASTID", "8"] },
    ],
  },
  {
    name: "XCLAIM FORCE creates pending entries; deleted entries are dropped",
    steps: [
      { cmd: ["XADD", "s", "1-0", "f", "v1"] },
      { cmd: ["XADD", "s", "2-0", "f", "v2"] },
      { cmd: ["XGROUP", "CREATE", "s", "g", "$"] },
      { cmd: ["XCLAIM", "s", "g", "c", "0", "1-0", "5-0", "FORCE", "JUSTID"] },
      { cmd: ["XCLAIM", "s", "g", "d", "0", "2-0", "FORCE"] },
      { cmd: ["XDEL", "s", "1-0"] },
      { cmd: ["XCLAIM", "s", "g", "e", "0", "1-0", "2-0"] },
    ],
  },
  {
    name: "XAUTOCLAIM: normalized XCLAIMs, deleted entries included",
    steps: [
      ...FIXTURE,
      { cmd: ["XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1"] },
      { cmd: ["XDEL", "s", "2-0"] },
      { cmd: ["XAUTOCLAIM", "s", "g", "dave", "0", "(1", "JUSTID"] },
      { cmd: ["XAUTOCLAIM", "s", "g", "dave", "3600000", "0"] },
      { cmd: ["XAUTOCLAIM", "s", "g", "dave", "0", "5-0"] },
    ],
  },
  {
    name: "claims idle long enough, after time passes",
    steps: [
      ...FIXTURE,
      { sleep: 30 },
      { cmd: ["XCLAIM", "s", "g", "carol", "20", "1-0", "2-0"] },
      { cmd: ["XAUTOCLAIM", "s", "g", "dave", "20", "0"] },
    ],
  },
  {
    name: "claims in MULTI / EXEC, and the reads around them",
    steps: [
      ...FIXTURE,
      { cmd: ["MULTI"] },
      { cmd: ["XCLAIM", "s", "g", "carol", "0", "1-0"] },
      { cmd: ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "2"] },
      { cmd: ["XPENDING", "s", "g"] },
      { cmd: ["EXEC"] },
      { cmd: ["XPENDING", "s", "g", "-", "+", "10"] },
      { cmd: ["XINFO", "STREAM", "s", "FULL"] },
      { cmd: ["XINFO", "GROUPS", "s"] },
      { cmd: ["XINFO", "CONSUMERS", "s", "g"] },
    ],
  },
];

for (const c of CASES) {
  Deno.test({
    name: `stream-info: ${c.name} propagates as Redis 7.0.15 does`,
    ignore: !hasRedisServer(), // the oracle is a real redis-server's AOF
    fn: async () => {
      const [theirs, ours] = await Promise.all([redisEffects(c.steps), respliteEffects(c.steps)]);
      assert.deepEqual(masked(ours), masked(theirs));
    },
  });
}

Deno.test("stream-info: XCLAIM's propagated delivery time is the server clock's", async () => {
  const ours = await respliteEffects([
    ...FIXTURE,
    { sleep: 1000 },
    { cmd: ["XCLAIM", "s", "g", "carol", "0", "1-0", "IDLE", "300"] },
    { cmd: ["XCLAIM", "s", "g", "carol", "0", "2-0", "TIME", "1000", "RETRYCOUNT", "4"] },
  ]);
  const claims = ours.filter((argv) => argv[0] === "XCLAIM" && argv[3] === "carol");
  assert.equal(claims.length, 2);
  const [first, second] = claims as [string[], string[]];
  const read = ours.find((argv) => argv[0] === "XCLAIM" && argv[5] === "1-0")!;
  assert.equal(Number(first[7]) - Number(read[7]), 700);
  assert.deepEqual(second.slice(6, 10), ["TIME", "1000", "RETRYCOUNT", "4"]);
  assert.deepEqual(first.slice(0, 6), ["XCLAIM", "s", "g", "carol", "0", "1-0"]);
  assert.deepEqual(first.slice(8), ["RETRYCOUNT", "2", "FORCE", "JUSTID", "LASTID", "4-0"]);
});

// ---------------------------------------------------------------------------
// A replica replaying the claims holds the same consumer groups

/**
 * A group's state a replica must reproduce: all but the times, and but
 * entries-read, which Redis 7.0.15 does not propagate with XREADGROUP's or
 * XCLAIM's effects (its replicas lose it too).
 */
function groupsOf(engine: Engine, key: string): unknown {
  const value = engine.db(0).get(key);
  if (!(value instanceof StreamValue)) return value === undefined ? null : "not a stream";
  return sortedGroups(value).map((g) => ({
    name: g.name,
    lastId: formatId(g.lastId),
    pending: [...g.pending].map((
      [id, e],
    ) => [formatId(id), e.consumer.name, String(e.deliveryCount)]),
    consumers: sortedConsumers(g).map((c) => [c.name, [...c.pending].map(([id]) => formatId(id))]),
  }));
}

/** One random command of a consumer-group workload on stream `s`. */
function draw(random: Random, now: number): string[] {
  const pick = <T>(items: readonly T[]): T => items[random.below(items.length)]!;
  const group = pick(["g1", "g2"]);
  const consumer = pick(["c1", "c2", "c3"]);
  const id = () => `${1 + random.below(30)}-0`;
  switch (random.below(9)) {
    case 0:
    case 1:
      return ["XADD", "s", "*", "f", String(random.below(100))];
    case 2:
      return [
        "XREADGROUP",
        "GROUP",
        group,
        consumer,
        "COUNT",
        String(1 + random.below(4)),
        "STREAMS",
        "s",
        ">",
      ];
    case 3:
      return ["XACK", "s", group, id(), id()];
    case 4:
      return ["XDEL", "s", id()];
    case 5: {
      const out = ["XCLAIM", "s", group, consumer, pick(["0", "50", "500"]), id(), id(), id()];
      if (random.next() < 0.3) out.push("IDLE", pick(["0", "100", "-1"]));
      if (random.next() < 0.2) out.push("TIME", String(now - random.below(1000)));
      if (random.next() < 0.3) out.push("RETRYCOUNT", pick(["0", "5"]));
      if (random.next() < 0.3) out.push("FORCE");
      if (random.next() < 0.3) out.push("JUSTID");
      if (random.next() < 0.2) out.push("LASTID", id());
      return out;
    }
    case 6:
    case 7: {
      const out = ["XAUTOCLAIM", "s", group, consumer, pick(["0", "50", "500"]), pick(["0", id()])];
      if (random.next() < 0.5) out.push("COUNT", String(1 + random.below(5)));
      if (random.next() < 0.3) out.push("JUSTID");
      return out;
    }
    default:
      return ["XGROUP", "CREATE", "s", group, pick(["0", "$"]), "MKSTREAM"];
  }
}

Deno.test("stream-info: a replica replaying random claims holds the same groups and PELs", () => {
  for (const seed of [1, 2, 3]) {
    const clock = new ManualClock(1_700_000_000_000);
    // The replica's clock runs ahead: a propagated TIME is never clamped there.
    const replicaClock = new ManualClock(1_700_000_000_000 + 60_000);
    const primary = new Engine({ clock, seed });
    const replica = new Engine({ clock: replicaClock, seed: seed + 1 });
    try {
      const effects: string[][] = [];
      primary.propagation.subscribe({ write: (argv) => effects.push([...argv]) });
      const client = primary.connect();
      const replicaClient = replica.connect();
      const random = new Random(seed);
      let claims = 0;
      for (let step = 0; step < 600; step++) {
        const argv = draw(random, clock.now());
        primary.call(client, argv);
        if (argv[0] !== "XREADGROUP" && effects.some((e) => e[0] === "XCLAIM")) claims++;
        for (const effect of effects.splice(0)) {
          const reply = replica.call(replicaClient, effect) as Reply;
          assert.notEqual(reply.kind, "error", `seed ${seed} step ${step}: ${effect.join(" ")}`);
        }
        assert.deepEqual(
          groupsOf(replica, "s"),
          groupsOf(primary, "s"),
          `seed ${seed} step ${step}: ${argv.join(" ")}`,
        );
        clock.advance(random.below(40));
      }
      assert.ok(claims > 50, `seed ${seed}: only ${claims} claims propagated`);
    } finally {
      primary.close();
      replica.close();
    }
  }
});

/** A seeded script of claims whose effects do not depend on the clock (min-idle 0, no TIME). */
function timelessScript(seed: number, length: number): Step[] {
  const random = new Random(seed);
  const steps: Step[] = [];
  let next = 1;
  let now = 0;
  for (let i = 0; i < length; i++) {
    let argv = draw(random, now);
    if (argv[0] === "XADD") argv = ["XADD", "s", `${next++}-0`, ...argv.slice(3)];
    else if (argv[0] === "XCLAIM" || argv[0] === "XAUTOCLAIM") {
      argv[4] = "0";
      const at = argv.indexOf("TIME");
      if (at !== -1) argv.splice(at, 2);
    }
    now++;
    steps.push({ cmd: argv });
  }
  return steps;
}

for (const seed of [11, 12]) {
  Deno.test({
    name: `stream-info: a random script of claims (seed ${seed}) propagates as Redis 7.0.15 does`,
    ignore: !hasRedisServer(), // the oracle is a real redis-server's AOF
    fn: async () => {
      const steps = timelessScript(seed, 250);
      const [theirs, ours] = await Promise.all([redisEffects(steps), respliteEffects(steps)]);
      assert.ok(theirs.filter((e) => e[0] === "XCLAIM").length > 50);
      assert.deepEqual(masked(ours), masked(theirs));
    },
  });
}
