import assert from "node:assert/strict";
import { type Redis, testServer } from "./support/server.ts";

const OK = "+OK\r\n";

/** Tracks whether a promise has settled. */
function track<T>(p: Promise<T>): { settled: () => boolean; value: Promise<T> } {
  let done = false;
  const value = p.finally(() => {
    done = true;
  });
  return { settled: () => done, value };
}

/** Lets pending replies arrive: a round trip on another connection. */
async function roundTrip(redis: Redis): Promise<void> {
  await redis.echo("sync");
  await redis.echo("sync");
}

Deno.test("CLIENT PAUSE WRITE holds writes until the timeout; reads go on", async (t) => {
  await using s = await testServer({ config: { hz: "1" } });
  const admin = await s.redis();
  const writer = await s.redis();
  const reader = await s.redis();

  await t.step("a write waits and runs when the pause times out", async () => {
    assert.equal(await admin.call("CLIENT", "PAUSE", "1000", "WRITE"), "OK");
    const set = track(writer.set("a", "1"));
    assert.equal(await reader.get("a"), null);
    await roundTrip(reader);
    assert.equal(set.settled(), false);
    s.clock.advance(999);
    await roundTrip(reader);
    assert.equal(set.settled(), false);
    s.clock.advance(1);
    assert.equal(await set.value, "OK");
    assert.equal(await reader.get("a"), "1");
  });

  await t.step("CLIENT UNPAUSE releases held commands at once", async () => {
    assert.equal(await admin.call("CLIENT", "PAUSE", "100000", "WRITE"), "OK");
    const del = track(writer.del("a"));
    await roundTrip(reader);
    assert.equal(del.settled(), false);
    assert.equal(await admin.call("CLIENT", "UNPAUSE"), "OK");
    assert.equal(await del.value, 1);
  });

  await t.step("a queued write inside MULTI is held too, and EXEC of writes", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "m", "1"), "+QUEUED\r\n");
    assert.equal(await admin.call("CLIENT", "PAUSE", "1000", "WRITE"), "OK");
    assert.equal(await raw.call("GET", "m"), "+QUEUED\r\n");
    await raw.write("*1\r\n$4\r\nEXEC\r\n");
    await roundTrip(reader);
    assert.equal(await reader.exists("m"), 0);
    s.clock.advance(1000);
    assert.equal(await raw.reply(), "*2\r\n+OK\r\n$1\r\n1\r\n");
  });

  await t.step("MONITOR clients are never held", async () => {
    const monitor = await s.raw();
    assert.equal(await monitor.call("MONITOR"), OK);
    assert.equal(await admin.call("CLIENT", "PAUSE", "1000", "ALL"), "OK");
    assert.equal(await monitor.call("PING"), "+PONG\r\n");
    s.clock.advance(1000);
  });
});

Deno.test("CLIENT PAUSE ALL holds every valid command, the pausing client's too", async () => {
  await using s = await testServer({ config: { hz: "1" } });
  const admin = await s.raw();
  const other = await s.redis();
  assert.equal(await admin.call("CLIENT", "PAUSE", "500"), OK);
  const ping = track(other.ping());
  const unpause = track(other.call("CLIENT", "UNPAUSE"));
  // Rejected commands are answered at once.
  assert.equal(await admin.call("GET"), "-ERR wrong number of arguments for 'get' command\r\n");
  assert.equal(
    await admin.call("NOSUCH"),
    "-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
  );
  await admin.write("*1\r\n$4\r\nPING\r\n");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ping.settled(), false);
  assert.equal(unpause.settled(), false);
  s.clock.advance(500);
  assert.equal(await admin.reply(), "+PONG\r\n");
  assert.equal(await ping.value, "PONG");
  assert.equal(await unpause.value, "OK");
});

Deno.test("pauses combine: the stricter type and the later end win", async () => {
  await using s = await testServer({ config: { hz: "1" } });
  const admin = await s.redis();
  const other = await s.redis();
  assert.equal(await admin.call("CLIENT", "PAUSE", "1000", "WRITE"), "OK");
  assert.equal(await admin.call("CLIENT", "PAUSE", "10", "ALL"), "OK");
  const get = track(other.get("k"));
  s.clock.advance(10);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(get.settled(), false);
  s.clock.advance(990);
  assert.equal(await get.value, null);
  assert.equal(s.server.engine.pause.type, "off");
});

Deno.test("CLIENT PAUSE validates its arguments with Redis's errors", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const cases: [string[], string][] = [
    [["abc"], "-ERR timeout is not an integer or out of range\r\n"],
    [["1.5"], "-ERR timeout is not an integer or out of range\r\n"],
    [["99999999999999999999"], "-ERR timeout is not an integer or out of range\r\n"],
    [["-1"], "-ERR timeout is negative\r\n"],
    [["10", "foo"], "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"],
    [["abc", "foo"], "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"],
    [
      ["10", "WRITE", "x"],
      "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
    ],
    [[], "-ERR wrong number of arguments for 'client|pause' command\r\n"],
  ];
  for (const [args, reply] of cases) {
    await t.step(`CLIENT PAUSE ${args.join(" ")}`, async () => {
      assert.equal(await raw.call("CLIENT", "PAUSE", ...args), reply);
    });
  }
  await t.step("CLIENT UNPAUSE takes no arguments", async () => {
    assert.equal(
      await raw.call("CLIENT", "UNPAUSE", "x"),
      "-ERR wrong number of arguments for 'client|unpause' command\r\n",
    );
  });
  await t.step("a zero or overflowing timeout pauses nothing", async () => {
    for (const timeout of ["0", "9223372036854775807"]) {
      assert.equal(await raw.call("CLIENT", "PAUSE", timeout, "all"), OK);
      assert.equal(s.server.engine.pause.type, "off");
      assert.equal(await raw.call("PING"), "+PONG\r\n");
    }
  });
});

Deno.test("keys do not expire while clients are paused", async () => {
  await using s = await testServer({ config: { hz: "10" } });
  const admin = await s.redis();
  const reader = await s.redis();
  await admin.set("k", "v", "PX", 100);
  await admin.set("live", "v");
  assert.equal(await admin.call("CLIENT", "PAUSE", "1000", "WRITE"), "OK");
  // The active cycle runs several times meanwhile, without reclaiming.
  s.clock.advance(500);
  assert.equal(await reader.get("k"), null);
  assert.equal(await reader.exists("k"), 0);
  assert.equal(await reader.dbsize(), 2);
  assert.equal(s.server.engine.stats.expiredKeys, 0);
  assert.equal(await admin.call("CLIENT", "UNPAUSE"), "OK");
  assert.equal(await reader.dbsize(), 2);
  assert.equal(await reader.get("k"), null);
  assert.equal(await reader.dbsize(), 1);
  assert.equal(s.server.engine.stats.expiredKeys, 1);
});

Deno.test("a held command of a killed client never runs", async () => {
  await using s = await testServer({ config: { hz: "1" } });
  const admin = await s.redis();
  const raw = await s.raw();
  const id = /:(\d+)/.exec(await raw.call("CLIENT", "ID"))![1]!;
  assert.equal(await admin.call("CLIENT", "PAUSE", "1000", "WRITE"), "OK");
  await raw.write("*3\r\n$3\r\nSET\r\n$4\r\ngone\r\n$1\r\n1\r\n");
  await admin.echo("sync");
  assert.equal(await admin.call("CLIENT", "KILL", "ID", id), 1);
  s.clock.advance(1000);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(await admin.exists("gone"), 0);
});
