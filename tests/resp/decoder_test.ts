import assert from "node:assert/strict";
import {
  binaryToBytes,
  bytesToBinary,
  type DecodedBatch,
  type DecoderLimits,
  INLINE_MAX_SIZE,
  RespDecoder,
  splitArgs,
} from "../../src/resp/decoder.ts";
import { RespCommandStream, RespDecoderStream } from "../../src/resp/stream.ts";
import { bytesOf, encodeCommand } from "../support/raw_client.ts";
import { mulberry32 } from "../support/prng.ts";

/** Decodes a binary string in one chunk. */
function decode(input: string, limits?: DecoderLimits): DecodedBatch {
  return new RespDecoder(limits).feed(bytesOf(input));
}

/** Decodes a binary string fed in the given chunk sizes (cycled). */
function decodeChunked(input: string, sizes: readonly number[]): DecodedBatch {
  const d = new RespDecoder();
  const bytes = bytesOf(input);
  const commands: string[][] = [];
  let error: string | undefined;
  for (let pos = 0, k = 0; pos < bytes.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    const batch = d.feed(bytes.subarray(pos, pos + n));
    commands.push(...batch.commands);
    error ??= batch.error;
    pos += n;
  }
  return error === undefined ? { commands } : { commands, error };
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

function limits(authenticated: boolean, maxBulkLen = 512 * 1024 * 1024): DecoderLimits {
  return { authenticated: () => authenticated, maxBulkLen: () => maxBulkLen };
}

Deno.test("multibulk requests decode to argument vectors, pipelined", () => {
  const batch = decode(encodeCommand(["SET", "k", "v"]) + encodeCommand(["GET", "k"]));
  assert.deepEqual(batch, { commands: [["SET", "k", "v"], ["GET", "k"]] });
});

Deno.test("empty bulks and zero-length commands", async (t) => {
  await t.step("an empty bulk is an empty argument", () => {
    assert.deepEqual(decode("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n").commands, [["ECHO", ""]]);
  });
  await t.step("a lone empty bulk is a command named ''", () => {
    assert.deepEqual(decode("*1\r\n$0\r\n\r\n").commands, [[""]]);
  });
  await t.step("*0, *-1 and any negative count are skipped", () => {
    assert.deepEqual(decode("*0\r\n*-1\r\n*-5\r\n*-2147483649\r\nPING\r\n"), {
      commands: [["PING"]],
    });
  });
  await t.step("empty and blank lines are skipped", () => {
    assert.deepEqual(decode("\r\n\n   \r\n\t\nPING\n  \n PING\r\n").commands, [
      ["PING"],
      ["PING"],
    ]);
  });
});

Deno.test("the two bytes after a bulk's data are skipped unchecked, as Redis does", () => {
  assert.deepEqual(decode("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n").commands, [["PING"], [
    "PING",
  ]]);
});

Deno.test("inline requests split as sdssplitargs does", async (t) => {
  // Each expectation was checked against redis-server 7.0.15.
  const cases: [string, string[]][] = [
    ["ECHO hello", ["ECHO", "hello"]],
    ["  ECHO   a  ", ["ECHO", "a"]],
    ['ECHO "a\\x41b\\n"', ["ECHO", "aAb\n"]],
    ['ECHO "\\xFf\\x00"', ["ECHO", "\xff\x00"]],
    ['ECHO "\\xzz"', ["ECHO", "xzz"]],
    ['ECHO "\\x4"', ["ECHO", "x4"]],
    ['ECHO "\\x4g"', ["ECHO", "x4g"]],
    ['ECHO "\\q"', ["ECHO", "q"]],
    ['ECHO "a\\"b"', ["ECHO", 'a"b']],
    ['ECHO "\\t\\b\\a\\r\\n\\\\"', ["ECHO", "\t\b\x07\r\n\\"]],
    ["ECHO 'a\\'b'", ["ECHO", "a'b"]],
    ["ECHO 'a\\nb'", ["ECHO", "a\\nb"]],
    ['ECHO "a\\\'b"', ["ECHO", "a'b"]],
    ['ECHO ""', ["ECHO", ""]],
    ["ECHO ''", ["ECHO", ""]],
    ['ECHO a"b"', ["ECHO", "ab"]],
    ['ECHO "a"\tb', ["ECHO", "a", "b"]],
    ['ECHO "a b" c', ["ECHO", "a b", "c"]],
    ["ECHO \x0bb\x0c", ["ECHO", "b\x0c"]],
    ["ECHO x\rb", ["ECHO", "x", "b"]],
    ["ECHO \xff\x80", ["ECHO", "\xff\x80"]],
  ];
  for (const [line, args] of cases) {
    await t.step(JSON.stringify(line), () => {
      assert.deepEqual(decode(line + "\r\n"), { commands: [args] });
      assert.deepEqual(decode(line + "\n"), { commands: [args] });
    });
  }
  await t.step("only one CR before the LF is part of the line end", () => {
    assert.deepEqual(decode("ECHO x\r\r\n").commands, [["ECHO", "x"]]);
  });
});

Deno.test("unbalanced quotes are a protocol error", async (t) => {
  for (
    const line of [
      'ECHO "abc',
      "ECHO 'abc",
      'ECHO "abc"d',
      "ECHO 'abc'd",
      'ECHO "a""b"',
      'ECHO "ab\\',
      'ECHO "ab\\"',
      "ECHO 'a'b'",
    ]
  ) {
    await t.step(JSON.stringify(line), () => {
      assert.deepEqual(decode(line + "\r\n"), {
        commands: [],
        error: "ERR Protocol error: unbalanced quotes in request",
      });
    });
  }
});

Deno.test("commands before a protocol error are kept and input after it is ignored", () => {
  const d = new RespDecoder();
  const batch = d.feed(bytesOf('PING\r\n*1\r\n$4\r\nPING\r\nECHO "x\r\nPING\r\n'));
  assert.deepEqual(batch, {
    commands: [["PING"], ["PING"]],
    error: "ERR Protocol error: unbalanced quotes in request",
  });
  assert.deepEqual(d.feed(bytesOf("PING\r\n")), {
    commands: [],
    error: "ERR Protocol error: unbalanced quotes in request",
  });
  assert.equal(d.buffered, 0);
});

Deno.test("malformed headers give Redis's protocol error texts", async (t) => {
  const invalidMultibulk = "ERR Protocol error: invalid multibulk length";
  const invalidBulk = "ERR Protocol error: invalid bulk length";
  const cases: [string, string][] = [
    ["*a\r\n", invalidMultibulk],
    ["*\r\n", invalidMultibulk],
    ["*01\r\n", invalidMultibulk],
    ["*+1\r\n", invalidMultibulk],
    ["* 1\r\n", invalidMultibulk],
    ["*1 \r\n", invalidMultibulk],
    ["*-0\r\n", invalidMultibulk],
    ["*1\n$4\r\n", invalidMultibulk],
    ["*2147483648\r\n", invalidMultibulk],
    ["*3000000000\r\n", invalidMultibulk],
    ["*9223372036854775807\r\n", invalidMultibulk],
    ["*99999999999999999999\r\n", invalidMultibulk],
    ["*-9223372036854775809\r\n", invalidMultibulk],
    ["*1\r\n$-1\r\n", invalidBulk],
    ["*1\r\n$-0\r\n", invalidBulk],
    ["*1\r\n$abc\r\n", invalidBulk],
    ["*1\r\n$\r\n", invalidBulk],
    ["*1\r\n$01\r\n", invalidBulk],
    ["*1\r\n$ 4\r\n", invalidBulk],
    ["*1\r\n$4 \r\n", invalidBulk],
    ["*1\r\n$536870913\r\n", invalidBulk],
    ["*1\r\n$9223372036854775807\r\n", invalidBulk],
    ["*1\r\n$9223372036854775808\r\n", invalidBulk],
    ["*1\r\n+foo\r\n", "ERR Protocol error: expected '$', got '+'"],
    ["*1\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'"],
    ["*1\r\n\xff\r\n", "ERR Protocol error: expected '$', got '\xff'"],
    // Redis turns CR and LF in error texts into spaces.
    ["*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"],
    ["*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '"],
    ["*1\rX\r\n", "ERR Protocol error: expected '$', got ' '"],
  ];
  for (const [input, error] of cases) {
    await t.step(JSON.stringify(input), () => {
      assert.deepEqual(decode(input), { commands: [], error });
    });
  }
});

Deno.test("counts and lengths at the limits are accepted and wait for their data", async (t) => {
  for (const input of ["*2147483647\r\n", "*1\r\n$536870912\r\n", "*1\r\n$4\rPING\r\n"]) {
    await t.step(JSON.stringify(input), () => {
      const d = new RespDecoder();
      assert.deepEqual(d.feed(bytesOf(input)), { commands: [] });
      assert.equal(d.error, undefined);
    });
  }
});

Deno.test("proto-max-bulk-len is read at each bulk header", () => {
  let max = 10;
  const d = new RespDecoder({ authenticated: () => true, maxBulkLen: () => max });
  assert.deepEqual(d.feed(bytesOf("*1\r\n$10\r\n0123456789\r\n")).commands, [["0123456789"]]);
  max = 9;
  assert.deepEqual(d.feed(bytesOf("*1\r\n$10\r\n")), {
    commands: [],
    error: "ERR Protocol error: invalid bulk length",
  });
});

Deno.test("unauthenticated clients are limited to 10 arguments and 16384-byte bulks", async (t) => {
  await t.step("11 arguments", () => {
    assert.deepEqual(decode("*11\r\n", limits(false)), {
      commands: [],
      error: "ERR Protocol error: unauthenticated multibulk length",
    });
    assert.deepEqual(decode("*11\r\n", limits(true)), { commands: [] });
  });
  await t.step("10 arguments pass", () => {
    const argv = Array.from({ length: 10 }, (_, i) => String(i));
    assert.deepEqual(decode(encodeCommand(argv), limits(false)).commands, [argv]);
  });
  await t.step("a 16385-byte bulk", () => {
    assert.deepEqual(decode("*1\r\n$16385\r\n", limits(false)), {
      commands: [],
      error: "ERR Protocol error: unauthenticated bulk length",
    });
  });
  await t.step("a 16384-byte bulk passes", () => {
    const big = "x".repeat(16384);
    assert.deepEqual(decode(encodeCommand(["ECHO", big]), limits(false)).commands, [[
      "ECHO",
      big,
    ]]);
  });
  await t.step("inline requests are not limited", () => {
    const line = "PING a b c d e f g h i j k l\r\n";
    assert.equal(decode(line, limits(false)).commands[0]!.length, 13);
  });
  await t.step("negative counts are skipped, not limited", () => {
    assert.deepEqual(decode("*-20\r\nPING\r\n", limits(false)).commands, [["PING"]]);
  });
  await t.step("an AUTH earlier in the same chunk lifts the limit for what follows", () => {
    let authenticated = false;
    const d = new RespDecoder({ authenticated: () => authenticated, maxBulkLen: () => 1e9 });
    const big = Array.from({ length: 11 }, () => "a");
    d.push(bytesOf(encodeCommand(["AUTH", "pw"]) + encodeCommand(big)));
    assert.deepEqual(d.next(), ["AUTH", "pw"]);
    authenticated = true; // the AUTH ran
    assert.deepEqual(d.next(), big);
    assert.equal(d.next(), undefined);
    assert.equal(d.error, undefined);
  });
});

Deno.test("lines without an end fail past 64 KiB with Redis's texts", async (t) => {
  const over = INLINE_MAX_SIZE + 1;
  const cases: [string, string][] = [
    ["*" + "1".repeat(over), "ERR Protocol error: too big mbulk count string"],
    ["*1\r\n$" + "1".repeat(over), "ERR Protocol error: too big bulk count string"],
    ["ECHO " + "a".repeat(over), "ERR Protocol error: too big inline request"],
  ];
  for (const [input, error] of cases) {
    await t.step(error, () => {
      assert.deepEqual(decode(input), { commands: [], error });
      assert.deepEqual(decodeChunked(input, [1000]), { commands: [], error });
    });
  }
  await t.step("exactly 64 KiB still waits", () => {
    assert.deepEqual(decode("a".repeat(INLINE_MAX_SIZE)), { commands: [] });
  });
  await t.step("a long line that ends in time is fine", () => {
    const arg = "a".repeat(INLINE_MAX_SIZE);
    assert.deepEqual(decode(`ECHO ${arg}\r\n`).commands, [["ECHO", arg]]);
  });
});

Deno.test("a NUL byte before a line end keeps the line waiting, as Redis's strchr does", async (t) => {
  await t.step("inline", () => {
    const d = new RespDecoder();
    assert.deepEqual(d.feed(bytesOf("PING\r\nECHO a\x00b\r\n")).commands, [["PING"]]);
    assert.deepEqual(d.feed(bytesOf("PING\r\n")), { commands: [] });
    assert.deepEqual(d.feed(bytesOf("a".repeat(INLINE_MAX_SIZE))), {
      commands: [],
      error: "ERR Protocol error: too big inline request",
    });
  });
  await t.step("headers", () => {
    assert.deepEqual(decode("*1\x00\r\n$4\r\nPING\r\n"), { commands: [] });
    assert.deepEqual(decode("*1\r\n\x00\r\n"), { commands: [] });
    assert.deepEqual(decode("*1\r\n$1\x00\r\nx\r\n"), { commands: [] });
    assert.deepEqual(decode("PING\r\n*1\x00\r\n" + "a".repeat(INLINE_MAX_SIZE)), {
      commands: [["PING"]],
      error: "ERR Protocol error: too big mbulk count string",
    });
  });
  await t.step("NUL inside bulk data is ordinary data", () => {
    assert.deepEqual(decode("*2\r\n$4\r\nECHO\r\n$3\r\n\x00\r\n\r\n").commands, [[
      "ECHO",
      "\x00\r\n",
    ]]);
  });
});

Deno.test("every byte value passes through bulks and inline escapes unchanged", () => {
  assert.deepEqual(decode(encodeCommand(["SET", ALL_BYTES, ALL_BYTES])).commands, [[
    "SET",
    ALL_BYTES,
    ALL_BYTES,
  ]]);
  let escaped = "";
  for (let i = 0; i < 256; i++) escaped += "\\x" + i.toString(16).padStart(2, "0");
  assert.deepEqual(decode(`ECHO "${escaped}"\r\n`).commands, [["ECHO", ALL_BYTES]]);
  // Bytes 128-255 and most controls are plain inline characters too.
  let plain = "";
  for (let i = 1; i < 256; i++) {
    if (!"\t\n\v\f\r \"'".includes(String.fromCharCode(i))) plain += String.fromCharCode(i);
  }
  assert.deepEqual(decode(`ECHO ${plain}\r\n`).commands, [["ECHO", plain]]);
});

/** A mix of every request form, including a bulk long enough to be gathered in parts. */
const MIXED = [
  encodeCommand(["SET", "key", "value"]),
  "PING\r\n",
  "\r\n",
  "  ECHO \"a b\\x41\" 'c\\'d'\n",
  "*0\r\n",
  encodeCommand(["ECHO", ALL_BYTES]),
  "*-1\r\n",
  encodeCommand(["SET", "big", "x".repeat(10000) + "\r\n" + "y".repeat(300)]),
  encodeCommand(["MSET", "a", "", "b", "\r\n"]),
  "GET big\r\n",
  encodeCommand(["ECHO", "z".repeat(4096)]),
  encodeCommand(["ECHO", "w".repeat(4095)]),
].join("");
const MIXED_COMMANDS = [
  ["SET", "key", "value"],
  ["PING"],
  ["ECHO", "a bA", "c'd"],
  ["ECHO", ALL_BYTES],
  ["SET", "big", "x".repeat(10000) + "\r\n" + "y".repeat(300)],
  ["MSET", "a", "", "b", "\r\n"],
  ["GET", "big"],
  ["ECHO", "z".repeat(4096)],
  ["ECHO", "w".repeat(4095)],
];

Deno.test("decoding resumes at every byte boundary", async (t) => {
  await t.step("in one chunk", () => {
    assert.deepEqual(decode(MIXED), { commands: MIXED_COMMANDS });
  });
  await t.step("split in two at every boundary", () => {
    const bytes = bytesOf(MIXED);
    for (let k = 1; k < bytes.length; k++) {
      const d = new RespDecoder();
      const a = d.feed(bytes.subarray(0, k));
      const b = d.feed(bytes.subarray(k));
      assert.deepEqual([...a.commands, ...b.commands], MIXED_COMMANDS, `split at ${k}`);
      assert.equal(a.error ?? b.error, undefined);
      assert.equal(d.buffered, 0);
    }
  });
  await t.step("one byte at a time", () => {
    assert.deepEqual(decodeChunked(MIXED, [1]), { commands: MIXED_COMMANDS });
  });
  await t.step("random chunkings", () => {
    const random = mulberry32(7);
    for (let round = 0; round < 300; round++) {
      const max = [3, 17, 200, 5000][round % 4]!;
      const sizes = Array.from({ length: 64 }, () => 1 + Math.floor(random() * max));
      assert.deepEqual(decodeChunked(MIXED, sizes), { commands: MIXED_COMMANDS }, `${sizes}`);
    }
  });
  await t.step("a protocol error is found wherever the input splits", () => {
    const input = MIXED + "*1\r\n$x\r\n" + encodeCommand(["PING"]);
    for (const size of [1, 2, 3, 7, 64, 4096]) {
      assert.deepEqual(decodeChunked(input, [size]), {
        commands: MIXED_COMMANDS,
        error: "ERR Protocol error: invalid bulk length",
      });
    }
  });
});

Deno.test("a pushed chunk may be reused once next() returns undefined", () => {
  const d = new RespDecoder();
  const buffer = new Uint8Array(64);
  const input = bytesOf(MIXED);
  const out: string[][] = [];
  for (let pos = 0; pos < input.length; pos += 13) {
    const part = input.subarray(pos, pos + 13);
    buffer.set(part);
    d.push(buffer.subarray(0, part.length));
    for (let argv = d.next(); argv !== undefined; argv = d.next()) out.push(argv);
    buffer.fill(0x2a); // scribble over the read buffer, as the next read would
  }
  assert.deepEqual(out, MIXED_COMMANDS);
});

Deno.test("decoding stays linear in input size", async (t) => {
  await t.step("a 50 MB bulk fed in 1 KB chunks", () => {
    const size = 50 * 1024 * 1024;
    const d = new RespDecoder();
    assert.deepEqual(d.feed(bytesOf(`*2\r\n$3\r\nSET\r\n$${size}\r\n`)).commands, []);
    const chunk = new Uint8Array(1024).fill(97);
    let got: string[][] = [];
    for (let sent = 0; sent < size; sent += 1024) {
      got = d.feed(chunk).commands;
      assert.equal(got.length, 0);
      assert.equal(d.buffered, sent + 1024);
    }
    got = d.feed(bytesOf("\r\n")).commands;
    assert.equal(got.length, 1);
    assert.equal(got[0]![1]!.length, size);
    assert.equal(got[0]![1]!.charCodeAt(size - 1), 97);
    assert.equal(d.buffered, 0);
  });
  await t.step("a 60 KB inline line fed byte by byte", () => {
    const arg = "b".repeat(60 * 1024);
    const bytes = bytesOf(`ECHO ${arg}\r\n`);
    const d = new RespDecoder();
    const out: string[][] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...d.feed(bytes.subarray(i, i + 1)).commands);
    assert.deepEqual(out, [["ECHO", arg]]);
  });
  await t.step("a 60 KB bulk header line fed byte by byte, then failing", () => {
    const d = new RespDecoder();
    const bytes = bytesOf("*1\r\n$" + "9".repeat(INLINE_MAX_SIZE + 1));
    let error: string | undefined;
    for (let i = 0; i < bytes.length; i++) error ??= d.feed(bytes.subarray(i, i + 1)).error;
    assert.equal(error, "ERR Protocol error: too big bulk count string");
  });
  await t.step("a pipeline of 100000 small commands in 1 KB chunks", () => {
    const one = encodeCommand(["SET", "k", "v"]);
    const input = one.repeat(100000);
    const batch = decodeChunked(input, [1024]);
    assert.equal(batch.commands.length, 100000);
  });
});

