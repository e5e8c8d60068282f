/**
 * What the set and hash groups propagate. Against a real redis-server
 * 7.0.15's AOF: SPOP as SREM of the members popped (one SREM per member,
 * wrapped in MULTI / EXEC when more than one) or DEL when a count empties
 * the set, HINCRBYFLOAT as HSET of the value reached, the other writes as
 * sent and only when they changed something. Redis 7.0.15 has no
 * hash-field expiry: what the 7.4 commands propagate (HPEXPIREAT with an
 * absolute time and only the fields set, HDEL for fields deleted, HPERSIST
 * as sent) and what field expiry propagates are checked in process.
 */

import assert from "node:assert/strict";
import { effectCases, redisEffects, respliteEffects, type Step } from "../support/effects.ts";
import { hasRedisServer, type TestServer, testServer } from "../support/server.ts";

// ---------------------------------------------------------------------------
// The set group against Redis 7.0.15

effectCases("set", [
  {
    name: "SPOP of a set's last member, SPOP with a count that empties it, and no-ops",
    steps: [
      { cmd: ["SADD", "t", "x"] },
      { cmd: ["SPOP", "t"] },
      { cmd: ["SADD", "j", "1", "2"] },
      { cmd: ["SPOP", "j", "2"] },
      { cmd: ["SADD", "k", "a", "b", "c"] },
      { cmd: ["SPOP", "k", "10"] },
      { cmd: ["SADD", "u", "\x00\xff"] },
      { cmd: ["SPOP", "u", "1"] },
      { cmd: ["SPOP", "missing"] },
      { cmd: ["SPOP", "missing", "3"] },
      { cmd: ["SADD", "s", "a", "b"] },
      { cmd: ["SPOP", "s", "0"] },
      { cmd: ["SPOP", "s", "-1"] },
      { cmd: ["SPOP", "s", "1", "2"] },
    ],
  },
  {
    name: "SREM, SADD, SMOVE and SRANDMEMBER that change nothing",
    steps: [
      { cmd: ["SADD", "s", "a", "b"] },
      { cmd: ["SADD", "s", "a"] },
      { cmd: ["SREM", "s", "zz"] },
      { cmd: ["SREM", "missing", "zz"] },
      { cmd: ["SRANDMEMBER", "s"] },
      { cmd: ["SRANDMEMBER", "s", "-5"] },
      { cmd: ["SMOVE", "s", "d", "zz"] },
      { cmd: ["SMOVE", "missing", "d", "a"] },
      { cmd: ["SMOVE", "s", "s", "a"] },
      { cmd: ["SREM", "s", "a", "zz"] },
      { cmd: ["SREM", "s", "b", "a"] },
    ],
  },
  {
    name: "SMOVE as sent, whether or not the destination had the member",
    steps: [
      { cmd: ["SADD", "a", "x", "y"] },
      { cmd: ["SMOVE", "a", "b", "x"] },
      { cmd: ["SADD", "b", "y"] },
      { cmd: ["SMOVE", "a", "b", "y"] },
      { cmd: ["SMOVE", "b", "a", "y"] },
    ],
  },
  {
    name: "SINTERSTORE, SUNIONSTORE and SDIFFSTORE as sent, an empty result too",
    steps: [
      { cmd: ["SADD", "a", "1", "2", "3"] },
      { cmd: ["SADD", "b", "2", "3", "4"] },
      { cmd: ["SADD", "c", "9"] },
      { cmd: ["SINTERSTORE", "d", "a", "b"] },
      { cmd: ["SUNIONSTORE", "d", "a", "b"] },
      { cmd: ["SDIFFSTORE", "d", "a", "b"] },
      // An empty result deletes the destination: the command, not DEL.
      { cmd: ["SINTERSTORE", "d", "a", "nope"] },
      // Nothing left to delete: nothing propagates.
      { cmd: ["SINTERSTORE", "d", "a", "nope"] },
      { cmd: ["SINTERSTORE", "d", "a", "c"] },
      { cmd: ["SET", "e", "1"] },
      { cmd: ["SINTERSTORE", "e", "a", "c"] },
      { cmd: ["SET", "e", "1"] },
      { cmd: ["SDIFFSTORE", "e", "a", "a"] },
      { cmd: ["SDIFFSTORE", "e", "a", "a"] },
      { cmd: ["SDIFFSTORE", "e", "missing", "a"] },
      { cmd: ["SET", "f", "1"] },
      { cmd: ["SUNIONSTORE", "f", "x", "y"] },
      { cmd: ["SUNIONSTORE", "f", "x", "y"] },
      { cmd: ["SINTERSTORE", "a", "a"] },
      { cmd: ["SUNIONSTORE", "d", "a"] },
      { cmd: ["SUNIONSTORE", "d", "a"] },
    ],
  },
  {
    name: "SMOVE and SPOP in a transaction in another database",
    steps: [
      { cmd: ["SADD", "a", "x"] },
      { cmd: ["SELECT", "2"] },
      { cmd: ["SADD", "a", "x", "y"] },
      { cmd: ["MULTI"] },
      { cmd: ["SMOVE", "a", "b", "x"] },
      { cmd: ["SPOP", "a"] },
      { cmd: ["SMOVE", "a", "b", "x"] },
      { cmd: ["SADD", "c", "1", "2"] },
      { cmd: ["SPOP", "c", "2"] },
      { cmd: ["SRANDMEMBER", "b"] },
      { cmd: ["EXEC"] },
      { cmd: ["MULTI"] },
      { cmd: ["SPOP", "b", "5"] },
      { cmd: ["EXEC"] },
    ],
  },
], hasRedisServer());

