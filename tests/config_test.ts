/**
 * The configuration: the parameter table, config files (including a
 * redis.conf from a real installation), CONFIG GET * against a real
 * redis-server, atomic CONFIG SET, and CONFIG REWRITE compared with the file
 * real Redis writes for the same steps.
 */

import assert from "node:assert/strict";
import {
  Config,
  ConfigSetError,
  DEFAULT_USER_LINE,
  formatMemory,
  PARAMS,
  REWRITE_SIGNATURE,
  rewriteConfigText,
} from "../src/config.ts";
import { startServer } from "../src/server.ts";
import { parseCommandLine } from "../main.ts";
import { freePort, hasRedisServer, RawClient, startRealRedis } from "./support/server.ts";

const REAL = hasRedisServer();
const REAL_SKIP = REAL ? false : true;

/** Names and values of a flat CONFIG GET reply. */
function pairsOf(reply: string): Map<string, string> {
  const lines = reply.split("\r\n");
  const values: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) values.push(lines[i + 1]!);
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < values.length; i += 2) out.set(values[i]!, values[i + 1]!);
  return out;
}

Deno.test("every parameter's default is valid and normalised", () => {
  const config = new Config();
  for (const spec of PARAMS) {
    // `replicaof`'s default (none) has no text: `no one` sets it.
    const text = spec.name === "replicaof" ? "no one" : spec.default;
    assert.equal(config.check(spec.name, text), spec.default, spec.name);
    for (const alias of spec.aliases ?? []) assert.equal(config.spec(alias), spec);
  }
  const names = PARAMS.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
  assert.equal(new Set(names).size, names.length, "no name twice");
});

Deno.test("values are checked and normalised as Redis does", async (t) => {
  const config = new Config();
  const ok: [string, string, string][] = [
    ["maxmemory", "1gb", "1073741824"],
    ["maxmemory", "1G", "1000000000"],
    ["maxmemory", "18446744073709551615", "18446744073709551615"],
    ["maxmemory-clients", "10%", "10%"],
    ["unixsocketperm", "700", "700"],
    ["loglevel", "WARNING", "warning"],
    ["oom-score-adj", "relative", "yes"],
    ["hz", "1000", "500"],
    ["hz", "0", "1"],
    ["save", "900 1 300 10", "900 1 300 10"],
    ["save", "", ""],
    ["latency-tracking-info-percentiles", "50 99.990 1e2", "50 99.99 100"],
    ["notify-keyspace-events", "KEA", "AKE"],
    ["replicaof", "no one", ""],
    ["replicaof", "host 6380", "host 6380"],
    ["client-output-buffer-limit", "pubsub 1mb 2mb 30", ""],
    ["shutdown-on-sigint", "now SAVE default", "save now"],
  ];
  for (const [name, value, want] of ok) {
    await t.step(`${name} ${JSON.stringify(value)}`, () => {
      const got = config.check(name, value);
      const shown = config.spec(name)!.display?.(got) ?? got;
      if (want !== "") assert.equal(shown, want);
    });
  }
  const bad: [string, string, string][] = [
    ["maxmemory", "-1", "argument must be a memory value"],
    ["maxmemory-clients", "101%", "percentage argument must be less or equal to 100"],
    ["maxmemory-clients", "x", "argument must be a memory or percent value"],
    ["unixsocketperm", "8", "argument couldn't be parsed as an octal number"],
    ["unixsocketperm", "1000", "argument must be between 0 and 777 inclusive"],
    ["maxclients", "-1", "argument must be between 1 and 4294967295 inclusive"],
    ["appendonly", "maybe", "argument must be 'yes' or 'no'"],
    ["save", "900", "Invalid save parameters"],
    ["oom-score-adj-values", "0 200 5000", "elements must be between -2000 and 2000."],
    ["activedefrag", "yes", "Active defragmentation cannot be enabled"],
    ["shutdown-on-sigterm", "save nosave", "SAVE and NOSAVE can't be used simultaneously"],
    ["dbfilename", "a/b", "dbfilename can't be a path, just a filename"],
    ["bind", Array(17).fill("1").join(" "), "Too many bind addresses specified."],
    ["replicaof", "host x", "Invalid master port"],
    ["latency-tracking-info-percentiles", "101", "should sit between [0.0,100.0]"],
    ["proc-title-template", "{nosuch}", "template format is invalid"],
  ];
  for (const [name, value, text] of bad) {
    await t.step(`${name} ${JSON.stringify(value)} is refused`, () => {
      assert.throws(() => config.check(name, value), (e: Error) => e.message.includes(text));
    });
  }
});

