import assert from "node:assert/strict";
import {
  hasRedisServer,
  ManualClock,
  RawClient,
  startRealRedis,
  testServer,
} from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import { findKeys } from "../../src/commands/keys.ts";
import type { CommandSpec, KeySpec } from "../../src/commands/spec.ts";
import { infoText, selectSections } from "../../src/info.ts";
import type { Reply } from "../../src/resp/reply.ts";

const REAL = hasRedisServer();

/** Parses INFO text into sections of ordered [field, value] pairs. */
function parseInfo(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) {
      current = [];
      sections.set(line.slice(2), current);
    } else if (line !== "") {
      const colon = line.indexOf(":");
      current!.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return sections;
}

function field(text: string, name: string): string | undefined {
  for (const fields of parseInfo(text).values()) {
    for (const [k, v] of fields) if (k === name) return v;
  }
  return undefined;
}

function callEngine(engine: Engine, argv: string[]): Reply {
  const reply = engine.call(engine.connect(), argv);
  assert.ok(!(reply instanceof Promise));
  return reply;
}

Deno.test("INFO", async (t) => {
  await using s = await testServer({ clock: new ManualClock(1_700_000_000_000) });

  await t.step("ioredis passes its ready check, which reads loading:0 from INFO", async () => {
    const redis = await s.redis({ enableReadyCheck: true });
    assert.equal(redis.status, "ready");
    assert.equal(field(await redis.info("persistence"), "loading"), "0");
  });

  await t.step("no section means the default ones, in Redis's order", async () => {
    const redis = await s.redis();
    assert.deepEqual([...parseInfo(await redis.info()).keys()], [
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "CPU",
      "Modules",
      "Errorstats",
      "Cluster",
      "Keyspace",
    ]);
  });

  await t.step("all and everything add commandstats and latencystats", async () => {
    const redis = await s.redis();
    for (const arg of ["all", "EVERYTHING"]) {
      const names = [...parseInfo(String(await redis.call("INFO", arg))).keys()];
      assert.deepEqual(names.slice(7, 11), [
        "Modules",
        "Commandstats",
        "Errorstats",
        "Latencystats",
      ]);
      assert.equal(names.length, 13);
    }
  });

  await t.step("sections print in Redis's order whatever the argument order", async () => {
    const redis = await s.redis();
    const text = String(await redis.call("INFO", "keyspace", "SERVER", "server", "nosuch"));
    assert.deepEqual([...parseInfo(text).keys()], ["Server", "Keyspace"]);
  });

  await t.step("an unknown section gives an empty bulk string", async () => {
    const raw = await s.raw();
    assert.equal(await raw.call("INFO", "nosuch"), "$0\r\n\r\n");
  });

  await t.step("RESP3 sends INFO as a verbatim string", async () => {
    const raw = await s.raw();
    await raw.call("HELLO", "3");
    assert.equal(
      await raw.call("INFO", "cluster"),
      "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n",
    );
  });

  await t.step("server: version, port, uptime and time come from the clock", async () => {
    const redis = await s.redis();
    const before = await redis.info("server");
    assert.equal(field(before, "redis_version"), "7.0.15");
    assert.equal(field(before, "redis_mode"), "standalone");
    assert.equal(field(before, "tcp_port"), String(s.port));
    assert.equal(field(before, "run_id"), s.server.engine.runId);
    assert.equal(field(before, "process_id"), String(Deno.pid));
    assert.equal(field(before, "hz"), "10");
    const uptime = Number(field(before, "uptime_in_seconds"));
    s.clock.advance(90_000);
    const after = await redis.info("server");
    assert.equal(Number(field(after, "uptime_in_seconds")), uptime + 90);
    assert.equal(field(after, "server_time_usec"), String(s.clock.now() * 1000));
    assert.equal(field(after, "lru_clock"), String(Math.floor(s.clock.now() / 1000) & 0xffffff));
  });

  await t.step("clients: connected_clients counts the connections", async () => {
    const redis = await s.redis();
    const n = Number(field(await redis.info("clients"), "connected_clients"));
    assert.equal(n, s.server.engine.clients.size);
    const extra = await s.raw();
    await extra.call("PING");
    assert.equal(Number(field(await redis.info("clients"), "connected_clients")), n + 1);
    assert.equal(field(await redis.info("clients"), "maxclients"), "10000");
  });

  await t.step("memory: used_memory and rss are real, with human forms", async () => {
    const redis = await s.redis();
    const text = await redis.info("memory");
    assert.ok(Number(field(text, "used_memory")) > 0);
    assert.ok(Number(field(text, "used_memory_rss")) > 0);
    assert.match(field(text, "used_memory_human")!, /^\d+\.\d\dM$/);
    assert.ok(Number(field(text, "used_memory_peak")) >= Number(field(text, "used_memory")));
    assert.equal(field(text, "maxmemory_policy"), "noeviction");
  });

  await t.step("persistence: rdb_changes_since_last_save counts writes", async () => {
    const redis = await s.redis();
    const engine = s.server.engine;
    const before = Number(field(await redis.info("persistence"), "rdb_changes_since_last_save"));
    engine.db(5).set("a", "1");
    engine.db(5).set("b", "1");
    await redis.call("FLUSHALL");
    const after = Number(field(await redis.info("persistence"), "rdb_changes_since_last_save"));
    // The two sets (the keyspace counts its own changes) and the two keys FLUSHALL removed.
    assert.equal(after, before + 4);
    assert.equal(field(await redis.info("persistence"), "aof_enabled"), "0");
  });

  await t.step("stats: commands, connections and error replies are counted", async () => {
    const redis = await s.redis();
    const a = await redis.info("stats");
    await redis.call("DBSIZE");
    const b = await redis.info("stats");
    assert.equal(
      Number(field(b, "total_commands_processed")),
      Number(field(a, "total_commands_processed")) + 2,
    );
    await assert.rejects(redis.call("SWAPDB", "x", "0"));
    const c = await redis.info("stats");
    assert.equal(
      Number(field(c, "total_error_replies")),
      Number(field(b, "total_error_replies")) + 1,
    );
    assert.ok(Number(field(c, "total_connections_received")) >= 1);
    assert.match(field(c, "instantaneous_input_kbps")!, /^\d+\.\d\d$/);
  });

  await t.step("replication and cluster report an idle standalone master", async () => {
    const redis = await s.redis();
    const text = String(await redis.call("INFO", "replication", "cluster"));
    assert.equal(field(text, "role"), "master");
    assert.equal(field(text, "connected_slaves"), "0");
    assert.match(field(text, "master_replid")!, /^[0-9a-f]{40}$/);
    assert.equal(field(text, "cluster_enabled"), "0");
  });

  await t.step("cpu: figures from the host, six decimals", async () => {
    const redis = await s.redis();
    const text = await redis.info("cpu");
    for (const name of ["used_cpu_sys", "used_cpu_user", "used_cpu_user_main_thread"]) {
      assert.match(field(text, name)!, /^\d+\.\d{6}$/);
    }
  });

  await t.step("commandstats: calls, rejected and failed calls per command", async () => {
    const redis = await s.redis();
    await redis.call("CONFIG", "RESETSTAT");
    await redis.call("DBSIZE");
    await redis.call("DBSIZE");
    await assert.rejects(redis.call("DBSIZE", "x"));
    await assert.rejects(redis.call("SWAPDB", "0", "99"));
    const text = String(await redis.call("INFO", "commandstats"));
    assert.match(
      text,
      /\r\ncmdstat_dbsize:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n/,
    );
    assert.match(
      text,
      /\r\ncmdstat_swapdb:calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=1\r\n/,
    );
    assert.match(text, /\r\ncmdstat_config\|resetstat:calls=1,/);
  });

  await t.step("errorstats: one line per error code, sorted", async () => {
    const redis = await s.redis();
    await redis.call("CONFIG", "RESETSTAT");
    await assert.rejects(redis.call("NOSUCH"));
    await assert.rejects(redis.call("NOSUCH"));
    const raw = await s.raw();
    await raw.call("CONFIG", "SET", "requirepass", "pw");
    const other = await s.raw();
    assert.match(await other.call("DBSIZE"), /^-NOAUTH/);
    await raw.call("CONFIG", "SET", "requirepass", "");
    assert.equal(
      String(await redis.call("INFO", "errorstats")),
      "# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_NOAUTH:count=1\r\n",
    );
  });

  await t.step("keyspace: keys, expires and avg_ttl per non-empty database", async () => {
    const redis = await s.redis();
    await redis.call("FLUSHALL");
    const engine = s.server.engine;
    engine.db(0).set("a", "1");
    engine.db(0).set("b", "1");
    engine.db(0).setExpire("b", s.clock.now() + 10_000);
    engine.db(0).set("c", "1");
    engine.db(0).setExpire("c", s.clock.now() + 20_000);
    engine.db(2).set("x", "1");
    assert.equal(
      String(await redis.call("INFO", "keyspace")),
      "# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=15000\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n",
    );
    s.clock.advance(5_000);
    assert.match(
      String(await redis.call("INFO", "keyspace")),
      /db0:keys=3,expires=2,avg_ttl=10000\r\n/,
    );
    await redis.call("FLUSHALL");
  });
});

