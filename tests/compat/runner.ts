/**
 * Runs differential cases against two servers and compares their replies.
 *
 * @module
 */

import { encodeCommand, RawClient, replyEnd } from "../support/raw_client.ts";
import type { Compare, CompatCase, Step } from "./case.ts";

/** The replies one server gave to a case. */
export type Transcript = string[];

function stepArgv(step: Step): readonly string[] {
  return Array.isArray(step)
    ? step as readonly string[]
    : (step as { argv: readonly string[] }).argv;
}

function stepCompare(step: Step): Compare {
  return Array.isArray(step) ? "exact" : (step as { compare?: Compare }).compare ?? "exact";
}

/** Runs a case on one server: FLUSHALL on a side connection, then the steps. */
export async function runCase(port: number, c: CompatCase): Promise<Transcript> {
  {
    const admin = await RawClient.connect(port);
    try {
      await admin.call("FLUSHALL");
    } finally {
      admin.close();
    }
  }
  const client = await RawClient.connect(port);
  // Further connections (steps with `conn`), opened on first use.
  const others = new Map<number, RawClient>();
  const ids = new Map<number, string>();
  const connection = async (n: number): Promise<RawClient> => {
    if (n === 0) return client;
    let other = others.get(n);
    if (other === undefined) {
      other = await RawClient.connect(port);
      others.set(n, other);
      // Asked at once: the connection may be in pub/sub mode by the time `$id:N` needs it.
      ids.set(n, (await other.call("CLIENT", "ID")).slice(1, -2));
    }
    return other;
  };
  const clientId = async (n: number): Promise<string> => {
    let id = ids.get(n);
    if (id === undefined) {
      const reply = await (await connection(n)).call("CLIENT", "ID");
      id = reply.slice(1, -2);
      ids.set(n, id);
    }
    return id;
  };
  try {
    if (c.resp === 3) await client.call("HELLO", "3");
    const out: string[] = [];
    for (const step of c.steps) {
      const options = Array.isArray(step)
        ? {}
        : step as { raw?: string; conn?: number; replies?: number };
      const target = await connection(options.conn ?? 0);
      const argv: string[] = [];
      for (const arg of stepArgv(step)) {
        argv.push(arg.startsWith("$id:") ? await clientId(Number(arg.slice(4))) : arg);
      }
      if (options.raw !== undefined) await target.write(options.raw);
      else if (argv.length > 0) await target.write(encodeCommand(argv));
      let replies = "";
      try {
        for (let i = 0; i < (options.replies ?? 1); i++) replies += await target.reply(3000);
        out.push(replies);
      } catch (e) {
        out.push(`${replies}<no reply: ${e instanceof Error ? e.message.slice(0, 60) : e}>`);
        if (target === client && client.closed) break;
      }
    }
    return out;
  } finally {
    client.close();
    for (const other of others.values()) other.close();
  }
}

/** Splits a flat RESP array reply into its elements' raw bytes. */
export function elements(reply: string): string[] | null {
  if (!"*~%>".includes(reply[0] ?? "")) return null;
  const lineEnd = reply.indexOf("\r\n");
  let n = Number(reply.slice(1, lineEnd));
  if (reply[0] === "%") n *= 2;
  const out: string[] = [];
  let p = lineEnd + 2;
  for (let i = 0; i < n; i++) {
    const end = replyEnd(reply, p);
    if (end === -1) return null;
    out.push(reply.slice(p, end));
    p = end;
  }
  return out;
}

/** An INFO or CLIENT LIST value's kind: integer, decimal or anything else. */
function valueKind(v: string): string {
  if (/^-?\d+$/.test(v)) return "int";
  if (/^-?\d+\.\d+$/.test(v)) return "dec";
  return "str";
}

/** CLIENT LIST / INFO fields compared exactly under `fields`. */
const EXACT_CLIENT_FIELDS = new Set([
  "name",
  "flags",
  "db",
  "sub",
  "psub",
  "ssub",
  "multi",
  "argv-mem",
  "multi-mem",
  "obl",
  "oll",
  "omem",
  "cmd",
  "user",
  "redir",
  "resp",
]);

/**
 * The shape of an INFO or CLIENT LIST reply for the `fields` comparison:
 * its reply type, then one line per section header or field, with each
 * value reduced to its kind (see {@linkcode Compare}).
 */
