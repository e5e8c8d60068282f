/**
 * The connection command group: PING, ECHO, QUIT, SELECT, AUTH, HELLO,
 * RESET and the CLIENT container (ID, SETNAME, GETNAME, INFO, LIST, KILL,
 * REPLY, NO-EVICT, PAUSE, UNPAUSE, UNBLOCK, TRACKING, TRACKINGINFO, GETREDIR,
 * CACHING, HELP).
 *
 * Known differences from Redis 7.0.15: CLIENT LIST's memory and buffer
 * fields describe resplite's own buffers (see {@linkcode clientInfoLine}).
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import {
  array,
  bulk,
  bulks,
  EMPTY_ARRAY,
  integer,
  map,
  NONE,
  OK,
  type Reply,
  simple,
  verbatim,
} from "../resp/reply.ts";
import { type Client, clientInfoLine, type ClientType } from "../client.ts";
import { type Args, asciiUpper, type CommandContext, parseInt64, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/** The version HELLO reports. */
const REDIS_VERSION = "7.0.15";

/**
 * The connection group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const CONNECTION_HANDLERS: HandlerTable = {
  ping,
  echo,
  quit,
  select,
  auth,
  hello,
  reset,
  "client|id": clientId,
  "client|setname": clientSetname,
  "client|getname": clientGetname,
  "client|info": clientInfo,
  "client|list": clientList,
  "client|kill": clientKill,
  "client|reply": clientReply,
  "client|no-evict": clientNoEvict,
  "client|pause": clientPause,
  "client|unpause": clientUnpause,
  "client|unblock": clientUnblock,
  "client|help": clientHelp,
  "client|tracking": clientTracking,
  "client|trackinginfo": clientTrackinginfo,
  "client|getredir": clientGetredir,
  "client|caching": clientCaching,
};

/** PING [message] */
function ping(ctx: CommandContext, args: Args): Reply {
  if (args.length > 2) throw new ReplyError(Errors.wrongArity("ping"));
  // A RESP2 client in pub/sub mode can only take arrays: ["pong", message].
  if (ctx.resp === 2 && ctx.subscribed) {
    return bulks(["pong", args.length === 2 ? args.get(1) : ""]);
  }
  return args.length === 2 ? bulk(args.get(1)) : simple("PONG");
}

/** ECHO message */
function echo(_ctx: CommandContext, args: Args): Reply {
  return bulk(args.get(1));
}

/** QUIT */
function quit(ctx: CommandContext, _args: Args): Reply {
  ctx.closing = true;
  return OK;
}

/** SELECT index */
function select(ctx: CommandContext, args: Args): Reply {
  const index = args.integer(1);
  // Redis reads the index as a C int.
  if (index < -2147483648 || index > 2147483647) throw new ReplyError(Errors.intOutOfRange);
  if (index < 0 || index >= ctx.server.databases) {
    throw new ReplyError(Errors.dbIndexOutOfRange);
  }
  ctx.select(index);
  return OK;
}

/** AUTH [username] password */
function auth(ctx: CommandContext, args: Args): Reply {
  if (args.length > 3) throw new ReplyError(Errors.syntax);
  for (let i = 1; i < args.length; i++) ctx.redact(i);
  if (args.length === 2) {
    if (!ctx.server.authRequired()) throw new ReplyError(Errors.authNoPassword);
    authenticate(ctx, "default", args.get(1));
  } else {
    authenticate(ctx, args.get(1), args.get(2));
  }
  return OK;
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(ctx: CommandContext, args: Args): Reply {
  let protover: 0 | 2 | 3 = 0;
  let i = 1;
  if (args.length >= 2) {
    const v = parseInt64(args.get(1));
    if (v === null) throw new ReplyError(Errors.helloProtoNotInteger);
    if (v !== 2n && v !== 3n) throw new ReplyError(Errors.noProto);
    protover = v === 2n ? 2 : 3;
    i = 2;
  }
  // As in Redis 7.0, AUTH and SETNAME take effect as they are read, before
  // a later option's error and before the authentication check.
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const option = args.upper(i);
    if (option === "AUTH" && more >= 2) {
      ctx.redact(i + 1);
      ctx.redact(i + 2);
      authenticate(ctx, args.get(i + 1), args.get(i + 2));
      i += 2;
    } else if (option === "SETNAME" && more >= 1) {
      setName(ctx, args.get(i + 1));
      i++;
    } else {
      throw new ReplyError(Errors.helloSyntax(args.get(i)));
    }
  }
  if (!ctx.authenticated) throw new ReplyError(Errors.helloNoAuth);
  if (protover !== 0) ctx.resp = protover;
  return map([
    [bulk("server"), bulk("redis")],
    [bulk("version"), bulk(REDIS_VERSION)],
    [bulk("proto"), integer(ctx.resp)],
    [bulk("id"), integer(ctx.id)],
    [bulk("mode"), bulk("standalone")],
    [bulk("role"), bulk("master")],
    [bulk("modules"), EMPTY_ARRAY],
  ]);
}

