/**
 * DEBUG, Redis's testing and introspection command, gated by the
 * `enable-debug-command` parameter (`no` by default, `local` for loopback
 * and Unix socket clients only, `yes`); the dispatcher refuses it before
 * authentication, as Redis does, with {@linkcode debugAllowed}.
 *
 * Subcommands: DIGEST, DIGEST-VALUE, OBJECT, PROTOCOL, SET-ACTIVE-EXPIRE,
 * SLEEP and HELP. As in Redis, DEBUG is one command (not a container):
 * each subcommand checks its own argument count, and anything else answers
 * `unknown subcommand or wrong number of arguments`.
 *
 * Known differences from Redis 7.0.15:
 * - The other subcommands (RELOAD, POPULATE, JMAP, ...) are unknown.
 * - DEBUG OBJECT: the address is synthetic (stable per database and key);
 *   `serializedlength` is the RDB size without compression, an upper bound
 *   where Redis would compress (see `store/encoded_size.ts`); a list's
 *   `ql_*` fields describe the nodes tail pushes would build with the
 *   current `list-max-listpack-size`; a shared integer (0 to 9999) reports
 *   the server's start as its last access, as Redis does until one of the
 *   keys holding it is read.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import {
  array,
  bulk,
  double,
  integer,
  map,
  NIL,
  OK,
  type Reply,
  simple,
  verbatim,
} from "../resp/reply.ts";
import { datasetDigest, valueDigest } from "../store/digest.ts";
import { quicklistFill, quicklistNodes, serializedLength } from "../store/encoded_size.ts";
import { ListValue } from "../store/list.ts";
import { encodingOf } from "./generic.ts";
import { type Args, asciiLower, type CommandContext, parseInt64 } from "./spec.ts";
import type { HandlerTable } from "./table.ts";
import type { Client } from "../client.ts";

/**
 * The DEBUG handler, bound by name to the command table (`table.json`),
 * which gives it Redis's arity (-2), flags (admin, noscript, loading,
 * stale), key positions (none) and docs.
 */
export const DEBUG_HANDLERS: HandlerTable = { debug };

/**
 * Whether `enable-debug-command` lets a client run DEBUG: `yes` for
 * everyone, `local` for Unix socket and loopback (`127.0.0.1`, `::1`)
 * clients only, `no` for nobody.
 *
 * @param client the caller
 * @returns true when allowed
 * @example
 * ```ts
 * import { Engine } from "../engine.ts";
 * import { debugAllowed } from "./debug.ts";
 * const engine = new Engine({ config: { "enable-debug-command": "local" } });
 * console.assert(debugAllowed(engine.connect({ addr: "127.0.0.1:5000" })));
 * console.assert(!debugAllowed(engine.connect({ addr: "10.0.0.2:5000" })));
 * engine.close();
 * ```
 */
export function debugAllowed(client: Client): boolean {
  const mode = client.config.get("enable-debug-command");
  if (mode === "yes") return true;
  if (mode !== "local") return false;
  if (client.unix) return true;
  const host = hostOf(client.addr);
  return host === "127.0.0.1" || host === "::1";
}

/** The host part of `ip:port` or `[ipv6]:port`. */
function hostOf(addr: string): string {
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    return end === -1 ? addr : addr.slice(1, end);
  }
  const colon = addr.lastIndexOf(":");
  return colon === -1 ? addr : addr.slice(0, colon);
}

/** One DEBUG subcommand: its argument count (Redis's convention, DEBUG included) and body. */
interface Subcommand {
  /** Counts DEBUG and the subcommand; -N means at least N. */
  readonly arity: number;
  readonly run: (ctx: CommandContext, args: Args) => Reply;
}

/** The subcommands, by lower-case name. */
const SUBCOMMANDS: ReadonlyMap<string, Subcommand> = new Map<string, Subcommand>([
  ["help", { arity: 2, run: debugHelp }],
  ["object", { arity: 3, run: debugObject }],
  ["digest", { arity: 2, run: debugDigest }],
  ["digest-value", { arity: -2, run: debugDigestValue }],
  ["protocol", { arity: 3, run: debugProtocol }],
  ["sleep", { arity: 3, run: debugSleep }],
  ["set-active-expire", { arity: 3, run: debugSetActiveExpire }],
]);

/** DEBUG subcommand [argument ...] */
function debug(ctx: CommandContext, args: Args): Reply {
  const sub = args.get(1);
  const entry = SUBCOMMANDS.get(asciiLower(sub));
  const n = args.length;
  if (entry === undefined || (entry.arity > 0 ? n !== entry.arity : n < -entry.arity)) {
    throw new ReplyError(Errors.unknownSubcommandOrArgs(sub, args.get(0)));
  }
  return entry.run(ctx, args);
}

