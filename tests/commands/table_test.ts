import assert from "node:assert/strict";
import { bindHandlers, COMMAND_DATA, keySpecOf, mergeHandlers } from "../../src/commands/table.ts";
import { allHandlers, registerAll } from "../../src/commands/mod.ts";
import { CommandTable, type Handler } from "../../src/commands/spec.ts";
import { OK } from "../../src/resp/reply.ts";

const ok: Handler = () => OK;

Deno.test("a bound handler gets its arity, flags, keys, ACL categories and docs from the table", () => {
  const [get] = bindHandlers({ get: ok });
  assert.equal(get!.name, "get");
  assert.equal(get!.arity, 2);
  assert.deepEqual(get!.flags, ["readonly", "fast"]);
  assert.deepEqual(get!.keys, [1, 1, 1]);
  assert.deepEqual(get!.acl, ["read", "string", "fast"]);
  assert.deepEqual(get!.keySpecs, [
    { flags: ["RO", "ACCESS"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
  ]);
  assert.equal(get!.doc.summary, "Get the value of a key");
  assert.deepEqual(get!.doc.arguments, [{ name: "key", type: "key", key_spec_index: 0 }]);
  assert.equal(get!.handler, ok);
});

Deno.test("one handler may serve two names", () => {
  const specs = bindHandlers({ getrange: ok, substr: ok });
  assert.deepEqual(specs.map((s) => s.name), ["getrange", "substr"]);
  assert.deepEqual(specs[1]!.doc.doc_flags, ["deprecated"]);
});

Deno.test("a container keeps only the subcommands that have a handler", async (t) => {
  await t.step("without a handler of its own", () => {
    const [config, ...rest] = bindHandlers({ "config|get": ok, "config|set": ok });
    assert.equal(rest.length, 0);
    assert.equal(config!.name, "config");
    assert.equal(config!.handler, undefined);
    assert.deepEqual(config!.subcommands!.map((s) => s.name), ["config|get", "config|set"]);
    assert.equal(config!.subcommands![0]!.arity, -3);
  });
  await t.step("with one (COMMAND)", () => {
    const [command] = bindHandlers({ command: ok, "command|count": ok });
    assert.equal(command!.handler, ok);
    assert.deepEqual(command!.subcommands!.map((s) => s.name), ["command|count"]);
  });
  await t.step("a container with no bound subcommand is left out", () => {
    assert.deepEqual(bindHandlers({}), []);
  });
});

Deno.test("a handler bound to a name the table does not have is an error", async (t) => {
  for (const name of ["nosuch", "get|x", "config|nosuch", "config|", "CONFIG|GET", "Get"]) {
    await t.step(name, () => {
      assert.throws(() => bindHandlers({ [name]: ok }), /table does not have: /);
    });
  }
  await t.step("a name Object.prototype has", () => {
    assert.throws(() => bindHandlers({ constructor: ok }), /table does not have: constructor/);
  });
});

Deno.test("a name bound twice is an error", () => {
  assert.throws(() => mergeHandlers({ get: ok }, { get: ok }), /registered twice: get/);
  const table = new CommandTable();
  registerAll(table);
  assert.throws(() => registerAll(table), /registered twice/);
});

Deno.test("the server registers every command of the table that has a handler, and no other", () => {
  const table = new CommandTable();
  registerAll(table);
  const handlers = allHandlers();
  for (const [name, data] of Object.entries(COMMAND_DATA.commands)) {
    const cmd = table.lookup(name);
    const subs = Object.keys(data.subcommands ?? {}).filter((s) => Object.hasOwn(handlers, s));
    assert.equal(cmd !== undefined, Object.hasOwn(handlers, name) || subs.length > 0, name);
    if (cmd?.subcommands !== undefined) {
      assert.deepEqual([...cmd.subcommands.values()].map((s) => s.fullName), subs, name);
    }
  }
  assert.equal(table.lookup("failover"), undefined);
  assert.ok(table.lookup("config")!.subcommands!.get("rewrite") !== undefined);
  assert.equal(table.lookup("acl"), undefined);
});

Deno.test("key specs of the table take the dispatcher's form", async (t) => {
  await t.step("keyword and keynum", () => {
    assert.deepEqual(
      keySpecOf({
        flags: ["RO", "access"],
        begin_search: { type: "keyword", spec: { keyword: "STREAMS", startfrom: 1 } },
        find_keys: { type: "keynum", spec: { keynumidx: 0, firstkey: 1, keystep: 1 } },
      }),
      {
        flags: ["RO", "ACCESS"],
        begin: { keyword: "STREAMS", startfrom: 1 },
        find: { keynum: [0, 1, 1] },
      },
    );
  });
  await t.step("unknown, with notes", () => {
    assert.deepEqual(
      keySpecOf({
        notes: "n",
        flags: ["RW", "incomplete"],
        begin_search: { type: "unknown", spec: {} },
        find_keys: { type: "unknown", spec: {} },
      }),
      {
        notes: "n",
        flags: ["RW", "INCOMPLETE"],
        begin: { unknown: true },
        find: { unknown: true },
      },
    );
  });
});

Deno.test("the table is sorted by name, subcommands too", () => {
  const sorted = (names: string[]) => names.every((n, i) => i === 0 || names[i - 1]! < n);
  assert.ok(sorted(Object.keys(COMMAND_DATA.commands)));
  for (const data of Object.values(COMMAND_DATA.commands)) {
    assert.ok(sorted(Object.keys(data.subcommands ?? {})));
  }
  assert.equal(COMMAND_DATA.redis_version, "7.0.15");
});
