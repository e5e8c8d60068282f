/**
 * The HyperLogLog group: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST.
 *
 * Sketches are plain string values in Redis 7.0.15's exact format (see
 * `store/hll.ts`): a value written by real Redis counts the same here and
 * the other way round, and the same PFADDs leave the same bytes.
 *
 * Errors: a string that is not a sketch gets `WRONGTYPE Key is not a valid
 * HyperLogLog string value.`, another type the usual WRONGTYPE, and a
 * sparse sketch whose opcodes do not cover the 16384 registers
 * `INVALIDOBJ Corrupted HLL object detected` (when a command walks them).
 *
 * Changes, events and propagation, as Redis 7.0.15:
 * - PFADD counts one change per element that raised a register, plus one
 *   when it created the key, announces `pfadd` and propagates as sent when
 *   it changed something. One that fails part way (a corrupt sparse
 *   sketch) keeps what it changed, without signal, change or propagation.
 * - PFMERGE always counts one change, announces `pfadd` on the destination
 *   and propagates as sent.
 * - PFCOUNT of one key whose cached cardinality is invalid stores the new
 *   cache in the value: one change, the modified-key signal (WATCH,
 *   tracking), no event, and PFCOUNT itself propagates, as in Redis. With
 *   several keys it changes nothing.
 * - PFDEBUG GETREG and TODENSE on a sparse sketch convert it to dense: one
 *   change and propagation as sent, but no signal and no event.
 *
 * OBJECT ENCODING of a sketch PFADD, PFMERGE, PFDEBUG or a one-key PFCOUNT
 * touched (even without changing it) is `raw`, as Redis reports (see
 * `Database.setEncoding`).
 *
 * Known differences from Redis 7.0.15:
 * - PFSELFTEST draws its random register values and element seed from the
 *   server's seeded source instead of libc's `rand()`.
 * - Corrupt values hundreds of megabytes long, whose register counts would
 *   overflow Redis's 32-bit counters, are judged by their true counts.
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { array, bulk, integer, OK, type Reply, simple } from "../resp/reply.ts";
import {
  cachedCardinality,
  countHll,
  decodeSparse,
  denseAdd,
  denseRegister,
  estimate,
  hasValidCache,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBuffer,
  hllPatLen,
  isHll,
  mergeRegisters,
  rawHistogram,
  selfTest,
  signedCardinality,
  sparseRegister,
  withCachedCardinality,
} from "../store/hll.ts";
import type { Value } from "../store/database.ts";
import { lookupRead, lookupWrite } from "./lookup.ts";
import { type Args, asciiLower, type CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/** The group's handlers, bound by name to the command table. */
export const HLL_HANDLERS: HandlerTable = {
  pfadd,
  pfcount,
  pfmerge,
  pfdebug,
  pfselftest,
};

/** A found value as a sketch (isHLLObjectOrReply): WRONGTYPE otherwise. */
function asHll(value: Value): string {
  if (typeof value !== "string") throw new ReplyError(Errors.wrongType);
  if (!isHll(value)) throw new ReplyError(Errors.hllWrongType);
  return value;
}

function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.config.number("hll-sparse-max-bytes");
}

/**
 * Whether adding the elements (from argument 2 on) to a sparse sketch
 * would raise a register, or meet the end of corrupt opcodes.
 */
function sparseWouldChange(value: string, argv: readonly string[]): boolean {
  const scratch = new Uint32Array(2);
  for (let j = 2; j < argv.length; j++) {
    const packed = hllPatLen(argv[j]!, scratch);
    const current = sparseRegister(value, packed >>> 6);
    if (current < 0 || (packed & 63) > current) return true;
  }
  return false;
}

/**
 * Stores a sketch, keeping the TTL: Redis writes sketches as plain string
 * buffers, so OBJECT ENCODING reports `raw` whatever the length.
 */
function storeSketch(ctx: CommandContext, key: string, value: string, changes: number): void {
  ctx.db.set(key, value, true, changes);
  ctx.db.setEncoding(key, "raw");
}

/** PFADD key [element ...] */
function pfadd(ctx: CommandContext, args: Args): Reply {
  const key = args.get(1);
  const found = lookupWrite(ctx, key);
  let hll: HllBuffer;
  let updated = 0;
  if (found === undefined) {
    hll = HllBuffer.empty();
    updated++;
  } else {
    const value = asHll(found);
    // Made writable before anything is added, changed or not: `raw`.
    ctx.db.setEncoding(key, "raw");
    if (value.charCodeAt(4) === HLL_DENSE) {
      // Dense sketches cannot be corrupt: no walk can fail.
      const added = denseAdd(value, args.argv, 2);
      if (added.updated === 0) return integer(0);
      storeSketch(ctx, key, added.value, added.updated);
      ctx.notify("$", "pfadd", key);
      return integer(1);
    }
    // Most adds to a sketch that has seen its elements change nothing:
    // find out without copying it.
    if (!sparseWouldChange(value, args.argv)) return integer(0);
    hll = HllBuffer.from(value);
  }
  const max = sparseMaxBytes(ctx);
  const argv = args.argv;
  for (let j = 2; j < argv.length; j++) {
    const r = hll.add(argv[j]!, max);
    if (r === 1) {
      updated++;
    } else if (r === -1) {
      // Redis changed the value in place up to here, without a signal.
      if (updated > 0) ctx.db.replaceQuietly(key, hll.toString());
      throw new ReplyError(Errors.hllCorrupt);
    }
  }
  if (updated === 0) return integer(0);
  hll.invalidateCache();
  storeSketch(ctx, key, hll.toString(), updated);
  ctx.notify("$", "pfadd", key);
  return integer(1);
}

