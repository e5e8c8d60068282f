/**
 * Key lookups shared by every command group, as Redis's lookupKeyRead /
 * lookupKeyWrite: lazy expiry, keyspace hit and miss statistics, `keymiss`
 * notifications and WRONGTYPE checks, and option keywords.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import type { ContainerValue, RedisType, Value } from "../store/database.ts";
import { asciiUpper, type CommandContext } from "./spec.ts";

/** Lookup flag: do not update the key's LRU time (OBJECT, TTL, ...). */
export const NOTOUCH = 1;
/** Lookup flag: do not publish a `keymiss` event. */
export const NONOTIFY = 2;

/**
 * A read lookup (lookupKeyReadWithFlags): reclaims an expired key, counts a
 * keyspace hit or miss, touches the LRU time unless NOTOUCH, and publishes
 * `keymiss` on a miss unless NONOTIFY.
 *
 * @param ctx the calling client
 * @param key the key
 * @param flags NOTOUCH and/or NONOTIFY
 * @returns the value, or undefined
 * @example
 * ```ts
 * import { Engine } from "../engine.ts";
 * import { lookupReadWith } from "./lookup.ts";
 * const engine = new Engine();
 * const client = engine.connect();
 * console.assert(lookupReadWith(client, "missing") === undefined);
 * console.assert(engine.stats.keyspaceMisses === 1);
 * engine.close();
 * ```
 */
export function lookupReadWith(ctx: CommandContext, key: string, flags = 0): Value | undefined {
  const value = ctx.db.lookup(key, (flags & NOTOUCH) === 0);
  const engine = ctx.engine;
  if (value !== undefined) {
    engine.stats.keyspaceHits++;
  } else {
    engine.stats.keyspaceMisses++;
    if ((flags & NONOTIFY) === 0) engine.notify(ctx.db, "m", "keymiss", key);
  }
  return value;
}

/**
 * The value of a key for a read command (see {@linkcode lookupReadWith}).
 *
 * @param ctx the calling client
 * @param key the key
 * @returns the value, or undefined
 */
export function lookupRead(ctx: CommandContext, key: string): Value | undefined {
  return lookupReadWith(ctx, key);
}

/**
 * The value of a key for a write command (lookupKeyWrite: no statistics).
 *
 * @param ctx the calling client
 * @param key the key
 * @returns the value, or undefined
 */
export function lookupWrite(ctx: CommandContext, key: string): Value | undefined {
  return ctx.db.get(key);
}

/**
 * A read lookup that must find `type` (or nothing); WRONGTYPE otherwise.
 *
 * @param ctx the calling client
 * @param key the key
 * @param type the expected type
 * @returns the value, or undefined when the key does not exist
 */
export function readTyped<T extends ContainerValue>(
  ctx: CommandContext,
  key: string,
  type: Exclude<RedisType, "string">,
): T | undefined {
  return checkType<T>(lookupRead(ctx, key), type);
}

/**
 * A write lookup that must find `type` (or nothing); WRONGTYPE otherwise.
 *
 * @param ctx the calling client
 * @param key the key
 * @param type the expected type
 * @returns the value, or undefined when the key does not exist
 */
export function writeTyped<T extends ContainerValue>(
  ctx: CommandContext,
  key: string,
  type: Exclude<RedisType, "string">,
): T | undefined {
  return checkType<T>(lookupWrite(ctx, key), type);
}

function checkType<T extends ContainerValue>(
  value: Value | undefined,
  type: Exclude<RedisType, "string">,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" || value.type !== type) throw new ReplyError(Errors.wrongType);
  return value as T;
}

/**
 * Throws WRONGTYPE unless the value is a string (or absent).
 *
 * @param value a looked-up value
 * @returns the string, or undefined
 */
export function asString(value: Value | undefined): string | undefined {
  if (value !== undefined && typeof value !== "string") throw new ReplyError(Errors.wrongType);
  return value;
}

/**
 * An option keyword as Redis compares it: case-insensitively, as a C string
 * (a NUL byte ends it).
 *
 * @param arg the argument
 * @returns the upper-case keyword
 * @example
 * ```ts
 * import { keyword } from "./lookup.ts";
 * console.assert(keyword("nx\0junk") === "NX");
 * ```
 */
export function keyword(arg: string): string {
  const nul = arg.indexOf("\0");
  return asciiUpper(nul === -1 ? arg : arg.slice(0, nul));
}
