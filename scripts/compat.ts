/**
 * `deno task compat`: the differential suite (`tests/compat/cases`) run
 * against resplite and a real redis-server, with a summary per group and
 * every difference printed. `deno task test` runs the same cases as
 * `tests/compat_test.ts`; this is the quick way to see where resplite
 * stands.
 *
 * ```sh
 * deno task compat                    # every group, redis-server on a free port
 * deno task compat string hash        # these groups
 * deno task compat --port 6379        # a running redis-server (flushed by each case!)
 *                                     # groups that need a configuration are skipped
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startServer } from "../src/server.ts";
import { GROUP_CONFIG, GROUPS } from "../tests/compat/cases/mod.ts";
import { diff, runCase } from "../tests/compat/runner.ts";
import { hasRedisServer, startRealRedis } from "../tests/support/server.ts";

/** One group's outcome. */
interface GroupResult {
  readonly group: string;
  passed: number;
  readonly failed: string[];
  readonly skipped: string[];
}

/**
 * Runs groups of cases, each against a fresh resplite and real server
 * started with the group's configuration (`GROUP_CONFIG`), or against the
 * running server at `port`, where a group that needs a configuration is
 * skipped.
 */
async function runGroups(groups: readonly string[], port?: number): Promise<GroupResult[]> {
  const results: GroupResult[] = [];
  for (const group of groups) {
    const result: GroupResult = { group, passed: 0, failed: [], skipped: [] };
    results.push(result);
    const config = GROUP_CONFIG[group] ?? {};
    if (port !== undefined && Object.keys(config).length > 0) {
      result.skipped.push(`every case: needs a server started with ${JSON.stringify(config)}`);
      continue;
    }
    await using ours = await startServer({ port: 0, config: { ...config } });
    await using real = port === undefined
      ? await startRealRedis(Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]))
      : undefined;
    const realPort = real?.port ?? port!;
    for (const c of GROUPS[group] ?? []) {
      const absent = (c.requires ?? []).filter((n) => ours.engine.commands.lookup(n) === undefined);
      const skip = c.skip ??
        (absent.length > 0 ? `needs ${absent.join(", ")}, not implemented yet` : undefined);
      if (skip !== undefined) {
        result.skipped.push(`${c.name}: ${skip}`);
        continue;
      }
      const theirs = await runCase(realPort, c);
      const mine = await runCase(ours.port, c);
      const problems = diff(c, mine, theirs);
      if (problems.length === 0) result.passed++;
      else result.failed.push(`${c.name}\n  ${problems.join("\n  ")}`);
    }
  }
  return results;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string" } },
    allowPositionals: true,
  });
  const unknown = positionals.filter((g) => !(g in GROUPS));
  if (unknown.length > 0) {
    console.error(
      `unknown group(s): ${unknown.join(", ")}; groups: ${Object.keys(GROUPS).join(", ")}`,
    );
    return 2;
  }
  const groups = positionals.length > 0 ? positionals : Object.keys(GROUPS);
  if (values.port === undefined && !hasRedisServer()) {
    console.error("redis-server is not installed (apt-get install -y redis-server)");
    return 2;
  }
  const results = await runGroups(
    groups,
    values.port === undefined ? undefined : Number(values.port),
  );
  const width = Math.max(...results.map((r) => r.group.length)) + 1;
  let failed = 0;
  for (const r of results) {
    for (const f of r.failed) console.log(`FAIL ${r.group}: ${f}`);
    for (const s of r.skipped) console.log(`skip ${r.group}: ${s}`);
  }
  console.log("");
  for (const r of results) {
    failed += r.failed.length;
    console.log(
      `${r.group.padEnd(width)} ${String(r.passed).padStart(4)} passed ` +
        `${String(r.failed.length).padStart(4)} failed ${
          String(r.skipped.length).padStart(4)
        } skipped`,
    );
  }
  const total = results.reduce((n, r) => n + r.passed, 0);
  console.log(`compat: ${total} cases match redis-server, ${failed} differ`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
