/**
 * The bridge's HTTP listener (node:http): each request through the checks in the order the spec asks
 * for (Origin and Host, token, body, JSON, JSON-RPC), then to its era: a 2025-11-25 session's
 * transport, or the endpoint's 2026-07-28 lane and handler.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { InitializeRequest, JSONRPCMessage } from "@modelcontextprotocol/server";
import { answerChallenge, CHALLENGE_HEADER, tokenScope } from "../core/bridge-link/index.js";
import { RPC } from "../core/jsonrpc/codes.js";
import { isPlain } from "../core/plain-records.js";
import { isLoopback } from "../core/system/loopback.js";
import { type Clock, realClock } from "./clock.js";
import {
  CHECK_INTERVAL_MS,
  type ConnectionLimits,
  DEFAULT_LIMITS,
  limitConnections,
} from "./connection-limits.js";
import { type HandedConnections, takeConnections } from "./connections-from.js";
import { answerControl, CONTROL_PREFIX, type ControlRoutes } from "./control-routes.js";
import { credentialOf } from "./credential.js";
import { type Endpoint, shareOf } from "./endpoint.js";
import {
  allowedOrigins,
  checkDeclaredLength,
  checkHost,
  checkMediaTypes,
  checkOrigin,
  checkProtocolVersion,
  headerOf,
  isRefusal,
  NOT_A_MESSAGE,
  parseMessages,
  type Refusal,
  readBody,
  refusal,
  refuseBody,
  requestIdOf,
  sendRefusal,
  TRY_AGAIN,
  tooLarge,
  UNAUTHORIZED,
  Unavailable,
} from "./http-guards.js";
import { laneAnswer, laneTakes } from "./lane.js";
import { type PeerRule, peerCheck } from "./peer-check.js";
import { LEGACY } from "./route/handshake.js";
import type { SessionSeal } from "./session-seal.js";
import { type Session, type SessionInfo, SessionTable } from "./sessions.js";
import type { TokenGuard } from "./token-guard.js";
import { sendWebResponse, toWebRequest } from "./web-exchange.js";

/** Request bodies above this are refused with 413 (the SDK transport's default too). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpOptions {
  host: string;
  port: number;
  /** An inherited listening socket to serve on instead of binding `port` (its keeper's: supervisor.ts). */
  fd?: number;
  /** Serve connections another process (Windows' keeper) accepts and hands over; `open` once ready. */
  handed?: HandedConnections;
  token: TokenGuard;
  endpoints: Endpoint[];
  endpointAt?: (pathname: string) => Endpoint | undefined;
  /** The browser origins the user allowed (none: a request with an Origin is refused). */
  allowedOrigins?: string[];
  limits?: Partial<ConnectionLimits>;
  control?: ControlRoutes;
  /** Linux and WSL: refuse loopback connections of other user accounts (peer-check.ts). */
  peers?: PeerRule;
  /** sessions.ts SESSION_GRACE_MS (`serve --session-grace`). */
  sessionGraceMs?: number;
  seal?: SessionSeal;
  clock?: Clock;
  log?: (line: string) => void;
}

export interface HttpBridge {
  port: number;
  sessions(): SessionInfo[];
  allowOrigins(origins: readonly string[]): void;
  close(): Promise<void>;
}

type SdkTypes = typeof import("@modelcontextprotocol/server");
/**
 * The SDK loads with the first request, so an idle bridge does not carry it; once loaded,
 * requests use it without waiting on a promise.
 */
let sdkTypes: SdkTypes | undefined;
let loadingTypes: Promise<SdkTypes> | undefined;
const loadTypes = () =>
  (loadingTypes ??= import("@modelcontextprotocol/server").then((types) => (sdkTypes = types)));

/** A JSON-RPC 2.0 message by the SDK's schemas (requests first: they are most of the traffic). */
const isMessage = (sdk: SdkTypes, item: unknown) =>
  sdk.isJSONRPCRequest(item) || sdk.isJSONRPCNotification(item) || sdk.isJSONRPCResponse(item);

/** A revision header's refusal: a 2025 revision's or none known without the SDK (loaded for any other). */
const versionRefusal = async (version: unknown) =>
  version === undefined || LEGACY.includes(version as string)
    ? null
    : checkProtocolVersion(version, (sdkTypes ?? (await loadTypes())).SUPPORTED_PROTOCOL_VERSIONS);

