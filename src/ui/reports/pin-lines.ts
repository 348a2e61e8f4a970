/**
 * What sync, `tools --approve` and doctor say of pinned tools: what was pinned, what an update
 * changed, and each change still waiting for the person — as a word diff, with every flag and
 * the words that raised it.
 */
import { changeBlock, changeSummary, plural, waitingLine } from "../../core/pins/def-diff.js";
import { FLAG_WORDS } from "../../core/pins/injection-scan.js";
import type { PinState } from "../../core/sync/pin-review.js";
import type { PinReport } from "../../core/sync/pin-tools.js";
import { andList } from "../../core/text/prose-lists.js";

type Marks = { ok: string; warn: string };

/** sync's lines about the pins: pinned now, an update's changes approved, changes waiting. */
export function pinLines(report: PinReport, mark: Marks): string[] {
  const lines: string[] = [];
  if (report.pinned.length > 0) {
    const tools = report.pinned.reduce((n, p) => n + p.tools, 0);
    lines.push(
      `${mark.ok} Pinned ${plural(tools, "tool")} of ${andList(report.pinned.map((p) => p.server))}, as each lists ${tools === 1 ? "it" : "them"} now: a tool that changes or comes later waits for your approval (\`mcp-twin tools --approve <server>\`).`,
    );
  }
  for (const u of report.updated) {
    const versions = u.from && u.to ? ` ${u.from} → ${u.to}` : "";
    lines.push(
      `${mark.ok} ${u.server}${versions}: ${changeSummary(u.changes)}, approved with the update you asked for:`,
    );
    lines.push(...changeBlock(u.changes));
  }
  for (const w of report.unapproved) {
    lines.push(`${mark.warn} ${waitingLine(w.server, w.held, w.changes)}`);
    lines.push(...changeBlock(w.changes));
  }
  if (report.toList)
    lines.push(
      `${mark.ok} Would start ${andList(report.toList)} to list and pin ${report.toList.length === 1 ? "its" : "their"} tools (a dry run starts nothing).`,
    );
  for (const u of report.unlisted ?? [])
    lines.push(
      `${mark.warn} ${u.server}: not pinned: its tools could not be listed (${u.why}); the next sync tries again.`,
    );
  return lines;
}

/** One server's pin state, as `mcp-twin tools` shows it: pinned or not, what waits, and every flag of its list. */
export function pinStateLines(s: PinState, mark: Marks): string[] {
  const lines: string[] = [];
  const waiting = s.changes.filter((c) => c.kind !== "removed");
  if (!s.pinned)
    lines.push(
      s.listed
        ? `  ${s.server}: not pinned yet — ${plural(s.changes.length, "tool")} listed; \`mcp-twin sync\` pins ${s.changes.length === 1 ? "it" : "them"} (those with words aimed at the model wait for \`mcp-twin tools --approve ${s.server}\`)`
        : `  ${s.server}: not pinned — never listed here yet`,
    );
  else if (waiting.length === 0)
    lines.push(
      `  ${mark.ok} ${s.server}: ${plural(s.pinned.tools, "tool")} as approved${s.pinned.version ? ` (${s.pinned.version})` : ""}, ${s.pinned.at.slice(0, 10)}${s.listed ? "" : " (not listed since: compared when it is)"}`,
    );
  else {
    lines.push(`  ${mark.warn} ${waitingLine(s.server, s.held, waiting)}`);
    lines.push(...changeBlock(waiting, "    "));
  }
  // Flags of tools approved as they are (a change's flags are under the change).
  const waitingNames = new Set(waiting.map((c) => c.tool));
  for (const { tool, flags } of s.flags)
    if (s.pinned && !waitingNames.has(tool))
      for (const f of flags)
        lines.push(`    ! ${tool} (approved) ${f.at}: ${FLAG_WORDS[f.rule]}: "${f.words}"`);
  return lines;
}

/** `tools --json`'s `pins`: each server's pin state. */
export function pinStatesJson(states: readonly PinState[]) {
  return states.map((s) => ({
    server: s.server,
    state: !s.pinned ? "unpinned" : s.changes.some((c) => c.kind !== "removed") ? "waiting" : "approved",
    held: s.held,
    ...(s.pinned ? { pinned: s.pinned } : {}),
    listed: s.listed,
    changes: s.changes,
    flags: s.flags,
  }));
}
