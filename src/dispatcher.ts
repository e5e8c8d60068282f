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
import { error, NONE, type Reply, simple } from "./resp/reply.ts";
import { Args, asciiLower, type Command, MAY_REPLICATE } from "./commands/spec.ts";
import { findKeys } from "./commands/keys.ts";
import { debugAllowed } from "./commands/debug.ts";
import { moduleAllowed, PROTECTED_MODULE_COMMANDS } from "./commands/introspection.ts";
import type { Client } from "./client.ts";
import { discardTransaction } from "./multi.ts";
import type { Engine } from "./engine.ts";
import type { CommandStats } from "./stats.ts";
import { LatencyHistogram, type LatencyMonitor } from "./latency.ts";
import type { Slowlog } from "./slowlog.ts";
import { busyError } from "./scripting/scripting.ts";
import type { ScriptFlags } from "./scripting/flags.ts";

/** The commands a RESP2 client in pub/sub mode may run. */
const PUBSUB_CONTEXT: ReadonlySet<string> = new Set([
  "ping",
  "subscribe",
  "ssubscribe",
  "unsubscribe",
  "sunsubscribe",
  "psubscribe",
  "punsubscribe",
  "quit",
  "reset",
]);

/** The reply to a command queued inside MULTI. */
const QUEUED: Reply = Object.freeze(simple("QUEUED"));

/** Commands that run at once inside MULTI instead of being queued. */
const RUN_IN_MULTI: ReadonlySet<string> = new Set([
  "exec",
  "discard",
  "multi",
  "watch",
  "quit",
  "reset",
]);

/**
 * Whether a command writes or may replicate (EXEC: whether its queue does).
 *
 * @param command the command
 * @param client its caller
 * @returns true if CLIENT PAUSE WRITE holds it
 */
function mayReplicate(command: Command, client: Client, declared?: ScriptFlags): boolean {
  // A script that declared its flags writes unless `no-writes` (Redis's
  // scriptFlagsToCmdFlags drops may_replicate then).
  if (declared !== undefined) return !declared.noWrites;
  if (command.flags.has("write") || MAY_REPLICATE.has(command.fullName)) return true;
  return command.fullName === "exec" && client.transaction?.mayReplicate === true;
}

/** A fast command of the running batch, waiting for its share of the batch's time. */
interface Held {
  client: Client;
  command: Command;
  argv: readonly string[];
  cstats: CommandStats;
  redacted: readonly number[] | undefined;
}

