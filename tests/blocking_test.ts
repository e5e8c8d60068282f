import assert from "node:assert/strict";
import { type TestServer, testServer } from "./support/server.ts";
import { Blocking, parseTimeout } from "../src/blocking.ts";
import { Engine } from "../src/engine.ts";
import { ManualClock, SystemClock } from "../src/clock.ts";
import { ReplyError } from "../src/errors.ts";
import { bulk, NIL, NIL_ARRAY, NONE, type Reply } from "../src/resp/reply.ts";
import type { Client } from "../src/client.ts";
import type { Database } from "../src/store/database.ts";

const NIL_ARRAY_BYTES = "*-1\r\n";

function bulkBytes(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

function pair(key: string, value: string): string {
  return `*2\r\n${bulkBytes(key)}${bulkBytes(value)}`;
}

function int(n: number): string {
  return `:${n}\r\n`;
}

/** Waits (a few ms at a time) until `n` clients are blocked: the server got their commands. */
async function blocked(s: TestServer, n: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (s.server.engine.blocking.count === n) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`expected ${n} blocked clients, have ${s.server.engine.blocking.count}`);
}

/** An in-process engine on a manual clock. */
function inProcess(): { engine: Engine; clock: ManualClock } {
  const clock = new ManualClock(1_000_000);
  return { engine: new Engine({ clock }), clock };
}

Deno.test("BLPOP waits for a push and gets the pushed element", async (t) => {
  await using s = await testServer();
  const waiter = await s.raw();
  const raw = await s.raw();

  await t.step("a push wakes it; the pusher still sees the length before the pop", async () => {
    await waiter.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    assert.equal(await raw.call("RPUSH", "q", "a", "b"), int(2));
    assert.equal(await waiter.reply(), pair("q", "a"));
    assert.equal(await raw.call("LRANGE", "q", "0", "-1"), "*1\r\n$1\r\nb\r\n");
    assert.equal(s.server.engine.blocking.count, 0);
  });

  await t.step("through ioredis", async () => {
    const a = await s.redis();
    const b = await s.redis();
    const pending = a.brpop("job", 0);
    await blocked(s, 1);
    await b.lpush("job", "x");
    assert.deepEqual(await pending, ["job", "x"]);
  });

  await t.step("a pipelined command after the blocked one waits its turn", async () => {
    await waiter.write(
      "*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n",
    );
    await blocked(s, 1);
    await raw.call("RPUSH", "p", "1");
    assert.equal(await waiter.reply(), pair("p", "1"));
    assert.equal(await waiter.reply(), "+PONG\r\n");
  });

  await t.step(
    "input arriving while blocked (a command split across reads) runs after",
    async () => {
      await waiter.write(
        "*3\r\n$5\r\nBLPOP\r\n$1\r\nr\r\n$1\r\n0\r\n*1\r\n$4\r\nPI",
      );
      await blocked(s, 1);
      // Each later read is longer than the first, so a decoder still reading
      // the first read's buffer in place would see it overwritten.
      const long = "x".repeat(100);
      await waiter.write(`NG\r\n*2\r\n$4\r\nECHO\r\n$103\r\na${long}`);
      await waiter.write(`bc\r\n*2\r\n$4\r\nECHO\r\n$100\r\n${long}\r\n`);
      // Let the reads land while the client is still blocked.
      assert.equal(await raw.call("PING"), "+PONG\r\n");
      await raw.call("RPUSH", "r", "1");
      assert.equal(await waiter.reply(), pair("r", "1"));
      assert.equal(await waiter.reply(), "+PONG\r\n");
      assert.equal(await waiter.reply(), `$103\r\na${long}bc\r\n`);
      assert.equal(await waiter.reply(), `$100\r\n${long}\r\n`);
    },
  );
});

Deno.test("blocked clients are served first come, first served", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const waiters = [await s.raw(), await s.raw(), await s.raw()];
  for (let i = 0; i < waiters.length; i++) {
    await waiters[i]!.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await blocked(s, i + 1);
  }
  // One push of two elements serves the first two, in order.
  assert.equal(await raw.call("RPUSH", "q", "a", "b"), int(2));
  assert.equal(await waiters[0]!.reply(), pair("q", "a"));
  assert.equal(await waiters[1]!.reply(), pair("q", "b"));
  assert.equal(s.server.engine.blocking.count, 1);
  assert.equal(await raw.call("EXISTS", "q"), int(0));
  await raw.call("RPUSH", "q", "c");
  assert.equal(await waiters[2]!.reply(), pair("q", "c"));
});

