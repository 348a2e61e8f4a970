/**
 * `serve` on stdio in both protocol eras: `server/discover` answered at once (nothing slow before
 * it), a 2025-11-25 client handed to the relay as before, a 2026-07-28 one served by the SDK.
 */
import { PassThrough, type Readable, type Writable } from "node:stream";
import type { Transport as ClientTransport } from "@modelcontextprotocol/client";
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type Transport,
} from "@modelcontextprotocol/server";
import { BRIDGE_SERVER_NAME } from "../core/bridge-link/index.js";
import { LineSplitter } from "../core/jsonrpc/lines.js";
import { MAX_MESSAGE_BYTES } from "../core/jsonrpc/messages.js";
import { VERSION } from "../version.js";
import { eraOf } from "./endpoint.js";
import {
  type CachedServer,
  ListCache,
  loadForwardServer,
  ReverseShim,
  type SessionRef,
  SharedChild,
} from "./gateway/index.js";
import { BRIDGE_INSTRUCTIONS } from "./session-server.js";

type Message = Record<string, unknown> & { method?: unknown; id?: unknown; params?: Record<string, unknown> };

/**
 * A message as the SDK's protocol classifies one (a request, a notification, a response; it drops
 * anything else), checked against the one schema its members can fit (each allows no others).
 */
const isMessage = (m: Message): m is Message & JSONRPCMessage =>
  "method" in m
    ? "id" in m
      ? isJSONRPCRequest(m)
      : isJSONRPCNotification(m)
    : "error" in m
      ? isJSONRPCErrorResponse(m)
      : isJSONRPCResultResponse(m);

/** The transport the SDK's stdio entry serves on: the lines this face hands it, written to stdout. */
class WireTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #stdout: Writable;
  readonly #log: (line: string) => void;

  constructor(stdout: Writable, log: (line: string) => void) {
    this.#stdout = stdout;
    this.#log = log;
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    this.#stdout.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** A message read from stdin: to the SDK's entry when it is one, else dropped with a line in the log. */
  deliver(message: Message): void {
    if (isMessage(message)) this.onmessage?.(message);
    else this.#log("stdin: a message that is not JSON-RPC, ignored");
  }
}

/** A message carrying 2026-07-28's per-request envelope (the only era with one). */
const claims2026 = (m: Message) =>
  typeof m.params?._meta === "object" &&
  m.params._meta !== null &&
  "io.modelcontextprotocol/protocolVersion" in (m.params._meta as object);

/** The bridge's name in the stdio face: its entry in the face's own list cache, and in errors. */
const BRIDGE = "the bridge";

/** The bridge as its `server/discover` describes it: known before it runs. */
function bridgeAd(): CachedServer {
  const serverInfo = { name: BRIDGE_SERVER_NAME, version: VERSION };
  const capabilities = { tools: {}, resources: { subscribe: true, listChanged: true } };
  const now = new Date().toISOString();
  return {
    // The face's own cache holds nothing but this entry: any key names it.
    key: BRIDGE,
    era: "2026-07-28",
    eraCheckedAt: now,
    discover: {
      resultType: "complete",
      supportedVersions: ["2026-07-28"],
      capabilities,
      instructions: BRIDGE_INSTRUCTIONS,
      ttlMs: 0,
      cacheScope: "private",
      _meta: { "io.modelcontextprotocol/serverInfo": serverInfo },
    },
    serverInfo,
    capabilities,
    instructions: BRIDGE_INSTRUCTIONS,
    lists: {},
    updatedAt: now,
  };
}

export interface StdioFaceOptions {
  stdin: Readable;
  stdout: Writable;
  /** A transport to the bridge, proven (started meanwhile when none answers): resolves once it answers. */
  bridge: Promise<ClientTransport>;
  log(line: string): void;
}

export type StdioOpening =
  /** A 2025-11-25 client: everything it sent not yet answered, then the rest of stdin, for the relay. */
  | { era: "2025-11-25"; stdin: Readable }
  /** A 2026-07-28 client, served until stdin ends; then `close()` lets go of the bridge. */
  | { era: "2026-07-28"; done: Promise<void>; close(): Promise<void> };

/**
 * Read the client's opening. `server/discover` is answered by the SDK's stdio entry from what the
 * bridge is known to be, at once; `initialize` (or any message without the 2026-07-28 envelope)
 * makes it a 2025-11-25 client, for the relay; a request with the envelope, a 2026-07-28 one, whose
 * requests go to the bridge as 2026-07-28 requests (no session).
 */
