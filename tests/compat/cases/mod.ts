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

/** All cases by group. */
export const GROUPS: Record<string, readonly CompatCase[]> = {
  connection,
  generic,
  protocol,
  server,
  string,
};
