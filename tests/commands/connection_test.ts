import assert from "node:assert/strict";
import { CLIENT_LIST_FIELDS } from "../support/clients.ts";
import { createClient } from "redis";
import { type RawClient, testServer } from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import { ManualClock } from "../../src/clock.ts";
import type { Reply } from "../../src/resp/reply.ts";

/** The body of a RESP2 bulk or RESP3 verbatim reply. */
function body(reply: string): string {
  const start = reply.indexOf("\r\n") + 2;
  const text = reply.slice(start, -2);
  return reply[0] === "=" ? text.slice(4) : text;
}

/** Parses CLIENT LIST text into one field map per line, keeping field order. */
function parseClients(text: string): Map<string, string>[] {
  assert.ok(text === "" || text.endsWith("\n"), "every line ends with a newline");
  return text.split("\n").filter((l) => l !== "").map((line) => {
    const m = new Map<string, string>();
    for (const part of line.split(" ")) {
      const eq = part.indexOf("=");
      m.set(part.slice(0, eq), part.slice(eq + 1));
    }
    return m;
  });
}

async function info(raw: RawClient): Promise<Map<string, string>> {
  const clients = parseClients(body(await raw.call("CLIENT", "INFO")));
  assert.equal(clients.length, 1);
  return clients[0]!;
}

async function listIds(raw: RawClient, ...filter: string[]): Promise<string[]> {
  return parseClients(body(await raw.call("CLIENT", "LIST", ...filter))).map((c) => c.get("id")!);
}

function call(engine: Engine, client: ReturnType<Engine["connect"]>, ...argv: string[]): Reply {
  const reply = engine.call(client, argv);
  assert.ok(!(reply instanceof Promise));
  return reply;
}

Deno.test("PING replies PONG or its message, and rejects extra arguments", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  assert.equal(await raw.call("PING"), "+PONG\r\n");
  assert.equal(await raw.call("PING", "hi\x00\xff"), "$4\r\nhi\x00\xff\r\n");
  assert.equal(
    await raw.call("PING", "a", "b"),
    "-ERR wrong number of arguments for 'ping' command\r\n",
  );
  const redis = await t.redis();
  assert.equal(await redis.ping(), "PONG");
});

Deno.test("PING in pub/sub mode replies [pong, message] in RESP2 only", () => {
  const engine = new Engine({ clock: new ManualClock() });
  try {
    const client = engine.connect();
    client.channelCount = 1;
    assert.deepEqual(call(engine, client, "PING"), { kind: "bulks", values: ["pong", ""] });
    assert.deepEqual(call(engine, client, "PING", "m"), { kind: "bulks", values: ["pong", "m"] });
    client.resp = 3;
    assert.deepEqual(call(engine, client, "PING"), { kind: "simple", value: "PONG" });
  } finally {
    engine.close();
  }
});

