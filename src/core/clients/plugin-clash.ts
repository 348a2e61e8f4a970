/**
 * Which plugin or extension server an mcp-twin entry clashes with in its client (pure): Claude Code
 * drops one that runs a configured command or url (anthropics/claude-code#31682), Gemini CLI lays an
 * entry over an extension's server of its name, Copilot CLI runs only the plugin's, Codex only the entry.
 */
import { readEntry } from "./entry-view.js";
import type { ClientId } from "./ids.js";
import type { PluginServer } from "./plugin-servers.js";

export interface PluginShadow {
  /** The mcp-twin entry's name. */
  server: string;
  plugin: string;
  pluginServer: string;
  why: "name" | "command" | "url" | "plugin-wins" | "entry-wins";
  /** The plugin is installed for this project folder only: the shadow is there. */
  project?: string;
}

/** What an entry runs, to compare: its command line, or its url. */
function launchKey(entry: unknown, client: ClientId): { command?: string; url?: string } {
  const view = readEntry(entry, client);
  if (view.kind === "stdio" && view.command) return { command: [view.command, ...view.args].join("\u0000") };
  if (view.kind === "remote" && view.url) return { url: view.url };
  return {};
}

export function pluginShadows(
  client: {
    id: ClientId;
    dropsPluginDuplicates?: true;
    pluginNameClash?: "plugin-wins" | "entry-wins";
    pluginServers?: unknown;
  },
  entries: Readonly<Record<string, unknown>>,
  plugins: readonly PluginServer[],
): PluginShadow[] {
  const out: PluginShadow[] = [];
  for (const [server, entry] of Object.entries(entries)) {
    const mine = launchKey(entry, client.id);
    for (const p of plugins) {
      const base = {
        server,
        plugin: p.plugin,
        pluginServer: p.name,
        ...(p.project ? { project: p.project } : {}),
      };
      if (client.dropsPluginDuplicates) {
        const theirs = launchKey(p.entry, client.id);
        if (mine.command !== undefined && mine.command === theirs.command)
          out.push({ ...base, why: "command" });
        else if (mine.url !== undefined && mine.url === theirs.url) out.push({ ...base, why: "url" });
      } else if (p.name === server) out.push({ ...base, why: client.pluginNameClash ?? "name" });
    }
  }
  return out;
}

/** The shadow in words: which plugin's server, and what the client does with it. */
export function shadowText(s: PluginShadow, clientName: string): string {
  const theirs = `${s.plugin}'s server "${s.pluginServer}"${s.project ? ` (installed for ${s.project})` : ""}`;
  if (s.why === "entry-wins")
    return `this entry has the name of ${theirs}: ${clientName} runs this entry and skips the plugin's server`;
  if (s.why === "plugin-wins")
    return `this entry has the name of ${theirs}: ${clientName} runs the plugin's server and leaves this entry out`;
  return s.why === "name"
    ? `this entry has the name of ${theirs}: ${clientName} lays the entry over it (the entry's keys win)`
    : `this entry runs the same ${s.why} as ${theirs}: ${clientName} drops the plugin's server without a word (anthropics/claude-code#31682)`;
}
