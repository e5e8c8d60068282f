/**
 * Differential cases for the HyperLogLog group: PFADD, PFCOUNT, PFMERGE (in progress).
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** The group's cases. */
export const CASES: readonly CompatCase[] = [];
