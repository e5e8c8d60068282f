import assert from "node:assert/strict";
import {
  FunctionLibraries,
  type FunctionVm,
  isValidName,
  parseLibraryMetadata,
  splitArgs,
} from "../../src/scripting/functions.ts";
import { dumpFunctions } from "../../src/scripting/function_dump.ts";
import { NO_FLAGS } from "../../src/scripting/flags.ts";
import type { LibraryLoad, LoadLibraryOptions } from "../../src/scripting/vm.ts";
import { LuaVm } from "../../src/scripting/vm.ts";

/**
 * A VM that "registers" one function per `fn:<name>` line of the code, or
 * fails with the text after `fail:`; it tracks the references alive.
 */
class FakeVm implements FunctionVm {
  live = new Set<number>();
  next = 1;
  closed = false;
  interrupts: (() => string | null)[] = [];

  loadLibrary(code: string, options: LoadLibraryOptions = {}): LibraryLoad {
    if (options.interrupt) this.interrupts.push(options.interrupt);
    const fail = /^fail:(.*)$/m.exec(code);
    if (fail) return { ok: false, message: fail[1]! };
    const functions = [...code.matchAll(/^fn:(\w+)$/gm)].map((m) => {
      const ref = this.next++;
      this.live.add(ref);
      return { name: m[1]!, ref, flags: NO_FLAGS, description: null };
    });
    return { ok: true, functions };
  }

  release(ref: number): void {
    assert.ok(this.live.delete(ref), `release of a dead reference ${ref}`);
  }

  close(): void {
    this.closed = true;
  }
}

function fake(): { fl: FunctionLibraries<FakeVm>; vms: FakeVm[] } {
  const vms: FakeVm[] = [];
  const fl = new FunctionLibraries(() => {
    const vm = new FakeVm();
    vms.push(vm);
    return vm;
  });
  return { fl, vms };
}

const lib = (name: string, ...fns: string[]) =>
  `#!lua name=${name}\n${fns.map((f) => `fn:${f}`).join("\n")}`;

/** Library name, then its functions, for every library. */
function listing(fl: FunctionLibraries): string[] {
  return [...fl.libraries()].map((l) => `${l.name}:${l.functions.map((f) => f.name).join(",")}`);
}

Deno.test("sdssplitargs: blanks, quotes and escapes", () => {
  assert.deepEqual(splitArgs(""), []);
  assert.deepEqual(splitArgs("  a  b\tc\r\n"), ["a", "b", "c"]);
  assert.deepEqual(splitArgs('a"b c"d'), null); // a closing quote must end the argument
  assert.deepEqual(splitArgs('a"b c" d'), ["ab c", "d"]);
  assert.deepEqual(splitArgs('"\\x41\\x4a\\n\\r\\t\\b\\a\\z\\""'), ['AJ\n\r\t\b\x07z"']);
  assert.deepEqual(splitArgs('"\\x4"'), ["x4"]);
  assert.deepEqual(splitArgs("'it\\'s' '\\n'"), ["it's", "\\n"]);
  assert.deepEqual(splitArgs('"open'), null);
  assert.deepEqual(splitArgs("'open"), null);
  assert.deepEqual(splitArgs("a\0b c"), ["a"]);
  assert.deepEqual(splitArgs("a\vb"), ["a\vb"]); // only space, \n, \r, \t end a word
  assert.deepEqual(splitArgs("\v\fa"), ["a"]); // but any C space is skipped before one
  assert.deepEqual(splitArgs('""'), [""]);
});

Deno.test("library and function names: letters, digits and underscores", () => {
  for (const ok of ["a", "Z9", "_", "my_lib_2"]) assert.ok(isValidName(ok), ok);
  for (const bad of ["", "a-b", "a b", "é", "a.b", "a\0"]) assert.ok(!isValidName(bad), bad);
});

