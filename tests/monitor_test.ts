import assert from "node:assert/strict";
import { ManualClock, type RawClient, testServer } from "./support/server.ts";
import { monitorLine, quoteRepr } from "../src/monitor.ts";
import { Engine } from "../src/engine.ts";

const OK = "+OK\r\n";
const NOW = 1700000000123;
const STAMP = "+1700000000.123000";

/** The `addr=` of a raw client, as MONITOR shows it. */
async function addrOf(c: RawClient): Promise<string> {
  const info = await c.call("CLIENT", "INFO");
  return /addr=(\S+)/.exec(info)![1]!;
}

/** A monitor line as it arrives on the wire. */
function line(db: number, addr: string, ...argv: string[]): string {
  return `${STAMP} [${db} ${addr}] ${argv.map((a) => `"${a}"`).join(" ")}\r\n`;
}

async function monitored() {
  const t = await testServer({ clock: new ManualClock(NOW), config: { hz: "1" } });
  const c = await t.raw();
  const addr = await addrOf(c);
  const monitor = await t.raw();
  assert.equal(await monitor.call("MONITOR"), OK);
  return { t, monitor, c, addr };
}

Deno.test("MONITOR replies OK, then streams every command in Redis's line format", async (t) => {
  const m = await monitored();
  await using _ = m.t;
  const { monitor, c, addr } = m;

  await t.step("commands appear with the time, database and client address", async () => {
    assert.equal(await c.call("SET", "k", "v"), OK);
    assert.equal(await monitor.reply(), line(0, addr, "SET", "k", "v"));
    assert.equal(await c.call("SELECT", "3"), OK);
    assert.equal(await monitor.reply(), line(3, addr, "SELECT", "3"));
    assert.equal(await c.call("get", "k"), "$-1\r\n");
    assert.equal(await monitor.reply(), line(3, addr, "get", "k"));
    assert.equal(await c.call("SELECT", "0"), OK);
    await monitor.reply();
  });

  await t.step("arguments are quoted and escaped as sdscatrepr", async () => {
    assert.equal(await c.call("SET", "k", 'v\x00\r\n"\\ \xff\x07\x08\tx'), OK);
    assert.equal(
      await monitor.reply(),
      `${STAMP} [0 ${addr}] "SET" "k" "v\\x00\\r\\n\\"\\\\ \\xff\\a\\b\\tx"\r\n`,
    );
  });

  await t.step("AUTH and HELLO AUTH passwords are redacted", async () => {
    await c.call("AUTH", "secret");
    assert.equal(await monitor.reply(), line(0, addr, "AUTH", "(redacted)"));
    await c.call("AUTH", "user", "secret");
    assert.equal(await monitor.reply(), line(0, addr, "AUTH", "(redacted)", "(redacted)"));
    await c.call("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n");
    assert.equal(
      await monitor.reply(),
      line(0, addr, "HELLO", "2", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"),
    );
  });

  await t.step("malformed AUTH and HELLO are shown as sent, as Redis does", async () => {
    await c.call("AUTH", "a", "b", "c");
    assert.equal(await monitor.reply(), line(0, addr, "AUTH", "a", "b", "c"));
    await c.call("HELLO", "4", "AUTH", "u", "p");
    assert.equal(await monitor.reply(), line(0, addr, "HELLO", "4", "AUTH", "u", "p"));
  });

  await t.step("admin and rejected commands are not shown", async () => {
    await c.call("CONFIG", "GET", "hz");
    await c.call("CLIENT", "LIST");
    await c.call("CLIENT", "PAUSE", "0");
    await c.call("GET");
    await c.call("NOSUCH");
    await c.call("CLIENT", "ID");
    assert.equal(await monitor.reply(), line(0, addr, "CLIENT", "ID"));
  });

  await t.step("a transaction shows MULTI, then its commands and EXEC when EXEC runs", async () => {
    assert.equal(await c.call("MULTI"), OK);
    assert.equal(await c.call("INCR", "n"), "+QUEUED\r\n");
    assert.equal(await c.call("SELECT", "5"), "+QUEUED\r\n");
    assert.equal(await c.call("INCR", "n"), "+QUEUED\r\n");
    assert.equal(await c.call("EXEC"), "*3\r\n:1\r\n+OK\r\n:1\r\n");
    assert.equal(await monitor.reply(), line(0, addr, "MULTI"));
    assert.equal(await monitor.reply(), line(0, addr, "INCR", "n"));
    assert.equal(await monitor.reply(), line(5, addr, "SELECT", "5"));
    assert.equal(await monitor.reply(), line(5, addr, "INCR", "n"));
    assert.equal(await monitor.reply(), line(5, addr, "EXEC"));
  });

  await t.step("a discarded transaction shows MULTI and DISCARD only", async () => {
    assert.equal(await c.call("MULTI"), OK);
    assert.equal(await c.call("INCR", "n"), "+QUEUED\r\n");
    assert.equal(await c.call("DISCARD"), OK);
    assert.equal(await monitor.reply(), line(5, addr, "MULTI"));
    assert.equal(await monitor.reply(), line(5, addr, "DISCARD"));
  });

  await t.step("a monitor is flagged O in CLIENT LIST", async () => {
    const list = await c.call("CLIENT", "LIST");
    assert.match(list, / flags=O .* cmd=monitor /);
  });
});

Deno.test("a MONITOR client cannot touch the keyspace, and RESET or QUIT end it", async (t) => {
  const m = await monitored();
  await using _ = m.t;
  const { monitor, c, addr } = m;

  await t.step("keyspace commands are refused, others run", async () => {
    assert.equal(
      await monitor.call("GET", "k"),
      "-ERR Replica can't interact with the keyspace\r\n",
    );
    assert.equal(
      await monitor.call("SET", "k", "v"),
      "-ERR Replica can't interact with the keyspace\r\n",
    );
    assert.equal(await monitor.call("ECHO", "x"), "$1\r\nx\r\n");
  });

  await t.step("a second MONITOR gets no reply", async () => {
    await monitor.write("*1\r\n$7\r\nMONITOR\r\n");
    // The next thing on the wire is the line for another client's command.
    assert.equal(await c.call("PING"), "+PONG\r\n");
    // Its own ECHO was fed before too.
    assert.match(await monitor.reply(), /"ECHO" "x"/);
    assert.equal(await monitor.reply(), line(0, addr, "PING"));
  });

  await t.step("RESET stops monitoring", async () => {
    assert.equal(await monitor.call("RESET"), "+RESET\r\n");
    assert.equal(await c.call("SET", "after", "1"), OK);
    assert.equal(await monitor.call("GET", "after"), "$1\r\n1\r\n");
  });

  await t.step("QUIT closes a monitor and it is forgotten", async () => {
    const other = await m.t.raw();
    assert.equal(await other.call("MONITOR"), OK);
    assert.equal(m.t.server.engine.monitors.size, 1);
    await other.write("*1\r\n$4\r\nQUIT\r\n");
    await other.readToEnd();
    for (let i = 0; i < 50 && m.t.server.engine.monitors.size > 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(m.t.server.engine.monitors.size, 0);
  });

  await t.step("MONITOR inside a transaction fails in the EXEC reply", async () => {
    assert.equal(await c.call("MULTI"), OK);
    assert.equal(await c.call("MONITOR"), "+QUEUED\r\n");
    assert.equal(
      await c.call("EXEC"),
      "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n",
    );
  });
});

Deno.test("quoteRepr escapes bytes as Redis's sdscatrepr", () => {
  assert.equal(quoteRepr(""), '""');
  assert.equal(quoteRepr("plain text ~!"), '"plain text ~!"');
  assert.equal(quoteRepr('"\\'), '"\\"\\\\"');
  assert.equal(quoteRepr("\n\r\t\x07\x08"), '"\\n\\r\\t\\a\\b"');
  assert.equal(quoteRepr("\x00\x1b\x7f\x80\xff"), '"\\x00\\x1b\\x7f\\x80\\xff"');
});

Deno.test("monitorLine shows Unix socket clients as unix:<path>", () => {
  const engine = new Engine({ clock: new ManualClock(NOW) });
  const client = engine.connect({ unix: true, addr: ":0", laddr: "/tmp/redis.sock:0" });
  assert.equal(
    monitorLine(NOW + 0.5, client, ["PING"], undefined),
    '1700000000.123500 [0 unix:/tmp/redis.sock] "PING"',
  );
  assert.equal(
    monitorLine(NOW, client, ["AUTH", "pw"], [1]),
    '1700000000.123000 [0 unix:/tmp/redis.sock] "AUTH" "(redacted)"',
  );
  engine.disconnect(client);
  engine.close();
});