export async function openStdioFace(o: StdioFaceOptions): Promise<StdioOpening> {
  const { serveStdio } = await import("@modelcontextprotocol/server/stdio");
  const wire = new WireTransport(o.stdout, o.log);
  const cache = ListCache.memory();
  const ad = bridgeAd();
  cache.put(BRIDGE, ad);
  const pinned = new Set<SessionRef>();
  const each = (f: (server: NonNullable<SessionRef["server"]>) => Promise<void>) => {
    // The session may be gone: a notification to it has no one to tell.
    for (const s of pinned) if (s.server) void f(s.server).catch(() => {});
  };
  // Calls wait for the bridge to run, then go to it over HTTP; what is known of it is answered at once.
  const bridge = o.bridge;
  const child = new SharedChild({ name: BRIDGE, before: bridge, open: () => bridge }, ad.key, cache, {
    listChanged: () => each((server) => server.sendResourceListChanged()),
    resourceUpdated: (uri) => each((server) => server.sendResourceUpdated({ uri })),
    message: () => {},
  });
  const target = {
    name: BRIDGE,
    child,
    shim: new ReverseShim(),
    subscribe: async () => {},
    unsubscribe: async () => {},
  };
  const forwardServer = await loadForwardServer();
  const handle = serveStdio(
    ({ era }) => {
      const session: SessionRef = { era: eraOf(era), subscriptions: new Set() };
      const server = forwardServer(target, session, ad);
      session.server = server;
      pinned.add(session);
      return server;
    },
    { legacy: "serve", transport: wire, onerror: (e) => o.log(`stdio: ${e.message}`) },
  );
  const opening = await read(o, wire, child, () => void handle.close());
  if (opening.era === "2025-11-25") return opening;
  return {
    ...opening,
    close: async () => {
      // Closing at the end of stdin: nothing left to tell.
      await handle.close().catch(() => {});
      await child.stop();
    },
  };
}

/**
 * Lines from stdin until the era is known (split here, so nothing is lost when the relay takes
 * over); a 2026-07-28 client's lines go on to the SDK's entry.
 */
type Read = { era: "2025-11-25"; stdin: Readable } | { era: "2026-07-28"; done: Promise<void> };

function read(
  o: StdioFaceOptions,
  wire: WireTransport,
  child: SharedChild,
  discard: () => void,
): Promise<Read> {
  const listens = new Map<unknown, string[]>();
  /** A listen naming resources subscribes the bridge to them (for as long as it stays open). */
  const track = (m: Message) => {
    if (m.method === "subscriptions/listen") {
      const uris = (m.params?.notifications as { resourceSubscriptions?: unknown } | undefined)
        ?.resourceSubscriptions;
      if (Array.isArray(uris))
        listens.set(
          m.id,
          uris.filter((u): u is string => typeof u === "string"),
        );
    } else if (m.method === "notifications/cancelled") listens.delete(m.params?.requestId);
    else return;
    // A server refusing the new set sends the updates it did before; nothing waits on them.
    void child.subscriptions(new Set([...listens.values()].flat())).catch(() => {});
  };
  const claimed2026 = (line: string) => {
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      return o.log("stdin: a line that is not JSON, ignored");
    }
    track(m);
    wire.deliver(m);
  };
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const handOver = (to: "2025-11-25" | "2026-07-28") => {
      o.stdin.off("data", onData);
      if (to === "2025-11-25") {
        // The relay takes it from this message on: what is unread, then the rest of stdin.
        discard();
        const rest = new PassThrough();
        rest.write(pending);
        o.stdin.pipe(rest);
        resolve({ era: "2025-11-25", stdin: rest });
        return;
      }
      o.log("a 2026-07-28 client");
      const splitter = new LineSplitter(MAX_MESSAGE_BYTES, claimed2026, () =>
        o.log("stdin: a message larger than the limit, dropped"),
      );
      const leftover = pending;
      o.stdin.on("data", (chunk: Buffer) => splitter.push(chunk));
      o.stdin.once("end", () => wire.onclose?.());
      resolve({ era: "2026-07-28", done: new Promise((end) => o.stdin.once("end", () => end())) });
      if (leftover.length > 0) splitter.push(leftover);
    };
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let nl = pending.indexOf(10); nl !== -1; nl = pending.indexOf(10)) {
        const line = pending.subarray(0, nl).toString("utf8").trim();
        let m: Message | undefined;
        try {
          m = line ? (JSON.parse(line) as Message) : undefined;
        } catch {
          m = undefined;
        }
        // Discover is answered at once and decides nothing; the first other message decides.
        if (m?.method === "server/discover") {
          pending = pending.subarray(nl + 1);
          wire.deliver(m);
          continue;
        }
        if (m && claims2026(m)) {
          pending = pending.subarray(nl + 1);
          track(m);
          wire.deliver(m);
          return handOver("2026-07-28");
        }
        if (line) return handOver("2025-11-25");
        pending = pending.subarray(nl + 1);
      }
      if (pending.length > MAX_MESSAGE_BYTES) handOver("2025-11-25");
    };
    o.stdin.on("data", onData);
    o.stdin.once("end", () => {
      if (o.stdin.listeners("data").includes(onData)) handOver("2025-11-25");
    });
  });
}
