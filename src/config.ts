/**
 * Configuration parameters: every parameter of Redis 7.0.15, with Redis's
 * types, bounds, defaults, enums, aliases, immutable and protected flags and
 * CONFIG SET error texts, and CONFIG REWRITE's rewriting of a config file.
 *
 * Which parameters take effect is listed in the README ("Configuration
 * parameters"); the others are accepted, checked and reported back only.
 *
 * Known differences from Redis 7.0.15:
 * - `port` and `bind` are start-up only here: CONFIG SET to another value
 *   answers Redis's apply-failure texts (`Unable to listen on this port.
 *   Check server logs.`, `Failed to bind to specified addresses.`).
 * - `bind` defaults to `127.0.0.1` (Redis: `* -::*`).
 * - `dir` is protected as in Redis; with `enable-protected-configs` at `yes`
 *   CONFIG SET dir is still refused (changing the working directory at run
 *   time is not done here), with Redis's protected-config text.
 * - The order of CONFIG GET's pairs and of lines CONFIG REWRITE appends is
 *   the table's here; in Redis it is a hash table's, which varies.
 * - CONFIG REWRITE writes the default user's line only without a
 *   `requirepass` (Redis then writes the password's hash; ACL users arrive
 *   with issue 17).
 *
 * @module
 */

import { formatNotifyFlags, parseNotifyFlags } from "./notify.ts";
import { quoteRepr, splitArgs } from "./resp/decoder.ts";

/** How a parameter's text is checked and normalised. */
export type ParamKind =
  | { readonly type: "bool" }
  | {
    readonly type: "int";
    readonly min: bigint;
    readonly max: bigint;
    /** An unsigned C type: bounds are compared as unsigned 64-bit values. */
    readonly unsigned?: boolean;
    /** Out-of-range values accepted and then clamped (`hz`). */
    readonly clamp?: readonly [number, number];
  }
  | {
    readonly type: "memory";
    readonly min: bigint;
    readonly max: bigint;
    readonly unsigned?: boolean;
    /** Also accepts `N%` (kept as `N%`), as `maxmemory-clients` does. */
    readonly percent?: boolean;
  }
  | { readonly type: "octal"; readonly min: bigint; readonly max: bigint }
  | {
    readonly type: "enum";
    readonly values: readonly string[];
    /** Names that mean the same as another (`relative` is `yes`): shown as that one. */
    readonly same?: Readonly<Record<string, string>>;
  }
  | {
    readonly type: "string";
    /** Returns Redis's error text for an invalid value, or null. */
    readonly check?: (value: string) => string | null;
    /** Redis keeps an empty value as NULL: CONFIG REWRITE then drops its lines. */
    readonly emptyIsNull?: boolean;
  }
  | {
    readonly type: "custom";
    /**
     * Returns the normalised value, or throws a `ConfigError` with the
     * detail text. `current` is the value now, for parameters set piecewise
     * (`client-output-buffer-limit`).
     */
    readonly parse: (value: string, current: string) => string;
  };

/** One config-file line CONFIG REWRITE writes: the text, and whether it is written when absent. */
export type RewriteLine = readonly [line: string, force: boolean];

/** One configuration parameter. */
export interface ParamSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly kind: ParamKind;
  /** The default, already normalised. */
  readonly default: string;
  /** Settable only at start-up (config file or command line). */
  readonly immutable?: boolean;
  /**
   * A protected config: CONFIG SET refuses it unless
   * `enable-protected-configs` allows it.
   */
  readonly protected?: boolean;
  /** Left out of CONFIG GET patterns (only its exact name shows it), as Redis's debugging knobs. */
  readonly hidden?: boolean;
  /** A secret (`requirepass`, `masterauth`): hidden from logs. */
  readonly sensitive?: boolean;
  /** Takes several words (`save 900 1`); CONFIG SET splits its value at spaces. */
  readonly multi?: boolean;
  /**
   * Start-up only in resplite although Redis can change it at run time:
   * CONFIG SET to another value fails with this text (Redis's text for a
   * failed change).
   */
  readonly startupOnly?: string;
  /** How CONFIG GET shows the stored value, where the two differ (`notify-keyspace-events`). */
  readonly display?: (value: string) => string;
  /** Repeated config-file lines add up instead of replacing each other (`save`, `client-output-buffer-limit`). */
  readonly accumulates?: boolean;
  /** The lines CONFIG REWRITE writes, where the kind's default form does not fit. */
  readonly rewrite?: (value: string, name: string) => readonly RewriteLine[];
}

