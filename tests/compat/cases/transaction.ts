/**
 * Differential cases for the transaction group.
 *
 * @module
 */

import type { CompatCase } from "../case.ts";

/** Cases compared byte for byte with a real redis-server. */
export const CASES: readonly CompatCase[] = [];
