/**
 * The pubsub command group: SUBSCRIBE, PUBLISH, PUBSUB, ...
 *
 * @module
 */

import type { CommandSpec } from "./spec.ts";

/** The pubsub group's command table. */
export const PUBSUB_COMMANDS: readonly CommandSpec[] = [];