/** A parameter value that does not parse; the message is Redis's detail text. */
export class ConfigError extends Error {
  /**
   * @param message the detail, such as `argument couldn't be parsed into an integer`
   */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

// C limits, as Redis's config table uses them.
const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const LLONG_MAX = LONG_MAX;
const ULLONG_MAX = 18446744073709551615n;
const UINT64_MASK = ULLONG_MAX;

const BOOL: ParamKind = { type: "bool" };
const STRING: ParamKind = { type: "string" };
const NULLABLE: ParamKind = { type: "string", emptyIsNull: true };

type Extra = Omit<ParamSpec, "name" | "kind" | "default">;

function bool(name: string, def: "yes" | "no", extra: Extra = {}): ParamSpec {
  return { name, kind: BOOL, default: def, ...extra };
}

function int(name: string, min: bigint, max: bigint, def: number, extra: Extra = {}): ParamSpec {
  return { name, kind: { type: "int", min, max }, default: String(def), ...extra };
}

function uint(name: string, min: bigint, max: bigint, def: number, extra: Extra = {}): ParamSpec {
  return { name, kind: { type: "int", min, max, unsigned: true }, default: String(def), ...extra };
}

function mem(
  name: string,
  min: bigint,
  max: bigint,
  def: number,
  unsigned: boolean,
  extra: Extra = {},
): ParamSpec {
  const kind: ParamKind = unsigned
    ? { type: "memory", min, max, unsigned: true }
    : { type: "memory", min, max };
  return { name, kind, default: String(def), ...extra };
}

function str(name: string, def: string, extra: Extra = {}, kind: ParamKind = STRING): ParamSpec {
  return { name, kind, default: def, ...extra };
}

function enumOf(
  name: string,
  values: readonly string[],
  def: string,
  extra: Extra = {},
): ParamSpec {
  return { name, kind: { type: "enum", values }, default: def, ...extra };
}

const PROTECTED_ACTION = ["no", "yes", "local"];

/** Every parameter of Redis 7.0.15, in the order of Redis's table. */
export const PARAMS: readonly ParamSpec[] = [
  // Booleans.
  bool("rdbchecksum", "yes", { immutable: true }),
  bool("daemonize", "no", { immutable: true }),
  bool("io-threads-do-reads", "no", { immutable: true }),
  bool("always-show-logo", "no", { immutable: true }),
  bool("protected-mode", "yes"),
  bool("rdbcompression", "yes"),
  bool("rdb-del-sync-files", "no"),
  bool("activerehashing", "yes"),
  bool("stop-writes-on-bgsave-error", "yes"),
  bool("set-proc-title", "yes", { immutable: true }),
  bool("dynamic-hz", "yes"),
  bool("lazyfree-lazy-eviction", "no"),
  bool("lazyfree-lazy-expire", "no"),
  bool("lazyfree-lazy-server-del", "no"),
  bool("lazyfree-lazy-user-del", "no"),
  bool("lazyfree-lazy-user-flush", "no"),
  bool("repl-disable-tcp-nodelay", "no"),
  bool("repl-diskless-sync", "yes"),
  bool("aof-rewrite-incremental-fsync", "yes"),
  bool("no-appendfsync-on-rewrite", "no"),
  bool("cluster-require-full-coverage", "yes"),
  bool("rdb-save-incremental-fsync", "yes"),
  bool("aof-load-truncated", "yes"),
  bool("aof-use-rdb-preamble", "yes"),
  bool("aof-timestamp-enabled", "no"),
  bool("cluster-replica-no-failover", "no", { aliases: ["cluster-slave-no-failover"] }),
  bool("replica-lazy-flush", "no", { aliases: ["slave-lazy-flush"] }),
  bool("replica-serve-stale-data", "yes", { aliases: ["slave-serve-stale-data"] }),
  bool("replica-read-only", "yes", { aliases: ["slave-read-only"] }),
  bool("replica-ignore-maxmemory", "yes", { aliases: ["slave-ignore-maxmemory"] }),
  bool("jemalloc-bg-thread", "yes"),
  // As a Redis built without its modified jemalloc (the real 7.0.15 here too).
  {
    name: "activedefrag",
    kind: { type: "custom", parse: parseActiveDefrag },
    default: "no",
    rewrite: (value, name) => [[`${name} ${value}`, value !== "no"]],
  },
  bool("syslog-enabled", "no", { immutable: true }),
  bool("cluster-enabled", "no", { immutable: true }),
  bool("appendonly", "no"),
  bool("cluster-allow-reads-when-down", "no"),
  bool("cluster-allow-pubsubshard-when-down", "yes"),
  bool("crash-log-enabled", "yes"),
  bool("crash-memcheck-enabled", "yes"),
  bool("use-exit-on-panic", "no", { hidden: true }),
  bool("disable-thp", "yes", { immutable: true }),
  bool("cluster-allow-replica-migration", "yes"),
  bool("replica-announced", "yes"),
  bool("latency-tracking", "yes"),
  bool("aof-disable-auto-gc", "no"),
  bool("replica-ignore-disk-write-errors", "no"),

  // Strings.
  str("aclfile", "", { immutable: true }),
  str("unixsocket", "", { immutable: true }, NULLABLE),
  str("pidfile", "", { immutable: true }, NULLABLE),
  str("replica-announce-ip", "", { aliases: ["slave-announce-ip"] }, NULLABLE),
  str("masteruser", "", { sensitive: true }, NULLABLE),
  str("cluster-announce-ip", "", {}, NULLABLE),
  str("cluster-config-file", "nodes.conf", { immutable: true }),
  str("cluster-announce-hostname", "", {}, {
    type: "string",
    emptyIsNull: true,
    check: checkHostname,
  }),
  str("syslog-ident", "redis", { immutable: true }),
  str("dbfilename", "dump.rdb", { protected: true }, {
    type: "string",
    check: (v) => isBaseName(v) ? null : "dbfilename can't be a path, just a filename",
  }),
  str("appendfilename", "appendonly.aof", { immutable: true }, {
    type: "string",
    check: (v) =>
      v === ""
        ? "appendfilename can't be empty"
        : isBaseName(v)
        ? null
        : "appendfilename can't be a path, just a filename",
  }),
  str("appenddirname", "appendonlydir", { immutable: true }, {
    type: "string",
    check: (v) =>
      v === ""
        ? "appenddirname can't be empty"
        : isBaseName(v)
        ? null
        : "appenddirname can't be a path, just a dirname",
  }),
  str("server_cpulist", "", { immutable: true }, NULLABLE),
  str("bio_cpulist", "", { immutable: true }, NULLABLE),
  str("aof_rewrite_cpulist", "", { immutable: true }, NULLABLE),
  str("bgsave_cpulist", "", { immutable: true }, NULLABLE),
  str("ignore-warnings", ""),
  str("proc-title-template", "{title} {listen-addr} {server-mode}", {}, {
    type: "string",
    check: (v) =>
      validProcTitleTemplate(v) ? null : "template format is invalid or contains unknown variables",
  }),
  str("bind-source-addr", "", {}, NULLABLE),
  str("logfile", "", { immutable: true }),
  str("masterauth", "", { sensitive: true }, NULLABLE),
  str("requirepass", "", { sensitive: true }, NULLABLE),

  // Enums.
  enumOf("supervised", ["upstart", "systemd", "auto", "no"], "no", { immutable: true }),
  enumOf(
    "syslog-facility",
    ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"],
    "local0",
    { immutable: true },
  ),
  enumOf("repl-diskless-load", ["disabled", "on-empty-db", "swapdb"], "disabled"),
  enumOf("loglevel", ["debug", "verbose", "notice", "warning"], "notice"),
  enumOf(
    "maxmemory-policy",
    [
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "noeviction",
    ],
    "noeviction",
  ),
  enumOf("appendfsync", ["everysec", "always", "no"], "everysec"),
  {
    name: "oom-score-adj",
    kind: {
      type: "enum",
      values: ["no", "yes", "relative", "absolute"],
      same: { relative: "yes" },
    },
    default: "no",
  },
  enumOf("acl-pubsub-default", ["allchannels", "resetchannels"], "resetchannels"),
  enumOf("sanitize-dump-payload", ["no", "yes", "clients"], "no"),
  enumOf("enable-protected-configs", PROTECTED_ACTION, "no", { immutable: true }),
  enumOf("enable-debug-command", PROTECTED_ACTION, "no", { immutable: true }),
  enumOf("enable-module-command", PROTECTED_ACTION, "no", { immutable: true }),
  enumOf("cluster-preferred-endpoint-type", ["ip", "hostname", "unknown-endpoint"], "ip"),
  enumOf("propagation-error-behavior", ["ignore", "panic", "panic-on-replicas"], "ignore"),
  shutdownFlags("shutdown-on-sigint"),
  shutdownFlags("shutdown-on-sigterm"),

  // Integers.
  int("databases", 1n, INT_MAX, 16, { immutable: true }),
  int("port", 0n, 65535n, 6379, {
    startupOnly: "Unable to listen on this port. Check server logs.",
  }),
  int("io-threads", 1n, 128n, 1, { immutable: true }),
  int("auto-aof-rewrite-percentage", 0n, INT_MAX, 100),
  int("cluster-replica-validity-factor", 0n, INT_MAX, 10, {
    aliases: ["cluster-slave-validity-factor"],
  }),
  int("list-max-listpack-size", INT_MIN, INT_MAX, -2, { aliases: ["list-max-ziplist-size"] }),
  int("tcp-keepalive", 0n, INT_MAX, 300),
  int("cluster-migration-barrier", 0n, INT_MAX, 1),
  int("active-defrag-cycle-min", 1n, 99n, 1),
  int("active-defrag-cycle-max", 1n, 99n, 25),
  int("active-defrag-threshold-lower", 0n, 1000n, 10),
  int("active-defrag-threshold-upper", 0n, 1000n, 100),
  int("lfu-log-factor", 0n, INT_MAX, 10),
  int("lfu-decay-time", 0n, INT_MAX, 1),
  int("replica-priority", 0n, INT_MAX, 100, { aliases: ["slave-priority"] }),
  int("repl-diskless-sync-delay", 0n, INT_MAX, 5),
  int("maxmemory-samples", 1n, INT_MAX, 5),
  int("maxmemory-eviction-tenacity", 0n, 100n, 10),
  int("timeout", 0n, INT_MAX, 0),
  int("replica-announce-port", 0n, 65535n, 0, { aliases: ["slave-announce-port"] }),
  int("tcp-backlog", 0n, INT_MAX, 511, { immutable: true }),
  int("cluster-port", 0n, 65535n, 0, { immutable: true }),
  int("cluster-announce-bus-port", 0n, 65535n, 0),
  int("cluster-announce-port", 0n, 65535n, 0),
  int("cluster-announce-tls-port", 0n, 65535n, 0),
  int("repl-timeout", 1n, INT_MAX, 60),
  int("repl-ping-replica-period", 1n, INT_MAX, 10, { aliases: ["repl-ping-slave-period"] }),
  int("list-compress-depth", 0n, INT_MAX, 0),
  int("rdb-key-save-delay", INT_MIN, INT_MAX, 0, { hidden: true }),
  int("key-load-delay", INT_MIN, INT_MAX, 0, { hidden: true }),
  int("active-expire-effort", 1n, 10n, 1),
  {
    name: "hz",
    kind: { type: "int", min: 0n, max: INT_MAX, clamp: [1, 500] },
    default: "10",
  },
  int("min-replicas-to-write", 0n, INT_MAX, 0, { aliases: ["min-slaves-to-write"] }),
  int("min-replicas-max-lag", 0n, INT_MAX, 10, { aliases: ["min-slaves-max-lag"] }),
  int("watchdog-period", 0n, INT_MAX, 0, { hidden: true }),
  int("shutdown-timeout", 0n, INT_MAX, 10),
  int("repl-diskless-sync-max-replicas", 0n, INT_MAX, 0),

  // Unsigned int.
  uint("maxclients", 1n, UINT_MAX, 10000),
  uint("socket-mark-id", 0n, UINT_MAX, 0, { immutable: true }),
  {
    name: "unixsocketperm",
    kind: { type: "octal", min: 0n, max: 0o777n },
    default: "0",
    immutable: true,
  },

  // Unsigned long.
  uint("active-defrag-max-scan-fields", 1n, LONG_MAX, 1000),
  uint("slowlog-max-len", 0n, LONG_MAX, 128),
  uint("acllog-max-len", 0n, LONG_MAX, 128),

  // Long long.
  int("busy-reply-threshold", 0n, LONG_MAX, 5000, { aliases: ["lua-time-limit"] }),
  int("cluster-node-timeout", 0n, LLONG_MAX, 15000),
  int("slowlog-log-slower-than", -1n, LLONG_MAX, 10000),
  int("latency-monitor-threshold", 0n, LLONG_MAX, 0),
  mem("proto-max-bulk-len", 1024n * 1024n, LONG_MAX, 512 * 1024 * 1024, false),
  int("stream-node-max-entries", 0n, LLONG_MAX, 100),
  mem("repl-backlog-size", 1n, LLONG_MAX, 1024 * 1024, false),

  // Unsigned long long.
  mem("maxmemory", 0n, ULLONG_MAX, 0, true),
  mem("cluster-link-sendbuf-limit", 0n, ULLONG_MAX, 0, true),

  // size_t.
  uint("hash-max-listpack-entries", 0n, LONG_MAX, 512, { aliases: ["hash-max-ziplist-entries"] }),
  uint("set-max-intset-entries", 0n, LONG_MAX, 512),
  uint("zset-max-listpack-entries", 0n, LONG_MAX, 128, { aliases: ["zset-max-ziplist-entries"] }),
  mem("active-defrag-ignore-bytes", 1n, LLONG_MAX, 100 * 1024 * 1024, true),
  mem("hash-max-listpack-value", 0n, LONG_MAX, 64, true, {
    aliases: ["hash-max-ziplist-value"],
  }),
  mem("stream-node-max-bytes", 0n, LONG_MAX, 4096, true),
  mem("zset-max-listpack-value", 0n, LONG_MAX, 64, true, {
    aliases: ["zset-max-ziplist-value"],
  }),
  mem("hll-sparse-max-bytes", 0n, LONG_MAX, 3000, true),
  uint("tracking-table-max-keys", 0n, LONG_MAX, 1000000),
  mem("client-query-buffer-limit", 1024n * 1024n, LONG_MAX, 1024 * 1024 * 1024, true),
  {
    name: "maxmemory-clients",
    kind: { type: "memory", min: -100n, max: LLONG_MAX, percent: true },
    default: "0",
  },

  // time_t and off_t.
  int("repl-backlog-ttl", 0n, LONG_MAX, 3600),
  mem("auto-aof-rewrite-min-size", 0n, LLONG_MAX, 64 * 1024 * 1024, false),
  int("loading-process-events-interval-bytes", 1024n, INT_MAX, 2 * 1024 * 1024, {
    hidden: true,
  }),

  // TLS.
  int("tls-port", 0n, 65535n, 0),
  int("tls-session-cache-size", 0n, INT_MAX, 20 * 1024),
  int("tls-session-cache-timeout", 0n, INT_MAX, 300),
  bool("tls-cluster", "no"),
  bool("tls-replication", "no"),
  enumOf("tls-auth-clients", ["no", "yes", "optional"], "yes"),
  bool("tls-prefer-server-ciphers", "no"),
  bool("tls-session-caching", "yes"),
  str("tls-cert-file", "", {}, NULLABLE),
  str("tls-key-file", "", {}, NULLABLE),
  str("tls-key-file-pass", "", {}, NULLABLE),
  str("tls-client-cert-file", "", {}, NULLABLE),
  str("tls-client-key-file", "", {}, NULLABLE),
  str("tls-client-key-file-pass", "", {}, NULLABLE),
  str("tls-dh-params-file", "", {}, NULLABLE),
  str("tls-ca-cert-file", "", {}, NULLABLE),
  str("tls-ca-cert-dir", "", {}, NULLABLE),
  str("tls-protocols", "", {}, NULLABLE),
  str("tls-ciphers", "", {}, NULLABLE),
  str("tls-ciphersuites", "", {}, NULLABLE),

  // Special parameters.
  {
    name: "dir",
    kind: { type: "custom", parse: parseDir },
    default: ".",
    protected: true,
    rewrite: (value, name) => [[`${name} ${quoteRepr(value)}`, true]],
  },
  {
    name: "save",
    kind: { type: "custom", parse: parseSave },
    default: "3600 1 300 100 60 10000",
    multi: true,
    accumulates: true,
    rewrite: rewriteSave,
  },
  {
    name: "client-output-buffer-limit",
    kind: { type: "custom", parse: parseOutputBufferLimits },
    default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    multi: true,
    accumulates: true,
    rewrite: rewriteOutputBufferLimits,
  },
  {
    name: "oom-score-adj-values",
    kind: { type: "custom", parse: parseOomScoreAdjValues },
    default: "0 200 800",
    multi: true,
    rewrite: (value, name) => [[`${name} ${value}`, value !== "0 200 800"]],
  },
  {
    name: "notify-keyspace-events",
    kind: { type: "custom", parse: parseNotifyConfig },
    default: "",
    display: displayNotify,
    rewrite: (value, name) => {
      const shown = displayNotify(value);
      return [[`${name} ${quoteRepr(shown)}`, shown !== ""]];
    },
  },
  {
    name: "bind",
    kind: { type: "custom", parse: parseBind },
    default: "127.0.0.1",
    multi: true,
    startupOnly: "Failed to bind to specified addresses.",
    // Redis leaves its own default (`* -::*`) out; resplite's differs.
    rewrite: (value, name) =>
      value === "* -::*" ? [] : [[`${name} ${value === "" ? '""' : value}`, true]],
  },
  {
    name: "replicaof",
    aliases: ["slaveof"],
    kind: { type: "custom", parse: parseReplicaOf },
    default: "",
    immutable: true,
    multi: true,
    rewrite: (value, name) => value === "" ? [] : [[`${name} ${value}`, true]],
  },
  {
    name: "latency-tracking-info-percentiles",
    kind: { type: "custom", parse: parsePercentiles },
    default: "50 99 99.9",
    multi: true,
    rewrite: (value, name) => [[`${name} ${value === "" ? '""' : value}`, true]],
  },
];

// ---------------------------------------------------------------- special parsers

/** The flags of `shutdown-on-sigint` / `-sigterm`, in the order CONFIG GET lists them. */
const SHUTDOWN_FLAGS = ["save", "nosave", "now", "force"];

function shutdownFlags(name: string): ParamSpec {
  return {
    name,
    kind: { type: "custom", parse: parseShutdownFlags },
    default: "default",
    multi: true,
    rewrite: (value, n) => [[`${n} ${value}`, value !== "default"]],
  };
}

/** A set of SHUTDOWN flags (`default` adds none), as Redis's multi-value enum. */
function parseShutdownFlags(value: string): string {
  const set = new Set<string>();
  const args = words(value);
  for (const a of args) {
    const v = a.toLowerCase();
    if (v !== "default" && !SHUTDOWN_FLAGS.includes(v)) {
      throw new ConfigError(
        "argument(s) must be one of the following: default, save, nosave, now, force",
      );
    }
    if (v !== "default") set.add(v);
  }
  if (args.length === 0) {
    throw new ConfigError(
      "argument(s) must be one of the following: default, save, nosave, now, force",
    );
  }
  if (set.has("save") && set.has("nosave")) {
    throw new ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously");
  }
  const out = SHUTDOWN_FLAGS.filter((f) => set.has(f));
  return out.length === 0 ? "default" : out.join(" ");
}

/** Words of a multi-word value as CONFIG SET splits it (sdssplitlen on " "). */
function words(value: string): string[] {
  return value === "" ? [] : value.split(" ");
}

/** C strtoll with a full-string check: null when there are trailing characters. */
function strtollFull(text: string, base = 10): bigint | null {
  if (text === "") return 0n;
  const digits = base === 8 ? "[0-7]" : "\\d";
  const m = new RegExp(`^[ \\t\\n\\v\\f\\r]*([+-]?)(${digits}+)$`).exec(text);
  if (m === null) return null;
  let v = BigInt((base === 8 ? "0o" : "") + m[2]!);
  if (m[1] === "-") v = -v;
  if (v > LLONG_MAX) return LLONG_MAX;
  if (v < -LLONG_MAX - 1n) return -LLONG_MAX - 1n;
  return v;
}

function parseDir(value: string): string {
  return value;
}

function parseSave(value: string): string {
  const args = words(value);
  if (args.length % 2 !== 0) throw new ConfigError("Invalid save parameters");
  const out: string[] = [];
  for (let j = 0; j < args.length; j++) {
    const v = strtollFull(args[j]!);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) {
      throw new ConfigError("Invalid save parameters");
    }
    out.push(String(j % 2 === 0 ? v : BigInt.asIntN(32, v)));
  }
  return out.join(" ");
}

