/**
 * What scripts propagate, against a real redis-server 7.0.15's AOF: the
 * commands a script ran (their effects: SPOP as SREM, INCRBYFLOAT as SET
 * ...), wrapped in MULTI / EXEC when more than one, never the script itself;
 * nothing for a script that wrote nothing; what `redis.set_repl` keeps out
 * of the AOF stays out; a script inside MULTI / EXEC joins the
 * transaction's unit.
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

effectCases("scripting", [
  {
    name: "EVAL with one write, two writes, none, and a failing one",
    steps: [
      { cmd: ["EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "a", "1"] },
      {
        cmd: [
          "EVAL",
          "redis.call('SET', KEYS[1], 'x') redis.call('INCR', KEYS[2]) return 1",
          "2",
          "b",
          "c",
        ],
      },
      { cmd: ["EVAL", "return redis.call('GET', 'a')", "0"] },
      { cmd: ["EVAL", "redis.call('DEL', 'nosuch') return 1", "0"] },
      { cmd: ["EVAL", "redis.call('SET', 'd', '1') error('late')", "0"] },
      { cmd: ["EVAL", "redis.call('SET', 'e', '1') return redis.call('INCR', 'a', 'x')", "0"] },
    ],
  },
  {
    name: "effects of the commands scripts run: SPOP, INCRBYFLOAT, SET EX, BLPOP",
    steps: [
      { cmd: ["SADD", "s", "m"] },
      { cmd: ["EVAL", "return redis.call('SPOP', 's')", "0"] },
      { cmd: ["EVAL", "return redis.call('INCRBYFLOAT', 'f', '1.5')", "0"] },
      { cmd: ["EVAL", "return redis.call('SET', 'x', 'v', 'EX', '100')", "0"] },
      { cmd: ["RPUSH", "l", "a", "b"] },
      { cmd: ["EVAL", "return redis.call('BLPOP', 'l', '0')", "0"] },
      { cmd: ["EVAL", "return redis.call('BLPOP', 'empty', '0')", "0"] },
      { cmd: ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"] },
    ],
  },
  {
    name: "SELECT inside a script, and scripts in another database",
    steps: [
      {
        cmd: [
          "EVAL",
          "redis.call('SET', 'a', '0') redis.call('SELECT', '2') redis.call('SET', 'a', '2') return 1",
          "0",
        ],
      },
      { cmd: ["SET", "after", "1"] },
      { cmd: ["SELECT", "3"] },
      { cmd: ["EVAL", "return redis.call('SET', 'three', '3')", "0"] },
    ],
  },
  {
    name: "redis.set_repl keeps commands out of the AOF",
    steps: [
      {
        cmd: [
          "EVAL",
          [
            "redis.call('SET', 'all', '1')",
            "redis.set_repl(redis.REPL_NONE)",
            "redis.call('SET', 'none', '1')",
            "redis.set_repl(redis.REPL_REPLICA)",
            "redis.call('SET', 'replica', '1')",
            "redis.set_repl(redis.REPL_AOF)",
            "redis.call('SET', 'aof', '1')",
            "redis.set_repl(redis.REPL_ALL)",
            "redis.call('SET', 'again', '1')",
            "return 1",
          ].join("\n"),
          "0",
        ],
      },
      {
        cmd: [
          "EVAL",
          "redis.set_repl(redis.REPL_NONE) redis.call('SET', 'hidden', '1') return 1",
          "0",
        ],
      },
    ],
  },
  {
    name: "scripts inside MULTI / EXEC and shebang scripts",
    steps: [
      { cmd: ["MULTI"] },
      { cmd: ["SET", "m", "1"] },
      { cmd: ["EVAL", "redis.call('INCR', 'm') redis.call('INCR', 'n') return 1", "0"] },
      { cmd: ["EVAL", "return redis.call('GET', 'm')", "0"] },
      { cmd: ["EXEC"] },
      { cmd: ["EVAL", "#!lua\nreturn redis.call('SET', 'sb', '1')", "0"] },
      { cmd: ["EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', 'sb')", "0"] },
      { cmd: ["EVAL_RO", "return redis.call('GET', 'sb')", "0"] },
    ],
  },
], hasRedisServer());
