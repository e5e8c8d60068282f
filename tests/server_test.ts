import assert from "node:assert/strict";
import { startServer } from "../src/server.ts";
import { Connection, FlushQueue } from "../src/connection.ts";
import { Engine } from "../src/engine.ts";
import { ManualClock } from "../src/clock.ts";
import { ReplyError } from "../src/errors.ts";
import { bulk, OK, type Reply } from "../src/resp/reply.ts";
import type { CommandSpec } from "../src/commands/spec.ts";
import { testServer } from "./support/server.ts";
import { bytesOf, encodeCommand, latin1, RawClient, replyEnd } from "./support/raw_client.ts";

/** Splits a run of raw replies into single replies. */
function splitReplies(raw: string): string[] {
  const out: string[] = [];
  for (let p = 0; p < raw.length;) {
    const end = replyEnd(raw, p);
    if (end === -1) throw new Error(`incomplete reply at ${p}: ${JSON.stringify(raw.slice(p))}`);
    out.push(raw.slice(p, end));
    p = end;
  }
  return out;
}

/** Reads `n` replies from a raw client. */
async function replies(c: RawClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await c.reply());
  return out;
}

/** A test-only command table entry. */
function testCommand(name: string, handler: NonNullable<CommandSpec["handler"]>): CommandSpec {
  return {
    name,
    arity: -1,
    flags: [],
    acl: [],
    keys: [0, 0, 0],
    doc: { summary: "test", since: "0.0.0", group: "server", complexity: "O(1)" },
    handler,
  };
}

/** An in-memory Deno.Conn: reads come from `feed`, writes are recorded. */
class FakeConn {
  readonly remoteAddr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 40000 };
  readonly localAddr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 6379 };
  readonly writes: Uint8Array[] = [];
  #chunks: (Uint8Array | null)[] = [];
  #waiting: (() => void) | undefined;

  feed(chunk: Uint8Array | null): void {
    this.#chunks.push(chunk);
    this.#waiting?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
    const chunk = this.#chunks.shift()!;
    if (chunk === null) return null;
    buffer.set(chunk);
    return chunk.length;
  }

  write(bytes: Uint8Array): Promise<number> {
    this.writes.push(bytes.slice());
    return Promise.resolve(bytes.length);
  }

  close(): void {
    this.feed(null);
  }

  setNoDelay(): void {}
}

Deno.test("all replies to one input chunk go out in one write", async () => {
  const engine = new Engine({ clock: new ManualClock() });
  const conn = new FakeConn();
  const connection = new Connection(conn as unknown as Deno.Conn, engine);
  const done = connection.run();
  let input = "";
  for (let i = 0; i < 1000; i++) input += i % 2 ? "PING\r\n" : encodeCommand(["ECHO", `m${i}`]);
  conn.feed(bytesOf(input));
  conn.feed(bytesOf(encodeCommand(["PING"])));
  conn.feed(null);
  await done;
  assert.equal(conn.writes.length, 2);
  const first = splitReplies(latin1(conn.writes[0]!));
  assert.equal(first.length, 1000);
  assert.equal(first[0], "$2\r\nm0\r\n");
  assert.equal(first[999], "+PONG\r\n");
  assert.equal(latin1(conn.writes[1]!), "+PONG\r\n");
  assert.equal(engine.clients.size, 0);
  engine.close();
});

Deno.test("connections sharing a flush queue write their replies after the turn's reads, each once and in order", async () => {
  const engine = new Engine({ clock: new ManualClock() });
  const flushes = new FlushQueue();
  const conns = Array.from({ length: 5 }, () => new FakeConn());
  const done = conns.map((c) =>
    new Connection(c as unknown as Deno.Conn, engine, { flushes }).run()
  );
  for (let round = 0; round < 3; round++) {
    // Every connection's read completes in the same turn.
    for (const [i, c] of conns.entries()) {
      c.feed(bytesOf(encodeCommand(["INCR", `n${i}`]) + encodeCommand(["ECHO", `r${round}`])));
    }
    // Nothing is written while the reads are being handled ...
    assert.equal(conns.reduce((n, c) => n + c.writes.length, 0), round * conns.length);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // ... and afterwards each connection has one more write.
    for (const c of conns) assert.equal(c.writes.length, round + 1);
  }
  for (const c of conns) c.feed(null);
  await Promise.all(done);
  for (const c of conns) {
    assert.deepEqual(c.writes.map(latin1), [
      ":1\r\n$2\r\nr0\r\n",
      ":2\r\n$2\r\nr1\r\n",
      ":3\r\n$2\r\nr2\r\n",
    ]);
  }
  engine.close();
});

