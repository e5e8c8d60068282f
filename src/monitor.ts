/**
 * MONITOR: the clients that receive every command the server runs, one
 * line each, in Redis's format:
 * `+1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"`.
 *
 * @module
 */

import { type Reply, simple } from "./resp/reply.ts";
import { quoteRepr } from "./resp/decoder.ts";

export { quoteRepr };
import type { Client } from "./client.ts";

/** Shown instead of a secret argument (AUTH and HELLO AUTH passwords). */
export const REDACTED = "(redacted)";

/**
 * One MONITOR line for a command a client ran.
 *
 * @param now the time, ms since the epoch (a fraction gives microseconds)
 * @param client the client that ran it
 * @param argv the arguments, name first
 * @param redacted argument indexes to show as `(redacted)`
 * @returns the line, without `+` and CRLF
 * @example
 * ```ts
 * import { monitorLine } from "./monitor.ts";
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const client = engine.connect({ addr: "127.0.0.1:5000" });
 * const line = monitorLine(1700000000123.5, client, ["SET", "k", "v"], undefined);
 * console.assert(line === '1700000000.123500 [0 127.0.0.1:5000] "SET" "k" "v"');
 * engine.close();
 * ```
 */
export function monitorLine(
  now: number,
  client: Client,
  argv: readonly string[],
  redacted: readonly number[] | undefined,
): string {
  const usecs = Math.floor(now * 1000);
  const secs = Math.floor(usecs / 1e6);
  const frac = String(usecs - secs * 1e6).padStart(6, "0");
  const from = client.script
    ? "lua"
    : client.unix
    ? `unix:${client.laddr.slice(0, client.laddr.lastIndexOf(":"))}`
    : client.addr;
  let line = `${secs}.${frac} [${client.dbIndex} ${from}]`;
  for (let i = 0; i < argv.length; i++) {
    line += redacted !== undefined && redacted.includes(i)
      ? ` "${REDACTED}"`
      : " " + quoteRepr(argv[i]!);
  }
  return line;
}

/**
 * The clients in MONITOR mode.
 *
 * @example
 * ```ts
 * import { Monitors } from "./monitor.ts";
 * const monitors = new Monitors();
 * console.assert(monitors.size === 0);
 * ```
 */
export class Monitors {
  #clients = new Set<Client>();

  /** Number of monitors: the dispatcher feeds them only when non-zero. */
  get size(): number {
    return this.#clients.size;
  }

  /**
   * Makes a client a monitor.
   *
   * @param client the client
   */
  add(client: Client): void {
    client.role = "monitor";
    this.#clients.add(client);
  }

  /**
   * Stops a client monitoring (RESET, disconnect).
   *
   * @param client the client
   */
  remove(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (client.role === "monitor") client.role = "normal";
  }

  /**
   * Sends a command to every monitor.
   *
   * @param now the time, ms since the epoch
   * @param client the client that ran it
   * @param argv its arguments
   * @param redacted argument indexes to hide
   */
  feed(
    now: number,
    client: Client,
    argv: readonly string[],
    redacted: readonly number[] | undefined,
  ): void {
    const reply: Reply = simple(monitorLine(now, client, argv, redacted));
    for (const monitor of this.#clients) {
      // A monitor sees its own command after its reply, as in Redis.
      if (monitor === client) queueMicrotask(() => monitor.transport.push(reply));
      else monitor.transport.push(reply);
    }
  }
}
