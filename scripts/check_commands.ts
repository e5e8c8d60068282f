/**
 * `deno task check-commands`: checks the command table against a real
 * redis-server 7.0.15. It also runs inside `deno task test`
 * (`tests/command_table_test.ts`).
 *
 * - The data file (`src/commands/table.json`) is what `deno task
 *   gen-commands` would write from this server: every command and
 *   subcommand's `COMMAND INFO` and `COMMAND DOCS`, in the same order.
 * - Every handler is bound to a name the data file has.
 * - For every command resplite implements (the later commands of
 *   `scripts/later_commands.ts` aside, which this server cannot describe),
 *   resplite's `COMMAND INFO`, `COMMAND DOCS`, `COMMAND GETKEYS` and
 *   `COMMAND GETKEYSANDFLAGS` replies are the real server's, byte for byte,
 *   in RESP2 and RESP3. A container lists only the subcommands resplite
 *   has, and Redis orders them by hash: they are compared in name order.
 *   GETKEYS is asked about command lines built from each command's
 *   documented arguments.
 * - `COMMAND COUNT` and `COMMAND LIST` (unfiltered, and filtered by each
 *   ACL category and a few patterns) give the real server's answers
 *   restricted to what resplite implements.
 *
 * ```sh
 * deno task check-commands             # starts redis-server on a free port
 * deno task check-commands get config  # replies of these commands only
 * deno task check-commands --port 6379 # a running redis-server
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startServer } from "../src/server.ts";
import { allHandlers } from "../src/commands/mod.ts";
import type { CommandArgument } from "../src/commands/spec.ts";
import { COMMAND_DATA, type CommandData, type CommandTableData } from "../src/commands/table.ts";
import { formatTable, readCommandTable, REDIS_VERSION, withRedis } from "./gen_commands.ts";
import { LATER_COMMANDS } from "./later_commands.ts";
import { RespConnection, type RespValue } from "./resp3_client.ts";

/** What a check found. */
export interface CheckResult {
  /** Differences: the check fails when there is any. */
  readonly problems: string[];
  /** What was left out, and why. */
  readonly notes: string[];
  /** How many commands' replies were compared. */
  readonly checked: number;
}

/** Two connections, one per server, in one protocol. */
interface Pair {
  readonly resp: 2 | 3;
  readonly ours: RespConnection;
  readonly real: RespConnection;
}

/**
 * Runs every check against the real server on `port`.
 *
 * @param port the real redis-server's port
 * @param host its host
 * @param names the commands whose replies to compare (all by default)
 * @returns the problems and notes
 */
export async function checkCommands(
  port: number,
  host = "127.0.0.1",
  names: readonly string[] = [],
): Promise<CheckResult> {
  const problems: string[] = [];
  const notes: string[] = [];
  using admin = await RespConnection.open(port, host);
  const fresh = await readCommandTable(admin);
  if (fresh.redis_version !== REDIS_VERSION) {
    notes.push(`the real server is Redis ${fresh.redis_version}, not ${REDIS_VERSION}`);
  }
  compareTables(COMMAND_DATA, fresh, problems);
  checkHandlerNames(COMMAND_DATA, problems);

  await using server = await startServer({ port: 0 });
  const pairs: Pair[] = [];
  try {
    for (const resp of [2, 3] as const) {
      const ours = await RespConnection.open(server.port);
      pairs.push({ resp, ours, real: await RespConnection.open(port, host) });
      if (resp === 3) {
        await ours.call("HELLO", "3");
        await pairs.at(-1)!.real.call("HELLO", "3");
      }
    }
    const implemented: string[] = [];
    const containers = new Set<string>();
    for (const cmd of server.engine.commands.all()) {
      implemented.push(cmd.fullName);
      if (cmd.subcommands !== undefined) {
        containers.add(cmd.fullName);
        for (const sub of cmd.subcommands.values()) implemented.push(sub.fullName);
      }
    }
    const later = new Set(Object.keys(LATER_COMMANDS));
    const comparable = implemented.filter((n) => !later.has(n.split("|")[0]!));
    const skipped = implemented.filter((n) => later.has(n));
    if (skipped.length > 0) {
      notes.push(`not in Redis ${REDIS_VERSION}, not compared: ${skipped.join(", ")}`);
    }
    const wanted = names.length === 0
      ? comparable
      : comparable.filter((n) => names.includes(n) || names.includes(n.split("|")[0]!));
    const keep = new Set(implemented);
    for (const name of wanted) {
      for (const pair of pairs) {
        const container = containers.has(name);
        for (const sub of ["INFO", "DOCS"]) {
          await compareReply(pair, ["COMMAND", sub, name], problems, container ? keep : undefined);
        }
        for (const line of sampleLines(name)) {
          for (const sub of ["GETKEYS", "GETKEYSANDFLAGS"]) {
            await compareReply(pair, ["COMMAND", sub, ...line], problems);
          }
        }
      }
    }
    if (names.length === 0) await compareLists(pairs[0]!, implemented, later, problems);
    const missing = Object.keys(COMMAND_DATA.commands).length - server.engine.commands.size;
    notes.push(`${missing} commands of the table have no handler (not implemented)`);
    return { problems, notes, checked: wanted.length };
  } finally {
    for (const pair of pairs) {
      pair.ours.close();
      pair.real.close();
    }
  }
}

