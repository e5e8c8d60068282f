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
};
