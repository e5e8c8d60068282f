/**
 * The MEMORY command: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP.
 *
 * The figures come from `src/evict.ts` (what `used_memory` counts) and
 * `src/store/memory_size.ts` (the per-value estimate, Redis 7.0.15's layout
 * with its sampling rules), so they are deterministic and comparable with
 * Redis's, not a reading of the V8 heap.
 *
 * Known differences from Redis 7.0.15:
 * - MEMORY USAGE is computed from the value with Redis's layout and
 *   sampling rules (see `memory_size.ts`): strings, intsets, listpacks,
 *   hash tables and lists built by pushes give Redis's figures; a skiplist
 *   node is given its expected size where Redis reads its drawn level, and
 *   strings grown in place (APPEND) lack Redis's spare room.
 * - MEMORY STATS: `replication.backlog`, `clients.slaves`, `cluster.links`,
 *   `aof.buffer`, `lua.caches` and `functions.caches` are 0 (no such
 *   features); `clients.normal` is the clients' buffered bytes; the
 *   allocator figures are the V8 heap in use (`allocator.allocated`,
 *   `allocator.active`) and the process RSS (`allocator.resident`).
 * - MALLOC-STATS answers as Redis built with libc malloc does (V8 has no
 *   allocator report); INFO's `mem_allocator` says `libc` accordingly.
 * - PURGE runs a full V8 garbage collection where the runtime allows it
 *   (through `node:v8` / `node:vm`, loaded on the first use: the first
 *   PURGE of a process may only start loading them) and answers OK, as
 *   Redis answers OK once jemalloc purged its dirty pages.
 * - DOCTOR checks what resplite can measure: an almost empty instance
 *   (under 5 MB), a peak over 150% of the memory in use, RSS over 1.4
 *   times `used_memory` (and 10 MB more), client buffers over 200 KB each
 *   on average; the texts of the issues are resplite's own.
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
import { type Args, asciiUpper, type CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";
import { DEFAULT_SAMPLES, keySize } from "../store/memory_size.ts";
import type { MemoryFigures } from "../evict.ts";

/**
 * The MEMORY group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags and docs.
 */
export const MEMORY_HANDLERS: HandlerTable = {
  "memory|usage": memoryUsage,
  "memory|stats": memoryStats,
  "memory|doctor": memoryDoctor,
  "memory|malloc-stats": memoryMallocStats,
  "memory|purge": memoryPurge,
  "memory|help": memoryHelp,
};

const HELP: readonly string[] = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

/** MEMORY USAGE key [SAMPLES count] */
function memoryUsage(ctx: CommandContext, args: Args): Reply {
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < args.length; i++) {
    if (asciiUpper(args.get(i)) === "SAMPLES" && i + 1 < args.length) {
      const n = args.int64(i + 1);
      if (n < 0n) throw new ReplyError(Errors.syntax);
      samples = n === 0n ? Infinity : Number(n);
      i++;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }
  // As Redis's dictFind: an expired key not yet reclaimed is still measured.
  const key = args.get(2);
  const value = ctx.db.peek(key);
  if (value === undefined) return NIL;
  const listFill = ctx.config.number("list-max-listpack-size");
  return integer(keySize(key, value, { samples, listFill }));
}

/** A ratio as Redis reports it: a C float, promoted to double. */
function ratio(a: number, b: number): Reply {
  return double(Math.fround(b === 0 ? 0 : a / b));
}

