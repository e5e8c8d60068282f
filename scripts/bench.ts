/**
 * `deno task bench`: resplite side by side with a real redis-server, both
 * driven by redis-benchmark, interleaved test by test (A, B, then B, A in
 * the next repetition), reported as medians and ratios. Writes
 * `bench/results.md`.
 *
 * ```sh
 * deno task bench            # full run: 5 interleaved repetitions
 * deno task bench --reps 7   # more repetitions (at least 3)
 * deno task bench --quick    # fewer requests, for a smoke run
 * deno task bench --only="-c 1 -P 1|floor" --out /tmp/c1.md  # some sections
 * deno task bench --only="-c 50|stream memory" --tests=xadd,xrange_count10  # some tests
 * deno task bench --only="-c 50 -P 1$" --tests=evalsha  # EVALSHA of a two-call script
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { statCpuSeconds } from "../src/server.ts";
import { sha1Hex } from "../src/store/sha1.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    reps: { type: "string", default: "5" },
    out: { type: "string", default: "bench/results.md" },
    "v8-flags": { type: "string", default: "" },
    only: { type: "string", default: "" },
    tests: { type: "string", default: "" },
  },
});
/** Sections to run: a regular expression over their titles (`floor`, `memory`, `start-up` too). */
const ONLY = opts.only === "" ? undefined : new RegExp(opts.only);
const wanted = (title: string) => ONLY === undefined || ONLY.test(title);
const REPS = Math.max(3, Number(opts.reps));
const QUICK = opts.quick;
const ROOT = new URL("..", import.meta.url).pathname;
/** How resplite is started: `deno run -A [--v8-flags=...] main.ts`. */
const DENO_ARGS = [
  "run",
  "-A",
  ...(opts["v8-flags"] ? [`--v8-flags=${opts["v8-flags"]}`] : []),
  `${ROOT}main.ts`,
];

interface Target {
  name: string;
  pid: number;
  port: number;
  child: Deno.ChildProcess;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function has(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

async function ping(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(16);
      const n = await conn.read(buf);
      return n !== null && new TextDecoder().decode(buf.subarray(0, n)) === "+PONG\r\n";
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

async function waitReady(port: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await ping(port)) return;
    await sleep(2);
  }
  throw new Error(`server on ${port} did not answer`);
}

async function startResplite(): Promise<Target> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...DENO_ARGS, "--port", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitReady(port);
  return { name: "resplite", pid: child.pid, port, child };
}

/**
 * A reference server from `scripts/`: `echo_floor.ts` (the runtime's `-c 1`
 * floor) or `plain_loop_floor.ts` (the engine behind a plain read loop).
 */