Deno.test({
  name: "INFO prints the same field names as redis-server in the same order",
  ignore: !REAL,
  async fn() {
    await using real = await startRealRedis();
    await using s = await testServer();
    const theirs = await RawClient.connect(real.port);
    try {
      const sections = "server clients memory persistence stats replication cpu cluster".split(" ");
      const body = (reply: string) => reply.slice(reply.indexOf("\r\n") + 2, -2);
      const ourRaw = await s.raw();
      const ours = parseInfo(body(await ourRaw.call("INFO", ...sections)));
      const real2 = parseInfo(body(await theirs.call("INFO", ...sections)));
      assert.deepEqual([...ours.keys()], [...real2.keys()]);
      for (const [name, fields] of real2) {
        assert.deepEqual(ours.get(name)!.map(([k]) => k), fields.map(([k]) => k), name);
      }
    } finally {
      theirs.close();
    }
  },
});

Deno.test("INFO section selection and text in-process", () => {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    assert.deepEqual([...selectSections(["Default"])].includes("commandstats"), false);
    assert.equal(selectSections(["all", "server"]).size, 13);
    assert.equal(infoText(engine, selectSections(["nosuch"])), "");
    assert.equal(
      infoText(engine, selectSections(["modules", "cluster"])),
      "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n",
    );
  } finally {
    engine.close();
  }
});

