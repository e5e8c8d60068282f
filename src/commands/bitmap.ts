/**
 * The bitmap group: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO, on string values (binary strings, one char per byte; the
 * most significant bit of byte 0 is bit 0).
 *
 * Long values are written through their database's rope cache
 * (`store/bitmap.ts`): a SETBIT or BITFIELD write on a cached value costs
 * O(256 + log n), not a copy of the string; reads of a value just written
 * go through the same rope. Bits are counted 32 at a time (SWAR) and
 * searched by a native scan.
 *
 * As Redis 7.0.15: bit offsets are refused at or past `proto-max-bulk-len`
 * bytes (`bit offset is not an integer or out of range`), except from a
 * master's connection; BITCOUNT and BITPOS look their key up before
 * parsing the range, so a missing key answers 0 (BITPOS: -1 for a set bit,
 * 0 for a clear one) whatever follows; BITFIELD parses every operation
 * before it looks the key up, and with only GETs it is a read (nothing is
 * created, counted or propagated).
 *
 * Events and changes, as Redis 7.0.15: SETBIT publishes `setbit` and
 * counts one change when it creates or grows the value or flips the bit,
 * nothing otherwise; BITFIELD publishes one `setbit` and counts one change
 * per SET / INCRBY that changed its field, or every SET / INCRBY not
 * failed when the value was created or grown; BITOP publishes `set` for a
 * stored result and `del` when an empty result deleted the destination,
 * one change either way. The writes propagate as sent, and only when they
 * changed something.
 *
 * OBJECT ENCODING of a value SETBIT or a writing BITFIELD touched (even
 * without changing it) or BITOP stored is `raw`, as Redis reports (see
 * `Database.setEncoding`).
 *
 * Known differences from Redis 7.0.15:
 * - A value cannot grow beyond V8's longest string (2^29 - 24 bytes, 24
 *   bytes short of the default 512 MB `proto-max-bulk-len`): SETBIT and
 *   BITFIELD writes past it answer `string exceeds maximum allowed size
 *   (proto-max-bulk-len)`.
 * - A BITFIELD whose SET / INCRBY all failed (OVERFLOW FAIL) still creates
 *   or zero-pads its key, as in Redis; Redis then propagates nothing, so
 *   its replicas and AOF miss the key or the padding, while resplite
 *   propagates the command (still counting no change), so they hold them.
 *   The padding also raises the modified-key signal (WATCH, tracking)
 *   where Redis raises none.
 * - A long value recently written holds up to twice its size in memory
 *   (its rope's leaves, and the flat copy V8 makes when it is read whole);
 *   each database keeps the ropes of its last 16 bitmaps written (64 MB of
 *   them at most, the latest always), also after their keys are deleted,
 *   until later bit writes evict them.
 * - A write to a long value not cached (first write after SET, APPEND,
 *   RENAME, ...) costs O(n / 256) to build its rope; later ones
 *   O(256 + log n). Measured: 10,000 SETBITs at random offsets of a 1 MB
 *   value take about 75 ms in process, where rebuilding the string on each
 *   write took 2.4 s and more.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { array, EMPTY_ARRAY, integer, NIL, type Reply } from "../resp/reply.ts";
import { bytesToBinary } from "../resp/decoder.ts";
import {
  type BitReader,
  bitReader,
  BitWriter,
  byteAt,
  fieldResult,
  type FieldType,
  MAX_STRING_LENGTH,
  type Overflow,
  readBits,
  writeBits,
} from "../store/bitmap.ts";
import { asString, keyword, lookupRead, lookupWrite } from "./lookup.ts";
import { type Args, type CommandContext, parseInt64, parseInteger } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The bitmap group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const BITMAP_HANDLERS: HandlerTable = {
  setbit,
  getbit,
  bitcount,
  bitpos,
  bitop,
  bitfield,
  bitfield_ro: bitfieldRo,
};

const ZERO = integer(0);
const ONE = integer(1);
const MINUS_ONE = integer(-1);

// ---------------------------------------------------------------------------
// Arguments

/**
 * Redis's getBitOffsetFromArgument: a bit offset, non-negative, below
 * `proto-max-bulk-len` bytes; with `bits` (BITFIELD), `#n` means n * bits,
 * multiplied as a 64-bit integer (wrapping, as Redis does).
 */
