/**
 * The list command group: LPUSH, RPUSH, LPOP, ... and the blocking BLPOP family
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The list group's command table. */
export const LIST_COMMANDS: readonly CommandSpec[] = [];
