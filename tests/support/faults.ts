/**
 * Fault helpers for the network tests: a client that resets its connection
 * (SO_LINGER 0, as a TCP health check does) and a bounded wait.
 *
 * @module
 */

import net from "node:net";
import type { Engine } from "../../src/engine.ts";

/**
 * Connects and resets at once, or after writing `payload`.
 *
 * @param port the server's port on 127.0.0.1
 * @param payload bytes (a binary string) to send before the reset
 */
export function connectAndReset(port: number, payload?: string): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("error", () => resolve());
    s.on("close", () => resolve());
    s.on("connect", () => {
      if (payload === undefined) s.resetAndDestroy();
      else s.write(payload, "latin1", () => s.resetAndDestroy());
    });
  });
}

/**
 * Waits until a condition holds, polling every 5 ms at most `tries` times.
 * A bound, not a timing assertion: the caller asserts the result.
 *
 * @param check the condition
 * @param tries how many polls
 * @returns whether it held
 */
export async function eventually(check: () => boolean, tries = 400): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

/**
 * What vanished clients may leave behind in an engine: its clients, and
 * everything they can hold (wait queues, pause holds, subscriptions,
 * WATCHes, MONITORs, tracking).
 *
 * @param engine the server's engine
 * @returns the counts, all of which must be back to their start
 */
export function leftovers(engine: Engine): Record<string, number> {
  return {
    clients: engine.clients.size,
    blocked: engine.blocking.count,
    held: engine.pause.heldCount,
    channels: engine.pubsub.size("channel"),
    patterns: engine.pubsub.size("pattern"),
    watches: engine.watches.size,
    monitors: engine.monitors.size,
    tracking: engine.tracking.clients,
  };
}