/** RESET */
function reset(ctx: CommandContext, _args: Args): Reply {
  ctx.resetConnection();
  return simple("RESET");
}

/** CLIENT ID */
function clientId(ctx: CommandContext, _args: Args): Reply {
  return integer(ctx.id);
}

/** CLIENT SETNAME connection-name */
function clientSetname(ctx: CommandContext, args: Args): Reply {
  setName(ctx, args.get(2));
  return OK;
}

/** CLIENT GETNAME */
function clientGetname(ctx: CommandContext, _args: Args): Reply {
  return bulk(ctx.name === "" ? null : ctx.name);
}

/** CLIENT INFO */
function clientInfo(ctx: CommandContext, args: Args): Reply {
  return verbatim(`${clientInfoLine(ctx, argvBytes(args))}\n`);
}

/** CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]] */
function clientList(ctx: CommandContext, args: Args): Reply {
  const clients = ctx.server.clients;
  const selected: Client[] = [];
  if (args.length === 4 && args.upper(2) === "TYPE") {
    const type = clientType(args.get(3));
    for (const c of clients.values()) if (c.type === type) selected.push(c);
  } else if (args.length > 3 && args.upper(2) === "ID") {
    const ids: number[] = [];
    for (let i = 3; i < args.length; i++) {
      const id = parseInteger(args.get(i));
      if (id === null) throw new ReplyError(Errors.invalidClientId);
      ids.push(id);
    }
    for (const id of ids) {
      const c = clients.get(id);
      if (c !== undefined) selected.push(c);
    }
  } else if (args.length !== 2) {
    throw new ReplyError(Errors.syntax);
  } else {
    for (const c of clients.values()) selected.push(c);
  }
  const argvMem = argvBytes(args);
  let text = "";
  // Another client holds arguments only while its command waits (blocked, paused).
  for (const c of selected) {
    text += `${clientInfoLine(c, c === ctx ? argvMem : c.waitingArgvMem)}\n`;
  }
  return verbatim(text);
}

/** The filters of CLIENT KILL. */
interface KillFilter {
  addr: string | undefined;
  laddr: string | undefined;
  type: ClientType | undefined;
  id: number | undefined;
  user: string | undefined;
  skipMe: boolean;
}

/**
 * CLIENT KILL ip:port
 * CLIENT KILL [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]
 *   [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO] ...
 */
function clientKill(ctx: CommandContext, args: Args): Reply {
  const oldForm = args.length === 3;
  const filter: KillFilter = oldForm
    ? {
      addr: args.get(2),
      laddr: undefined,
      type: undefined,
      id: undefined,
      user: undefined,
      skipMe: false,
    }
    : parseKillFilter(args);
  let killed = 0;
  for (const c of [...ctx.server.clients.values()]) {
    if (!killMatches(c, filter)) continue;
    if (c === ctx) {
      if (filter.skipMe) continue;
      // The reply still goes out; the connection closes after it.
      ctx.closing = true;
    } else {
      c.kill();
    }
    killed++;
  }
  if (!oldForm) return integer(killed);
  if (killed === 0) throw new ReplyError(Errors.noSuchClient);
  return OK;
}

function parseKillFilter(args: Args): KillFilter {
  const filter: KillFilter = {
    addr: undefined,
    laddr: undefined,
    type: undefined,
    id: undefined,
    user: undefined,
    skipMe: true,
  };
  for (let i = 2; i < args.length; i += 2) {
    if (i + 1 >= args.length) throw new ReplyError(Errors.syntax);
    const value = args.get(i + 1);
    switch (args.upper(i)) {
      case "ID": {
        const id = parseInteger(value);
        if (id === null || id < 1) throw new ReplyError(Errors.clientIdNotPositive);
        filter.id = id;
        break;
      }
      case "TYPE":
        filter.type = clientType(value);
        break;
      case "ADDR":
        filter.addr = value;
        break;
      case "LADDR":
        filter.laddr = value;
        break;
      case "USER":
        if (!userExists(value)) throw new ReplyError(Errors.noSuchUser(value));
        filter.user = value;
        break;
      case "SKIPME": {
        const yn = asciiUpper(value);
        if (yn === "YES") filter.skipMe = true;
        else if (yn === "NO") filter.skipMe = false;
        else throw new ReplyError(Errors.syntax);
        break;
      }
      default:
        throw new ReplyError(Errors.syntax);
    }
  }
  return filter;
}

