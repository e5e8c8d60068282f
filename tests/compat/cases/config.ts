/**
 * Differential cases for the configuration, generated from the parameter
 * table (`PARAMS` in src/config.ts): for every parameter and alias, its
 * CONFIG GET default, a CONFIG SET / GET round trip with a valid other
 * value, and the error texts of invalid values (or the refusal of an
 * immutable or protected one). Hand-written cases cover several pairs,
 * rollback, duplicates and several patterns.
 *
 * Parameters whose values differ between the two servers by construction
 * are not compared by value: `port` (each its own), `dir` (each its own
 * directory). `tls-port`, `tls-cluster` and `tls-replication` only round
 * trip their current value: real Redis then configures TLS, which fails
 * without certificates; resplite has no TLS yet (issue 17).
 *
 * @module
 */

import type { CompatCase, Step } from "../case.ts";
import { PARAMS, type ParamSpec } from "../../../src/config.ts";

const pairs = (...argv: string[]): Step => ({ argv, compare: "pairs" });

/** Values that differ between the two servers by construction. */
const OWN_VALUE = new Set(["port", "dir"]);

/** Setting another value makes real Redis start TLS, which fails without certificates. */
const SAME_VALUE_ONLY = new Set(["tls-port", "tls-cluster", "tls-replication", "port", "bind"]);

/** A valid value other than the default, by parameter. */
const SAMPLES: Record<string, string> = {
  save: "100 10 20 5",
  "client-output-buffer-limit": "pubsub 1mb 2mb 30 normal 1gb 0 0",
  "oom-score-adj-values": "0 300 900",
  "notify-keyspace-events": "KEA",
  "latency-tracking-info-percentiles": "50 99.99 100",
  "proc-title-template": "{title} {port}",
  "cluster-announce-hostname": "host-1.example",
  "bind-source-addr": "127.0.0.1",
  "ignore-warnings": "ARM64-COW-BUG",
  "oom-score-adj": "relative",
  "maxmemory-clients": "10%",
  "maxmemory-policy": "allkeys-lru",
  loglevel: "warning",
  "list-max-listpack-size": "-1",
  maxclients: "9000",
  activedefrag: "no",
  "shutdown-on-sigint": "save now force",
  "shutdown-on-sigterm": "default nosave",
  // 1 ms would make real Redis's watchdog fire on every slow loop.
  "watchdog-period": "5000",
};

/** Invalid values and the reason each is invalid, by parameter. */
const INVALID: Record<string, readonly string[]> = {
  save: ["100", "0 1", "100 -1", "x 1", "100 1 ", " 100 1"],
  "client-output-buffer-limit": [
    "pubsub 1mb 2mb",
    "master 1 2 3",
    "nosuch 1 2 3",
    "pubsub x 2 3",
    "pubsub 1 2 -3",
    "pubsub 1 2 x",
  ],
  "oom-score-adj-values": ["0 200", "0 200 800 1", "0 200 5000", "a b c"],
  "notify-keyspace-events": ["KEAQ", "x"],
  "latency-tracking-info-percentiles": ["50 abc", "101", "-1", "50  99", "nan"],
  "proc-title-template": ["{nosuch}", "{title", "", "{title}"],
  "cluster-announce-hostname": ["bad_host", "a b"],
  dbfilename: ["a/b"],
  "maxmemory-clients": ["101%", "-1%", "x%", "%", "1.5"],
  activedefrag: ["yes", "maybe", ""],
  "shutdown-on-sigint": ["", "x", "save nosave", "now x"],
  "shutdown-on-sigterm": ["SAVE NOSAVE", "default  now"],
  bind: ["1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"],
};

/**
 * A valid non-default value for a parameter.
 *
 * @param spec the parameter
 * @returns the value
 */
export function sample(spec: ParamSpec): string {
  const own = SAMPLES[spec.name];
  if (own !== undefined) return own;
  const kind = spec.kind;
  switch (kind.type) {
    case "bool":
      return spec.default === "yes" ? "no" : "yes";
    case "int": {
      const d = BigInt(spec.default);
      return String(d + 1n <= kind.max ? d + 1n : d - 1n);
    }
    case "memory":
      return BigInt(spec.default) === 2n * 1024n * 1024n ? "3mb" : "2mb";
    case "octal":
      return "700";
    case "enum":
      return kind.values.find((v) => v !== spec.default)!;
    default:
      return "resplite-test";
  }
}

/** Invalid values for a parameter, from its kind. */
function invalid(spec: ParamSpec): string[] {
  const own = INVALID[spec.name] ?? [];
  const kind = spec.kind;
  switch (kind.type) {
    case "bool":
      return ["maybe", ""];
    case "int": {
      const out = ["abc", "1.5", "", "+1", "01"];
      if (kind.max < 2n ** 63n - 1n) out.push(String(kind.max + 1n));
      if (kind.min > -(2n ** 63n)) out.push(String(kind.min - 1n));
      out.push("99999999999999999999");
      return [...out, ...own];
    }
    case "memory": {
      const out = ["1x", "-1", "1.5mb", "1 mb", "99999999999999999999", "18446744073709551615"];
      if (kind.min > 0n) out.push(String(kind.min - 1n));
      return [...out, ...own];
    }
    case "octal":
      return ["8", "1000", "-1", "x"];
    case "enum":
      return ["nosuch", ""];
    default:
      return [...own];
  }
}

