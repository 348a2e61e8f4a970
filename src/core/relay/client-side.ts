/**
 * The client's side of a relay: JSON-RPC messages one per line on stdin and stdout, with
 * backpressure both ways; a line that is not JSON-RPC, or too large, is answered with an error.
 */
import type { Readable, Writable } from "node:stream";
import type { RequestId } from "@modelcontextprotocol/client";
import { RPC } from "../jsonrpc/codes.js";
import { LineSplitter } from "../jsonrpc/lines.js";
import { errorLine, MAX_MESSAGE_BYTES, peekId, type Routed, route, routeLine } from "../jsonrpc/messages.js";

export type Message = Exclude<Routed, { kind: "invalid" }>;

/** Messages in flight (sent or to be, not yet answered) past which a relay's stdin is not read. */
export const MAX_IN_FLIGHT = 128;
/** After stdin ends, how long a relay waits for the answers still on their way. */
export const DRAIN_MS = 10_000;

export interface ClientSideOptions {
  stdin: Readable;
  stdout: Writable;
  log: (line: string) => void;
  /** A message to pass on: its line as it came, and what it is. */
  onMessage: (line: string, message: Message) => void;
  /** stdin ended (the client went away). */
  onEnd: () => void;
}

/**
 * A line that is not JSON-RPC, or too large to pass on, is answered with a JSON-RPC error at once
 * (its id when it can be told) and said in one line on stderr; the relay carries on.
 *
 * Backpressure: while stdout holds more than its high-water mark (the client does not read as fast
 * as the server sends), every reader of the server's answers stops (`stall`) and stdin is not read
 * either (each message read would add an answer to what waits); while the relay says it is `busy`
 * (too much in flight upstream), stdin is not read. Memory stays bounded whatever the client does.
 */
export class ClientSide {
  readonly #o: ClientSideOptions;
  #ended = false;
  #busy = false;
  #paused = false;
  /** Readers paused until stdout drains. */
  #stalled: Array<{ resume(): unknown }> = [];

  constructor(o: ClientSideOptions) {
    this.#o = o;
  }

  start(): void {
    const { stdin, stdout, log } = this.#o;
    const splitter = new LineSplitter(
      MAX_MESSAGE_BYTES,
      (line) => this.#line(line),
      (start) => {
        log(`stdin: refused a message larger than the ${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB limit`);
        this.write(
          errorLine(
            peekId(start),
            RPC.invalidRequest,
            `Invalid Request: the message is larger than the ${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB limit`,
          ),
        );
      },
    );
    // Lines are taken one by one while stdin may be read; the rest goes back to wait with it.
    const more = () => !this.#paused;
    stdin.on("data", (chunk: Buffer) => {
      const rest = splitter.push(chunk, more);
      if (rest) stdin.unshift(rest);
    });
    const end = () => {
      if (this.#ended) return;
      this.#ended = true;
      this.#o.onEnd();
    };
    stdin.once("end", end);
    stdin.once("close", end);
    stdin.once("error", end);
    stdout.on("error", end);
    stdout.on("drain", () => {
      const stalled = this.#stalled;
      this.#stalled = [];
      for (const reader of stalled) reader.resume();
      this.#flow();
    });
  }

  /** One message (a JSON text on one line) to the client. */
  write(line: string): void {
    const { stdout } = this.#o;
    if (stdout.writableEnded || stdout.destroyed) return;
    if (!stdout.write(`${line}\n`)) this.#flow();
  }

  /** Called by a reader of the server's answers after each chunk: paused until stdout drains. */
  stall(reader: { pause(): unknown; resume(): unknown }): void {
    const { stdout } = this.#o;
    if (!stdout.writableNeedDrain || stdout.destroyed) return;
    reader.pause();
    this.#stalled.push(reader);
  }

  /** Too much in flight upstream (true): stdin is not read until it is false again. */
  busy(busy: boolean): void {
    this.#busy = busy;
    this.#flow();
  }

  #flow(): void {
    const { stdin, stdout } = this.#o;
    const stop = this.#busy || (stdout.writableNeedDrain && !stdout.destroyed);
    if (stop === this.#paused) return;
    this.#paused = stop;
    if (stop) stdin.pause();
    else stdin.resume();
  }

  #line(line: string): void {
    const routed = routeLine(line);
    if (routed.kind !== "invalid") return void this.#o.onMessage(line, routed);
    const json = routed.why === "json";
    const ids = json ? undefined : batchIds(line);
    this.#o.log(
      `stdin: ignored ${ids ? "a batch" : `a line that is not ${json ? "JSON" : "a JSON-RPC 2.0 message"}`} (MCP clients send one JSON-RPC message per line)`,
    );
    if (ids?.length) {
      // Each request of the batch is answered (MCP has no batches since 2025-06-18).
      for (const id of ids)
        this.write(errorLine(id, RPC.invalidRequest, "Invalid Request: a batch; send one message per line"));
      return;
    }
    this.write(
      json
        ? errorLine(null, RPC.parseError, "Parse error: the line is not JSON")
        : errorLine(null, RPC.invalidRequest, "Invalid Request: not a JSON-RPC 2.0 message"),
    );
  }
}

/** The ids of the requests in a line that is a batch (a JSON array); undefined if it is not one. */
function batchIds(line: string): RequestId[] | undefined {
  if (!line.trimStart().startsWith("[")) return undefined;
  const batch = JSON.parse(line) as unknown[];
  return batch.flatMap((item) => {
    const m = route(item);
    return m.kind === "request" ? [m.id] : [];
  });
}
