/**
 * Key extraction: the keys of a command line, found from its command's key
 * specs as Redis's getKeysUsingKeySpecs finds them. COMMAND GETKEYS and
 * GETKEYSANDFLAGS report them; the dispatcher's tracking step remembers
 * them for a tracking client's reads.
 *
 * @module
 */

import { asciiLower, type CommandSpec, type KeySpecFlag } from "./spec.ts";
import { keyword } from "./lookup.ts";

/** A key found in a command line, with its spec's flags. */
export interface FoundKey {
  /** The key's index in the command line (0 is the name). */
  readonly pos: number;
  /** Its key spec's flags, or for a VARIABLE_FLAGS spec those this line gives it. */
  readonly flags: readonly KeySpecFlag[];
}

/**
 * Finds the keys of a command line from its key specs, as Redis's
 * getKeysUsingKeySpecs (NOT_KEY specs skipped). A spec with VARIABLE_FLAGS
 * gets the flags this line gives its keys, as the command's own key finder
 * reports them (SET's key is RW ACCESS UPDATE with GET, else OW UPDATE).
 *
 * @param spec the command
 * @param argv the command line, name first
 * @returns the keys' positions and flags, or null when the line does not
 *   fit a spec (a syntax error the command itself would report)
 * @example MSET's keys are every other argument
 * ```ts
 * import { findKeys } from "./keys.ts";
 * import type { CommandSpec } from "./spec.ts";
 * const mset: CommandSpec = {
 *   name: "mset",
 *   arity: -3,
 *   flags: ["write"],
 *   acl: [],
 *   keys: [1, -1, 2],
 *   keySpecs: [{ flags: ["OW", "UPDATE"], begin: { index: 1 }, find: { range: [-1, 2, 0] } }],
 *   doc: { summary: "", since: "", group: "string" },
 * };
 * const keys = findKeys(mset, ["mset", "a", "1", "b", "2"]);
 * console.assert(keys?.map((k) => k.pos).join() === "1,3");
 * ```
 */