Deno.test("CONFIG GET", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("an exact name answers with the name as given", async () => {
    assert.equal(await raw.call("CONFIG", "GET", "HZ"), "*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n");
  });

  await t.step("names repeated in any case are answered once", async () => {
    assert.equal(
      await raw.call("CONFIG", "GET", "hz", "Hz", "h?"),
      "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n",
    );
  });

  await t.step("patterns match case-insensitively", async () => {
    assert.equal(
      await raw.call("CONFIG", "GET", "PROTO-MAX-*"),
      "*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n",
    );
    const redis = await s.redis();
    const all = await redis.call("CONFIG", "GET", "*") as string[];
    assert.ok(all.length >= 20 && all.length % 2 === 0);
    assert.equal(all[all.indexOf("port") + 1], String(s.port));
  });

  await t.step("unknown names and non-matching patterns give an empty map", async () => {
    assert.equal(await raw.call("CONFIG", "GET", "nosuch", "nosuch*"), "*0\r\n");
  });

  await t.step("RESP3 answers a map", async () => {
    const r3 = await s.raw();
    await r3.call("HELLO", "3");
    assert.equal(await r3.call("CONFIG", "GET", "hz"), "%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  });

  await t.step("arity and subcommand errors", async () => {
    assert.equal(
      await raw.call("CONFIG", "GET"),
      "-ERR wrong number of arguments for 'config|get' command\r\n",
    );
    assert.equal(
      await raw.call("CONFIG"),
      "-ERR wrong number of arguments for 'config' command\r\n",
    );
    assert.equal(
      await raw.call("CONFIG", "REWRITE"),
      "-ERR The server is running without a config file\r\n",
    );
  });
});

Deno.test("CONFIG SET", async (t) => {
  const logs: string[] = [];
  await using s = await testServer({ log: (level, message) => logs.push(`${level}:${message}`) });
  const raw = await s.raw();
  const config = s.server.engine.config;
  const failed = (name: string, detail: string) =>
    `-ERR CONFIG SET failed (possibly related to argument '${name}') - ${detail}\r\n`;

  await t.step("sets several parameters and normalises their values", async () => {
    assert.equal(
      await raw.call(
        "CONFIG",
        "SET",
        "hz",
        "1000",
        "LOGLEVEL",
        "Warning",
        "proto-max-bulk-len",
        "2mb",
      ),
      "+OK\r\n",
    );
    assert.equal(config.get("hz"), "500");
    assert.equal(config.get("loglevel"), "warning");
    assert.equal(config.get("proto-max-bulk-len"), "2097152");
    assert.equal(await raw.call("CONFIG", "SET", "hz", "0"), "+OK\r\n");
    assert.equal(config.get("hz"), "1");
    await raw.call(
      "CONFIG",
      "SET",
      "hz",
      "10",
      "loglevel",
      "notice",
      "proto-max-bulk-len",
      "512mb",
    );
  });

  await t.step("validates every pair before applying any", async () => {
    assert.equal(
      await raw.call("CONFIG", "SET", "hz", "20", "loglevel", "loud"),
      failed(
        "loglevel",
        "argument(s) must be one of the following: debug, verbose, notice, warning",
      ),
    );
    assert.equal(config.get("hz"), "10");
  });

  await t.step("reports Redis's errors", async () => {
    const cases: [string[], string][] = [
      [["hz", "10", "maxclients"], "-ERR syntax error\r\n"],
      [["nosuch", "1"], "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"],
      [
        ["hz", "x", "nosuch", "1"],
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
      ],
      [["hz", "5", "HZ", "6"], failed("HZ", "duplicate parameter")],
      [["databases", "2"], failed("databases", "can't set immutable config")],
      [["port", "1"], failed("port", "Unable to listen on this port. Check server logs.")],
      [["dir", "/tmp"], failed("dir", "can't set protected config")],
      [["hz", "x", "databases", "2"], failed("databases", "can't set immutable config")],
      [["hz", "05"], failed("hz", "argument couldn't be parsed into an integer")],
      [["hz", "99999999999999999999"], failed("hz", "argument couldn't be parsed into an integer")],
      [["hz", "-1"], failed("hz", "argument must be between 0 and 2147483647 inclusive")],
      [
        ["maxclients", "0"],
        failed("maxclients", "argument must be between 1 and 4294967295 inclusive"),
      ],
      [
        ["proto-max-bulk-len", "-1"],
        failed("proto-max-bulk-len", "argument must be a memory value"),
      ],
      [
        ["proto-max-bulk-len", "1kb"],
        failed(
          "proto-max-bulk-len",
          "argument must be between 1048576 and 9223372036854775807 inclusive",
        ),
      ],
    ];
    for (const [pairs, expected] of cases) {
      assert.equal(await raw.call("CONFIG", "SET", ...pairs), expected, pairs.join(" "));
    }
    assert.equal(config.get("hz"), "10");
  });

  await t.step("a yes/no parameter accepts only yes or no", () => {
    const engine = new Engine({
      clock: new ManualClock(0),
      params: [{ name: "test-flag", kind: { type: "bool" }, default: "no" }],
    });
    try {
      const client = engine.connect();
      assert.deepEqual(engine.call(client, ["CONFIG", "SET", "test-flag", "YES"]), {
        kind: "simple",
        value: "OK",
      });
      assert.equal(engine.config.get("test-flag"), "yes");
      assert.deepEqual(engine.call(client, ["CONFIG", "SET", "test-flag", "maybe"]), {
        kind: "error",
        message:
          "ERR CONFIG SET failed (possibly related to argument 'test-flag') - argument must be 'yes' or 'no'",
      });
    } finally {
      engine.close();
    }
  });

  await t.step("requirepass makes new connections authenticate", async () => {
    assert.equal(await raw.call("CONFIG", "SET", "requirepass", "pw"), "+OK\r\n");
    const other = await s.raw();
    assert.equal(await other.call("DBSIZE"), "-NOAUTH Authentication required.\r\n");
    assert.equal(await other.call("AUTH", "pw"), "+OK\r\n");
    assert.equal(await raw.call("DBSIZE"), ":0\r\n");
    assert.equal(await raw.call("CONFIG", "SET", "requirepass", ""), "+OK\r\n");
  });

  await t.step("proto-max-bulk-len limits the request decoder", async () => {
    await raw.call("CONFIG", "SET", "proto-max-bulk-len", "1mb");
    const other = await s.raw();
    await other.write("*2\r\n$4\r\nECHO\r\n$2000000\r\n");
    assert.equal(await other.readToEnd(), "-ERR Protocol error: invalid bulk length\r\n");
    await raw.call("CONFIG", "SET", "proto-max-bulk-len", "512mb");
  });

  await t.step("maxclients refuses connections beyond the limit", async () => {
    const n = s.server.engine.clients.size;
    await raw.call("CONFIG", "SET", "maxclients", String(n));
    const other = await s.raw();
    assert.equal(await other.readToEnd(), "-ERR max number of clients reached\r\n");
    await raw.call("CONFIG", "SET", "maxclients", "10000");
  });

  await t.step("timeout closes clients idle for longer", async () => {
    await raw.call("CONFIG", "SET", "timeout", "2");
    const idle = await s.raw();
    assert.equal(await idle.call("PING"), "+PONG\r\n");
    s.clock.advance(1_500);
    assert.equal(await idle.call("PING"), "+PONG\r\n");
    assert.equal(await raw.call("PING"), "+PONG\r\n");
    s.clock.advance(1_500);
    assert.equal(await raw.call("PING"), "+PONG\r\n");
    s.clock.advance(1_600);
    assert.equal(await idle.readToEnd(), "");
    assert.equal(await raw.call("PING"), "+PONG\r\n");
    await raw.call("CONFIG", "SET", "timeout", "0");
  });

  await t.step("loglevel filters the log", async () => {
    const engine = s.server.engine;
    await raw.call("CONFIG", "SET", "loglevel", "debug");
    engine.log("debug", "probe-1");
    await raw.call("CONFIG", "SET", "loglevel", "warning");
    engine.log("notice", "probe-2");
    assert.ok(logs.includes("debug:probe-1"));
    assert.ok(!logs.includes("notice:probe-2"));
    await raw.call("CONFIG", "SET", "loglevel", "notice");
  });

  await t.step("hz changes the cron rate", async () => {
    const engine = s.server.engine;
    const db = engine.db(9);
    const expireIn = async (ms: number) => {
      db.set("k", "v");
      db.setExpire("k", s.clock.now() + 5);
      s.clock.advance(ms);
      await raw.call("PING");
      return db.size;
    };
    // Align on a tick: at hz 10 each one takes an ops/sec sample.
    for (let i = 0; i < 200 && engine.stats.lastSample[0] !== s.clock.now(); i++) {
      s.clock.advance(1);
    }
    assert.equal(await expireIn(20), 1, "at hz 10 no cron runs within 20 ms");
    db.flush();
    await raw.call("CONFIG", "SET", "hz", "100");
    s.clock.advance(100);
    assert.equal(await expireIn(20), 0, "at hz 100 the cron expires the key within 20 ms");
    await raw.call("CONFIG", "SET", "hz", "10");
    s.clock.advance(100);
  });
});

Deno.test("CONFIG RESETSTAT and HELP", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();

  await t.step("RESETSTAT zeroes the statistics, counting itself", async () => {
    await raw.call("NOSUCH");
    await raw.call("DBSIZE");
    assert.equal(await raw.call("CONFIG", "RESETSTAT"), "+OK\r\n");
    const stats = s.server.engine.stats;
    assert.equal(stats.totalCommands, 1);
    assert.equal(stats.totalErrorReplies, 0);
    assert.equal(stats.errors.size, 0);
    assert.equal(stats.command("dbsize").calls, 0);
    assert.equal(stats.command("config|resetstat").calls, 1);
    assert.equal(
      await raw.call("CONFIG", "RESETSTAT", "x"),
      "-ERR wrong number of arguments for 'config|resetstat' command\r\n",
    );
  });

  await t.step("HELP lists the subcommands as simple strings", async () => {
    const reply = await raw.call("CONFIG", "HELP");
    assert.ok(
      reply.startsWith(
        "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
      ),
    );
    assert.ok(reply.endsWith("+HELP\r\n+    Prints this help.\r\n"));
  });
});

Deno.test("COMMAND", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const engine = s.server.engine;

  await t.step("COMMAND COUNT counts top-level commands", async () => {
    assert.equal(await raw.call("COMMAND", "COUNT"), `:${engine.commands.size}\r\n`);
  });

  await t.step("COMMAND lists every command", async () => {
    const redis = await s.redis();
    const all = await redis.call("COMMAND") as unknown[][];
    assert.equal(all.length, engine.commands.size);
    assert.ok(all.some((c) => c[0] === "swapdb"));
  });

  await t.step("COMMAND INFO describes a command as Redis does", async () => {
    assert.equal(
      await raw.call("COMMAND", "INFO", "dbsize"),
      "*1\r\n*10\r\n$6\r\ndbsize\r\n:1\r\n*2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n" +
        "*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" +
        "*2\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:agg_sum\r\n*0\r\n*0\r\n",
    );
  });

  await t.step("COMMAND INFO finds subcommands by full name, nil for unknown", async () => {
    assert.equal(
      await raw.call("COMMAND", "INFO", "nosuch", "config|x", "a|b|c"),
      "*3\r\n$-1\r\n$-1\r\n$-1\r\n",
    );
    const redis = await s.redis();
    const [config] = await redis.call("COMMAND", "INFO", "CONFIG") as unknown[][];
    const subs = (config![9] as unknown[][]).map((c) => c[0]).sort();
    assert.deepEqual(subs, [
      "config|get",
      "config|help",
      "config|resetstat",
      "config|rewrite",
      "config|set",
    ]);
    const [get] = await redis.call("COMMAND", "INFO", "Config|Get") as unknown[][];
    assert.equal(get![0], "config|get");
  });

  await t.step(
    "RESP3 uses sets for flags, categories, tips, key specs and no subcommands",
    async () => {
      const r3 = await s.raw();
      await r3.call("HELLO", "3");
      assert.equal(
        await r3.call("COMMAND", "INFO", "time", "nosuch"),
        "*2\r\n*10\r\n$4\r\ntime\r\n:1\r\n~3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n" +
          "~1\r\n+@fast\r\n~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n_\r\n",
      );
    },
  );

  await t.step("COMMAND DOCS maps names to their documentation", async () => {
    assert.equal(
      await raw.call("COMMAND", "DOCS", "TIME", "nosuch"),
      "*2\r\n$4\r\ntime\r\n*8\r\n$7\r\nsummary\r\n$30\r\nReturn the current server time\r\n" +
        "$5\r\nsince\r\n$5\r\n2.6.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n",
    );
    assert.equal(await raw.call("COMMAND", "DOCS", "nosuch"), "*0\r\n");
    const redis = await s.redis();
    const docs = await redis.call("COMMAND", "DOCS") as unknown[];
    assert.equal(docs.length, engine.commands.size * 2);
    const [, config] = await redis.call("COMMAND", "DOCS", "config") as [string, unknown[]];
    assert.equal(config[config.length - 2], "subcommands");
  });

  await t.step("COMMAND DOCS describes arguments as Redis does", async () => {
    assert.equal(
      await raw.call("COMMAND", "DOCS", "getdel"),
      "*2\r\n$6\r\ngetdel\r\n*10\r\n$7\r\nsummary\r\n$41\r\nGet the value of a key and delete the key\r\n" +
        "$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n" +
        "$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
        "$14\r\nkey_spec_index\r\n:0\r\n",
    );
    const r3 = await s.raw();
    await r3.call("HELLO", "3");
    const arg = (name: string, type: string, token: string) =>
      `%3\r\n$4\r\nname\r\n$${name.length}\r\n${name}\r\n$4\r\ntype\r\n$${type.length}\r\n${type}\r\n` +
      `$5\r\ntoken\r\n$${token.length}\r\n${token}\r\n`;
    assert.equal(
      await r3.call("COMMAND", "DOCS", "getex"),
      "%1\r\n$5\r\ngetex\r\n%5\r\n$7\r\nsummary\r\n$56\r\n" +
        "Get the value of a key and optionally set its expiration\r\n" +
        "$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n" +
        "$9\r\narguments\r\n*2\r\n" +
        "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
        "%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n" +
        "$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n" +
        arg("seconds", "integer", "EX") + arg("milliseconds", "integer", "PX") +
        arg("unix-time-seconds", "unix-time", "EXAT") +
        arg("unix-time-milliseconds", "unix-time", "PXAT") +
        arg("persist", "pure-token", "PERSIST"),
    );
  });

  await t.step("a command of the table without a handler is unknown", async () => {
    assert.equal(
      await raw.call("FAILOVER", "TO", "h"),
      "-ERR unknown command 'FAILOVER', with args beginning with: 'TO' 'h' \r\n",
    );
    assert.equal(
      await raw.call("COMMAND", "INFO", "failover", "acl|whoami"),
      "*2\r\n$-1\r\n$-1\r\n",
    );
    assert.equal(await raw.call("COMMAND", "DOCS", "failover", "acl|whoami"), "*0\r\n");
    assert.equal(await raw.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "failover"), "*0\r\n");
    assert.equal(
      await raw.call("COMMAND", "GETKEYS", "failover", "TO", "h"),
      "-ERR Invalid command specified\r\n",
    );
    assert.equal(
      await raw.call("ACL", "WHOAMI"),
      "-ERR unknown command 'ACL', with args beginning with: 'WHOAMI' \r\n",
    );
    const redis = await s.redis();
    const names = (await redis.call("COMMAND") as unknown[][]).map((c) => c[0]);
    assert.ok(!names.includes("failover") && names.includes("sadd"));
  });

  await t.step("COMMAND LIST lists commands and subcommands, with filters", async () => {
    const redis = await s.redis();
    const all = await redis.call("COMMAND", "LIST") as string[];
    assert.ok(all.includes("config") && all.includes("config|get") && all.includes("dbsize"));
    assert.deepEqual(await redis.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|[gs]et"), [
      "config|get",
      "config|set",
    ]);
    const admin = await redis.call("COMMAND", "LIST", "FILTERBY", "aclcat", "ADMIN") as string[];
    assert.ok(admin.includes("config|set") && admin.includes("shutdown"));
    assert.ok(!admin.includes("config") && !admin.includes("dbsize"));
    assert.deepEqual(await redis.call("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), []);
    for (
      const args of [["FILTERBY"], ["x"], ["FILTERBY", "x", "y"], ["FILTERBY", "PATTERN", "a", "b"]]
    ) {
      assert.equal(await raw.call("COMMAND", "LIST", ...args), "-ERR syntax error\r\n");
    }
  });

  await t.step("COMMAND GETKEYS errors as Redis does", async () => {
    assert.equal(
      await raw.call("COMMAND", "GETKEYS", "x"),
      "-ERR wrong number of arguments for 'command|getkeys' command\r\n",
    );
    assert.equal(
      await raw.call("COMMAND", "GETKEYS", "nosuch", "a"),
      "-ERR Invalid command specified\r\n",
    );
    assert.equal(
      await raw.call("COMMAND", "GETKEYS", "config", "nosuch"),
      "-ERR Invalid command specified\r\n",
    );
    assert.equal(
      await raw.call("COMMAND", "GETKEYS", "time", "a"),
      "-ERR The command has no key arguments\r\n",
    );
    assert.equal(
      await raw.call("COMMAND", "GETKEYSANDFLAGS", "config", "get", "a"),
      "-ERR The command has no key arguments\r\n",
    );
  });

  await t.step("COMMAND GETKEYSANDFLAGS: SET's key is read only with GET", async () => {
    assert.equal(
      await raw.call("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "xx"),
      "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n",
    );
    assert.equal(
      await raw.call("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "GeT"),
      "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n",
    );
  });

  await t.step("COMMAND HELP lists the subcommands", async () => {
    const reply = await raw.call("COMMAND", "HELP");
    assert.ok(
      reply.startsWith(
        "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
      ),
    );
  });
});

Deno.test("COMMAND GETKEYS finds keys from key specs", async (t) => {
  const spec = (keySpecs: readonly KeySpec[], arity = -2): CommandSpec => ({
    name: "x",
    arity,
    flags: [],
    acl: [],
    keys: [0, 0, 0],
    keySpecs,
    doc: { summary: "", since: "", group: "" },
  });
  const positions = (s: CommandSpec, argv: string[]) =>
    findKeys(s, argv)?.map((k) => k.pos) ?? null;

  await t.step("index and range, with a step and to the end", () => {
    const s = spec([{ flags: ["OW", "UPDATE"], begin: { index: 1 }, find: { range: [-1, 2, 0] } }]);
    assert.deepEqual(positions(s, ["mset", "a", "1", "b", "2"]), [1, 3]);
  });

  await t.step("a range with a limit divides the remaining arguments", () => {
    const s = spec([{ flags: ["RO"], begin: { index: 1 }, find: { range: [-1, 1, 2] } }]);
    assert.deepEqual(positions(s, ["x", "a", "b", "c", "d"]), [1, 2]);
  });

  await t.step("a keyword begins the search after it", () => {
    const s = spec([{
      flags: ["RO"],
      begin: { keyword: "STREAMS", startfrom: 1 },
      find: { range: [-1, 1, 2] },
    }]);
    assert.deepEqual(positions(s, ["xread", "count", "1", "streams", "a", "b", "0", "0"]), [4, 5]);
    assert.deepEqual(positions(s, ["xread", "count", "1"]), []);
  });

  await t.step("keynum reads the number of keys", () => {
    const s = spec([{ flags: ["RO"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }]);
    assert.deepEqual(positions(s, ["x", "2", "a", "b", "c"]), [2, 3]);
    assert.equal(positions(s, ["x", "5", "a"]), null);
    assert.equal(positions(s, ["x", "0", "a"]), null);
    assert.equal(positions(s, ["x", "n", "a"]), null);
  });

  await t.step("unknown specs cannot be followed; NOT_KEY specs are skipped", () => {
    assert.equal(
      positions(spec([{ flags: ["RO"], begin: { unknown: true }, find: { unknown: true } }]), [
        "x",
        "a",
      ]),
      null,
    );
    assert.deepEqual(
      positions(spec([{ flags: ["NOT_KEY"], begin: { index: 1 }, find: { range: [0, 1, 0] } }]), [
        "x",
        "a",
      ]),
      [],
    );
  });
});

Deno.test("ACL categories are the command table's, in Redis's order", () => {
  const engine = new Engine({ clock: new ManualClock() });
  try {
    const acl = (name: string) => {
      const [top, sub] = name.split("|");
      const cmd = engine.commands.lookup(top!)!;
      return (sub === undefined ? cmd : cmd.subcommands!.get(sub)!).spec.acl;
    };
    assert.deepEqual(acl("flushdb"), ["keyspace", "write", "slow", "dangerous"]);
    assert.deepEqual(acl("swapdb"), ["keyspace", "write", "fast", "dangerous"]);
    assert.deepEqual(acl("time"), ["fast"]);
    assert.deepEqual(acl("command"), ["slow", "connection"]);
    assert.deepEqual(acl("config|set"), ["admin", "slow", "dangerous"]);
  } finally {
    engine.close();
  }
});

Deno.test("TIME reads the server clock", async () => {
  await using s = await testServer({ clock: new ManualClock(1_700_000_000_123) });
  const raw = await s.raw();
  assert.equal(await raw.call("TIME"), "*2\r\n$10\r\n1700000000\r\n$6\r\n123000\r\n");
  s.clock.advance(1_000_000.5);
  assert.equal(await raw.call("TIME"), "*2\r\n$10\r\n1700001000\r\n$6\r\n123500\r\n");
  assert.equal(
    await raw.call("TIME", "x"),
    "-ERR wrong number of arguments for 'time' command\r\n",
  );
});

Deno.test("SHUTDOWN", async (t) => {
  await t.step("closes the server and every connection", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    const other = await s.raw();
    await raw.write("*1\r\n$8\r\nSHUTDOWN\r\n");
    await s.server.closed;
    assert.ok(s.server.engine.shutdownRequested);
    assert.equal(await raw.readToEnd(), "");
    assert.equal(await other.readToEnd(), "");
  });

  await t.step("NOSAVE, NOW and FORCE close it too", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    await raw.write("*4\r\n$8\r\nshutdown\r\n$6\r\nnosave\r\n$3\r\nnow\r\n$5\r\nforce\r\n");
    await s.server.closed;
    assert.equal(await raw.readToEnd(), "");
  });

  await t.step("SAVE fails (no snapshots yet), is logged and the server stays up", async () => {
    const logs: string[] = [];
    await using s = await testServer({ log: (_level, message) => logs.push(message) });
    const raw = await s.raw();
    assert.equal(
      await raw.call("SHUTDOWN", "SAVE"),
      "-ERR Errors trying to SHUTDOWN. Check logs.\r\n",
    );
    assert.ok(logs.includes("Error trying to save the DB, can't exit."));
    assert.equal(s.server.engine.shutdownRequested, false);
    assert.equal(await raw.call("DBSIZE"), ":0\r\n");
  });

  await t.step("SAVE FORCE closes it despite the failed save", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    await raw.write("*3\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n$5\r\nFORCE\r\n");
    await s.server.closed;
  });

  await t.step("bad combinations and ABORT without a shutdown are errors", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    for (const args of [["foo"], ["NOSAVE", "SAVE"], ["ABORT", "NOW"], ["SAVE", "ABORT"]]) {
      assert.equal(await raw.call("SHUTDOWN", ...args), "-ERR syntax error\r\n");
    }
    assert.equal(await raw.call("SHUTDOWN", "abort"), "-ERR No shutdown in progress.\r\n");
  });
});