Deno.test("ECHO returns its argument byte for byte", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  assert.equal(await raw.call("ECHO", "\x00\r\n\xff"), "$4\r\n\x00\r\n\xff\r\n");
  assert.equal(await raw.call("ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
});

Deno.test("SELECT switches databases and validates the index", async (t) => {
  await using s = await testServer();
  await t.step("ioredis's db option selects the database", async () => {
    const redis = await s.redis({ db: 3 });
    const line = String(await redis.client("INFO"));
    assert.match(line, / db=3 /);
    const raw = await s.raw();
    assert.equal((await info(raw)).get("db"), "0");
    assert.equal(await raw.call("SELECT", "15"), "+OK\r\n");
    assert.equal((await info(raw)).get("db"), "15");
  });
  await t.step("bad indexes are rejected with Redis's errors", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("SELECT", "16"), "-ERR DB index is out of range\r\n");
    assert.equal(await raw.call("SELECT", "-1"), "-ERR DB index is out of range\r\n");
    assert.equal(
      await raw.call("SELECT", "1.5"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assert.equal(await raw.call("SELECT", "x"), "-ERR value is not an integer or out of range\r\n");
    assert.equal(
      await raw.call("SELECT", "2147483648"),
      "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
    );
    assert.equal(
      await raw.call("SELECT", "99999999999999999999"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assert.equal(
      await raw.call("SELECT"),
      "-ERR wrong number of arguments for 'select' command\r\n",
    );
  });
});

Deno.test("QUIT replies OK and closes, ignoring pipelined commands", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  await raw.write("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n");
  assert.equal(await raw.readToEnd(), "+OK\r\n");
});

Deno.test("AUTH without a configured password", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  await t.step("AUTH password is an error", async () => {
    assert.equal(
      await raw.call("AUTH", "pw"),
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
    );
  });
  await t.step("AUTH default takes any password", async () => {
    assert.equal(await raw.call("AUTH", "default", "anything"), "+OK\r\n");
  });
  await t.step("AUTH of an unknown user fails", async () => {
    assert.equal(
      await raw.call("AUTH", "otheruser", "pw"),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
  });
  await t.step("more than two arguments is a syntax error", async () => {
    assert.equal(await raw.call("AUTH", "a", "b", "c"), "-ERR syntax error\r\n");
    assert.equal(await raw.call("AUTH"), "-ERR wrong number of arguments for 'auth' command\r\n");
  });
});

Deno.test("AUTH with requirepass", async (t) => {
  await using s = await testServer({ config: { requirepass: "pw" } });
  await t.step("commands need authentication; AUTH, HELLO, QUIT and RESET do not", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("PING"), "-NOAUTH Authentication required.\r\n");
    assert.equal(await raw.call("CLIENT", "ID"), "-NOAUTH Authentication required.\r\n");
    assert.equal(await raw.call("RESET"), "+RESET\r\n");
    assert.equal(await raw.call("QUIT"), "+OK\r\n");
  });
  await t.step("AUTH pw and AUTH default pw authenticate", async () => {
    const a = await s.raw();
    assert.equal(await a.call("AUTH", "pw"), "+OK\r\n");
    assert.equal(await a.call("PING"), "+PONG\r\n");
    const b = await s.raw();
    assert.equal(await b.call("AUTH", "default", "pw"), "+OK\r\n");
    assert.equal(await b.call("PING"), "+PONG\r\n");
  });
  await t.step("wrong passwords and unknown users get WRONGPASS", async () => {
    const raw = await s.raw();
    const wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    assert.equal(await raw.call("AUTH", "bad"), wrongpass);
    assert.equal(await raw.call("AUTH", "default", "bad"), wrongpass);
    assert.equal(await raw.call("AUTH", "otheruser", "pw"), wrongpass);
    assert.equal(await raw.call("PING"), "-NOAUTH Authentication required.\r\n");
  });
  await t.step("a failed AUTH keeps an authenticated client authenticated", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("AUTH", "pw"), "+OK\r\n");
    assert.match(await raw.call("AUTH", "bad"), /^-WRONGPASS/);
    assert.equal(await raw.call("PING"), "+PONG\r\n");
  });
  await t.step("ioredis's password option authenticates", async () => {
    const redis = await s.redis({ password: "pw" });
    assert.equal(await redis.ping(), "PONG");
    assert.equal(await redis.echo("v"), "v");
  });
  await t.step("RESET makes the client authenticate again", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("AUTH", "pw"), "+OK\r\n");
    assert.equal(await raw.call("RESET"), "+RESET\r\n");
    assert.equal(await raw.call("PING"), "-NOAUTH Authentication required.\r\n");
  });
});

const HELLO2 = (id: string, proto = 2) =>
  `*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:${proto}\r\n` +
  `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n` +
  `$7\r\nmodules\r\n*0\r\n`;
const HELLO3 = (id: string) =>
  `%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n` +
  `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n` +
  `$7\r\nmodules\r\n*0\r\n`;

