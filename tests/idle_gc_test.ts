import assert from "node:assert/strict";
import { Engine, type HostInfo } from "../src/engine.ts";
import { ManualClock } from "../src/clock.ts";

const MiB = 1024 * 1024;

/** A host whose RSS the test sets and whose collections it counts. */
function fakeHost(): HostInfo & { rssBytes: number; collections: number } {
  const host = {
    rssBytes: 40 * MiB,
    collections: 0,
    pid: () => 1,
    rss: () => host.rssBytes,
    heapUsed: () => 0,
    cpu: (): [number, number] => [0, 0],
    executable: () => "",
    os: () => "test",
    collectGarbage: () => {
      host.collections++;
      host.rssBytes = 60 * MiB;
      return true;
    },
  };
  return host;
}

Deno.test("an idle server collects garbage once its RSS has grown by half (at least 64 MiB)", async (t) => {
  const clock = new ManualClock();
  const host = fakeHost();
  const engine = new Engine({ clock, host });
  const client = engine.connect();
  const tick = () => clock.advance(100); // hz 10: one cron run
  try {
    tick();
    tick(); // idle: the baseline is 40 MiB
    await t.step("no collection for small growth", () => {
      host.rssBytes = 90 * MiB;
      tick();
      assert.equal(host.collections, 0);
    });
    await t.step("none while commands run", () => {
      host.rssBytes = 200 * MiB;
      engine.call(client, ["SET", "k", "v"]);
      tick();
      assert.equal(host.collections, 0);
    });
    await t.step("one when idle for a whole period after the growth", () => {
      tick();
      assert.equal(host.collections, 1);
      tick();
      tick();
      assert.equal(host.collections, 1, "RSS after the collection is the new baseline");
    });
    await t.step("the next needs half the new baseline again, and 64 MiB", () => {
      host.rssBytes = 120 * MiB; // +60 MiB: under 64
      tick();
      assert.equal(host.collections, 1);
      host.rssBytes = 125 * MiB;
      tick();
      assert.equal(host.collections, 2);
    });
  } finally {
    engine.close();
  }
});

Deno.test("a host without collectGarbage is left alone", () => {
  const clock = new ManualClock();
  const host = fakeHost();
  const { collectGarbage: _, ...plain } = host;
  const engine = new Engine({ clock, host: plain });
  try {
    host.rssBytes = 4096 * MiB;
    for (let i = 0; i < 5; i++) clock.advance(100);
    assert.equal(host.collections, 0);
  } finally {
    engine.close();
  }
});

Deno.test("a collection not available yet is tried again on the next idle run", () => {
  const clock = new ManualClock();
  let ready = false;
  let runs = 0;
  let rss = 40 * MiB;
  const engine = new Engine({
    clock,
    host: {
      pid: () => 1,
      rss: () => rss,
      heapUsed: () => 0,
      cpu: () => [0, 0],
      executable: () => "",
      os: () => "test",
      collectGarbage: () => {
        if (!ready) return false;
        runs++;
        rss = 50 * MiB;
        return true;
      },
    },
  });
  try {
    clock.advance(100);
    clock.advance(100);
    rss = 200 * MiB;
    clock.advance(100);
    assert.equal(runs, 0);
    ready = true;
    clock.advance(100);
    assert.equal(runs, 1);
  } finally {
    engine.close();
  }
});
