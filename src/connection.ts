/**
 * One client connection, in the shape the product is built on: the socket's
 * `ReadableStream` (pull-based, one reused read buffer, right-sized chunks)
 * piped through a `RespCommandStream` (a `TransformStream` from bytes to
 * command cursors) into this async dispatcher loop, which runs each command
 * and encodes its reply. The transform's readable side has a high-water mark
 * of 0, so a chunk is decoded only once the loop asks for it, and commands
 * are decoded one at a time between executions: a limit that depends on the
 * client's state (the unauthenticated request limits) sees the effect of an
 * AUTH earlier in the same read, as in Redis. Its writable side queues up to
 * `READ_AHEAD` bytes, so the socket is still read while a command blocks.
 * Every reply produced by one chunk goes out in one write, started once every
 * chunk received in the same event-loop turn has been handled (the server's
 * {@linkcode FlushQueue}).
 *
 * @module
 */

import type { CommandCursor } from "./resp/decoder.ts";
import { RespCommandStream } from "./resp/stream.ts";
import { ReplyEncoder } from "./resp/encoder.ts";
import { error, type Reply } from "./resp/reply.ts";
import type { Client, ClientBuffers, ClientTransport } from "./client.ts";
import type { Engine } from "./engine.ts";
import { outputBufferLimits } from "./config.ts";
import { clientInfoLine } from "./client.ts";

/** The slab reads go into; a read gets at least MIN_READ of it. */
const SLAB_SIZE = 64 * 1024;
const MIN_READ = 16 * 1024;
/**
 * Output still unsent past which the connection writes at once and waits for
 * the socket before reading more input; below it the write goes through the
 * {@linkcode FlushQueue} and the next read starts while it is in flight (the
 * write's completion would otherwise cost an event-loop turn before every
 * read: 5% of `-c 1` throughput).
 */
const WRITE_BACKPRESSURE = 64 * 1024;
/**
 * Input read ahead of the commands being run, in bytes: while a command
 * blocks (or a batch waits for the socket), the socket stream goes on
 * reading up to this much, so a peer that leaves is noticed.
 */
const READ_AHEAD = 1024 * 1024;
/** Output Redis keeps in a client's fixed buffer, outside `client-output-buffer-limit`. */
const STATIC_REPLY_BUFFER = 16 * 1024;

/**
 * Connections whose replies wait to be written. Each joins once it has
 * handled a read; one microtask later, after the reads that completed in
 * the same event-loop turn have been handled too, every reply goes out, as
 * Redis writes all clients' replies in `beforeSleep` rather than after each
 * read. Under 50 pipelining clients this measured 6-25% more throughput
 * than writing after each read (see README.md, Performance). One queue
 * serves every connection of a server.
 *
 * @example
 * ```ts ignore
 * const flushes = new FlushQueue();
 * const connection = new Connection(conn, engine, { flushes });
 * ```
 */
export class FlushQueue {
  #pending: Connection[] = [];
  #run = (): void => {
    const pending = this.#pending;
    // A connection listed twice flushes once: the second call finds its
    // write in flight, or nothing left to send.
    for (let i = 0; i < pending.length; i++) pending[i]!.flushSoon();
    pending.length = 0;
  };

  /**
   * Writes a connection's replies once the current turn's input is handled.
   *
   * @param connection the connection with replies to send
   */
  add(connection: Connection): void {
    if (this.#pending.push(connection) === 1) queueMicrotask(this.#run);
  }
}