function rewriteSave(value: string, name: string): RewriteLine[] {
  const args = words(value);
  if (args.length === 0) return [[`${name} ""`, true]];
  const lines: RewriteLine[] = [];
  for (let j = 0; j < args.length; j += 2) lines.push([`${name} ${args[j]} ${args[j + 1]}`, true]);
  return lines;
}

function parseOomScoreAdjValues(value: string): string {
  const args = words(value);
  if (args.length !== 3) throw new ConfigError("wrong number of arguments");
  const out: string[] = [];
  for (const a of args) {
    const v = strtollFull(a);
    if (v === null || v < -2000n || v > 2000n) {
      throw new ConfigError(
        "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
      );
    }
    out.push(String(v));
  }
  return out.join(" ");
}

function parseActiveDefrag(value: string): string {
  const v = value.toLowerCase();
  if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
  if (v === "yes") {
    throw new ConfigError(
      "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution",
    );
  }
  return v;
}

function parseNotifyConfig(value: string): string {
  const flags = parseNotifyFlags(value);
  if (flags === null) {
    throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  return formatNotifyFlags(flags, true);
}

function displayNotify(value: string): string {
  return formatNotifyFlags(parseNotifyFlags(value) ?? 0);
}

function parseBind(value: string): string {
  const args = words(value);
  if (args.length > 16) throw new ConfigError("Too many bind addresses specified.");
  if (args.length === 1 && args[0] === "") return "";
  return args.join(" ");
}

function parseReplicaOf(value: string): string {
  const args = words(value);
  if (args.length !== 2) throw new ConfigError("wrong number of arguments");
  if (args[0]!.toLowerCase() === "no" && args[1]!.toLowerCase() === "one") return "";
  const port = strtollFull(args[1]!);
  if (port === null || port < 0n || port > 65535n) throw new ConfigError("Invalid master port");
  return `${args[0]} ${port}`;
}

/** Redis's string2d: a whole decimal or hex float, no spaces, no NaN. */
function string2d(text: string): number | null {
  if (text === "" || /^\s/.test(text)) return null;
  if (!/^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?)$/i.test(text)) return null;
  const sign = text.startsWith("-") ? -1 : 1;
  const body = text.replace(/^[+-]/, "");
  return /^inf/i.test(body) ? sign * Infinity : Number(text);
}

