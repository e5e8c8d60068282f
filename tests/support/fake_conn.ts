/**
 * An in-memory connection for tests that drive a `Connection` without a
 * socket.
 *
 * @module
 */

/** An in-memory Deno.Conn: reads come from `feed`, writes are recorded. */
export class FakeConn {
  readonly remoteAddr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 40000 };
  readonly localAddr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 6379 };
  readonly writes: Uint8Array[] = [];
  #chunks: (Uint8Array | null)[] = [];
  #waiting: (() => void) | undefined;

  feed(chunk: Uint8Array | null): void {
    this.#chunks.push(chunk);
    this.#waiting?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
    const chunk = this.#chunks.shift()!;
    if (chunk === null) return null;
    buffer.set(chunk);
    return chunk.length;
  }

  write(bytes: Uint8Array): Promise<number> {
    this.writes.push(bytes.slice());
    return Promise.resolve(bytes.length);
  }

  close(): void {
    this.feed(null);
  }

  setNoDelay(): void {}
}
