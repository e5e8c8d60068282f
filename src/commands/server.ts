/**
 * The server command group: INFO, CONFIG, COMMAND, TIME, SHUTDOWN, DBSIZE,
 * FLUSHDB, FLUSHALL, SWAPDB, MONITOR (the feed itself is `src/monitor.ts`).
 *
 * COMMAND's replies are generated from the registered command specs, built
 * from the command table (`table.json`, Redis 7.0.15's own description of
 * its commands): what clients introspect is what the dispatcher enforces,
 * and only commands resplite implements are listed.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { ConfigSetError, type ParamSpec, rewriteConfigText } from "../config.ts";
import { globMatch } from "../glob.ts";
import { infoText, selectSections } from "../info.ts";
import {
  array,
  bulk,
  bulks,
  integer,
  map,
  NIL,
  NONE,
  OK,
  type Reply,
  simple,
  verbatim,
} from "../resp/reply.ts";
import {
  type Args,
  asciiLower,
  type Command,
  type CommandArgument,
  type CommandContext,
  type CommandTable,
  type KeySpec,
  type KeySpecFlag,
} from "./spec.ts";
import { findKeys, type FoundKey } from "./keys.ts";
import type { HandlerTable } from "./table.ts";
import { busyError } from "../scripting/scripting.ts";

/**
 * The server group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const SERVER_HANDLERS: HandlerTable = {
  info,
  "config|get": configGet,
  "config|resetstat": configResetStat,
  "config|help": configHelp,
  "config|set": configSet,
  "config|rewrite": configRewrite,
  command,
  "command|count": commandCount,
  "command|getkeys": commandGetKeys,
  "command|info": commandInfo,
  "command|list": commandList,
  "command|help": commandHelp,
  "command|docs": commandDocs,
  "command|getkeysandflags": commandGetKeysAndFlags,
  time,
  shutdown,
  dbsize,
  flushdb,
  flushall,
  swapdb,
  monitor,
};

// ---------------------------------------------------------------- INFO

/** INFO [section [section ...]] */
function info(ctx: CommandContext, args: Args): Reply {
  return verbatim(infoText(ctx.server, selectSections(args.rest(1))));
}

// ---------------------------------------------------------------- CONFIG

/** CONFIG GET parameter [parameter ...] */
function configGet(ctx: CommandContext, args: Args): Reply {
  const config = ctx.config;
  // Matched names, keyed case-insensitively as Redis's matches dict is.
  const matches = new Map<string, [name: string, spec: ParamSpec]>();
  for (const pattern of args.rest(2)) {
    if (!isGlob(pattern)) {
      const key = asciiLower(pattern);
      if (matches.has(key)) continue;
      const spec = config.spec(pattern);
      if (spec !== undefined) matches.set(key, [pattern, spec]);
      continue;
    }
    // Redis walks its table of names and aliases, skipping a name whose
    // parameter's canonical name already matched. Its table's order puts the
    // old alias first for every aliased parameter we have (list-max-*,
    // hash-max-*, ...), so both names come back: walk aliases first too.
    for (const spec of config.specs()) {
      if (spec.hidden === true) continue;
      for (const name of [...(spec.aliases ?? []), spec.name]) {
        if (matches.has(name) || matches.has(spec.name)) continue;
        if (globMatch(pattern, name, true)) matches.set(name, [name, spec]);
      }
    }
  }
  const entries: [Reply, Reply][] = [];
  for (const [name, spec] of matches.values()) {
    // `dir` shows the working directory, as Redis's getcwd().
    const value = spec.name === "dir"
      ? ctx.server.host.cwd?.() ?? config.get("dir")
      : config.get(spec.name);
    entries.push([bulk(name), bulk(spec.display?.(value) ?? value)]);
  }
  return map(entries);
}

function isGlob(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 42 || c === 63 || c === 91) return true;
  }
  return false;
}

