/**
 * What changes between the two protocol eras on the way through the gateway: the capabilities a
 * client is shown, a result's era-only members, the client's envelope, a 2026-only error in words.
 */
import { isCodeOf2026Only, RPC } from "../../core/jsonrpc/codes.js";
import {
  CLIENT_CAPABILITIES_KEY,
  CLIENT_INFO_KEY,
  LOG_LEVEL_KEY,
  VERSION_KEY,
} from "../../core/jsonrpc/envelope-headers.js";
import type { Era } from "../endpoint.js";
import type { CachedServer } from "./list-cache.js";
import type { Json } from "./wire-json.js";

/** The capabilities a client sees: the server's own, those the gateway forwards. */
export function capabilitiesOf(cached: CachedServer): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of ["tools", "prompts", "resources", "completions", "logging", "experimental"] as const)
    if (cached.capabilities[k]) out[k] = { ...cached.capabilities[k] };
  return out;
}

/**
 * A result as the session's era has it: 2025-11-25 has no `resultType` and no cache hints; a
 * 2026-07-28 list from a 2025-11-25 server gets the hints that are true of it (no promise: 0 ms,
 * and private, as it was read with this user's configuration).
 */
export function tidy(result: Json, era: Era, list: boolean): Json {
  const out = { ...result };
  if (era === "2025-11-25") {
    delete out.ttlMs;
    delete out.cacheScope;
    if (out.resultType === "complete") delete out.resultType;
  } else if (list && out.ttlMs === undefined) {
    out.ttlMs = 0;
    out.cacheScope = "private";
  }
  return out;
}

/**
 * A request's params as a server of era `to` takes them: to a 2026-07-28 one, the client's own
 * envelope (what it can do, what it wants logged, who it is), not the gateway's; to a 2025-11-25
 * one, none (the SDK's server lifts it off a request: such a server never sees it).
 */
export function withEnvelope(
  received: Json | undefined,
  client: { capabilities?: Json | undefined; level?: string | undefined; info?: Json | undefined },
  to: Era,
): Json {
  const params: Json = { ...received };
  const meta: Json = { ...(params._meta as Json | undefined) };
  if (to === "2026-07-28") {
    meta[VERSION_KEY] = "2026-07-28";
    if (client.capabilities) meta[CLIENT_CAPABILITIES_KEY] = client.capabilities;
    if (client.level) meta[LOG_LEVEL_KEY] = client.level;
    if (client.info) meta[CLIENT_INFO_KEY] = client.info;
  } else
    for (const key of [VERSION_KEY, CLIENT_INFO_KEY, CLIENT_CAPABILITIES_KEY, LOG_LEVEL_KEY])
      delete meta[key];
  if (Object.keys(meta).length > 0) params._meta = meta;
  else delete params._meta;
  return params;
}

/**
 * 2026-07-28's own error codes mean nothing to a 2025-11-25 client: said in words — a tool's
 * failure as its result, anything else as an internal error. undefined: the error stands as it is.
 */
export function in2025Terms(method: string, error: unknown): { result: Json } | { error: Json } | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "number" || !isCodeOf2026Only(code)) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (method === "tools/call")
    return { result: { content: [{ type: "text", text: message }], isError: true } };
  return { error: { code: RPC.internalError, message } };
}