Deno.test("HELLO switches protocols and reports the connection", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const id = (await raw.call("CLIENT", "ID")).slice(1, -2);
  await t.step("HELLO with no arguments reports the current context", async () => {
    assert.equal(await raw.call("HELLO"), HELLO2(id));
  });
  await t.step("HELLO 3 replies with a map and switches to RESP3", async () => {
    assert.equal(await raw.call("HELLO", "3"), HELLO3(id));
    assert.equal(await raw.call("CLIENT", "GETNAME"), "_\r\n");
    assert.equal(await raw.call("HELLO"), HELLO3(id));
  });
  await t.step("HELLO 2 switches back", async () => {
    assert.equal(await raw.call("HELLO", "2"), HELLO2(id));
    assert.equal(await raw.call("CLIENT", "GETNAME"), "$-1\r\n");
  });
  await t.step("bad protocol versions", async () => {
    assert.equal(await raw.call("HELLO", "4"), "-NOPROTO unsupported protocol version\r\n");
    assert.equal(await raw.call("HELLO", "1"), "-NOPROTO unsupported protocol version\r\n");
    assert.equal(await raw.call("HELLO", "4", "junk"), "-NOPROTO unsupported protocol version\r\n");
    const notInt = "-ERR Protocol version is not an integer or out of range\r\n";
    assert.equal(await raw.call("HELLO", "abc"), notInt);
    assert.equal(await raw.call("HELLO", "03"), notInt);
    assert.equal(await raw.call("HELLO", "3.0"), notInt);
  });
  await t.step("option syntax errors name the option, sanitized", async () => {
    assert.equal(
      await raw.call("HELLO", "3", "foo"),
      "-ERR Syntax error in HELLO option 'foo'\r\n",
    );
    assert.equal(
      await raw.call("HELLO", "3", "AUTH", "a"),
      "-ERR Syntax error in HELLO option 'AUTH'\r\n",
    );
    assert.equal(
      await raw.call("HELLO", "3", "setname"),
      "-ERR Syntax error in HELLO option 'setname'\r\n",
    );
    assert.equal(
      await raw.call("HELLO", "3", "a\r\nb"),
      "-ERR Syntax error in HELLO option 'a  b'\r\n",
    );
    assert.equal(await raw.call("PING"), "+PONG\r\n", "still RESP2 after errors");
  });
  await t.step("SETNAME validates and takes effect as it is read", async () => {
    assert.equal(
      await raw.call("HELLO", "2", "SETNAME", "bad name"),
      "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    assert.equal(
      await raw.call("HELLO", "2", "SETNAME", "first", "junk"),
      "-ERR Syntax error in HELLO option 'junk'\r\n",
    );
    assert.equal(await raw.call("CLIENT", "GETNAME"), "$5\r\nfirst\r\n");
    assert.equal(await raw.call("HELLO", "2", "setname", "n2"), HELLO2(id));
    assert.equal(await raw.call("CLIENT", "GETNAME"), "$2\r\nn2\r\n");
  });
  await t.step("AUTH inside HELLO fails for unknown users", async () => {
    assert.equal(
      await raw.call("HELLO", "3", "AUTH", "nobody", "pw"),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert.equal(await raw.call("HELLO", "3", "AUTH", "default", "any"), HELLO3(id));
  });
});

Deno.test("HELLO with requirepass", async (t) => {
  await using s = await testServer({ config: { requirepass: "pw" } });
  const noauth =
    "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
  await t.step("HELLO without AUTH is refused", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("HELLO"), noauth);
    assert.equal(await raw.call("HELLO", "3"), noauth);
    assert.equal(await raw.call("PING"), "-NOAUTH Authentication required.\r\n");
  });
  await t.step("a wrong password in HELLO AUTH gets WRONGPASS", async () => {
    const raw = await s.raw();
    assert.equal(
      await raw.call("HELLO", "3", "AUTH", "default", "bad"),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
  });
  await t.step("HELLO 3 AUTH default pw authenticates and switches", async () => {
    const raw = await s.raw();
    const reply = await raw.call("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "me");
    assert.ok(reply.startsWith("%7\r\n"));
    assert.equal(await raw.call("CLIENT", "GETNAME"), "$2\r\nme\r\n");
    assert.equal(await raw.call("CLIENT", "SETNAME", ""), "+OK\r\n");
    assert.equal(await raw.call("CLIENT", "GETNAME"), "_\r\n");
  });
  await t.step("a successful AUTH stays even when a later option fails", async () => {
    const raw = await s.raw();
    assert.equal(
      await raw.call("HELLO", "2", "AUTH", "default", "pw", "junk"),
      "-ERR Syntax error in HELLO option 'junk'\r\n",
    );
    assert.equal(await raw.call("PING"), "+PONG\r\n");
  });
});

