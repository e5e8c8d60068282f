/**
 * CLIENT PAUSE: while a pause is in effect, clients' commands (all of them,
 * or only those that write or may replicate) wait until it ends, and keys are
 * not expired (they read as absent but stay stored), as in Redis 7.0.
 *
 * @module
 */

import type { Cancel, Clock } from "./clock.ts";

/** What a pause holds: nothing, writes, or every command. */
export type PauseType = "off" | "write" | "all";

const RANK: Record<PauseType, number> = { off: 0, write: 1, all: 2 };

/**
 * The server's client pause, timed by the engine's clock.
 *
 * @example
 * ```ts
 * import { ClientPause } from "./pause.ts";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(0);
 * const pause = new ClientPause(clock);
 * pause.pause(100, "write");
 * console.assert(pause.type === "write");
 * clock.advance(100);
 * console.assert(pause.type === "off");
 * ```
 */
export class ClientPause {
  #clock: Clock;
  #type: PauseType = "off";
  #end = 0;
  #cancel: Cancel | undefined;
  #waiting: Promise<void> | undefined;
  #release: (() => void) | undefined;
  /** Clients whose command waits for the pause to end. */
  #held = new Set<object>();

  /**
   * @param clock the clock that ends pauses
   */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The pause in effect (a pause whose end has passed ends on this read). */
  get type(): PauseType {
    if (this.#type !== "off" && this.#clock.now() >= this.#end) this.unpause();
    return this.#type;
  }

  /**
   * Starts or extends a pause: the stricter type and the later end of the
   * current pause and the new one apply, as Redis combines them.
   *
   * @param end when it ends, ms since the epoch
   * @param type what it holds
   */
  pause(end: number, type: "write" | "all"): void {
    if (RANK[type] > RANK[this.#type]) this.#type = type;
    if (end > this.#end) this.#end = end;
    this.#cancel?.();
    this.#cancel = undefined;
    const left = this.#end - this.#clock.now();
    if (left <= 0) {
      this.unpause();
      return;
    }
    this.#cancel = this.#clock.schedule(left, () => {
      this.#cancel = undefined;
      if (this.#clock.now() >= this.#end) this.unpause();
    });
  }

  /** Ends the pause (CLIENT UNPAUSE, or its end time) and releases the waiting commands. */
  unpause(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#type = "off";
    this.#end = 0;
    this.#held.clear();
    const release = this.#release;
    this.#waiting = undefined;
    this.#release = undefined;
    release?.();
  }

  /**
   * A promise that settles when the current pause ends.
   *
   * @returns the promise; commands waiting on it resume in arrival order
   */
  wait(): Promise<void> {
    if (this.#waiting === undefined) {
      this.#waiting = new Promise((resolve) => {
        this.#release = resolve;
      });
    }
    return this.#waiting;
  }

  /**
   * Holds a client's command until the pause ends. A held client counts in
   * INFO `blocked_clients`, as Redis 7.0 counts a paused client.
   *
   * @param client the client whose command waits
   * @returns a promise that settles when the pause ends
   */
  hold(client: object): Promise<void> {
    this.#held.add(client);
    return this.wait();
  }

  /**
   * Stops counting a held client (it disconnected).
   *
   * @param client the client
   */
  forget(client: object): void {
    this.#held.delete(client);
  }

  /**
   * Whether a client's command is held by the pause.
   *
   * @param client the client
   * @returns true while it waits
   */
  holds(client: object): boolean {
    return this.#held.has(client);
  }

  /** Clients whose command is held by the pause. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Stops the timer (the engine is closing); waiting commands are released. */
  close(): void {
    this.unpause();
  }
}