/** MEMORY STATS */
function memoryStats(ctx: CommandContext, _args: Args): Reply {
  const f = ctx.server.memory.figures();
  const int = (name: string, n: number): [Reply, Reply] => [bulk(name), integer(n)];
  const dbl = (name: string, r: Reply): [Reply, Reply] => [bulk(name), r];
  const netUsage = f.used > f.startup ? f.used - f.startup : 1;
  const entries: [Reply, Reply][] = [
    int("peak.allocated", f.peak),
    int("total.allocated", f.used),
    int("startup.allocated", f.startup),
    int("replication.backlog", 0),
    int("clients.slaves", 0),
    int("clients.normal", f.clients),
    int("cluster.links", 0),
    int("aof.buffer", 0),
    int("lua.caches", 0),
    int("functions.caches", 0),
  ];
  for (const db of f.dbs) {
    entries.push([
      bulk(`db.${db.id}`),
      map([int("overhead.hashtable.main", db.main), int("overhead.hashtable.expires", db.expires)]),
    ]);
  }
  const allocated = f.heap;
  entries.push(
    int("overhead.total", f.overhead),
    int("keys.count", f.keys),
    int("keys.bytes-per-key", f.keys === 0 ? 0 : Math.floor(netUsage / f.keys)),
    int("dataset.bytes", f.dataset),
    dbl("dataset.percentage", ratio(f.dataset * 100, netUsage)),
    dbl("peak.percentage", ratio(f.used * 100, f.peak)),
    int("allocator.allocated", allocated),
    int("allocator.active", allocated),
    int("allocator.resident", f.rss),
    dbl("allocator-fragmentation.ratio", ratio(allocated, allocated)),
    int("allocator-fragmentation.bytes", 0),
    dbl("allocator.rss-ratio", ratio(f.rss, allocated)),
    int("allocator.rss-bytes", f.rss - allocated),
    dbl("rss-overhead.ratio", ratio(f.rss, f.rss)),
    int("rss-overhead.bytes", 0),
    dbl("fragmentation", ratio(f.rss, f.used)),
    int("fragmentation.bytes", f.rss - f.used),
  );
  return map(entries);
}

/** MEMORY DOCTOR */
function memoryDoctor(ctx: CommandContext, _args: Args): Reply {
  const server = ctx.server;
  return verbatim(doctorReport(server.memory.figures(), server.clients.size));
}

/**
 * The MEMORY DOCTOR text for some figures.
 *
 * @param f the memory figures
 * @param clients connected clients
 * @returns the report, newline-terminated
 * @example
 * ```ts
 * import { doctorReport } from "./memory.ts";
 * const f = { used: 1000, peak: 1000, startup: 0, overhead: 0, dataset: 1000, clients: 0, keys: 1, dbs: [], rss: 0, heap: 0 };
 * console.assert(doctorReport(f, 1).startsWith("Hi Sam, this instance is empty"));
 * ```
 */
export function doctorReport(f: MemoryFigures, clients: number): string {
  const MB = 1024 * 1024;
  const issues: string[] = [];
  if (f.used < 5 * MB) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  }
  if (f.peak / f.used > 1.5) {
    issues.push(
      " * Peak memory: the memory in use once went above 150% of what it is now. The V8 heap keeps pages it grew for a while after a peak, so RSS may stay high; MEMORY PURGE runs a full garbage collection, which gives free pages back.\n\n",
    );
  }
  if (f.rss / f.used > 1.4 && f.rss - f.used > 10 * MB) {
    issues.push(
      " * High total RSS: the Resident Set Size of the process is more than 1.4 times used_memory. resplite runs in a V8 heap: RSS also holds the runtime, compiled code and garbage not collected yet, and used_memory estimates the data as Redis lays it out. A large gap after a peak is harmless; MEMORY PURGE collects garbage now.\n\n",
    );
  }
  if (clients > 0 && f.clients / clients > 200 * 1024) {
    issues.push(
      " * Big client buffers: the clients' buffers hold more than 200K per client on average: clients reading replies slowly (Pub/Sub subscribers, large replies) or sending long pipelines. CLIENT LIST shows which ones.\n\n",
    );
  }
  if (issues.length === 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  }
  return "Sam, I detected a few issues in this Redis instance memory implants:\n\n" +
    issues.join("") + "I'm here to keep you safe, Sam. I want to help you.\n";
}

/** MEMORY MALLOC-STATS */
function memoryMallocStats(_ctx: CommandContext, _args: Args): Reply {
  // What Redis built without jemalloc answers: V8 has no allocator report.
  return simple("Stats not supported for the current allocator");
}

/** MEMORY PURGE */
function memoryPurge(ctx: CommandContext, _args: Args): Reply {
  ctx.server.host.collectGarbage?.();
  return OK;
}

/** MEMORY HELP */
function memoryHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(HELP.map(simple));
}