Deno.test("DBSIZE, FLUSHDB, FLUSHALL", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const engine = s.server.engine;

  await t.step("DBSIZE counts the selected database's keys", async () => {
    engine.db(0).set("a", "1");
    engine.db(0).set("b", "1");
    engine.db(1).set("c", "1");
    assert.equal(await raw.call("DBSIZE"), ":2\r\n");
    assert.equal(
      await raw.call("DBSIZE", "x"),
      "-ERR wrong number of arguments for 'dbsize' command\r\n",
    );
  });

  await t.step("FLUSHDB empties only the selected database", async () => {
    assert.equal(await raw.call("FLUSHDB"), "+OK\r\n");
    assert.equal(engine.db(0).size, 0);
    assert.equal(engine.db(1).size, 1);
    for (const mode of ["ASYNC", "sync"]) assert.equal(await raw.call("FLUSHDB", mode), "+OK\r\n");
  });

  await t.step("FLUSHALL empties every database", async () => {
    engine.db(0).set("a", "1");
    engine.db(0).setExpire("a", s.clock.now() + 1000);
    assert.equal(await raw.call("FLUSHALL", "async"), "+OK\r\n");
    assert.equal(engine.db(0).size + engine.db(1).size, 0);
    assert.equal(engine.db(0).expiresCount, 0);
  });

  await t.step("anything but one ASYNC or SYNC is a syntax error", async () => {
    for (const cmd of ["FLUSHDB", "FLUSHALL"]) {
      assert.equal(await raw.call(cmd, "x"), "-ERR syntax error\r\n");
      assert.equal(await raw.call(cmd, "SYNC", "ASYNC"), "-ERR syntax error\r\n");
    }
  });
});

