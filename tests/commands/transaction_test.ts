import assert from "node:assert/strict";
import { testServer } from "../support/server.ts";

const OK = "+OK\r\n";
const QUEUED = "+QUEUED\r\n";
const EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";

function int(n: number): string {
  return `:${n}\r\n`;
}

Deno.test("MULTI queues commands and EXEC runs them, replying with their replies", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();

  await t.step("ioredis multi().exec() returns each command's result", async () => {
    const result = await redis.multi().set("k", "v").get("k").incr("n").incr("n").exec();
    assert.deepEqual(result, [[null, "OK"], [null, "v"], [null, 1], [null, 2]]);
  });

  await t.step("queued commands reply QUEUED and run only at EXEC", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "q", "1"), QUEUED);
    assert.equal(await redis.exists("q"), 0);
    assert.equal(await raw.call("INCR", "q"), QUEUED);
    assert.equal(await raw.call("EXEC"), "*2\r\n+OK\r\n:2\r\n");
    assert.equal(await redis.get("q"), "2");
  });

  await t.step("an empty transaction replies an empty array", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*0\r\n");
  });
});

Deno.test("runtime errors inside EXEC are per-command replies and the rest still run", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("MULTI"), OK);
  assert.equal(await raw.call("INCR", "q"), QUEUED);
  assert.equal(await raw.call("INCRBY", "q", "x"), QUEUED);
  assert.equal(await raw.call("INCR", "q"), QUEUED);
  assert.equal(
    await raw.call("EXEC"),
    "*3\r\n:1\r\n-ERR value is not an integer or out of range\r\n:2\r\n",
  );
  assert.equal(await raw.call("GET", "q"), "$1\r\n2\r\n");
});

Deno.test("a command rejected while queueing aborts the transaction with EXECABORT", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  for (
    const [name, argv, reply] of [
      [
        "unknown command",
        ["NOSUCH", "a"],
        "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n",
      ],
      ["wrong arity", ["GET"], "-ERR wrong number of arguments for 'get' command\r\n"],
      [
        "unknown subcommand",
        ["CONFIG", "NOPE"],
        "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n",
      ],
    ] as const
  ) {
    await t.step(name, async () => {
      assert.equal(await raw.call("MULTI"), OK);
      assert.equal(await raw.call("SET", "k", "v"), QUEUED);
      assert.equal(await raw.call(...argv), reply);
      // Later commands still answer QUEUED.
      assert.equal(await raw.call("SET", "k2", "v"), QUEUED);
      assert.equal(await raw.call("EXEC"), EXECABORT);
      assert.equal(await raw.call("EXISTS", "k", "k2"), int(0));
      // The transaction is over.
      assert.equal(await raw.call("EXEC"), "-ERR EXEC without MULTI\r\n");
    });
  }

  await t.step("MULTI itself needs authentication", async () => {
    await using p = await testServer({ config: { requirepass: "pw" } });
    const c = await p.raw();
    assert.equal(await c.call("MULTI"), "-NOAUTH Authentication required.\r\n");
    assert.equal(
      await c.call("EXEC"),
      "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n",
    );
    assert.equal(await c.call("AUTH", "pw"), OK);
    assert.equal(await c.call("MULTI"), OK);
    assert.equal(await c.call("EXEC"), "*0\r\n");
  });

  await t.step("ioredis rejects exec() with EXECABORT", async () => {
    const redis = await s.redis();
    await assert.rejects(
      redis.multi().set("k", "v").call("NOSUCH").exec(),
      /EXECABORT Transaction discarded because of previous errors/,
    );
  });
});