export function findKeys(spec: CommandSpec, argv: readonly string[]): FoundKey[] | null {
  // SORT's STORE can come anywhere: its own finder, as Redis's sortGetKeys.
  if (spec.name === "sort" || spec.name === "sort_ro") return sortKeys(argv, spec.name !== "sort");
  const argc = argv.length;
  const out: FoundKey[] = [];
  for (const ks of spec.keySpecs ?? []) {
    if (ks.flags.includes("NOT_KEY")) continue;
    const b = ks.begin;
    let first = 0;
    if ("index" in b) {
      first = b.index;
    } else if ("keyword" in b) {
      const forward = b.startfrom > 0;
      const start = forward ? b.startfrom : argc + b.startfrom;
      const end = forward ? argc - 1 : 0;
      for (let i = start; i !== end; i += start <= end ? 1 : -1) {
        if (i >= argc || i < 1) break;
        if (asciiLower(argv[i]!) === asciiLower(b.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else {
      return null;
    }
    const f = ks.find;
    let last: number;
    let step: number;
    if ("range" in f) {
      const [lastkey, keystep, limit] = f.range;
      step = keystep;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else if ("keynum" in f) {
      const [keynumidx, firstkey, keystep] = f.keynum;
      step = keystep;
      const text = argv[first + keynumidx];
      if (text === undefined) return null;
      const numkeys = parseCount(text);
      if (numkeys === null || numkeys < 0) return null;
      first += firstkey;
      last = first + numkeys - 1;
    } else {
      return null;
    }
    // A first or last key out of the line (numkeys 0 included) is a syntax error.
    if (last >= argc || last < first || first >= argc) return null;
    const flags = ks.flags.includes("VARIABLE_FLAGS")
      ? (variableKeyFlags(spec.name, argv) ?? ks.flags)
      : ks.flags;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags });
  }
  return out;
}

function parseCount(text: string): number | null {
  if (!/^(?:0|-?[1-9]\d{0,18})$/.test(text)) return null;
  return Number(text);
}

/**
 * The key flags of a command whose key spec says VARIABLE_FLAGS, from the
 * command line, as Redis's own key finder for it gives them; undefined for
 * a command without one here (its spec's flags stand).
 */
function variableKeyFlags(
  name: string,
  argv: readonly string[],
): readonly KeySpecFlag[] | undefined {
  if (name === "bitfield") return bitfieldKeyFlags(argv);
  if (name !== "set") return undefined;
  for (let i = 3; i < argv.length; i++) {
    if (keyword(argv[i]!) === "GET") return SET_GET_KEY_FLAGS;
  }
  return SET_KEY_FLAGS;
}

/**
 * BITFIELD's key, as Redis's bitfieldGetKeys: read only while the line
 * holds GETs and OVERFLOWs only; a SET, an INCRBY or anything malformed
 * makes it read and updated.
 */
function bitfieldKeyFlags(argv: readonly string[]): readonly KeySpecFlag[] {
  for (let i = 2; i < argv.length; i++) {
    const left = argv.length - i - 1;
    const op = keyword(argv[i]!);
    if (op === "GET" && left >= 2) i += 2;
    else if (op === "OVERFLOW" && left >= 1) i += 1;
    else return BITFIELD_WRITE_KEY_FLAGS;
  }
  return BITFIELD_READ_KEY_FLAGS;
}

const BITFIELD_READ_KEY_FLAGS: readonly KeySpecFlag[] = ["RO", "ACCESS"];
const BITFIELD_WRITE_KEY_FLAGS: readonly KeySpecFlag[] = ["RW", "ACCESS", "UPDATE"];

/** SET's key with GET: read, then updated. */
const SET_GET_KEY_FLAGS: readonly KeySpecFlag[] = ["RW", "ACCESS", "UPDATE"];
/** SET's key without GET: overwritten. */
const SET_KEY_FLAGS: readonly KeySpecFlag[] = ["OW", "UPDATE"];

/** The flags of SORT's keys, as its key specs give them. */
const SORTED_KEY_FLAGS: readonly KeySpecFlag[] = Object.freeze(["RO", "ACCESS"]);
const STORE_KEY_FLAGS: readonly KeySpecFlag[] = Object.freeze(["OW", "UPDATE"]);
/** The options whose arguments the key finder skips, and how many. */
const SKIPPED_OPTIONS: Readonly<Record<string, number>> = { LIMIT: 2, GET: 1, BY: 1 };

/**
 * The keys of a SORT or SORT_RO command line, which its key specs cannot
 * find (STORE may come anywhere), as Redis's sortGetKeys and
 * sortROGetKeys find them for COMMAND GETKEYS and client tracking: the
 * sorted key and, for SORT, the destination of the last STORE. Like
 * Redis, it skips LIMIT's, GET's and BY's arguments and no others.
 *
 * @param argv the command line, name first
 * @param readonly SORT_RO: only the sorted key
 * @returns the keys' positions and flags
 * @example
 * ```ts
 * import { sortKeys } from "./keys.ts";
 * const keys = sortKeys(["SORT", "l", "GET", "store", "STORE", "d"], false);
 * console.assert(keys.map((k) => k.pos).join() === "1,5");
 * ```
 */
export function sortKeys(argv: readonly string[], readonly: boolean): FoundKey[] {
  const keys: FoundKey[] = [{ pos: 1, flags: SORTED_KEY_FLAGS }];
  if (readonly) return keys;
  let store = 0;
  for (let i = 2; i < argv.length; i++) {
    const word = keyword(argv[i]!);
    const skip = SKIPPED_OPTIONS[word];
    if (skip !== undefined) i += skip;
    else if (word === "STORE" && i + 1 < argv.length) store = i + 1;
  }
  if (store !== 0) keys.push({ pos: store, flags: STORE_KEY_FLAGS });
  return keys;
}