/** CONFIG SET parameter value [parameter value ...] */
function configSet(ctx: CommandContext, args: Args): Reply {
  if ((args.length - 2) % 2 !== 0) throw new ReplyError(Errors.syntax);
  const config = ctx.config;
  const seen: string[] = [];
  // Every name first, in order; the first problem is the one reported:
  // unknown, immutable, protected or given twice.
  for (let i = 2; i < args.length; i += 2) {
    const name = args.get(i);
    const spec = config.spec(name);
    if (spec === undefined) throw new ReplyError(Errors.configSetUnknown(name));
    if (spec.immutable === true) {
      throw new ReplyError(Errors.configSetFailed(name, "can't set immutable config"));
    }
    if (spec.protected === true && !protectedConfigsAllowed(ctx, spec)) {
      throw new ReplyError(Errors.configSetFailed(name, "can't set protected config"));
    }
    // An alias is its own entry in Redis's table: `slaveof` and `replicaof`
    // in one call are not duplicates (the later one wins).
    const key = asciiLower(name);
    if (seen.includes(key)) {
      throw new ReplyError(Errors.configSetFailed(name, "duplicate parameter"));
    }
    seen.push(key);
  }
  // Then every value, before anything is applied; a failure names the
  // parameter in lower case, as Redis does.
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args.get(i), args.get(i + 1)]);
  try {
    config.setAll(pairs);
  } catch (e) {
    if (!(e instanceof ConfigSetError)) throw e;
    throw new ReplyError(Errors.configSetFailed(e.param, e.message));
  }
  return OK;
}

/**
 * Whether `enable-protected-configs` lets this client change a protected
 * parameter: `yes` for everyone, `local` for loopback and Unix-socket
 * clients. `dir` stays refused: resplite does not change its working
 * directory at run time.
 */
function protectedConfigsAllowed(ctx: CommandContext, spec: ParamSpec): boolean {
  if (spec.name === "dir") return false;
  const mode = ctx.config.get("enable-protected-configs");
  if (mode === "yes") return true;
  if (mode !== "local") return false;
  if (ctx.unix) return true;
  const addr = ctx.addr;
  return addr.startsWith("127.0.0.1:") || addr.startsWith("[::1]:");
}

/** CONFIG REWRITE */
function configRewrite(ctx: CommandContext, _args: Args): Reply {
  const server = ctx.server;
  const path = server.configFile;
  const host = server.host;
  if (path === "" || host.readFile === undefined || host.replaceFile === undefined) {
    throw new ReplyError(Errors.configNoFile);
  }
  try {
    const old = host.readFile(path);
    const cwd = host.cwd?.() ?? ctx.config.get("dir");
    host.replaceFile(path, rewriteConfigText(old, ctx.config, cwd));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    server.log("warning", `CONFIG REWRITE failed: ${reason}`);
    throw new ReplyError(Errors.configRewriteFailed(reason));
  }
  server.log("warning", "CONFIG REWRITE executed with success.");
  return OK;
}

/**
 * CONFIG RESETSTAT: the INFO stats counters, commandstats, errorstats and
 * the latency histograms (latencystats, LATENCY HISTOGRAM). As in Redis
 * 7.0.15, the memory peak, the keyspace, SLOWLOG and the latency monitor's
 * events are kept.
 */
function configResetStat(ctx: CommandContext, _args: Args): Reply {
  ctx.server.stats.reset();
  return OK;
}

const CONFIG_HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Prints this help.",
];

/** CONFIG HELP */
function configHelp(_ctx: CommandContext, _args: Args): Reply {
  return helpReply(CONFIG_HELP);
}

function helpReply(lines: readonly string[]): Reply {
  return array(lines.map(simple));
}

// ---------------------------------------------------------------- COMMAND

/** Key-spec flags in the order and spelling Redis prints them. */
const KEY_FLAG_ORDER: readonly (readonly [KeySpecFlag, string])[] = [
  ["RO", "RO"],
  ["RW", "RW"],
  ["OW", "OW"],
  ["RM", "RM"],
  ["ACCESS", "access"],
  ["UPDATE", "update"],
  ["INSERT", "insert"],
  ["DELETE", "delete"],
  ["NOT_KEY", "not_key"],
  ["INCOMPLETE", "incomplete"],
  ["VARIABLE_FLAGS", "variable_flags"],
];

