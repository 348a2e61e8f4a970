/**
 * Claude Code: every environment. User scope lives in ~/.claude.json, a hot app-state file the CLI
 * rewrites often, so only `mcpServers` is touched and writes are compare-and-swap.
 */
import { anyExists, inHome } from "./locate.js";
import { type ClientModule, stdioWithoutEmptyEnv, withHeaders } from "./types.js";

/**
 * Project scope is `.mcp.json`, where values are `${VAR}` references. Entries always carry `type`:
 * an entry with `url` but no `type` is read as a broken stdio entry; `"type": "sse"` is the older
 * HTTP+SSE transport.
 */
export const claudeCode: ClientModule = {
  id: "claude-code",
  name: "Claude Code",
  kinds: ["windows", "wsl", "macos", "linux"],
  serversPath: ["mcpServers"],
  async userConfig(env) {
    const file = inHome(env, ".claude.json");
    let present = await anyExists(env, [file, inHome(env, ".claude")]);
    if (!present && env.findProgram) present = (await env.findProgram("claude")) !== undefined;
    return { path: file, present };
  },
  projectConfig: [".mcp.json"],
  referenceStyle: (name) => `\${${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch, { type: "stdio" }),
  remoteEntry: (remote) => withHeaders({ type: "http", url: remote.url }, remote.headers),
  sseEntry: (remote) => withHeaders({ type: "sse", url: remote.url }, remote.headers),
  restartToApply: false,
  newSessionToApply: true,
  gui: false,
  /** MCP_TIMEOUT (ms) in the environment it starts from; 30 s by default (its docs). */
  startupTimeoutMs(_entry, env) {
    const ms = Number(env.MCP_TIMEOUT);
    return Number.isFinite(ms) && ms > 0 ? ms : 30_000;
  },
  processNames: { windows: ["claude.exe"], posix: ["claude"] },
};
