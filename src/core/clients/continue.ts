/**
 * Continue (its `cn` CLI and editor extensions): `mcpServers` in ~/.continue/config.yaml, a list of
 * named items (`- name: x`), each item one entry; remote headers under `requestOptions`.
 */
import { defineClient } from "./define-client.js";
import type { Remote } from "./types.js";
import { NO_EXPANSION } from "./variables.js";

const USER = { base: "home", path: [".continue", "config.yaml"], presentIfFile: true } as const;

/**
 * - An item is `name` with `command`, `args`, `env` (`type: stdio` optional), or `url` with
 *   `type: sse` or `streamable-http` and `requestOptions.headers`; `connectionTimeout`, `cwd`,
 *   `apiKey`, `faviconUrl` are Continue's.
 * - Its config.yaml needs `name` and `version` (cn refuses a file without them: "name: Required"),
 *   so mcp-twin writes only a config.yaml that exists: it never creates one.
 * - Its `.continue/mcpServers/*.yaml` blocks and `*.json` files are read as well; mcp-twin reads
 *   and writes the user config.yaml only.
 * - cn refuses to run headless when a server fails to load, and offers each loaded server's tools to
 *   its model: the judge, with a stand-in for the model's endpoint.
 */
export const continueDev = defineClient({
  id: "continue",
  name: "Continue",
  notice:
    "Continue joined Cursor on 2026-06-18 and 2.0.0 is its last release: mcp-twin still writes its config.yaml; for what comes next, Cursor (`--client cursor`).",
  files: { windows: USER, wsl: USER, macos: USER, linux: USER },
  createWhenNamed: [],
  format: "yaml",
  serversPath: ["mcpServers"],
  listKey: "name",
  entry: {
    stdio: (launch) => ({
      command: launch.command,
      args: launch.args,
      ...(Object.keys(launch.env).length > 0 ? { env: launch.env } : {}),
    }),
    remote: (remote) => remoteItem("streamable-http", remote),
    sse: (remote) => remoteItem("sse", remote),
  },
  keptKeys: ["connectionTimeout", "cwd", "apiKey", "faviconUrl", "serverName", "sourceFile", "sourceSlug"],
  variables: NO_EXPANSION,
  common: commonContinueEntry,
  app: "cli",
  processes: { windows: ["cn.exe"], posix: ["cn"] },
  judge:
    "`cn -p` with a stand-in model endpoint: it fails when a server does not load, and offers each loaded server's tools",
  docs: {
    file: "`~/.continue/config.yaml` (`%USERPROFILE%\\.continue\\config.yaml` on Windows), once it exists",
    shapes:
      "a list: `- name: x` with `command`, `args`, `env`; remote: `url`, `type: streamable-http` or `sse`, `requestOptions.headers`",
  },
  sources: [
    { fact: "config.yaml's mcpServers", url: "https://docs.continue.dev/reference#mcpservers" },
    {
      fact: "item shapes (mcpServerSchema)",
      url: "https://github.com/continuedev/continue/blob/main/packages/config-yaml/src/schemas/mcp/index.ts",
    },
    {
      fact: "cn's config.yaml and headers (configLoader, mcpTransports)",
      url: "https://github.com/continuedev/continue/blob/main/extensions/cli/src/configLoader.ts",
    },
    { fact: "judged with @continuedev/cli 1.5.47", url: "https://www.npmjs.com/package/@continuedev/cli" },
  ],
});

function remoteItem(type: string, remote: Remote): Record<string, unknown> {
  return {
    type,
    url: remote.url,
    ...(Object.keys(remote.headers).length > 0 ? { requestOptions: { headers: remote.headers } } : {}),
  };
}

/** Its item in the other clients' vocabulary: `requestOptions.headers` as `headers`, its type's names. */
function commonContinueEntry(e: Record<string, unknown>): Record<string, unknown> {
  const { requestOptions, type, ...rest } = e;
  const out: Record<string, unknown> = { ...rest };
  if (type === "sse") out.type = "sse";
  else if (type === "streamable-http") out.type = "http";
  else if (type !== undefined && type !== "stdio") out.type = type;
  const headers = (requestOptions as { headers?: unknown } | undefined)?.headers;
  if (headers !== undefined) out.headers = headers;
  return out;
}
