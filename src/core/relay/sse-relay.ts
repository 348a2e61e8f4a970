/**
 * stdio ⇄ HTTP+SSE (`connect --transport sse`), for remotes that still speak the transport MCP
 * replaced in 2025-03: a stream that names the endpoint to POST to, then carries the answers.
 */
import type { IncomingMessage } from "node:http";
import type { RequestId } from "@modelcontextprotocol/client";
import { RPC } from "../jsonrpc/codes.js";
import { errorLine, MAX_MESSAGE_BYTES } from "../jsonrpc/messages.js";
import { ok, send, statusError } from "../system/keep-alive-http.js";
import { ClientSide, DRAIN_MS, MAX_IN_FLIGHT, type Message } from "./client-side.js";
import { describeFailure } from "./failure.js";
import type { RelayOptions } from "./http-relay.js";
import { MessageCheck } from "./message-check.js";
import { readEvents } from "./sse-parser.js";

/** Where to, and the client's side, as for a Streamable HTTP relay. */
export interface SseRelayOptions extends Pick<RelayOptions, "url" | "log" | "stdin" | "stdout" | "signal"> {
  /** Sent with the request that opens the stream and with every POST. */
  headers: Record<string, string>;
}

/** "closed": the client went away (or Ctrl-C); "lost": the server's event stream broke. */
type How = "closed" | "lost";

/**
 * Messages pass through in order, each within the message limit; what the stream carries reaches
 * the client checked (answer.ts): each request gets exactly one answer — the server's, or a JSON-RPC
 * error when it cannot be delivered or the stream breaks first. When the event stream breaks (the
 * server restarted or went away) the relay ends, exit 1, so the client sees its server exit and can
 * start it again (an SSE session cannot be resumed). The stream is read only as fast as the client
 * reads stdout (client-side.ts). stdout carries only JSON-RPC; logs, stderr.
 */
export class SseRelay {
  readonly #o: SseRelayOptions;
  readonly #client: ClientSide;
  #endpoint: URL | undefined;
  /** Why the stream could not be opened: every request is answered with it. */
  #unopened: string | undefined;
  #stream: IncomingMessage | undefined;
  #chain: Promise<void> = Promise.resolve();
  /** Messages read from stdin and not posted yet. */
  #queued = 0;
  readonly #awaiting = new Set<RequestId>();
  readonly #messages: MessageCheck;
  #drained: (() => void) | undefined;
  #end: (how: How) => void = () => {};

  constructor(o: SseRelayOptions) {
    this.#o = o;
    this.#client = new ClientSide({
      ...o,
      onMessage: (line, message) => {
        if (message.kind === "request") this.#awaiting.add(message.id);
        // One POST at a time keeps the order; answers come back on the stream, not in the POST.
        this.#queued++;
        this.#pace();
        this.#chain = this.#chain.then(async () => {
          await this.#post(line, message);
          this.#queued--;
          this.#pace();
        });
      },
      onEnd: () => this.#end("closed"),
    });
    this.#messages = new MessageCheck(
      {
        write: (line) => this.#client.write(line),
        dropped: (why) => o.log(`the SSE server at ${o.url.href} sent ${why}; dropped`),
      },
      this.#awaiting,
    );
  }

  async run(): Promise<How> {
    const ended = new Promise<How>((resolve) => {
      this.#end = resolve;
    });
    try {
      await this.#open();
    } catch (error) {
      this.#unopened = describeFailure(error).message;
      this.#o.log(`cannot open the SSE stream at ${this.#o.url.href}: ${this.#unopened}`);
    }
    this.#o.signal?.addEventListener("abort", () => this.#end("closed"), { once: true });
    this.#client.start();
    const how = await ended;
    await this.#chain;
    if (how === "closed" && !this.#o.signal?.aborted && this.#awaiting.size > 0)
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        setTimeout(resolve, DRAIN_MS).unref();
      });
    this.#stream?.destroy();
    this.#stream = undefined;
    for (const id of this.#awaiting)
      this.#client.write(
        errorLine(
          id,
          RPC.serverError,
          `mcp-twin: the SSE stream from ${this.#o.url.href} ended before the answer came`,
        ),
      );
    this.#awaiting.clear();
    this.#o.stdin.destroy();
    return how;
  }

  /** stdin is read while not too much waits. */
  #pace(): void {
    this.#client.busy(this.#queued >= MAX_IN_FLIGHT || this.#awaiting.size >= MAX_IN_FLIGHT);
  }

  /** The stream, until it names the endpoint; its messages go to the client from then on. */
  async #open(): Promise<void> {
    const { url } = this.#o;
    const res = await send(url, {
      method: "GET",
      headers: { ...this.#o.headers, accept: "text/event-stream" },
    });
    if (res.statusCode !== 200) throw await statusError(res);
    this.#stream = res;
    await new Promise<void>((resolve, reject) => {
      readEvents(
        res,
        MAX_MESSAGE_BYTES,
        (event) => {
          if (event.event === "endpoint") {
            const endpoint = new URL(event.data, url);
            if (endpoint.origin !== url.origin)
              return reject(new Error(`it names an endpoint elsewhere (${endpoint.origin})`));
            this.#endpoint = endpoint;
            resolve();
          } else if (event.event === "message") {
            this.#messages.take(event.data);
            this.#pace();
            if (this.#awaiting.size === 0) this.#drained?.();
          }
        },
        (stream) => this.#client.stall(stream),
      ).then(
        () => this.#broke("it ended", reject),
        (error: unknown) => this.#broke(describeFailure(error).message, reject),
      );
    });
  }

  #broke(why: string, reject: (error: Error) => void): void {
    if (!this.#endpoint)
      return void reject(new Error(`the stream ended before naming its endpoint (${why})`));
    if (!this.#stream) return; // the relay closed it
    this.#o.log(`server: ${why}`);
    this.#o.log(`the SSE stream from ${this.#o.url.href} broke; ending this session`);
    this.#end("lost");
    this.#drained?.(); // no answer can come any more
  }

  async #post(line: string, message: Message): Promise<void> {
    // No endpoint: the stream could not be opened (#unopened says why).
    if (!this.#endpoint) return this.#refuse(message, this.#unopened ?? "no endpoint");
    try {
      const headers = { ...this.#o.headers, "content-type": "application/json" };
      const res = await send(this.#endpoint, { method: "POST", headers, body: line });
      if (!ok(res)) throw await statusError(res);
      res.resume();
    } catch (error) {
      this.#refuse(message, describeFailure(error).message);
    }
  }

  #refuse(message: Message, why: string): void {
    this.#o.log(`could not deliver ${message.kind === "response" ? "a response" : message.method}: ${why}`);
    // Answered once: unless its answer came on the stream meanwhile.
    if (message.kind === "request" && this.#awaiting.delete(message.id))
      this.#client.write(
        errorLine(
          message.id,
          RPC.serverError,
          `mcp-twin: the SSE server at ${this.#o.url.href} is unreachable (${why})`,
        ),
      );
  }
}