/** Options of a {@linkcode Connection}. */
export interface ConnectionOptions {
  /** The server's queue of connections to flush; default: one of its own. */
  flushes?: FlushQueue;
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
  /** The `client-output-buffer-limit` value last parsed, and its parse. */
  #limitsText = "";
  #limits: ReturnType<typeof outputBufferLimits> | undefined;
  /** When the output first stayed over the soft limit, in seconds; -1 when under. */
  #softSince = -1;
  /** The cursor of the chunk last received (CLIENT LIST qbuf). */
  #cursor: CommandCursor | undefined;
  /** Input held when the current chunk's commands began (CLIENT LIST qbuf). */
  #batchInput = 0;
  /** The most output held at a write (CLIENT LIST rbp), and since when. */
  #outPeak = 0;
  #outPeakSince = 0;
  /** The socket read in flight, settled either way. */
  #reading: Promise<void> = Promise.resolve();
  #peerGone: Promise<undefined>;
  #signalPeerGone!: () => void;
  /** The one buffer every read of this connection goes into. */
  /**
   * The slab the socket is read into. Each read takes the slab's free tail
   * and hands on a view of what it got, so chunks share one ArrayBuffer
   * (no allocation per read, and the decoder's native latin1 view over it
   * stays valid) and are never overwritten: once less than MIN_READ is
   * left, the next read starts a fresh slab.
   */
  #slab = new Uint8Array(SLAB_SIZE);
  #slabUsed = 0;
  #flushes: FlushQueue;
  #closedSignal: Promise<undefined>;
  #signalClosed!: () => void;

