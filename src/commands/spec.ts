/**
 * The command contract: {@linkcode CommandSpec} (built from the data file
 * by `table.ts`), the {@linkcode Args} parser with Redis's exact errors,
 * and the {@linkcode CommandTable} registry the dispatcher looks commands
 * up in.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import type { Reply } from "../resp/reply.ts";
import type { Client } from "../client.ts";

/**
 * Command flags, spelled and ordered as `COMMAND INFO` reports them.
 *
 * @example
 * ```ts
 * import { COMMAND_FLAGS } from "./spec.ts";
 * console.assert(COMMAND_FLAGS[0] === "write");
 * ```
 */
export const COMMAND_FLAGS = [
  "write",
  "readonly",
  "denyoom",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "may_replicate",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
] as const;

/** A command flag, as `COMMAND INFO` reports it. */
export type CommandFlag = (typeof COMMAND_FLAGS)[number];

/**
 * Key-spec flags, upper-cased, in the order `COMMAND INFO` reports them
 * (it spells the last seven in lower case).
 *
 * @example
 * ```ts
 * import { KEY_SPEC_FLAGS } from "./spec.ts";
 * console.assert(KEY_SPEC_FLAGS.includes("ACCESS"));
 * ```
 */
export const KEY_SPEC_FLAGS = [
  "RO",
  "RW",
  "OW",
  "RM",
  "ACCESS",
  "UPDATE",
  "INSERT",
  "DELETE",
  "NOT_KEY",
  "INCOMPLETE",
  "VARIABLE_FLAGS",
] as const;

/** A key-spec flag. */
export type KeySpecFlag = (typeof KEY_SPEC_FLAGS)[number];

/** Where the search for keys begins. */
export type BeginSearch =
  | { readonly index: number }
  | { readonly keyword: string; readonly startfrom: number }
  /** Redis's `unknown` type: the keys cannot be found from the arguments alone. */
  | { readonly unknown: true };

/** How keys are found from the beginning. */
export type FindKeys =
  | { readonly range: readonly [lastkey: number, keystep: number, limit: number] }
  | { readonly keynum: readonly [keynumidx: number, firstkey: number, keystep: number] }
  /** Redis's `unknown` type. */
  | { readonly unknown: true };

/** One key specification (Redis 7 key-specs). */
export interface KeySpec {
  /** The spec's `notes` text, where Redis gives one. */
  readonly notes?: string;
  readonly flags: readonly KeySpecFlag[];
  readonly begin: BeginSearch;
  readonly find: FindKeys;
}

/**
 * One argument of a command, as `COMMAND DOCS` reports it: the fields are
 * the reply's map keys, in its order.
 */
export interface CommandArgument {
  readonly name: string;
  /** `key`, `string`, `integer`, `double`, `pattern`, `unix-time`, `pure-token`, `oneof`, `block`. */
  readonly type: string;
  /** Which of the command's key specs a `key` argument is found by. */
  readonly key_spec_index?: number;
  readonly token?: string;
  readonly since?: string;
  readonly deprecated_since?: string;
  /** `optional`, `multiple`, `multiple_token`. */
  readonly flags?: readonly string[];
  /** The alternatives of a `oneof`, the parts of a `block`. */
  readonly arguments?: readonly CommandArgument[];
}

/**
 * A command's documentation, as `COMMAND DOCS` reports it: the fields are
 * the reply's map keys, in its order (the `subcommands` entry is built from
 * the registered subcommands).
 */
export interface CommandDoc {
  readonly summary: string;
  readonly since: string;
  /** `string`, `generic`, `connection`, `server`, ... */
  readonly group: string;
  readonly complexity?: string;
  readonly doc_flags?: readonly string[];
  readonly deprecated_since?: string;
  readonly replaced_by?: string;
  readonly history?: readonly (readonly [version: string, change: string])[];
  readonly arguments?: readonly CommandArgument[];
}

/**
 * The context a handler runs in: the calling client. Its engine is private:
 * a handler sees the client's own state, its database, the clock, the
 * configuration, the random source, propagation, keyspace notification and
 * blocking, and (for the administration groups) `server`, a narrow view of
 * the server's services.
 */
export type CommandContext = Client;

/**
 * Commands that run scripts: they propagate their scripts' effects, not
 * themselves, and MONITOR shows them as they start.
 */
export const SCRIPT_COMMANDS: ReadonlySet<string> = new Set([
  "eval",
  "evalsha",
  "eval_ro",
  "evalsha_ro",
  "fcall",
  "fcall_ro",
]);

/**
 * Commands Redis flags `may_replicate` (COMMAND does not report the flag):
 * CLIENT PAUSE WRITE holds them as it holds writes, and read-only scripts
 * may not call them.
 */
