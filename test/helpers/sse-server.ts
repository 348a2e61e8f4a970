/**
 * A real MCP server that speaks only the older HTTP+SSE transport (the SDK's SSEServerTransport),
 * on a loopback port: `GET /sse` opens the event stream (its first event names the endpoint),
 * `POST /messages?sessionId=…` carries each client message. With `apiKey`, both need
 * `Authorization: Bearer <apiKey>` (401 otherwise), as hosted SSE servers ask. A Streamable HTTP
 * client gets 405 on POST /sse, as from a real SSE-only server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { z } from "zod";

export interface SseServer {
  /** The URL of the event stream, e.g. http://127.0.0.1:41234/sse */
  url: string;
  /** Event streams opened (one per client session). */
  sessions: number;
  /** Requests refused for a missing or wrong key. */
  refused: number;
  /** Each refused request: its method and path, and whether it carried a key. */
  refusals: string[];
  close(): Promise<void>;
}

export const SSE_SERVER_NAME = "mcp-twin-sse-fixture";

export async function startSseServer(options: { apiKey?: string } = {}): Promise<SseServer> {
  const transports = new Map<string, SSEServerTransport>();
  const sockets = new Set<Socket>();
  const state = { sessions: 0, refused: 0, refusals: [] as string[] };

  const authorized = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!options.apiKey || req.headers.authorization === `Bearer ${options.apiKey}`) return true;
    state.refused++;
    // What was refused, never the key: the method, the path, and whether a credential came.
    state.refusals.push(
      `${req.method} ${req.url?.split("?")[0]} (${req.headers.authorization ? "a wrong key" : "no key"})`,
    );
    res.writeHead(401, { "content-type": "text/plain" }).end("missing or wrong key");
    return false;
  };

  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/sse" && req.method === "GET") {
      if (!authorized(req, res)) return;
      const transport = new SSEServerTransport("/messages", res);
      transports.set(transport.sessionId, transport);
      state.sessions++;
      res.on("close", () => transports.delete(transport.sessionId));
      const server = new McpServer({ name: SSE_SERVER_NAME, version: "0.9.0" });
      server.registerTool(
        "echo",
        { description: "Echo text back", inputSchema: { text: z.string() } },
        async ({ text }) => ({ content: [{ type: "text", text }] }),
      );
      server.registerTool(
        "add",
        { description: "Add two numbers", inputSchema: { a: z.number(), b: z.number() } },
        async ({ a, b }) => ({
          content: [{ type: "text", text: String(a + b) }],
        }),
      );
      await server.connect(transport);
      return;
    }
    if (url.pathname === "/messages" && req.method === "POST") {
      if (!authorized(req, res)) return;
      const transport = transports.get(url.searchParams.get("sessionId") ?? "");
      if (!transport) {
        res.writeHead(404).end("unknown session");
        return;
      }
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(405).end();
  });
  http.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    get sessions() {
      return state.sessions;
    },
    get refusals() {
      return state.refusals;
    },
    get refused() {
      return state.refused;
    },
    async close() {
      for (const t of transports.values()) await t.close().catch(() => {});
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
