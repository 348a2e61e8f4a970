// The floor of any Streamable HTTP server for bench/bridge.ts: node:http answering every POST at
// once with a fixed JSON-RPC answer (initialize, tools/list, and `echo` giving back its text), no
// MCP library, no checks. What is left of a call's time here is the SDK client's and the
// loopback's own cost, which every HTTP contender pays. A measuring stick, not a server.
// It answers a 2026-07-28 client too (server/discover, and results marked complete with the
// server's identity, as that revision's results are), so what that era costs the SDK's own client
// is measured on it alike.
// Prints the port on stdout once listening.
import http from "node:http";

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const m = JSON.parse(body);
    if (m.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const modern = m.params?._meta?.["io.modelcontextprotocol/protocolVersion"] === "2026-07-28";
    const answer =
      m.method === "initialize"
        ? {
            protocolVersion: m.params.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: "http-floor", version: "0" },
          }
        : m.method === "tools/list"
          ? { tools: [{ name: "echo", inputSchema: { type: "object" } }] }
          : m.method === "server/discover"
            ? { supportedVersions: ["2026-07-28"], capabilities: { tools: {} } }
            : { content: [{ type: "text", text: m.params?.arguments?.text ?? "" }] };
    const result = modern
      ? {
          ...answer,
          resultType: "complete",
          _meta: { "io.modelcontextprotocol/serverInfo": { name: "http-floor", version: "0" } },
        }
      : answer;
    const out = JSON.stringify({ jsonrpc: "2.0", id: m.id, result });
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(out),
      ...(modern ? {} : { "mcp-session-id": "floor" }),
    });
    res.end(out);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
