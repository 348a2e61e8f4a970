/**
 * One raw 2026-07-28 POST — the envelope in `_meta`, the standard headers, extra ones (`Mcp-Name`,
 * `Mcp-Param-*`) as given — and its answer as a client reads it off the wire (no SDK in between),
 * from a JSON body or the last event of a stream (or all of them, with postModern).
 */
let nextId = 1;

// biome-ignore lint/suspicious/noExplicitAny: tests read answers by their documented shape
type Message = Record<string, any>;

/**
 * One 2026-07-28 POST of a body as given (its text, so `__proto__` keys travel as JSON), with the
 * standard headers and `headers`: its status and every message of the answer, in order.
 */
export async function postModern(
  url: string,
  token: string,
  method: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; messages: Message[] }> {
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
    body,
  });
  const text = await response.text();
  const messages = (response.headers.get("content-type") ?? "").startsWith("text/event-stream")
    ? text
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => JSON.parse(l.slice(6)) as Message)
    : text
      ? [JSON.parse(text) as Message]
      : [];
  return { status: response.status, messages };
}

export async function rawModernPost(
  url: string,
  token: string,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Message }> {
  const body = JSON.stringify({
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
  });
  const { status, messages } = await postModern(url, token, method, body, headers);
  return { status, body: messages.at(-1) ?? {} };
}
