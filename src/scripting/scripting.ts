/**
 * Scripting in the engine: the EVAL script cache, and the one place where a
 * script (EVAL or FCALL) runs, with Redis 7.0.15's rules:
 *
 * - the script's commands run as the Lua client (MONITOR shows `lua`, the
 *   slow log `?:0`), in the caller's database, one at a time through the
 *   dispatcher's {@linkcode Engine.execute}, so commandstats, the slow log,
 *   MONITOR, WATCH, keyspace events and tracking see them as Redis's call()
 *   does; blocking commands act as their non-blocking forms;
 * - the checks of Redis's scriptCall: unknown commands, arity, `noscript`
 *   commands, writes from read-only scripts (`_RO` forms, `no-writes`),
 *   `denyoom` commands when memory was over `maxmemory` as the script began
 *   (unless `allow-oom`, or once the script wrote);
 * - effects replication: the commands the script ran propagate (wrapped in
 *   MULTI / EXEC when more than one), never the script; `redis.set_repl`
 *   sends them to the AOF, the replicas, both or neither;
 * - atomicity: nothing else runs while a script runs. Past
 *   `busy-reply-threshold` (on the server clock) the script yields to the
 *   event loop between instructions, other clients get `-BUSY` (but for
 *   the commands flagged `allow_busy`: SCRIPT KILL, FUNCTION KILL, SHUTDOWN
 *   NOSAVE, ...), and a script that has not written can be killed;
 * - a script sees one time (the time it began), as Redis freezes it.
 *
 * Known differences: the replica and disk-error checks (`-READONLY`,
 * `-MISCONF`, `allow-stale`) wait for replication and persistence, and ACL
 * checks for ACL users; a script running inside a coroutine of its own, or
 * inside EXEC, does not yield (other clients wait rather than get `-BUSY`).
 *
 * @module
 */

import { error, OK, type Reply } from "../resp/reply.ts";
import type { Client } from "../client.ts";
import type { Engine, LogLevel } from "../engine.ts";
import { Errors } from "../errors.ts";
import { PROPAGATE_ALL } from "../propagation.ts";
import { LuaRandom, LuaVm, type ScriptRun } from "./vm.ts";
import { parseShebang, type ScriptFlags } from "./flags.ts";
import { sha1Hex } from "../store/sha1.ts";
import { asciiLower, MAY_REPLICATE } from "../commands/spec.ts";
import { COMMAND_DATA } from "../commands/table.ts";
import { allocSize } from "../store/sizing.ts";
import { FunctionLibraries } from "./functions.ts";

/** A compiled script or function, ready to run. */
export interface ScriptTarget {
  /** The VM it lives in. */
  readonly vm: LuaVm;
  /** Its reference in that VM (a chunk for EVAL, a function for FCALL). */
  readonly ref: number;
  /** FCALL: the reference is a function called with (keys, args). */
  readonly asFunction: boolean;
  /** What runs: an EVAL script or a function. */
  readonly kind: "eval" | "function";
  /** The script's SHA1 (EVAL) or the function's name (FCALL). */
  readonly name: string;
  /** Its flags; undefined for an EVAL script without a shebang (compatibility mode). */
  readonly flags: ScriptFlags | undefined;
}

/** The script running now (FUNCTION STATS, SCRIPT KILL). */
export interface RunningScript {
  /** An EVAL script or a function. */
  readonly kind: "eval" | "function";
  /** The SHA1 (EVAL) or function name. */
  readonly name: string;
  /** The command that started it (EVAL ... / FCALL ...). */
  readonly argv: readonly string[];
  /** When it started (clock ms). */
  readonly startedAt: number;
  /** Whether it has written to the dataset (it can't be killed then). */
  readonly wrote: boolean;
  /** The client that runs it (its reads are tracked for it). */
  readonly caller: Client;
}

/** An EVAL script in the cache. */
export interface CachedScript {
  /** The body. */
  readonly body: string;
  /** Its SHA1, lower-case hex. */
  readonly sha: string;
  /** Its chunk in the EVAL VM. */
  readonly ref: number;
  /** Its shebang flags (undefined without a shebang). */
  readonly flags: ScriptFlags | undefined;
}

