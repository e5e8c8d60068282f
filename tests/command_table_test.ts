/**
 * The command table against a real redis-server 7.0.15: the data file is
 * what `deno task gen-commands` would write from it, every handler's name
 * is in it, and resplite's COMMAND INFO, DOCS, GETKEYS, COUNT and LIST
 * answer as the real server does (`scripts/check_commands.ts`). Skipped,
 * with the reason, where no redis-server is installed.
 */

import assert from "node:assert/strict";
import { checkCommands } from "../scripts/check_commands.ts";
import { hasRedisServer, startRealRedis } from "./support/server.ts";

const REAL = hasRedisServer();
const SKIP = "redis-server is not installed (apt-get install -y redis-server)";
if (!REAL) console.log(`command table: skipped: ${SKIP}`);

Deno.test({
  name: REAL
    ? "the command table and COMMAND's replies match redis-server"
    : `the command table and COMMAND's replies match redis-server (skipped: ${SKIP})`,
  ignore: !REAL,
  async fn() {
    await using real = await startRealRedis();
    const result = await checkCommands(real.port);
    assert.deepEqual(result.problems, [], result.problems.join("\n"));
    assert.ok(result.checked > 100, `only ${result.checked} commands compared`);
  },
});
