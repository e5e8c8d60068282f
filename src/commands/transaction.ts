/**
 * The transaction command group: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * The dispatcher queues commands while a client is in MULTI (and dooms the
 * transaction when it rejects one); EXEC runs the queue synchronously, so no
 * other client's command interleaves. The queue and the watched keys live in
 * `src/multi.ts`.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { array, error, NIL_ARRAY, OK, type Reply } from "../resp/reply.ts";
import { discardTransaction, Transaction } from "../multi.ts";
import type { Args, CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The transaction group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const TRANSACTION_HANDLERS: HandlerTable = {
  multi,
  exec,
  discard,
  watch,
  unwatch,
};

/** MULTI */
function multi(ctx: CommandContext, _args: Args): Reply {
  if (ctx.transaction !== undefined) throw new ReplyError(Errors.multiNested);
  ctx.transaction = new Transaction();
  return OK;
}

/** EXEC */
function exec(ctx: CommandContext, _args: Args): Reply {
  const tx = ctx.transaction;
  if (tx === undefined) throw new ReplyError(Errors.execWithoutMulti);
  const server = ctx.server;
  // A watched key that expired since WATCH fails the transaction too.
  if (!ctx.watchDirty && server.watches.expired(ctx)) ctx.watchDirty = true;
  if (tx.aborted || ctx.watchDirty) {
    discardTransaction(ctx);
    if (tx.aborted) throw new ReplyError(Errors.execAbort);
    return NIL_ARRAY;
  }
  server.watches.unwatchAll(ctx);
  const replies: Reply[] = [];
  // Blocking commands act as their non-blocking forms while inExec is set.
  const wasInExec = ctx.inExec;
  ctx.inExec = true;
  try {
    for (const { command, argv } of tx.queue) {
      const reply = server.execute(ctx, command, argv);
      // A queued command must not block the transaction: never awaited.
      replies.push(
        reply instanceof Promise
          ? error(Errors.internal(`'${command.fullName}' blocked inside EXEC`))
          : reply,
      );
    }
  } finally {
    ctx.inExec = wasInExec;
    discardTransaction(ctx);
  }
  return array(replies);
}

/** DISCARD */
function discard(ctx: CommandContext, _args: Args): Reply {
  if (ctx.transaction === undefined) throw new ReplyError(Errors.discardWithoutMulti);
  discardTransaction(ctx);
  return OK;
}

/** WATCH key [key ...] */
function watch(ctx: CommandContext, args: Args): Reply {
  if (ctx.transaction !== undefined) throw new ReplyError(Errors.watchInsideMulti);
  // Already doomed: watching more keys changes nothing.
  if (ctx.watchDirty) return OK;
  const watches = ctx.server.watches;
  for (let i = 1; i < args.length; i++) watches.watch(ctx, ctx.db, args.get(i));
  return OK;
}

/** UNWATCH */
function unwatch(ctx: CommandContext, _args: Args): Reply {
  ctx.server.watches.unwatchAll(ctx);
  ctx.watchDirty = false;
  return OK;
}