  /**
   * @param conn the accepted connection
   * @param engine the engine to serve
   * @param options the server's flush queue
   */
  constructor(conn: Deno.Conn, engine: Engine, options: ConnectionOptions = {}) {
    this.#conn = conn;
    this.#engine = engine;
    this.#flushes = options.flushes ?? new FlushQueue();
    this.#closedSignal = new Promise((resolve) => {
      this.#signalClosed = () => resolve(undefined);
    });
    this.#peerGone = new Promise((resolve) => {
      this.#signalPeerGone = () => resolve(undefined);
    });
    const unix = conn.remoteAddr.transport === "unix";
    this.client = engine.connect({
      addr: addressOf(conn.remoteAddr),
      laddr: addressOf(conn.localAddr),
      transport: this,
      unix,
    });
    if (!unix) {
      try {
        const tcp = conn as Deno.TcpConn;
        tcp.setNoDelay(true);
        // Redis sets SO_KEEPALIVE when tcp-keepalive > 0; the runtime offers
        // no per-socket probe interval, so the system's applies.
        if (engine.config.number("tcp-keepalive") > 0) tcp.setKeepAlive(true);
      } catch {
        // Not every transport supports it; a socket reset already fails here.
      }
    }
  }

  /**
   * Reads, executes and answers until the peer or the server closes: the
   * socket's {@linkcode ReadableStream} piped through a
   * {@linkcode RespCommandStream}, whose cursors this loop drains.
   */
  async run(): Promise<void> {
    const engine = this.#engine;
    const client = this.client;
    const reader = this.#socketStream()
      .pipeThrough(
        new RespCommandStream({
          maxBulkLen: () => engine.config.number("proto-max-bulk-len"),
          authenticated: () => client.authenticated,
        }, { readAhead: READ_AHEAD }),
      )
      .getReader();
    try {
      while (!this.#closed) {
        let cursor: CommandCursor;
        try {
          const r = await reader.read();
          if (r.done) {
            // The peer closed its side: replies already produced still go
            // out where the socket takes them, then it closes.
            await this.#flush();
            break;
          }
          cursor = r.value;
        } catch {
          break; // The socket failed (reset).
        }
        if (this.#closed) break;
        this.#cursor = cursor;
        this.#batchInput = cursor.buffered;
        this.#inBatch = true;
        engine.beginBatch();
        for (let argv = cursor.next(); argv !== undefined; argv = cursor.next()) {
          client.beginCommand();
          let reply = engine.call(client, argv);
          if (reply instanceof Promise) {
            // The waiting command keeps its arguments (CLIENT LIST argv-mem).
            let held = 0;
            for (let i = 0; i < argv.length; i++) held += argv[i]!.length;
            client.waitingArgvMem = held;
            engine.endBatch();
            await this.#flush();
            // A blocked client closed under us (server close, CLIENT KILL)
            // stops waiting, and so does one whose peer left: the socket
            // stream goes on reading while the command waits (input that
            // arrives queues up to READ_AHEAD bytes, to run after the reply),
            // so a peer that closes is noticed and leaves the wait queues.
            const settled = await Promise.race([reply, this.#closedSignal, this.#peerGone]);
            client.waitingArgvMem = 0;
            engine.beginBatch();
            if (settled === undefined) break;
            reply = settled;
          }
          if (client.sendsReply) this.#out.write(reply, client.resp);
          engine.afterReply(client);
          if (this.#overOutputLimit()) break;
          if (client.closing || this.#closed) break;
          if (this.#out.length >= WRITE_BACKPRESSURE) {
            // A pipeline of large replies to a client that reads slowly (or
            // not at all) holds at most this much before the socket takes it:
            // the rest of the batch waits, as later input waits unread.
            engine.endBatch();
            await this.#flush();
            engine.beginBatch();
            if (this.#closed) break;
          }
        }
        engine.endBatch();
        this.#inBatch = false;
        const protocolError = cursor.error;
        if (protocolError !== undefined && !client.closing) {
          engine.stats.error("ERR");
          if (client.replyMode === "on") {
            this.#out.write(error(protocolError), client.resp);
            client.closing = true;
          } else {
            // CLIENT REPLY OFF (or a pending SKIP) silences the error, and as
            // in Redis, with nothing to send the close never comes: the
            // connection stays open, ignoring its input, until the peer leaves.
            await this.#flush();
            try {
              while (!this.#closed && !(await reader.read()).done) {
                // Dropped: the decoder has failed and ignores its input.
              }
            } catch {
              // The peer left.
            }
            break;
          }
        }
        if (client.closing || this.#out.length >= WRITE_BACKPRESSURE) await this.#flush();
        else if (this.#out.length > 0) this.#flushes.add(this);
        if (client.closing) break;
      }
    } catch (e) {
      // Handlers never throw here (the dispatcher answers for them): a bug.
      engine.log("warning", `connection ${client.addr} failed: ${e}`);
    } finally {
      this.#inBatch = false;
      this.#closeSocket();
      engine.disconnect(client);
      reader.cancel().catch(() => {});
      // The socket read in flight ends with the close; wait for it, so no
      // operation outlives the connection.
      await this.#reading;
    }
  }

  /**
   * The socket as a pull-based byte stream: each pull reads once into the
   * free tail of the connection's slab and enqueues a view of the bytes
   * read (`conn.readable` would allocate a fresh 64 KiB buffer per read). It
   * closes when the peer does, and errors on a reset.
   */
  #socketStream(): ReadableStream<Uint8Array> {
    const stats = this.#engine.stats;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (this.#closed) {
          controller.close();
          return;
        }
        if (SLAB_SIZE - this.#slabUsed < MIN_READ) {
          this.#slab = new Uint8Array(SLAB_SIZE);
          this.#slabUsed = 0;
        }
        const slab = this.#slab;
        const start = this.#slabUsed;
        const read = this.#conn.read(start === 0 ? slab : slab.subarray(start)).then((n) => {
          if (n === null) {
            this.#signalPeerGone();
            controller.close();
            return;
          }
          stats.netInputBytes += n;
          stats.totalReads++;
          this.#slabUsed = start + n;
          controller.enqueue(slab.subarray(start, start + n));
        }, (e) => {
          this.#signalPeerGone();
          controller.error(e);
        });
        this.#reading = read;
        return read;
      },
    }, { highWaterMark: 0 });
  }

  /**
   * Sends a reply outside the request flow.
   *
   * @param reply the reply
   */
  push(reply: Reply): void {
    // A client closing after its reply (a protocol error, QUIT) gets nothing
    // more, as Redis adds no reply to a CLOSE_AFTER_REPLY client.
    if (this.#closed || this.client.closing) return;
    this.#out.write(reply, this.client.resp);
    if (this.#overOutputLimit()) return;
    if (!this.#inBatch) this.#flush().catch(() => {});
  }

  /**
   * Enforces `client-output-buffer-limit` for the client's class, as Redis's
   * closeClientOnOutputBufferLimitReached: past the hard limit, or past the
   * soft limit for longer than its seconds, the connection is closed and
   * the client dropped (so a subscriber that never reads cannot hold the
   * server's memory or its publishers).
   *
   * @returns whether the connection was closed
   */
  #overOutputLimit(): boolean {
    // As in Redis, the first 16 KiB (its static reply buffer) do not count.
    const used = this.#out.length - STATIC_REPLY_BUFFER;
    if (used <= 0 || this.#closed) return false;
    const engine = this.#engine;
    const text = engine.config.get("client-output-buffer-limit");
    if (text !== this.#limitsText) {
      this.#limitsText = text;
      this.#limits = outputBufferLimits(text);
    }
    const type = this.client.type;
    const limit = type === "pubsub"
      ? this.#limits!.pubsub
      : type === "replica"
      ? this.#limits!.replica
      : this.#limits!.normal;
    if (limit.hard === 0 && limit.soft === 0) return false;
    let over = limit.hard !== 0 && used >= limit.hard;
    if (limit.soft !== 0 && used >= limit.soft) {
      const now = Math.floor(engine.now() / 1000);
      if (this.#softSince === -1) this.#softSince = now;
      else if (now - this.#softSince > limit.softSeconds) over = true;
    } else {
      this.#softSince = -1;
    }
    if (!over) return false;
    engine.log(
      "warning",
      `Client ${
        clientInfoLine(this.client, 0)
      } scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    this.#closeSocket();
    this.client.closing = true;
    engine.disconnect(this.client);
    return true;
  }

  /** Closes the connection at once (CLIENT KILL, shutdown). */
  close(): void {
    this.client.closing = true;
    this.#closeSocket();
  }

  /** @returns bytes the decoder holds */
  inputBuffered(): number {
    return this.#cursor?.buffered ?? 0;
  }

  /** @returns bytes waiting to be written */
  outputBuffered(): number {
    return this.#out.length;
  }

  /**
   * The buffers' state for CLIENT LIST. `rbp` is the most output held at a
   * write since the peak was last reported over 5 seconds ago (Redis resets
   * its peak every 5 seconds).
   *
   * @returns the figures
   */
  buffers(): ClientBuffers {
    const client = this.client;
    // While this client's commands run (not blocked), the whole chunk counts.
    const running = this.#inBatch && !client.blocking.isBlocked(client);
    const output = this.#out.length;
    const now = this.#engine.now();
    if (output > this.#outPeak) this.#outPeak = output;
    const rbp = this.#outPeak;
    if (now - this.#outPeakSince >= 5000) {
      this.#outPeak = output;
      this.#outPeakSince = now;
    }
    return {
      qbuf: running ? this.#batchInput : this.inputBuffered(),
      qbufFree: SLAB_SIZE - this.#slabUsed,
      rbs: this.#out.capacity,
      rbp,
      output,
      writing: this.#writing !== undefined,
    };
  }

  /** Starts writing the pending replies (for the {@linkcode FlushQueue}). */
  flushSoon(): void {
    this.#flush().catch(() => {});
  }

  #flush(): Promise<void> {
    if (this.#writing !== undefined) return this.#writing;
    if (this.#out.length === 0 || this.#closed) return Promise.resolve();
    // A drain always awaits a write before it ends (its finally clears
    // this), unless the socket is already closed, where it no longer matters.
    this.#writing = this.#drain();
    return this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#out.length > 0 && !this.#closed) {
        const view = this.#out.view();
        const n = view.length;
        if (n > this.#outPeak) this.#outPeak = n;
        let off = 0;
        try {
          while (off < n) off += await this.#conn.write(off === 0 ? view : view.subarray(off));
        } catch {
          this.#closeSocket();
          return;
        }
        this.#engine.stats.netOutputBytes += n;
        this.#engine.stats.totalWrites++;
        this.#out.consume(n);
      }
    } finally {
      this.#writing = undefined;
    }
  }

  #closeSocket(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signalClosed();
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
