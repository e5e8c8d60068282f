/**
 * The effect stream as a replication log, checked by a property: a seeded
 * random workload of every write command runs on a primary engine while
 * its effect stream is replayed, effect by effect, into a fresh replica
 * engine; after every step and at the end both hold the same keys, values
 * and absolute TTLs, and the stream holds only deterministic effects.
 *
 * What makes it catch non-deterministic propagation:
 * - The replica has another random seed: a replayed SPOP pops other
 *   members.
 * - The replica's manual clock runs {@linkcode REPLICA_LAG_MS} behind the
 *   primary's: a relative TTL replayed as sent gives another absolute
 *   expiry (keys are compared with their absolute expiry times).
 * - The replica does not expire keys itself (DEBUG SET-ACTIVE-EXPIRE 0,
 *   as a Redis replica leaves expiry to its master): the primary's DELs
 *   reach it through the stream.
 * - Effects are replayed as they arrive, SELECT, MULTI and EXEC included,
 *   on one replica client; a replayed effect that errors or blocks is a
 *   failure of its own.
 *
 * The workload (tests/support/workload.ts) draws from every command the
 * table flags `write`, over a small keyspace in three databases, on six
 * clients: SELECT, MULTI / EXEC / DISCARD, WATCH, blocking pops that wait
 * and are later served or time out, CLIENT UNBLOCK, reads that reclaim
 * expired keys lazily, and the clock advancing (the primary's cron expires
 * keys and hash fields actively, in stretches with active expiry off).
 *
 * The stream is also read on its own: no blocking pop, SPOP, relative or
 * second-based TTL, INCRBYFLOAT, HINCRBYFLOAT, GETEX or GETDEL in it (Redis
 * 7.0.15 rewrites them all), only write commands, MULTI / EXEC paired; and
 * a command whose reply shows it changed nothing (0, nil, an error, every
 * field code -2 / -1 / 0, ...), or a clock advance, propagates nothing but
 * the deletion of keys and fields whose TTL had passed.
 *
 * A failure names its seed, the first step after which the replica
 * differed, the keys, and the recent effects and commands on them. Rerun
 * one seed, or more: `PROPAGATION_SEEDS=3` (or `1-40`), and
 * `PROPAGATION_STEPS=8000`, with `deno test -A`.
 */

import assert from "node:assert/strict";
import { Engine } from "../../src/engine.ts";
import { ManualClock } from "../../src/clock.ts";
import type { Client } from "../../src/client.ts";
import type { Command } from "../../src/commands/spec.ts";
import type { Reply } from "../../src/resp/reply.ts";
import { HashValue } from "../../src/store/hash.ts";
import {
  DATABASES,
  Draw,
  EXCLUDED_WRITES,
  READ_COMMANDS,
  WRITE_COMMANDS,
  WRITE_WEIGHTS,
  writeCommands,
} from "../support/workload.ts";
import { differences, type KeyDifference, quote, renderKey, snapshot } from "../support/dataset.ts";

/**
 * A number list from the environment: `3`, `1,4,9` or `1-40`; the default
 * when unset or not readable (no env permission).
 */
function envNumbers(name: string, fallback: readonly number[]): readonly number[] {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return fallback;
  }
  const text = Deno.env.get(name);
  if (text === undefined || text.trim() === "") return fallback;
  const out: number[] = [];
  for (const part of text.split(",")) {
    const [lo, hi] = part.split("-").map((x) => Number(x.trim()));
    if (lo === undefined || !Number.isInteger(lo)) throw new Error(`${name}: bad value ${text}`);
    const last = hi === undefined ? lo : hi;
    for (let n = lo; n <= last; n++) out.push(n);
  }
  return out;
}

/** The seeds run, one step each (`PROPAGATION_SEEDS=3` or `=1-40` to choose). */
const SEEDS = envNumbers("PROPAGATION_SEEDS", [1, 2, 3, 4, 5]);
/** Workload steps per seed (`PROPAGATION_STEPS` to change). */
const STEPS = envNumbers("PROPAGATION_STEPS", [4000])[0]!;
/** How far the replica's clock runs behind the primary's. */
const REPLICA_LAG_MS = 10_000;
/** Primary clients. */
const ACTORS = 6;
/** Divergences recorded per run (the first is reported in full). */
const MAX_DIVERGENCES = 6;
/** Recent effects and commands shown per differing key. */
const RECENT = 10;

/**
 * Effect commands a deterministic stream never holds, with the form Redis
 * 7.0.15 propagates instead.
 */
