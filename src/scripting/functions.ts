/**
 * Redis 7 functions: the library registry behind FUNCTION and FCALL, with
 * Redis 7.0.15's rules (`functions.c`): the `#!lua name=<lib>` first line
 * and its error texts, library and function names, conflicts, the
 * LOAD [REPLACE] / DELETE / FLUSH steps, and RESTORE's APPEND / REPLACE /
 * FLUSH policies, where every library of the payload is created before
 * anything changes.
 *
 * Libraries are compiled by a {@linkcode FunctionVm} (the real one is
 * `LuaVm`, whose `loadLibrary` runs the library's code and collects its
 * `redis.register_function` calls); all libraries share one VM, as in
 * Redis, and FUNCTION FLUSH starts a fresh one.
 *
 * Known differences from Redis 7.0.15:
 * - Redis keeps libraries and functions in hash tables, so FUNCTION LIST,
 *   FUNCTION DUMP and the library a conflict names come in an order that
 *   is random per process; here they come in creation order (a library
 *   replaced or restored goes last);
 * - FUNCTION FLUSH ASYNC frees at once (nothing to gain from a thread);
 * - FUNCTION DELETE of a library that registered two names differing only
 *   in case works here; redis-server 7.0.15 fails an assertion on it.
 *
 * As in Redis, FUNCTION LOAD stops a library's code after 500 ms of the
 * server clock (the caller passes the interrupt), while RESTORE and a
 * master's stream load with no time limit.
 *
 * @module
 */

import type { LibraryLoad, LoadLibraryOptions } from "./vm.ts";
import type { ScriptFlags } from "./flags.ts";
import { dumpFunctions, parseFunctionDump } from "./function_dump.ts";
import { NIL } from "../resp/reply.ts";

/** What the registry needs of a VM (`LuaVm` has it). */
export interface FunctionVm {
  /**
   * Compiles and runs a library's code, collecting its functions.
   *
   * @param code the library's code, first line included
   * @param options interrupt callback
   */
  loadLibrary(code: string, options?: LoadLibraryOptions): LibraryLoad;
  /**
   * Frees a function's reference.
   *
   * @param ref the reference
   */
  release(ref: number): void;
  /** Frees the VM. */
  close(): void;
}

/** The one engine Redis 7.0.15 has, as FUNCTION LIST / STATS name it. */
export const ENGINE_NAME = "LUA";

/** A registered function. */
export interface FunctionInfo {
  /** Its name, as registered. */
  readonly name: string;
  /** Its reference in the registry's VM. */
  readonly ref: number;
  /** Its flags. */
  readonly flags: ScriptFlags;
  /** Its description, or null. */
  readonly description: string | null;
  /** The library it belongs to. */
  readonly library: LibraryInfo;
}

/** A loaded library. */
export interface LibraryInfo {
  /** Its name (from the `name=` of its first line). */
  readonly name: string;
  /** Its engine, `LUA`. */
  readonly engine: string;
  /** Its code, as given to FUNCTION LOAD. */
  readonly code: string;
  /** Its functions, in registration order. */
  readonly functions: readonly FunctionInfo[];
}

/** A library's first line, parsed. */
export type LibraryMetadata =
  | { readonly ok: true; readonly engine: string; readonly name: string }
  | { readonly ok: false; readonly error: string };

/** Outcome of a registry change: ok, or the error reply text (with its `ERR `). */
export type FunctionsResult<T = void> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** FUNCTION RESTORE's policy for the libraries already loaded. */
export type RestorePolicy = "append" | "replace" | "flush";

const NAME_ERROR = "ERR Library names can only contain letters, numbers, or underscores(_) " +
  "and must be at least one character long";

const isSpace = (c: string) =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/**
 * Splits a line into arguments as Redis's `sdssplitargs` does: blanks
 * separate, `"..."` with `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` escapes and
 * `'...'` with `\'` quote, and a closing quote must end the argument; the
 * line ends at a NUL byte.
 *
 * @param line the line (binary string)
 * @returns the arguments, or null on unbalanced quotes
 * @example
 * ```ts
 * import { splitArgs } from "./functions.ts";
 * console.assert(splitArgs('#!lua name="a\\x41"')?.[1] === "name=aA");
 * console.assert(splitArgs('#!lua name="a') === null);
 * ```
 */