Deno.test("buffered counts the unparsed bytes of incomplete commands", () => {
  const d = new RespDecoder();
  d.feed(bytesOf("PING\r\n*1\r\n$4\r\nPI"));
  assert.equal(d.buffered, 2); // the headers are parsed already, as Redis trims its qbuf
  d.feed(bytesOf("N"));
  assert.equal(d.buffered, 3);
  d.feed(bytesOf("NG\r\n"));
  assert.equal(d.buffered, 0);
});

Deno.test("RespDecoderStream emits one batch per chunk and stops at a protocol error", async () => {
  const chunks = ["PI", "NG\r\n*1\r\n$4\r\nEC", "HO\r\nECHO a b\r\n", "*x\r\nPING\r\n", "PING\r\n"];
  const batches: DecodedBatch[] = [];
  const stream = ReadableStream.from(chunks.map(bytesOf)).pipeThrough(new RespDecoderStream());
  for await (const batch of stream) batches.push(batch);
  assert.deepEqual(batches, [
    { commands: [["PING"]] },
    { commands: [["ECHO"], ["ECHO", "a", "b"]] },
    { commands: [], error: "ERR Protocol error: invalid multibulk length" },
  ]);
});

Deno.test("RespDecoderStream applies its limits", async () => {
  const stream = ReadableStream.from([bytesOf("*11\r\n")]).pipeThrough(
    new RespDecoderStream(limits(false)),
  );
  const batches: DecodedBatch[] = [];
  for await (const batch of stream) batches.push(batch);
  assert.deepEqual(batches, [{
    commands: [],
    error: "ERR Protocol error: unauthenticated multibulk length",
  }]);
});