/** A double as `%f` then with trailing zeros (and a trailing dot) removed. */
function trimmedDouble(v: number): string {
  const s = v.toFixed(6);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

function parsePercentiles(value: string): string {
  const args = words(value);
  if (args.length === 1 && args[0] === "") return "";
  const out: string[] = [];
  for (const a of args) {
    const p = string2d(a);
    if (p === null) throw new ConfigError("Invalid latency-tracking-info-percentiles parameters");
    if (p > 100 || p < 0) {
      throw new ConfigError(
        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
      );
    }
    out.push(trimmedDouble(p));
  }
  return out.join(" ");
}

/**
 * The percentiles of a `latency-tracking-info-percentiles` value.
 *
 * @param value the value, as CONFIG GET shows it
 * @returns the percentiles, in order
 * @example
 * ```ts
 * import { percentiles } from "./config.ts";
 * console.assert(percentiles("50 99 99.9").join() === "50,99,99.9");
 * console.assert(percentiles("").length === 0);
 * ```
 */
export function percentiles(value: string): number[] {
  return words(value).map(Number);
}

function isBaseName(path: string): boolean {
  return !path.includes("/");
}

function checkHostname(value: string): string | null {
  if (value.length >= 256) return "Hostnames must be less than 256 characters";
  if (!/^[A-Za-z0-9.-]*$/.test(value)) {
    return "Hostnames may only contain alphanumeric characters, hyphens or dots";
  }
  return null;
}

const PROC_TITLE_VARIABLES = new Set([
  "title",
  "listen-addr",
  "server-mode",
  "port",
  "tls-port",
  "unixsocket",
  "config-file",
]);

/**
 * Redis's proc-title template check: `{name}` variables must be known,
 * `{{` and `}}` are literal braces, and the expansion (with an empty
 * title) must not be empty once trimmed.
 */
function validProcTitleTemplate(template: string): boolean {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "{") {
      if (template[i + 1] === "{") {
        out += "{";
        i++;
        continue;
      }
      const end = template.indexOf("}", i + 1);
      if (end === -1) return false;
      const name = template.slice(i + 1, end);
      if (!PROC_TITLE_VARIABLES.has(name)) return false;
      out += name === "title" ? "" : "x";
      i = end;
    } else if (c === "}") {
      // `}}` and a lone `}` are both a literal brace.
      out += "}";
      if (template[i + 1] === "}") i++;
    } else {
      out += c;
    }
  }
  return out.trim() !== "";
}

