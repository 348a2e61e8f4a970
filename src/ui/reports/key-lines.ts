/**
 * Where the keys of the entries a sync wrote stay, said once by the run that writes them: in
 * mcp-twin's home for a shared server (those it moved there said so), in each client's entry for
 * one kept unshared (with `mcp-twin share` as the way home), or one the bridge cannot run.
 */
import type { SyncReport } from "../../core/sync/report.js";
import { andList } from "../../core/text/prose-lists.js";

export function keyLines(
  report: Pick<SyncReport, "keys" | "manifestScope">,
  dryRun: boolean,
): Array<{ warn: boolean; text: string }> {
  const { inEntry, moved, unhosted } = report.keys;
  const kept = report.keys.kept.filter((n) => !moved.includes(n));
  const lines: Array<{ warn: boolean; text: string }> = [];
  if (moved.length > 0) {
    const one = moved.length === 1;
    const are = dryRun ? "would now be" : one ? "is now" : "are now";
    const stay = dryRun ? "would stay" : one ? "stays" : "stay";
    lines.push({
      warn: false,
      text: `${moved.length} server${one ? "" : "s"} with ${one ? "a key" : "keys"} ${are} reached through the bridge (${andList(moved)}): ${one ? "its key" : "their keys"} ${stay} in mcp-twin's home, the bridge adding ${one ? "it" : "them"}. \`"share": "off"\` on a server in the manifest keeps its key in its entries.`,
    });
  }
  if (kept.length > 0) {
    const one = kept.length === 1;
    const it = one ? "it" : "them";
    const stay = dryRun ? "would stay" : one ? "stays" : "stay";
    lines.push({
      warn: false,
      text: `The key${one ? "" : "s"} of ${andList(kept)} ${stay} in mcp-twin's home: the bridge adds ${it} on the way out, so no client's file holds ${it}.`,
    });
  }
  // A project's manifest shares nothing (the bridge is the machine's), and its files get references.
  if (inEntry.length > 0 && report.manifestScope === "user") {
    const one = inEntry.length === 1;
    const it = one ? "it" : "them";
    const server = one ? inEntry[0] : "<server>";
    lines.push({
      warn: true,
      text: `${andList(inEntry)} ${one ? "is" : "are"} not shared: ${one ? "its key is" : "their keys are"} in each client's entry of ${it}. \`mcp-twin share ${server} machine\`, then \`mcp-twin sync\`, keeps ${it} in mcp-twin's home (the bridge adds ${it} on the way out).`,
    });
  }
  if (unhosted.length > 0) {
    const one = unhosted.length === 1;
    lines.push({
      warn: true,
      text: `${andList(unhosted)} ${one ? "is" : "are"} shared, but the bridge cannot run ${one ? "it" : "them"} (said above): ${one ? "its key is" : "their keys are"} in each client's entry of ${one ? "it" : "them"} until it can.`,
    });
  }
  return lines;
}
