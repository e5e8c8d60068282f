/**
 * The sorted-set commands over several keys or that pop: ZUNION, ZINTER, ZDIFF (and STORE forms), ZINTERCARD, ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP (in progress).
 *
 * @module
 */

import type { HandlerTable } from "./table.ts";

/** The group's handlers, bound by name to the command table. */
export const ZSET_COMBINE_HANDLERS: HandlerTable = {};
