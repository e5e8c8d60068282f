/**
 * The hash command group: HSET, HGET, ... and the field-expiry family
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The hash group's command table. */
export const HASH_COMMANDS: readonly CommandSpec[] = [];