// ---------------------------------------------------------------- HELP

/** Redis's help lines for the subcommands implemented, in its order. */
const DEBUG_HELP: readonly Reply[] = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "HELP",
  "    Prints this help.",
].map(simple);

/** DEBUG HELP */
function debugHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(DEBUG_HELP);
}

// ---------------------------------------------------------------- DIGEST

/** DEBUG DIGEST */
function debugDigest(ctx: CommandContext, _args: Args): Reply {
  const server = ctx.server;
  const dbs = Array.from({ length: server.databases }, (_, i) => server.db(i));
  return simple(datasetDigest(dbs));
}

/** DEBUG DIGEST-VALUE [key ...] */
function debugDigestValue(ctx: CommandContext, args: Args): Reply {
  const db = ctx.db;
  const out: Reply[] = [];
  // Logically expired keys not yet reclaimed count, as Redis finds them.
  for (const key of args.rest(2)) {
    out.push(simple(valueDigest(db.peek(key), db.getExpire(key) !== undefined)));
  }
  return array(out);
}

// ---------------------------------------------------------------- OBJECT

/** Integers Redis shares one object for (OBJ_SHARED_INTEGERS), refcount INT_MAX. */
const SHARED_INTEGERS = 10000n;
const SHARED_REFCOUNT = 2147483647;
/** Redis's LRU clock is 24 bits of seconds. */
const LRU_CLOCK_MAX = 0xffffff;

/** DEBUG OBJECT key */
function debugObject(ctx: CommandContext, args: Args): Reply {
  const key = args.get(2);
  const db = ctx.db;
  // Found as stored (expired or not) and not touched, as Redis's dictFind.
  const value = db.peek(key);
  if (value === undefined) throw new ReplyError(Errors.noSuchKey);
  const now = db.lruNow();
  let refcount = 1;
  let lru = db.lru(key)!;
  const recorded = db.encoding(key);
  if (typeof value === "string" && recorded === undefined) {
    const n = parseInt64(value);
    if (n !== null && n >= 0n && n < SHARED_INTEGERS) {
      refcount = SHARED_REFCOUNT;
      lru = Math.floor(ctx.server.startedAt / 1000);
    }
  }
  const listFill = ctx.config.number("list-max-listpack-size");
  let extra = "";
  if (value instanceof ListValue) {
    const nodes = quicklistNodes(value.values(), listFill);
    let bytes = 0;
    for (const node of nodes) bytes += node.bytes;
    const compressed = ctx.config.number("list-compress-depth") !== 0 ? 1 : 0;
    extra = ` ql_nodes:${nodes.length} ql_avg_node:${ratio2(value.length, nodes.length)}` +
      ` ql_listpack_max:${quicklistFill(listFill)} ql_compressed:${compressed}` +
      ` ql_uncompressed_size:${bytes}`;
  }
  return simple(
    `Value at:${syntheticAddress(db.id, key)} refcount:${refcount} ` +
      `encoding:${encodingOf(value, recorded)} serializedlength:${
        serializedLength(value, { listFill })
      } ` +
      `lru:${lru & LRU_CLOCK_MAX} lru_seconds_idle:${Math.max(0, now - lru)}${extra}`,
  );
}

/**
 * `a / b` printed as C's `%.2f`: two decimals, exact ties to even.
 *
 * @param a a non-negative integer
 * @param b a positive integer
 */
function ratio2(a: number, b: number): string {
  let q = Math.floor((a * 100) / b);
  const r2 = 2 * (a * 100 - q * b);
  if (r2 > b || (r2 === b && q % 2 === 1)) q++;
  const text = String(q).padStart(3, "0");
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

/**
 * A stable, plausible heap address for a key's value (Redis prints the
 * object's pointer): 16-byte aligned, derived from the database and key.
 */
function syntheticAddress(dbId: number, key: string): string {
  // FNV-1a over the database number and the key bytes.
  let h = (0x811c9dc5 ^ dbId) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  }
  return `0x${(0x7f0000000000 + h * 16).toString(16)}`;
}

// ---------------------------------------------------------------- PROTOCOL

const BIGNUM = "1234567999999999999999999999999999999";

/** The test value of each DEBUG PROTOCOL type, by protocol version where they differ. */
const PROTOCOL_REPLIES: ReadonlyMap<string, (resp: 2 | 3) => Reply> = new Map<
  string,
  (resp: 2 | 3) => Reply
