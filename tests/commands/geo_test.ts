import assert from "node:assert/strict";
import { type RawClient, type TestServer, testServer } from "../support/server.ts";
import { type DirtyCase, dirtyCountTests } from "../support/dirty.ts";
import { GEO_HANDLERS } from "../../src/commands/geo.ts";
import type { Engine } from "../../src/engine.ts";
import { ZSetValue } from "../../src/store/zset.ts";
import { decodeScore, withinShape } from "../../src/store/geohash.ts";
import { bulk, int } from "../support/resp.ts";

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX = "-ERR syntax error\r\n";

function err(text: string): string {
  return `-ERR ${text}\r\n`;
}

const SICILY = ["13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"];

function recordEvents(engine: Engine): string[] {
  const events: string[] = [];
  engine.notify = (_db, cls, event, key) => {
    if (cls !== "m" && cls !== "n") events.push(`${cls}:${event}:${key}`);
  };
  return events;
}

async function resp3(t: TestServer): Promise<RawClient> {
  const raw = await t.raw();
  await raw.call("HELLO", "3");
  return raw;
}

function zset(t: TestServer, key: string): ZSetValue {
  const v = t.server.engine.db(0).get(key);
  assert.ok(v instanceof ZSetValue, `${key} holds a sorted set`);
  return v;
}

Deno.test("GEOADD stores geohash scores in a sorted set; GEOPOS, GEODIST, GEOHASH read them", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  assert.equal(await redis.geoadd("Sicily", ...SICILY), 2);
  assert.equal(await redis.type("Sicily"), "zset");
  assert.equal(await redis.zscore("Sicily", "Palermo"), "3479099956230698");
  assert.equal(await redis.zscore("Sicily", "Catania"), "3479447370796909");
  await t.step("GEOPOS decodes to the cell's centre", async () => {
    assert.deepEqual(await redis.geopos("Sicily", "Palermo", "nope", "Catania"), [
      ["13.36138933897018433", "38.11555639549629859"],
      null,
      ["15.08726745843887329", "37.50266842333162032"],
    ]);
    assert.deepEqual(await redis.geopos("nokey", "a"), [null]);
  });
  await t.step("GEODIST in every unit", async () => {
    assert.equal(await redis.geodist("Sicily", "Palermo", "Catania"), "166274.1516");
    assert.equal(await redis.geodist("Sicily", "Palermo", "Catania", "KM"), "166.2742");
    assert.equal(await redis.geodist("Sicily", "Palermo", "Catania", "MI"), "103.3182");
    assert.equal(await redis.geodist("Sicily", "Palermo", "Catania", "FT"), "545518.8700");
    assert.equal(await redis.geodist("Sicily", "Palermo", "nope"), null);
    assert.equal(await redis.geodist("nokey", "a", "b"), null);
  });
  await t.step("GEOHASH gives standard 11-character geohashes", async () => {
    assert.deepEqual(await redis.geohash("Sicily", "Palermo", "Catania", "nope"), [
      "sqc8b49rny0",
      "sqdtr74hyu0",
      null,
    ]);
  });
});

Deno.test("GEOADD NX, XX and CH count as ZADD counts", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("GEOADD", "k", ...SICILY), int(2));
  assert.equal(await raw.call("GEOADD", "k", "NX", "1", "1", "Palermo", "2", "2", "x"), int(1));
  assert.equal(await raw.call("GEOADD", "k", "XX", "1", "1", "Palermo", "3", "3", "y"), int(0));
  assert.equal(await raw.call("GEOADD", "k", "xx", "ch", "2", "2", "Palermo"), int(1));
  assert.equal(await raw.call("GEOADD", "k", "CH", "2", "2", "Palermo", "4", "4", "z"), int(1));
  assert.equal(await raw.call("GEOADD", "nokey", "XX", "1", "1", "a"), int(0));
  assert.equal(await raw.call("EXISTS", "nokey"), int(0));
  assert.equal(await raw.call("ZCARD", "k"), int(4));
});

