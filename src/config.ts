/**
 * Configuration parameters: the ones resplite honours, with Redis's types,
 * bounds, defaults and CONFIG SET error texts.
 *
 * @module
 */

import { formatNotifyFlags, parseNotifyFlags } from "./notify.ts";

/** How a parameter's text is checked and normalised. */
export type ParamKind =
  | { readonly type: "bool" }
  | {
    readonly type: "int";
    readonly min: number;
    readonly max: number;
    readonly clamp?: readonly [number, number];
  }
  | { readonly type: "memory"; readonly min: number; readonly max: number }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "string" }
  | {
    readonly type: "custom";
    /**
     * Returns the normalised value, or throws a `ConfigError` with the
     * detail text. `current` is the value now, for parameters set piecewise
     * (`client-output-buffer-limit`).
     */
    readonly parse: (value: string, current: string) => string;
  };

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
   * A protected config (`enable-protected-configs`, which resplite keeps at
   * `no`): settable at start-up only, refused by CONFIG SET with its own text.
   */
  readonly protected?: boolean;
  /** How CONFIG GET shows the stored value, where the two differ (`notify-keyspace-events`). */
  readonly display?: (value: string) => string;
  /** Repeated config-file lines add up instead of replacing each other (`client-output-buffer-limit`). */
  readonly accumulates?: boolean;
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

const INT64_MAX = 9223372036854775807;

/** The parameters resplite honours. */
export const PARAMS: readonly ParamSpec[] = [
  { name: "port", kind: { type: "int", min: 0, max: 65535 }, default: "6379", immutable: true },
  { name: "bind", kind: { type: "string" }, default: "127.0.0.1", immutable: true },
  { name: "unixsocket", kind: { type: "string" }, default: "", immutable: true },
  { name: "requirepass", kind: { type: "string" }, default: "" },
  {
    name: "databases",
    kind: { type: "int", min: 1, max: 2147483647 },
    default: "16",
    immutable: true,
  },
  { name: "dir", kind: { type: "string" }, default: ".", protected: true },
  {
    name: "loglevel",
    kind: { type: "enum", values: ["debug", "verbose", "notice", "warning"] },
    default: "notice",
  },
  {
    name: "proto-max-bulk-len",
    kind: { type: "memory", min: 1024 * 1024, max: INT64_MAX },
    default: "536870912",
  },
  {
    name: "hz",
    kind: { type: "int", min: 0, max: 2147483647, clamp: [1, 500] },
    default: "10",
  },
  { name: "maxclients", kind: { type: "int", min: 1, max: 4294967295 }, default: "10000" },
  { name: "timeout", kind: { type: "int", min: 0, max: 2147483647 }, default: "0" },
  {
    name: "enable-debug-command",
    kind: { type: "enum", values: ["no", "yes", "local"] },
    default: "no",
    immutable: true,
  },
  { name: "lazyfree-lazy-expire", kind: { type: "bool" }, default: "no" },
  { name: "lazyfree-lazy-user-del", kind: { type: "bool" }, default: "no" },
  { name: "lazyfree-lazy-user-flush", kind: { type: "bool" }, default: "no" },
  { name: "tcp-keepalive", kind: { type: "int", min: 0, max: 2147483647 }, default: "300" },
  {
    name: "hash-max-listpack-entries",
    aliases: ["hash-max-ziplist-entries"],
    kind: { type: "int", min: 0, max: INT64_MAX },
    default: "512",
  },
  {
    name: "hash-max-listpack-value",
    aliases: ["hash-max-ziplist-value"],
    kind: { type: "memory", min: 0, max: INT64_MAX },
    default: "64",
  },
  {
    name: "zset-max-listpack-entries",
    aliases: ["zset-max-ziplist-entries"],
    kind: { type: "int", min: 0, max: INT64_MAX },
    default: "128",
  },
  {
    name: "zset-max-listpack-value",
    aliases: ["zset-max-ziplist-value"],
    kind: { type: "memory", min: 0, max: INT64_MAX },
    default: "64",
  },
  { name: "set-max-intset-entries", kind: { type: "int", min: 0, max: INT64_MAX }, default: "512" },
  {
    name: "hll-sparse-max-bytes",
    kind: { type: "memory", min: 0, max: INT64_MAX },
    default: "3000",
  },
  {
    name: "list-max-listpack-size",
    aliases: ["list-max-ziplist-size"],
    kind: { type: "int", min: -2147483648, max: 2147483647 },
    default: "-2",
  },
  { name: "list-compress-depth", kind: { type: "int", min: 0, max: 2147483647 }, default: "0" },
  {
    name: "notify-keyspace-events",
    kind: { type: "custom", parse: parseNotifyConfig },
    default: "",
    display: (value) => formatNotifyFlags(parseNotifyFlags(value) ?? 0),
  },
  {
    name: "client-output-buffer-limit",
    kind: { type: "custom", parse: parseOutputBufferLimits },
    default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    accumulates: true,
  },
];

