/**
 * The bounds on what a client leaves unread: bytes (SessionLimits.streamBuffer, counted beyond the
 * largest message since it last caught up) and time (an answer it takes nothing of is closed).
 */
import type { Writable } from "node:stream";
import { type Clock, realClock, type Timer } from "./clock.js";

/**
 * How long bytes may wait for a client that takes none of them: past it the answer (or stream) is
 * closed and its bytes released. Without it, a plain JSON answer larger than the socket's buffers
 * is held until the client closes (24 unread answers of 8 MiB held 670+ MiB for as long).
 */
export const WRITE_STALL_MS = 30_000;

/**
 * Watches one answer's socket: `wrote()` after each write arms it while bytes wait; when the client
 * took none of them for `WRITE_STALL_MS`, the answer is destroyed and `stalled` called.
 */
export class StallGuard {
  readonly #stream: Writable;
  readonly #clock: Clock;
  readonly #stalled: (() => void) | undefined;
  #timer: Timer | undefined;
  #mark = 0;

  constructor(stream: Writable, clock: Clock = realClock, stalled?: () => void) {
    this.#stream = stream;
    this.#clock = clock;
    this.#stalled = stalled;
    stream.once("close", () => this.#timer?.cancel());
  }

  wrote(): void {
    if (this.#timer || this.#stream.destroyed || this.#stream.writableLength === 0) return;
    this.#mark = this.#stream.writableLength;
    this.#timer = this.#clock.after(WRITE_STALL_MS, () => {
      this.#timer = undefined;
      const waiting = this.#stream.writableLength;
      if (this.#stream.destroyed || waiting === 0) return;
      // It took some: a slow reader, not a stalled one.
      if (waiting < this.#mark) return this.wrote();
      this.#stream.destroy();
      this.#stalled?.();
    });
  }
}

export class Backlog {
  readonly #stream: Writable;
  readonly #bound: number;
  /**
   * The largest message written since the socket last took everything: a client reading at full
   * speed still has most of a 16 MiB message waiting in the bridge just after it is written.
   */
  #largest = 0;

  constructor(stream: Writable, bound: number) {
    this.#stream = stream;
    this.#bound = bound;
    stream.on("drain", () => {
      this.#largest = 0;
    });
  }

  /** After writing a message of `bytes`: whether more than the bound beyond it waits unread. */
  over(bytes: number): boolean {
    if (bytes > this.#largest) this.#largest = bytes;
    return this.#stream.writableLength > this.#bound + this.#largest;
  }
}
