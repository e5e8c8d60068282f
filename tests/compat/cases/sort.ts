/**
 * Differential cases for the SORT and SORT_RO (in progress).
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** The group's cases. */
export const CASES: readonly CompatCase[] = [];
