/**
 * opencode: `mcp.<name>` in ~/.config/opencode/opencode.json (or .jsonc), JSON with comments;
 * `{env:VAR}` references, replaced in the file's text before it is read. Its entry shape is the
 * Kilo CLI's too (its fork).
 */

import { defineClient } from "./define-client.js";
import type { EntryShapes } from "./entry-shapes.js";
import type { Launch, Remote } from "./types.js";
import { OPENCODE } from "./variables.js";

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

const USER = {
  base: "xdg-config",
  path: ["opencode", "opencode.json"],
  alternatives: ["opencode.jsonc"],
  program: "opencode",
} as const;

/**
 * - It reads ~/.config/opencode (xdg-basedir's folder, the same on Windows), then `opencode.json`,
 *   `opencode.jsonc` or `.opencode/opencode.json` in the project and the folders above it.
 * - A `url` entry is tried as Streamable HTTP, then SSE: one entry for both.
 * - On its first run it may add `$schema` to the file: its own edit, not an entry's drift.
 */
export const opencode = defineClient({
  id: "opencode",
  name: "opencode",
  files: {
    windows: { ...USER, base: "home", path: [".config", ...USER.path] },
    wsl: USER,
    macos: USER,
    linux: USER,
  },
  serversPath: ["mcp"],
  projectConfig: ["opencode.json"],
  referenceStyle: (name) => `{env:${name}}`,
  entry: OPENCODE_SHAPES,
  keptKeys: OPENCODE_KEPT,
  variables: OPENCODE,
  common: commonOpencodeEntry,
  reading: { commonEntry: importedOpencodeEntry },
  app: "cli",
  processes: "opencode",
  // An entry's `timeout` (ms); its connect otherwise waits 30 s (1.18.33's bundle).
  startupSetting: { key: "timeout", unit: "ms" },
  startupTimeoutMs: (entry) => entryTimeout(entry) ?? 30_000,
  judge: "`opencode mcp list` (✓ connected / ✗ failed)",
  docs: {
    shapes:
      "`type: local` with `command` as one array and `environment`; `type: remote` with `url`, `headers`",
  },
  sources: [
    { fact: "config files and their order", url: "https://opencode.ai/docs/config/" },
    { fact: "entry shapes (McpLocalConfig, McpRemoteConfig)", url: "https://opencode.ai/docs/mcp-servers/" },
    { fact: "`{env:VAR}` substitution", url: "https://opencode.ai/docs/config/#variables" },
    {
      fact: "judged with opencode-ai 1.18.33 (`opencode mcp list`)",
      url: "https://www.npmjs.com/package/opencode-ai",
    },
  ],
});

export function entryTimeout(entry: unknown): number | undefined {
  const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
  return typeof t === "number" && t > 0 ? t : undefined;
}
