/**
 * Differential cases for the function group: FUNCTION LOAD / LIST /
 * DELETE / FLUSH / DUMP / RESTORE / STATS / KILL / HELP, FCALL and
 * FCALL_RO, in RESP2 and RESP3.
 *
 * The runner's FLUSHALL keeps functions, so every case starts with
 * FUNCTION FLUSH. Redis lists libraries (and a library's functions) in
 * hash-table order, random per process: cases that list several compare
 * unordered, and libraries listed or dumped exactly have one function.
 *
 * @module
 */

import { block, type CompatCase, on, read, type Step } from "../case.ts";
import { Crc64 } from "../../../src/store/crc64.ts";

const FLUSH: Step = ["FUNCTION", "FLUSH"];
const unordered = (...argv: string[]): Step => ({ argv, compare: "unordered" });

/** A library of one-line functions returning 1. */
function lib(name: string, ...functions: string[]): string {
  return `#!lua name=${name}\n` +
    functions.map((f) => `redis.register_function('${f}', function(keys, args) return 1 end)`)
      .join("\n");
}

const load = (code: string, ...opts: string[]): string[] => ["FUNCTION", "LOAD", ...opts, code];

/** Everything FCALL passes to a function, and a write. */
const ECHO = "#!lua name=echo\n" +
  "redis.register_function('echo', function(keys, args) return {#keys, #args, keys[1] or false, args[1] or false} end)";
const WRITER = "#!lua name=writer\n" +
  "redis.register_function('setter', function(keys, args) return redis.call('SET', keys[1], args[1]) end)";
const READER = "#!lua name=reader\n" +
  "redis.register_function{function_name='getter', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}";
const FLAGGED = "#!lua name=flagged\n" +
  "redis.register_function{function_name='all_flags', callback=function() return 'ok' end, " +
  "flags={'allow-cross-slot-keys', 'no-cluster', 'allow-stale', 'allow-oom', 'no-writes'}, description='every flag'}";
/** A library long and repetitive enough to be LZF-compressed in a dump. */
const LONG = "#!lua name=long\n" +
  "redis.register_function('long_fn', function(keys, args)\n" +
  Array.from({ length: 20 }, (_, i) => `  redis.call('SET', keys[1] .. ':${i}', args[1])\n`).join(
    "",
  ) +
  "  return 'done'\nend)";
const ERRORS = "#!lua name=errors\n" +
  "redis.register_function('raise', function() error('bad thing') end)\n" +
  "redis.register_function('raise_table', function() return redis.error_reply('MY custom') end)\n" +
  "redis.register_function('bad_call', function() return redis.call('nosuchcommand') end)\n" +
  "redis.register_function('status', function() return redis.status_reply('FINE') end)";
const RESP3 = "#!lua name=resp3lib\n" +
  "redis.register_function('r3', function(keys, args) redis.setresp(3) " +
  "return {redis.call('HGETALL', keys[1]), redis.call('SMEMBERS', keys[2]), 3.5, true} end)";

/**
 * A dump taken from real redis-server 7.0.15 (libraries `small` and
 * `reallib`, the second LZF-compressed).
 */
const REAL_DUMP =
  "\xf5@I#!lua name=small\x0aredis.register_function('tiny', function() return 7 end)\xf5\xc3A\x0aAO\x1f#!lua name=reallib\x0alocal functio\x1cn helper(keys, args)\x0a  return \x06\x03dis. .\x08l('GET', @&\x1e[1]) or 'default value from the 5 _`:\x0a dump'\x0aend\x0a`\x0f\x09.register_\xc0~\x01('@-\x03_get \x5c\x80\x8a\x00)\xe0\x0f+\x00{\xc04\x00_`\xcf\x809\x01ro 8@\xa1\x04back=\xc0!\xe0\x03\xce \x8a`\xcc\x00#@\xdc\x00  \x8b\x1d, flags={'no-writes'}, descripA\x14\x09='counts i \x03 6\x02ume \x0d\x02'}\x0a\x0a\x00V\xe8\xce\x1c:U\xed\xd8";

