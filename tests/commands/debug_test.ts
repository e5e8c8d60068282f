import assert from "node:assert/strict";
import {
  hasRedisServer,
  ManualClock,
  RawClient,
  startRealRedis,
  testServer,
} from "../support/server.ts";
import { Engine } from "../../src/engine.ts";
import { ConfigError } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import type { Reply } from "../../src/resp/reply.ts";
import type { ClientOptions } from "../../src/client.ts";

const REAL = hasRedisServer();

const REFUSED =
  '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n';
const ZEROS = "0".repeat(40);
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
const ENABLED = { "enable-debug-command": "yes" };

/** An in-process engine with DEBUG enabled (or `config`) and a client. */
function inProcess(
  config: Record<string, string> = ENABLED,
  client: ClientOptions = {},
): { engine: Engine; clock: ManualClock; call: (...argv: string[]) => Reply } & Disposable {
  const clock = new ManualClock(1_700_000_000_000);
  const engine = new Engine({ clock, config });
  const c = engine.connect(client);
  return {
    engine,
    clock,
    call: (...argv) => {
      const r = engine.call(c, argv);
      if (r instanceof Promise) throw new Error("unexpected block");
      return r;
    },
    [Symbol.dispose]: () => engine.close(),
  };
}

/** The text of a simple-string reply. */
function status(reply: Reply): string {
  assert.equal(reply.kind, "simple", JSON.stringify(reply));
  return (reply as { value: string }).value;
}

/** The texts of an array of simple strings. */
function statuses(reply: Reply): string[] {
  assert.equal(reply.kind, "array", JSON.stringify(reply));
  return (reply as { items: readonly Reply[] }).items.map(status);
}

function errorText(reply: Reply): string {
  assert.equal(reply.kind, "error", JSON.stringify(reply));
  return (reply as { message: string }).message;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs main.ts with `args` until disposed; its port is read from the ready line. */
async function startCli(args: string[]): Promise<{ port: number } & AsyncDisposable> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null = null;
  while (match === null) {
    const r = await reader.read();
    if (r.done) break;
    text += r.value;
    match = /Ready to accept connections tcp:\/\/[^\s]+:(\d+)/.exec(text);
  }
  // Drained until the child exits, so its output never blocks it.
  const drained = (async () => {
    while (!(await reader.read()).done) {
      // discard
    }
  })();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await drained;
  };
  if (match === null) {
    await stop();
    throw new Error(`no ready line: ${JSON.stringify(text)}`);
  }
  return { port: Number(match[1]), [Symbol.asyncDispose]: stop };
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => String(from + i));

