/**
 * The bound on what a stream's client leaves unread (SessionLimits.streamBuffer), counted beyond the
 * largest message since it last caught up: one big message is never taken for a client not reading.
 */
import type { Writable } from "node:stream";

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
