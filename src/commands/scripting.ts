/**
 * The scripting command group: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and
 * SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP. Scripts are cached by SHA1 in
 * the engine's {@linkcode Scripting}, which runs them with every Redis
 * 7.0.15 rule (see `src/scripting/scripting.ts`).
 *
 * Not implemented: SCRIPT DEBUG (the Lua debugger) answers as an unknown
 * subcommand; `redis.breakpoint()` / `redis.debug()` act as Redis's do
 * outside a debugging session.
 *
 * @module
 */

import { ReplyError } from "../errors.ts";
import { array, bulk, integer, OK, type Reply } from "../resp/reply.ts";
import type { Args, CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";
import { helpReply } from "./introspection.ts";

/** The scripting group's handlers, bound by name to the command table. */
export const SCRIPTING_HANDLERS: HandlerTable = {
  eval: (ctx, args) => evalCommand(ctx, args, false, false),
  evalsha: (ctx, args) => evalCommand(ctx, args, true, false),
  eval_ro: (ctx, args) => evalCommand(ctx, args, false, true),
  evalsha_ro: (ctx, args) => evalCommand(ctx, args, true, true),
  "script|load": scriptLoad,
  "script|exists": scriptExists,
  "script|flush": scriptFlush,
  "script|kill": (ctx) => ctx.server.scripting.kill(true),
  "script|help": scriptHelp,
};

/**
 * Reads a `numkeys` argument (EVAL, FCALL) and checks it against the
 * arguments after it, with Redis's error texts.
 *
 * @param args the command's arguments
 * @param index the position of `numkeys`
 * @returns the number of keys
 * @example
 * ```ts
 * import { parseNumKeys } from "./scripting.ts";
 * import { Args } from "./spec.ts";
 * console.assert(parseNumKeys(new Args(["EVAL", "return 1", "1", "k"]), 2) === 1);
 * ```
 */
export function parseNumKeys(args: Args, index: number): number {
  const n = args.int64(index);
  if (n > BigInt(args.length - index - 1)) {
    throw new ReplyError("ERR Number of keys can't be greater than number of args");
  }
  if (n < 0n) throw new ReplyError("ERR Number of keys can't be negative");
  return Number(n);
}

/** EVAL / EVALSHA / EVAL_RO / EVALSHA_RO script numkeys [key ...] [arg ...] */
function evalCommand(
  ctx: CommandContext,
  args: Args,
  bySha: boolean,
  readOnly: boolean,
): Reply | Promise<Reply> {
  const numkeys = parseNumKeys(args, 2);
  const scripting = ctx.server.scripting;
  let script;
  if (bySha) {
    script = scripting.script(args.get(1));
    if (script === undefined) throw new ReplyError("NOSCRIPT No matching script. Please use EVAL.");
  } else {
    script = scripting.load(args.get(1));
    if (typeof script === "string") throw new ReplyError(script);
  }
  return scripting.run(
    ctx,
    {
      vm: scripting.evalVm,
      ref: script.ref,
      asFunction: false,
      kind: "eval",
      name: script.sha,
      flags: script.flags,
    },
    args.argv.slice(3, 3 + numkeys),
    args.argv.slice(3 + numkeys),
    readOnly,
    args.argv,
  );
}

/** SCRIPT LOAD script */
function scriptLoad(ctx: CommandContext, args: Args): Reply {
  const script = ctx.server.scripting.load(args.get(2));
  if (typeof script === "string") throw new ReplyError(script);
  return bulk(script.sha);
}

/** SCRIPT EXISTS sha1 [sha1 ...] */
function scriptExists(ctx: CommandContext, args: Args): Reply {
  const scripting = ctx.server.scripting;
  return array(args.rest(2).map((sha) => integer(scripting.script(sha) === undefined ? 0 : 1)));
}

/** SCRIPT FLUSH [ASYNC|SYNC] */
function scriptFlush(ctx: CommandContext, args: Args): Reply {
  if (args.length > 3) throw new ReplyError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  if (args.length === 3) {
    const mode = args.upper(2);
    if (mode !== "SYNC" && mode !== "ASYNC") {
      throw new ReplyError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
  }
  // Freeing is immediate either way: the JavaScript GC reclaims the VM.
  ctx.server.scripting.flushScripts();
  return OK;
}

/** SCRIPT HELP */
function scriptHelp(_ctx: CommandContext, args: Args): Reply {
  return helpReply(args, [
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
  ]);
}
