/**
 * The transaction command group: MULTI, EXEC, DISCARD, WATCH, UNWATCH
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The transaction group's command table. */
export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [];