export function splitArgs(line: string): string[] | null {
  const nul = line.indexOf("\0");
  const s = nul < 0 ? line : line.slice(0, nul);
  const out: string[] = [];
  let p = 0;
  for (;;) {
    while (p < s.length && isSpace(s[p]!)) p++;
    if (p >= s.length) return out;
    let current = "";
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = s[p];
      if (inq) {
        if (c === "\\" && s[p + 1] === "x" && isHex(s[p + 2]) && isHex(s[p + 3])) {
          current += String.fromCharCode(parseInt(s.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === "\\" && p + 1 < s.length) {
          p++;
          const e = s[p]!;
          current += e === "n"
            ? "\n"
            : e === "r"
            ? "\r"
            : e === "t"
            ? "\t"
            : e === "b"
            ? "\b"
            : e === "a"
            ? "\x07"
            : e;
        } else if (c === '"') {
          if (p + 1 < s.length && !isSpace(s[p + 1]!)) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          current += c;
        }
      } else if (insq) {
        if (c === "\\" && s[p + 1] === "'") {
          p++;
          current += "'";
        } else if (c === "'") {
          if (p + 1 < s.length && !isSpace(s[p + 1]!)) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          current += c;
        }
      } else if (c === undefined || c === " " || c === "\n" || c === "\r" || c === "\t") {
        done = true;
      } else if (c === '"') {
        inq = true;
      } else if (c === "'") {
        insq = true;
      } else {
        current += c;
      }
      if (p < s.length) p++;
    }
    out.push(current);
  }
}

/**
 * Whether a library or function name is valid: letters, digits and `_`,
 * at least one.
 *
 * @param name the name
 * @returns whether Redis accepts it
 * @example
 * ```ts
 * import { isValidName } from "./functions.ts";
 * console.assert(isValidName("my_lib2") && !isValidName("a-b") && !isValidName(""));
 * ```
 */
export function isValidName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/**
 * Parses a library's first line (`#!<engine> name=<name>`) as Redis 7.0.15
 * does, with its error texts. The name is checked too
 * ({@linkcode isValidName}); the engine is not looked up.
 *
 * @param code the library's code (binary string)
 * @returns the engine and library name, or the error reply text
 * @example
 * ```ts
 * import { parseLibraryMetadata } from "./functions.ts";
 * const md = parseLibraryMetadata("#!lua name=mylib\nredis.register_function('f', function() end)");
 * console.assert(md.ok && md.engine === "lua" && md.name === "mylib");
 * const bad = parseLibraryMetadata("return 1");
 * console.assert(!bad.ok && bad.error === "ERR Missing library metadata");
 * ```
 */
export function parseLibraryMetadata(code: string): LibraryMetadata {
  if (!code.startsWith("#!")) return { ok: false, error: "ERR Missing library metadata" };
  const end = code.indexOf("\n");
  const nul = code.indexOf("\0");
  if (end < 0 || (nul >= 0 && nul < end)) {
    return { ok: false, error: "ERR Invalid library metadata" };
  }
  const parts = splitArgs(code.slice(0, end));
  if (parts === null || parts.length === 0) {
    return { ok: false, error: "ERR Invalid library metadata" };
  }
  const engine = parts[0]!.slice(2);
  let name: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === "name=") {
      if (name !== undefined) {
        return {
          ok: false,
          error: "ERR Invalid metadata value, name argument was given multiple times",
        };
      }
      name = part.slice(5);
      continue;
    }
    return { ok: false, error: `ERR Invalid metadata value given: ${part}` };
  }
  if (name === undefined) return { ok: false, error: "ERR Library name was not given" };
  if (!isValidName(name)) return { ok: false, error: NAME_ERROR };
  return { ok: true, engine, name };
}

/** One set of libraries and their functions (Redis's `functionsLibCtx`). */
class LibrarySet {
  readonly libraries = new Map<string, LibraryInfo>();
  /** By lower-cased name: function names are case-insensitive. */
  readonly functions = new Map<string, FunctionInfo>();
  /** Functions of all libraries (FUNCTION STATS counts each library's own). */
  functionCount = 0;

