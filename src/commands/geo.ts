/**
 * The geo command group: GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH,
 * GEOSEARCHSTORE and the deprecated GEORADIUS, GEORADIUSBYMEMBER (with
 * STORE / STOREDIST) and their `_RO` forms.
 *
 * A geo set is a sorted set whose scores are 52-bit geohashes
 * (`src/store/geohash.ts`), computed, decoded and compared exactly as Redis
 * 7.0.15 does, so stored scores, GEOHASH strings, coordinates and distances
 * are the same bytes. A search walks the same nine geohash boxes in the same
 * order as Redis, so results without ASC / DESC, and with COUNT ... ANY,
 * come in Redis's order; ASC / DESC sort as Redis does (a stable sort, or
 * Redis's partial quicksort when COUNT cuts the results), so ties too come
 * out in the same order.
 *
 * Keyspace events, as Redis: GEOADD is a ZADD (`zadd`); a store publishes
 * `geosearchstore` (GEOSEARCHSTORE) or `georadiusstore` (GEORADIUS*
 * STORE / STOREDIST) on the destination, or `del` when it stores nothing
 * and deletes it.
 *
 * Propagation, as Redis: GEOADD propagates as the ZADD it runs (`zadd key
 * [options as sent] score member ...`, scores as exact integers); the store
 * forms propagate as sent; nothing propagates when nothing changed.
 *
 * Changes (`rdb_changes_since_last_save`), as Redis: GEOADD one per member
 * added or moved; a store one per member stored, or one for deleting the
 * destination.
 *
 * Known differences from Redis 7.0.15: distances use V8's trigonometric
 * functions (see `geohash.ts`), which differ from glibc's in the last bit
 * for about 0.1% of arguments: a STOREDIST score can differ from Redis's in
 * its 17th digit (about 1 stored distance in 750); WITHDIST and GEODIST,
 * printed with 4 decimals, match.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import {
  array,
  bulk,
  bulks,
  EMPTY_ARRAY,
  integer,
  NIL,
  NIL_ARRAY,
  type Reply,
} from "../resp/reply.ts";
import {
  decodeScore,
  distance,
  formatCoordinate,
  formatDistance,
  formatFixed,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  geohashScore,
  geohashScoreText,
  geohashString,
  type GeoShape,
  partialSort,
  searchBoxes,
  withinShape,
} from "../store/geohash.ts";
import {
  ZADD_ADDED,
  ZADD_NX,
  ZADD_UPDATED,
  ZADD_XX,
  type ZSetLimits,
  ZSetValue,
} from "../store/zset.ts";
import { keyword, readTyped, writeTyped } from "./lookup.ts";
import { type Args, type CommandContext, parseFloat64 } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The geo group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const GEO_HANDLERS: HandlerTable = {
  geoadd,
  geopos,
  geodist,
  geohash,
  georadius,
  georadius_ro: georadiusRo,
  georadiusbymember,
  georadiusbymember_ro: georadiusbymemberRo,
  geosearch,
  geosearchstore,
};

function limits(ctx: CommandContext): ZSetLimits {
  return {
    maxEntries: ctx.config.number("zset-max-listpack-entries"),
    maxValue: ctx.config.number("zset-max-listpack-value"),
  };
}

// ---------------------------------------------------------------------------
// Argument parsing

const INF_TEXT = /^[+-]?(?:inf|infinity)$/i;

/**
 * A double as Redis's getDoubleFromObject reads it: strtod over the whole
 * text, no leading space, NaN refused, and an overflow or an underflow to
 * zero (ERANGE) refused too.
 */
function parseDouble(text: string): number | null {
  const v = parseFloat64(text);
  if (v === null) return null;
  if (!Number.isFinite(v) && !INF_TEXT.test(text)) return null;
  if (v === 0 && nonZeroMantissa(text)) return null;
  return v;
}

function nonZeroMantissa(text: string): boolean {
  let t = text.replace(/^[+-]/, "");
  const hex = /^0[xX]/.test(t);
  if (hex) t = t.slice(2);
  const cut = t.search(hex ? /[pP]/ : /[eE]/);
  if (cut !== -1) t = t.slice(0, cut);
  return hex ? /[1-9a-fA-F]/.test(t) : /[1-9]/.test(t);
}

