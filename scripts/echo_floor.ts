/**
 * The runtime's floor for `redis-benchmark -c 1 -P 1`: a Deno server that
 * answers every read with one status reply and does nothing else (no
 * decoding, no keyspace). `deno task bench` measures it beside resplite
 * and redis-server, so the cost of one round trip through Deno's event
 * loop is visible in every recorded run. Valid only for one request per
 * read (`-P 1`).
 *
 * ```sh
 * deno run -A scripts/echo_floor.ts --port 7000
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Deno.args, options: { port: { type: "string" } } });
const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(values.port ?? 0) });
const reply = new TextEncoder().encode("+PONG\r\n");

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(64 * 1024);
  try {
    while ((await conn.read(buffer)) !== null) await conn.write(reply);
  } catch {
    // The peer left.
  } finally {
    conn.close();
  }
}

for await (const conn of listener) serve(conn);
