/**
 * The geohash functions against values measured on redis-server 7.0.15
 * (ZSCORE after GEOADD, GEOPOS, GEOHASH, GEODIST): the same scores,
 * coordinates, geohash strings and distances, to the byte.
 */

import assert from "node:assert/strict";
import {
  boundingBox,
  cellArea,
  cellScores,
  decodeScore,
  distance,
  encodeCell,
  estimateSteps,
  formatCoordinate,
  formatDistance,
  formatFixed,
  GEO_LAT_MAX,
  geohashScore,
  geohashScoreText,
  geohashString,
  latDistance,
  moveCell,
  neighbours,
  partialSort,
  scoreCell,
  searchBoxes,
  searchCells,
  withinShape,
} from "../../src/store/geohash.ts";

const PALERMO = 3479099956230698;
const CATANIA = 3479447370796909;

Deno.test("positions encode to Redis's 52-bit scores", async (t) => {
  await t.step("ordinary positions", () => {
    assert.equal(geohashScore(13.361389, 38.115556), PALERMO);
    assert.equal(geohashScore(15.087269, 37.502669), CATANIA);
    assert.equal(geohashScore(13.5, 38.115556), 3479100629809192);
  });
  await t.step("the lower corner is 0", () => {
    assert.equal(geohashScore(-180, -85.05112878), 0);
    assert.equal(geohashScoreText(-180, -85.05112878), "0");
  });
  await t.step("the upper edges overflow 26 bits, as in Redis", () => {
    // Both indexes are 2^26: bits 52 and 53.
    assert.equal(geohashScore(180, GEO_LAT_MAX), 3 * 2 ** 52);
    assert.equal(geohashScoreText(180, GEO_LAT_MAX), "13510798882111488");
  });
  await t.step("the propagated text is the exact integer", () => {
    assert.equal(geohashScoreText(13.361389, 38.115556), "3479099956230698");
  });
  await t.step("positions outside the ranges have no cell", () => {
    assert.equal(encodeCell(180.1, 0, 26), null);
    assert.equal(encodeCell(0, 85.06, 26), null);
    assert.equal(encodeCell(0, 0, 0), null);
  });
});

Deno.test("scores decode to Redis's coordinates, printed as Redis prints them", async (t) => {
  const pos = (score: number) => decodeScore(score).map(formatCoordinate).join(" ");
  await t.step("GEOPOS of ordinary members", () => {
    assert.equal(pos(PALERMO), "13.36138933897018433 38.11555639549629859");
    assert.equal(pos(CATANIA), "15.08726745843887329 37.50266842333162032");
  });
  await t.step("the corners and the clamped upper edges", () => {
    assert.equal(pos(0), "-179.99999731779098511 -85.05112751263942528");
    assert.equal(pos(3 * 2 ** 52), "180 85.0511287799999991");
  });
  // Scores ZADD gave, decoded as Redis's (uint64_t) cast does on x86-64.
  const cases: [number, string][] = [
    [1.5, "-179.99999731779098511 -85.05112497791824921"],
    [-1, "180 85.0511287799999991"],
    [1e300, "-179.99999731779098511 -85.05112751263942528"],
    [2 ** 53, "180 -85.05112751263942528"],
    [Infinity, "-179.99999731779098511 -85.05112751263942528"],
    [-Infinity, "180 -85.05112751263942528"],
    [2 ** 54, "-179.99999731779098511 85.0511287799999991"],
    [2 ** 55, "180 -85.05112751263942528"],
    [1e20, "-179.99999731779098511 -85.05112751263942528"],
    [-(2 ** 63), "180 -85.05112751263942528"],
  ];
  for (const [score, expected] of cases) {
    await t.step(`any score decodes: ${score}`, () => assert.equal(pos(score), expected));
  }
  await t.step("a score's cell at step 26", () => {
    const cell = scoreCell(PALERMO);
    assert.equal(cell.step, 26);
    const area = cellArea(cell);
    assert.ok(area.lonMin < 13.361389 && 13.361389 < area.lonMax);
    assert.ok(area.latMin < 38.115556 && 38.115556 < area.latMax);
  });
});

