/**
 * The connection command group: PING, ECHO, QUIT, SELECT, AUTH, HELLO,
 * RESET, CLIENT.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { bulk, type Reply, simple } from "../resp/reply.ts";
import type { Args, CommandContext, CommandSpec } from "./spec.ts";

/** The connection group's command table. */
export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    acl: ["connection"],
    keys: [0, 0, 0],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    doc: { summary: "Ping the server", since: "1.0.0", group: "connection", complexity: "O(1)" },
    handler: ping,
  },
  {
    name: "echo",
    arity: 2,
    flags: ["fast"],
    acl: ["connection"],
    keys: [0, 0, 0],
    doc: {
      summary: "Echo the given string",
      since: "1.0.0",
      group: "connection",
      complexity: "O(1)",
    },
    handler: echo,
  },
];

/** PING [message] */
function ping(_ctx: CommandContext, args: Args): Reply {
  if (args.length > 2) throw new ReplyError(Errors.wrongArity("ping"));
  return args.length === 2 ? bulk(args.get(1)) : simple("PONG");
}

/** ECHO message */
function echo(_ctx: CommandContext, args: Args): Reply {
  return bulk(args.get(1));
}