/** The state of the running script. */
interface RunState {
  readonly kind: "eval" | "function";
  readonly name: string;
  readonly argv: readonly string[];
  readonly startedAt: number;
  /** The engine time the script sees throughout. */
  readonly time: number;
  readonly caller: Client;
  readonly client: Client;
  /** Writes are refused (an `_RO` form, a `no-writes` script). */
  readonly readOnly: boolean;
  /** `allow-oom`. */
  readonly allowOom: boolean;
  /** Whether it can yield to the event loop once it ran too long. */
  readonly yieldable: boolean;
  wrote: boolean;
  timedOut: boolean;
  killed: boolean;
  /** When it last yielded (performance.now()). */
  lastYield: number;
  /** Error texts commands replied to the script (already counted in errorstats). */
  commandErrors: Set<string> | undefined;
}

/**
 * VM instructions between interrupt checks. Redis checks every 100000; a
 * `redis.call` costs more here relative to a VM instruction, so checks
 * come ten times as often, to notice a slow script (and a SCRIPT KILL) as
 * soon as Redis would. A check costs one clock read.
 */
const HOOK_INTERVAL = 10000;

/** Milliseconds a script that ran past busy-reply-threshold runs between turns of the event loop. */
const YIELD_EVERY_MS = 5;

/**
 * A Lua VM for scripts (EVAL's, and the functions' VM).
 *
 * @param random the `math.random` generator (one per server, as Redis has one per process)
 * @returns the VM
 */
export function newVm(random?: LuaRandom): LuaVm {
  return new LuaVm({ hookInterval: HOOK_INTERVAL, ...(random ? { random } : {}) });
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "verbose", "notice", "warning"];

/** The error a script killed by SCRIPT KILL / FUNCTION KILL raises. */
const KILLED = "ERR Script killed by user with SCRIPT KILL...";

/**
 * Whether a command of Redis's table that resplite does not implement has
 * a flag (its subcommand's, for a container).
 */
function lacksFlag(args: readonly string[], flag: string): boolean {
  const name = asciiLower(args[0]!);
  const data = COMMAND_DATA.commands[name];
  if (data === undefined) return false;
  const sub = args.length > 1 ? data.subcommands?.[`${name}|${asciiLower(args[1]!)}`] : undefined;
  return ((sub ?? data).flags as readonly string[]).includes(flag);
}

/**
 * The `-BUSY` error for a script of the kind given running too long.
 *
 * @param kind the running script's kind
 * @returns the error text
 */
export function busyError(kind: "eval" | "function"): string {
  return `BUSY Redis is busy running a script. You can only call ${
    kind === "eval" ? "SCRIPT" : "FUNCTION"
  } KILL or SHUTDOWN NOSAVE.`;
}

/**
 * The engine's scripting state.
 *
 * @example
 * ```ts
 * import { Engine } from "../engine.ts";
 * const engine = new Engine();
 * console.assert(engine.scripting.running === undefined);
 * engine.close();
 * ```
 */
