/**
 * A raw 2025-11-25 Streamable HTTP session, without an MCP library: initialize read, `initialized`
 * sent; then POSTs of any body (batches too, which the SDK's client does not send).
 */
import { expect } from "vitest";

type Answer = { id: number; result?: unknown; error?: { code: number; message: string } };

export interface RawSession {
  id: string;
  /** What each request of the session carries: the credential, the content types, its id. */
  headers: Record<string, string>;
  post(body: unknown, signal?: AbortSignal): Promise<{ status: number; answers: Answer[] }>;
}

/** A raw 2025-11-25 `initialize` POST with this token (the answer as it came, unread). */
export function rawInitialize(
  url: string,
  token: string,
  options: { protocolVersion?: string; client?: string } = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: baseHeaders(token),
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: options.protocolVersion ?? "2025-11-25",
        capabilities: {},
        clientInfo: { name: options.client ?? "raw", version: "1" },
      },
    }),
  });
}

const baseHeaders = (token: string) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
});

export async function rawSession(
  url: string,
  token: string,
  options: { protocolVersion?: string; client?: string } = {},
): Promise<RawSession> {
  const base = baseHeaders(token);
  const init = await rawInitialize(url, token, options);
  expect(init.status).toBe(200);
  await init.text();
  const id = init.headers.get("mcp-session-id") ?? "";
  const headers = { ...base, "mcp-session-id": id };
  const post = async (body: unknown, signal?: AbortSignal) => {
    const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal });
    const text = await res.text();
    return { status: res.status, answers: (text ? [JSON.parse(text)].flat() : []) as Answer[] };
  };
  const initialized = await post({ jsonrpc: "2.0", method: "notifications/initialized" });
  expect(initialized.status).toBe(202);
  return { id, headers, post };
}
