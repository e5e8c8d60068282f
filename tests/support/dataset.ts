/**
 * Datasets as comparable text: each stored key (expired ones not yet
 * reclaimed included, as DEBUG DIGEST sees them) rendered with its type,
 * its value, its absolute expiry time and its hash fields' expiry times,
 * so two engines (a replica and its primary, a file reloaded and the
 * server that wrote it) can be compared key by key, TTLs included, which
 * DEBUG DIGEST leaves out (it only marks that a key has one).
 *
 * @module
 */

import type { Engine } from "../../src/engine.ts";
import type { Database, Value } from "../../src/store/database.ts";
import { ListValue } from "../../src/store/list.ts";
import { SetValue } from "../../src/store/set.ts";
import { HashValue } from "../../src/store/hash.ts";
import { StreamValue } from "../../src/store/stream.ts";
import { formatId, MAX_ID, MIN_ID } from "../../src/store/stream_id.ts";
import { sortedGroups } from "../../src/store/stream_group.ts";

/**
 * A binary string as readable text: printable ASCII as is, other bytes
 * as `\xNN`, in double quotes.
 *
 * @param s a binary string
 * @returns the quoted text
 * @example
 * ```ts
 * import { quote } from "./dataset.ts";
 * console.assert(quote("a\x00\xff") === '"a\\x00\\xff"');
 * ```
 */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += "\\" + s[i];
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else out += "\\x" + c.toString(16).padStart(2, "0");
  }
  return out + '"';
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A stored value as text: `string "v"`, `list ["a", "b"]`, `set {"1",
 * "a"}` (sorted), `hash {"f": "v" @<expiry ms>, ...}` (sorted by field).
 *
 * @param value the value
 * @returns its canonical text
 * @example
 * ```ts
 * import { renderValue } from "./dataset.ts";
 * console.assert(renderValue("v") === 'string "v"');
 * ```
 */
export function renderValue(value: Value): string {
  if (typeof value === "string") return `string ${quote(value)}`;
  if (value instanceof ListValue) {
    return `list [${value.range(0, value.length - 1).map(quote).join(", ")}]`;
  }
  if (value instanceof SetValue) {
    return `set {${[...value.members()].sort(byText).map(quote).join(", ")}}`;
  }
  if (value instanceof HashValue) {
    const fields = [...value.map.keys()].sort(byText).map((f) => {
      const at = value.getExpire(f);
      return `${quote(f)}: ${quote(value.map.get(f)!)}${at === undefined ? "" : ` @${at}`}`;
    });
    return `hash {${fields.join(", ")}}`;
  }
  if (value instanceof StreamValue) {
    const entries = [...value.entries()].map(([id, fields]) =>
      `${formatId(id)} [${fields.map(quote).join(", ")}]`
    );
    return `stream [${entries.join(", ")}] last ${formatId(value.lastId)} maxdeleted ${
      formatId(value.maxDeletedId)
    } added ${value.entriesAdded} nodes ${value.radixTreeKeys}${renderGroups(value)}`;
  }
  return `${value.type} (not rendered)`;
}

/**
 * A stored key as text: its value and, when it has one, its absolute
 * expiry time.
 *
 * @param db the database
 * @param key the key
 * @returns the text, or undefined when the key is not stored
 */
export function renderKey(db: Database, key: string): string | undefined {
  const value = db.peek(key);
  if (value === undefined) return undefined;
  const at = db.getExpire(key);
  return at === undefined ? renderValue(value) : `${renderValue(value)} @${at}`;
}

/** An engine's keys as text: database number -> key -> rendering. */
export type Snapshot = Map<number, Map<string, string>>;

/**
 * Renders every stored key of every non-empty database of an engine,
 * without touching or reclaiming anything.
 *
 * @param engine the engine
 * @returns the snapshot
 */
export function snapshot(engine: Engine): Snapshot {
  const out: Snapshot = new Map();
  for (let i = 0; i < engine.databases; i++) {
    const db = engine.db(i);
    if (db.size === 0) continue;
    const keys = new Map<string, string>();
    for (const [key] of db.entries()) keys.set(key, renderKey(db, key)!);
    out.set(i, keys);
  }
  return out;
}

/** A key that differs between two snapshots. */
export interface KeyDifference {
  readonly db: number;
  readonly key: string;
  /** The first snapshot's rendering; undefined when the key is absent there. */
  readonly a: string | undefined;
  /** The second snapshot's rendering. */
  readonly b: string | undefined;
}

/**
 * The keys that differ between two snapshots, by database then key.
 *
 * @param a one snapshot
 * @param b the other
 * @returns the differences, empty when the snapshots are equal
 * @example
 * ```ts
 * import { differences, type Snapshot } from "./dataset.ts";
 * const a: Snapshot = new Map([[0, new Map([["k", 'string "1"']])]]);
 * const b: Snapshot = new Map([[0, new Map([["k", 'string "2"']])]]);
 * console.assert(differences(a, b)[0]?.key === "k");
 * ```
 */
export function differences(a: Snapshot, b: Snapshot): KeyDifference[] {
  const out: KeyDifference[] = [];
  const dbs = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  for (const db of dbs) {
    const ka = a.get(db) ?? new Map<string, string>();
    const kb = b.get(db) ?? new Map<string, string>();
    const keys = [...new Set([...ka.keys(), ...kb.keys()])].sort(byText);
    for (const key of keys) {
      const va = ka.get(key);
      const vb = kb.get(key);
      if (va !== vb) out.push({ db, key, a: va, b: vb });
    }
  }
  return out;
}

/**
 * A stream's consumer groups as far as the effect stream carries them (as
 * Redis's own does): each group's last ID and its pending entries with
 * their owners. Delivery times and counts, entries-read and consumers that
 * hold nothing are left out: reads that deliver nothing new change them
 * without propagating anything, in Redis too.
 */
function renderGroups(value: StreamValue): string {
  if (value.groups === undefined || value.groups.size === 0) return "";
  const groups = sortedGroups(value).map((g) => {
    const pending = [...g.pending.range(MIN_ID, MAX_ID)].map(([id, p]) =>
      `${formatId(id)}@${quote(p.consumer.name)}`
    );
    return `${quote(g.name)} last ${formatId(g.lastId)} pending [${pending.join(", ")}]`;
  });
  return ` groups {${groups.join("; ")}}`;
}