async function startFloor(script: string, name: string): Promise<Target> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}scripts/${script}`, "--port", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitReady(port);
  return { name, pid: child.pid, port, child };
}

async function startRedis(): Promise<Target> {
  const port = freePort();
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitReady(port);
  return { name: "redis", pid: child.pid, port, child };
}

async function stop(t: Target): Promise<void> {
  try {
    t.child.kill("SIGKILL");
  } catch {
    // gone
  }
  await t.child.status;
}

/** utime + stime of every thread of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const [system, user] = statCpuSeconds(Deno.readTextFileSync(`/proc/${pid}/stat`));
  return system + user;
}

function memKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m === null ? 0 : Number(m[1]);
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("redis-cli", {
    args: ["-p", String(port), ...args],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

interface RunResult {
  /** Requests per second by redis-benchmark's test name. */
  rps: Map<string, number>;
  /** Server CPU seconds, and the requests they served. */
  cpu: number;
  requests: number;
}

async function benchmark(
  t: Target,
  args: string[],
  requests: number,
  tests: string[],
): Promise<RunResult> {
  const before = cpuSeconds(t.pid);
  const out = await new Deno.Command("redis-benchmark", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(t.port),
      "--csv",
      "-n",
      String(requests),
      ...args,
      ...(tests.length === 1 && CUSTOM_TESTS[tests[0]!] !== undefined
        ? CUSTOM_TESTS[tests[0]!]!.argv
        : ["-t", tests.join(",")]),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const after = cpuSeconds(t.pid);
  const rps = new Map<string, number>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m === null) continue;
    // A custom test is reported under its command line: name it as the test.
    const custom = tests.length === 1 && CUSTOM_TESTS[tests[0]!] !== undefined;
    rps.set(custom ? tests[0]! : m[1]!, Number(m[2]));
  }
  const total = requests * Math.max(1, rps.size);
  return { rps, cpu: after - before, requests: total };
}

/**
 * Runs every test on every target, each test on all targets back to back
 * (so the host's speed, which drifts by 2x on shared machines, is nearly
 * the same for the runs a ratio compares), in an order that turns around
 * every repetition (A B, B A, ...) so neither target always goes first.
 *
 * @returns per target, one result per repetition (CPU and requests summed over its tests)
 */
async function interleaved(
  targets: Target[],
  args: string[],
  requests: number,
  tests: string[],
): Promise<RunResult[][]> {
  const runs: RunResult[][] = targets.map(() => []);
  for (let rep = 0; rep < REPS; rep++) {
    const order = [...targets.keys()];
    if (rep % 2 === 1) order.reverse();
    const sums = targets.map((): RunResult => ({ rps: new Map(), cpu: 0, requests: 0 }));
    for (const test of tests) {
      for (const i of order) {
        const r = await benchmark(targets[i]!, args, requests, [test]);
        const sum = sums[i]!;
        for (const [name, rps] of r.rps) sum.rps.set(name, rps);
        sum.cpu += r.cpu;
        sum.requests += r.requests;
      }
    }
    for (const [i, sum] of sums.entries()) runs[i]!.push(sum);
  }
  return runs;
}

/**
 * Prints one table of medians: each target's requests/s, then each
 * target's ratio to the last one (redis-server), the median of the
 * per-repetition ratios; then each target's median server CPU per request
 * (and, for two targets, their ratio).
 */
function ratioTable(
  print: (s?: string) => void,
  targets: Target[],
  runs: RunResult[][],
): void {
  const ref = targets.length - 1;
  const names = targets.map((t) => t.name);
  const ratioNames = names.slice(0, ref).map((n) => `${n} / ${names[ref]}`);
  print(`| test | ${names.map((n) => `${n} req/s`).join(" | ")} | ${ratioNames.join(" | ")} |`);
  print(`|---|${names.map(() => "---:").join("|")}|${ratioNames.map(() => "---:").join("|")}|`);
  for (const test of runs[0]![0]!.rps.keys()) {
    const rps = runs.map((rs) => rs.map((r) => r.rps.get(test) ?? NaN));
    const ratios = rps.slice(0, ref).map((xs) =>
      median(xs.map((x, rep) => x / (rps[ref]![rep] ?? NaN)))
    );
    print(
      `| ${test} | ${rps.map((xs) => fmt(median(xs))).join(" | ")} | ${
        ratios.map((r) => fmt(r, 3)).join(" | ")
      } |`,
    );
  }
  print();
  const cpu = runs.map((rs) => median(rs.map((r) => (r.cpu / r.requests) * 1e6)));
  print(
    `Server CPU per request (utime+stime, all threads): ${
      targets.map((t, i) => `${t.name} ${fmt(cpu[i]!, 2)} µs`).join(", ")
    }${cpu.length === 2 ? `, ratio ${fmt(cpu[0]! / cpu[1]!, 2)}` : ""}`,
  );
  print();
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (n: number, d = 0) => Number.isFinite(n) ? n.toFixed(d) : "-";

interface Config {
  title: string;
  args: string[];
  requests: number;
  tests: string[];
}

/** The sorted set the `zrangebyscore_limit` test reads: members `m0`... with scores 0... */
const ZRANGE_KEY = "bench:zrange";
const ZRANGE_MEMBERS = 1000;
/** The stream the `xadd` test appends to: one 16-byte field value per entry. */
const XADD_KEY = "bench:xadd";
const STREAM_VALUE = "0123456789abcdef";
/** The stream the `xrange_count10` test reads, prefilled with this many entries. */
const XRANGE_KEY = "bench:xrange";
const XRANGE_ENTRIES = 1000;

/**
 * The script the `evalsha` test runs: two `redis.call`s, a SET then a GET
 * of KEYS[1]. It is loaded with SCRIPT LOAD on both servers first.
 */
const EVALSHA_SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])";
/** The key the `evalsha` test writes and reads. */
const EVALSHA_KEY = "bench:evalsha";

/**
 * Tests that are not redis-benchmark's own (`-t`): the command line it
 * sends instead, and the command that must exist.
 */
const CUSTOM_TESTS: Record<string, { argv: string[]; command: string }> = {
  zrangebyscore_limit: {
    argv: ["ZRANGEBYSCORE", ZRANGE_KEY, "100", "+inf", "LIMIT", "0", "10"],
    command: "zrangebyscore",
  },
  xadd: {
    argv: ["XADD", XADD_KEY, "*", "f", STREAM_VALUE],
    command: "xadd",
  },
  xrange_count10: {
    argv: ["XRANGE", XRANGE_KEY, "-", "+", "COUNT", "10"],
    command: "xrange",
  },
  evalsha: {
    argv: ["EVALSHA", sha1Hex(EVALSHA_SCRIPT), "1", EVALSHA_KEY, STREAM_VALUE],
    command: "evalsha",
  },
};

const CORE_TESTS = [
  "set",
  "get",
  "incr",
  "mset",
  "lpush",
  "rpop",
  "sadd",
  "hset",
  "zadd",
  "zrangebyscore_limit",
  "lrange_100",
  "xadd",
  "xrange_count10",
  "evalsha",
];

async function supported(port: number, tests: string[]): Promise<string[]> {
  const commandOf: Record<string, string> = { lrange_100: "lrange" };
  const out: string[] = [];
  for (const t of tests) {
    const info = await cli(port, "COMMAND", "INFO", CUSTOM_TESTS[t]?.command ?? commandOf[t] ?? t);
    if (info !== "" && !info.startsWith("ERR")) out.push(t);
  }
  return out;
}

/** Encodes commands as RESP arrays of bulk strings (ASCII arguments). */
function encodeCommands(commands: readonly (readonly string[])[]): Uint8Array {
  let text = "";
  for (const argv of commands) {
    text += `*${argv.length}\r\n`;
    for (const a of argv) text += `$${a.length}\r\n${a}\r\n`;
  }
  return new TextEncoder().encode(text);
}

/**
 * Sends `ZADD key score member ...` commands building a sorted set of `n`
 * members (`member(i)` with score `i`), 100 members per command, and waits
 * for every reply.
 */
async function fillZset(
  port: number,
  key: string,
  n: number,
  member: (i: number) => string,
): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const perCommand = 100;
    const batch = 100;
    const buf = new Uint8Array(64 * 1024);
    for (let i = 0; i < n; i += perCommand * batch) {
      const commands: string[][] = [];
      for (let c = i; c < Math.min(n, i + perCommand * batch); c += perCommand) {
        const argv = ["ZADD", key];
        for (let j = c; j < Math.min(n, c + perCommand); j++) argv.push(String(j), member(j));
        commands.push(argv);
      }
      await conn.write(encodeCommands(commands));
      // Every reply is one line (`:100\r\n` or an error): count line ends.
      let lines = 0;
      while (lines < commands.length) {
        const got = await conn.read(buf);
        if (got === null) throw new Error("connection closed while filling a sorted set");
        for (let k = 0; k < got; k++) if (buf[k] === 10) lines++;
      }
    }
  } finally {
    conn.close();
  }
}

/**
 * Sends `XADD key * f <16 bytes>` `n` times, 1000 commands per write, and
 * waits for every reply (a bulk string: two line ends each).
 */
async function fillStream(port: number, key: string, n: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const batch = 1000;
    const buf = new Uint8Array(64 * 1024);
    const one = encodeCommands([["XADD", key, "*", "f", STREAM_VALUE]]);
    for (let i = 0; i < n; i += batch) {
      const count = Math.min(batch, n - i);
      const bytes = new Uint8Array(one.length * count);
      for (let c = 0; c < count; c++) bytes.set(one, c * one.length);
      await conn.write(bytes);
      let lines = 0;
      while (lines < count * 2) {
        const got = await conn.read(buf);
        if (got === null) throw new Error("connection closed while filling a stream");
        for (let k = 0; k < got; k++) if (buf[k] === 10) lines++;
      }
    }
  } finally {
    conn.close();
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const print = (s = "") => {
    console.log(s);
    lines.push(s);
  };
  const haveRedis = await has("redis-server");
  if (!(await has("redis-benchmark"))) {
    console.error("redis-benchmark is not installed (apt-get install -y redis-tools)");
    Deno.exit(1);
  }
  const cpuModel = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ??
    "unknown";
  print(`# resplite benchmark`);
  print();
  print(`- date: ${new Date().toISOString()}`);
  print(
    `- machine: ${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, ${cpuModel}`,
  );
  print(
    `- deno: ${Deno.version.deno}; redis-server: ${
      haveRedis ? await redisVersion() : "not installed"
    }`,
  );
  print(
    `- command: \`deno task bench${QUICK ? " --quick" : ""}${
      ONLY === undefined ? "" : ` --only="${ONLY.source}"`
    }${
      opts.tests === "" ? "" : ` --tests=${opts.tests}`
    }\`, ${REPS} interleaved repetitions, medians`,
  );
  if (!haveRedis) print(`- redis-server is not installed: resplite is reported alone`);
  print();

  const ours = await startResplite();
  const theirs = haveRedis ? await startRedis() : undefined;
  try {
    const chosen = opts.tests === "" ? CORE_TESTS : opts.tests.split(",");
    const tests = await supported(ours.port, chosen);
    if (tests.includes("zrangebyscore_limit")) {
      for (const t of theirs === undefined ? [ours] : [ours, theirs]) {
        await fillZset(t.port, ZRANGE_KEY, ZRANGE_MEMBERS, (i) => `m${i}`);
      }
    }
    if (tests.includes("evalsha")) {
      for (const t of theirs === undefined ? [ours] : [ours, theirs]) {
        const sha = await cli(t.port, "SCRIPT", "LOAD", EVALSHA_SCRIPT);
        if (sha !== sha1Hex(EVALSHA_SCRIPT)) throw new Error(`SCRIPT LOAD on ${t.name}: ${sha}`);
      }
    }
    if (tests.includes("xrange_count10")) {
      for (const t of theirs === undefined ? [ours] : [ours, theirs]) {
        await fillStream(t.port, XRANGE_KEY, XRANGE_ENTRIES);
      }
    }
    const skipped = chosen.filter((t) => !tests.includes(t));
    if (skipped.length > 0) print(`Skipped (not implemented yet): ${skipped.join(", ")}`);
    print();
    const n = QUICK ? 20000 : 100000;
    const configs: Config[] = [
      { title: "-c 50 -P 1", args: ["-c", "50", "-P", "1"], requests: n, tests },
      { title: "-c 50 -P 16", args: ["-c", "50", "-P", "16"], requests: n * 5, tests },
      { title: "-c 1 -P 1", args: ["-c", "1", "-P", "1"], requests: Math.floor(n / 4), tests },
      {
        title: "-c 50 -P 1 -d 1024",
        args: ["-c", "50", "-P", "1", "-d", "1024"],
        requests: n,
        tests: ["set", "get"],
      },
      {
        title: "-c 1000 -P 1",
        args: ["-c", "1000", "-P", "1"],
        requests: n,
        tests: ["set", "get"],
      },
    ];
    for (const config of configs.filter((c) => wanted(c.title))) {
      const targets = theirs === undefined ? [ours] : [ours, theirs];
      const runs = await interleaved(targets, config.args, config.requests, config.tests);
      print(`## ${config.title} (${config.requests} requests per test)`);
      print();
      ratioTable(print, targets, runs);
    }
    if (theirs !== undefined && wanted("floor")) {
      await floor(print, ours, theirs, QUICK ? 5000 : 25000);
    }
    if (theirs !== undefined && wanted("plain loop")) {
      await plainLoop(print, ours, theirs, n);
    }
  } finally {
    await stop(ours);
    if (theirs !== undefined) await stop(theirs);
  }
  if (wanted("memory")) {
    // Fresh processes: a heap that already grew under the throughput runs hides the cost per key.
    const ours = await startResplite();
    const theirs = haveRedis ? await startRedis() : undefined;
    try {
      await memory(print, ours, theirs);
    } finally {
      await stop(ours);
      if (theirs !== undefined) await stop(theirs);
    }
  }
  const sizing: [string, string, typeof zsetMemory][] = [
    ["zset memory", "zadd", zsetMemory],
    ["stream memory", "xadd", streamMemory],
  ];
  for (const [section, command, measure] of sizing) {
    if (!wanted(section)) continue;
    const ours = await startResplite();
    const theirs = haveRedis ? await startRedis() : undefined;
    try {
      if ((await supported(ours.port, [command])).length === 1) await measure(print, ours, theirs);
    } finally {
      await stop(ours);
      if (theirs !== undefined) await stop(theirs);
    }
  }
  if (wanted("start-up")) await startup(print, haveRedis);
  await Deno.mkdir(`${ROOT}bench`, { recursive: true });
  const outPath = opts.out.startsWith("/") ? opts.out : `${ROOT}${opts.out}`;
  await Deno.writeTextFile(outPath, lines.join("\n") + "\n");
  // Keep the committed file as `deno fmt` wants it.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", outPath],
    stdout: "null",
    stderr: "null",
  })
    .output();
  console.log(`\nwritten to ${outPath}`);
}

