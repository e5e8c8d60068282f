import assert from "node:assert/strict";
import { CLIENT_LIST_FIELDS } from "./support/clients.ts";
import { type RawClient, testServer } from "./support/server.ts";
import { INFO_SECTIONS, selectSections } from "../src/info.ts";

/** The text of a bulk or verbatim reply. */
function text(reply: string): string {
  const body = reply.slice(reply.indexOf("\r\n") + 2, -2);
  return reply[0] === "=" ? body.slice(4) : body;
}

/** INFO fields as a map. */
function fields(reply: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text(reply).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

/** CLIENT INFO fields as a map. */
function clientFields(reply: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of text(reply).trimEnd().split(" ")) {
    const eq = f.indexOf("=");
    out.set(f.slice(0, eq), f.slice(eq + 1));
  }
  return out;
}

function headers(reply: string): string[] {
  return text(reply).split("\r\n").filter((l) => l.startsWith("# "));
}

Deno.test("INFO section selection", async (t) => {
  await t.step(
    "no argument and default print every section but commandstats and latencystats",
    () => {
      const expected = INFO_SECTIONS.filter((s) => s !== "commandstats" && s !== "latencystats");
      assert.deepEqual([...selectSections([])], expected);
      assert.deepEqual([...selectSections(["DeFault"])], expected);
    },
  );
  await t.step("all and everything print every section", () => {
    assert.equal(selectSections(["all"]).size, INFO_SECTIONS.length);
    assert.equal(selectSections(["EVERYTHING"]).size, INFO_SECTIONS.length);
  });
  await t.step("module_list names the modules section; unknown names select nothing", () => {
    assert.deepEqual([...selectSections(["module_list"])], ["modules"]);
    assert.equal(selectSections(["nosuch"]).size, 0);
  });
});

Deno.test("INFO prints sections in Redis's order whatever the argument order", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  const reply = await raw.call("INFO", "keyspace", "cpu", "SERVER", "server");
  assert.deepEqual(headers(reply), ["# Server", "# CPU", "# Keyspace"]);
  assert.deepEqual(headers(await raw.call("INFO", "all")), [
    "# Server",
    "# Clients",
    "# Memory",
    "# Persistence",
    "# Stats",
    "# Replication",
    "# CPU",
    "# Modules",
    "# Commandstats",
    "# Errorstats",
    "# Latencystats",
    "# Cluster",
    "# Keyspace",
  ]);
  assert.equal(await raw.call("INFO", "nosuch"), "$0\r\n\r\n");
});

Deno.test("CONFIG RESETSTAT resets the statistics INFO counts", async () => {
  await using t = await testServer();
  const raw = await t.raw();
  await raw.call("SET", "a", "1");
  await raw.call("GET", "a");
  await raw.call("GET", "nosuch");
  await raw.call("LPUSH", "a", "x");
  await raw.call("NOSUCH");
  const before = fields(await raw.call("INFO", "all"));
  assert.equal(before.get("keyspace_hits"), "1");
  assert.equal(before.get("keyspace_misses"), "1");
  assert.equal(before.get("total_error_replies"), "2");
  assert.equal(before.get("errorstat_WRONGTYPE"), "count=1");
  assert.ok(before.has("cmdstat_get"));
  assert.equal(await raw.call("CONFIG", "RESETSTAT"), "+OK\r\n");
  const after = fields(await raw.call("INFO", "all"));
  for (
    const name of [
      "keyspace_hits",
      "keyspace_misses",
      "total_error_replies",
      "total_connections_received",
      "expired_keys",
      "evicted_keys",
      "rejected_connections",
    ]
  ) {
    assert.equal(after.get(name), "0", name);
  }
  // The reset itself is the one command counted before INFO runs; the
  // bytes are INFO's request and the reset's +OK, one read and one write.
  assert.equal(after.get("total_commands_processed"), "1");
  assert.equal(
    after.get("total_net_input_bytes"),
    String("*2\r\n$4\r\nINFO\r\n$3\r\nall\r\n".length),
  );
  assert.equal(after.get("total_net_output_bytes"), "5");
  assert.equal(after.get("total_reads_processed"), "1");
  assert.equal(after.get("total_writes_processed"), "1");
  assert.ok(!after.has("cmdstat_get"));
  assert.ok(!after.has("errorstat_WRONGTYPE"));
  assert.match(after.get("cmdstat_config|resetstat") ?? "", /^calls=1,usec=\d+,/);
  // The keyspace is no statistic.
  assert.equal(after.get("db0"), "keys=1,expires=0,avg_ttl=0");
});

