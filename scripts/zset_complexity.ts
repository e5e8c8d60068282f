/**
 * Time per operation of ZADD, ZRANK, ZRANGE by rank and ZRANGEBYSCORE with
 * LIMIT on sorted sets of 10^3 .. 10^6 members, through the command layer
 * of an in-process engine (argument parsing, lookup, the store, the reply
 * value; no sockets), to show the costs stay logarithmic.
 *
 * Usage: `deno run -A scripts/zset_complexity.ts [--max 1000000] [--ops 20000]`
 *
 * Each size gets its own key, filled with members `m<i>` of random scores;
 * each operation is then timed over `ops` calls on random members, ranks
 * and scores, the best of three runs. ZADD adds new members in batches of
 * at most a tenth of the size, removed again between batches untimed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Engine } from "../src/engine.ts";
import { Random } from "../src/random.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    max: { type: "string", default: "1000000" },
    ops: { type: "string", default: "20000" },
  },
});
const MAX = Number(opts.max);
const OPS = Number(opts.ops);

const engine = new Engine();
const client = engine.connect();
const random = new Random(12345);

function call(argv: string[]): unknown {
  return engine.call(client, argv);
}

/** Random score with a fractional part, in [0, 1e6). */
function score(): string {
  return String(random.below(1_000_000_000) / 1000);
}

/**
 * Microseconds per call of `make()`'s commands: the best of three runs of
 * OPS calls each (after a warm-up), the least disturbed by GC and by other
 * processes.
 */
function time(make: () => string[]): number {
  const warm = Math.min(2000, OPS);
  for (let i = 0; i < warm; i++) call(make());
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const cmds: string[][] = [];
    for (let i = 0; i < OPS; i++) cmds.push(make());
    const start = performance.now();
    for (let i = 0; i < cmds.length; i++) call(cmds[i]!);
    best = Math.min(best, ((performance.now() - start) * 1000) / OPS);
  }
  return best;
}

/**
 * Microseconds per ZADD of a new member into a set of `n`: added in
 * batches of at most n / 10 (so the set stays near its size), each batch
 * removed again untimed; the best of three runs.
 */
function timeZadd(key: string, n: number): number {
  const batch = Math.max(1, Math.min(1000, Math.floor(n / 10)));
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    let elapsed = 0;
    let done = 0;
    while (done < OPS) {
      const members: string[] = [];
      const cmds: string[][] = [];
      for (let i = 0; i < batch; i++) {
        const m = `new${run}:${done + i}`;
        members.push(m);
        cmds.push(["ZADD", key, score(), m]);
      }
      const start = performance.now();
      for (const c of cmds) call(c);
      elapsed += performance.now() - start;
      call(["ZREM", key, ...members]);
      done += batch;
    }
    best = Math.min(best, (elapsed * 1000) / done);
  }
  return best;
}

/** Times the four operations on a fresh set of `n` members. */
function measure(n: number): string {
  const key = `z${n}`;
  for (let i = 0; i < n; i += 1000) {
    const argv = ["ZADD", key];
    for (let j = i; j < Math.min(n, i + 1000); j++) argv.push(score(), `m${j}`);
    call(argv);
  }
  const zrank = time(() => ["ZRANK", key, `m${random.below(n)}`]);
  const zrange = time(() => {
    const start = random.below(n - 10);
    return ["ZRANGE", key, String(start), String(start + 9)];
  });
  const zrangebyscore = time(() => ["ZRANGEBYSCORE", key, score(), "+inf", "LIMIT", "0", "10"]);
  const zadd = timeZadd(key, n);
  const encoding = call(["OBJECT", "ENCODING", key]) as { value: string };
  call(["DEL", key]);
  return `| ${n.toLocaleString("en-US")} | ${encoding.value} | ${zadd.toFixed(2)} | ${
    zrank.toFixed(2)
  } | ${zrange.toFixed(2)} | ${zrangebyscore.toFixed(2)} |`;
}

// A first pass warms the JIT up, so the smallest size is not timed cold.
measure(1000);
const rows: string[] = [];
for (let n = 1000; n <= MAX; n *= 10) rows.push(measure(n));

console.log(
  `Sorted-set operations, µs per call (best of 3 runs of ${OPS} calls, in-process command layer)`,
);
console.log(`deno ${Deno.version.deno}, ${Deno.build.os} ${Deno.build.arch}`);
console.log();
console.log(
  "| members | encoding | ZADD (new member) | ZRANK | ZRANGE by rank (10) | ZRANGEBYSCORE LIMIT 0 10 |",
);
console.log("|---:|---|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
engine.close();
