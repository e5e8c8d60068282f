/**
 * The functions command group: FUNCTION LOAD / LIST / DELETE / FLUSH /
 * DUMP / RESTORE / STATS / KILL / HELP, FCALL and FCALL_RO, as Redis
 * 7.0.15's `functions.c`. The libraries live in the engine's
 * `scripting.functions` (`src/scripting/functions.ts`); functions run
 * through `scripting.run`, like EVAL scripts.
 *
 * FUNCTION LOAD / DELETE / FLUSH / RESTORE count one change when they
 * succeed and so propagate as sent; FLUSH counts one even with nothing to
 * flush.
 *
 * Known differences from Redis 7.0.15: see `src/scripting/functions.ts`
 * (library order in LIST and DUMP) and `src/scripting/function_dump.ts`.
 *
 * @module
 */

import { ReplyError, sanitize } from "../errors.ts";
import { array, bulk, integer, map, NIL, OK, type Reply, simple } from "../resp/reply.ts";
import { flagNames } from "../scripting/flags.ts";
import { ENGINE_NAME, type RestorePolicy } from "../scripting/functions.ts";
import { globMatch } from "../glob.ts";
import { type Args, asciiUpper, type CommandContext, parseInt64 } from "./spec.ts";
import type { HandlerTable } from "./table.ts";
import { parseNumKeys } from "./scripting.ts";

/** The functions group's handlers, bound by name to the command table. */
export const FUNCTION_HANDLERS: HandlerTable = {
  "function|load": functionLoad,
  "function|list": functionList,
  "function|delete": functionDelete,
  "function|flush": functionFlush,
  "function|dump": functionDump,
  "function|restore": functionRestore,
  "function|stats": functionStats,
  "function|kill": functionKill,
  "function|help": functionHelp,
  fcall: (ctx, args) => fcallGeneric(ctx, args, false),
  fcall_ro: (ctx, args) => fcallGeneric(ctx, args, true),
};

/** How long a library's code may run in FUNCTION LOAD (Redis's LOAD_TIMEOUT_MS). */
const LOAD_TIMEOUT_MS = 500;

const BUSY_EVAL =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

const HELP: readonly string[] = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library).",
  "HELP",
  "    Prints this help.",
];

/** `unknown subcommand or wrong number of arguments for '<sub>'. Try FUNCTION HELP.` */
function subcommandSyntax(args: Args): ReplyError {
  return new ReplyError(
    sanitize(
      `ERR unknown subcommand or wrong number of arguments for '${
        args.get(1).slice(0, 128)
      }'. Try FUNCTION HELP.`,
    ),
  );
}

/** FUNCTION LOAD [REPLACE] function-code */
function functionLoad(ctx: CommandContext, args: Args): Reply {
  let replace = false;
  let i = 2;
  for (; i < args.length - 1; i++) {
    if (asciiUpper(args.get(i)) !== "REPLACE") {
      throw new ReplyError(sanitize(`ERR Unknown option given: ${args.get(i)}`));
    }
    replace = true;
  }
  if (i >= args.length) throw new ReplyError("ERR Function code is missing");
  // The master's stream and the AOF load with no time limit.
  const limited = ctx.role !== "master";
  const clock = ctx.clock;
  const start = clock.now();
  const interrupt = limited
    ? () => clock.now() - start > LOAD_TIMEOUT_MS ? "ERR FUNCTION LOAD timeout" : null
    : undefined;
  const r = ctx.server.scripting.functions.load(args.get(i), {
    replace,
    ...(interrupt ? { interrupt } : {}),
  });
  if (!r.ok) throw new ReplyError(r.error);
  ctx.countChanges(1);
  return bulk(r.value);
}

/** FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
function functionList(ctx: CommandContext, args: Args): Reply {
  let withCode = false;
  let pattern: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const arg = asciiUpper(args.get(i));
    if (!withCode && arg === "WITHCODE") {
      withCode = true;
      continue;
    }
    if (pattern === undefined && arg === "LIBRARYNAME") {
      if (i >= args.length - 1) throw new ReplyError("ERR library name argument was not given");
      pattern = args.get(++i);
      continue;
    }
    throw new ReplyError(sanitize(`ERR Unknown argument ${args.get(i)}`));
  }
  const items: Reply[] = [];
  for (const lib of ctx.server.scripting.functions.libraries()) {
    if (pattern !== undefined && !globMatch(pattern, lib.name, true)) continue;
    const functions = lib.functions.map((f) =>
      map([
        [bulk("name"), bulk(f.name)],
        [bulk("description"), f.description === null ? NIL : bulk(f.description)],
        [bulk("flags"), { kind: "set", items: flagNames(f.flags).map(simple) }],
      ])
    );
    const entries: [Reply, Reply][] = [
      [bulk("library_name"), bulk(lib.name)],
      [bulk("engine"), bulk(lib.engine)],
      [bulk("functions"), array(functions)],
    ];
    if (withCode) entries.push([bulk("library_code"), bulk(lib.code)]);
    items.push(map(entries));
  }
  return array(items);
}

/** FUNCTION DELETE library-name */
function functionDelete(ctx: CommandContext, args: Args): Reply {
  if (!ctx.server.scripting.functions.delete(args.get(2))) {
    throw new ReplyError("ERR Library not found");
  }
  ctx.countChanges(1);
  return OK;
}

/** FUNCTION FLUSH [ASYNC | SYNC] */
function functionFlush(ctx: CommandContext, args: Args): Reply {
  if (args.length > 3) throw subcommandSyntax(args);
  if (args.length === 3) {
    const mode = asciiUpper(args.get(2));
    if (mode !== "SYNC" && mode !== "ASYNC") {
      throw new ReplyError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
  }
  ctx.server.scripting.functions.flush();
  ctx.countChanges(1);
  return OK;
}

/** FUNCTION DUMP */
function functionDump(ctx: CommandContext, _args: Args): Reply {
  return bulk(ctx.server.scripting.functions.dump(ctx.config.get("rdbcompression") === "yes"));
}

/** FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE] */
function functionRestore(ctx: CommandContext, args: Args): Reply {
  if (args.length > 4) throw subcommandSyntax(args);
  let policy: RestorePolicy = "append";
  if (args.length === 4) {
    const p = asciiUpper(args.get(3));
    if (p === "APPEND") policy = "append";
    else if (p === "REPLACE") policy = "replace";
    else if (p === "FLUSH") policy = "flush";
    else {
      throw new ReplyError(
        "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
      );
    }
  }
  const r = ctx.server.scripting.functions.restore(args.get(2), policy);
  if (!r.ok) throw new ReplyError(r.error);
  ctx.countChanges(1);
  return OK;
}

/** FUNCTION STATS */
function functionStats(ctx: CommandContext, _args: Args): Reply {
  const scripting = ctx.server.scripting;
  const running = scripting.running;
  if (running !== undefined && running.kind === "eval") throw new ReplyError(BUSY_EVAL);
  const runningReply = running === undefined ? NIL : map([
    [bulk("name"), bulk(running.name)],
    [bulk("command"), array(running.argv.map((a) => bulk(a)))],
    [bulk("duration_ms"), integer(Math.max(0, Math.floor(ctx.clock.now() - running.startedAt)))],
  ]);
  const fl = scripting.functions;
  return map([
    [bulk("running_script"), runningReply],
    [
      bulk("engines"),
      map([[
        bulk(ENGINE_NAME),
        map([
          [bulk("libraries_count"), integer(fl.libraryCount)],
          [bulk("functions_count"), integer(fl.functionCount)],
        ]),
      ]]),
    ],
  ]);
}

/** FUNCTION KILL */
function functionKill(ctx: CommandContext, _args: Args): Reply {
  return ctx.server.scripting.kill(false);
}

/** FUNCTION HELP */
function functionHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(HELP.map(simple));
}

/** FCALL / FCALL_RO function numkeys [key ...] [arg ...] */
function fcallGeneric(ctx: CommandContext, args: Args, readOnly: boolean): Reply | Promise<Reply> {
  const scripting = ctx.server.scripting;
  const fn = scripting.functions.lookup(args.get(1));
  if (fn === undefined) throw new ReplyError("ERR Function not found");
  if (parseInt64(args.get(2)) === null) throw new ReplyError("ERR Bad number of keys provided");
  const numkeys = parseNumKeys(args, 2);
  const keys = args.argv.slice(3, 3 + numkeys);
  const argv = args.argv.slice(3 + numkeys);
  return scripting.run(
    ctx,
    {
      vm: scripting.functions.vm,
      ref: fn.ref,
      asFunction: true,
      kind: "function",
      name: fn.name,
      flags: fn.flags,
    },
    keys,
    argv,
    readOnly,
    args.argv,
  );
}