function paramCase(spec: ParamSpec, name: string): CompatCase {
  const steps: Step[] = [];
  const get = pairs("CONFIG", "GET", name);
  if (!OWN_VALUE.has(spec.name)) steps.push(get);
  if (spec.immutable === true || spec.protected === true) {
    steps.push(["CONFIG", "SET", name, spec.default]);
    if (!OWN_VALUE.has(spec.name)) steps.push(get);
    return { name: `CONFIG ${name} is refused at run time`, steps };
  }
  if (!SAME_VALUE_ONLY.has(spec.name)) {
    steps.push(["CONFIG", "SET", name, sample(spec)], get);
  }
  for (const bad of invalid(spec)) steps.push(["CONFIG", "SET", name, bad]);
  if (!OWN_VALUE.has(spec.name)) steps.push(get);
  // Back to the default (on both servers the one they started with).
  if (!SAME_VALUE_ONLY.has(spec.name)) {
    const back = spec.name === "save"
      ? ""
      : spec.name === "client-output-buffer-limit"
      ? "normal 0 0 0 pubsub 32mb 8mb 60"
      : spec.name === "bind"
      ? "127.0.0.1"
      : spec.default;
    steps.push(["CONFIG", "SET", name, back], get);
  }
  return { name: `CONFIG ${name}: default, round trip and errors`, steps };
}

const GENERATED: CompatCase[] = PARAMS.flatMap((spec) =>
  [spec.name, ...(spec.aliases ?? [])].map((name) => paramCase(spec, name))
);

/** The configuration group's cases. */
export const CASES: readonly CompatCase[] = [
  ...GENERATED,
  {
    name: "CONFIG SET with several pairs applies all or nothing",
    steps: [
      ["CONFIG", "SET", "hz", "20", "maxmemory", "1mb", "loglevel", "warning"],
      pairs("CONFIG", "GET", "hz", "maxmemory", "loglevel"),
      ["CONFIG", "SET", "hz", "30", "maxmemory", "abc", "loglevel", "debug"],
      pairs("CONFIG", "GET", "hz", "maxmemory", "loglevel"),
      ["CONFIG", "SET", "hz", "30", "maxmemory", "2mb", "loglevel", "loud"],
      pairs("CONFIG", "GET", "hz", "maxmemory", "loglevel"),
      ["CONFIG", "SET", "hz", "30", "databases", "3", "nosuch", "1"],
      ["CONFIG", "SET", "hz", "30", "nosuch", "1", "databases", "3"],
      ["CONFIG", "SET", "hz", "30", "HZ", "40"],
      ["CONFIG", "SET", "hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"],
      ["CONFIG", "SET", "slave-priority", "1", "REPLICA-PRIORITY", "x"],
      ["CONFIG", "SET", "Slave-Priority", "x"],
      ["CONFIG", "SET", "maxmemory", "1mb", "dbfilename", "x.rdb"],
      ["CONFIG", "SET", "maxmemory", "0", "hz", "10", "loglevel", "notice"],
      pairs("CONFIG", "GET", "hz", "maxmemory", "loglevel"),
    ],
  },
  {
    name: "CONFIG SET with aliases sets the canonical parameter",
    steps: [
      ["CONFIG", "SET", "hash-max-ziplist-entries", "100"],
      pairs("CONFIG", "GET", "hash-max-*-entries"),
      ["CONFIG", "SET", "slaveof", "no", "one"],
      ["CONFIG", "SET", "replicaof", "no one"],
      ["CONFIG", "SET", "lua-time-limit", "1000"],
      pairs("CONFIG", "GET", "busy-reply-threshold", "lua-time-limit"),
      ["CONFIG", "SET", "hash-max-listpack-entries", "512", "lua-time-limit", "5000"],
    ],
  },
  {
    name: "CONFIG GET with several patterns, duplicates and aliases",
    steps: [
      pairs("CONFIG", "GET", "*max-*-entries*"),
      pairs("CONFIG", "GET", "hash-max-*", "hash-max-listpack-value", "HASH-MAX-ZIPLIST-VALUE"),
      pairs("CONFIG", "GET", "slave*", "replica*"),
      pairs("CONFIG", "GET", "maxmemory*", "maxmemory", "lfu-*"),
      pairs("CONFIG", "GET", "*lazy*", "appendonly", "save"),
      pairs("CONFIG", "GET", "tls-*"),
      pairs("CONFIG", "GET", "cluster-*"),
      pairs("CONFIG", "GET", "[a-c]*"),
      pairs("CONFIG", "GET", "*_cpulist", "repl-*"),
      pairs("CONFIG", "GET", "nosuch", "*nosuch*", "latency-*"),
    ],
  },
  {
    name: "CONFIG GET answers a map in RESP3",
    resp: 3,
    steps: [
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "GET", "nosuch"],
      pairs("CONFIG", "GET", "maxmemory-*"),
    ],
  },
  {
    name: "CONFIG SET memory units and their limits",
    steps: [
      ...["1", "1b", "1k", "1K", "1kb", "1KB", "1m", "1mb", "1g", "1gb", "1Gb", "", "kb"].flatMap(
        (v) => [["CONFIG", "SET", "maxmemory", v], pairs("CONFIG", "GET", "maxmemory")],
      ),
      ["CONFIG", "SET", "maxmemory", "18446744073709551615"],
      pairs("CONFIG", "GET", "maxmemory"),
      ["CONFIG", "SET", "maxmemory", "17179869184gb"],
      pairs("CONFIG", "GET", "maxmemory"),
      ["CONFIG", "SET", "maxmemory", "0"],
      ["CONFIG", "SET", "proto-max-bulk-len", "9223372036854775808"],
      ["CONFIG", "SET", "hash-max-listpack-value", "9223372036854775808"],
      ["CONFIG", "SET", "maxmemory-clients", "0"],
      pairs("CONFIG", "GET", "maxmemory-clients"),
    ],
  },
];