const FORBIDDEN: ReadonlyMap<string, string> = new Map([
  ["blpop", "blocking; Redis propagates the pop it did (LPOP/RPOP)"],
  ["brpop", "blocking; Redis propagates the pop it did (LPOP/RPOP)"],
  ["blmove", "blocking; Redis propagates LMOVE"],
  ["brpoplpush", "blocking; Redis propagates RPOPLPUSH"],
  ["blmpop", "blocking; Redis propagates LPOP/RPOP key count"],
  ["spop", "random; Redis propagates SREM of the members popped"],
  ["expire", "relative TTL; Redis propagates PEXPIREAT"],
  ["pexpire", "relative TTL; Redis propagates PEXPIREAT"],
  ["expireat", "seconds; Redis propagates PEXPIREAT"],
  ["setex", "relative TTL; Redis propagates SET key value PXAT"],
  ["psetex", "relative TTL; Redis propagates SET key value PXAT"],
  ["hexpire", "relative TTL; Redis 7.4 propagates HPEXPIREAT"],
  ["hpexpire", "relative TTL; Redis 7.4 propagates HPEXPIREAT"],
  ["hexpireat", "seconds; Redis 7.4 propagates HPEXPIREAT"],
  ["incrbyfloat", "float formatting; Redis propagates SET key value KEEPTTL"],
  ["hincrbyfloat", "float formatting; Redis propagates HSET"],
  ["getex", "Redis propagates PEXPIREAT, PERSIST or DEL"],
  ["getdel", "Redis propagates DEL"],
  ["zmpop", "Redis propagates ZPOPMIN/ZPOPMAX key count"],
  ["bzpopmin", "blocking; Redis propagates ZPOPMIN"],
  ["bzpopmax", "blocking; Redis propagates ZPOPMAX"],
  ["bzmpop", "blocking; Redis propagates ZPOPMIN/ZPOPMAX key count"],
]);

/**
 * Commands not flagged `write` that Redis still propagates: PFCOUNT of one
 * key stores the cardinality it computed in the value's header.
 */
const PROPAGATED_READS: ReadonlySet<string> = new Set(["pfcount"]);

/** SET options a deterministic stream never holds: Redis propagates PXAT. */
const RELATIVE_SET_OPTIONS: ReadonlySet<string> = new Set(["EX", "PX", "EXAT"]);

/**
 * Write commands a random workload seldom makes change anything, so the
 * coverage check does not require it of them (their effects are pinned by
 * deterministic cases instead): XACK needs an ID some XREADGROUP delivered
 * to the same group moments before, in streams the workload keeps tiny
 * (tests/propagation/stream_read_test.ts covers it against Redis's AOF).
 */
const RARELY_CHANGES: ReadonlySet<string> = new Set(["xack"]);

/** Write commands whose integer reply 0 means nothing changed. */
const ZERO_MEANS_NOTHING: ReadonlySet<string> = new Set([
  "del",
  "unlink",
  "sadd",
  "srem",
  "hdel",
  "lpushx",
  "rpushx",
  "expire",
  "pexpire",
  "expireat",
  "pexpireat",
  "persist",
  "hsetnx",
  "setnx",
  "msetnx",
  "renamenx",
  "move",
  "copy",
  "smove",
  "lrem",
  "xack",
  "xgroup|destroy",
  "xgroup|createconsumer",
]);

/** Write commands whose null (or empty) reply means nothing changed. */
const NULL_MEANS_NOTHING: ReadonlySet<string> = new Set([
  "lpop",
  "rpop",
  "spop",
  "lmpop",
  "lmove",
  "rpoplpush",
  "getdel",
  "getex",
  "blpop",
  "brpop",
  "blmove",
  "brpoplpush",
  "blmpop",
  "xreadgroup",
]);

/** Hash-field TTL commands: per-field codes, a change only for 1 and 2. */
const FIELD_CODES: ReadonlySet<string> = new Set([
  "hexpire",
  "hpexpire",
  "hexpireat",
  "hpexpireat",
  "hpersist",
]);

/** One command of the effect stream, as the replica received it. */
interface Effect {
  readonly seq: number;
  /** The workload step that produced it. */
  readonly step: number;
  /** The database it applies to (the stream's last SELECT). */
  readonly db: number;
  readonly argv: readonly string[];
}

/** One command a primary client sent. */
interface Sent {
  readonly step: number;
  readonly actor: number;
  readonly db: number;
  readonly argv: readonly string[];
  reply: string;
}

/** A primary client and its transaction state. */
interface Actor {
  readonly id: number;
  readonly client: Client;
  /** The commands queued since MULTI; undefined outside a transaction. */
  queued: (readonly string[])[] | undefined;
}

/** The replica started to differ from the primary on new keys. */
interface Divergence {
  readonly step: number;
  /** The primary's time then (the replica's is {@linkcode REPLICA_LAG_MS} behind). */
  readonly time: number;
  /** What the step did. */
  readonly cause: string;
  readonly keys: readonly KeyDifference[];
  /** The effects the step propagated. */
  readonly effects: readonly Effect[];
}

/** What a write command did over a run. */
interface Calls {
  ok: number;
  errors: number;
  /** Replies that show it changed the dataset. */
  changed: number;
}

/** What a run exercised. */
interface Coverage {
  readonly calls: Map<string, Calls>;
  blocked: number;
  served: number;
  timedOut: number;
  unblocked: number;
  execs: number;
  execAborted: number;
  watchFailed: number;
  discarded: number;
  lazyExpired: number;
  activeExpired: number;
  fieldsExpired: number;
}

/** What one seed's run found. */
interface Run {
  readonly seed: number;
  readonly effects: readonly Effect[];
  readonly sent: readonly Sent[];
  /** Replayed effects that errored or blocked on the replica. */
  readonly replayFailures: readonly string[];
  /** Commands that changed nothing yet propagated more than expiry deletes. */
  readonly noopEffects: readonly string[];
  readonly divergences: readonly Divergence[];
  readonly digests: readonly [primary: string, replica: string];
  /** The keys that differ once the workload is over. */
  readonly final: readonly KeyDifference[];
  readonly coverage: Coverage;
}

