/**
 * The plain-loop reference for the connection path: the same engine,
 * decoder and encoder as resplite, served by a bare `conn.read()` loop (one
 * reused buffer, one write per read, no web streams, no flush queue).
 * `deno task bench` runs it beside resplite and redis-server so that every
 * recorded run states what the stream shape (socket `ReadableStream` piped
 * through `RespCommandStream`) costs against the cheapest loop over the same
 * core. Not a server to use: no blocking wake-ups, no output limits, no
 * connection bookkeeping.
 *
 * ```sh
 * deno run -A scripts/plain_loop_floor.ts --port 7000
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Engine } from "../src/engine.ts";
import { RespDecoder } from "../src/resp/decoder.ts";
import { ReplyEncoder } from "../src/resp/encoder.ts";

const { values } = parseArgs({ args: Deno.args, options: { port: { type: "string" } } });
const engine = new Engine();
const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(values.port ?? 0) });

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const client = engine.connect();
  const decoder = new RespDecoder({
    maxBulkLen: () => 512 * 1024 * 1024,
    authenticated: () => true,
  });
  const out = new ReplyEncoder();
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      decoder.release();
      const n = await conn.read(buffer);
      if (n === null) break;
      decoder.push(buffer.subarray(0, n));
      engine.beginBatch();
      for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
        const reply = engine.call(client, argv);
        out.write(reply instanceof Promise ? await reply : reply, client.resp);
      }
      engine.endBatch();
      const view = out.view();
      let off = 0;
      while (off < view.length) off += await conn.write(view.subarray(off));
      out.consume(view.length);
    }
  } catch {
    // The peer left.
  } finally {
    engine.disconnect(client);
    conn.close();
  }
}

for await (const conn of listener) serve(conn);
