/**
 * A child's input handed to its session in bounded slices, so that one child cannot hold the event loop
 * that every other child and the API share. A slice takes at most {@link SLICE_BYTES} bytes and
 * {@link SLICE_WORK} work (dimensions computed by completed iterations: a bare `BEGIN`/`END` of a chart
 * with 10,000 dimensions is 12 bytes and 10,000 dimensions of work). When a slice is used up with input
 * left, the socket is paused and the rest waits for a later turn of the event loop, after whatever else is
 * ready. Input is never dropped or reordered; pieces may end mid-line (the decoder is incremental).
 *
 * The next slice waits on a zero timer, not `setImmediate`: on Deno, sockets are polled only every ~60
 * immediates (the I/O reactor's cooperative budget), so a chain of immediate slices would keep the other
 * connections waiting ~60 slices; a timer lets every pending read in first, on both runtimes. It costs the
 * timer's granularity (about a millisecond) per slice, paid only by an input that needs more than one.
 *
 * Work is only known once done, so each piece handed over is small enough that even the costliest bytes
 * (bare iterations of the widest chart, which `DIMENSION` lines in the same piece may widen further) cannot
 * take much more than the slice's work left.
 *
 * @module
 */

/**
 * Bytes one slice takes at most.
 *
 * @example
 * ```ts
 * SLICE_BYTES; // 65536
 * ```
 */
export const SLICE_BYTES = 64 * 1024;

/**
 * Work (dimensions computed) one slice takes at most, give or take one piece: about a millisecond or two.
 *
 * @example
 * ```ts
 * SLICE_WORK; // 50000
 * ```
 */
export const SLICE_WORK = 50_000;

/** Fewest bytes of an iteration (`BEGIN a\nEND\n`) or of a dimension's definition (`DIMENSION a\n`). */
const MIN_LINES_BYTES = 12;

/** A piece is never smaller (but at a line end), so input always moves. */
const MIN_PIECE_BYTES = 64;

const NEWLINE = 10;

/**
 * What the intake feeds: the child's decoder and session.
 *
 * @example
 * ```ts
 * const sink: IntakeSink = { apply: (bytes) => decoder.push(bytes, session), progress: session };
 * ```
 */
export interface IntakeSink {
  /** Decodes and applies bytes (a line may continue in the next call); throws to cut the child off. */
  apply(bytes: Uint8Array): void;
  /** The session's work counter and the widest chart's dimensions (what one `END` may cost). */
  readonly progress: { readonly work: number; readonly widestChart: number };
}

/**
 * What the socket's bytes become before the decoder sees them: the text as it came ({@link PlainInput}), or
 * the text of a compressed stream, decoded one frame at a time (src/parent/receiver/compressed_input.ts).
 *
 * @example
 * ```ts
 * const input: IntakeInput = new PlainInput();
 * input.push(new TextEncoder().encode("END\n"));
 * input.consume(input.peek()!.length);
 * ```
 */
export interface IntakeInput {
  /** Takes a chunk read from the socket. */
  push(chunk: Uint8Array): void;
  /** Bytes received and not yet handed over (as received: compressed ones count as they came). */
  readonly pendingBytes: number;
  /**
   * The next run of text, as a view valid until {@link consume} has taken all of it; `undefined` when none is
   * ready yet. Throws when the input is broken (the child is then cut off).
   */
  peek(): Uint8Array | undefined;
  /** Drops the first `n` bytes of the run {@link peek} returned. */
  consume(n: number): void;
  /** Drops everything (the connection is closing). */
  clear(): void;
  /**
   * An input that decodes off the event loop calls `listener` when text that {@link peek} did not have
   * becomes ready (or the input is found broken).
   */
  whenReady?(listener: () => void): void;
}

/**
 * Text as it came from the socket, in the chunks it came in.
 *
 * @example
 * ```ts
 * const intake = new SlicedIntake(socket, sink, cutOff, undefined, new PlainInput());
 * ```
 */
export class PlainInput implements IntakeInput {
  /** Chunks not yet handed over; the first from {@link #offset}. */
  readonly #queue: Uint8Array[] = [];
  #offset = 0;
  #pending = 0;

  get pendingBytes(): number {
    return this.#pending;
  }

  push(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    this.#pending += chunk.length;
  }

  peek(): Uint8Array | undefined {
    return this.#queue.length === 0 ? undefined : this.#queue[0].subarray(this.#offset);
  }

  consume(n: number): void {
    this.#offset += n;
    this.#pending -= n;
    if (this.#offset === this.#queue[0].length) {
      this.#queue.shift();
      this.#offset = 0;
    }
  }

  clear(): void {
    this.#queue.length = 0;
    this.#offset = 0;
    this.#pending = 0;
  }
}

