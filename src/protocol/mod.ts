/**
 * The shared protocol core: the streaming wire of Netdata 1.37 (handshake, capabilities, the line
 * language and its typed commands), simple patterns and destinations. It imports nothing else of rill,
 * so the collector and the parent both build on it.
 *
 * @example
 * ```ts
 * import { ChildStreamDecoder, encodeChildCommand } from "./mod.ts";
 * const decoder = new ChildStreamDecoder("child");
 * decoder.push('BEGIN "system.load" 1000000\n', (cmd) => console.log(encodeChildCommand(cmd)));
 * ```
 *
 * @module
 */

export * from "./allow_from.ts";
export * from "./capabilities.ts";
export * from "./commands.ts";
export * from "./compressed_frames.ts";
export * from "./decode.ts";
export * from "./destination.ts";
export * from "./encode.ts";
export * from "./errors.ts";
export * from "./guid.ts";
export * from "./handshake.ts";
export * from "./line_splitter.ts";
export * from "./lz4_decode.ts";
export * from "./lz4_encode.ts";
export * from "./lz4_frame.ts";
export * from "./numbers.ts";
export * from "./replies.ts";
export * from "./simple_pattern.ts";
export * from "./stream_decoder.ts";
export * from "./words.ts";