/** One client class's output buffer limits. */
export interface OutputBufferLimit {
  /** Close at once at this many bytes (0: no limit). */
  readonly hard: number;
  /** Close when over this many bytes (0: no limit) ... */
  readonly soft: number;
  /** ... for longer than this many seconds. */
  readonly softSeconds: number;
}

/** The classes of `client-output-buffer-limit`, as CONFIG GET names them. */
const OBUF_CLASSES = ["normal", "slave", "pubsub"] as const;

/**
 * Reads a normalised `client-output-buffer-limit` value.
 *
 * @param value the value, as CONFIG GET shows it
 * @returns the limits of the `normal`, `replica` and `pubsub` classes
 * @example
 * ```ts
 * import { outputBufferLimits } from "./config.ts";
 * const limits = outputBufferLimits("normal 0 0 0 slave 1 2 3 pubsub 4 5 6");
 * console.assert(limits.pubsub.hard === 4 && limits.replica.softSeconds === 3);
 * ```
 */
export function outputBufferLimits(
  value: string,
): Record<"normal" | "replica" | "pubsub", OutputBufferLimit> {
  const w = value.split(" ").map(Number);
  const at = (i: number): OutputBufferLimit => ({
    hard: w[i + 1]!,
    soft: w[i + 2]!,
    softSeconds: w[i + 3]!,
  });
  return { normal: at(0), replica: at(4), pubsub: at(8) };
}

