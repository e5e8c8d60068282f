/**
 * A raw RESP client for tests: sends argument vectors (or raw bytes) and
 * returns each reply's exact bytes, so tests can compare replies byte for
 * byte with real Redis.
 *
 * @module
 */

/** Binary string (one char per byte) of some bytes. */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Bytes of a binary string. */
export function bytesOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Encodes an argument vector as a RESP multibulk request (binary strings). */
export function encodeCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/**
 * Finds the end of one complete RESP2/RESP3 reply in `buf` from `pos`.
 *
 * @returns the index after the reply, or -1 when incomplete
 */
export function replyEnd(buf: string, pos: number): number {
  if (pos >= buf.length) return -1;
  const type = buf[pos];
  const lineEnd = buf.indexOf("\r\n", pos);
  if (lineEnd === -1) return -1;
  const head = buf.slice(pos + 1, lineEnd);
  let p = lineEnd + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "_":
    case ",":
    case "#":
    case "(":
      return p;
    case "$":
    case "=":
    case "!": {
      const n = Number(head);
      if (n < 0) return p;
      if (buf.length < p + n + 2) return -1;
      return p + n + 2;
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      let n = Number(head);
      if (n < 0) return p;
      if (type === "%" || type === "|") n *= 2;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p);
        if (p === -1) return -1;
      }
      if (type === "|") return replyEnd(buf, p);
      return p;
    }
    default:
      throw new Error(
        `bad reply type ${JSON.stringify(type)} in ${JSON.stringify(buf.slice(pos, pos + 40))}`,
      );
  }
}

/**
 * A raw connection.
 *
 * @example
 * ```ts ignore
 * await using c = await RawClient.connect(port);
 * assert.equal(await c.call("PING"), "+PONG\r\n");
 * ```
 */
export class RawClient implements AsyncDisposable {
  #conn: Deno.Conn;
  #buf = "";
  #eof = false;
  #readBuf = new Uint8Array(64 * 1024);

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects to 127.0.0.1:port (or a Unix socket path). */
  static async connect(port: number | string): Promise<RawClient> {
    const conn = typeof port === "number"
      ? await Deno.connect({ hostname: "127.0.0.1", port })
      : await Deno.connect({ transport: "unix", path: port });
    return new RawClient(conn);
  }

  /** Sends raw bytes (a binary string or bytes). */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? bytesOf(data) : data;
    let off = 0;
    while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
  }

  /** Sends one command and returns its reply's raw bytes as a binary string. */
  async call(...argv: string[]): Promise<string> {
    await this.write(encodeCommand(argv));
    return await this.reply();
  }

  /** Reads the next complete reply. Throws if the connection closes first. */
  async reply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = replyEnd(this.#buf, 0);
      if (end !== -1) {
        const r = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end);
        return r;
      }
      if (this.#eof) throw new Error(`connection closed; pending ${JSON.stringify(this.#buf)}`);
      if (Date.now() > deadline) throw new Error(`timeout; pending ${JSON.stringify(this.#buf)}`);
      await this.#fill(deadline - Date.now());
    }
  }

  /** Reads until the peer closes; returns everything not yet consumed. */
  async readToEnd(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#eof) {
      if (Date.now() > deadline) {
        throw new Error(`timeout waiting for close; got ${JSON.stringify(this.#buf)}`);
      }
      await this.#fill(deadline - Date.now());
    }
    const r = this.#buf;
    this.#buf = "";
    return r;
  }

  /** Whether the peer closed the connection. */
  get closed(): boolean {
    return this.#eof;
  }

  async #fill(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(1, timeoutMs));
    });
    try {
      const r = await Promise.race([this.#conn.read(this.#readBuf).catch(() => null), timeout]);
      if (r === "timeout") return;
      if (r === null) this.#eof = true;
      else this.#buf += latin1(this.#readBuf.subarray(0, r));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Half-closes the connection: no more bytes are sent, replies still arrive. */
  async closeWrite(): Promise<void> {
    await (this.#conn as Deno.TcpConn).closeWrite();
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
