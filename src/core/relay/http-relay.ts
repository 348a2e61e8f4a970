/**
 * stdio ⇄ Streamable HTTP for one client session (`connect`, and `serve` on stdio): messages pass
 * as written, the relay reading only framing and the fields it routes on (core/jsonrpc/messages.ts).
 */
import type { IncomingMessage } from "node:http";
import type { RequestId } from "@modelcontextprotocol/client";
import { RPC } from "../jsonrpc/codes.js";
import {
  cancelledId,
  envelopeVersion,
  learnMirrors,
  nextCursor,
  type ParamHeader,
  requestHeaders,
} from "../jsonrpc/envelope-headers.js";
import { errorLine, MAX_MESSAGE_BYTES } from "../jsonrpc/messages.js";
import type { LoginHeaders } from "../oauth/relay-auth.js";
import {
  Closable,
  HttpStatusError,
  header,
  ok,
  oneLineStart,
  readBody,
  type Stall,
  send,
  statusError,
} from "../system/keep-alive-http.js";
import type { RelayTarget } from "./bridge-target.js";
import { ClientSide, type ClientSideOptions, DRAIN_MS, MAX_IN_FLIGHT, type Message } from "./client-side.js";
import { describeFailure, type Failure, failureText, NoAnswer } from "./failure.js";
import { MessageCheck, type MessageSink } from "./message-check.js";
import { isHeaderMismatch, listRequest, MAX_LIST_PAGES } from "./relist.js";
import { readEvents, type SseEvent } from "./sse-parser.js";

/** Where to (its headers read again after a 401, e.g. a rotated token), and the client's side. */
export interface RelayOptions extends RelayTarget, Pick<ClientSideOptions, "stdin" | "stdout"> {
  /** A remote's login (`connect --auth`): fresh headers after a 401, or the error that ends the relay. */
  auth?: LoginHeaders | undefined;
  /** A failure: a message not delivered, the other end unreachable (marked ✖ by the caller). */
  log: (line: string) => void;
  /** News that is no failure: a new session after the server restarted (default: `log`). */
  note?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** How long the relay's own requests (a new session, the tools read again) wait for the server. */
const REINIT_TIMEOUT_MS = 15_000;
/** The server's own stream: how often it is opened again after it ends, and the first wait. */
const STREAM_RETRIES = 2;
const STREAM_RETRY_MS = 1000;
const ACCEPT = "application/json, text/event-stream";
/** Lines of at least this many bytes are counted in MAX_IN_FLIGHT_BYTES too. */
const LARGE_LINE = 64 * 1024;
/** Large lines on their way upstream past which stdin is not read (a 16 MiB message always goes). */
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;

type Params = Record<string, unknown> | undefined;
type Request = Extract<Message, { kind: "request" }>;
const paramsOf = (message: Message): Params => (message.message as { params?: Params }).params;
/** How many 2026-07-28 header sets are kept (past it, made again). */
const HEADER_CACHE = 256;
/** The largest refusal of a 2026-07-28 request read for the JSON-RPC error in it. */
const REFUSAL_BYTES = 64 * 1024;

/**
 * What the relay adds to passing messages on:
 * - each message under its era's HTTP rules (a `_meta` claiming a revision: 2026-07-28): 2025-11-25,
 *   the session, the negotiated version and the server's stream (GET); 2026-07-28, each request's
 *   own headers with the `Mcp-Param-*` mirrors learnt from `tools/list` (-32020: sent again once);
 * - a restarted or gone server (404, or `recover`): a new session by replaying the client's
 *   `initialize`, the message sent again, unnoticed; a 401: headers read again, or a login's `refused()`;
 * - exactly one answer per request (answer.ts), never silence; oversized messages refused, not buffered;
 * - backpressure (client-side.ts); at stdin's end, answers on their way delivered first.
 * stdout carries only JSON-RPC; failures go to `log`, other news to `note` (stderr).
 */
export class StreamableHttpRelay {
  readonly #o: RelayOptions;
  readonly #name: string;
  readonly #client: ClientSide;
  #url: URL;
  #base: Record<string, string> = {};
  #session: string | undefined;
  #protocol: string | undefined;
  #request: Record<string, string> = {};
  /** A 2026-07-28 request's headers before its own (no session, no negotiated version). */
  #base2026: Record<string, string> = {};
  /** The revision the client's last enveloped request claimed: its notifications travel in it. */
  #version2026: string | undefined;
  /** A 2026-07-28 message was sent (a `server/discover` too): its session is ended at the end. */
  #sent2026 = false;
  /** 2026-07-28 requests on their way, by id: the client's cancel closes the request. */
  readonly #open = new Map<RequestId, Closable>();
  /** Of those, the `subscriptions/listen` streams (closed when the client goes away). */
  readonly #listens = new Set<Closable>();
  /** Headers of 2026-07-28 requests that mirror no argument, by revision, method and name. */
  readonly #headerCache = new Map<string, Record<string, string>>();
  /** Tools whose arguments travel as `Mcp-Param-*` headers too, by name. */
  readonly #mirrors = new Map<string, readonly ParamHeader[]>();
  /** Calls (by their handle, kept across attempts) refused for their headers and sent again once. */
  readonly #relisted = new WeakSet<Closable>();
  #init: string | undefined;
  #initialized: string | undefined;
  /** Set while initialize (or a new session) is under way: everything else waits for it. */
  #gate: Promise<void> | undefined;
  /** Messages not delivered yet: a count, not a set of promises, so the hot path allocates little. */
  #pending = 0;
  /** Bytes of large lines in flight (MAX_IN_FLIGHT_BYTES). */
  #largeBytes = 0;
  #drained: (() => void) | undefined;
  #finished = false;
  #stream: IncomingMessage | undefined;
  /** Ends of the server's stream in a row without a message (past STREAM_RETRIES: reopened later). */
  #streamEnds = 0;
  #noStream = false;
  #internalId = 0;
  #end: (code: number) => void = () => {};
  #code = 0;
  /** Why no request can be answered any more (a login that cannot be had). */
  #failed: string | undefined;
  readonly #sink: MessageSink;
  readonly #stall: Stall;

