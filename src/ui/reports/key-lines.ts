/**
 * Where the keys of the entries a sync wrote stay, said once by the run that writes them: in
 * mcp-twin's home for a shared server (the bridge adds its key on the way out), in each client's
 * entry for one the person keeps unshared — with `mcp-twin share` as the way to keep it home.
 */
import type { SyncReport } from "../../core/sync/report.js";
import { andList } from "../../core/text/prose-lists.js";

export function keyLines(
  report: Pick<SyncReport, "keys" | "manifestScope">,
  dryRun: boolean,
): Array<{ warn: boolean; text: string }> {
  const { kept, inEntry } = report.keys;
  const lines: Array<{ warn: boolean; text: string }> = [];
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
  return lines;
}
