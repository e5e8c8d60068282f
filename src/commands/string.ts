/**
 * The string command group.
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The string group's command table. */
export const STRING_COMMANDS: readonly CommandSpec[] = [];
