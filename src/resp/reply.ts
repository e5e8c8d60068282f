/**
 * Typed replies. Handlers return a {@linkcode Reply}; the encoder chooses the
 * RESP2 or RESP3 bytes for it from the client's protocol version.
 *
 * Strings in replies are binary strings: one char per byte (char codes 0-255).
 *
 * @module
 */

/** A reply value, independent of the protocol version. */
export type Reply =
  | { readonly kind: "simple"; readonly value: string }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "integer"; readonly value: number | bigint }
  | { readonly kind: "bulk"; readonly value: string }
  /** RESP2 `$-1`, RESP3 `_`. */
  | { readonly kind: "nil" }
  /** RESP2 `*-1`, RESP3 `_`. */
  | { readonly kind: "nilArray" }
  | { readonly kind: "array"; readonly items: readonly Reply[] }
  /** An array of bulk strings, `null` being a nil bulk: the common case kept compact. */
  | { readonly kind: "bulks"; readonly values: readonly (string | null)[] }
  /** RESP3 map, RESP2 flat array of key, value, ... */
  | { readonly kind: "map"; readonly entries: readonly (readonly [Reply, Reply])[] }
  /** RESP3 set, RESP2 array. */
  | { readonly kind: "set"; readonly items: readonly Reply[] }
  /**
   * RESP3 double, RESP2 bulk string formatted as Redis 7.0 does (`%.17g`),
   * or as `text` when given (Redis's addReplyHumanLongDouble: GEOPOS).
   */
  | { readonly kind: "double"; readonly value: number; readonly text?: string }
  /** RESP3 boolean, RESP2 integer 1 or 0. */
  | { readonly kind: "boolean"; readonly value: boolean }
  /** RESP3 verbatim string, RESP2 bulk string. */
  | { readonly kind: "verbatim"; readonly format: string; readonly value: string }
  /** RESP3 push, RESP2 array. */
  | { readonly kind: "push"; readonly items: readonly Reply[] }
  /** RESP3 big number (`(`), RESP2 bulk string; the value is its decimal text. */
  | { readonly kind: "bignum"; readonly value: string }
  /**
   * RESP3 attribute (`|`) then the reply it describes; RESP2 sends only the
   * reply.
   */
  | {
    readonly kind: "attribute";
    readonly entries: readonly (readonly [Reply, Reply])[];
    readonly reply: Reply;
  }
  /**
   * A push sent inline right before the reply (Redis's addReplyPushLen from
   * inside a command): both go out in order, the push not counted as a
   * reply.
   */
  | { readonly kind: "preceded"; readonly push: Reply; readonly reply: Reply }
  /** Nothing is sent (CLIENT REPLY OFF and friends). */
  | { readonly kind: "none" };

/** `+OK`. */
export const OK: Reply = Object.freeze({ kind: "simple", value: "OK" });
/** Null bulk reply. */
export const NIL: Reply = Object.freeze({ kind: "nil" });
/** Null array reply. */
export const NIL_ARRAY: Reply = Object.freeze({ kind: "nilArray" });
/** An empty array. */
export const EMPTY_ARRAY: Reply = Object.freeze({ kind: "array", items: [] });
/** No reply at all. */
export const NONE: Reply = Object.freeze({ kind: "none" });

const SMALL_INTS: Reply[] = [];
for (let i = -1; i <= 1024; i++) {
  SMALL_INTS.push(Object.freeze({ kind: "integer", value: i }));
}

/**
 * A simple string reply.
 *
 * @param value the text; must not contain CR or LF
 * @returns the reply
 * @example
 * ```ts
 * import { simple } from "./reply.ts";
 * console.assert(simple("PONG").kind === "simple");
 * ```
 */
export function simple(value: string): Reply {
  return { kind: "simple", value };
}

/**
 * An integer reply; small integers are shared constants.
 *
 * @param value the number (an integer) or a bigint
 * @returns the reply
 * @example
 * ```ts
 * import { integer } from "./reply.ts";
 * console.assert(integer(3).kind === "integer");
 * ```
 */
export function integer(value: number | bigint): Reply {
  if (typeof value === "number" && value >= -1 && value <= 1024) {
    return SMALL_INTS[value + 1]!;
  }
  return { kind: "integer", value };
}

/**
 * A bulk string reply, or a nil reply for `null`.
 *
 * @param value a binary string, or null
 * @returns the reply
 * @example
 * ```ts
 * import { bulk } from "./reply.ts";
 * console.assert(bulk(null).kind === "nil");
 * ```
 */
export function bulk(value: string | null | undefined): Reply {
  return value == null ? NIL : { kind: "bulk", value };
}

/**
 * An array of bulk strings (`null` items are nil bulks).
 *
 * @param values the strings
 * @returns the reply
 * @example
 * ```ts
 * import { bulks } from "./reply.ts";
 * console.assert(bulks(["a", null]).kind === "bulks");
 * ```
 */
export function bulks(values: readonly (string | null)[]): Reply {
  return { kind: "bulks", values };
}

/**
 * An array reply.
 *
 * @param items the elements
 * @returns the reply
 * @example
 * ```ts
 * import { array, integer } from "./reply.ts";
 * console.assert(array([integer(1)]).kind === "array");
 * ```
 */
export function array(items: readonly Reply[]): Reply {
  return { kind: "array", items };
}

/**
 * An error reply (the full text, code first).
 *
 * @param message such as `ERR syntax error`
 * @returns the reply
 * @example
 * ```ts
 * import { error } from "./reply.ts";
 * console.assert(error("ERR x").kind === "error");
 * ```
 */
export function error(message: string): Reply {
  return { kind: "error", message };
}

/**
 * A map reply (RESP3 map, RESP2 flat array).
 *
 * @param entries key and value pairs
 * @returns the reply
 * @example
 * ```ts
 * import { map, bulk, integer } from "./reply.ts";
 * console.assert(map([[bulk("a"), integer(1)]]).kind === "map");
 * ```
 */
export function map(entries: readonly (readonly [Reply, Reply])[]): Reply {
  return { kind: "map", entries };
}

/**
 * A double reply (RESP3 `,`; RESP2 bulk string).
 *
 * @param value the number
 * @returns the reply
 * @example
 * ```ts
 * import { double } from "./reply.ts";
 * console.assert(double(1.5).kind === "double");
 * ```
 */
export function double(value: number): Reply {
  return { kind: "double", value };
}

/**
 * A verbatim string reply (RESP3 `=`; RESP2 bulk string).
 *
 * @param value the text
 * @param format the three-letter format, `txt` by default
 * @returns the reply
 * @example
 * ```ts
 * import { verbatim } from "./reply.ts";
 * console.assert(verbatim("hello").kind === "verbatim");
 * ```
 */
export function verbatim(value: string, format = "txt"): Reply {
  return { kind: "verbatim", format, value };
}
