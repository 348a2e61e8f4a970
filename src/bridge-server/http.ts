/**
 * The bridge's HTTP listener (node:http): each request through the checks in the order the spec asks
 * for (Origin and Host, token, body, JSON, JSON-RPC, session), then to its session's SDK transport.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InitializeRequest, JSONRPCMessage, MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import { answerChallenge, CHALLENGE_HEADER } from "../core/bridge-control/bridge-challenge.js";
import { isLoopback } from "../core/system/loopback.js";
import {
  allowedOrigins,
  CHECK_INTERVAL_MS,
  type ConnectionLimits,
  checkBearer,
  checkDeclaredLength,
  checkHost,
  checkMediaTypes,
  checkOrigin,
  checkProtocolVersion,
  DEFAULT_LIMITS,
  isRefusal,
  limitConnections,
  parseMessages,
  type Refusal,
  readBody,
  sendRefusal,
  tooLarge,
} from "./http-guards.js";
import type { SessionCaps } from "./session-policy.js";
import type { SessionInfo } from "./session-server.js";
import { type HttpSessionTransport, SESSION_LIMITS, type SessionLimits } from "./session-transport.js";
import { type Session, SessionTable } from "./sessions.js";
import type { TokenGuard } from "./token-guard.js";

/** Request bodies above this are refused with 413 (the SDK transport's default too). */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One MCP endpoint (a path): makes the SDK server of a new session. */
export interface Endpoint {
  path: string;
  connect(transport: HttpSessionTransport): Promise<{ close(): Promise<void> }>;
}

export interface HttpOptions {
  host: string;
  port: number;
  token: TokenGuard;
  endpoints: Endpoint[];
  /** Origins allowed besides http://127.0.0.1|localhost|[::1]:<port>. */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  /** Socket limits (tests shorten them). */
  limits?: Partial<ConnectionLimits>;
  sessionCaps?: SessionCaps;
  /** What one session may hold (tests lower them). */
  sessionLimits?: Partial<SessionLimits>;
  log?: (line: string) => void;
}

export interface HttpBridge {
  port: number;
  host: string;
  sessions(): SessionInfo[];
  close(): Promise<void>;
}

type SdkTypes = typeof import("@modelcontextprotocol/sdk/types.js");
/**
 * The SDK's schemas load with the first request, so an idle bridge does not carry them; once
 * loaded, requests use them without waiting on a promise.
 */
let sdkTypes: SdkTypes | undefined;
let loadingTypes: Promise<SdkTypes> | undefined;
const loadTypes = () =>
  (loadingTypes ??= import("@modelcontextprotocol/sdk/types.js").then((types) => (sdkTypes = types)));

const refusal = (
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): Refusal => ({
  status,
  code,
  message,
  ...(headers ? { headers } : {}),
});
const NO_SESSION_ID = refusal(400, -32000, "Bad Request: Mcp-Session-Id header is required");
const UNKNOWN_SESSION = refusal(404, -32001, "Session not found");

/** What every request handler needs. */
interface Listener {
  endpoints: Map<string, Endpoint>;
  sessions: SessionTable;
  token: TokenGuard;
  loopbackOnly: boolean;
  origins: Set<string>;
  maxBody: number;
  trust(req: IncomingMessage): void;
}