/** PFCOUNT key [key ...] */
function pfcount(ctx: CommandContext, args: Args): Reply {
  if (args.length > 2) {
    // The cardinality of the union, in a scratch set of raw registers.
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < args.length; j++) {
      const found = lookupRead(ctx, args.get(j));
      if (found === undefined) continue;
      if (!mergeRegisters(max, asHll(found))) throw new ReplyError(Errors.hllCorrupt);
    }
    const histogram = new Float64Array(64);
    rawHistogram(max, histogram);
    return integer(signedCardinality(estimate(histogram)));
  }
  const key = args.get(1);
  const found = lookupRead(ctx, key);
  if (found === undefined) return integer(0);
  const value = asHll(found);
  // Made writable first, as Redis does, cache valid or not: `raw`.
  ctx.db.setEncoding(key, "raw");
  if (hasValidCache(value)) return integer(signedCardinality(cachedCardinality(value)));
  const card = countHll(value);
  if (card === undefined) throw new ReplyError(Errors.hllCorrupt);
  // Storing the cache modifies the value: a change, signalled, and the
  // read itself propagates, as in Redis.
  storeSketch(ctx, key, withCachedCardinality(value, card), 1);
  return integer(signedCardinality(card));
}

/** PFMERGE destkey [sourcekey ...] */
function pfmerge(ctx: CommandContext, args: Args): Reply {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  // The destination is read as one of the sources.
  for (let j = 1; j < args.length; j++) {
    const found = lookupRead(ctx, args.get(j));
    if (found === undefined) continue;
    const value = asHll(found);
    if (value.charCodeAt(4) === HLL_DENSE) useDense = true;
    if (!mergeRegisters(max, value)) throw new ReplyError(Errors.hllCorrupt);
  }
  const key = args.get(1);
  const found = lookupWrite(ctx, key);
  const hll = found === undefined ? HllBuffer.empty() : HllBuffer.from(found as string);
  // The destination was checked as a source: it converts.
  if (useDense && !hll.toDense()) throw new ReplyError(Errors.hllCorrupt);
  const sparseMax = sparseMaxBytes(ctx);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = max[j]!;
    if (v !== 0) hll.set(j, v, sparseMax);
  }
  hll.invalidateCache();
  storeSketch(ctx, key, hll.toString(), 1);
  // Redis announces a merge as `pfadd`: in effect a mass add.
  ctx.notify("$", "pfadd", key);
  return OK;
}

/** PFDEBUG subcommand key */
function pfdebug(ctx: CommandContext, args: Args): Reply {
  const sub = args.get(1);
  const key = args.get(2);
  const found = lookupWrite(ctx, key);
  if (found === undefined) throw new ReplyError(Errors.pfdebugNoKey);
  let value = asHll(found);
  // Every subcommand makes the value writable first: `raw`.
  ctx.db.setEncoding(key, "raw");
  // Compared as a C string, case-insensitively.
  const nul = sub.indexOf("\0");
  const name = nul === -1 ? sub : sub.slice(0, nul);
  switch (asciiLower(name)) {
    case "getreg": {
      if (value.charCodeAt(4) === HLL_SPARSE) value = toDense(ctx, key, value);
      const items: Reply[] = new Array(HLL_REGISTERS);
      for (let j = 0; j < HLL_REGISTERS; j++) items[j] = integer(denseRegister(value, j));
      return array(items);
    }
    case "decode":
      if (value.charCodeAt(4) !== HLL_SPARSE) throw new ReplyError(Errors.pfdebugNotSparse);
      return bulk(decodeSparse(value));
    case "encoding":
      return simple(value.charCodeAt(4) === HLL_DENSE ? "dense" : "sparse");
    case "todense":
      if (value.charCodeAt(4) !== HLL_SPARSE) return integer(0);
      toDense(ctx, key, value);
      return integer(1);
    default:
      throw new ReplyError(Errors.pfdebugUnknown(name));
  }
}

/**
 * Converts a stored sparse sketch to dense in place: a change that
 * propagates, without the modified-key signal (as Redis's PFDEBUG).
 */
function toDense(ctx: CommandContext, key: string, value: string): string {
  const hll = HllBuffer.from(value);
  if (!hll.toDense()) throw new ReplyError(Errors.hllCorrupt);
  const dense = hll.toString();
  ctx.db.replaceQuietly(key, dense);
  ctx.countChanges(1);
  return dense;
}

/** PFSELFTEST */
function pfselftest(ctx: CommandContext, _args: Args): Reply {
  const random = ctx.random;
  const failure = selfTest(
    () => Math.floor(random.next() * 4294967296),
    sparseMaxBytes(ctx),
  );
  if (failure !== undefined) throw new ReplyError(Errors.hllTestFailed(failure));
  return OK;
}
