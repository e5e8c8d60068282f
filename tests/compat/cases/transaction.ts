/**
 * Differential cases for the transaction group (MULTI, EXEC, DISCARD, WATCH,
 * UNWATCH), MONITOR's refusals and CLIENT PAUSE / UNPAUSE's errors. MONITOR's
 * stream carries timestamps, so it is covered by unit tests instead.
 *
 * @module
 */

import type { CompatCase, Step } from "../case.ts";

/** Steps that end with a transaction of one PING, to see whether EXEC runs. */
const EXEC_PING: readonly Step[] = [["MULTI"], ["PING"], ["EXEC"]];

/** Cases compared byte for byte with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "MULTI queues commands and EXEC replies with each reply",
    steps: [
      ["MULTI"],
      ["SET", "k", "v"],
      ["GET", "k"],
      ["INCR", "n"],
      ["INCRBY", "n", "10"],
      ["EXEC"],
      ["GET", "n"],
    ],
  },
  {
    name: "an empty transaction replies an empty array",
    steps: [["MULTI"], ["EXEC"]],
  },
  {
    name: "runtime errors inside EXEC are per-command replies",
    steps: [
      ["SET", "s", "text"],
      ["MULTI"],
      ["INCR", "n"],
      ["INCR", "s"],
      ["INCRBY", "n", "x"],
      ["INCRBYFLOAT", "s", "1"],
      ["INCR", "n"],
      ["EXEC"],
      ["MGET", "n", "s"],
    ],
  },
  {
    name: "EXEC and DISCARD without MULTI",
    steps: [["EXEC"], ["DISCARD"]],
  },
  {
    name: "nested MULTI and WATCH inside MULTI are errors that do not abort",
    steps: [["MULTI"], ["MULTI"], ["WATCH", "k"], ["SET", "a", "1"], ["EXEC"], ["GET", "a"]],
  },
  {
    name: "an unknown command while queueing aborts with EXECABORT",
    steps: [
      ["MULTI"],
      ["SET", "k", "v"],
      ["NOSUCH", "a", "b"],
      ["SET", "k2", "v"],
      [
        "EXEC",
      ],
      ["EXISTS", "k", "k2"],
      ["EXEC"],
    ],
  },
  {
    name: "a wrong arity while queueing aborts with EXECABORT",
    steps: [["MULTI"], ["SET", "k"], ["GET"], ["EXEC"], ["EXISTS", "k"]],
  },
  {
    name: "an unknown subcommand while queueing aborts with EXECABORT",
    steps: [["MULTI"], ["CONFIG", "NOPE"], ["CLIENT", "NOPE"], ["EXEC"]],
  },
  {
    name: "a no_multi command is refused inside MULTI and aborts it",
    steps: [["MULTI"], ["SHUTDOWN", "NOSAVE"], ["PING"], ["EXEC"]],
  },
  {
    name: "arity of the transaction commands",
    steps: [
      ["MULTI", "x"],
      ["EXEC", "x"],
      ["DISCARD", "x"],
      ["WATCH"],
      ["UNWATCH", "x"],
      ["MULTI"],
      ["EXEC", "x"],
      ["EXEC"],
    ],
  },
  {
    name: "a rejected EXEC discards the transaction and the watched keys",
    steps: [
      ["WATCH", "k"],
      ["EXEC", "x"],
      ["SET", "k", "v"],
      ...EXEC_PING,
      ["MULTI"],
      ["SET", "a", "1"],
      ["EXEC", "x"],
      ["EXEC"],
      ["EXISTS", "a"],
    ],
  },
  {
    name: "DISCARD drops the queue and ends the transaction",
    steps: [["MULTI"], ["SET", "d", "1"], ["DISCARD"], ["EXISTS", "d"], ["DISCARD"], ["EXEC"]],
  },
  {
    name: "RESET inside MULTI ends the transaction",
    steps: [["MULTI"], ["SET", "r", "1"], ["RESET"], ["EXEC"], ["EXISTS", "r"]],
  },
  {
    name: "QUIT inside MULTI is not queued",
    steps: [["MULTI"], ["SET", "q", "1"], ["QUIT"]],
  },
  {
    name: "SELECT inside a transaction switches the database for what follows",
    steps: [
      ["MULTI"],
      ["SET", "k", "0"],
      ["SELECT", "1"],
      ["SET", "k", "1"],
      ["EXEC"],
      ["GET", "k"],
      ["SELECT", "0"],
      ["GET", "k"],
    ],
  },
  {
    name: "WATCH then a write to the key by the same client aborts EXEC",
    steps: [["SET", "k", "1"], ["WATCH", "k"], ["SET", "k", "1"], ...EXEC_PING, ["GET", "k"]],
  },
  {
    name: "WATCH then no change lets EXEC run",
    steps: [["SET", "k", "1"], ["WATCH", "k", "k", "other"], ["GET", "k"], ...EXEC_PING],
  },
  {
    name: "EXEC unwatches: a later write does not abort the next transaction",
    steps: [["WATCH", "k"], ...EXEC_PING, ["SET", "k", "1"], ...EXEC_PING],
  },
  {
    name: "writes that change nothing do not touch a watched key",
    steps: [["WATCH", "k"], ["DEL", "k"], ["PERSIST", "k"], ["GETDEL", "k"], ...EXEC_PING],
  },
  {
    name: "DEL, EXPIRE and RENAME touch watched keys",
    steps: [
      ["SET", "a", "1"],
      ["WATCH", "a"],
      ["DEL", "a"],
      ...EXEC_PING,
      ["SET", "b", "1"],
      ["WATCH", "b"],
      ["EXPIRE", "b", "100"],
      ...EXEC_PING,
      ["SET", "c", "1"],
      ["WATCH", "d"],
      ["RENAME", "c", "d"],
      ...EXEC_PING,
    ],
  },
  {
    name: "a watched key of another database is another key",
    steps: [["WATCH", "k"], ["SELECT", "1"], ["SET", "k", "v"], ["SELECT", "0"], ...EXEC_PING],
  },
  {
    name: "UNWATCH forgets a touched key",
    steps: [["WATCH", "k"], ["SET", "k", "v"], ["UNWATCH"], ...EXEC_PING],
  },
  {
    name: "a doomed client stays doomed when it watches more keys",
    steps: [["WATCH", "k"], ["SET", "k", "v"], ["WATCH", "j"], ...EXEC_PING],
  },
  {
    name: "DISCARD unwatches",
    steps: [["WATCH", "k"], ["MULTI"], ["DISCARD"], ["SET", "k", "v"], ...EXEC_PING],
  },
  {
    name: "a failed DISCARD does not unwatch",
    steps: [["WATCH", "k"], ["DISCARD"], ["SET", "k", "v"], ...EXEC_PING],
  },
  {
    name: "an aborted EXEC is a null array in RESP2",
    steps: [["WATCH", "k"], ["SET", "k", "v"], ...EXEC_PING, ["EXEC"]],
  },
  {
    name: "an aborted EXEC is a null in RESP3",
    resp: 3,
    steps: [["WATCH", "k"], ["SET", "k", "v"], ...EXEC_PING],
  },
  {
    name: "EXEC replies keep their RESP3 types",
    resp: 3,
    steps: [["MULTI"], ["SET", "k", "v"], ["GET", "nosuch"], ["INCR", "k"], ["EXEC"]],
  },
  {
    name: "EXECABORT wins over a touched watched key",
    steps: [["WATCH", "k"], ["SET", "k", "v"], ["MULTI"], ["NOSUCH"], ["EXEC"]],
  },
  {
    name: "FLUSHALL touches a watched key that exists",
    steps: [["SET", "k", "v"], ["WATCH", "k"], ["FLUSHALL"], ...EXEC_PING],
  },
  {
    name: "FLUSHDB touches a watched key that exists",
    steps: [["SET", "k", "v"], ["WATCH", "k"], ["FLUSHDB"], ...EXEC_PING],
  },
  {
    name: "FLUSHALL leaves a watched missing key alone",
    steps: [["WATCH", "k"], ["FLUSHALL"], ["FLUSHDB"], ...EXEC_PING],
  },
  {
    name: "FLUSHDB of another database leaves a watched key alone",
    steps: [["SET", "k", "v"], ["WATCH", "k"], ["SELECT", "1"], ["FLUSHDB"], [
      "SELECT",
      "0",
    ], ...EXEC_PING],
  },
  {
    name: "SWAPDB bringing in a watched key touches it",
    steps: [
      ["SELECT", "1"],
      ["SET", "k", "v"],
      ["SELECT", "0"],
      ["WATCH", "k"],
      ["SWAPDB", "0", "1"],
      ...EXEC_PING,
      ["SWAPDB", "0", "1"],
    ],
  },
  {
    name: "SWAPDB taking away a watched key touches it",
    steps: [["SET", "k", "v"], ["WATCH", "k"], ["SWAPDB", "0", "1"], ...EXEC_PING, [
      "SWAPDB",
      "0",
      "1",
    ]],
  },
  {
    name: "SWAPDB of a database with itself touches nothing",
    steps: [["SET", "k", "v"], ["WATCH", "k"], ["SWAPDB", "0", "0"], ...EXEC_PING],
  },
  {
    name: "SWAPDB of two databases without the key touches nothing",
    steps: [["WATCH", "k"], ["SWAPDB", "0", "1"], ...EXEC_PING, ["SWAPDB", "0", "1"]],
  },
  {
    name: "MONITOR inside a transaction fails in the EXEC reply",
    steps: [["MULTI"], ["MONITOR"], ["PING"], ["EXEC"]],
  },
  {
    name: "MONITOR takes no arguments",
    steps: [["MONITOR", "x"]],
  },
  {
    name: "CLIENT PAUSE and UNPAUSE errors",
    steps: [
      ["CLIENT", "PAUSE"],
      ["CLIENT", "PAUSE", "abc"],
      ["CLIENT", "PAUSE", "1.5"],
      ["CLIENT", "PAUSE", "-1"],
      ["CLIENT", "PAUSE", "99999999999999999999"],
      ["CLIENT", "PAUSE", "10", "foo"],
      ["CLIENT", "PAUSE", "abc", "foo"],
      ["CLIENT", "PAUSE", "10", "write", "x"],
      ["CLIENT", "pause", "10", "write", "x"],
      ["CLIENT", "UNPAUSE", "x"],
    ],
  },
  {
    name: "CLIENT PAUSE with a zero timeout pauses nothing",
    steps: [
      ["CLIENT", "PAUSE", "0"],
      ["CLIENT", "PAUSE", "0", "WRITE"],
      ["CLIENT", "PAUSE", "0", "all"],
      ["SET", "k", "v"],
      ["CLIENT", "UNPAUSE"],
      ["GET", "k"],
    ],
  },
  {
    name: "CLIENT PAUSE and UNPAUSE inside a transaction",
    steps: [
      ["MULTI"],
      ["CLIENT", "PAUSE", "0"],
      ["CLIENT", "PAUSE", "x"],
      ["CLIENT", "UNPAUSE"],
      ["EXEC"],
    ],
  },
];
