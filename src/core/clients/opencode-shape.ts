/**
 * The entry shape of opencode and of the Kilo CLI (its fork): `mcp.<name>` with `type: local`, the
 * command as one array and `environment`, or `type: remote` with `url` and `headers` (pure).
 */
import type { EntryShapes } from "./define-client.js";
import type { Launch, Remote } from "./types.js";

/** Its own fields of an entry beside the launch (1.18.33's McpLocalConfig and McpRemoteConfig). */
export const OPENCODE_KEPT = ["enabled", "timeout", "cwd", "oauth"];

export const OPENCODE_SHAPES: EntryShapes = {
  stdio: (launch: Launch) => ({
    type: "local",
    command: [launch.command, ...launch.args],
    ...(Object.keys(launch.env).length > 0 ? { environment: launch.env } : {}),
  }),
  // One key for both transports: it tries Streamable HTTP, then SSE.
  remote: (remote: Remote) => remoteShape(remote),
  sse: (remote: Remote) => remoteShape(remote),
};

function remoteShape(remote: Remote): Record<string, unknown> {
  return {
    type: "remote",
    url: remote.url,
    ...(Object.keys(remote.headers).length > 0 ? { headers: remote.headers } : {}),
  };
}

/**
 * Its entry in the other clients' vocabulary: the command array split into `command` and `args`,
 * `environment` as `env`, `enabled: false` as disabled, `{env:NAME}` as `${NAME}`; its own keys out.
 */
export function commonOpencodeEntry(e: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.type === "local") {
    const line = Array.isArray(e.command) ? e.command : [];
    const [command, ...args] = line;
    out.command = typeof command === "string" ? command : undefined;
    out.args = args;
    if (e.environment !== undefined) out.env = e.environment;
  } else if (e.type === "remote") {
    out.url = e.url;
    if (e.headers !== undefined) out.headers = e.headers;
  } else out.type = e.type;
  if (e.enabled === false) out.disabled = true;
  return out;
}

/** The same, with opencode's `{env:NAME}` as the `${NAME}` import reads (import only). */
export function importedOpencodeEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const common = commonOpencodeEntry(raw as Record<string, unknown>);
  return JSON.parse(JSON.stringify(common).replace(/\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, "${$1}"));
}
