/**
 * Server statistics: the counters INFO stats and INFO commandstats / errorstats
 * report, and the instantaneous-metrics samples. One instance per server,
 * owned by its engine; the dispatcher, the connections and the keyspace
 * lookups count into it.
 *
 * @module
 */

import type { LatencyHistogram } from "./latency.ts";

/** Per-command statistics (INFO commandstats). */
export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /**
   * Latency histogram (`latency-tracking`, INFO latencystats), created at
   * the command's first timed call; dropped by CONFIG RESETSTAT.
   */
  histogram: LatencyHistogram | undefined;
}

/**
 * Server statistics (INFO stats).
 *
 * @example
 * ```ts
 * import { Stats } from "./stats.ts";
 * const stats = new Stats();
 * stats.command("get").calls++;
 * stats.error("ERR");
 * console.assert(stats.totalErrorReplies === 1 && stats.command("get").calls === 1);
 * ```
 */
export class Stats {
  totalConnections = 0;
  rejectedConnections = 0;
  totalCommands = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  /** Time spent in the active expiry cycle, µs (expire_cycle_cpu_milliseconds). */
  expireCycleUsec = 0;
  evictedKeys = 0;
  totalErrorReplies = 0;
  /** Keyed by full command name. */
  commands = new Map<string, CommandStats>();
  /** Keyed by error code. */
  errors = new Map<string, number>();
  /** Socket reads that returned data (total_reads_processed). */
  totalReads = 0;
  /** Socket writes (total_writes_processed). */
  totalWrites = 0;
  /** Rolling samples of commands per second (instantaneous_ops_per_sec). */
  opsSamples: number[] = [];
  /** Rolling samples of input KiB per second (instantaneous_input_kbps). */
  inputKbpsSamples: number[] = [];
  /** Rolling samples of output KiB per second (instantaneous_output_kbps). */
  outputKbpsSamples: number[] = [];
  /** The previous sample's time and counters; time 0 before the first. */
  lastSample: [time: number, commands: number, netIn: number, netOut: number] = [0, 0, 0, 0];

  /**
   * Statistics of a command, created on first use.
   *
   * @param name full command name
   * @returns the mutable record
   */
  command(name: string): CommandStats {
    let s = this.commands.get(name);
    if (s === undefined) {
      s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, histogram: undefined };
      this.commands.set(name, s);
    }
    return s;
  }

  /**
   * Counts an error reply.
   *
   * @param code the error code (`ERR`, `WRONGTYPE`, ...)
   */
  error(code: string): void {
    this.totalErrorReplies++;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /**
   * Takes one instantaneous-metrics sample (Redis keeps 16, 100 ms apart).
   *
   * @param now the time in ms
   */
  sample(now: number): void {
    const [t, n, bytesIn, bytesOut] = this.lastSample;
    if (t !== 0 && now - t < 100) return;
    if (t !== 0) {
      const dt = now - t;
      push(this.opsSamples, ((this.totalCommands - n) * 1000) / dt);
      push(this.inputKbpsSamples, ((this.netInputBytes - bytesIn) * 1000) / dt / 1024);
      push(this.outputKbpsSamples, ((this.netOutputBytes - bytesOut) * 1000) / dt / 1024);
    }
    this.lastSample = [now, this.totalCommands, this.netInputBytes, this.netOutputBytes];
  }

  /**
   * CONFIG RESETSTAT. Command records are zeroed in place, so the command
   * running the reset is still counted, as in Redis.
   */
  reset(): void {
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalCommands = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.expiredKeys = 0;
    this.expireCycleUsec = 0;
    this.evictedKeys = 0;
    this.totalErrorReplies = 0;
    this.totalReads = 0;
    this.totalWrites = 0;
    for (const s of this.commands.values()) {
      s.calls = 0;
      s.usec = 0;
      s.rejectedCalls = 0;
      s.failedCalls = 0;
      s.histogram = undefined;
    }
    this.errors.clear();
    this.opsSamples = [];
    this.inputKbpsSamples = [];
    this.outputKbpsSamples = [];
    this.lastSample = [0, 0, 0, 0];
  }
}

const SAMPLES = 16;

function push(samples: number[], value: number): void {
  samples.push(value);
  if (samples.length > SAMPLES) samples.shift();
}
