/**
 * A remote MCP server (a url) as one upstream of the gateway: every call goes to it over HTTP with
 * its headers — its key — added here, in the bridge, so no client's file holds them.
 */
import { PassThrough } from "node:stream";
import type { RequestId } from "@modelcontextprotocol/client";
import { errorObject, RPC, rpcError } from "../jsonrpc/codes.js";
import { LineSplitter } from "../jsonrpc/lines.js";
import { MAX_MESSAGE_BYTES } from "../jsonrpc/messages.js";
import { MASK, maskText } from "../secrets/mask.js";

type Json = Record<string, unknown>;

/** Where the remote is and what goes with every request to it (values resolved: they hold its key). */
export interface RemoteTarget {
  /** The manifest's name for it: what errors call it. */
  name: string;
  url: string;
  transport: "http" | "sse";
  headers: Record<string, string>;
  /** Every value never to be shown (the secrets resolved into its url and headers). */
  secrets: readonly string[];
  /** The secrets it uses, by name: what a refused key's fix names. */
  keys: readonly string[];
}

/** One request to the remote. */
export interface RemoteCall {
  method: string;
  params?: Json | undefined;
  /** Its progress, given back under the token `params._meta.progressToken` named. */
  progress?: ((params: Json) => void) | undefined;
  /** Aborted: cancelled at the remote (2025-11-25 by `notifications/cancelled`, 2026-07-28 by closing its request). */
  signal?: AbortSignal | undefined;
}

type RemoteAnswer = { result: Json } | { error: { code: number; message: string; data?: unknown } };

/** What the remote says to no call in particular, and its end. */
export interface RemoteEvents {
  /** A notification of its own (a list changed, a resource updated, a log message). */
  notified(method: string, params: Json | undefined): void;
  /** A question of its own (elicitation, sampling, roots): the answer, or a JSON-RPC error thrown; `signal` when it withdraws it. */
  asked(method: string, params: Json | undefined, signal: AbortSignal): Promise<Json>;
  /** What happened on the way (a message not delivered, a stream that broke): masked. */
  log(line: string): void;
  /** It cannot be reached through this upstream any more (its SSE stream broke): calls in flight were answered. */
  closed(why: string): void;
}

interface Pending {
  answer(a: RemoteAnswer): void;
  fail(e: Error): void;
  token: unknown;
  progress: RemoteCall["progress"];
  /** A 2026-07-28 listen's: the notifications naming it as their subscription (its acknowledgement, its news). */
  related?: ((method: string, params: Json) => void) | undefined;
}

const cancelled = () => Object.assign(new Error("cancelled"), { cancelled: true });
/** How long a close waits for the relay to end (its DELETE waits 2 s). */
const CLOSE_MS = 3000;
/** A request of the gateway's own waits this long for its answer (the SDK client's default). */
const OWN_TIMEOUT_MS = 60_000;
/** Where a 2026-07-28 notification names the listen it belongs to. */
const SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";

/**
 * The HTTP side is the relay's (`connect`: both protocol eras, Streamable HTTP or the older
 * HTTP+SSE, bounded, each request answered once), driven in this process; what comes back is
 * masked of the key.
 *
 * What the gateway drives (bridge-server/gateway/remote-opener.ts): `send(c)` gives one request and
 * takes its result, its progress and its cancel; `request`, `notify` and `listen` are the gateway's
 * own, with the era's `envelope`; `events` take what the remote says to no call. The era handshake
 * is requests like any other: `initialize` opens a 2025-11-25 session (its id kept and sent from
 * then on), a request whose `_meta` carries the 2026-07-28 envelope goes under that era's rules
 * (its own headers, no session) — whichever era the remote speaks.
 */
export class RemoteUpstream {
  readonly #target: RemoteTarget;
  readonly #events: RemoteEvents;
  /** The relay's stdin (what goes to the remote) and stdout (what it sends back, checked). */
  readonly #out = new PassThrough();
  readonly #in = new PassThrough();
  readonly #stop = new AbortController();
  readonly #pending = new Map<number, Pending>();
  /** Its questions being answered, by its ids: a cancel of one aborts it. */
  readonly #asked = new Map<RequestId, AbortController>();
  #next = 0;
  #ended: Promise<void> | undefined;
  #closed = false;
  /** 2026-07-28 (the handshake sets it): the envelope of each request and notification of the gateway's own. */
  envelope: Json | undefined;

  constructor(target: RemoteTarget, events: RemoteEvents) {
    this.#target = target;
    this.#events = events;
  }