/** What a top-level command's first key was before it ran. */
interface Before {
  /** Stored at all (expired or not). */
  readonly stored: boolean;
  /** Its rendering if live (stored and not expired). */
  readonly live: string | undefined;
  /** Live with a TTL. */
  readonly ttl: boolean;
}

function show(argv: readonly string[]): string {
  return [argv[0]!, ...argv.slice(1).map(quote)].join(" ");
}

function showEffect(e: Effect): string {
  return `#${e.seq} step ${e.step} db ${e.db}: ${show(e.argv)}`;
}

function lower(s: string): string {
  return s.toLowerCase();
}

/**
 * A command's name as the table flags it: `container|sub` for a write
 * subcommand (XGROUP CREATE is `xgroup|create`), else the name.
 */
function commandName(argv: readonly string[], isWrite: (name: string) => boolean): string {
  const name = lower(argv[0]!);
  if (argv.length > 1) {
    const sub = `${name}|${lower(argv[1]!)}`;
    if (isWrite(sub)) return sub;
  }
  return name;
}

/** A reply as short text for the logs. */
function summary(reply: Reply): string {
  switch (reply.kind) {
    case "simple":
      return reply.value;
    case "error":
      return `(error) ${reply.message}`;
    case "integer":
    case "double":
      return String(reply.value);
    case "bulk":
      return quote(reply.value);
    case "nil":
    case "nilArray":
      return "(nil)";
    case "bulks":
      return `[${reply.values.map((v) => (v === null ? "nil" : quote(v))).join(", ")}]`;
    case "array":
      return `[${reply.items.map(summary).join(", ")}]`;
    case "none":
      return "(no reply)";
    default:
      return reply.kind;
  }
}

/** The error messages in a reply, nested ones (EXEC's) included. */
function errorsIn(reply: Reply): string[] {
  if (reply.kind === "error") return [reply.message];
  if (reply.kind === "array") return reply.items.flatMap(errorsIn);
  return [];
}

function isNullOrEmpty(reply: Reply): boolean {
  if (reply.kind === "nil" || reply.kind === "nilArray") return true;
  if (reply.kind === "array") return reply.items.length === 0;
  if (reply.kind === "bulks") return reply.values.length === 0;
  return false;
}

function idOf(db: number, key: string, field?: string): string {
  return field === undefined ? `${db}\x00${key}` : `${db}\x00${key}\x00${field}`;
}

/** The expiry time of every stored key and hash field with one. */
function ttlIndex(engine: Engine): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < engine.databases; i++) {
    const db = engine.db(i);
    if (db.size === 0) continue;
    for (const [key, value] of db.entries()) {
      const at = db.getExpire(key);
      if (at !== undefined) out.set(idOf(i, key), at);
      if (value instanceof HashValue && value.hasExpires) {
        for (const field of value.map.keys()) {
          const fat = value.getExpire(field);
          if (fat !== undefined) out.set(idOf(i, key, field), fat);
        }
      }
    }
  }
  return out;
}

/** Whether an effect is the reclaiming of keys or fields expired by `now`. */
function isExpiry(e: Effect, ttls: ReadonlyMap<string, number>, now: number): boolean {
  const name = lower(e.argv[0]!);
  const key = e.argv[1];
  if (key === undefined) return false;
  const due = (id: string) => (ttls.get(id) ?? Infinity) <= now;
  if (name === "del" || name === "unlink") return e.argv.length === 2 && due(idOf(e.db, key));
  if (name === "hdel") return e.argv.slice(2).every((f) => due(idOf(e.db, key, f)));
  return false;
}

/**
 * Whether a command's reply (and its first key's state before it ran)
 * shows it changed nothing, so that Redis propagates nothing for it.
 * Conservative: false whenever the reply leaves it open.
 *
 * @param argv the command
 * @param reply its reply
 * @param isWrite whether a command name is flagged write
 * @param before its first key before it ran, when it ran at top level
 * @param after its first key's rendering after it ran, when at top level
 */
function changedNothing(
  argv: readonly string[],
  reply: Reply,
  isWrite: (name: string) => boolean,
  before?: Before,
  after?: string,
): boolean {
  if (reply.kind === "error") return true;
  if (reply.kind === "simple" && reply.value === "QUEUED") return true;
  const name = commandName(argv, isWrite);
  if (PROPAGATED_READS.has(name)) return false;
  if (!isWrite(name)) return true;
  if (ZERO_MEANS_NOTHING.has(name) && reply.kind === "integer" && reply.value === 0) return true;
  if (NULL_MEANS_NOTHING.has(name) && isNullOrEmpty(reply)) return true;
  if (FIELD_CODES.has(name) && reply.kind === "array") {
    return reply.items.every((r) => r.kind === "integer" && Number(r.value) <= 0);
  }
  switch (name) {
    case "linsert":
      return reply.kind === "integer" && Number(reply.value) <= 0;
    case "set":
      // NX / XX not met; with GET the reply is the old value either way.
      return reply.kind === "nil" && !argv.slice(3).some((a) => a.toUpperCase() === "GET");
    case "setrange":
      return argv[3] === "";
    case "rename":
    case "smove":
      return argv[1] === argv[2];
    case "getex":
      if (argv.length === 2) return true;
      return before !== undefined && argv[2]!.toUpperCase() === "PERSIST" && !before.ttl;
    case "ltrim":
      return before !== undefined && before.live === after;
    case "sinterstore":
    case "sunionstore":
    case "sdiffstore":
      return before !== undefined && !before.stored && reply.kind === "integer" &&
        reply.value === 0;
  }
  return false;
}

