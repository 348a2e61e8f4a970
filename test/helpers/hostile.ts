/**
 * A hostile listener on loopback that records every byte it receives: it plays this home's bridge
 * (a 401 with the bridge's realm, or an MCP server naming itself mcp-twin-bridge), forwards every
 * byte to another port (a TCP proxy in front of the real bridge), or answers without end (an
 * endless JSON body, an endless SSE line) — what the token-safety and bounded-message tests need.
 */
import http from "node:http";
import net from "node:net";

export type HostileMode =
  /** 401 with `WWW-Authenticate: Bearer realm="mcp-twin"`, as the bridge answers without a token. */
  | "bridge-401"
  /** 200 to everything: an initialize result naming itself mcp-twin-bridge (JSON). */
  | "fake-bridge"
  /** 401 with an OAuth challenge (RFC 9728's resource_metadata), as a protected remote answers. */
  | "oauth-401"
  /** A JSON body that never ends (bytes of one string, until the client goes). */
  | "endless-json"
  /** An SSE answer whose one data line never ends. */
  | "endless-sse";

export interface Hostile {
  port: number;
  url: string;
  /** Everything received, as text (all connections). */
  received(): string;
  connections(): number;
  close(): Promise<void>;
}

const INIT_RESULT = {
  protocolVersion: "2025-06-18",
  capabilities: { tools: {} },
  serverInfo: { name: "mcp-twin-bridge", version: "9.9.9" },
};

function answer(mode: HostileMode, req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  if (mode === "bridge-401") {
    res.writeHead(401, { "www-authenticate": 'Bearer realm="mcp-twin"', "content-type": "application/json" });
    res.end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Unauthorized"},"id":null}');
    return;
  }
  if (mode === "oauth-401") {
    const meta = `http://${req.headers.host}/.well-known/oauth-protected-resource`;
    res.writeHead(401, { "www-authenticate": `Bearer resource_metadata="${meta}"` }).end();
    return;
  }
  let id: unknown = null;
  try {
    id = (JSON.parse(body) as { id?: unknown }).id ?? null;
  } catch {
    // not JSON: id null
  }
  if (mode === "fake-bridge") {
    if (req.method !== "POST" || id === null) {
      res.writeHead(202).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "hostile" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id, result: INIT_RESULT }));
    return;
  }
  const sse = mode === "endless-sse";
  res.writeHead(200, { "content-type": sse ? "text/event-stream" : "application/json" });
  res.write(
    sse
      ? 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"x":"'
      : '{"jsonrpc":"2.0","id":1,"result":{"x":"',
  );
  const chunk = "x".repeat(64 * 1024);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
}

export async function startHostile(mode: HostileMode, port = 0): Promise<Hostile> {
  let raw = "";
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => answer(mode, req, res, body));
  });
  server.on("connection", (socket) => {
    connections++;
    socket.on("data", (c: Buffer) => {
      if (raw.length < 1_000_000) raw += c.toString("latin1");
    });
  });
  // A port another process holds is the caller's to handle (EADDRINUSE), not an uncaught error.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}/mcp`,
    received: () => raw,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A TCP proxy on loopback to `target`, recording what passes from the client. */
export async function startProxy(target: number): Promise<Hostile> {
  let raw = "";
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.on("data", (c: Buffer) => {
      if (raw.length < 1_000_000) raw += c.toString("latin1");
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    received: () => raw,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
