/**
 * A seeded random workload over a small keyspace, for property tests: one
 * argument generator per write command of the command table (every option
 * form, some invalid arguments), a few reads that reclaim expired keys, and
 * the lists a test needs to know it covers the whole table.
 *
 * The keyspace is small on purpose: a handful of keys per type, so commands
 * collide, types clash (WRONGTYPE), containers empty out and keys are
 * recreated. A generator mostly draws keys of its command's type, and now
 * and then any key.
 *
 * @module
 */

import { Random } from "../../src/random.ts";
import type { Command, CommandTable } from "../../src/commands/spec.ts";
import { dumpFunctions } from "../../src/scripting/function_dump.ts";

/** How many databases the workload uses (SELECT, MOVE, COPY DB, SWAPDB). */
export const DATABASES = 3;

/** The keys, by the type their commands give them. */
export const KEYS = {
  string: ["str:a", "str:b", "num:a", "num:b", "bin:\x00\xff\r\n"],
  list: ["list:a", "list:b", "list:c"],
  set: ["set:a", "set:b", "set:c"],
  hash: ["hash:a", "hash:b"],
  zset: ["zset:a", "zset:b", "zset:c"],
  geo: ["geo:a", "geo:b"],
  hll: ["hll:a", "hll:b"],
  stream: ["stream:a", "stream:b"],
} as const;

/** A kind of key: a type's keys, or `any` for the whole keyspace. */
export type KeyKind = keyof typeof KEYS | "any";

const ALL_KEYS: readonly string[] = [
  ...KEYS.string,
  ...KEYS.list,
  ...KEYS.set,
  ...KEYS.hash,
  ...KEYS.zset,
  ...KEYS.geo,
  ...KEYS.hll,
  ...KEYS.stream,
  "other",
];

const VALUES = [
  "",
  "v",
  "hello",
  "12",
  "-7",
  "3.5",
  "\x00\xff\r\n",
  "x".repeat(50),
  "9223372036854775807",
];
const ELEMENTS = ["a", "b", "c", "1", "2"];
const MEMBERS = ["1", "2", "3", "10", "-5", "a", "b", "c"];
const FIELDS = ["f1", "f2", "f3", "f4"];
const FIELD_VALUES = ["1", "2.5", "-4", "x", "", "10"];
const INTEGERS = ["1", "-3", "100", "0", "7", "abc", "9223372036854775807"];
const FLOATS = ["1.5", "-0.25", "1e3", "3", "0.1", "abc"];
const CONDITIONS = ["NX", "XX", "GT", "LT"];
/** HyperLogLog elements: many, so sketches grow. */
const HLL_ELEMENTS = Array.from({ length: 64 }, (_, i) => `e${i}`);

/**
 * The randomness and the clock a generator draws its arguments from.
 *
 * @example Drawing arguments
 * ```ts
 * import { Draw } from "./workload.ts";
 * const d = new Draw(7, () => 1_700_000_000_000);
 * const n = d.int(1, 3);
 * console.assert(n >= 1 && n <= 3);
 * console.assert(d.pick(["only"]) === "only");
 * ```
 */
export class Draw {
  #random: Random;
  #now: () => number;

  /**
   * @param seed the seed of the draws
   * @param now the primary's time in ms, for absolute expiry times
   */
  constructor(seed: number, now: () => number) {
    this.#random = new Random(seed);
    this.#now = now;
  }

  /** @returns a float in [0, 1) */
  next(): number {
    return this.#random.next();
  }

  /**
   * @param lo the least value
   * @param hi the greatest value
   * @returns an integer in [lo, hi]
   */
  int(lo: number, hi: number): number {
    return lo + this.#random.below(hi - lo + 1);
  }

  /**
   * @param p a probability
   * @returns true with probability p
   */
  chance(p: number): boolean {
    return this.#random.next() < p;
  }

  /**
   * @param items a non-empty list
   * @returns one of them
   */
  pick<T>(items: readonly T[]): T {
    return items[this.#random.below(items.length)]!;
  }

  /**
   * @param items a non-empty list
   * @param min the least count
   * @param max the greatest count
   * @returns between min and max of them, repeats possible
   */
  some<T>(items: readonly T[], min: number, max: number): T[] {
    const n = this.int(min, max);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(this.pick(items));
    return out;
  }

  /**
   * @param kind the type whose keys are preferred
   * @returns a key: of that type mostly, any key one time in seven
   */
  key(kind: KeyKind = "any"): string {
    if (kind === "any" || this.chance(1 / 7)) return this.pick(ALL_KEYS);
    return this.pick(KEYS[kind]);
  }

  /**
   * @param kind the type whose keys are preferred
   * @param min the least count
   * @param max the greatest count
   * @returns between min and max keys
   */
  keys(kind: KeyKind, min: number, max: number): string[] {
    const n = this.int(min, max);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.key(kind));
    return out;
  }

  /** @returns a string value */
  value(): string {
    return this.pick(VALUES);
  }

