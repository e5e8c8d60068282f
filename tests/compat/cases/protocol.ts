/**
 * Differential cases for the protocol layer: inline commands and their
 * quoting, multibulk edge cases, pipelines, binary payloads and protocol
 * errors, sent as raw bytes.
 *
 * A step reads one reply; a step with `raw: ""` sends nothing and reads the
 * next reply of an earlier pipeline. A protocol error closes the connection,
 * so it ends its case (the step after it reads the close).
 *
 * @module
 */

import { ALL_BYTES, type CompatCase, type Step } from "../case.ts";

let HEX_ESCAPED = "";
for (let i = 0; i < 256; i++) HEX_ESCAPED += "\\x" + i.toString(16).padStart(2, "0");

/** A raw step, named after its bytes. */
function raw(bytes: string): Step {
  return {
    argv: [JSON.stringify(bytes.length > 60 ? bytes.slice(0, 60) + "..." : bytes)],
    raw: bytes,
  };
}

/** Reads the next reply of a pipeline sent earlier. */
const NEXT: Step = { argv: ["<next reply>"], raw: "" };

function bulk(s: string): string {
  return `*2\r\n$4\r\nECHO\r\n$${s.length}\r\n${s}\r\n`;
}

/** Cases compared byte for byte with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "inline commands with LF or CRLF, any case",
    steps: [raw("PING\r\n"), raw("ping\n"), raw("PiNg hello\r\n"), raw("ECHO  a\r\n")],
  },
  {
    name: "inline double quotes take \\x, \\n, \\r, \\t, \\b, \\a and escaped chars",
    steps: [
      raw('ECHO "a\\x41b\\n"\r\n'),
      raw('ECHO "\\t\\b\\a\\r\\\\\\""\r\n'),
      raw('ECHO "\\xzz\\x4\\x4g\\q"\r\n'),
      raw('ECHO "\\xFf\\x00\\X41"\r\n'),
      raw('ECHO "a b" \r\n'),
      raw('ECHO ""\r\n'),
      raw('ECHO a"b c"\r\n'),
    ],
  },
  {
    name: "inline single quotes take only \\'",
    steps: [
      raw("ECHO 'a\\'b'\r\n"),
      raw("ECHO 'a\\nb \\x41'\r\n"),
      raw("ECHO ''\r\n"),
      raw('ECHO "it\'s"\r\n'),
    ],
  },
  {
    name: "inline whitespace: tabs and CR split, vertical tab and form feed only between args",
    steps: [
      raw("ECHO\ta\r\n"),
      raw("ECHO x\rb\r\n"),
      raw("ECHO x\r\r\n"),
      raw("ECHO \x0bb\x0c\r\n"),
      raw('ECHO "a"\tb\r\n'),
    ],
  },
  {
    name: "inline empty arguments and odd names reach command lookup",
    steps: [raw('""\r\n'), raw("'' PING\r\n"), raw("$4\r\n"), raw("PING\r\n")],
  },
  {
    name: "empty lines, *0 and negative counts are skipped",
    steps: [
      raw("\r\n\r\n\n   \r\nPING\r\n"),
      raw("*0\r\n*-1\r\n*-5\r\nPING\r\n"),
      raw("*-2147483649\r\nECHO x\r\n"),
    ],
  },
  {
    name: "multibulk edge cases: empty bulk, empty name, unchecked trailing bytes",
    steps: [
      raw("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"),
      raw("*1\r\n$0\r\n\r\n"),
      raw("*1\r\n$4\r\nPINGxx"),
      raw("*1\r\n$4\r\nping\r\n"),
    ],
  },
  {
    name: "binary payloads: every byte value in a bulk, in \\x escapes, and CRLF inside data",
    steps: [
      raw(bulk(ALL_BYTES)),
      raw(`ECHO "${HEX_ESCAPED}"\r\n`),
      raw(bulk("\r\n*1\r\n$4\r\nPING\r\n")),
      raw(bulk("\x00")),
      raw("ECHO \xff\x80\xfe\r\n"),
    ],
  },
  {
    name: "binary keys and values survive SET and GET, multibulk and inline",
    steps: [
      raw(`*3\r\n$3\r\nSET\r\n$256\r\n${ALL_BYTES}\r\n$256\r\n${ALL_BYTES}\r\n`),
      raw(`*2\r\n$3\r\nGET\r\n$256\r\n${ALL_BYTES}\r\n`),
      raw(`GET "${HEX_ESCAPED}"\r\n`),
      raw('SET "\\x00\\xff" "a\\r\\nb"\r\n'),
      raw("*2\r\n$3\r\nGET\r\n$2\r\n\x00\xff\r\n"),
    ],
  },
  {
    name: "a pipeline of writes and reads keeps their order",
    steps: [raw("SET a 1\r\nGET a\r\nSET a '2 3'\r\nGET a\r\n"), NEXT, NEXT, NEXT],
  },
  {
    name: "a large bulk and a long inline line",
    steps: [raw(bulk("x".repeat(200000))), raw(`ECHO ${"y".repeat(60000)}\r\n`)],
  },
  {
    name: "a pipeline of mixed requests in one write gets every reply in order",
    steps: [
      raw("PING\r\n" + bulk("one") + 'ECHO "two"\n' + "*0\r\n" + bulk("three") + "ECHO\r\n"),
      NEXT,
      NEXT,
      NEXT,
      NEXT,
    ],
  },
  {
    name: "arity errors look the same for multibulk and inline requests",
    steps: [raw("*3\r\n$4\r\nPING\r\n$2\r\nab\r\n$2\r\ncd\r\n"), raw("PING ab cd\r\n")],
  },
  {
    name: "protocol error: invalid multibulk length, after the replies before it",
    steps: [raw("PING\r\n*a\r\nPING\r\n"), NEXT, NEXT],
  },
  {
    name: "protocol error: multibulk count over INT_MAX",
    steps: [raw("*2147483648\r\n"), NEXT],
  },
  {
    name: "protocol error: multibulk count with a leading zero",
    steps: [raw("*01\r\n$4\r\nPING\r\n"), NEXT],
  },
  {
    name: "protocol error: negative bulk length",
    steps: [raw("*1\r\n$-1\r\n"), NEXT],
  },
  {
    name: "protocol error: bulk length not a number",
    steps: [raw("*1\r\n$4x\r\nPING\r\n"), NEXT],
  },
  {
    name: "protocol error: bulk length over proto-max-bulk-len",
    steps: [raw("*1\r\n$536870913\r\n"), NEXT],
  },
  {
    name: "protocol error: expected '$'",
    steps: [raw("*2\r\n$4\r\nECHO\r\n+foo\r\n"), NEXT],
  },
  {
    name: "protocol error: expected '$' with CR shown as a space",
    steps: [raw("*1\r\n\r\n"), NEXT],
  },
  {
    name: "protocol error: unbalanced double quotes",
    steps: [raw('PING\r\nECHO "abc\r\n'), NEXT, NEXT],
  },
  {
    name: "protocol error: closing quote followed by a non-space",
    steps: [raw('ECHO "abc"d\r\n'), NEXT],
  },
  {
    name: "protocol error: unbalanced single quotes",
    steps: [raw("ECHO 'abc\r\n"), NEXT],
  },
  {
    name: "protocol error: too big inline request",
    steps: [raw("ECHO " + "a".repeat(70000)), NEXT],
  },
  {
    name: "protocol error: too big mbulk count string",
    steps: [raw("*" + "1".repeat(70000)), NEXT],
  },
  {
    name: "protocol error: too big bulk count string",
    steps: [raw("*1\r\n$" + "1".repeat(70000)), NEXT],
  },
];