Deno.test("a client blocked on several keys is served from the key created first", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const waiter = await s.raw();

  await t.step("the one key written", async () => {
    await waiter.write("*4\r\n$5\r\nBLPOP\r\n$2\r\nk1\r\n$2\r\nk2\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    await raw.call("RPUSH", "k2", "x");
    assert.equal(await waiter.reply(), pair("k2", "x"));
  });

  await t.step("in a transaction, the key created first (Redis 7.0's signal order)", async () => {
    await waiter.write("*4\r\n$5\r\nBLPOP\r\n$2\r\nk1\r\n$2\r\nk2\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    await raw.call("MULTI");
    await raw.call("RPUSH", "k2", "x");
    await raw.call("RPUSH", "k1", "y");
    assert.equal(await raw.call("EXEC"), "*2\r\n:1\r\n:1\r\n");
    assert.equal(await waiter.reply(), pair("k2", "x"));
    assert.equal(await raw.call("LRANGE", "k1", "0", "-1"), "*1\r\n$1\r\ny\r\n");
  });

  await t.step("a key written with another type does not serve; a later list does", async () => {
    await waiter.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nz\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    await raw.call("SET", "z", "str");
    await raw.call("DEL", "z");
    assert.equal(s.server.engine.blocking.count, 1);
    await raw.call("LPUSH", "z", "v");
    assert.equal(await waiter.reply(), pair("z", "v"));
  });
});

Deno.test("blocking timeouts run on the manual clock", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("a fractional timeout answers the null array when it passes", async () => {
    await raw.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$3\r\n1.5\r\n");
    await blocked(s, 1);
    s.clock.advance(1499);
    assert.equal(s.server.engine.blocking.count, 1);
    s.clock.advance(1);
    assert.equal(await raw.reply(), NIL_ARRAY_BYTES);
    assert.equal(s.server.engine.blocking.count, 0);
  });

  await t.step("BLMOVE and BLMPOP time out with the null array too; RESP3 `_`", async () => {
    await raw.write(
      "*6\r\n$6\r\nBLMOVE\r\n$1\r\na\r\n$1\r\nb\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n1\r\n",
    );
    await blocked(s, 1);
    s.clock.advance(1000);
    assert.equal(await raw.reply(), NIL_ARRAY_BYTES);
    const raw3 = await s.raw();
    await raw3.call("HELLO", "3");
    await raw3.write("*5\r\n$6\r\nBLMPOP\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\nq\r\n$4\r\nLEFT\r\n");
    await blocked(s, 1);
    s.clock.advance(2000);
    assert.equal(await raw3.reply(), "_\r\n");
  });

  await t.step("timeout 0 waits forever", async () => {
    await raw.write("*3\r\n$5\r\nBRPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    s.clock.advance(600_000);
    assert.equal(s.server.engine.blocking.count, 1);
    await (await s.raw()).call("RPUSH", "q", "late");
    assert.equal(await raw.reply(), pair("q", "late"));
  });

  await t.step("INFO counts blocked clients and those with a timeout", async () => {
    const a = await s.raw();
    const b = await s.raw();
    await a.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nx\r\n$1\r\n0\r\n");
    await b.write("*3\r\n$5\r\nBLPOP\r\n$1\r\ny\r\n$1\r\n5\r\n");
    await blocked(s, 2);
    const info = await (await s.redis()).info("clients");
    assert.match(info, /blocked_clients:2\r\n/);
    assert.match(info, /clients_in_timeout_table:1\r\n/);
    s.clock.advance(5000);
    assert.equal(await b.reply(), NIL_ARRAY_BYTES);
    await raw.call("RPUSH", "x", "1");
    assert.equal(await a.reply(), pair("x", "1"));
  });
});

Deno.test("timeouts are parsed as Redis 7.0 parses them", async (t) => {
  await t.step("values", () => {
    assert.equal(parseTimeout("0"), 0);
    assert.equal(parseTimeout("0.5"), 500);
    assert.equal(parseTimeout("2"), 2000);
    assert.equal(parseTimeout("1e-9"), 1);
    assert.equal(parseTimeout("0x10"), 16000);
    assert.equal(parseTimeout("-0"), 0);
    // Above -1 ms rounds up to 0: forever, as in Redis.
    assert.equal(parseTimeout("-0.0005"), 0);
    assert.equal(parseTimeout("0.0015"), 2);
  });
  await t.step("errors", () => {
    const negative = "ERR timeout is negative";
    const notFloat = "ERR timeout is not a float or out of range";
    for (
      const [text, message] of [
        ["-1", negative],
        ["-0.002", negative],
        ["inf", negative],
        ["1e17", negative],
        ["1e400", negative],
        ["nan", notFloat],
        ["x", notFloat],
        ["", notFloat],
        [" 1", notFloat],
        ["1e5000", notFloat],
      ]
    ) {
      assert.throws(
        () => parseTimeout(text!),
        (e) => e instanceof ReplyError && e.message === message,
        text,
      );
    }
  });
  await t.step("over the wire", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    assert.equal(await raw.call("BLPOP", "k", "-1"), "-ERR timeout is negative\r\n");
    assert.equal(
      await raw.call("BRPOP", "k", "abc"),
      "-ERR timeout is not a float or out of range\r\n",
    );
    // BLMPOP and BLMOVE check their other arguments first.
    assert.equal(
      await raw.call("BLMPOP", "x", "0", "k", "LEFT"),
      "-ERR numkeys should be greater than 0\r\n",
    );
    assert.equal(await raw.call("BLMOVE", "a", "b", "UP", "LEFT", "x"), "-ERR syntax error\r\n");
    // BLPOP checks the timeout before the keys' types.
    await raw.call("SET", "str", "v");
    assert.equal(await raw.call("BLPOP", "str", "-1"), "-ERR timeout is negative\r\n");
  });
});