/**
 * Problems of form in a recorded stream: blocking, random, relative-TTL
 * and float commands (Redis rewrites them all), commands that are not
 * writes, and MULTI / EXEC out of order or around nothing.
 *
 * @param effects the stream
 * @param isWrite whether a command name is flagged write
 * @returns one line per kind of problem, with its count and first instance
 */
function streamProblems(
  effects: readonly Effect[],
  isWrite: (name: string) => boolean,
): string[] {
  const found = new Map<string, { count: number; first: Effect }>();
  const note = (what: string, e: Effect) => {
    const seen = found.get(what);
    if (seen === undefined) found.set(what, { count: 1, first: e });
    else seen.count++;
  };
  let inMulti = false;
  let inside = 0;
  let last: Effect | undefined;
  for (const e of effects) {
    last = e;
    const name = lower(e.argv[0]!);
    if (name === "select") continue;
    if (name === "multi") {
      if (inMulti) note("MULTI inside MULTI", e);
      inMulti = true;
      inside = 0;
      continue;
    }
    if (name === "exec") {
      if (!inMulti) note("EXEC without MULTI", e);
      else if (inside === 0) note("MULTI / EXEC around nothing", e);
      inMulti = false;
      continue;
    }
    inside++;
    const reason = FORBIDDEN.get(name);
    if (reason !== undefined) note(`${name.toUpperCase()} (${reason})`, e);
    else if (!isWrite(commandName(e.argv, isWrite)) && !PROPAGATED_READS.has(name)) {
      note(`${name.toUpperCase()} (not a write command)`, e);
    }
    if (name === "set") {
      const opt = e.argv.slice(3).find((a) => RELATIVE_SET_OPTIONS.has(a.toUpperCase()));
      if (opt !== undefined) note(`SET ${opt.toUpperCase()} (Redis propagates SET PXAT)`, e);
    }
  }
  if (inMulti && last !== undefined) note("MULTI never closed", last);
  return [...found].map(([what, { count, first }]) =>
    `${what}: ${count}x, first ${showEffect(first)}`
  );
}

/** One seed's primary, replica and workload. */
class ReplicationRun {
  readonly seed: number;
  readonly primary: Engine;
  readonly replica: Engine;
  readonly effects: Effect[] = [];
  readonly sent: Sent[] = [];
  readonly replayFailures: string[] = [];
  readonly noopEffects: string[] = [];
  readonly divergences: Divergence[] = [];
  readonly coverage: Coverage = {
    calls: new Map(),
    blocked: 0,
    served: 0,
    timedOut: 0,
    unblocked: 0,
    execs: 0,
    execAborted: 0,
    watchFailed: 0,
    discarded: 0,
    lazyExpired: 0,
    activeExpired: 0,
    fieldsExpired: 0,
  };
  #draw: Draw;
  #primaryClock: ManualClock;
  #replicaClock: ManualClock;
  #actors: Actor[] = [];
  #primaryAdmin: Client;
  #replicaAdmin: Client;
  #replicaClient: Client;
  #pending: Promise<void>[] = [];
  #step = 0;
  /** The database of the stream's last SELECT (-1 before the first). */
  #streamDb = -1;
  /** Keys (db, key) that differed after the previous step. */
  #differing = new Set<string>();
  #writes: Command[];
  #weights: number[];
  #totalWeight: number;
  #activeExpire = true;
  #phaseLeft = 0;