Deno.test("the first line's errors, in Redis's order", () => {
  const err = (code: string) => {
    const md = parseLibraryMetadata(code);
    return md.ok ? `ok ${md.engine} ${md.name}` : md.error;
  };
  const NAMES = "ERR Library names can only contain letters, numbers, or underscores(_) and " +
    "must be at least one character long";
  assert.equal(err("return 1"), "ERR Missing library metadata");
  assert.equal(err(" #!lua name=a\n"), "ERR Missing library metadata");
  assert.equal(err("#!lua name=a"), "ERR Invalid library metadata");
  assert.equal(err("#!lua name=a\0\n"), "ERR Invalid library metadata");
  assert.equal(err('#!lua name="a\n'), "ERR Invalid library metadata");
  assert.equal(err("#!lua\n"), "ERR Library name was not given");
  assert.equal(
    err("#!lua name=a NAME=b\n"),
    "ERR Invalid metadata value, name argument was given multiple times",
  );
  assert.equal(err("#!lua foo\n"), "ERR Invalid metadata value given: foo");
  assert.equal(err("#!lua name=a-b foo\n"), "ERR Invalid metadata value given: foo");
  assert.equal(err("#!js name=a-b\n"), NAMES);
  assert.equal(err("#!lua name=\n"), NAMES);
  assert.equal(err("#!js name=a\n"), "ok js a");
  assert.equal(err("#!LUA Name=x\r\nbody"), "ok LUA x");
  assert.equal(err('#!lua name="\\x41"\n'), "ok lua A");
});

Deno.test("LOAD, REPLACE, DELETE and the conflicts between libraries", () => {
  const { fl, vms } = fake();
  assert.deepEqual(fl.load(lib("a", "f1", "f2")), { ok: true, value: "a" });
  assert.deepEqual(fl.load(lib("a", "x")), { ok: false, error: "ERR Library 'a' already exists" });
  assert.deepEqual(fl.load("#!js name=b\n"), { ok: false, error: "ERR Engine 'js' not found" });
  assert.deepEqual(fl.load(lib("b")), { ok: false, error: "ERR No functions registered" });
  assert.deepEqual(fl.load(lib("b", "F1")), { ok: false, error: "ERR Function F1 already exists" });
  assert.deepEqual(fl.load("#!lua name=b\nfail:ERR boom"), { ok: false, error: "ERR boom" });
  assert.equal(vms[0]!.live.size, 2, "a failed load keeps no reference");
  assert.deepEqual(listing(fl), ["a:f1,f2"]);
  // REPLACE may reuse its own names; a failed REPLACE keeps the old library
  assert.deepEqual(fl.load(lib("a", "f2", "f3"), { replace: true }), { ok: true, value: "a" });
  assert.deepEqual(fl.load(lib("a"), { replace: true }).ok, false);
  assert.deepEqual(fl.load("#!lua name=a\nfail:ERR x", { replace: true }).ok, false);
  assert.deepEqual(listing(fl), ["a:f2,f3"]);
  assert.equal(vms[0]!.live.size, 2);
  assert.equal(fl.lookup("F3")?.library.name, "a");
  assert.equal(fl.lookup("f1"), undefined);
  assert.equal(fl.library("A"), undefined);
  assert.equal(fl.delete("A"), false);
  assert.equal(fl.delete("a"), true);
  assert.equal(vms[0]!.live.size, 0);
  assert.equal(fl.libraryCount, 0);
  assert.equal(fl.functionCount, 0);
});

Deno.test("a library holding f and F: the first keeps the name, both count", () => {
  const { fl } = fake();
  assert.ok(fl.load(lib("a", "g", "G")).ok);
  assert.equal(fl.functionCount, 2);
  assert.equal(fl.lookup("G")?.name, "g");
  assert.ok(fl.delete("a"));
  assert.equal(fl.lookup("g"), undefined);
  assert.equal(fl.functionCount, 0);
});

Deno.test("FLUSH starts a fresh VM", () => {
  const { fl, vms } = fake();
  fl.load(lib("a", "f"));
  fl.flush();
  assert.ok(vms[0]!.closed);
  assert.equal(fl.libraryCount, 0);
  fl.load(lib("a", "f"));
  assert.equal(vms.length, 2);
  assert.equal(fl.lookup("f")?.ref, 1);
  fl.close();
  assert.ok(vms[1]!.closed);
});