Deno.test("GEOADD errors: syntax, floats, the longitude,latitude pair, wrong type", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  assert.equal(await raw.call("GEOADD", "k", "NX", "XX", "1", "1", "a"), SYNTAX);
  assert.equal(await raw.call("GEOADD", "k", "1", "1", "a", "2"), SYNTAX);
  assert.equal(await raw.call("GEOADD", "k", "GT", "1", "1", "a"), SYNTAX);
  assert.equal(
    await raw.call("GEOADD", "k", "1", "2"),
    "-ERR wrong number of arguments for 'geoadd' command\r\n",
  );
  assert.equal(await raw.call("GEOADD", "k", "x", "1", "a"), err("value is not a valid float"));
  assert.equal(await raw.call("GEOADD", "k", "1e400", "1", "a"), err("value is not a valid float"));
  assert.equal(
    await raw.call("GEOADD", "k", "1e-400", "1", "a"),
    err("value is not a valid float"),
  );
  assert.equal(
    await raw.call("GEOADD", "k", "200", "100", "a"),
    err("invalid longitude,latitude pair 200.000000,100.000000"),
  );
  assert.equal(
    await raw.call("GEOADD", "k", "-0", "85.05112879", "a"),
    err("invalid longitude,latitude pair -0.000000,85.051129"),
  );
  assert.equal(
    await raw.call("GEOADD", "k", "inf", "0", "a"),
    err("invalid longitude,latitude pair inf,0.000000"),
  );
  // Nothing was added by any of them, not even the valid first member.
  assert.equal(
    await raw.call("GEOADD", "k", "1", "1", "a", "200", "1", "b"),
    err(
      "invalid longitude,latitude pair 200.000000,1.000000",
    ),
  );
  assert.equal(await raw.call("EXISTS", "k"), int(0));
  await raw.call("SET", "str", "v");
  assert.equal(await raw.call("GEOADD", "str", "1", "1", "a"), WRONGTYPE);
  assert.equal(await raw.call("GEOPOS", "str", "a"), WRONGTYPE);
  assert.equal(await raw.call("GEOHASH", "str", "a"), WRONGTYPE);
  assert.equal(await raw.call("GEODIST", "str", "a", "b"), WRONGTYPE);
  assert.equal(
    await raw.call("GEODIST", "str", "a", "b", "yd"),
    err(
      "unsupported unit provided. please use M, KM, FT, MI",
    ),
  );
});

Deno.test("GEOADD starts a listpack and converts to a skiplist as ZADD does", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("CONFIG", "SET", "zset-max-listpack-entries", "2");
  await raw.call("GEOADD", "k", "1", "1", "a", "1", "1", "a", "1", "1", "a");
  assert.equal(zset(s, "k").encoding(), "listpack");
  await raw.call("GEOADD", "k", "2", "2", "b", "3", "3", "c");
  assert.equal(zset(s, "k").encoding(), "skiplist");
  await raw.call("CONFIG", "SET", "zset-max-listpack-value", "3");
  await raw.call("GEOADD", "v", "1", "1", "long-member");
  assert.equal(zset(s, "v").encoding(), "skiplist");
});

