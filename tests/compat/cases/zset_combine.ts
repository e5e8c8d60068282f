/**
 * Differential cases for the sorted-set commands over several keys or that pop: ZUNION, ZINTER, ZDIFF (and STORE forms), ZINTERCARD, ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP (in progress).
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** The group's cases. */
export const CASES: readonly CompatCase[] = [];
