import assert from "node:assert/strict";
import { formatDouble, ReplyEncoder } from "../../src/resp/encoder.ts";
import {
  array,
  bulk,
  bulks,
  double,
  EMPTY_ARRAY,
  error,
  integer,
  map,
  NIL,
  NIL_ARRAY,
  NONE,
  OK,
  type Reply,
  simple,
  verbatim,
} from "../../src/resp/reply.ts";
import { latin1 } from "../support/raw_client.ts";

/** Encodes one reply and returns its bytes as a binary string. */
function encode(reply: Reply, resp: 2 | 3): string {
  const enc = new ReplyEncoder();
  enc.write(reply, resp);
  return latin1(enc.view());
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

Deno.test("every reply kind encodes as Redis sends it in RESP2 and RESP3", async (t) => {
  const set: Reply = { kind: "set", items: [bulk("a"), integer(1)] };
  const push: Reply = { kind: "push", items: [bulk("message"), bulk("ch"), bulk("hi")] };
  const cases: [string, Reply, string, string][] = [
    ["simple", OK, "+OK\r\n", "+OK\r\n"],
    ["simple PONG", simple("PONG"), "+PONG\r\n", "+PONG\r\n"],
    ["error", error("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
    ["integer 0", integer(0), ":0\r\n", ":0\r\n"],
    ["integer -1", integer(-1), ":-1\r\n", ":-1\r\n"],
    ["integer large", integer(1234567890123), ":1234567890123\r\n", ":1234567890123\r\n"],
    [
      "integer int64 max (bigint)",
      integer(9223372036854775807n),
      ":9223372036854775807\r\n",
      ":9223372036854775807\r\n",
    ],
    [
      "integer int64 min (bigint)",
      integer(-9223372036854775808n),
      ":-9223372036854775808\r\n",
      ":-9223372036854775808\r\n",
    ],
    ["bulk", bulk("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n"],
    ["empty bulk", bulk(""), "$0\r\n\r\n", "$0\r\n\r\n"],
    ["binary bulk", bulk(ALL_BYTES), `$256\r\n${ALL_BYTES}\r\n`, `$256\r\n${ALL_BYTES}\r\n`],
    ["nil", NIL, "$-1\r\n", "_\r\n"],
    ["bulk(null)", bulk(null), "$-1\r\n", "_\r\n"],
    ["nil array", NIL_ARRAY, "*-1\r\n", "_\r\n"],
    ["empty array", EMPTY_ARRAY, "*0\r\n", "*0\r\n"],
    [
      "nested array",
      array([integer(1), array([bulk("a"), NIL]), simple("x")]),
      "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n",
      "*3\r\n:1\r\n*2\r\n$1\r\na\r\n_\r\n+x\r\n",
    ],
    [
      "bulks",
      bulks(["a", null, ""]),
      "*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n",
      "*3\r\n$1\r\na\r\n_\r\n$0\r\n\r\n",
    ],
    [
      "map",
      map([[bulk("k"), integer(1)], [bulk("j"), NIL]]),
      "*4\r\n$1\r\nk\r\n:1\r\n$1\r\nj\r\n$-1\r\n",
      "%2\r\n$1\r\nk\r\n:1\r\n$1\r\nj\r\n_\r\n",
    ],
    ["empty map", map([]), "*0\r\n", "%0\r\n"],
    ["set", set, "*2\r\n$1\r\na\r\n:1\r\n", "~2\r\n$1\r\na\r\n:1\r\n"],
    [
      "push",
      push,
      "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
      ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
    ],
    ["double", double(1.1), "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"],
    ["double inf", double(Infinity), "$3\r\ninf\r\n", ",inf\r\n"],
    ["double -inf", double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
    ["double 0", double(0), "$1\r\n0\r\n", ",0\r\n"],
    ["double 1e17", double(1e17), "$5\r\n1e+17\r\n", ",1e+17\r\n"],
    ["boolean true", { kind: "boolean", value: true }, ":1\r\n", "#t\r\n"],
    ["boolean false", { kind: "boolean", value: false }, ":0\r\n", "#f\r\n"],
    [
      "verbatim",
      verbatim("hello\r\nworld"),
      "$12\r\nhello\r\nworld\r\n",
      "=16\r\ntxt:hello\r\nworld\r\n",
    ],
    ["verbatim markdown", verbatim("# x", "mkd"), "$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n"],
    ["none", NONE, "", ""],
  ];
  for (const [name, reply, resp2, resp3] of cases) {
    await t.step(name, () => {
      assert.equal(encode(reply, 2), resp2);
      assert.equal(encode(reply, 3), resp3);
    });
  }
});

Deno.test("formatDouble matches C's %.17g", async (t) => {
  // Expected texts from C printf("%.17g"), as Redis 7.0.15 sends them.
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "-0"],
    [1e-5, "1.0000000000000001e-05"],
    [1e17, "1e+17"],
    [123456789012345678, "1.2345678901234568e+17"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
    [1.1, "1.1000000000000001"],
    [0.1, "0.10000000000000001"],
    [1 / 3, "0.33333333333333331"],
    [1e21, "1e+21"],
    [1e-4, "0.0001"],
    [0.0001234, "0.00012339999999999999"],
    [5e-324, "4.9406564584124654e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-1.5, "-1.5"],
    [2.5, "2.5"],
    [100, "100"],
    [1e16, "10000000000000000"],
    [99999999999999999, "1e+17"],
    [3.14159, "3.1415899999999999"],
    [-2.5e-7, "-2.4999999999999999e-07"],
    [0.5, "0.5"],
    [1e15, "1000000000000000"],
    [12345.6789, "12345.678900000001"],
    [4.35, "4.3499999999999996"],
    [2 ** 53, "9007199254740992"],
    [2 ** 53 + 2, "9007199254740994"],
    [-1e-300, "-1e-300"],
    [1234567890123456.7, "1234567890123456.8"],
    // Exact ties at the 18th digit round half to even, as C does.
    [25267548919.664062, "25267548919.664062"],
    [228505710917.82812, "228505710917.82812"],
    [-9210698976.910156, "-9210698976.9101562"],
    [102609469208.64062, "102609469208.64062"],
    [85855484008.78906, "85855484008.789062"],
  ];
  for (const [value, text] of cases) {
    await t.step(`${Object.is(value, -0) ? "-0" : value} -> ${text}`, () => {
      assert.equal(formatDouble(value), text);
    });
  }
  await t.step("every text reads back as the same double", () => {
    let seed = 12345;
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    for (let i = 0; i < 20000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      words[0] = seed;
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      words[1] = seed;
      const d = bits[0]!;
      if (!Number.isFinite(d)) continue;
      const text = formatDouble(d);
      assert.equal(Number(text), d, text);
      assert.match(text, /^-?(\d+(\.\d*[1-9])?|\d(\.\d*[1-9])?e[-+]\d\d+)$/);
    }
  });
});

Deno.test("the encoder grows for big replies and keeps order across consume", async (t) => {
  await t.step("a 3 MB bulk and a 100000-element array", () => {
    const enc = new ReplyEncoder();
    const big = "v".repeat(3 * 1024 * 1024);
    enc.write(bulk(big), 2);
    const items = Array.from({ length: 100000 }, (_, i) => integer(i));
    enc.write(array(items), 2);
    const out = latin1(enc.view());
    const head = `$${big.length}\r\n`;
    assert.equal(out.slice(0, head.length), head);
    assert.equal(
      out.slice(head.length + big.length, head.length + big.length + 10),
      "\r\n*100000\r",
    );
    assert.ok(out.endsWith(":99998\r\n:99999\r\n"));
    assert.equal(enc.length, out.length);
  });
  await t.step("consume keeps what was written after the sent part", () => {
    const enc = new ReplyEncoder();
    enc.write(simple("A"), 2);
    const sent = enc.length;
    enc.write(bulk("x".repeat(40000)), 2);
    enc.write(integer(7), 2);
    enc.consume(sent);
    assert.equal(latin1(enc.view()), `$40000\r\n${"x".repeat(40000)}\r\n:7\r\n`);
    enc.consume(8);
    assert.equal(latin1(enc.view()).slice(0, 3), "xxx");
    enc.consume(enc.length);
    assert.equal(enc.length, 0);
    enc.write(OK, 3);
    assert.equal(latin1(enc.view()), "+OK\r\n");
  });
  await t.step("a buffer grown past 1 MiB is dropped once drained", () => {
    const enc = new ReplyEncoder();
    enc.write(bulk("z".repeat(2 * 1024 * 1024)), 2);
    enc.consume(enc.length);
    enc.write(bulk("small"), 2);
    assert.equal(latin1(enc.view()), "$5\r\nsmall\r\n");
    assert.ok(enc.view().buffer.byteLength < 1024 * 1024);
  });
});