Deno.test("GEOSEARCH: FROM / BY, the WITH options, ASC / DESC, COUNT and ANY", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const raw = await s.raw();
  await redis.geoadd("Sicily", ...SICILY);
  await t.step("BYRADIUS and BYBOX, in walk order or sorted", async () => {
    const near = ["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"];
    assert.deepEqual(await redis.call("GEOSEARCH", "Sicily", ...near), ["Palermo", "Catania"]);
    assert.deepEqual(await redis.call("GEOSEARCH", "Sicily", ...near, "ASC"), [
      "Catania",
      "Palermo",
    ]);
    assert.deepEqual(await redis.call("GEOSEARCH", "Sicily", ...near, "DESC"), [
      "Palermo",
      "Catania",
    ]);
    assert.deepEqual(
      await redis.call(
        "GEOSEARCH",
        "Sicily",
        "FROMLONLAT",
        "15",
        "37",
        "BYBOX",
        "400",
        "400",
        "km",
        "ASC",
      ),
      ["Catania", "Palermo"],
    );
    assert.deepEqual(
      await redis.call("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km"),
      ["Palermo"],
    );
  });
  await t.step("COUNT keeps the nearest; with ANY, the first found", async () => {
    const near = ["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"];
    assert.deepEqual(await redis.call("GEOSEARCH", "Sicily", ...near, "COUNT", "1"), ["Catania"]);
    assert.deepEqual(await redis.call("GEOSEARCH", "Sicily", ...near, "COUNT", "1", "ANY"), [
      "Palermo",
    ]);
  });
  await t.step("WITHDIST, WITHHASH and WITHCOORD in RESP2", async () => {
    assert.deepEqual(
      await redis.call(
        "GEOSEARCH",
        "Sicily",
        "FROMLONLAT",
        "15",
        "37",
        "BYRADIUS",
        "200",
        "km",
        "WITHCOORD",
        "WITHDIST",
        "WITHHASH",
        "ASC",
      ),
      [
        ["Catania", "56.4413", 3479447370796909, ["15.08726745843887329", "37.50266842333162032"]],
        ["Palermo", "190.4424", 3479099956230698, ["13.36138933897018433", "38.11555639549629859"]],
      ],
    );
  });
  await t.step("RESP3: coordinates are doubles, distances strings", async () => {
    const r3 = await resp3(s);
    assert.equal(
      await r3.call(
        "GEOSEARCH",
        "Sicily",
        "FROMLONLAT",
        "15",
        "37",
        "BYRADIUS",
        "100",
        "km",
        "WITHCOORD",
        "WITHDIST",
      ),
      "*1\r\n*3\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n",
    );
    assert.equal(
      await r3.call("GEOPOS", "Sicily", "Palermo", "nope"),
      "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n",
    );
    assert.equal(await r3.call("GEODIST", "Sicily", "Palermo", "Catania"), bulk("166274.1516"));
    assert.equal(await r3.call("GEODIST", "Sicily", "Palermo", "nope"), "_\r\n");
  });
  await t.step("errors, in Redis's order", async () => {
    const base = ["GEOSEARCH", "Sicily"];
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "nope", "BYRADIUS", "1", "m"),
      err("could not decode requested zset member"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYRADIUS", "-1", "m"),
      err("radius cannot be negative"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYRADIUS", "x", "m"),
      err("need numeric radius"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYBOX", "x", "1", "m"),
      err("need numeric width"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYBOX", "1", "x", "m"),
      err("need numeric height"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYBOX", "1", "-1", "m"),
      err("height or width cannot be negative"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "yd"),
      err("unsupported unit provided. please use M, KM, FT, MI"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "m", "COUNT", "0"),
      err("COUNT must be > 0"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "m", "ANY"),
      err("the ANY argument requires COUNT argument"),
    );
    assert.equal(
      await raw.call("GeoSearch", "Sicily", "WITHDIST", "ASC", "BYRADIUS", "1", "m"),
      err("exactly one of FROMMEMBER or FROMLONLAT can be specified for GeoSearch"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "WITHDIST", "ASC", "DESC"),
      err("exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"),
    );
    assert.equal(
      await raw.call(...base, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "m", "STORE", "d"),
      SYNTAX,
    );
    assert.equal(
      await raw.call(
        "GEOSEARCHSTORE",
        "d",
        "Sicily",
        "FROMMEMBER",
        "Palermo",
        "BYRADIUS",
        "1",
        "m",
        "WITHDIST",
      ),
      err("GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
    );
    assert.equal(
      await raw.call("GEORADIUS", "Sicily", "15", "37", "1", "m", "WITHHASH", "STORE", "d"),
      err(
        "STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
      ),
    );
    assert.equal(
      await raw.call("GEORADIUS_RO", "Sicily", "15", "37", "1", "m", "STORE", "d"),
      SYNTAX,
    );
  });
  await t.step("a missing key: an empty array, whatever the member", async () => {
    assert.equal(
      await raw.call("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "m"),
      "*0\r\n",
    );
    assert.equal(await raw.call("GEORADIUSBYMEMBER", "nokey", "x", "1", "yd"), "*0\r\n");
  });
});

Deno.test("GEOSEARCHSTORE and GEORADIUS STORE write sorted sets, or delete the destination", async (t) => {
  await using s = await testServer();
  const redis = await s.redis();
  const events = recordEvents(s.server.engine);
  await redis.geoadd("Sicily", ...SICILY);
  await t.step("positions (the scores) or distances (STOREDIST)", async () => {
    const from = ["FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"];
    assert.equal(await redis.call("GEOSEARCHSTORE", "d", "Sicily", ...from), 2);
    assert.deepEqual(await redis.zrange("d", 0, -1, "WITHSCORES"), [
      "Palermo",
      "3479099956230698",
      "Catania",
      "3479447370796909",
    ]);
    assert.equal(await redis.call("GEOSEARCHSTORE", "d", "Sicily", ...from, "STOREDIST"), 2);
    assert.deepEqual(await redis.zrange("d", 0, -1, "WITHSCORES"), [
      "Catania",
      "56.441257870158204",
      "Palermo",
      "190.44242984775784",
    ]);
    assert.equal(
      await redis.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "STORE", "e"),
      1,
    );
    assert.deepEqual(await redis.zrange("e", 0, -1), ["Catania"]);
    assert.equal(
      await redis.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", "1", "km", "STOREDIST", "e"),
      1,
    );
    assert.deepEqual(await redis.zrange("e", 0, -1, "WITHSCORES"), ["Palermo", "0"]);
  });
  await t.step("no result deletes the destination; a missing source too", async () => {
    await redis.set("x", "string");
    assert.equal(
      await redis.call(
        "GEOSEARCHSTORE",
        "x",
        "Sicily",
        "FROMLONLAT",
        "0",
        "0",
        "BYRADIUS",
        "1",
        "m",
      ),
      0,
    );
    assert.equal(await redis.exists("x"), 0);
    assert.equal(
      await redis.call("GEOSEARCHSTORE", "e", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "m"),
      0,
    );
    assert.equal(await redis.exists("e"), 0);
  });
  assert.deepEqual(events, [
    "z:zadd:Sicily",
    "z:geosearchstore:d",
    "z:geosearchstore:d",
    "z:georadiusstore:e",
    "z:georadiusstore:e",
    "$:set:x",
    "g:del:x",
    "g:del:e",
  ]);
});

Deno.test("searches find exactly the members inside the shape", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  // 3,000 points over Europe, seeded.
  let seed = 99;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const argv = ["GEOADD", "eu"];
  for (let i = 0; i < 3000; i++) {
    argv.push((-10 + rnd() * 40).toFixed(6), (35 + rnd() * 30).toFixed(6), `p${i}`);
  }
  await raw.call(...argv);
  const all = [...zset(s, "eu").entries()];
  for (let q = 0; q < 40; q++) {
    const lon = -10 + rnd() * 40;
    const lat = 35 + rnd() * 30;
    const box = q % 2 === 1;
    const a = 10 + rnd() * 800;
    const b = 10 + rnd() * 800;
    const shape = box
      ? { type: "box", lon, lat, width: a, height: b, conversion: 1000 } as const
      : { type: "radius", lon, lat, radius: a, conversion: 1000 } as const;
    const by = box ? ["BYBOX", String(a), String(b), "km"] : ["BYRADIUS", String(a), "km"];
    const reply = await raw.call("GEOSEARCH", "eu", "FROMLONLAT", String(lon), String(lat), ...by);
    const found = [...reply.matchAll(/\$\d+\r\n(p\d+)\r\n/g)].map((m) => m[1]!).sort();
    const expected = all
      .filter(([, score]) => {
        const [x, y] = decodeScore(score);
        return withinShape(shape, x, y) !== -1;
      })
      .map(([m]) => m)
      .sort();
    assert.deepEqual(found, expected, `query ${q}`);
  }
});

Deno.test("GEOADD and stores publish zadd, geosearchstore, georadiusstore and del", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  const events = recordEvents(s.server.engine);
  await raw.call("GEOADD", "k", "1", "1", "a");
  await raw.call("GEOADD", "k", "NX", "1", "1", "a");
  await raw.call("GEOADD", "k", "1", "1", "a");
  await raw.call("GEOSEARCHSTORE", "d", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "m");
  await raw.call("GEORADIUS", "k", "1", "1", "1", "m");
  assert.deepEqual(events, ["z:zadd:k"]);
});

Deno.test("searches and reads count keyspace misses; GEOADD looks up for writing", async () => {
  await using s = await testServer();
  const raw = await s.raw();
  await raw.call("CONFIG", "RESETSTAT");
  await raw.call("GEOSEARCHSTORE", "d", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "m");
  await raw.call("GEORADIUS", "nokey", "1", "1", "1", "m", "STORE", "x");
  await raw.call("GEOADD", "nokey2", "XX", "1", "1", "a");
  await raw.call("GEODIST", "nokey", "a", "b");
  const info = await raw.call("INFO", "stats");
  assert.match(info, /keyspace_hits:0\r\n/);
  assert.match(info, /keyspace_misses:3\r\n/);
});

const SICILY_SETUP = [["GEOADD", "s", ...SICILY]];

/** Each geo write and the changes redis-server 7.0.15 counts for it. */
const DIRTY_CASES: readonly DirtyCase[] = [
  { run: ["GEOADD", "s", ...SICILY], changes: 2 },
  { run: ["GEOADD", "s", "1", "1", "a", "2", "2", "a"], changes: 2 },
  { setup: SICILY_SETUP, run: ["GEOADD", "s", ...SICILY], changes: 0 },
  { setup: SICILY_SETUP, run: ["GEOADD", "s", "NX", "1", "1", "Palermo"], changes: 0 },
  {
    setup: SICILY_SETUP,
    run: ["GEOADD", "s", "XX", "1", "1", "Palermo", "2", "2", "x"],
    changes: 1,
  },
  {
    setup: SICILY_SETUP,
    run: ["GEOADD", "s", "CH", "1", "1", "Palermo", "2", "2", "x"],
    changes: 2,
  },
  { setup: SICILY_SETUP, run: ["GEOADD", "s", "200", "1", "x"], changes: 0 },
  { setup: [["SET", "s", "v"]], run: ["GEOADD", "s", "1", "1", "x"], changes: 0 },
  {
    setup: SICILY_SETUP,
    run: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    changes: 2,
  },
  {
    setup: SICILY_SETUP,
    run: [
      "GEOSEARCHSTORE",
      "d",
      "s",
      "FROMLONLAT",
      "15",
      "37",
      "BYRADIUS",
      "200",
      "km",
      "COUNT",
      "1",
    ],
    changes: 1,
  },
  {
    setup: [...SICILY_SETUP, ["SET", "d", "v"]],
    run: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
    changes: 1,
  },
  {
    setup: SICILY_SETUP,
    run: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
    changes: 0,
  },
  {
    setup: [["SET", "d", "v"]],
    run: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
    changes: 1,
  },
  { run: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"], changes: 0 },
  { setup: SICILY_SETUP, run: ["GEORADIUS", "s", "15", "37", "200", "km"], changes: 0 },
  {
    setup: SICILY_SETUP,
    run: ["GEORADIUS", "s", "15", "37", "200", "km", "STORE", "d"],
    changes: 2,
  },
  {
    setup: SICILY_SETUP,
    run: ["GEORADIUS", "s", "15", "37", "200", "km", "STOREDIST", "d"],
    changes: 2,
  },
  {
    setup: [...SICILY_SETUP, ["SET", "d", "v"]],
    run: ["GEORADIUS", "s", "15", "37", "1", "m", "STORE", "d"],
    changes: 1,
  },
  { setup: SICILY_SETUP, run: ["GEORADIUSBYMEMBER", "s", "Palermo", "200", "km"], changes: 0 },
  {
    setup: SICILY_SETUP,
    run: ["GEORADIUSBYMEMBER", "s", "Palermo", "200", "km", "STORE", "d"],
    changes: 2,
  },
  {
    setup: [["SET", "d", "v"]],
    run: ["GEORADIUSBYMEMBER", "s", "Palermo", "200", "km", "STORE", "d"],
    changes: 1,
  },
];

dirtyCountTests("geo", { handlers: GEO_HANDLERS, cases: DIRTY_CASES });