/** The data file against a fresh read of the server, command by command. */
function compareTables(file: CommandTableData, fresh: CommandTableData, problems: string[]): void {
  if (formatTable(file) === formatTable(fresh)) return;
  const before = problems.length;
  if (file.redis_version !== fresh.redis_version) {
    problems.push(
      `table.json: read from Redis ${file.redis_version}, the server is ${fresh.redis_version}`,
    );
  }
  compareEntries(file.commands, fresh.commands, problems);
  if (problems.length === before) problems.push("table.json: not in the generated order or form");
  problems.push("table.json: deno task gen-commands rewrites it from the server");
}

function compareEntries(
  file: Readonly<Record<string, CommandData>>,
  fresh: Readonly<Record<string, CommandData>>,
  problems: string[],
): void {
  const names = new Set([...Object.keys(file), ...Object.keys(fresh)]);
  for (const name of [...names].sort()) {
    const a = file[name];
    const b = fresh[name];
    if (a === undefined) problems.push(`table.json: no ${name}, which redis has`);
    else if (b === undefined) problems.push(`table.json: ${name} is not a redis command`);
    else {
      for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (field === "subcommands") {
          compareEntries(a.subcommands ?? {}, b.subcommands ?? {}, problems);
          continue;
        }
        const x = JSON.stringify((a as unknown as Record<string, unknown>)[field]);
        const y = JSON.stringify((b as unknown as Record<string, unknown>)[field]);
        if (x !== y) problems.push(`table.json: ${name}: ${field}: ${x}, redis ${y}`);
      }
    }
  }
}

/** Every handler's name must be a command or subcommand of the data. */
function checkHandlerNames(data: CommandTableData, problems: string[]): void {
  for (const name of Object.keys(allHandlers())) {
    const [top, sub] = name.split("|");
    const entry = data.commands[top!];
    const found = sub === undefined ? entry : entry?.subcommands?.[name];
    if (found === undefined) problems.push(`handler ${name}: not a command of table.json`);
  }
}

/** Compares one command's replies; `keep` names the subcommands a container may list. */
async function compareReply(
  pair: Pair,
  argv: readonly string[],
  problems: string[],
  keep?: ReadonlySet<string>,
): Promise<void> {
  const ours = await pair.ours.call(...argv);
  const real = await pair.real.call(...argv);
  let a = ours.raw;
  let b = real.raw;
  if (keep !== undefined && a !== b) {
    a = encode(sortSubcommands(ours.value, keep));
    b = encode(sortSubcommands(real.value, keep));
  }
  if (a !== b) {
    problems.push(
      `${argv.join(" ")} (RESP${pair.resp}):\n  resplite: ${JSON.stringify(ours.raw)}\n` +
        `  redis:    ${JSON.stringify(real.raw)}`,
    );
  }
}

