/**
 * Geohashing as Redis 7.0.15 does it for the geo commands: 52-bit
 * interleaved scores, their decoding, the 9-box search areas with the step
 * estimation, haversine distances, and the texts Redis prints.
 *
 * A position is stored as a sorted-set score: the longitude
 * (`-180..180`) and the latitude (`-85.05112878..85.05112878`, the Web
 * Mercator limits) are each scaled to a 26-bit cell index, and the two
 * indexes are interleaved bit by bit, latitude in the even bits, longitude in
 * the odd bits. Decoding takes the centre of the cell. Every computation here
 * is done in the same IEEE double operations, in the same order, as Redis,
 * so scores, decoded coordinates and distances are the same numbers.
 *
 * Indexes are kept as two unsigned 32-bit numbers (never 64-bit integers):
 * a 52-bit score is split into two 32-bit words for the bit work and joined
 * back with one double addition, which rounds exactly as Redis's conversion
 * of its 64-bit integer to a double does.
 *
 * Known differences from Redis 7.0.15:
 * - `Math.sin`, `Math.cos` and `Math.asin` are V8's where Redis calls
 *   glibc's, and they differ in the last bit for about 0.1% of arguments
 *   (V8's were correctly rounded on every sample checked; glibc 2.36's
 *   x86-64 FMA paths are not). A distance then differs by an ulp: it shows
 *   in STOREDIST scores, printed with 17 digits (measured: 24 of 18,000
 *   stored distances differ in the last digit), almost never in a printed
 *   distance (4 decimals: 0 of 18,000) or in a radius test (only for a
 *   point within an ulp of the boundary). Redis itself gives different
 *   last digits on CPUs without FMA.
 *
 * @module
 */

/** The finest step: 26 bits per coordinate, 52 bits in all. */
export const GEO_STEP_MAX = 26;
/** The lowest latitude Redis accepts (Web Mercator). */
export const GEO_LAT_MIN = -85.05112878;
/** The highest latitude Redis accepts (Web Mercator). */
export const GEO_LAT_MAX = 85.05112878;
/** The lowest longitude. */
export const GEO_LONG_MIN = -180;
/** The highest longitude. */
export const GEO_LONG_MAX = 180;

/** Degrees to radians factor (`M_PI / 180.0`). */
const D_R = Math.PI / 180;
/** The Earth's quadratic mean radius for WGS-84, in meters. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
/** Cells per coordinate at the finest step, 2^26. */
const CELLS_26 = 67108864;

/** A coordinate interval. */
export interface GeoRange {
  readonly min: number;
  readonly max: number;
}

/** The longitude range of every geohash. */
export const LONG_RANGE: GeoRange = Object.freeze({ min: GEO_LONG_MIN, max: GEO_LONG_MAX });
/** The latitude range of Redis's internal geohashes. */
export const LAT_RANGE: GeoRange = Object.freeze({ min: GEO_LAT_MIN, max: GEO_LAT_MAX });
/** The latitude range of standard geohash strings (GEOHASH). */
export const STANDARD_LAT_RANGE: GeoRange = Object.freeze({ min: -90, max: 90 });

/**
 * A geohash cell: the latitude and longitude cell indexes at a step (bits
 * per coordinate). An index may exceed `step` bits, as Redis's does, for a
 * position on the upper edge (longitude 180 or the highest latitude).
 */
export interface GeoCell {
  /** Latitude index, an unsigned 32-bit number. */
  readonly lat: number;
  /** Longitude index, an unsigned 32-bit number. */
  readonly lon: number;
  /** Bits per coordinate, 1..26. */
  readonly step: number;
}

/** The rectangle a cell covers, in degrees. */
export interface GeoArea {
  readonly lonMin: number;
  readonly lonMax: number;
  readonly latMin: number;
  readonly latMax: number;
}

/** A longitude and a latitude, in degrees. */
export type LonLat = [lon: number, lat: number];

// ---------------------------------------------------------------------------
// Bit interleaving on 32-bit words

/** Spreads the low 16 bits of `v` to the even bits of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function squash16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  return (v | (v >>> 8)) & 0x0000ffff;
}

/**
 * Interleaves two unsigned 32-bit indexes (latitude in the even bits,
 * longitude in the odd bits) into a 64-bit value given as two words.
 *
 * @param lat the latitude index
 * @param lon the longitude index
 * @returns the high and low 32-bit words
 */
