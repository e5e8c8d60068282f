/**
 * Differential cases for XPENDING, XCLAIM, XAUTOCLAIM and XINFO.
 *
 * Replies that carry times (XPENDING's idle times, XINFO CONSUMERS' idle,
 * XINFO STREAM FULL's delivery and seen times) differ between two servers
 * by a millisecond or so: those steps compare the reply's shape
 * (`compare: "type"`), and the steps around them check the values that do
 * not depend on the clock (the PEL summary, XINFO GROUPS, the IDs
 * claimed). tests/commands/stream_info_test.ts checks the times exactly
 * against resplite's manual clock.
 *
 * @module
 */

import { type CompatCase, on, type Step } from "../case.ts";
import { Random } from "../../../src/random.ts";

const shape = (...argv: string[]): Step => ({ argv, compare: "type" });

/** The commands every case here needs from the other stream groups. */
const NEEDS = ["xadd", "xgroup", "xreadgroup", "xack", "xdel", "xtrim"];

/**
 * A stream `s` of four entries, a group `g`, and two consumers: `bob`
 * holding 1-0 and 2-0, `alice` holding 3-0 and 4-0.
 */
const FIXTURE: readonly (readonly string[])[] = [
  ["XADD", "s", "1-0", "f", "v1"],
  ["XADD", "s", "2-0", "f", "v2", "g", "w"],
  ["XADD", "s", "3-0", "f", "v3"],
  ["XADD", "s", "4-0", "a", "\x00\xff\r\n"],
  ["XGROUP", "CREATE", "s", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"],
  ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
];

/** Wrong number of arguments. */
const ARITY: readonly (readonly string[])[] = [
  ["XPENDING", "s"],
  ["XCLAIM", "s", "g", "c", "0"],
  ["XAUTOCLAIM", "s", "g", "c", "0"],
  ["XINFO"],
  ["XINFO", "STREAM"],
  ["XINFO", "GROUPS"],
  ["XINFO", "GROUPS", "s", "x"],
  ["XINFO", "CONSUMERS", "s"],
  ["XINFO", "CONSUMERS", "s", "g", "x"],
  ["XINFO", "HELP", "x"],
];

/** Every command against a string key. */
const WRONG_TYPE: readonly (readonly string[])[] = [
  ["XPENDING", "str", "g"],
  ["XPENDING", "str", "g", "-", "+", "10"],
  ["XCLAIM", "str", "g", "c", "0", "1-0"],
  ["XCLAIM", "str", "g", "c", "x", "1-0"],
  ["XAUTOCLAIM", "str", "g", "c", "0", "0"],
  ["XINFO", "STREAM", "str"],
  ["XINFO", "STREAM", "str", "FULL"],
  ["XINFO", "GROUPS", "str"],
  ["XINFO", "CONSUMERS", "str", "g"],
];

const XPENDING_ERRORS: readonly (readonly string[])[] = [
  ["XPENDING", "s", "g", "-"],
  ["XPENDING", "s", "g", "-", "+"],
  ["XPENDING", "s", "g", "-", "+", "10", "c", "x", "y"],
  ["XPENDING", "s", "g", "IDLE", "10", "-", "+", "10", "c", "x"],
  ["XPENDING", "s", "g", "IDLE", "10", "-"],
  ["XPENDING", "s", "g", "IDLE", "10", "-", "+"],
  ["XPENDING", "s", "g", "IDLE", "x", "-"],
  ["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"],
  ["XPENDING", "s", "g", "IDLE", "1.5", "-", "+", "10"],
  ["XPENDING", "s", "g", "-", "+", "x"],
  ["XPENDING", "s", "g", "-", "+", "1.0"],
  ["XPENDING", "s", "g", "x", "+", "10"],
  ["XPENDING", "s", "g", "-", "x", "10"],
  ["XPENDING", "s", "g", "x", "y", "z"],
  ["XPENDING", "s", "g", "(-", "+", "10"],
  ["XPENDING", "s", "g", "-", "(+", "10"],
  ["XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "10"],
  ["XPENDING", "s", "g", "-", "(0-0", "10"],
  ["XPENDING", "s", "g", "-", "(0", "10"],
  ["XPENDING", "s", "g", "1-2-3", "+", "10"],
  ["XPENDING", "s", "g", "18446744073709551616", "+", "10"],
  ["XPENDING", "s", "nogroup"],
  ["XPENDING", "s", "nogroup", "-", "+", "10"],
  ["XPENDING", "missing", "g"],
  ["XPENDING", "missing", "g", "-", "+", "10"],
  ["XPENDING", "missing", "g", "-", "+", "x"],
  ["XPENDING", "missing", "g\r\nx", "-", "+", "1"],
  ["XPENDING", "miss\x00ing", "g\x00h"],
];

const XCLAIM_ERRORS: readonly (readonly string[])[] = [
  ["XCLAIM", "missing", "g", "c", "0", "1-0"],
  ["XCLAIM", "missing", "g", "c", "x", "1-0"],
  ["XCLAIM", "s", "nogroup", "c", "0", "1-0"],
  ["XCLAIM", "s", "g", "c", "x", "1-0"],
  ["XCLAIM", "s", "g", "c", "1.5", "1-0"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "IDLE", "x"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "TIME", "x"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "RETRYCOUNT", "x"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "x"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "-"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "+"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "IDLE"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "TIME"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "RETRYCOUNT"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "LASTID"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "FOO"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "JUSTID", "2-0"],
  ["XCLAIM", "s", "g", "c", "0", "-"],
  ["XCLAIM", "s", "g", "c", "0", "+"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "bad\r\nopt"],
  ["XCLAIM", "s", "g", "c", "0", "1-0", "bad\x00opt"],
  ["XCLAIM", "s", "g", "c", "0", "x\x00y"],
];

const XAUTOCLAIM_ERRORS: readonly (readonly string[])[] = [
  ["XAUTOCLAIM", "s", "g", "c", "x", "0"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "x"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "(-"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "-1"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "5497558138881", "JUSTID"],
  ["XAUTOCLAIM", "s", "nogroup", "c", "0", "0", "COUNT", "576460752303423487"],
  ["XAUTOCLAIM", "str", "g", "c", "0", "0", "COUNT", "576460752303423487"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "9223372036854775807"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0", "JUSTID", "x"],
  ["XAUTOCLAIM", "s", "nogroup", "c", "0", "0"],
  ["XAUTOCLAIM", "missing", "g", "c", "0", "0"],
  ["XAUTOCLAIM", "missing", "g", "c", "x", "0"],
  ["XAUTOCLAIM", "missing", "g", "c", "0", "0", "COUNT", "0"],
];

const XINFO_ERRORS: readonly (readonly string[])[] = [
  ["XINFO", "STREAM", "missing"],
  ["XINFO", "STREAM", "missing", "FULL"],
  ["XINFO", "STREAM", "missing", "x", "y"],
  ["XINFO", "GROUPS", "missing"],
  ["XINFO", "CONSUMERS", "missing", "g"],
  ["XINFO", "CONSUMERS", "s", "nogroup"],
  ["XINFO", "CONSUMERS", "s", "no\r\ngroup"],
  ["XINFO", "STREAM", "s", "x"],
  ["XINFO", "STREAM", "s", "FULL", "COUNT"],
  ["XINFO", "STREAM", "s", "FULL", "x", "1"],
  ["XINFO", "STREAM", "s", "x", "COUNT", "1"],
  ["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
  ["XINFO", "STREAM", "s", "FULL", "COUNT", "1", "x"],
  ["xinfo", "stream", "s", "x"],
  ["XINFO", "FOO"],
  ["XINFO", "FOO", "s"],
  ["XINFO", "help"],
  ["xinfo", "Help"],
];

function errorCases(name: string, list: readonly (readonly string[])[]): CompatCase {
  return {
    name,
    requires: NEEDS,
    steps: [["SET", "str", "x"], ...FIXTURE, ...list],
  };
}

/**
 * A seeded random consumer-group session whose replies do not depend on
 * the clock (min-idle-time 0, no TIME): adds, reads with `>`, acks,
 * deletes, claims of every form, with the PEL summary and the groups
 * checked every few commands.
 */
function randomSession(seed: number, length: number): CompatCase {
  const random = new Random(seed);
  const pick = <T>(items: readonly T[]): T => items[random.below(items.length)]!;
  let next = 1;
  const id = () => `${1 + random.below(next + 2)}-0`;
  const steps: Step[] = [["XGROUP", "CREATE", "s", "g1", "0", "MKSTREAM"]];
  for (let i = 0; i < length; i++) {
    const group = pick(["g1", "g2"]);
    const consumer = pick(["c1", "c2", "c3"]);
    switch (random.below(8)) {
      case 0:
      case 1:
        steps.push(["XADD", "s", `${next++}-0`, "f", String(random.below(100))]);
        break;
      case 2:
        steps.push(["XREADGROUP", "GROUP", group, consumer, "COUNT", "3", "STREAMS", "s", ">"]);
        break;
      case 3:
        steps.push(random.next() < 0.5 ? ["XACK", "s", group, id()] : ["XDEL", "s", id()]);
        break;
      case 4:
      case 5: {
        const argv = ["XCLAIM", "s", group, consumer, "0", id(), id()];
        if (random.next() < 0.3) argv.push("IDLE", "10");
        if (random.next() < 0.3) argv.push("RETRYCOUNT", pick(["0", "4"]));
        if (random.next() < 0.3) argv.push("FORCE");
        if (random.next() < 0.3) argv.push("JUSTID");
        if (random.next() < 0.2) argv.push("LASTID", id());
        steps.push(argv);
        break;
      }
      case 6: {
        const argv = ["XAUTOCLAIM", "s", group, consumer, "0", pick(["0", id(), `(${id()}`])];
        if (random.next() < 0.6) argv.push("COUNT", String(1 + random.below(3)));
        if (random.next() < 0.3) argv.push("JUSTID");
        steps.push(argv);
        break;
      }
      default:
        steps.push(["XGROUP", "CREATE", "s", group, pick(["0", "$"])]);
    }
    if (i % 10 === 9) steps.push(["XPENDING", "s", group], ["XINFO", "GROUPS", "s"]);
  }
  return { name: `a random consumer-group session (seed ${seed})`, requires: NEEDS, steps };
}

/** The cases. */
export const CASES: readonly CompatCase[] = [
  errorCases("wrong number of arguments", ARITY),
  errorCases("every command against a string key answers WRONGTYPE", WRONG_TYPE),
  errorCases("XPENDING's errors, in Redis's order of checks", XPENDING_ERRORS),
  errorCases("XCLAIM's errors: NOGROUP first, then the arguments", XCLAIM_ERRORS),
  errorCases("XAUTOCLAIM's errors: the arguments first, then NOGROUP", XAUTOCLAIM_ERRORS),
  errorCases("XINFO's errors and HELP", XINFO_ERRORS),
  randomSession(1, 300),
  randomSession(2, 300),
  {
    name: "XPENDING summary of an empty PEL, then of two consumers in name order",
    requires: NEEDS,
    steps: [
      ["XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"],
      ["XPENDING", "e", "g"],
      ["XPENDING", "e", "g", "-", "+", "10"],
      ...FIXTURE,
      ["XPENDING", "s", "g"],
      ["XADD", "s", "5-0", "f", "v"],
      ["XREADGROUP", "GROUP", "g", "Zed", "STREAMS", "s", ">"],
      ["XADD", "s", "6-0", "f", "v"],
      ["XREADGROUP", "GROUP", "g", "a\x00b", "STREAMS", "s", ">"],
      ["XPENDING", "s", "g"],
      ["XACK", "s", "g", "5-0"],
      ["XPENDING", "s", "g"],
    ],
  },
  {
    name: "XPENDING extended form: bounds, count, consumer, IDLE",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      shape("XPENDING", "s", "g", "-", "+", "10"),
      shape("XPENDING", "s", "g", "-", "+", "2"),
      shape("XPENDING", "s", "g", "(1-0", "(4-0", "10"),
      shape("XPENDING", "s", "g", "2", "3", "10"),
      shape("XPENDING", "s", "g", "-", "+", "10", "alice"),
      shape("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"),
      shape("XPENDING", "s", "g", "idle", "-5", "-", "+", "10", "bob"),
      ["XPENDING", "s", "g", "-", "+", "0"],
      ["XPENDING", "s", "g", "-", "+", "-3"],
      ["XPENDING", "s", "g", "-", "+", "10", "nobody"],
      ["XPENDING", "s", "g", "-", "+", "0", "nobody"],
      ["XPENDING", "s", "g", "3", "2", "10"],
      ["XPENDING", "s", "g", "(2-0", "(3-0", "10"],
      ["XPENDING", "s", "g", "5", "+", "10"],
      ["XPENDING", "s", "g", "IDLE", "3600000", "-", "+", "10"],
      ["XPENDING", "s", "g", "IDLE", "3600000", "-", "+", "10", "alice"],
    ],
  },
  {
    name: "XCLAIM moves entries to another consumer, with entries or JUSTID",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      ["XCLAIM", "s", "g", "alice", "0", "1-0"],
      ["XPENDING", "s", "g"],
      ["XCLAIM", "s", "g", "carol", "0", "2", "4-0", "9-0", "JUSTID"],
      ["XPENDING", "s", "g"],
      ["XINFO", "GROUPS", "s"],
      ["XCLAIM", "s", "g", "carol", "0", "2-0", "2-0", "justid", "force"],
      ["XCLAIM", "s", "g", "dave", "3600000", "1-0", "3-0"],
      ["XCLAIM", "s", "g", "dave", "-1", "1-0", "IDLE", "7200000"],
      ["XCLAIM", "s", "g", "erin", "3600000", "1-0", "JUSTID"],
      ["XPENDING", "s", "g"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XCLAIM FORCE creates pending entries for entries of the stream only",
    requires: NEEDS,
    steps: [
      ["XADD", "s", "1-0", "f", "v"],
      ["XADD", "s", "2-0", "f", "v"],
      ["XGROUP", "CREATE", "s", "g", "$"],
      ["XCLAIM", "s", "g", "c", "0", "1-0"],
      ["XPENDING", "s", "g"],
      ["XINFO", "GROUPS", "s"],
      ["XCLAIM", "s", "g", "c", "3600000", "1-0", "5-0", "FORCE"],
      ["XPENDING", "s", "g"],
      ["XCLAIM", "s", "g", "d", "0", "2-0", "FORCE", "JUSTID"],
      ["XPENDING", "s", "g"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XCLAIM drops pending entries deleted from the stream",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      ["XDEL", "s", "1-0", "3-0"],
      ["XCLAIM", "s", "g", "carol", "0", "1-0", "2-0", "3-0"],
      ["XPENDING", "s", "g"],
      ["XCLAIM", "s", "g", "carol", "0", "1-0", "FORCE"],
      ["XPENDING", "s", "g"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XCLAIM LASTID moves the group's last ID forward only",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      ["XCLAIM", "s", "g", "carol", "0", "9-0", "LASTID", "8-0"],
      ["XINFO", "GROUPS", "s"],
      ["XCLAIM", "s", "g", "carol", "0", "9-0", "LASTID", "5"],
      ["XINFO", "GROUPS", "s"],
      ["XCLAIM", "s", "g", "carol", "0", "1-0", "LASTID", "10-0", "JUSTID"],
      ["XINFO", "GROUPS", "s"],
      ["XPENDING", "s", "g"],
    ],
  },
  {
    name: "XCLAIM TIME, IDLE and RETRYCOUNT are read as given",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      ["XCLAIM", "s", "g", "carol", "0", "1-0", "TIME", "1000", "RETRYCOUNT", "7", "JUSTID"],
      ["XCLAIM", "s", "g", "carol", "0", "2-0", "IDLE", "-5", "RETRYCOUNT", "-3", "JUSTID"],
      ["XCLAIM", "s", "g", "carol", "0", "3-0", "TIME", "-1", "IDLE", "99999999999999999"],
      ["XCLAIM", "s", "g", "carol", "3600000", "1-0", "JUSTID"],
      ["XPENDING", "s", "g", "IDLE", "3600000", "-", "+", "10"],
      ["XPENDING", "s", "g"],
    ],
  },
  {
    name: "XAUTOCLAIM claims in ID order and returns the next cursor",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      ["XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1"],
      ["XAUTOCLAIM", "s", "g", "carol", "0", "2-0", "COUNT", "2", "JUSTID"],
      ["XAUTOCLAIM", "s", "g", "carol", "0", "(3-0"],
      ["XAUTOCLAIM", "s", "g", "carol", "0", "5"],
      ["XAUTOCLAIM", "s", "g", "dave", "3600000", "-"],
      ["XAUTOCLAIM", "s", "g", "dave", "-7", "-", "count", "3", "justid"],
      ["XPENDING", "s", "g"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XAUTOCLAIM drops deleted entries and lists them",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      ["XDEL", "s", "1-0", "2-0", "4-0"],
      ["XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1"],
      ["XPENDING", "s", "g"],
      ["XAUTOCLAIM", "s", "g", "carol", "0", "0"],
      ["XPENDING", "s", "g"],
      ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "JUSTID"],
    ],
  },
  {
    name: "XAUTOCLAIM stops after ten visits per COUNT",
    requires: NEEDS,
    steps: [
      ...Array.from({ length: 25 }, (_, i) => ["XADD", "s", `${i + 1}-0`, "f", "v"]),
      ["XGROUP", "CREATE", "s", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
      ["XAUTOCLAIM", "s", "g", "carol", "3600000", "0", "COUNT", "1"],
      ["XAUTOCLAIM", "s", "g", "carol", "3600000", "11-0", "COUNT", "2"],
      ["XDEL", "s", "3-0", "4-0", "5-0"],
      ["XAUTOCLAIM", "s", "g", "carol", "3600000", "0", "COUNT", "1"],
      ["XAUTOCLAIM", "s", "g", "carol", "3600000", "0", "COUNT", "2", "JUSTID"],
      ["XPENDING", "s", "g"],
    ],
  },
  {
    name: "XINFO STREAM of an empty stream, after adds, deletes and a trim",
    requires: NEEDS,
    steps: [
      ["XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"],
      ["XINFO", "STREAM", "e"],
      ["XINFO", "STREAM", "e", "FULL"],
      ["XADD", "s", "1-0", "f", "v"],
      ["XINFO", "STREAM", "s"],
      ["XADD", "s", "2-5", "a", "b", "c", "\x00\xff"],
      ["XADD", "s", "3-0", "f", "v"],
      ["XINFO", "STREAM", "s"],
      ["XDEL", "s", "1-0"],
      ["XINFO", "STREAM", "s"],
      ["XDEL", "s", "3-0"],
      ["XINFO", "STREAM", "s"],
      ["XDEL", "s", "2-5"],
      ["XINFO", "STREAM", "s"],
      ["XADD", "s", "4-0", "f", "v"],
      ["XINFO", "STREAM", "s"],
      ["XADD", "t", "1-0", "f", "v"],
      ["XTRIM", "t", "MAXLEN", "0"],
      ["XINFO", "STREAM", "t"],
    ],
  },
  {
    name: "XINFO STREAM of streams spanning many nodes",
    requires: NEEDS,
    steps: [
      ...Array.from({ length: 250 }, (_, i) => ["XADD", "s", `${i + 1}-0`, "f", `v${i}`]),
      ["XINFO", "STREAM", "s"],
      ["XDEL", "s", ...Array.from({ length: 100 }, (_, i) => `${i + 1}-0`)],
      ["XINFO", "STREAM", "s"],
      ["XTRIM", "s", "MAXLEN", "~", "60"],
      ["XINFO", "STREAM", "s"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "2"],
      ["XADD", "big", "1-0", "f", "x".repeat(5000)],
      ["XADD", "big", "2-0", "f", "x".repeat(3000), "g", "y"],
      ["XADD", "big", "3-0", "f", "z"],
      ["XINFO", "STREAM", "big"],
      ["CONFIG", "SET", "stream-node-max-entries", "3"],
      ...Array.from({ length: 10 }, (_, i) => ["XADD", "small", `${i + 1}-${i}`, `f${i % 2}`, "v"]),
      ["XINFO", "STREAM", "small"],
      ["CONFIG", "SET", "stream-node-max-entries", "100"],
    ],
  },
  {
    name: "XINFO STREAM FULL with COUNT, groups without consumers",
    requires: NEEDS,
    steps: [
      ...Array.from({ length: 14 }, (_, i) => ["XADD", "s", `${i + 1}-1`, "f", `v${i}`]),
      ["XGROUP", "CREATE", "s", "zz", "$"],
      ["XGROUP", "CREATE", "s", "aa", "0"],
      ["XGROUP", "CREATE", "s", "mm", "5-1"],
      ["XINFO", "STREAM", "s"],
      ["XINFO", "STREAM", "s", "FULL"],
      ["XINFO", "STREAM", "s", "full", "count", "3"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "0"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "-1"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "9223372036854775807"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XINFO STREAM FULL and XINFO CONSUMERS with pending entries",
    requires: NEEDS,
    steps: [
      ...FIXTURE,
      shape("XINFO", "STREAM", "s", "FULL"),
      shape("XINFO", "STREAM", "s", "FULL", "COUNT", "1"),
      shape("XINFO", "CONSUMERS", "s", "g"),
      ["XGROUP", "CREATE", "s", "h", "$"],
      ["XINFO", "CONSUMERS", "s", "h"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XINFO GROUPS: entries-read and lag, known and unknown",
    requires: NEEDS,
    steps: [
      ["XADD", "s", "1-0", "f", "v"],
      ["XADD", "s", "2-0", "f", "v"],
      ["XADD", "s", "3-0", "f", "v"],
      ["XGROUP", "CREATE", "s", "a", "0"],
      ["XGROUP", "CREATE", "s", "b", "$"],
      ["XGROUP", "CREATE", "s", "c", "2-0"],
      ["XINFO", "GROUPS", "s"],
      ["XREADGROUP", "GROUP", "a", "x", "COUNT", "1", "STREAMS", "s", ">"],
      ["XINFO", "GROUPS", "s"],
      ["XDEL", "s", "2-0"],
      ["XINFO", "GROUPS", "s"],
      ["XADD", "s", "4-0", "f", "v"],
      ["XINFO", "GROUPS", "s"],
    ],
  },
  {
    name: "XCLAIM and XAUTOCLAIM leave a WATCHed key untouched, as Redis 7.0.15",
    requires: [...NEEDS, "watch", "multi", "exec"],
    steps: [
      ...FIXTURE,
      ["WATCH", "s"],
      on(1, "XCLAIM", "s", "g", "carol", "0", "1-0", "2-0"),
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["WATCH", "s"],
      on(1, "XAUTOCLAIM", "s", "g", "dave", "0", "0"),
      on(1, "XCLAIM", "s", "g", "erin", "0", "1-0", "LASTID", "9-0"),
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["XPENDING", "s", "g"],
    ],
  },
  {
    name: "keyspace notifications: xgroup-createconsumer when a claim creates its consumer",
    requires: [...NEEDS, "psubscribe"],
    steps: [
      ...FIXTURE,
      ["CONFIG", "SET", "notify-keyspace-events", "KEA"],
      { argv: ["PSUBSCRIBE", "__keyevent@0__:*"], conn: 1 },
      ["XCLAIM", "s", "g", "carol", "0", "1-0"],
      ["XCLAIM", "s", "g", "carol", "0", "2-0"],
      ["XCLAIM", "s", "g", "zed", "0", "9-0"],
      ["XCLAIM", "s", "g", "x", "0", "9-0", "LASTID", "7-0"],
      ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "1"],
      ["XDEL", "s", "3-0"],
      ["XAUTOCLAIM", "s", "g", "erin", "0", "3-0", "COUNT", "1"],
      ["XCLAIM", "s", "g", "fred", "0", "4-0", "FORCE"],
      ["XPENDING", "s", "g"],
      ["XINFO", "STREAM", "s"],
      ["CONFIG", "SET", "notify-keyspace-events", ""],
      { argv: [], conn: 1, replies: 4 },
    ],
  },
  {
    name: "RESP3: XPENDING, XCLAIM, XAUTOCLAIM and XINFO",
    resp: 3,
    requires: NEEDS,
    steps: [
      ["XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"],
      ["XPENDING", "e", "g"],
      ["XINFO", "STREAM", "e"],
      ["XINFO", "STREAM", "e", "FULL"],
      ...FIXTURE,
      ["XPENDING", "s", "g"],
      shape("XPENDING", "s", "g", "-", "+", "10"),
      ["XCLAIM", "s", "g", "carol", "0", "1-0"],
      ["XCLAIM", "s", "g", "carol", "0", "2-0", "JUSTID"],
      ["XDEL", "s", "3-0"],
      ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "2"],
      ["XINFO", "STREAM", "s"],
      shape("XINFO", "STREAM", "s", "FULL"),
      ["XINFO", "GROUPS", "s"],
      shape("XINFO", "CONSUMERS", "s", "g"),
      ["XINFO", "HELP"],
      ["XPENDING", "missing", "g"],
    ],
  },
];