Deno.test("BLMOVE and BRPOPLPUSH chain through their targets", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("a served BLMOVE wakes the clients waiting on its target", async () => {
    const mover = await s.raw();
    const popper = await s.raw();
    await mover.write(
      "*6\r\n$6\r\nBLMOVE\r\n$1\r\na\r\n$1\r\nb\r\n$5\r\nRIGHT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n",
    );
    await blocked(s, 1);
    await popper.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nb\r\n$1\r\n0\r\n");
    await blocked(s, 2);
    assert.equal(await raw.call("RPUSH", "a", "1", "2"), int(2));
    assert.equal(await mover.reply(), bulkBytes("2"));
    assert.equal(await popper.reply(), pair("b", "2"));
    assert.equal(await raw.call("EXISTS", "b"), int(0));
    assert.equal(await raw.call("LRANGE", "a", "0", "-1"), "*1\r\n$1\r\n1\r\n");
  });

  await t.step("a chain of BRPOPLPUSH clients passes an element along", async () => {
    const first = await s.raw();
    const second = await s.raw();
    await first.write("*4\r\n$10\r\nBRPOPLPUSH\r\n$2\r\nc1\r\n$2\r\nc2\r\n$1\r\n0\r\n");
    await second.write("*4\r\n$10\r\nBRPOPLPUSH\r\n$2\r\nc2\r\n$2\r\nc3\r\n$1\r\n0\r\n");
    await blocked(s, 2);
    await raw.call("LPUSH", "c1", "token");
    assert.equal(await first.reply(), bulkBytes("token"));
    assert.equal(await second.reply(), bulkBytes("token"));
    assert.equal(await raw.call("LRANGE", "c3", "0", "-1"), "*1\r\n$5\r\ntoken\r\n");
    assert.equal(await raw.call("EXISTS", "c1", "c2"), int(0));
  });

  await t.step("a woken BLMOVE whose target is the wrong type gets WRONGTYPE", async () => {
    const mover = await s.raw();
    await raw.call("SET", "dst", "v");
    await mover.write(
      "*6\r\n$6\r\nBLMOVE\r\n$3\r\nsrc\r\n$3\r\ndst\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n",
    );
    await blocked(s, 1);
    await raw.call("LPUSH", "src", "a");
    assert.equal(
      await mover.reply(),
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    assert.equal(await raw.call("LLEN", "src"), int(1));
  });
});

Deno.test("blocked clients leave the queues when they go away", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("a disconnect", async () => {
    const gone = await s.raw();
    await gone.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    gone.close();
    await blocked(s, 0);
    assert.equal(await raw.call("RPUSH", "q", "kept"), int(1));
    assert.equal(await raw.call("LLEN", "q"), int(1));
    await raw.call("DEL", "q");
  });

  await t.step("CLIENT KILL", async () => {
    const victim = await s.raw();
    const id = (await victim.call("CLIENT", "ID")).slice(1, -2);
    await victim.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    assert.equal(await raw.call("CLIENT", "KILL", "ID", id), int(1));
    assert.equal(s.server.engine.blocking.count, 0);
    await victim.readToEnd();
    assert.equal(await raw.call("RPUSH", "q", "kept"), int(1));
  });
});