Deno.test("MULTI, EXEC, DISCARD and WATCH misuse answer Redis's errors", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("EXEC and DISCARD without MULTI", async () => {
    assert.equal(await raw.call("EXEC"), "-ERR EXEC without MULTI\r\n");
    assert.equal(await raw.call("DISCARD"), "-ERR DISCARD without MULTI\r\n");
  });

  await t.step("nested MULTI and WATCH inside MULTI do not abort the transaction", async () => {
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("MULTI"), "-ERR MULTI calls can not be nested\r\n");
    assert.equal(await raw.call("WATCH", "x"), "-ERR WATCH inside MULTI is not allowed\r\n");
    assert.equal(await raw.call("SET", "a", "1"), QUEUED);
    assert.equal(await raw.call("EXEC"), "*1\r\n+OK\r\n");
  });

  await t.step("arity of the transaction commands", async () => {
    for (const name of ["multi", "discard", "unwatch"]) {
      assert.equal(
        await raw.call(name, "x"),
        `-ERR wrong number of arguments for '${name}' command\r\n`,
      );
    }
    assert.equal(await raw.call("WATCH"), "-ERR wrong number of arguments for 'watch' command\r\n");
  });

  await t.step("a rejected EXEC answers EXECABORT and discards the transaction", async () => {
    const reason = "wrong number of arguments for 'exec' command";
    assert.equal(
      await raw.call("EXEC", "x"),
      `-EXECABORT Transaction discarded because of: ${reason}\r\n`,
    );
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "x", "1"), QUEUED);
    assert.equal(
      await raw.call("EXEC", "x"),
      `-EXECABORT Transaction discarded because of: ${reason}\r\n`,
    );
    assert.equal(await raw.call("EXEC"), "-ERR EXEC without MULTI\r\n");
    assert.equal(s.server.engine.stats.errors.get("EXECABORT"), 2);
    assert.equal(s.server.engine.stats.command("exec").rejectedCalls, 2);
  });

  await t.step("no_multi commands are refused inside MULTI and abort it", async () => {
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SHUTDOWN"), "-ERR Command not allowed inside a transaction\r\n");
    assert.equal(await raw.call("EXEC"), EXECABORT);
  });

  await t.step("DISCARD drops the queue", async () => {
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "d", "1"), QUEUED);
    assert.equal(await raw.call("DISCARD"), OK);
    assert.equal(await raw.call("EXISTS", "d"), int(0));
    assert.equal(await raw.call("DISCARD"), "-ERR DISCARD without MULTI\r\n");
  });

  await t.step("RESET ends the transaction", async () => {
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "r", "1"), QUEUED);
    assert.equal(await raw.call("RESET"), "+RESET\r\n");
    assert.equal(await raw.call("EXEC"), "-ERR EXEC without MULTI\r\n");
    assert.equal(await raw.call("EXISTS", "r"), int(0));
  });

  await t.step("QUIT inside MULTI is not queued", async () => {
    const c = await s.raw();
    assert.equal(await c.call("MULTI"), OK);
    assert.equal(await c.call("QUIT"), OK);
    assert.equal(await c.readToEnd(), "");
  });
});

Deno.test("WATCH makes EXEC fail once a watched key is written", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const other = await s.redis();

  await t.step("a write from another client", async () => {
    await redis.set("k", "1");
    await redis.watch("k");
    await other.set("k", "2");
    assert.equal(await redis.multi().set("k", "3").exec(), null);
    assert.equal(await redis.get("k"), "2");
  });

  await t.step("an untouched watched key lets EXEC run, and EXEC unwatches", async () => {
    await redis.watch("k");
    assert.deepEqual(await redis.multi().set("k", "3").exec(), [[null, "OK"]]);
    await other.set("k", "4");
    assert.deepEqual(await redis.multi().get("k").exec(), [[null, "4"]]);
  });

  await t.step("a write by the watching client itself", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await raw.call("SET", "k", "same"), OK);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("PING"), QUEUED);
    assert.equal(await raw.call("EXEC"), "*-1\r\n");
  });

  await t.step("writes that change nothing do not touch the key", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("WATCH", "missing"), OK);
    assert.equal(await raw.call("DEL", "missing"), int(0));
    assert.equal(await raw.call("PERSIST", "missing"), int(0));
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("PING"), QUEUED);
    assert.equal(await raw.call("EXEC"), "*1\r\n+PONG\r\n");
  });

  await t.step("a key of the same name in another database is another key", async () => {
    await redis.watch("k");
    const db1 = await s.redis({ db: 1 });
    await db1.set("k", "x");
    assert.deepEqual(await redis.multi().ping().exec(), [[null, "PONG"]]);
  });

  await t.step("UNWATCH forgets the keys and the touch", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("WATCH", "k"), OK);
    await other.set("k", "5");
    assert.equal(await raw.call("UNWATCH"), OK);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*0\r\n");
  });

  await t.step("DISCARD unwatches; a later WATCH of another key keeps the doom", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("DISCARD"), OK);
    await other.set("k", "6");
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*0\r\n");
    assert.equal(await raw.call("WATCH", "k"), OK);
    await other.set("k", "7");
    assert.equal(await raw.call("WATCH", "other"), OK);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*-1\r\n");
  });

  await t.step("RESP3 answers an aborted EXEC with a null", async () => {
    const raw = await s.raw();
    await raw.call("HELLO", "3");
    assert.equal(await raw.call("WATCH", "k"), OK);
    await other.set("k", "8");
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "_\r\n");
  });

  await t.step(
    "CLIENT LIST shows d for a doomed client and x with multi= inside MULTI",
    async () => {
      const raw = await s.raw();
      assert.equal(await raw.call("WATCH", "k"), OK);
      await other.set("k", "9");
      assert.match(await raw.call("CLIENT", "INFO"), / flags=d .* multi=-1 /);
      assert.equal(await raw.call("UNWATCH"), OK);
      assert.equal(await raw.call("MULTI"), OK);
      assert.equal(await raw.call("GET", "k"), QUEUED);
      assert.equal(await raw.call("CLIENT", "INFO"), QUEUED);
      const exec = await raw.call("EXEC");
      assert.match(exec, / flags=x .* multi=2 .* cmd=exec /);
    },
  );

  await t.step("an aborted or doomed transaction stops queueing (multi= stays)", async () => {
    const raw = await s.raw();
    const id = /:(\d+)/.exec(await raw.call("CLIENT", "ID"))![1]!;
    const multiOf = async () => {
      const list = await other.call("CLIENT", "LIST", "ID", id) as string;
      return / flags=(\S+) .* multi=(-?\d+) /.exec(list)!.slice(1).join(" ");
    };
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "a", "1"), QUEUED);
    assert.equal(await raw.call("SET", "a", "1"), QUEUED);
    await raw.call("NOSUCH");
    assert.equal(await raw.call("SET", "a", "1"), QUEUED);
    assert.equal(await multiOf(), "x 2");
    assert.equal(await raw.call("EXEC"), EXECABORT);
    assert.equal(await raw.call("WATCH", "k"), OK);
    await other.set("k", "10");
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("SET", "a", "1"), QUEUED);
    assert.equal(await multiOf(), "xd 0");
    assert.equal(await raw.call("EXEC"), "*-1\r\n");
  });
});