function killMatches(c: Client, f: KillFilter): boolean {
  return (f.addr === undefined || c.addr === f.addr) &&
    (f.laddr === undefined || c.laddr === f.laddr) &&
    (f.type === undefined || c.type === f.type) &&
    (f.id === undefined || c.id === f.id) &&
    (f.user === undefined || c.user === f.user);
}

/** CLIENT REPLY ON|OFF|SKIP */
function clientReply(ctx: CommandContext, args: Args): Reply {
  switch (args.upper(2)) {
    case "ON":
      ctx.setReplyMode("on");
      return OK;
    case "OFF":
      ctx.setReplyMode("off");
      return NONE;
    case "SKIP":
      ctx.setReplyMode("skip");
      return NONE;
    default:
      throw new ReplyError(Errors.syntax);
  }
}

/**
 * CLIENT TRACKING ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
 *   [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
 */
function clientTracking(ctx: CommandContext, args: Args): Reply {
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  // Every option is read (and REDIRECT checked) before ON / OFF, as in Redis.
  for (let i = 3; i < args.length; i++) {
    const more = args.length - 1 - i;
    const option = args.upper(i);
    if (option === "REDIRECT" && more > 0) {
      i++;
      if (redirect !== 0) throw new ReplyError(Errors.trackingRedirectTwice);
      redirect = args.integer(i);
      if (!ctx.server.clients.has(redirect)) throw new ReplyError(Errors.trackingRedirectMissing);
    } else if (option === "BCAST") {
      bcast = true;
    } else if (option === "OPTIN") {
      optin = true;
    } else if (option === "OPTOUT") {
      optout = true;
    } else if (option === "NOLOOP") {
      noloop = true;
    } else if (option === "PREFIX" && more > 0) {
      prefixes.push(args.get(++i));
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  const status = args.upper(2);
  if (status === "OFF") {
    ctx.server.tracking.disable(ctx);
    return OK;
  }
  if (status !== "ON") throw new ReplyError(Errors.syntax);
  const current = ctx.tracking;
  if (!bcast && prefixes.length > 0) throw new ReplyError(Errors.trackingPrefixNeedsBcast);
  if (current !== undefined && current.bcast !== bcast) {
    throw new ReplyError(Errors.trackingSwitchBcast);
  }
  if (bcast && (optin || optout)) throw new ReplyError(Errors.trackingOptWithBcast);
  if (optin && optout) throw new ReplyError(Errors.trackingOptinAndOptout);
  if ((optin && current?.optout === true) || (optout && current?.optin === true)) {
    throw new ReplyError(Errors.trackingSwitchOpt);
  }
  if (bcast) checkPrefixCollisions(ctx, prefixes);
  ctx.server.tracking.enable(ctx, { redirect, bcast, optin, optout, noloop, prefixes });
  return OK;
}

/** Refuses BCAST prefixes that overlap an existing one or each other, as Redis. */
function checkPrefixCollisions(ctx: CommandContext, prefixes: readonly string[]): void {
  const existing = [...(ctx.tracking?.prefixes ?? [])].sort();
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]!;
    for (const e of existing) {
      if (p.startsWith(e) || e.startsWith(p)) {
        throw new ReplyError(Errors.trackingPrefixOverlapsExisting(p, e));
      }
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      const q = prefixes[j]!;
      if (p.startsWith(q) || q.startsWith(p)) {
        throw new ReplyError(Errors.trackingPrefixOverlapsGiven(p, q));
      }
    }
  }
}

/** CLIENT TRACKINGINFO */
function clientTrackinginfo(ctx: CommandContext, _args: Args): Reply {
  const t = ctx.tracking;
  const flags: string[] = [];
  if (t === undefined) {
    flags.push("off");
  } else {
    flags.push("on");
    if (t.bcast) flags.push("bcast");
    if (t.optin) {
      flags.push("optin");
      if (t.caching) flags.push("caching-yes");
    }
    if (t.optout) {
      flags.push("optout");
      if (t.caching) flags.push("caching-no");
    }
    if (t.noloop) flags.push("noloop");
    if (t.brokenRedirect) flags.push("broken_redirect");
  }
  return map([
    [bulk("flags"), { kind: "set", items: flags.map(bulk) }],
    [bulk("redirect"), integer(t === undefined ? -1 : t.redirect)],
    [bulk("prefixes"), bulks([...(t?.prefixes ?? [])].sort())],
  ]);
}

/** CLIENT GETREDIR */
function clientGetredir(ctx: CommandContext, _args: Args): Reply {
  return integer(ctx.tracking === undefined ? -1 : ctx.tracking.redirect);
}

