/**
 * A client's own list of its servers beside its user file (pure): every server the file holds is
 * one the client itself lists (`copilot mcp list`), or it does not read that entry.
 */

import { defineCheck } from "../check-def.js";
import type { ScopeItems } from "../facts.js";
import { count } from "../finding-words.js";
import type { Show } from "../path-style.js";
import { type Finding, finding } from "../types.js";

export const ownListChecks = [
  defineCheck({
    id: "config.own-list",
    scope: "config-file",
    doc: "the client's own list of its servers (GitHub Copilot CLI: `copilot mcp list`; Factory Droid: `droid mcp list`; where the program is on PATH where doctor runs) leaves out a server its user file holds: the client does not read that entry, or reads another file.",
    fix: "check that the client reads the file doctor names (Copilot: `$COPILOT_HOME` in your shell), and the entry against docs/clients.md.",
    run: (item, show) => ownList(item, show),
  }),
] as const;

function ownList({ config: f, ownList: list }: ScopeItems["config-file"], show: Show): Finding[] {
  if (!list || f.text === null || f.parseError) return [];
  const t = f.target;
  const where = { env: t.env.id, client: t.client.id, scope: t.scope };
  const shown = show.path(t.path);
  if (list.error !== undefined || !list.names)
    return [
      finding("warn", where, `\`${list.command}\` said nothing doctor can read (${list.error}).`, {
        fix: `Run \`${list.command.replace(/ --json$/, "")}\` yourself to see what ${t.client.name} says.`,
      }),
    ];
  const inFile = f.sets.flatMap((s) => Object.keys(s.entries));
  const listed = new Set(list.names);
  const missing = inFile.filter((name) => !listed.has(name));
  if (missing.length > 0)
    return [
      finding(
        "fail",
        where,
        `\`${list.command}\` does not list ${missing.join(", ")}, which ${shown} holds: ${t.client.name} does not read ${missing.length === 1 ? "that entry" : "those entries"}.`,
        {
          fix: `Check that ${t.client.name} reads ${shown} (a variable of your shell may move its file), and the entry against docs/clients.md.`,
        },
      ),
    ];
  return [
    finding(
      "pass",
      where,
      `\`${list.command}\` lists every server of ${shown} (${count(inFile.length, "server")}).`,
    ),
  ];
}
