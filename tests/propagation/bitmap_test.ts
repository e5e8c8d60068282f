/**
 * What the bitmap group propagates, against a real redis-server 7.0.15's
 * AOF: SETBIT, BITOP and BITFIELD as sent, and only when they changed
 * something (a SETBIT of a bit already so, a BITFIELD of GETs or of
 * writes that change nothing, a BITOP with nothing to store or delete,
 * BITFIELD_RO: nothing); a key a write finds expired first as DEL. The
 * one deliberate difference, a BITFIELD whose writes all fail yet create
 * or pad the key (Redis propagates nothing, resplite the command), is
 * checked in process.
 */

import assert from "node:assert/strict";
import { effectCases, type Step } from "../support/effects.ts";
import { hasRedisServer, testServer } from "../support/server.ts";

const c = (...cmd: string[]): Step => ({ cmd });
const sleep = (ms: number): Step => ({ sleep: ms });
const LAZY_ONLY = c("DEBUG", "SET-ACTIVE-EXPIRE", "0");
const DEBUG = { "enable-debug-command": "yes" };

effectCases("bitmap", [
  {
    name: "SETBIT when it creates, grows or flips; nothing when the bit is already so",
    steps: [
      c("SETBIT", "k", "7", "1"),
      c("SETBIT", "k", "7", "1"),
      c("SETBIT", "k", "7", "0"),
      c("SETBIT", "k", "7", "0"),
      c("SETBIT", "k", "100", "0"),
      c("SETBIT", "z", "0", "0"),
      c("SETBIT", "k", "-1", "1"),
      c("SETBIT", "k", "0", "2"),
      c("RPUSH", "l", "a"),
      c("SETBIT", "l", "0", "1"),
      c("GETBIT", "k", "7"),
      c("BITCOUNT", "k"),
      c("BITPOS", "k", "1"),
    ],
  },
  {
    name: "BITFIELD as sent when a field changed; GETs, unchanged writes and errors: nothing",
    steps: [
      c("BITFIELD", "k", "SET", "u8", "0", "5", "GET", "u8", "0"),
      c("BITFIELD", "k", "SET", "u8", "0", "5"),
      c("BITFIELD", "k", "INCRBY", "u8", "0", "0"),
      c("BITFIELD", "k", "GET", "u8", "0", "GET", "i4", "2"),
      c("BITFIELD", "k"),
      c("BITFIELD", "missing", "GET", "u8", "0"),
      c("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000"),
      c("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000", "GET", "u8", "0"),
      c("BITFIELD", "k", "SET", "i16", "#3", "-1", "OVERFLOW", "FAIL", "SET", "u2", "0", "9"),
      c("BITFIELD", "k", "SET", "u8", "0", "x"),
      c("BITFIELD_RO", "k", "GET", "u8", "0"),
      c("BITFIELD_RO", "k", "SET", "u8", "0", "1"),
      c("BITFIELD", "k", "SET", "u8", "200", "0"),
    ],
  },
  {
    name: "BITOP as sent when it stores or deletes; nothing otherwise",
    steps: [
      c("SET", "a", "abc"),
      c("SET", "b", "\xff\x00"),
      c("BITOP", "AND", "d", "a", "b"),
      c("BITOP", "OR", "d", "a", "b", "missing"),
      c("BITOP", "XOR", "d", "a", "a"),
      c("BITOP", "NOT", "d", "b"),
      c("BITOP", "AND", "d", "missing"),
      c("BITOP", "AND", "d", "missing"),
      c("BITOP", "FOO", "d", "a"),
      c("BITOP", "NOT", "d", "a", "b"),
      c("RPUSH", "l", "x"),
      c("BITOP", "OR", "d", "l"),
      c("BITOP", "OR", "l", "a"),
      c("SET", "e", ""),
      c("BITOP", "NOT", "l", "e"),
    ],
  },
  {
    name: "bit writes inside MULTI / EXEC, the no-ops left out",
    steps: [
      c("MULTI"),
      c("SETBIT", "k", "1", "1"),
      c("SETBIT", "k", "1", "1"),
      c("BITFIELD", "k", "INCRBY", "u4", "4", "3"),
      c("BITFIELD", "k", "GET", "u4", "4"),
      c("BITOP", "NOT", "n", "k"),
      c("EXEC"),
    ],
  },
  {
    name: "a bit write that finds its key expired: DEL, then the write",
    config: DEBUG,
    steps: [
      LAZY_ONLY,
      c("SET", "a", "x", "PX", "50"),
      c("SET", "b", "x", "PX", "50"),
      c("SET", "c", "x", "PX", "50"),
      c("SET", "d", "x", "PX", "50"),
      sleep(200),
      c("SETBIT", "a", "0", "0"),
      c("BITFIELD", "b", "SET", "u8", "0", "0"),
      c("BITFIELD", "c", "GET", "u8", "0"),
      c("BITOP", "OR", "e", "d"),
    ],
  },
  {
    name: "long values written through the rope propagate as sent",
    steps: [
      c("SETRANGE", "big", "9000", "x"),
      c("SETBIT", "big", "5", "1"),
      c("SETBIT", "big", "72007", "1"),
      c("SETBIT", "big", "72007", "1"),
      c("BITFIELD", "big", "SET", "u32", "40000", "123456"),
      c("BITFIELD", "big", "SET", "u32", "40000", "123456"),
      c("SETBIT", "big", "100000", "1"),
    ],
  },
], hasRedisServer());

Deno.test("a BITFIELD whose writes all fail but create or pad the key propagates the command", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const effects: string[] = [];
  s.server.engine.propagation.subscribe({ write: (argv) => effects.push(argv.join(" ")) });
  await raw.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "300");
  await raw.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "300");
  await raw.call("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i8", "16", "-200");
  assert.deepEqual(effects, [
    "SELECT 0",
    "BITFIELD k OVERFLOW FAIL SET u8 0 300",
    "BITFIELD k OVERFLOW FAIL INCRBY i8 16 -200",
  ]);
  assert.equal(await raw.call("STRLEN", "k"), ":3\r\n");
});
