/**
 * The generic command group.
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The generic group's command table. */
export const GENERIC_COMMANDS: readonly CommandSpec[] = [];
