/**
 * Warp (the terminal's agents): ~/.warp/.mcp.json (%USERPROFILE%\.warp on Windows), project
 * .warp/.mcp.json; one `url` key for HTTP and SSE. Facts: docs/clients.md#client-by-client (sources there).
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import type { VariableSyntax } from "./variables.js";

const FILE = { base: "home", path: [".warp", ".mcp.json"] } as const;

/**
 * Sources (warpdotdev/warp@19548ae): crates/warp_core/src/paths.rs (`warp_home_mcp_config_file_path`:
 * `<home>/.warp/.mcp.json` on every platform), app/src/ai/mcp/mod.rs (`MCPProvider`: its own file,
 * and the files it detects of Claude, Codex and `.agents`), app/src/ai/mcp/file_mcp_watcher.rs
 * (watched, reparsed on change; `${VAR}` substituted in the file's whole text), app/src/ai/mcp/
 * file_based_manager.rs (the user file's servers start by themselves; a project's only once
 * the person turns them on), crates/cloud_object_models/src/mcp.rs (`JSONTransportType`),
 * crates/mcp/src/runtime.rs (a url: Streamable HTTP, SSE when that answers 404 or 405).
 * - Servers are read from the first of `mcp.servers`, `servers`, `mcpServers`, `mcp_servers`
 *   present: a file that also has `servers` hides `mcpServers` from Warp.
 * - serde_json: strict JSON; a comment, a trailing comma or a byte-order mark fails the file.
 * - `${VAR}` is replaced in the raw text before parsing: unset or empty fails the whole file, and a
 *   value with a quote or a backslash breaks its JSON.
 * - Warp never writes the file (servers added in its settings live in its own store).
 * - Tool rules (issue 55): none in the file; no documented tool limit.
 */
export const warp = defineClient({
  id: "warp",
  name: "Warp",
  files: { windows: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  docs: {
    project: "`.warp/.mcp.json` (its servers start once turned on in Warp)",
    shapes: "`command`, `args`, `env`; remote (either transport): `url`, `headers`",
    variables: "`${VAR}`, replaced in the file's whole text (unset: the whole file fails)",
  },
  sources: [
    {
      fact: "`warp_home_mcp_config_file_path`: `<home>/.warp/.mcp.json` on every platform",
      url: "https://github.com/warpdotdev/warp/blob/19548aec6285e82b1a4cde526e7ec7e04513c248/crates/warp_core/src/paths.rs",
    },
    {
      fact: "`MCPProvider`: its own file, and the servers it detects in Claude's, Codex's and `.agents` files",
      url: "https://github.com/warpdotdev/warp/blob/19548aec6285e82b1a4cde526e7ec7e04513c248/app/src/ai/mcp/mod.rs",
    },
    {
      fact: "the file watched and reparsed on change; `${VAR}` replaced in its whole text; the first of `mcp.servers`, `servers`, `mcpServers`, `mcp_servers` is read",
      url: "https://github.com/warpdotdev/warp/blob/19548aec6285e82b1a4cde526e7ec7e04513c248/app/src/ai/mcp/file_mcp_watcher.rs",
    },
    {
      fact: "the entry shapes (`JSONTransportType`): `command`, `args`, `env`, `working_directory`; `url`, `headers`",
      url: "https://github.com/warpdotdev/warp/blob/19548aec6285e82b1a4cde526e7ec7e04513c248/crates/cloud_object_models/src/mcp.rs",
    },
    {
      fact: "a url: Streamable HTTP, SSE when that answers 404 or 405",
      url: "https://github.com/warpdotdev/warp/blob/19548aec6285e82b1a4cde526e7ec7e04513c248/crates/mcp/src/runtime.rs",
    },
    { fact: "MCP in Warp's agents", url: "https://docs.warp.dev/agents/capabilities/mcp" },
  ],
  // Its entry fields beside the launch: a stdio server's folder, and a description.
  keptKeys: ["working_directory", "description"],
  projectConfig: [".warp", ".mcp.json"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote),
    sse: (remote) => urlEntry(remote),
  },
  app: "editor",
  processes: { windows: ["warp.exe"], posix: ["warp-terminal", "stable"] },
  variables: wholeText(),
  reading: {
    strictJson: () => true,
    strictJsonDialect: { comments: false, bom: false },
  },
});

/** `${NAME}` replaced by the variable's value; unset or empty is a failure (of the whole file). */
function wholeText(): VariableSyntax {
  return {
    expand: (text, ctx, found) =>
      text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
        const v = ctx.vars(name);
        if (v === undefined || v === "") {
          found.unset.push(name);
          return whole;
        }
        return v;
      }),
  };
}
