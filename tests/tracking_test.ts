import assert from "node:assert/strict";
import { type TestServer, testServer } from "./support/server.ts";
import type { RawClient } from "./support/raw_client.ts";
import { bulk } from "./support/resp.ts";

/** A RESP3 invalidate push of some keys, or of everything (null). */
function invalidate(keys: readonly string[] | null): string {
  const payload = keys === null ? "_\r\n" : `*${keys.length}\r\n${keys.map(bulk).join("")}`;
  return `>2\r\n${bulk("invalidate")}${payload}`;
}

/** A RESP3 client with tracking turned on with `options`. */
async function tracker(t: TestServer, ...options: string[]): Promise<RawClient> {
  const c = await t.raw();
  await c.call("HELLO", "3");
  assert.equal(await c.call("CLIENT", "TRACKING", "on", ...options), "+OK\r\n");
  return c;
}

/** Whether nothing more was pushed: the next reply is PING's. */
async function quiet(c: RawClient): Promise<void> {
  assert.equal(await c.call("PING"), "+PONG\r\n");
}

Deno.test("tracking invalidates keys the client read when another client writes them", async () => {
  await using s = await testServer();
  const c = await tracker(s);
  const w = await s.raw();
  await w.call("MSET", "a", "1", "b", "2");
  await c.call("GET", "a");
  await c.call("MGET", "b", "c");
  await w.call("SET", "a", "x");
  assert.equal(await c.reply(), invalidate(["a"]));
  // Forgotten once invalidated: a second write sends nothing.
  await w.call("SET", "a", "y");
  await quiet(c);
  await w.call("DEL", "c");
  await quiet(c);
  await w.call("DEL", "b");
  assert.equal(await c.reply(), invalidate(["b"]));
  await c.call("STRLEN", "a");
  await w.call("APPEND", "a", "z");
  assert.equal(await c.reply(), invalidate(["a"]));
});

Deno.test("the client's own write is invalidated after its reply; NOLOOP skips it", async (t) => {
  await using s = await testServer();
  await t.step("default", async () => {
    const c = await tracker(s);
    await c.call("GET", "k");
    await c.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert.equal(await c.reply(), "+OK\r\n");
    assert.equal(await c.reply(), invalidate(["k"]));
  });
  await t.step("NOLOOP", async () => {
    const c = await tracker(s, "NOLOOP");
    await c.call("GET", "k");
    assert.equal(await c.call("SET", "k", "w"), "+OK\r\n");
    await quiet(c);
  });
});

Deno.test("FLUSHALL and FLUSHDB send one null invalidation to every tracking client", async () => {
  await using s = await testServer();
  const c = await tracker(s);
  const other = await tracker(s);
  const w = await s.raw();
  await w.call("FLUSHALL");
  assert.equal(await c.reply(), invalidate(null));
  assert.equal(await other.reply(), invalidate(null));
  await c.write("*1\r\n$7\r\nFLUSHDB\r\n");
  assert.equal(await c.reply(), "+OK\r\n");
  assert.equal(await c.reply(), invalidate(null));
  assert.equal(await other.reply(), invalidate(null));
  // SWAPDB invalidates nothing, as in Redis 7.0.
  await c.call("GET", "x");
  await w.call("SWAPDB", "0", "1");
  await quiet(c);
});

Deno.test("expired keys are invalidated, lazily and by the active cycle", async () => {
  await using s = await testServer();
  const c = await tracker(s);
  const w = await s.raw();
  await w.call("SET", "lazy", "v", "PX", "100");
  await w.call("SET", "active", "v", "PX", "100");
  await c.call("MGET", "lazy", "active");
  s.clock.advance(150);
  assert.equal(await w.call("EXISTS", "lazy"), ":0\r\n");
  assert.equal(await c.reply(), invalidate(["lazy"]));
  s.clock.advance(1000);
  assert.equal(await c.reply(), invalidate(["active"]));
});