Deno.test("a 1000-command pipeline over TCP gets every reply in order", async () => {
  await using t = await testServer();
  const c = await t.raw();
  let input = "";
  for (let i = 0; i < 1000; i++) input += encodeCommand(["ECHO", String(i)]);
  await c.write(input);
  const got = await replies(c, 1000);
  for (let i = 0; i < 1000; i++) assert.equal(got[i], `$${String(i).length}\r\n${i}\r\n`);
  assert.equal(await c.call("PING"), "+PONG\r\n");
});

Deno.test("inline commands work over TCP, pipelined with multibulk ones", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.write('PING\r\nECHO "a b"\n*2\r\n$4\r\nECHO\r\n$1\r\nc\r\n\r\nping hi\r\n');
  assert.deepEqual(await replies(c, 4), [
    "+PONG\r\n",
    "$3\r\na b\r\n",
    "$1\r\nc\r\n",
    "$2\r\nhi\r\n",
  ]);
});

Deno.test("a protocol error answers the commands before it, then the error, then closes", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.write("PING\r\nECHO x\r\n*1\r\n$abc\r\nPING\r\n");
  assert.equal(
    await c.readToEnd(),
    "+PONG\r\n$1\r\nx\r\n-ERR Protocol error: invalid bulk length\r\n",
  );
  assert.equal(c.closed, true);
});

Deno.test("protocol errors close only their own connection; other clients and keys are untouched", async () => {
  await using t = await testServer();
  const db = t.server.engine.db(0);
  db.set("k", "v");
  const good = await t.raw();
  const bad = await t.raw();
  await good.write("*2\r\n$4\r\nECHO\r\n$5\r\nhel");
  await bad.write("*1\r\n$4\r\nPING\r\n*1\r\n+oops\r\n");
  assert.equal(await bad.readToEnd(), "+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n");
  await good.write("lo\r\n");
  assert.equal(await good.reply(), "$5\r\nhello\r\n");
  assert.equal(db.get("k"), "v");
  assert.equal(await good.call("PING"), "+PONG\r\n");
});

Deno.test("an unauthenticated client hits the request limits; AUTH in the same chunk lifts them", async (tt) => {
  await using t = await testServer({ config: { requirepass: "pw" } });
  await tt.step("11 arguments before AUTH", async () => {
    const c = await t.raw();
    await c.write(encodeCommand(Array.from({ length: 11 }, () => "PING")));
    assert.equal(
      await c.readToEnd(),
      "-ERR Protocol error: unauthenticated multibulk length\r\n",
    );
  });
  await tt.step("a 16385-byte bulk before AUTH", async () => {
    const c = await t.raw();
    await c.write("*2\r\n$4\r\nECHO\r\n$16385\r\n");
    assert.equal(await c.readToEnd(), "-ERR Protocol error: unauthenticated bulk length\r\n");
  });
  await tt.step("AUTH then a big command, in one write", async () => {
    const c = await t.raw();
    const big = "x".repeat(20000);
    await c.write(encodeCommand(["AUTH", "pw"]) + encodeCommand(["ECHO", big]));
    assert.deepEqual(await replies(c, 2), ["+OK\r\n", `$20000\r\n${big}\r\n`]);
  });
  await tt.step("inline commands are not limited (but need AUTH)", async () => {
    const c = await t.raw();
    await c.write("PING a b c d e f g h i j k l\r\n");
    assert.equal(await c.reply(), "-NOAUTH Authentication required.\r\n");
  });
});

Deno.test("proto-max-bulk-len limits bulks, changed at run time", async () => {
  await using t = await testServer({ config: { "proto-max-bulk-len": "1mb" } });
  const c = await t.raw();
  const ok = "y".repeat(1024 * 1024);
  assert.equal(await c.call("ECHO", ok), `$${ok.length}\r\n${ok}\r\n`);
  await c.write(`*2\r\n$4\r\nECHO\r\n$${1024 * 1024 + 1}\r\n`);
  assert.equal(await c.readToEnd(), "-ERR Protocol error: invalid bulk length\r\n");
  t.server.engine.config.set("proto-max-bulk-len", String(2 * 1024 * 1024));
  const d = await t.raw();
  await d.write(`*2\r\n$4\r\nECHO\r\n$${1024 * 1024 + 1}\r\n`);
  await d.write("z".repeat(1024 * 1024 + 1) + "\r\n");
  assert.equal((await d.reply()).length, "$1048577\r\n".length + 1024 * 1024 + 1 + 2);
});