Deno.test("CLIENT UNBLOCK ends a wait with a timeout or an error", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const waiter = await s.raw();
  const id = (await waiter.call("CLIENT", "ID")).slice(1, -2);

  await t.step("TIMEOUT (the default) answers the timeout reply", async () => {
    await waiter.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await blocked(s, 1);
    const list = await raw.call("CLIENT", "LIST", "ID", id);
    assert.match(list, / flags=b /);
    assert.equal(await raw.call("CLIENT", "UNBLOCK", id), int(1));
    assert.equal(await waiter.reply(), NIL_ARRAY_BYTES);
    assert.equal(await raw.call("CLIENT", "UNBLOCK", id, "TIMEOUT"), int(0));
    assert.match(await raw.call("CLIENT", "LIST", "ID", id), / flags=N /);
  });

  await t.step("ERROR answers the UNBLOCKED error", async () => {
    await waiter.write(
      "*6\r\n$6\r\nBLMOVE\r\n$1\r\nq\r\n$1\r\nd\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n",
    );
    await blocked(s, 1);
    assert.equal(await raw.call("CLIENT", "UNBLOCK", id, "error"), int(1));
    assert.equal(await waiter.reply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  });

  await t.step("errors and clients that are not blocked", async () => {
    assert.equal(
      await raw.call("CLIENT", "UNBLOCK", id, "foo"),
      "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
    );
    assert.equal(
      await raw.call("CLIENT", "UNBLOCK", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assert.equal(await raw.call("CLIENT", "UNBLOCK", "999999"), int(0));
    assert.equal(
      await raw.call("CLIENT", "UNBLOCK", id, "TIMEOUT", "x"),
      "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n",
    );
    assert.equal(await waiter.call("PING"), "+PONG\r\n");
  });
});

Deno.test("blocking commands inside MULTI do not block", async (t) => {
  await t.step("in-process with inExec set, as EXEC runs its queue", () => {
    const { engine } = inProcess();
    const client = engine.connect();
    client.inExec = true;
    assert.deepEqual(engine.call(client, ["BLPOP", "k", "0"]), NIL_ARRAY);
    assert.deepEqual(engine.call(client, ["BRPOP", "a", "b", "0"]), NIL_ARRAY);
    assert.deepEqual(engine.call(client, ["BLMPOP", "0", "1", "k", "LEFT"]), NIL_ARRAY);
    assert.deepEqual(engine.call(client, ["BLMOVE", "k", "d", "LEFT", "LEFT", "0"]), NIL);
    assert.deepEqual(engine.call(client, ["BRPOPLPUSH", "k", "d", "0"]), NIL);
    assert.equal(engine.blocking.count, 0);
    engine.close();
  });

  await t.step("over the wire: EXEC answers at once", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    await raw.call("MULTI");
    await raw.call("BLPOP", "k", "0");
    await raw.call("BLMOVE", "k", "d", "LEFT", "LEFT", "0");
    await raw.call("RPUSH", "k", "a");
    await raw.call("BRPOP", "k", "0");
    assert.equal(await raw.call("EXEC"), `*4\r\n*-1\r\n$-1\r\n:1\r\n${pair("k", "a")}`);
  });

  await t.step(
    "clients blocked on a key the transaction creates are served after EXEC",
    async () => {
      await using s = await testServer();
      const raw = await s.raw();
      const waiter = await s.raw();
      await waiter.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
      await blocked(s, 1);
      await raw.call("MULTI");
      await raw.call("RPUSH", "q", "a");
      await raw.call("LPOP", "q");
      await raw.call("RPUSH", "q", "b");
      assert.equal(await raw.call("EXEC"), `*3\r\n:1\r\n${bulkBytes("a")}:1\r\n`);
      assert.equal(await waiter.reply(), pair("q", "b"));
    },
  );
});

Deno.test("keys brought by RENAME, COPY, MOVE and SWAPDB wake blocked clients", async (t) => {
  const { engine } = inProcess();
  const pusher = engine.connect();
  const waiter = engine.connect();
  const call = (c: Client, ...argv: string[]) => engine.call(c, argv);

  await t.step("RENAME", async () => {
    call(pusher, "RPUSH", "tmp", "r");
    const pending = call(waiter, "BLPOP", "q", "0");
    assert.ok(pending instanceof Promise);
    call(pusher, "RENAME", "tmp", "q");
    assert.deepEqual(await pending, { kind: "bulks", values: ["q", "r"] });
  });

  await t.step("COPY", async () => {
    call(pusher, "RPUSH", "src", "c");
    const pending = call(waiter, "BLPOP", "q", "0");
    call(pusher, "COPY", "src", "q");
    assert.deepEqual(await pending, { kind: "bulks", values: ["q", "c"] });
  });

  await t.step("MOVE into the waiter's database", async () => {
    call(waiter, "SELECT", "1");
    const pending = call(waiter, "BLPOP", "m", "0");
    call(pusher, "RPUSH", "m", "moved");
    call(pusher, "MOVE", "m", "1");
    assert.deepEqual(await pending, { kind: "bulks", values: ["m", "moved"] });
  });

  await t.step("SWAPDB", async () => {
    call(pusher, "RPUSH", "w", "swapped");
    const pending = call(waiter, "BLPOP", "w", "0");
    assert.ok(pending instanceof Promise);
    call(pusher, "SWAPDB", "0", "1");
    assert.deepEqual(await pending, { kind: "bulks", values: ["w", "swapped"] });
  });
  engine.close();
});

Deno.test("a served blocked pop publishes its keyspace events", async () => {
  const { engine } = inProcess();
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    events.push(`${cls}:${event}:${key}`);
  };
  const pending = engine.call(engine.connect(), ["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]);
  engine.call(engine.connect(), ["RPUSH", "src", "a"]);
  assert.deepEqual(await pending, { kind: "bulk", value: "a" });
  assert.deepEqual(events, ["l:rpush:src", "l:rpush:dst", "l:lpop:src", "g:del:src"]);
  engine.close();
});

Deno.test("the Blocking module wakes only the waiters of a signalled key", async (t) => {
  const { engine, clock } = inProcess();
  const blocking = new Blocking(engine);
  const db: Database = engine.db(0);
  const a = engine.connect();
  const b = engine.connect();
  const served: string[] = [];
  const request = (name: string, keys: string[], timeoutMs = 0, ready = () => true) => ({
    db,
    keys,
    timeoutMs,
    serve: (key: string): Reply | undefined => {
      if (!ready()) return undefined;
      served.push(`${name}:${key}`);
      return bulk(key);
    },
  });

  await t.step("a signal on another key wakes nobody", async () => {
    const pa = blocking.block(a, request("a", ["x"]));
    blocking.signal(db, "y");
    assert.equal(blocking.hasReady, false);
    blocking.signal(db, "x");
    blocking.signal(db, "x");
    assert.equal(blocking.hasReady, true);
    blocking.serveReady();
    assert.deepEqual(await pa, bulk("x"));
    assert.deepEqual(served, ["a:x"]);
  });

  await t.step("a waiter that declines stays queued for the next signal", async () => {
    let ok = false;
    const pb = blocking.block(b, request("b", ["k", "k"], 0, () => ok));
    blocking.signal(db, "k");
    blocking.serveReady();
    assert.equal(blocking.isBlocked(b), true);
    ok = true;
    blocking.signal(db, "k");
    blocking.serveReady();
    assert.deepEqual(await pb, bulk("k"));
    assert.equal(blocking.count, 0);
  });

  await t.step("timeouts, CLIENT UNBLOCK and forget", async () => {
    const pa = blocking.block(a, request("a", ["t"], 100));
    assert.equal(blocking.withTimeout, 1);
    clock.advance(100);
    assert.deepEqual(await pa, NIL_ARRAY);
    assert.equal(blocking.withTimeout, 0);
    const pb = blocking.block(b, request("b", ["t"]));
    assert.equal(blocking.unblock(b, "error"), true);
    assert.equal(blocking.unblock(b, "error"), false);
    assert.deepEqual(await pb, {
      kind: "error",
      message: "UNBLOCKED client unblocked via CLIENT UNBLOCK",
    });
    const pc = blocking.block(a, request("a", ["t"], 50));
    blocking.forget(a);
    assert.deepEqual(await pc, NONE);
    clock.advance(1000);
    assert.equal(blocking.count, 0);
  });

  await t.step("timeouts beyond setTimeout's range re-arm until they pass", async () => {
    // A clock of its own: no engine cron to run on every 100 ms of a month.
    const own = new ManualClock(0);
    const longWait = new Blocking({ clock: own, switchClient: () => undefined });
    const pa = longWait.block(a, request("a", ["t"], 3_000_000_000));
    own.advance(2 ** 31 - 1);
    assert.equal(longWait.count, 1);
    own.advance(3_000_000_000 - (2 ** 31 - 1) - 1);
    assert.equal(longWait.count, 1);
    own.advance(1);
    assert.deepEqual(await pa, NIL_ARRAY);
  });
  engine.close();
});

Deno.test("closing the server ends waits and cancels their timers", async () => {
  await using s = await testServer({ clock: new SystemClock() as unknown as ManualClock });
  const waiter = await s.raw();
  await waiter.write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$3\r\n100\r\n");
  await blocked(s, 1);
  await s.server.close();
  assert.equal(s.server.engine.blocking.count, 0);
  assert.equal(s.server.engine.blocking.withTimeout, 0);
});
