/**
 * resplite: a Redis-compatible server for Deno, for tests and local
 * development.
 *
 * @example Start a server inside a test
 * ```ts
 * import { startServer, ManualClock } from "./mod.ts";
 * const clock = new ManualClock();
 * await using server = await startServer({ port: 0, clock });
 * console.assert(server.url.startsWith("redis://127.0.0.1:"));
 * ```
 *
 * @module
 */

export { type RedisServer, type ServerOptions, startServer } from "./server.ts";
export { type Cancel, type Clock, ManualClock, SystemClock } from "./clock.ts";
export { Engine, type EngineOptions, type HostInfo, type LogLevel } from "./engine.ts";
export type { Client } from "./client.ts";
export type { Reply } from "./resp/reply.ts";
export { ReplyError } from "./errors.ts";
export {
  binaryToBytes,
  bytesToBinary,
  type CommandCursor,
  type DecodedBatch,
  type DecoderLimits,
  quoteRepr,
  RespDecoder,
  splitArgs,
} from "./resp/decoder.ts";
export { type CommandStreamOptions, RespCommandStream, RespDecoderStream } from "./resp/stream.ts";
export { Config, ConfigError, DEFAULT_USER_LINE } from "./config.ts";
export { type EffectSink, Propagation } from "./propagation.ts";
export { ReplyEncoder } from "./resp/encoder.ts";