Deno.test("RespCommandStream hands over one lazy cursor per chunk", async (t) => {
  await t.step("commands split across chunks come out whole, in order", async () => {
    const chunks = ["PI", "NG\r\n*2\r\n$4\r\nEC", "HO\r\n$1\r\na\r\nPING\r\n"];
    const stream = ReadableStream.from(chunks.map(bytesOf)).pipeThrough(new RespCommandStream());
    const perChunk: string[][][] = [];
    for await (const cursor of stream) {
      const commands: string[][] = [];
      for (let argv = cursor.next(); argv !== undefined; argv = cursor.next()) commands.push(argv);
      assert.equal(cursor.error, undefined);
      perChunk.push(commands);
    }
    assert.deepEqual(perChunk, [[], [["PING"]], [["ECHO", "a"], ["PING"]]]);
  });
  await t.step("decoding is lazy: a limit sees the state set by a command before it", async () => {
    let authenticated = false;
    const input = encodeCommand(["AUTH", "pw"]) + "*11\r\n" + "$1\r\nx\r\n".repeat(11);
    const stream = ReadableStream.from([bytesOf(input)]).pipeThrough(
      new RespCommandStream({ authenticated: () => authenticated, maxBulkLen: () => 1e9 }),
    );
    for await (const cursor of stream) {
      assert.deepEqual(cursor.next(), ["AUTH", "pw"]);
      authenticated = true; // what running AUTH would do
      assert.equal(cursor.next()?.length, 11);
      assert.equal(cursor.next(), undefined);
      assert.equal(cursor.error, undefined);
    }
  });
  await t.step("a protocol error ends the cursor with the error", async () => {
    const stream = ReadableStream.from([bytesOf("PING\r\n*x\r\n")]).pipeThrough(
      new RespCommandStream(),
    );
    for await (const cursor of stream) {
      assert.deepEqual(cursor.next(), ["PING"]);
      assert.equal(cursor.next(), undefined);
      assert.equal(cursor.error, "ERR Protocol error: invalid multibulk length");
    }
  });
});