/**
 * `-c 1 -P 1` against a Deno server that does no work: every request is a
 * round trip through the event loop, whose cost no server code can remove.
 */
async function floor(
  print: (s?: string) => void,
  ours: Target,
  theirs: Target,
  requests: number,
): Promise<void> {
  const echo = await startFloor("echo_floor.ts", "deno floor");
  try {
    const targets = [echo, ours, theirs];
    const runs = await interleaved(targets, ["-c", "1", "-P", "1"], requests, ["set", "get"]);
    print(`## -c 1 -P 1: the runtime's floor (${requests} requests per test)`);
    print();
    print(
      "A Deno server that answers each read and does nothing else (`scripts/echo_floor.ts`), " +
        "interleaved with resplite and redis-server.",
    );
    print();
    ratioTable(print, targets, runs);
  } finally {
    await stop(echo);
  }
}

/**
 * The stream shape's cost: resplite against the same engine served by a
 * plain read loop (`scripts/plain_loop_floor.ts`), with redis-server.
 */
async function plainLoop(
  print: (s?: string) => void,
  ours: Target,
  theirs: Target,
  requests: number,
): Promise<void> {
  const plain = await startFloor("plain_loop_floor.ts", "plain loop");
  try {
    for (const args of [["-c", "50", "-P", "1"], ["-c", "50", "-P", "16"]]) {
      const n = args[3] === "16" ? requests * 5 : requests;
      const targets = [ours, plain, theirs];
      const runs = await interleaved(targets, args, n, ["set", "get", "incr"]);
      print(`## ${args.join(" ")}: the stream path against the plain-loop floor (${n} requests)`);
      print();
      print(
        "The same engine, decoder and encoder behind a bare `conn.read()` loop " +
          "(`scripts/plain_loop_floor.ts`), interleaved with resplite and redis-server.",
      );
      print();
      ratioTable(print, targets, runs);
    }
  } finally {
    await stop(plain);
  }
}