function doubleArg(args: Args, i: number, message: string): number {
  const v = parseDouble(args.get(i));
  if (v === null) throw new ReplyError(message);
  return v;
}

/** A longitude and latitude pair at `i`, validated (extractLongLatOrReply). */
function lonLatArgs(args: Args, i: number): [number, number] {
  const lon = doubleArg(args, i, Errors.notFloat);
  const lat = doubleArg(args, i + 1, Errors.notFloat);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new ReplyError(Errors.geoInvalidLonLat(formatFixed(lon, 6), formatFixed(lat, 6)));
  }
  return [lon, lat];
}

/** Meters per unit (extractUnitOrReply). */
function unitArg(args: Args, i: number): number {
  switch (keyword(args.get(i))) {
    case "M":
      return 1;
    case "KM":
      return 1000;
    case "FT":
      return 0.3048;
    case "MI":
      return 1609.34;
  }
  throw new ReplyError(Errors.geoUnit);
}

/** `radius unit` at `i` (extractDistanceOrReply): the radius and the conversion. */
function radiusArgs(args: Args, i: number): [radius: number, conversion: number] {
  const radius = doubleArg(args, i, Errors.geoRadiusNotFloat);
  if (radius < 0) throw new ReplyError(Errors.geoRadiusNegative);
  return [radius, unitArg(args, i + 1)];
}

/** `width height unit` at `i` (extractBoxOrReply). */
function boxArgs(args: Args, i: number): [width: number, height: number, conversion: number] {
  const width = doubleArg(args, i, Errors.geoWidthNotFloat);
  const height = doubleArg(args, i + 1, Errors.geoHeightNotFloat);
  if (height < 0 || width < 0) throw new ReplyError(Errors.geoBoxNegative);
  return [width, height, unitArg(args, i + 2)];
}

/** A member's position, or the "could not decode" error (longLatFromMember). */
function memberPosition(zset: ZSetValue, member: string): [number, number] {
  const score = zset.score(member);
  if (score === undefined) throw new ReplyError(Errors.geoMemberUnknown);
  return decodeScore(score);
}

// ---------------------------------------------------------------------------
// Replies

/** A coordinate reply: RESP3 double, RESP2 bulk, in Redis's human form. */
function coordinate(x: number): Reply {
  return { kind: "double", value: x, text: formatCoordinate(x) };
}

/** `[lon, lat]` as GEOPOS and WITHCOORD reply it. */
function position(lon: number, lat: number): Reply {
  return array([coordinate(lon), coordinate(lat)]);
}

/** A score as `(long long)score` on x86-64 (WITHHASH). */
function scoreAsInteger(score: number): Reply {
  if (Number.isSafeInteger(Math.trunc(score))) return integer(Math.trunc(score));
  if (Number.isNaN(score) || score >= 2 ** 63 || score < -(2 ** 63)) {
    return integer(-(2n ** 63n));
  }
  return integer(BigInt(Math.trunc(score)));
}

// ---------------------------------------------------------------------------
// GEOADD, GEOPOS, GEODIST, GEOHASH

/** GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...] */
function geoadd(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  let nx = false;
  let xx = false;
  let ch = false;
  let first = 2;
  for (; first < args.length; first++) {
    const option = keyword(args.get(first));
    if (option === "NX") nx = true;
    else if (option === "XX") xx = true;
    else if (option === "CH") ch = true;
    else break;
  }
  if ((args.length - first) % 3 !== 0 || (xx && nx)) throw new ReplyError(Errors.syntax);
  // Every position is checked before anything changes.
  const count = (args.length - first) / 3;
  const scores: number[] = new Array(count);
  const members: string[] = new Array(count);
  const lonLats: [number, number][] = new Array(count);
  for (let e = 0; e < count; e++) {
    const i = first + e * 3;
    const [lon, lat] = lonLats[e] = lonLatArgs(args, i);
    scores[e] = geohashScore(lon, lat);
    members[e] = args.get(i + 2);
  }
  // Redis runs ZADD key [options] score member ... from here.
  let zset = writeTyped<ZSetValue>(ctx, key, "zset");
  if (zset === undefined) {
    if (xx) return integer(0);
    const lim = limits(ctx);
    zset = new ZSetValue(lim.maxEntries !== 0 && members[0]!.length <= lim.maxValue);
    ctx.db.set(key, zset, false, 0);
  }
  const lim = limits(ctx);
  const flags = (nx ? ZADD_NX : 0) | (xx ? ZADD_XX : 0);
  let added = 0;
  let updated = 0;
  for (let e = 0; e < count; e++) {
    const result = zset.add(members[e]!, scores[e]!, flags, lim);
    if ((result & ZADD_ADDED) !== 0) added++;
    else if ((result & ZADD_UPDATED) !== 0) updated++;
  }
  const changed = added + updated;
  if (changed > 0) {
    ctx.db.touch(key, changed);
    ctx.notify("z", "zadd", key);
    const propagation = ctx.propagation;
    if (propagation.active) {
      const argv = ["zadd", ...args.argv.slice(1, first)];
      for (let e = 0; e < count; e++) {
        const [lon, lat] = lonLats[e]!;
        argv.push(geohashScoreText(lon, lat), members[e]!);
      }
      propagation.rewrite(argv);
    }
  }
  return integer(ch ? changed : added);
}