Deno.test("REDIRECT sends invalidations to another client", async (t) => {
  await using s = await testServer();
  await t.step("a RESP2 subscriber gets __redis__:invalidate messages", async () => {
    const target = await s.raw();
    const id = (await target.call("CLIENT", "ID")).slice(1, -2);
    await target.call("SUBSCRIBE", "__redis__:invalidate");
    const c = await s.raw();
    assert.equal(await c.call("CLIENT", "TRACKING", "on", "REDIRECT", id), "+OK\r\n");
    assert.equal(await c.call("CLIENT", "GETREDIR"), `:${id}\r\n`);
    await c.call("GET", "a");
    await c.call("SET", "a", "1");
    const message = `*3\r\n${bulk("message")}${bulk("__redis__:invalidate")}`;
    assert.equal(await target.reply(), `${message}*1\r\n${bulk("a")}`);
    await c.call("FLUSHDB");
    assert.equal(await target.reply(), `${message}$-1\r\n`);
    assert.match(
      await c.call("CLIENT", "LIST", "ID", (await c.call("CLIENT", "ID")).slice(1, -2)),
      /flags=t .*redir=\d+ /,
    );
  });
  await t.step("a broken redirect is reported to a RESP3 client", async () => {
    const target = await s.raw();
    const id = (await target.call("CLIENT", "ID")).slice(1, -2);
    const c = await tracker(s, "REDIRECT", id);
    await c.call("GET", "b");
    target.close();
    for (let i = 0; i < 100 && s.server.engine.clients.has(Number(id)); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const w = await s.raw();
    await w.call("SET", "b", "1");
    assert.equal(await c.reply(), `>2\r\n${bulk("tracking-redir-broken")}:${id}\r\n`);
    assert.equal(
      await c.call("CLIENT", "TRACKINGINFO"),
      `%3\r\n${bulk("flags")}~2\r\n${bulk("on")}${bulk("broken_redirect")}` +
        `${bulk("redirect")}:${id}\r\n${bulk("prefixes")}*0\r\n`,
    );
    assert.match(await c.call("CLIENT", "INFO"), /flags=tR /);
  });
});

Deno.test("BCAST sends every changed key under the client's prefixes, sorted", async () => {
  await using s = await testServer();
  const c = await tracker(s, "BCAST", "PREFIX", "user:", "PREFIX", "item:");
  const w = await s.raw();
  await w.call("MSET", "user:2", "a", "user:1", "b", "other", "c");
  assert.equal(await c.reply(), invalidate(["user:1", "user:2"]));
  await w.call("SET", "item:9", "x");
  assert.equal(await c.reply(), invalidate(["item:9"]));
  await w.call("SET", "else", "x");
  await quiet(c);
  assert.match(await c.call("CLIENT", "INFO"), /flags=tB /);
  const info = await w.call("INFO", "stats");
  assert.match(info, /tracking_total_prefixes:2\r\n/);
  await t_bcastNoloop(s);
});

async function t_bcastNoloop(s: TestServer): Promise<void> {
  const c = await tracker(s, "BCAST", "NOLOOP");
  await c.call("SET", "mine", "1");
  await quiet(c);
  const w = await s.raw();
  await w.call("SET", "theirs", "1");
  assert.equal(await c.reply(), invalidate(["theirs"]));
}

Deno.test("OPTIN tracks only after CACHING yes, OPTOUT all but after CACHING no", async (t) => {
  await using s = await testServer();
  const w = await s.raw();
  await t.step("OPTIN", async () => {
    const c = await tracker(s, "OPTIN");
    await c.call("GET", "x");
    assert.equal(await c.call("CLIENT", "CACHING", "yes"), "+OK\r\n");
    assert.match(await c.call("CLIENT", "TRACKINGINFO"), /caching-yes/);
    await c.call("GET", "y");
    await c.call("GET", "z");
    await w.call("MSET", "x", "1", "y", "1", "z", "1");
    assert.equal(await c.reply(), invalidate(["y"]));
    await quiet(c);
  });
  await t.step("OPTOUT", async () => {
    const c = await tracker(s, "OPTOUT");
    assert.equal(await c.call("CLIENT", "CACHING", "no"), "+OK\r\n");
    await c.call("GET", "x");
    await c.call("GET", "y");
    await w.call("MSET", "x", "2", "y", "2");
    assert.equal(await c.reply(), invalidate(["y"]));
    await quiet(c);
  });
});

Deno.test("CLIENT TRACKING errors and mode switches are refused as Redis", async () => {
  await using s = await testServer();
  const c = await s.raw();
  const err = (text: string) => `-ERR ${text}\r\n`;
  assert.equal(
    await c.call("CLIENT", "TRACKING", "on", "REDIRECT", "9999"),
    err("The client ID you want redirect to does not exist"),
  );
  assert.equal(
    await c.call("CLIENT", "TRACKING", "on", "PREFIX", "a"),
    err("PREFIX option requires BCAST mode to be enabled"),
  );
  assert.equal(
    await c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
    err(
      "Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.",
    ),
  );
  assert.equal(
    await c.call("CLIENT", "CACHING", "yes"),
    err(
      "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
    ),
  );
  assert.equal(await c.call("CLIENT", "TRACKING", "on", "OPTIN"), "+OK\r\n");
  assert.equal(
    await c.call("CLIENT", "TRACKING", "on", "OPTOUT"),
    err(
      "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    ),
  );
  assert.equal(
    await c.call("CLIENT", "TRACKING", "on", "BCAST"),
    err(
      "You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    ),
  );
  assert.equal(
    await c.call("CLIENT", "CACHING", "no"),
    err("CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."),
  );
  assert.equal(await c.call("CLIENT", "TRACKING", "maybe"), err("syntax error"));
});

Deno.test("RESET and disconnection turn tracking off", async () => {
  await using s = await testServer();
  const c = await tracker(s, "BCAST");
  const w = await s.raw();
  assert.match(await w.call("INFO", "clients"), /tracking_clients:1\r\n/);
  assert.equal(await c.call("RESET"), "+RESET\r\n");
  assert.equal(
    await c.call("CLIENT", "TRACKINGINFO"),
    `*6\r\n${bulk("flags")}*1\r\n${bulk("off")}${bulk("redirect")}:-1\r\n${bulk("prefixes")}*0\r\n`,
  );
  assert.equal(await c.call("CLIENT", "GETREDIR"), ":-1\r\n");
  assert.match(await w.call("INFO", "clients"), /tracking_clients:0\r\n/);
  assert.match(await w.call("INFO", "stats"), /tracking_total_prefixes:0\r\n/);
});

Deno.test("a client served after blocking gets its reply before the invalidation it caused", async () => {
  await using s = await testServer();
  const c = await tracker(s);
  const w = await s.raw();
  await w.call("RPUSH", "dst", "old");
  assert.equal(await c.call("LRANGE", "dst", "0", "-1"), `*1\r\n${bulk("old")}`);
  await c.write(
    "*6\r\n$6\r\nBLMOVE\r\n$3\r\nsrc\r\n$3\r\ndst\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n$1\r\n0\r\n",
  );
  for (let i = 0; i < 100 && s.server.engine.blocking.count === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(await w.call("RPUSH", "src", "foo"), ":1\r\n");
  // BLMOVE moved foo into dst, which c tracks: its reply first, then the push.
  assert.equal(await c.reply(), bulk("foo"));
  assert.equal(await c.reply(), invalidate(["dst"]));
  await quiet(c);
});
