/**
 * The differential test format: command sequences sent to resplite and to a
 * real redis-server, whose replies must match byte for byte.
 *
 * @module
 */

/** How a step's replies are compared. */
export type Compare =
  /** Byte for byte (the default). */
  | "exact"
  /** Same reply type and shape; values may differ (TIME, RANDOMKEY, PTTL). */
  | "type"
  /** The flat array's elements compared as a multiset (KEYS, SMEMBERS). */
  | "unordered"
  /** Map-like flat array (CONFIG GET): compared as a set of key/value pairs. */
  | "pairs"
  /** An integer within ±1 of the other (TTL, PTTL racing the clock). */
  | "approx";

/** One command of a case. */
export type Step =
  | readonly string[]
  | {
    readonly argv: readonly string[];
    readonly compare?: Compare;
    /** Raw bytes to send instead of encoding `argv` (protocol cases). */
    readonly raw?: string;
  };

/** A sequence of commands on one fresh connection, after FLUSHALL. */
export interface CompatCase {
  /** Behaviour under test, e.g. "SET with NX does not overwrite". */
  readonly name: string;
  /** Protocol version: HELLO 3 is sent first (its reply is not compared). */
  readonly resp?: 2 | 3;
  readonly steps: readonly Step[];
  /** Why this case is skipped, if it is. */
  readonly skip?: string;
  /** Commands the case needs beyond its group's: it is skipped, saying so, until they exist. */
  readonly requires?: readonly string[];
}
