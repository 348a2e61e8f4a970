/**
 * Server-Sent Events from a byte stream, as the WHATWG spec parses them (fields `event`, `data`,
 * `id`; comments and `retry` ignored; lines end in LF, CRLF or CR), with a bound: a line or an
 * event's data longer than `limit` ends the parse with an error instead of growing without end.
 */
import { StringDecoder } from "node:string_decoder";

export interface SseEvent {
  /** "message" unless the event names another type. */
  event: string;
  data: string;
  id?: string;
}

class SseTooLarge extends Error {
  constructor(limit: number) {
    super(`an event longer than the ${limit / (1024 * 1024)} MiB limit`);
  }
}

export class SseParser {
  readonly #limit: number;
  readonly #onEvent: (event: SseEvent) => void;
  readonly #decoder = new StringDecoder("utf8");
  /** The unfinished line, in parts (joined once it ends). */
  #parts: string[] = [];
  #partLength = 0;
  #afterCr = false;
  #event = "";
  #data: string[] = [];
  #dataLength = 0;
  #id: string | undefined;

  constructor(limit: number, onEvent: (event: SseEvent) => void) {
    this.#limit = limit;
    this.#onEvent = onEvent;
  }

  /** Throws SseTooLarge past the limit. */
  push(chunk: Buffer): void {
    let text = this.#decoder.write(chunk);
    if (this.#afterCr && text.startsWith("\n")) text = text.slice(1);
    this.#afterCr = false;
    let from = 0;
    for (;;) {
      const lf = text.indexOf("\n", from);
      const cr = text.indexOf("\r", from);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) break;
      this.#line(text.slice(from, end));
      from = end + 1;
      if (text[end] === "\r") {
        if (from === text.length) this.#afterCr = true;
        else if (text[from] === "\n") from++;
      }
    }
    const rest = text.slice(from);
    if (rest) {
      this.#partLength += rest.length;
      if (this.#partLength > this.#limit) throw new SseTooLarge(this.#limit);
      this.#parts.push(rest);
    }
  }

  #line(tail: string): void {
    let line = tail;
    if (this.#parts.length > 0) {
      if (this.#partLength + tail.length > this.#limit) throw new SseTooLarge(this.#limit);
      line = this.#parts.join("") + tail;
      this.#parts = [];
      this.#partLength = 0;
    }
    if (line === "") {
      this.#dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.#dataLength += value.length + 1;
      if (this.#dataLength > this.#limit) throw new SseTooLarge(this.#limit);
      this.#data.push(value);
    } else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
  }

  #dispatch(): void {
    const data = this.#data.join("\n");
    const event = this.#event || "message";
    const had = this.#data.length > 0;
    this.#data = [];
    this.#dataLength = 0;
    this.#event = "";
    if (had) this.#onEvent({ event, data, ...(this.#id !== undefined ? { id: this.#id } : {}) });
  }
}
