import assert from "node:assert/strict";
import { Engine } from "../src/engine.ts";
import { ManualClock } from "../src/clock.ts";
import { ReplyError } from "../src/errors.ts";
import type { Reply } from "../src/resp/reply.ts";

function call(engine: Engine, client: ReturnType<Engine["connect"]>, ...argv: string[]): Reply {
  const reply = engine.call(client, argv);
  assert.ok(!(reply instanceof Promise));
  return reply;
}

function errorText(reply: Reply): string {
  assert.equal(reply.kind, "error");
  return (reply as { message: string }).message;
}

Deno.test("dispatcher runs commands in-process without a socket", () => {
  const engine = new Engine({ clock: new ManualClock() });
  try {
    const client = engine.connect();
    assert.deepEqual(call(engine, client, "PING"), { kind: "simple", value: "PONG" });
    assert.deepEqual(call(engine, client, "ECHO", "\x00\xff"), { kind: "bulk", value: "\x00\xff" });
  } finally {
    engine.close();
  }
});

Deno.test("dispatcher gates run in Redis's order: lookup, arity, auth", async (t) => {
  const engine = new Engine({ clock: new ManualClock(), config: { requirepass: "pw" } });
  try {
    const client = engine.connect();
    await t.step("an unknown command is reported before NOAUTH", () => {
      assert.equal(
        errorText(call(engine, client, "nosuch", "a", "b")),
        "ERR unknown command 'nosuch', with args beginning with: 'a' 'b' ",
      );
    });
    await t.step("a wrong arity is reported before NOAUTH", () => {
      assert.equal(
        errorText(call(engine, client, "ECHO")),
        "ERR wrong number of arguments for 'echo' command",
      );
    });
    await t.step("a known command with the right arity gets NOAUTH", () => {
      assert.equal(errorText(call(engine, client, "ECHO", "x")), "NOAUTH Authentication required.");
    });
    await t.step("rejections are counted per command and per error code", () => {
      assert.equal(engine.stats.command("echo").rejectedCalls, 2);
      assert.equal(engine.stats.errors.get("ERR"), 2);
      assert.equal(engine.stats.errors.get("NOAUTH"), 1);
    });
  } finally {
    engine.close();
  }
});

Deno.test("unknown command text truncates and sanitizes what it echoes", () => {
  const engine = new Engine({ clock: new ManualClock() });
  try {
    const client = engine.connect();
    const long = "x".repeat(300);
    const text = errorText(call(engine, client, "bad\r\ncmd", long, "y"));
    assert.equal(
      text,
      `ERR unknown command 'bad  cmd', with args beginning with: '${"x".repeat(128)}' `,
    );
  } finally {
    engine.close();
  }
});

Deno.test("command names are case-insensitive", () => {
  const engine = new Engine({ clock: new ManualClock() });
  try {
    const client = engine.connect();
    for (const name of ["ping", "PING", "PiNg"]) {
      assert.deepEqual(call(engine, client, name), { kind: "simple", value: "PONG" });
    }
  } finally {
    engine.close();
  }
});

Deno.test("a handler's unexpected exception becomes an ERR reply and is logged", () => {
  const logged: string[] = [];
  const engine = new Engine({ clock: new ManualClock(), log: (_l, m) => logged.push(m) });
  try {
    engine.commands.register([{
      name: "boom",
      arity: 1,
      flags: [],
      acl: [],
      keys: [0, 0, 0],
      doc: { summary: "test", since: "0", group: "server" },
      handler: () => {
        throw new TypeError("kaput");
      },
    }, {
      name: "fail",
      arity: 1,
      flags: [],
      acl: [],
      keys: [0, 0, 0],
      doc: { summary: "test", since: "0", group: "server" },
      handler: () => {
        throw new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value");
      },
    }]);
    const client = engine.connect();
    assert.equal(errorText(call(engine, client, "boom")), "ERR internal error: kaput");
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /kaput/);
    assert.equal(
      errorText(call(engine, client, "fail")),
      "WRONGTYPE Operation against a key holding the wrong kind of value",
    );
    assert.equal(engine.stats.command("fail").failedCalls, 1);
    assert.deepEqual(call(engine, client, "PING"), { kind: "simple", value: "PONG" });
  } finally {
    engine.close();
  }
});

Deno.test("registering a command twice is an error", () => {
  const engine = new Engine({ clock: new ManualClock() });
  try {
    assert.throws(() =>
      engine.commands.register([{
        name: "ping",
        arity: 1,
        flags: [],
        acl: [],
        keys: [0, 0, 0],
        doc: { summary: "x", since: "0", group: "x" },
        handler: () => ({ kind: "none" }),
      }]), /registered twice/);
  } finally {
    engine.close();
  }
});