/**
 * Which member SPOP pops is random, on both servers: the members of the
 * SREMs propagated for keys named `p...` are masked, after checking that
 * each stream pops every member at most once.
 */
function maskPopped(effects: readonly (readonly string[])[]): string[][] {
  const seen = new Set<string>();
  return effects.map((argv) => {
    if (argv[0] !== "SREM" || !argv[1]!.startsWith("p")) return [...argv];
    assert.equal(argv.length, 3, "one member per SREM");
    const id = `${argv[1]} ${argv[2]}`;
    assert.ok(!seen.has(id), `${id} popped twice`);
    seen.add(id);
    return [argv[0], argv[1]!, "<member>"];
  });
}

const members = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const RANDOM_POPS: readonly { name: string; steps: readonly Step[] }[] = [
  {
    name: "SPOP of one member of many, with and without a count of 1",
    steps: [
      { cmd: ["SADD", "p1", "a", "b", "c"] },
      { cmd: ["SPOP", "p1"] },
      { cmd: ["SPOP", "p1", "1"] },
      { cmd: ["SADD", "p2", "1", "2", "3"] },
      { cmd: ["SPOP", "p2"] },
    ],
  },
  {
    name: "SPOP with a count: few members of many, most of them, of an intset",
    steps: [
      { cmd: ["SADD", "p", ...members("m", 30)] },
      { cmd: ["SPOP", "p", "3"] },
      { cmd: ["SPOP", "p", "25"] },
      { cmd: ["SADD", "pi", "1", "2", "3", "4", "5", "6"] },
      { cmd: ["SPOP", "pi", "5"] },
    ],
  },
  {
    // Redis 7.0.15 propagates one SREM per member (7.2 batches them by 1024).
    name: "SPOP with a count of thousands: one SREM per member",
    steps: [
      { cmd: ["SADD", "p", ...members("m", 3000)] },
      { cmd: ["SPOP", "p", "2100"] },
      { cmd: ["SPOP", "p", "850"] },
    ],
  },
  {
    name: "SPOP inside MULTI / EXEC",
    steps: [
      { cmd: ["SADD", "p", "a", "b", "c", "d", "e", "f", "g"] },
      { cmd: ["MULTI"] },
      { cmd: ["SPOP", "p"] },
      { cmd: ["SPOP", "p", "2"] },
      { cmd: ["SET", "x", "1"] },
      { cmd: ["SPOP", "p", "10"] },
      { cmd: ["EXEC"] },
    ],
  },
];