function bitOffset(ctx: CommandContext, arg: string, bits = 0): number {
  const hash = bits > 0 && arg.charCodeAt(0) === 35;
  const text = hash ? arg.slice(1) : arg;
  if (!hash && text.length < 16) {
    const n = parseInteger(text);
    if (n === null || n < 0) throw new ReplyError(Errors.bitOffset);
    if (ctx.role !== "master" && Math.floor(n / 8) >= ctx.config.number("proto-max-bulk-len")) {
      throw new ReplyError(Errors.bitOffset);
    }
    return n;
  }
  let v = parseInt64(text);
  if (v === null) throw new ReplyError(Errors.bitOffset);
  if (hash) v = BigInt.asIntN(64, v * BigInt(bits));
  if (
    v < 0n ||
    (ctx.role !== "master" && Number(v >> 3n) >= ctx.config.number("proto-max-bulk-len"))
  ) {
    throw new ReplyError(Errors.bitOffset);
  }
  return Number(v);
}

/** Refuses a value that would outgrow V8's longest string. */
function checkLength(length: number): void {
  if (length > MAX_STRING_LENGTH) throw new ReplyError(Errors.stringTooLong);
}

/** BITCOUNT / BITPOS's optional `BYTE | BIT` unit: true for BIT. */
function unitIsBit(arg: string): boolean {
  const unit = keyword(arg);
  if (unit === "BIT") return true;
  if (unit === "BYTE") return false;
  throw new ReplyError(Errors.syntax);
}

/**
 * A start..end range (BITCOUNT, BITPOS) made absolute over `total` units:
 * negative indexes count from the end, both are clamped into the value.
 * Returns undefined when the range is empty.
 */
function absoluteRange(
  start: bigint,
  end: bigint,
  total: number,
): [start: number, end: number] | undefined {
  const t = BigInt(total);
  if (start < 0n) start += t;
  if (end < 0n) end += t;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= t) end = t - 1n;
  return start > end ? undefined : [Number(start), Number(end)];
}

// ---------------------------------------------------------------------------
// SETBIT / GETBIT

/** SETBIT key offset value */
function setbit(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const offset = bitOffset(ctx, argv[2]!);
  const on = parseInteger(argv[3]!);
  if (on !== 0 && on !== 1) throw new ReplyError(Errors.bitValue);
  const value = asString(lookupWrite(ctx, key));
  const db = ctx.db;
  const index = Math.floor(offset / 8);
  const old = value === undefined ? 0 : byteAt(db, key, value, index);
  const shift = 7 - (offset % 8);
  const bit = (old >> shift) & 1;
  const grows = value === undefined || index >= value.length;
  // Neither created, grown nor flipped: nothing changes, but the value is
  // made writable (`raw`) all the same, as Redis unshares it first.
  if (!grows && bit === on) {
    db.setEncoding(key, "raw");
    return bit ? ONE : ZERO;
  }
  checkLength(index + 1);
  const writer = new BitWriter(db, key, value, index + 1);
  writer.setByte(index, on ? old | (1 << shift) : old & ~(1 << shift));
  db.set(key, writer.finish(), true);
  db.setEncoding(key, "raw");
  ctx.notify("$", "setbit", key);
  return bit ? ONE : ZERO;
}

/** GETBIT key offset */
function getbit(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const offset = bitOffset(ctx, argv[2]!);
  const value = asString(lookupRead(ctx, key));
  if (value === undefined) return ZERO;
  const byte = byteAt(ctx.db, key, value, Math.floor(offset / 8));
  return (byte >> (7 - (offset % 8))) & 1 ? ONE : ZERO;
}

// ---------------------------------------------------------------------------
// BITCOUNT / BITPOS

