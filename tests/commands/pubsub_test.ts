import assert from "node:assert/strict";
import { createClient } from "redis";
import { testServer } from "../support/server.ts";

function bulk(s: string | null): string {
  return s === null ? "$-1\r\n" : `$${s.length}\r\n${s}\r\n`;
}

function int(n: number): string {
  return `:${n}\r\n`;
}

/** A RESP2 pub/sub frame (`*N`) or its RESP3 push form (`>N`). */
function frame(items: readonly (string | number | null)[], push = false): string {
  let out = `${push ? ">" : "*"}${items.length}\r\n`;
  for (const item of items) out += typeof item === "number" ? int(item) : bulk(item);
  return out;
}

const CONTEXT_ERROR = (cmd: string) =>
  `-ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`;

Deno.test("SUBSCRIBE confirms every channel with the client's subscription count", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.write("*4\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n");
  assert.equal(await raw.reply(), frame(["subscribe", "a", 1]));
  assert.equal(await raw.reply(), frame(["subscribe", "b", 2]));
  assert.equal(await raw.reply(), frame(["subscribe", "a", 2]));
  assert.equal(await raw.call("PSUBSCRIBE", "p*"), frame(["psubscribe", "p*", 3]));
  // Shard channels are counted on their own.
  assert.equal(await raw.call("SSUBSCRIBE", "s"), frame(["ssubscribe", "s", 1]));
});

Deno.test("UNSUBSCRIBE forms: named, all, and none subscribed", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("without subscriptions each kind answers a nil name and 0", async () => {
    assert.equal(await raw.call("UNSUBSCRIBE"), frame(["unsubscribe", null, 0]));
    assert.equal(await raw.call("PUNSUBSCRIBE"), frame(["punsubscribe", null, 0]));
    assert.equal(await raw.call("SUNSUBSCRIBE"), frame(["sunsubscribe", null, 0]));
    assert.equal(await raw.call("PUNSUBSCRIBE", "x"), frame(["punsubscribe", "x", 0]));
  });
  await t.step("a channel not subscribed is still confirmed", async () => {
    await raw.call("SUBSCRIBE", "a");
    assert.equal(await raw.call("UNSUBSCRIBE", "zz"), frame(["unsubscribe", "zz", 1]));
  });
  await t.step("without arguments every channel is dropped, counting down", async () => {
    await raw.call("SUBSCRIBE", "b");
    await raw.call("PSUBSCRIBE", "p");
    await raw.write("*1\r\n$11\r\nUNSUBSCRIBE\r\n");
    assert.equal(await raw.reply(), frame(["unsubscribe", "a", 2]));
    assert.equal(await raw.reply(), frame(["unsubscribe", "b", 1]));
    assert.equal(await raw.call("PUNSUBSCRIBE"), frame(["punsubscribe", "p", 0]));
    assert.equal(await raw.call("GET", "x"), "$-1\r\n");
  });
});

Deno.test("a RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("SUBSCRIBE", "a");
  assert.equal(await raw.call("PING"), frame(["pong", ""]));
  assert.equal(await raw.call("PING", "hi"), frame(["pong", "hi"]));
  assert.equal(await raw.call("GET", "k"), CONTEXT_ERROR("get"));
  assert.equal(await raw.call("CLIENT", "INFO"), CONTEXT_ERROR("client|info"));
  // Lookup and arity come first.
  assert.equal(await raw.call("GET"), "-ERR wrong number of arguments for 'get' command\r\n");
  assert.match(await raw.call("NOPE"), /^-ERR unknown command 'NOPE'/);
  // Shard subscriptions alone keep the client in pub/sub mode.
  await raw.call("SSUBSCRIBE", "s");
  await raw.call("UNSUBSCRIBE", "a");
  assert.equal(await raw.call("SET", "k", "v"), CONTEXT_ERROR("set"));
  await raw.call("SUNSUBSCRIBE");
  assert.equal(await raw.call("SET", "k", "v"), "+OK\r\n");
});

