/**
 * Commands resplite implements that Redis 7.0.15 does not have, so no
 * 7.0.15 server can describe them: Redis 7.4's hash field expiration. The
 * generator (`gen_commands.ts`) adds them to the data file as they are
 * written here, in the form the rest of the file takes from the server.
 *
 * They follow the Redis 7.4 documentation of these commands; they could
 * not be read from a 7.4 server, and `check_commands.ts` skips them.
 *
 * @module
 */

import type { CommandArgument } from "../src/commands/spec.ts";
import type { CommandData, KeySpecData } from "../src/commands/table.ts";

const FIELDS_COMPLEXITY = "O(N) where N is the number of specified fields";

/** The key at index 1, alone. */
function oneKey(flags: readonly string[]): KeySpecData {
  return {
    flags,
    begin_search: { type: "index", spec: { index: 1 } },
    find_keys: { type: "range", spec: { lastkey: 0, keystep: 1, limit: 0 } },
  };
}

const KEY: CommandArgument = { name: "key", type: "key", key_spec_index: 0 };

/** `FIELDS numfields field [field ...]`. */
const FIELDS: CommandArgument = {
  name: "fields",
  type: "block",
  token: "FIELDS",
  arguments: [
    { name: "numfields", type: "integer" },
    { name: "field", type: "string", flags: ["multiple"] },
  ],
};

/** `[NX | XX | GT | LT]`. */
const CONDITION: CommandArgument = {
  name: "condition",
  type: "oneof",
  flags: ["optional"],
  arguments: ["nx", "xx", "gt", "lt"].map((name) => ({
    name,
    type: "pure-token",
    token: name.toUpperCase(),
  })),
};

/** HEXPIRE and its variants: `key time [condition] FIELDS numfields field ...`. */
function setExpiry(summary: string, time: CommandArgument): CommandData {
  return {
    arity: -6,
    flags: ["write", "denyoom", "fast"],
    first_key: 1,
    last_key: 1,
    step: 1,
    acl_categories: ["@write", "@hash", "@fast"],
    tips: [],
    key_specs: [oneKey(["RW", "update"])],
    docs: {
      summary,
      since: "7.4.0",
      group: "hash",
      complexity: FIELDS_COMPLEXITY,
      arguments: [KEY, time, CONDITION, FIELDS],
    },
  };
}

/** HTTL and its variants: `key FIELDS numfields field ...`. */
function getExpiry(summary: string): CommandData {
  return {
    arity: -5,
    flags: ["readonly", "fast"],
    first_key: 1,
    last_key: 1,
    step: 1,
    acl_categories: ["@read", "@hash", "@fast"],
    tips: [],
    key_specs: [oneKey(["RO", "access"])],
    docs: {
      summary,
      since: "7.4.0",
      group: "hash",
      complexity: FIELDS_COMPLEXITY,
      arguments: [KEY, FIELDS],
    },
  };
}

/** The commands, by name. */
export const LATER_COMMANDS: Readonly<Record<string, CommandData>> = {
  hexpire: setExpiry(
    "Set expiry for hash field using relative time to expire (seconds)",
    { name: "seconds", type: "integer" },
  ),
  hpexpire: setExpiry(
    "Set expiry for hash field using relative time to expire (milliseconds)",
    { name: "milliseconds", type: "integer" },
  ),
  hexpireat: setExpiry(
    "Set expiry for hash field using an absolute Unix timestamp (seconds)",
    { name: "unix-time-seconds", type: "unix-time" },
  ),
  hpexpireat: setExpiry(
    "Set expiry for hash field using an absolute Unix timestamp (milliseconds)",
    { name: "unix-time-milliseconds", type: "unix-time" },
  ),
  httl: getExpiry("Returns the TTL in seconds of a hash field."),
  hpttl: getExpiry("Returns the TTL in milliseconds of a hash field."),
  hexpiretime: getExpiry(
    "Returns the expiration time of a hash field as a Unix timestamp, in seconds.",
  ),
  hpexpiretime: getExpiry(
    "Returns the expiration time of a hash field as a Unix timestamp, in msec.",
  ),
  hpersist: {
    ...getExpiry("Removes the expiration time for each specified field"),
    flags: ["write", "fast"],
    acl_categories: ["@write", "@hash", "@fast"],
    key_specs: [oneKey(["RW", "update"])],
  },
};
