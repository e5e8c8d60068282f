import assert from "node:assert/strict";
import { testServer } from "./support/server.ts";
Deno.test("smoke: ping via ioredis and raw", async () => {
  await using t = await testServer();
  const r = await t.redis();
  assert.equal(await r.ping(), "PONG");
  const raw = await t.raw();
  assert.equal(await raw.call("ECHO", "\xff\x00a"), "$3\r\n\xff\x00a\r\n");
});
