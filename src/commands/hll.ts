/**
 * The HyperLogLog group: PFADD, PFCOUNT, PFMERGE (in progress).
 *
 * @module
 */

import type { HandlerTable } from "./table.ts";

/** The group's handlers, bound by name to the command table. */
export const HLL_HANDLERS: HandlerTable = {};
