/**
 * `deno task gen-commands`: writes the command table, `src/commands/table.json`,
 * from a real redis-server 7.0.15.
 *
 * It reads `COMMAND INFO` and `COMMAND DOCS` (every command, RESP3, so the
 * type of every reply element is known), checks that every element has the
 * type and place resplite's encoder gives it (so the server can reproduce
 * the replies byte for byte), adds the later commands of
 * `later_commands.ts`, and writes the table sorted by name.
 *
 * ```sh
 * deno task gen-commands                       # starts redis-server on a free port
 * deno task gen-commands --port 6379           # reads a running server
 * deno task gen-commands --host 10.0.0.2 --port 6379 --out /tmp/table.json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { CommandArgument, CommandDoc } from "../src/commands/spec.ts";
import { COMMAND_FLAGS, KEY_SPEC_FLAGS } from "../src/commands/spec.ts";
import type { CommandData, CommandTableData, KeySpecData } from "../src/commands/table.ts";
import { LATER_COMMANDS } from "./later_commands.ts";
import { startRealRedis } from "../tests/support/server.ts";
import { RespConnection, type RespValue } from "./resp3_client.ts";

/** The Redis version the table describes. */
export const REDIS_VERSION = "7.0.15";

/** Where the table is written, from the repository root. */
export const TABLE_PATH = "src/commands/table.json";

/** `COMMAND DOCS` map keys, in the order Redis writes them. */
const DOC_FIELDS = [
  "summary",
  "since",
  "group",
  "complexity",
  "doc_flags",
  "deprecated_since",
  "replaced_by",
  "history",
  "arguments",
  "subcommands",
] as const;

/** An argument's map keys, in the order Redis writes them. */
const ARGUMENT_FIELDS = [
  "name",
  "type",
  "key_spec_index",
  "token",
  "since",
  "deprecated_since",
  "flags",
  "arguments",
] as const;

const KNOWN_FLAGS: ReadonlySet<string> = new Set(COMMAND_FLAGS);
const KNOWN_KEY_FLAGS: ReadonlySet<string> = new Set(KEY_SPEC_FLAGS);

/** A value read from the server, with where it came from for errors. */
class Reader {
  readonly value: RespValue;
  readonly where: string;

  constructor(value: RespValue, where: string) {
    this.value = value;
    this.where = where;
  }

  fail(what: string): never {
    throw new Error(`${this.where}: ${what}, got ${JSON.stringify(this.value).slice(0, 200)}`);
  }

  /** A string of the given RESP type, ASCII only. */
  text(kind: "bulk" | "simple"): string {
    const v = this.value;
    if (v.kind !== kind) this.fail(`expected a ${kind} string`);
    // deno-lint-ignore no-control-regex
    if (/[^\x00-\x7f]/.test(v.value)) this.fail("expected ASCII");
    return v.value;
  }

  integer(): number {
    const v = this.value;
    if (v.kind !== "integer") this.fail("expected an integer");
    return v.value;
  }

  /** The elements of an array or set. */
  items(kind: "array" | "set"): Reader[] {
    const v = this.value;
    if (v.kind !== kind) this.fail(`expected an ${kind}`);
    return v.items.map((item, i) => new Reader(item, `${this.where}[${i}]`));
  }

  /** A map's entries, keys as bulk strings. */
  entries(): [string, Reader][] {
    const v = this.value;
    if (v.kind !== "map") this.fail("expected a map");
    return v.entries.map(([k, x]) => {
      const key = new Reader(k, `${this.where} key`).text("bulk");
      return [key, new Reader(x, `${this.where}.${key}`)];
    });
  }

  /** A map's entries, checked against the known keys and their order. */
  fields(order: readonly string[]): Map<string, Reader> {
    const out = new Map<string, Reader>();
    let last = -1;
    for (const [key, value] of this.entries()) {
      const at = order.indexOf(key);
      if (at === -1) this.fail(`unknown field ${key}: teach gen_commands.ts and the encoder`);
      if (at <= last) this.fail(`field ${key} out of the expected order`);
      last = at;
      out.set(key, value);
    }
    return out;
  }
}

/** A `COMMAND INFO` entry, before its docs are attached. */
interface InfoEntry {
  readonly name: string;
  readonly data: Omit<CommandData, "docs" | "subcommands">;
  readonly subcommands: readonly InfoEntry[] | undefined;
}

function infoEntry(r: Reader): InfoEntry {
  const [name, arity, flags, first, last, step, acl, tips, keySpecs, subs, ...extra] = r.items(
    "array",
  );
  if (subs === undefined || extra.length > 0) r.fail("expected 10 elements");
  const flagNames = flags!.items("set").map((f) => f.text("simple"));
  for (const f of flagNames) if (!KNOWN_FLAGS.has(f)) flags!.fail(`unknown flag ${f}`);
  // A command without subcommands has an empty set; a container, an array.
  const subcommands = subs.value.kind === "set"
    ? (subs.items("set").length === 0 ? undefined : subs.fail("expected no subcommands"))
    : subs.items("array").map(infoEntry);
  return {
    name: name!.text("bulk"),
    data: {
      arity: arity!.integer(),
      flags: flagNames as CommandData["flags"],
      first_key: first!.integer(),
      last_key: last!.integer(),
      step: step!.integer(),
      acl_categories: acl!.items("set").map((c) => c.text("simple")),
      tips: tips!.items("set").map((t) => t.text("bulk")),
      key_specs: keySpecs!.items("set").map(keySpec),
    },
    subcommands,
  };
}