export const MAY_REPLICATE: ReadonlySet<string> = new Set([
  "eval",
  "evalsha",
  "fcall",
  "publish",
  "spublish",
  "pfcount",
]);

/** A command implementation. */
export type Handler = (ctx: CommandContext, args: Args) => Reply | Promise<Reply>;

/**
 * One command, described as Redis's command table does. The server's specs
 * are built from the data file `table.json` (see `table.ts`), which is
 * generated from a real Redis's `COMMAND INFO` and `COMMAND DOCS`.
 */
export interface CommandSpec {
  /** Lower-case name as COMMAND reports it; `container|sub` for subcommands. */
  readonly name: string;
  /** Counts the name; -N means at least N. */
  readonly arity: number;
  /** The flags, in the order `COMMAND INFO` reports them. */
  readonly flags: readonly CommandFlag[];
  /** ACL categories without `@` (`write`, `string`, `slow`, ...), in `COMMAND INFO`'s order. */
  readonly acl: readonly string[];
  /** Legacy key positions: first, last, step (0, 0, 0 for none). */
  readonly keys: readonly [first: number, last: number, step: number];
  readonly keySpecs?: readonly KeySpec[];
  readonly tips?: readonly string[];
  readonly doc: CommandDoc;
  /** The implementation; absent on containers (CONFIG, CLIENT, ...). */
  readonly handler?: Handler;
  readonly subcommands?: readonly CommandSpec[];
}

/** A registered command with its resolved subcommand table. */
export interface Command {
  readonly spec: CommandSpec;
  /** Full name for errors and stats: `get`, `config|get`. */
  readonly fullName: string;
  readonly flags: ReadonlySet<CommandFlag>;
  /** Whether the `fast` flag is set (read per call by the dispatcher's timing). */
  readonly fast: boolean;
  /** Whether it runs a script: EVAL, FCALL and their forms ({@linkcode SCRIPT_COMMANDS}). */
  readonly script: boolean;
  readonly subcommands?: ReadonlyMap<string, Command>;
  readonly parent?: Command;
}

/**
 * The command registry. Registering a name twice is an error.
 *
 * @example
 * ```ts
 * import { CommandTable } from "./spec.ts";
 * const table = new CommandTable();
 * console.assert(table.lookup("get") === undefined);
 * ```
 */
export class CommandTable {
  #commands = new Map<string, Command>();

  /**
   * Registers complete specs (the server's come from `bindHandlers` in
   * `table.ts`; tests and embedders may add their own).
   *
   * @param specs the specs
   */
  register(specs: readonly CommandSpec[]): void {
    for (const spec of specs) {
      if (this.#commands.has(spec.name)) {
        throw new Error(`command registered twice: ${spec.name}`);
      }
      this.#commands.set(spec.name, toCommand(spec, undefined));
    }
  }

  /**
   * Finds a top-level command by lower-case name.
   *
   * @param name lower-case name
   * @returns the command, or undefined
   */
  lookup(name: string): Command | undefined {
    return this.#commands.get(name);
  }

  /** Every top-level command. */
  all(): IterableIterator<Command> {
    return this.#commands.values();
  }

  /** Number of top-level commands. */
  get size(): number {
    return this.#commands.size;
  }
}

function toCommand(spec: CommandSpec, parent: Command | undefined): Command {
  const command: {
    spec: CommandSpec;
    fullName: string;
    flags: Set<CommandFlag>;
    fast: boolean;
    script: boolean;
    subcommands?: Map<string, Command>;
    parent?: Command;
  } = {
    spec,
    fullName: spec.name,
    flags: new Set(spec.flags),
    fast: spec.flags.includes("fast"),
    script: SCRIPT_COMMANDS.has(spec.name),
  };
  if (parent !== undefined) command.parent = parent;
  if (spec.subcommands !== undefined) {
    const subs = new Map<string, Command>();
    for (const sub of spec.subcommands) {
      const short = sub.name.slice(sub.name.indexOf("|") + 1);
      if (subs.has(short)) throw new Error(`subcommand registered twice: ${sub.name}`);
      subs.set(short, toCommand(sub, command));
    }
    command.subcommands = subs;
  }
  return command;
}

/**
 * Lower-cases ASCII letters only (binary safe).
 *
 * @param s a binary string
 * @returns the lower-case form
 * @example
 * ```ts
 * import { asciiLower } from "./spec.ts";
 * console.assert(asciiLower("GeT") === "get");
 * ```
 */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/**
 * Upper-cases ASCII letters only (binary safe).
 *
 * @param s a binary string
 * @returns the upper-case form
 * @example
 * ```ts
 * import { asciiUpper } from "./spec.ts";
 * console.assert(asciiUpper("nx") === "NX");
 * ```
 */