/** BITCOUNT key [start end [BYTE | BIT]] */
function bitcount(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  // Redis 7.0 looks the key up first: a missing key is 0 whatever follows.
  const value = asString(lookupRead(ctx, key));
  if (value === undefined) return ZERO;
  const bits = bitReader(ctx.db, key, value);
  const length = value.length;
  if (argv.length === 2) return integer(bits.popcount(0, length));
  if (argv.length !== 4 && argv.length !== 5) throw new ReplyError(Errors.syntax);
  const start = args.int64(2);
  const end = args.int64(3);
  const isBit = argv.length === 5 && unitIsBit(argv[4]!);
  if (start < 0n && end < 0n && start > end) return ZERO;
  const range = absoluteRange(start, end, isBit ? length * 8 : length);
  if (range === undefined) return ZERO;
  if (!isBit) return integer(bits.popcount(range[0], range[1] + 1));
  return integer(countBitRange(bits, range[0], range[1]));
}

/** Bits set from bit `first` to bit `last`, inclusive. */
function countBitRange(bits: BitReader, first: number, last: number): number {
  const a = Math.floor(first / 8);
  const b = Math.floor(last / 8);
  let count = bits.popcount(a, b + 1);
  // Take away the bits of the edge bytes outside the range.
  const head = bits.byte(a) & ~(0xff >> (first % 8)) & 0xff;
  const tail = bits.byte(b) & ((1 << (7 - (last % 8))) - 1);
  count -= popcount8(head) + popcount8(tail);
  return count;
}

function popcount8(b: number): number {
  b -= (b >> 1) & 0x55;
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}

/** BITPOS key bit [start [end [BYTE | BIT]]] */
function bitpos(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const bit = args.integer(2);
  if (bit !== 0 && bit !== 1) throw new ReplyError(Errors.bitposBit);
  const value = asString(lookupRead(ctx, key));
  // A missing key is an endless run of clear bits.
  if (value === undefined) return bit ? MINUS_ONE : ZERO;
  const length = value.length;
  let range: [number, number] | undefined;
  let isBit = false;
  let endGiven = false;
  if (argv.length === 3) {
    range = length === 0 ? undefined : [0, length - 1];
  } else if (argv.length <= 6) {
    const start = args.int64(3);
    if (argv.length === 6) isBit = unitIsBit(argv[5]!);
    let end = BigInt(length - 1);
    if (argv.length >= 5) {
      end = args.int64(4);
      endGiven = true;
    }
    range = absoluteRange(start, end, isBit ? length * 8 : length);
  } else {
    throw new ReplyError(Errors.syntax);
  }
  if (range === undefined) return MINUS_ONE;
  const first = isBit ? range[0] : range[0] * 8;
  const last = isBit ? range[1] : range[1] * 8 + 7;
  const pos = findBit(bitReader(ctx.db, key, value), bit, first, last);
  if (pos !== -1) return integer(pos);
  // Looking for a clear bit with no end given, the value continues with
  // clear bits: the first one past it.
  return bit === 0 && !endGiven ? integer(last + 1) : MINUS_ONE;
}

/** The first bit equal to `bit` from bit `first` to bit `last`, inclusive; -1 if none. */
function findBit(bits: BitReader, bit: number, first: number, last: number): number {
  const a = Math.floor(first / 8);
  const b = Math.floor(last / 8);
  const lastMask = (0xff << (7 - (last % 8))) & 0xff;
  const firstMask = 0xff >> (first % 8);
  const at = (i: number, mask: number) => {
    const wanted = (bit ? bits.byte(i) : ~bits.byte(i)) & mask;
    return wanted === 0 ? -1 : i * 8 + Math.clz32(wanted) - 24;
  };
  if (a === b) return at(a, firstMask & lastMask);
  const head = at(a, firstMask);
  if (head !== -1) return head;
  if (b - a > 1) {
    const i = bits.findByteNot(a + 1, b, bit ? 0 : 255);
    if (i !== -1) return at(i, 0xff);
  }
  return at(b, lastMask);
}