for (const c of RANDOM_POPS) {
  Deno.test({
    name: `set: ${c.name} propagates as Redis 7.0.15 does (members masked)`,
    ignore: !hasRedisServer(), // the oracle is a real redis-server's AOF
    fn: async () => {
      const [theirs, ours] = await Promise.all([redisEffects(c.steps), respliteEffects(c.steps)]);
      assert.deepEqual(maskPopped(ours), maskPopped(theirs));
    },
  });
}

/** Records the effect stream; the function returns what came since it was last called. */
function recorder(s: TestServer): () => string[][] {
  const effects: string[][] = [];
  s.server.engine.propagation.subscribe({ write: (argv) => effects.push([...argv]) });
  return () => effects.splice(0);
}

Deno.test("SPOP propagates SREM of exactly the members it replied, in reply order", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const take = recorder(s);
  await t.step("without a count", async () => {
    await redis.sadd("s", "a", "b", "c");
    take();
    const member = await redis.spop("s");
    assert.deepEqual(take(), [["SREM", "s", member]]);
  });
  await t.step("a few of many members", async () => {
    await redis.sadd("big", ...members("m", 100));
    take();
    const popped = await redis.spop("big", 4);
    assert.deepEqual(take(), [["MULTI"], ...popped.map((m) => ["SREM", "big", m]), ["EXEC"]]);
  });
  await t.step("most members: the set is rebuilt from the ones left", async () => {
    const popped = await redis.spop("big", 90);
    assert.equal(popped.length, 90);
    assert.deepEqual(take(), [["MULTI"], ...popped.map((m) => ["SREM", "big", m]), ["EXEC"]]);
  });
  await t.step("most members of an intset, in ascending order as Redis lists them", async () => {
    await redis.sadd("i", "5", "1", "4", "2", "6", "3");
    take();
    const popped = await redis.spop("i", 5);
    assert.deepEqual(popped, [...popped].sort((a, b) => Number(a) - Number(b)));
    assert.deepEqual(take(), [["MULTI"], ...popped.map((m) => ["SREM", "i", m]), ["EXEC"]]);
  });
});

// ---------------------------------------------------------------------------
// The hash group against Redis 7.0.15