Deno.test("RESET restores the connection's defaults", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  assert.ok((await raw.call("HELLO", "3", "SETNAME", "n")).startsWith("%"));
  assert.equal(await raw.call("SELECT", "5"), "+OK\r\n");
  assert.equal(await raw.call("CLIENT", "NO-EVICT", "on"), "+OK\r\n");
  assert.equal(await raw.write("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n"), undefined);
  assert.equal(await raw.call("RESET"), "+RESET\r\n");
  const fields = await info(raw);
  assert.equal(fields.get("db"), "0");
  assert.equal(fields.get("resp"), "2");
  assert.equal(fields.get("name"), "");
  assert.equal(fields.get("flags"), "e", "NO-EVICT survives RESET, as in Redis 7.0");
  assert.equal(
    await raw.call("RESET", "x"),
    "-ERR wrong number of arguments for 'reset' command\r\n",
  );
});

Deno.test("CLIENT ID, SETNAME and GETNAME", async (t) => {
  await using s = await testServer();
  await t.step("ioredis's connectionName sets the name", async () => {
    const redis = await s.redis({ connectionName: "worker-1" });
    assert.equal(await redis.client("GETNAME"), "worker-1");
    const id = await redis.client("ID");
    assert.equal(typeof id, "number");
    const raw = await s.raw();
    const named = parseClients(body(await raw.call("CLIENT", "LIST")))
      .find((c) => c.get("name") === "worker-1");
    assert.equal(named?.get("id"), String(id));
  });
  await t.step("names must be printable ASCII without spaces; empty clears", async () => {
    const raw = await s.raw();
    const bad = "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
    assert.equal(await raw.call("CLIENT", "SETNAME", "a b"), bad);
    assert.equal(await raw.call("CLIENT", "SETNAME", "a\nb"), bad);
    assert.equal(await raw.call("CLIENT", "SETNAME", "\x7f"), bad);
    assert.equal(await raw.call("CLIENT", "SETNAME", "\xe9"), bad);
    assert.equal(await raw.call("CLIENT", "SETNAME", "~!{}"), "+OK\r\n");
    assert.equal(await raw.call("CLIENT", "GETNAME"), "$4\r\n~!{}\r\n");
    assert.equal(await raw.call("CLIENT", "SETNAME", ""), "+OK\r\n");
    assert.equal(await raw.call("CLIENT", "GETNAME"), "$-1\r\n");
  });
  await t.step("arity and unknown subcommands", async () => {
    const raw = await s.raw();
    assert.equal(
      await raw.call("CLIENT"),
      "-ERR wrong number of arguments for 'client' command\r\n",
    );
    assert.equal(
      await raw.call("CLIENT", "nosuch"),
      "-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n",
    );
    assert.equal(
      await raw.call("CLIENT", "ID", "x"),
      "-ERR wrong number of arguments for 'client|id' command\r\n",
    );
    assert.equal(
      await raw.call("CLIENT", "SETNAME"),
      "-ERR wrong number of arguments for 'client|setname' command\r\n",
    );
    assert.equal(
      await raw.call("CLIENT", "GETNAME", "x"),
      "-ERR wrong number of arguments for 'client|getname' command\r\n",
    );
  });
});

