/**
 * Keyspace notifications (`notify-keyspace-events`): the flag letters and
 * their parsing, and {@linkcode KeyspaceEvents}, the event bus every write
 * announces its keyspace events through. It publishes through a callback,
 * so this module depends on nothing above it.
 *
 * @module
 */

/** Keyspace event classes, as `notify-keyspace-events` letters. */
export type NotifyClass = "g" | "$" | "l" | "s" | "h" | "z" | "x" | "e" | "t" | "m" | "d" | "n";

/**
 * The keyspace event bus of one server: publishes an event to
 * `__keyspace@<db>__:<key>` (flag K) and `__keyevent@<db>__:<event>` (flag
 * E) when its class is enabled, as Redis's notifyKeyspaceEvent.
 *
 * @example
 * ```ts
 * import { KeyspaceEvents } from "./notify.ts";
 * const sent: string[] = [];
 * const events = new KeyspaceEvents((channel, message) => sent.push(`${channel} ${message}`));
 * events.configure("KEA");
 * events.notify(0, "$", "set", "k");
 * console.assert(sent.join("|") === "__keyspace@0__:k set|__keyevent@0__:set k");
 * ```
 */
export class KeyspaceEvents {
  #flags = 0;
  #publish: (channel: string, message: string) => unknown;

  /**
   * @param publish sends a message to a channel (the server's pub/sub)
   */
  constructor(publish: (channel: string, message: string) => unknown) {
    this.#publish = publish;
  }

  /** Whether any event class is enabled. */
  get enabled(): boolean {
    return this.#flags !== 0;
  }

  /**
   * Applies a `notify-keyspace-events` value (an invalid one turns events off).
   *
   * @param value the flag letters
   */
  configure(value: string): void {
    this.#flags = parseNotifyFlags(value) ?? 0;
  }

  /**
   * Announces an event, if its class is enabled.
   *
   * @param db the database number
   * @param cls the event class: `g` generic, `$` string, `l` list, ...
   * @param event the event name (`set`, `del`, `expire`, ...)
   * @param key the key
   */
  notify(db: number, cls: NotifyClass, event: string, key: string): void {
    const flags = this.#flags;
    if (flags === 0 || (flags & notifyClassBit(cls)) === 0) return;
    if ((flags & NOTIFY_KEYSPACE) !== 0) this.#publish(`__keyspace@${db}__:${key}`, event);
    if ((flags & NOTIFY_KEYEVENT) !== 0) this.#publish(`__keyevent@${db}__:${event}`, key);
  }
}

/** `notify-keyspace-events` class letters and their bits, in Redis's display order. */
const NOTIFY_CLASSES = "g$lshzxetdn";
/** `K`: publish to `__keyspace@<db>__:<key>`. */
export const NOTIFY_KEYSPACE = 1 << 0;
/** `E`: publish to `__keyevent@<db>__:<event>`. */
export const NOTIFY_KEYEVENT = 1 << 1;
/** `m`: key misses. */
const NOTIFY_KEY_MISS = 1 << 2;
/** `A`: every class but `m` and `n`. */
const NOTIFY_ALL = ((1 << 10) - 1) << 3;

/**
 * The bit of a notification class letter (`g`, `$`, `l`, ..., `m`, `n`).
 *
 * @param cls the letter
 * @returns the bit, 0 for anything else
 * @example
 * ```ts
 * import { notifyClassBit } from "./notify.ts";
 * console.assert(notifyClassBit("g") !== 0 && notifyClassBit("K") === 0);
 * ```
 */
export function notifyClassBit(cls: string): number {
  if (cls === "m") return NOTIFY_KEY_MISS;
  const i = NOTIFY_CLASSES.indexOf(cls);
  return i === -1 || cls.length !== 1 ? 0 : 1 << (i + 3);
}

/**
 * Parses a `notify-keyspace-events` value as Redis does: any of
 * `Ag$lshzxeKEtmdn`, in any order and repeated.
 *
 * @param text the value
 * @returns the flags, or null for an unknown letter
 * @example
 * ```ts
 * import { formatNotifyFlags, parseNotifyFlags } from "./notify.ts";
 * console.assert(formatNotifyFlags(parseNotifyFlags("Kg$")!) === "g$K");
 * console.assert(parseNotifyFlags("Q") === null);
 * ```
 */
export function parseNotifyFlags(text: string): number | null {
  let flags = 0;
  for (const ch of text) {
    if (ch === "A") flags |= NOTIFY_ALL;
    else if (ch === "K") flags |= NOTIFY_KEYSPACE;
    else if (ch === "E") flags |= NOTIFY_KEYEVENT;
    else {
      const bit = notifyClassBit(ch);
      if (bit === 0) return null;
      flags |= bit;
    }
  }
  return flags;
}

/**
 * Formats notification flags as Redis's CONFIG GET shows them: `A` or the
 * class letters, then `K`, `E`, `m`. As in Redis, `n` is not shown next to
 * `A` (it is still in effect); pass `keepNew` to keep it.
 *
 * @param flags the flags
 * @param keepNew show `n` even with `A` (the stored form)
 * @returns the text
 */
export function formatNotifyFlags(flags: number, keepNew = false): string {
  let out = "";
  const newBit = notifyClassBit("n");
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    out = "A";
    if (keepNew && (flags & newBit) !== 0) out += "n";
  } else {
    for (const ch of NOTIFY_CLASSES) if ((flags & notifyClassBit(ch)) !== 0) out += ch;
  }
  if ((flags & NOTIFY_KEYSPACE) !== 0) out += "K";
  if ((flags & NOTIFY_KEYEVENT) !== 0) out += "E";
  if ((flags & NOTIFY_KEY_MISS) !== 0) out += "m";
  return out;
}
