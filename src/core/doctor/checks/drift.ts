/**
 * Drift (pure): for each manifest server meant for a target, what its entry's state (ownership.ts,
 * the rule sync plans with) means for the user: missing (fail: the client does not have it),
 * edited by hand (warn), out of date (warn), a same-named entry mcp-twin never wrote (warn).
 */

import { clientById } from "../../clients/index.js";
import { ownEntryClash } from "../../clients/own-entries.js";
import type { EntryClass } from "../../entries/ownership.js";
import type { BuiltEntry } from "../../entries/target-entry.js";
import { TOOLS_ENTRY, toolsNameHeld } from "../../manifest/tool-search.js";
import { defineCheck } from "../check-def.js";
import type { DriftItem } from "../facts.js";
import { SYNC_FIX } from "../finding-words.js";
import { type Finding, finding, type Where } from "../types.js";

export function checkDrift(
  where: Where,
  name: string,
  built: BuiltEntry,
  entry: EntryClass,
  oldPort?: number,
): Finding {
  const w = { ...where, server: name };
  switch (entry.state) {
    case "missing":
      if (!built.ok)
        return finding("fail", w, `not in this client, and sync cannot write it yet: ${built.reason}.`, {
          fix:
            built.code === "unresolved"
              ? "Set the missing secret (`mcp-twin secret set NAME`), then `mcp-twin sync`."
              : SYNC_FIX,
        });
      return finding("fail", w, "in the manifest but not in this client's config.", { fix: SYNC_FIX });
    case "drifted":
      return finding("warn", w, "edited by hand since mcp-twin wrote it; sync leaves it alone.", {
        fix: built.bridged
          ? `${name} is shared, so this entry is the bridge's and the manifest has no place for the edit: run \`mcp-twin sync --force\` to put the bridge's entry back, or leave it.`
          : `Run \`${adoptCommand(name, where)}\` to take the edit into the manifest (every client then gets it), or \`mcp-twin sync --force\` to put mcp-twin's entry back.`,
      });
    case "foreign":
      return finding("warn", w, "an entry mcp-twin did not write has this name; sync leaves it alone.", {
        fix: built.bridged
          ? `${name} is shared, so its entry here is the bridge's and the manifest has no place for this one: run \`mcp-twin sync --force\` to replace it with the bridge's entry, or leave it.`
          : `Run \`${adoptCommand(name, where)}\` to take it into the manifest, or \`mcp-twin sync --force\` to replace it with the manifest's.`,
      });
    case "stale":
      if (oldPort !== undefined)
        return finding(
          "warn",
          w,
          `out of date: it names the bridge's old port ${oldPort}; the bridge's port is another one now (shared.gateway says what holds ${oldPort}).`,
          { fix: "Run `mcp-twin sync`: it points the entry at the bridge's port." },
        );
      return finding(
        "warn",
        w,
        "out of date: the manifest or the installed package changed since the last sync.",
        { fix: SYNC_FIX },
      );
    case "synced":
      return finding("pass", w, "in sync with the manifest.");
  }
}

/** An entry of the person's holds the name `tools`: the client has no tools on demand (fail), with the fix. */
function toolsHeldFinding(where: Where, file: string): Finding {
  const client = where.client ? (clientById(where.client)?.name ?? where.client) : "this client";
  const { what, fix } = toolsNameHeld(client, file);
  return finding("fail", { ...where, server: TOOLS_ENTRY }, `${what}.`, {
    fix: `${fix.charAt(0).toUpperCase()}${fix.slice(1)}.`,
  });
}

/** The command that takes this entry into the manifest. */
function adoptCommand(name: string, where: Where): string {
  return `mcp-twin adopt ${name}${where.env && where.client ? ` --from ${where.env}:${where.client}` : ""}`;
}

export const driftChecks = [
  defineCheck({
    id: "drift.entry",
    scope: "manifest-entry",
    doc: "a manifest server's entry in a target: missing (fail), edited by hand (warn), out of date (warn), a same-named entry mcp-twin did not write (warn), a same-named entry of the client's own (warn: Goose's built-in `developer`; sync never touches it, even with --force), an entry of the person's named `tools` where toolSearch writes its one entry (fail: the client keeps an entry per server; rename it), in sync (pass); and a plugin's or extension's server it shadows in its client (warn: Claude Code drops a plugin's server that runs the same command or url).",
    fix: "`mcp-twin sync` for a missing or out-of-date one; for a hand edit or a same-named entry, `mcp-twin adopt <server> --from <env:client>` takes it into the manifest (every client then gets it) and `mcp-twin sync --force` puts the manifest's entry back. A shared server's entry is the bridge's: the manifest has no place for an edit of it, so there only `mcp-twin sync --force` (or leaving it) applies. A name the client's own entry holds: rename the server in the manifest.",
    run: (d: DriftItem) => [
      d.toolsHeld !== undefined
        ? toolsHeldFinding(d.where, d.toolsHeld)
        : d.clientOwn
          ? finding(
              "warn",
              { ...d.where, server: d.name },
              `${ownEntryClash(d.clientOwn.what, d.clientOwn.clientName)}.`,
              {
                fix: `Rename the server in the manifest, then \`mcp-twin sync\`.`,
              },
            )
          : checkDrift(d.where, d.name, d.built, d.entry, d.oldPort),
      // An entry that hides a plugin's server: never silent (Claude Code drops the plugin's).
      ...(d.shadows ?? []).map((text) =>
        finding("warn", { ...d.where, server: d.name }, `${text}.`, {
          fix: "Keep one of the two: remove the server from the manifest (then `mcp-twin sync`), or disable the plugin.",
        }),
      ),
    ],
  }),
] as const;
