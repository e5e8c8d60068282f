import assert from "node:assert/strict";
import {
  decodeRdbLength,
  decodeRdbString,
  DUMP_ERRORS,
  dumpFunctions,
  encodeRdbLength,
  encodeRdbString,
  parseFunctionDump,
  RDB_VERSION,
  verifyDumpPayload,
} from "../../src/scripting/function_dump.ts";
import { Crc64 } from "../../src/store/crc64.ts";
import { RawClient } from "../support/raw_client.ts";
import { hasRedisServer, startRealRedis } from "../support/server.ts";

/** A payload of `body` with a valid footer. */
function payload(body: string, version = "\x0a\x00"): string {
  const b = body + version;
  return b + new Crc64().update(b).binary();
}

const CODE = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";

Deno.test("RDB lengths use 6, 14, 32 and 64 bits as Redis", () => {
  const cases: [number, string][] = [
    [0, "\x00"],
    [63, "\x3f"],
    [64, "\x40\x40"],
    [16383, "\x7f\xff"],
    [16384, "\x80\x00\x00\x40\x00"],
    [0xffffffff, "\x80\xff\xff\xff\xff"],
    [0x100000000, "\x81\x00\x00\x00\x01\x00\x00\x00\x00"],
  ];
  for (const [n, enc] of cases) {
    assert.equal(encodeRdbLength(n), enc, String(n));
    assert.deepEqual(decodeRdbLength(enc, 0), { encoded: false, value: n, next: enc.length });
  }
  assert.deepEqual(decodeRdbLength("\xc3", 0), { encoded: true, value: 3, next: 1 });
  assert.equal(decodeRdbLength("", 0), null);
  assert.equal(decodeRdbLength("\x40", 0), null);
  assert.equal(decodeRdbLength("\x80\x00", 0), null);
  assert.equal(decodeRdbLength("\x82\x00\x00\x00\x00", 0), null);
  assert.equal(decodeRdbLength("\xbf", 0), null);
});

Deno.test("RDB strings: integers, LZF and raw, as rdbSaveRawString", () => {
  assert.equal(encodeRdbString(""), "\x00");
  assert.equal(encodeRdbString("0"), "\xc0\x00");
  assert.equal(encodeRdbString("-1"), "\xc0\xff");
  assert.equal(encodeRdbString("127"), "\xc0\x7f");
  assert.equal(encodeRdbString("128"), "\xc1\x80\x00");
  assert.equal(encodeRdbString("-32768"), "\xc1\x00\x80");
  assert.equal(encodeRdbString("32768"), "\xc2\x00\x80\x00\x00");
  assert.equal(encodeRdbString("-2147483648"), "\xc2\x00\x00\x00\x80");
  // not canonical, or too big for 32 bits: raw
  for (const s of ["2147483648", "-0", "01", "+1", " 1", "1 ", "12345678901"]) {
    assert.equal(encodeRdbString(s), String.fromCharCode(s.length) + s, s);
  }
  const long = "x".repeat(100);
  const packed = encodeRdbString(long);
  assert.equal(packed.charCodeAt(0), 0xc3);
  assert.equal(encodeRdbString(long, { compress: false }), "\x40\x64" + long);
  // 20 bytes are never compressed
  assert.equal(encodeRdbString("y".repeat(20)), "\x14" + "y".repeat(20));
  for (const s of ["", "0", "-1", "128", "32768", "-2147483648", "hello", long, "2147483648"]) {
    assert.deepEqual(decodeRdbString(encodeRdbString(s) + "tail", 0), {
      value: s,
      next: encodeRdbString(s).length,
    });
  }
  assert.equal(decodeRdbString("\x05abc", 0), null);
  assert.equal(decodeRdbString("\xc0", 0), null);
  assert.equal(decodeRdbString("\xc1\x00", 0), null);
  assert.equal(decodeRdbString("\xc2\x00\x00", 0), null);
  assert.equal(decodeRdbString("\xc4", 0), null);
  assert.equal(decodeRdbString("\xc3\x03\x10\x1fabc", 0), null);
});

Deno.test("a dump is opcode 245 and the code per library, version 10 and the CRC", () => {
  const empty = dumpFunctions([]);
  assert.equal(empty.length, 10);
  assert.equal(empty.slice(0, 2), "\x0a\x00");
  assert.equal(RDB_VERSION, 10);
  const one = dumpFunctions([CODE]);
  assert.equal(one.charCodeAt(0), 245);
  assert.equal(one.slice(1, -10), encodeRdbString(CODE));
  assert.ok(verifyDumpPayload(one));
  assert.deepEqual(parseFunctionDump(one), { codes: [CODE], error: null });
  const two = dumpFunctions([CODE, CODE + "\n-- " + "z".repeat(300)], { compress: false });
  assert.deepEqual(parseFunctionDump(two).codes, [CODE, CODE + "\n-- " + "z".repeat(300)]);
});

