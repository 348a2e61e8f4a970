/**
 * One raw 2026-07-28 POST — the envelope in `_meta`, the standard headers, extra ones (`Mcp-Name`,
 * `Mcp-Param-*`) as given — and its answer as a client reads it off the wire (no SDK in between),
 * from a JSON body or the last event of a stream.
 */
let nextId = 1;

export async function rawModernPost(
  url: string,
  token: string,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers by their documented shape
): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: nextId++,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1" },
        },
      },
    }),
  });
  const text = await response.text();
  const data = (response.headers.get("content-type") ?? "").startsWith("text/event-stream")
    ? text
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .pop()
    : text;
  return { status: response.status, body: JSON.parse(data || "{}") };
}