  /** @returns a list element, now and then a long one */
  element(): string {
    return this.chance(0.03) ? "e".repeat(70) : this.pick(ELEMENTS);
  }

  /** @returns a set member: integers and words, so encodings change */
  member(): string {
    return this.pick(MEMBERS);
  }

  /** @returns a hash field */
  field(): string {
    return this.pick(FIELDS);
  }

  /** @returns a hash field's value */
  fieldValue(): string {
    return this.chance(0.03) ? "w".repeat(70) : this.pick(FIELD_VALUES);
  }

  /** @returns an integer argument (INCRBY), now and then not one */
  integer(): string {
    return this.pick(INTEGERS);
  }

  /** @returns a float argument (INCRBYFLOAT), now and then not one */
  float(): string {
    return this.pick(FLOATS);
  }

  /** @returns a database index, now and then one out of range */
  db(): string {
    return this.chance(0.03) ? "99" : String(this.int(0, DATABASES - 1));
  }

  /** @returns a count argument: small, now and then 0 or negative */
  count(): string {
    if (this.chance(0.05)) return this.pick(["0", "-1"]);
    return String(this.int(1, 4));
  }

  /** @returns a relative TTL in seconds, now and then 0 or negative */
  seconds(): string {
    if (this.chance(0.05)) return this.pick(["0", "-1"]);
    return String(this.int(1, 30));
  }

  /** @returns a relative TTL in milliseconds, now and then 0 or negative */
  millis(): string {
    if (this.chance(0.05)) return this.pick(["0", "-5"]);
    return String(this.int(1, 30_000));
  }

