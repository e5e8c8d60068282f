/**
 * Differential cases for the introspection group: SLOWLOG, LATENCY, LOLWUT
 * and MODULE.
 *
 * Both servers of the group run the same cases in the same order, so slow
 * log lengths compare exactly; entries (ids, times, durations, client
 * ports) and latency samples compare by type here, and entry by entry
 * (masking only those) in `tests/commands/introspection_test.ts`. Every
 * case that changes a parameter sets it back.
 *
 * @module
 */

import type { CompatCase, Step } from "../case.ts";

const shape = (...argv: string[]): Step => ({ argv, compare: "type" });

const DEFAULTS: readonly Step[] = [
  ["CONFIG", "SET", "slowlog-log-slower-than", "10000"],
  ["CONFIG", "SET", "slowlog-max-len", "128"],
  ["CONFIG", "SET", "latency-monitor-threshold", "0"],
  ["CONFIG", "SET", "latency-tracking", "yes"],
];

/** Cases compared with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "SLOWLOG HELP lists the subcommands under the name as typed",
    steps: [["SLOWLOG", "HELP"], ["slowlog", "help"], ["SloWlog", "HELP"]],
  },
  {
    name: "SLOWLOG arity and unknown subcommands",
    steps: [
      ["SLOWLOG"],
      ["SLOWLOG", "FOO"],
      ["SLOWLOG", "LEN", "x"],
      ["SLOWLOG", "RESET", "x"],
      ["SLOWLOG", "GET", "1", "2"],
      ["SLOWLOG", "HELP", "x"],
    ],
  },
  {
    name: "SLOWLOG GET count must be an integer >= -1",
    steps: [
      ["SLOWLOG", "GET", "abc"],
      ["SLOWLOG", "GET", "-2"],
      ["SLOWLOG", "GET", "1.5"],
      ["SLOWLOG", "GET", "9223372036854775808"],
      ["SLOWLOG", "GET", "-9223372036854775808"],
      shape("SLOWLOG", "GET", "-1"),
      shape("SLOWLOG", "GET", "0"),
      shape("SLOWLOG", "GET", "9223372036854775807"),
    ],
  },
  {
    name: "SLOWLOG logs every command at threshold 0, newest first, and RESET empties it",
    steps: [
      ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
      ["SLOWLOG", "RESET"],
      ["SLOWLOG", "LEN"],
      ["SET", "a", "1"],
      ["GET", "a"],
      ["SLOWLOG", "LEN"],
      shape("SLOWLOG", "GET"),
      shape("SLOWLOG", "GET", "2"),
      ["SLOWLOG", "LEN"],
      ["SLOWLOG", "RESET"],
      ["SLOWLOG", "LEN"],
      ...DEFAULTS,
    ],
  },
  {
    name: "SLOWLOG with threshold -1 logs nothing; a high threshold logs nothing fast",
    steps: [
      ["CONFIG", "SET", "slowlog-log-slower-than", "-1"],
      ["SLOWLOG", "RESET"],
      ["SET", "a", "1"],
      ["SLOWLOG", "LEN"],
      ["CONFIG", "SET", "slowlog-log-slower-than", "1000000"],
      ["SET", "a", "1"],
      ["SLOWLOG", "LEN"],
      ["SLOWLOG", "GET"],
      ...DEFAULTS,
    ],
  },
  {
    name: "SLOWLOG keeps at most slowlog-max-len entries, and 0 keeps none",
    steps: [
      ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
      ["SLOWLOG", "RESET"],
      ["CONFIG", "SET", "slowlog-max-len", "3"],
      ["PING"],
      ["PING"],
      ["PING"],
      ["PING"],
      ["SLOWLOG", "LEN"],
      ["CONFIG", "SET", "slowlog-max-len", "1"],
      ["SLOWLOG", "LEN"],
      ["CONFIG", "SET", "slowlog-max-len", "0"],
      ["PING"],
      ["SLOWLOG", "LEN"],
      ["SLOWLOG", "GET"],
      ...DEFAULTS,
    ],
  },
  {
    name: "SLOWLOG leaves EXEC out but logs the queued commands; CONFIG RESETSTAT keeps it",
    steps: [
      ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
      ["SLOWLOG", "RESET"],
      ["MULTI"],
      ["SET", "a", "1"],
      ["INCR", "a"],
      ["EXEC"],
      ["SLOWLOG", "LEN"],
      ["CONFIG", "RESETSTAT"],
      ["SLOWLOG", "LEN"],
      ...DEFAULTS,
    ],
  },
  {
    name: "SLOWLOG entries in RESP3 keep their shape",
    resp: 3,
    steps: [
      ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
      ["SLOWLOG", "RESET"],
      ["SET", "k", "x".repeat(200)],
      shape("SLOWLOG", "GET", "1"),
      ["SLOWLOG", "LEN"],
      ["SLOWLOG", "HELP"],
      ...DEFAULTS,
    ],
  },
  {
    name: "LATENCY HELP, arity and unknown subcommands",
    steps: [
      ["LATENCY", "HELP"],
      ["latency", "help"],
      ["LATENCY"],
      ["LATENCY", "FOO"],
      ["LATENCY", "LATEST", "x"],
      ["LATENCY", "HISTORY"],
      ["LATENCY", "HISTORY", "a", "b"],
      ["LATENCY", "GRAPH"],
      ["LATENCY", "DOCTOR", "x"],
      ["LATENCY", "HELP", "x"],
    ],
  },
  {
    name: "LATENCY with no events: empty LATEST and HISTORY, GRAPH refuses, RESET counts none",
    steps: [
      ["LATENCY", "RESET"],
      ["LATENCY", "LATEST"],
      ["LATENCY", "HISTORY", "command"],
      ["LATENCY", "GRAPH", "command"],
      ["LATENCY", "GRAPH", "no\r\nsuch"],
      ["LATENCY", "RESET"],
      ["LATENCY", "RESET", "command", "fast-command"],
      ["LATENCY", "DOCTOR"],
    ],
  },
  {
    name: "LATENCY DOCTOR with the monitor on and nothing observed",
    steps: [
      ["LATENCY", "RESET"],
      ["CONFIG", "SET", "latency-monitor-threshold", "1000000"],
      ["LATENCY", "DOCTOR"],
      ...DEFAULTS,
    ],
  },
  {
    name: "LATENCY DOCTOR and LATEST in RESP3",
    resp: 3,
    steps: [
      ["LATENCY", "RESET"],
      ["LATENCY", "DOCTOR"],
      ["LATENCY", "LATEST"],
      ["LATENCY", "HISTOGRAM", "nosuchcommand"],
      ["LATENCY", "HELP"],
    ],
  },
  {
    name: "LATENCY HISTOGRAM for named commands: unknown ones are skipped",
    steps: [
      ["CONFIG", "RESETSTAT"],
      ["LATENCY", "HISTOGRAM", "nosuchcommand"],
      ["LATENCY", "HISTOGRAM", "set"],
      ["SET", "a", "1"],
      shape("LATENCY", "HISTOGRAM", "set"),
      shape("LATENCY", "HISTOGRAM", "SET", "get", "nosuch"),
      shape("LATENCY", "HISTOGRAM", "config"),
      shape("LATENCY", "HISTOGRAM", "config|resetstat"),
      shape("LATENCY", "HISTOGRAM"),
    ],
  },
  {
    name: "LATENCY HISTOGRAM in RESP3 is a map of maps",
    resp: 3,
    steps: [
      ["CONFIG", "RESETSTAT"],
      ["SET", "a", "1"],
      shape("LATENCY", "HISTOGRAM", "set"),
      ["LATENCY", "HISTOGRAM", "get"],
    ],
  },
  {
    name: "latency-tracking no records no histograms",
    steps: [
      ["CONFIG", "SET", "latency-tracking", "no"],
      ["CONFIG", "RESETSTAT"],
      ["SET", "a", "1"],
      ["LATENCY", "HISTOGRAM", "set"],
      ["LATENCY", "HISTOGRAM"],
      ...DEFAULTS,
    ],
  },
  {
    name: "INFO latencystats reports the tracked commands",
    steps: [
      ["CONFIG", "RESETSTAT"],
      ["SET", "a", "1"],
      { argv: ["INFO", "latencystats"], compare: "fields" },
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "0 50 99.99 100"],
      ["CONFIG", "RESETSTAT"],
      ["GET", "a"],
      { argv: ["INFO", "latencystats"], compare: "fields" },
      ["CONFIG", "SET", "latency-tracking-info-percentiles", ""],
      { argv: ["INFO", "latencystats"], compare: "fields" },
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"],
      ["CONFIG", "SET", "latency-tracking", "no"],
      ["INFO", "latencystats"],
      ...DEFAULTS,
    ],
  },
  {
    name: "LATENCY records a command over the threshold as a `command` event",
    steps: [
      ["LATENCY", "RESET"],
      ["CONFIG", "SET", "latency-monitor-threshold", "10"],
      ["DEBUG", "SLEEP", "0.02"],
      shape("LATENCY", "LATEST"),
      shape("LATENCY", "HISTORY", "command"),
      shape("LATENCY", "GRAPH", "command"),
      shape("LATENCY", "DOCTOR"),
      ["LATENCY", "HISTORY", "COMMAND"],
      ["LATENCY", "RESET", "COMMAND", "command"],
      ["LATENCY", "LATEST"],
      ...DEFAULTS,
    ],
  },
  {
    name: "SLOWLOG logs a command slower than the default threshold",
    steps: [
      ["SLOWLOG", "RESET"],
      ["DEBUG", "SLEEP", "0.02"],
      ["SLOWLOG", "LEN"],
      shape("SLOWLOG", "GET"),
    ],
  },
  {
    name: "LOLWUT answers the version line; VERSION picks the art",
    steps: [
      ["LOLWUT"],
      ["lolwut", "foo", "bar"],
      ["LOLWUT", "VERSION"],
      ["LOLWUT", "VERSION", "7"],
      ["LOLWUT", "VERSION", "4"],
      ["LOLWUT", "VERSION", "-1"],
      ["LOLWUT", "VERSION", "x"],
      ["LOLWUT", "VERSION", "1.5"],
      ["LOLWUT", "VERSION", "9223372036854775808"],
      ["LOLWUT", "VERSION", "5", "x"],
      ["LOLWUT", "VERSION", "6", "1", "y"],
      ["LOLWUT", "version", "5", "10", "3", "2"],
      ["LOLWUT", "VERSION", "5", "1", "1", "1"],
      ["LOLWUT", "VERSION", "5", "0", "-5", "-5"],
      ["LOLWUT", "VERSION", "5", "40", "4", "1"],
      ["LOLWUT", "VERSION", "5", "66", "8", "2"],
      shape("LOLWUT", "VERSION", "5"),
      shape("LOLWUT", "VERSION", "6"),
      shape("LOLWUT", "VERSION", "6", "10", "5"),
      ["LOLWUT", "VERSION", "6", "0", "0"],
    ],
  },
  {
    name: "LOLWUT in RESP3 is a verbatim string",
    resp: 3,
    steps: [["LOLWUT"], ["LOLWUT", "VERSION", "5", "20", "3", "2"]],
  },
  {
    name: "MODULE LIST is empty; HELP, arity and unknown subcommands",
    steps: [
      ["MODULE", "LIST"],
      ["MODULE", "HELP"],
      ["module", "help"],
      ["MODULE"],
      ["MODULE", "FOO"],
      ["MODULE", "LIST", "x"],
      ["MODULE", "LOAD"],
      ["MODULE", "UNLOAD"],
      ["MODULE", "UNLOAD", "a", "b"],
    ],
  },
  {
    name: "MODULE LIST in RESP3",
    resp: 3,
    steps: [["MODULE", "LIST"]],
  },
];

/** Cases for a server started with `enable-module-command yes`. */
export const MODULE_CASES: readonly CompatCase[] = [
  {
    name: "MODULE LOAD and LOADEX of a missing library fail; UNLOAD of an unknown module fails",
    steps: [
      ["MODULE", "LOAD", "/nonexistent/module.so"],
      ["MODULE", "LOAD", "/nonexistent/module.so", "a", "b"],
      ["MODULE", "LOADEX", "/nonexistent/module.so"],
      ["MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a", "b", "ARGS", "x"],
      ["MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a"],
      ["MODULE", "LOADEX", "/nonexistent/module.so", "FOO"],
      ["MODULE", "LOADEX", "/nonexistent/module.so", "ARGS"],
      ["MODULE", "UNLOAD", "nosuch"],
      ["MODULE", "LIST"],
    ],
  },
];
