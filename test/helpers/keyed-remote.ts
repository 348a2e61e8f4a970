/**
 * A remote MCP server as hosted ones with an API key are: 2025-11-25 only (SDK v1's Streamable HTTP
 * server, one session per `initialize`), on loopback, every request refused with 401 unless it
 * carries `Authorization: Bearer <key>`. Each request is recorded with the credential it carried.
 * Tools: echo {text}; slow {ms} (progress every 50 ms, says in `events` when cancelled); leak (the
 * Authorization header it got, in its answer).
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export interface KeyedRemote {
  url: string;
  /** Every request: its HTTP method, its JSON-RPC method (a POST's), and what credential it carried. */
  requests: Array<{ method: string; rpc?: string; credential: "key" | "another" | "none" }>;
  events: string[];
  close(): Promise<void>;
}

const text = (t: string) => ({ content: [{ type: "text" as const, text: t }] });

function build(events: string[], headersOf: () => IncomingMessage["headers"]): McpServer {
  const mcp = new McpServer({ name: "keyed-2025", version: "1.0.0" });
  mcp.registerTool("echo", { inputSchema: { text: z.string() } }, async ({ text: t }) => text(`2025:${t}`));
  mcp.registerTool("slow", { inputSchema: { ms: z.number() } }, async ({ ms }, extra) => {
    const token = extra._meta?.progressToken;
    for (let step = 1; step <= Math.ceil(ms / 50); step++) {
      if (extra.signal.aborted) {
        events.push("cancelled slow");
        throw new Error("cancelled");
      }
      if (token !== undefined)
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress: step },
        });
      await new Promise((r) => setTimeout(r, 50));
    }
    return text(`slept ${ms}`);
  });
  // A server that echoes what it was sent (the key among it), as careless ones do.
  mcp.registerTool("leak", {}, async () => text(`you sent ${headersOf().authorization}`));
  return mcp;
}

export async function startKeyedRemote(key: string): Promise<KeyedRemote> {
  const requests: KeyedRemote["requests"] = [];
  const events: string[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let current: IncomingMessage["headers"] = {};
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? (JSON.parse(raw) as { method?: string }) : undefined;
    const given = req.headers.authorization;
    const credential = given === `Bearer ${key}` ? "key" : given ? "another" : "none";
    requests.push({ method: req.method ?? "", ...(body?.method ? { rpc: body.method } : {}), credential });
    if (credential !== "key")
      return void res.writeHead(401, { "www-authenticate": 'Bearer realm="keyed"' }).end();
    current = req.headers;
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (!transport && body?.method === "initialize") {
      const made = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, made),
      });
      await build(events, () => current).connect(made);
      transport = made;
    }
    if (!transport) return void res.writeHead(404).end();
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // Not /mcp: a loopback /mcp is the bridge's shape, which connect and sync treat as the bridge.
    url: `http://127.0.0.1:${port}/remote`,
    requests,
    events,
    close: async () => {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
