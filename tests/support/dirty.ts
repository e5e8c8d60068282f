/**
 * Dirty-count cases: how many changes (`rdb_changes_since_last_save`) one
 * write command counts, as measured on a real redis-server 7.0.15. The same
 * cases run on resplite and, where it is installed, on redis-server, so the
 * pinned numbers are checked against the oracle too.
 *
 * @module
 */

import { RawClient } from "./raw_client.ts";
import { CommandTable } from "../../src/commands/spec.ts";
import { registerAll } from "../../src/commands/mod.ts";
import type { HandlerTable } from "../../src/commands/table.ts";

/** One write command and the changes Redis 7.0.15 counts for it. */
export interface DirtyCase {
  /** Commands run first, on the same connection, after a FLUSHALL. */
  readonly setup?: readonly (readonly string[])[];
  /** The command measured. */
  readonly run: readonly string[];
  /** Its rdb_changes_since_last_save delta on redis-server 7.0.15. */
  readonly changes: number;
}

/**
 * A case's name: the command, and its setup.
 *
 * @param c the case
 * @returns e.g. `DEL a b (after SET a 1; SET b 2)`
 */
export function dirtyCaseName(c: DirtyCase): string {
  const run = c.run.join(" ");
  const setup = c.setup ?? [];
  return setup.length === 0 ? run : `${run} (after ${setup.map((a) => a.join(" ")).join("; ")})`;
}

function dirty(info: string): number {
  const m = /rdb_changes_since_last_save:(\d+)/.exec(info);
  if (m === null) throw new Error(`no rdb_changes_since_last_save in ${JSON.stringify(info)}`);
  return Number(m[1]);
}

/**
 * Runs a case on the server at `port` from an empty keyspace.
 *
 * @param port the server's port
 * @param c the case
 * @returns how much rdb_changes_since_last_save moved over `c.run`
 */
export async function changesOf(port: number, c: DirtyCase): Promise<number> {
  await using client = await RawClient.connect(port);
  await client.call("FLUSHALL");
  for (const argv of c.setup ?? []) {
    const reply = await client.call(...argv);
    if (reply.startsWith("-")) throw new Error(`setup ${argv.join(" ")} failed: ${reply}`);
  }
  const before = dirty(await client.call("INFO", "persistence"));
  await client.call(...c.run);
  return dirty(await client.call("INFO", "persistence")) - before;
}

/**
 * The write commands (flag `write` in the command table) a group's handler
 * table binds that no case runs.
 *
 * @param handlers the group's handlers
 * @param cases its dirty-count cases
 * @returns the command names, sorted
 */
export function writesWithoutCase(handlers: HandlerTable, cases: readonly DirtyCase[]): string[] {
  const table = new CommandTable();
  registerAll(table);
  const covered = new Set(cases.map((c) => c.run[0]!.toLowerCase()));
  return Object.keys(handlers)
    .filter((name) => table.lookup(name)?.flags.has("write") === true && !covered.has(name))
    .sort();
}
