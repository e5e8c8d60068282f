/**
 * The SORT and SORT_RO (in progress).
 *
 * @module
 */

import type { HandlerTable } from "./table.ts";

/** The group's handlers, bound by name to the command table. */
export const SORT_HANDLERS: HandlerTable = {};
