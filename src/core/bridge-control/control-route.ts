/**
 * One of the running bridge's control routes (`/control/*`), asked with the bridge token over a
 * connection proven first to reach this home's bridge (bridge-proof.ts), its JSON answer read.
 */
import { ProvenAgent } from "./bridge-proof.js";
import { nodeFetch } from "./keep-alive-fetch.js";

export type ControlAnswer = { ok: true; body: unknown } | { ok: false; status?: number; error: string };

/** `url`: the bridge's address (any path of it); `route`: after `/control/` (`reload`, `restart/x`). */
export async function controlRoute(
  url: string,
  token: string,
  request: { method: "GET" | "POST"; route: string; timeoutMs: number; body?: unknown },
): Promise<ControlAnswer> {
  const { method, route } = request;
  // The token goes only over a connection proven to reach this home's bridge.
  const agent = new ProvenAgent(() => token);
  try {
    const res = await nodeFetch(
      new URL(`/control/${route}`, url),
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      { agent },
    );
    const text = await res.text();
    if (!res.ok)
      return {
        ok: false,
        status: res.status,
        error: `${method} /control/${route} answered HTTP ${res.status}`,
      };
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      error: `${method} /control/${route}: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    agent.destroy();
  }
}