effectCases("hash", [
  {
    name: "HSET and HMSET as sent; HSETNX and HDEL only when they change something",
    steps: [
      { cmd: ["HSET", "h", "f", "1", "g", "2"] },
      { cmd: ["HMSET", "h", "f", "1"] },
      { cmd: ["HSET", "h", "f", "1"] },
      { cmd: ["hset", "\x00\xff", "\r\n", "\x80"] },
      { cmd: ["HSETNX", "h", "f", "9"] },
      { cmd: ["HSETNX", "h", "n", "9"] },
      { cmd: ["HSETNX", "new", "n", "9"] },
      { cmd: ["HDEL", "h", "zz"] },
      { cmd: ["HDEL", "missing", "zz"] },
      { cmd: ["HDEL", "h", "n", "zz"] },
      { cmd: ["HGET", "h", "f"] },
      { cmd: ["HGETALL", "h"] },
      { cmd: ["HRANDFIELD", "h", "-3"] },
      { cmd: ["HDEL", "h", "f", "g", "zz"] },
      { cmd: ["HSET", "h", "odd"] },
      { cmd: ["SET", "str", "1"] },
      { cmd: ["HSET", "str", "f", "1"] },
    ],
  },
  {
    name: "HINCRBY as sent; HINCRBYFLOAT as HSET of the value reached",
    steps: [
      { cmd: ["HINCRBY", "h", "i", "5"] },
      { cmd: ["HINCRBY", "h", "i", "0"] },
      { cmd: ["HINCRBY", "h", "i", "x"] },
      { cmd: ["HINCRBYFLOAT", "h", "x", "1.5"] },
      { cmd: ["HINCRBYFLOAT", "h", "x", "0"] },
      { cmd: ["HINCRBYFLOAT", "h", "x", "1e2"] },
      { cmd: ["HINCRBYFLOAT", "h", "x", "-101.50"] },
      { cmd: ["HINCRBYFLOAT", "h", "y", "5.0e3"] },
      { cmd: ["HINCRBYFLOAT", "h", "z", "0.1"] },
      { cmd: ["HINCRBYFLOAT", "h", "z", "0.2"] },
      { cmd: ["hincrbyfloat", "h", "i", "-0.25"] },
      { cmd: ["HINCRBYFLOAT", "h", "i", "bad"] },
      { cmd: ["HINCRBYFLOAT", "h", "i", "inf"] },
      { cmd: ["HSET", "h", "s", "abc"] },
      { cmd: ["HINCRBYFLOAT", "h", "s", "1"] },
      { cmd: ["HINCRBYFLOAT", "new", "f", "3"] },
    ],
  },
  {
    name: "hash writes in a transaction",
    steps: [
      { cmd: ["MULTI"] },
      { cmd: ["HINCRBYFLOAT", "h", "f", "2.5"] },
      { cmd: ["HSETNX", "h", "f", "1"] },
      { cmd: ["HDEL", "h", "nope"] },
      { cmd: ["SELECT", "1"] },
      { cmd: ["HINCRBYFLOAT", "h", "g", "1e3"] },
      { cmd: ["HINCRBY", "h", "n", "1"] },
      { cmd: ["EXEC"] },
      { cmd: ["MULTI"] },
      { cmd: ["HSETNX", "h", "f", "1"] },
      { cmd: ["HINCRBYFLOAT", "h", "f", "1"] },
      { cmd: ["EXEC"] },
    ],
  },
], hasRedisServer());

// ---------------------------------------------------------------------------
// Hash-field expiry (Redis 7.4). Redis 7.0.15 has no such commands, so these
// are checked in process against what Redis 7.4's t_hash.c propagates:
// hexpireGenericCommand rewrites the command as HPEXPIREAT with the absolute
// time in ms and only the fields it set (dropping the others and fixing the
// count), or prevents it when it set none; a field whose time is already
// past is deleted and propagated as `HDEL key field` (one per field);
// HPERSIST propagates as sent once it persisted any field.