/** GEOPOS key [member ...] */
function geopos(ctx: CommandContext, args: Args): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  const items: Reply[] = [];
  for (let i = 2; i < args.length; i++) {
    const score = zset?.score(args.get(i));
    if (score === undefined) {
      items.push(NIL_ARRAY);
    } else {
      const [lon, lat] = decodeScore(score);
      items.push(position(lon, lat));
    }
  }
  return array(items);
}

/** GEODIST key member1 member2 [M|KM|FT|MI] */
function geodist(ctx: CommandContext, args: Args): Reply {
  let toMeters = 1;
  if (args.length === 5) toMeters = unitArg(args, 4);
  else if (args.length > 5) throw new ReplyError(Errors.syntax);
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  if (zset === undefined) return NIL;
  const score1 = zset.score(args.get(2));
  const score2 = zset.score(args.get(3));
  if (score1 === undefined || score2 === undefined) return NIL;
  const [lon1, lat1] = decodeScore(score1);
  const [lon2, lat2] = decodeScore(score2);
  return bulk(formatDistance(distance(lon1, lat1, lon2, lat2) / toMeters));
}

/** GEOHASH key [member ...] */
function geohash(ctx: CommandContext, args: Args): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(1), "zset");
  const out: (string | null)[] = [];
  for (let i = 2; i < args.length; i++) {
    const score = zset?.score(args.get(i));
    out.push(score === undefined ? null : geohashString(score));
  }
  return bulks(out);
}

// ---------------------------------------------------------------------------
// The searches

/** Search around coordinates given as arguments (GEORADIUS*). */
const RADIUS_COORDS = 1;
/** Search around a member given as an argument (GEORADIUSBYMEMBER*). */
const RADIUS_MEMBER = 2;
/** STORE / STOREDIST refused (the `_RO` forms). */
const RADIUS_NOSTORE = 4;
/** GEOSEARCH's arguments. */
const GEOSEARCH = 8;
/** GEOSEARCHSTORE: a destination first, STOREDIST as a flag. */
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** A position found by a search. */
interface GeoPoint {
  readonly member: string;
  readonly score: number;
  readonly lon: number;
  readonly lat: number;
  /** Meters from the centre. */
  readonly dist: number;
}

function byDistance(a: GeoPoint, b: GeoPoint): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function byDistanceDesc(a: GeoPoint, b: GeoPoint): number {
  return -byDistance(a, b);
}

/** GEORADIUS key longitude latitude radius M|KM|FT|MI [options] */
function georadius(ctx: CommandContext, args: Args): Reply {
  return search(ctx, args, 1, RADIUS_COORDS);
}

/** GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [options] */
function georadiusRo(ctx: CommandContext, args: Args): Reply {
  return search(ctx, args, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}

/** GEORADIUSBYMEMBER key member radius M|KM|FT|MI [options] */
function georadiusbymember(ctx: CommandContext, args: Args): Reply {
  return search(ctx, args, 1, RADIUS_MEMBER);
}

/** GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [options] */
function georadiusbymemberRo(ctx: CommandContext, args: Args): Reply {
  return search(ctx, args, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}

/** GEOSEARCH key FROMMEMBER member|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options] */
function geosearch(ctx: CommandContext, args: Args): Reply {
  return search(ctx, args, 1, GEOSEARCH);
}

/** GEOSEARCHSTORE destination source FROM... BY... [options] [STOREDIST] */
function geosearchstore(ctx: CommandContext, args: Args): Reply {
  return search(ctx, args, 2, GEOSEARCH | GEOSEARCHSTORE);
}

/** The shape being built while the arguments are parsed. */
interface ShapeParts {
  lon: number;
  lat: number;
  conversion: number;
  type: "radius" | "box";
  radius: number;
  width: number;
  height: number;
}

/**
 * Every search command (Redis's georadiusGeneric): parses the arguments in
 * Redis's order, with its errors, then walks the search boxes and replies
 * or stores.
 */
function search(ctx: CommandContext, args: Args, srcIndex: number, flags: number): Reply {
  const zset = readTyped<ZSetValue>(ctx, args.get(srcIndex), "zset");
  const shape: ShapeParts = {
    lon: 0,
    lat: 0,
    conversion: 0,
    type: "radius",
    radius: 0,
    width: 0,
    height: 0,
  };
  let storeKey: string | undefined;
  let storeDist = false;
  let base: number;
  if ((flags & RADIUS_COORDS) !== 0) {
    base = 6;
    [shape.lon, shape.lat] = lonLatArgs(args, 2);
    [shape.radius, shape.conversion] = radiusArgs(args, 4);
  } else if ((flags & RADIUS_MEMBER) !== 0) {
    base = 5;
    // Without the source key the member and radius are not looked at.
    if (zset !== undefined) {
      [shape.lon, shape.lat] = memberPosition(zset, args.get(2));
      [shape.radius, shape.conversion] = radiusArgs(args, 3);
    }
  } else {
    base = 2;
    if ((flags & GEOSEARCHSTORE) !== 0) {
      base = 3;
      storeKey = args.get(1);
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const isSearch = (flags & GEOSEARCH) !== 0;
  const mayStore = (flags & RADIUS_NOSTORE) === 0 && !isSearch;
  const n = args.length;
  for (let i = base; i < n; i++) {
    const left = n - i - 1; // arguments after this one
    const option = keyword(args.get(i));
    if (option === "WITHDIST") {
      withDist = true;
    } else if (option === "WITHHASH") {
      withHash = true;
    } else if (option === "WITHCOORD") {
      withCoord = true;
    } else if (option === "ANY") {
      any = true;
    } else if (option === "ASC") {
      sort = SORT_ASC;
    } else if (option === "DESC") {
      sort = SORT_DESC;
    } else if (option === "COUNT" && left >= 1) {
      count = args.integer(i + 1);
      if (count <= 0) throw new ReplyError(Errors.geoCountNotPositive);
      i++;
    } else if (option === "STORE" && left >= 1 && mayStore) {
      storeKey = args.get(i + 1);
      storeDist = false;
      i++;
    } else if (option === "STOREDIST" && left >= 1 && mayStore) {
      storeKey = args.get(i + 1);
      storeDist = true;
      i++;
    } else if (option === "STOREDIST" && isSearch && (flags & GEOSEARCHSTORE) !== 0) {
      storeDist = true;
    } else if (option === "FROMMEMBER" && left >= 1 && isSearch && !fromLonLat) {
      if (zset !== undefined) [shape.lon, shape.lat] = memberPosition(zset, args.get(i + 1));
      fromMember = true;
      i++;
    } else if (option === "FROMLONLAT" && left >= 2 && isSearch && !fromMember) {
      [shape.lon, shape.lat] = lonLatArgs(args, i + 1);
      fromLonLat = true;
      i += 2;
    } else if (option === "BYRADIUS" && left >= 2 && isSearch && !byBox) {
      [shape.radius, shape.conversion] = radiusArgs(args, i + 1);
      shape.type = "radius";
      byRadius = true;
      i += 2;
    } else if (option === "BYBOX" && left >= 3 && isSearch && !byRadius) {
      [shape.width, shape.height, shape.conversion] = boxArgs(args, i + 1);
      shape.type = "box";
      byBox = true;
      i += 3;
    } else {
      throw new ReplyError(Errors.syntax);
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoord)) {
    throw new ReplyError(
      Errors.geoStoreWithOptions(
        (flags & GEOSEARCHSTORE) !== 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS",
      ),
    );
  }
  if (isSearch && !(fromMember || fromLonLat)) {
    throw new ReplyError(Errors.geoFromRequired(args.get(0)));
  }
  if (isSearch && !(byRadius || byBox)) throw new ReplyError(Errors.geoByRequired(args.get(0)));
  if (any && count === 0) throw new ReplyError(Errors.geoAnyWithoutCount);

  if (zset === undefined) {
    if (storeKey === undefined) return EMPTY_ARRAY;
    // Redis deletes the destination as it is stored (a bare dbDelete).
    if (ctx.db.deleteStored(storeKey)) ctx.notify("g", "del", storeKey);
    return integer(0);
  }

  // COUNT without an order returns the nearest ones (ANY excepted).
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const geoShape: GeoShape = shape.type === "radius"
    ? {
      type: "radius",
      lon: shape.lon,
      lat: shape.lat,
      radius: shape.radius,
      conversion: shape.conversion,
    }
    : {
      type: "box",
      lon: shape.lon,
      lat: shape.lat,
      width: shape.width,
      height: shape.height,
      conversion: shape.conversion,
    };
  const found = findPoints(zset, geoShape, any ? count : 0);
  if (found.length === 0 && storeKey === undefined) return EMPTY_ARRAY;

  const returned = count === 0 || found.length < count ? found.length : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? byDistance : byDistanceDesc;
    // glibc's qsort (a stable merge sort) for all of them, Redis's partial
    // quicksort when COUNT keeps fewer.
    if (returned === found.length) found.sort(cmp);
    else partialSort(found, cmp, 0, returned - 1);
  }
  const conversion = shape.conversion;

  if (storeKey === undefined) {
    if (!withDist && !withHash && !withCoord) {
      const members: string[] = new Array(returned);
      for (let i = 0; i < returned; i++) members[i] = found[i]!.member;
      return bulks(members);
    }
    const items: Reply[] = new Array(returned);
    for (let i = 0; i < returned; i++) {
      const p = found[i]!;
      const parts: Reply[] = [bulk(p.member)];
      if (withDist) parts.push(bulk(formatDistance(p.dist / conversion)));
      if (withHash) parts.push(scoreAsInteger(p.score));
      if (withCoord) parts.push(position(p.lon, p.lat));
      items[i] = array(parts);
    }
    return array(items);
  }

  if (returned > 0) {
    const entries: [string, number][] = new Array(returned);
    for (let i = 0; i < returned; i++) {
      const p = found[i]!;
      entries[i] = [p.member, storeDist ? p.dist / conversion : p.score];
    }
    const result = ZSetValue.fromEntries(entries, limits(ctx));
    ctx.db.set(storeKey, result, false, returned);
    ctx.notify("z", isSearch ? "geosearchstore" : "georadiusstore", storeKey);
  } else if (ctx.db.deleteStored(storeKey)) {
    ctx.notify("g", "del", storeKey);
  }
  return integer(returned);
}

/** How many ranks of a box are walked at a time while a limit may stop the walk. */
const WALK_CHUNK = 64;

/**
 * The members inside a shape, box after box in Redis's order and by score
 * within a box (Redis's membersOfAllNeighbors); with a limit (ANY), stops
 * as soon as that many are found.
 */
function findPoints(zset: ZSetValue, shape: GeoShape, limit: number): GeoPoint[] {
  const found: GeoPoint[] = [];
  const visit = (member: string, score: number): void => {
    const [lon, lat] = decodeScore(score);
    const dist = withinShape(shape, lon, lat);
    if (dist !== -1) found.push({ member, score, lon, lat, dist });
  };
  for (const box of searchBoxes(shape)) {
    if (limit !== 0 && found.length >= limit) break;
    const ranks = zset.scoreRankRange({
      min: box.min,
      max: box.max,
      minExclusive: false,
      maxExclusive: true,
    });
    if (ranks === undefined) continue;
    const [start, end] = ranks;
    if (limit === 0) {
      zset.forEachByRank(start, end, false, visit);
      continue;
    }
    for (let from = start; from <= end && found.length < limit; from += WALK_CHUNK) {
      const to = Math.min(end, from + WALK_CHUNK - 1);
      zset.forEachByRank(from, to, false, (member, score) => {
        if (found.length < limit) visit(member, score);
      });
    }
  }
  return found;
}
