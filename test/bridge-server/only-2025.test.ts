/**
 * An endpoint that serves 2025-11-25 only (no 2026-07-28 handler): a 2026-07-28 request gets 400
 * with -32022 saying so and what to do, and a negotiating client falls back to `initialize` on it.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { afterEach, expect, test } from "vitest";
import { listenHttp } from "../../src/bridge-server/http.js";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { cleanup, tempDir } from "./helpers.js";

afterEach(cleanup);

test("a 2026-07-28 request: 400, -32022 naming the revision served; a negotiating client falls back to initialize", async () => {
  const file = path.join(tempDir(), "token");
  writeFileSync(file, "tok\n");
  const bridge = await listenHttp({
    host: "127.0.0.1",
    port: 0,
    token: new TokenGuard(file, "tok"),
    endpoints: [
      {
        path: "/old",
        connect: async (transport) => {
          const server = new McpServer({ name: "old-only", version: "1" });
          await server.connect(transport);
          return { close: () => server.close() };
        },
      },
    ],
  });
  try {
    const url = `http://127.0.0.1:${bridge.port}/old`;
    const res = await fetch(url, {
      method: "POST",
      headers: {
        authorization: "Bearer tok",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "server/discover",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: {} }),
    });
    expect(res.status).toBe(400);
    // Under the request's id: it was read (JSON-RPC 2.0 answers null only when it could not be).
    expect(await res.json()).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: -32022,
        message:
          "Unsupported protocol version: this endpoint serves 2025-11-25 (and earlier), not 2026-07-28; connect with initialize",
      },
    });
    const client = new Client({ name: "auto", version: "1" }, { versionNegotiation: { mode: "auto" } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: "Bearer tok" } },
      }),
    );
    try {
      expect(client.getServerVersion()?.name).toBe("old-only");
    } finally {
      await client.close();
    }
  } finally {
    await bridge.close();
  }
});