Deno.test("CLIENT INFO fields and figures", async (t) => {
  await using server = await testServer();

  await t.step("every field, in Redis 7.0.15's order", async () => {
    const raw = await server.raw();
    const info = clientFields(await raw.call("CLIENT", "INFO"));
    assert.deepEqual([...info.keys()], CLIENT_LIST_FIELDS);
  });

  await t.step("a fresh client's buffers: the command read, its arguments, no output", async () => {
    const raw = await server.raw();
    const info = clientFields(await raw.call("CLIENT", "INFO"));
    // *2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n
    assert.equal(info.get("qbuf"), "26");
    assert.equal(info.get("argv-mem"), "10");
    assert.equal(info.get("multi-mem"), "0");
    assert.equal(info.get("obl"), "0");
    assert.equal(info.get("oll"), "0");
    assert.equal(info.get("omem"), "0");
    assert.equal(info.get("events"), "r");
    assert.equal(info.get("fd"), "-1");
    assert.equal(info.get("cmd"), "client|info");
    const qbufFree = Number(info.get("qbuf-free"));
    const rbs = Number(info.get("rbs"));
    assert.ok(qbufFree > 0 && rbs > 0);
    assert.equal(Number(info.get("tot-mem")), 26 + qbufFree + 10 + rbs);
  });

  await t.step("pipelined commands: the whole read is held, earlier replies wait", async () => {
    const raw = await server.raw();
    await raw.write("*1\r\n$4\r\nPING\r\n*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n");
    assert.equal(await raw.reply(), "+PONG\r\n");
    const info = clientFields(await raw.reply());
    assert.equal(info.get("qbuf"), String(14 + 26));
    assert.equal(info.get("obl"), "7");
  });

  await t.step("output past 16 KiB counts as the reply list", async () => {
    const raw = await server.raw();
    await raw.call("SET", "big", "x".repeat(20000));
    await raw.write("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n");
    await raw.reply();
    const info = clientFields(await raw.reply());
    const held = 20000 + "$20000\r\n\r\n".length;
    assert.equal(info.get("obl"), String(16384));
    assert.equal(info.get("omem"), String(held - 16384));
    assert.equal(info.get("oll"), "1");
    assert.ok(Number(info.get("rbp")) >= 0);
  });

  await t.step("a blocked client holds its command's arguments, not its input", async () => {
    const other: RawClient = await server.raw();
    const id = (await other.call("CLIENT", "ID")).slice(1, -2);
    await other.write("*3\r\n$5\r\nBLPOP\r\n$2\r\nbl\r\n$1\r\n0\r\n");
    const me = await server.raw();
    let info = clientFields(await me.call("CLIENT", "LIST", "ID", id));
    for (let i = 0; i < 100 && info.get("flags") !== "b"; i++) {
      await new Promise((r) => setTimeout(r, 5));
      info = clientFields(await me.call("CLIENT", "LIST", "ID", id));
    }
    assert.equal(info.get("flags"), "b");
    assert.equal(info.get("cmd"), "blpop");
    assert.equal(info.get("argv-mem"), String(5 + 2 + 1));
    assert.equal(info.get("qbuf"), "0");
    await me.call("LPUSH", "bl", "x");
    assert.equal(await other.reply(), "*2\r\n$2\r\nbl\r\n$1\r\nx\r\n");
    info = clientFields(await me.call("CLIENT", "LIST", "ID", id));
    assert.equal(info.get("argv-mem"), "0");
    assert.equal(info.get("flags"), "N");
  });

  await t.step("another client's MULTI queue: multi, multi-mem and flag x", async () => {
    const other: RawClient = await server.raw();
    const id = (await other.call("CLIENT", "ID")).slice(1, -2);
    await other.call("MULTI");
    await other.call("SET", "a", "b");
    const me = await server.raw();
    const info = clientFields(await me.call("CLIENT", "LIST", "ID", id));
    assert.equal(info.get("multi"), "1");
    assert.equal(info.get("flags"), "x");
    // SET a b: 5 bytes of arguments and a pointer each.
    assert.equal(info.get("multi-mem"), String(5 + 3 * 8));
    assert.equal(info.get("qbuf"), "0");
    assert.equal(info.get("argv-mem"), "0");
    assert.equal(info.get("cmd"), "set");
  });
});
