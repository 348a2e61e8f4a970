/**
 * Cline's and Roo Code's (Zoo Code's) entries in the vocabulary of the other clients' entries, so
 * doctor, status and import read them as those apps do (pure).
 */
import type { EntryView } from "./types.js";

/** Cline's own keys of an entry (its schema's, beside the launch): kept, never imported. */
export const CLINE_OWN = [
  "disabled",
  "autoApprove",
  "timeout",
  "metadata",
  "oauth",
  "oauthClient",
  "remoteConfigured",
] as const;

/** Roo Code's and Zoo Code's own keys of an entry (BaseConfigSchema in their McpHub). */
export const ROO_OWN = ["disabled", "timeout", "alwaysAllow", "watchPaths", "disabledTools"] as const;

const CLINE_TYPES: Record<string, string> = { stdio: "stdio", sse: "sse", streamableHttp: "http" };
const CLINE_LEGACY: Record<string, string> = {
  stdio: "stdio",
  sse: "sse",
  http: "http",
  streamableHttp: "http",
};

/**
 * A Cline entry in the common vocabulary. Cline reads a nested `transport` (what its CLI writes) or
 * the flat form; its `type` is `stdio`, `sse` or `streamableHttp` (`transportType`, older, also
 * says `http`), and a url without either is SSE. Any other `type` fails Cline's schema, and then
 * Cline loads no server of the file (cline/cline@21cb8d25 apps/vscode/src/services/mcp/schemas.ts;
 * sdk/packages/core/src/extensions/mcp/config-loader.ts).
 */
export function clineKeys(raw: Record<string, unknown>, view?: EntryView): Record<string, unknown> {
  const nested = raw.transport;
  const flat: Record<string, unknown> =
    nested && typeof nested === "object" && !Array.isArray(nested)
      ? { ...(nested as Record<string, unknown>), ...withoutKey(raw, "transport") }
      : { ...raw };
  const { transportType, ...rest } = flat;
  const said = typeof rest.type === "string" ? rest.type : undefined;
  const type =
    said !== undefined
      ? CLINE_TYPES[said]
      : typeof transportType === "string"
        ? CLINE_LEGACY[transportType]
        : typeof rest.url === "string" && rest.command === undefined
          ? "sse"
          : undefined;
  if (said !== undefined && type === undefined)
    view?.problems.push(
      `"type": "${said}" is not one of Cline's ("stdio", "sse", "streamableHttp"): Cline then loads no server of this file`,
    );
  return { ...rest, ...(type ? { type } : {}) };
}

/** A Cline entry as the manifest would take it: the common vocabulary, Cline's own keys left out. */
export function commonClineEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const e = clineKeys(raw as Record<string, unknown>);
  const out = Object.fromEntries(
    Object.entries(e).filter(([k]) => k === "disabled" || !(CLINE_OWN as readonly string[]).includes(k)),
  );
  return out;
}

/**
 * A Roo Code (Zoo Code) entry in the common vocabulary: `streamable-http` is Streamable HTTP; a url
 * needs `type` (`sse` or `streamable-http`), and any other `type` fails its schema: that server is
 * not started, and a project file failing it loads none (RooCodeInc/Roo-Code@cb836567
 * src/services/mcp/McpHub.ts, initializeMcpServers).
 */
export function rooKeys(raw: Record<string, unknown>, view?: EntryView): Record<string, unknown> {
  const said = typeof raw.type === "string" ? raw.type : undefined;
  if (said === "streamable-http") return { ...raw, type: "http" };
  if (said === undefined && raw.url !== undefined && raw.command === undefined)
    view?.problems.push(
      `has a url but no "type", which Roo Code requires ("sse" or "streamable-http"): it does not start it, and in a project file loads none of the file's servers`,
    );
  if (said !== undefined && said !== "stdio" && said !== "sse")
    view?.problems.push(
      `"type": "${said}" is not one of Roo Code's ("stdio", "sse", "streamable-http"): it does not start it, and in a project file loads none of the file's servers`,
    );
  return raw;
}

/** A Roo Code (Zoo Code) entry as the manifest would take it: its own keys left out. */
export function commonRooEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const e = rooKeys(raw as Record<string, unknown>);
  return Object.fromEntries(
    Object.entries(e).filter(([k]) => k === "disabled" || !(ROO_OWN as readonly string[]).includes(k)),
  );
}

function withoutKey(e: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));
}
