/**
 * The bitmap group: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO (in progress).
 *
 * @module
 */

import type { HandlerTable } from "./table.ts";

/** The group's handlers, bound by name to the command table. */
export const BITMAP_HANDLERS: HandlerTable = {};
