/**
 * The dispatcher: Redis's processCommand gates in Redis's order, then the
 * handler, then statistics. The only place exceptions become error replies.
 *
 * Gate order: lookup -> arity -> auth -> (ACL) -> (context gates such as
 * pub/sub) -> (MULTI queue) -> execute. Later features add their gate as one
 * step in {@linkcode Dispatcher.dispatch}; handlers never repeat these checks.
 *
 * @module
 */

import { errorCode, Errors, ReplyError } from "./errors.ts";
import { error, type Reply } from "./resp/reply.ts";
import { Args, asciiLower, type Command } from "./commands/spec.ts";
import type { Client } from "./client.ts";
import type { Engine } from "./engine.ts";

/**
 * Runs commands for clients of one engine.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine();
 * const reply = engine.call(engine.connect(), ["PING"]);
 * console.assert(!(reply instanceof Promise) && reply.kind === "simple");
 * engine.close();
 * ```
 */
export class Dispatcher {
  #engine: Engine;
  /** Commands by name exactly as clients send it ("SET", "set"): skips lower-casing. */
  #byRawName = new Map<string, Command>();

  /**
   * @param engine the engine whose commands and stats this uses
   */
  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /**
   * Resolves a command (and subcommand) from an argument vector.
   *
   * @param argv the arguments, name first
   * @returns the command, or the error text to reject with
   */
  resolve(argv: readonly string[]): Command | string {
    const name = argv[0]!;
    let command = this.#byRawName.get(name);
    if (command === undefined) {
      command = this.#engine.commands.lookup(asciiLower(name));
      if (command === undefined) return Errors.unknownCommand(name, argv.slice(1));
      if (this.#byRawName.size < 4096) this.#byRawName.set(name, command);
    }
    if (command.subcommands === undefined || argv.length < 2) return command;
    const sub = command.subcommands.get(asciiLower(argv[1]!));
    if (sub === undefined) return Errors.unknownSubcommand(argv[1]!, name);
    return sub;
  }

  /**
   * Runs one command through every gate.
   *
   * @param client the caller
   * @param argv the arguments, name first
   * @returns the reply, or a promise of it
   */
  dispatch(client: Client, argv: string[]): Reply | Promise<Reply> {
    const engine = this.#engine;
    const stats = engine.stats;
    client.lastInteraction = engine.clock.now();
    // 1. lookup
    const command = this.resolve(argv);
    if (typeof command === "string") {
      client.lastCommand = "NULL";
      return this.#reject(undefined, command);
    }
    client.lastCommand = command.fullName;
    const spec = command.spec;
    // 2. arity
    const arity = spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return this.#reject(command, Errors.wrongArity(command.fullName));
    }
    // 3. authentication
    if (!client.authenticated && !command.flags.has("no_auth") && engine.authRequired()) {
      return this.#reject(command, Errors.noAuth);
    }
    // 4. execute
    const handler = spec.handler;
    if (handler === undefined) {
      // A container called with its arity satisfied but no subcommand.
      return this.#reject(command, Errors.wrongArity(command.fullName));
    }
    const cstats = stats.command(command.fullName);
    const start = performance.now();
    let reply: Reply | Promise<Reply>;
    try {
      reply = handler(client, new Args(argv));
    } catch (e) {
      reply = this.#errorReply(e, command);
    }
    stats.totalCommands++;
    cstats.calls++;
    if (reply instanceof Promise) {
      return reply.then(
        (r) => this.#account(cstats, r, start),
        (e) => this.#account(cstats, this.#errorReply(e, command), start),
      );
    }
    return this.#account(cstats, reply, start);
  }

  #account(
    cstats: { usec: number; failedCalls: number },
    reply: Reply,
    start: number,
  ): Reply {
    cstats.usec += Math.round((performance.now() - start) * 1000);
    if (reply.kind === "error") {
      cstats.failedCalls++;
      this.#engine.stats.error(errorCode(reply.message));
    }
    return reply;
  }

  #reject(command: Command | undefined, message: string): Reply {
    const stats = this.#engine.stats;
    if (command !== undefined) stats.command(command.fullName).rejectedCalls++;
    stats.error(errorCode(message));
    return error(message);
  }

  #errorReply(e: unknown, command: Command): Reply {
    if (e instanceof ReplyError) return error(e.message);
    const detail = e instanceof Error ? e.message : String(e);
    this.#engine.log(
      "warning",
      `internal error in '${command.fullName}': ${e instanceof Error ? e.stack : detail}`,
    );
    return error(Errors.internal(detail.replace(/[\r\n]/g, " ")));
  }
}
