/**
 * Script flags, as Redis 7.0.15 reads them from an EVAL script's shebang
 * (`#!lua flags=no-writes,allow-oom`) and from a function's
 * `redis.register_function{..., flags={...}}`.
 *
 * @module
 */

/** What a script declared about itself. */
export interface ScriptFlags {
  /** `no-writes`: the script may only read (as EVAL_RO / FCALL_RO). */
  readonly noWrites: boolean;
  /** `allow-oom`: runs (and may write) past `maxmemory`. */
  readonly allowOom: boolean;
  /** `allow-stale`: runs on a stale replica. */
  readonly allowStale: boolean;
  /** `no-cluster`: refused in cluster mode. */
  readonly noCluster: boolean;
  /** `allow-cross-slot-keys`: may touch keys of several slots. */
  readonly allowCrossSlotKeys: boolean;
}

/** The flags a script has when it declares none (a shebang without `flags=`, a function without `flags`). */
export const NO_FLAGS: ScriptFlags = Object.freeze({
  noWrites: false,
  allowOom: false,
  allowStale: false,
  noCluster: false,
  allowCrossSlotKeys: false,
});

/** Flag names in Redis's order (FUNCTION LIST prints a function's flags in this order). */
export const FLAG_NAMES: readonly (readonly [string, keyof ScriptFlags])[] = [
  ["no-writes", "noWrites"],
  ["allow-oom", "allowOom"],
  ["allow-stale", "allowStale"],
  ["no-cluster", "noCluster"],
  ["allow-cross-slot-keys", "allowCrossSlotKeys"],
];

/**
 * Flags from their names.
 *
 * @param names flag names, as the script gave them
 * @returns the flags, or the first unknown name
 * @example
 * ```ts
 * import { parseFlagNames } from "./flags.ts";
 * const f = parseFlagNames(["no-writes"]);
 * console.assert(typeof f !== "string" && f.noWrites);
 * console.assert(parseFlagNames(["bogus"]) === "bogus");
 * ```
 */
export function parseFlagNames(names: readonly string[]): ScriptFlags | string {
  const flags: Record<keyof ScriptFlags, boolean> = { ...NO_FLAGS };
  for (const name of names) {
    const entry = FLAG_NAMES.find(([n]) => n === name);
    if (entry === undefined) return name;
    flags[entry[1]] = true;
  }
  return flags;
}

/**
 * The names of a set of flags, in Redis's order.
 *
 * @param flags the flags
 * @returns their names
 */
export function flagNames(flags: ScriptFlags): string[] {
  return FLAG_NAMES.filter(([, key]) => flags[key]).map(([name]) => name);
}

/** An EVAL script's shebang, parsed. */
export type Shebang =
  /** No shebang: the script runs in Redis's pre-7.0 compatibility mode. */
  | { readonly ok: true; readonly flags: undefined }
  | { readonly ok: true; readonly flags: ScriptFlags }
  | { readonly ok: false; readonly error: string };

/**
 * Parses the shebang line of an EVAL script body as Redis 7.0.15 does.
 *
 * @param body the script (binary string)
 * @returns its flags (undefined without a shebang), or the error text
 * @example
 * ```ts
 * import { parseShebang } from "./flags.ts";
 * const s = parseShebang("#!lua flags=no-writes\nreturn 1");
 * console.assert(s.ok && s.flags?.noWrites === true);
 * console.assert(!parseShebang("#!luax\n").ok);
 * ```
 */
export function parseShebang(body: string): Shebang {
  if (!body.startsWith("#!")) return { ok: true, flags: undefined };
  const end = body.indexOf("\n");
  if (end < 0) return { ok: false, error: "ERR Invalid script shebang" };
  // split as sdssplitargs splits: on any C isspace character
  const parts = body.slice(0, end).split(/[ \t\r\v\f]+/).filter((p) => p !== "");
  if (parts[0] !== "#!lua") {
    return { ok: false, error: `ERR Unexpected engine in script shebang: ${parts[0] ?? ""}` };
  }
  // several flags= options add up
  const flags: Record<keyof ScriptFlags, boolean> = { ...NO_FLAGS };
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) {
      return { ok: false, error: `ERR Unknown lua shebang option: ${part}` };
    }
    const list = part.slice(6);
    if (list === "") continue;
    const parsed = parseFlagNames(list.split(","));
    if (typeof parsed === "string") {
      return { ok: false, error: `ERR Unexpected flag in script shebang: ${parsed}` };
    }
    for (const [, key] of FLAG_NAMES) if (parsed[key]) flags[key] = true;
  }
  return { ok: true, flags };
}