/**
 * Whether the SDK would only say "a valid 2025-11-25 message" (then it is not loaded, which the
 * first session after a start waited for): exactly its strict members. Anything else is the SDK's.
 */
export function ordinary2025(m: unknown, version: string | undefined): boolean {
  const p = isPlain(m) && m.params === undefined ? {} : (m as Record<string, unknown> | null)?.params;
  if (!isPlain(m) || m.jsonrpc !== "2.0" || typeof m.method !== "string" || !isPlain(p) || "_meta" in p)
    return false;
  const id = !("id" in m) || typeof m.id === "string" || Number.isSafeInteger(m.id);
  const keys = Object.keys(m).every((k) => ["jsonrpc", "id", "method", "params"].includes(k));
  if (!id || !keys || (version !== undefined && !LEGACY.includes(version))) return false;
  if (m.method !== "initialize") return true;
  const { capabilities: caps, clientInfo: info } = p;
  const plain = (k: string) => {
    const v = isPlain(caps) ? JSON.stringify(caps[k]) : "";
    return v === undefined || v === "{}" || (k === "roots" && /^\{"listChanged":(true|false)\}$/.test(v));
  };
  const client = isPlain(info) && typeof info.name === "string" && typeof info.version === "string";
  const known = ["experimental", "sampling", "elicitation", "roots", "tasks", "extensions"].every(plain);
  return typeof p.protocolVersion === "string" && known && client && Object.keys(info).length === 2;
}

const NO_SESSION_ID = refusal(400, RPC.serverError, "Bad Request: Mcp-Session-Id header is required");
const UNKNOWN_SESSION = refusal(404, RPC.sessionNotFound, "Session not found");

const NOT_ALLOWED = refusal(405, RPC.serverError, "Method not allowed", { allow: "GET, POST, DELETE" });
const NOT_ACCEPTABLE = refusal(406, RPC.serverError, "Not Acceptable: the GET stream is text/event-stream");
const INIT_ALONE = refusal(400, RPC.invalidRequest, "Invalid Request: initialize must be sent alone");
const notFound = (l: Listener): Refusal => {
  const message = `Not found: the MCP endpoints are ${[...l.endpoints.keys()].join(", ")}`;
  return { ...refusal(404, RPC.invalidRequest, message), close: true };
};

interface Listener {
  endpoints: Map<string, Endpoint>;
  endpointAt: (pathname: string) => Endpoint | undefined;
  control: ControlRoutes | undefined;
  sessions: SessionTable;
  token: TokenGuard;
  loopbackOnly: boolean;
  origins: Set<string>;
  clock: Clock;
  /** Whether the connecting process's user account may use the bridge (none: it cannot be told). */
  peers: ReturnType<typeof peerCheck> | undefined;
  /** Socket limits; `slot`: one per MCP request, held until its answer ends (connection-limits.ts). */
  connections: ReturnType<typeof limitConnections>;
}

