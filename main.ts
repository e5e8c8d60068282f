/**
 * The resplite command line, redis-server style:
 *
 * ```sh
 * deno run -A main.ts [/path/to/redis.conf | -] [--name value ...]
 * deno run -A main.ts --version
 * deno run -A main.ts --help
 * ```
 *
 * An optional config file comes first (redis.conf syntax: one `name value`
 * per line, `#` comments, values split and unquoted as Redis does, `-` reads
 * it from stdin), then `--name value...` options that override it. Every
 * parameter in `src/config.ts` is accepted (`port`, `bind`, `unixsocket`,
 * `requirepass`, `databases`, `dir`, `loglevel`, `proto-max-bulk-len`, ...).
 * `--port 0` picks a free port.
 *
 * **The ready line.** Once every listener is open, exactly one line is
 * printed on stdout (log lines go to stderr), which harnesses wait for:
 *
 * ```
 * Ready to accept connections tcp://HOST:PORT
 * Ready to accept connections tcp://HOST:PORT unix://PATH
 * ```
 *
 * HOST is the first bound address (IPv6 in brackets) and PORT the real port,
 * also when `--port 0` was given; the `unix://` part is there when a Unix
 * socket was asked for. A harness can match it with
 * `/^Ready to accept connections tcp:\/\/(.+):(\d+)/`.
 *
 * Exit codes: 0 after `--version`, `--help` or a graceful shutdown (SIGINT,
 * SIGTERM or SHUTDOWN); 1 for an unknown option, a bad value, a config file
 * that cannot be read, or a listener that cannot be opened, with the reason on
 * stderr.
 *
 * @module
 */

import {
  binaryToBytes,
  bytesToBinary,
  Config,
  ConfigError,
  DEFAULT_USER_LINE,
  type LogLevel,
  quoteRepr,
  splitArgs,
  startServer,
} from "./src/mod.ts";

const VERSION = "0.1.0";
const REDIS_VERSION = "7.0.15";

/** Parameters that are file system paths: kept as text, not as bytes. */
const PATH_PARAMS = new Set(["dir", "unixsocket"]);

const HELP = `Usage: resplite [/path/to/redis.conf] [options] [-]
       resplite - (read the config from stdin)
       resplite --version
       resplite --help

A Redis ${REDIS_VERSION} compatible server.

Examples:
       resplite (run with the defaults: 127.0.0.1:6379)
       resplite --port 0 (a free port, shown in the ready line)
       resplite /etc/redis/6379.conf --loglevel verbose
       resplite --port 7777 --requirepass "s3cret" --unixsocket /tmp/resplite.sock

Options (any config parameter can be given as --name value):
  --port <n>                TCP port (0 picks a free one; default 6379)
  --bind <addr> [addr...]   addresses to listen on (default 127.0.0.1; * = all)
  --unixsocket <path>       also listen on a Unix socket
  --requirepass <password>  require AUTH
  --databases <n>           number of databases (default 16)
  --dir <path>              working directory for data files
  --loglevel <level>        debug, verbose, notice or warning
  --proto-max-bulk-len <n>  largest bulk string accepted (default 512mb)
  --hz <n>                  background task frequency (default 10)
  --maxclients <n>          most clients connected at once (default 10000)

Once listening, one line is printed on stdout:
  Ready to accept connections tcp://HOST:PORT [unix://PATH]
SIGINT and SIGTERM shut the server down gracefully (exit code 0).
`;