async function handle(l: Listener, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const endpoint = l.endpoints.get(q === -1 ? url : url.slice(0, q));
  if (!endpoint)
    return sendRefusal(res, {
      ...refusal(404, -32600, `Not found: the MCP endpoints are ${[...l.endpoints.keys()].join(", ")}`),
      close: true,
    });
  // DNS rebinding first (a browser page must not reach a loopback service under a foreign name),
  // then the token.
  const early =
    checkHost(req.headers.host, l.loopbackOnly) ??
    checkOrigin(req.headers.origin, l.origins) ??
    checkBearer(l.token, req.headers.authorization, req.socket);
  if (early) {
    // A caller proving this is its home's bridge before it sends the token: the answer proves it
    // without revealing the token, and the connection stays open for the request that follows
    // with the token (core/bridge-control/bridge-proof.ts).
    const proof =
      early.status === 401
        ? answerChallenge(req.headers[CHALLENGE_HEADER], req.socket, l.token.token)
        : undefined;
    return sendRefusal(
      res,
      proof ? { ...early, headers: { ...early.headers, ...proof }, close: false } : early,
    );
  }
  l.trust(req);

  const { SUPPORTED_PROTOCOL_VERSIONS } = sdkTypes ?? (await loadTypes());
  const version = checkProtocolVersion(req.headers["mcp-protocol-version"], SUPPORTED_PROTOCOL_VERSIONS);
  if (version) return sendRefusal(res, version);
  const header = req.headers["mcp-session-id"];
  const sessionId = Array.isArray(header) ? header[0] : header;
  if (req.method === "POST") return post(l, req, res, endpoint, sessionId);
  if (req.method === "GET" || req.method === "DELETE") {
    if (!sessionId) return sendRefusal(res, NO_SESSION_ID);
    const session = l.sessions.get(sessionId, endpoint.path);
    if (!session) return sendRefusal(res, UNKNOWN_SESSION);
    if (req.method === "DELETE") {
      await l.sessions.close(session);
      res.writeHead(200).end();
      return;
    }
    if (!(req.headers.accept ?? "").includes("text/event-stream"))
      return sendRefusal(res, refusal(406, -32000, "Not Acceptable: the GET stream is text/event-stream"));
    session.lastSeen = new Date();
    if (!session.transport.openStream(res, { "mcp-session-id": session.id }))
      return sendRefusal(res, refusal(409, -32000, "Conflict: this session already has a GET stream"));
    return;
  }
  return sendRefusal(res, refusal(405, -32000, "Method not allowed", { allow: "GET, POST, DELETE" }));
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
  const declared = checkDeclaredLength(req.headers["content-length"], l.maxBody);
  if (declared) return sendRefusal(res, declared);
  const body = await readBody(req, l.maxBody);
  if (body === null) return sendRefusal(res, tooLarge(l.maxBody));
  const { JSONRPCMessageSchema, isInitializeRequest } = sdkTypes ?? (await loadTypes());
  const parsed = parseMessages(body, (item) => JSONRPCMessageSchema.safeParse(item).success);
  if (isRefusal(parsed)) return sendRefusal(res, parsed);
  const messages = parsed.messages as JSONRPCMessage[];

  // The SDK's check parses a whole schema: only for what can be an initialize at all.
  const init = messages.find(
    (m) => (m as { method?: unknown }).method === "initialize" && isInitializeRequest(m),
  ) as InitializeRequest | undefined;
  let session: Session | undefined;
  if (init) {
    if (messages.length > 1)
      return sendRefusal(res, refusal(400, -32600, "Invalid Request: initialize must be sent alone"));
    session = await l.sessions.open(endpoint, init.params.clientInfo?.name ?? "unknown");
  } else {
    if (!sessionId) return sendRefusal(res, NO_SESSION_ID);
    session = l.sessions.get(sessionId, endpoint.path);
    if (!session) return sendRefusal(res, UNKNOWN_SESSION);
    session.calls++;
  }
  session.lastSeen = new Date();
  const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
  session.transport.handlePost(messages, parsed.batch, res, {
    acceptsSse: media.acceptsSse,
    headers: { "mcp-session-id": session.id },
    extra,
  });
}

/**
 * The bridge's HTTP listener (node:http), in the order the spec asks for: a foreign `Origin`
 * (or, on loopback, a foreign `Host`: DNS rebinding) gets 403 before anything else; then the
 * bearer token (401); then the body limit (413); then JSON (-32700) and JSON-RPC validity
 * (-32600); then sessions (`Mcp-Session-Id`: missing 400, unknown 404). What passes goes to the
 * session's SDK transport. Nothing a client sends can crash it: every failure is an HTTP status
 * with a JSON-RPC error body.
 *
 * The checks themselves and the socket limits (timeouts, closing after an early refusal, a
 * connection cap) are in http-guards.ts, each testable alone; the sessions in sessions.ts, and
 * which one goes when the caps are reached in session-policy.ts. This file wires them.
 */
export async function listenHttp(options: HttpOptions): Promise<HttpBridge> {
  const log = options.log ?? (() => {});
  const l: Listener = {
    endpoints: new Map(options.endpoints.map((e) => [e.path, e])),
    sessions: new SessionTable(options.sessionCaps, log, { ...SESSION_LIMITS, ...options.sessionLimits }),
    token: options.token,
    loopbackOnly: isLoopback(options.host),
    origins: new Set(),
    maxBody: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    trust: (req) => connections.trust(req.socket),
  };
  const server = http.createServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS }, (req, res) => {
    handle(l, req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      sendRefusal(res, refusal(500, -32603, "Internal error"));
    });
  });
  const connections = limitConnections(server, { ...DEFAULT_LIMITS, ...options.limits });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => log(`http: ${error.message}`));
  const port = (server.address() as AddressInfo).port;
  l.origins = allowedOrigins(port, options.allowedOrigins);
  l.sessions.startSweeping();

  return {
    port,
    host: options.host,
    sessions: () => l.sessions.info(),
    async close() {
      await l.sessions.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