async function handle(l: Listener, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const pathname = q === -1 ? url : url.slice(0, q);
  const endpoint = l.endpoints.get(pathname) ?? l.endpointAt(pathname);
  const control = l.control && pathname.startsWith(CONTROL_PREFIX) ? l.control : undefined;
  const share = shareOf(pathname);
  // An unknown `/share/<name>` is refused like a known one until the token opens it, so a caller
  // without one learns no name; other unknown paths name no share.
  if (!endpoint && !control && share === undefined) return sendRefusal(res, notFound(l));
  // DNS rebinding and browsers first, then the token (a hash: a bad one costs nothing more), then
  // the caller's user account: another account's process is refused whatever it presents.
  let early =
    checkHost(req.headers.host, l.loopbackOnly) ??
    checkOrigin(req.headers.origin, l.origins) ??
    // Not the SDK's `verifyBearerToken`: it refuses a token with no expiry, and the bridge's never expire.
    (l.token.check(req.headers.authorization, req.socket, tokenScope(pathname)) ? null : UNAUTHORIZED);
  const account = early || !l.peers ? true : l.peers.allowed(req.socket);
  if (account !== true && !(await account)) early = UNAUTHORIZED;
  if (early) {
    // A caller proving this is its home's bridge before it sends the token (core/bridge-link/proof.ts).
    const proof =
      early.status === 401 && answerChallenge(req.headers[CHALLENGE_HEADER], req.socket, l.token.token);
    if (!proof) return sendRefusal(res, early);
    return sendRefusal(res, { ...early, headers: { ...early.headers, ...proof }, close: false });
  }
  l.connections.trust(req.socket);
  if (control) return answerControl(control, pathname, req, res);
  if (!endpoint) return sendRefusal(res, notFound(l));
  // One credential's requests never take what another's and the control routes need.
  const busy = l.connections.slot(res, credentialOf(req.headers));
  if (busy) return req.method === "POST" ? refuseBody(req, res, busy) : sendRefusal(res, busy);
  const sessionId = headerOf(req.headers, "mcp-session-id");
  if (req.method === "POST") return post(l, req, res, endpoint, sessionId);
  // GET and DELETE are 2025-11-25 session operations (2026-07-28 has neither).
  const version = await versionRefusal(req.headers["mcp-protocol-version"]);
  if (version) return sendRefusal(res, version);
  if (req.method !== "GET" && req.method !== "DELETE") return sendRefusal(res, NOT_ALLOWED);
  if (!sessionId && req.method === "DELETE" && endpoint.end) {
    const ended = await endpoint.end(req.headers);
    if (ended) return void res.writeHead(200).end();
    if (ended === false) return sendRefusal(res, UNKNOWN_SESSION);
  }
  if (!sessionId) return sendRefusal(res, NO_SESSION_ID);
  if (req.method === "DELETE") {
    const session = l.sessions.get(sessionId, endpoint.path, credentialOf(req.headers));
    // A session the bridge forgot in a restart ends as well: there is nothing to open again.
    if (!session && !(await l.sessions.forgotten(sessionId, endpoint, req.headers)))
      return sendRefusal(res, UNKNOWN_SESSION);
    if (session) await l.sessions.delete(session);
    return void res.writeHead(200).end();
  }
  if (!(req.headers.accept ?? "").includes("text/event-stream")) return sendRefusal(res, NOT_ACCEPTABLE);
  const session = await sessionOf(l, sessionId, endpoint, req.headers);
  if (isRefusal(session)) return sendRefusal(res, session);
  const opened = session.transport.openStream(res, { "mcp-session-id": session.id });
  l.sessions.touch(session);
  if (!opened)
    return sendRefusal(res, refusal(409, RPC.serverError, "Conflict: this session already has a GET stream"));
}

