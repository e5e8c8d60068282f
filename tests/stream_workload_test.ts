/**
 * Consumer-group workloads through real client libraries, as applications
 * run them: a producer adds jobs, two consumers of one group read them
 * with `>`, one consumer crashes (disconnects without acknowledging what
 * it read), time passes on the server's manual clock, and the surviving
 * consumer takes the crashed one's pending jobs over with XAUTOCLAIM,
 * processes and acknowledges them. At the end the group's PEL is empty and
 * every job was processed exactly once. A consumer blocked in XREADGROUP
 * is woken by the producer's XADD. Once with ioredis, once with
 * node-redis.
 */

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { ManualClock, testServer } from "./support/server.ts";

const JOBS = 40;
/** How long a job may stay pending before another consumer takes it over. */
const CLAIM_AFTER_MS = 30_000;

/** Waits until the server has `n` clients blocked (INFO clients). */
async function blockedClients(redis: Redis, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await redis.info("clients");
    if (new RegExp(`blocked_clients:${n}\\r?\\n`).test(info)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never saw ${n} blocked clients`);
}

/** ioredis's stream reply: [[key, [[id, [field, value, ...]], ...]]] or null. */
type StreamsReply = [string, [string, string[]][]][] | null;

Deno.test("ioredis: consumers share a group's jobs, a crashed consumer's jobs are reclaimed", async () => {
  await using s = await testServer({ clock: new ManualClock(1_700_000_000_000) });
  const producer = await s.redis();
  const alice = await s.redis();
  const bob = new Redis({
    port: s.port,
    host: "127.0.0.1",
    lazyConnect: true,
    retryStrategy: () => null,
  });
  await bob.connect();

  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) ids.push((await producer.xadd("jobs", "*", "n", String(i)))!);
  assert.equal(await producer.xgroup("CREATE", "jobs", "workers", "0"), "OK");

  const processed = new Map<string, number>();
  const process = (id: string, fields: string[]) => {
    assert.equal(fields[0], "n");
    assert.equal(ids.indexOf(id), Number(fields[1]));
    processed.set(id, (processed.get(id) ?? 0) + 1);
  };

  // Both consumers read with ">"; bob crashes holding what he read.
  const bobRead = await bob.xreadgroup(
    "GROUP",
    "workers",
    "bob",
    "COUNT",
    "15",
    "STREAMS",
    "jobs",
    ">",
  ) as StreamsReply;
  assert.equal(bobRead?.[0]?.[1].length, 15);
  bob.disconnect();

  for (;;) {
    const reply = await alice.xreadgroup(
      "GROUP",
      "workers",
      "alice",
      "COUNT",
      "10",
      "STREAMS",
      "jobs",
      ">",
    ) as StreamsReply;
    if (reply === null) break;
    for (const [id, fields] of reply[0]![1]) {
      process(id, fields);
      assert.equal(await alice.xack("jobs", "workers", id), 1);
    }
  }
  assert.equal(processed.size, JOBS - 15);
  const [pending, first, last, consumers] = await alice.xpending("jobs", "workers") as [
    number,
    string,
    string,
    [string, string][],
  ];
  assert.deepEqual([pending, first, last, consumers], [15, ids[0], ids[14], [["bob", "15"]]]);

  // Too early: nothing is idle long enough.
  s.clock.advance(CLAIM_AFTER_MS - 1);
  const early = await alice.xautoclaim("jobs", "workers", "alice", CLAIM_AFTER_MS, "0-0");
  assert.deepEqual(early, ["0-0", [], []]);

  // Later, alice takes bob's jobs over, a few at a time, following the cursor.
  s.clock.advance(1);
  let cursor = "0-0";
  let rounds = 0;
  do {
    const [next, claimed] = await alice.xautoclaim(
      "jobs",
      "workers",
      "alice",
      CLAIM_AFTER_MS,
      cursor,
      "COUNT",
      4,
    ) as [string, [string, string[]][], string[]];
    for (const [id, fields] of claimed) {
      process(id, fields);
      assert.equal(await alice.xack("jobs", "workers", id), 1);
    }
    cursor = next;
    rounds++;
  } while (cursor !== "0-0");
  assert.equal(rounds, 4);

  assert.deepEqual(await alice.xpending("jobs", "workers"), [0, null, null, null]);
  assert.equal(processed.size, JOBS);
  assert.ok([...processed.values()].every((n) => n === 1), "every job processed exactly once");
  const info = await alice.xinfo("CONSUMERS", "jobs", "workers") as unknown[][];
  assert.deepEqual(info.map((c) => [c[1], c[3]]), [["alice", 0], ["bob", 0]]);

  // A blocked consumer is woken by the producer's next job.
  const waiter = await s.redis();
  const woken = waiter.xreadgroup(
    "GROUP",
    "workers",
    "carol",
    "BLOCK",
    "0",
    "STREAMS",
    "jobs",
    ">",
  ) as Promise<StreamsReply>;
  await blockedClients(producer, 1);
  const late = await producer.xadd("jobs", "*", "n", "late");
  const reply = await woken;
  assert.deepEqual(reply, [["jobs", [[late, ["n", "late"]]]]]);
  assert.deepEqual(await producer.xpending("jobs", "workers"), [1, late, late, [["carol", "1"]]]);
});

Deno.test("node-redis: consumers share a group's jobs, a crashed consumer's jobs are reclaimed", async () => {
  await using s = await testServer({ clock: new ManualClock(1_700_000_000_000) });
  const url = `redis://127.0.0.1:${s.port}`;
  const producer = createClient({ url });
  const alice = createClient({ url });
  const bob = createClient({ url });
  const carol = createClient({ url });
  await Promise.all([producer.connect(), alice.connect(), bob.connect(), carol.connect()]);
  try {
    assert.equal(await producer.xGroupCreate("jobs", "workers", "$", { MKSTREAM: true }), "OK");
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push(await producer.xAdd("jobs", "*", { n: String(i) }));

    const processed = new Map<string, number>();
    const process = (id: string, message: Record<string, string>) => {
      assert.equal(ids.indexOf(id), Number(message.n));
      processed.set(id, (processed.get(id) ?? 0) + 1);
    };

    const bobRead = await bob.xReadGroup("workers", "bob", { key: "jobs", id: ">" }, { COUNT: 12 });
    assert.equal(bobRead?.[0]?.messages.length, 12);
    await bob.disconnect();

    for (;;) {
      const reply = await alice.xReadGroup("workers", "alice", { key: "jobs", id: ">" }, {
        COUNT: 7,
      });
      if (reply === null) break;
      for (const { id, message } of reply[0]!.messages) {
        process(id, message);
        assert.equal(await alice.xAck("jobs", "workers", id), 1);
      }
    }
    assert.equal(processed.size, JOBS - 12);
    const before = await alice.xPending("jobs", "workers");
    assert.deepEqual(before, {
      pending: 12,
      firstId: ids[0],
      lastId: ids[11],
      consumers: [{ name: "bob", deliveriesCounter: 12 }],
    });

    s.clock.advance(CLAIM_AFTER_MS);
    let cursor = "0-0";
    do {
      const { nextId, messages } = await alice.xAutoClaim(
        "jobs",
        "workers",
        "alice",
        CLAIM_AFTER_MS,
        cursor,
        { COUNT: 5 },
      );
      for (const m of messages) {
        assert.ok(m !== null);
        process(m.id, m.message);
        assert.equal(await alice.xAck("jobs", "workers", m.id), 1);
      }
      cursor = nextId;
    } while (cursor !== "0-0");

    const after = await alice.xPending("jobs", "workers");
    assert.deepEqual(after, { pending: 0, firstId: null, lastId: null, consumers: null });
    assert.equal(processed.size, JOBS);
    assert.ok([...processed.values()].every((n) => n === 1), "every job processed exactly once");

    // A blocked consumer is woken by the producer's next job.
    const woken = carol.xReadGroup("workers", "carol", { key: "jobs", id: ">" }, { BLOCK: 0 });
    const admin = await s.redis();
    await blockedClients(admin, 1);
    const late = await producer.xAdd("jobs", "*", { n: "late" });
    const reply = await woken;
    assert.equal(reply?.length, 1);
    assert.equal(reply[0]!.name, "jobs");
    assert.deepEqual(
      reply[0]!.messages.map((m) => [m.id, { ...m.message }]),
      [[late, { n: "late" }]],
    );
  } finally {
    for (const c of [producer, alice, carol]) {
      if (c.isOpen) await c.quit();
    }
  }
});