export class Scripting {
  #engine: Engine;
  #evalVm: LuaVm | undefined;
  /** `math.random`'s generator, shared by EVAL and functions as Redis shares its one. */
  #random = new LuaRandom();
  #scripts = new Map<string, CachedScript>();
  /** Allocation sizes of the cached bodies. */
  #scriptBytes = 0;
  /** Bytes of source compiled into the EVAL VM. */
  #sourceBytes = 0;
  #run: RunState | undefined;
  #closed = false;
  /** Ends the wait of a script that yielded, at once (the engine closes). */
  #wake: (() => void) | undefined;
  #lastBody = "";
  #lastSha = sha1Hex("");
  /**
   * Scripts' error replies errorstats must not count again (the dispatcher
   * asks): errors commands replied to the script, which passed them on.
   */
  readonly uncounted: WeakSet<Reply> = new WeakSet();
  /** The client EVAL scripts' commands run as. */
  readonly evalClient: Client;
  /** The client functions' commands run as. */
  readonly functionClient: Client;
  /** Redis 7 function libraries (FUNCTION, FCALL), in a VM of their own. */
  readonly functions: FunctionLibraries<LuaVm> = new FunctionLibraries(
    () => newVm(this.#random),
    (level, message) => this.#engine.log(LOG_LEVELS[level] ?? "warning", message),
  );

  /**
   * @param engine the engine scripts run in
   * @param lua the two Lua clients (created first, as Redis creates them at
   *   start-up: they take client ids 1 and 2)
   */
  constructor(engine: Engine, lua: readonly [Client, Client]) {
    this.#engine = engine;
    [this.evalClient, this.functionClient] = lua;
    // Scripts' commands run as inside EXEC: no blocking, and their effects
    // and served clients wait for the script's end.
    for (const client of lua) client.inExec = true;
  }

  /** The VM of EVAL scripts, created on first use (SCRIPT FLUSH starts a fresh one). */
  get evalVm(): LuaVm {
    return this.#evalVm ??= newVm(this.#random);
  }

  /** The script running now, if any. */
  get running(): RunningScript | undefined {
    return this.#run;
  }

  /**
   * The kind of the script running past `busy-reply-threshold`, while other
   * clients' commands get `-BUSY`.
   */
  get busy(): "eval" | "function" | undefined {
    const run = this.#run;
    return run !== undefined && run.timedOut ? run.kind : undefined;
  }

  /** Number of cached EVAL scripts (INFO number_of_cached_scripts). */
  get cachedScripts(): number {
    return this.#scripts.size;
  }

  /**
   * Memory of the EVAL script cache as INFO reports it
   * (`used_memory_scripts_eval`), estimated as Redis 7.0 sums it: per script
   * its SHA1 string, its body, a dict entry and the script record, plus the
   * dict's table.
   */
  get cachedScriptsMemory(): number {
    const count = this.#scripts.size;
    if (count === 0) return 0;
    let slots = 4;
    while (slots < count) slots *= 2;
    return this.#scriptBytes + count * (48 + 24 + 16) + slots * 8;
  }

  /**
   * Memory of the EVAL Lua VM (`used_memory_vm_eval`), estimated: fengari
   * keeps its objects on the JavaScript heap, so this is Redis's fresh-VM
   * size plus the compiled scripts' source size.
   */
  get evalVmMemory(): number {
    return 32768 + this.#sourceBytes;
  }

  /**
   * An EVAL script by SHA1 (any case).
   *
   * @param sha the hex digest
   * @returns the script, if cached
   */
  script(sha: string): CachedScript | undefined {
    return sha.length === 40 ? this.#scripts.get(sha.toLowerCase()) : undefined;
  }

  /**
   * Caches an EVAL script (EVAL, SCRIPT LOAD): parses its shebang and
   * compiles it, once per body.
   *
   * @param body the script
   * @returns the cached script, or the error text
   */
  load(body: string): CachedScript | string {
    const sha = this.#sha(body);
    const cached = this.#scripts.get(sha);
    if (cached !== undefined) return cached;
    const shebang = parseShebang(body);
    if (!shebang.ok) return shebang.error;
    // The shebang line is left out, its line feed kept: line numbers stay the user's.
    const code = shebang.flags === undefined ? body : body.slice(body.indexOf("\n"));
    const compiled = this.evalVm.compile(code);
    if (!compiled.ok) return `ERR Error compiling script (new function): ${compiled.message}`;
    const script: CachedScript = { body, sha, ref: compiled.ref, flags: shebang.flags };
    this.#scripts.set(sha, script);
    this.#scriptBytes += allocSize(body.length + 4);
    this.#sourceBytes += body.length;
    return script;
  }

  /** SHA1 of a body: the last one is remembered (the dispatcher's gates and EVAL both ask). */
  #sha(body: string): string {
    if (body !== this.#lastBody) {
      this.#lastBody = body;
      this.#lastSha = sha1Hex(body);
    }
    return this.#lastSha;
  }

  /** SCRIPT FLUSH: forgets every script, and the VM's state with them. */
  flushScripts(): void {
    this.#scripts.clear();
    this.#scriptBytes = 0;
    this.#sourceBytes = 0;
    this.#evalVm?.close();
    this.#evalVm = undefined;
  }

  /**
   * The flags a script command declares through its script (Redis's
   * getCommandFlags for EVAL / FCALL), for the dispatcher's gates.
   *
   * @param name the command's full name
   * @param argv its arguments
   * @returns the declared flags, or undefined (no shebang, or not found)
   */
  declaredFlags(name: string, argv: readonly string[]): ScriptFlags | undefined {
    if (argv.length < 2) return undefined;
    if (name === "eval" || name === "eval_ro") {
      // a script not cached yet declares what its shebang says
      const body = argv[1]!;
      const cached = this.#scripts.get(this.#sha(body));
      if (cached !== undefined) return cached.flags;
      const shebang = parseShebang(body);
      return shebang.ok ? shebang.flags : undefined;
    }
    if (name === "evalsha" || name === "evalsha_ro") return this.script(argv[1]!)?.flags;
    return this.functionFlags?.(argv[1]!);
  }

