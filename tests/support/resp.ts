/**
 * RESP2 reply texts for tests that compare a raw client's bytes.
 *
 * @module
 */

/**
 * A bulk string.
 *
 * @example
 * ```ts
 * import { bulk } from "./resp.ts";
 * console.assert(bulk("ab") === "$2\r\nab\r\n");
 * ```
 */
export function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/**
 * An integer.
 *
 * @example
 * ```ts
 * import { int } from "./resp.ts";
 * console.assert(int(-3) === ":-3\r\n");
 * ```
 */
export function int(n: number | bigint | string): string {
  return `:${n}\r\n`;
}

/**
 * An array of bulk strings, `null` for a nil bulk.
 *
 * @example
 * ```ts
 * import { arr } from "./resp.ts";
 * console.assert(arr("a", null) === "*2\r\n$1\r\na\r\n$-1\r\n");
 * ```
 */
export function arr(...items: (string | null)[]): string {
  return `*${items.length}\r\n${items.map((s) => s === null ? "$-1\r\n" : bulk(s)).join("")}`;
}