/** COMMAND COUNT and LIST: the real server's answers, restricted to what resplite has. */
async function compareLists(
  pair: Pair,
  implemented: readonly string[],
  later: ReadonlySet<string>,
  problems: string[],
): Promise<void> {
  const have = new Set(implemented);
  const top = implemented.filter((n) => !n.includes("|"));
  const count = (await pair.ours.call("COMMAND", "COUNT")).raw;
  if (count !== `:${top.length}\r\n`) problems.push(`COMMAND COUNT: ${JSON.stringify(count)}`);
  const cats = strings((await pair.real.call("ACL", "CAT")).value);
  const filters = [
    [],
    ...cats.map((c) => ["FILTERBY", "ACLCAT", c]),
    ...["*", "c*", "*|*", "config|*", "[a-h]?t*", "nosuch"].map((p) => ["FILTERBY", "PATTERN", p]),
  ];
  for (const filter of filters) {
    const argv = ["COMMAND", "LIST", ...filter];
    const ours = strings((await pair.ours.call(...argv)).value).sort();
    const real = strings((await pair.real.call(...argv)).value).filter((n) => have.has(n)).sort();
    const expected = [...real, ...ours.filter((n) => later.has(n))].sort();
    if (JSON.stringify(ours) !== JSON.stringify(expected)) {
      problems.push(`${argv.join(" ")}: resplite ${ours.join(" ")}; redis ${real.join(" ")}`);
    }
  }
}

function strings(v: RespValue): string[] {
  if (v.kind !== "array" && v.kind !== "set") return [];
  return v.items.map((x) => "value" in x ? String(x.value) : "");
}

/**
 * A container's COMMAND INFO or DOCS reply with its subcommands limited to
 * `keep` and in name order.
 */
function sortSubcommands(v: RespValue, keep: ReadonlySet<string>): RespValue {
  if (v.kind === "array" && v.items.length === 1 && v.items[0]!.kind === "array") {
    // COMMAND INFO: one entry, its subcommands last.
    const entry = v.items[0]!;
    const items = [...entry.items];
    const subs = items[9];
    if (subs?.kind === "array") {
      const kept = subs.items.filter((s) => s.kind === "array" && keep.has(nameOf(s.items[0])));
      items[9] = { kind: "array", items: kept.sort((x, y) => byName(x, y)) };
    }
    return { kind: "array", items: [{ kind: "array", items }] };
  }
  // COMMAND DOCS: name -> map (RESP3) or flat array (RESP2), `subcommands` inside.
  return mapValues(
    v,
    (doc) =>
      mapValues(
        doc,
        (value, key) => key === "subcommands" ? sortPairs(value, (name) => keep.has(name)) : value,
      ),
  );
}

function nameOf(v: RespValue | undefined): string {
  return v !== undefined && "value" in v ? String(v.value) : "";
}