  /** How the functions library reports a function's flags (set by it). */
  functionFlags: ((name: string) => ScriptFlags | undefined) | undefined = (name) =>
    this.functions.lookup(name)?.flags;

  /**
   * Runs a script for a client under every Redis 7.0.15 rule.
   *
   * @param caller the caller
   * @param target the compiled script or function
   * @param keys its keys
   * @param argv its arguments
   * @param readOnly called through a `_RO` form
   * @param command the command that runs it (FUNCTION STATS shows it)
   * @returns the reply, or a promise of it when the script ran past
   *   `busy-reply-threshold` (it yields to the event loop then)
   */
  run(
    caller: Client,
    target: ScriptTarget,
    keys: readonly string[],
    argv: readonly string[],
    readOnly: boolean,
    command: readonly string[] = [],
  ): Reply | Promise<Reply> {
    const engine = this.#engine;
    const flags = target.flags;
    // Redis's scriptPrepareForRun, for scripts that declared flags.
    if (flags !== undefined) {
      if (
        !flags.allowOom && !flags.noWrites && engine.memory.limit !== 0 &&
        engine.memory.preCommandOom
      ) {
        return error(
          "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
        );
      }
      if (!flags.noWrites && readOnly) {
        return error("ERR Can not execute a script with write flag using *_ro command.");
      }
    }
    const client = target.kind === "eval" ? this.evalClient : this.functionClient;
    client.select(caller.dbIndex);
    client.resp = 2;
    client.user = caller.user;
    client.replTargets = PROPAGATE_ALL;
    const state: RunState = {
      kind: target.kind,
      name: target.name,
      argv: command,
      startedAt: engine.clock.now(),
      time: engine.now(),
      caller,
      client,
      readOnly: readOnly || flags?.noWrites === true,
      allowOom: flags?.allowOom === true,
      yieldable: !caller.inExec,
      wrote: false,
      timedOut: false,
      killed: false,
      commandErrors: undefined,
      lastYield: -Infinity,
    };
    this.#run = state;
    engine.runScript(state.time);
    let run: ScriptRun;
    let reply: Reply | undefined;
    try {
      run = target.vm.start(target.ref, {
        keys,
        argv,
        asFunction: target.asFunction,
        host: {
          call: (args, resp) => this.#call(state, args, resp),
          log: (level, message) => engine.log(LOG_LEVELS[level] ?? "warning", message),
          setRepl: (targets: number) => {
            client.replTargets = targets;
          },
          aclCheck: (args: string[]) => this.#aclCheck(args),
        },
        interrupt: () => this.#interrupt(state),
        shouldYield: () => {
          if (!state.timedOut || !state.yieldable) return false;
          // real time, not the server clock: this only paces the event loop
          const now = performance.now();
          if (now - state.lastYield < YIELD_EVERY_MS) return false;
          state.lastYield = now;
          return true;
        },
      });
      reply = run.resume();
    } catch (e) {
      this.#end();
      throw e;
    }
    if (reply !== undefined) return this.#finish(state, run, reply);
    return this.#continue(state, run, target.vm);
  }