Deno.test("SWAPDB", async (t) => {
  await using s = await testServer();
  const raw = await s.raw();
  const engine = s.server.engine;

  await t.step("exchanges the contents of two databases", async () => {
    engine.db(0).set("a", "0");
    engine.db(3).set("b", "3");
    engine.db(3).set("c", "3");
    assert.equal(await raw.call("SWAPDB", "0", "3"), "+OK\r\n");
    assert.equal(await raw.call("DBSIZE"), ":2\r\n");
    assert.equal(engine.db(0).get("b"), "3");
    assert.equal(engine.db(3).get("a"), "0");
    assert.equal(await raw.call("SWAPDB", "3", "3"), "+OK\r\n");
  });

  await t.step("reports bad indexes as Redis does", async () => {
    const cases: [string, string, string][] = [
      ["x", "0", "-ERR invalid first DB index\r\n"],
      ["0", "x", "-ERR invalid second DB index\r\n"],
      ["2147483648", "0", "-ERR invalid first DB index\r\n"],
      ["1.5", "0", "-ERR invalid first DB index\r\n"],
      ["-1", "0", "-ERR DB index is out of range\r\n"],
      ["0", "16", "-ERR DB index is out of range\r\n"],
    ];
    for (const [a, b, expected] of cases) assert.equal(await raw.call("SWAPDB", a, b), expected);
    assert.equal(
      await raw.call("SWAPDB", "0"),
      "-ERR wrong number of arguments for 'swapdb' command\r\n",
    );
  });
});

Deno.test("the server commands run in-process", () => {
  const engine = new Engine({ clock: new ManualClock(5_000) });
  try {
    assert.deepEqual(callEngine(engine, ["TIME"]), { kind: "bulks", values: ["5", "0"] });
    assert.deepEqual(callEngine(engine, ["DBSIZE"]), { kind: "integer", value: 0 });
  } finally {
    engine.close();
  }
});
