/**
 * Every command group's handlers, bound by name to the command table
 * (`table.json`) and registered into one {@linkcode CommandTable}.
 *
 * @module
 */

import type { CommandTable } from "./spec.ts";
import { bindHandlers, type HandlerTable, mergeHandlers } from "./table.ts";
import { CONNECTION_HANDLERS } from "./connection.ts";
import { GENERIC_HANDLERS } from "./generic.ts";
import { STRING_HANDLERS } from "./string.ts";
import { SERVER_HANDLERS } from "./server.ts";
import { LIST_HANDLERS } from "./list.ts";
import { HASH_HANDLERS } from "./hash.ts";
import { SET_HANDLERS } from "./set.ts";
import { TRANSACTION_HANDLERS } from "./transaction.ts";
import { PUBSUB_HANDLERS } from "./pubsub.ts";
import { DEBUG_HANDLERS } from "./debug.ts";
import { ZSET_HANDLERS } from "./zset.ts";
import { ZSET_COMBINE_HANDLERS } from "./zset_combine.ts";
import { GEO_HANDLERS } from "./geo.ts";
import { HLL_HANDLERS } from "./hll.ts";
import { BITMAP_HANDLERS } from "./bitmap.ts";
import { SORT_HANDLERS } from "./sort.ts";
import { MEMORY_HANDLERS } from "./memory.ts";
import { INTROSPECTION_HANDLERS } from "./introspection.ts";
import { STREAM_HANDLERS } from "./stream.ts";
import { STREAM_READ_HANDLERS } from "./stream_read.ts";
import { STREAM_INFO_HANDLERS } from "./stream_info.ts";
import { SCRIPTING_HANDLERS } from "./scripting.ts";
import { FUNCTION_HANDLERS } from "./function.ts";

/**
 * Every group's handlers by command name; a name bound by two groups is an
 * error.
 *
 * @returns the handlers
 * @example
 * ```ts
 * import { allHandlers } from "./mod.ts";
 * console.assert(Object.hasOwn(allHandlers(), "config|get"));
 * ```
 */
export function allHandlers(): HandlerTable {
  return mergeHandlers(
    CONNECTION_HANDLERS,
    GENERIC_HANDLERS,
    STRING_HANDLERS,
    SERVER_HANDLERS,
    LIST_HANDLERS,
    HASH_HANDLERS,
    SET_HANDLERS,
    TRANSACTION_HANDLERS,
    PUBSUB_HANDLERS,
    DEBUG_HANDLERS,
    ZSET_HANDLERS,
    ZSET_COMBINE_HANDLERS,
    GEO_HANDLERS,
    HLL_HANDLERS,
    BITMAP_HANDLERS,
    SORT_HANDLERS,
    MEMORY_HANDLERS,
    INTROSPECTION_HANDLERS,
    STREAM_HANDLERS,
    STREAM_READ_HANDLERS,
    STREAM_INFO_HANDLERS,
    SCRIPTING_HANDLERS,
    FUNCTION_HANDLERS,
  );
}

/**
 * Registers every command that has a handler, described by the table.
 *
 * @param table the table to fill
 * @example
 * ```ts
 * import { CommandTable } from "./spec.ts";
 * import { registerAll } from "./mod.ts";
 * const table = new CommandTable();
 * registerAll(table);
 * console.assert(table.lookup("ping") !== undefined);
 * console.assert(table.lookup("eval") === undefined);
 * ```
 */
export function registerAll(table: CommandTable): void {
  table.register(bindHandlers(allHandlers()));
}
