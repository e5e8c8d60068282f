/**
 * What tests expect of client descriptions.
 *
 * @module
 */

/** The fields of a CLIENT LIST / CLIENT INFO line, in Redis 7.0.15's order. */
export const CLIENT_LIST_FIELDS: readonly string[] = [
  "id",
  "addr",
  "laddr",
  "fd",
  "name",
  "age",
  "idle",
  "flags",
  "db",
  "sub",
  "psub",
  "ssub",
  "multi",
  "qbuf",
  "qbuf-free",
  "argv-mem",
  "multi-mem",
  "rbs",
  "rbp",
  "obl",
  "oll",
  "omem",
  "tot-mem",
  "events",
  "cmd",
  "user",
  "redir",
  "resp",
];
