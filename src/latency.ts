/**
 * Latency: the latency monitor (LATENCY LATEST / HISTORY / GRAPH / DOCTOR /
 * RESET, fed by events slower than `latency-monitor-threshold`
 * milliseconds) and the per-command latency histograms of
 * `latency-tracking` (INFO latencystats, LATENCY HISTOGRAM), as Redis
 * 7.0.15 keeps them. One {@linkcode LatencyMonitor} per engine; each
 * command's histogram hangs on its commandstats record.
 *
 * The histograms are HdrHistograms laid out as Redis configures its
 * vendored hdr_histogram (values in nanoseconds from 1 to 10^9, two
 * significant figures: 24 buckets of 128 sub-buckets), so percentiles and
 * LATENCY HISTOGRAM's buckets come out as Redis computes them.
 *
 * Events resplite produces: `command` and `fast-command` (a command's own
 * run, by its `fast` flag) and `expire-cycle` (the active expiry cycle), and
 * whatever else the engine reports through
 * {@linkcode LatencyMonitor.addSampleIfNeeded}. Redis's AOF, fork, RDB and
 * defragmentation events cannot occur here.
 *
 * Known differences from Redis 7.0.15: LATENCY DOCTOR never gives the
 * transparent-huge-pages advice (the engine does not read the process's
 * memory maps); LATENCY LATEST lists events in the order they first
 * occurred (Redis: hash order).
 *
 * @module
 */

import type { Config } from "./config.ts";
import type { Clock } from "./clock.ts";

// ---------------------------------------------------------------- histogram

/** Sub-buckets per bucket half (2^7: two significant figures). */
const HALF_COUNT_MAGNITUDE = 7;
const HALF_COUNT = 1 << HALF_COUNT_MAGNITUDE;
/** Buckets covering 1 ns to 10^9 ns, plus the first half bucket. */
const COUNTS_LEN = 24 * HALF_COUNT;
/** Values recorded are clamped to this range, in nanoseconds. */
const MIN_VALUE = 1;
const MAX_VALUE = 1_000_000_000;

/** The bucket holding a value (hdr_histogram's get_bucket_index). */
function bucketOf(value: number): number {
  // Bits needed for value | 255, less the 8 bits of a bucket's sub-buckets.
  const bits = value < 2 ** 31 ? 32 - Math.clz32(value | 255) : Math.floor(Math.log2(value)) + 1;
  return bits - 8;
}