Deno.test("CLIENT LIST and CLIENT INFO", async (t) => {
  await using s = await testServer();
  const a = await s.raw();
  const b = await s.raw();
  const idA = (await a.call("CLIENT", "ID")).slice(1, -2);
  const idB = (await b.call("CLIENT", "ID")).slice(1, -2);
  await t.step("every line has Redis 7.0.15's fields in order", async () => {
    const clients = parseClients(body(await a.call("CLIENT", "LIST")));
    assert.deepEqual(clients.map((c) => c.get("id")), [idA, idB]);
    for (const c of clients) assert.deepEqual([...c.keys()], CLIENT_LIST_FIELDS);
    const me = clients[0]!;
    assert.equal(me.get("cmd"), "client|list");
    assert.equal(me.get("argv-mem"), "10");
    assert.equal(me.get("flags"), "N");
    assert.equal(me.get("user"), "default");
    assert.equal(me.get("redir"), "-1");
    assert.equal(me.get("multi"), "-1");
    assert.equal(me.get("events"), "r");
    assert.match(me.get("laddr")!, new RegExp(`:${s.port}$`));
    assert.equal(clients[1]!.get("cmd"), "client|id");
  });
  await t.step("age and idle follow the clock", async () => {
    s.clock.advance(5000);
    await a.call("PING");
    const other = parseClients(body(await a.call("CLIENT", "LIST", "ID", idB)))[0]!;
    assert.equal(other.get("age"), "5");
    assert.equal(other.get("idle"), "5");
    assert.equal((await info(a)).get("idle"), "0");
  });
  await t.step("TYPE filters by client type", async () => {
    assert.deepEqual(await listIds(a, "TYPE", "normal"), [idA, idB]);
    assert.deepEqual(await listIds(a, "type", "PUBSUB"), []);
    assert.deepEqual(await listIds(a, "TYPE", "master"), []);
    assert.deepEqual(await listIds(a, "TYPE", "replica"), []);
    assert.deepEqual(await listIds(a, "TYPE", "slave"), []);
    assert.equal(await a.call("CLIENT", "LIST", "TYPE", "x"), "-ERR Unknown client type 'x'\r\n");
  });
  await t.step("ID lists the given clients in order, repeats included", async () => {
    assert.deepEqual(await listIds(a, "ID", idB, idA, idB, "999", "0", "-3"), [idB, idA, idB]);
    assert.equal(await a.call("CLIENT", "LIST", "ID", "999"), "$0\r\n\r\n");
    assert.equal(await a.call("CLIENT", "LIST", "ID", "x"), "-ERR Invalid client ID\r\n");
    assert.equal(
      await a.call("CLIENT", "LIST", "ID", "1", "TYPE", "normal"),
      "-ERR Invalid client ID\r\n",
    );
  });
  await t.step("malformed filters are syntax errors", async () => {
    for (const args of [["x"], ["TYPE"], ["ID"], ["TYPE", "normal", "x"]]) {
      assert.equal(await a.call("CLIENT", "LIST", ...args), "-ERR syntax error\r\n");
    }
  });
  await t.step("CLIENT INFO is this connection's line; RESP3 makes both verbatim", async () => {
    const reply = await b.call("CLIENT", "INFO");
    assert.match(reply, new RegExp(`^\\$\\d+\\r\\nid=${idB} .* resp=2\\n\\r\\n$`));
    await b.call("HELLO", "3");
    const v = await b.call("CLIENT", "INFO");
    assert.match(v, /^=\d+\r\ntxt:id=\d+ .* cmd=client\|info .* resp=3\n\r\n$/);
    assert.match(await b.call("CLIENT", "LIST"), /^=\d+\r\ntxt:id=/);
    assert.equal(
      await b.call("CLIENT", "INFO", "x"),
      "-ERR wrong number of arguments for 'client|info' command\r\n",
    );
  });
  await t.step("NO-EVICT sets the e flag", async () => {
    assert.equal(await a.call("CLIENT", "NO-EVICT", "ON"), "+OK\r\n");
    assert.equal((await info(a)).get("flags"), "e");
    assert.equal(await a.call("CLIENT", "NO-EVICT", "off"), "+OK\r\n");
    assert.equal((await info(a)).get("flags"), "N");
    assert.equal(await a.call("CLIENT", "NO-EVICT", "maybe"), "-ERR syntax error\r\n");
  });
});