>([
  ["string", () => bulk("Hello World")],
  ["integer", () => integer(12345)],
  ["double", () => double(3.141)],
  ["bignum", () => ({ kind: "bignum", value: BIGNUM })],
  ["null", () => NIL],
  ["array", () => array([integer(0), integer(1), integer(2)])],
  ["set", () => ({ kind: "set", items: [integer(0), integer(1), integer(2)] })],
  [
    "map",
    () => map([0, 1, 2].map((j) => [integer(j), { kind: "boolean", value: j === 1 }] as const)),
  ],
  [
    "attrib",
    () => ({
      kind: "attribute",
      entries: [[bulk("key-popularity"), array([bulk("key:123"), integer(90)])]],
      reply: bulk("Some real reply following the attribute"),
    }),
  ],
  [
    "push",
    (resp) => {
      if (resp < 3) throw new ReplyError(Errors.resp2NotSupported);
      return {
        kind: "preceded",
        push: { kind: "push", items: [bulk("server-cpu-usage"), integer(42)] },
        reply: bulk("Some real reply following the push reply"),
      };
    },
  ],
  ["verbatim", () => verbatim("This is a verbatim\nstring", "txt")],
  ["true", () => ({ kind: "boolean", value: true })],
  ["false", () => ({ kind: "boolean", value: false })],
]);

/** DEBUG PROTOCOL string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false */
function debugProtocol(ctx: CommandContext, args: Args): Reply {
  const make = PROTOCOL_REPLIES.get(asciiLower(args.get(2)));
  if (make === undefined) throw new ReplyError(Errors.debugProtocolType);
  return make(ctx.resp);
}

// ---------------------------------------------------------------- SLEEP, SET-ACTIVE-EXPIRE

/** DEBUG SLEEP seconds */
function debugSleep(_ctx: CommandContext, args: Args): Reply {
  // strtod: the longest numeric prefix, 0 when there is none.
  const seconds = strtodPrefix(args.get(2));
  // Converted to whole microseconds as C's (long long) cast: NaN and values
  // out of range become INT64_MIN on x86, so they do not sleep at all.
  const micros = seconds * 1e6;
  if (!(micros >= 1 && micros < 2 ** 63)) return OK;
  // The whole server stops, as Redis's nanosleep does.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.trunc(micros) / 1000);
  return OK;
}

/** DEBUG SET-ACTIVE-EXPIRE 0|1 */
function debugSetActiveExpire(ctx: CommandContext, args: Args): Reply {
  ctx.server.setActiveExpire(atoi(args.get(2)) !== 0);
  return OK;
}

const SPACE = "[ \\t\\n\\v\\f\\r]*";
const STRTOD_SPECIAL = new RegExp(
  `^${SPACE}([+-]?)(?:(inf(?:inity)?)|nan(?:\\([0-9a-z_]*\\))?)`,
  "i",
);
const STRTOD_HEX = new RegExp(
  `^${SPACE}([+-]?)0x([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(?:p([+-]?\\d+))?`,
  "i",
);
const STRTOD_DECIMAL = new RegExp(`^${SPACE}([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?)`, "i");

/**
 * C's strtod on a whole argument, ignoring what follows the number: leading
 * white space, decimal and hexadecimal forms, `inf`, `infinity`, `nan`; 0
 * when no number starts the text.
 */
function strtodPrefix(text: string): number {
  const special = STRTOD_SPECIAL.exec(text);
  if (special !== null) {
    if (special[2] === undefined) return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  const hex = STRTOD_HEX.exec(text);
  if (hex !== null) {
    const digits = hex[2]!;
    const dot = digits.indexOf(".");
    const whole = dot === -1 ? digits : digits.slice(0, dot);
    const fraction = dot === -1 ? "" : digits.slice(dot + 1);
    let v = 0;
    for (const c of whole + fraction) v = v * 16 + parseInt(c, 16);
    v *= 2 ** (Number(hex[3] ?? "0") - 4 * fraction.length);
    return hex[1] === "-" ? -v : v;
  }
  const decimal = STRTOD_DECIMAL.exec(text);
  return decimal === null ? 0 : Number(decimal[1]);
}

/**
 * C's atoi as glibc does it (strtol, then a cast to int): leading white
 * space, a sign, digits; saturated to 64 bits, then truncated to 32.
 */
function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (m === null) return 0;
  let v = BigInt(m[2]!);
  if (m[1] === "-") v = -v;
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;
  if (v < min) v = min;
  if (v > max) v = max;
  return Number(BigInt.asIntN(32, v));
}
