/**
 * Differential cases for the bitmap group: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO (in progress).
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** The group's cases. */
export const CASES: readonly CompatCase[] = [];