async function post(
  l: Listener,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: Endpoint,
  sessionId: string | undefined,
): Promise<void> {
  const media = checkMediaTypes(req.headers["content-type"], req.headers.accept);
  if (isRefusal(media)) return sendRefusal(res, media);
  const declared = checkDeclaredLength(req.headers["content-length"], MAX_BODY_BYTES);
  if (declared) return refuseBody(req, res, declared);
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) return refuseBody(req, res, tooLarge(MAX_BODY_BYTES));
  // A batch's messages are checked here; a single message's by the classification below.
  const batchSdk = sdkTypes ?? (/^\s*\[/.test(body) ? await loadTypes() : undefined);
  const parsed = parseMessages(body, (item) => isMessage(batchSdk as SdkTypes, item));
  if (isRefusal(parsed)) return sendRefusal(res, parsed);
  const messages = parsed.messages as JSONRPCMessage[];
  const value = parsed.batch ? messages : messages[0];
  // What a refusal from here on answers under: the request's id when the body is one request.
  const id = requestIdOf(value);
  const header = headerOf(req.headers, "mcp-protocol-version");
  const sdk = batchSdk ?? (ordinary2025(value, header) ? undefined : await loadTypes());
  const era = sdk?.classifyInboundRequest({
    httpMethod: "POST",
    body: value,
    protocolVersionHeader: header,
    mcpMethodHeader: headerOf(req.headers, "mcp-method"),
    mcpNameHeader: headerOf(req.headers, "mcp-name"),
  }) ?? { kind: "legacy" }; // the SDK's name of 2025-11-25, as it would say
  if (era.kind === "reject" && era.cell === "invalid-json-rpc-body") return sendRefusal(res, NOT_A_MESSAGE);
  if (era.kind !== "legacy") {
    const call =
      era.kind === "modern" && laneTakes(value, req.headers)
        ? endpoint.lane?.(req.headers, value)
        : undefined;
    if (call) return laneAnswer(value as JSONRPCMessage, res, media.acceptsSse, call);
    const response = await endpoint.serve2026(toWebRequest(req, res, body), value);
    return sendWebResponse(res, response, l.clock);
  }
  const version = await versionRefusal(header);
  if (version) return sendRefusal(res, version, id);
  // The SDK's check parses a whole schema: only for what can be an initialize at all.
  const init = messages.find(
    (m) => (m as { method?: unknown }).method === "initialize" && (!sdk || sdk.isInitializeRequest(m)),
  ) as InitializeRequest | undefined;
  let session: Session | undefined;
  if (init) {
    if (messages.length > 1) return sendRefusal(res, INIT_ALONE);
    const barred = endpoint.admit?.(req.headers);
    if (barred?.forbidden) return sendRefusal(res, refusal(403, RPC.serverError, barred.why), id);
    if (barred) return sendRefusal(res, refusal(400, RPC.invalidParams, `Invalid params: ${barred.why}`), id);
    try {
      const name = init.params.clientInfo?.name ?? "unknown";
      session = await l.sessions.open(endpoint, name, req.headers, { init: init.params });
    } catch (error) {
      return sendRefusal(res, setUpFailed(error), id);
    }
  } else {
    if (!sessionId) return sendRefusal(res, NO_SESSION_ID, id);
    const forbidden = endpoint.forbidden?.(req.headers);
    if (forbidden) return sendRefusal(res, refusal(403, RPC.serverError, forbidden), id);
    const found = await sessionOf(l, sessionId, endpoint, req.headers);
    if (isRefusal(found)) return sendRefusal(res, found, id);
    session = found;
    session.calls++;
  }
  const answer = { acceptsSse: media.acceptsSse, headers: { "mcp-session-id": session.id } };
  session.transport.handlePost(messages, parsed.batch, res, answer);
  l.sessions.touch(session);
}

/** The session an id names under this request's credential: open here, or sealed and reopened now. */
async function sessionOf(l: Listener, id: string, endpoint: Endpoint, headers: IncomingHttpHeaders) {
  const open = l.sessions.get(id, endpoint.path, credentialOf(headers));
  if (open) return open;
  try {
    return (await l.sessions.restore(id, endpoint, headers)) ?? UNKNOWN_SESSION;
  } catch (error) {
    return setUpFailed(error);
  }
}

/** A session that could not be set up: a cap met, e.g. evicted meanwhile (503, try again), or its endpoint's error (502). */
const setUpFailed = (error: unknown): Refusal =>
  error instanceof Unavailable
    ? { ...refusal(503, RPC.serverError, error.message, TRY_AGAIN), close: true }
    : refusal(502, RPC.internalError, error instanceof Error ? error.message : String(error));

/** The bridge's HTTP listener. Nothing a client sends can crash it: every failure is a status and a JSON-RPC error. */
export async function listenHttp(options: HttpOptions): Promise<HttpBridge> {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? realClock;
  const peers = options.peers ? peerCheck(options.peers) : undefined;
  const server = http.createServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS }, (req, res) => {
    handle(l, req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      sendRefusal(res, refusal(500, RPC.internalError, "Internal error"));
    });
  });
  const l: Listener = {
    endpoints: new Map(options.endpoints.map((e) => [e.path, e])),
    endpointAt: options.endpointAt ?? (() => undefined),
    control: options.control,
    sessions: new SessionTable({ log, graceMs: options.sessionGraceMs, seal: options.seal, clock }),
    token: options.token,
    loopbackOnly: isLoopback(options.host),
    origins: allowedOrigins(options.allowedOrigins),
    clock,
    peers,
    connections: limitConnections(server, { ...DEFAULT_LIMITS, ...options.limits }, peers?.allowed),
  };
  if (peers) server.on("connection", peers.accepted);
  const port = await takeConnections(server, options);
  server.on("error", (error) => log(`http: ${error.message}`));
  l.sessions.startSweeping();
  return {
    port,
    sessions: () => l.sessions.info(),
    allowOrigins: (origins) => {
      l.origins = allowedOrigins(origins);
    },
    async close() {
      await l.sessions.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