Deno.test("setAll applies every pair or none", () => {
  const config = new Config();
  const seen: string[] = [];
  config.onChange("hz", (v) => seen.push(v));
  assert.throws(
    () => config.setAll([["hz", "20"], ["maxmemory", "abc"]]),
    (e: unknown) => e instanceof ConfigSetError && e.param === "maxmemory",
  );
  assert.equal(config.get("hz"), "10");
  assert.deepEqual(seen, []);
  config.setAll([["hz", "20"], ["hash-max-ziplist-entries", "7"]]);
  assert.equal(config.get("hz"), "20");
  assert.equal(config.get("hash-max-listpack-entries"), "7");
  assert.deepEqual(seen, ["20"]);
  assert.throws(
    () => config.setAll([["port", "1"]]),
    /Unable to listen on this port/,
  );
});

Deno.test("formatMemory writes units as CONFIG REWRITE does", () => {
  assert.equal(formatMemory(0n), "0");
  assert.equal(formatMemory(1024n), "1kb");
  assert.equal(formatMemory(3n * 1024n * 1024n), "3mb");
  assert.equal(formatMemory(2n ** 30n), "1gb");
  assert.equal(formatMemory(1000n), "1000");
});

Deno.test("rewriteConfigText keeps comments, updates in place, appends, blanks leftovers", () => {
  const config = new Config({ hz: "20", maxmemory: "2gb", save: "" });
  const old = [
    "# my redis",
    "hz 10",
    "",
    "",
    "hz 30",
    "nosuch-directive 1",
    'unbalanced "quote',
    "slave-priority 50",
    "maxmemory-policy noeviction",
    "",
  ].join("\n");
  const text = rewriteConfigText(old, config, "/data");
  const lines = text.split("\n");
  assert.deepEqual(lines.slice(0, 7), [
    "# my redis",
    "hz 20",
    "",
    "nosuch-directive 1",
    '# ??? unbalanced "quote',
    "replica-priority 100",
    "maxmemory-policy noeviction",
  ]);
  const after = lines.slice(lines.indexOf(REWRITE_SIGNATURE) + 1).filter((l) => l !== "");
  assert.deepEqual(
    after.sort(),
    [
      'dir "/data"',
      "latency-tracking-info-percentiles 50 99 99.9",
      "maxmemory 2gb",
      'save ""',
      "bind 127.0.0.1",
      DEFAULT_USER_LINE,
    ].sort(),
  );
  // The file's trailing newline leaves one blank line at the end (as in
  // Redis); from then on a rewrite changes nothing.
  const second = rewriteConfigText(text, config, "/data");
  assert.equal(second, text + "\n");
  assert.equal(rewriteConfigText(second, config, "/data"), second);
});