  /**
   * @param seed the workload's and the primary's seed
   */
  constructor(seed: number) {
    this.seed = seed;
    const start = 1_700_000_000_000 + seed * 86_400_000;
    this.#primaryClock = new ManualClock(start);
    this.#replicaClock = new ManualClock(start - REPLICA_LAG_MS);
    this.primary = new Engine({
      clock: this.#primaryClock,
      seed,
      config: {
        "enable-debug-command": "yes",
        // Odd seeds reclaim expired keys with UNLINK, even ones with DEL.
        "lazyfree-lazy-expire": seed % 2 === 1 ? "yes" : "no",
      },
    });
    this.replica = new Engine({
      clock: this.#replicaClock,
      seed: (seed * 7919 + 104_729) >>> 0,
      config: { "enable-debug-command": "yes" },
    });
    this.#draw = new Draw(seed, () => this.#primaryClock.now());
    this.#primaryAdmin = this.primary.connect();
    this.#replicaAdmin = this.replica.connect();
    this.#replicaClient = this.replica.connect();
    // The stream comes from a master: commands Redis obeys from one (XADD /
    // XTRIM's LIMIT after `=`, SETRANGE past proto-max-bulk-len) replay.
    this.#replicaClient.role = "master";
    this.#admin(this.replica, this.#replicaAdmin, ["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    for (let i = 0; i < ACTORS; i++) {
      this.#actors.push({ id: i, client: this.primary.connect(), queued: undefined });
    }
    this.#writes = writeCommands(this.primary.commands).filter((c) =>
      WRITE_COMMANDS[c.fullName] !== undefined
    );
    this.#weights = this.#writes.map((c) => WRITE_WEIGHTS[c.fullName] ?? 1);
    this.#totalWeight = this.#weights.reduce((a, b) => a + b, 0);
    this.primary.propagation.subscribe({ write: (argv) => this.#receive(argv) });
  }

  /** Whether a command name is flagged write in the table. */
  isWrite = (name: string): boolean => {
    const bar = name.indexOf("|");
    const command = bar === -1
      ? this.primary.commands.lookup(name)
      : this.primary.commands.lookup(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1));
    return command !== undefined && command.flags.has("write");
  };

  /**
   * Runs the workload, compares the engines and closes them.
   *
   * @param steps how many steps
   * @returns what the run found
   */
  async run(steps: number): Promise<Run> {
    const d = this.#draw;
    for (this.#step = 0; this.#step < steps; this.#step++) {
      if (this.#phaseLeft-- <= 0) this.#nextPhase();
      const r = d.next();
      if (r < 0.08) this.#advance(this.#drawAdvance());
      else if (r < 0.12) {
        this.#call(this.#freeActor(), ["SELECT", String(d.int(0, DATABASES - 1))]);
      } else if (r < 0.22) this.#call(this.#freeActor(), d.pick(READ_COMMANDS)(d));
      else if (r < 0.31) this.#transaction(this.#freeActor());
      else if (r < 0.32) this.#unblock();
      else this.#write(this.#freeActor());
    }
    const digests = [
      this.#digest(this.primary, this.#primaryAdmin),
      this.#digest(this.replica, this.#replicaAdmin),
    ] as const;
    const final = differences(snapshot(this.primary), snapshot(this.replica));
    this.primary.close();
    this.replica.close();
    await Promise.all(this.#pending);
    return {
      seed: this.seed,
      effects: this.effects,
      sent: this.sent,
      replayFailures: this.replayFailures,
      noopEffects: this.noopEffects,
      divergences: this.divergences,
      digests,
      final,
      coverage: this.coverage,
    };
  }

  /** A stretch of steps with the primary's active expiry on or off. */
  #nextPhase(): void {
    this.#activeExpire = !this.#activeExpire;
    this.#phaseLeft = this.#draw.int(100, 400);
    const flag = this.#activeExpire ? "1" : "0";
    this.#admin(this.primary, this.#primaryAdmin, ["DEBUG", "SET-ACTIVE-EXPIRE", flag]);
  }

  #drawAdvance(): number {
    const d = this.#draw;
    const r = d.next();
    if (r < 0.55) return d.int(1, 200);
    if (r < 0.9) return d.int(200, 3000);
    return d.int(3000, 25_000);
  }

  /** A client not blocked (at least two always are). */
  #freeActor(): Actor {
    return this.#draw.pick(this.#free());
  }

  #free(): Actor[] {
    return this.#actors.filter((a) => !this.primary.blocking.isBlocked(a.client));
  }

  /** A write command, drawn by weight; a blocking one only while three clients are free. */
  #write(actor: Actor): void {
    const d = this.#draw;
    const noBlocking = actor.queued === undefined && this.#free().length < 3;
    for (;;) {
      let r = d.next() * this.#totalWeight;
      let i = 0;
      while (i < this.#writes.length - 1 && r >= this.#weights[i]!) r -= this.#weights[i++]!;
      const command = this.#writes[i]!;
      if (noBlocking && command.flags.has("blocking")) continue;
      return this.#call(actor, WRITE_COMMANDS[command.fullName]!(d));
    }
  }

  /** WATCH / UNWATCH / MULTI outside a transaction; EXEC, DISCARD or more inside. */
  #transaction(actor: Actor): void {
    const d = this.#draw;
    if (actor.queued === undefined) {
      const r = d.next();
      if (r < 0.3) return this.#call(actor, ["WATCH", ...d.keys("any", 1, 2)]);
      if (r < 0.4) return this.#call(actor, ["UNWATCH"]);
      return this.#call(actor, ["MULTI"]);
    }
    const r = d.next();
    if (r < 0.55) return this.#call(actor, ["EXEC"]);
    if (r < 0.65) return this.#call(actor, ["DISCARD"]);
    if (r < 0.7) {
      // Rejected when queued: the transaction is doomed (EXECABORT).
      return this.#call(actor, d.chance(0.5) ? ["LPUSH", "list:a"] : ["NOSUCHCOMMAND", "x"]);
    }
    if (r < 0.8) return this.#call(actor, ["SELECT", String(d.int(0, DATABASES - 1))]);
    this.#write(actor);
  }

  /** CLIENT UNBLOCK of a blocked client, from a free one. */
  #unblock(): void {
    const blocked = this.#actors.filter((a) => this.primary.blocking.isBlocked(a.client));
    if (blocked.length === 0) return;
    const d = this.#draw;
    const target = d.pick(blocked);
    const how = d.chance(0.5) ? [] : [d.pick(["TIMEOUT", "ERROR"])];
    const free = this.#free().filter((a) => a.queued === undefined);
    if (free.length === 0) return;
    this.#call(d.pick(free), ["CLIENT", "UNBLOCK", String(target.client.id), ...how]);
  }

  /** Advances both clocks; what fires may only reclaim expired keys and fields. */
  #advance(ms: number): void {
    const ttls = ttlIndex(this.primary);
    const from = this.effects.length;
    this.#primaryClock.advance(ms);
    this.#replicaClock.advance(ms);
    const now = this.#primaryClock.now();
    for (const e of this.effects.slice(from)) {
      if (lower(e.argv[0]!) === "select") continue;
      if (isExpiry(e, ttls, now)) {
        if (lower(e.argv[0]!) === "hdel") this.coverage.fieldsExpired++;
        else this.coverage.activeExpired++;
      } else {
        this.noopEffects.push(
          `step ${this.#step}: the clock advancing ${ms} ms propagated ${showEffect(e)}`,
        );
      }
    }
    this.#compare(`step ${this.#step}: the clock advanced ${ms} ms`, from);
  }

  /** Runs one command on a primary client and checks what it propagated. */
  #call(actor: Actor, argv: string[]): void {
    const client = actor.client;
    const db = client.dbIndex;
    const name = lower(argv[0]!);
    const ttls = ttlIndex(this.primary);
    const before = this.#before(db, argv);
    const queued = actor.queued;
    const from = this.effects.length;
    const reply = this.primary.call(client, argv);
    const sent: Sent = { step: this.#step, actor: actor.id, db, argv, reply: "" };
    this.sent.push(sent);
    let noop: boolean;
    if (reply instanceof Promise) {
      sent.reply = "(blocked)";
      this.coverage.blocked++;
      this.#pending.push(reply.then((r) => this.#unblocked(sent, r)));
      noop = true;
    } else {
      sent.reply = summary(reply);
      noop = this.#classify(actor, argv, reply, queued, before);
    }
    if (noop) {
      const now = this.#primaryClock.now();
      for (const e of this.effects.slice(from)) {
        // SELECT, and MULTI / EXEC around several expiry deletions, carry no change.
        const effectName = lower(e.argv[0]!);
        if (effectName === "select" || effectName === "multi" || effectName === "exec") continue;
        if (isExpiry(e, ttls, now)) {
          if (lower(e.argv[0]!) === "hdel") this.coverage.fieldsExpired++;
          else this.coverage.lazyExpired++;
        } else {
          this.noopEffects.push(
            `step ${this.#step}: ${show(argv)} (client ${actor.id}, db ${db}) changed nothing ` +
              `(reply ${sent.reply}) but propagated ${showEffect(e)}`,
          );
        }
      }
    }
    if (name === "multi" || name === "exec" || name === "discard") {
      this.#compare(`step ${this.#step}: client ${actor.id} (db ${db}) ${show(argv)}`, from);
    } else {
      this.#compare(
        `step ${this.#step}: client ${actor.id} (db ${db}) ${show(argv)} -> ${sent.reply}`,
        from,
      );
    }
  }

  /** Records a blocked command's eventual reply. */
  #unblocked(sent: Sent, reply: Reply): void {
    sent.reply += ` -> ${summary(reply)}`;
    if (reply.kind === "nilArray" || reply.kind === "nil") this.coverage.timedOut++;
    else if (reply.kind === "error" || reply.kind === "none") this.coverage.unblocked++;
    else this.coverage.served++;
  }

  /**
   * Follows the client's transaction, counts the call, and tells whether
   * the reply shows nothing changed.
   */
  #classify(
    actor: Actor,
    argv: readonly string[],
    reply: Reply,
    queued: (readonly string[])[] | undefined,
    before: Before | undefined,
  ): boolean {
    const name = lower(argv[0]!);
    if (name === "multi" && reply.kind === "simple") actor.queued = [];
    else if (queued !== undefined && reply.kind === "simple" && reply.value === "QUEUED") {
      queued.push(argv);
    } else if ((name === "exec" || name === "discard") && queued !== undefined) {
      actor.queued = undefined;
    }
    if (name === "discard" && queued !== undefined) this.coverage.discarded++;
    if (name !== "exec" || queued === undefined) {
      if (queued !== undefined && reply.kind === "simple" && reply.value === "QUEUED") return true;
      const after = before === undefined ? undefined : this.#live(actor.client.dbIndex, argv[1]!);
      const noop = changedNothing(argv, reply, this.isWrite, before, after);
      this.#count(argv, reply, noop);
      return noop;
    }
    // EXEC: what each queued command did.
    if (reply.kind === "error") {
      this.coverage.execAborted++;
      return true;
    }
    if (reply.kind === "nilArray") {
      this.coverage.watchFailed++;
      return true;
    }
    this.coverage.execs++;
    if (reply.kind !== "array" || reply.items.length !== queued.length) return false;
    let noop = true;
    for (let i = 0; i < queued.length; i++) {
      const item = reply.items[i]!;
      const q = changedNothing(queued[i]!, item, this.isWrite);
      this.#count(queued[i]!, item, q);
      if (!q) noop = false;
    }
    return noop;
  }

  #count(argv: readonly string[], reply: Reply, noop: boolean): void {
    const name = commandName(argv, this.isWrite);
    if (!this.isWrite(name)) return;
    let calls = this.coverage.calls.get(name);
    if (calls === undefined) {
      calls = { ok: 0, errors: 0, changed: 0 };
      this.coverage.calls.set(name, calls);
    }
    if (reply.kind === "error") calls.errors++;
    else calls.ok++;
    if (!noop) calls.changed++;
  }

  /** A top-level command's first key before it runs. */
  #before(db: number, argv: readonly string[]): Before | undefined {
    const key = argv[1];
    if (key === undefined) return undefined;
    const database = this.primary.db(db);
    const live = this.#live(db, key);
    return {
      stored: database.stored(key),
      live,
      ttl: live !== undefined && database.getExpire(key) !== undefined,
    };
  }

  /** A key's rendering if stored and not expired. */
  #live(db: number, key: string): string | undefined {
    const database = this.primary.db(db);
    return database.isExpired(key) ? undefined : renderKey(database, key);
  }

  /** Receives one command of the primary's stream and replays it at once. */
  #receive(argv: readonly string[]): void {
    if (lower(argv[0]!) === "select") this.#streamDb = Number(argv[1]);
    const effect: Effect = {
      seq: this.effects.length,
      step: this.#step,
      db: this.#streamDb,
      argv: [...argv],
    };
    this.effects.push(effect);
    const where = `step ${this.#step}, replaying ${showEffect(effect)}`;
    let reply: Reply | Promise<Reply>;
    try {
      reply = this.replica.call(this.#replicaClient, [...argv]);
    } catch (e) {
      this.replayFailures.push(`${where}: threw ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (reply instanceof Promise) {
      this.replayFailures.push(`${where}: blocked the replica`);
      // A fresh replica client in the same database carries on.
      const db = this.#replicaClient.dbIndex;
      this.replica.disconnect(this.#replicaClient);
      this.#replicaClient = this.replica.connect();
      this.replica.call(this.#replicaClient, ["SELECT", String(db)]);
      return;
    }
    for (const message of errorsIn(reply)) this.replayFailures.push(`${where}: ${message}`);
  }

  /** Compares the engines after a step; records keys that newly differ. */
  #compare(cause: string, from: number): void {
    const diffs = differences(snapshot(this.primary), snapshot(this.replica));
    const now = new Set(diffs.map((x) => idOf(x.db, x.key)));
    const fresh = diffs.filter((x) => !this.#differing.has(idOf(x.db, x.key)));
    this.#differing = now;
    if (fresh.length === 0 || this.divergences.length >= MAX_DIVERGENCES) return;
    this.divergences.push({
      step: this.#step,
      time: this.#primaryClock.now(),
      cause,
      keys: fresh,
      effects: this.effects.slice(from),
    });
  }

  #admin(engine: Engine, client: Client, argv: string[]): Reply {
    const reply = engine.call(client, argv);
    if (reply instanceof Promise) throw new Error(`${show(argv)} blocked`);
    if (reply.kind === "error") throw new Error(`${show(argv)}: ${reply.message}`);
    return reply;
  }

  #digest(engine: Engine, client: Client): string {
    const reply = this.#admin(engine, client, ["DEBUG", "DIGEST"]);
    return reply.kind === "simple" || reply.kind === "bulk" ? reply.value : summary(reply);
  }
}

/** Whether a logged command names a key among its arguments. */
function touches(argv: readonly string[], key: string): boolean {
  for (let i = 1; i < argv.length; i++) if (argv[i] === key) return true;
  return false;
}

/** The readable account of how a run's replica differed. */
function divergenceReport(run: Run): string {
  const lines: string[] = [
    `seed ${run.seed}: the replica replaying the effect stream is not equal to the primary ` +
    `(rerun: PROPAGATION_SEEDS=${run.seed} deno test -A tests/propagation/property_test.ts)`,
  ];
  const [first, ...later] = run.divergences;
  if (first !== undefined) {
    lines.push(`first divergence after ${first.cause}`);
    lines.push(`  primary time ${first.time} (the replica's is ${REPLICA_LAG_MS} ms behind)`);
    lines.push(`  it propagated: ${first.effects.map(showEffect).join(" | ") || "nothing"}`);
    for (const k of first.keys.slice(0, 3)) {
      lines.push(`  db ${k.db} key ${quote(k.key)}`);
      lines.push(`    primary: ${k.a ?? "(absent)"}`);
      lines.push(`    replica: ${k.b ?? "(absent)"}`);
      const effects = run.effects.filter((e) => e.step <= first.step && touches(e.argv, k.key));
      lines.push(`    recent effects on it:`);
      for (const e of effects.slice(-RECENT)) lines.push(`      ${showEffect(e)}`);
      const sent = run.sent.filter((s) => s.step <= first.step && touches(s.argv, k.key));
      lines.push(`    recent commands on it:`);
      for (const s of sent.slice(-RECENT)) {
        lines.push(
          `      step ${s.step} client ${s.actor} db ${s.db}: ${show(s.argv)} -> ${s.reply}`,
        );
      }
    }
  }
  for (const d of later) {
    const keys = d.keys.map((k) => `db ${k.db} ${quote(k.key)}`).join(", ");
    lines.push(`then new keys differ after ${d.cause}: ${keys}`);
    lines.push(`  it propagated: ${d.effects.map(showEffect).join(" | ") || "nothing"}`);
  }
  const [p, r] = run.digests;
  lines.push(
    `at the end: DEBUG DIGEST primary ${p}, replica ${r}; ${run.final.length} keys differ`,
  );
  const firstPerDb = new Map<number, KeyDifference>();
  for (const k of run.final) if (!firstPerDb.has(k.db)) firstPerDb.set(k.db, k);
  for (const k of firstPerDb.values()) {
    lines.push(`  db ${k.db} first key ${quote(k.key)}`);
    lines.push(`    primary: ${k.a ?? "(absent)"}`);
    lines.push(`    replica: ${k.b ?? "(absent)"}`);
  }
  if (run.replayFailures.length > 0) {
    lines.push(`${run.replayFailures.length} replayed effects failed on the replica; first:`);
    for (const f of run.replayFailures.slice(0, 5)) lines.push(`  ${f}`);
  }
  return lines.join("\n");
}

/** Groups lines by their command, keeping a count and the first line. */
function grouped(lines: readonly string[], keyOf: (line: string) => string): string[] {
  const groups = new Map<string, { count: number; first: string }>();
  for (const line of lines) {
    const k = keyOf(line);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, { count: 1, first: line });
    else g.count++;
  }
  return [...groups].map(([k, { count, first }]) => `${k}: ${count}x, first ${first}`);
}

function coverageReport(run: Run): string {
  const c = run.coverage;
  const never = [...c.calls].filter(([, v]) => v.changed === 0).map(([k]) => k);
  return [
    `seed ${run.seed}: ${run.sent.length} commands, ${run.effects.length} effects;`,
    `blocked ${c.blocked} (served ${c.served}, timed out ${c.timedOut}, unblocked ${c.unblocked});`,
    `EXEC ${c.execs} (aborted ${c.execAborted}, WATCH failed ${c.watchFailed}), DISCARD ${c.discarded};`,
    `expired lazily ${c.lazyExpired}, actively ${c.activeExpired}, hash fields ${c.fieldsExpired};`,
    `writes that never changed anything: ${never.join(", ") || "none"}`,
  ].join(" ");
}

Deno.test("every write command of the table has a workload generator or a reason to be left out", () => {
  const engine = new Engine();
  try {
    const names = writeCommands(engine.commands).map((c) => c.fullName);
    const missing = names.filter((n) =>
      WRITE_COMMANDS[n] === undefined && EXCLUDED_WRITES[n] === undefined
    );
    assert.deepEqual(missing, [], "write commands the workload never sends");
    const listed = [...Object.keys(WRITE_COMMANDS), ...Object.keys(EXCLUDED_WRITES)];
    const stale = listed.filter((n) => !names.includes(n));
    assert.deepEqual(stale, [], "generators for commands the table does not flag write");
  } finally {
    engine.close();
  }
});

Deno.test("the per-key comparison sees a TTL one millisecond off, which DEBUG DIGEST does not", () => {
  const a = new Engine({ clock: new ManualClock(1000), config: { "enable-debug-command": "yes" } });
  const b = new Engine({ clock: new ManualClock(1000), config: { "enable-debug-command": "yes" } });
  try {
    a.call(a.connect(), ["SET", "k", "v", "PXAT", "5000"]);
    b.call(b.connect(), ["SET", "k", "v", "PXAT", "5001"]);
    const da = a.call(a.connect(), ["DEBUG", "DIGEST"]);
    const db = b.call(b.connect(), ["DEBUG", "DIGEST"]);
    assert.deepEqual(da, db);
    assert.deepEqual(differences(snapshot(a), snapshot(b)), [
      { db: 0, key: "k", a: 'string "v" @5000', b: 'string "v" @5001' },
    ]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a replica replaying the effect stream of a random workload stays equal to the primary", async (t) => {
  const runs: Run[] = [];
  let writes: string[] = [];
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, async (t) => {
      const probe = new ReplicationRun(seed);
      writes = writeCommands(probe.primary.commands).map((c) => c.fullName);
      const run = await probe.run(STEPS);
      runs.push(run);
      await t.step("the replica equals the primary after every step and at the end", () => {
        const equal = run.divergences.length === 0 && run.final.length === 0 &&
          run.digests[0] === run.digests[1] && run.replayFailures.length === 0;
        assert.ok(equal, divergenceReport(run));
      });
      await t.step("the stream holds only deterministic effects, none for no-ops", () => {
        const problems = streamProblems(run.effects, probe.isWrite);
        const noops = grouped(run.noopEffects, (line) => {
          const m = line.match(/^step \d+: (\S+)/);
          return m === null ? "?" : m[1]!.toUpperCase();
        });
        assert.deepEqual(
          [...problems, ...noops],
          [],
          `seed ${run.seed}: the effect stream holds non-deterministic or needless effects ` +
            `(rerun: PROPAGATION_SEEDS=${run.seed})`,
        );
      });
    });
  }
  await t.step(
    "the seeds blocked, served, timed out, transacted, expired and changed with every write",
    () => {
      const report = runs.map(coverageReport).join("\n");
      const total = (f: (c: Coverage) => number) => runs.reduce((n, r) => n + f(r.coverage), 0);
      assert.ok(total((c) => c.blocked) > 0, report);
      assert.ok(total((c) => c.served) > 0 && total((c) => c.timedOut) > 0, report);
      assert.ok(total((c) => c.unblocked) > 0, report);
      assert.ok(total((c) => c.execs) > 0 && total((c) => c.execAborted) > 0, report);
      assert.ok(total((c) => c.watchFailed) > 0 && total((c) => c.discarded) > 0, report);
      assert.ok(total((c) => c.lazyExpired) > 0 && total((c) => c.activeExpired) > 0, report);
      assert.ok(total((c) => c.fieldsExpired) > 0, report);
      const idle = writes.filter((n) =>
        WRITE_COMMANDS[n] !== undefined && !RARELY_CHANGES.has(n) &&
        runs.every((r) => (r.coverage.calls.get(n)?.changed ?? 0) === 0)
      );
      assert.deepEqual(idle, [], `write commands that never changed the dataset\n${report}`);
    },
  );
});