Deno.test("WATCH and expiry follow Redis 7.0", async (t) => {
  // hz 1: no active expiry cycle runs within these steps' clock moves.
  await using s = await testServer({ config: { hz: "1" } });
  const raw = await s.raw();
  const other = await s.raw();

  await t.step("a watched key that expires before EXEC fails it", async () => {
    assert.equal(await raw.call("SET", "k", "v", "PX", "100"), OK);
    assert.equal(await raw.call("WATCH", "k"), OK);
    s.clock.advance(150);
    assert.match(await raw.call("CLIENT", "INFO"), / flags=N /);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("PING"), QUEUED);
    assert.equal(await raw.call("EXEC"), "*-1\r\n");
  });

  await t.step("a lazy expiry by another client's read touches the key at once", async () => {
    assert.equal(await raw.call("SET", "k", "v", "PX", "100"), OK);
    assert.equal(await raw.call("WATCH", "k"), OK);
    s.clock.advance(150);
    assert.equal(await other.call("GET", "k"), "$-1\r\n");
    assert.match(await raw.call("CLIENT", "INFO"), / flags=d /);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*-1\r\n");
  });

  await t.step("a key already expired when watched does not fail EXEC", async () => {
    assert.equal(await raw.call("SET", "k", "v", "PX", "100"), OK);
    s.clock.advance(150);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("PING"), QUEUED);
    assert.equal(await raw.call("EXEC"), "*1\r\n+PONG\r\n");
  });

  await t.step("nor does its reclaiming, but a write does", async () => {
    assert.equal(await raw.call("SET", "k", "v", "PX", "100"), OK);
    s.clock.advance(150);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("GET", "k"), "$-1\r\n");
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*0\r\n");
    assert.equal(await raw.call("SET", "k", "v", "PX", "100"), OK);
    s.clock.advance(150);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("SET", "k", "new"), OK);
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("EXEC"), "*-1\r\n");
  });
});