/** A command line or config file that cannot be used; the text is for stderr. */
export class CliError extends Error {
  /**
   * @param message what to print
   */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** One directive of the configuration: where it came from and its words. */
interface Directive {
  readonly line: number;
  readonly text: string;
  readonly words: string[];
}

/** Binary string (one char per byte) of text, as UTF-8. */
function utf8Binary(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return bytesToBinary(bytes, 0, bytes.length);
}

/** Text of a binary string holding UTF-8. */
function binaryText(binary: string): string {
  return new TextDecoder().decode(binaryToBytes(binary));
}

function fatalConfig(d: Directive, message: string): CliError {
  return new CliError(
    `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n` +
      `Reading the configuration file, at line ${d.line}\n>>> '${d.text}'\n${message}`,
  );
}

/**
 * Splits redis.conf text into directives, as redis-server reads it: lines
 * trimmed, blank lines and `#` comments skipped, words split and unquoted
 * as Redis's sdssplitargs does.
 *
 * @param text the file's bytes as a binary string (one char per byte)
 * @param firstLine the number of the first line
 * @returns the directives, in order
 * @throws {CliError} for unbalanced quotes
 */
function directives(text: string, firstLine = 1): Directive[] {
  const out: Directive[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const d = { line: firstLine + i, text: line, words: splitArgs(line) ?? [] };
    if (d.words.length === 0) throw fatalConfig(d, "Unbalanced quotes in configuration line");
    out.push(d);
  }
  return out;
}

/**
 * Parses redis.conf text into `[name, value]` pairs: names lower-cased,
 * several words of one directive joined by a space.
 *
 * @param text the configuration (a binary string: one char per byte)
 * @returns the pairs, in order
 * @throws {CliError} for unbalanced quotes or a directive without a value
 * @example
 * ```ts
 * import { parseConfigText } from "./main.ts";
 * const pairs = parseConfigText('# comment\nport 7000\nrequirepass "a b"\n');
 * console.assert(JSON.stringify(pairs) === '[["port","7000"],["requirepass","a b"]]');
 * ```
 */
export function parseConfigText(text: string): [string, string][] {
  return directives(text).map((d) => {
    if (d.words.length < 2) throw fatalConfig(d, "Bad directive or wrong number of arguments");
    return [d.words[0]!.toLowerCase(), d.words.slice(1).join(" ")];
  });
}

/** What a command line asks for. */
export interface CommandLine {
  /** Configuration parameters by name; paths as text, other values as binary strings. */
  readonly config: Record<string, string>;
  /** The config file given, if any. */
  readonly file?: string;
}

/**
 * Reads a redis-server style command line: an optional config file first,
 * then `--name value...` options, which override the file. Every value is
 * checked, so a bad one fails here with Redis's message.
 *
 * @param argv the arguments (without the program)
 * @param readFile reads the config file (`-` for stdin) as bytes
 * @returns the configuration
 * @throws {CliError} with the message to print
 * @example
 * ```ts
 * import { parseCommandLine } from "./main.ts";
 * const cli = await parseCommandLine(["--port", "0", "--bind", "127.0.0.1", "::1"]);
 * console.assert(cli.config.port === "0" && cli.config.bind === "127.0.0.1 ::1");
 * ```
 */
export async function parseCommandLine(
  argv: readonly string[],
  readFile: (path: string) => Promise<Uint8Array> = readConfigFile,
): Promise<CommandLine> {
  let i = 0;
  let file: string | undefined;
  let all: Directive[] = [];
  let lines = 0;
  if (argv[0] !== undefined && (!argv[0].startsWith("--") || argv[0] === "-")) {
    file = argv[0];
    i = 1;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const reason = e instanceof Deno.errors.NotFound
        ? "No such file or directory"
        : e instanceof Error
        ? e.message
        : String(e);
      throw new CliError(`Fatal error, can't open config file '${file}': ${reason}`);
    }
    const text = bytesToBinary(bytes, 0, bytes.length);
    all = directives(text);
    lines = text.split("\n").length;
  }
  // Options become config lines after the file's, as redis-server does.
  let line = lines + 1;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg.length === 2) {
      throw new CliError(
        `Invalid argument '${arg}': options are --name value, after the config file`,
      );
    }
    const name = arg.slice(2);
    const words = [name];
    for (i++; i < argv.length && !argv[i]!.startsWith("--"); i++) words.push(argv[i]!);
    line++;
    const binary = words.map((w, k) => k === 0 ? w : utf8Binary(w));
    all.push({ line, text: [name, ...binary.slice(1).map(quoteRepr)].join(" "), words: binary });
  }
  const config: Record<string, string> = {};
  const check = new Config();
  for (let k = 0; k < all.length; k++) {
    const d = all[k]!;
    const name = d.words[0]!.toLowerCase();
    const spec = check.spec(name);
    if (spec === undefined) {
      const n = d.words.length;
      // Directives Redis 7.0.15 ignores.
      if (DEPRECATED.has(name) && n === 2) continue;
      // The default user's line, as CONFIG REWRITE writes it: nothing to do.
      if (name === "user" && DEFAULT_USER_LINES.has(d.text.toLowerCase())) continue;
      if (name === "include" && n === 2) {
        all.splice(k + 1, 0, ...await includedDirectives(binaryText(d.words[1]!), readFile));
        continue;
      }
      const unsupported = UNSUPPORTED_DIRECTIVES[name];
      if (unsupported !== undefined && n >= 2) throw fatalConfig(d, unsupported);
      throw fatalConfig(d, "Bad directive or wrong number of arguments");
    }
    if (d.words.length < 2 || (spec.multi !== true && d.words.length !== 2)) {
      throw fatalConfig(d, "wrong number of arguments");
    }
    const value = d.words.slice(1).join(" ");
    try {
      check.check(name, PATH_PARAMS.has(spec.name) ? binaryText(value) : value);
    } catch (e) {
      throw fatalConfig(d, e instanceof ConfigError ? e.message : String(e));
    }
    const previous = config[spec.name];
    config[spec.name] = PATH_PARAMS.has(spec.name)
      ? binaryText(value)
      : spec.accumulates !== true || previous === undefined || previous === ""
      ? value
      // A later empty line adds nothing, as in Redis (`save ""` after `save 900 1`).
      : value === ""
      ? previous
      : `${previous} ${value}`;
  }
  return file === undefined ? { config } : { config, file };
}