function keyFlagNames(flags: readonly KeySpecFlag[]): string[] {
  const out: string[] = [];
  for (const [flag, name] of KEY_FLAG_ORDER) if (flags.includes(flag)) out.push(name);
  return out;
}

function setOf(items: readonly Reply[]): Reply {
  return { kind: "set", items };
}

function pair(name: string, value: Reply): [Reply, Reply] {
  return [bulk(name), value];
}

function keySpecReply(ks: KeySpec): Reply {
  const entries: [Reply, Reply][] = [];
  if (ks.notes !== undefined) entries.push(pair("notes", bulk(ks.notes)));
  entries.push(pair("flags", setOf(keyFlagNames(ks.flags).map(simple))));
  const b = ks.begin;
  let begin: Reply;
  if ("index" in b) {
    begin = map([
      pair("type", bulk("index")),
      pair("spec", map([pair("index", integer(b.index))])),
    ]);
  } else if ("keyword" in b) {
    begin = map([
      pair("type", bulk("keyword")),
      pair(
        "spec",
        map([pair("keyword", bulk(b.keyword)), pair("startfrom", integer(b.startfrom))]),
      ),
    ]);
  } else {
    begin = map([pair("type", bulk("unknown")), pair("spec", map([]))]);
  }
  entries.push(pair("begin_search", begin));
  const f = ks.find;
  let find: Reply;
  if ("range" in f) {
    find = map([
      pair("type", bulk("range")),
      pair(
        "spec",
        map([
          pair("lastkey", integer(f.range[0])),
          pair("keystep", integer(f.range[1])),
          pair("limit", integer(f.range[2])),
        ]),
      ),
    ]);
  } else if ("keynum" in f) {
    find = map([
      pair("type", bulk("keynum")),
      pair(
        "spec",
        map([
          pair("keynumidx", integer(f.keynum[0])),
          pair("firstkey", integer(f.keynum[1])),
          pair("keystep", integer(f.keynum[2])),
        ]),
      ),
    ]);
  } else {
    find = map([pair("type", bulk("unknown")), pair("spec", map([]))]);
  }
  entries.push(pair("find_keys", find));
  return map(entries);
}

/**
 * One command's COMMAND INFO entry: name, arity, flags, first key, last
 * key, step, ACL categories, tips, key specs, subcommands.
 *
 * @param cmd the command
 * @returns the reply
 */
export function commandInfoReply(cmd: Command): Reply {
  const spec = cmd.spec;
  const subs = cmd.subcommands;
  return array([
    bulk(cmd.fullName),
    integer(spec.arity),
    setOf(spec.flags.map(simple)),
    integer(spec.keys[0]),
    integer(spec.keys[1]),
    integer(spec.keys[2]),
    setOf(spec.acl.map((c) => simple(`@${c}`))),
    setOf((spec.tips ?? []).map((t) => bulk(t))),
    setOf((spec.keySpecs ?? []).map(keySpecReply)),
    subs === undefined ? setOf([]) : array([...subs.values()].map(commandInfoReply)),
  ]);
}

/**
 * One command's COMMAND DOCS entry: its documentation map, arguments
 * included, and the map of its (registered) subcommands' entries.
 *
 * @param cmd the command
 * @returns the reply
 */