  /** Resumes a script that yielded, a turn of the event loop at a time. */
  async #continue(state: RunState, run: ScriptRun, vm: LuaVm): Promise<Reply> {
    const engine = this.#engine;
    for (;;) {
      // a turn of the event loop (cut short when the engine closes)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wake = undefined;
          resolve();
        }, 0);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
      if (vm.closed || this.#closed) {
        this.#end();
        return error(KILLED);
      }
      // a batch of its own (the time the script's keys expire by is already
      // fixed by engine.runScript)
      const caller = engine.switchClient(state.caller);
      engine.beginBatch();
      let reply: Reply | undefined;
      try {
        reply = run.resume();
      } catch (e) {
        this.#end();
        throw e;
      } finally {
        engine.endBatch();
        engine.switchClient(caller);
      }
      if (reply === undefined) continue;
      const r = this.#finish(state, run, reply);
      // What the dispatcher does after a command that did not yield: the
      // script's effects leave as one unit, and clients blocked on keys it
      // filled are served.
      engine.propagation.flush();
      if (engine.blocking.hasReady) engine.blocking.serveReady();
      return r;
    }
  }

  /** The script is over: its reply, decorated as Redis decorates a raised error. */
  #finish(state: RunState, run: ScriptRun, reply: Reply): Reply {
    this.#end();
    state.client.resp = 2;
    if (reply.kind !== "error") return reply;
    const where = run.where;
    const r = where === undefined
      ? reply
      : error(`${reply.message} script: ${state.name}, on ${where}.`);
    // A command's error the script passed on was counted when the command
    // replied it: the script's reply fails the script's call, but is not
    // counted again in errorstats (as Redis flags it).
    if (state.commandErrors?.has(reply.message)) this.uncounted.add(r);
    return r;
  }

  /** No script runs any more. */
  #end(): void {
    this.#run = undefined;
    this.#engine.runScript(undefined);
  }

  /** The interrupt check, every `hookInterval` VM instructions. */
  #interrupt(state: RunState): string | null {
    if (state.killed) return KILLED;
    const engine = this.#engine;
    if (!state.timedOut) {
      const elapsed = engine.clock.now() - state.startedAt;
      if (elapsed >= engine.config.number("busy-reply-threshold")) {
        state.timedOut = true;
        engine.log(
          "warning",
          `Slow script detected: still in execution after ${
            Math.floor(elapsed)
          } milliseconds. You can try killing the script using the ${
            state.kind === "eval" ? "SCRIPT" : "FUNCTION"
          } KILL command. Script name is: ${state.name}.`,
        );
      }
    }
    if (engine.shutdownRequested || this.#closed) return KILLED;
    return null;
  }

  /** `redis.call` / `redis.pcall`: one command, with Redis's scriptCall checks. */
  #call(state: RunState, args: string[], resp: 2 | 3): Reply {
    const engine = this.#engine;
    // A script killed while it yielded stops at its next command, not only
    // at its next instruction check (redis.call raises this).
    if (state.killed) return error(KILLED);
    const command = engine.lookupCommand(args);
    if (command === undefined) {
      // a Redis command resplite lacks: refused as Redis refuses it in scripts
      return error(
        lacksFlag(args, "noscript")
          ? "ERR This Redis command is not allowed from script"
          : "ERR Unknown Redis command called from script",
      );
    }
    // A command refused here counts as rejected (not in errorstats: the
    // script's own error reply is counted).
    const refuse = (message: string): Reply => {
      engine.stats.command(command.fullName).rejectedCalls++;
      return error(message);
    };
    const arity = command.spec.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) {
      return refuse("ERR Wrong number of args calling Redis command from script");
    }
    if (command.flags.has("noscript") || command.spec.handler === undefined) {
      return refuse("ERR This Redis command is not allowed from script");
    }
    const write = command.flags.has("write");
    // (a read-only script may not publish either: may_replicate counts as a write)
    if (state.readOnly && (write || MAY_REPLICATE.has(command.fullName))) {
      return refuse("ERR Write commands are not allowed from read-only scripts.");
    }
    if (
      !state.allowOom && !state.wrote && engine.memory.limit !== 0 &&
      engine.memory.preCommandOom && command.flags.has("denyoom")
    ) {
      return refuse(Errors.oom);
    }
    if (write) state.wrote = true;
    const client = state.client;
    client.resp = resp;
    const reply = engine.execute(client, command, args);
    if (reply instanceof Promise) {
      // a command must not block a script (the Lua client acts as inside EXEC)
      reply.catch(() => {});
      return error(Errors.internal(`'${command.fullName}' blocked inside a script`));
    }
    if (reply.kind === "error") (state.commandErrors ??= new Set()).add(reply.message);
    return reply;
  }

  /** `redis.acl_check_cmd`: whether the command exists (every user may run every command here). */
  #aclCheck(args: string[]): boolean | string {
    const command = this.#engine.lookupCommand(args);
    if (command === undefined) return "ERR Invalid command passed to redis.acl_check_cmd()";
    return true;
  }

  /**
   * SCRIPT KILL (`byEval`) or FUNCTION KILL.
   *
   * @param byEval whether SCRIPT KILL asks
   * @returns the reply
   */
  kill(byEval: boolean): Reply {
    const run = this.#run;
    if (run === undefined) return error("NOTBUSY No scripts in execution right now.");
    if (run.caller.role === "master") {
      return error(
        "UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.",
      );
    }
    if (run.wrote) {
      return error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
      );
    }
    if (byEval !== (run.kind === "eval")) return error(busyError(run.kind));
    run.killed = true;
    return OK;
  }

  /** Frees the VMs (the engine closes): a running script ends at its next check. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
    this.#evalVm?.close();
    this.#evalVm = undefined;
    this.functions.close();
  }
}