function keySpec(r: Reader): KeySpecData {
  const f = r.fields(["notes", "flags", "begin_search", "find_keys"]);
  const flags = f.get("flags")?.items("set").map((x) => x.text("simple")) ?? r.fail("no flags");
  for (const flag of flags) {
    if (!KNOWN_KEY_FLAGS.has(flag.toUpperCase())) r.fail(`unknown key-spec flag ${flag}`);
  }
  const begin = f.get("begin_search")?.fields(["type", "spec"]) ?? r.fail("no begin_search");
  const find = f.get("find_keys")?.fields(["type", "spec"]) ?? r.fail("no find_keys");
  const beginType = begin.get("type")?.text("bulk");
  const beginSpec = begin.get("spec") ?? r.fail("no begin_search spec");
  const findType = find.get("type")?.text("bulk");
  const findSpec = find.get("spec") ?? r.fail("no find_keys spec");
  let beginSearch: KeySpecData["begin_search"];
  if (beginType === "index") {
    const s = beginSpec.fields(["index"]);
    beginSearch = { type: "index", spec: { index: s.get("index")!.integer() } };
  } else if (beginType === "keyword") {
    const s = beginSpec.fields(["keyword", "startfrom"]);
    beginSearch = {
      type: "keyword",
      spec: { keyword: s.get("keyword")!.text("bulk"), startfrom: s.get("startfrom")!.integer() },
    };
  } else if (beginType === "unknown") {
    beginSpec.fields([]);
    beginSearch = { type: "unknown", spec: {} };
  } else {
    r.fail(`unknown begin_search type ${beginType}`);
  }
  let findKeys: KeySpecData["find_keys"];
  if (findType === "range") {
    const s = findSpec.fields(["lastkey", "keystep", "limit"]);
    findKeys = {
      type: "range",
      spec: {
        lastkey: s.get("lastkey")!.integer(),
        keystep: s.get("keystep")!.integer(),
        limit: s.get("limit")!.integer(),
      },
    };
  } else if (findType === "keynum") {
    const s = findSpec.fields(["keynumidx", "firstkey", "keystep"]);
    findKeys = {
      type: "keynum",
      spec: {
        keynumidx: s.get("keynumidx")!.integer(),
        firstkey: s.get("firstkey")!.integer(),
        keystep: s.get("keystep")!.integer(),
      },
    };
  } else if (findType === "unknown") {
    findSpec.fields([]);
    findKeys = { type: "unknown", spec: {} };
  } else {
    r.fail(`unknown find_keys type ${findType}`);
  }
  const notes = f.get("notes")?.text("bulk");
  const out = { flags, begin_search: beginSearch, find_keys: findKeys };
  return notes === undefined ? out : { notes, ...out };
}

/** A `COMMAND DOCS` map, and its subcommands' maps by name. */
function docsOf(r: Reader): [CommandDoc, Map<string, Reader> | undefined] {
  const f = r.fields(DOC_FIELDS);
  const doc: Record<string, unknown> = {};
  let subcommands: Map<string, Reader> | undefined;
  for (const [key, value] of f) {
    if (key === "doc_flags") doc[key] = value.items("set").map((x) => x.text("simple"));
    else if (key === "history") {
      doc[key] = value.items("set").map((h) => {
        const pair = h.items("array").map((x) => x.text("bulk"));
        if (pair.length !== 2) h.fail("expected [version, change]");
        return pair;
      });
    } else if (key === "arguments") doc[key] = value.items("array").map(argumentOf);
    else if (key === "subcommands") subcommands = new Map(value.entries());
    else doc[key] = value.text("bulk");
  }
  for (const key of ["summary", "since", "group"]) if (!(key in doc)) r.fail(`no ${key}`);
  return [doc as unknown as CommandDoc, subcommands];
}

function argumentOf(r: Reader): CommandArgument {
  const f = r.fields(ARGUMENT_FIELDS);
  const arg: Record<string, unknown> = {};
  for (const [key, value] of f) {
    if (key === "key_spec_index") arg[key] = value.integer();
    else if (key === "flags") arg[key] = value.items("set").map((x) => x.text("simple"));
    else if (key === "arguments") arg[key] = value.items("array").map(argumentOf);
    else arg[key] = value.text("bulk");
  }
  if (!("name" in arg) || !("type" in arg)) r.fail("an argument without name or type");
  return arg as unknown as CommandArgument;
}