function byName(x: RespValue, y: RespValue): number {
  const a = x.kind === "array" ? nameOf(x.items[0]) : "";
  const b = y.kind === "array" ? nameOf(y.items[0]) : "";
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Applies `fn` to each value of a map or of a flat key/value array. */
function mapValues(v: RespValue, fn: (value: RespValue, key: string) => RespValue): RespValue {
  if (v.kind === "map") {
    return { kind: "map", entries: v.entries.map(([k, x]) => [k, fn(x, nameOf(k))]) };
  }
  if (v.kind === "array") {
    return {
      kind: "array",
      items: v.items.map((x, i) => i % 2 === 1 ? fn(x, nameOf(v.items[i - 1])) : x),
    };
  }
  return v;
}

/** A map or flat key/value array with its pairs filtered and sorted by key. */
function sortPairs(v: RespValue, keep: (key: string) => boolean): RespValue {
  let pairs: (readonly [RespValue, RespValue])[];
  if (v.kind === "map") pairs = [...v.entries];
  else if (v.kind === "array") {
    pairs = [];
    for (let i = 0; i + 1 < v.items.length; i += 2) pairs.push([v.items[i]!, v.items[i + 1]!]);
  } else return v;
  pairs = pairs.filter(([k]) => keep(nameOf(k)));
  pairs.sort(([x], [y]) => nameOf(x) < nameOf(y) ? -1 : nameOf(x) > nameOf(y) ? 1 : 0);
  return v.kind === "map"
    ? { kind: "map", entries: pairs }
    : { kind: "array", items: pairs.flat() };
}

/** A parsed reply's bytes (a null is written `_`: no reply compared here has one). */
function encode(v: RespValue): string {
  switch (v.kind) {
    case "simple":
      return `+${v.value}\r\n`;
    case "error":
      return `-${v.value}\r\n`;
    case "integer":
      return `:${v.value}\r\n`;
    case "double":
      return `,${v.value}\r\n`;
    case "bignum":
      return `(${v.value}\r\n`;
    case "boolean":
      return v.value ? "#t\r\n" : "#f\r\n";
    case "null":
      return "_\r\n";
    case "bulk":
      return `$${v.value.length}\r\n${v.value}\r\n`;
    case "verbatim":
      return `=${v.value.length}\r\n${v.value}\r\n`;
    case "array":
    case "set":
    case "push": {
      const head = v.kind === "array" ? "*" : v.kind === "set" ? "~" : ">";
      return `${head}${v.items.length}\r\n${v.items.map(encode).join("")}`;
    }
    case "map":
      return `%${v.entries.length}\r\n${v.entries.map(([k, x]) => encode(k) + encode(x)).join("")}`;
  }
}

/** How to build a sample command line from a command's arguments. */
interface Sampling {
  /** Whether optional arguments are given. */
  readonly optional: boolean;
  /** How many times a `multiple` argument is given. */
  readonly repeat: number;
  /** Which alternative of a `oneof` is taken. */
  readonly last: boolean;
}

const SAMPLINGS: readonly Sampling[] = [
  { optional: false, repeat: 1, last: false },
  { optional: true, repeat: 1, last: false },
  { optional: true, repeat: 2, last: true },
  { optional: true, repeat: 3, last: false },
];

/**
 * Command lines for GETKEYS built from a command's documented arguments:
 * keys are `k1`, `k2`, ..., numbers `1`, other values `v`.
 *
 * @param fullName the command (`get`, `object|encoding`)
 * @returns distinct command lines, name (and subcommand) first
 */
function sampleLines(fullName: string): string[][] {
  const [top, sub] = fullName.split("|");
  const entry = COMMAND_DATA.commands[top!];
  const data = sub === undefined ? entry : entry?.subcommands?.[fullName];
  const head = sub === undefined ? [top!] : [top!, sub];
  const args = data?.docs.arguments ?? [];
  const seen = new Set<string>();
  const lines: string[][] = [];
  for (const how of SAMPLINGS) {
    const keys = { n: 0 };
    const line = [...head, ...args.flatMap((a) => sampleArg(a, how, keys))];
    const id = JSON.stringify(line);
    if (!seen.has(id)) {
      seen.add(id);
      lines.push(line);
    }
  }
  return lines;
}

function sampleArg(arg: CommandArgument, how: Sampling, keys: { n: number }): string[] {
  const flags = arg.flags ?? [];
  if (flags.includes("optional") && !how.optional) return [];
  const times = flags.includes("multiple") ? how.repeat : 1;
  const out: string[] = [];
  for (let i = 0; i < times; i++) {
    if (arg.token !== undefined && (i === 0 || flags.includes("multiple_token"))) {
      out.push(arg.token);
    }
    out.push(...sampleValue(arg, how, keys));
  }
  return out;
}

function sampleValue(arg: CommandArgument, how: Sampling, keys: { n: number }): string[] {
  switch (arg.type) {
    case "key":
      return [`k${++keys.n}`];
    case "integer":
    case "unix-time":
      return ["1"];
    case "double":
      return ["1.5"];
    case "pattern":
      return ["*"];
    case "pure-token":
      return [];
    case "oneof": {
      const alternatives = arg.arguments ?? [];
      const pick = how.last ? alternatives.at(-1) : alternatives[0];
      return pick === undefined ? [] : sampleArg(pick, { ...how, optional: true }, keys);
    }
    case "block":
      return (arg.arguments ?? []).flatMap((a) => sampleArg(a, how, keys));
    default:
      return ["v"];
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { host: { type: "string" }, port: { type: "string" } },
    allowPositionals: true,
  });
  const names = positionals.map((n) => n.toLowerCase());
  const result = await withRedis(values, (_conn, port, host) => checkCommands(port, host, names));
  for (const note of result.notes) console.log(`note: ${note}`);
  for (const problem of result.problems) console.log(problem);
  console.log(`checked ${result.checked} commands: ${result.problems.length} difference(s)`);
  return result.problems.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
