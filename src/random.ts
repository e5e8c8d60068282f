/**
 * A small seedable pseudo-random source (xoshiro128**), so RANDOMKEY and
 * friends can be made repeatable in tests.
 *
 * @module
 */

/**
 * A seedable random number generator.
 *
 * @example Same seed, same sequence
 * ```ts
 * import { Random } from "./random.ts";
 * const a = new Random(42);
 * const b = new Random(42);
 * console.assert(a.next() === b.next());
 * ```
 */
export class Random {
  #s = new Uint32Array(4);

  /**
   * @param seed any integer; the default is taken from the system
   */
  constructor(seed: number = Math.floor(Math.random() * 2 ** 32)) {
    this.reseed(seed);
  }

  /**
   * Restarts the sequence from a seed.
   *
   * @param seed any integer
   */
  reseed(seed: number): void {
    // splitmix32 to spread the seed over the state.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1;
  }

  /** @returns a float in [0, 1) */
  next(): number {
    const s = this.#s;
    let s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result / 4294967296;
  }

  /**
   * An integer in [0, n).
   *
   * @param n the bound
   * @returns the integer
   */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * A random string of hex digits.
   *
   * @param length how many digits
   * @returns the string
   */
  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += this.below(16).toString(16);
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