Deno.test("FLUSHDB, FLUSHALL and SWAPDB touch watched keys as Redis does", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const other = await s.raw();

  async function execOutcome(): Promise<string> {
    assert.equal(await raw.call("MULTI"), OK);
    assert.equal(await raw.call("PING"), QUEUED);
    return await raw.call("EXEC");
  }

  await t.step("FLUSHALL fails a watched key that existed", async () => {
    assert.equal(await raw.call("SET", "k", "v"), OK);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("FLUSHALL"), OK);
    assert.equal(await execOutcome(), "*-1\r\n");
  });

  await t.step("FLUSHDB fails a watched key that existed", async () => {
    assert.equal(await raw.call("SET", "k", "v"), OK);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("FLUSHDB"), OK);
    assert.equal(await execOutcome(), "*-1\r\n");
  });

  await t.step("flushing leaves a watched missing key alone", async () => {
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("FLUSHALL"), OK);
    assert.equal(await execOutcome(), "*1\r\n+PONG\r\n");
  });

  await t.step("flushing an expired watched key changes nothing logically", async () => {
    assert.equal(await raw.call("SET", "k", "v", "PX", "10"), OK);
    s.clock.advance(20);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("FLUSHALL"), OK);
    assert.equal(await execOutcome(), "*1\r\n+PONG\r\n");
  });

  await t.step("SWAPDB bringing the key in fails EXEC", async () => {
    assert.equal(await other.call("SELECT", "1"), OK);
    assert.equal(await other.call("SET", "k", "v"), OK);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("SWAPDB", "0", "1"), OK);
    assert.equal(await execOutcome(), "*-1\r\n");
  });

  await t.step("SWAPDB bringing in an expired key does not", async () => {
    assert.equal(await other.call("FLUSHALL"), OK);
    assert.equal(await other.call("SET", "k", "v", "PX", "10"), OK);
    s.clock.advance(20);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("SWAPDB", "0", "1"), OK);
    assert.equal(await execOutcome(), "*1\r\n+PONG\r\n");
  });

  await t.step("a database swapped with itself is untouched", async () => {
    assert.equal(await raw.call("SET", "k", "v"), OK);
    assert.equal(await raw.call("WATCH", "k"), OK);
    assert.equal(await other.call("SWAPDB", "0", "0"), OK);
    assert.equal(await execOutcome(), "*1\r\n+PONG\r\n");
  });
});

Deno.test("EXEC is atomic: no other client's command interleaves", async () => {
  await using s = await testServer();
  const a = await s.redis();
  const b = await s.redis();
  const rounds = 50;
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < rounds; i++) {
    runs.push(a.multi().incr("n").incr("n").incr("n").get("n").exec());
    runs.push(b.multi().incr("n").incr("n").incr("n").get("n").exec());
  }
  const results = await Promise.all(runs) as [Error | null, unknown][][];
  for (const result of results) {
    // Inside one transaction the three INCRs are consecutive values.
    const [x, y, z, g] = result.map(([, v]) => Number(v));
    assert.equal(y, x! + 1);
    assert.equal(z, y! + 1);
    assert.equal(g, z);
  }
  assert.equal(await a.get("n"), String(rounds * 2 * 3));
});

Deno.test("commandstats count EXEC and each queued command as Redis does", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const stats = s.server.engine.stats;
  assert.equal(await raw.call("MULTI"), OK);
  assert.equal(await raw.call("SET", "k", "v"), QUEUED);
  assert.equal(await raw.call("INCR", "k"), QUEUED);
  const before = stats.totalCommands;
  assert.match(await raw.call("EXEC"), /^\*2\r\n\+OK\r\n-ERR/);
  assert.equal(stats.totalCommands - before, 3);
  assert.equal(stats.command("set").calls, 1);
  assert.equal(stats.command("incr").failedCalls, 1);
  assert.equal(stats.command("exec").calls, 1);
  assert.equal(stats.command("exec").failedCalls, 0);
  assert.equal(await raw.call("MULTI"), OK);
  assert.match(await raw.call("GET"), /^-ERR wrong number/);
  assert.equal(await raw.call("EXEC"), EXECABORT);
  assert.equal(stats.command("get").rejectedCalls, 1);
  assert.equal(stats.command("get").calls, 0);
  assert.equal(stats.command("exec").failedCalls, 1);
  assert.equal(stats.errors.get("EXECABORT"), 1);
});

Deno.test("EXEC runs its queue with inExec set, so nothing blocks inside it", async () => {
  await using s = await testServer();
  const client = s.server.engine.connect();
  const engine = s.server.engine;
  const seen: boolean[] = [];
  const original = engine.execute.bind(engine);
  engine.execute = (c, command, argv) => {
    seen.push(c.inExec);
    return original(c, command, argv);
  };
  assert.equal((engine.call(client, ["MULTI"]) as { kind: string }).kind, "simple");
  engine.call(client, ["PING"]);
  engine.call(client, ["PING"]);
  engine.call(client, ["EXEC"]);
  assert.deepEqual(seen, [true, true]);
  assert.equal(client.inExec, false);
  engine.disconnect(client);
});