function withDocs(
  entry: InfoEntry,
  docs: ReadonlyMap<string, Reader>,
  where: string,
): [string, CommandData] {
  const r = docs.get(entry.name);
  if (r === undefined) throw new Error(`${where}: no COMMAND DOCS entry for ${entry.name}`);
  const [doc, subDocs] = docsOf(r);
  const subNames = (entry.subcommands ?? []).map((s) => s.name).sort().join();
  if ([...subDocs?.keys() ?? []].sort().join() !== subNames) {
    throw new Error(`${entry.name}: COMMAND INFO and COMMAND DOCS list different subcommands`);
  }
  let data: CommandData = { ...entry.data, docs: doc };
  if (entry.subcommands !== undefined) {
    const subs = entry.subcommands.map((s) => withDocs(s, subDocs!, entry.name));
    data = { ...data, subcommands: Object.fromEntries(sorted(subs)) };
  }
  return [entry.name, data];
}

function sorted<T>(entries: [string, T][]): [string, T][] {
  return entries.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Reads the command table from a server, adds the later commands, and
 * returns it sorted.
 *
 * @param conn a connection to a real redis-server
 * @returns the table
 */
export async function readCommandTable(conn: RespConnection): Promise<CommandTableData> {
  const info = await conn.call("INFO", "server");
  const version = (info.value.kind === "bulk" ? info.value.value : "").match(
    /redis_version:(\S+)/,
  )?.[1];
  await conn.call("HELLO", "3");
  const all = new Reader((await conn.call("COMMAND", "INFO")).value, "COMMAND INFO");
  const docs = new Reader((await conn.call("COMMAND", "DOCS")).value, "COMMAND DOCS");
  await conn.call("HELLO", "2");
  const docsByName = new Map(docs.entries());
  const commands = all.items("array").map((r) => withDocs(infoEntry(r), docsByName, "COMMAND"));
  if (commands.length !== docsByName.size) {
    throw new Error("COMMAND INFO and COMMAND DOCS list different commands");
  }
  const names = new Set(commands.map(([name]) => name));
  for (const [name, data] of Object.entries(LATER_COMMANDS)) {
    if (names.has(name)) {
      throw new Error(`the server has ${name}: remove it from scripts/later_commands.ts`);
    }
    commands.push([name, data]);
  }
  return { redis_version: version ?? "unknown", commands: Object.fromEntries(sorted(commands)) };
}

/**
 * The table as the file holds it: JSON indented by two spaces, an array of
 * plain values on one line, and a final newline, as `deno fmt` leaves it.
 *
 * @param table the table
 * @returns the file's text
 */
export function formatTable(table: CommandTableData): string {
  return formatJson(table, "", 0) + "\n";
}

/** `deno fmt`'s line width (deno.json): a longer array of plain values is broken up. */
const LINE_WIDTH = 100;

/**
 * One JSON value, indented; `used` is how much of its first line is taken
 * before it (indent and key).
 */
function formatJson(value: unknown, indent: string, used: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) {
      const line = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
      // With the comma that may follow.
      if (used + line.length + 1 <= LINE_WIDTH) return line;
    }
    const items = value.map((v) => inner + formatJson(v, inner, inner.length));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([k, v]) => {
    const head = `${inner}${JSON.stringify(k)}: `;
    return head + formatJson(v, inner, head.length);
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/**
 * Runs `fn` with a connection to the server the flags name, or to a
 * redis-server started for it.
 *
 * @param flags `host` and `port`, if given
 * @param fn what to do
 * @returns what `fn` returns
 */
export async function withRedis<T>(
  flags: { host?: string | undefined; port?: string | undefined },
  fn: (conn: RespConnection, port: number, host: string) => Promise<T>,
): Promise<T> {
  if (flags.port !== undefined) {
    const host = flags.host ?? "127.0.0.1";
    using conn = await RespConnection.open(Number(flags.port), host);
    return await fn(conn, Number(flags.port), host);
  }
  await using real = await startRealRedis();
  using conn = await RespConnection.open(real.port);
  return await fn(conn, real.port, "127.0.0.1");
}

async function main(): Promise<number> {
  const { values: flags } = parseArgs({
    args: Deno.args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      out: { type: "string" },
      "any-version": { type: "boolean" },
    },
  });
  const out = flags.out ?? new URL(`../${TABLE_PATH}`, import.meta.url);
  const table = await withRedis(flags, (conn) => readCommandTable(conn));
  if (table.redis_version !== REDIS_VERSION && !flags["any-version"]) {
    console.error(
      `the server is Redis ${table.redis_version}, not ${REDIS_VERSION} (--any-version to go on)`,
    );
    return 1;
  }
  await Deno.writeTextFile(out, formatTable(table));
  // formatTable already writes what deno fmt would; this keeps it so if they ever differ.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "-q", out instanceof URL ? out.pathname : out],
  })
    .output();
  const count = Object.keys(table.commands).length;
  console.log(`wrote ${out instanceof URL ? TABLE_PATH : out}: ${count} commands`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