  constructor(o: RelayOptions) {
    this.#o = o;
    this.#url = o.url;
    this.#name = o.bridge ? "the bridge" : `the server at ${o.url.href}`;
    this.#client = new ClientSide({
      ...o,
      onMessage: (line, message) => this.#take(line, message),
      onEnd: () => this.#end(0),
    });
    this.#sink = {
      write: (line) => this.#client.write(line),
      dropped: (why) => o.log(`${this.#name} sent ${why}; dropped`),
    };
    this.#stall = (res) => this.#client.stall(res);
  }

  /** Relay until stdin ends (or the signal, or a login that cannot be had); the exit code. */
  async run(): Promise<number> {
    const ended = new Promise<number>((resolve) => {
      this.#end = resolve;
    });
    try {
      this.#setHeaders({ ...(await this.#o.headers()), ...(await this.#o.auth?.headers()) });
    } catch (error) {
      this.#fail(error);
    }
    const { signal } = this.#o;
    if (signal?.aborted) this.#end(0);
    signal?.addEventListener("abort", () => this.#end(0), { once: true });
    this.#client.start();
    const code = await ended;
    await this.#finish();
    return code || this.#code;
  }

  #setHeaders(headers: Record<string, string>): void {
    this.#base = headers;
    this.#headerCache.clear();
    this.#base2026 = { ...headers, "content-type": "application/json", accept: ACCEPT };
    this.#request = {
      ...this.#base2026,
      ...(this.#session ? { "mcp-session-id": this.#session } : {}),
      ...(this.#protocol ? { "mcp-protocol-version": this.#protocol } : {}),
    };
  }

  /** Stop relaying: said once, and every request from now on answered with why (#take). */
  #fail(error: unknown): void {
    this.#failed = error instanceof Error ? error.message : String(error);
    this.#o.log(this.#failed);
    this.#code = 1;
  }

  #take(line: string, message: Message): void {
    if (this.#failed !== undefined) {
      if (message.kind === "request")
        this.#client.write(errorLine(message.id, RPC.serverError, this.#failed));
      this.#end(1);
      return;
    }
    const initialize = message.kind === "request" && message.method === "initialize";
    if (initialize) {
      this.#init = line;
      this.#version2026 = undefined;
    } else if (message.kind === "notification" && message.method === "notifications/initialized")
      this.#initialized = line;
    else if (message.kind === "notification" && message.method === "notifications/cancelled") {
      if (this.#cancel(message)) return;
    }
    const era = this.#eraOf(message);
    // In order; requests do not wait for each other's answers, everything waits for initialize.
    this.#pending++;
    const sent = this.#gate
      ? this.#gate.then(() => this.#deliver(line, message, era))
      : this.#deliver(line, message, era);
    if (initialize) this.#hold(sent);
    sent.then(this.#settled, this.#settledBadly);
    // A character is at most 3 bytes (4 for a pair of 2): only a long line is measured.
    const large = line.length * 3 >= LARGE_LINE ? Buffer.byteLength(line) : 0;
    if (large >= LARGE_LINE) {
      this.#largeBytes += large;
      const done = () => {
        this.#largeBytes -= large;
        this.#pace();
      };
      sent.then(done, done);
    }
    this.#pace();
  }

  /** A 2026-07-28 message's revision; undefined: 2025-11-25 (`server/discover` sets no era: it may fall back). */
  #eraOf(message: Message): string | undefined {
    if (message.kind === "request") {
      const version = envelopeVersion(paramsOf(message));
      if (version && message.method !== "server/discover") this.#version2026 = version;
      return version;
    }
    return message.kind === "notification" && !this.#session ? this.#version2026 : undefined;
  }

  /** A cancel of a 2026-07-28 request on its way closes that request (HTTP's cancel); true if so. */
  #cancel(message: Message): boolean {
    const id = cancelledId(paramsOf(message));
    const open = id === undefined ? undefined : this.#open.get(id);
    open?.close();
    return open !== undefined;
  }

  #pace(): void {
    this.#client.busy(this.#pending >= MAX_IN_FLIGHT || this.#largeBytes > MAX_IN_FLIGHT_BYTES);
  }

  readonly #settled = () => {
    if (--this.#pending === 0) this.#drained?.();
    this.#pace();
  };

  readonly #settledBadly = (error: unknown) => {
    this.#o.log(`relay: ${(error as Error).message}`);
    this.#settled();
  };

  #hold(until: Promise<void>): void {
    const gate = until.catch(() => {}); // its failure is the message's own
    this.#gate = gate;
    void gate.then(() => {
      if (this.#gate === gate) this.#gate = undefined;
    });
  }

  async #deliver(line: string, message: Message, era: string | undefined, attempt = 0): Promise<void> {
    if (era) this.#sent2026 = true;
    const open = era && message.kind === "request" ? this.#opened(message) : undefined;
    try {
      await this.#post(line, message, era, open);
    } catch (error) {
      if (open?.closed) return; // the client cancelled it: no answer is wanted
      const f = describeFailure(error);
      if (attempt < 2 && !this.#finished) {
        if (f.status === 401) return this.#refreshed(line, message, era, attempt, f);
        // A 2026-07-28 request has no session to set up again (its 404 is an unknown method).
        const canReopen = !era && !(message.kind === "request" && message.method === "initialize");
        if ((f.status === 404 && canReopen) || (f.refused && this.#o.recover)) {
          const reopening = this.#recover(f.refused, canReopen);
          this.#hold(reopening);
          try {
            await reopening;
          } catch (again) {
            return this.#refuse(message, describeFailure(again));
          }
          return this.#deliver(line, message, era, attempt + 1);
        }
      }
      this.#refuse(message, f);
    } finally {
      if (open && attempt === 0 && message.kind === "request") {
        this.#open.delete(message.id);
        this.#listens.delete(open);
      }
    }
  }

  #opened(message: Request): Closable {
    let open = this.#open.get(message.id);
    if (!open) {
      open = new Closable();
      this.#open.set(message.id, open);
      if (message.method === "subscriptions/listen") this.#listens.add(open);
    }
    return open;
  }

  /** A 401: the login refreshes once (or says why not); other credentials are read again. */
  async #refreshed(
    line: string,
    message: Message,
    era: string | undefined,
    attempt: number,
    f: Failure,
  ): Promise<void> {
    const { auth } = this.#o;
    if (auth) {
      if (attempt > 0) return this.#refuse(message, f);
      try {
        this.#setHeaders({ ...(await this.#o.headers()), ...(await auth.refused()) });
      } catch (error) {
        this.#fail(error);
        return this.#take(line, message); // answered with why; the relay ends
      }
    } else this.#setHeaders(await this.#o.headers());
    return this.#deliver(line, message, era, attempt + 1);
  }

  #refuse(message: Message, f: Failure): void {
    const what = message.kind === "response" ? "a response" : message.method;
    this.#o.log(`could not deliver ${what}: ${f.message}`);
    if (message.kind === "request")
      this.#client.write(
        errorLine(message.id, RPC.serverError, failureText(this.#name, this.#o.bridge, f, this.#url)),
      );
  }

  async #post(line: string, message: Message, era?: string, closable?: Closable): Promise<void> {
    const headers = era ? this.#headers2026(message, era) : this.#request;
    const res = await send(this.#url, {
      method: "POST",
      headers,
      body: line,
      agent: this.#o.agent,
      closable,
    });
    if (!era) this.#sessionFrom(res);
    if (!ok(res)) {
      if (era && message.kind === "request" && res.statusCode !== 401)
        return this.#refusal(res, line, message, era, closable);
      throw await statusError(res);
    }
    // The bridge was restarted: reopen the stream that keeps its session alive.
    if (this.#streamEnds > STREAM_RETRIES && !era) {
      this.#streamEnds = 0;
      this.#openStream();
    }
    if (message.kind !== "request") {
      res.resume();
      if (message.kind === "notification" && message.method === "notifications/initialized")
        this.#openStream();
      return;
    }
    const answer = new MessageCheck(this.#sink, message.id);
    if ((await this.#read(res, answer, this.#stall)) && !answer.answer)
      throw new NoAnswer(
        `its event stream ended before the answer came${answer.lastDrop ? ` (it sent ${answer.lastDrop})` : ""}`,
      );
    if (!answer.answer) throw new NoAnswer(`it sent ${answer.lastDrop ?? "no answer"}`);
    if (era && message.method === "tools/list") learnMirrors(answer.answer.result, this.#mirrors);
    if (message.method === "initialize") {
      const result = answer.answer.result as { protocolVersion?: unknown } | undefined;
      if (typeof result?.protocolVersion === "string") {
        this.#protocol = result.protocolVersion;
        this.#setHeaders(this.#base);
      }
    }
  }

  /** A 2026-07-28 message's headers, made once per revision, method and name: none per call. */
  #headers2026(message: Message, era: string): Record<string, string> {
    if (message.kind === "response") return this.#base2026;
    const params = paramsOf(message);
    const name = params?.name ?? params?.uri;
    const mirrored = typeof params?.name === "string" ? this.#mirrors.get(params.name) : undefined;
    if (mirrored || (typeof name === "string" && name.length > 256))
      return { ...this.#base2026, ...requestHeaders(message.method, params, era, mirrored) };
    const key = `${era}\n${message.method}\n${typeof name === "string" ? name : ""}`;
    let headers = this.#headerCache.get(key);
    if (!headers) {
      if (this.#headerCache.size >= HEADER_CACHE) this.#headerCache.clear();
      headers = { ...this.#base2026, ...requestHeaders(message.method, params, era, undefined) };
      this.#headerCache.set(key, headers);
    }
    return headers;
  }

  /**
   * A refused 2026-07-28 request: the JSON-RPC error in the refusal is the answer (a client falls
   * back to initialize on it), as its own transport would read it; -32020 is first sent again once.
   */
  async #refusal(res: IncomingMessage, line: string, message: Request, era: string, closable?: Closable) {
    const status = res.statusCode ?? 0;
    const json = (header(res, "content-type") ?? "").includes("json");
    const body = await readBody(res, REFUSAL_BYTES).then(String, () => ""); // none read: no JSON-RPC error
    if (
      json &&
      closable &&
      message.method === "tools/call" &&
      isHeaderMismatch(status, body) &&
      (await this.#sentAgain(line, message, era, closable))
    )
      return;
    if (json) {
      const answer = new MessageCheck(this.#sink, message.id);
      answer.take(body);
      if (answer.answer) return;
    }
    throw new HttpStatusError(status, oneLineStart(body));
  }

  /** A call refused for its `Mcp-Param-*` headers: as the spec bids, tools listed again, call sent again once. */
  async #sentAgain(line: string, message: Request, era: string, closable: Closable): Promise<boolean> {
    if (this.#relisted.has(closable)) return false;
    this.#relisted.add(closable);
    try {
      await this.#relist(paramsOf(message), era, closable);
    } catch (error) {
      if (closable.closed) throw error; // the client cancelled it: no answer is wanted
      this.#o.log(
        `${this.#name} refused a call's Mcp-Param headers, and its tools/list could not be read: ${describeFailure(error).message}`,
      );
      return false;
    }
    await this.#post(line, message, era, closable);
    return true;
  }

  /** The server's tools read again, every page (up to MAX_LIST_PAGES): what each mirrors, learnt. */
  async #relist(call: Params, era: string, closable: Closable): Promise<void> {
    const headers = { ...this.#base2026, ...requestHeaders("tools/list", undefined, era, undefined) };
    const cursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await this.#ask("tools/list", headers, (id) => listRequest(id, cursor, call), closable);
      learnMirrors(result, this.#mirrors);
      cursor = nextCursor(result);
      if (cursor === undefined || cursors.has(cursor)) return;
      cursors.add(cursor);
    }
  }

  #sessionFrom(res: IncomingMessage): void {
    const id = header(res, "mcp-session-id");
    if (id && id !== this.#session) {
      this.#session = id;
      this.#setHeaders(this.#base);
    }
  }

  /** A POST's answer, JSON or a stream (then true); once it came, the request is not sent again. */
  async #read(res: IncomingMessage, answer: MessageCheck, stall?: Stall): Promise<boolean> {
    const type = header(res, "content-type") ?? "";
    if (type.includes("text/event-stream")) {
      const take = (event: SseEvent) => event.event === "message" && answer.take(event.data);
      await readEvents(res, MAX_MESSAGE_BYTES, take, stall).catch((error: unknown) => {
        if (!answer.answer) throw error;
      });
      return true;
    }
    if (!type.includes("application/json")) {
      res.resume();
      throw new NoAnswer(`it answered with ${type || "no content type"}, not JSON-RPC`);
    }
    answer.take((await readBody(res, MAX_MESSAGE_BYTES, stall)).toString("utf8"));
    return false;
  }

  /** The server's own stream (GET), for what it sends unasked; opened again if it ends. */
  #openStream(): void {
    if (this.#stream || this.#finished || !this.#session || this.#noStream) return;
    const session = this.#session;
    const headers = { ...this.#request, accept: "text/event-stream" };
    void send(this.#url, { method: "GET", headers, agent: this.#o.agent })
      .then(async (res) => {
        if (res.statusCode === 405) {
          this.#noStream = true; // the server has no such stream
          return void res.resume();
        }
        if (res.statusCode !== 200) throw await statusError(res);
        this.#stream = res;
        const messages = new MessageCheck(this.#sink, undefined);
        await readEvents(
          res,
          MAX_MESSAGE_BYTES,
          (event) => {
            if (event.event !== "message") return;
            this.#streamEnds = 0;
            messages.take(event.data);
          },
          this.#stall,
        );
      })
      .catch((error: unknown) => {
        if (!this.#finished)
          this.#o.log(`${this.#name}: its stream ended: ${describeFailure(error).message}`);
      })
      .finally(() => {
        this.#stream = undefined;
        if (this.#finished || this.#noStream || this.#session !== session) return;
        if (++this.#streamEnds > STREAM_RETRIES) return;
        setTimeout(() => this.#openStream(), STREAM_RETRY_MS * 1.5 ** (this.#streamEnds - 1)).unref();
      });
  }

  async #recover(refused: boolean, reopen: boolean): Promise<void> {
    if (refused && this.#o.recover) {
      const moved = await this.#o.recover();
      if (moved) this.#url = moved;
      this.#setHeaders(await this.#o.headers());
    }
    if (reopen) await this.#reopen();
  }

  /** A new session, set up with the client's own initialize (under an id of the relay's). */
  async #reopen(): Promise<void> {
    this.#stream?.destroy();
    this.#session = undefined;
    this.#setHeaders(this.#base);
    if (!this.#init) return;
    const init = JSON.parse(this.#init) as object;
    await this.#ask("initialize", this.#request, (id) => JSON.stringify({ ...init, id }));
    if (this.#initialized) {
      const { agent } = this.#o;
      (
        await send(this.#url, { method: "POST", headers: this.#request, body: this.#initialized, agent })
      ).resume();
      this.#openStream();
    }
    (this.#o.note ?? this.#o.log)(`reconnected to ${this.#name} (new session)`);
  }

  /** The relay's own request, never seen by the client: its result, or an error saying why none. */
  async #ask(
    what: string,
    headers: Record<string, string>,
    body: (id: string) => string,
    closable?: Closable,
  ) {
    const id = `mcp-twin-relay-${++this.#internalId}`;
    const { agent } = this.#o;
    const res = await send(this.#url, {
      method: "POST",
      headers,
      body: body(id),
      agent,
      timeoutMs: REINIT_TIMEOUT_MS,
      closable,
    });
    if (what === "initialize") this.#sessionFrom(res); // a new session's id comes with its answer
    if (!ok(res)) throw await statusError(res);
    const answer = new MessageCheck({ write: () => {}, dropped: () => {} }, id);
    await this.#read(res, answer);
    const found = answer.answer;
    if (!found) throw new Error(`it did not answer ${what}`);
    if ("error" in found) throw new Error(`it refused ${what}: ${JSON.stringify(found.error).slice(0, 200)}`);
    return found.result;
  }

  /** Answers still on their way reach stdout (unless Ctrl-C), then the session ends. */
  async #finish(): Promise<void> {
    for (const listen of this.#listens) listen.close(); // nobody is there to hear what they bring
    if (!this.#o.signal?.aborted && this.#pending > 0)
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        setTimeout(resolve, DRAIN_MS).unref();
      });
    this.#finished = true;
    for (const open of this.#open.values()) open.close();
    this.#stream?.destroy();
    // A 2026-07-28 client's session is ended by the Mcp-Twin-Session the relay named it with.
    const twin = Object.keys(this.#base).some((k) => k.toLowerCase() === "mcp-twin-session");
    const ending = this.#session ? this.#request : this.#sent2026 && twin ? this.#base : undefined;
    if (ending)
      await send(this.#url, { method: "DELETE", headers: ending, agent: this.#o.agent, timeoutMs: 2000 })
        .then((res) => res.resume())
        // The relay is ending: a bridge or server gone already has no session to end.
        .catch(() => {});
    this.#o.stdin.pause();
    this.#o.stdin.destroy();
  }
}
