/**
 * Dirty-count cases: how many changes (`rdb_changes_since_last_save`) one
 * write command counts, as measured on a real redis-server 7.0.15. The same
 * cases run on resplite and, where it is installed, on redis-server, so the
 * pinned numbers are checked against the oracle too.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RawClient } from "./raw_client.ts";
import { hasRedisServer, startRealRedis, testServer } from "./server.ts";
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

/** A count measured some other way than one command (a blocked client served, ...). */
export interface CountStep {
  readonly name: string;
  /** The changes Redis 7.0.15 counts. */
  readonly changes: number;
  /** Measures the changes on the server at `port`. */
  measure(port: number): Promise<number>;
}

/** What {@linkcode dirtyCountTests} checks for one command group. */
export interface DirtyCountSuite {
  /** The group's handler table: every write command in it needs a case. */
  readonly handlers: HandlerTable;
  /** Cases checked on resplite and on redis-server 7.0.15. */
  readonly cases: readonly DirtyCase[];
  /** Cases of commands 7.0.15 lacks: resplite only. */
  readonly later?: readonly DirtyCase[];
  /** Other counts, checked on both servers. */
  readonly extra?: readonly CountStep[];
}

/**
 * Registers a group's dirty-count tests: every write command has a case;
 * resplite counts what the cases pin; a real redis-server 7.0.15 counts the
 * same (skipped, saying why, without one).
 *
 * @param group the group's name
 * @param suite its handlers and cases
 */
export function dirtyCountTests(group: string, suite: DirtyCountSuite): void {
  const later = suite.later ?? [];
  const steps = (cases: readonly DirtyCase[]): CountStep[] => [
    ...cases.map((c) => ({
      name: dirtyCaseName(c),
      changes: c.changes,
      measure: (port: number) => changesOf(port, c),
    })),
    ...(suite.extra ?? []),
  ];
  const run = async (t: Deno.TestContext, port: number, list: CountStep[]) => {
    for (const s of list) {
      await t.step(s.name, async () => assert.equal(await s.measure(port), s.changes));
    }
  };
  Deno.test(`every ${group} write command has a dirty-count case`, () => {
    assert.deepEqual(writesWithoutCase(suite.handlers, [...suite.cases, ...later]), []);
  });
  Deno.test(`${group} writes count the changes Redis counts`, async (t) => {
    await using s = await testServer();
    await run(t, s.port, steps([...suite.cases, ...later]));
  });
  Deno.test({
    name: `the ${group} dirty counts hold on a real redis-server 7.0.15`,
    ignore: !hasRedisServer(), // the oracle is a real redis-server
    fn: async (t) => {
      await using real = await startRealRedis();
      await run(t, real.port, steps(suite.cases));
    },
  });
}