export function fieldShape(reply: string): string {
  const type = reply[0] ?? "";
  if (type !== "$" && type !== "=") return reply;
  let text = reply.slice(reply.indexOf("\r\n") + 2, -2);
  if (type === "=") text = text.slice(4);
  const out = [type];
  if (text.includes("\r\n") || text.startsWith("#")) {
    let stats: string[] | undefined;
    const endStats = () => {
      if (stats !== undefined) out.push(...stats.sort());
      stats = undefined;
    };
    for (const line of text.split("\r\n")) {
      if (line.startsWith("#")) {
        endStats();
        out.push(line);
        // Redis prints these in its hash order: compared in name order.
        if (line === "# Commandstats" || line === "# Latencystats") stats = [];
        continue;
      }
      const colon = line.indexOf(":");
      if (colon === -1) {
        endStats();
        out.push(line);
        continue;
      }
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1);
      const shaped = value.includes("=")
        ? value.split(",").map((f) => {
          const eq = f.indexOf("=");
          return `${f.slice(0, eq)}=${valueKind(f.slice(eq + 1))}`;
        }).join(",")
        : valueKind(value);
      (stats ?? out).push(`${name}:${shaped}`);
    }
    endStats();
    return out.join("\n");
  }
  for (const line of text.split("\n")) {
    if (line === "") continue;
    out.push(
      line.split(" ").map((f) => {
        const eq = f.indexOf("=");
        const name = f.slice(0, eq);
        const value = f.slice(eq + 1);
        return `${name}=${EXACT_CLIENT_FIELDS.has(name) ? value : valueKind(value)}`;
      }).join(" "),
    );
  }
  return out.join("\n");
}

/** Whether two replies match under a comparison mode. */
export function matches(mode: Compare, a: string, b: string): boolean {
  switch (mode) {
    case "exact":
      return a === b;
    case "type":
      return a[0] === b[0];
    case "approx": {
      if (a[0] !== ":" || b[0] !== ":") return a === b;
      return Math.abs(Number(a.slice(1, -2)) - Number(b.slice(1, -2))) <= 1;
    }
    case "unordered": {
      const ea = elements(a);
      const eb = elements(b);
      if (ea === null || eb === null) return a === b;
      return a[0] === b[0] && JSON.stringify(ea.sort()) === JSON.stringify(eb.sort());
    }
    case "fields":
      return fieldShape(a) === fieldShape(b);
    case "pairs": {
      const ea = elements(a);
      const eb = elements(b);
      if (ea === null || eb === null || ea.length % 2 || eb.length % 2) return a === b;
      const pairs = (e: string[]) => {
        const p: string[] = [];
        for (let i = 0; i < e.length; i += 2) p.push(e[i]! + e[i + 1]!);
        return JSON.stringify(p.sort());
      };
      return a[0] === b[0] && pairs(ea) === pairs(eb);
    }
  }
}

/** Compares two transcripts of a case; returns a description of each difference. */
export function diff(c: CompatCase, ours: Transcript, theirs: Transcript): string[] {
  const problems: string[] = [];
  for (let i = 0; i < c.steps.length; i++) {
    const a = ours[i];
    const b = theirs[i];
    if (a === undefined && b === undefined) continue;
    const mode = stepCompare(c.steps[i]!);
    if (a !== undefined && b !== undefined && mode === "fields" && !matches(mode, a, b)) {
      const ours = fieldShape(a).split("\n");
      const theirs = fieldShape(b).split("\n");
      const lines: string[] = [];
      for (let j = 0; j < Math.max(ours.length, theirs.length) && lines.length < 20; j++) {
        if (ours[j] !== theirs[j]) {
          lines.push(`  line ${j}: resplite ${ours[j]} | redis ${theirs[j]}`);
        }
      }
      problems.push(`step ${i} ${JSON.stringify(stepArgv(c.steps[i]!))}:\n${lines.join("\n")}`);
      continue;
    }
    if (a === undefined || b === undefined || !matches(mode, a, b)) {
      problems.push(
        `step ${i} ${JSON.stringify(stepArgv(c.steps[i]!))}:\n  resplite: ${
          JSON.stringify(a)
        }\n  redis:    ${JSON.stringify(b)}`,
      );
    }
  }
  return problems;
}
