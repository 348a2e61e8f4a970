/**
 * The bridge's HTTP listener (node:http), in the order the spec asks for: a foreign `Origin`
 * (or, on loopback, a foreign `Host`: DNS rebinding) gets 403 before anything else; then the
 * bearer token (401); then the body limit (413); then JSON (-32700) and JSON-RPC validity
 * (-32600); then sessions (`Mcp-Session-Id`: missing 400, unknown 404). What passes goes to the
 * session's SDK transport. Nothing a client sends can crash it: every failure is an HTTP status
 * with a JSON-RPC error body. The checks themselves, and the socket limits (timeouts, closing
 * after an early refusal, a connection cap), are in http-guards.ts; which session goes when the
 * caps are reached, in session-policy.ts.
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InitializeRequest, JSONRPCMessage, MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import { isLoopback } from "../core/bridge/loopback.js";
import {
  allowedOrigins,
  CHECK_INTERVAL_MS,
  type ConnectionLimits,
  checkBearer,
  checkDeclaredLength,
  checkHost,
  checkOrigin,
  DEFAULT_LIMITS,
  limitConnections,
  readBody,
  sendRefusal,
  tooLarge,
} from "./http-guards.js";
import type { SessionInfo } from "./server.js";
import { evictionFor, SESSION_CAPS, type SessionCaps } from "./session-policy.js";
import type { TokenGuard } from "./token-guard.js";
import { HttpSessionTransport } from "./transport.js";

/** Request bodies above this are refused with 413 (the SDK transport's default too). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_BATCH = 100;
const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;

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
  log?: (line: string) => void;
}

export interface HttpBridge {
  port: number;
  host: string;
  sessions(): SessionInfo[];
  close(): Promise<void>;
}

interface Session extends SessionInfo {
  transport: HttpSessionTransport;
  server: { close(): Promise<void> };
  /** Requests after initialize (see session-policy.ts). */
  calls: number;
}

type Headers = Record<string, string>;

/** The SDK's schemas load with the first request, so an idle bridge does not carry them. */
let sdkTypes: Promise<typeof import("@modelcontextprotocol/sdk/types.js")> | undefined;
const loadTypes = () => (sdkTypes ??= import("@modelcontextprotocol/sdk/types.js"));

