/**
 * The server command group.
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The server group's command table. */
export const SERVER_COMMANDS: readonly CommandSpec[] = [];
