/**
 * When and how the relay reads a 2026-07-28 server's tools again (pure): a call refused for its
 * `Mcp-Param-*` headers (400, -32020 HeaderMismatch), and the `tools/list` pages it sends itself.
 */
import { RPC } from "../jsonrpc/codes.js";
import { objectOr, VERSION_KEY } from "../jsonrpc/envelope-headers.js";

/** The pages of a list read again, at most (a cursor that never ends is not followed forever). */
export const MAX_LIST_PAGES = 32;
/** What of a request's `_meta` is its 2026-07-28 envelope (the rest, e.g. a progress token, is its own). */
const ENVELOPE = [
  VERSION_KEY,
  "io.modelcontextprotocol/clientCapabilities",
  "io.modelcontextprotocol/clientInfo",
] as const;

/**
 * Whether a refusal (its status and body) is a HeaderMismatch: 400 and a JSON-RPC error -32020,
 * on which a client SHOULD list the tools again and send the call again with the right headers.
 */
export function isHeaderMismatch(status: number, body: string): boolean {
  if (status !== 400) return false;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return false;
  }
  const message = objectOr(value);
  return message?.jsonrpc === "2.0" && objectOr(message.error)?.code === RPC.headerMismatch;
}

/**
 * The relay's own `tools/list` request (one page, after `cursor`) as one line: `id` is the relay's,
 * and the envelope is the refused call's (its revision, capabilities and client).
 */
export function listRequest(id: string, cursor: string | undefined, call: unknown): string {
  const meta = objectOr(objectOr(call)?._meta);
  const envelope: Record<string, unknown> = {};
  for (const key of ENVELOPE) if (meta?.[key] !== undefined) envelope[key] = meta[key];
  const params = cursor === undefined ? { _meta: envelope } : { cursor, _meta: envelope };
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list", params });
}