/** A payload of the given body with a valid footer (RDB version 10 and CRC-64). */
function payload(body: string, version = "\x0a\x00"): string {
  const b = body + version;
  return b + new Crc64().update(b).binary();
}

/** An RDB string of up to 63 bytes. */
const str = (s: string): string => String.fromCharCode(s.length) + s;

const ONE_FN = "redis.register_function('pre_ga', function() return 'old format' end)";

export const CASES: readonly CompatCase[] = [
  {
    name: "FUNCTION LOAD creates a library and FCALL runs its function",
    steps: [
      FLUSH,
      load(ECHO),
      ["FCALL", "echo", "0"],
      ["FCALL", "echo", "2", "k1", "k2", "a1"],
      ["FCALL", "ECHO", "1", "k1"],
      ["FCALL", "EcHo", "0", "a", "b", "c"],
      ["FCALL_RO", "echo", "0"],
      load(WRITER),
      ["FCALL", "setter", "1", "key", "value"],
      ["GET", "key"],
      load(READER),
      ["FCALL_RO", "getter", "1", "key"],
      ["FCALL", "getter", "1", "key"],
      ["FCALL", "getter", "1", "missing"],
    ],
  },
  {
    name: "FUNCTION LOAD refuses a library that exists, REPLACE replaces it",
    steps: [
      FLUSH,
      load(lib("mylib", "f1")),
      load(lib("mylib", "f2")),
      ["FCALL", "f1", "0"],
      load(lib("mylib", "f2"), "REPLACE"),
      ["FCALL", "f1", "0"],
      ["FCALL", "f2", "0"],
      load(lib("mylib", "f2"), "replace"),
      load(lib("mylib", "f2"), "REPLACE", "REPLACE"),
      // a failed REPLACE keeps the old library
      load("#!lua name=mylib\nfoo(", "REPLACE"),
      load("#!lua name=mylib\n", "REPLACE"),
      ["FCALL", "f2", "0"],
      // the replacing library may reuse its own names, not another's
      load(lib("other", "o1")),
      load(lib("mylib", "o1"), "REPLACE"),
      load(lib("mylib", "O1"), "REPLACE"),
      ["FCALL", "f2", "0"],
      load(lib("MYLIB", "m1")),
      unordered("FUNCTION", "LIST"),
    ],
  },
  {
    name: "FUNCTION LOAD option and arity errors",
    steps: [
      FLUSH,
      ["FUNCTION", "LOAD"],
      ["FUNCTION", "LOAD", "REPLACE"],
      ["FUNCTION", "LOAD", "bogus", lib("a", "f")],
      ["FUNCTION", "LOAD", "REPLACE", "bogus", lib("a", "f")],
      ["FUNCTION", "LOAD", "bogus\r\nx", lib("a", "f")],
      ["FUNCTION", "LOAD", lib("a", "f"), "REPLACE"],
      ["FUNCTION", "LIST"],
    ],
  },
  {
    name: "FUNCTION LOAD metadata errors",
    steps: [
      FLUSH,
      load(""),
      load("return 1"),
      load(" #!lua name=a\n"),
      load("#!lua"),
      load("#!lua name=a"),
      load("#!lua\nreturn 1"),
      load("#!\n"),
      load("#!lua name=a name=b\n"),
      load("#!lua NAME=a Name=b\n"),
      load("#!lua foo=bar\n"),
      load("#!lua name=a extra\n"),
      load("#!lua extra name=a-b\n"),
      load("#!lua name=a-b extra\n"),
      load("#!js name=a\n"),
      load("#!js name=a-b\n"),
      load("#! name=a\n"),
      load('#!lua name="a\n'),
      load('#!lua name="a"b\n'),
      load("#!lua name='a\n"),
      load('#!lua name="a b"\n'),
      load("#!lua name=\n"),
      load("#!lua name=a.b\n"),
      load('#!lua "x\\ny"\n'),
      load("#!lua name=a\0b\nx"),
      load("#!lua name=ab\0\nx"),
      load("#!lua\0 name=a\nx"),
      load("#!lua name=a\n"),
      load("#!lua name=a\nreturn 1"),
      ["FUNCTION", "LIST"],
    ],
  },
  {
    name: "FUNCTION LOAD reads the first line as redis does",
    steps: [
      FLUSH,
      load("#!LUA name=upper\nredis.register_function('f1', function() return 1 end)"),
      load("#!Lua NAME=mixed\nredis.register_function('f2', function() return 2 end)"),
      load("#!lua  name=spaced   \nredis.register_function('f3', function() return 3 end)"),
      load("#!lua\tname=tabbed\r\nredis.register_function('f4', function() return 4 end)"),
      load("#!lua name=\"\\x41bc\"\nredis.register_function('f5', function() return 5 end)"),
      load("#!lua 'name=quoted'\nredis.register_function('f6', function() return 6 end)"),
      load("#!\"lua\" name=q2\nredis.register_function('f7', function() return 7 end)"),
      load("#!lua name=_0_\nredis.register_function('f8', function() return 8 end)"),
      ["FCALL", "f5", "0"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "Abc"],
      unordered("FUNCTION", "LIST", "LIBRARYNAME", "q*"),
      unordered("FUNCTION", "LIST"),
    ],
  },
  {
    name: "FUNCTION LOAD compile and registration errors",
    steps: [
      FLUSH,
      load("#!lua name=e\nfoo("),
      load("#!lua name=e\n\n\nlocal x = = 1"),
      load("#!lua name=e\nreturn 1 +"),
      load("#!lua name=e\nerror('boom')"),
      load("#!lua name=e\nredis.call('PING')"),
      load("#!lua name=e\nredis.pcall('PING')"),
      load("#!lua name=e\nx = 1"),
      load("#!lua name=e\nlocal t = KEYS"),
      load("#!lua name=e\nredis.register_function()"),
      load("#!lua name=e\nredis.register_function('a', function() end, 3)"),
      load("#!lua name=e\nredis.register_function('a')"),
      load("#!lua name=e\nredis.register_function(1, function() end)"),
      load("#!lua name=e\nredis.register_function('a', 'b')"),
      load("#!lua name=e\nredis.register_function('a-b', function() end)"),
      load("#!lua name=e\nredis.register_function('', function() end)"),
      load(
        "#!lua name=e\nredis.register_function('a', function() end)\nredis.register_function('a', function() end)",
      ),
      load("#!lua name=e\nredis.register_function{function_name='a'}"),
      load("#!lua name=e\nredis.register_function{callback=function() end}"),
      load("#!lua name=e\nredis.register_function{function_name='a', callback=1}"),
      load("#!lua name=e\nredis.register_function{function_name=1, callback=function() end}"),
      load(
        "#!lua name=e\nredis.register_function{function_name='a', callback=function() end, flags='no-writes'}",
      ),
      load(
        "#!lua name=e\nredis.register_function{function_name='a', callback=function() end, flags={'bogus'}}",
      ),
      load(
        "#!lua name=e\nredis.register_function{function_name='a', callback=function() end, description=1}",
      ),
      load(
        "#!lua name=e\nredis.register_function{function_name='a', callback=function() end, other=1}",
      ),
      load("#!lua name=e\nredis.register_function{[1]='a', callback=function() end}"),
      load("#!lua name=e\nredis.register_function('x')"),
      load("#!lua name=e\nredis.register_function({})"),
      load("#!lua name=e\nlocal a = 1 // 2"),
      ["FUNCTION", "LIST"],
    ],
  },
  {
    name: "FUNCTION LOAD refuses a function name another library has",
    steps: [
      FLUSH,
      load(lib("first", "shared")),
      load(lib("second", "shared")),
      load(lib("second", "SHARED")),
      load(lib("second", "own", "Shared")),
      load(lib("second", "own")),
      ["FUNCTION", "STATS"],
      // a library may hold `g` and `G`: its own check is case-sensitive
      load(lib("third", "g", "G")),
      ["FUNCTION", "STATS"],
      ["FCALL", "g", "0"],
      ["FCALL", "G", "0"],
      // (FUNCTION DELETE third crashes redis-server 7.0.15: its unlink asserts)
    ],
  },
  {
    name: "FUNCTION LIST replies in RESP2",
    steps: [
      FLUSH,
      ["FUNCTION", "LIST"],
      load(READER),
      ["FUNCTION", "LIST"],
      ["FUNCTION", "LIST", "WITHCODE"],
      ["FUNCTION", "LIST", "withcode", "libraryname", "read*"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "READER"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "r?ad[e]r"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "nomatch"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "reader", "WITHCODE"],
      load(FLAGGED),
      ["FUNCTION", "LIST", "LIBRARYNAME", "flagged"],
      load(lib("plain", "plain_fn")),
      unordered("FUNCTION", "LIST"),
      unordered("FUNCTION", "LIST", "WITHCODE"),
      unordered("FUNCTION", "LIST", "LIBRARYNAME", "*e*"),
    ],
  },
  {
    name: "FUNCTION LIST replies in RESP3",
    resp: 3,
    steps: [
      FLUSH,
      ["FUNCTION", "LIST"],
      load(READER),
      ["FUNCTION", "LIST"],
      ["FUNCTION", "LIST", "WITHCODE"],
      load(FLAGGED),
      ["FUNCTION", "LIST", "LIBRARYNAME", "flagged", "WITHCODE"],
      load(lib("plain", "plain_fn")),
      ["FUNCTION", "LIST", "LIBRARYNAME", "plain"],
      unordered("FUNCTION", "LIST"),
    ],
  },
  {
    name: "FUNCTION LIST argument errors",
    steps: [
      FLUSH,
      load(lib("a", "f")),
      ["FUNCTION", "LIST", "LIBRARYNAME"],
      ["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME"],
      ["FUNCTION", "LIST", "WITHCODE", "WITHCODE"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"],
      ["FUNCTION", "LIST", "bogus"],
      ["FUNCTION", "LIST", "a\r\nb"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "WITHCODE"],
    ],
  },
  {
    name: "FUNCTION DELETE",
    steps: [
      FLUSH,
      load(lib("mylib", "f1", "f2")),
      ["FUNCTION", "DELETE", "MYLIB"],
      ["FUNCTION", "DELETE", "nolib"],
      ["FUNCTION", "DELETE", "mylib"],
      ["FCALL", "f1", "0"],
      ["FUNCTION", "DELETE", "mylib"],
      ["FUNCTION", "LIST"],
      ["FUNCTION", "DELETE"],
      ["FUNCTION", "DELETE", "a", "b"],
      // the names are free again
      load(lib("again", "f1")),
      ["FCALL", "f1", "0"],
    ],
  },
  {
    name: "FUNCTION FLUSH and its modes",
    steps: [
      FLUSH,
      ["FUNCTION", "FLUSH"],
      load(lib("a", "f")),
      ["FUNCTION", "FLUSH", "SYNC"],
      ["FUNCTION", "LIST"],
      load(lib("a", "f")),
      ["FUNCTION", "FLUSH", "async"],
      ["FCALL", "f", "0"],
      ["FUNCTION", "FLUSH", "bogus"],
      ["FUNCTION", "FLUSH", "SYNC", "ASYNC"],
      ["FUNCTION", "FLUSH", "a", "b", "c"],
      load(lib("a", "f")),
      ["FCALL", "f", "0"],
    ],
  },
  {
    name: "FUNCTION DUMP gives redis's bytes",
    steps: [
      FLUSH,
      ["FUNCTION", "DUMP"],
      load(lib("short", "s")),
      ["FUNCTION", "DUMP"],
      ["FUNCTION", "FLUSH"],
      load(LONG),
      ["FUNCTION", "DUMP"],
      ["FUNCTION", "FLUSH"],
      load(READER),
      ["FUNCTION", "DUMP"],
      ["FUNCTION", "FLUSH"],
      load(FLAGGED),
      ["FUNCTION", "DUMP"],
      ["FUNCTION", "DUMP", "extra"],
    ],
  },
  {
    name: "FUNCTION DUMP without rdbcompression",
    steps: [
      FLUSH,
      ["CONFIG", "SET", "rdbcompression", "no"],
      load(LONG),
      ["FUNCTION", "DUMP"],
      ["CONFIG", "SET", "rdbcompression", "yes"],
      ["FUNCTION", "DUMP"],
    ],
  },
  {
    name: "FUNCTION RESTORE of a dump taken from real redis",
    steps: [
      FLUSH,
      ["FUNCTION", "RESTORE", REAL_DUMP],
      ["FCALL", "tiny", "0"],
      ["SET", "k", "v"],
      ["FCALL", "real_get", "1", "k"],
      ["FCALL", "real_get", "1", "nokey"],
      ["FCALL_RO", "real_ro", "0", "a", "b"],
      ["FUNCTION", "LIST", "LIBRARYNAME", "small", "WITHCODE"],
      ["FUNCTION", "STATS"],
      // (which library a conflict names is hash order in redis: leave one)
      ["FUNCTION", "DELETE", "small"],
      ["FUNCTION", "RESTORE", REAL_DUMP],
      ["FUNCTION", "RESTORE", REAL_DUMP, "REPLACE"],
      ["FUNCTION", "RESTORE", REAL_DUMP, "FLUSH"],
      ["FUNCTION", "DELETE", "reallib"],
      ["FUNCTION", "DUMP"],
    ],
  },
  {
    name: "FUNCTION RESTORE policies",
    steps: [
      FLUSH,
      load(lib("s", "a")),
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("s", "b")))],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("s", "b"))), "APPEND"],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("s", "b"))), "REPLACE"],
      ["FCALL", "b", "0"],
      ["FCALL", "a", "0"],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("t", "b")))],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("t", "B"))), "replace"],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("t", "c"))), "append"],
      ["FCALL", "c", "0"],
      // replacing `s` frees its names, but `t`'s are taken: nothing changes
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("s", "c"))), "REPLACE"],
      ["FCALL", "b", "0"],
      [
        "FUNCTION",
        "RESTORE",
        payload("\xf5" + str(lib("u", "x")) + "\xf5" + str(lib("v", "y"))),
        "FLUSH",
      ],
      ["FCALL", "b", "0"],
      ["FCALL", "x", "0"],
      ["FCALL", "y", "0"],
      ["FUNCTION", "RESTORE", payload(""), "FLUSH"],
      ["FUNCTION", "LIST"],
      ["FUNCTION", "RESTORE", payload("")],
    ],
  },
  {
    name: "FUNCTION RESTORE validates every library before changing anything",
    steps: [
      FLUSH,
      load(lib("keep", "kept")),
      // the same library twice in one payload
      [
        "FUNCTION",
        "RESTORE",
        payload("\xf5" + str(lib("t", "x")) + "\xf5" + str(lib("t", "y"))),
        "FLUSH",
      ],
      // a function twice in one payload, any case
      [
        "FUNCTION",
        "RESTORE",
        payload("\xf5" + str(lib("t", "x")) + "\xf5" + str(lib("u", "X"))),
        "FLUSH",
      ],
      // a good library, then one that does not compile
      [
        "FUNCTION",
        "RESTORE",
        payload("\xf5" + str(lib("t", "x")) + "\xf5" + str("#!lua name=v\nfoo(")),
        "FLUSH",
      ],
      // a good library, then something that is not a function
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("t", "x")) + "\x07"), "FLUSH"],
      // an error in a library is met before a later bad type
      [
        "FUNCTION",
        "RESTORE",
        payload("\xf5" + str(lib("t", "x")) + "\xf5" + str(lib("t", "y")) + "\x07"),
      ],
      ["FUNCTION", "RESTORE", payload("\xf5" + str("#!lua name=v\n")), "FLUSH"],
      ["FUNCTION", "LIST"],
      ["FCALL", "kept", "0"],
    ],
  },
  {
    name: "FUNCTION RESTORE payload errors",
    steps: [
      FLUSH,
      ["FUNCTION", "RESTORE", ""],
      ["FUNCTION", "RESTORE", "123456789"],
      ["FUNCTION", "RESTORE", "0123456789"],
      ["FUNCTION", "RESTORE", payload("", "\x0b\x00")],
      ["FUNCTION", "RESTORE", payload("", "\x00\x01")],
      ["FUNCTION", "RESTORE", payload("", "\x09\x00")],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("s", "a"))).slice(0, -1) + "\x00"],
      ["FUNCTION", "RESTORE", payload("\x07\x02ab")],
      ["FUNCTION", "RESTORE", payload("\x00")],
      ["FUNCTION", "RESTORE", payload("\xf5\x02ab")],
      ["FUNCTION", "RESTORE", payload("\xf5\x3fab")],
      ["FUNCTION", "RESTORE", payload("\xf5\x82abc")],
      ["FUNCTION", "RESTORE", payload("\xf5\xc0\x05")],
      ["FUNCTION", "RESTORE", payload("\xf5\xc1\x05\x01")],
      ["FUNCTION", "RESTORE", payload("\xf5\xc2\x05\x01\x00\x00")],
      ["FUNCTION", "RESTORE", payload("\xf5\xc3\x05\x03abc")],
      ["FUNCTION", "RESTORE", payload("\xf5\xc3\x03\x10\x1fabc")],
      ["FUNCTION", "RESTORE", payload("\xf5\xc4")],
      ["FUNCTION", "RESTORE", payload("\xf5\x05#!lua")],
      ["FUNCTION", "RESTORE", payload("\xf5"), "bogus"],
      ["FUNCTION", "RESTORE", "x", "bogus"],
      ["FUNCTION", "RESTORE", "x", "FLUSH", "extra"],
      ["FUNCTION", "RESTORE"],
      ["FUNCTION", "LIST"],
    ],
  },
  {
    name: "FUNCTION RESTORE reads the format of 7.0's release candidates",
    steps: [
      FLUSH,
      ["FUNCTION", "RESTORE", payload("\xf6" + str("oldlib") + str("LUA") + "\x00" + str(ONE_FN))],
      ["FCALL", "pre_ga", "0"],
      ["FUNCTION", "LIST", "WITHCODE"],
      [
        "FUNCTION",
        "RESTORE",
        payload("\xf6" + str("oldlib") + str("lua") + "\x01" + str("a description") + str(ONE_FN)),
        "REPLACE",
      ],
      ["FUNCTION", "LIST", "WITHCODE"],
      ["FUNCTION", "RESTORE", payload("\xf6\x3f")],
      ["FUNCTION", "RESTORE", payload("\xf6\x02ab")],
      ["FUNCTION", "RESTORE", payload("\xf6" + str("l") + str("lua") + "\xbf")],
      ["FUNCTION", "RESTORE", payload("\xf6" + str("l") + str("lua") + "\x01\x3f")],
      ["FUNCTION", "RESTORE", payload("\xf6" + str("l") + str("lua") + "\x00\x3f")],
      ["FUNCTION", "RESTORE", payload("\xf6" + str("l-x") + str("lua") + "\x00" + str(ONE_FN))],
      ["FUNCTION", "RESTORE", payload("\xf6" + str("l") + str("js") + "\x00" + str(ONE_FN))],
    ],
  },
  {
    name: "FUNCTION DUMP then RESTORE round trips",
    steps: [
      FLUSH,
      load(LONG),
      ["FUNCTION", "DUMP"],
      ["FUNCTION", "RESTORE", payload("\xf5" + str(lib("x", "xf"))), "FLUSH"],
      ["FUNCTION", "DUMP"],
    ],
  },
  {
    name: "FUNCTION STATS in RESP2 and with libraries",
    steps: [
      FLUSH,
      ["FUNCTION", "STATS"],
      load(lib("a", "f1", "f2")),
      load(lib("b", "f3")),
      ["FUNCTION", "STATS"],
      ["FUNCTION", "STATS", "extra"],
    ],
  },
  {
    name: "FUNCTION STATS in RESP3",
    resp: 3,
    steps: [FLUSH, ["FUNCTION", "STATS"], load(lib("a", "f1", "f2")), ["FUNCTION", "STATS"]],
  },
  {
    name: "FUNCTION KILL and STATS with no script running",
    steps: [FLUSH, ["FUNCTION", "KILL"], ["FUNCTION", "KILL", "x"], ["FUNCTION", "STATS"]],
  },
  {
    name: "FUNCTION KILL ends a function running past busy-reply-threshold",
    steps: [
      FLUSH,
      load(
        "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)",
      ),
      ["CONFIG", "SET", "busy-reply-threshold", "100"],
      block(1, "FCALL", "spin", "0"),
      on(2, "PING"),
      { argv: ["FUNCTION", "STATS"], conn: 2, compare: "type" },
      on(2, "FUNCTION", "LIST"),
      on(2, "SCRIPT", "KILL"),
      on(2, "FUNCTION", "KILL"),
      read(1),
      on(1, "PING"),
      ["FUNCTION", "STATS"],
      ["CONFIG", "SET", "busy-reply-threshold", "5000"],
    ],
  },
  {
    name: "FUNCTION HELP",
    steps: [["FUNCTION", "HELP"], ["FUNCTION", "HELP", "x"], ["FUNCTION", "help"]],
  },
  {
    name: "FUNCTION with an unknown subcommand",
    steps: [["FUNCTION"], ["FUNCTION", "bogus"], ["FUNCTION", "bogus", "x"]],
  },
  {
    name: "FCALL and FCALL_RO argument errors",
    steps: [
      FLUSH,
      load(ECHO),
      ["FCALL"],
      ["FCALL", "echo"],
      ["FCALL_RO", "echo"],
      ["FCALL", "nosuch", "0"],
      ["FCALL", "nosuch", "x"],
      ["FCALL", "echo", "x"],
      ["FCALL", "echo", "1.5"],
      ["FCALL", "echo", " 1"],
      ["FCALL", "echo", "+1"],
      ["FCALL", "echo", "99999999999999999999"],
      ["FCALL", "echo", "-1"],
      ["FCALL", "echo", "1"],
      ["FCALL", "echo", "3", "a", "b"],
      ["FCALL", "echo", "2", "a", "b"],
      ["FCALL_RO", "echo", "-1"],
      ["FCALL_RO", "echo", "x"],
      ["FCALL_RO", "nosuch", "0"],
    ],
  },
  {
    name: "FCALL_RO runs only no-writes functions",
    steps: [
      FLUSH,
      load(WRITER),
      load(READER),
      ["FCALL_RO", "setter", "1", "k", "v"],
      ["FCALL_RO", "getter", "1", "k"],
      ["FCALL", "setter", "1", "k", "v"],
      ["FCALL_RO", "getter", "1", "k"],
      load(
        "#!lua name=sneaky\nredis.register_function{function_name='sneaky', callback=function(keys) return redis.call('DEL', keys[1]) end, flags={'no-writes'}}",
      ),
      ["FCALL", "sneaky", "1", "k"],
      ["FCALL_RO", "sneaky", "1", "k"],
      ["GET", "k"],
    ],
  },
  {
    name: "FCALL errors name the function",
    steps: [
      FLUSH,
      load(ERRORS),
      ["FCALL", "raise", "0"],
      ["FCALL", "raise_table", "0"],
      ["FCALL", "bad_call", "0"],
      ["FCALL", "status", "0"],
    ],
  },
  {
    name: "a function's environment: upvalues persist, no KEYS / ARGV, no register_function",
    steps: [
      FLUSH,
      load(
        "#!lua name=env\n" +
          "local counter = 0\n" +
          "local function bump() counter = counter + 1 return counter end\n" +
          "redis.register_function('bump', function() return bump() end)\n" +
          "redis.register_function('keys_global', function() return KEYS end)\n" +
          "redis.register_function('argv_global', function() return ARGV[1] end)\n" +
          "redis.register_function('register', function() redis.register_function('x', function() end) end)\n" +
          "redis.register_function('set_global', function() foo = 1 end)\n" +
          "redis.register_function('nested', function(keys, args) return redis.call('FCALL', 'bump', '0') end)\n" +
          "redis.register_function('typed', function(keys, args) return {type(keys), type(args), #keys, #args} end)\n" +
          "redis.register_function('version', function() return type(redis.REDIS_VERSION) end)\n" +
          "redis.register_function('log', function() redis.log(redis.LOG_NOTICE, 'hello') return 'logged' end)",
      ),
      ["FCALL", "bump", "0"],
      ["FCALL", "bump", "0"],
      ["FCALL_RO", "bump", "0"],
      ["FCALL", "keys_global", "1", "k"],
      ["FCALL", "argv_global", "0", "a"],
      ["FCALL", "register", "0"],
      ["FCALL", "set_global", "0"],
      ["FCALL", "nested", "0"],
      ["FCALL", "typed", "2", "a", "b", "c"],
      ["FCALL", "version", "0"],
      ["FCALL", "log", "0"],
      ["FCALL", "bump", "0"],
      // a replaced library starts over
      load(
        "#!lua name=env\nlocal counter = 10\nredis.register_function('bump', function() counter = counter + 1 return counter end)",
        "REPLACE",
      ),
      ["FCALL", "bump", "0"],
      ["FCALL", "keys_global", "0"],
    ],
  },
  {
    name: "FCALL replies in RESP3",
    resp: 3,
    steps: [
      FLUSH,
      load(RESP3),
      ["HSET", "h", "f", "v"],
      ["SADD", "s", "m"],
      ["FCALL", "r3", "2", "h", "s"],
      load(ECHO),
      ["FCALL", "echo", "1", "k"],
    ],
  },
  {
    name: "FUNCTION commands leave WATCHed keys alone, FCALL writes touch them",
    steps: [
      FLUSH,
      ["WATCH", "k"],
      on(1, "FUNCTION", "LOAD", WRITER),
      on(1, "FUNCTION", "RESTORE", payload("\xf5" + str(lib("t", "x")))),
      on(1, "FUNCTION", "DELETE", "t"),
      on(1, "FUNCTION", "FLUSH"),
      on(1, "FUNCTION", "LOAD", WRITER),
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["WATCH", "k"],
      on(1, "FCALL", "setter", "1", "k", "v"),
      ["MULTI"],
      ["PING"],
      ["EXEC"],
    ],
  },
  {
    name: "FCALL over maxmemory: refused unless the function is no-writes or allow-oom",
    steps: [
      FLUSH,
      load(WRITER),
      load(READER),
      load(
        "#!lua name=oom\nredis.register_function{function_name='oom_ok', callback=function(keys, args) return redis.call('SET', keys[1], args[1]) end, flags={'allow-oom'}}",
      ),
      ["SET", "k", "v"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["FCALL", "setter", "1", "k", "v2"],
      ["FCALL", "getter", "1", "k"],
      ["FCALL_RO", "getter", "1", "k"],
      ["FCALL", "oom_ok", "1", "k", "v3"],
      ["FCALL", "nosuch", "0"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["GET", "k"],
    ],
  },
  {
    name: "FUNCTION and FCALL inside MULTI",
    steps: [
      FLUSH,
      ["MULTI"],
      load(WRITER),
      ["FCALL", "setter", "1", "k", "v"],
      ["FUNCTION", "LIST"],
      ["EXEC"],
      ["GET", "k"],
      ["MULTI"],
      ["FUNCTION", "DELETE", "writer"],
      ["FCALL", "setter", "1", "k", "v2"],
      ["EXEC"],
    ],
  },
];