Deno.test("the load interrupt reaches the VM, RESTORE loads with none", () => {
  const { fl, vms } = fake();
  const interrupt = () => null;
  fl.load(lib("a", "f"), { interrupt });
  assert.deepEqual(vms[0]!.interrupts, [interrupt]);
  fl.restore(dumpFunctions([lib("b", "g")]), "append");
  assert.equal(vms[0]!.interrupts.length, 1);
});

Deno.test("RESTORE APPEND, REPLACE and FLUSH change nothing unless everything fits", () => {
  const { fl, vms } = fake();
  const live = () => vms[0]!.live.size;
  fl.load(lib("s", "a"));
  fl.load(lib("q", "c"));
  assert.deepEqual(fl.restore(dumpFunctions([lib("s", "b")]), "append"), {
    ok: false,
    error: "ERR Library s already exists",
  });
  assert.deepEqual(fl.restore(dumpFunctions([lib("s", "b"), lib("t", "c")]), "replace"), {
    ok: false,
    error: "ERR Function c already exists",
  });
  assert.deepEqual(fl.restore(dumpFunctions([lib("t", "x"), lib("t", "y")]), "flush"), {
    ok: false,
    error: "ERR Library 't' already exists",
  });
  assert.deepEqual(fl.restore(dumpFunctions([lib("t", "x"), lib("u", "X")]), "flush"), {
    ok: false,
    error: "ERR Function X already exists",
  });
  assert.deepEqual(fl.restore("junk", "flush"), {
    ok: false,
    error: "ERR DUMP payload version or checksum are wrong",
  });
  // (a library put back after a failed REPLACE goes last, as order is Redis's hash order)
  assert.deepEqual(listing(fl).sort(), ["q:c", "s:a"]);
  assert.equal(live(), 2, "failed restores keep no reference");
  assert.deepEqual(fl.restore(dumpFunctions([lib("s", "b")]), "replace"), {
    ok: true,
    value: undefined,
  });
  assert.deepEqual(listing(fl), ["q:c", "s:b"]);
  assert.ok(fl.restore(dumpFunctions([lib("t", "x")]), "append").ok);
  assert.equal(live(), 3);
  assert.ok(fl.restore(dumpFunctions([lib("u", "c")]), "flush").ok);
  assert.deepEqual(listing(fl), ["u:c"]);
  assert.equal(live(), 1);
  assert.ok(fl.restore(dumpFunctions([]), "flush").ok);
  assert.equal(fl.libraryCount, 0);
  assert.equal(live(), 0);
});

Deno.test("DUMP then RESTORE gives the same libraries, in a real LuaVm", () => {
  const fl = new FunctionLibraries(() => new LuaVm());
  try {
    const code = "#!lua name=real\n" +
      "redis.register_function{function_name='hello', callback=function(keys, args) return 'hi ' .. args[1] end, " +
      "flags={'no-writes'}, description='greets'}\n" +
      "redis.register_function('two', function() return 2 end)";
    assert.deepEqual(fl.load(code), { ok: true, value: "real" });
    const hello = fl.lookup("HELLO")!;
    assert.equal(hello.description, "greets");
    assert.ok(hello.flags.noWrites);
    const run = fl.vm.start(hello.ref, { asFunction: true, argv: ["you"] });
    assert.deepEqual(run.resume(), { kind: "bulk", value: "hi you" });
    const dump = fl.dump();
    assert.ok(fl.restore(dump, "flush").ok);
    assert.deepEqual(listing(fl), ["real:hello,two"]);
    assert.equal(fl.dump(), dump);
    const error = fl.load("#!lua name=bad\nfoo(");
    assert.ok(!error.ok && error.error.startsWith("ERR Error compiling function: "));
    fl.flush();
    assert.equal(fl.dump(), dumpFunctions([]));
  } finally {
    fl.close();
  }
});
