/**
 * Differential cases for the connection group.
 *
 * CLIENT ID, CLIENT LIST / INFO and HELLO's `id` differ between servers, so
 * those replies are compared by type. Password cases (requirepass) live in
 * the unit tests: the differential servers run without one.
 *
 * @module
 */

import type { CompatCase, Step } from "../case.ts";
import { encodeCommand } from "../../support/raw_client.ts";

/** Several commands sent in one write; the first reply is compared. */
function pipeline(...commands: string[][]): Step {
  return { argv: commands[0]!, raw: commands.map(encodeCommand).join("") };
}

/** Cases compared byte for byte with a real redis-server. */
export const CASES: readonly CompatCase[] = [
  {
    name: "PING with and without a message, and too many arguments",
    steps: [["PING"], ["PING", "hello"], ["PING", "\x00\xff"], ["ping", "a", "b"]],
  },
  {
    name: "ECHO is binary safe and needs one argument",
    steps: [["ECHO", "x\r\ny\x00\xff"], ["ECHO", ""], ["ECHO"], ["ECHO", "a", "b"]],
  },
  {
    name: "SELECT accepts 0-15 and rejects everything else",
    steps: [
      ["SELECT", "15"],
      ["SELECT", "0"],
      ["SELECT", "16"],
      ["SELECT", "-1"],
      ["SELECT", "1.5"],
      ["SELECT", "abc"],
      ["SELECT", " 1"],
      ["SELECT", "2147483648"],
      ["SELECT", "-2147483649"],
      ["SELECT", "99999999999999999999"],
      ["SELECT"],
      ["SELECT", "1", "2"],
    ],
  },
  {
    name: "AUTH without a configured password",
    steps: [
      ["AUTH", "pw"],
      ["AUTH", "default", "anything"],
      ["AUTH", "otheruser", "pw"],
      ["AUTH", "a", "b", "c"],
      ["AUTH"],
    ],
  },
  {
    name: "HELLO protocol version errors",
    steps: [
      ["HELLO", "4"],
      ["HELLO", "1"],
      ["HELLO", "0"],
      ["HELLO", "-1"],
      ["HELLO", "4", "junk"],
      ["HELLO", "abc"],
      ["HELLO", "03"],
      ["HELLO", "3.0"],
      ["HELLO", "99999999999999999999"],
      ["HELLO", "abc", "AUTH", "a", "b"],
    ],
  },
  {
    name: "HELLO option errors and their order",
    steps: [
      ["HELLO", "3", "foo"],
      ["HELLO", "3", "AUTH"],
      ["HELLO", "3", "auth", "a"],
      ["HELLO", "3", "setname"],
      ["HELLO", "3", "a\r\nb"],
      ["HELLO", "3", "\xff"],
      ["HELLO", "2", "SETNAME", "x y"],
      ["HELLO", "2", "SETNAME", "x y", "junk"],
      ["HELLO", "2", "junk", "AUTH", "a", "b"],
      ["HELLO", "2", "AUTH", "nobody", "pw"],
      ["HELLO", "2", "AUTH", "nobody", "pw", "junk"],
      ["HELLO", "2", "AUTH", "default", "x", "junk"],
      ["HELLO", "3", "SETNAME", "early", "junk"],
      ["CLIENT", "GETNAME"],
      ["PING"],
    ],
  },
  {
    name: "HELLO replies and switches protocols",
    steps: [
      { argv: ["HELLO"], compare: "type" },
      ["CLIENT", "GETNAME"],
      { argv: ["HELLO", "3"], compare: "type" },
      ["CLIENT", "GETNAME"],
      ["PING"],
      { argv: ["HELLO", "3", "AUTH", "default", "x", "SETNAME", "n3"], compare: "type" },
      ["CLIENT", "GETNAME"],
      { argv: ["HELLO", "2", "setname", ""], compare: "type" },
      ["CLIENT", "GETNAME"],
    ],
  },
  {
    name: "RESET restores db, protocol, name and replies",
    steps: [
      { argv: ["HELLO", "3", "SETNAME", "n"], compare: "type" },
      ["SELECT", "5"],
      pipeline(["CLIENT", "REPLY", "OFF"], ["RESET"]),
      ["CLIENT", "GETNAME"],
      ["RESET", "x"],
    ],
  },
  {
    name: "RESET in RESP3 replies +RESET",
    resp: 3,
    steps: [["CLIENT", "GETNAME"], ["RESET"], ["CLIENT", "GETNAME"]],
  },
  {
    name: "CLIENT container errors",
    steps: [
      ["CLIENT"],
      ["CLIENT", "nosuch"],
      ["CLIENT", "nosuch", "a"],
      ["CLIENT", "ID", "x"],
      ["CLIENT", "GETNAME", "x"],
      ["CLIENT", "SETNAME"],
      ["CLIENT", "SETNAME", "a", "b"],
      ["CLIENT", "INFO", "x"],
      ["CLIENT", "REPLY"],
      ["CLIENT", "REPLY", "ON", "x"],
      ["CLIENT", "NO-EVICT"],
      ["CLIENT", "HELP", "x"],
      ["CLIENT", "KILL"],
    ],
  },
  {
    name: "CLIENT ID, SETNAME and GETNAME",
    steps: [
      { argv: ["CLIENT", "ID"], compare: "type" },
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "a b"],
      ["CLIENT", "SETNAME", "a\nb"],
      ["CLIENT", "SETNAME", "\x7f"],
      ["CLIENT", "SETNAME", "\xe9"],
      ["CLIENT", "SETNAME", "~!{}"],
      ["CLIENT", "GETNAME"],
      ["client", "setname", ""],
      ["CLIENT", "GETNAME"],
    ],
  },
  {
    name: "CLIENT GETNAME in RESP3 is a null",
    resp: 3,
    steps: [["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "x"], ["CLIENT", "GETNAME"]],
  },
  {
    name: "CLIENT LIST and INFO replies and filters",
    steps: [
      { argv: ["CLIENT", "LIST"], compare: "type" },
      { argv: ["CLIENT", "INFO"], compare: "type" },
      { argv: ["CLIENT", "LIST", "TYPE", "normal"], compare: "type" },
      ["CLIENT", "LIST", "TYPE", "pubsub"],
      ["CLIENT", "LIST", "type", "MASTER"],
      ["CLIENT", "LIST", "TYPE", "replica"],
      ["CLIENT", "LIST", "TYPE", "slave"],
      ["CLIENT", "LIST", "ID", "999999"],
      ["CLIENT", "LIST", "ID", "0", "-5"],
    ],
  },
  {
    name: "CLIENT LIST and INFO are verbatim strings in RESP3",
    resp: 3,
    steps: [
      { argv: ["CLIENT", "LIST"], compare: "type" },
      { argv: ["CLIENT", "INFO"], compare: "type" },
      ["CLIENT", "LIST", "ID", "999999"],
    ],
  },
  {
    name: "CLIENT LIST errors",
    steps: [
      ["CLIENT", "LIST", "foo"],
      ["CLIENT", "LIST", "TYPE"],
      ["CLIENT", "LIST", "TYPE", "foo"],
      ["CLIENT", "LIST", "TYPE", "a\r\nb"],
      ["CLIENT", "LIST", "TYPE", "normal", "x"],
      ["CLIENT", "LIST", "ID"],
      ["CLIENT", "LIST", "ID", "abc"],
      ["CLIENT", "LIST", "ID", "1.0"],
      ["CLIENT", "LIST", "ID", "01"],
      ["CLIENT", "LIST", "ID", "99999999999999999999"],
      ["CLIENT", "LIST", "ID", "1", "TYPE", "normal"],
    ],
  },
  {
    name: "CLIENT KILL replies and errors",
    steps: [
      ["CLIENT", "KILL", "1.2.3.4:5"],
      ["CLIENT", "KILL", "x"],
      ["CLIENT", "KILL", "ID"],
      ["CLIENT", "KILL", "USER"],
      ["CLIENT", "KILL", "ID", "999999"],
      ["CLIENT", "KILL", "ID", "999999", "ID", "999998"],
      ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
      ["CLIENT", "KILL", "LADDR", "x"],
      ["CLIENT", "KILL", "TYPE", "pubsub"],
      ["CLIENT", "KILL", "TYPE", "MASTER"],
      ["CLIENT", "KILL", "TYPE", "slave"],
      ["CLIENT", "KILL", "ID", "999999", "SKIPME", "no"],
      ["CLIENT", "KILL", "ID", "abc"],
      ["CLIENT", "KILL", "ID", "0"],
      ["CLIENT", "KILL", "ID", "-1"],
      ["CLIENT", "KILL", "ID", "1.5"],
      ["CLIENT", "KILL", "ID", "99999999999999999999"],
      ["CLIENT", "KILL", "ID", "1", "x"],
      ["CLIENT", "KILL", "foo", "bar"],
      ["CLIENT", "KILL", "MAXAGE", "5"],
      ["CLIENT", "KILL", "SKIPME", "maybe"],
      ["CLIENT", "KILL", "TYPE", "foo"],
      ["CLIENT", "KILL", "TYPE", "x\ny"],
      ["CLIENT", "KILL", "ID", "1", "TYPE", "foo"],
      ["CLIENT", "KILL", "TYPE", "foo", "ID", "abc"],
      ["CLIENT", "KILL", "USER", "nobody"],
      ["CLIENT", "KILL", "USER", "a\nb"],
    ],
  },
  {
    name: "CLIENT KILL of the caller replies, then closes",
    steps: [
      { argv: ["CLIENT", "KILL", "USER", "default", "SKIPME", "no"], compare: "type" },
      ["PING"],
    ],
  },
  {
    name: "CLIENT REPLY OFF, SKIP and ON",
    steps: [
      pipeline(["CLIENT", "REPLY", "OFF"], ["PING", "1"], ["nosuch"], ["CLIENT", "REPLY", "ON"]),
      pipeline(["CLIENT", "REPLY", "SKIP"], ["PING", "1"], ["PING", "2"]),
      pipeline(
        ["CLIENT", "REPLY", "SKIP"],
        ["CLIENT", "REPLY", "SKIP"],
        ["PING", "1"],
        ["PING", "2"],
      ),
      pipeline(["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"]),
      pipeline(
        ["CLIENT", "REPLY", "OFF"],
        ["CLIENT", "REPLY", "SKIP"],
        ["PING", "1"],
        ["CLIENT", "REPLY", "ON"],
      ),
      pipeline(["CLIENT", "REPLY", "SKIP"], ["RESET"], ["PING", "3"]),
      ["CLIENT", "REPLY", "maybe"],
    ],
  },
  {
    name: "CLIENT NO-EVICT",
    steps: [
      ["CLIENT", "NO-EVICT", "on"],
      ["CLIENT", "NO-EVICT", "OFF"],
      ["CLIENT", "NO-EVICT", "maybe"],
    ],
  },
  {
    name: "CLIENT HELP text",
    steps: [["CLIENT", "HELP"], ["client", "help"]],
  },
  {
    name: "CLIENT HELP in RESP3",
    resp: 3,
    steps: [["CLIENT", "HELP"]],
  },
  {
    name: "QUIT replies OK and closes",
    steps: [["QUIT", "extra"], ["PING"]],
  },
];