Deno.test("DEBUG is refused unless enable-debug-command allows the client", async (t) => {
  await t.step("by default: Redis's text, after the arity check, before AUTH", async () => {
    await using s = await testServer({ config: { requirepass: "pw" } });
    const raw = await s.raw();
    assert.equal(await raw.call("DEBUG", "DIGEST"), REFUSED);
    assert.equal(await raw.call("DEBUG", "HELP"), REFUSED);
    assert.equal(await raw.call("DEBUG", "nope"), REFUSED);
    assert.equal(
      await raw.call("DEBUG"),
      "-ERR wrong number of arguments for 'debug' command\r\n",
    );
    assert.equal(await raw.call("GET", "k"), "-NOAUTH Authentication required.\r\n");
  });

  await t.step("a refused DEBUG inside MULTI dooms the transaction", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    assert.equal(await raw.call("MULTI"), "+OK\r\n");
    assert.equal(await raw.call("DEBUG", "DIGEST"), REFUSED);
    assert.equal(
      await raw.call("EXEC"),
      "-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
  });

  await t.step("the parameter is immutable at run time and checked at start-up", async () => {
    await using s = await testServer();
    const raw = await s.raw();
    assert.equal(
      await raw.call("CONFIG", "SET", "enable-debug-command", "yes"),
      "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n",
    );
    assert.equal(
      await raw.call("CONFIG", "GET", "enable-debug-command"),
      "*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n",
    );
    assert.throws(
      () => new Engine({ config: { "enable-debug-command": "maybe" } }),
      (e) =>
        e instanceof ConfigError &&
        e.message === "argument(s) must be one of the following: no, yes, local",
    );
  });

  await t.step("yes: any client", () => {
    using e = inProcess(ENABLED, { addr: "10.1.2.3:4000" });
    assert.equal(status(e.call("DEBUG", "DIGEST")), ZEROS);
  });

  await t.step("local: loopback and Unix socket clients only", () => {
    const local = { "enable-debug-command": "local" };
    for (const addr of ["127.0.0.1:5000", "[::1]:5000"]) {
      using e = inProcess(local, { addr });
      assert.equal(status(e.call("DEBUG", "DIGEST")), ZEROS, addr);
    }
    for (const addr of ["10.1.2.3:5000", "[::ffff:127.0.0.1]:5000", "[fe80::1]:5000"]) {
      using e = inProcess(local, { addr });
      assert.equal(`-${errorText(e.call("DEBUG", "DIGEST"))}\r\n`, REFUSED, addr);
    }
    using unix = inProcess(local, { addr: "/tmp/redis.sock:0", unix: true });
    assert.equal(status(unix.call("DEBUG", "DIGEST")), ZEROS);
  });

  await t.step("local over TCP from 127.0.0.1 and over a Unix socket", async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplite-debug-" });
    const path = `${dir}/redis.sock`;
    try {
      await using server = await startServer({
        port: 0,
        unixSocket: path,
        config: { "enable-debug-command": "local" },
      });
      await using tcp = await RawClient.connect(server.port);
      assert.equal(await tcp.call("DEBUG", "DIGEST"), `+${ZEROS}\r\n`);
      await using unix = await RawClient.connect(path);
      assert.equal(await unix.call("DEBUG", "DIGEST"), `+${ZEROS}\r\n`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("DEBUG DIGEST-VALUE and DIGEST equal the digests of Redis 7.0.15", async (t) => {
  // Digests answered by a real redis-server 7.0.15 for the same data.
  const expected: Record<string, string> = {
    s: "36b23a1456b2dce2c3ed252c456761301dba8060",
    i: "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83",
    l: "6b15aa298e0e4d1f6244448df32b23e74a4147ce",
    is: "2a462a3f51a1db89738ebbeef0c47ce1bbc85246",
    hs: "593c2414786d75446e97f4ea5d4b731f3313da72",
    h: "ad9a818d75d51dd3c55d5905f22259a91bbc4b14",
    e: "311b17018163335616e089f6b951c82c477335ac",
  };
  using e = inProcess();
  e.call("SET", "s", "hello");
  e.call("SET", "i", "12345");
  e.call("RPUSH", "l", "a", "b", "1", "2");
  e.call("SADD", "is", "3", "1", "2");
  e.call("SADD", "hs", "a", "b", "c");
  e.call("HSET", "h", "f", "v", "n", "1");
  e.call("SET", "e", "v", "EX", "1000");

  await t.step("of each value", () => {
    const keys = Object.keys(expected);
    assert.deepEqual(
      statuses(e.call("DEBUG", "DIGEST-VALUE", ...keys)),
      keys.map((k) => expected[k]),
    );
  });

  await t.step("of the dataset", () => {
    assert.equal(status(e.call("DEBUG", "DIGEST")), "cdd86f4e8f3540c8abe2f4881f45bf586227ddd7");
    assert.equal(status(e.call("debug", "digest")), "cdd86f4e8f3540c8abe2f4881f45bf586227ddd7");
  });

  await t.step("missing keys and no keys", () => {
    assert.deepEqual(statuses(e.call("DEBUG", "DIGEST-VALUE", "nope", "s")), [ZEROS, expected.s]);
    assert.deepEqual(statuses(e.call("DEBUG", "DIGEST-VALUE")), []);
  });
});

Deno.test("DEBUG DIGEST is order-independent for sets, hashes and keys, not for lists", () => {
  using a = inProcess();
  using b = inProcess();
  a.call("SADD", "s", "x", "y", "1");
  b.call("SADD", "s", "1", "y", "x");
  a.call("HSET", "h", "f", "1", "g", "2");
  b.call("HSET", "h", "g", "2", "f", "1");
  a.call("SET", "k1", "v1");
  a.call("SET", "k2", "v2");
  b.call("SET", "k2", "v2");
  b.call("SET", "k1", "v1");
  assert.equal(status(a.call("DEBUG", "DIGEST")), status(b.call("DEBUG", "DIGEST")));
  a.call("RPUSH", "l", "a", "b");
  b.call("RPUSH", "l", "b", "a");
  assert.notEqual(status(a.call("DEBUG", "DIGEST")), status(b.call("DEBUG", "DIGEST")));
  assert.notDeepEqual(
    statuses(a.call("DEBUG", "DIGEST-VALUE", "l")),
    statuses(b.call("DEBUG", "DIGEST-VALUE", "l")),
  );
});

Deno.test("DEBUG DIGEST mixes in the database and the TTL", async (t) => {
  await t.step("the same key in another database gives another digest", () => {
    using a = inProcess();
    using b = inProcess();
    a.call("SET", "k", "v");
    b.call("SELECT", "1");
    b.call("SET", "k", "v");
    assert.notEqual(status(a.call("DEBUG", "DIGEST")), status(b.call("DEBUG", "DIGEST")));
    // DIGEST-VALUE digests the value only: the same in both.
    assert.deepEqual(
      statuses(a.call("DEBUG", "DIGEST-VALUE", "k")),
      statuses(b.call("DEBUG", "DIGEST-VALUE", "k")),
    );
  });

  await t.step("a TTL changes the digest, whatever its time", () => {
    using e = inProcess();
    e.call("SET", "k", "v");
    const plain = statuses(e.call("DEBUG", "DIGEST-VALUE", "k"))[0];
    e.call("EXPIRE", "k", "100");
    const ttl = statuses(e.call("DEBUG", "DIGEST-VALUE", "k"))[0];
    e.call("EXPIRE", "k", "5000");
    assert.equal(statuses(e.call("DEBUG", "DIGEST-VALUE", "k"))[0], ttl);
    assert.notEqual(ttl, plain);
    e.call("PERSIST", "k");
    assert.equal(statuses(e.call("DEBUG", "DIGEST-VALUE", "k"))[0], plain);
  });

  await t.step("a key expired but not yet reclaimed still counts, as in Redis", () => {
    using e = inProcess();
    e.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    e.call("SET", "k", "v", "PX", "100");
    const before = status(e.call("DEBUG", "DIGEST"));
    e.clock.advance(1000);
    assert.equal(status(e.call("DEBUG", "DIGEST")), before);
    assert.notEqual(statuses(e.call("DEBUG", "DIGEST-VALUE", "k"))[0], ZEROS);
    assert.deepEqual(e.call("GET", "k"), { kind: "nil" });
    assert.equal(status(e.call("DEBUG", "DIGEST")), ZEROS);
  });
});

Deno.test("DEBUG OBJECT describes the value without touching it", async (t) => {
  using e = inProcess();
  const line = (key: string) => status(e.call("DEBUG", "OBJECT", key));
  const SHAPE =
    /^Value at:0x[0-9a-f]+ refcount:\d+ encoding:\S+ serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+/;

  await t.step("strings: encoding, shared integers and serialized length", () => {
    e.call("SET", "hello", "hello");
    e.call("SET", "shared", "100");
    e.call("SET", "int", "12345");
    e.call("SET", "big", "-9223372036854775808");
    e.call("SET", "raw", "x".repeat(45));
    const hello = line("hello");
    assert.match(hello, SHAPE);
    assert.match(hello, / refcount:1 encoding:embstr serializedlength:6 /);
    assert.match(line("shared"), / refcount:2147483647 encoding:int serializedlength:2 /);
    assert.match(line("int"), / refcount:1 encoding:int serializedlength:3 /);
    assert.match(line("big"), / encoding:int serializedlength:21 /);
    assert.match(line("raw"), / encoding:raw serializedlength:46 /);
    assert.equal(line("hello"), hello, "the same address every time");
  });

  await t.step("lists add the quicklist fields", () => {
    e.call("RPUSH", "l", "a", "b", "c");
    assert.match(
      line("l"),
      / encoding:quicklist serializedlength:19 lru:\d+ lru_seconds_idle:\d+ ql_nodes:1 ql_avg_node:3\.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16$/,
    );
    e.call("RPUSH", "ints", ...range(1, 301));
    assert.match(line("ints"), / serializedlength:784 .* ql_uncompressed_size:780$/);
  });

  await t.step("ql_avg_node is printed as %.2f, ties to even", () => {
    e.call("CONFIG", "SET", "list-max-listpack-size", "-1");
    const huge = "y".repeat(4080);
    e.call("RPUSH", "tie", ...Array(7).fill(huge), "a", "b");
    assert.match(
      line("tie"),
      / serializedlength:28674 .* ql_nodes:8 ql_avg_node:1\.12 ql_listpack_max:-1 ql_compressed:0 ql_uncompressed_size:28650$/,
    );
    e.call("CONFIG", "SET", "list-max-listpack-size", "-2");
  });

  await t.step("sets and hashes", () => {
    e.call("SADD", "intset", "1", "2", "3");
    e.call("SADD", "strings", "a", "b");
    e.call("SADD", "bigset", ...range(1, 601));
    e.call("HSET", "hash", "f", "v");
    assert.match(line("intset"), / encoding:intset serializedlength:15 /);
    assert.match(line("strings"), / encoding:hashtable serializedlength:5 /);
    assert.match(line("bigset"), / encoding:hashtable serializedlength:1675 /);
    assert.match(line("hash"), / encoding:listpack serializedlength:14 /);
  });

  await t.step("idle time from the LRU clock, which DEBUG OBJECT does not touch", () => {
    e.clock.advance(10_000);
    assert.match(line("hello"), / lru_seconds_idle:10$/);
    assert.match(line("hello"), / lru_seconds_idle:10$/);
    assert.deepEqual(e.call("OBJECT", "IDLETIME", "hello"), { kind: "integer", value: 10 });
    const lru = Math.floor(1_700_000_000_000 / 1000) & 0xffffff;
    assert.match(line("hello"), new RegExp(` lru:${lru} `));
  });

  await t.step("a missing key is an error; an expired one not yet reclaimed is found", () => {
    assert.equal(errorText(e.call("DEBUG", "OBJECT", "nope")), "ERR no such key");
    e.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    e.call("SET", "gone", "v", "PX", "1");
    e.clock.advance(100);
    const stats = e.engine.stats;
    const lookups = stats.keyspaceHits + stats.keyspaceMisses;
    assert.match(line("gone"), SHAPE);
    assert.equal(stats.keyspaceHits + stats.keyspaceMisses, lookups, "no keyspace hit or miss");
    assert.equal(e.engine.db(0).size, e.engine.db(0).keys(false).length + 1, "still stored");
  });
});

Deno.test("DEBUG PROTOCOL answers each type as Redis does, in RESP2 and RESP3", async (t) => {
  await using s = await testServer({ config: ENABLED });
  const resp2: Record<string, string> = {
    string: "$11\r\nHello World\r\n",
    integer: ":12345\r\n",
    double: "$5\r\n3.141\r\n",
    bignum: "$37\r\n1234567999999999999999999999999999999\r\n",
    null: "$-1\r\n",
    array: "*3\r\n:0\r\n:1\r\n:2\r\n",
    set: "*3\r\n:0\r\n:1\r\n:2\r\n",
    map: "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n",
    attrib: "$39\r\nSome real reply following the attribute\r\n",
    push: "-ERR RESP2 is not supported by this command\r\n",
    verbatim: "$25\r\nThis is a verbatim\nstring\r\n",
    true: ":1\r\n",
    false: ":0\r\n",
  };
  const resp3: Record<string, string> = {
    string: "$11\r\nHello World\r\n",
    integer: ":12345\r\n",
    double: ",3.141\r\n",
    bignum: "(1234567999999999999999999999999999999\r\n",
    null: "_\r\n",
    array: "*3\r\n:0\r\n:1\r\n:2\r\n",
    set: "~3\r\n:0\r\n:1\r\n:2\r\n",
    map: "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n",
    attrib:
      "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n",
    verbatim: "=29\r\ntxt:This is a verbatim\nstring\r\n",
    true: "#t\r\n",
    false: "#f\r\n",
  };
  const wrongType =
    "-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n";

  await t.step("RESP2", async () => {
    const raw = await s.raw();
    for (const [type, bytes] of Object.entries(resp2)) {
      assert.equal(await raw.call("DEBUG", "PROTOCOL", type), bytes, type);
    }
    assert.equal(await raw.call("DEBUG", "PROTOCOL", "STRING"), resp2.string);
    assert.equal(await raw.call("DEBUG", "PROTOCOL", "nope"), wrongType);
  });

  await t.step("RESP3, the push reply right before the real one", async () => {
    const raw = await s.raw();
    await raw.call("HELLO", "3");
    for (const [type, bytes] of Object.entries(resp3)) {
      assert.equal(await raw.call("DEBUG", "PROTOCOL", type), bytes, type);
    }
    assert.equal(
      await raw.call("DEBUG", "PROTOCOL", "push"),
      ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n",
    );
    assert.equal(await raw.reply(), "$40\r\nSome real reply following the push reply\r\n");
    assert.equal(await raw.call("DEBUG", "PROTOCOL", "nope"), wrongType);
  });

  await t.step("inside EXEC the push goes out within the array", async () => {
    const raw = await s.raw();
    await raw.call("HELLO", "3");
    await raw.call("MULTI");
    assert.equal(await raw.call("DEBUG", "PROTOCOL", "push"), "+QUEUED\r\n");
    assert.equal(await raw.call("DEBUG", "PROTOCOL", "attrib"), "+QUEUED\r\n");
    await raw.write("*1\r\n$4\r\nEXEC\r\n");
    const exec = (await raw.reply()) + (await raw.reply());
    assert.equal(
      exec,
      "*2\r\n>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n" +
        resp3.attrib,
    );
  });
});

Deno.test("DEBUG SLEEP stops the whole server", async (t) => {
  await t.step("other clients wait for it (server in a subprocess)", async () => {
    // In-process, the sleep would stop the test too: run main.ts instead.
    await using server = await startCli(["--port", "0", "--enable-debug-command", "yes"]);
    await using sleeper = await RawClient.connect(server.port);
    await using other = await RawClient.connect(server.port);
    assert.equal(await other.call("PING"), "+PONG\r\n");
    await sleeper.write("*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$3\r\n0.5\r\n");
    await new Promise((r) => setTimeout(r, 100));
    const start = performance.now();
    assert.equal(await other.call("PING"), "+PONG\r\n");
    const waited = performance.now() - start;
    assert.ok(waited >= 250, `PING waited ${waited} ms`);
    assert.equal(await sleeper.reply(), "+OK\r\n");
  });

  await t.step("the time is a double, parsed as strtod", () => {
    using e = inProcess();
    const start = performance.now();
    assert.equal(status(e.call("DEBUG", "SLEEP", "0.1")), "OK");
    assert.ok(performance.now() - start >= 95);
    const quick = performance.now();
    for (const arg of ["0", "-1", "abc", "inf", "nan", "1e30", "-inf", "0x0p1"]) {
      assert.equal(status(e.call("DEBUG", "SLEEP", arg)), "OK", arg);
    }
    assert.ok(performance.now() - quick < 80, "none of these sleep");
    const prefixed = performance.now();
    assert.equal(status(e.call("DEBUG", "SLEEP", " 0.05xyz")), "OK");
    assert.ok(performance.now() - prefixed >= 45, "the numeric prefix counts");
  });
});

Deno.test("DEBUG SET-ACTIVE-EXPIRE turns the active expiry cycle off and on", async (t) => {
  using e = inProcess();
  e.call("SET", "k", "v", "PX", "100");
  assert.equal(status(e.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")), "OK");
  assert.equal(e.engine.activeExpire, false);
  e.clock.advance(1000);
  e.engine.cron();
  assert.equal(e.engine.db(0).size, 1, "still stored");
  assert.equal(status(e.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")), "OK");
  e.engine.cron();
  assert.equal(e.engine.db(0).size, 0, "reclaimed");

  await t.step("the argument is read as C's atoi: any non-zero int enables", () => {
    const cases: [string, boolean][] = [
      ["0", false],
      ["1", true],
      ["abc", false],
      ["  7x", true],
      ["-1", true],
      ["+0", false],
      ["4294967296", false],
      ["4294967297", true],
      ["99999999999999999999", true],
      ["-99999999999999999999", false],
    ];
    for (const [arg, enabled] of cases) {
      e.call("DEBUG", "SET-ACTIVE-EXPIRE", arg);
      assert.equal(e.engine.activeExpire, enabled, arg);
    }
  });
});

Deno.test("DEBUG HELP lists the implemented subcommands; wrong ones are errors", async (t) => {
  using e = inProcess();
  const help = statuses(e.call("DEBUG", "HELP"));

  await t.step("HELP", () => {
    assert.equal(help[0], "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (
      const sub of ["DIGEST", "DIGEST-VALUE", "OBJECT", "PROTOCOL", "SET-ACTIVE-EXPIRE", "SLEEP"]
    ) {
      assert.ok(help.some((l) => l === sub || l.startsWith(`${sub} `)), sub);
    }
    assert.deepEqual(help.slice(-2), ["HELP", "    Prints this help."]);
    assert.deepEqual(statuses(e.call("debug", "help")), help);
  });

  await t.step("unknown subcommands and wrong argument counts", () => {
    const bad = (sub: string) =>
      `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try DEBUG HELP.`;
    const cases: string[][] = [
      ["foo"],
      ["HELP", "x"],
      ["DIGEST", "x"],
      ["OBJECT"],
      ["OBJECT", "a", "b"],
      ["SLEEP"],
      ["SLEEP", "1", "2"],
      ["SET-ACTIVE-EXPIRE"],
      ["PROTOCOL"],
      ["PROTOCOL", "a", "b"],
      ["RELOAD"],
    ];
    for (const args of cases) {
      assert.equal(errorText(e.call("DEBUG", ...args)), bad(args[0]!), args.join(" "));
    }
    assert.equal(
      errorText(e.call("debug", "a\r\nb")),
      "ERR unknown subcommand or wrong number of arguments for 'a  b'. Try DEBUG HELP.",
    );
    assert.equal(
      errorText(e.call("DEBUG", "x".repeat(200))),
      bad("x".repeat(128)),
    );
  });
});

Deno.test({
  name: "DEBUG OBJECT and HELP agree with a real redis-server",
  ignore: !REAL,
  async fn(t) {
    // Without RDB compression, Redis's serializedlength is what resplite computes.
    await using real = await startRealRedis([
      "--enable-debug-command",
      "yes",
      "--rdbcompression",
      "no",
    ]);
    await using ours = await startServer({ port: 0, config: ENABLED });
    await using theirs = await RawClient.connect(real.port);
    await using mine = await RawClient.connect(ours.port);
    const both = async (...argv: string[]): Promise<[string, string]> => [
      await mine.call(...argv),
      await theirs.call(...argv),
    ];
    const huge = "y".repeat(4080);
    const setup: string[][] = [
      ["SET", "hello", "hello"],
      ["SET", "empty", ""],
      ["SET", "shared", "100"],
      ["SET", "int16", "12345"],
      ["SET", "int32", "-2000000000"],
      ["SET", "int64", "123456789012"],
      ["SET", "min", "-9223372036854775808"],
      ["SET", "embstr", "x".repeat(44)],
      ["SET", "raw", "x".repeat(45)],
      ["SET", "long", "z".repeat(20000)],
      ["SET", "leading-zero", "007"],
      ["SET", "binary", ALL_BYTES],
      ["APPEND", "appended", "12"],
      ["RPUSH", "list", "a", "b", "c"],
      ["RPUSH", "list-ints", ...range(-300, 300)],
      ["RPUSH", "list-large", ...range(0, 5000), ...Array(20).fill("w".repeat(1000))],
      ["RPUSH", "list-binary", ALL_BYTES, "", "-0", "9223372036854775807", "x".repeat(70)],
      ["CONFIG", "SET", "list-max-listpack-size", "3"],
      ["RPUSH", "list-fill3", ...range(0, 10)],
      ["CONFIG", "SET", "list-max-listpack-size", "-1"],
      ["RPUSH", "list-tie", ...Array(7).fill(huge), "a", "b"],
      ["CONFIG", "SET", "list-max-listpack-size", "-5"],
      ["RPUSH", "list-fill-5", ...Array(40).fill(huge)],
      ["CONFIG", "SET", "list-max-listpack-size", "0"],
      ["RPUSH", "list-fill0", "a", "b", "c"],
      ["CONFIG", "SET", "list-max-listpack-size", "-2"],
      ["CONFIG", "SET", "list-compress-depth", "1"],
      ["RPUSH", "list-compressed", "a", "b"],
      ["CONFIG", "SET", "list-compress-depth", "0"],
      ["SADD", "intset16", "1", "2", "3", "-32768"],
      ["SADD", "intset32", "1", "70000"],
      ["SADD", "intset64", "1", "-9223372036854775808"],
      ["SADD", "set-strings", "a", "b", "c".repeat(100)],
      ["SADD", "set-large", ...range(0, 600)],
      ["HSET", "hash", "f", "v", "n", "1", "big", "123456789012345"],
      ["HSET", "hash-long", "f", "v".repeat(65)],
      ["HSET", "hash-many", ...range(0, 1100)],
    ];
    const normalise = (line: string) =>
      line.replace(/^\+Value at:0x[0-9a-f]+ /, "+Value at:ADDR ")
        .replace(/ lru:\d+ lru_seconds_idle:\d+/, " lru:LRU lru_seconds_idle:IDLE");
    // Each value is described right after it is written: resplite lays a
    // list out with the list settings of the time DEBUG OBJECT runs, Redis
    // with those of the list's creation.
    for (const argv of setup) {
      const [a, b] = await both(...argv);
      assert.equal(a, b, argv.slice(0, 3).join(" "));
      if (argv[0] === "CONFIG") continue;
      await t.step(`DEBUG OBJECT ${argv[1]!.slice(0, 20)}`, async () => {
        const [mineLine, theirLine] = await both("DEBUG", "OBJECT", argv[1]!);
        assert.equal(normalise(mineLine), normalise(theirLine));
      });
    }
    await t.step("DEBUG HELP lines are Redis's, in its order", async () => {
      const [a, b] = await both("DEBUG", "HELP");
      const lines = (r: string) => r.split("\r\n").slice(1, -1);
      const realLines = lines(b);
      let at = 0;
      for (const line of lines(a)) {
        const found = realLines.indexOf(line, at);
        assert.ok(found !== -1, `not in Redis's help (in order): ${line}`);
        at = found + 1;
      }
    });
  },
});