/**
 * Parses `client-output-buffer-limit` changes (`<class> <hard> <soft>
 * <soft seconds>` groups, space separated) onto the current value, with
 * Redis's validation and texts.
 */
function parseOutputBufferLimits(value: string, current: string): string {
  const args = words(value);
  if (args.length % 4 !== 0) {
    throw new ConfigError("Wrong number of arguments in buffer limit configuration.");
  }
  const groups = current.split(" ");
  for (let j = 0; j < args.length; j += 4) {
    const name = args[j]!.toLowerCase();
    const cls = name === "replica" ? 1 : OBUF_CLASSES.indexOf(name as "normal");
    if (cls === -1) {
      throw new ConfigError("Invalid client class specified in buffer limit configuration.");
    }
    const hard = memtoull(args[j + 1]!);
    const soft = memtoull(args[j + 2]!);
    const secondsText = args[j + 3]!;
    let seconds = -1n;
    const v = strtollFull(secondsText);
    // strtoll saturates, then the value is kept as a C int.
    if (v !== null) seconds = BigInt.asIntN(32, v);
    if (hard === null || soft === null || seconds < 0n) {
      throw new ConfigError(
        "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
      );
    }
    groups[cls * 4 + 1] = String(hard);
    groups[cls * 4 + 2] = String(soft);
    groups[cls * 4 + 3] = String(seconds);
  }
  return groups.join(" ");
}

const OBUF_DEFAULTS = ["0 0 0", "268435456 67108864 60", "33554432 8388608 60"];

function rewriteOutputBufferLimits(value: string, name: string): RewriteLine[] {
  const w = value.split(" ");
  const lines: RewriteLine[] = [];
  for (let j = 0; j < 3; j++) {
    const [hard, soft, seconds] = [w[j * 4 + 1]!, w[j * 4 + 2]!, w[j * 4 + 3]!];
    const cls = j === 1 ? "replica" : OBUF_CLASSES[j]!;
    lines.push([
      `${name} ${cls} ${formatMemory(BigInt(hard))} ${formatMemory(BigInt(soft))} ${seconds}`,
      `${hard} ${soft} ${seconds}` !== OBUF_DEFAULTS[j],
    ]);
  }
  return lines;
}

// ---------------------------------------------------------------- numbers

const UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Redis's memtoull: digits (none means 0; strtoull saturates at 2^64 - 1)
 * and an optional unit in any case, the product wrapping at 2^64; no sign,
 * spaces or fraction. Null when invalid.
 */
function memtoull(text: string): bigint | null {
  const m = /^(\d*)([a-zA-Z]*)$/.exec(text);
  if (m === null) return null;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined || m[1]!.length >= 128) return null;
  let digits = BigInt(m[1] || "0");
  if (digits > UINT64_MASK) digits = UINT64_MASK;
  return (digits * unit) & UINT64_MASK;
}

/**
 * Parses a memory amount as Redis's memtoull does: digits only (none means
 * 0), then an optional unit `b`, `k`, `kb`, `m`, `mb`, `g` or `gb` in any
 * case; no sign, spaces or fraction.
 *
 * @param text the value
 * @returns the bytes, or null when invalid
 * @example
 * ```ts
 * import { parseMemory } from "./config.ts";
 * console.assert(parseMemory("1kb") === 1024);
 * console.assert(parseMemory("1k") === 1000);
 * console.assert(parseMemory("-1") === null);
 * ```
 */
export function parseMemory(text: string): number | null {
  const v = memtoull(text);
  return v === null ? null : Number(v);
}

/**
 * A byte count as CONFIG REWRITE writes it: `gb`, `mb` or `kb` when it
 * divides exactly, else plain digits.
 *
 * @param bytes the amount
 * @returns the text
 * @example
 * ```ts
 * import { formatMemory } from "./config.ts";
 * console.assert(formatMemory(1073741824n) === "1gb");
 * console.assert(formatMemory(1536n) === "1536" && formatMemory(0n) === "0");
 * ```
 */
export function formatMemory(bytes: bigint): string {
  const v = BigInt.asIntN(64, bytes);
  const GB = 1024n * 1024n * 1024n;
  if (v !== 0n && v % GB === 0n) return `${v / GB}gb`;
  if (v !== 0n && v % (1024n * 1024n) === 0n) return `${v / (1024n * 1024n)}mb`;
  if (v !== 0n && v % 1024n === 0n) return `${v / 1024n}kb`;
  return String(v);
}

/** Redis's string2ll: optional `-`, digits, no leading zeros, no `+` or spaces. */
const INTEGER_RE = /^(?:0|-?[1-9]\d*)$/;

function string2ll(text: string): bigint | null {
  if (!INTEGER_RE.test(text)) return null;
  const v = BigInt(text);
  return v > LLONG_MAX || v < -LLONG_MAX - 1n ? null : v;
}

