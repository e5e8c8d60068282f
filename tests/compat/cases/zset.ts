/**
 * Differential cases for the sorted-set group: ZADD, ZRANGE and the other single-key sorted-set commands (in progress).
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** The group's cases. */
export const CASES: readonly CompatCase[] = [];