function interleaveWords(lat: number, lon: number): [hi: number, lo: number] {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

/**
 * A 64-bit value given as two words, as a double: one rounding, to nearest,
 * as C's conversion of the integer.
 */
function wordsToNumber(hi: number, lo: number): number {
  return hi * TWO32 + lo;
}

/** The exact decimal text of a 64-bit value given as two words. */
function wordsToText(hi: number, lo: number): string {
  if (hi < 0x200000) return String(hi * TWO32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * A double converted to a 64-bit unsigned integer as Redis's
 * `(uint64_t)score` compiles on x86-64 (truncation; values from 2^63 are
 * reduced by 2^63 first; anything out of range gives the "integer
 * indefinite" 2^63 pattern), as two 32-bit words.
 */
function toUint64Words(x: number): [hi: number, lo: number] {
  if (x >= 0 && x < 9007199254740992) {
    const t = Math.trunc(x);
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  let v: bigint;
  if (x >= TWO63) v = cvtt(x - TWO63) ^ (1n << 63n);
  else v = cvtt(x);
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** x86's cvttsd2si to 64 bits, as an unsigned bit pattern. */
function cvtt(x: number): bigint {
  if (Number.isNaN(x) || x >= TWO63 || x < -TWO63) return 1n << 63n;
  return BigInt(Math.trunc(x)) & 0xffffffffffffffffn;
}

// ---------------------------------------------------------------------------
// Encoding and decoding

/**
 * Encodes a position into the cell holding it at `step` bits per
 * coordinate (Redis's geohashEncode).
 *
 * @param lon longitude
 * @param lat latitude
 * @param step bits per coordinate, 1..32
 * @param latRange the latitude range ({@linkcode LAT_RANGE} or {@linkcode STANDARD_LAT_RANGE})
 * @returns the cell, or null when the position is outside the ranges
 * @example
 * ```ts
 * import { encodeCell } from "./geohash.ts";
 * const cell = encodeCell(0, 0, 1)!;
 * console.assert(cell.lat === 1 && cell.lon === 1);
 * ```
 */
export function encodeCell(
  lon: number,
  lat: number,
  step: number,
  latRange: GeoRange = LAT_RANGE,
): GeoCell | null {
  if (
    lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN ||
    !(step >= 1 && step <= 32)
  ) return null;
  if (lat < latRange.min || lat > latRange.max) return null;
  let latOffset = (lat - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN);
  const scale = 2 ** step;
  latOffset *= scale;
  lonOffset *= scale;
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(lonOffset) >>> 0, step };
}

/**
 * The sorted-set score of a position (GEOADD's): its 52-bit geohash as a
 * double.
 *
 * @param lon longitude, within -180..180
 * @param lat latitude, within ±85.05112878
 * @returns the score
 * @example
 * ```ts
 * import { geohashScore } from "./geohash.ts";
 * console.assert(geohashScore(13.361389, 38.115556) === 3479099956230698);
 * ```
 */
export function geohashScore(lon: number, lat: number): number {
  const cell = encodeCell(lon, lat, GEO_STEP_MAX);
  if (cell === null) return 0;
  const [hi, lo] = interleaveWords(cell.lat, cell.lon);
  return wordsToNumber(hi, lo);
}

/**
 * The score of a position as the exact decimal integer Redis writes into
 * the ZADD it propagates for GEOADD.
 *
 * @param lon longitude
 * @param lat latitude
 * @returns the decimal text
 * @example
 * ```ts
 * import { geohashScoreText } from "./geohash.ts";
 * console.assert(geohashScoreText(180, 85.05112878) === "13510798882111488");
 * ```
 */
export function geohashScoreText(lon: number, lat: number): string {
  const cell = encodeCell(lon, lat, GEO_STEP_MAX);
  if (cell === null) return "0";
  const [hi, lo] = interleaveWords(cell.lat, cell.lon);
  return wordsToText(hi, lo);
}

/**
 * The cell a score stands for at the finest step (any score decodes, as in
 * Redis: the score is first converted to a 64-bit integer).
 *
 * @param score a sorted-set score
 * @returns the cell at step 26
 */
export function scoreCell(score: number): GeoCell {
  const [hi, lo] = toUint64Words(score);
  const lat = (squash16(lo) | (squash16(hi) << 16)) >>> 0;
  const lon = (squash16(lo >>> 1) | (squash16(hi >>> 1) << 16)) >>> 0;
  return { lat, lon, step: GEO_STEP_MAX };
}

/**
 * The rectangle a cell covers (Redis's geohashDecode).
 *
 * @param cell the cell
 * @param latRange the latitude range
 * @returns the area
 * @example
 * ```ts
 * import { cellArea } from "./geohash.ts";
 * const a = cellArea({ lat: 0, lon: 1, step: 1 });
 * console.assert(a.lonMin === 0 && a.lonMax === 180);
 * ```
 */
export function cellArea(cell: GeoCell, latRange: GeoRange = LAT_RANGE): GeoArea {
  const scale = 2 ** cell.step;
  const latScale = latRange.max - latRange.min;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const lat1 = (cell.lat + 1) >>> 0;
  const lon1 = (cell.lon + 1) >>> 0;
  return {
    latMin: latRange.min + (cell.lat / scale) * latScale,
    latMax: latRange.min + (lat1 / scale) * latScale,
    lonMin: GEO_LONG_MIN + (cell.lon / scale) * lonScale,
    lonMax: GEO_LONG_MIN + (lon1 / scale) * lonScale,
  };
}

/**
 * The position a score stands for: the centre of its cell, clamped to the
 * valid ranges (Redis's decodeGeohash, as GEOPOS reports it).
 *
 * @param score a sorted-set score
 * @returns longitude and latitude
 * @example
 * ```ts
 * import { decodeScore } from "./geohash.ts";
 * const [lon, lat] = decodeScore(3479099956230698);
 * console.assert(lon === 13.361389338970184 && lat === 38.1155563954963);
 * ```
 */
export function decodeScore(score: number): LonLat {
  // scoreCell and cellArea at step 26, inline: this runs for every
  // candidate of a search.
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 9007199254740992) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO32);
    lo = t - hi * TWO32;
  } else {
    [hi, lo] = toUint64Words(score);
  }
  const latIndex = (squash16(lo) | (squash16(hi) << 16)) >>> 0;
  const lonIndex = (squash16(lo >>> 1) | (squash16(hi >>> 1) << 16)) >>> 0;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const latMin = GEO_LAT_MIN + (latIndex / CELLS_26) * latScale;
  const latMax = GEO_LAT_MIN + (((latIndex + 1) >>> 0) / CELLS_26) * latScale;
  const lonMin = GEO_LONG_MIN + (lonIndex / CELLS_26) * lonScale;
  const lonMax = GEO_LONG_MIN + (((lonIndex + 1) >>> 0) / CELLS_26) * lonScale;
  let lon = (lonMin + lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (latMin + latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

const GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/**
 * The 11-character standard geohash GEOHASH reports for a score: the
 * position decoded, encoded again over latitudes -90..90, and written five
 * bits a character from the top of the 52 bits, the last character always
 * `0`.
 *
 * @param score a sorted-set score
 * @returns the geohash text
 * @example
 * ```ts
 * import { geohashString } from "./geohash.ts";
 * console.assert(geohashString(3479099956230698) === "sqc8b49rny0");
 * ```
 */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const cell = encodeCell(lon, lat, GEO_STEP_MAX, STANDARD_LAT_RANGE);
  let bits = 0;
  if (cell !== null) {
    const [hi, lo] = interleaveWords(cell.lat, cell.lon);
    bits = (hi & 0xfffff) * TWO32 + lo; // the low 52 bits, exact
  }
  let out = "";
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5;
    out += GEOHASH_ALPHABET[Math.floor(bits / 2 ** shift) % 32];
  }
  return out + "0";
}

// ---------------------------------------------------------------------------
// Neighbours and search areas

/** Moves one index by `d` cells, wrapping around at `step` bits (no-op for 0). */
function moveIndex(index: number, d: number, step: number): number {
  if (d === 0) return index;
  const size = 2 ** step;
  return (((index + d) % size) + size) % size;
}

/**
 * The cell `dlon` cells east and `dlat` cells north of another, wrapping
 * around (Redis's geohash_move_x / _y: only a moved coordinate is wrapped).
 *
 * @param cell the cell
 * @param dlon -1, 0 or 1
 * @param dlat -1, 0 or 1
 * @returns the neighbour
 */
export function moveCell(cell: GeoCell, dlon: number, dlat: number): GeoCell {
  return {
    lat: moveIndex(cell.lat, dlat, cell.step),
    lon: moveIndex(cell.lon, dlon, cell.step),
    step: cell.step,
  };
}

/** A cell's eight neighbours, named as Redis's GeoHashNeighbors. */
export interface GeoNeighbours {
  north: GeoCell | null;
  south: GeoCell | null;
  east: GeoCell | null;
  west: GeoCell | null;
  northEast: GeoCell | null;
  northWest: GeoCell | null;
  southEast: GeoCell | null;
  southWest: GeoCell | null;
}

/**
 * The eight neighbours of a cell.
 *
 * @param cell the cell
 * @returns the neighbours
 * @example
 * ```ts
 * import { neighbours } from "./geohash.ts";
 * const n = neighbours({ lat: 0, lon: 0, step: 2 });
 * console.assert(n.west!.lon === 3 && n.north!.lat === 1);
 * ```
 */
export function neighbours(cell: GeoCell): GeoNeighbours {
  return {
    north: moveCell(cell, 0, 1),
    south: moveCell(cell, 0, -1),
    east: moveCell(cell, 1, 0),
    west: moveCell(cell, -1, 0),
    northEast: moveCell(cell, 1, 1),
    northWest: moveCell(cell, -1, 1),
    southEast: moveCell(cell, 1, -1),
    southWest: moveCell(cell, -1, -1),
  };
}

/** A search shape: a circle (BYRADIUS) or a box (BYBOX) around a centre. */
export type GeoShape =
  & {
    /** Centre longitude. */
    readonly lon: number;
    /** Centre latitude. */
    readonly lat: number;
    /** Meters per unit of the radius, width and height. */
    readonly conversion: number;
  }
  & (
    | { readonly type: "radius"; readonly radius: number }
    | { readonly type: "box"; readonly width: number; readonly height: number }
  );

/**
 * The step (bits per coordinate) of the search boxes for a radius (Redis's
 * geohashEstimateStepsByRadius): coarser for larger radii and towards the
 * poles, within 1..26.
 *
 * @param rangeMeters the radius in meters
 * @param lat the centre's latitude
 * @returns the step
 * @example
 * ```ts
 * import { estimateSteps } from "./geohash.ts";
 * console.assert(estimateSteps(0, 0) === 26);
 * console.assert(estimateSteps(1000, 0) === 14);
 * ```
 */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

function degToRad(deg: number): number {
  return deg * D_R;
}

function radToDeg(rad: number): number {
  return rad / D_R;
}

/**
 * The bounding box of a shape (Redis's geohashBoundingBox): minimum and
 * maximum longitude and latitude, the longitude span taken at the edge
 * nearer the pole.
 *
 * @param shape the shape
 * @returns `[minLon, minLat, maxLon, maxLat]`
 */
export function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { lon, lat } = shape;
  const circle = shape.type === "radius";
  const height = shape.conversion * (circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (circle ? shape.radius : shape.width / 2);
  const latDelta = radToDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(lat + latDelta)));
  const lonDeltaBottom = radToDeg(
    width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(lat - latDelta)),
  );
  const south = lat < 0;
  return [
    south ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    south ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

/** A score interval `min <= score < max`: the members of one search box. */
export interface ScoreBox {
  readonly min: number;
  readonly max: number;
}

/**
 * The cells a search looks in: the centre cell then its north, south, east,
 * west, north-east, north-west, south-east and south-west neighbours, null
 * for the ones excluded (Redis's geohashCalculateAreasByShapeWGS84).
 *
 * @param shape the shape
 * @returns nine cells or nulls, in Redis's order
 */
export function searchCells(shape: GeoShape): (GeoCell | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  let radius = shape.type === "radius"
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radius *= shape.conversion;
  let steps = estimateSteps(radius, shape.lat);
  let cell = encodeCell(shape.lon, shape.lat, steps) ?? { lat: 0, lon: 0, step: steps };
  let near = neighbours(cell);
  let area = cellArea(cell);
  const north = cellArea(near.north!);
  const south = cellArea(near.south!);
  const east = cellArea(near.east!);
  const west = cellArea(near.west!);
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon ||
    west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    cell = encodeCell(shape.lon, shape.lat, steps) ?? { lat: 0, lon: 0, step: steps };
    near = neighbours(cell);
    area = cellArea(cell);
  }
  if (steps >= 2) {
    if (area.latMin < minLat) near.south = near.southWest = near.southEast = null;
    if (area.latMax > maxLat) near.north = near.northEast = near.northWest = null;
    if (area.lonMin < minLon) near.west = near.southWest = near.northWest = null;
    if (area.lonMax > maxLon) near.east = near.southEast = near.northEast = null;
  }
  return [
    cell,
    near.north,
    near.south,
    near.east,
    near.west,
    near.northEast,
    near.northWest,
    near.southEast,
    near.southWest,
  ];
}

/**
 * The score interval of the members inside a cell: its index bits aligned
 * to 52 bits, up to (excluded) the next cell's.
 *
 * @param cell the cell
 * @returns the interval
 * @example
 * ```ts
 * import { cellScores } from "./geohash.ts";
 * const box = cellScores({ lat: 1, lon: 0, step: 1 });
 * console.assert(box.min === 2 ** 50 && box.max === 2 ** 51);
 * ```
 */
export function cellScores(cell: GeoCell): ScoreBox {
  const [hi, lo] = interleaveWords(cell.lat, cell.lon);
  const bits = (BigInt(hi) << 32n) | BigInt(lo);
  const shift = BigInt(52 - cell.step * 2);
  const mask = 0xffffffffffffffffn;
  return {
    min: Number((bits << shift) & mask),
    max: Number(((bits + 1n) << shift) & mask),
  };
}

/**
 * The score intervals a search walks, in Redis's order: the cells of
 * {@linkcode searchCells} without the excluded ones and without a cell
 * equal to the one walked just before it (large radii make neighbours
 * coincide).
 *
 * @param shape the shape
 * @returns the intervals
 * @example
 * ```ts
 * import { searchBoxes } from "./geohash.ts";
 * const boxes = searchBoxes({ type: "radius", lon: 15, lat: 37, radius: 200, conversion: 1000 });
 * console.assert(boxes.length > 0 && boxes.length <= 9);
 * ```
 */
export function searchBoxes(shape: GeoShape): ScoreBox[] {
  const cells = searchCells(shape);
  const out: ScoreBox[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined) continue;
    // Redis compares with the last walked cell only once it is not the
    // centre (its "last processed" index starts at 0, meaning none).
    const prev = cells[last];
    if (
      last !== 0 && prev !== null && prev !== undefined && prev.lat === cell.lat &&
      prev.lon === cell.lon && prev.step === cell.step
    ) continue;
    out.push(cellScores(cell));
    last = i;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Distances

/**
 * The distance between two latitudes on a meridian, in meters.
 *
 * @param lat1 a latitude
 * @param lat2 another latitude
 * @returns meters
 */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degToRad(lat2) - degToRad(lat1));
}

