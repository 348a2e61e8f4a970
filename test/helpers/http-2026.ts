/**
 * A 2026-07-28-only MCP server over Streamable HTTP on SDK v2 (`createMcpHandler`, legacy
 * "reject": `initialize` gets -32022, GET and DELETE 405), on loopback, recording each request's
 * headers. Tools: echo {text}; region {region, level} (`region` mirrored as `Mcp-Param-Region`,
 * which the SDK checks against the body); slow {ms} (progress every 50 ms; says on stderr-like
 * `events` when cancelled); bump (adds a tool and says tools/list_changed); whoami (the
 * `Mcp-Twin-*` headers it got). An optional bearer token answers 401 without it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createMcpHandler, fromJsonSchema, McpServer } from "@modelcontextprotocol/server";
import * as z from "zod/v4";

export interface ModernServer {
  url: string;
  /** Every request's method, JSON-RPC method and headers (lower-case names), in order. */
  requests: Array<{ method: string; rpc?: string; headers: http.IncomingHttpHeaders }>;
  /** What happened inside: "cancelled slow", … */
  events: string[];
  close(): Promise<void>;
}

const text = (t: string) => ({ content: [{ type: "text" as const, text: t }] });

export async function startModernServer(options: { token?: string } = {}): Promise<ModernServer> {
  const requests: ModernServer["requests"] = [];
  const events: string[] = [];
  let added = 0;
  let notify: (() => void) | undefined;
  const build = ({ requestInfo }: { requestInfo?: Request }) => {
    const mcp = new McpServer(
      { name: "http-2026", version: "1.0.0" },
      { capabilities: { tools: { listChanged: true } } },
    );
    mcp.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, async ({ text: t }) =>
      text(`modern:${t}`),
    );
    mcp.registerTool(
      "region",
      {
        description: "its region argument travels as Mcp-Param-Region too",
        // x-mcp-header is an extension keyword: the JSON Schema type does not know it.
        inputSchema: fromJsonSchema<{ region?: string; level?: number }>({
          type: "object",
          properties: {
            region: { type: "string", "x-mcp-header": "Region" } as Record<string, unknown>,
            level: { type: "integer" },
          },
        }),
      },
      async (args) => text(`region=${args.region ?? "<none>"}`),
    );
    mcp.registerTool("slow", { inputSchema: z.object({ ms: z.number() }) }, async ({ ms }, ctx) => {
      const t0 = Date.now();
      const token = ctx.mcpReq._meta?.progressToken;
      let step = 0;
      while (Date.now() - t0 < ms) {
        if (ctx.mcpReq.signal.aborted) {
          events.push("cancelled slow");
          throw new Error("cancelled");
        }
        if (token !== undefined)
          await ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken: token, progress: ++step },
          });
        await new Promise((r) => setTimeout(r, 50));
      }
      return text(`slept ${ms}`);
    });
    mcp.registerTool("bump", {}, async () => {
      added++;
      notify?.();
      return text(`bumped ${added}`);
    });
    mcp.registerTool("whoami", {}, async () =>
      text(
        JSON.stringify({
          session: requestInfo?.headers.get("mcp-twin-session") ?? null,
          project: requestInfo?.headers.get("mcp-twin-project") ?? null,
        }),
      ),
    );
    for (let i = 1; i <= added; i++) mcp.registerTool(`extra${i}`, {}, async () => text(`extra${i}`));
    return mcp;
  };
  const handler = createMcpHandler(build, { legacy: "reject" });
  notify = () => handler.notify.toolsChanged();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let rpc: string | undefined;
    try {
      rpc = (JSON.parse(body) as { method?: string }).method;
    } catch {
      // not JSON
    }
    requests.push({ method: req.method ?? "", ...(rpc ? { rpc } : {}), headers: req.headers });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="modern"' }).end();
      return;
    }
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const method = req.method ?? "POST";
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      method,
      headers,
      ...(method === "POST" ? { body } : {}),
      signal: abort.signal,
    });
    const response = await handler.fetch(request);
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      out[k] = v;
    });
    res.writeHead(response.status, out);
    if (!response.body) return void res.end();
    const reader = response.body.getReader();
    res.once("close", () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
    } catch {
      // the client went away
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    events,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
