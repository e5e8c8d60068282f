/**
 * A small seeded pseudo-random source for tests (mulberry32): the same
 * sequence everywhere, so a failing seed reproduces.
 *
 * @module
 */

/**
 * A generator of numbers in [0, 1) from a 32-bit seed.
 *
 * @param seed the seed
 * @returns the generator
 * @example
 * ```ts
 * import { mulberry32 } from "./prng.ts";
 * const a = mulberry32(7), b = mulberry32(7);
 * console.assert(a() === b());
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
