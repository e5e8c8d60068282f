/**
 * The sorted-set group: ZADD, ZRANGE and the other single-key sorted-set commands (in progress).
 *
 * @module
 */

import type { HandlerTable } from "./table.ts";

/** The group's handlers, bound by name to the command table. */
export const ZSET_HANDLERS: HandlerTable = {};