function parseNotifyConfig(value: string): string {
  const flags = parseNotifyFlags(value);
  if (flags === null) {
    throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  return formatNotifyFlags(flags, true);
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

const UINT64_MASK = 2n ** 64n - 1n;

/** Redis's memtoull: digits (clamped to 2^64 - 1) and a unit, wrapping on overflow. */
function obufMemory(text: string): bigint | null {
  const m = /^(\d*)([a-zA-Z]*)$/.exec(text);
  if (m === null) return null;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  let digits = BigInt(m[1] || "0");
  if (digits > UINT64_MASK) digits = UINT64_MASK;
  return (digits * BigInt(unit)) & UINT64_MASK;
}

/**
 * Parses `client-output-buffer-limit` changes (`<class> <hard> <soft>
 * <soft seconds>` groups, space separated) onto the current value, with
 * Redis's validation and texts.
 */
function parseOutputBufferLimits(value: string, current: string): string {
  const words = value === "" ? [] : value.split(" ");
  if (words.length % 4 !== 0) {
    throw new ConfigError("Wrong number of arguments in buffer limit configuration.");
  }
  const groups = current.split(" ");
  for (let j = 0; j < words.length; j += 4) {
    const name = words[j]!.toLowerCase();
    const cls = name === "replica" ? 1 : OBUF_CLASSES.indexOf(name as "normal");
    if (cls === -1) {
      throw new ConfigError("Invalid client class specified in buffer limit configuration.");
    }
    const hard = obufMemory(words[j + 1]!);
    const soft = obufMemory(words[j + 2]!);
    const secondsText = words[j + 3]!;
    let seconds = -1n;
    if (/^(?:[+-]?\d+)?$/.test(secondsText)) {
      // strtoll saturates, then the value is kept as a C int.
      let v = secondsText === "" ? 0n : BigInt(secondsText);
      if (v > 2n ** 63n - 1n) v = 2n ** 63n - 1n;
      if (v < -(2n ** 63n)) v = -(2n ** 63n);
      seconds = BigInt.asIntN(32, v);
    }
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

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 * 1000,
  mb: 1024 * 1024,
  g: 1000 * 1000 * 1000,
  gb: 1024 * 1024 * 1024,
};

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
  const v = parseMemoryExact(text);
  return v === null ? null : Number(v);
}

function parseMemoryExact(text: string): bigint | null {
  const m = /^(\d*)([a-zA-Z]*)$/.exec(text);
  if (m === null) return null;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  return BigInt(m[1] || "0") * BigInt(unit);
}

/** Redis's string2ll: optional `-`, digits, no leading zeros, no `+` or spaces. */
const INTEGER_RE = /^(?:0|-?[1-9]\d*)$/;

const INT64_MIN_BIG = -(2n ** 63n);
const INT64_MAX_BIG = 2n ** 63n - 1n;

/** Bounds as Redis prints them (INT64_MAX exactly, not as a rounded double). */
function boundText(n: number): string {
  return n === INT64_MAX ? String(INT64_MAX_BIG) : String(n);
}

function checkRange(value: bigint, min: number, max: number): void {
  const lo = min === INT64_MAX ? INT64_MAX_BIG : BigInt(min);
  const hi = max === INT64_MAX ? INT64_MAX_BIG : BigInt(max);
  if (value < lo || value > hi) {
    throw new ConfigError(
      `argument must be between ${boundText(min)} and ${boundText(max)} inclusive`,
    );
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
      const big = INTEGER_RE.test(value) ? BigInt(value) : null;
      if (big === null || big < INT64_MIN_BIG || big > INT64_MAX_BIG) {
        throw new ConfigError("argument couldn't be parsed into an integer");
      }
      checkRange(big, kind.min, kind.max);
      let n = Number(big);
      if (kind.clamp === undefined) return String(big);
      n = Math.min(Math.max(n, kind.clamp[0]), kind.clamp[1]);
      return String(n);
    }
    case "memory": {
      const big = parseMemoryExact(value);
      if (big === null) throw new ConfigError("argument must be a memory value");
      checkRange(big, kind.min, kind.max);
      return String(big);
    }
    case "enum": {
      const v = value.toLowerCase();
      if (!kind.values.includes(v)) {
        throw new ConfigError(
          `argument(s) must be one of the following: ${kind.values.join(", ")}`,
        );
      }
      return v;
    }
    case "string":
      return value;
    case "custom":
      return kind.parse(value, current);
  }
}

/**
 * A server's configuration: every honoured parameter's current value.
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

  /** Every parameter's canonical spec. */
  specs(): ParamSpec[] {
    return [...new Set(this.#specs.values())];
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