Deno.test("HEXPIRE family propagates HPEXPIREAT with the absolute time and the fields set", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const take = recorder(s);
  const now = s.clock.now();
  await raw.call("HSET", "h", "a", "1", "b", "2", "c", "3");
  take();
  await t.step(
    "relative seconds become absolute milliseconds; missing fields are dropped",
    async () => {
      await raw.call("HEXPIRE", "h", "100", "FIELDS", "2", "a", "nope");
      assert.deepEqual(take(), [["HPEXPIREAT", "h", String(now + 100_000), "FIELDS", "1", "a"]]);
    },
  );
  await t.step("a condition is kept; fields it rejects are dropped", async () => {
    await raw.call("HPEXPIRE", "h", "500", "NX", "FIELDS", "3", "a", "b", "c");
    assert.deepEqual(take(), [[
      "HPEXPIREAT",
      "h",
      String(now + 500),
      "NX",
      "FIELDS",
      "2",
      "b",
      "c",
    ]]);
  });
  await t.step("HEXPIREAT in seconds becomes milliseconds", async () => {
    const sec = Math.floor(now / 1000) + 1000;
    await raw.call("HEXPIREAT", "h", String(sec), "GT", "FIELDS", "1", "c");
    assert.deepEqual(take(), [["HPEXPIREAT", "h", String(sec * 1000), "GT", "FIELDS", "1", "c"]]);
  });
  await t.step("HPEXPIREAT keeps its own arguments, as sent", async () => {
    const at = String(now + 777_000);
    await raw.call("hpexpireat", "h", at, "gt", "fields", "2", "a", "b");
    assert.deepEqual(take(), [["hpexpireat", "h", at, "gt", "fields", "2", "a", "b"]]);
  });
  await t.step("setting the same time again counts as setting it", async () => {
    const at = String(now + 777_000);
    await raw.call("HPEXPIREAT", "h", at, "FIELDS", "1", "a");
    assert.deepEqual(take(), [["HPEXPIREAT", "h", at, "FIELDS", "1", "a"]]);
  });
  await t.step("nothing set, nothing propagated", async () => {
    await raw.call("HEXPIRE", "h", "100", "NX", "FIELDS", "2", "a", "b");
    await raw.call("HPEXPIRE", "h", "100", "XX", "FIELDS", "1", "nope");
    await raw.call("HPEXPIRE", "missing", "100", "FIELDS", "1", "a");
    await raw.call("HPEXPIRE", "h", "-1", "FIELDS", "1", "a");
    await raw.call("HTTL", "h", "FIELDS", "1", "a");
    await raw.call("HPEXPIRETIME", "h", "FIELDS", "1", "a");
    assert.deepEqual(take(), []);
  });
  await t.step("inside MULTI / EXEC, with the transaction's other writes", async () => {
    await raw.call("MULTI");
    await raw.call("HSET", "h", "d", "4");
    await raw.call("HPEXPIRE", "h", "50", "FIELDS", "1", "d");
    await raw.call("EXEC");
    assert.deepEqual(take(), [
      ["MULTI"],
      ["HSET", "h", "d", "4"],
      ["HPEXPIREAT", "h", String(now + 50), "FIELDS", "1", "d"],
      ["EXEC"],
    ]);
  });
});

Deno.test("HEXPIRE family with a time already past propagates HDEL per field deleted", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const take = recorder(s);
  await raw.call("HSET", "h", "x1", "1", "x2", "2", "x3", "3");
  take();
  await t.step("several fields: one HDEL each, in MULTI / EXEC", async () => {
    await raw.call("HEXPIREAT", "h", "1", "FIELDS", "3", "x1", "x2", "nope");
    assert.deepEqual(take(), [["MULTI"], ["HDEL", "h", "x1"], ["HDEL", "h", "x2"], ["EXEC"]]);
  });
  await t.step("only fields that meet the condition; the last one deletes the hash", async () => {
    await raw.call("HSET", "h", "y", "1");
    await raw.call("HPEXPIRE", "h", "10000", "FIELDS", "1", "x3");
    take();
    await raw.call("HPEXPIRE", "h", "0", "XX", "FIELDS", "2", "x3", "y");
    assert.deepEqual(take(), [["HDEL", "h", "x3"]]);
    await raw.call("HPEXPIRE", "h", "0", "FIELDS", "1", "y");
    assert.deepEqual(take(), [["HDEL", "h", "y"]]);
    assert.equal(await raw.call("EXISTS", "h"), ":0\r\n");
  });
});

Deno.test("HPERSIST propagates as sent once it removed a TTL", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const take = recorder(s);
  await raw.call("HSET", "h", "a", "1", "b", "2");
  await raw.call("HPEXPIRE", "h", "1000", "FIELDS", "1", "a");
  take();
  await raw.call("HPERSIST", "h", "FIELDS", "3", "a", "b", "nope");
  assert.deepEqual(take(), [["HPERSIST", "h", "FIELDS", "3", "a", "b", "nope"]]);
  await raw.call("HPERSIST", "h", "FIELDS", "2", "a", "b");
  await raw.call("HPERSIST", "missing", "FIELDS", "1", "a");
  assert.deepEqual(take(), []);
});

