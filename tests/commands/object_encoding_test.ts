import assert from "node:assert/strict";
import { type RawClient, testServer } from "../support/server.ts";

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

async function encoding(raw: RawClient, key: string): Promise<string> {
  return await raw.call("OBJECT", "ENCODING", key);
}

Deno.test("OBJECT ENCODING of strings follows how Redis built them", async (t) => {
  await using server = await testServer();
  const raw = await server.raw();

  await t.step("SET encodes by content: int, embstr up to 44 bytes, raw beyond", async () => {
    await raw.call("SET", "i", "123");
    await raw.call("SET", "e", "abc");
    await raw.call("SET", "r", "x".repeat(45));
    assert.equal(await encoding(raw, "i"), bulk("int"));
    assert.equal(await encoding(raw, "e"), bulk("embstr"));
    assert.equal(await encoding(raw, "r"), bulk("raw"));
  });

  await t.step(
    "APPEND to an existing string makes it raw; APPEND creating a key does not",
    async () => {
      await raw.call("SET", "a", "12");
      await raw.call("APPEND", "a", "3");
      assert.equal(await encoding(raw, "a"), bulk("raw"));
      assert.equal(await raw.call("OBJECT", "REFCOUNT", "a"), ":1\r\n");
      await raw.call("APPEND", "n", "12");
      assert.equal(await encoding(raw, "n"), bulk("int"));
      await raw.call("APPEND", "n", "");
      assert.equal(await encoding(raw, "n"), bulk("raw"));
    },
  );

  await t.step("SETRANGE makes a raw string, unless it writes nothing", async () => {
    await raw.call("SETRANGE", "s", "0", "1");
    assert.equal(await encoding(raw, "s"), bulk("raw"));
    await raw.call("SET", "s2", "hello");
    await raw.call("SETRANGE", "s2", "0", "");
    assert.equal(await encoding(raw, "s2"), bulk("embstr"));
  });

  await t.step("a later SET, INCR or GETSET encodes by content again", async () => {
    await raw.call("SET", "a", "7");
    assert.equal(await encoding(raw, "a"), bulk("int"));
    await raw.call("APPEND", "a", "1");
    await raw.call("INCR", "a");
    assert.equal(await encoding(raw, "a"), bulk("int"));
    await raw.call("APPEND", "a", "1");
    await raw.call("GETSET", "a", "x");
    assert.equal(await encoding(raw, "a"), bulk("embstr"));
  });

  await t.step("INCRBYFLOAT makes embstr even for an integer result", async () => {
    await raw.call("INCRBYFLOAT", "f", "5");
    assert.equal(await encoding(raw, "f"), bulk("embstr"));
    assert.equal(await raw.call("OBJECT", "REFCOUNT", "f"), ":1\r\n");
  });

  await t.step("SETBIT, BITFIELD writes and BITOP make raw strings", async () => {
    await raw.call("SET", "b", "1");
    await raw.call("SETBIT", "b", "2", "1");
    assert.equal(await encoding(raw, "b"), bulk("raw"));
    await raw.call("SET", "b", "@");
    // Bit 1 of "@" is already set: nothing changes, yet the value is raw.
    assert.equal(await raw.call("SETBIT", "b", "1", "1"), ":1\r\n");
    assert.equal(await encoding(raw, "b"), bulk("raw"));
    await raw.call("SET", "f2", "abc");
    await raw.call("BITFIELD", "f2", "GET", "u8", "0");
    assert.equal(await encoding(raw, "f2"), bulk("embstr"));
    await raw.call("BITFIELD", "f2", "SET", "u8", "0", "97");
    assert.equal(await encoding(raw, "f2"), bulk("raw"));
    await raw.call("BITOP", "NOT", "d", "i");
    assert.equal(await encoding(raw, "d"), bulk("raw"));
  });

  await t.step("PFADD and PFMERGE make raw strings", async () => {
    await raw.call("PFADD", "h");
    assert.equal(await encoding(raw, "h"), bulk("raw"));
    await raw.call("PFMERGE", "h2", "h");
    assert.equal(await encoding(raw, "h2"), bulk("raw"));
  });

  await t.step("the encoding goes with the key through RENAME, COPY and MOVE", async () => {
    await raw.call("SET", "m", "1");
    await raw.call("APPEND", "m", "1");
    await raw.call("RENAME", "m", "m2");
    assert.equal(await encoding(raw, "m2"), bulk("raw"));
    await raw.call("COPY", "m2", "m3");
    assert.equal(await encoding(raw, "m3"), bulk("raw"));
    await raw.call("MOVE", "m3", "1");
    await raw.call("SELECT", "1");
    assert.equal(await encoding(raw, "m3"), bulk("raw"));
    await raw.call("SELECT", "0");
    await raw.call("DEL", "m2");
    await raw.call("SET", "m2", "1");
    assert.equal(await encoding(raw, "m2"), bulk("int"));
  });
});
