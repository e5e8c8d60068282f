/**
 * The command line, run as a subprocess: `deno run -A main.ts ...`.
 */

import assert from "node:assert/strict";
import { encodeCommand, RawClient } from "./support/raw_client.ts";
import { parseCommandLine, parseConfigText } from "../main.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const READY = /^Ready to accept connections tcp:\/\/(.+):(\d+)(?: unix:\/\/(.+))?$/;

/** A running `main.ts`. */
interface Cli extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly port: number;
  readonly host: string;
  readonly unixSocket: string | undefined;
  /** Sends a signal and returns the exit code and stderr. */
  stop(signal?: Deno.Signal): Promise<{ code: number; stderr: string }>;
}

/** Reads lines of a byte stream. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf("\n")) !== -1) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
  if (pending !== "") yield pending;
}

/** Starts main.ts and waits for its ready line. */
async function startCli(args: string[], stdinText?: string): Promise<Cli> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: stdinText === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdinText !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdinText));
    await w.close();
  }
  const stderr = new Response(child.stderr).text();
  const out = lines(child.stdout);
  const first = await out.next();
  const match = first.done ? null : READY.exec(first.value);
  if (match === null) {
    child.kill("SIGKILL");
    await child.status;
    await out.return(undefined);
    throw new Error(`no ready line: ${JSON.stringify(first.value)}; stderr: ${await stderr}`);
  }
  let stopped: Promise<{ code: number; stderr: string }> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") => {
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      const status = await child.status;
      for await (const _ of out) {
        // drain stdout
      }
      return { code: status.code, stderr: await stderr };
    })();
    return stopped;
  };
  return {
    child,
    host: match[1]!,
    port: Number(match[2]),
    unixSocket: match[3],
    stop,
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
    },
  };
}

/** Runs main.ts to completion. */
async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("--port 0 picks a free port, shown in the ready line; SIGTERM exits 0", async () => {
  await using cli = await startCli(["--port", "0"]);
  assert.equal(cli.host, "127.0.0.1");
  assert.ok(cli.port > 0);
  await using c = await RawClient.connect(cli.port);
  assert.equal(await c.call("PING"), "+PONG\r\n");
  const { code, stderr } = await cli.stop("SIGTERM");
  assert.equal(code, 0);
  assert.match(stderr, /Received SIGTERM scheduling shutdown/);
  assert.equal(await c.readToEnd(), "");
});

Deno.test("SIGINT shuts down gracefully too", async () => {
  await using cli = await startCli(["--port", "0"]);
  const { code } = await cli.stop("SIGINT");
  assert.equal(code, 0);
  await assert.rejects(RawClient.connect(cli.port));
});

Deno.test("--loglevel warning logs only warnings", async () => {
  await using cli = await startCli(["--port", "0", "--loglevel", "warning"]);
  await using c = await RawClient.connect(cli.port);
  assert.equal(await c.call("ECHO", "still here"), "$10\r\nstill here\r\n");
  const { code, stderr } = await cli.stop();
  assert.equal(code, 0);
  assert.doesNotMatch(stderr, /Running mode/);
  assert.match(stderr, /# Received SIGTERM/);
});

Deno.test("a config file with quoted values, overridden by options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplite-cli-" });
  try {
    const conf = `${dir}/redis.conf`;
    await Deno.writeTextFile(
      conf,
      [
        "# a comment",
        "",
        "port 6399",
        '  requirepass "my \\"secret\\" pass"  ',
        "databases 4",
        "loglevel 'verbose'",
        `dir "${dir}"`,
      ].join("\n"),
    );
    await using cli = await startCli([conf, "--port", "0", "--databases", "2"]);
    await using c = await RawClient.connect(cli.port);
    assert.equal(await c.call("PING"), "-NOAUTH Authentication required.\r\n");
    assert.equal(await c.call("AUTH", 'my "secret" pass'), "+OK\r\n");
    assert.equal(await c.call("SELECT", "1"), "+OK\r\n");
    assert.equal(await c.call("SELECT", "2"), "-ERR DB index is out of range\r\n");
    const { code, stderr } = await cli.stop();
    assert.equal(code, 0);
    assert.match(stderr, /Running mode=standalone/); // loglevel verbose logs notices
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the config can come from stdin with -", async () => {
  await using cli = await startCli(["-", "--port", "0"], "requirepass pw\n");
  await using c = await RawClient.connect(cli.port);
  assert.equal(await c.call("AUTH", "pw"), "+OK\r\n");
  assert.equal((await cli.stop()).code, 0);
});