/**
 * The haversine great-circle distance between two positions, in meters,
 * as Redis computes it (on the same meridian, the latitude distance).
 *
 * @param lon1 first longitude
 * @param lat1 first latitude
 * @param lon2 second longitude
 * @param lat2 second latitude
 * @returns meters
 * @example
 * ```ts
 * import { distance } from "./geohash.ts";
 * const d = distance(13.361389338970184, 38.1155563954963, 15.087267458438873, 37.50266842333162);
 * console.assert(d.toFixed(4) === "166274.1516");
 * ```
 */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degToRad(lon1);
  const lon2r = degToRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degToRad(lat1);
  const lat2r = degToRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * Whether a position is inside a shape, and its distance from the centre
 * in meters (Redis's geoWithinShape).
 *
 * @param shape the shape
 * @param lon the position's longitude
 * @param lat the position's latitude
 * @returns the distance, or -1 when outside (a NaN distance is inside, as
 *   in Redis, whose test is `distance > radius`)
 * @example
 * ```ts
 * import { withinShape } from "./geohash.ts";
 * const shape = { type: "radius", lon: 0, lat: 0, radius: 1, conversion: 1000 } as const;
 * console.assert(withinShape(shape, 0, 0.001) > 0);
 * console.assert(withinShape(shape, 0, 1) === -1);
 * ```
 */
export function withinShape(shape: GeoShape, lon: number, lat: number): number {
  if (shape.type === "radius") {
    const d = distance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(shape.lat, lat) > heightM / 2) return -1;
  if (distance(lon, lat, shape.lon, lat) > widthM / 2) return -1;
  return distance(shape.lon, shape.lat, lon, lat);
}

// ---------------------------------------------------------------------------
// Texts

/**
 * A number as C's `printf("%.<digits>f")` prints it: the exact binary
 * value rounded to `digits` decimals, ties to even, every integer digit
 * written out (`1e300` has 301 of them), `inf`, `-inf`, `nan`, and `-0`
 * keeping its sign.
 *
 * @param x the number
 * @param digits decimals, 0..99
 * @returns the text
 * @example
 * ```ts
 * import { formatFixed } from "./geohash.ts";
 * console.assert(formatFixed(200, 6) === "200.000000");
 * console.assert(formatFixed(0.03125, 4) === "0.0312");
 * console.assert(formatFixed(-0, 6) === "-0.000000");
 * ```
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  if (a >= 1e21) {
    // An integer: every digit, exactly.
    return sign + BigInt(a).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
  }
  if (Number.isInteger(a * 2 ** (digits + 1))) {
    // At most one decimal more than asked, exactly: a tie ends in 5, and C
    // rounds a tie to even where toFixed rounds it up.
    const exact = a.toFixed(digits + 1);
    if (exact.charCodeAt(exact.length - 1) === 53) {
      let q = BigInt(exact.replace(".", "")) / 10n;
      if (q % 2n === 1n) q++;
      const t = q.toString().padStart(digits + 1, "0");
      return sign + (digits > 0 ? `${t.slice(0, -digits)}.${t.slice(-digits)}` : t);
    }
  }
  return sign + a.toFixed(digits);
}

/**
 * A distance as Redis prints it (`%.4f`).
 *
 * @param d the distance
 * @returns the text
 * @example
 * ```ts
 * import { formatDistance } from "./geohash.ts";
 * console.assert(formatDistance(166274.15156960033) === "166274.1516");
 * ```
 */
export function formatDistance(d: number): string {
  return formatFixed(d, 4);
}

/**
 * A coordinate as Redis prints it (its human long double form: `%.17Lf`,
 * trailing zeros and dot removed, `-0` as `0`), for GEOPOS and WITHCOORD.
 *
 * @param x the coordinate
 * @returns the text
 * @example
 * ```ts
 * import { formatCoordinate } from "./geohash.ts";
 * console.assert(formatCoordinate(13.361389338970184) === "13.36138933897018433");
 * console.assert(formatCoordinate(180) === "180");
 * ```
 */
export function formatCoordinate(x: number): string {
  const text = formatFixed(x, 17);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  const out = text.slice(0, end);
  return out === "-0" ? "0" : out;
}

// ---------------------------------------------------------------------------
// Sorting

/**
 * Sorts `items` in place so that positions `left..right` hold what a full
 * sort would put there, with the same results as Redis's pqsort (the
 * NetBSD quicksort, Bentley and McIlroy's, without the switch to an
 * insertion sort after a partition that swapped nothing, limited to the
 * partitions that overlap the range): equal items end up in the same order
 * as Redis 7.0.15's (checked against the real server).
 *
 * @param items the array
 * @param cmp the comparison
 * @param left first position wanted sorted
 * @param right last position wanted sorted
 * @example
 * ```ts
 * import { partialSort } from "./geohash.ts";
 * const a = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0];
 * partialSort(a, (x, y) => x - y, 0, 2);
 * console.assert(a.slice(0, 3).join() === "0,1,2");
 * ```
 */
export function partialSort<T>(
  items: T[],
  cmp: (a: T, b: T) => number,
  left: number,
  right: number,
): void {
  quicksortRange(items, 0, items.length, cmp, left, right);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function swapRun<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function median3<T>(a: T[], i: number, j: number, k: number, cmp: (a: T, b: T) => number): number {
  return cmp(a[i]!, a[j]!) < 0
    ? (cmp(a[j]!, a[k]!) < 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? k : i))
    : (cmp(a[j]!, a[k]!) > 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? i : k));
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: (a: T, b: T) => number): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1]!, a[l]!) > 0; l--) swap(a, l, l - 1);
  }
}

/**
 * Sorts `a[base .. base + n)`, recursing only into partitions that overlap
 * positions `lrange..rrange`.
 */
function quicksortRange<T>(
  a: T[],
  base: number,
  n: number,
  cmp: (a: T, b: T) => number,
  lrange: number,
  rrange: number,
): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb]!, a[base]!)) <= 0) {
        if (r === 0) {
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc]!, a[base]!)) >= 0) {
        if (r === 0) {
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      pb++;
      pc--;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    swapRun(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    swapRun(a, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && !(rrange < base || lrange > base + r - 1)) {
      quicksortRange(a, base, r, cmp, lrange, rrange);
    }
    r = pd - pc;
    if (r <= 1) return;
    base = pn - r;
    n = r;
    if (rrange < base || lrange > base + r - 1) return;
  }
}
