/**
 * Every command group's table, registered into one {@linkcode CommandTable}.
 *
 * @module
 */

import type { CommandTable } from "./spec.ts";
import { CONNECTION_COMMANDS } from "./connection.ts";
import { GENERIC_COMMANDS } from "./generic.ts";
import { STRING_COMMANDS } from "./string.ts";
import { SERVER_COMMANDS } from "./server.ts";
import { LIST_COMMANDS } from "./list.ts";
import { HASH_COMMANDS } from "./hash.ts";
import { SET_COMMANDS } from "./set.ts";
import { TRANSACTION_COMMANDS } from "./transaction.ts";
import { PUBSUB_COMMANDS } from "./pubsub.ts";

/**
 * Registers every command group.
 *
 * @param table the table to fill
 * @example
 * ```ts
 * import { CommandTable } from "./spec.ts";
 * import { registerAll } from "./mod.ts";
 * const table = new CommandTable();
 * registerAll(table);
 * console.assert(table.lookup("ping") !== undefined);
 * ```
 */
export function registerAll(table: CommandTable): void {
  table.register(CONNECTION_COMMANDS);
  table.register(GENERIC_COMMANDS);
  table.register(STRING_COMMANDS);
  table.register(SERVER_COMMANDS);
  table.register(LIST_COMMANDS);
  table.register(HASH_COMMANDS);
  table.register(SET_COMMANDS);
  table.register(TRANSACTION_COMMANDS);
  table.register(PUBSUB_COMMANDS);
}