/**
 * The default user's lines as Redis's CONFIG REWRITE writes them (after a
 * reload Redis adds `sanitize-payload`): the default, so nothing to do.
 */
const DEFAULT_USER_LINES = new Set([
  DEFAULT_USER_LINE,
  "user default on nopass sanitize-payload ~* &* +@all",
]);

/** Config-file directives Redis 7.0.15 skips (with one argument). */
const DEPRECATED = new Set([
  "list-max-ziplist-entries",
  "list-max-ziplist-value",
  "lua-replicate-commands",
]);

/** Directives Redis accepts that resplite cannot honour: refused, never ignored. */
const UNSUPPORTED_DIRECTIVES: Record<string, string> = {
  "rename-command": "rename-command is not supported by resplite",
  user: "ACL users in the config file are not supported by resplite yet (ACL: issue 17)",
  loadmodule: "Modules are not supported by resplite",
  sentinel: "sentinel directive while not in sentinel mode",
};

/** The directives of an `include`d file. */
async function includedDirectives(
  path: string,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<Directive[]> {
  if (/[*?[]/.test(path)) {
    throw new CliError(`include with a wildcard is not supported by resplite: '${path}'`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "No such file or directory"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new CliError(`Fatal error, can't open config file '${path}': ${reason}`);
  }
  return directives(bytesToBinary(bytes, 0, bytes.length));
}

async function readConfigFile(path: string): Promise<Uint8Array> {
  if (path === "-") return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
  return await Deno.readFile(path);
}

const LOG_MARKS: Record<LogLevel, string> = { debug: ".", verbose: "-", notice: "*", warning: "#" };

function logLine(level: LogLevel, message: string): void {
  const d = new Date();
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${two(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
  console.error(`${Deno.pid}:M ${stamp} ${LOG_MARKS[level]} ${message}`);
}

/**
 * Runs the command line until the server shuts down.
 *
 * @param argv the arguments (without the program)
 * @returns the exit code
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--version") || argv.includes("-v")) {
    console.log(
      `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=resplite-${VERSION}`,
    );
    return 0;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  let cli: CommandLine;
  try {
    cli = await parseCommandLine(argv);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  }
  const config = cli.config;
  if (config.dir !== undefined) {
    try {
      Deno.chdir(config.dir);
      config.dir = Deno.cwd();
    } catch (e) {
      console.error(`Can't chdir to '${config.dir}': ${e instanceof Error ? e.message : e}`);
      return 1;
    }
  }
  let server;
  try {
    server = await startServer({
      port: Number(config.port ?? 6379),
      config,
      log: logLine,
      ...(cli.file !== undefined ? { configFile: cli.file } : {}),
    });
  } catch (e) {
    const addr = `${config.bind ?? "127.0.0.1"}:${config.port ?? 6379}`;
    console.error(
      `Could not create server listening socket ${addr}: ${e instanceof Error ? e.message : e}`,
    );
    return 1;
  }
  const running = server;
  const stop = (signal: string) => () => {
    running.engine.log("warning", `Received ${signal} scheduling shutdown...`);
    running.close();
  };
  const onInt = stop("SIGINT");
  const onTerm = stop("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  server.engine.log("notice", `Running mode=standalone, port=${server.port}.`);
  server.engine.log("notice", "Ready to accept connections");
  console.log(
    `Ready to accept connections tcp://${host}:${server.port}` +
      (server.unixSocket !== undefined ? ` unix://${server.unixSocket}` : ""),
  );
  await server.closed;
  Deno.removeSignalListener("SIGINT", onInt);
  Deno.removeSignalListener("SIGTERM", onTerm);
  if (!server.engine.shutdownRequested) {
    server.engine.log("warning", "Redis is now ready to exit, bye bye...");
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
