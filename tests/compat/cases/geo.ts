/**
 * Differential cases for the geo group (in progress).
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** The group's cases. */
export const CASES: readonly CompatCase[] = [];
