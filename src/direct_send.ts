/**
 * Direct socket writes: `send(2)` called through FFI on a connection's own
 * descriptor, the way Redis writes a reply straight from its event loop.
 *
 * `conn.write()` is an async op: the bytes leave only when Deno's event loop
 * polls the op, and its completion costs another promise and event-loop
 * turn. Under `redis-benchmark -c 1` that round trip is most of what Deno
 * adds to each request, so a connection first offers its replies to the
 * socket synchronously, with `MSG_DONTWAIT`, and falls back to
 * `conn.write()` for whatever the socket does not take at once (a full send
 * buffer) or when the call fails (the async write then reports the error).
 *
 * Available on Linux when the process may use FFI (`--allow-ffi`,
 * or `-A`) and the runtime exposes a connection's descriptor; anywhere else
 * {@linkcode SocketSender.open} returns undefined and connections use
 * `conn.write()` alone. Deno's own reactor keeps the descriptor registered:
 * writing to it directly only ever finds the socket writable or not, and a
 * fallback write waits for writability as usual. A connection must stop
 * calling its sender once it has closed the socket (the descriptor number
 * may be reused).
 *
 * @module
 */

/**
 * Sends bytes now, without waiting.
 *
 * @param bytes what to send
 * @returns how many bytes the socket took (0 when it would block or failed)
 */
export type DirectSend = (bytes: Uint8Array) => number;

const SYMBOLS = {
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

/** `MSG_DONTWAIT | MSG_NOSIGNAL`, as Linux numbers them. */
const LINUX_FLAGS = 0x40 | 0x4000;

/**
 * The C library's `send`, opened once per server.
 *
 * @example
 * ```ts ignore
 * const sender = SocketSender.open();
 * const send = sender?.forConn(conn);
 * const sent = send ? send(bytes) : 0; // the rest goes through conn.write()
 * sender?.close();
 * ```
 */
export class SocketSender {
  #libc: Libc;
  #flags: number;
  #fdSymbol: symbol;

  private constructor(libc: Libc, flags: number, fdSymbol: symbol) {
    this.#libc = libc;
    this.#flags = flags;
    this.#fdSymbol = fdSymbol;
  }

  /**
   * Opens the C library, when this process and platform allow it.
   *
   * @returns the sender, or undefined (no FFI permission, not Linux, a
   *   runtime that does not expose descriptors)
   */
  static open(): SocketSender | undefined {
    // Other systems are untested: their flags and C library names differ.
    if (Deno.build.os !== "linux") return undefined;
    const fdSymbol = descriptorSymbol();
    if (fdSymbol === undefined) return undefined;
    try {
      if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
      return new SocketSender(Deno.dlopen("libc.so.6", SYMBOLS), LINUX_FLAGS, fdSymbol);
    } catch {
      return undefined;
    }
  }

  /**
   * A sender bound to one connection's descriptor.
   *
   * @param conn the connection
   * @returns the sender, or undefined when the descriptor is not exposed
   */
  forConn(conn: Deno.Conn): DirectSend | undefined {
    const fd = (conn as unknown as Record<symbol, unknown>)[this.#fdSymbol];
    if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0) return undefined;
    const send = this.#libc.symbols.send;
    const flags = this.#flags;
    return (bytes) => {
      const n = Number(send(fd, bytes, BigInt(bytes.length), flags));
      return n > 0 ? n : 0;
    };
  }

  /** Closes the library handle; senders made by it must no longer be called. */
  close(): void {
    try {
      this.#libc.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * The symbol under which Deno keeps a resource's OS descriptor
 * (`internalFdSymbol` of its core), if this runtime has one.
 */
function descriptorSymbol(): symbol | undefined {
  const internal = (Deno as unknown as { internal?: symbol }).internal;
  if (internal === undefined) return undefined;
  const core = (Deno as unknown as Record<symbol, { core?: { internalFdSymbol?: unknown } }>)[
    internal
  ]?.core;
  const symbol = core?.internalFdSymbol;
  return typeof symbol === "symbol" ? symbol : undefined;
}