Deno.test("HINCRBYFLOAT on a field with a TTL propagates HSET and HPEXPIREAT", async () => {
  // Redis 7.4 propagated HSET alone, which drops the TTL on a replica
  // (redis/redis#14218); its fix (#14227) adds HPEXPIREAT in MULTI / EXEC.
  await using s = await testServer();
  const raw = await s.raw();
  const take = recorder(s);
  const at = s.clock.now() + 5000;
  await raw.call("HSET", "h", "f", "1", "g", "1");
  await raw.call("HPEXPIREAT", "h", String(at), "FIELDS", "1", "f");
  take();
  await raw.call("HINCRBYFLOAT", "h", "f", "2.5");
  assert.deepEqual(take(), [
    ["MULTI"],
    ["HSET", "h", "f", "3.5"],
    ["HPEXPIREAT", "h", String(at), "FIELDS", "1", "f"],
    ["EXEC"],
  ]);
  assert.equal(await raw.call("HPEXPIRETIME", "h", "FIELDS", "1", "f"), `*1\r\n:${at}\r\n`);
  await raw.call("HINCRBYFLOAT", "h", "g", "2.5");
  assert.deepEqual(take(), [["HSET", "h", "g", "3.5"]]);
  await raw.call("HINCRBY", "h", "g", "1");
  assert.deepEqual(take(), []); // not an integer: an error, nothing changed
  await raw.call("HSET", "h", "n", "1");
  await raw.call("HPEXPIREAT", "h", String(at), "FIELDS", "1", "n");
  take();
  await raw.call("HINCRBY", "h", "n", "1");
  assert.deepEqual(take(), [["HINCRBY", "h", "n", "1"]]);
});

Deno.test("expired fields propagate HDEL, never a read that found them", async (t) => {
  await using s = await testServer({ config: { "enable-debug-command": "yes" } });
  const raw = await s.raw();
  const take = recorder(s);
  await raw.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
  await raw.call("HSET", "h", "a", "1", "b", "2", "c", "3");
  await raw.call("HPEXPIRE", "h", "50", "FIELDS", "2", "a", "b");
  await raw.call("HSET", "g", "a", "1");
  await raw.call("HPEXPIRE", "g", "50", "FIELDS", "1", "a");
  s.clock.advance(100);
  take();
  await t.step("lazily, by a read: HDEL, and the read propagates nothing", async () => {
    assert.equal(await raw.call("HGET", "h", "a"), "$-1\r\n");
    assert.equal(await raw.call("HLEN", "g"), ":0\r\n");
    assert.deepEqual(take(), [["HDEL", "h", "a", "b"], ["HDEL", "g", "a"]]);
  });
  await t.step("lazily, by a write: HDEL, then the write, in one unit", async () => {
    await raw.call("HPEXPIRE", "h", "50", "FIELDS", "1", "c");
    await raw.call("HSET", "h", "d", "4");
    s.clock.advance(100);
    take();
    await raw.call("HSET", "h", "e", "5");
    // As a key a command finds expired (Redis 7.0.15's AOF): the deletion
    // joins the command's unit, so the two go in MULTI / EXEC.
    assert.deepEqual(take(), [["MULTI"], ["HDEL", "h", "c"], ["HSET", "h", "e", "5"], ["EXEC"]]);
  });
  await t.step("actively, by the periodic task", async () => {
    await raw.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
    await raw.call("HPEXPIRE", "h", "50", "FIELDS", "2", "d", "e");
    take();
    // Redis 7.4 sends one HDEL per field; one HDEL of them all is the same change.
    s.clock.advance(1500);
    assert.deepEqual(take(), [["HDEL", "h", "d", "e"]]);
    assert.equal(await raw.call("EXISTS", "h"), ":0\r\n");
  });
});
