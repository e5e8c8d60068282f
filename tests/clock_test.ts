import assert from "node:assert/strict";
import { ManualClock, SystemClock } from "../src/clock.ts";

Deno.test("ManualClock fires due callbacks in time order, each at its own time", () => {
  const clock = new ManualClock(1000);
  const seen: [string, number][] = [];
  clock.schedule(300, () => seen.push(["b", clock.now()]));
  clock.schedule(100, () => seen.push(["a", clock.now()]));
  clock.schedule(100, () => seen.push(["a2", clock.now()]));
  clock.advance(250);
  assert.deepEqual(seen, [["a", 1100], ["a2", 1100]]);
  assert.equal(clock.now(), 1250);
  clock.advance(50);
  assert.deepEqual(seen.at(-1), ["b", 1300]);
});

Deno.test("ManualClock cancel stops a callback", () => {
  const clock = new ManualClock(0);
  let fired = false;
  const cancel = clock.schedule(10, () => fired = true);
  cancel();
  clock.advance(100);
  assert.equal(fired, false);
});

Deno.test("ManualClock runs callbacks scheduled by callbacks when they fall due", () => {
  const clock = new ManualClock(0);
  const times: number[] = [];
  const tick = () => {
    times.push(clock.now());
    if (times.length < 5) clock.schedule(100, tick);
  };
  clock.schedule(100, tick);
  clock.advance(1000);
  assert.deepEqual(times, [100, 200, 300, 400, 500]);
});

Deno.test("SystemClock follows Date.now and schedules real timers", async () => {
  const clock = new SystemClock();
  assert.ok(Math.abs(clock.now() - Date.now()) < 1000);
  await new Promise<void>((resolve) => clock.schedule(1, resolve));
  let fired = false;
  clock.schedule(5, () => fired = true)();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fired, false);
});

Deno.test("SystemClock timers fire in order and not once cancelled, the first one included", async () => {
  const clock = new SystemClock();
  const fired: string[] = [];
  // The first timer takes a different path (start-up cost): cover it both ways.
  const cancelFirst = clock.schedule(5, () => fired.push("first"));
  cancelFirst();
  const cancelSecond = clock.schedule(5, () => fired.push("second"));
  cancelSecond();
  await new Promise<void>((resolve) => clock.schedule(20, resolve));
  assert.deepEqual(fired, []);

  const other = new SystemClock();
  const order: number[] = [];
  await new Promise<void>((resolve) => {
    other.schedule(10, () => order.push(1)); // the first timer's path
    other.schedule(30, () => {
      order.push(2);
      resolve();
    });
  });
  assert.deepEqual(order, [1, 2]);
});