  link(lib: LibraryInfo): void {
    this.libraries.set(lib.name, lib);
    this.functionCount += lib.functions.length;
    for (const f of lib.functions) {
      // A library may register `f` and `F` (its own check is case-sensitive):
      // as Redis's dictAdd, the first one keeps the name.
      const key = f.name.toLowerCase();
      if (!this.functions.has(key)) this.functions.set(key, f);
    }
  }

  unlink(lib: LibraryInfo): void {
    this.libraries.delete(lib.name);
    this.functionCount -= lib.functions.length;
    for (const f of lib.functions) this.functions.delete(f.name.toLowerCase());
  }
}

/** Options of {@linkcode FunctionLibraries.load}. */
export interface LoadOptions {
  /** FUNCTION LOAD REPLACE: a library of the same name is replaced. */
  readonly replace?: boolean;
  /**
   * Checked while the library's code runs: an error text (Redis, after
   * 500 ms: `ERR FUNCTION LOAD timeout`) aborts the load.
   */
  readonly interrupt?: () => string | null;
}

/**
 * The function libraries of a server.
 *
 * @example
 * ```ts
 * import { FunctionLibraries } from "./functions.ts";
 * import { LuaVm } from "./vm.ts";
 * const fl = new FunctionLibraries(() => new LuaVm());
 * const r = fl.load("#!lua name=lib\nredis.register_function('hello', function() return 'hi' end)");
 * console.assert(r.ok && r.value === "lib");
 * console.assert(fl.lookup("HELLO")?.library.name === "lib");
 * fl.close();
 * ```
 */
export class FunctionLibraries<V extends FunctionVm = FunctionVm> {
  #newVm: () => V;
  #log: ((level: number, message: string) => void) | undefined;
  #vm: V | undefined;
  #set = new LibrarySet();

  /**
   * @param newVm makes a fresh VM (at first use and at FUNCTION FLUSH)
   * @param log where `redis.log` writes while a library loads
   */
  constructor(newVm: () => V, log?: (level: number, message: string) => void) {
    this.#newVm = newVm;
    this.#log = log;
  }

  /** The VM functions run in (created on first use). */
  get vm(): V {
    return this.#vm ??= this.#newVm();
  }

  /** The libraries, in creation order. */
  libraries(): IterableIterator<LibraryInfo> {
    return this.#set.libraries.values();
  }

  /** Number of libraries. */
  get libraryCount(): number {
    return this.#set.libraries.size;
  }

  /** Number of functions, summed over the libraries (as FUNCTION STATS counts them). */
  get functionCount(): number {
    return this.#set.functionCount;
  }

  /**
   * Number of function names FCALL finds (INFO `number_of_functions`: less
   * than {@linkcode FunctionLibraries.functionCount} only when a library
   * registered names differing in case).
   */
  get nameCount(): number {
    return this.#set.functions.size;
  }

  /**
   * Finds a function by name (case-insensitive, as Redis).
   *
   * @param name the function's name
   * @returns the function, or undefined
   */
  lookup(name: string): FunctionInfo | undefined {
    return this.#set.functions.get(name.toLowerCase());
  }

  /**
   * Finds a library by name (case-sensitive).
   *
   * @param name the library's name
   * @returns the library, or undefined
   */
  library(name: string): LibraryInfo | undefined {
    return this.#set.libraries.get(name);
  }