Deno.test("CLIENT KILL", async (t) => {
  await using s = await testServer();
  const me = await s.raw();
  await t.step("ID kills that client and counts it", async () => {
    const victim = await s.raw();
    const id = (await info(victim)).get("id")!;
    assert.equal(await me.call("CLIENT", "KILL", "ID", id), ":1\r\n");
    assert.equal(await victim.readToEnd(), "");
    assert.ok(!(await listIds(me)).includes(id), "a killed client leaves CLIENT LIST at once");
    assert.equal(await me.call("CLIENT", "KILL", "ID", id), ":0\r\n");
  });
  await t.step("the old ip:port form replies OK or No such client", async () => {
    const victim = await s.raw();
    const addr = (await info(victim)).get("addr")!;
    assert.equal(await me.call("CLIENT", "KILL", addr), "+OK\r\n");
    assert.equal(await victim.readToEnd(), "");
    assert.equal(await me.call("CLIENT", "KILL", addr), "-ERR No such client\r\n");
    assert.equal(await me.call("CLIENT", "KILL", "ID"), "-ERR No such client\r\n");
  });
  await t.step("ADDR kills by remote address", async () => {
    const victim = await s.raw();
    const addr = (await info(victim)).get("addr")!;
    assert.equal(await me.call("CLIENT", "KILL", "ADDR", addr), ":1\r\n");
    assert.equal(await victim.readToEnd(), "");
    assert.equal(await me.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5"), ":0\r\n");
  });
  await t.step("LADDR, USER and TYPE kill everyone matching but the caller", async () => {
    const laddr = (await info(me)).get("laddr")!;
    for (const filter of [["LADDR", laddr], ["USER", "default"], ["TYPE", "normal"]]) {
      const v1 = await s.raw();
      const v2 = await s.raw();
      await v1.call("PING");
      await v2.call("PING");
      assert.equal(await me.call("CLIENT", "KILL", ...filter), ":2\r\n", filter.join(" "));
      assert.equal(await v1.readToEnd(), "");
      assert.equal(await v2.readToEnd(), "");
      assert.equal(await me.call("PING"), "+PONG\r\n");
    }
    assert.equal(await me.call("CLIENT", "KILL", "TYPE", "pubsub"), ":0\r\n");
    assert.equal(await me.call("CLIENT", "KILL", "LADDR", "x"), ":0\r\n");
  });
  await t.step("filters combine", async () => {
    const victim = await s.raw();
    const id = (await info(victim)).get("id")!;
    assert.equal(await me.call("CLIENT", "KILL", "ID", id, "TYPE", "pubsub"), ":0\r\n");
    assert.equal(
      await me.call("CLIENT", "KILL", "ID", id, "USER", "default", "TYPE", "normal"),
      ":1\r\n",
    );
    assert.equal(await victim.readToEnd(), "");
  });
  await t.step("killing yourself still delivers the reply", async () => {
    const self = await s.raw();
    const fields = await info(self);
    await self.write(
      "*6\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n" +
        `$${fields.get("id")!.length}\r\n${fields.get("id")}\r\n$6\r\nSKIPME\r\n$2\r\nno\r\n` +
        "*1\r\n$4\r\nPING\r\n",
    );
    assert.equal(await self.readToEnd(), ":1\r\n");
    const old = await s.raw();
    const addr = (await info(old)).get("addr")!;
    await old.write(`*3\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$${addr.length}\r\n${addr}\r\n`);
    assert.equal(await old.readToEnd(), "+OK\r\n");
  });
  await t.step("SKIPME yes spares the caller", async () => {
    const id = (await info(me)).get("id")!;
    assert.equal(await me.call("CLIENT", "KILL", "ID", id), ":0\r\n");
    assert.equal(await me.call("CLIENT", "KILL", "ID", id, "SKIPME", "YES"), ":0\r\n");
  });
  await t.step("errors", async () => {
    const cases: [string[], string][] = [
      [[], "-ERR wrong number of arguments for 'client|kill' command\r\n"],
      [["ID", "abc"], "-ERR client-id should be greater than 0\r\n"],
      [["ID", "0"], "-ERR client-id should be greater than 0\r\n"],
      [["ID", "-1"], "-ERR client-id should be greater than 0\r\n"],
      [["ID", "1", "x"], "-ERR syntax error\r\n"],
      [["foo", "bar"], "-ERR syntax error\r\n"],
      [["MAXAGE", "5"], "-ERR syntax error\r\n"],
      [["SKIPME", "maybe"], "-ERR syntax error\r\n"],
      [["TYPE", "foo"], "-ERR Unknown client type 'foo'\r\n"],
      [["TYPE", "foo", "ID", "abc"], "-ERR Unknown client type 'foo'\r\n"],
      [["USER", "nobody"], "-ERR No such user 'nobody'\r\n"],
      [["USER", "a\nb"], "-ERR No such user 'a b'\r\n"],
    ];
    for (const [args, expected] of cases) {
      assert.equal(await me.call("CLIENT", "KILL", ...args), expected, args.join(" "));
    }
  });
});

Deno.test("CLIENT REPLY", async (t) => {
  await using s = await testServer();
  await t.step("OFF silences replies until ON, which replies OK", async () => {
    const raw = await s.raw();
    await raw.write(
      "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n" +
        "*2\r\n$4\r\nPING\r\n$1\r\n1\r\n*1\r\n$3\r\nfoo\r\n" +
        "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*2\r\n$4\r\nPING\r\n$1\r\n2\r\n",
    );
    assert.equal(await raw.call("CLIENT", "REPLY", "ON"), "+OK\r\n");
    assert.equal(await raw.call("PING", "3"), "$1\r\n3\r\n");
  });
  await t.step("SKIP drops the next reply only", async () => {
    const raw = await s.raw();
    await raw.write(
      "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*2\r\n$4\r\nPING\r\n$1\r\n1\r\n",
    );
    assert.equal(await raw.call("PING", "2"), "$1\r\n2\r\n");
  });
  await t.step("SKIP while skipping skips the following command too", async () => {
    const raw = await s.raw();
    const skip = "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n";
    await raw.write(skip + skip + "*2\r\n$4\r\nPING\r\n$1\r\n1\r\n");
    assert.equal(await raw.call("PING", "2"), "$1\r\n2\r\n");
  });
  await t.step("ON right after SKIP is answered", async () => {
    const raw = await s.raw();
    await raw.write("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n");
    assert.equal(await raw.call("CLIENT", "REPLY", "ON"), "+OK\r\n");
    assert.equal(await raw.call("PING", "1"), "$1\r\n1\r\n");
  });
  await t.step("RESET turns replies back on but not for a skipped RESET", async () => {
    const raw = await s.raw();
    await raw.write("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n");
    assert.equal(await raw.call("RESET"), "+RESET\r\n");
    await raw.write("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*1\r\n$5\r\nRESET\r\n");
    assert.equal(await raw.call("PING"), "+PONG\r\n");
  });
  await t.step("bad modes", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("CLIENT", "REPLY", "maybe"), "-ERR syntax error\r\n");
    assert.equal(
      await raw.call("CLIENT", "REPLY"),
      "-ERR wrong number of arguments for 'client|reply' command\r\n",
    );
  });
});

Deno.test("CLIENT HELP lists the subcommands byte for byte", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  const reply = await raw.call("CLIENT", "HELP");
  assert.ok(
    reply.startsWith("*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
  );
  assert.ok(reply.includes("+KILL <option> <value> [<option> <value> [...]]\r\n"));
  assert.ok(reply.endsWith("+HELP\r\n+    Prints this help.\r\n"));
  assert.equal(
    await raw.call("CLIENT", "HELP", "x"),
    "-ERR wrong number of arguments for 'client|help' command\r\n",
  );
});

Deno.test("node-redis connects, sets, gets and quits", async () => {
  await using t = await testServer();
  const client = createClient({ url: t.server.url });
  client.on("error", () => {});
  await client.connect();
  try {
    assert.equal(await client.ping(), "PONG");
    assert.equal(await client.sendCommand(["CLIENT", "SETNAME", "nr"]), "OK");
    assert.equal(await client.sendCommand(["CLIENT", "GETNAME"]), "nr");
    assert.equal(await client.set("k", "v"), "OK");
    assert.equal(await client.get("k"), "v");
  } finally {
    await client.quit();
  }
});
