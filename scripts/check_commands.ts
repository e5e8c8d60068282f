/**
 * `deno task check-commands`: compares every command in resplite's spec
 * tables with a real redis-server 7.0.15.
 *
 * For each command (and each subcommand resplite has) it compares what
 * `COMMAND INFO` reports (arity, flags, first/last/step key, ACL
 * categories, tips, key specs) and what `COMMAND DOCS` reports (summary,
 * since, group, complexity, doc flags, deprecation, history). Differences
 * are printed and the exit code is 1 if there are any. Subcommands Redis
 * has and resplite does not are listed as not implemented, which is not a
 * difference.
 *
 * ```sh
 * deno task check-commands           # every command
 * deno task check-commands get set   # only these
 * ```
 *
 * @module
 */

import { Redis } from "ioredis";
import { startServer } from "../src/server.ts";

/** A reply as ioredis parses RESP2: strings, numbers, nulls and arrays. */
type Value = string | number | null | Value[];

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function startRealRedis(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "resplite-check-" });
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    port,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** COMMAND INFO's entry, by field. */
interface Info {
  name: string;
  arity: Value;
  flags: Value;
  keys: Value;
  acl: Value;
  tips: Value;
  keySpecs: Value;
  subcommands: Map<string, Info>;
}

function parseInfo(entry: Value): Info | null {
  if (!Array.isArray(entry)) return null;
  const [name, arity, flags, first, last, step, acl, tips, keySpecs, subs] = entry;
  const subcommands = new Map<string, Info>();
  for (const sub of Array.isArray(subs) ? subs : []) {
    const info = parseInfo(sub);
    if (info !== null) subcommands.set(info.name, info);
  }
  return {
    name: String(name),
    arity: arity ?? null,
    flags: flags ?? null,
    keys: [first ?? null, last ?? null, step ?? null],
    acl: acl ?? null,
    tips: tips ?? null,
    keySpecs: keySpecs ?? null,
    subcommands,
  };
}

/** A flat key/value array as an object (COMMAND DOCS maps in RESP2). */
function fields(flat: Value): Map<string, Value> {
  const out = new Map<string, Value>();
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(String(flat[i]), flat[i + 1]!);
  return out;
}

const DOC_FIELDS = [
  "summary",
  "since",
  "group",
  "complexity",
  "doc_flags",
  "deprecated_since",
  "replaced_by",
  "history",
];

function show(v: Value | undefined): string {
  return v === undefined ? "(absent)" : JSON.stringify(v);
}

function compareInfo(ours: Info, theirs: Info, problems: string[], notes: string[]): void {
  const name = ours.name;
  const check = (field: string, a: Value, b: Value) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      problems.push(`${name}: ${field}: resplite ${show(a)}, redis ${show(b)}`);
    }
  };
  check("arity", ours.arity, theirs.arity);
  check("flags", ours.flags, theirs.flags);
  check("first/last/step", ours.keys, theirs.keys);
  check("acl categories", ours.acl, theirs.acl);
  check("tips", ours.tips, theirs.tips);
  check("key specs", ours.keySpecs, theirs.keySpecs);
  for (const [sub, info] of ours.subcommands) {
    const real = theirs.subcommands.get(sub);
    if (real === undefined) problems.push(`${sub}: not a subcommand in redis`);
    else compareInfo(info, real, problems, notes);
  }
  const missing = [...theirs.subcommands.keys()].filter((s) => !ours.subcommands.has(s));
  if (missing.length > 0) notes.push(`${name}: not implemented: ${missing.sort().join(", ")}`);
}

function compareDocs(
  name: string,
  ours: Map<string, Value>,
  theirs: Map<string, Value>,
  problems: string[],
): void {
  for (const field of DOC_FIELDS) {
    const a = ours.get(field);
    const b = theirs.get(field);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      problems.push(`${name}: docs ${field}: resplite ${show(a)}, redis ${show(b)}`);
    }
  }
  const ourSubs = fields(ours.get("subcommands") ?? null);
  const realSubs = fields(theirs.get("subcommands") ?? null);
  for (const [sub, doc] of ourSubs) {
    const real = realSubs.get(sub);
    if (real !== undefined) compareDocs(sub, fields(doc), fields(real), problems);
  }
}

async function main(): Promise<number> {
  const real = await startRealRedis();
  const server = await startServer({ port: 0 });
  const theirs = new Redis({ port: real.port, host: "127.0.0.1", lazyConnect: true });
  const ours = new Redis({ port: server.port, host: "127.0.0.1", lazyConnect: true });
  try {
    await theirs.connect();
    await ours.connect();
    const version = String(await theirs.call("INFO", "server")).match(/redis_version:(\S+)/);
    if (version?.[1] !== "7.0.15") {
      console.warn(`warning: the real server is ${version?.[1] ?? "unknown"}, not 7.0.15`);
    }
    const wanted = Deno.args.map((a) => a.toLowerCase());
    const names = wanted.length > 0
      ? wanted
      : [...server.engine.commands.all()].map((c) => c.fullName).sort();
    const problems: string[] = [];
    const notes: string[] = [];
    for (const name of names) {
      const [ourEntry] = await ours.call("COMMAND", "INFO", name) as Value[];
      const [realEntry] = await theirs.call("COMMAND", "INFO", name) as Value[];
      const ourInfo = parseInfo(ourEntry ?? null);
      const realInfo = parseInfo(realEntry ?? null);
      if (ourInfo === null) {
        problems.push(`${name}: not a resplite command`);
        continue;
      }
      if (realInfo === null) {
        // Newer commands (Redis 7.4's field expiry) cannot be checked here.
        notes.push(`${name}: not in this redis-server, skipped`);
        continue;
      }
      compareInfo(ourInfo, realInfo, problems, notes);
      const ourDocs = fields(await ours.call("COMMAND", "DOCS", name) as Value);
      const realDocs = fields(await theirs.call("COMMAND", "DOCS", name) as Value);
      compareDocs(
        name,
        fields(ourDocs.get(name) ?? null),
        fields(realDocs.get(name) ?? null),
        problems,
      );
    }
    const realCount = Number(await theirs.call("COMMAND", "COUNT"));
    for (const note of notes) console.log(`note: ${note}`);
    for (const problem of problems) console.log(problem);
    console.log(
      `checked ${names.length} commands (redis has ${realCount}): ${problems.length} difference(s)`,
    );
    return problems.length > 0 ? 1 : 0;
  } finally {
    ours.disconnect();
    theirs.disconnect();
    await server.close();
    await real.stop();
  }
}

if (import.meta.main) Deno.exit(await main());
