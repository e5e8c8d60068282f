/**
 * What the geo group propagates, against a real redis-server 7.0.15's AOF:
 * GEOADD as the ZADD it runs (`zadd`, lower case, the options as sent, each
 * position as its exact integer score), only when a member was added or
 * moved; GEOSEARCHSTORE and the GEORADIUS* STORE / STOREDIST forms as sent
 * whenever they stored or deleted their destination; the reads and the
 * searches without a store nothing.
 */

import { effectCases } from "../support/effects.ts";
import { hasRedisServer } from "../support/server.ts";

const SICILY = [
  "GEOADD",
  "s",
  "13.361389",
  "38.115556",
  "Palermo",
  "15.087269",
  "37.502669",
  "Catania",
];

effectCases("geo", [
  {
    name: "GEOADD as ZADD with integer scores, options as sent, no-ops not at all",
    steps: [
      { cmd: SICILY },
      { cmd: ["GEOADD", "s", "NX", "13.361389", "38.115556", "Palermo"] },
      { cmd: ["GEOADD", "s", "xx", "Ch", "13.5", "38.115556", "Palermo", "1", "1", "nope"] },
      { cmd: ["GEOADD", "s", "ch", "ch", "13.5", "38.115556", "Palermo"] },
      { cmd: ["GEOADD", "s", "nx", "1", "2", "a", "1", "2", "a"] },
      { cmd: ["GEOADD", "s", "XX", "1", "2", "zz"] },
      { cmd: ["GEOADD", "nokey", "XX", "1", "2", "zz"] },
      { cmd: ["GEOADD", "e", "180", "85.05112878", "top", "-180", "-85.05112878", "bottom"] },
      { cmd: ["GEOADD", "e", "0x10", "1e1", "hex", "-0", "0", "zero"] },
      { cmd: ["GEOADD", "b", "1", "2", "\x00\xff\r\n"] },
      // Errors change nothing.
      { cmd: ["GEOADD", "s", "200", "1", "x"] },
      { cmd: ["GEOADD", "s", "NX", "XX", "1", "1", "x"] },
      { cmd: ["SET", "str", "v"] },
      { cmd: ["GEOADD", "str", "1", "1", "x"] },
    ],
  },
  {
    name: "reads and searches without a store",
    steps: [
      { cmd: SICILY },
      { cmd: ["GEOPOS", "s", "Palermo", "nope"] },
      { cmd: ["GEODIST", "s", "Palermo", "Catania", "km"] },
      { cmd: ["GEOHASH", "s", "Palermo"] },
      { cmd: ["GEOSEARCH", "s", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"] },
      { cmd: ["GEORADIUS", "s", "15", "37", "200", "km", "WITHDIST"] },
      { cmd: ["GEORADIUS_RO", "s", "15", "37", "200", "km"] },
      { cmd: ["GEORADIUSBYMEMBER", "s", "Palermo", "200", "km"] },
      { cmd: ["GEORADIUSBYMEMBER_RO", "s", "Palermo", "200", "km"] },
    ],
  },
  {
    name: "GEOSEARCHSTORE and GEORADIUS* STORE / STOREDIST as sent",
    steps: [
      { cmd: SICILY },
      { cmd: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"] },
      // The same result again: still a write.
      { cmd: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"] },
      {
        cmd: [
          "GEOSEARCHSTORE",
          "d",
          "s",
          "FROMMEMBER",
          "Palermo",
          "BYBOX",
          "500",
          "500",
          "km",
          "STOREDIST",
          "COUNT",
          "1",
        ],
      },
      { cmd: ["GEORADIUS", "s", "15", "37", "200", "km", "STORE", "e"] },
      { cmd: ["GEORADIUS", "s", "15", "37", "200", "km", "storedist", "e", "desc"] },
      { cmd: ["GEORADIUSBYMEMBER", "s", "Palermo", "200", "km", "STORE", "f"] },
      { cmd: ["GEORADIUSBYMEMBER", "s", "Palermo", "200", "km", "STOREDIST", "f"] },
      // No result: the destination is deleted, the command propagated ...
      { cmd: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"] },
      { cmd: ["GEORADIUS", "s", "0", "0", "1", "m", "STORE", "e"] },
      { cmd: ["GEOSEARCHSTORE", "f", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "m"] },
      // ... unless there was nothing to delete.
      { cmd: ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"] },
      { cmd: ["GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"] },
      { cmd: ["GEORADIUSBYMEMBER", "nokey", "x", "1", "m", "STORE", "e"] },
      // Errors.
      { cmd: ["GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "nope", "BYRADIUS", "1", "m"] },
      { cmd: ["GEORADIUS", "s", "15", "37", "200", "km", "WITHDIST", "STORE", "e"] },
    ],
  },
  {
    name: "geo writes in a transaction in another database",
    steps: [
      { cmd: ["SELECT", "3"] },
      { cmd: ["MULTI"] },
      { cmd: SICILY },
      { cmd: ["GEOADD", "s", "NX", "13.361389", "38.115556", "Palermo"] },
      { cmd: ["GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km"] },
      { cmd: ["GEOPOS", "s", "Palermo"] },
      { cmd: ["EXEC"] },
    ],
  },
], hasRedisServer());