Deno.test("GEOHASH strings are Redis's 11 characters", () => {
  assert.equal(geohashString(PALERMO), "sqc8b49rny0");
  assert.equal(geohashString(CATANIA), "sqdtr74hyu0");
  assert.equal(geohashString(3 * 2 ** 52), "bp05b5048p0");
  assert.equal(geohashString(0), "00bh0hbj200");
  assert.equal(geohashString(1.5), "00bh0hbj210");
  assert.equal(geohashString(-1), "bp05b5048p0");
});

Deno.test("distances are Redis's haversine, printed with 4 decimals", async (t) => {
  const [lon1, lat1] = decodeScore(PALERMO);
  const [lon2, lat2] = decodeScore(CATANIA);
  const d = distance(lon1, lat1, lon2, lat2);
  await t.step("GEODIST in every unit", () => {
    assert.equal(formatDistance(d), "166274.1516");
    assert.equal(formatDistance(d / 1000), "166.2742");
    assert.equal(formatDistance(d / 1609.34), "103.3182");
    assert.equal(formatDistance(d / 0.3048), "545518.8700");
  });
  await t.step("a distance is symmetric and zero to itself", () => {
    assert.equal(distance(lon2, lat2, lon1, lat1), d);
    assert.equal(distance(lon1, lat1, lon1, lat1), 0);
  });
  await t.step("on one meridian, the latitude distance", () => {
    assert.equal(distance(10, 1, 10, 2), latDistance(1, 2));
    assert.equal(latDistance(1, 2), latDistance(2, 1));
  });
  await t.step("STOREDIST's values (as ZSCORE shows them on Redis)", () => {
    const [clon, clat] = [15, 37];
    assert.equal(distance(clon, clat, lon2, lat2) / 1000, 56.441257870158204);
    assert.equal(distance(clon, clat, lon1, lat1) / 1000, 190.44242984775784);
  });
});

Deno.test("within a shape: a circle by distance, a box by its sides", () => {
  const circle = { type: "radius", lon: 15, lat: 37, radius: 200, conversion: 1000 } as const;
  const [lon1, lat1] = decodeScore(PALERMO);
  assert.equal(formatDistance(withinShape(circle, lon1, lat1) / 1000), "190.4424");
  assert.equal(withinShape({ ...circle, radius: 100 }, lon1, lat1), -1);
  const box = { type: "box", lon: 15, lat: 37, width: 400, height: 400, conversion: 1000 } as const;
  assert.equal(formatDistance(withinShape(box, lon1, lat1) / 1000), "190.4424");
  assert.equal(withinShape({ ...box, height: 100 }, lon1, lat1), -1);
  assert.equal(withinShape({ ...box, width: 100 }, lon1, lat1), -1);
});

Deno.test("printf-style fixed formatting rounds ties to even", () => {
  assert.equal(formatFixed(200, 6), "200.000000");
  assert.equal(formatFixed(0.0000015, 6), "0.000002");
  assert.equal(formatFixed(0.0000005, 6), "0.000000");
  assert.equal(formatFixed(-0, 6), "-0.000000");
  assert.equal(formatFixed(Infinity, 6), "inf");
  assert.equal(formatFixed(-Infinity, 6), "-inf");
  assert.equal(formatFixed(0.125, 2), "0.12");
  assert.equal(formatFixed(0.375, 2), "0.38");
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(0.03125, 4), "0.0312");
  assert.equal(formatFixed(0.09375, 4), "0.0938");
  // Every integer digit, as glibc prints it.
  assert.equal(
    formatFixed(1e300, 6),
    "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000",
  );
  assert.equal(formatCoordinate(180), "180");
  assert.equal(formatCoordinate(-1e-18), "0");
  // 3 * 2^-18 has 18 decimals ending in 5: a tie at 17.
  assert.equal(formatCoordinate(3 * 2 ** -18), "0.00001144409179688");
  assert.equal(formatCoordinate(5 * 2 ** -18), "0.00001907348632812");
});

Deno.test("the search step follows the radius and the latitude", () => {
  assert.equal(estimateSteps(0, 0), 26);
  assert.equal(estimateSteps(1000, 0), 14);
  assert.equal(estimateSteps(1000, 70), 13);
  assert.equal(estimateSteps(1000, -85), 12);
  assert.equal(estimateSteps(0.001, 0), 26);
  assert.equal(estimateSteps(5e7, 0), 1);
  assert.equal(estimateSteps(Infinity, 0), 1);
});

