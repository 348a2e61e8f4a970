/**
 * A hostile MCP server on loopback, scripted per request: initialize is answered as a server would
 * (JSON, with a session), notifications and responses get 202, the GET stream 405 (or what the test
 * writes there), and every other request gets what the test's script writes — a body that is `{}`,
 * of another id, two objects, not JSON, an event stream that ends without the answer, or
 * notifications without end (`flood`). The older HTTP+SSE transport too (`startScriptedSse`).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

interface ScriptedRequest {
  id: unknown;
  method: string;
  params: Record<string, unknown> | undefined;
}

/** Answers one request; `sent(n)` counts bytes written (what `sent()` reports). */
export type Script = (req: ScriptedRequest, res: http.ServerResponse, sent: (n: number) => void) => void;

export interface ScriptedServer {
  port: number;
  url: string;
  /** Bytes the script said it wrote so far. */
  sent(): number;
  /** The methods of the requests scripted so far, in order. */
  methods(): string[];
  close(): Promise<void>;
}

const INIT_RESULT = {
  protocolVersion: "2025-06-18",
  capabilities: { tools: {} },
  serverInfo: { name: "hostile", version: "1.0.0" },
};

/** A JSON body, as it is (a string) or stringified. */
export function json(res: http.ServerResponse, body: unknown, status = 200): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** An event stream of these messages (strings as they are), then its end. */
export function events(res: http.ServerResponse, messages: unknown[]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const m of messages)
    res.write(`event: message\ndata: ${typeof m === "string" ? m : JSON.stringify(m)}\n\n`);
  res.end();
}

/**
 * An event stream of `notifications/message` (each about `bytes` long) that never ends, written as
 * fast as the peer takes it; stopped when the peer goes.
 */
export function flood(res: http.ServerResponse, sent: (n: number) => void, bytes = 1024): void {
  if (!res.headersSent) res.writeHead(200, { "content-type": "text/event-stream" });
  const message = JSON.stringify({
    jsonrpc: "2.0",
    method: "notifications/message",
    params: { level: "info", data: "x".repeat(bytes) },
  });
  const batch = Buffer.from(`event: message\ndata: ${message}\n\n`.repeat(16));
  res.on("error", () => {});
  const pump = () => {
    while (!res.destroyed) {
      sent(batch.length);
      if (!res.write(batch)) return void res.once("drain", pump);
    }
  };
  pump();
}

/** One message as an event on an open event stream. */
export function event(stream: http.ServerResponse, message: unknown): void {
  stream.write(
    `event: message\ndata: ${typeof message === "string" ? message : JSON.stringify(message)}\n\n`,
  );
}

/** `startScripted` for the older HTTP+SSE transport: `script` answers on the one event stream. */
export async function startScriptedSse(script: Script): Promise<ScriptedServer> {
  let stream: http.ServerResponse | undefined;
  return listen((req, res, count, methods) => {
    if (req.method === "GET") {
      stream = res;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: endpoint\ndata: /messages\n\n");
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      res.writeHead(202).end();
      const m = parse(body);
      if (!stream || typeof m.method !== "string" || m.id === undefined) return;
      if (m.method === "initialize") return event(stream, { jsonrpc: "2.0", id: m.id, result: INIT_RESULT });
      methods.push(m.method);
      script({ id: m.id, method: m.method, params: m.params }, stream, count);
    });
  }, "/sse");
}

function parse(body: string): { id?: unknown; method?: unknown; params?: Record<string, unknown> } {
  try {
    return JSON.parse(body) as ReturnType<typeof parse>;
  } catch {
    return {};
  }
}

/** `onStream`: what the server's own stream (GET) carries; without it, the GET is answered 405. */
export async function startScripted(
  script: Script,
  port = 0,
  onStream?: (stream: http.ServerResponse) => void,
): Promise<ScriptedServer> {
  return listen(
    (req, res, count, methods) => {
      if (req.method === "GET" && onStream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        return onStream(res);
      }
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => {
        if (req.method !== "POST") return void res.writeHead(405).end();
        const m = parse(body);
        if (typeof m.method !== "string" || m.id === undefined) return void res.writeHead(202).end();
        if (m.method === "initialize") {
          res.setHeader("mcp-session-id", "hostile-session");
          return json(res, { jsonrpc: "2.0", id: m.id, result: INIT_RESULT });
        }
        methods.push(m.method);
        script({ id: m.id, method: m.method, params: m.params }, res, count);
      });
    },
    "/remote",
    port,
  );
}

type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  count: (n: number) => void,
  methods: string[],
) => void;

async function listen(handle: Handler, path: string, port = 0): Promise<ScriptedServer> {
  let sent = 0;
  const methods: string[] = [];
  const sockets = new Set<Socket>();
  const count = (n: number) => {
    sent += n;
  };
  const server = http.createServer((req, res) => handle(req, res, count, methods));
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}${path}`,
    sent: () => sent,
    methods: () => [...methods],
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
