/**
 * The client's side of a relay: JSON-RPC messages one per line on stdin and stdout. A line that is
 * not JSON-RPC, or too large to pass on, is answered with a JSON-RPC error at once (its id when it
 * can be told) and said in one line on stderr; the relay carries on.
 */
import type { Readable, Writable } from "node:stream";
import { CODE, errorLine, peekId, type Routed, routeLine } from "./jsonrpc.js";
import { LineSplitter } from "./line-splitter.js";

export type Message = Exclude<Routed, { kind: "invalid" }>;

export interface ClientSideOptions {
  stdin: Readable;
  stdout: Writable;
  log: (line: string) => void;
  limit: number;
  /** A message to pass on: its line as it came, and what it is. */
  onMessage: (line: string, message: Message) => void;
  /** stdin ended (the client went away). */
  onEnd: () => void;
}

export class ClientSide {
  readonly #o: ClientSideOptions;
  #ended = false;

  constructor(o: ClientSideOptions) {
    this.#o = o;
  }

  start(): void {
    const { stdin, log, limit } = this.#o;
    const splitter = new LineSplitter(
      limit,
      (line) => this.#line(line),
      (start) => {
        log(`stdin: refused a message larger than the ${limit / (1024 * 1024)} MiB limit`);
        this.write(
          errorLine(
            peekId(start),
            CODE.invalidRequest,
            `Invalid Request: the message is larger than the ${limit / (1024 * 1024)} MiB limit`,
          ),
        );
      },
    );
    stdin.on("data", (chunk: Buffer) => splitter.push(chunk));
    const end = () => {
      if (this.#ended) return;
      this.#ended = true;
      this.#o.onEnd();
    };
    stdin.once("end", end);
    stdin.once("close", end);
    stdin.once("error", end);
    this.#o.stdout.on("error", end);
  }

  /** One message (a JSON text on one line) to the client. */
  write(line: string): void {
    const { stdout } = this.#o;
    if (!stdout.writableEnded && !stdout.destroyed) stdout.write(`${line}\n`);
  }

  #line(line: string): void {
    const routed = routeLine(line);
    if (routed.kind !== "invalid") {
      this.#o.onMessage(line, routed);
      return;
    }
    const json = routed.why === "json";
    this.#o.log(
      `stdin: ignored a line that is not ${json ? "JSON" : "a JSON-RPC 2.0 message"} (MCP clients send one JSON-RPC message per line)`,
    );
    this.write(
      json
        ? errorLine(null, CODE.parseError, "Parse error: the line is not JSON")
        : errorLine(null, CODE.invalidRequest, "Invalid Request: not a JSON-RPC 2.0 message"),
    );
  }
}
