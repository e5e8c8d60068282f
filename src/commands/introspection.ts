/**
 * The introspection commands: SLOWLOG, LATENCY, LOLWUT and MODULE, as Redis
 * 7.0.15 answers them. The slow log and the latency monitor themselves are
 * `src/slowlog.ts` and `src/latency.ts`; the dispatcher feeds them.
 *
 * Known differences from Redis 7.0.15:
 * - LOLWUT VERSION 5 and 6 draw with the server's seedable random source,
 *   not C's `rand()`, so their random parts differ from a real server's
 *   (as two real servers' differ); what is not random (VERSION 5 with at
 *   most two rows of squares) is byte for byte the same.
 * - MODULE: resplite loads no modules. MODULE LIST is empty and MODULE
 *   LOAD / LOADEX answer Redis's error for a module that cannot be loaded
 *   (the log says why).
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import {
  array,
  bulk,
  EMPTY_ARRAY,
  integer,
  map,
  OK,
  type Reply,
  simple,
  verbatim,
} from "../resp/reply.ts";
import {
  type Args,
  asciiLower,
  asciiUpper,
  type Command,
  type CommandContext,
  parseInteger,
} from "./spec.ts";
import type { HandlerTable } from "./table.ts";
import type { LatencyHistogram } from "../latency.ts";

/** The introspection group's handlers, bound by name to the command table. */
export const INTROSPECTION_HANDLERS: HandlerTable = {
  "slowlog|get": slowlogGet,
  "slowlog|len": slowlogLen,
  "slowlog|reset": slowlogReset,
  "slowlog|help": slowlogHelp,
  "latency|latest": latencyLatest,
  "latency|history": latencyHistory,
  "latency|reset": latencyReset,
  "latency|graph": latencyGraph,
  "latency|doctor": latencyDoctor,
  "latency|histogram": latencyHistogram,
  "latency|help": latencyHelp,
  lolwut,
  "module|list": moduleList,
  "module|load": moduleLoad,
  "module|loadex": moduleLoadex,
  "module|unload": moduleUnload,
  "module|help": moduleHelp,
};

/** The version LOLWUT reports. */
const REDIS_VERSION = "7.0.15";

/**
 * Redis's addReplyHelp: a header naming the command as typed (upper-cased),
 * the lines, then HELP's own two lines.
 */