function sendError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Headers = {},
): void {
  sendRefusal(res, { status, code, message, headers });
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

export async function listenHttp(options: HttpOptions): Promise<HttpBridge> {
  const log = options.log ?? (() => {});
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const endpoints = new Map(options.endpoints.map((e) => [e.path, e]));
  const sessions = new Map<string, Session>();
  const loopbackOnly = isLoopback(options.host);
  let origins = new Set<string>();

  const closeSession = async (session: Session) => {
    if (sessions.get(session.id) !== session) return;
    sessions.delete(session.id);
    await session.transport.close().catch(() => {});
    await session.server.close().catch(() => {});
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const endpoint = endpoints.get(pathname);
    if (!endpoint)
      return sendRefusal(res, {
        status: 404,
        code: -32600,
        message: `Not found: the MCP endpoints are ${[...endpoints.keys()].join(", ")}`,
        close: true,
      });

    // DNS rebinding: a browser page must not reach a loopback service under a foreign name.
    const refusal =
      checkHost(req.headers.host, loopbackOnly) ??
      checkOrigin(req.headers.origin, origins) ??
      checkBearer(options.token, req.headers.authorization);
    if (refusal) return sendRefusal(res, refusal);
    connections.trust(req.socket);

    const { SUPPORTED_PROTOCOL_VERSIONS } = await loadTypes();
    const sessionHeader = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    const version = req.headers["mcp-protocol-version"];
    if (typeof version === "string" && !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
      return sendError(
        res,
        400,
        -32000,
        `Bad Request: unsupported protocol version ${version} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`,
      );

    if (req.method === "POST") return post(req, res, endpoint, sessionId);
    if (req.method === "GET" || req.method === "DELETE") {
      const session = sessionId ? sessions.get(sessionId) : undefined;
      if (!sessionId) return sendError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      if (!session || session.endpoint !== endpoint.path)
        return sendError(res, 404, -32001, "Session not found");
      if (req.method === "DELETE") {
        await closeSession(session);
        res.writeHead(200).end();
        return;
      }
      if (!(req.headers.accept ?? "").includes("text/event-stream"))
        return sendError(res, 406, -32000, "Not Acceptable: the GET stream is text/event-stream");
      session.lastSeen = new Date();
      if (!session.transport.openStream(res, { "mcp-session-id": session.id }))
        return sendError(res, 409, -32000, "Conflict: this session already has a GET stream");
      return;
    }
    return sendError(res, 405, -32000, "Method not allowed", { allow: "GET, POST, DELETE" });
  };

  const post = async (
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Endpoint,
    sessionId: string | undefined,
  ) => {
    if (mediaType(req.headers["content-type"]) !== "application/json")
      return sendError(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    const accept = req.headers.accept ?? "";
    const acceptsSse = accept.includes("text/event-stream");
    if (accept && !acceptsSse && !/application\/json|application\/\*|\*\/\*/.test(accept))
      return sendError(
        res,
        406,
        -32000,
        "Not Acceptable: the answer is application/json or text/event-stream",
      );

    const declared = checkDeclaredLength(req.headers["content-length"], maxBody);
    if (declared) return sendRefusal(res, declared);
    const body = await readBody(req, maxBody);
    if (body === null) return sendRefusal(res, tooLarge(maxBody));
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return sendError(res, 400, -32700, "Parse error: the body is not valid JSON");
    }
    const batch = Array.isArray(raw);
    const list = batch ? (raw as unknown[]) : [raw];
    if (list.length === 0 || list.length > MAX_BATCH)
      return sendError(res, 400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    const { JSONRPCMessageSchema, isInitializeRequest } = await loadTypes();
    // Checked by the SDK's schema; passed on as sent (the schema's copy would drop own
    // `__proto__` keys of the values a client stores).
    for (const item of list)
      if (!JSONRPCMessageSchema.safeParse(item).success)
        return sendError(res, 400, -32600, "Invalid Request: not a JSON-RPC 2.0 message");
    const messages = list as JSONRPCMessage[];

    let session: Session | undefined;
    // The SDK's check parses a whole schema: only for what can be an initialize at all.
    const init = messages.find(
      (m) => (m as { method?: unknown }).method === "initialize" && isInitializeRequest(m),
    ) as InitializeRequest | undefined;
    if (init) {
      if (messages.length > 1)
        return sendError(res, 400, -32600, "Invalid Request: initialize must be sent alone");
      session = await openSession(endpoint, init.params.clientInfo?.name ?? "unknown");
    } else {
      if (!sessionId) return sendError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      session = sessions.get(sessionId);
      if (!session || session.endpoint !== endpoint.path)
        return sendError(res, 404, -32001, "Session not found");
      session.calls++;
    }
    session.lastSeen = new Date();
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    session.transport.handlePost(messages, batch, res, {
      acceptsSse,
      headers: { "mcp-session-id": session.id },
      extra,
    });
  };

  const openSession = async (endpoint: Endpoint, client: string): Promise<Session> => {
    const victim = evictionFor(
      [...sessions.values()].map((s) => ({
        id: s.id,
        client: s.client,
        lastSeen: s.lastSeen.getTime(),
        calls: s.calls,
      })),
      client,
      options.sessionCaps ?? SESSION_CAPS,
    );
    const evicted = victim && sessions.get(victim.id);
    if (evicted) {
      log(`session ${evicted.id.slice(0, 8)} of ${evicted.client} closed to make room for one of ${client}`);
      await closeSession(evicted);
    }
    const id = randomUUID();
    const transport = new HttpSessionTransport(id);
    const now = new Date();
    const session: Session = {
      id,
      endpoint: endpoint.path,
      client,
      since: now,
      lastSeen: now,
      transport,
      server: { close: async () => {} },
      calls: 0,
    };
    sessions.set(id, session);
    transport.onclose = () => {
      if (sessions.get(id) === session) sessions.delete(id);
    };
    transport.onerror = (error) => log(`session ${id.slice(0, 8)}: ${error.message}`);
    session.server = await endpoint.connect(transport);
    return session;
  };

  const server = http.createServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      sendError(res, 500, -32603, "Internal error");
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
  origins = allowedOrigins(port, options.allowedOrigins);

  const sweep = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const s of sessions.values()) if (s.lastSeen.getTime() < cutoff) void closeSession(s);
  }, 60_000);
  sweep.unref();

  return {
    port,
    host: options.host,
    sessions: () =>
      [...sessions.values()].map(({ id, endpoint, client, since, lastSeen }) => ({
        id,
        endpoint,
        client,
        since,
        lastSeen,
      })),
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map(closeSession));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
