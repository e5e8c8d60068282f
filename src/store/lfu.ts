/**
 * LFU access counters, as Redis 7.0.15 keeps them under an LFU
 * `maxmemory-policy` (`allkeys-lfu`, `volatile-lfu`): the per-key word that
 * otherwise holds the last access time holds instead a 16-bit time in
 * minutes (the last decrement) and an 8-bit logarithmic counter.
 *
 * - A new key starts at {@linkcode LFU_INIT_VAL} (5), so it is not evicted
 *   before it had a chance to be read.
 * - Every access first decays the counter by one per `lfu-decay-time`
 *   minutes elapsed, then increments it with probability
 *   `1 / ((counter - 5) * lfu-log-factor + 1)`: with the default factor 10,
 *   about a million accesses reach 255.
 * - OBJECT FREQ reports the decayed counter without changing it.
 *
 * The random draw comes from the server's seedable source.
 *
 * @module
 */

/** The counter a new key starts with (Redis's LFU_INIT_VAL). */
export const LFU_INIT_VAL = 5;

/** What an LFU access needs: the two parameters and the random source. */
export interface LfuParams {
  /** `lfu-log-factor`. */
  readonly logFactor: number;
  /** `lfu-decay-time`, in minutes (0: never decay). */
  readonly decayTime: number;
  /** A float in [0, 1). */
  readonly random: () => number;
}

/**
 * The LFU clock: minutes since the epoch, on 16 bits.
 *
 * @param nowMs the time in ms
 * @returns minutes modulo 65536
 * @example
 * ```ts
 * import { lfuMinutes } from "./lfu.ts";
 * console.assert(lfuMinutes(60_000 * 65537) === 1);
 * ```
 */
export function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 0xffff;
}

/** Minutes since `then` on the wrapping 16-bit LFU clock (Redis's LFUTimeElapsed). */
function elapsed(then: number, now: number): number {
  return now >= then ? now - then : 65535 - then + now;
}

/**
 * The counter of an LFU word after decay, without changing the word
 * (Redis's LFUDecrAndReturn): what OBJECT FREQ reports.
 *
 * @param word the key's LFU word: minutes << 8 | counter
 * @param nowMs the time in ms
 * @param decayTime `lfu-decay-time`
 * @returns the counter, 0 to 255
 * @example
 * ```ts
 * import { lfuDecayed } from "./lfu.ts";
 * console.assert(lfuDecayed(10, 3 * 60_000, 1) === 7);
 * console.assert(lfuDecayed(10, 3 * 60_000, 0) === 10);
 * ```
 */
export function lfuDecayed(word: number, nowMs: number, decayTime: number): number {
  const counter = word & 0xff;
  if (decayTime === 0) return counter;
  const periods = Math.floor(elapsed(word >>> 8, lfuMinutes(nowMs)) / decayTime);
  return periods >= counter ? 0 : counter - periods;
}

/**
 * The logarithmic increment (Redis's LFULogIncr): the higher the counter,
 * the less likely it grows.
 *
 * @param counter the counter, 0 to 255
 * @param logFactor `lfu-log-factor`
 * @param r a float in [0, 1)
 * @returns the counter, maybe one more
 * @example
 * ```ts
 * import { lfuIncrement } from "./lfu.ts";
 * console.assert(lfuIncrement(5, 10, 0.99) === 6);
 * console.assert(lfuIncrement(255, 10, 0) === 255);
 * ```
 */
export function lfuIncrement(counter: number, logFactor: number, r: number): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return r < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/**
 * The LFU word of a key just accessed (Redis's updateLFU): decay, then the
 * logarithmic increment, stamped with the current minute.
 *
 * @param word the key's LFU word
 * @param nowMs the time in ms
 * @param params `lfu-log-factor`, `lfu-decay-time` and the random source
 * @returns the new word
 * @example
 * ```ts
 * import { lfuAccess, lfuInitial } from "./lfu.ts";
 * const params = { logFactor: 10, decayTime: 1, random: () => 0 };
 * console.assert((lfuAccess(lfuInitial(0), 0, params) & 0xff) === 6);
 * ```
 */
export function lfuAccess(word: number, nowMs: number, params: LfuParams): number {
  const counter = lfuIncrement(
    lfuDecayed(word, nowMs, params.decayTime),
    params.logFactor,
    params.random(),
  );
  return ((lfuMinutes(nowMs) << 8) | counter) >>> 0;
}

/**
 * The LFU word of a new key: the current minute and {@linkcode LFU_INIT_VAL}.
 *
 * @param nowMs the time in ms
 * @returns the word
 * @example
 * ```ts
 * import { lfuInitial } from "./lfu.ts";
 * console.assert(lfuInitial(60_000) === (1 << 8 | 5));
 * ```
 */
export function lfuInitial(nowMs: number): number {
  return ((lfuMinutes(nowMs) << 8) | LFU_INIT_VAL) >>> 0;
}
