/**
 * The server's periodic task (Redis's serverCron): runs a callback `hz`
 * times a second of the given clock, reading `hz` afresh before each run so
 * CONFIG SET hz takes effect at the next tick. With a manual clock it runs
 * only as the clock is advanced.
 *
 * @module
 */

import type { Cancel, Clock } from "./clock.ts";

/**
 * A periodic task on a clock.
 *
 * @example
 * ```ts
 * import { Cron } from "./cron.ts";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(0);
 * let runs = 0;
 * const cron = new Cron(clock, () => 10, () => runs++);
 * clock.advance(1000);
 * console.assert(runs === 10);
 * cron.stop();
 * ```
 */
export class Cron {
  #clock: Clock;
  #hz: () => number;
  #task: () => void;
  #cancel: Cancel | undefined;
  #stopped = false;

  /**
   * Starts the task.
   *
   * @param clock the clock it runs on
   * @param hz runs per second, read before each run
   * @param task what runs
   */
  constructor(clock: Clock, hz: () => number, task: () => void) {
    this.#clock = clock;
    this.#hz = hz;
    this.#task = task;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancel = this.#clock.schedule(1000 / this.#hz(), () => {
      this.#cancel = undefined;
      this.#task();
      this.#schedule();
    });
  }

  /** Stops it for good. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
