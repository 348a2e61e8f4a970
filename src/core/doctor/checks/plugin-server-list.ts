/**
 * The servers a client's plugins and extensions provide (pure): each one named, with the plugin
 * that provides it and whether an mcp-twin entry of the file clashes with it in its client.
 */

import { defineCheck } from "../check-def.js";
import type { ScopeItems } from "../facts.js";
import type { Show } from "../path-style.js";
import { type Finding, finding } from "../types.js";

export const pluginServerChecks = [
  defineCheck({
    id: "config.plugin-server",
    scope: "config-file",
    doc: "a server one of the client's plugins or extensions provides (Claude Code plugins, Gemini CLI extensions, GitHub Copilot CLI plugins; not mcp-twin's, only read): named with its plugin (pass), or clashing with an mcp-twin entry of the file (warn: Claude Code drops a plugin's server that runs the same command or url, Gemini CLI lays the entry over an extension's server of its name, Copilot CLI runs a plugin's server and leaves out the entry of its name).",
    fix: "Keep one of the two: remove the server from the manifest (then `mcp-twin sync`), or disable the plugin.",
    run: (item, show) => pluginServers(item, show),
  }),
] as const;

function pluginServers({ config: f, plugins }: ScopeItems["config-file"], show: Show): Finding[] {
  const t = f.target;
  const where = { env: t.env.id, client: t.client.id, scope: t.scope };
  return (plugins ?? []).map((p) => {
    const from = `"${p.server}" comes from ${p.plugin}${p.project ? ` installed for ${show.path(p.project)}` : ""} (${show.path(p.file)})`;
    return p.shadow
      ? finding(
          "warn",
          where,
          `${from}; mcp-twin's entry "${p.shadow.server}" clashes with it: ${p.shadow.text}.`,
          {
            fix: "Keep one of the two: remove the server from the manifest (then `mcp-twin sync`), or disable the plugin.",
          },
        )
      : finding("pass", where, `${from}; no mcp-twin entry clashes with it.`);
  });
}