export function commandDocsReply(cmd: Command): Reply {
  const doc = cmd.spec.doc;
  const entries: [Reply, Reply][] = [
    pair("summary", bulk(doc.summary)),
    pair("since", bulk(doc.since)),
    pair("group", bulk(doc.group)),
  ];
  if (doc.complexity !== undefined) entries.push(pair("complexity", bulk(doc.complexity)));
  if (doc.doc_flags !== undefined && doc.doc_flags.length > 0) {
    entries.push(pair("doc_flags", setOf(doc.doc_flags.map(simple))));
  }
  if (doc.deprecated_since !== undefined) {
    entries.push(pair("deprecated_since", bulk(doc.deprecated_since)));
  }
  if (doc.replaced_by !== undefined) entries.push(pair("replaced_by", bulk(doc.replaced_by)));
  if (doc.history !== undefined && doc.history.length > 0) {
    entries.push(pair("history", setOf(doc.history.map(([v, change]) => bulks([v, change])))));
  }
  if (doc.arguments !== undefined && doc.arguments.length > 0) {
    entries.push(pair("arguments", array(doc.arguments.map(argumentReply))));
  }
  if (cmd.subcommands !== undefined) {
    entries.push(
      pair(
        "subcommands",
        map([...cmd.subcommands.values()].map((s) => pair(s.fullName, commandDocsReply(s)))),
      ),
    );
  }
  return map(entries);
}

/** One argument's map in COMMAND DOCS, its fields in Redis's order. */
function argumentReply(arg: CommandArgument): Reply {
  const entries: [Reply, Reply][] = [pair("name", bulk(arg.name)), pair("type", bulk(arg.type))];
  if (arg.key_spec_index !== undefined) {
    entries.push(pair("key_spec_index", integer(arg.key_spec_index)));
  }
  if (arg.token !== undefined) entries.push(pair("token", bulk(arg.token)));
  if (arg.since !== undefined) entries.push(pair("since", bulk(arg.since)));
  if (arg.deprecated_since !== undefined) {
    entries.push(pair("deprecated_since", bulk(arg.deprecated_since)));
  }
  if (arg.flags !== undefined && arg.flags.length > 0) {
    entries.push(pair("flags", setOf(arg.flags.map(simple))));
  }
  if (arg.arguments !== undefined) {
    entries.push(pair("arguments", array(arg.arguments.map(argumentReply))));
  }
  return map(entries);
}

/**
 * Finds a command by its full name (`get`, `config|get`), case-insensitively.
 *
 * @param commands the command table
 * @param name the name
 * @returns the command, or undefined
 */
export function lookupFullName(commands: CommandTable, name: string): Command | undefined {
  const lower = asciiLower(name);
  const bar = lower.indexOf("|");
  if (bar === -1) return commands.lookup(lower);
  if (lower.indexOf("|", bar + 1) !== -1) return undefined;
  const parent = commands.lookup(lower.slice(0, bar));
  return parent?.subcommands?.get(lower.slice(bar + 1));
}

/** COMMAND */
function command(ctx: CommandContext, _args: Args): Reply {
  return array([...ctx.server.commands.all()].map(commandInfoReply));
}

/** COMMAND COUNT */
function commandCount(ctx: CommandContext, _args: Args): Reply {
  return integer(ctx.server.commands.size);
}

/** COMMAND INFO [command-name ...] */
function commandInfo(ctx: CommandContext, args: Args): Reply {
  if (args.length === 2) return command(ctx, args);
  return array(
    args.rest(2).map((name) => {
      const cmd = lookupFullName(ctx.server.commands, name);
      return cmd === undefined ? NIL : commandInfoReply(cmd);
    }),
  );
}

/** COMMAND DOCS [command-name ...] */
function commandDocs(ctx: CommandContext, args: Args): Reply {
  const entries: [Reply, Reply][] = [];
  if (args.length === 2) {
    for (const cmd of ctx.server.commands.all()) {
      entries.push(pair(cmd.fullName, commandDocsReply(cmd)));
    }
  } else {
    for (const name of args.rest(2)) {
      const cmd = lookupFullName(ctx.server.commands, name);
      if (cmd !== undefined) entries.push(pair(cmd.fullName, commandDocsReply(cmd)));
    }
  }
  return map(entries);
}

/** COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern] */
function commandList(ctx: CommandContext, args: Args): Reply {
  let filter: (cmd: Command) => boolean;
  if (args.length === 2) {
    filter = () => true;
  } else if (args.length === 5 && args.upper(2) === "FILTERBY") {
    const kind = args.upper(3);
    const value = args.get(4);
    if (kind === "MODULE") {
      filter = () => false;
    } else if (kind === "ACLCAT") {
      const cat = asciiLower(value);
      filter = (cmd) => cmd.spec.acl.includes(cat);
    } else if (kind === "PATTERN") {
      filter = (cmd) => globMatch(value, cmd.fullName, true);
    } else {
      throw new ReplyError(Errors.syntax);
    }
  } else {
    throw new ReplyError(Errors.syntax);
  }
  const names: string[] = [];
  const visit = (cmd: Command) => {
    if (filter(cmd)) names.push(cmd.fullName);
    for (const sub of cmd.subcommands?.values() ?? []) visit(sub);
  };
  for (const cmd of ctx.server.commands.all()) visit(cmd);
  return bulks(names);
}

function keysOfCommandLine(ctx: CommandContext, args: Args): [string[], FoundKey[]] {
  const argv = args.rest(2);
  const base = ctx.server.commands.lookup(asciiLower(argv[0]!));
  let cmd = base;
  if (base?.subcommands !== undefined && argv.length >= 2) {
    cmd = base.subcommands.get(asciiLower(argv[1]!));
  }
  if (cmd === undefined) throw new ReplyError(Errors.invalidCommandSpecified);
  const spec = cmd.spec;
  if (!(spec.keySpecs ?? []).some((ks) => !ks.flags.includes("NOT_KEY"))) {
    throw new ReplyError(Errors.commandHasNoKeys);
  }
  const arity = spec.arity;
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity) {
    throw new ReplyError(Errors.commandArgCount);
  }
  const keys = findKeys(spec, argv) ?? [];
  if (keys.length === 0 && !cmd.flags.has("no_mandatory_keys")) {
    throw new ReplyError(Errors.commandInvalidArgs);
  }
  return [argv, keys];
}

/** COMMAND GETKEYS command [arg ...] */
function commandGetKeys(ctx: CommandContext, args: Args): Reply {
  const [argv, keys] = keysOfCommandLine(ctx, args);
  return bulks(keys.map((k) => argv[k.pos]!));
}

/** COMMAND GETKEYSANDFLAGS command [arg ...] */
function commandGetKeysAndFlags(ctx: CommandContext, args: Args): Reply {
  const [argv, keys] = keysOfCommandLine(ctx, args);
  return array(
    keys.map((k) => array([bulk(argv[k.pos]!), setOf(keyFlagNames(k.flags).map(simple))])),
  );
}

const COMMAND_HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
  "HELP",
  "    Prints this help.",
];

/** COMMAND HELP */
function commandHelp(_ctx: CommandContext, _args: Args): Reply {
  return helpReply(COMMAND_HELP);
}

// ---------------------------------------------------------------- TIME, SHUTDOWN

/** TIME */
function time(ctx: CommandContext, _args: Args): Reply {
  const usec = Math.floor(ctx.clock.now() * 1000);
  return bulks([String(Math.floor(usec / 1e6)), String(usec % 1e6)]);
}

/** SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] */
function shutdown(ctx: CommandContext, args: Args): Reply {
  let nosave = false;
  let save = false;
  let force = false;
  let other = false;
  let abort = false;
  for (let i = 1; i < args.length; i++) {
    const opt = args.upper(i);
    if (opt === "NOSAVE") nosave = true;
    else if (opt === "SAVE") save = true;
    else if (opt === "NOW") other = true;
    else if (opt === "FORCE") force = true;
    else if (opt === "ABORT") abort = true;
    else throw new ReplyError(Errors.syntax);
  }
  if ((abort && (nosave || save || force || other)) || (nosave && save)) {
    throw new ReplyError(Errors.syntax);
  }
  const server = ctx.server;
  // A script running too long: only SHUTDOWN NOSAVE goes ahead.
  const busy = server.scripting.busy;
  if (busy !== undefined && !nosave) throw new ReplyError(busyError(busy));
  // Shutdowns here never wait (no replicas to catch up), so none is ever in progress.
  if (abort) throw new ReplyError(Errors.noShutdownInProgress);
  server.log("warning", "User requested shutdown...");
  // Without save points a plain SHUTDOWN does not save; SAVE asks for a snapshot.
  if (save) {
    server.log("notice", "Saving the final RDB snapshot before exiting.");
    server.log("warning", "Snapshots are not supported yet: the final RDB snapshot was not saved");
    if (!force) {
      server.log("warning", "Error trying to save the DB, can't exit.");
      server.log(
        "warning",
        "Errors trying to shut down the server. Check the logs for more information.",
      );
      throw new ReplyError(Errors.shutdownFailed);
    }
    server.log("warning", "Error trying to save the DB. Exit anyway.");
  }
  server.log("warning", "Redis is now ready to exit, bye bye...");
  server.requestShutdown();
  return NONE;
}

// ---------------------------------------------------------------- keyspace-wide

/** DBSIZE */
function dbsize(ctx: CommandContext, _args: Args): Reply {
  return integer(ctx.db.size);
}

/** Parses FLUSHDB / FLUSHALL's optional ASYNC | SYNC (both flush at once here). */
function parseFlushMode(args: Args): void {
  if (args.length > 2) throw new ReplyError(Errors.syntax);
  if (args.length === 2) {
    const mode = args.upper(1);
    if (mode !== "ASYNC" && mode !== "SYNC") throw new ReplyError(Errors.syntax);
  }
}

/** FLUSHDB [ASYNC | SYNC] */
function flushdb(ctx: CommandContext, args: Args): Reply {
  parseFlushMode(args);
  ctx.server.databaseReplaced(ctx.db);
  ctx.countChanges(ctx.db.flush());
  ctx.server.keyspaceFlushed();
  // Propagated even when the database was empty, as Redis forces it.
  ctx.propagation.force();
  return OK;
}

/** FLUSHALL [ASYNC | SYNC] */
function flushall(ctx: CommandContext, args: Args): Reply {
  parseFlushMode(args);
  const server = ctx.server;
  for (let i = 0; i < server.databases; i++) {
    const db = server.db(i);
    server.databaseReplaced(db);
    ctx.countChanges(db.flush());
  }
  server.keyspaceFlushed();
  // Propagated even when every database was empty, as Redis forces it.
  ctx.propagation.force();
  return OK;
}

/** SWAPDB index1 index2 */
function swapdb(ctx: CommandContext, args: Args): Reply {
  const a = dbIndexArg(args, 1, Errors.invalidFirstDbIndex);
  const b = dbIndexArg(args, 2, Errors.invalidSecondDbIndex);
  const server = ctx.server;
  const n = server.databases;
  if (a < 0 || a >= n || b < 0 || b >= n) throw new ReplyError(Errors.dbIndexOutOfRange);
  if (a !== b) {
    server.databaseReplaced(server.db(a), server.db(b));
    server.databaseReplaced(server.db(b), server.db(a));
    server.db(a).swapWith(server.db(b));
  }
  ctx.countChanges(1);
  return OK;
}

/** MONITOR */
function monitor(ctx: CommandContext, _args: Args): Reply {
  // A client that needs one reply per command (inside EXEC) cannot monitor.
  if (ctx.inExec) throw new ReplyError(Errors.monitorDenyBlocking);
  // Already a monitor (or a replica): ignored, without a reply, as Redis.
  if (ctx.role === "monitor" || ctx.role === "replica") return NONE;
  ctx.server.monitors.add(ctx);
  return OK;
}

function dbIndexArg(args: Args, i: number, message: string): number {
  const v = args.integer(i, message);
  if (v < -2147483648 || v > 2147483647) throw new ReplyError(message);
  return v;
}