Deno.test("a RESP3 subscriber gets push frames and may run any command", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("HELLO", "3");
  assert.equal(await raw.call("SUBSCRIBE", "a"), frame(["subscribe", "a", 1], true));
  assert.equal(await raw.call("PING"), "+PONG\r\n");
  assert.equal(await raw.call("SET", "k", "v"), "+OK\r\n");
  // Its own publication arrives before the PUBLISH reply.
  await raw.write("*3\r\n$7\r\nPUBLISH\r\n$1\r\na\r\n$1\r\nm\r\n");
  assert.equal(await raw.reply(), frame(["message", "a", "m"], true));
  assert.equal(await raw.reply(), ":1\r\n");
  assert.equal(await raw.call("UNSUBSCRIBE"), ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n");
  assert.equal(await raw.call("UNSUBSCRIBE"), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
});

Deno.test("PUBLISH delivers to channel subscribers, then matching patterns", async () => {
  await using s = await testServer();
  const sub = await s.raw();
  const psub = await s.raw();
  const pub = await s.raw();
  await sub.call("SUBSCRIBE", "news.tech");
  await psub.call("PSUBSCRIBE", "news.*");
  await sub.call("PSUBSCRIBE", "*");
  const payload = "bin\x00\xff\r\n";
  assert.equal(await pub.call("PUBLISH", "news.tech", payload), int(3));
  assert.equal(await sub.reply(), frame(["message", "news.tech", payload]));
  assert.equal(await sub.reply(), frame(["pmessage", "*", "news.tech", payload]));
  assert.equal(await psub.reply(), frame(["pmessage", "news.*", "news.tech", payload]));
  assert.equal(await pub.call("PUBLISH", "sports", "x"), int(1));
  assert.equal(await sub.reply(), frame(["pmessage", "*", "sports", "x"]));
  assert.equal(await psub.call("PING"), frame(["pong", ""]));
});

Deno.test("SPUBLISH reaches shard subscribers only", async () => {
  await using s = await testServer();
  const shard = await s.raw();
  const pattern = await s.raw();
  const pub = await s.raw();
  await shard.call("SSUBSCRIBE", "s");
  await pattern.call("PSUBSCRIBE", "*");
  assert.equal(await pub.call("SPUBLISH", "s", "m"), int(1));
  assert.equal(await shard.reply(), frame(["smessage", "s", "m"]));
  assert.equal(await pub.call("SPUBLISH", "t", "m"), int(0));
  assert.equal(await pattern.call("PING"), frame(["pong", ""]));
});

Deno.test("PUBSUB introspection: CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB", async (t) => {
  await using s = await testServer();
  const a = await s.raw();
  const b = await s.raw();
  const raw = await s.raw();
  await a.call("SUBSCRIBE", "c1");
  await b.call("SUBSCRIBE", "c1");
  await b.call("SUBSCRIBE", "c2");
  await a.call("PSUBSCRIBE", "p*");
  await b.call("PSUBSCRIBE", "p*");
  await b.call("SSUBSCRIBE", "s1");
  await t.step("CHANNELS lists active channels, optionally matching", async () => {
    assert.equal(await raw.call("PUBSUB", "CHANNELS"), `*2\r\n${bulk("c1")}${bulk("c2")}`);
    assert.equal(await raw.call("PUBSUB", "CHANNELS", "*2"), `*1\r\n${bulk("c2")}`);
    assert.equal(
      await raw.call("PUBSUB", "CHANNELS", "a", "b"),
      "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
    );
  });
  await t.step("NUMSUB counts channel subscribers, not patterns", async () => {
    assert.equal(
      await raw.call("PUBSUB", "NUMSUB", "c1", "c3", "p1"),
      `*6\r\n${bulk("c1")}${int(2)}${bulk("c3")}${int(0)}${bulk("p1")}${int(0)}`,
    );
    assert.equal(await raw.call("PUBSUB", "NUMSUB"), "*0\r\n");
  });
  await t.step("NUMPAT counts distinct patterns", async () => {
    assert.equal(await raw.call("PUBSUB", "NUMPAT"), int(1));
    assert.equal(
      await raw.call("PUBSUB", "NUMPAT", "x"),
      "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n",
    );
  });
  await t.step("shard channels are listed and counted apart", async () => {
    assert.equal(await raw.call("PUBSUB", "SHARDCHANNELS"), `*1\r\n${bulk("s1")}`);
    assert.equal(await raw.call("PUBSUB", "SHARDCHANNELS", "c*"), "*0\r\n");
    assert.equal(
      await raw.call("PUBSUB", "SHARDNUMSUB", "s1", "c1"),
      `*4\r\n${bulk("s1")}${int(1)}${bulk("c1")}${int(0)}`,
    );
  });
  await t.step("HELP, unknown subcommands and arity", async () => {
    assert.match(await raw.call("PUBSUB", "HELP"), /^\*14\r\n\+PUBSUB <subcommand>/);
    assert.equal(
      await raw.call("PUBSUB", "FOO"),
      "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n",
    );
    assert.equal(
      await raw.call("PUBSUB"),
      "-ERR wrong number of arguments for 'pubsub' command\r\n",
    );
    assert.equal(
      await raw.call("SUBSCRIBE"),
      "-ERR wrong number of arguments for 'subscribe' command\r\n",
    );
    assert.equal(
      await raw.call("PUBLISH", "a"),
      "-ERR wrong number of arguments for 'publish' command\r\n",
    );
  });
  await t.step("INFO and CLIENT LIST report subscriptions", async () => {
    const info = await raw.call("INFO", "stats");
    assert.match(info, /pubsub_channels:2\r\n/);
    assert.match(info, /pubsub_patterns:1\r\n/);
    assert.match(info, /pubsubshard_channels:1\r\n/);
    const list = await raw.call("CLIENT", "LIST", "TYPE", "pubsub");
    assert.match(list, /flags=P .*sub=2 psub=1 ssub=1/);
  });
});

Deno.test("RESET and disconnection drop every subscription", async () => {
  await using s = await testServer();
  const sub = await s.raw();
  const other = await s.raw();
  const pub = await s.raw();
  await sub.call("SUBSCRIBE", "a");
  await sub.call("PSUBSCRIBE", "*");
  assert.equal(await sub.call("RESET"), "+RESET\r\n");
  assert.equal(await sub.call("GET", "x"), "$-1\r\n");
  await other.call("SUBSCRIBE", "a");
  other.close();
  // The server forgets the closed connection once it notices the EOF.
  for (let i = 0; i < 100 && s.server.engine.pubsub.size("channel") > 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(await pub.call("PUBLISH", "a", "m"), int(0));
  assert.equal(await pub.call("PUBSUB", "NUMPAT"), int(0));
});

Deno.test("ioredis subscribe() and psubscribe() receive messages", async () => {
  await using s = await testServer();
  const sub = await s.redis();
  const pub = await s.redis();
  const got: string[] = [];
  const done = new Promise<void>((resolve) => {
    sub.on("message", (channel: string, message: string) => {
      got.push(`message ${channel} ${message}`);
      if (got.length === 2) resolve();
    });
    sub.on("pmessage", (pattern: string, channel: string, message: string) => {
      got.push(`pmessage ${pattern} ${channel} ${message}`);
      if (got.length === 2) resolve();
    });
  });
  assert.equal(await sub.subscribe("news"), 1);
  assert.equal(await sub.psubscribe("n*"), 2);
  assert.equal(await pub.publish("news", "hello"), 2);
  await done;
  assert.deepEqual(got, ["message news hello", "pmessage n* news hello"]);
  assert.equal(await sub.unsubscribe("news"), 1);
  assert.equal(await sub.punsubscribe("n*"), 0);
});

Deno.test("node-redis subscribers on a duplicate connection receive messages", async () => {
  await using s = await testServer();
  const client = createClient({ url: `redis://127.0.0.1:${s.port}` });
  await client.connect();
  const subscriber = client.duplicate();
  await subscriber.connect();
  try {
    const received = new Promise<string>((resolve) => {
      subscriber.subscribe("chan", (message) => resolve(message));
    });
    const patterned = new Promise<string>((resolve) => {
      subscriber.pSubscribe("ch*", (message, channel) => resolve(`${channel}:${message}`));
    });
    // Wait for both subscriptions to be confirmed.
    for (let i = 0; i < 200 && Number(await client.sendCommand(["PUBSUB", "NUMPAT"])) < 1; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < 200; i++) {
      const numsub = await client.pubSubNumSub("chan");
      if (numsub.chan === 1) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(await client.publish("chan", "hi"), 2);
    assert.equal(await received, "hi");
    assert.equal(await patterned, "chan:hi");
    await subscriber.unsubscribe("chan");
    await subscriber.pUnsubscribe("ch*");
  } finally {
    await subscriber.quit();
    await client.quit();
  }
});

Deno.test("a subscriber that never reads is disconnected while publishers keep going", async () => {
  await using s = await testServer();
  const lines: string[] = [];
  const engine = s.server.engine;
  const admin = await s.raw();
  assert.equal(
    await admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 64kb 60"),
    "+OK\r\n",
  );
  // A raw subscriber that subscribes and then never reads again.
  const slow = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  try {
    const cmd = "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n";
    await slow.write(new TextEncoder().encode(cmd));
    for (let i = 0; i < 200 && engine.pubsub.subscriberCount("channel", "feed") === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(engine.pubsub.subscriberCount("channel", "feed"), 1);
    const original = engine.log.bind(engine);
    engine.log = (level, message) => {
      lines.push(message);
      original(level, message);
    };
    const pub = await s.redis();
    const message = "x".repeat(64 * 1024);
    let completed = 0;
    let lastCount = 1;
    // The socket buffers fill, then the server's own buffer passes the hard limit.
    for (let i = 0; i < 2000 && lastCount > 0; i++) {
      lastCount = await pub.publish("feed", message);
      completed++;
    }
    assert.equal(lastCount, 0, "the subscriber was dropped");
    assert.ok(completed > 1);
    assert.equal(engine.pubsub.subscriberCount("channel", "feed"), 0);
    assert.ok(
      lines.some((l) =>
        /^Client id=\d+ .*flags=P.* scheduled to be closed ASAP for overcoming of output buffer limits\.$/
          .test(l)
      ),
    );
    // Publishing carries on normally afterwards.
    assert.equal(await pub.publish("feed", "after"), 0);
  } finally {
    slow.close();
  }
});

Deno.test("client-output-buffer-limit soft limit closes after its seconds pass", async () => {
  await using s = await testServer();
  const engine = s.server.engine;
  const admin = await s.raw();
  assert.equal(
    await admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 32kb 10"),
    "+OK\r\n",
  );
  const slow = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  try {
    await slow.write(new TextEncoder().encode("*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nf\r\n"));
    for (let i = 0; i < 200 && engine.pubsub.subscriberCount("channel", "f") === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const pub = await s.raw();
    const big = "y".repeat(256 * 1024);
    // Over the soft limit: kept while the clock stands still...
    for (let i = 0; i < 80; i++) await pub.call("PUBLISH", "f", big);
    assert.equal(await pub.call("PUBLISH", "f", big), int(1));
    // ... and dropped once more than 10 seconds have passed over it.
    s.clock.advance(11_000);
    assert.equal(await pub.call("PUBLISH", "f", big), int(1));
    assert.equal(await pub.call("PUBLISH", "f", big), int(0));
  } finally {
    slow.close();
  }
});