Deno.test("neighbours wrap around and move only the coordinates they change", () => {
  const n = neighbours({ lat: 0, lon: 0, step: 2 });
  assert.deepEqual(n.west, { lat: 0, lon: 3, step: 2 });
  assert.deepEqual(n.south, { lat: 3, lon: 0, step: 2 });
  assert.deepEqual(n.northEast, { lat: 1, lon: 1, step: 2 });
  assert.deepEqual(n.southWest, { lat: 3, lon: 3, step: 2 });
  // An index past the top (longitude 180) stays as is when not moved.
  const edge = { lat: 1, lon: 4, step: 2 };
  assert.deepEqual(moveCell(edge, 0, 1), { lat: 2, lon: 4, step: 2 });
  assert.deepEqual(moveCell(edge, 1, 0), { lat: 1, lon: 1, step: 2 });
  assert.deepEqual(moveCell(edge, -1, 0), { lat: 1, lon: 3, step: 2 });
});

Deno.test("a cell's score interval is its bits aligned to 52", () => {
  assert.deepEqual(cellScores({ lat: 1, lon: 0, step: 1 }), { min: 2 ** 50, max: 2 ** 51 });
  assert.deepEqual(cellScores({ lat: 1, lon: 1, step: 1 }), { min: 3 * 2 ** 50, max: 2 ** 52 });
  const own = scoreCell(PALERMO);
  assert.deepEqual(cellScores(own), { min: PALERMO, max: PALERMO + 1 });
});

Deno.test("search areas: nine cells in Redis's order, useless ones left out", async (t) => {
  await t.step("a small circle keeps the centre and its near neighbours", () => {
    const shape = { type: "radius", lon: 15, lat: 37, radius: 200, conversion: 1000 } as const;
    const cells = searchCells(shape);
    assert.equal(cells.length, 9);
    assert.ok(cells[0] !== null);
    const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
    assert.ok(minLon < 15 && maxLon > 15 && minLat < 37 && maxLat > 37);
    const boxes = searchBoxes(shape);
    assert.ok(boxes.length >= 1 && boxes.length <= 9);
    // Palermo and Catania are in the walked boxes.
    for (const score of [PALERMO, CATANIA]) {
      assert.ok(boxes.some((b) => b.min <= score && score < b.max));
    }
  });
  await t.step("a huge radius walks each distinct cell once", () => {
    const boxes = searchBoxes({ type: "radius", lon: 0, lat: 0, radius: 30000, conversion: 1000 });
    const keys = boxes.map((b) => `${b.min}-${b.max}`);
    assert.equal(new Set(keys).size, keys.length);
  });
  await t.step("a zero radius searches the centre's finest cell", () => {
    const boxes = searchBoxes({
      type: "radius",
      lon: 13.361389,
      lat: 38.115556,
      radius: 0,
      conversion: 1,
    });
    assert.ok(boxes.some((b) => b.min <= PALERMO && PALERMO < b.max));
  });
});

Deno.test("partial sort: the range sorted, ties in Redis's pqsort order", async (t) => {
  const asc = (a: number, b: number) => (a > b ? 1 : a === b ? 0 : -1);
  await t.step("the first k are the k smallest, in order", () => {
    const a = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0, 11, 15, 13, 12, 14, 10];
    partialSort(a, asc, 0, 4);
    assert.deepEqual(a.slice(0, 5), [0, 1, 2, 3, 4]);
  });
  await t.step("everything when the range is everything", () => {
    const a = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    partialSort(a, asc, 0, 99);
    assert.deepEqual(a, Array.from({ length: 100 }, (_, i) => i));
  });
  await t.step("ties come out as Redis 7.0.15's (no insertion-sort switch)", () => {
    // Distances [2,1,2,0,2,3,2], COUNT 4, DESC: Redis's order of the items.
    const items = [2, 1, 2, 0, 2, 3, 2].map((v, id) => ({ v, id }));
    partialSort(items, (a, b) => -asc(a.v, b.v), 0, 3);
    assert.deepEqual(items.map((x) => x.id), [5, 6, 2, 0, 4, 1, 3]);
  });
});