Deno.test("a handler that throws a non-ReplyError is answered with -ERR and the connection lives on", async () => {
  await using t = await testServer();
  t.server.engine.commands.register([
    testCommand("boom", () => {
      throw new TypeError("kaput\r\nsecond line");
    }),
    testCommand("asyncboom", () => Promise.reject(new RangeError("later"))),
    testCommand("replyerror", () => {
      throw new ReplyError("ERR custom");
    }),
  ]);
  const c = await t.raw();
  const boom = await c.call("BOOM");
  assert.match(boom, /^-ERR [^\r\n]*kaput[^\r\n]*\r\n$/);
  const later = await c.call("ASYNCBOOM");
  assert.match(later, /^-ERR [^\r\n]*later[^\r\n]*\r\n$/);
  assert.equal(await c.call("REPLYERROR"), "-ERR custom\r\n");
  assert.equal(await c.call("PING"), "+PONG\r\n");
});

Deno.test("five servers run side by side in one process, each with its own data", async () => {
  const servers = await Promise.all(
    Array.from({ length: 5 }, () => startServer({ port: 0, clock: new ManualClock() })),
  );
  try {
    assert.equal(new Set(servers.map((s) => s.port)).size, 5);
    servers.forEach((s, i) => s.engine.db(0).set("who", `server${i}`));
    await Promise.all(servers.map(async (s, i) => {
      await using c = await RawClient.connect(s.port);
      assert.equal(await c.call("ECHO", `hi${i}`), `$3\r\nhi${i}\r\n`);
      assert.equal(await c.call("EXISTS", "who"), ":1\r\n");
      assert.equal(s.engine.db(0).get("who"), `server${i}`);
    }));
    await servers[2]!.close();
    await using c = await RawClient.connect(servers[3]!.port);
    assert.equal(await c.call("PING"), "+PONG\r\n");
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

Deno.test("close() stops the listener, closes every connection and resolves `closed`", async () => {
  const server = await startServer({ port: 0, clock: new ManualClock() });
  const clients = await Promise.all(
    Array.from({ length: 10 }, () => RawClient.connect(server.port)),
  );
  await Promise.all(clients.map(async (c) => assert.equal(await c.call("PING"), "+PONG\r\n")));
  await clients[0]!.write("*2\r\n$4\r\nECHO\r\n$10\r\nhalf"); // a half-read command
  let closed = false;
  server.closed.then(() => closed = true);
  await server.close();
  assert.equal(closed, true);
  assert.equal(server.engine.clients.size, 0);
  for (const c of clients) {
    assert.equal(await c.readToEnd(), "");
    c.close();
  }
  await assert.rejects(RawClient.connect(server.port));
  await server.close(); // idempotent
});

Deno.test("close() does not wait for a handler that never settles", async () => {
  const server = await startServer({ port: 0, clock: new ManualClock() });
  server.engine.commands.register([testCommand("hang", () => new Promise<Reply>(() => {}))]);
  const c = await RawClient.connect(server.port);
  await c.write(encodeCommand(["HANG"]));
  await c.write(encodeCommand(["PING"]));
  await new Promise((r) => setTimeout(r, 20));
  await server.close();
  assert.equal(await c.readToEnd(), "");
  c.close();
});

Deno.test("await using closes the server at the end of the scope", async () => {
  let port = 0;
  {
    await using server = await startServer({ port: 0, clock: new ManualClock() });
    port = server.port;
    await using c = await RawClient.connect(port);
    assert.equal(await c.call("PING"), "+PONG\r\n");
  }
  await assert.rejects(RawClient.connect(port));
});

Deno.test("a Unix socket serves clients next to TCP and is removed on close", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplite-sock-" });
  const path = `${dir}/resplite.sock`;
  try {
    {
      await using server = await startServer({ port: 0, unixSocket: path });
      assert.equal(server.unixSocket, path);
      assert.equal(server.engine.config.get("unixsocket"), path);
      await using u = await RawClient.connect(path);
      assert.equal(await u.call("ECHO", "unix"), "$4\r\nunix\r\n");
      await using c = await RawClient.connect(server.port);
      assert.equal(await c.call("PING"), "+PONG\r\n");
    }
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    // A stale socket file left by a crash does not stop a new server.
    await Deno.writeFile(path, new Uint8Array());
    await using again = await startServer({ port: 0, config: { unixsocket: path } });
    await using u = await RawClient.connect(path);
    assert.equal(await u.call("PING"), "+PONG\r\n");
    assert.equal(again.unixSocket, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("clients over maxclients get Redis's error and are disconnected", async () => {
  await using t = await testServer({ config: { maxclients: "2" } });
  const a = await t.raw();
  const b = await t.raw();
  assert.equal(await a.call("PING"), "+PONG\r\n");
  assert.equal(await b.call("PING"), "+PONG\r\n");
  const c = await t.raw();
  assert.equal(await c.readToEnd(), "-ERR max number of clients reached\r\n");
  assert.equal(t.server.engine.stats.rejectedConnections, 1);
  a.close();
  for (let i = 0; i < 100 && t.server.engine.clients.size > 1; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const d = await t.raw();
  assert.equal(await d.call("PING"), "+PONG\r\n");
});

Deno.test("bind accepts several addresses, * and optional ones", async (t) => {
  await t.step("an optional address that cannot be bound is skipped", async () => {
    await using server = await startServer({
      port: 0,
      config: { bind: "127.0.0.1 -192.0.2.1" },
    });
    await using c = await RawClient.connect(server.port);
    assert.equal(await c.call("PING"), "+PONG\r\n");
  });
  await t.step("* listens on every IPv4 address", async () => {
    await using server = await startServer({ port: 0, config: { bind: "*" } });
    assert.equal(server.hostname, "0.0.0.0");
    await using c = await RawClient.connect(server.port);
    assert.equal(await c.call("PING"), "+PONG\r\n");
  });
  await t.step("a required address that cannot be bound fails the start", async () => {
    await assert.rejects(startServer({ port: 0, config: { bind: "192.0.2.1" } }));
  });
});

Deno.test("random bytes on many connections leave the server answering and the data intact", async () => {
  await using t = await testServer();
  const db = t.server.engine.db(0);
  for (let i = 0; i < 100; i++) db.set(`key:${i}`, `value:${i}`);
  let seed = 99;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  // Fragments that steer the decoder into every state, mixed with noise.
  const fragments = ["*", "$", "\r\n", "\r", "\n", '"', "'", "\\x", "*-1\r\n", "*3\r\n", "$5\r\n"];
  // Commands that cannot change data: the fuzz must leave every key alone.
  const safe = ["PING", "ECHO", "EXISTS"];
  const rounds = 100;
  await Promise.all(Array.from({ length: rounds }, async () => {
    const c = await RawClient.connect(t.port);
    try {
      for (let k = 0; k < 5; k++) {
        let s = "";
        const n = 1 + Math.floor(random() * 1000);
        for (let i = 0; i < n; i++) {
          const r = random();
          if (r < 0.2) s += fragments[Math.floor(random() * fragments.length)];
          else if (r < 0.25) s += encodeCommand([safe[Math.floor(random() * safe.length)]!, "x"]);
          else {
            // No letters in the noise: it cannot spell a command inline.
            const byte = Math.floor(random() * 256);
            s += /[a-zA-Z]/.test(String.fromCharCode(byte)) ? "#" : String.fromCharCode(byte);
          }
        }
        await c.write(s).catch(() => {});
      }
      await Promise.race([c.readToEnd(200).catch(() => ""), Promise.resolve("")]);
    } finally {
      c.close();
    }
  }));
  for (let i = 0; i < 100; i++) assert.equal(db.get(`key:${i}`), `value:${i}`);
  assert.equal(db.size, 100);
  const c = await t.raw();
  assert.equal(await c.call("PING"), "+PONG\r\n");
  assert.equal(await c.call("EXISTS", "key:7"), ":1\r\n");
});

Deno.test("input and output byte counters include protocol traffic", async () => {
  await using t = await testServer();
  const c = await t.raw();
  const before = t.server.engine.stats.netInputBytes;
  assert.equal(await c.call("ECHO", "abc"), "$3\r\nabc\r\n");
  assert.equal(t.server.engine.stats.netInputBytes - before, encodeCommand(["ECHO", "abc"]).length);
  assert.ok(t.server.engine.stats.netOutputBytes >= 9);
});

Deno.test("replies to a client disconnecting mid-pipeline are dropped quietly", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.write(encodeCommand(["ECHO", "q".repeat(100000)]).repeat(50));
  c.close();
  const d = await t.raw();
  assert.equal(await d.call("PING"), "+PONG\r\n");
  assert.equal(await d.call("ECHO", "after"), "$5\r\nafter\r\n");
});

Deno.test("bulk and OK replies keep their exact bytes over TCP", async () => {
  await using t = await testServer();
  t.server.engine.commands.register([testCommand("okay", () => OK)]);
  t.server.engine.commands.register([testCommand("allbytes", () => {
    let s = "";
    for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
    return bulk(s);
  })]);
  const c = await t.raw();
  assert.equal(await c.call("OKAY"), "+OK\r\n");
  const all = await c.call("ALLBYTES");
  assert.equal(all.slice(0, 6), "$256\r\n");
  for (let i = 0; i < 256; i++) assert.equal(all.charCodeAt(6 + i), i);
});

Deno.test("with CLIENT REPLY OFF a protocol error is silent and the connection stays open, as in Redis", async () => {
  await using t = await testServer();
  const c = await t.raw();
  await c.write("CLIENT REPLY OFF\r\n*a\r\nPING\r\n");
  await assert.rejects(c.reply(150), /timeout; pending ""/);
  assert.equal(c.closed, false);
  assert.equal(t.server.engine.stats.errors.get("ERR"), 1);
});
