/**
 * Size primitives shared by the value layouts (`stream.ts` sizes its nodes
 * as Redis's listpacks) and the size estimators (`encoded_size.ts`,
 * `memory_size.ts`): jemalloc's size classes and a listpack entry's bytes.
 * A leaf module, so the layouts can use them without importing the
 * estimators, which import the layouts.
 *
 * @module
 */

import { isIntegerMember } from "./set.ts";

/**
 * The allocation jemalloc makes for a request: 8, then multiples of 16 up
 * to 128, then four size classes per doubling.
 *
 * @param n the bytes requested
 * @returns the bytes allocated
 * @example
 * ```ts
 * import { allocSize } from "./sizing.ts";
 * console.assert(allocSize(5) === 8 && allocSize(23) === 32);
 * console.assert(allocSize(129) === 160 && allocSize(257) === 320);
 * ```
 */
export function allocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const lg = Math.floor(Math.log2(n - 1));
  const step = 2 ** (lg - 2);
  return Math.ceil(n / step) * step;
}

/**
 * Bytes one element takes in a listpack: integer texts are stored as
 * integers (1 to 9 bytes), others as a length then the bytes; each entry
 * ends with its own length (backlen).
 *
 * @param s the element
 * @returns the entry size
 * @example
 * ```ts
 * import { listpackEntrySize } from "./sizing.ts";
 * console.assert(listpackEntrySize("a") === 3);
 * console.assert(listpackEntrySize("100") === 2);
 * ```
 */
export function listpackEntrySize(s: string): number {
  let body: number;
  const n = isIntegerMember(s) ? BigInt(s) : null;
  if (n !== null) {
    if (n >= 0n && n <= 127n) body = 1;
    else if (n >= -4096n && n <= 4095n) body = 2;
    else if (n >= -32768n && n <= 32767n) body = 3;
    else if (n >= -8388608n && n <= 8388607n) body = 4;
    else if (n >= -2147483648n && n <= 2147483647n) body = 5;
    else body = 9;
  } else if (s.length < 64) {
    body = 1 + s.length;
  } else if (s.length < 4096) {
    body = 2 + s.length;
  } else {
    body = 5 + s.length;
  }
  return body + backlenSize(body);
}

function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}
