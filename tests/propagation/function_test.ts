/**
 * What the function group propagates, against a real redis-server 7.0.15's
 * AOF: FUNCTION LOAD / DELETE / FLUSH / RESTORE as sent when they succeed
 * (FLUSH always), nothing for failures, DUMP, LIST or STATS; FCALL as the
 * effects of its function (wrapped in MULTI / EXEC when more than one),
 * nothing for a function that wrote nothing.
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";
import { dumpFunctions } from "../../src/scripting/function_dump.ts";

const LIB = "#!lua name=lib\n" +
  "redis.register_function('setter', function(keys, args) return redis.call('SET', keys[1], args[1]) end)\n" +
  "redis.register_function('two', function(keys, args) redis.call('SET', keys[1], '1') return redis.call('INCR', keys[1]) end)\n" +
  "redis.register_function('expire', function(keys, args) return redis.call('SET', keys[1], 'v', 'EX', '100') end)\n" +
  "redis.register_function{function_name='reader', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
const OTHER = "#!lua name=other\nredis.register_function('other', function() return 1 end)";

effectCases("function", [
  {
    name: "FUNCTION LOAD, DELETE, FLUSH and RESTORE as sent, failures not at all",
    steps: [
      { cmd: ["FUNCTION", "LOAD", LIB] },
      { cmd: ["FUNCTION", "LOAD", LIB] },
      { cmd: ["FUNCTION", "LOAD", "REPLACE", LIB] },
      { cmd: ["FUNCTION", "LOAD", "replace", "#!lua name=lib\nfoo("] },
      { cmd: ["FUNCTION", "LOAD", "#!lua name=x\n"] },
      { cmd: ["FUNCTION", "DUMP"] },
      { cmd: ["FUNCTION", "LIST"] },
      { cmd: ["FUNCTION", "STATS"] },
      { cmd: ["FUNCTION", "DELETE", "nolib"] },
      { cmd: ["FUNCTION", "DELETE", "lib"] },
      { cmd: ["FUNCTION", "FLUSH"] },
      { cmd: ["FUNCTION", "FLUSH", "ASYNC"] },
      { cmd: ["FUNCTION", "FLUSH", "bogus"] },
      { cmd: ["FUNCTION", "RESTORE", dumpFunctions([LIB])] },
      { cmd: ["FUNCTION", "RESTORE", dumpFunctions([LIB])] },
      { cmd: ["FUNCTION", "RESTORE", dumpFunctions([LIB, OTHER]), "REPLACE"] },
      { cmd: ["FUNCTION", "RESTORE", dumpFunctions([]), "FLUSH"] },
      { cmd: ["FUNCTION", "RESTORE", "bogus"] },
    ],
  },
  {
    name: "FUNCTION commands in another database and inside MULTI",
    steps: [
      { cmd: ["SELECT", "3"] },
      { cmd: ["FUNCTION", "LOAD", LIB] },
      { cmd: ["SET", "k", "v"] },
      { cmd: ["MULTI"] },
      { cmd: ["FUNCTION", "DELETE", "lib"] },
      { cmd: ["SET", "k2", "v"] },
      { cmd: ["FUNCTION", "LOAD", OTHER] },
      { cmd: ["EXEC"] },
      { cmd: ["SELECT", "0"] },
      { cmd: ["FUNCTION", "FLUSH"] },
    ],
  },
  {
    name: "FCALL propagates its function's effects",
    steps: [
      { cmd: ["FUNCTION", "LOAD", LIB] },
      { cmd: ["FCALL", "setter", "1", "k", "v"] },
      { cmd: ["FCALL", "two", "1", "n"] },
      { cmd: ["FCALL", "expire", "1", "e"] },
      { cmd: ["FCALL", "reader", "1", "k"] },
      { cmd: ["FCALL_RO", "reader", "1", "k"] },
      { cmd: ["FCALL_RO", "setter", "1", "k", "v"] },
      { cmd: ["FCALL", "nosuch", "0"] },
      { cmd: ["SELECT", "2"] },
      { cmd: ["FCALL", "setter", "1", "k", "v2"] },
    ],
  },
], hasRedisServer());