Deno.test("a redis.conf from a real installation loads", {
  ignore: (() => {
    try {
      Deno.statSync("/etc/redis/redis.conf");
      return false;
    } catch {
      return true;
    }
  })(),
}, async () => {
  const cli = await parseCommandLine(["/etc/redis/redis.conf", "--port", "0"]);
  const dir = await Deno.makeTempDir({ prefix: "resplite-conf-" });
  try {
    const config = { ...cli.config, dir };
    await using server = await startServer({
      port: 0,
      config,
      configFile: "/etc/redis/redis.conf",
    });
    await using c = await RawClient.connect(server.port);
    assert.equal(await c.call("PING"), "+PONG\r\n");
    const got = pairsOf(await c.call("CONFIG", "GET", "*"));
    assert.equal(got.get("daemonize"), "yes");
    assert.equal(got.get("databases"), "16");
    assert.equal(
      got.get("client-output-buffer-limit"),
      "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config files: include, deprecated directives, refusals, argument counts", async (t) => {
  const files: Record<string, string> = {
    "a.conf": "include b.conf\nlist-max-ziplist-entries 10\nhz 20\n",
    "b.conf": "maxmemory 1gb\nsave 900 1\nsave 300 10\n",
    "c.conf": 'rename-command FLUSHALL ""\n',
    "d.conf": "hz 10 20\n",
    "e.conf": 'save 900 1\nsave ""\n',
    "f.conf": "include nosuch.conf\n",
  };
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) return Promise.reject(new Deno.errors.NotFound(path));
    return Promise.resolve(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  };
  await t.step("include and deprecated lines", async () => {
    const cli = await parseCommandLine(["a.conf"], read);
    assert.deepEqual(cli.config, { maxmemory: "1gb", save: "900 1 300 10", hz: "20" });
  });
  await t.step("rename-command is refused, not ignored", async () => {
    await assert.rejects(parseCommandLine(["c.conf"], read), /rename-command is not supported/);
  });
  await t.step("a one-word parameter with two words", async () => {
    await assert.rejects(parseCommandLine(["d.conf"], read), /wrong number of arguments/);
  });
  await t.step('save "" after save lines adds nothing', async () => {
    assert.equal((await parseCommandLine(["e.conf"], read)).config.save, "900 1");
  });
  await t.step("a missing include", async () => {
    await assert.rejects(
      parseCommandLine(["f.conf"], read),
      /can't open config file 'nosuch.conf'/,
    );
  });
});

Deno.test("CONFIG GET * names equal the real server's", { ignore: REAL_SKIP }, async () => {
  await using real = await startRealRedis();
  await using ours = await startServer({ port: 0 });
  const names = async (port: number) => {
    await using c = await RawClient.connect(port);
    return [...pairsOf(await c.call("CONFIG", "GET", "*")).keys()].sort();
  };
  const theirs = await names(real.port);
  const mine = await names(ours.port);
  assert.deepEqual(mine, theirs);
  assert.equal(mine.length, 192);
});

Deno.test("CONFIG REWRITE without a config file is refused", async () => {
  await using server = await startServer({ port: 0 });
  await using c = await RawClient.connect(server.port);
  assert.equal(
    await c.call("CONFIG", "REWRITE"),
    "-ERR The server is running without a config file\r\n",
  );
});

/** Starts a real redis-server with a config file first, as `redis-server FILE --opts`. */
async function realWithFile(
  file: string,
  dir: string,
): Promise<{ port: number; stop(): Promise<void> }> {
  const port = freePort();
  const child = new Deno.Command("redis-server", {
    args: [file, "--port", String(port), "--dir", dir],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      const c = await RawClient.connect(port);
      await c.call("PING");
      c.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    port,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** A rewritten file: lines before the signature in order; lines after it as a sorted set. */
function rewriteShape(text: string, dir: string, port: number): { head: string[]; tail: string[] } {
  const norm = (l: string) =>
    l.replaceAll(dir, "<dir>").replace(new RegExp(`^port ${port}$`), "port <port>");
  const lines = text.split("\n").map(norm);
  const at = lines.indexOf(REWRITE_SIGNATURE);
  if (at === -1) return { head: lines, tail: [] };
  return { head: lines.slice(0, at), tail: lines.slice(at + 1).filter((l) => l !== "").sort() };
}

const REWRITE_SCENARIOS: { name: string; file: string; steps: string[][] }[] = [
  {
    name: "changed values in place, new ones appended, duplicates blanked",
    file: [
      "# A config file",
      "bind 127.0.0.1",
      'save ""',
      "appendonly no",
      "hz 10",
      "# hz 15",
      "",
      "",
      "maxmemory 100mb",
      "maxmemory 200mb",
      "slave-read-only yes",
      "hash-max-ziplist-entries 100",
      'notify-keyspace-events ""',
      "client-output-buffer-limit pubsub 32mb 8mb 60",
      "",
    ].join("\n"),
    steps: [
      ["CONFIG", "SET", "hz", "20", "maxmemory", "1gb", "replica-read-only", "no"],
      ["CONFIG", "SET", "notify-keyspace-events", "KEA", "maxmemory-policy", "allkeys-lru"],
      ["CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 512kb 10"],
      ["CONFIG", "SET", "save", "900 1 300 10", "requirepass", 'a b"c'],
      ["CONFIG", "SET", "maxmemory-clients", "5%", "latency-tracking-info-percentiles", "99"],
    ],
  },
  {
    name: "values back at their defaults keep their lines; others are dropped",
    file: [
      "bind 127.0.0.1",
      'save ""',
      "appendonly no",
      "loglevel notice",
      "requirepass secret",
      "",
    ].join("\n"),
    steps: [
      ["AUTH", "secret"],
      ["CONFIG", "SET", "requirepass", "", "loglevel", "notice"],
      ["CONFIG", "SET", "hash-max-ziplist-value", "128"],
    ],
  },
];

for (const scenario of REWRITE_SCENARIOS) {
  Deno.test(`CONFIG REWRITE matches real Redis: ${scenario.name}`, {
    ignore: REAL_SKIP,
  }, async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplite-rewrite-" });
    try {
      const theirsFile = `${dir}/theirs.conf`;
      const oursFile = `${dir}/ours.conf`;
      await Deno.writeTextFile(theirsFile, scenario.file);
      await Deno.writeTextFile(oursFile, scenario.file);
      const realServer = await realWithFile(theirsFile, dir);
      const cli = await parseCommandLine([oursFile, "--port", "0"]);
      const ours = await startServer({ port: 0, config: cli.config, configFile: oursFile });
      try {
        for (const [port] of [[realServer.port], [ours.port]]) {
          await using c = await RawClient.connect(port!);
          for (const step of scenario.steps) await c.call(...step);
          assert.equal(await c.call("CONFIG", "REWRITE"), "+OK\r\n");
        }
        const theirs = rewriteShape(await Deno.readTextFile(theirsFile), dir, realServer.port);
        const mine = rewriteShape(await Deno.readTextFile(oursFile), Deno.cwd(), ours.port);
        // With a requirepass, Redis writes the default user with its password's hash (ACL: issue 17).
        const tail = theirs.tail.filter((l) => !l.startsWith("user default on #"));
        assert.deepEqual(mine.head, theirs.head);
        assert.deepEqual(mine.tail, tail);
      } finally {
        await realServer.stop();
        await ours.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Parameters a generated config file leaves out: they would change how the real server runs. */
const FILE_SKIP = new Set([
  "port",
  "bind",
  "dir",
  "daemonize",
  "supervised",
  "cluster-enabled",
  "syslog-enabled",
  "pidfile",
  "logfile",
  "unixsocket",
  "replicaof",
  "aclfile",
  "appendonly",
  "requirepass",
  "tls-port",
  "tls-cluster",
  "tls-replication",
  "server_cpulist",
  "bio_cpulist",
  "aof_rewrite_cpulist",
  "bgsave_cpulist",
]);

Deno.test("a config file setting every parameter loads as in real Redis", {
  ignore: REAL_SKIP,
}, async () => {
  const { sample } = await import("./compat/cases/config.ts");
  const lines: string[] = [];
  for (const spec of PARAMS) {
    if (FILE_SKIP.has(spec.name)) continue;
    const value = sample(spec);
    lines.push(`${spec.name} ${spec.multi === true ? value : JSON.stringify(value)}`);
  }
  const dir = await Deno.makeTempDir({ prefix: "resplite-every-" });
  try {
    const file = `${dir}/every.conf`;
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const real = await realWithFile(file, dir);
    const cli = await parseCommandLine([file, "--port", "0"]);
    await using ours = await startServer({ port: 0, config: cli.config, configFile: file });
    try {
      const all = async (port: number) => {
        await using c = await RawClient.connect(port);
        const m = pairsOf(await c.call("CONFIG", "GET", "*"));
        // Each its own port and directory; `bind`: resplite's default is 127.0.0.1.
        for (const name of ["port", "dir", "bind"]) m.delete(name);
        return Object.fromEntries([...m].sort());
      };
      assert.deepEqual(await all(ours.port), await all(real.port));
    } finally {
      await real.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file CONFIG REWRITE wrote loads back to the same values", async () => {
  const config = new Config({ save: "" });
  config.setAll([
    ["maxmemory", "3gb"],
    ["maxmemory-clients", "7%"],
    ["notify-keyspace-events", "Ex"],
    ["client-output-buffer-limit", "pubsub 1mb 512kb 5"],
    ["requirepass", 'p "w'],
    ["slave-priority", "7"],
    ["latency-tracking-info-percentiles", "42.5"],
    ["shutdown-on-sigterm", "now force"],
  ]);
  const text = rewriteConfigText("include other.conf\nmaxmemory 1mb\n", config, "/data");
  const files: Record<string, string> = { "r.conf": text, "other.conf": "hz 12\n" };
  const read = (path: string) =>
    Promise.resolve(Uint8Array.from(files[path]!, (c) => c.charCodeAt(0)));
  const cli = await parseCommandLine(["r.conf"], read);
  const loaded = new Config(cli.config);
  for (const spec of PARAMS) {
    if (spec.name === "dir" || spec.name === "bind") continue;
    const want = spec.name === "hz" ? "12" : config.get(spec.name);
    assert.equal(loaded.get(spec.name), want, spec.name);
  }
});

Deno.test("the README classifies every parameter", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const start = readme.indexOf("## Configuration parameters");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const listed = [...section.matchAll(/`([a-z0-9_*-]+)`/g)].map((m) => m[1]!);
  const patterns = listed.map((p) => new RegExp(`^${p.replaceAll("*", ".*")}$`));
  const missing = PARAMS.map((s) => s.name).filter((name) => !patterns.some((re) => re.test(name)));
  assert.deepEqual(missing, []);
});
