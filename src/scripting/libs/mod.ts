/**
 * The four C libraries Redis 7.0.15 loads into its Lua VM, as pure
 * TypeScript over the VM-neutral value model of `value.ts`:
 *
 * - `cjson` (lua-cjson 2.1.0): see `cjson.ts`; stateful (its configuration
 *   belongs to one VM);
 * - `cmsgpack` (lua-cmsgpack 0.4.0): see `cmsgpack.ts`;
 * - `bit` (LuaBitOp 1.0.2): see `bit.ts`;
 * - `struct` (struct 1.4): see `struct.ts`.
 *
 * How the VM glue binds them: convert each Lua argument to a
 * {@linkcode LuaValue} (tables by walking the VM's `next`, so iteration order
 * is the VM's; numbers as doubles; strings as binary strings), call the
 * {@linkcode LuaFunction}, push the results back, and turn a thrown
 * {@linkcode LuaError} into a Lua error. Messages come without the position
 * prefix `luaL_error` adds (`user_script:1: `, the caller's line, added by
 * the glue), and a {@linkcode LuaArgError} names the function `'?'` (what Lua
 * prints under `pcall(f, ...)`); for a direct call the glue re-renders it with
 * {@linkcode LuaArgError.format}(name).
 *
 * Not covered here: the `cjson.new` / `cjson.safe` constructors and the
 * read-only protection of the library tables (VM glue), and the library
 * functions' reaction to values the model cannot represent (a NaN's sign).
 *
 * @module
 */

import { createBitLib } from "./bit.ts";
import { type CjsonLib, createCjsonLib } from "./cjson.ts";
import { CMSGPACK_FIELDS, createCmsgpackLib } from "./cmsgpack.ts";
import { createStructLib } from "./struct.ts";
import { LUA_NULL, type LuaFunction, type LuaValue } from "./value.ts";

export * from "./value.ts";
export { cjsonDecode, cjsonEncode, type CjsonLib, createCjsonLib } from "./cjson.ts";
export { createCmsgpackLib, msgpackPack, msgpackUnpack } from "./cmsgpack.ts";
export { createBitLib } from "./bit.ts";
export { createStructLib } from "./struct.ts";

/** One library table: functions and plain fields. */
export interface LuaLibrary {
  readonly functions: Record<string, LuaFunction>;
  readonly fields: Readonly<Record<string, LuaValue>>;
}

/** The four libraries of one VM. */
export interface RedisLuaLibs {
  readonly cjson: LuaLibrary & { readonly lib: CjsonLib };
  readonly cmsgpack: LuaLibrary;
  readonly bit: LuaLibrary;
  readonly struct: LuaLibrary;
}

/**
 * Fresh instances of the libraries for one VM (cjson's configuration is per
 * instance), with the plain fields each library table has in Redis.
 *
 * @example
 * ```ts
 * import { createRedisLuaLibs, LUA_NULL } from "./mod.ts";
 * const libs = createRedisLuaLibs();
 * console.assert(libs.cjson.fields.null === LUA_NULL);
 * console.assert(libs.bit.functions.bxor!([5, 3]).at(0) === 6);
 * ```
 */
export function createRedisLuaLibs(): RedisLuaLibs {
  const cjson = createCjsonLib();
  return {
    cjson: {
      lib: cjson,
      functions: cjson.functions,
      fields: { null: LUA_NULL, _NAME: "cjson", _VERSION: "2.1.0" },
    },
    cmsgpack: { functions: createCmsgpackLib(), fields: CMSGPACK_FIELDS },
    bit: { functions: createBitLib(), fields: {} },
    struct: { functions: createStructLib(), fields: {} },
  };
}
