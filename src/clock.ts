/**
 * The one source of time. A server owns one {@linkcode Clock}: TTLs, the
 * active expiry cycle, blocking timeouts and `TIME` all read it.
 *
 * @module
 */

/** A cancel function for a scheduled callback. */
export type Cancel = () => void;

/** Time, and callbacks at a time. */
export interface Clock {
  /** Milliseconds since the Unix epoch (may carry a fraction). */
  now(): number;
  /**
   * Runs `callback` once `delayMs` have passed on this clock.
   *
   * @returns a function that cancels it
   */
  schedule(delayMs: number, callback: () => void): Cancel;
  /**
   * A high-resolution reading in milliseconds, for measuring how long
   * something ran (command durations: SLOWLOG, LATENCY, commandstats);
   * monotonic where the clock allows. Optional: a clock without it is read
   * with `now()`, so a manual clock gives exact, deterministic durations.
   */
  ticks?(): number;
}

/**
 * The system clock.
 *
 * @example
 * ```ts
 * import { SystemClock } from "./clock.ts";
 * const clock = new SystemClock();
 * console.assert(Math.abs(clock.now() - Date.now()) < 1000);
 * ```
 */
export class SystemClock implements Clock {
  #started = false;

  /** @returns the wall-clock time in milliseconds */
  now(): number {
    return Date.now();
  }

  /** @returns the monotonic time in milliseconds, with a fraction */
  ticks(): number {
    return performance.now();
  }

  /**
   * The first call (a server's periodic task) uses `AbortSignal.timeout`:
   * Deno loads its Node-compatible `setTimeout` on first use, about 11 ms,
   * and this keeps that cost out of start-up. Later calls use `setTimeout`.
   *
   * @param delayMs delay in milliseconds
   * @param callback what to run
   * @returns a cancel function
   */
  schedule(delayMs: number, callback: () => void): Cancel {
    if (!this.#started) {
      this.#started = true;
      let cancelled = false;
      AbortSignal.timeout(Math.max(0, delayMs)).onabort = () => {
        if (!cancelled) callback();
      };
      return () => {
        cancelled = true;
      };
    }
    const id = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(id);
  }
}

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to: tests use it to expire keys and
 * time out blocked clients without sleeping.
 *
 * @example Expiring a key without sleeping
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(1_000_000);
 * let fired = false;
 * clock.schedule(500, () => { fired = true; });
 * clock.advance(499);
 * console.assert(!fired);
 * clock.advance(1);
 * console.assert(fired && clock.now() === 1_000_500);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #seq = 0;

  /**
   * @param start the initial time in ms since the epoch (default: now)
   */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  /** @returns the current manual time in milliseconds */
  now(): number {
    return this.#now;
  }

  /**
   * @param delayMs delay in milliseconds of this clock
   * @param callback what to run once the clock passes that time
   * @returns a cancel function
   */
  schedule(delayMs: number, callback: () => void): Cancel {
    const timer = {
      at: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
    };
    this.#timers.push(timer);
    return () => {
      const i = this.#timers.indexOf(timer);
      if (i !== -1) this.#timers.splice(i, 1);
    };
  }

  /**
   * Moves time forward, firing every callback that falls due, in time order,
   * each with the clock set to its own due time.
   *
   * @param ms how far to move, in milliseconds
   */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /**
   * Sets the time (forward or back), firing callbacks that fall due.
   *
   * @param ms the new time in milliseconds since the epoch
   */
  set(ms: number): void {
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) {
        if (
          t.at <= ms &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      if (next.at > this.#now) this.#now = next.at;
      next.callback();
    }
    this.#now = ms;
  }
}
