import assert from "node:assert/strict";
import { Connection } from "../src/connection.ts";
import { Engine } from "../src/engine.ts";
import { ManualClock } from "../src/clock.ts";
import { SocketSender } from "../src/direct_send.ts";
import { testServer } from "./support/server.ts";
import { FakeConn } from "./support/fake_conn.ts";
import { bytesOf, encodeCommand, latin1, RawClient } from "./support/raw_client.ts";

Deno.test("what the direct sender does not take goes out through conn.write, in order", async () => {
  const engine = new Engine({ clock: new ManualClock() });
  const conn = new FakeConn();
  const direct: string[] = [];
  // Takes 5 bytes of the first offer, then nothing (a full send buffer),
  // then everything.
  const takes = [5, 0];
  const send = (bytes: Uint8Array): number => {
    const n = Math.min(bytes.length, takes.shift() ?? bytes.length);
    direct.push(latin1(bytes.subarray(0, n)));
    return n;
  };
  const connection = new Connection(conn as unknown as Deno.Conn, engine, { send });
  const done = connection.run();
  conn.feed(bytesOf(encodeCommand(["ECHO", "hello world"])));
  await new Promise((resolve) => setTimeout(resolve, 10));
  conn.feed(bytesOf(encodeCommand(["PING"])));
  await new Promise((resolve) => setTimeout(resolve, 10));
  conn.feed(bytesOf(encodeCommand(["ECHO", "x"])));
  await new Promise((resolve) => setTimeout(resolve, 10));
  conn.feed(null);
  await done;
  const written = conn.writes.map(latin1);
  assert.deepEqual(direct, ["$11\r\n", "", "$1\r\nx\r\n"]);
  assert.deepEqual(written, ["hello world\r\n", "+PONG\r\n"]);
  assert.equal(engine.stats.netOutputBytes, "$11\r\nhello world\r\n+PONG\r\n$1\r\nx\r\n".length);
  engine.close();
});

Deno.test("the C library's send is found on Linux with FFI permission", () => {
  const sender = SocketSender.open();
  if (Deno.build.os !== "linux") {
    assert.equal(sender, undefined);
    return;
  }
  assert.ok(sender !== undefined);
  sender.close();
});

Deno.test("a direct sender writes to a TCP connection's socket", async () => {
  const sender = SocketSender.open();
  if (sender === undefined) return;
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const conn = await listener.accept();
  try {
    const send = sender.forConn(conn);
    assert.ok(send !== undefined);
    assert.equal(send(bytesOf("+direct\r\n")), 9);
    const buf = new Uint8Array(64);
    const n = await client.read(buf);
    assert.equal(latin1(buf.subarray(0, n ?? 0)), "+direct\r\n");
  } finally {
    client.close();
    conn.close();
    sender.close();
  }
});

/** Pipelines GETs of a large value without reading, then reads every reply. */
async function bigPipeline(directSend: boolean): Promise<void> {
  await using t = await testServer({ directSend });
  let value = "";
  for (let i = 0; i < 256; i++) value += String.fromCharCode(i);
  value = value.repeat(4096); // 1 MiB, every byte value
  const raw = await t.raw();
  assert.equal(await raw.call("SET", "big", value), "+OK\r\n");
  const count = 24; // 24 MiB of replies: far past any socket buffer
  let input = "";
  for (let i = 0; i < count; i++) input += encodeCommand(["GET", "big"]);
  input += encodeCommand(["PING"]);
  await raw.write(input);
  // Let the server fill the socket and fall back to conn.write.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const expected = `$${value.length}\r\n${value}\r\n`;
  for (let i = 0; i < count; i++) assert.equal(await raw.reply(), expected, `reply ${i}`);
  assert.equal(await raw.reply(), "+PONG\r\n");
  assert.equal(await raw.call("STRLEN", "big"), `:${value.length}\r\n`);
}

Deno.test("24 MiB of pipelined replies arrive whole and in order with direct sends", async () => {
  await bigPipeline(true);
});

Deno.test("24 MiB of pipelined replies arrive whole and in order through conn.write alone", async () => {
  await bigPipeline(false);
});

Deno.test("a client that leaves with replies unsent costs nothing else", async () => {
  await using t = await testServer();
  const redis = await t.redis();
  await redis.set("big", "x".repeat(1 << 20));
  const raw = await RawClient.connect(t.port);
  let input = "";
  for (let i = 0; i < 16; i++) input += encodeCommand(["GET", "big"]);
  await raw.write(input);
  raw.close();
  for (let i = 0; i < 20; i++) assert.equal(await redis.incr("n"), i + 1);
  assert.equal(await redis.strlen("big"), 1 << 20);
});