/**
 * Why the socket is paused: input waiting for its turn, or replies waiting for the child to read.
 *
 * @example
 * ```ts
 * const reason: PauseReason = "write";
 * ```
 */
export type PauseReason = "slice" | "write";

/**
 * One connection's input, handed out in slices.
 *
 * @example
 * ```ts
 * const intake = new SlicedIntake(socket, { apply: (b) => decoder.push(b, session), progress: session }, cutOff);
 * socket.on("data", (chunk) => intake.push(chunk));
 * ```
 */
export class SlicedIntake {
  readonly #socket: { pause(): unknown; resume(): unknown };
  readonly #sink: IntakeSink;
  readonly #onError: (error: unknown) => void;
  readonly #later: (slice: () => void) => void;
  /** What was received and not yet handed over. */
  readonly #input: IntakeInput;
  readonly #paused = new Set<PauseReason>();
  #scheduled = false;
  #stopped = false;

  /**
   * `onError` gets what `apply` (or the input) threw; nothing more is handed over after it. `later` runs the
   * next slice on a later turn (a zero timer when left out). `input` turns what the socket reads into text:
   * as it is by default, decompressed for a child that negotiated compression.
   */
  constructor(
    socket: { pause(): unknown; resume(): unknown },
    sink: IntakeSink,
    onError: (error: unknown) => void,
    later: (slice: () => void) => void = (slice) => setTimeout(slice, 0),
    input: IntakeInput = new PlainInput(),
  ) {
    this.#socket = socket;
    this.#sink = sink;
    this.#onError = onError;
    this.#later = later;
    this.#input = input;
    input.whenReady?.(() => {
      if (!this.#scheduled && !this.#stopped) this.#slice();
    });
  }

  /** Bytes received and not yet handed over. */
  get pendingBytes(): number {
    return this.#input.pendingBytes;
  }

  /** Takes a chunk read from the socket; what the current turn's slice has room for is handed over now. */
  push(chunk: Uint8Array): void {
    if (this.#stopped || chunk.length === 0) return;
    this.#input.push(chunk);
    if (!this.#scheduled) this.#slice();
  }

  /**
   * Pauses the socket for `reason` until {@link release}d; it reads again once no reason is left. False when
   * it was already held for that reason.
   */
  hold(reason: PauseReason): boolean {
    if (this.#paused.has(reason)) return false;
    if (this.#paused.size === 0) this.#socket.pause();
    this.#paused.add(reason);
    return true;
  }

  /** Ends a {@link hold}. */
  release(reason: PauseReason): void {
    if (!this.#paused.delete(reason) || this.#paused.size > 0 || this.#stopped) return;
    this.#socket.resume();
  }

  /** Drops what is pending and takes nothing more (the connection is closing). */
  stop(): void {
    this.#stopped = true;
    this.#input.clear();
  }

  #slice(): void {
    this.#scheduled = false;
    const progress = this.#sink.progress;
    const startWork = progress.work;
    let bytes = 0;
    let ready = true;
    while (!this.#stopped) {
      const workLeft = SLICE_WORK - (progress.work - startWork);
      if (workLeft <= 0 || bytes >= SLICE_BYTES) break;
      try {
        const run = this.#input.peek();
        if (run === undefined) {
          ready = false;
          break;
        }
        const n = pieceLength(run, Math.min(safeBytes(workLeft, progress.widestChart), SLICE_BYTES - bytes));
        const piece = run.subarray(0, n);
        bytes += n;
        this.#input.consume(n);
        this.#sink.apply(piece);
      } catch (error) {
        this.stop();
        this.#onError(error);
        return;
      }
    }
    if (!ready || this.#stopped || this.#input.pendingBytes === 0) {
      this.release("slice");
      return;
    }
    this.hold("slice");
    this.#scheduled = true;
    this.#later(() => this.#slice());
  }
}

/**
 * How much of `run` to hand over, at most `most` bytes: up to the last line end within them when there is
 * one (a piece ending mid-line makes the decoder copy the partial line), else all `most`.
 */
function pieceLength(run: Uint8Array, most: number): number {
  if (run.length <= most) return run.length;
  const newline = run.lastIndexOf(NEWLINE, most - 1);
  return newline >= 0 ? newline + 1 : most;
}

/**
 * Bytes that cannot cost much more than `work`: in `b` bytes fit at most `x = b / 12` iterations and
 * dimensions together, costing at most `x · (widest + x)`; the largest `x` within `work`, as bytes.
 */
function safeBytes(work: number, widest: number): number {
  const x = (Math.sqrt(widest * widest + 4 * work) - widest) / 2;
  return Math.max(MIN_PIECE_BYTES, Math.floor(x) * MIN_LINES_BYTES);
}
