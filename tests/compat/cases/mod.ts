/**
 * Every group's differential cases.
 *
 * @module
 */

import type { CompatCase } from "../case.ts";
import { CASES as connection } from "./connection.ts";
import { CASES as generic } from "./generic.ts";
import { CASES as protocol } from "./protocol.ts";
import { CASES as server } from "./server.ts";
import { CASES as string } from "./string.ts";
import { CASES as list } from "./list.ts";
import { CASES as hash } from "./hash.ts";
import { CASES as set } from "./set.ts";
import { CASES as transaction } from "./transaction.ts";
import { CASES as pubsub } from "./pubsub.ts";
import { CASES as debug, REFUSED_CASES as debugRefused } from "./debug.ts";
import { CASES as zset } from "./zset.ts";
import { CASES as zsetCombine } from "./zset_combine.ts";
import { CASES as geo } from "./geo.ts";
import { CASES as hll } from "./hll.ts";
import { CASES as bitmap } from "./bitmap.ts";
import { CASES as sort } from "./sort.ts";
import { CASES as memory } from "./memory.ts";
import { CASES as config } from "./config.ts";
import { CASES as info } from "./info.ts";
import { CASES as stream } from "./stream.ts";
import { CASES as streamRead } from "./stream_read.ts";
import { CASES as streamInfo } from "./stream_info.ts";
import { CASES as scripting } from "./scripting.ts";
import { CASES as functions } from "./function.ts";
import { CASES as introspection, MODULE_CASES as introspectionModules } from "./introspection.ts";

/** All cases by group. */
export const GROUPS: Record<string, readonly CompatCase[]> = {
  connection,
  generic,
  protocol,
  server,
  string,
  list,
  hash,
  set,
  transaction,
  pubsub,
  debug,
  "debug-refused": debugRefused,
  zset,
  "zset-combine": zsetCombine,
  geo,
  hll,
  bitmap,
  sort,
  memory,
  info,
  config,
  introspection,
  "introspection-modules": introspectionModules,
  stream,
  "stream-read": streamRead,
  "stream-info": streamInfo,
  scripting,
  function: functions,
};

/**
 * Configuration a group's servers start with, the same on both sides
 * (`--name value` for redis-server); groups not listed run the defaults.
 */
export const GROUP_CONFIG: Record<string, Readonly<Record<string, string>>> = {
  debug: { "enable-debug-command": "yes" },
  zset: { "enable-debug-command": "yes" },
  // The real server starts without snapshots (`--save ""`): so does ours here.
  config: { save: "" },
  introspection: { "enable-debug-command": "yes" },
  "introspection-modules": { "enable-module-command": "yes" },
};