export function helpReply(args: Args, lines: readonly string[]): Reply {
  return array([
    `${asciiUpper(args.get(0))} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    "HELP",
    "    Prints this help.",
  ].map(simple));
}

// ---------------------------------------------------------------- SLOWLOG

/** SLOWLOG GET [count] */
function slowlogGet(ctx: CommandContext, args: Args): Reply {
  const slowlog = ctx.server.slowlog;
  // The table allows any number of arguments; SLOWLOG GET itself takes one.
  if (args.length > 3) {
    throw new ReplyError(Errors.unknownSubcommandOrArgs(args.get(1), args.get(0)));
  }
  let count = 10;
  if (args.length === 3) {
    count = args.integer(2, Errors.slowlogCount);
    if (count < -1) throw new ReplyError(Errors.slowlogCount);
    if (count === -1) count = slowlog.length;
  }
  return array(
    slowlog.get(count).map((e) =>
      array([
        integer(e.id),
        integer(e.time),
        integer(e.duration),
        array(e.argv.map(bulk)),
        bulk(e.peer),
        bulk(e.name),
      ])
    ),
  );
}

/** SLOWLOG LEN */
function slowlogLen(ctx: CommandContext, _args: Args): Reply {
  return integer(ctx.server.slowlog.length);
}

/** SLOWLOG RESET */
function slowlogReset(ctx: CommandContext, _args: Args): Reply {
  ctx.server.slowlog.reset();
  return OK;
}

const SLOWLOG_HELP = [
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
];

/** SLOWLOG HELP */
function slowlogHelp(_ctx: CommandContext, args: Args): Reply {
  return helpReply(args, SLOWLOG_HELP);
}

// ---------------------------------------------------------------- LATENCY

/** LATENCY LATEST */
function latencyLatest(ctx: CommandContext, _args: Args): Reply {
  return array(
    ctx.server.latency.latest().map(([event, time, latency, max]) =>
      array([bulk(event), integer(time), integer(latency), integer(max)])
    ),
  );
}

/** LATENCY HISTORY event */
function latencyHistory(ctx: CommandContext, args: Args): Reply {
  return array(
    ctx.server.latency.history(args.get(2)).map(([time, latency]) =>
      array([integer(time), integer(latency)])
    ),
  );
}

/** LATENCY RESET [event ...] */
function latencyReset(ctx: CommandContext, args: Args): Reply {
  const latency = ctx.server.latency;
  return integer(args.length === 2 ? latency.reset() : latency.reset(args.rest(2)));
}

/** LATENCY GRAPH event */
function latencyGraph(ctx: CommandContext, args: Args): Reply {
  const event = args.get(2);
  const graph = ctx.server.latency.graph(event);
  if (graph === undefined) throw new ReplyError(Errors.latencyNoSamples(event));
  return verbatim(graph);
}

/** LATENCY DOCTOR */
function latencyDoctor(ctx: CommandContext, _args: Args): Reply {
  const config = ctx.config;
  return verbatim(ctx.server.latency.doctor({
    slowlogSlowerThan: config.number("slowlog-log-slower-than"),
    slowlogMaxLen: config.number("slowlog-max-len"),
    hz: config.number("hz"),
  }));
}

/** One command's LATENCY HISTOGRAM entry: calls and the cumulative buckets. */
function histogramReply(h: LatencyHistogram): Reply {
  return map([
    [bulk("calls"), integer(h.count)],
    [
      bulk("histogram_usec"),
      map(h.cumulative().map(([usec, count]) => [integer(usec), integer(count)] as const)),
    ],
  ]);
}

/** LATENCY HISTOGRAM [command ...] */
function latencyHistogram(ctx: CommandContext, args: Args): Reply {
  const stats = ctx.server.stats;
  const entries: [Reply, Reply][] = [];
  const add = (command: Command) => {
    const h = stats.commands.get(command.fullName)?.histogram;
    if (h !== undefined && h.count > 0) entries.push([bulk(command.fullName), histogramReply(h)]);
  };
  if (args.length === 2) {
    for (const [name, s] of stats.commands) {
      const h = s.histogram;
      if (h !== undefined && h.count > 0) entries.push([bulk(name), histogramReply(h)]);
    }
    return map(entries);
  }
  const table = ctx.server.commands;
  for (const name of args.rest(2)) {
    // As Redis's lookupCommandBySds: `container|sub` names a subcommand.
    const parts = asciiLower(name).split("|");
    let command = table.lookup(parts[0]!);
    if (command !== undefined && parts.length === 2) {
      command = command.subcommands?.get(parts[1]!);
    } else if (parts.length > 2) {
      command = undefined;
    }
    if (command === undefined) continue;
    add(command);
    if (parts.length === 1 && command.subcommands !== undefined) {
      for (const sub of command.subcommands.values()) add(sub);
    }
  }
  return map(entries);
}

const LATENCY_HELP = [
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
];

/** LATENCY HELP */
function latencyHelp(_ctx: CommandContext, args: Args): Reply {
  return helpReply(args, LATENCY_HELP);
}

// ---------------------------------------------------------------- LOLWUT

/** LOLWUT [VERSION version] [arguments of that version] */
function lolwut(ctx: CommandContext, args: Args): Reply {
  let version = REDIS_VERSION;
  let rest = args.argv.slice(1);
  if (args.length >= 3 && asciiLower(args.get(1)) === "version") {
    // Printed as C's "%u.0.0" of the (unsigned int) value.
    args.integer(2);
    version = `${BigInt.asUintN(32, BigInt(args.get(2)))}.0.0`;
    rest = args.argv.slice(3);
  }
  if (/^5\.[^9]/.test(version) || /^4\.9/.test(version)) return lolwut5(ctx, rest);
  if (/^6\.[^9]/.test(version) || /^5\.9/.test(version)) return lolwut6(ctx, rest);
  return verbatim(`Redis ver. ${REDIS_VERSION}\n`);
}

/** A long argument as getLongFromObjectOrReply parses it, clamped to a range. */
function clampedLong(arg: string | undefined, fallback: number, min: number, max: number): number {
  if (arg === undefined) return fallback;
  const n = parseLong(arg);
  return Math.min(max, Math.max(min, n));
}

function parseLong(arg: string): number {
  const n = parseInteger(arg);
  if (n === null) throw new ReplyError(Errors.notInteger);
  return n;
}

/** C's rand(): 0 to RAND_MAX (2^31 - 1), from the server's random source. */
function cRand(ctx: CommandContext): number {
  return ctx.random.below(2147483648);
}

/** C's round(): halves away from zero. */
function cRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** A canvas of pixels, as Redis's lwCanvas. */
class Canvas {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;

  constructor(width: number, height: number, background: number) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height).fill(background);
  }

  draw(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }

  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width]!;
  }

  /** Bresenham's line. */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.draw(x1, y1, color);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** A square centred on x, y, rotated by angle (C floats kept as floats). */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    const f = Math.fround;
    size = f(cRound(f(size / 1.4142135623)));
    let k = f(Math.PI / 4 + angle);
    const px: number[] = [];
    const py: number[] = [];
    for (let j = 0; j < 4; j++) {
      px.push(cRound(Math.sin(k) * size + x));
      py.push(cRound(Math.cos(k) * size + y));
      k = f(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) {
      this.line(px[j]!, py[j]!, px[(j + 1) % 4]!, py[(j + 1) % 4]!, color);
    }
  }
}

/** LOLWUT VERSION 5 [columns] [squares per row] [squares per column]: Schotter. */
function lolwut5(ctx: CommandContext, rest: readonly string[]): Reply {
  const cols = clampedLong(rest[0], 66, 1, 1000);
  const perRow = clampedLong(rest[1], 8, 1, 200);
  const perCol = clampedLong(rest[2], 12, 1, 200);
  const f = Math.fround;
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f((width - padding * 2) / perRow);
  const height = Math.trunc(f(f(side * perCol) + padding * 2));
  const canvas = new Canvas(width, height, 0);
  const RAND_MAX = 2147483647;
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f(f(f(x * side) + f(side / 2)) + padding));
      let sy = Math.trunc(f(f(f(y * side) + f(side / 2)) + padding));
      let angle = 0;
      if (y > 1) {
        let r1 = f(f(f(f(cRand(ctx)) / f(RAND_MAX)) / perCol) * y);
        let r2 = f(f(f(f(cRand(ctx)) / f(RAND_MAX)) / perCol) * y);
        let r3 = f(f(f(f(cRand(ctx)) / f(RAND_MAX)) / perCol) * y);
        if (cRand(ctx) % 2) r1 = -r1;
        if (cRand(ctx) % 2) r2 = -r2;
        if (cRand(ctx) % 2) r3 = -r3;
        angle = r1;
        sx = Math.trunc(f(sx + f(f(r2 * side) / 3)));
        sy = Math.trunc(f(sy + f(f(r3 * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  let text = "";
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      let byte = 0;
      if (canvas.get(x, y)) byte |= 1 << 0;
      if (canvas.get(x, y + 1)) byte |= 1 << 1;
      if (canvas.get(x, y + 2)) byte |= 1 << 2;
      if (canvas.get(x + 1, y)) byte |= 1 << 3;
      if (canvas.get(x + 1, y + 1)) byte |= 1 << 4;
      if (canvas.get(x + 1, y + 2)) byte |= 1 << 5;
      if (canvas.get(x, y + 3)) byte |= 1 << 6;
      if (canvas.get(x + 1, y + 3)) byte |= 1 << 7;
      // The Braille character U+2800 + byte, as its three UTF-8 bytes.
      const code = 0x2800 + byte;
      text += String.fromCharCode(
        0xe0 | (code >> 12),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
    if (y !== canvas.height - 1) text += "\n";
  }
  text += `\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`;
  return verbatim(text);
}

/** LOLWUT VERSION 6 [columns] [rows]: a skyline. */
function lolwut6(ctx: CommandContext, rest: readonly string[]): Reply {
  const cols = clampedLong(rest[0], 80, 1, 1000);
  const rows = clampedLong(rest[1], 20, 1, 1000);
  const canvas = new Canvas(cols, rows, 3);
  skyline(ctx, canvas);
  const ESCAPES = ["0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"];
  let text = "";
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      text += `\x1b[${ESCAPES[canvas.get(x, y)] ?? ESCAPES[0]} \x1b[0m`;
    }
    if (y !== canvas.height - 1) text += "\n";
  }
  text += "\nDedicated to the 8 bit game developers of past and present.\n" +
    `Original 8 bit image from Plaguemon by hikikomori. Redis ver. ${REDIS_VERSION}\n`;
  return verbatim(text);
}

interface Skyscraper {
  xoff: number;
  width: number;
  height: number;
  windows: boolean;
  color: number;
}

function skyscraper(ctx: CommandContext, canvas: Canvas, si: Skyscraper): void {
  const starty = canvas.height - 1;
  const endy = starty - si.height + 1;
  for (let y = starty; y >= endy; y--) {
    for (let x = si.xoff; x < si.xoff + si.width; x++) {
      // The roof is four pixels narrower.
      if (y === endy && (x <= si.xoff + 1 || x >= si.xoff + si.width - 2)) continue;
      let color = si.color;
      if (
        si.windows && x > si.xoff + 1 && x < si.xoff + si.width - 2 && y > endy + 1 &&
        y < starty - 1
      ) {
        const relx = x - (si.xoff + 1);
        const rely = y - (endy + 1);
        if (Math.trunc(relx / 2) % 2 && rely % 2) {
          do {
            color = 1 + (cRand(ctx) % 2);
          } while (color === si.color);
          if (relx % 2) color = canvas.get(x - 1, y);
        }
      }
      canvas.draw(x, y, color);
    }
  }
}

function skyline(ctx: CommandContext, canvas: Canvas): void {
  const h = canvas.height;
  const si: Skyscraper = { xoff: 0, width: 0, height: 0, windows: false, color: 0 };
  // Background buildings without windows, lighter ones behind.
  for (let color = 2; color >= 1; color--) {
    si.color = color;
    for (let offset = -10; offset < canvas.width;) {
      offset += cRand(ctx) % 8;
      si.xoff = offset;
      si.width = 10 + (cRand(ctx) % 9);
      si.height = color === 2
        ? Math.trunc(h / 2) + Math.trunc((cRand(ctx) % h) / 2)
        : Math.trunc(h / 2) + Math.trunc((cRand(ctx) % h) / 3);
      si.windows = false;
      skyscraper(ctx, canvas, si);
      offset += color === 2 ? Math.trunc(si.width / 2) : si.width + 1;
    }
  }
  // Foreground buildings with windows.
  si.color = 0;
  for (let offset = -10; offset < canvas.width;) {
    offset += cRand(ctx) % 8;
    si.xoff = offset;
    si.width = 5 + (cRand(ctx) % 14);
    if (si.width % 4) si.width += si.width % 3;
    si.height = Math.trunc(h / 3) + Math.trunc((cRand(ctx) % h) / 2);
    si.windows = true;
    skyscraper(ctx, canvas, si);
    offset += si.width + 5;
  }
}

// ---------------------------------------------------------------- MODULE

/**
 * The MODULE subcommands Redis protects with `enable-module-command`
 * (refused before they run, as DEBUG is by `enable-debug-command`).
 */
export const PROTECTED_MODULE_COMMANDS: ReadonlySet<string> = new Set([
  "module|load",
  "module|loadex",
  "module|unload",
]);

/**
 * Whether `enable-module-command` lets a client run the protected MODULE
 * subcommands: `yes`, or `local` for a Unix socket or loopback client.
 *
 * @param client the client
 * @returns true if allowed
 * @example
 * ```ts
 * import { Engine } from "../engine.ts";
 * import { moduleAllowed } from "./introspection.ts";
 * const engine = new Engine();
 * console.assert(!moduleAllowed(engine.connect()));
 * engine.close();
 * ```
 */
export function moduleAllowed(client: CommandContext): boolean {
  const mode = client.config.get("enable-module-command");
  if (mode === "yes") return true;
  if (mode !== "local") return false;
  if (client.unix) return true;
  const addr = client.addr;
  const host = addr.startsWith("[")
    ? addr.slice(1, addr.indexOf("]"))
    : addr.slice(0, Math.max(0, addr.lastIndexOf(":")));
  return host === "127.0.0.1" || host === "::1";
}

/** MODULE LIST */
function moduleList(_ctx: CommandContext, _args: Args): Reply {
  return EMPTY_ARRAY;
}

/** MODULE LOAD path [arg ...] */
function moduleLoad(ctx: CommandContext, args: Args): Reply {
  return refuseModule(
    ctx,
    `Module ${args.get(2)} failed to load: resplite does not load Redis modules`,
  );
}

/** MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...] */
function moduleLoadex(ctx: CommandContext, args: Args): Reply {
  // The options are checked as Redis checks them; a bad one fails the
  // load with the same error, the log saying why.
  for (let j = 3; j < args.length; j++) {
    const opt = asciiLower(args.get(j));
    if (opt === "config") {
      if (j + 2 >= args.length) return refuseModule(ctx, "CONFIG field is missing a value");
      j += 2;
    } else if (opt === "args") {
      break; // The rest are the module's arguments.
    } else {
      return refuseModule(ctx, `Syntax Error from arguments to loadex around ${args.get(j)}.`);
    }
  }
  return refuseModule(
    ctx,
    `Module ${args.get(2)} failed to load: resplite does not load Redis modules`,
  );
}

/** Logs why a module was not loaded and answers Redis's error. */
function refuseModule(ctx: CommandContext, why: string): Reply {
  ctx.server.log("warning", why);
  throw new ReplyError(Errors.moduleLoad);
}

/** MODULE UNLOAD name */
function moduleUnload(_ctx: CommandContext, _args: Args): Reply {
  throw new ReplyError(Errors.moduleUnloadNoSuch);
}

const MODULE_HELP = [
  "LIST",
  "    Return a list of loaded modules.",
  "LOAD <path> [<arg> ...]",
  "    Load a module library from <path>, passing to it any optional arguments.",
  "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
  "    Load a module library from <path>, while passing it module configurations and optional arguments.",
  "UNLOAD <name>",
  "    Unload a module.",
];

/** MODULE HELP */
function moduleHelp(_ctx: CommandContext, args: Args): Reply {
  return helpReply(args, MODULE_HELP);
}
