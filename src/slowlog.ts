/**
 * The slow log: the last `slowlog-max-len` commands that ran for at least
 * `slowlog-log-slower-than` microseconds, as Redis's SLOWLOG keeps them. One
 * instance per engine; the dispatcher offers every command's duration
 * through {@linkcode Slowlog.threshold} (a number compare on the hot path)
 * and builds an entry only for a command that qualifies.
 *
 * Entries hold what Redis 7.0.15 shows: an id counting every entry ever
 * logged, the Unix time in seconds, the duration in microseconds, the
 * arguments (at most 32, the last one then reading `... (N more
 * arguments)`; each longer than 128 bytes cut to 128 bytes and `... (N more
 * bytes)`), the client's `ip:port` and its name. Arguments hidden from
 * MONITOR (AUTH and HELLO passwords) read `(redacted)`, as Redis shows them.
 *
 * Known differences from Redis 7.0.15: durations are measured with the
 * engine's clock (`performance.now()` for the system clock, so fractions of
 * a microsecond are dropped, not rounded); a blocked command is logged with
 * the time its first run took, without the time serving it took (Redis adds
 * that); commands run by scripts do not exist yet.
 *
 * @module
 */

import type { Config } from "./config.ts";

/** Arguments kept per entry, the last one counting the rest when cut. */
export const SLOWLOG_MAX_ARGC = 32;
/** Bytes kept per argument. */
export const SLOWLOG_MAX_STRING = 128;

/** One slow log entry. */
export interface SlowlogEntry {
  /** Unique, increasing id (never reset, not even by SLOWLOG RESET). */
  readonly id: number;
  /** Unix time in seconds when it was logged. */
  readonly time: number;
  /** Execution time in microseconds. */
  readonly duration: number;
  /** The arguments, cut as Redis cuts them. */
  readonly argv: readonly string[];
  /** The client's address, `ip:port`. */
  readonly peer: string;
  /** The client's name, "" when none. */
  readonly name: string;
}

/**
 * The arguments an entry keeps: at most {@linkcode SLOWLOG_MAX_ARGC}, the
 * last one then counting the rest; each cut to
 * {@linkcode SLOWLOG_MAX_STRING} bytes with a note of what was cut.
 *
 * @param argv the command's arguments, name first (binary strings)
 * @param redacted argument indexes to show as `(redacted)`
 * @returns the arguments to log
 * @example Cutting a long argument
 * ```ts
 * import { slowlogArguments } from "./slowlog.ts";
 * const argv = slowlogArguments(["SET", "k", "x".repeat(130)]);
 * console.assert(argv[2] === "x".repeat(128) + "... (2 more bytes)");
 * ```
 */
export function slowlogArguments(
  argv: readonly string[],
  redacted?: readonly number[],
): string[] {
  const argc = argv.length;
  const kept = Math.min(argc, SLOWLOG_MAX_ARGC);
  const out: string[] = new Array(kept);
  for (let j = 0; j < kept; j++) {
    if (kept !== argc && j === kept - 1) {
      out[j] = `... (${argc - kept + 1} more arguments)`;
    } else if (redacted !== undefined && redacted.includes(j)) {
      out[j] = "(redacted)";
    } else {
      const a = argv[j]!;
      out[j] = a.length > SLOWLOG_MAX_STRING
        ? `${a.slice(0, SLOWLOG_MAX_STRING)}... (${a.length - SLOWLOG_MAX_STRING} more bytes)`
        : a;
    }
  }
  return out;
}

/**
 * A server's slow log.
 *
 * @example Logging a command that qualifies
 * ```ts
 * import { Config } from "./config.ts";
 * import { Slowlog } from "./slowlog.ts";
 * const log = new Slowlog(new Config({ "slowlog-log-slower-than": "100" }));
 * const duration = 250;
 * if (duration >= log.threshold) log.push(["GET", "k"], duration, 1_700_000_000, "127.0.0.1:5000", "");
 * console.assert(log.length === 1 && log.get(10)[0]!.duration === 250);
 * ```
 */
export class Slowlog {
  /**
   * The least duration (µs) logged: `slowlog-log-slower-than`, or Infinity
   * while the log is disabled (-1). Read on every command.
   */
  threshold: number;
  #maxLen: number;
  /** Newest last. */
  #entries: SlowlogEntry[] = [];
  #nextId = 0;

  /**
   * @param config the configuration whose slowlog parameters it follows
   */
  constructor(config: Config) {
    this.threshold = thresholdOf(config.number("slowlog-log-slower-than"));
    this.#maxLen = config.number("slowlog-max-len");
    config.onChange("slowlog-log-slower-than", (v) => {
      this.threshold = thresholdOf(Number(v));
    });
    // As in Redis, a lower max-len takes effect at the next entry.
    config.onChange("slowlog-max-len", (v) => {
      this.#maxLen = Number(v);
    });
  }

  /** Entries held (SLOWLOG LEN). */
  get length(): number {
    return this.#entries.length;
  }

  /**
   * Logs a command that ran for at least {@linkcode Slowlog.threshold}
   * (the caller checks), then trims the log to `slowlog-max-len`.
   *
   * @param argv the command's arguments, name first
   * @param duration microseconds it ran
   * @param time Unix time in seconds
   * @param peer the client's `ip:port`
   * @param name the client's name
   * @param redacted argument indexes shown as `(redacted)`
   */
  push(
    argv: readonly string[],
    duration: number,
    time: number,
    peer: string,
    name: string,
    redacted?: readonly number[],
  ): void {
    this.#entries.push({
      id: this.#nextId++,
      time,
      duration,
      argv: slowlogArguments(argv, redacted),
      peer,
      name,
    });
    this.#trim();
  }

  /**
   * The newest entries, newest first (SLOWLOG GET).
   *
   * @param count how many at most
   * @returns the entries
   */
  get(count: number): SlowlogEntry[] {
    const out: SlowlogEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && out.length < count; i--) {
      out.push(this.#entries[i]!);
    }
    return out;
  }

  /** Drops every entry (SLOWLOG RESET); ids keep counting. */
  reset(): void {
    this.#entries = [];
  }

  #trim(): void {
    const excess = this.#entries.length - this.#maxLen;
    if (excess > 0) this.#entries.splice(0, excess);
  }
}

function thresholdOf(value: number): number {
  return value < 0 ? Infinity : value;
}