  /**
   * Creates a library into a set, as Redis's `functionsCreateWithLibraryCtx`.
   */
  #create(
    set: LibrarySet,
    code: string,
    replace: boolean,
    interrupt: (() => string | null) | undefined,
  ): FunctionsResult<string> {
    const md = parseLibraryMetadata(code);
    if (!md.ok) return { ok: false, error: md.error };
    if (md.engine.toUpperCase() !== ENGINE_NAME) {
      return { ok: false, error: `ERR Engine '${md.engine}' not found` };
    }
    const old = set.libraries.get(md.name);
    if (old !== undefined && !replace) {
      return { ok: false, error: `ERR Library '${md.name}' already exists` };
    }
    if (old !== undefined) set.unlink(old);
    const vm = this.vm;
    const log = this.#log;
    const loaded = vm.loadLibrary(code, {
      ...(interrupt ? { interrupt } : {}),
      // nothing but redis.log reaches the host while a library loads
      ...(log ? { host: { call: () => NIL, log } } : {}),
    });
    const fail = (error: string): FunctionsResult<string> => {
      if (loaded.ok) { for (const f of loaded.functions) vm.release(f.ref); }
      if (old !== undefined) set.link(old);
      return { ok: false, error };
    };
    if (!loaded.ok) return fail(loaded.message);
    if (loaded.functions.length === 0) return fail("ERR No functions registered");
    for (const f of loaded.functions) {
      if (set.functions.has(f.name.toLowerCase())) {
        return fail(`ERR Function ${f.name} already exists`);
      }
    }
    const functions: FunctionInfo[] = [];
    const lib: LibraryInfo = { name: md.name, engine: ENGINE_NAME, code, functions };
    for (const f of loaded.functions) {
      functions.push({
        name: f.name,
        ref: f.ref,
        flags: f.flags,
        description: f.description,
        library: lib,
      });
    }
    set.link(lib);
    if (old !== undefined) this.#free(old);
    return { ok: true, value: md.name };
  }

  #free(lib: LibraryInfo): void {
    if (this.#vm === undefined) return;
    for (const f of lib.functions) this.#vm.release(f.ref);
  }

  /**
   * FUNCTION LOAD [REPLACE]: creates a library.
   *
   * @param code the library's code
   * @param options replace, interrupt
   * @returns the library's name, or the error reply text
   */
  load(code: string, options: LoadOptions = {}): FunctionsResult<string> {
    return this.#create(this.#set, code, options.replace ?? false, options.interrupt);
  }

  /**
   * FUNCTION DELETE: removes a library and its functions.
   *
   * @param name the library's name (case-sensitive)
   * @returns whether it existed
   */
  delete(name: string): boolean {
    const lib = this.#set.libraries.get(name);
    if (lib === undefined) return false;
    this.#set.unlink(lib);
    this.#free(lib);
    return true;
  }

  /** FUNCTION FLUSH: removes every library and starts a fresh VM. */
  flush(): void {
    this.#set = new LibrarySet();
    this.#vm?.close();
    this.#vm = undefined;
  }

  /**
   * FUNCTION DUMP: the payload of every library.
   *
   * @param compress `rdbcompression`
   * @returns the payload (binary string)
   */
  dump(compress = true): string {
    return dumpFunctions([...this.#set.libraries.values()].map((l) => l.code), { compress });
  }

  /**
   * FUNCTION RESTORE: creates every library of a payload, then joins them
   * to the loaded ones by the policy. Nothing changes unless all of them
   * could be created and joined.
   *
   * @param payload the payload (binary string)
   * @param policy what to do with the loaded libraries
   * @returns ok, or the error reply text
   */
  restore(payload: string, policy: RestorePolicy): FunctionsResult {
    const parsed = parseFunctionDump(payload);
    const incoming = new LibrarySet();
    const discard = (error: string): FunctionsResult => {
      for (const lib of incoming.libraries.values()) this.#free(lib);
      return { ok: false, error };
    };
    for (const code of parsed.codes) {
      const r = this.#create(incoming, code, false, undefined);
      if (!r.ok) return discard(r.error);
    }
    if (parsed.error !== null) return discard("ERR " + parsed.error);
    const current = this.#set;
    if (policy === "flush") {
      for (const lib of current.libraries.values()) this.#free(lib);
      this.#set = incoming;
      return { ok: true, value: undefined };
    }
    const replaced: LibraryInfo[] = [];
    const undo = (error: string): FunctionsResult => {
      for (const lib of replaced) current.link(lib);
      return discard(error);
    };
    for (const lib of incoming.libraries.values()) {
      const old = current.libraries.get(lib.name);
      if (old === undefined) continue;
      if (policy !== "replace") return undo(`ERR Library ${lib.name} already exists`);
      current.unlink(old);
      replaced.push(old);
    }
    for (const f of incoming.functions.values()) {
      if (current.functions.has(f.name.toLowerCase())) {
        return undo(`ERR Function ${f.name} already exists`);
      }
    }
    for (const lib of incoming.libraries.values()) current.link(lib);
    for (const lib of replaced) this.#free(lib);
    return { ok: true, value: undefined };
  }

  /** Frees the VM and forgets every library. */
  close(): void {
    this.flush();
  }
}