Deno.test("--unixsocket listens on a Unix socket, shown in the ready line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplite-cli-" });
  try {
    const path = `${dir}/s.sock`;
    await using cli = await startCli(["--port", "0", "--unixsocket", path]);
    assert.equal(cli.unixSocket, path);
    await using c = await RawClient.connect(path);
    assert.equal(await c.call("PING"), "+PONG\r\n");
    assert.equal((await cli.stop()).code, 0);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--bind, --requirepass and --proto-max-bulk-len take effect", async () => {
  await using cli = await startCli([
    "--port",
    "0",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--requirepass",
    "p w",
    "--proto-max-bulk-len",
    "1mb",
  ]);
  assert.equal(cli.host, "127.0.0.1");
  await using c = await RawClient.connect(cli.port);
  assert.equal(await c.call("AUTH", "p w"), "+OK\r\n");
  await c.write(`*2\r\n$4\r\nECHO\r\n$${1024 * 1024 + 1}\r\n`);
  assert.equal(await c.readToEnd(), "-ERR Protocol error: invalid bulk length\r\n");
  assert.equal((await cli.stop()).code, 0);
});

Deno.test("--dir changes the working directory; a missing one is an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplite-cli-" });
  try {
    await using cli = await startCli(["--port", "0", "--dir", dir]);
    assert.equal((await cli.stop()).code, 0);
    const bad = await runCli(["--port", "0", "--dir", `${dir}/missing`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Can't chdir to '.*missing'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--version and --help print and exit 0", async () => {
  const version = await runCli(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^Redis server v=7\.0\.15 .*build=resplite-/);
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: resplite/);
  assert.match(help.stdout, /--port/);
});

Deno.test("bad command lines print a clear error and exit 1", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--no-such-option", "1"], /at line 2\n>>> 'no-such-option "1"'\nBad directive/],
    [["--port", "abc"], />>> 'port "abc"'\nargument couldn't be parsed into an integer/],
    [["--port", "70000"], /argument must be between 0 and 65535 inclusive/],
    [["--databases", "0"], /argument must be between 1 and 2147483647 inclusive/],
    [["--loglevel", "loud"], /must be one of the following: debug, verbose, notice, warning/],
    [["--proto-max-bulk-len", "12"], /argument must be between 1048576 and/],
    [["--port"], />>> 'port'\nwrong number of arguments/],
    [["/no/such/file.conf"], /can't open config file '\/no\/such\/file.conf'/],
  ];
  for (const [args, pattern] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await runCli(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, "");
    });
  }
  await t.step("a stray word after an option is part of its value", async () => {
    const r = await runCli(["--port", "0", "stray"]);
    assert.match(r.stderr, />>> 'port "0" "stray"'\nwrong number of arguments/);
  });
  await t.step("a port in use", async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const r = await runCli(["--port", String((l.addr as Deno.NetAddr).port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Could not create server listening socket/);
    } finally {
      l.close();
    }
  });
});

Deno.test("a bad line in a config file is reported with its number", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplite-cli-" });
  try {
    const conf = `${dir}/bad.conf`;
    await Deno.writeTextFile(conf, 'port 0\nbind 127.0.0.1 "x\n');
    const r = await runCli([conf]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /at line 2\n>>> 'bind 127.0.0.1 "x'\nUnbalanced quotes/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseCommandLine: options override the file; values keep their bytes", async () => {
  const files: Record<string, string> = {
    "a.conf": 'port 7000\nrequirepass "p\\xffw"\nbind 127.0.0.1 ::1\n',
  };
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) return Promise.reject(new Deno.errors.NotFound(path));
    return Promise.resolve(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  };
  const cli = await parseCommandLine(["a.conf", "--PORT", "0", "--hz", "1000"], read);
  assert.deepEqual(cli, {
    file: "a.conf",
    config: { port: "0", requirepass: "p\xffw", bind: "127.0.0.1 ::1", hz: "1000" },
  });
  const utf8 = await parseCommandLine(["--requirepass", "é"], read);
  assert.equal(utf8.config.requirepass, "\xc3\xa9"); // the UTF-8 bytes, as AUTH sends them
  await assert.rejects(parseCommandLine(["b.conf"], read), /can't open config file 'b.conf'/);
});

Deno.test("parseConfigText reads redis.conf syntax", () => {
  assert.deepEqual(
    parseConfigText("# x\n\n  port 1\r\nSave 900 1\nrequirepass 'a b'\n"),
    [["port", "1"], ["save", "900 1"], ["requirepass", "a b"]],
  );
  assert.throws(() => parseConfigText("port\n"), /wrong number of arguments/);
  assert.throws(() => parseConfigText('port "1\n'), /Unbalanced quotes/);
});

Deno.test("the server answers a raw pipeline over the CLI's port", async () => {
  await using cli = await startCli(["--port", "0"]);
  await using c = await RawClient.connect(cli.port);
  await c.write(encodeCommand(["PING"]).repeat(100));
  for (let i = 0; i < 100; i++) assert.equal(await c.reply(), "+PONG\r\n");
  assert.equal((await cli.stop()).code, 0);
});