/** Redis's numericBoundaryCheck, on a value already read as a C long long. */
function checkBounds(
  v: bigint,
  kind: { min: bigint; max: bigint; unsigned?: boolean; percent?: boolean },
  octal = false,
): void {
  if (kind.unsigned === true || octal) {
    const u = BigInt.asUintN(64, v);
    if (u > kind.max || u < kind.min) {
      const f = (n: bigint) => octal ? n.toString(8) : String(n);
      throw new ConfigError(`argument must be between ${f(kind.min)} and ${f(kind.max)} inclusive`);
    }
    return;
  }
  if (kind.percent === true && v < 0n) {
    if (v < kind.min) {
      throw new ConfigError(`percentage argument must be less or equal to ${-kind.min}`);
    }
    return;
  }
  if (v > kind.max || v < kind.min) {
    throw new ConfigError(`argument must be between ${kind.min} and ${kind.max} inclusive`);
  }
}

function normalise(spec: ParamSpec, value: string, current: string): string {
  const kind = spec.kind;
  switch (kind.type) {
    case "bool": {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
      return v;
    }
    case "int": {
      const v = string2ll(value);
      if (v === null) throw new ConfigError("argument couldn't be parsed into an integer");
      checkBounds(v, kind);
      if (kind.clamp === undefined) {
        return String(kind.unsigned === true ? BigInt.asUintN(64, v) : v);
      }
      return String(Math.min(Math.max(Number(v), kind.clamp[0]), kind.clamp[1]));
    }
    case "memory": {
      const bytes = memtoull(value);
      let v: bigint;
      let percent = false;
      if (bytes !== null) {
        v = BigInt.asIntN(64, bytes);
      } else {
        const p = kind.percent === true && value.length > 1 && value.endsWith("%")
          ? string2ll(value.slice(0, -1))
          : null;
        if (p === null || p < 0n) {
          throw new ConfigError(
            kind.percent === true
              ? "argument must be a memory or percent value"
              : "argument must be a memory value",
          );
        }
        v = -p;
        percent = true;
      }
      checkBounds(v, kind);
      // A negative value is a percentage (`N%` wraps there too, as in Redis).
      if (percent || (kind.percent === true && v < 0n)) return `${-v}%`;
      return String(BigInt.asUintN(64, v));
    }
    case "octal": {
      const v = strtollFull(value, 8);
      if (v === null) throw new ConfigError("argument couldn't be parsed as an octal number");
      checkBounds(v, kind, true);
      return v.toString(8);
    }
    case "enum": {
      const v = value.toLowerCase();
      if (!kind.values.includes(v)) {
        throw new ConfigError(
          `argument(s) must be one of the following: ${kind.values.join(", ")}`,
        );
      }
      return kind.same?.[v] ?? v;
    }
    case "string": {
      const error = kind.check?.(value) ?? null;
      if (error !== null) throw new ConfigError(error);
      return value;
    }
    case "custom":
      return kind.parse(value, current);
  }
}

// ---------------------------------------------------------------- CONFIG REWRITE

/** The lines CONFIG REWRITE writes for one parameter's value. */
function rewriteLines(spec: ParamSpec, value: string): readonly RewriteLine[] {
  if (spec.rewrite !== undefined) return spec.rewrite(value, spec.name);
  const kind = spec.kind;
  const force = value !== spec.default;
  switch (kind.type) {
    case "memory":
      if (value.endsWith("%")) return [[`${spec.name} ${value}`, force]];
      return [[`${spec.name} ${formatMemory(BigInt(value))}`, force]];
    case "string":
      if (kind.emptyIsNull === true && value === "") return [];
      return [[`${spec.name} ${quoteRepr(value)}`, kind.emptyIsNull === true || force]];
    default:
      return [[`${spec.name} ${value}`, force]];
  }
}

/** The `user` line Redis writes for its default user without a password. */
export const DEFAULT_USER_LINE = "user default on nopass ~* &* +@all";

/** The marker Redis writes before the first line CONFIG REWRITE appends. */
export const REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE";

/**
 * Rewrites a config file's text as Redis's CONFIG REWRITE does: comments,
 * blank lines and other directives (`include`, `rename-command`) stay, an
 * unparsable line becomes a `# ??? ` comment; each parameter's first line is
 * replaced by its current value and its other lines are blanked; values not
 * at their default (and the always-written `save`, `dir` and
 * `latency-tracking-info-percentiles`) are appended after
 * `# Generated by CONFIG REWRITE`; runs of blank lines become one.
 *
 * @param old the file's text (a binary string), or null when it does not exist
 * @param config the configuration to write
 * @param cwd the working directory (written as `dir`)
 * @returns the new text
 * @example
 * ```ts
 * import { Config, rewriteConfigText } from "./config.ts";
 * const config = new Config({ hz: "20" });
 * const text = rewriteConfigText("# mine\nhz 10\n", config, "/data");
 * console.assert(text.startsWith("# mine\nhz 20\n"));
 * ```
 */
export function rewriteConfigText(old: string | null, config: Config, cwd: string): string {
  const lines: string[] = [];
  const optionLines = new Map<string, number[]>();
  let needsSignature = true;
  if (old !== null && old !== "") {
    for (const raw of old.split("\n")) {
      const line = raw.replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, "");
      if (line === "" || line.startsWith("#")) {
        if (line === REWRITE_SIGNATURE) needsSignature = false;
        lines.push(line);
        continue;
      }
      const argv = splitArgs(line);
      if (argv === null || argv.length === 0) {
        lines.push(`# ??? ${line}`);
        continue;
      }
      // Aliases count as their parameter (`slaveof` is `replicaof`).
      const option = config.spec(argv[0]!)?.name ??
        argv[0]!.toLowerCase().replace("slave", "replica");
      lines.push(line);
      const list = optionLines.get(option) ?? [];
      list.push(lines.length - 1);
      optionLines.set(option, list);
    }
  }
  const rewritten = new Set<string>();
  for (const spec of config.specs()) {
    const value = spec.name === "dir" ? cwd : config.get(spec.name);
    rewritten.add(spec.name);
    for (const [line, force] of rewriteLines(spec, value)) {
      const list = optionLines.get(spec.name);
      if (list !== undefined && list.length > 0) {
        lines[list.shift()!] = line;
      } else if (force) {
        if (needsSignature) {
          lines.push(REWRITE_SIGNATURE);
          needsSignature = false;
        }
        lines.push(line);
      }
    }
  }
  // The default user, as Redis writes its users (ACL users arrive with
  // issue 17; with a requirepass Redis writes the password's hash instead).
  rewritten.add("user");
  if (config.get("requirepass") === "") {
    const line = DEFAULT_USER_LINE;
    const list = optionLines.get("user");
    if (list !== undefined && list.length > 0) {
      lines[list.shift()!] = line;
    } else {
      if (needsSignature) lines.push(REWRITE_SIGNATURE);
      needsSignature = false;
      lines.push(line);
    }
  }
  for (const [option, list] of optionLines) {
    if (!rewritten.has(option)) continue;
    for (const n of list) lines[n] = "";
  }
  let out = "";
  let wasEmpty = false;
  for (const line of lines) {
    if (line === "") {
      if (wasEmpty) continue;
      wasEmpty = true;
    } else {
      wasEmpty = false;
    }
    out += line + "\n";
  }
  return out;
}