/** The lowest value a slot holds. */
function valueAtIndex(index: number): number {
  let bucket = (index >> HALF_COUNT_MAGNITUDE) - 1;
  let sub = (index & (HALF_COUNT - 1)) + HALF_COUNT;
  if (bucket < 0) {
    sub -= HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** The highest value equivalent to `value` (same slot). */
function highestEquivalent(value: number): number {
  const bucket = bucketOf(value);
  const sub = Math.floor(value / 2 ** bucket);
  const lowest = sub * 2 ** bucket;
  const size = 2 ** (sub >= 2 * HALF_COUNT ? bucket + 1 : bucket);
  return lowest + size - 1;
}

/** The lowest value equivalent to `value` (same slot). */
function lowestEquivalent(value: number): number {
  const bucket = bucketOf(value);
  return Math.floor(value / 2 ** bucket) * 2 ** bucket;
}

/**
 * A latency histogram in nanoseconds, laid out as Redis's (HdrHistogram,
 * 1 ns to 1 s, two significant figures).
 *
 * @example Percentiles of recorded durations
 * ```ts
 * import { LatencyHistogram } from "./latency.ts";
 * const h = new LatencyHistogram();
 * for (let i = 0; i < 100; i++) h.record(1000 * (i + 1));
 * console.assert(h.count === 100);
 * console.assert(h.valueAtPercentile(50) === 50175);
 * ```
 */
export class LatencyHistogram {
  /** Values recorded. */
  count = 0;
  readonly #counts = new Float64Array(COUNTS_LEN);

  /**
   * Records one value.
   *
   * @param ns the value in nanoseconds (clamped to 1 ns .. 1 s)
   */
  record(ns: number): void {
    const v = ns < MIN_VALUE ? MIN_VALUE : ns > MAX_VALUE ? MAX_VALUE : ns | 0;
    // indexOf for a value below 2^31, in integer operations.
    const bucket = 24 - Math.clz32(v | 255);
    this.#counts[((bucket + 1) << HALF_COUNT_MAGNITUDE) + (v >> bucket) - HALF_COUNT]!++;
    this.count++;
  }

  /**
   * Records a command's duration as Redis does: whole microseconds, in
   * nanoseconds.
   *
   * @param usec the duration in microseconds (a fraction is dropped)
   */
  recordUsec(usec: number): void {
    this.record(usec >= 1_000_000 ? MAX_VALUE : Math.floor(usec) * 1000);
  }

  /**
   * The value at a percentile, as hdr_value_at_percentile: the highest
   * value equivalent to the slot where the running count reaches it.
   *
   * @param percentile 0 to 100
   * @returns nanoseconds (0 for an empty histogram)
   */
  valueAtPercentile(percentile: number): number {
    const requested = percentile < 100 ? percentile : 100;
    const target = Math.max(1, Math.trunc((requested / 100) * this.count + 0.5));
    let running = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      running += this.#counts[i]!;
      if (running >= target) {
        const v = valueAtIndex(i);
        return percentile === 0 ? lowestEquivalent(v) : highestEquivalent(v);
      }
    }
    return 0;
  }

  /**
   * The cumulative distribution LATENCY HISTOGRAM reports: hdr_histogram's
   * logarithmic iteration (first step 1024 ns, base 2), each step where
   * the running count grew giving its bucket's highest value in
   * microseconds and the running count.
   *
   * @returns `[usec, cumulative count]` pairs, ascending
   */
  cumulative(): [usec: number, count: number][] {
    const out: [number, number][] = [];
    const total = this.count;
    // The iterator's position: slot, its lowest and highest value, running count.
    let index = -1;
    let value = 0;
    let highest = 0;
    let running = 0;
    let level = 1024;
    let levelLowest = lowestEquivalent(level);
    let previous = 0;
    for (;;) {
      const more = running < total ||
        (index < COUNTS_LEN && valueAtIndex(index + 1) > levelLowest);
      if (!more) break;
      // Walk to the next reporting level (or the end of the slots).
      for (;;) {
        if (value >= levelLowest) {
          level *= 2;
          levelLowest = lowestEquivalent(level);
          break;
        }
        index++;
        if (index >= COUNTS_LEN) break;
        running += this.#counts[index]!;
        value = valueAtIndex(index);
        highest = highestEquivalent(value);
      }
      if (running > previous) out.push([Math.floor(highest / 1000), running]);
      previous = running;
    }
    return out;
  }
}

// ---------------------------------------------------------------- monitor

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
const SERIES_LEN = 160;

interface Sample {
  /** Unix seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

/** One event's time series: a ring of samples, at most one per second. */
interface Series {
  samples: Sample[];
  /** Next slot to write. */
  idx: number;
  /** All-time high, ms. */
  max: number;
}

/**
 * The latency monitor of one server.
 *
 * @example Recording an event over the threshold
 * ```ts
 * import { Config } from "./config.ts";
 * import { ManualClock } from "./clock.ts";
 * import { LatencyMonitor } from "./latency.ts";
 * const monitor = new LatencyMonitor(
 *   new Config({ "latency-monitor-threshold": "10" }),
 *   new ManualClock(1_700_000_000_000),
 * );
 * monitor.addSampleIfNeeded("command", 5);
 * monitor.addSampleIfNeeded("command", 12);
 * console.assert(monitor.latest()[0]![2] === 12);
 * ```
 */
export class LatencyMonitor {
  /**
   * `latency-monitor-threshold` in microseconds, or Infinity while the
   * monitor is off (0): a command's duration is compared with it.
   */
  thresholdUs: number;
  /** Whether `latency-tracking` is on: commands record into their histograms. */
  tracking: boolean;
  #config: Config;
  #clock: Clock;
  #events = new Map<string, Series>();

  /**
   * @param config the configuration whose latency parameters it follows
   * @param clock the clock samples are timed by
   */
  constructor(config: Config, clock: Clock) {
    this.#config = config;
    this.#clock = clock;
    this.thresholdUs = thresholdOf(config.number("latency-monitor-threshold"));
    this.tracking = config.get("latency-tracking") === "yes";
    config.onChange("latency-monitor-threshold", (v) => {
      this.thresholdUs = thresholdOf(Number(v));
    });
    config.onChange("latency-tracking", (v) => {
      this.tracking = v === "yes";
    });
  }

  /** `latency-monitor-threshold`, milliseconds (0: off). */
  get threshold(): number {
    return this.#config.number("latency-monitor-threshold");
  }

  /**
   * Adds a sample if the monitor is on and it reaches the threshold, as
   * Redis's latencyAddSampleIfNeeded.
   *
   * @param event the event name (`command`, `expire-cycle`, ...)
   * @param ms the latency in whole milliseconds
   */
  addSampleIfNeeded(event: string, ms: number): void {
    const threshold = this.threshold;
    if (threshold !== 0 && ms >= threshold) this.addSample(event, ms);
  }

  /**
   * Adds a sample: within one second, only the highest is kept.
   *
   * @param event the event name
   * @param ms the latency in whole milliseconds
   */
  addSample(event: string, ms: number): void {
    const now = Math.floor(this.#clock.now() / 1000);
    let series = this.#events.get(event);
    if (series === undefined) {
      series = { samples: [], idx: 0, max: 0 };
      for (let i = 0; i < SERIES_LEN; i++) series.samples.push({ time: 0, latency: 0 });
      this.#events.set(event, series);
    }
    if (ms > series.max) series.max = ms;
    const prev = series.samples[(series.idx + SERIES_LEN - 1) % SERIES_LEN]!;
    if (prev.time === now) {
      if (ms > prev.latency) prev.latency = ms;
      return;
    }
    const slot = series.samples[series.idx]!;
    slot.time = now;
    slot.latency = ms;
    series.idx = (series.idx + 1) % SERIES_LEN;
  }

  /**
   * The latest sample of every event (LATENCY LATEST).
   *
   * @returns `[event, time, latency, all-time max]` rows
   */
  latest(): [event: string, time: number, latency: number, max: number][] {
    const out: [string, number, number, number][] = [];
    for (const [event, s] of this.#events) {
      const last = s.samples[(s.idx + SERIES_LEN - 1) % SERIES_LEN]!;
      out.push([event, last.time, last.latency, s.max]);
    }
    return out;
  }

  /**
   * An event's samples, oldest first (LATENCY HISTORY).
   *
   * @param event the event name (exact)
   * @returns `[time, latency]` pairs; none for an unknown event
   */
  history(event: string): [time: number, latency: number][] {
    const s = this.#events.get(event);
    if (s === undefined) return [];
    const out: [number, number][] = [];
    for (let j = 0; j < SERIES_LEN; j++) {
      const sample = s.samples[(s.idx + j) % SERIES_LEN]!;
      if (sample.time !== 0) out.push([sample.time, sample.latency]);
    }
    return out;
  }

  /**
   * Forgets events (LATENCY RESET): all of them, or those named
   * (case-insensitively).
   *
   * @param events names; none means all
   * @returns how many were forgotten
   */
  reset(events?: readonly string[]): number {
    if (events === undefined) {
      const n = this.#events.size;
      this.#events.clear();
      return n;
    }
    let resets = 0;
    for (const name of events) {
      const lower = name.toLowerCase();
      for (const event of [...this.#events.keys()]) {
        if (event.toLowerCase() === lower) {
          this.#events.delete(event);
          resets++;
        }
      }
    }
    return resets;
  }

  /**
   * LATENCY GRAPH: the event's samples as Redis's sparkline, 80 columns.
   *
   * @param event the event name (exact)
   * @returns the text, or undefined when the event has no samples
   */
  graph(event: string): string | undefined {
    const s = this.#events.get(event);
    if (s === undefined) return undefined;
    const now = Math.floor(this.#clock.now() / 1000);
    const seq: { value: number; label: string }[] = [];
    let min = 0;
    let max = 0;
    for (let j = 0; j < SERIES_LEN; j++) {
      const sample = s.samples[(s.idx + j) % SERIES_LEN]!;
      if (sample.time === 0) continue;
      if (seq.length === 0) {
        min = max = sample.latency;
      } else {
        if (sample.latency > max) max = sample.latency;
        if (sample.latency < min) min = sample.latency;
      }
      seq.push({ value: sample.latency, label: ageLabel(now - sample.time) });
    }
    let graph = `${event} - high ${max} ms, low ${min} ms (all time high ${s.max} ms)\n`;
    graph += "-".repeat(GRAPH_COLS) + "\n";
    return graph + sparkline(seq, GRAPH_COLS, 4);
  }

  /**
   * LATENCY DOCTOR's report.
   *
   * @param facts what the advice depends on beyond the events
   * @returns the text
   */
  doctor(facts: DoctorFacts): string {
    if (this.#events.size === 0 && this.threshold === 0) return DOCTOR_DISABLED;
    const now = Math.floor(this.#clock.now() / 1000);
    let report = "";
    let eventnum = 0;
    let advices = 0;
    const advise = new Set<string>();
    for (const [event, s] of this.#events) {
      eventnum++;
      if (eventnum === 1) report += DOCTOR_INTRO;
      const st = analyze(s, now);
      report += `${eventnum}. ${event}: ${st.samples} latency spikes (average ${st.avg}ms, ` +
        `mean deviation ${st.mad}ms, period ${printf2(st.period / st.samples)} sec). ` +
        `Worst all time event ${s.max}ms.`;
      const e = event.toLowerCase();
      if (e === "command") {
        const threshold = this.threshold;
        if (facts.slowlogSlowerThan < 0) {
          advise.add("slowlog-enabled");
          advices++;
        } else if (Math.trunc(facts.slowlogSlowerThan / 1000) > threshold) {
          advise.add("slowlog-tuning");
          advices++;
        }
        advise.add("slowlog-inspect");
        advise.add("large-objects");
        advices += 2;
      }
      if (e === "fast-command") {
        advise.add("scheduler");
        advices++;
      }
      if (e === "expire-cycle") {
        advise.add("hz");
        advise.add("large-objects");
        advices += 2;
      }
      if (e === "eviction-del") {
        advise.add("large-objects");
        advices++;
      }
      if (e === "eviction-cycle") {
        advise.add("mass-eviction");
        advices++;
      }
      report += "\n";
    }
    if (eventnum === 0 && advices === 0) return report + DOCTOR_NOTHING;
    if (eventnum > 0 && advices === 0) return report + DOCTOR_NO_ADVICE;
    report += "\nI have a few advices for you:\n\n";
    const ms = this.threshold * 1000;
    if (advise.has("slowlog-enabled")) report += ADVICE_SLOWLOG_ENABLED(ms);
    if (advise.has("slowlog-tuning")) report += ADVICE_SLOWLOG_TUNING(ms);
    if (advise.has("slowlog-inspect")) report += ADVICE_SLOWLOG_INSPECT;
    if (advise.has("scheduler")) report += ADVICE_SCHEDULER;
    if (advise.has("hz") && facts.hz < 100) report += ADVICE_HZ;
    if (advise.has("large-objects")) report += ADVICE_LARGE_OBJECTS;
    if (advise.has("mass-eviction")) report += ADVICE_MASS_EVICTION;
    return report;
  }
}

/** What LATENCY DOCTOR's advice depends on besides the events. */
export interface DoctorFacts {
  /** `slowlog-log-slower-than`. */
  readonly slowlogSlowerThan: number;
  /** `slowlog-max-len`. */
  readonly slowlogMaxLen: number;
  /** `hz`. */
  readonly hz: number;
}

function thresholdOf(ms: number): number {
  return ms === 0 ? Infinity : ms * 1000;
}

/** Redis's analyzeLatencyForEvent: sample count, average, mean deviation, period. */
function analyze(s: Series, now: number) {
  let samples = 0;
  let sum = 0;
  let oldest = 0;
  for (const sample of s.samples) {
    if (sample.time === 0) continue;
    samples++;
    sum += sample.latency;
    if (oldest === 0 || sample.time < oldest) oldest = sample.time;
  }
  let avg = 0;
  let period = 0;
  if (samples > 0) {
    avg = Math.floor(sum / samples);
    period = now - oldest;
    if (period === 0) period = 1;
  }
  let dev = 0;
  for (const sample of s.samples) {
    if (sample.time === 0) continue;
    dev += Math.abs(avg - sample.latency);
  }
  const mad = samples > 0 ? Math.floor(dev / samples) : 0;
  return { samples, avg, mad, period };
}

/** C's `%.2f`: an exact tie rounds to even (toFixed rounds it up). */
function printf2(x: number): string {
  const scaled = x * 100;
  if (scaled - Math.floor(scaled) === 0.5) {
    const n = Math.floor(scaled);
    return ((n % 2 === 0 ? n : n + 1) / 100).toFixed(2);
  }
  return x.toFixed(2);
}

function ageLabel(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 3600 * 24) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / (3600 * 24))}d`;
}

// ---------------------------------------------------------------- sparkline

const GRAPH_COLS = 80;
/** The graph's characters, lowest to highest, in Redis's fill style. */
const CHARSET_FILL = "_o#";

interface Point {
  readonly value: number;
  readonly label: string;
}

/**
 * Renders samples as Redis's sparkline (fill style): sections of at most
 * `columns` samples, each `rows` lines of bars, a blank line, then the
 * labels written vertically under their columns.
 */
function sparkline(seq: readonly Point[], columns: number, rows: number): string {
  let min = 0;
  let max = 0;
  seq.forEach((p, j) => {
    if (j === 0) min = max = p.value;
    else if (p.value < min) min = p.value;
    else if (p.value > max) max = p.value;
  });
  let out = "";
  for (let j = 0; j < seq.length; j += columns) {
    if (j !== 0) out += "\n";
    out += sparklineRange(seq, min, max, rows, j, Math.min(seq.length - j, columns));
  }
  return out;
}

function sparklineRange(
  seq: readonly Point[],
  min: number,
  max: number,
  rows: number,
  offset: number,
  len: number,
): string {
  const charsetLen = CHARSET_FILL.length;
  const steps = charsetLen * rows;
  const relmax = max - min === 0 ? 1 : max - min;
  const labels = seq.some((p) => p.label !== "");
  let out = "";
  for (let row = 0;; row++) {
    let loop = false;
    const chars = new Array<string>(len).fill(" ");
    for (let j = 0; j < len; j++) {
      const p = seq[offset + j]!;
      let step = Math.trunc(Math.trunc((p.value - min) * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < rows) {
        const charidx = step - (rows - row - 1) * charsetLen;
        loop = true;
        if (charidx >= 0 && charidx < charsetLen) chars[j] = CHARSET_FILL[charidx]!;
        else if (charidx >= charsetLen) chars[j] = "|";
      } else {
        // One blank line between the bars and the labels.
        if (labels && row - rows < 1) {
          loop = true;
          break;
        }
        const at = row - rows - 1;
        if (p.label.length > at) {
          loop = true;
          chars[j] = p.label[at]!;
        }
      }
    }
    if (!loop) break;
    out += chars.join("") + "\n";
  }
  return out;
}

// ---------------------------------------------------------------- doctor texts

const DOCTOR_DISABLED =
  `I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n`;
const DOCTOR_INTRO =
  "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
const DOCTOR_NOTHING =
  "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
const DOCTOR_NO_ADVICE =
  "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
const ADVICE_SLOWLOG_ENABLED = (us: number) =>
  `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${us}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
const ADVICE_SLOWLOG_TUNING = (us: number) =>
  `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${us}'.\n`;
const ADVICE_SLOWLOG_INSPECT =
  "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
const ADVICE_SCHEDULER =
  "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
  "  1) Lower the system load.\n" +
  "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
  '  3) Check if you have a "noisy neighbour" problem.\n' +
  "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
  "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n";
const ADVICE_HZ =
  "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
const ADVICE_LARGE_OBJECTS =
  "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
const ADVICE_MASS_EVICTION =
  "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n";

// ---------------------------------------------------------------- INFO latencystats

/** `latency-tracking-info-percentiles`' default. */
const DEFAULT_PERCENTILES: readonly number[] = [50, 99, 99.9];

/**
 * A percentile's name as Redis prints it (`%f` with trailing zeros, and
 * then a trailing dot, trimmed): `50`, `99.9`.
 *
 * @param p the percentile
 * @returns the text
 */
function percentileName(p: number): string {
  const text = p.toFixed(6);
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * INFO latencystats: one `latency_percentiles_usec_<command>` line per
 * command with a histogram, each percentile in microseconds with three
 * decimals; nothing while `latency-tracking` is off.
 *
 * @param commands commandstats records by full command name
 * @param tracking whether `latency-tracking` is on
 * @param percentiles the percentiles to report (`latency-tracking-info-percentiles`)
 * @returns the section's fields
 * @example
 * ```ts
 * import { LatencyHistogram, latencyStatsFields } from "./latency.ts";
 * const h = new LatencyHistogram();
 * h.recordUsec(1);
 * const fields = latencyStatsFields([["get", { histogram: h }]], true);
 * console.assert(fields[0]![1] === "p50=1.003,p99=1.003,p99.9=1.003");
 * ```
 */
export function latencyStatsFields(
  commands: Iterable<readonly [string, { readonly histogram: LatencyHistogram | undefined }]>,
  tracking: boolean,
  percentiles: readonly number[] = DEFAULT_PERCENTILES,
): [name: string, value: string][] {
  const out: [string, string][] = [];
  if (!tracking) return out;
  for (const [name, s] of commands) {
    const h = s.histogram;
    if (h === undefined || h.count === 0) continue;
    const values = percentiles.map((p) =>
      `p${percentileName(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`
    );
    out.push([`latency_percentiles_usec_${name}`, values.join(",")]);
  }
  return out;
}
