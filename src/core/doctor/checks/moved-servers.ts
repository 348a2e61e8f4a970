/**
 * Servers left in the older file a client moves into its user file when it starts (pure): Devin's
 * `config.json` `mcpServers` beside its `mcp_config.json`.
 */
import { defineCheck } from "../check-def.js";
import { finding } from "../types.js";

export const movedServersChecks = [
  defineCheck({
    id: "config.moved-servers",
    scope: "config-file",
    doc: "Devin for Terminal: servers still in the `mcpServers` of its `config.json`. Devin 3000.3 and later moves them into `mcp_config.json` (the file sync writes) when it starts; an older Devin reads only `config.json`, and none of the servers sync writes.",
    fix: "start Devin (3000.3 or later) once, which moves them, or update an older Devin; mcp-twin never edits `config.json` (`mcp-twin import` reads it).",
    run: ({ config: f }, show) => {
      const t = f.target;
      const moved = f.moved;
      if (!moved || f.readError !== undefined || f.parseError !== undefined) return [];
      const where = { env: t.env.id, client: t.client.id, scope: t.scope };
      if (moved.parseError)
        return [
          finding(
            "warn",
            where,
            `${show.text(moved.parseError, moved.path)} ${t.client.name} cannot read it.`,
            {
              fix: "Fix it at that line and column (mcp-twin never edits it).",
            },
          ),
        ];
      if (moved.servers.length === 0) return [];
      const here = new Set(f.sets.flatMap((s) => Object.keys(s.entries)));
      const both = moved.servers.filter((n) => here.has(n));
      const held = `${moved.servers.length === 1 ? "the server" : "the servers"} ${moved.servers.join(", ")}`;
      const inBoth =
        both.length === 0
          ? ""
          : ` (${both.join(", ")} ${both.length === 1 ? "is" : "are"} in ${show.path(t.path)} too: which one it keeps is not documented)`;
      return [
        {
          about: moved.servers,
          ...finding(
            "warn",
            where,
            `${show.path(moved.path)} still holds ${held} under mcpServers${inBoth}: ${t.client.name} 3000.3 and later moves ${moved.servers.length === 1 ? "it" : "them"} into ${show.path(t.path)} when it next starts; an older ${t.client.name} reads only ${show.path(moved.path)}, not the servers sync writes.`,
            {
              fix: `Start ${t.client.name} (3000.3 or later) once: it moves them itself. mcp-twin never edits ${show.path(moved.path)}; \`mcp-twin import\` reads it.`,
            },
          ),
        },
      ];
    },
  }),
] as const;