// ---------------------------------------------------------------- Config

/**
 * A server's configuration: every parameter's current value.
 *
 * @example
 * ```ts
 * import { Config } from "./config.ts";
 * const config = new Config({ hz: "1000" });
 * console.assert(config.get("hz") === "500");
 * console.assert(config.number("databases") === 16);
 * ```
 */
export class Config {
  #specs = new Map<string, ParamSpec>();
  #canonical: ParamSpec[] = [];
  #values = new Map<string, string>();
  /** Parsed numeric values, dropped whenever a parameter is set. */
  #numbers = new Map<string, number>();
  #listeners = new Map<string, ((value: string) => void)[]>();

  /**
   * @param initial start-up values by name (immutable ones included)
   * @param extra more parameters (later features register theirs)
   * @throws {ConfigError} when an initial value is invalid or unknown
   */
  constructor(initial: Record<string, string> = {}, extra: readonly ParamSpec[] = []) {
    for (const spec of [...PARAMS, ...extra]) {
      this.#specs.set(spec.name, spec);
      this.#canonical.push(spec);
      for (const alias of spec.aliases ?? []) this.#specs.set(alias, spec);
      this.#values.set(spec.name, spec.default);
    }
    for (const [name, value] of Object.entries(initial)) {
      const spec = this.#specs.get(name.toLowerCase());
      if (spec === undefined) {
        throw new ConfigError(`Bad directive or wrong number of arguments: '${name}'`);
      }
      this.#values.set(spec.name, normalise(spec, value, this.#values.get(spec.name)!));
    }
  }

  /**
   * The spec of a parameter by name or alias.
   *
   * @param name the name (case-insensitive)
   * @returns the spec, or undefined
   */
  spec(name: string): ParamSpec | undefined {
    return this.#specs.get(name.toLowerCase());
  }

  /** Every parameter's canonical spec, in table order. */
  specs(): readonly ParamSpec[] {
    return this.#canonical;
  }

  /**
   * A parameter's value.
   *
   * @param name the canonical name
   * @returns the value
   */
  get(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined) throw new Error(`unknown config parameter ${name}`);
    return v;
  }

  /**
   * A numeric parameter's value.
   *
   * @param name the canonical name
   * @returns the number
   */
  number(name: string): number {
    // Hot: the decoder asks for proto-max-bulk-len at every bulk header.
    let n = this.#numbers.get(name);
    if (n === undefined) {
      n = Number(this.get(name));
      this.#numbers.set(name, n);
    }
    return n;
  }

  /**
   * Checks a value for a parameter without setting it.
   *
   * @param name a parameter name or alias
   * @param value the text
   * @returns the normalised value
   * @throws {ConfigError} when invalid
   */
  check(name: string, value: string): string {
    const spec = this.spec(name);
    if (spec === undefined) throw new ConfigError("unknown");
    return normalise(spec, value, this.#values.get(spec.name)!);
  }

  /**
   * Sets a parameter (already checked), telling its listeners.
   *
   * @param name a parameter name or alias
   * @param value the normalised value
   */
  set(name: string, value: string): void {
    const spec = this.spec(name);
    if (spec === undefined) throw new Error(`unknown config parameter ${name}`);
    this.#values.set(spec.name, value);
    this.#numbers.delete(spec.name);
    for (const listener of this.#listeners.get(spec.name) ?? []) listener(value);
  }

  /**
   * Sets several parameters at once, as CONFIG SET does: every value is
   * checked first, and nothing changes unless all are valid.
   *
   * @param pairs canonical names or aliases with their texts, no name twice
   * @throws {ConfigSetError} for the first invalid value, its `param` naming it (lower case)
   */
  setAll(pairs: readonly (readonly [name: string, value: string])[]): void {
    const checked: [ParamSpec, string][] = [];
    for (const [name, value] of pairs) {
      const spec = this.spec(name);
      if (spec === undefined) throw new Error(`unknown config parameter ${name}`);
      try {
        const current = this.#values.get(spec.name)!;
        const v = this.check(name, value);
        if (spec.startupOnly !== undefined && v !== current) {
          throw new ConfigError(spec.startupOnly);
        }
        checked.push([spec, v]);
      } catch (e) {
        // Named as looked up: the alias when given one (Redis registers aliases as their own entries).
        if (e instanceof ConfigError) throw new ConfigSetError(name.toLowerCase(), e.message);
        throw e;
      }
    }
    for (const [spec, value] of checked) {
      if (this.#values.get(spec.name) !== value) this.set(spec.name, value);
    }
  }

  /**
   * Runs `listener` whenever a parameter changes at run time.
   *
   * @param name the canonical name
   * @param listener called with the new value
   */
  onChange(name: string, listener: (value: string) => void): void {
    const list = this.#listeners.get(name) ?? [];
    list.push(listener);
    this.#listeners.set(name, list);
  }
}

/** A CONFIG SET value that failed, naming the parameter as Redis does (the name given, lower case). */
export class ConfigSetError extends ConfigError {
  /** The parameter's canonical name. */
  readonly param: string;
  /**
   * @param param the canonical name
   * @param message the detail
   */
  constructor(param: string, message: string) {
    super(message);
    this.name = "ConfigSetError";
    this.param = param;
  }
}
