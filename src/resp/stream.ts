/**
 * The RESP decoder as `TransformStream`s, over the incremental core in
 * `decoder.ts`. Kept apart from it so that a server that reads its sockets
 * directly does not load the web streams at start-up.
 *
 * @module
 */

import {
  type CommandCursor,
  type DecodedBatch,
  type DecoderLimits,
  DEFAULT_LIMITS,
  RespDecoder,
} from "./decoder.ts";

/**
 * The decoder as a `TransformStream`: bytes in, one batch of commands out
 * per chunk. After a protocol error it emits the error batch and ignores the
 * rest of its input.
 *
 * @example Piping bytes through the decoder
 * ```ts
 * import { RespDecoderStream } from "./stream.ts";
 * const batches = ReadableStream.from([new TextEncoder().encode("PING\r\n")])
 *   .pipeThrough(new RespDecoderStream());
 * for await (const batch of batches) console.assert(batch.commands[0]![0] === "PING");
 * ```
 */
export class RespDecoderStream extends TransformStream<Uint8Array, DecodedBatch> {
  /**
   * @param limits limits and the client's authentication state
   */
  constructor(limits: DecoderLimits = DEFAULT_LIMITS) {
    const decoder = new RespDecoder(limits);
    let failed = false;
    super({
      transform(chunk, controller) {
        if (failed) return;
        const batch = decoder.feed(chunk);
        if (batch.error !== undefined) failed = true;
        if (batch.commands.length > 0 || batch.error !== undefined) {
          controller.enqueue(batch);
        }
      },
    });
  }
}

/**
 * The connection's decoder stage: a `TransformStream` from received bytes to
 * one {@linkcode CommandCursor} per chunk. Its readable side has a high-water
 * mark of 0, so the next chunk is decoded only once the consumer asks for it,
 * after it has run every command of the previous one.
 *
 * @example Reading commands one at a time
 * ```ts
 * import { RespCommandStream } from "./stream.ts";
 * const cursors = ReadableStream.from([new TextEncoder().encode("PING\r\nECHO a\r\n")])
 *   .pipeThrough(new RespCommandStream());
 * for await (const cursor of cursors) {
 *   console.assert(cursor.next()?.[0] === "PING");
 *   console.assert(cursor.next()?.[1] === "a");
 *   console.assert(cursor.next() === undefined);
 * }
 * ```
 */
export class RespCommandStream extends TransformStream<Uint8Array, CommandCursor> {
  /**
   * @param limits limits and the client's authentication state
   * @param options how many bytes the writable side queues before it pushes
   *   back (`readAhead`; default: one chunk)
   */
  constructor(limits: DecoderLimits = DEFAULT_LIMITS, options: CommandStreamOptions = {}) {
    const decoder = new RespDecoder(limits);
    const readAhead = options.readAhead;
    super(
      {
        transform(chunk, controller) {
          decoder.push(chunk);
          controller.enqueue(decoder);
        },
      },
      readAhead === undefined
        ? { highWaterMark: 1 }
        : { highWaterMark: readAhead, size: (chunk) => chunk.byteLength },
      { highWaterMark: 0 },
    );
  }
}

/** Options of a {@linkcode RespCommandStream}. */
export interface CommandStreamOptions {
  /**
   * Bytes of input the writable side holds before it applies backpressure:
   * how far the source is read ahead of the commands being run. Chunks
   * written must not be reused by the source afterwards.
   */
  readAhead?: number;
}