  /** The relay started (its HTTP side loaded now: an idle bridge loads none of it). */
  async start(): Promise<void> {
    if (this.#ended) return;
    const splitter = new LineSplitter(
      MAX_MESSAGE_BYTES,
      (line) => this.#receive(line),
      () => {}, // the relay writes no message past the limit: it refuses them itself
    );
    this.#in.on("data", (chunk: Buffer) => splitter.push(chunk));
    const url = new URL(this.#target.url);
    const log = (line: string) => this.#events.log(this.mask(line));
    const io = { stdin: this.#out, stdout: this.#in, signal: this.#stop.signal, log };
    let run: Promise<unknown>;
    if (this.#target.transport === "sse") {
      const { SseRelay } = await import("../relay/sse-relay.js");
      run = new SseRelay({ ...io, url, headers: this.#target.headers }).run();
    } else {
      const { StreamableHttpRelay } = await import("../relay/http-relay.js");
      const headers = async () => this.#target.headers;
      run = new StreamableHttpRelay({ ...io, bridge: false, url, headers, note: log }).run();
    }
    this.#ended = run.then(
      () => this.#end("its connection ended"),
      (error: unknown) => this.#end(this.mask(errorObject(error).message)),
    );
  }

  /** One request: its result, or its error thrown (the remote's, or why there is none, masked); a cancelled one rejects. */
  async send(c: RemoteCall): Promise<Json> {
    const answer = await this.#call(c);
    if ("error" in answer) throw Object.assign(new Error(answer.error.message), answer.error);
    return answer.result;
  }

  /** A request of the gateway's own (with the era's envelope): its result, or its error thrown; cancelled when late. */
  async request(method: string, params: Json = {}, timeoutMs = OWN_TIMEOUT_MS): Promise<Json> {
    const late = new AbortController();
    const timer = setTimeout(() => late.abort(), timeoutMs).unref();
    try {
      return await this.send({ method, params: this.#own(params), signal: late.signal });
    } catch (error) {
      throw late.signal.aborted
        ? rpcError(`${method}: no answer within ${timeoutMs / 1000} s`, RPC.serverError)
        : error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A notification of the gateway's own (`notifications/initialized`, roots changed). */
  notify(method: string, params: Json = {}): void {
    const own = this.#own(params);
    if (!this.#closed)
      this.#write({ jsonrpc: "2.0", method, ...(Object.keys(own).length > 0 && { params: own }) });
  }

  /**
   * A 2026-07-28 listen, open once acknowledged (as the SDK's client waits), and what closes it;
   * what it sends goes to `events.notified` as anything unasked does.
   */
  listen(filter: Json): Promise<() => void> {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), OWN_TIMEOUT_MS).unref();
    return new Promise<() => void>((open, fail) => {
      const related = (method: string, params: Json) =>
        method === "notifications/subscriptions/acknowledged"
          ? open(() => stop.abort())
          : this.#events.notified(method, params);
      const params = this.#own({ notifications: filter });
      this.#call({ method: "subscriptions/listen", params, signal: stop.signal }, related).then(
        () => fail(rpcError("subscriptions/listen: ended by the server")),
        fail,
      );
    }).finally(() => clearTimeout(timer));
  }

  #call(c: RemoteCall, related?: Pending["related"]): Promise<RemoteAnswer> {
    if (this.#closed) return Promise.reject(rpcError(`the remote server "${this.#target.name}" is closed`));
    const id = this.#next++;
    let params = c.params;
    const meta = params?._meta as Json | undefined;
    const token = meta?.progressToken;
    // Its progress comes back under this call's id, given back under the token it named.
    if (token !== undefined) params = { ...params, _meta: { ...meta, progressToken: id } };
    const stopped = () => {
      const pending = this.#pending.get(id);
      if (!pending) return;
      this.#pending.delete(id);
      this.#write({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } });
      pending.fail(cancelled());
    };
    if (c.signal?.aborted) return Promise.reject(cancelled());
    c.signal?.addEventListener("abort", stopped, { once: true });
    return new Promise<RemoteAnswer>((answer, fail) => {
      this.#pending.set(id, { answer, fail, token, progress: c.progress, related });
      this.#write({ jsonrpc: "2.0", id, method: c.method, ...(params ? { params } : {}) });
    }).finally(() => c.signal?.removeEventListener("abort", stopped));
  }

  /** Its session ended at the remote (2025-11-25: DELETE), and nothing more sent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop.abort();
    this.#out.end();
    // Its end (a 2025-11-25 session's DELETE) is waited for a moment, never more: an SSE remote
    // still opening its stream would hold it.
    await Promise.race([this.#ended, new Promise((resolve) => setTimeout(resolve, CLOSE_MS).unref())]);
  }

  /** `text` with the key masked, and what has a credential's shape (an error or a log line). */
  mask(text: string): string {
    return maskText(text, this.#target.secrets);
  }

  #own(params: Json): Json {
    const meta = params._meta as Json | undefined;
    return this.envelope ? { ...params, _meta: { ...this.envelope, ...meta } } : params;
  }

  #write(message: Json): void {
    this.#out.write(`${JSON.stringify(message)}\n`);
  }

  /** The relay ended (the SSE stream broke, or we closed it): every call still waiting is told why. */
  #end(why: string): void {
    const was = this.#closed;
    this.#closed = true;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.fail(rpcError(`the remote server "${this.#target.name}": ${why}`, RPC.serverError));
    }
    for (const asked of this.#asked.values()) asked.abort();
    if (!was) this.#events.closed(why);
  }

  #receive(line: string): void {
    let message: Json;
    try {
      // A value of the key in what the remote sends (an echo of its headers) never reaches a client.
      message = JSON.parse(this.#plain(line)) as Json;
    } catch {
      // The relay passes JSON-RPC only: a line that is not is said, never thrown in its stream.
      this.#events.log(`dropped a message that is not JSON (${line.length} characters)`);
      return;
    }
    const method = typeof message.method === "string" ? message.method : undefined;
    const params = message.params as Json | undefined;
    // A call's progress, under the token it was sent with (its id here); a listen's own news.
    const progress =
      method === "notifications/progress" && this.#pending.get(params?.progressToken as number);
    const sub = (params?._meta as Json | undefined)?.[SUBSCRIPTION];
    const listen = typeof sub === "number" ? this.#pending.get(sub) : undefined;
    if (method === undefined) this.#answered(message);
    else if ("id" in message) this.#question(message.id as RequestId, method, params);
    else if (progress && params) progress.progress?.({ ...params, progressToken: progress.token });
    else if (method === "notifications/cancelled") this.#asked.get(params?.requestId as RequestId)?.abort();
    else if (listen?.related && params) listen.related(method, params);
    else this.#events.notified(method, params);
  }

  /** The key's values (as they are, and as JSON escapes them) replaced, nothing else touched. */
  #plain(line: string): string {
    let out = line;
    for (const s of this.#target.secrets)
      for (const form of new Set([s, JSON.stringify(s).slice(1, -1)]))
        if (out.includes(form)) out = out.split(form).join(MASK);
    return out;
  }

  #answered(message: Json): void {
    const id = message.id as number;
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (!("error" in message)) {
      pending.answer({ result: (message.result ?? {}) as Json });
      return;
    }
    const error = errorObject(message.error);
    pending.answer({ error: { ...error, message: this.#said(error.message) } });
  }

  /**
   * An error's words: masked; the relay's for a refused key said as what it is here — the key the
   * manifest gives (kept in the home), and how to set it again.
   */
  #said(message: string): string {
    // The relay's own words name mcp-twin (it stands in for the server); here they are the gateway's.
    const text = this.mask(message).replace(/^mcp-twin: /, "");
    if (!/^the server at .* needs credentials \(HTTP 401\)/.test(text)) return text;
    const { name, keys } = this.#target;
    const fix = keys.length
      ? `check ${keys.length === 1 ? "its key" : "its keys"}: ${keys.map((k) => `\`mcp-twin secret set ${k}\``).join(", ")}, then \`mcp-twin sync\``
      : "check its headers in the manifest";
    return `the remote server "${name}" refuses the credentials its headers carry (HTTP 401): ${fix}`;
  }

  /** A question of the remote's, answered under its id unless it withdrew it or the upstream closed. */
  #question(id: RequestId, method: string, params: Json | undefined): void {
    const stop = new AbortController();
    this.#asked.set(id, stop);
    const asked = method === "ping" ? Promise.resolve({}) : this.#events.asked(method, params, stop.signal);
    asked
      .then(
        (result) => ({ result }),
        (error: unknown) => ({ error: errorObject(error) }),
      )
      .then((answer) => {
        this.#asked.delete(id);
        if (!stop.signal.aborted && !this.#closed) this.#write({ jsonrpc: "2.0", id, ...answer });
      });
  }
}