// ---------------------------------------------------------------------------
// BITOP

/** BITOP AND | OR | XOR | NOT destkey key [key ...] */
function bitop(ctx: CommandContext, args: Args): Reply {
  const argv = args.argv;
  const op = keyword(argv[1]!);
  if (op !== "AND" && op !== "OR" && op !== "XOR" && op !== "NOT") {
    throw new ReplyError(Errors.syntax);
  }
  if (op === "NOT" && argv.length !== 4) throw new ReplyError(Errors.bitopNotOneKey);
  const dest = argv[2]!;
  const sources: string[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const value = asString(lookupRead(ctx, argv[j]!)) ?? "";
    sources.push(value);
    if (value.length > maxlen) maxlen = value.length;
  }
  const db = ctx.db;
  if (maxlen > 0) {
    const result = bytesToBinary(combine(op, sources, maxlen), 0, maxlen);
    // As setKey's lookupKeyWrite: a destination found expired goes first.
    if (db.expiresCount > 0) db.has(dest);
    db.set(dest, result);
    db.setEncoding(dest, "raw");
    ctx.notify("$", "set", dest);
  } else if (db.delete(dest)) {
    ctx.notify("g", "del", dest);
  }
  return integer(maxlen);
}

/** The bytes of a BITOP over `sources`, shorter ones padded with zero bytes. */
function combine(op: string, sources: readonly string[], maxlen: number): Uint8Array {
  const out = new Uint8Array(maxlen);
  const first = sources[0]!;
  if (op === "NOT") {
    for (let i = 0; i < first.length; i++) out[i] = ~first.charCodeAt(i);
    return out;
  }
  for (let i = 0; i < first.length; i++) out[i] = first.charCodeAt(i);
  for (let j = 1; j < sources.length; j++) {
    const s = sources[j]!;
    const n = s.length;
    if (op === "AND") {
      for (let i = 0; i < n; i++) out[i] = out[i]! & s.charCodeAt(i);
      if (n < maxlen) out.fill(0, n);
    } else if (op === "OR") {
      for (let i = 0; i < n; i++) out[i] = out[i]! | s.charCodeAt(i);
    } else {
      for (let i = 0; i < n; i++) out[i] = out[i]! ^ s.charCodeAt(i);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// BITFIELD

const GET = 0;
const SET = 1;
const INCRBY = 2;

/** One BITFIELD operation, parsed. */
interface FieldOp {
  readonly code: typeof GET | typeof SET | typeof INCRBY;
  readonly type: FieldType;
  readonly offset: number;
  /** SET's value or INCRBY's increment. */
  readonly arg: bigint;
  readonly overflow: Overflow;
}

/** BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment | OVERFLOW WRAP | SAT | FAIL ...] */
function bitfield(ctx: CommandContext, args: Args): Reply {
  return bitfieldGeneric(ctx, args, false);
}

/** BITFIELD_RO key [GET type offset ...] */
function bitfieldRo(ctx: CommandContext, args: Args): Reply {
  return bitfieldGeneric(ctx, args, true);
}

/** A bit-field type argument (`i1`..`i64`, `u1`..`u63`), read as a C string. */
function fieldType(arg: string): FieldType {
  const sign = arg.charCodeAt(0);
  if (sign !== 105 && sign !== 117) throw new ReplyError(Errors.bitfieldType);
  const nul = arg.indexOf("\0", 1);
  const bits = parseInteger(nul === -1 ? arg.slice(1) : arg.slice(1, nul));
  const signed = sign === 105;
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) {
    throw new ReplyError(Errors.bitfieldType);
  }
  return { signed, bits };
}

/**
 * Parses every operation (errors in argument order), then runs them in
 * order on the value, grown first to the farthest bit a write reaches.
 */
function bitfieldGeneric(ctx: CommandContext, args: Args, readOnly: boolean): Reply {
  const argv = args.argv;
  const key = argv[1]!;
  const ops: FieldOp[] = [];
  let overflow: Overflow = "wrap";
  let writes = false;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const name = keyword(argv[j]!);
    let code: FieldOp["code"];
    if (name === "GET" && left >= 2) code = GET;
    else if (name === "SET" && left >= 3) code = SET;
    else if (name === "INCRBY" && left >= 3) code = INCRBY;
    else if (name === "OVERFLOW" && left >= 1) {
      const kind = keyword(argv[++j]!);
      if (kind === "WRAP") overflow = "wrap";
      else if (kind === "SAT") overflow = "sat";
      else if (kind === "FAIL") overflow = "fail";
      else throw new ReplyError(Errors.bitfieldOverflow);
      continue;
    } else {
      throw new ReplyError(Errors.syntax);
    }
    const type = fieldType(argv[j + 1]!);
    const offset = bitOffset(ctx, argv[j + 2]!, type.bits);
    let arg = 0n;
    if (code !== GET) {
      writes = true;
      if (offset + type.bits - 1 > highest) highest = offset + type.bits - 1;
      arg = args.int64(j + 3);
      j += 3;
    } else {
      j += 2;
    }
    ops.push({ code, type, offset, arg, overflow });
  }
  if (!writes) return bitfieldRead(ctx, key, ops);
  if (readOnly) throw new ReplyError(Errors.bitfieldReadOnly);
  return bitfieldWrite(ctx, key, ops, highest);
}

/** BITFIELD with GETs only: a read, which creates nothing. */
function bitfieldRead(ctx: CommandContext, key: string, ops: readonly FieldOp[]): Reply {
  const value = asString(lookupRead(ctx, key));
  if (ops.length === 0) return EMPTY_ARRAY;
  const bits = value === undefined ? undefined : bitReader(ctx.db, key, value);
  const byte = (i: number) => bits!.byte(i);
  const length = bits?.length ?? 0;
  return array(
    ops.map((op) => fieldReply(op.type, readBits(byte, length, op.offset, op.type.bits))),
  );
}

/** BITFIELD with writes: the value is created or grown first, as Redis does. */
function bitfieldWrite(
  ctx: CommandContext,
  key: string,
  ops: readonly FieldOp[],
  highest: number,
): Reply {
  const value = asString(lookupWrite(ctx, key));
  const length = Math.floor(highest / 8) + 1;
  checkLength(length);
  const db = ctx.db;
  const writer = new BitWriter(db, key, value, length);
  const grows = writer.grows;
  const byte = (i: number) => writer.byte(i);
  const setByte = (i: number, b: number) => writer.setByte(i, b);
  let changes = 0;
  const replies = ops.map((op): Reply => {
    const { type, offset } = op;
    const raw = readBits(byte, writer.length, offset, type.bits);
    const old = type.signed ? BigInt.asIntN(type.bits, raw) : raw;
    if (op.code === GET) return fieldReply(type, raw);
    const incr = op.code === INCRBY;
    const next = fieldResult(type, incr ? old : op.arg, incr ? op.arg : undefined, op.overflow);
    if (next === null) return NIL;
    writeBits(byte, setByte, offset, type.bits, BigInt.asUintN(type.bits, next));
    if (grows || next !== old) changes++;
    return integerOf(incr ? next : old);
  });
  if (changes > 0) {
    db.set(key, writer.finish(), true, changes);
    ctx.notify("$", "setbit", key);
  } else if (grows) {
    // Every write failed, yet the key was created or padded (as Redis
    // does): propagate it, though it counts no change, so replicas agree.
    db.set(key, writer.finish(), true, 0);
    ctx.propagation.force();
  }
  // Written or not, the value was made writable first: `raw`.
  db.setEncoding(key, "raw");
  return array(replies);
}

/** A field's reply from its raw (unsigned) bits. */
function fieldReply(type: FieldType, raw: bigint): Reply {
  return integerOf(type.signed ? BigInt.asIntN(type.bits, raw) : raw);
}

/** An integer reply, a number when exact. */
function integerOf(v: bigint): Reply {
  return integer(v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);
}