Deno.test("a payload's footer is checked as verifyDumpPayload", () => {
  assert.ok(!verifyDumpPayload(""));
  assert.ok(!verifyDumpPayload("012345678"));
  assert.ok(verifyDumpPayload(payload("")));
  assert.ok(verifyDumpPayload(payload("", "\x09\x00")));
  assert.ok(!verifyDumpPayload(payload("", "\x0b\x00")));
  assert.ok(!verifyDumpPayload(payload("", "\x0a\x01")));
  const p = payload("\xf5\x02ab");
  assert.ok(
    !verifyDumpPayload(p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1)),
  );
  assert.ok(!verifyDumpPayload("x" + p.slice(1)));
});

Deno.test("parsing a payload reports Redis's errors after the libraries read", () => {
  const E = DUMP_ERRORS;
  assert.deepEqual(parseFunctionDump("bad"), { codes: [], error: E.versionOrChecksum });
  assert.deepEqual(parseFunctionDump(payload("\x07")), { codes: [], error: E.notFunction });
  assert.deepEqual(parseFunctionDump(payload("\xf5\x3fab")), { codes: [], error: E.payload });
  assert.deepEqual(parseFunctionDump(payload("\xf5\x02ab\x07")), {
    codes: ["ab"],
    error: E.notFunction,
  });
  assert.deepEqual(parseFunctionDump(payload("\xf5\xc0\x05")), { codes: ["5"], error: null });
});

Deno.test("the format of 7.0's release candidates gets its first line back", () => {
  const body = "redis.register_function('f', function() return 1 end)";
  const str = (s: string) => String.fromCharCode(s.length) + s;
  assert.deepEqual(
    parseFunctionDump(payload("\xf6" + str("lib") + str("LUA") + "\x00" + str(body))),
    { codes: ["#!LUA name=lib\n" + body], error: null },
  );
  assert.deepEqual(
    parseFunctionDump(payload("\xf6" + str("lib") + str("lua") + "\x01" + str("d") + str(body))),
    { codes: ["#!lua name=lib\n" + body], error: null },
  );
  // names are C strings there
  assert.deepEqual(
    parseFunctionDump(payload("\xf6" + str("li\0x") + str("lua") + "\x00" + str("b"))).codes,
    ["#!lua name=li\nb"],
  );
  const E = DUMP_ERRORS;
  assert.equal(parseFunctionDump(payload("\xf6\x3f")).error, E.preGaName);
  assert.equal(parseFunctionDump(payload("\xf6\x01l\x3f")).error, E.preGaEngine);
  assert.equal(parseFunctionDump(payload("\xf6\x01l\x01e\xbf")).error, E.preGaHasDescription);
  assert.equal(parseFunctionDump(payload("\xf6\x01l\x01e\x01\x3f")).error, E.preGaDescription);
  assert.equal(parseFunctionDump(payload("\xf6\x01l\x01e\x00\x3f")).error, E.preGaBlob);
});

Deno.test({
  name: "dumps of several libraries re-encode as a real redis-server's, byte for byte",
  ignore: !hasRedisServer(), // the oracle is a real redis-server
  async fn() {
    await using real = await startRealRedis();
    await using c = await RawClient.connect(real.port);
    const words = ["redis.call('SET', keys[1], args[1])", "return", "local x = ", "end", " ", "\n"];
    let seed = 7;
    const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    for (let t = 0; t < 12; t++) {
      await c.call("FUNCTION", "FLUSH");
      const count = 1 + rnd(4);
      for (let i = 0; i < count; i++) {
        let body = "";
        const len = rnd(900);
        while (body.length < len) body += words[rnd(words.length)];
        const code = `#!lua name=l${t}_${i}\n` +
          `redis.register_function('f${t}_${i}', function() return 1 end)\n--[[${body}]]`;
        assert.match(await c.call("FUNCTION", "LOAD", code), /^\$/);
      }
      const reply = await c.call("FUNCTION", "DUMP");
      const theirs = reply.slice(reply.indexOf("\r\n") + 2, -2);
      const parsed = parseFunctionDump(theirs);
      assert.equal(parsed.error, null);
      assert.equal(parsed.codes.length, count);
      // in redis's (hash) order of the libraries
      assert.equal(dumpFunctions(parsed.codes), theirs, `round ${t}`);
    }
  },
});