export function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses a signed 64-bit integer exactly as Redis's string2ll: optional `-`,
 * no `+`, no spaces, no leading zeros.
 *
 * @param s the text
 * @returns the value, or null when invalid or out of range
 * @example
 * ```ts
 * import { parseInt64 } from "./spec.ts";
 * console.assert(parseInt64("-12") === -12n);
 * console.assert(parseInt64("012") === null);
 * ```
 */
export function parseInt64(s: string): bigint | null {
  if (!isInt64Text(s)) return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/**
 * Parses a signed 64-bit integer as Redis does, as a number (exact within
 * ±2^53, rounded beyond).
 *
 * @param s the text
 * @returns the value, or null when invalid or out of range
 * @example
 * ```ts
 * import { parseInteger } from "./spec.ts";
 * console.assert(parseInteger("42") === 42);
 * console.assert(parseInteger(" 42") === null);
 * ```
 */
export function parseInteger(s: string): number | null {
  if (s.length < 16) return isInt64Text(s) ? Number(s) : null;
  const v = parseInt64(s);
  return v === null ? null : Number(v);
}

function isInt64Text(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT_RE = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/**
 * Parses a double as Redis does with strtod: the whole text must be a
 * number; no leading space; `inf`, `-inf` and hex floats are accepted; NaN
 * is not.
 *
 * @param s the text
 * @returns the value, or null when invalid
 * @example
 * ```ts
 * import { parseFloat64 } from "./spec.ts";
 * console.assert(parseFloat64("1.5e3") === 1500);
 * console.assert(parseFloat64("-inf") === -Infinity);
 * console.assert(parseFloat64("nan") === null);
 * ```
 */
export function parseFloat64(s: string): number | null {
  if (s.length === 0) return null;
  if (FLOAT_RE.test(s)) return Number(s);
  if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (HEX_FLOAT_RE.test(s)) return parseHexFloat(s);
  return null;
}

function parseHexFloat(s: string): number {
  let sign = 1;
  let i = 0;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    i = 1;
  }
  const body = s.slice(i + 2);
  const p = body.search(/[pP]/);
  const mant = p === -1 ? body : body.slice(0, p);
  const exp = p === -1 ? 0 : Number(body.slice(p + 1));
  const dot = mant.indexOf(".");
  const intPart = dot === -1 ? mant : mant.slice(0, dot);
  const frac = dot === -1 ? "" : mant.slice(dot + 1);
  let v = 0;
  for (const ch of intPart + frac) v = v * 16 + parseInt(ch, 16);
  return sign * v * Math.pow(2, exp - 4 * frac.length);
}

/**
 * A command's arguments (index 0 is the command name), with parsers that
 * throw Redis's exact errors.
 *
 * @example Parsing options
 * ```ts
 * import { Args } from "./spec.ts";
 * const args = new Args(["set", "k", "v", "ex", "10"]);
 * console.assert(args.upper(3) === "EX");
 * console.assert(args.integer(4) === 10);
 * ```
 */
export class Args {
  /** The raw argument vector, binary strings. */
  readonly argv: readonly string[];

  /**
   * @param argv the argument vector, name first
   */
  constructor(argv: readonly string[]) {
    this.argv = argv;
  }

  /** Number of arguments including the name. */
  get length(): number {
    return this.argv.length;
  }

  /**
   * An argument as given.
   *
   * @param i the index
   * @returns the binary string
   */
  get(i: number): string {
    const v = this.argv[i];
    if (v === undefined) throw new ReplyError(Errors.syntax);
    return v;
  }

  /**
   * An argument upper-cased, to match option keywords.
   *
   * @param i the index
   * @returns the upper-case string
   */
  upper(i: number): string {
    return asciiUpper(this.get(i));
  }

  /**
   * A signed 64-bit integer argument as a number.
   *
   * @param i the index
   * @param message the error text on failure
   * @returns the value
   */
  integer(i: number, message: string = Errors.notInteger): number {
    const v = parseInteger(this.get(i));
    if (v === null) throw new ReplyError(message);
    return v;
  }

  /**
   * A signed 64-bit integer argument, exact.
   *
   * @param i the index
   * @param message the error text on failure
   * @returns the value
   */
  int64(i: number, message: string = Errors.notInteger): bigint {
    const v = parseInt64(this.get(i));
    if (v === null) throw new ReplyError(message);
    return v;
  }

  /**
   * A double argument.
   *
   * @param i the index
   * @param message the error text on failure
   * @returns the value
   */
  float(i: number, message: string = Errors.notFloat): number {
    const v = parseFloat64(this.get(i));
    if (v === null) throw new ReplyError(message);
    return v;
  }

  /**
   * The arguments from `start` on.
   *
   * @param start the first index
   * @returns the slice
   */
  rest(start: number): string[] {
    return this.argv.slice(start);
  }
}