Deno.test("splitArgs splits config lines as sdssplitargs does", () => {
  assert.deepEqual(splitArgs(`requirepass "a b\\x21" 'c\\'d'`), ["requirepass", "a b!", "c'd"]);
  assert.deepEqual(splitArgs("   "), []);
  assert.equal(splitArgs(`bind "x`), null);
});

Deno.test("bytesToBinary and binaryToBytes round-trip every byte", () => {
  const bytes = binaryToBytes(ALL_BYTES);
  assert.equal(bytes.length, 256);
  assert.equal(bytesToBinary(bytes, 0, 256), ALL_BYTES);
  assert.equal(bytesToBinary(bytes, 250, 256), ALL_BYTES.slice(250));
  assert.equal(bytesToBinary(bytes.subarray(100), 0, 50), ALL_BYTES.slice(100, 150));
});

Deno.test("release() lets the caller reuse its read buffer before the chunk is used up", () => {
  const buffer = new Uint8Array(256);
  const d = new RespDecoder();
  const first = bytesOf(encodeCommand(["ECHO", "A"]) + "*1\r\n$4\r\nPI");
  buffer.set(first);
  d.push(buffer.subarray(0, first.length));
  assert.deepEqual(d.next(), ["ECHO", "A"]);
  // A blocked command: the caller reads again before draining the cursor.
  d.release();
  const second = bytesOf("NG\r\n" + encodeCommand(["ECHO", "x".repeat(100)]));
  buffer.set(second);
  d.push(buffer.subarray(0, second.length));
  assert.deepEqual(d.next(), ["PING"]);
  assert.deepEqual(d.next(), ["ECHO", "x".repeat(100)]);
  assert.equal(d.next(), undefined);
  assert.equal(d.error, undefined);
});

Deno.test("medium arguments decode exactly, repeated or colliding in the recent-strings cache", () => {
  const next = mulberry32(7);
  const args: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const len = 17 + Math.floor(next() * 48); // 17..64: the cached range
    let s = "";
    for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(next() * 256));
    args.push(s);
  }
  // Near-duplicates: one byte changed, same length.
  const near = args.slice(0, 200).map((s) => String.fromCharCode(s.charCodeAt(0) ^ 1) + s.slice(1));
  const input = [...args, ...near, ...args].map((a) => encodeCommand(["SET", a, a])).join("");
  const { commands, error } = decode(input);
  assert.equal(error, undefined);
  const expected = [...args, ...near, ...args];
  assert.equal(commands.length, expected.length);
  commands.forEach((argv, i) => assert.deepEqual(argv, ["SET", expected[i], expected[i]]));
});