async function redisVersion(): Promise<string> {
  const out = await new Deno.Command("redis-server", { args: ["--version"], stdout: "piped" })
    .output();
  return /v=(\S+)/.exec(new TextDecoder().decode(out.stdout))?.[1] ?? "?";
}

async function memory(
  print: (s?: string) => void,
  ours: Target,
  theirs: Target | undefined,
): Promise<void> {
  const n = QUICK ? 200000 : 1000000;
  print(`## Memory: \`redis-benchmark -t set -r ${n} -n ${n} -d 16 -P 32\``);
  print();
  print(
    "| server | keys | RSS before | RSS after | bytes/key (RSS) | used_memory bytes/key | peak RSS |",
  );
  print("|---|---:|---:|---:|---:|---:|---:|");
  const perKey: number[] = [];
  for (const t of [ours, theirs]) {
    if (t === undefined) continue;
    await sleep(300);
    const before = memKb(t.pid, "VmRSS") * 1024;
    const usedBefore = Number(
      /used_memory:(\d+)/.exec(await cli(t.port, "INFO", "memory"))?.[1] ?? NaN,
    );
    await new Deno.Command("redis-benchmark", {
      args: [
        "-p",
        String(t.port),
        "-t",
        "set",
        "-r",
        String(n),
        "-n",
        String(n),
        "-d",
        "16",
        "-P",
        "32",
        "-q",
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    await sleep(1000);
    const keys = Number(await cli(t.port, "DBSIZE"));
    const after = memKb(t.pid, "VmRSS") * 1024;
    const used = Number(/used_memory:(\d+)/.exec(await cli(t.port, "INFO", "memory"))?.[1] ?? NaN);
    const peak = memKb(t.pid, "VmHWM") * 1024;
    const bpk = (after - before) / keys;
    perKey.push(bpk);
    print(
      `| ${t.name} | ${keys} | ${fmt(before / 1048576, 1)} MiB | ${fmt(after / 1048576, 1)} MiB | ${
        fmt(bpk)
      } | ${fmt((used - usedBefore) / keys)} | ${fmt(peak / 1048576, 1)} MiB |`,
    );
  }
  if (perKey.length === 2) {
    print(`\nRSS per key ratio resplite / redis: ${fmt(perKey[0]! / perKey[1]!, 2)}`);
  }
  print();
}

/**
 * One sorted set of 1,000,000 members of 16 bytes (skiplist encoding):
 * RSS and used_memory per member, on fresh processes.
 */
async function zsetMemory(
  print: (s?: string) => void,
  ours: Target,
  theirs: Target | undefined,
): Promise<void> {
  const n = QUICK ? 200000 : 1000000;
  print(`## Sorted-set memory: one zset of ${n} members of 16 bytes, scores 0..${n - 1}`);
  print();
  print(
    "| server | members | encoding | RSS before | RSS after | bytes/member (RSS) | " +
      "used_memory bytes/member |",
  );
  print("|---|---:|---|---:|---:|---:|---:|");
  const perMember: number[] = [];
  for (const t of [ours, theirs]) {
    if (t === undefined) continue;
    await sleep(300);
    const before = memKb(t.pid, "VmRSS") * 1024;
    const usedBefore = Number(
      /used_memory:(\d+)/.exec(await cli(t.port, "INFO", "memory"))?.[1] ?? NaN,
    );
    await fillZset(t.port, "bench:zmem", n, (i) => `member:${String(i).padStart(9, "0")}`);
    await sleep(1000);
    const members = Number(await cli(t.port, "ZCARD", "bench:zmem"));
    const encoding = await cli(t.port, "OBJECT", "ENCODING", "bench:zmem");
    const after = memKb(t.pid, "VmRSS") * 1024;
    const used = Number(/used_memory:(\d+)/.exec(await cli(t.port, "INFO", "memory"))?.[1] ?? NaN);
    const bpm = (after - before) / members;
    perMember.push(bpm);
    print(
      `| ${t.name} | ${members} | ${encoding} | ${fmt(before / 1048576, 1)} MiB | ${
        fmt(after / 1048576, 1)
      } MiB | ${fmt(bpm)} | ${fmt((used - usedBefore) / members)} |`,
    );
  }
  if (perMember.length === 2) {
    print(`\nRSS per member ratio resplite / redis: ${fmt(perMember[0]! / perMember[1]!, 2)}`);
  }
  print();
}

/**
 * One stream of 1,000,000 entries of one 16-byte field (`XADD s * f
 * <16 bytes>`): RSS and used_memory per entry on fresh processes, and
 * resplite's RSS growth per entry against redis-server's used_memory growth.
 */
async function streamMemory(
  print: (s?: string) => void,
  ours: Target,
  theirs: Target | undefined,
): Promise<void> {
  const n = QUICK ? 200000 : 1000000;
  print(`## Stream memory: one stream of ${n} entries of one 16-byte field (XADD * f <16 bytes>)`);
  print();
  print(
    "| server | entries | RSS before | RSS after | bytes/entry (RSS) | used_memory bytes/entry |",
  );
  print("|---|---:|---:|---:|---:|---:|");
  const rss: number[] = [];
  const used: number[] = [];
  for (const t of [ours, theirs]) {
    if (t === undefined) continue;
    await sleep(300);
    const before = memKb(t.pid, "VmRSS") * 1024;
    const usedBefore = Number(
      /used_memory:(\d+)/.exec(await cli(t.port, "INFO", "memory"))?.[1] ?? NaN,
    );
    await fillStream(t.port, "bench:smem", n);
    await sleep(1000);
    const entries = Number(await cli(t.port, "XLEN", "bench:smem"));
    const after = memKb(t.pid, "VmRSS") * 1024;
    const usedAfter = Number(
      /used_memory:(\d+)/.exec(await cli(t.port, "INFO", "memory"))?.[1] ?? NaN,
    );
    rss.push((after - before) / entries);
    used.push((usedAfter - usedBefore) / entries);
    print(
      `| ${t.name} | ${entries} | ${fmt(before / 1048576, 1)} MiB | ${
        fmt(after / 1048576, 1)
      } MiB | ${fmt(rss[rss.length - 1]!)} | ${fmt(used[used.length - 1]!)} |`,
    );
  }
  if (rss.length === 2) {
    print(
      `\nresplite RSS per entry / redis used_memory per entry: ${fmt(rss[0]! / used[1]!, 2)}; ` +
        `RSS ratio: ${fmt(rss[0]! / rss[1]!, 2)}`,
    );
  }
  print();
}

async function timeToPong(cmd: string, args: string[]): Promise<number> {
  const port = freePort();
  const start = performance.now();
  const child = new Deno.Command(cmd, {
    args: [...args, "--port", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (;;) {
    if (await ping(port)) break;
    if (performance.now() - start > 20000) break;
  }
  const ms = performance.now() - start;
  child.kill("SIGKILL");
  await child.status;
  return ms;
}

async function startup(print: (s?: string) => void, haveRedis: boolean): Promise<void> {
  const runs = 7;
  const ours: number[] = [];
  const theirs: number[] = [];
  await timeToPong(Deno.execPath(), DENO_ARGS); // warm the cache
  for (let i = 0; i < runs; i++) {
    ours.push(await timeToPong(Deno.execPath(), DENO_ARGS));
    if (haveRedis) {
      theirs.push(await timeToPong("redis-server", ["--save", "", "--appendonly", "no"]));
    }
  }
  print(`## Start-up: process start to first PONG (median of ${runs})`);
  print();
  print(`| server | ms |`);
  print(`|---|---:|`);
  print(`| deno ${DENO_ARGS.join(" ").replace(ROOT, "")} | ${fmt(median(ours), 1)} |`);
  if (haveRedis) print(`| redis-server | ${fmt(median(theirs), 1)} |`);
  print();
}

if (import.meta.main) await main();
