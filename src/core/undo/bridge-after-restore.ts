/**
 * After a restore, what it did not put back of the bridge its entries reach: the bridge's process
 * (uninstall stopped it) and its start at logon (uninstall removed it), each with what brings it back.
 */
import { restoredBridgeEntries } from "../bridge-control/bridge-entries.js";
import type { Machine } from "../environments/machine.js";
import { loadState } from "../ledger/state.js";
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
      ? await controlBridge(machine, "status", { log: () => {} }).catch(() => undefined)
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
