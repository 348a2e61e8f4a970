/**
 * Newline-delimited messages from a byte stream (a client's stdin, a shared server's stdout), each
 * at most `limit` bytes: a longer line is never held whole — it is reported with its first bytes
 * (to tell its id) as soon as it passes the limit, and the rest is skipped up to its newline.
 */

/** How much of a line too large to hold is kept, to find its id. */
const PEEK_BYTES = 64 * 1024;

export class LineSplitter {
  readonly #limit: number;
  readonly #onLine: (line: string) => void;
  readonly #onOversize: (start: string) => void;
  #chunks: Buffer[] = [];
  #size = 0;
  /** The line being read is too large: reported, and skipped up to its newline. */
  #skipping = false;

  constructor(limit: number, onLine: (line: string) => void, onOversize: (start: string) => void) {
    this.#limit = limit;
    this.#onLine = onLine;
    this.#onOversize = onOversize;
  }

  /**
   * Takes the lines `chunk` ends, and holds the start of the next. With `more`, it stops after a
   * line once `more()` is false: the rest of the chunk is returned, to be pushed again later.
   */
  push(chunk: Buffer, more?: () => boolean): Buffer | undefined {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      from = nl + 1;
      // A line too large is reported at once; its newline ends the skipping.
      if (this.#skipping) this.#skipping = false;
      else if (this.#size + piece.length > this.#limit) this.#skip(piece);
      else this.#whole(piece);
      if (more && from < chunk.length && !more()) return chunk.subarray(from);
    }
    const rest = chunk.subarray(from);
    if (rest.length === 0 || this.#skipping) return;
    if (this.#size + rest.length > this.#limit) {
      this.#skip(rest);
      this.#skipping = true;
    } else {
      // A copy: the stream may reuse its buffer.
      this.#chunks.push(Buffer.from(rest));
      this.#size += rest.length;
    }
  }

  /** The line held so far ends with `piece`. */
  #whole(piece: Buffer): void {
    const bytes =
      this.#size === 0 ? piece : Buffer.concat([...this.#chunks, piece], this.#size + piece.length);
    this.#chunks = [];
    this.#size = 0;
    const line = bytes.toString("utf8");
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text.trim() !== "") this.#onLine(text);
  }

  /** The line held so far plus `piece` is too large: report its start, drop what is held. */
  #skip(piece: Buffer): void {
    const head = Buffer.concat([...this.#chunks, piece.subarray(0, PEEK_BYTES)]).subarray(0, PEEK_BYTES);
    this.#chunks = [];
    this.#size = 0;
    this.#onOversize(head.toString("utf8"));
  }
}
