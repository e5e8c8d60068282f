/**
 * The differential suite: every case in tests/compat/cases is sent to
 * resplite and to a real redis-server 7.0.15, and the replies must match.
 * Skipped, with the reason, where no redis-server is installed.
 */

import assert from "node:assert/strict";
import { startServer } from "../src/server.ts";
import { CommandTable } from "../src/commands/spec.ts";
import { registerAll } from "../src/commands/mod.ts";
import { hasRedisServer, startRealRedis } from "./support/server.ts";
import { GROUP_CONFIG, GROUPS } from "./compat/cases/mod.ts";
import { diff, runCase } from "./compat/runner.ts";

const REAL = hasRedisServer();
if (!REAL) {
  console.log("compat: skipped: redis-server is not installed (apt-get install -y redis-server)");
}

const TABLE = new CommandTable();
registerAll(TABLE);

/** Why a case cannot run yet, if it needs commands resplite lacks. */
function missing(requires: readonly string[] = []): string | undefined {
  const absent = requires.filter((name) => TABLE.lookup(name) === undefined);
  return absent.length === 0 ? undefined : `needs ${absent.join(", ")}, not implemented yet`;
}

for (const [group, cases] of Object.entries(GROUPS)) {
  Deno.test({
    name: `compat: ${group} replies match redis-server byte for byte`,
    ignore: !REAL || cases.length === 0,
    async fn(t) {
      const config = GROUP_CONFIG[group] ?? {};
      await using real = await startRealRedis(
        Object.entries(config).flatMap(([name, value]) => [`--${name}`, value]),
      );
      await using ours = await startServer({ port: 0, config: { ...config } });
      for (const c of cases) {
        const skip = c.skip ?? missing(c.requires);
        if (skip !== undefined) console.log(`compat: skipped "${c.name}": ${skip}`);
        await t.step({
          name: c.name,
          ignore: skip !== undefined,
          async fn() {
            const theirs = await runCase(real.port, c);
            const mine = await runCase(ours.port, c);
            const problems = diff(c, mine, theirs);
            assert.deepEqual(problems, [], problems.join("\n"));
          },
        });
      }
    },
  });
}
