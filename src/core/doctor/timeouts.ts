/**
 * How long each client waits for a server to start (its `initialize` answer). Claude Code's is
 * documented (MCP_TIMEOUT, default 30 s); Gemini CLI takes an entry's `timeout`; the other clients
 * do not document theirs: 60 s is what they are seen to allow.
 */
import type { ClientId } from "../manifest/schema.js";

export const DOCUMENTED_TIMEOUTS: Partial<Record<ClientId, number>> = {
  "claude-code": 30_000,
  codex: 10_000,
};

export function clientStartupTimeoutMs(
  client: ClientId,
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
): number {
  if (client === "claude-code") {
    const v = Number(env.MCP_TIMEOUT);
    return Number.isFinite(v) && v > 0 ? v : 30_000;
  }
  if (client === "gemini-cli" && raw && typeof raw === "object") {
    const t = (raw as { timeout?: unknown }).timeout;
    if (typeof t === "number" && t > 0) return t;
  }
  return DOCUMENTED_TIMEOUTS[client] ?? 60_000;
}
