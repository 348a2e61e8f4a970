/**
 * A measuring stick for bench/bridge.ts: a lean client of the echo tool with no MCP library, the same
 * code per call in both protocol eras — each call one POST over a keep-alive node:http connection,
 * its body the JSON a client sends (in 2026-07-28 with the `_meta` envelope and the
 * `Mcp-Method`/`Mcp-Name` headers; in 2025-11-25 after `initialize`, under the session's id), its
 * answer read whole and parsed (a JSON body, or the last event of a stream).
 *
 * Why it exists: the SDK's v2 client does more work of its own per call in 2026-07-28 than in
 * 2025-11-25 (its envelope, an AbortSignal.any per request, a cache probe for the tool's
 * definition), more than 5 % of a call's p50 by itself, so comparing that client's two eras
 * measures the client as much as the server. What is left between this client's two eras is what
 * each era puts on the wire, which bench/bridge.ts measures on its HTTP floor.
 */
import http from "node:http";

type Era = "2025-11-25" | "2026-07-28";

/** What bench/bridge.ts calls on a client: `callTool` and `close`, as the SDK's clients have them. */
export interface RawClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<{ content: unknown }>;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request over `agent` (a kept-alive connection, as a client's HTTP stack sends a session's
 * requests), its answer read whole.
 */
export function httpRequest(
  url: URL,
  agent: http.Agent,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers:
          body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const post = (agent: http.Agent, url: URL, headers: Record<string, string>, body: string) =>
  httpRequest(url, agent, "POST", headers, body);

/** The JSON-RPC message of an answer: the body, or the last `data:` line of an event stream. */
function message(answer: Answer): { result?: { content: unknown }; error?: { message: string } } {
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  if (!(answer.headers["content-type"] ?? "").startsWith("text/event-stream")) return JSON.parse(answer.body);
  const data = answer.body.split("\n").filter((l) => l.startsWith("data: "));
  return JSON.parse(data[data.length - 1]!.slice(6));
}

export async function rawClient(url: string, token: string, era: Era): Promise<RawClient> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true });
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": era,
  };
  const envelope =
    era === "2026-07-28"
      ? {
          "io.modelcontextprotocol/protocolVersion": era,
          "io.modelcontextprotocol/clientInfo": { name: "bench", version: "0" },
          "io.modelcontextprotocol/clientCapabilities": {},
        }
      : undefined;
  let id = 0;
  if (era === "2025-11-25") {
    const init = await post(
      agent,
      target,
      headers,
      JSON.stringify({
        jsonrpc: "2.0",
        id: id++,
        method: "initialize",
        params: { protocolVersion: era, capabilities: {}, clientInfo: { name: "bench", version: "0" } },
      }),
    );
    message(init);
    const session = init.headers["mcp-session-id"];
    if (typeof session !== "string") throw new Error("initialize answered without a session id");
    headers["mcp-session-id"] = session;
    const initialized = await post(
      agent,
      target,
      headers,
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    );
    if (initialized.status !== 202) throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  }
  return {
    async callTool(params) {
      const callHeaders =
        era === "2026-07-28" ? { ...headers, "mcp-method": "tools/call", "mcp-name": params.name } : headers;
      const body = JSON.stringify({
        jsonrpc: "2.0",
        id: id++,
        method: "tools/call",
        params: envelope ? { ...params, _meta: envelope } : params,
      });
      const answer = message(await post(agent, target, callHeaders, body));
      if (!answer.result) throw new Error(`tools/call: ${answer.error?.message ?? "no result"}`);
      return answer.result;
    },
    async close() {
      agent.destroy();
    },
  };
}