  /** @returns a Unix time in seconds, from a little in the past to 30 s ahead */
  unixSeconds(): string {
    return String(Math.floor(this.#now() / 1000) + this.int(-3, 30));
  }

  /**
   * @returns a stream ID at the current millisecond, as XADD `*` makes them
   *   (the manual clock stands still between sleeps, so they collide)
   */
  streamIdNow(): string {
    return `${Math.floor(this.#now())}-${this.int(0, 5)}`;
  }

  /** @returns a Unix time in milliseconds, from a little in the past to 30 s ahead */
  unixMillis(): string {
    return String(Math.floor(this.#now()) + this.int(-3000, 30_000));
  }

  /** @returns an expiry's unit and time: EX, PX, EXAT or PXAT */
  expiry(): string[] {
    switch (this.int(0, 3)) {
      case 0:
        return ["EX", this.seconds()];
      case 1:
        return ["PX", this.millis()];
      case 2:
        return ["EXAT", this.unixSeconds()];
      default:
        return ["PXAT", this.unixMillis()];
    }
  }

  /** @returns EXPIRE's optional condition: none, one, now and then two (an error) */
  condition(): string[] {
    if (this.chance(0.5)) return [];
    if (this.chance(0.04)) return [this.pick(CONDITIONS), this.pick(CONDITIONS)];
    return [this.pick(CONDITIONS)];
  }

  /** @returns LEFT or RIGHT */
  side(): string {
    return this.chance(0.5) ? "LEFT" : "RIGHT";
  }

  /** @returns a blocking timeout in seconds: 0 (forever) or 0.1 to 5 */
  timeout(): string {
    return this.chance(0.3) ? "0" : String(this.int(1, 50) / 10);
  }

  /**
   * @param items the items
   * @returns them in a random order (a copy)
   */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.#random.below(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** Builds one command's argument vector, name first. */
export type ArgvGenerator = (d: Draw) => string[];

/** `numkeys key ...`: the count, now and then wrong. */
function numkeys(d: Draw, kind: KeyKind): string[] {
  const keys = d.keys(kind, 1, 3);
  const n = d.chance(0.03) ? keys.length + 1 : keys.length;
  return [String(n), ...keys];
}

/** `FIELDS numfields field ...`: the count, now and then wrong. */
function fieldsBlock(d: Draw): string[] {
  const fields = d.some(FIELDS, 1, 3);
  const n = d.chance(0.03) ? fields.length + 1 : fields.length;
  return ["FIELDS", String(n), ...fields];
}

/** LMPOP / BLMPOP's `LEFT | RIGHT [COUNT count]`. */
function mpopTail(d: Draw): string[] {
  return d.chance(0.5) ? [d.side()] : [d.side(), "COUNT", d.count()];
}

/** A hash-field expiry command: the time, a condition, the fields. */
function hexpireWith(name: string, time: (d: Draw) => string): ArgvGenerator {
  return (d) => {
    const cond = d.chance(0.5) ? [] : [d.pick(CONDITIONS)];
    return [name, d.key("hash"), time(d), ...cond, ...fieldsBlock(d)];
  };
}

/** A key-expiry command: the time and a condition. */
function expireWith(name: string, time: (d: Draw) => string): ArgvGenerator {
  return (d) => [name, d.key(), time(d), ...d.condition()];
}

/** A push: one to three elements. */
function push(name: string): ArgvGenerator {
  return (d) => [name, d.key("list"), ...d.some(ELEMENTS, 1, 3)];
}

/** A pop with an optional count. */
function pop(name: string): ArgvGenerator {
  return (d) => [name, d.key("list"), ...(d.chance(0.4) ? [d.count()] : [])];
}

/** A set operation storing its result. */
function store(name: string): ArgvGenerator {
  return (d) => [name, d.key("set"), ...d.keys("set", 1, 3)];
}

/**
 * SORT over a list, set or sorted set: BY and GET patterns that name the
 * workload's own string and hash keys (elements `a`, `b` give `str:a`,
 * `hash:a`), LIMIT, ASC / DESC, ALPHA (numeric sorts of letters fail), and
 * mostly a STORE into a list key.
 */
function sortArgs(d: Draw): string[] {
  const out = ["SORT", d.key(d.pick(["list", "list", "set", "zset"] as const))];
  if (d.chance(0.4)) out.push("BY", d.pick(["nosort", "str:*", "num:*", "hash:*->f1", "no:*"]));
  if (d.chance(0.3)) out.push("LIMIT", String(d.int(-1, 3)), String(d.int(-1, 4)));
  for (let n = d.chance(0.4) ? d.int(1, 2) : 0; n > 0; n--) {
    out.push("GET", d.pick(["#", "str:*", "hash:*->f2", "no:*"]));
  }
  if (d.chance(0.3)) out.push(d.pick(["ASC", "DESC"]));
  if (d.chance(0.7)) out.push("ALPHA");
  if (d.chance(0.8)) out.push("STORE", d.key("list"));
  return out;
}

/** `key value [key value ...]` for MSET and MSETNX. */
function pairs(name: string): ArgvGenerator {
  return (d) => {
    const out = [name];
    const n = d.int(1, 3);
    for (let i = 0; i < n; i++) out.push(d.key("string"), d.value());
    return out;
  };
}

/** FLUSHDB / FLUSHALL with an optional ASYNC or SYNC. */
function flush(name: string): ArgvGenerator {
  return (d) => [name, ...(d.chance(0.5) ? [] : [d.pick(["ASYNC", "SYNC"])])];
}

/** A bit offset: small mostly, now and then far enough for a rope (over 4 KB). */
function bitOffset(d: Draw): string {
  return String(d.chance(0.05) ? d.int(33_000, 60_000) : d.int(0, 90));
}

const BITFIELD_TYPES = ["u1", "u8", "i8", "i5", "u16", "i32", "u63", "i64"];
const BITFIELD_VALUES = ["0", "1", "-1", "100", "300", "-200", "9223372036854775807", "x"];

/** BITFIELD's operations: GET, SET, INCRBY and OVERFLOW, one to three. */
function bitfieldOps(d: Draw): string[] {
  const out: string[] = [];
  for (let n = d.int(1, 3); n > 0; n--) {
    const type = d.pick(BITFIELD_TYPES);
    const offset = d.chance(0.2) ? `#${d.int(0, 6)}` : bitOffset(d);
    const roll = d.next();
    if (roll < 0.15) out.push("OVERFLOW", d.pick(["WRAP", "SAT", "FAIL"]));
    else if (roll < 0.4) out.push("GET", type, offset);
    else if (roll < 0.7) out.push("SET", type, offset, d.pick(BITFIELD_VALUES));
    else out.push("INCRBY", type, offset, d.pick(BITFIELD_VALUES));
  }
  return out;
}

/** Geo members: a few names, so GEOADD moves them and searches find them. */
const GEO_MEMBERS = ["p", "q", "r", "s", "t"];

/** A longitude and a latitude around Sicily, now and then out of range or not a number. */
function geoPosition(d: Draw): string[] {
  if (d.chance(0.03)) return [d.pick(["200", "x", "-181"]), "0"];
  return [(13 + d.int(0, 300) / 100).toFixed(2), (37 + d.int(0, 200) / 100).toFixed(2)];
}

/** GEOSEARCH's centre and shape, the unit now and then wrong. */
function geoFromBy(d: Draw): string[] {
  const from = d.chance(0.5)
    ? ["FROMMEMBER", d.pick(GEO_MEMBERS)]
    : ["FROMLONLAT", ...geoPosition(d)];
  const unit = d.chance(0.03) ? "yd" : d.pick(["m", "km", "km", "mi", "ft"]);
  const by = d.chance(0.5)
    ? ["BYRADIUS", String(d.int(0, 300)), unit]
    : ["BYBOX", String(d.int(0, 400)), String(d.int(0, 400)), unit];
  return [...from, ...by];
}

/** A search's COUNT [ANY] and ASC / DESC, now and then. */
function geoOptions(d: Draw): string[] {
  const out: string[] = [];
  if (d.chance(0.4)) out.push("COUNT", d.count(), ...(d.chance(0.3) ? ["ANY"] : []));
  if (d.chance(0.3)) out.push(d.pick(["ASC", "DESC"]));
  return out;
}

/** GEORADIUS*'s STORE or STOREDIST, mostly. */
function geoStore(d: Draw): string[] {
  return d.chance(0.8) ? [d.pick(["STORE", "STOREDIST"]), d.key("geo")] : [];
}

/** Stream IDs for explicit XADD / XDEL / XSETID / MINID: small, so they collide. */
function streamIdArg(d: Draw): string {
  const ms = d.int(0, 12);
  return d.chance(0.3) ? String(ms) : `${ms}-${d.int(0, 3)}`;
}

/** A consumer group name (XGROUP, XREADGROUP, XACK): two, so they collide. */
function streamGroup(d: Draw): string {
  return d.pick(["g1", "g2"]);
}

/** XADD / XTRIM trimming: MAXLEN or MINID, `=`, `~` or neither, now and then LIMIT. */
function streamTrim(d: Draw): string[] {
  const out = [d.pick(["MAXLEN", "MINID"])];
  const mark = d.pick(["", "=", "~", "~"]);
  if (mark !== "") out.push(mark);
  out.push(out[0] === "MAXLEN" ? d.pick(["0", "1", "2", "5", "-1"]) : streamIdArg(d));
  if (d.chance(0.2)) out.push("LIMIT", d.pick(["0", "1", "3", "100"]));
  return out;
}

/** Function libraries the FUNCTION generators load, delete and restore. */
const WORKLOAD_LIBRARIES = [
  "#!lua name=wl_a\nredis.register_function('wl_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
  "#!lua name=wl_b\nredis.register_function{function_name='wl_get', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
];
const FLUSH_MODES = ["SYNC", "ASYNC"];

/**
 * The argument generator of every write command, by its name as the
 * command table gives it. A test checks this covers the table's write
 * commands exactly (with {@linkcode EXCLUDED_WRITES}).
 */
export const WRITE_COMMANDS: Readonly<Record<string, ArgvGenerator>> = {
  append: (d) => ["APPEND", d.key("string"), d.value()],
  bitfield: (d) => ["BITFIELD", d.key("string"), ...bitfieldOps(d)],
  bitop: (d) => {
    const op = d.chance(0.03) ? "FOO" : d.pick(["AND", "OR", "XOR", "NOT"]);
    const sources = op === "NOT" && d.chance(0.95) ? [d.key("string")] : d.keys("string", 1, 3);
    return ["BITOP", op, d.key("string"), ...sources];
  },
  blmove: (d) => ["BLMOVE", d.key("list"), d.key("list"), d.side(), d.side(), d.timeout()],
  blmpop: (d) => ["BLMPOP", d.timeout(), ...numkeys(d, "list"), ...mpopTail(d)],
  blpop: (d) => ["BLPOP", ...d.keys("list", 1, 3), d.timeout()],
  brpop: (d) => ["BRPOP", ...d.keys("list", 1, 3), d.timeout()],
  brpoplpush: (d) => ["BRPOPLPUSH", d.key("list"), d.key("list"), d.timeout()],
  copy: (d) => [
    "COPY",
    d.key(),
    d.key(),
    ...(d.chance(0.4) ? ["DB", d.db()] : []),
    ...(d.chance(0.5) ? ["REPLACE"] : []),
  ],
  decr: (d) => ["DECR", d.key("string")],
  decrby: (d) => ["DECRBY", d.key("string"), d.integer()],
  del: (d) => ["DEL", ...d.keys("any", 1, 3)],
  expire: expireWith("EXPIRE", (d) => d.seconds()),
  expireat: expireWith("EXPIREAT", (d) => d.unixSeconds()),
  flushall: flush("FLUSHALL"),
  flushdb: flush("FLUSHDB"),
  "function|delete": (d) => ["FUNCTION", "DELETE", d.pick(["wl_a", "wl_b", "nolib"])],
  "function|flush": (d) => ["FUNCTION", "FLUSH", ...(d.chance(0.5) ? [d.pick(FLUSH_MODES)] : [])],
  "function|load": (d) => [
    "FUNCTION",
    "LOAD",
    ...(d.chance(0.8) ? ["REPLACE"] : []),
    d.pick(WORKLOAD_LIBRARIES),
  ],
  "function|restore": (d) => [
    "FUNCTION",
    "RESTORE",
    dumpFunctions(d.chance(0.5) ? WORKLOAD_LIBRARIES : [d.pick(WORKLOAD_LIBRARIES)]),
    ...(d.chance(0.8) ? [d.pick(["REPLACE", "FLUSH"])] : []),
  ],
  geoadd: (d) => {
    const out = ["GEOADD", d.key("geo")];
    if (d.chance(0.3)) out.push(d.pick(["NX", "XX", "CH"]));
    for (let n = d.int(1, 3); n > 0; n--) out.push(...geoPosition(d), d.pick(GEO_MEMBERS));
    return out;
  },
  georadius: (d) => [
    "GEORADIUS",
    d.key("geo"),
    ...geoPosition(d),
    String(d.int(0, 300)),
    "km",
    ...geoOptions(d),
    ...geoStore(d),
  ],
  georadiusbymember: (d) => [
    "GEORADIUSBYMEMBER",
    d.key("geo"),
    d.pick(GEO_MEMBERS),
    String(d.int(0, 300)),
    "km",
    ...geoOptions(d),
    ...geoStore(d),
  ],
  geosearchstore: (d) => [
    "GEOSEARCHSTORE",
    d.key("geo"),
    d.key("geo"),
    ...geoFromBy(d),
    ...geoOptions(d),
    ...(d.chance(0.4) ? ["STOREDIST"] : []),
  ],
  getdel: (d) => ["GETDEL", d.key("string")],
  getex: (d) => {
    const key = d.key("string");
    if (d.chance(0.2)) return ["GETEX", key];
    return ["GETEX", key, ...(d.chance(0.2) ? ["PERSIST"] : d.expiry())];
  },
  getset: (d) => ["GETSET", d.key("string"), d.value()],
  hdel: (d) => ["HDEL", d.key("hash"), ...d.some(FIELDS, 1, 3)],
  hexpire: hexpireWith("HEXPIRE", (d) => d.seconds()),
  hexpireat: hexpireWith("HEXPIREAT", (d) => d.unixSeconds()),
  hincrby: (d) => ["HINCRBY", d.key("hash"), d.field(), d.integer()],
  hincrbyfloat: (d) => ["HINCRBYFLOAT", d.key("hash"), d.field(), d.float()],
  hmset: (d) => {
    const out = ["HMSET", d.key("hash")];
    for (let i = d.int(1, 3); i > 0; i--) out.push(d.field(), d.fieldValue());
    return out;
  },
  hpersist: (d) => ["HPERSIST", d.key("hash"), ...fieldsBlock(d)],
  hpexpire: hexpireWith("HPEXPIRE", (d) => d.millis()),
  hpexpireat: hexpireWith("HPEXPIREAT", (d) => d.unixMillis()),
  hset: (d) => {
    const out = ["HSET", d.key("hash")];
    for (let i = d.int(1, 3); i > 0; i--) out.push(d.field(), d.fieldValue());
    return out;
  },
  hsetnx: (d) => ["HSETNX", d.key("hash"), d.field(), d.fieldValue()],
  xadd: (d) => {
    const out = ["XADD", d.key("stream")];
    if (d.chance(0.1)) out.push("NOMKSTREAM");
    if (d.chance(0.3)) out.push(...streamTrim(d));
    const ms = d.int(1, 12);
    out.push(d.pick(["*", `${ms}-*`, `${ms}-*`, `${ms}-${d.int(0, 3)}`, `${ms}`, "0-0"]));
    for (let i = d.chance(0.05) ? 0 : d.int(1, 2); i > 0; i--) {
      out.push(d.pick(["f1", "f2", "f1"]), d.fieldValue());
    }
    return out;
  },
  xdel: (d) => {
    const ids = Array.from({ length: d.int(1, 3) }, () => streamIdArg(d));
    return ["XDEL", d.key("stream"), ...ids];
  },
  xsetid: (d) => {
    const out = ["XSETID", d.key("stream"), d.pick([streamIdArg(d), "20-0", "99-1"])];
    if (d.chance(0.3)) out.push("ENTRIESADDED", d.pick(["0", "5", "100", "-1"]));
    if (d.chance(0.3)) out.push("MAXDELETEDID", streamIdArg(d));
    return out;
  },
  xtrim: (d) => ["XTRIM", d.key("stream"), ...streamTrim(d)],
  xreadgroup: (d) => {
    const out = ["XREADGROUP", "GROUP", streamGroup(d), d.pick(["c1", "c2", "c3"])];
    if (d.chance(0.4)) out.push("COUNT", d.count());
    if (d.chance(0.4)) out.push("BLOCK", d.pick(["0", "100", "2000"]));
    if (d.chance(0.2)) out.push("NOACK");
    const keys = d.keys("stream", 1, 2);
    const ids = keys.map(() => d.chance(0.75) ? ">" : d.pick(["0", streamIdArg(d), "$"]));
    return [...out, "STREAMS", ...keys, ...ids];
  },
  xack: (d) => [
    "XACK",
    d.key("stream"),
    streamGroup(d),
    ...Array.from({ length: d.int(1, 10) }, () => d.chance(0.5) ? d.streamIdNow() : streamIdArg(d)),
  ],
  "xgroup|create": (d) => {
    const out = ["XGROUP", "CREATE", d.key("stream"), streamGroup(d)];
    out.push(d.pick(["$", "0", "$", streamIdArg(d)]));
    if (d.chance(0.5)) out.push("MKSTREAM");
    if (d.chance(0.2)) out.push("ENTRIESREAD", d.pick(["0", "2", "-1", "-2"]));
    return out;
  },
  "xgroup|setid": (d) => {
    const out = [
      "XGROUP",
      "SETID",
      d.key("stream"),
      streamGroup(d),
      d.pick(["$", "0", streamIdArg(d)]),
    ];
    if (d.chance(0.3)) out.push("ENTRIESREAD", d.pick(["0", "3", "-1"]));
    return out;
  },
  "xgroup|destroy": (d) => ["XGROUP", "DESTROY", d.key("stream"), streamGroup(d)],
  "xgroup|createconsumer": (d) => [
    "XGROUP",
    "CREATECONSUMER",
    d.key("stream"),
    streamGroup(d),
    d.pick(["c1", "c2", "c3"]),
  ],
  "xgroup|delconsumer": (d) => [
    "XGROUP",
    "DELCONSUMER",
    d.key("stream"),
    streamGroup(d),
    d.pick(["c1", "c2", "c3"]),
  ],
  xclaim: (d) => {
    const out = ["XCLAIM", d.key("stream"), streamGroup(d), d.pick(["c1", "c2", "c3"])];
    out.push(d.pick(["0", "0", "100", "5000", "-1", "x"]));
    for (let i = d.int(1, 3); i > 0; i--) out.push(streamIdArg(d));
    const options: string[][] = [];
    if (d.chance(0.3)) options.push(["IDLE", d.pick(["0", "100", "-5", "99999999"])]);
    if (d.chance(0.2)) options.push(["TIME", d.pick([d.unixMillis(), "0", "-1"])]);
    if (d.chance(0.3)) options.push(["RETRYCOUNT", d.pick(["0", "3", "-1"])]);
    if (d.chance(0.3)) options.push(["FORCE"]);
    if (d.chance(0.3)) options.push(["JUSTID"]);
    if (d.chance(0.2)) options.push(["LASTID", streamIdArg(d)]);
    if (d.chance(0.03)) options.push([d.pick(["FOO", "IDLE"])]);
    return [...out, ...d.shuffle(options).flat()];
  },
  xautoclaim: (d) => {
    const out = ["XAUTOCLAIM", d.key("stream"), streamGroup(d), d.pick(["c1", "c2", "c3"])];
    out.push(d.pick(["0", "0", "100", "5000", "-1", "x"]));
    out.push(d.pick(["0", "-", streamIdArg(d), `(${streamIdArg(d)}`]));
    if (d.chance(0.5)) out.push("COUNT", d.pick(["1", "2", "5", "0"]));
    if (d.chance(0.3)) out.push("JUSTID");
    return out;
  },
  incr: (d) => ["INCR", d.key("string")],
  incrby: (d) => ["INCRBY", d.key("string"), d.integer()],
  incrbyfloat: (d) => ["INCRBYFLOAT", d.key("string"), d.float()],
  linsert: (d) => [
    "LINSERT",
    d.key("list"),
    d.pick(["BEFORE", "AFTER"]),
    d.element(),
    d.element(),
  ],
  lmove: (d) => ["LMOVE", d.key("list"), d.key("list"), d.side(), d.side()],
  lmpop: (d) => ["LMPOP", ...numkeys(d, "list"), ...mpopTail(d)],
  lpop: pop("LPOP"),
  lpush: push("LPUSH"),
  lpushx: push("LPUSHX"),
  lrem: (d) => ["LREM", d.key("list"), String(d.int(-2, 2)), d.element()],
  lset: (d) => ["LSET", d.key("list"), String(d.int(-3, 3)), d.element()],
  ltrim: (d) => ["LTRIM", d.key("list"), String(d.int(-4, 3)), String(d.int(-4, 4))],
  move: (d) => ["MOVE", d.key(), d.db()],
  mset: pairs("MSET"),
  msetnx: pairs("MSETNX"),
  persist: (d) => ["PERSIST", d.key()],
  pexpire: expireWith("PEXPIRE", (d) => d.millis()),
  pexpireat: expireWith("PEXPIREAT", (d) => d.unixMillis()),
  pfadd: (d) => ["PFADD", d.key("hll"), ...d.some(HLL_ELEMENTS, 0, 4)],
  pfdebug: (d) => ["PFDEBUG", d.pick(["TODENSE", "TODENSE", "ENCODING", "DECODE"]), d.key("hll")],
  pfmerge: (d) => ["PFMERGE", d.key("hll"), ...d.keys("hll", 0, 2)],
  psetex: (d) => ["PSETEX", d.key("string"), d.millis(), d.value()],
  rename: (d) => ["RENAME", d.key(), d.key()],
  renamenx: (d) => ["RENAMENX", d.key(), d.key()],
  rpop: pop("RPOP"),
  rpoplpush: (d) => ["RPOPLPUSH", d.key("list"), d.key("list")],
  rpush: push("RPUSH"),
  rpushx: push("RPUSHX"),
  sadd: (d) => ["SADD", d.key("set"), ...d.some(MEMBERS, 1, 3)],
  sdiffstore: store("SDIFFSTORE"),
  set: (d) => {
    const groups: string[][] = [];
    if (d.chance(0.4)) groups.push([d.pick(["NX", "XX"])]);
    if (d.chance(0.3)) groups.push(["GET"]);
    if (d.chance(0.6)) groups.push(d.chance(0.15) ? ["KEEPTTL"] : d.expiry());
    return ["SET", d.key("string"), d.value(), ...d.shuffle(groups).flat()];
  },
  setex: (d) => ["SETEX", d.key("string"), d.seconds(), d.value()],
  setnx: (d) => ["SETNX", d.key("string"), d.value()],
  setbit: (d) => ["SETBIT", d.key("string"), bitOffset(d), d.chance(0.03) ? "2" : `${d.int(0, 1)}`],
  setrange: (d) => ["SETRANGE", d.key("string"), String(d.int(0, 8)), d.value()],
  sinterstore: store("SINTERSTORE"),
  smove: (d) => ["SMOVE", d.key("set"), d.key("set"), d.member()],
  sort: sortArgs,
  spop: (d) => ["SPOP", d.key("set"), ...(d.chance(0.5) ? [d.count()] : [])],
  srem: (d) => ["SREM", d.key("set"), ...d.some(MEMBERS, 1, 3)],
  sunionstore: store("SUNIONSTORE"),
  swapdb: (d) => ["SWAPDB", d.db(), d.db()],
  unlink: (d) => ["UNLINK", ...d.keys("any", 1, 3)],
  zadd: (d) => {
    const incr = d.chance(0.2);
    const opts = d.shuffle([
      ...(d.chance(0.3) ? [d.pick(["NX", "XX"])] : []),
      ...(d.chance(0.3) ? [d.pick(["GT", "LT"])] : []),
      ...(d.chance(0.3) ? ["CH"] : []),
      ...(incr ? ["INCR"] : []),
    ]);
    const out = ["ZADD", d.key("zset"), ...opts];
    for (let i = incr ? 1 : d.int(1, 3); i > 0; i--) out.push(d.pick(Z_SCORES), d.member());
    return out;
  },
  zincrby: (d) => ["ZINCRBY", d.key("zset"), d.pick(Z_SCORES), d.member()],
  zrangestore: (d) => {
    const opts: string[] = [];
    let range: string[];
    const by = d.int(0, 2);
    if (by === 0) range = [String(d.int(-3, 3)), String(d.int(-3, 3))];
    else if (by === 1) range = [d.pick(Z_SCORE_BOUNDS), d.pick(Z_SCORE_BOUNDS), "BYSCORE"];
    else range = [d.pick(Z_LEX_BOUNDS), d.pick(Z_LEX_BOUNDS), "BYLEX"];
    if (d.chance(0.3)) opts.push("REV");
    if (by !== 0 && d.chance(0.3)) opts.push("LIMIT", String(d.int(-1, 2)), String(d.int(-1, 3)));
    return ["ZRANGESTORE", d.key(d.chance(0.8) ? "zset" : "any"), d.key("zset"), ...range, ...opts];
  },
  zrem: (d) => ["ZREM", d.key("zset"), ...d.some(MEMBERS, 1, 3)],
  zremrangebylex: (d) => [
    "ZREMRANGEBYLEX",
    d.key("zset"),
    d.pick(Z_LEX_BOUNDS),
    d.pick(Z_LEX_BOUNDS),
  ],
  zremrangebyrank: (d) => [
    "ZREMRANGEBYRANK",
    d.key("zset"),
    String(d.int(-3, 3)),
    String(d.int(-3, 3)),
  ],
  zremrangebyscore: (d) => [
    "ZREMRANGEBYSCORE",
    d.key("zset"),
    d.pick(Z_SCORE_BOUNDS),
    d.pick(Z_SCORE_BOUNDS),
  ],
  // The sorted-set combining and popping commands (zset_combine.ts).
  zunionstore: zstore("ZUNIONSTORE", true),
  zinterstore: zstore("ZINTERSTORE", true),
  zdiffstore: zstore("ZDIFFSTORE", false),
  zpopmin: zpop("ZPOPMIN"),
  zpopmax: zpop("ZPOPMAX"),
  zmpop: (d) => ["ZMPOP", ...zinputs(d), ...zmpopTail(d)],
  bzpopmin: (d) => ["BZPOPMIN", ...d.keys("zset", 1, 3), d.timeout()],
  bzpopmax: (d) => ["BZPOPMAX", ...d.keys("zset", 1, 3), d.timeout()],
  bzmpop: (d) => ["BZMPOP", d.timeout(), ...zinputs(d), ...zmpopTail(d)],
};

/** `numkeys key ...` over sorted sets, now and then a plain set or a wrong numkeys. */
function zinputs(d: Draw): string[] {
  const keys: string[] = [];
  for (let n = d.int(1, 3); n > 0; n--) keys.push(d.key(d.chance(0.15) ? "set" : "zset"));
  const n = d.chance(0.03) ? keys.length + 1 : keys.length;
  return [String(n), ...keys];
}

/** ZUNIONSTORE / ZINTERSTORE (WEIGHTS, AGGREGATE) and ZDIFFSTORE. */
function zstore(name: string, algebra: boolean): ArgvGenerator {
  return (d) => {
    const inputs = zinputs(d);
    const out = [name, d.key(d.chance(0.8) ? "zset" : "any"), ...inputs];
    if (algebra && d.chance(0.3)) {
      out.push("WEIGHTS");
      for (let i = 1; i < inputs.length; i++) out.push(d.pick(Z_WEIGHTS));
    }
    if (algebra && d.chance(0.3)) out.push("AGGREGATE", d.pick(["SUM", "MIN", "MAX", "max"]));
    return out;
  };
}

/** ZPOPMIN / ZPOPMAX with an optional count. */
function zpop(name: string): ArgvGenerator {
  return (d) => [name, d.key("zset"), ...(d.chance(0.4) ? [d.count()] : [])];
}

/** ZMPOP / BZMPOP's end and optional COUNT. */
function zmpopTail(d: Draw): string[] {
  const end = d.pick(["MIN", "MAX"]);
  return d.chance(0.5) ? [end] : [end, "COUNT", d.count()];
}

/** ZUNIONSTORE / ZINTERSTORE weights (`x` is refused). */
const Z_WEIGHTS = ["1", "2", "-1", "0", "0.5", "inf", "x"];

/** Sorted-set scores and increments (`abc` is refused). */
const Z_SCORES = ["1", "2.5", "-3", "0", "10", "1e3", "0.1", "inf", "-inf", "abc"];
/** Score range bounds. */
const Z_SCORE_BOUNDS = ["-inf", "+inf", "0", "(1", "2.5", "(3", "10", "x"];
/** Lex range bounds. */
const Z_LEX_BOUNDS = ["-", "+", "[a", "(b", "[1", "(3", "[c", "x"];

/**
 * Write commands of the table the workload leaves out, with the reason.
 * Every write command of the table is a data write that replays, so none
 * is left out today; CONFIG SET, CLIENT PAUSE, DEBUG and SHUTDOWN are not
 * flagged `write`, so they are not here either.
 */
export const EXCLUDED_WRITES: Readonly<Record<string, string>> = {};

/**
 * How often a write command is drawn relative to the others (1 when not
 * listed). Drawn evenly, the commands that empty lists and sets (a dozen
 * pops, moves and removals, the flushes, DEL) outnumber those that fill
 * them (SINTERSTORE and SDIFFSTORE mostly store nothing and delete their
 * destination), and containers would stay too empty for pops, moves and
 * LINSERT to find anything; these weights keep them populated.
 */
export const WRITE_WEIGHTS: Readonly<Record<string, number>> = {
  flushall: 0.12,
  flushdb: 0.15,
  "function|flush": 0.2,
  "function|restore": 0.3,
  swapdb: 0.3,
  del: 0.5,
  unlink: 0.5,
  lpush: 3,
  rpush: 3,
  sadd: 4,
  zadd: 4,
  sinterstore: 0.6,
  sdiffstore: 0.6,
  hset: 2,
  geoadd: 2,
  xadd: 4,
  "xgroup|create": 2,
  xreadgroup: 3,
  xack: 2,
};

/**
 * Reads that look keys up, so expired keys and hash fields are reclaimed
 * lazily (and a read must propagate nothing else).
 */
export const READ_COMMANDS: readonly ArgvGenerator[] = [
  (d) => ["GET", d.key("string")],
  (d) => ["EXISTS", ...d.keys("any", 1, 3)],
  (d) => ["TYPE", d.key()],
  (d) => ["PTTL", d.key()],
  (d) => ["LRANGE", d.key("list"), "0", "-1"],
  (d) => ["SMEMBERS", d.key("set")],
  (d) => ["HGETALL", d.key("hash")],
  (d) => ["HGET", d.key("hash"), d.field()],
  (d) => ["HPTTL", d.key("hash"), ...fieldsBlock(d)],
  (d) => ["SUNION", ...d.keys("set", 1, 3)],
  () => ["KEYS", "*"],
  (d) => ["GEOSEARCH", d.key("geo"), ...geoFromBy(d), ...geoOptions(d)],
  // PFCOUNT of one key stores the cardinality it computed and propagates, as
  // Redis 7.0.15 does (see tests/propagation/hll_test.ts).
  (d) => ["PFCOUNT", ...d.keys("hll", 1, 2)],
  (d) => ["ZRANGE", d.key("zset"), "0", "-1", "WITHSCORES"],
  (d) => ["ZSCORE", d.key("zset"), d.member()],
  (d) => ["XRANGE", d.key("stream"), "-", "+"],
];

/**
 * Every command (subcommands included) of a table flagged `write`.
 *
 * @param table the command table
 * @returns the commands, by full name
 */
export function writeCommands(table: CommandTable): Command[] {
  const out: Command[] = [];
  for (const command of table.all()) {
    if (command.flags.has("write")) out.push(command);
    for (const sub of command.subcommands?.values() ?? []) {
      if (sub.flags.has("write")) out.push(sub);
    }
  }
  return out.sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
}
