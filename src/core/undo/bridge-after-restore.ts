/**
 * After a restore, what it did not put back of the bridge its entries reach: the bridge's process
 * (uninstall stopped it) and its start at logon (uninstall removed it), each with what brings it back.
 */
import { BRIDGE_URL } from "../bridge-control/bridge-entries.js";
import { CLIENTS } from "../clients/index.js";
import type { Machine } from "../environments/machine.js";
import { loadFormats, readTargetEntries } from "../formats/index.js";
import { loadState } from "../ledger/state.js";
import { own } from "../plain-records.js";
import { andList } from "../text/prose-lists.js";
import type { UndoResult } from "./undo-runner.js";

/** Lines to say (none when no url entry put back waits on a stopped bridge and its start at logon is as it was). */
export async function bridgeAfterRestore(
  machine: Machine,
  results: readonly UndoResult[],
): Promise<string[]> {
  const { urlEntries, relays } = await restoredBridgeEntries(results);
  if (urlEntries.length + relays.length === 0) return [];
  const { controlBridge } = await import("../bridge-control/control.js");
  const status =
    urlEntries.length > 0
      ? // A status that cannot be read says nothing either way: no line rather than a guess.
        await controlBridge(machine, "status", { log: () => {} }).catch(() => undefined)
      : undefined;
  const state = await loadState(machine.paths.state);
  const lines: string[] = [];
  // A relay starts the bridge on its first call; a url entry gets no answer until something does.
  if (status && !("manifestUnread" in status) && status.state !== "running") {
    const waits = [
      `${andList(urlEntries)} ${urlEntries.length === 1 ? "gets" : "get"} no answer until it runs`,
      ...(relays.length > 0
        ? [`${andList(relays)} ${relays.length === 1 ? "starts it on its" : "start it on their"} first call`]
        : []),
    ];
    lines.push(
      `The bridge is not running, and restore does not start it: ${waits.join("; ")}. \`mcp-twin bridge start\` starts it; \`mcp-twin sync\` starts it too.`,
    );
  }
  const removed = state.lastChange?.by === "uninstall" ? state.lastChange.retired?.autostart : undefined;
  if (removed && !state.autostart)
    lines.push(
      "The bridge no longer starts when you log in: uninstall removed that, and restore does not put it back. `mcp-twin sync` sets it up again.",
    );
  return lines;
}

/**
 * Of the entries a restore put back, those that reach the bridge ("<server> in <env> <client>"):
 * url entries to it (they start nothing) and relays to it (they start it on their first call),
 * read from each file's text after the write.
 */
async function restoredBridgeEntries(
  results: readonly UndoResult[],
): Promise<{ urlEntries: string[]; relays: string[] }> {
  const urlEntries: string[] = [];
  const relays: string[] = [];
  const back = results.filter((r) => r.restored.length > 0 || r.wholeFile !== undefined);
  await loadFormats(CLIENTS.filter((c) => back.some((r) => r.client === c.id)));
  for (const r of back) {
    const client = CLIENTS.find((c) => c.id === r.client);
    if (!client || !r.after) continue;
    let entries: Record<string, unknown>;
    try {
      entries = readTargetEntries({ client, serversPath: client.serversPath, file: r.path }, r.after);
    } catch {
      continue; // restore wrote it; a text that does not parse has its own line there
    }
    for (const name of r.wholeFile !== undefined ? Object.keys(entries) : r.restored) {
      const entry = own(entries, name) as { args?: unknown } | undefined;
      if (!entry || typeof entry !== "object") continue;
      const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
      const at = args.indexOf("connect");
      const where = `${name} in ${r.env} ${r.client}`;
      if (at >= 0 && BRIDGE_URL.test(args[at + 1] ?? "")) relays.push(where);
      else if (Object.values(entry).some((v) => typeof v === "string" && BRIDGE_URL.test(v)))
        urlEntries.push(where);
    }
  }
  return { urlEntries, relays };
}