const EMPTY_ARGV: readonly string[] = [];

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
  #slowlog: Slowlog;
  #latency: LatencyMonitor;
  /** The clock's high-resolution reading (ms), for command durations. */
  #tick: () => number;
  /**
   * Within a batch (the commands of one read): the time of the batch's last
   * clock read (its beginning, or the end of the last command timed on its
   * own). Undefined outside batches, where each command reads the clock
   * twice.
   */
  #mark: number | undefined = undefined;
  /**
   * The `fast` commands of this batch run since `#mark`, not timed yet:
   * they share the time to the next clock read equally (see
   * {@linkcode Dispatcher.execute}).
   */
  #held: Held[] = [];
  /** How many of `#held` are in use (the array is reused batch to batch). */
  #heldCount = 0;
  /** Commands running now, nested ones (EXEC's queue) included. */
  #depth = 0;
  /** Commands by name exactly as clients send it ("SET", "set"): skips lower-casing. */
  #byRawName = new Map<string, Command>();

  /**
   * @param engine the engine whose commands and stats this uses
   */
  constructor(engine: Engine) {
    this.#engine = engine;
    this.#slowlog = engine.slowlog;
    this.#latency = engine.latency;
    const clock = engine.clock;
    this.#tick = clock.ticks !== undefined ? () => clock.ticks!() : () => clock.now();
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
    client.lastInteraction = engine.now();
    // 1. lookup
    const command = this.resolve(argv);
    if (typeof command === "string") {
      client.lastCommand = "NULL";
      return this.#reject(client, undefined, command);
    }
    client.lastCommand = command.fullName;
    const spec = command.spec;
    // 2. arity
    const arity = spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return this.#reject(client, command, Errors.wrongArity(command.fullName));
    }
    // Protected commands, refused before authentication as in Redis.
    if (command.fullName === "debug" && !debugAllowed(client)) {
      return this.#reject(client, command, Errors.debugNotAllowed);
    }
    if (
      command.parent !== undefined && PROTECTED_MODULE_COMMANDS.has(command.fullName) &&
      !moduleAllowed(client)
    ) {
      return this.#reject(client, command, Errors.moduleNotAllowed);
    }
    // 3. authentication
    if (!client.authenticated && !command.flags.has("no_auth") && engine.authRequired()) {
      return this.#reject(client, command, Errors.noAuth);
    }
    const tx = client.transaction;
    if (tx !== undefined && command.flags.has("no_multi")) {
      return this.#reject(client, command, Errors.notAllowedInMulti);
    }
    // A script's declared flags stand for EVAL's / FCALL's own (Redis's
    // getCommandFlags): `denyoom` unless `allow-oom` or `no-writes`, a write
    // unless `no-writes`.
    // (Looked up only where a gate may read them.)
    const declared = (engine.memory.limit !== 0 || engine.pause.type !== "off" ||
        client.role !== "normal" || tx !== undefined) && command.script
      ? engine.scripting.declaredFlags(command.fullName, argv)
      : undefined;
    // OOM: over maxmemory, keys are evicted first; a command that may use
    // more memory is refused if that did not suffice (src/evict.ts).
    if (
      engine.memory.limit !== 0 &&
      engine.memory.refuses(
        client,
        command,
        declared === undefined
          ? command.flags.has("denyoom")
          : !declared.allowOom && !declared.noWrites,
      )
    ) {
      return this.#reject(client, command, Errors.oom);
    }
    // 4. context gates: a RESP2 client in pub/sub mode may only
    // (un)subscribe, PING, QUIT and RESET;
    if (client.resp === 2 && client.subscribed && !PUBSUB_CONTEXT.has(command.fullName)) {
      return this.#reject(client, command, Errors.pubsubContext(command.fullName));
    }
    // a script running past busy-reply-threshold: only the commands
    // flagged allow_busy run (SCRIPT KILL, FUNCTION KILL, SHUTDOWN, ...);
    const busy = engine.scripting.busy;
    if (busy !== undefined && !command.flags.has("allow_busy")) {
      return this.#reject(client, command, busyError(busy));
    }
    // a MONITOR client (a replica to Redis) may not touch
    // the keyspace; CLIENT PAUSE holds commands (replicas are never held).
    if (client.role !== "normal" && client.role !== "master") {
      if (
        command.flags.has("readonly") || mayReplicate(command, client, declared) ||
        (command.fullName === "exec" && tx?.reads === true)
      ) {
        return this.#reject(client, command, Errors.replicaKeyspace);
      }
    } else if (engine.pause.type !== "off") {
      if (engine.pause.type === "all" || mayReplicate(command, client, declared)) {
        // Held until the pause ends, then processed afresh, as Redis does.
        return engine.pause.hold(client).then(() =>
          client.closed ? NONE : this.dispatch(client, argv)
        );
      }
    }
    const handler = spec.handler;
    if (handler === undefined) {
      // A container called with its arity satisfied but no subcommand.
      return this.#reject(client, command, Errors.wrongArity(command.fullName));
    }
    // 5. MULTI queue
    if (tx !== undefined && !RUN_IN_MULTI.has(command.fullName)) {
      // An aborted or doomed transaction stops growing, as in Redis.
      if (!tx.aborted && !client.watchDirty) {
        tx.queue.push({ command, argv });
        if (mayReplicate(command, client, declared)) tx.mayReplicate = true;
        if (command.flags.has("readonly")) tx.reads = true;
      }
      return QUEUED;
    }
    // 6. execute
    return this.execute(client, command, argv);
  }

  /**
   * Runs a command that passed the gates: the handler, statistics and the
   * MONITOR feed. EXEC runs its queue through here.
   *
   * @param client the caller
   * @param command the resolved command
   * @param argv the arguments, name first
   * @returns the reply, or a promise of it
   */
  execute(client: Client, command: Command, argv: string[]): Reply | Promise<Reply> {
    const engine = this.#engine;
    const stats = engine.stats;
    const handler = command.spec.handler!;
    const cstats = stats.command(command.fullName);
    let reply: Reply | Promise<Reply>;
    const caller = engine.switchClient(client);
    const propagation = engine.propagation;
    const dirty = engine.changes;
    propagation.beginCommand();
    // The command's time, as Redis times proc(). Within a batch a `fast`
    // command reads no clock: the fast commands between two clock reads
    // share that time equally (they are O(1), and a clock read costs about
    // as much as one of them), settled before any other command runs and at
    // the batch's end, so every statistic reads as settled. Other commands
    // run from the previous read, so their time includes their decoding.
    const held = this.#mark !== undefined && command.fast && this.#depth === 0;
    let start = 0;
    if (held) {
      // timed when settled
    } else if (this.#mark !== undefined && this.#depth === 0) {
      if (this.#heldCount > 0) this.#settle(0);
      start = this.#mark;
    } else {
      start = this.#tick();
    }
    // Scripts show in MONITOR before the commands they run, as in Redis.
    const script = command.script;
    if (script && engine.monitors.size > 0) this.#feedMonitors(client, command, argv, true);
    this.#depth++;
    try {
      reply = handler(client, new Args(argv));
    } catch (e) {
      reply = this.#errorReply(e, command);
    }
    this.#depth--;
    let usec = 0;
    if (!held) {
      const end = this.#tick();
      if (this.#mark !== undefined && this.#depth === 0) this.#mark = end;
      usec = (end - start) * 1000;
    }
    engine.switchClient(caller);
    // What the command changed leaves through the effect stream (EXEC's
    // effects are its queued commands', emitted together once it is over).
    // A script that yielded (it ran past busy-reply-threshold) ends its
    // unit itself once over (src/scripting/scripting.ts).
    const yielded = script && reply instanceof Promise;
    if (propagation.active) {
      if (
        (engine.changes !== dirty || propagation.forced) && command.fullName !== "exec" && !script
      ) {
        propagation.commandDone(client.dbIndex, argv, client.replTargets);
      }
      if (!client.inExec && !yielded) propagation.flush();
    }
    // Clients blocked on keys this command created are served once it is
    // over (EXEC's queued commands run inExec: EXEC serves after them all).
    if (engine.blocking.hasReady && !client.inExec && !yielded) engine.blocking.serveReady();
    // A script's reads are tracked for its caller, as in Redis.
    const tracked = client.script ? engine.scripting.running?.caller : client;
    if (tracked?.tracking !== undefined) {
      engine.tracking.afterCommand(
        tracked,
        command.flags.has("readonly"),
        command.parent?.spec.name === "client",
        () => (findKeys(command.spec, argv) ?? []).map((k) => argv[k.pos]!),
      );
    }
    stats.totalCommands++;
    cstats.calls++;
    if (engine.monitors.size > 0 && !script) this.#feedMonitors(client, command, argv);
    if (held && !(reply instanceof Promise)) {
      // Counted now; timed (commandstats time, slow log, latency) when settled.
      if (reply.kind === "error") this.#failed(cstats, reply);
      const slot = this.#held[this.#heldCount];
      if (slot === undefined) {
        this.#held.push({ client, command, argv, cstats, redacted: client.redacted });
      } else {
        slot.client = client;
        slot.command = command;
        slot.argv = argv;
        slot.cstats = cstats;
        slot.redacted = client.redacted;
      }
      this.#heldCount++;
      if (client.redacted !== undefined) client.redacted = undefined;
      return reply;
    }
    // A fast command that blocked takes its share with the held ones now.
    if (held) usec = this.#settle(1);
    // The latency monitor sees a blocked command's first run at once (as
    // Redis's call() does); the rest waits for the reply.
    if (usec >= this.#latency.thresholdUs) this.#latencyEvent(command, usec);
    if (reply instanceof Promise) {
      // Blocked: timed by its first run (the wait is not its time, as in
      // Redis), accounted once it is answered; a client that left while
      // blocked is not, as in Redis.
      const redacted = client.redacted;
      client.redacted = undefined;
      // A script that yielded is timed to its end, as Redis times EVAL.
      const settle = (r: Reply) =>
        client.closed ? r : this.#account(
          client,
          command,
          argv,
          cstats,
          r,
          yielded ? (this.#tick() - start) * 1000 : usec,
          redacted,
        );
      return reply.then(settle, (e) => settle(this.#errorReply(e, command)));
    }
    const r = this.#account(client, command, argv, cstats, reply, usec, client.redacted);
    if (client.redacted !== undefined) client.redacted = undefined;
    return r;
  }

  /** A batch begins: its first command's time runs from now. */
  beginBatch(): void {
    this.#mark = this.#tick();
  }

  /** The batch ended: its held commands are timed; commands outside batches read the clock twice. */
  endBatch(): void {
    if (this.#heldCount > 0) this.#settle(0);
    this.#mark = undefined;
  }

  /**
   * Times the held fast commands: each gets an equal share of the time
   * since `#mark` (which moves to now), and is accounted as `#account`
   * does (time, slow log, latency histogram and monitor).
   *
   * @param extra commands sharing the time that are not held (the caller's)
   * @returns the share, in microseconds
   */
  #settle(extra: number): number {
    const now = this.#tick();
    const count = this.#heldCount;
    const usec = ((now - this.#mark!) * 1000) / (count + extra);
    this.#heldCount = 0;
    this.#mark = now;
    const slow = usec >= this.#slowlog.threshold;
    const tracking = this.#latency.tracking;
    const latency = usec >= this.#latency.thresholdUs;
    for (let i = 0; i < count; i++) {
      const h = this.#held[i]!;
      const cstats = h.cstats;
      cstats.usec += usec;
      if (slow) this.#logSlow(h.client, h.command, h.argv, usec, h.redacted);
      if (tracking) (cstats.histogram ??= new LatencyHistogram()).recordUsec(usec);
      if (latency) this.#latencyEvent(h.command, usec);
      // Nothing kept alive past its batch.
      h.argv = EMPTY_ARGV;
      h.redacted = undefined;
    }
    return usec;
  }

  /**
   * A command's statistics once it is answered: commandstats time and
   * failures, the slow log and the latency histogram. Per command this is
   * a few number compares; an entry is built only for a slow command.
   */
  #account(
    client: Client,
    command: Command,
    argv: readonly string[],
    cstats: CommandStats,
    reply: Reply,
    usec: number,
    redacted: readonly number[] | undefined,
  ): Reply {
    cstats.usec += usec;
    if (usec >= this.#slowlog.threshold) this.#logSlow(client, command, argv, usec, redacted);
    if (this.#latency.tracking) (cstats.histogram ??= new LatencyHistogram()).recordUsec(usec);
    if (reply.kind === "error") this.#failed(cstats, reply);
    return reply;
  }

  /** Counts a command's error reply (commandstats failures, errorstats). */
  #failed(cstats: CommandStats, reply: Reply & { kind: "error" }): void {
    cstats.failedCalls++;
    if (!this.#engine.scripting.uncounted.has(reply)) {
      this.#engine.stats.error(errorCode(reply.message));
    }
  }

  /** Adds a command's run to the latency monitor (it reached the threshold). */
  #latencyEvent(command: Command, usec: number): void {
    const event = command.flags.has("fast") ? "fast-command" : "command";
    this.#latency.addSample(event, Math.floor(usec / 1000));
  }

  /** Logs a slow command, unless Redis keeps it out of the slow log (skip_slowlog: EXEC). */
  #logSlow(
    client: Client,
    command: Command,
    argv: readonly string[],
    usec: number,
    redacted: readonly number[] | undefined,
  ): void {
    if (command.flags.has("skip_slowlog")) return;
    const time = Math.floor(this.#engine.clock.now() / 1000);
    this.#slowlog.push(argv, Math.floor(usec), time, client.addr, client.name, redacted);
  }

  /**
   * Shows a command to MONITOR clients, unless Redis hides it (admin,
   * skip_monitor; scripts, flagged skip_monitor, show as they start).
   */
  #feedMonitors(client: Client, command: Command, argv: readonly string[], script = false): void {
    if (!script && (command.flags.has("admin") || command.flags.has("skip_monitor"))) return;
    this.#engine.monitors.feed(this.#engine.clock.now(), client, argv, client.redacted);
  }

  /** Rejects a command before it runs; inside MULTI this dooms the transaction. */
  #reject(client: Client, command: Command | undefined, message: string): Reply {
    if (client.transaction !== undefined) client.transaction.aborted = true;
    if (command !== undefined && command.fullName === "exec") {
      // EXEC itself rejected: the transaction (and WATCH) is discarded.
      discardTransaction(client);
      message = Errors.execAbortBecause(message.startsWith("ERR ") ? message.slice(4) : message);
    }
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
