import assert from "node:assert/strict";
import { ListValue } from "../../src/store/list.ts";

function contents(list: ListValue): string[] {
  return list.range(0, list.length - 1);
}

Deno.test("ListValue pushes and pops at both ends in order", () => {
  const list = new ListValue();
  list.pushTail("b");
  list.pushHead("a");
  list.pushTail("c");
  assert.deepEqual(contents(list), ["a", "b", "c"]);
  assert.equal(list.popHead(), "a");
  assert.equal(list.popTail(), "c");
  assert.equal(list.popTail(), "b");
  assert.equal(list.popTail(), undefined);
  assert.equal(list.popHead(), undefined);
  assert.equal(list.length, 0);
});

Deno.test("ListValue keeps its order across growth, wrap-around and shrinking", () => {
  const list = new ListValue();
  const model: string[] = [];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 20000; i++) {
    const r = rand();
    const v = String(i);
    if (r < 0.3) {
      list.pushHead(v);
      model.unshift(v);
    } else if (r < 0.6) {
      list.pushTail(v);
      model.push(v);
    } else if (r < 0.8) {
      assert.equal(list.popHead(), model.shift());
    } else {
      assert.equal(list.popTail(), model.pop());
    }
  }
  assert.deepEqual(contents(list), model);
  for (let i = 0; i < model.length; i += 97) assert.equal(list.at(i), model[i]);
});

Deno.test("ListValue insert moves the shorter side and lands at the index", () => {
  for (let n = 0; n < 12; n++) {
    for (let at = 0; at <= n; at++) {
      const base = Array.from({ length: n }, (_, i) => `e${i}`);
      const list = new ListValue();
      // Start mid-buffer so both directions wrap.
      for (let i = 0; i < 5; i++) list.pushHead("x");
      for (const e of base) list.pushTail(e);
      for (let i = 0; i < 5; i++) list.popHead();
      list.insert(at, "new");
      const expected = [...base];
      expected.splice(at, 0, "new");
      assert.deepEqual(contents(list), expected, `n=${n} at=${at}`);
    }
  }
});

Deno.test("ListValue remove honours count and direction", async (t) => {
  const make = () => new ListValue(["a", "b", "a", "c", "a"]);
  await t.step("count 0 removes all", () => {
    const l = make();
    assert.equal(l.remove("a", 0), 3);
    assert.deepEqual(contents(l), ["b", "c"]);
  });
  await t.step("positive count removes from the head", () => {
    const l = make();
    assert.equal(l.remove("a", 2), 2);
    assert.deepEqual(contents(l), ["b", "c", "a"]);
  });
  await t.step("negative count removes from the tail", () => {
    const l = make();
    assert.equal(l.remove("a", -2), 2);
    assert.deepEqual(contents(l), ["a", "b", "c"]);
  });
  await t.step("no match removes nothing", () => {
    const l = make();
    assert.equal(l.remove("z", 0), 0);
    assert.equal(l.length, 5);
  });
});

Deno.test("ListValue trim, set, indexOf, values and clone", () => {
  const list = new ListValue(["a", "b", "c", "d", "e"]);
  list.trim(1, 3);
  assert.deepEqual(contents(list), ["b", "c", "d"]);
  list.set(1, "C");
  assert.equal(list.at(1), "C");
  assert.equal(list.indexOf("d"), 2);
  assert.equal(list.indexOf("zz"), -1);
  assert.deepEqual([...list.values(true)], ["d", "C", "b"]);
  const copy = list.clone();
  copy.pushTail("x");
  assert.equal(list.length, 3);
  assert.equal(copy.length, 4);
  list.trim(1, 0);
  assert.equal(list.length, 0);
  assert.equal(list.encoding(), "quicklist");
  assert.equal(list.type, "list");
});

Deno.test("ListValue handles a million pushes and pops at the head in linear time", () => {
  const list = new ListValue();
  for (let i = 0; i < 1_000_000; i++) list.pushHead("v");
  assert.equal(list.length, 1_000_000);
  for (let i = 0; i < 1_000_000; i++) list.popHead();
  assert.equal(list.length, 0);
});
