/**
 * The resplite command line, redis-server style:
 *
 * ```sh
 * deno run -A main.ts [/path/to/redis.conf] [--port 6379] [--requirepass pw] ...
 * ```
 *
 * @module
 */

import { startServer } from "./src/server.ts";
import { ConfigError } from "./src/config.ts";
import { Config } from "./src/config.ts";
import type { LogLevel } from "./src/engine.ts";

const VERSION = "0.1.0";
const REDIS_VERSION = "7.0.15";

const HELP = `Usage: resplite [/path/to/redis.conf] [options] [-]
       resplite --version
       resplite --help

A Redis ${REDIS_VERSION} compatible server.

Options (any config parameter can be given as --name value):
  --port <n>                TCP port (0 picks a free one; default 6379)
  --bind <addr>             address to listen on (default 127.0.0.1)
  --unixsocket <path>       also listen on a Unix socket
  --requirepass <password>  require AUTH
  --databases <n>           number of databases (default 16)
  --dir <path>              working directory for data files
  --loglevel <level>        debug, verbose, notice or warning
  --proto-max-bulk-len <n>  largest bulk string accepted (default 512mb)
  --hz <n>                  background task frequency (default 10)

The ready line "Ready to accept connections tcp://HOST:PORT" is printed once
the server listens.
`;

/** Splits redis.conf text into [name, value] pairs, as redis-server reads it. */
export function parseConfigText(text: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const words = splitConfigLine(line);
    if (words === null) throw new ConfigError(`Unbalanced quotes in configuration line ${i + 1}`);
    if (words.length < 2) {
      if (words.length === 1 && words[0]!.toLowerCase() === "unixsocket") continue;
      throw new ConfigError(`wrong number of arguments in configuration line ${i + 1}: '${line}'`);
    }
    out.push([words[0]!.toLowerCase(), words.slice(1).join(" ")]);
  }
  return out;
}

function splitConfigLine(line: string): string[] | null {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(line)) !== null) {
    const between = line.slice(consumed, m.index);
    if (between.trim() !== "") return null;
    consumed = m.index + m[0].length;
    if (m[1] !== undefined) words.push(m[1].replace(/\\(.)/g, "$1"));
    else if (m[2] !== undefined) words.push(m[2].replace(/\\'/g, "'"));
    else words.push(m[3]!);
  }
  if (/["']/.test(line.slice(consumed))) return null;
  return words;
}

/** Parses argv into config pairs: an optional file first, then `--name value...`. */
async function parseArgs(
  argv: string[],
): Promise<{ config: Record<string, string>; file?: string }> {
  const config: Record<string, string> = {};
  let i = 0;
  let file: string | undefined;
  if (argv[0] !== undefined && !argv[0].startsWith("--")) {
    file = argv[0];
    i = 1;
    const text = file === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(file);
    for (const [k, v] of parseConfigText(text)) config[k] = v;
  }
  while (i < argv.length) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument '${arg}'`);
    const name = arg.slice(2).toLowerCase();
    const values: string[] = [];
    i++;
    while (i < argv.length && !argv[i]!.startsWith("--")) values.push(argv[i++]!);
    if (values.length === 0) throw new ConfigError(`option '--${name}' needs a value`);
    config[name] = values.join(" ");
  }
  return file === undefined ? { config } : { config, file };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--version") || argv.includes("-v")) {
    console.log(`resplite v=${VERSION} redis_version=${REDIS_VERSION} deno=${Deno.version.deno}`);
    return 0;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  let parsed: { config: Record<string, string>; file?: string };
  try {
    parsed = await parseArgs(argv);
    // Validate every value up front for a clear error.
    new Config(parsed.config);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`*** FATAL CONFIG ERROR *** ${msg}`);
    return 1;
  }
  const config = parsed.config;
  const log = (level: LogLevel, message: string) => {
    const mark = level === "warning"
      ? "#"
      : level === "notice"
      ? "*"
      : level === "verbose"
      ? "-"
      : ".";
    console.error(`${Deno.pid}:M ${new Date().toISOString()} ${mark} ${message}`);
  };
  let server;
  try {
    if (config.dir !== undefined) Deno.chdir(config.dir);
    server = await startServer({
      port: Number(config.port ?? 6379),
      config,
      log,
      ...(parsed.file !== undefined ? { configFile: parsed.file } : {}),
    });
  } catch (e) {
    console.error(`*** FATAL *** could not start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const stop = () => {
    server.engine.log("warning", "Received signal, scheduling shutdown...");
    server.close();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  console.log(
    `Ready to accept connections tcp://${host}:${server.port}` +
      (server.unixSocket !== undefined ? ` unix://${server.unixSocket}` : ""),
  );
  await server.closed;
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
