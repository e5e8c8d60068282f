/**
 * One client connection: `conn.readable`-style byte stream -> RESP decoder
 * `TransformStream` -> dispatcher -> reply encoder -> one write per batch.
 *
 * @module
 */

import { RespDecoderStream } from "./resp/decoder.ts";
import { ReplyEncoder } from "./resp/encoder.ts";
import { error, type Reply } from "./resp/reply.ts";
import type { Client, ClientTransport } from "./client.ts";
import type { Engine } from "./engine.ts";

const READ_SIZE = 64 * 1024;

/**
 * A byte stream over a connection that reads into one reused buffer and
 * enqueues a copy of only the bytes read: no fresh 64 KiB chunk per read.
 *
 * @param conn the connection
 * @param onBytes called with each read's size
 * @returns the stream
 */
function readableOf(conn: Deno.Conn, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  const buffer = new Uint8Array(READ_SIZE);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        n = null;
      }
      if (n === null) {
        controller.close();
        return;
      }
      onBytes(n);
      controller.enqueue(buffer.slice(0, n));
    },
  }, { highWaterMark: 0 });
}

/**
 * Serves one accepted connection until it closes.
 *
 * @example
 * ```ts ignore
 * const conn = await listener.accept();
 * await new Connection(conn, engine).run();
 * ```
 */
export class Connection implements ClientTransport {
  /** The engine's client for this connection. */
  readonly client: Client;
  #conn: Deno.Conn;
  #engine: Engine;
  #out = new ReplyEncoder();
  #writing: Promise<void> | undefined;
  #inBatch = false;
  #closed = false;
  #decoderBuffered = 0;

  /**
   * @param conn the accepted connection
   * @param engine the engine to serve
   */
  constructor(conn: Deno.Conn, engine: Engine) {
    this.#conn = conn;
    this.#engine = engine;
    const unix = conn.remoteAddr.transport === "unix";
    this.client = engine.connect({
      addr: addressOf(conn.remoteAddr),
      laddr: addressOf(conn.localAddr),
      transport: this,
      unix,
    });
    if (!unix) {
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch {
        // Not every transport supports it.
      }
    }
  }

  /** Reads, executes and answers until the peer or the server closes. */
  async run(): Promise<void> {
    const engine = this.#engine;
    const client = this.client;
    const stats = engine.stats;
    const batches = readableOf(this.#conn, (n) => {
      stats.netInputBytes += n;
    }).pipeThrough(
      new RespDecoderStream({
        maxBulkLen: () => engine.config.number("proto-max-bulk-len"),
        authenticated: () => client.authenticated,
      }),
    );
    const reader = batches.getReader();
    try {
      while (!this.#closed) {
        const { value, done } = await reader.read();
        if (done || this.#closed) break;
        this.#inBatch = true;
        for (const argv of value.commands) {
          const skipping = client.replyMode === "skip";
          let reply = engine.call(client, argv);
          if (reply instanceof Promise) {
            await this.#flush();
            reply = await reply;
          }
          if (skipping && client.replyMode === "skip") client.replyMode = "on";
          if (!skipping && client.replyMode !== "off") this.#out.write(reply, client.resp);
          if (client.closing || this.#closed) break;
        }
        this.#inBatch = false;
        if (value.error !== undefined && !client.closing) {
          engine.stats.error("ERR");
          this.#out.write(error(value.error), client.resp);
          client.closing = true;
        }
        await this.#flush();
        if (client.closing) break;
      }
    } catch {
      // The connection failed or was closed under us: nothing to answer.
    } finally {
      this.#inBatch = false;
      reader.cancel().catch(() => {});
      this.#closeSocket();
      engine.disconnect(client);
    }
  }

  /**
   * Sends a reply outside the request flow.
   *
   * @param reply the reply
   */
  push(reply: Reply): void {
    if (this.#closed) return;
    this.#out.write(reply, this.client.resp);
    if (!this.#inBatch) this.#flush().catch(() => {});
  }

  /** Closes the connection at once (CLIENT KILL, shutdown). */
  close(): void {
    this.client.closing = true;
    this.#closeSocket();
  }

  /** @returns bytes the decoder holds */
  inputBuffered(): number {
    return this.#decoderBuffered;
  }

  /** @returns bytes waiting to be written */
  outputBuffered(): number {
    return this.#out.length;
  }

  #flush(): Promise<void> {
    if (this.#writing !== undefined) return this.#writing;
    if (this.#out.length === 0 || this.#closed) return Promise.resolve();
    this.#writing = this.#drain().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#out.length > 0 && !this.#closed) {
      const view = this.#out.view();
      const n = view.length;
      let off = 0;
      try {
        while (off < n) off += await this.#conn.write(view.subarray(off));
      } catch {
        this.#closeSocket();
        return;
      }
      this.#engine.stats.netOutputBytes += n;
      this.#out.consume(n);
    }
  }

  #closeSocket(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

function addressOf(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return addr.hostname.includes(":")
      ? `[${addr.hostname}]:${addr.port}`
      : `${addr.hostname}:${addr.port}`;
  }
  return `${(addr as Deno.UnixAddr).path}:0`;
}
