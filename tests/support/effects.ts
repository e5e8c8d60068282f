/**
 * Effect-stream oracle: runs one script of commands on a real redis-server
 * 7.0.15 with an append-only file (`appendfsync always`, so every
 * acknowledged write is in it) and on resplite with an effect sink, and
 * returns both streams as argument vectors. Real Redis writes to its AOF
 * exactly what it propagates, so equal streams mean resplite propagates as
 * Redis does.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeCommand } from "./raw_client.ts";
import { ManualClock, RawClient, startRealRedis } from "./server.ts";
import { startServer } from "../../src/server.ts";

/** One step of a script. */
export type Step =
  /** A command on connection `c` (default 0); `wait: false` sends without awaiting the reply (it blocks). */
  | { readonly cmd: readonly string[]; readonly c?: number; readonly wait?: boolean }
  /** Time passes: real time for redis-server, the manual clock for resplite. */
  | { readonly sleep: number }
  /** Waits for the reply of a command sent with `wait: false` on connection `c`. */
  | { readonly reply: number };

/** Parses RESP multibulk commands (an AOF) into argument vectors. */
export function parseCommands(text: string): string[][] {
  const out: string[][] = [];
  let pos = 0;
  const line = () => {
    const end = text.indexOf("\r\n", pos);
    const s = text.slice(pos, end);
    pos = end + 2;
    return s;
  };
  while (pos < text.length) {
    const head = line();
    if (!head.startsWith("*")) throw new Error(`not a multibulk: ${JSON.stringify(head)}`);
    const n = Number(head.slice(1));
    const argv: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(pos, pos + len));
      pos += len + 2;
    }
    out.push(argv);
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

async function runSteps(
  port: number,
  steps: readonly Step[],
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const conns = new Map<number, RawClient>();
  const conn = async (c: number) => {
    let r = conns.get(c);
    if (r === undefined) {
      r = await RawClient.connect(port);
      conns.set(c, r);
    }
    return r;
  };
  try {
    for (const step of steps) {
      if ("sleep" in step) await sleep(step.sleep);
      else if ("reply" in step) await (await conn(step.reply)).reply();
      else {
        const r = await conn(step.c ?? 0);
        await r.write(encodeCommand([...step.cmd]));
        if (step.wait !== false) await r.reply();
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    for (const r of conns.values()) r.close();
  }
}

/**
 * Runs a script on a real redis-server and returns its AOF's commands.
 *
 * @param steps the script
 * @param config extra redis-server arguments
 */
export async function redisEffects(steps: readonly Step[], config: string[] = []): Promise<
  string[][]
> {
  // Later arguments win: the AOF replaces startRealRedis's `--appendonly no`.
  await using real = await startRealRedis([
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    ...config,
  ]);
  await runSteps(real.port, steps, (ms) => new Promise((r) => setTimeout(r, ms)));
  const aofDir = `${real.dir}/appendonlydir`;
  const files = [...Deno.readDirSync(aofDir)].map((e) => e.name);
  const incr = files.find((f) => f.endsWith(".incr.aof"));
  if (incr === undefined) throw new Error(`no incremental AOF in ${files}`);
  return parseCommands(latin1(await Deno.readFile(`${aofDir}/${incr}`)));
}

/**
 * Runs a script on resplite (manual clock) and returns its effect stream.
 *
 * @param steps the script
 * @param config configuration parameters
 */
export async function respliteEffects(
  steps: readonly Step[],
  config: Record<string, string> = {},
): Promise<string[][]> {
  const clock = new ManualClock();
  await using server = await startServer({ port: 0, clock, config });
  const effects: string[][] = [];
  // Compared with an AOF: the AOF's stream (a script's redis.set_repl decides).
  server.engine.propagation.subscribe({
    target: "aof",
    write: (argv) => effects.push([...argv]),
  });
  await runSteps(server.port, steps, (ms) => {
    clock.advance(ms);
    return Promise.resolve();
  });
  return effects;
}

/**
 * Masks what differs between two runs of the same script: absolute times
 * (PXAT, PEXPIREAT and HPEXPIREAT arguments) become `<ms>`.
 *
 * @param effects an effect stream
 * @returns the stream with times masked
 */
export function maskTimes(effects: readonly (readonly string[])[]): string[][] {
  return effects.map((argv) => {
    const out = [...argv];
    const name = out[0]!.toUpperCase();
    for (let i = 1; i < out.length; i++) {
      const prev = out[i - 1]!.toUpperCase();
      if (prev === "PXAT" || prev === "EXAT") out[i] = "<ms>";
    }
    if ((name === "PEXPIREAT" || name === "EXPIREAT") && out.length > 2) out[2] = "<ms>";
    if (name === "HPEXPIREAT" && out.length > 2) out[2] = "<ms>";
    return out;
  });
}

/** A script whose effect streams are compared. */
export interface EffectCase {
  readonly name: string;
  readonly steps: readonly Step[];
  /** Configuration for both servers (`name: value`). */
  readonly config?: Record<string, string>;
}

/**
 * Registers one Deno test per case: the script's effect stream on resplite
 * equals the AOF a real redis-server writes for it (times masked). Skipped,
 * saying why, without redis-server.
 *
 * @param group the test name's prefix
 * @param cases the scripts
 * @param hasRedis whether a real redis-server is installed
 */
export function effectCases(group: string, cases: readonly EffectCase[], hasRedis: boolean) {
  for (const c of cases) {
    Deno.test({
      name: `${group}: ${c.name} propagates as Redis 7.0.15 does`,
      ignore: !hasRedis, // the oracle is a real redis-server's AOF
      fn: async () => {
        const config = c.config ?? {};
        const args = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
        const [theirs, ours] = await Promise.all([
          redisEffects(c.steps, args),
          respliteEffects(c.steps, config),
        ]);
        assert.deepEqual(maskTimes(ours), maskTimes(theirs));
      },
    });
  }
}
