/**
 * Server-Sent Events from an HTTP answer, as the WHATWG spec parses them (`event`, `data`; lines
 * end in LF, CRLF or CR), bounded in bytes: a line or an event's data longer than `limit`
 * ends the parse with an error instead of growing without end.
 */
import type { IncomingMessage } from "node:http";
import { type Stall, TooLargeError } from "../system/keep-alive-http.js";

export interface SseEvent {
  /** "message" unless the event names another type. */
  event: string;
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
/** A line may hold a field name besides the data it carries ("data: " and a CR). */
const LINE_SLACK = 16;

/**
 * Lines are cut as bytes (LF and CR never occur inside a UTF-8 character) and decoded whole, so the
 * limit counts bytes as they came, whatever the text. Comments, `id` and `retry` are ignored: no
 * relay resumes a stream (Last-Event-ID).
 */
export class SseParser {
  readonly #limit: number;
  readonly #onEvent: (event: SseEvent) => void;
  /** The unfinished line, in parts (joined once it ends). */
  #parts: Buffer[] = [];
  #partBytes = 0;
  #afterCr = false;
  #event = "";
  #data: string[] = [];
  /** The bytes of the event's data so far (its values, and the LFs that will join them). */
  #dataBytes = 0;

  constructor(limit: number, onEvent: (event: SseEvent) => void) {
    this.#limit = limit;
    this.#onEvent = onEvent;
  }

  /** Throws TooLargeError past the limit. */
  push(chunk: Buffer): void {
    let from = this.#afterCr && chunk[0] === LF ? 1 : 0;
    this.#afterCr = false;
    let lf = chunk.indexOf(LF, from);
    let cr = chunk.indexOf(CR, from);
    while (lf !== -1 || cr !== -1) {
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      this.#line(chunk.subarray(from, end));
      from = end + 1;
      if (end === cr) {
        if (from === chunk.length) this.#afterCr = true;
        else if (chunk[from] === LF) from++;
      }
      // Each search runs once past each position (a chunk of many lines and no CR stays linear).
      if (lf !== -1 && lf < from) lf = chunk.indexOf(LF, from);
      if (cr !== -1 && cr < from) cr = chunk.indexOf(CR, from);
    }
    if (from < chunk.length) {
      this.#partBytes += chunk.length - from;
      if (this.#partBytes > this.#limit + LINE_SLACK) throw new TooLargeError(this.#limit, "an event");
      // A copy: the stream may reuse its buffer.
      this.#parts.push(Buffer.from(chunk.subarray(from)));
    }
  }

  #line(tail: Buffer) {
    let line = tail;
    if (this.#parts.length > 0) {
      const bytes = this.#partBytes + tail.length;
      if (bytes > this.#limit + LINE_SLACK) throw new TooLargeError(this.#limit, "an event");
      this.#parts.push(tail);
      line = Buffer.concat(this.#parts, bytes);
      this.#parts = [];
      this.#partBytes = 0;
    }
    if (line.length === 0) return this.#dispatch();
    if (line[0] === COLON) return;
    const colon = line.indexOf(COLON);
    const field = (colon === -1 ? line : line.subarray(0, colon)).toString("latin1");
    let start = colon === -1 ? line.length : colon + 1;
    if (line[start] === SPACE) start++;
    if (field === "data") {
      this.#dataBytes += line.length - start + (this.#data.length > 0 ? 1 : 0);
      if (this.#dataBytes > this.#limit) throw new TooLargeError(this.#limit, "an event");
      this.#data.push(line.toString("utf8", start));
      return;
    }
    if (field === "event") this.#event = line.toString("utf8", start);
  }

  #dispatch(): void {
    const [only] = this.#data;
    const data = only !== undefined && this.#data.length === 1 ? only : this.#data.join("\n");
    const event = this.#event || "message";
    const had = this.#data.length > 0;
    this.#data = [];
    this.#dataBytes = 0;
    this.#event = "";
    if (had) this.#onEvent({ event, data });
  }
}

/**
 * The events of an event stream until it ends (paced by `stall`); rejects with the parser's
 * TooLargeError (the stream is then closed), or when the connection breaks.
 */
export function readEvents(
  res: IncomingMessage,
  limit: number,
  onEvent: (e: SseEvent) => void,
  stall?: Stall,
): Promise<void> {
  const parser = new SseParser(limit, onEvent);
  return new Promise((resolve, reject) => {
    res.on("data", (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (error) {
        res.destroy();
        reject(error);
        return;
      }
      stall?.(res);
    });
    res.once("end", resolve);
    res.once("error", reject);
    res.once("close", () => {
      if (!res.complete) reject(Object.assign(new Error("the stream was closed"), { code: "ECONNRESET" }));
      else resolve();
    });
  });
}
