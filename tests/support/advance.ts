/**
 * A test command that moves a manual clock while it runs: its duration is
 * exactly the milliseconds given (and scripts may call it, to move the
 * server clock under a running script).
 *
 * @module
 */

import type { ManualClock } from "../../src/clock.ts";
import type { CommandSpec } from "../../src/commands/spec.ts";
import { OK } from "../../src/resp/reply.ts";

/**
 * The spec of `<name> <ms>`, which advances `clock` by `ms` and replies OK.
 *
 * @param name the command's name
 * @param clock the clock it moves
 * @param fast whether it carries the `fast` flag
 * @returns the spec, for `engine.commands.register`
 */
export function advanceSpec(name: string, clock: ManualClock, fast = false): CommandSpec {
  return {
    name,
    arity: 2,
    flags: fast ? ["fast"] : [],
    acl: [],
    keys: [0, 0, 0],
    doc: { summary: "test", since: "0", group: "server" },
    handler: (_ctx, args) => {
      clock.advance(Number(args.get(1)));
      return OK;
    },
  };
}