/** CLIENT CACHING YES|NO */
function clientCaching(ctx: CommandContext, args: Args): Reply {
  const t = ctx.tracking;
  if (t === undefined) throw new ReplyError(Errors.cachingNotTracking);
  const mode = args.upper(2);
  if (mode === "YES") {
    if (!t.optin) throw new ReplyError(Errors.cachingYesNeedsOptin);
  } else if (mode === "NO") {
    if (!t.optout) throw new ReplyError(Errors.cachingNoNeedsOptout);
  } else {
    throw new ReplyError(Errors.syntax);
  }
  t.caching = true;
  return OK;
}

/** CLIENT UNBLOCK client-id [TIMEOUT|ERROR] */
function clientUnblock(ctx: CommandContext, args: Args): Reply {
  if (args.length > 4) throw new ReplyError(Errors.unknownSubcommandOrArgs(args.get(1), "client"));
  let reason: "timeout" | "error" = "timeout";
  if (args.length === 4) {
    const r = asciiUpper(args.get(3));
    if (r === "ERROR") reason = "error";
    else if (r !== "TIMEOUT") throw new ReplyError(Errors.unblockReason);
  }
  const id = parseInteger(args.get(2));
  if (id === null) throw new ReplyError(Errors.notInteger);
  const target = ctx.server.clients.get(id);
  return integer(target !== undefined && ctx.blocking.unblock(target, reason) ? 1 : 0);
}

/** CLIENT NO-EVICT ON|OFF */
function clientNoEvict(ctx: CommandContext, args: Args): Reply {
  switch (args.upper(2)) {
    case "ON":
      ctx.noEvict = true;
      return OK;
    case "OFF":
      ctx.noEvict = false;
      return OK;
    default:
      throw new ReplyError(Errors.syntax);
  }
}

const CLIENT_HELP: readonly Reply[] = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "HELP",
  "    Prints this help.",
].map(simple);

/** CLIENT PAUSE timeout [WRITE | ALL] */
function clientPause(ctx: CommandContext, args: Args): Reply {
  if (args.length > 4) throw new ReplyError(Errors.unknownSubcommandOrArgs(args.get(1), "client"));
  let type: "write" | "all" = "all";
  if (args.length === 4) {
    const mode = args.upper(3);
    if (mode === "WRITE") type = "write";
    else if (mode !== "ALL") throw new ReplyError(Errors.pauseMode);
  }
  const timeout = args.int64(2, Errors.timeoutNotInteger);
  if (timeout < 0n) throw new ReplyError(Errors.timeoutNegative);
  // Redis adds the timeout to the time in a signed 64-bit integer: a sum
  // past its range wraps negative, so the pause is already over.
  let end = 0;
  if (timeout > 0n) {
    const sum = timeout + BigInt(Math.floor(ctx.clock.now()));
    end = sum > 9223372036854775807n ? -1 : Number(sum);
  }
  ctx.server.pause.pause(end, type);
  return OK;
}

/** CLIENT UNPAUSE */
function clientUnpause(ctx: CommandContext, _args: Args): Reply {
  ctx.server.pause.unpause();
  return OK;
}

/** CLIENT HELP */
function clientHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(CLIENT_HELP);
}

/**
 * Authenticates a client as a user, as AUTH and HELLO AUTH do. Only the
 * default user exists until ACL users arrive; with no `requirepass` it takes
 * any password.
 */
function authenticate(ctx: CommandContext, user: string, password: string): void {
  const required = ctx.config.get("requirepass");
  if (!userExists(user) || (required !== "" && password !== required)) {
    throw new ReplyError(Errors.wrongPass);
  }
  ctx.authenticated = true;
  ctx.user = user;
}

/** Whether an ACL user exists (only `default` until ACL users arrive). */
function userExists(user: string): boolean {
  return user === "default";
}

/** Sets or (with "") clears the client name; names are printable ASCII without spaces. */
function setName(ctx: CommandContext, name: string): void {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) throw new ReplyError(Errors.clientNameInvalid);
  }
  ctx.name = name;
}

/** The type named in CLIENT LIST TYPE / CLIENT KILL TYPE (`slave` is `replica`). */
function clientType(name: string): ClientType {
  switch (asciiUpper(name)) {
    case "NORMAL":
      return "normal";
    case "MASTER":
      return "master";
    case "SLAVE":
    case "REPLICA":
      return "replica";
    case "PUBSUB":
      return "pubsub";
    default:
      throw new ReplyError(Errors.unknownClientType(name));
  }
}

/** Bytes held by the arguments of the command running (CLIENT LIST argv-mem). */
function argvBytes(args: Args): number {
  let n = 0;
  for (const a of args.argv) n += a.length;
  return n;
}
