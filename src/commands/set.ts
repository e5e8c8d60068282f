/**
 * The set command group: SADD, SREM, SMEMBERS, ...
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The set group's command table. */
export const SET_COMMANDS: readonly CommandSpec[] = [];
