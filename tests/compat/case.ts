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
  | "approx"
  /**
   * Text of `name:value` lines (INFO) or `name=value` fields (CLIENT LIST /
   * INFO): same reply type, same sections, field names and order, values
   * of the same kind (integer, decimal, other); `k=v,...` values compared
   * field by field; INFO commandstats and latencystats in name order (Redis
   * prints them in hash order). CLIENT fields whose values do not depend on the server's
   * allocator or timing are compared exactly.
   */
  | "fields";

/** One command of a case. */
export type Step =
  | readonly string[]
  | {
    readonly argv: readonly string[];
    readonly compare?: Compare;
    /** Raw bytes to send instead of encoding `argv` (protocol cases). */
    readonly raw?: string;
    /**
     * The connection to use: 0 (the default) is the case's connection;
     * others are opened on first use, in RESP2, after the FLUSHALL. An
     * argument `$id:N` is replaced by connection N's CLIENT ID.
     */
    readonly conn?: number;
    /**
     * How many replies to read and compare as one (SUBSCRIBE a b answers
     * twice; 1 by default). With an empty `argv` and no `raw`, nothing is
     * sent: the step only reads what the connection was pushed.
     */
    readonly replies?: number;
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

/** Every byte value, for binary-safety cases. */
export const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

/** Sends a command on another connection without reading its reply (it blocks). */
export function block(conn: number, ...argv: string[]): Step {
  return { argv, conn, replies: 0 };
}

/** Reads `n` replies on connection `conn` without sending anything. */
export function read(conn: number, n = 1): Step {
  return { argv: [], conn, replies: n };
}

/** Sends a command on another connection and reads its reply. */
export function on(conn: number, ...argv: string[]): Step {
  return { argv, conn };
}
