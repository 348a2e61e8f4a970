/**
 * Why adopt refuses an edit of a shared server's entry: that entry is the bridge's (its url, token and
 * project header, or the relay), derived by sync, so only the client's own fields on it can go into
 * the manifest. Pure.
 */
import type { BuiltEntry } from "../entries/target-entry.js";
import { UsageError } from "../errors.js";
import { entryHash } from "../ledger/state.js";
import { andList } from "../text/prose-lists.js";

export interface BridgedEntry {
  server: string;
  /** The entry's place as `--from` names it (`wsl:Ubuntu:cursor`). */
  where: string;
  /** Its client's file. */
  path: string;
  state: "drifted" | "foreign";
  /** What the file holds (the keys sync owns, without the client's own fields). */
  value: unknown;
  /** What sync writes there: the bridge's entry. */
  built: BuiltEntry;
}

/** The error for an entry whose launch part differs from the bridge's: exit 2, nothing written. */
export function bridgedRefusal(e: BridgedEntry): UsageError {
  const { server, built } = e;
  const form = !built.ok
    ? "what sync writes to reach the bridge"
    : built.gateway
      ? "the url entry to the bridge that sync writes"
      : "mcp-twin's relay to the bridge, which sync writes";
  const head = `${server} in ${e.where} (${e.path}) cannot be taken into the manifest: ${server} is shared, so its entry there is the bridge's (${form}), not how ${server} starts`;
  const diff = built.ok ? keysDiffering(e.value, built.value) : [];
  const manifest = `How ${server} starts is servers.${server} in the manifest: edit it there to change that.`;
  return e.state === "drifted"
    ? new UsageError(
        "cannot-adopt",
        `${head}; the manifest has no place for an edit of it${diff.length > 0 ? ` (${andList(diff)})` : ""}.`,
        {
          hint: `\`mcp-twin sync --force\` puts the bridge's entry back, or leave the edit: sync leaves it alone. ${manifest}`,
        },
      )
    : new UsageError(
        "cannot-adopt",
        `${head}; the manifest has no place for the entry written there instead.`,
        {
          hint: `\`mcp-twin sync --force\` replaces it with the bridge's entry (\`mcp-twin uninstall\` gives yours back), or leave it: sync leaves it alone. ${manifest}`,
        },
      );
}

/** The top-level keys that differ, in words: `"note" added`, `"url" changed` (names only, never a value). */
function keysDiffering(now: unknown, was: Readonly<Record<string, unknown>>): string[] {
  if (!now || typeof now !== "object" || Array.isArray(now)) return [];
  const is = now as Readonly<Record<string, unknown>>;
  const keys = [...new Set([...Object.keys(was), ...Object.keys(is)])];
  return keys.flatMap((k) => {
    const name = JSON.stringify(k);
    if (!Object.hasOwn(was, k)) return [`${name} added`];
    if (!Object.hasOwn(is, k)) return [`${name} removed`];
    return entryHash(was[k]) === entryHash(is[k]) ? [] : [`${name} changed`];
  });
}
