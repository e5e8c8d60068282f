/**
 * A minimal RESP2/RESP3 client for the scripts that keeps every reply's
 * exact type (simple or bulk string, array or set, map) and bytes, so they
 * can learn the command table from `COMMAND INFO` and `COMMAND DOCS` and
 * compare replies byte for byte.
 *
 * @module
 */

/** A parsed reply, with the RESP type it came as. */
export type RespValue =
  | { readonly kind: "simple" | "bulk" | "error" | "verbatim"; readonly value: string }
  | { readonly kind: "integer"; readonly value: number }
  | { readonly kind: "double" | "bignum"; readonly value: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "null" }
  | { readonly kind: "array" | "set" | "push"; readonly items: readonly RespValue[] }
  | { readonly kind: "map"; readonly entries: readonly (readonly [RespValue, RespValue])[] };

/** Binary string (one char per byte) of some bytes. */
function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/**
 * Parses one reply from `buf` at `pos`.
 *
 * @param buf the bytes read so far, as a binary string
 * @param pos where the reply starts
 * @returns the reply and the index after it, or null when incomplete
 */
export function parseReply(buf: string, pos: number): [RespValue, number] | null {
  const eol = buf.indexOf("\r\n", pos);
  if (eol === -1) return null;
  const type = buf[pos];
  const head = buf.slice(pos + 1, eol);
  let p = eol + 2;
  switch (type) {
    case "+":
      return [{ kind: "simple", value: head }, p];
    case "-":
      return [{ kind: "error", value: head }, p];
    case ":":
      return [{ kind: "integer", value: Number(head) }, p];
    case "_":
      return [{ kind: "null" }, p];
    case ",":
      return [{ kind: "double", value: head }, p];
    case "(":
      return [{ kind: "bignum", value: head }, p];
    case "#":
      return [{ kind: "boolean", value: head === "t" }, p];
    case "$":
    case "=":
    case "!": {
      const n = Number(head);
      if (n < 0) return [{ kind: "null" }, p];
      if (buf.length < p + n + 2) return null;
      const value = buf.slice(p, p + n);
      const kind = type === "$" ? "bulk" : type === "=" ? "verbatim" : "error";
      return [{ kind, value }, p + n + 2];
    }
    case "*":
    case "~":
    case ">": {
      const n = Number(head);
      if (n < 0) return [{ kind: "null" }, p];
      const items: RespValue[] = [];
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (r === null) return null;
        items.push(r[0]);
        p = r[1];
      }
      const kind = type === "*" ? "array" : type === "~" ? "set" : "push";
      return [{ kind, items }, p];
    }
    case "%": {
      const n = Number(head);
      const entries: [RespValue, RespValue][] = [];
      for (let i = 0; i < n; i++) {
        const k = parseReply(buf, p);
        if (k === null) return null;
        const v = parseReply(buf, k[1]);
        if (v === null) return null;
        entries.push([k[0], v[0]]);
        p = v[1];
      }
      return [{ kind: "map", entries }, p];
    }
    default:
      throw new Error(`unexpected reply type ${JSON.stringify(type)} at ${pos}`);
  }
}

/**
 * A connection that sends commands and returns each reply both parsed and
 * as its exact bytes.
 */
export class RespConnection implements Disposable {
  #conn: Deno.TcpConn;
  #buf = "";

  /**
   * @param conn an open connection
   */
  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /**
   * Connects.
   *
   * @param port the port
   * @param host the host
   * @returns the connection
   */
  static async open(port: number, host = "127.0.0.1"): Promise<RespConnection> {
    return new RespConnection(await Deno.connect({ hostname: host, port }));
  }

  /**
   * Sends one command and reads its reply.
   *
   * @param argv the command, ASCII
   * @returns the reply parsed, and its bytes as a binary string
   */
  async call(...argv: string[]): Promise<{ value: RespValue; raw: string }> {
    let req = `*${argv.length}\r\n`;
    for (const a of argv) req += `$${a.length}\r\n${a}\r\n`;
    const bytes = new Uint8Array(req.length);
    for (let i = 0; i < req.length; i++) bytes[i] = req.charCodeAt(i);
    for (let off = 0; off < bytes.length;) off += await this.#conn.write(bytes.subarray(off));
    const chunk = new Uint8Array(1 << 16);
    for (;;) {
      const r = this.#buf.length > 0 ? parseReply(this.#buf, 0) : null;
      if (r !== null) {
        const raw = this.#buf.slice(0, r[1]);
        this.#buf = this.#buf.slice(r[1]);
        return { value: r[0], raw };
      }
      const n = await this.#conn.read(chunk);
      if (n === null) throw new Error("connection closed");
      this.#buf += latin1(chunk.subarray(0, n));
    }
  }

  /** Closes the connection. */
  close(): void {
    this.#conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
