/**
 * A tool's change in words: a word diff, one line per member that changed (`description: Echo
 * [-text-]{+words+} back`), hidden characters escaped, each flag with its words — what sync,
 * `tools --approve` and doctor show before anyone approves it.
 */
import { diffWordsWithSpace } from "diff";
import { FLAG_WORDS, shown } from "./injection-scan.js";
import type { ToolChange } from "./pin-changes.js";
import type { PinnedDef } from "./tool-pin.js";

/** A member as one line of text: a string as it is, anything else as compact JSON. */
const text = (value: unknown) => shown(typeof value === "string" ? value : (JSON.stringify(value) ?? ""));

/** The members of `before` and `after` that differ, each as `member: ` and its words, `[-gone-]{+added+}`. */
export function defDiff(before: PinnedDef | undefined, after: PinnedDef | undefined): string[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const lines: string[] = [];
  for (const key of keys) {
    const was = (before as Record<string, unknown> | undefined)?.[key];
    const now = (after as Record<string, unknown> | undefined)?.[key];
    const a = was === undefined ? "" : text(was);
    const b = now === undefined ? "" : text(now);
    if (a === b) continue;
    const words = diffWordsWithSpace(a, b)
      .map((part) => (part.added ? `{+${part.value}+}` : part.removed ? `[-${part.value}-]` : part.value))
      .join("");
    lines.push(`${key}: ${words.replace(/\s*\n\s*/g, " ")}`);
  }
  return lines;
}

/** One change in words, its diff after it (a removed tool has none). */
export function changeLines(change: ToolChange): string[] {
  if (change.kind === "removed") return [`${change.tool}: removed`];
  const head = `${change.tool}: ${change.kind === "new" ? "new" : "changed"}`;
  return [head, ...defDiff(change.before, change.after).map((line) => `  ${line}`)];
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Each change as its word diff, then each flag with the words that raised it (indented under a heading). */
export function changeBlock(changes: readonly ToolChange[], indent = "  "): string[] {
  const lines: string[] = [];
  for (const change of changes) {
    lines.push(...changeLines(change).map((line) => `${indent}${line}`));
    for (const f of change.flags) lines.push(`${indent}  ! ${f.at}: ${FLAG_WORDS[f.rule]}: "${f.words}"`);
  }
  return lines;
}

/** What is waiting in a server's changes, in a few words: "1 changed, 1 new (1 with words aimed at the model)". */
export function changeSummary(changes: readonly ToolChange[]): string {
  const count = (kind: ToolChange["kind"]) => changes.filter((c) => c.kind === kind).length;
  const parts = [
    count("changed") > 0 ? `${count("changed")} changed` : "",
    count("new") > 0 ? `${count("new")} new` : "",
    count("removed") > 0 ? `${count("removed")} removed` : "",
  ].filter(Boolean);
  const flagged = changes.filter((c) => c.flags.length > 0).length;
  const words = flagged > 0 ? ` (${plural(flagged, "tool")} with words aimed at the model)` : "";
  return `${parts.join(", ")}${words}`;
}

/** The line that says one server's changes wait for the person, and what holds them meanwhile. */
export function waitingLine(server: string, held: boolean, changes: readonly ToolChange[]): string {
  const what = `${server}: ${plural(changes.length, "tool")} not approved — ${changeSummary(changes)}`;
  return held
    ? `${what}; held back from every client until you approve ${changes.length === 1 ? "it" : "them"}: \`mcp-twin tools --approve ${server}\``
    : `${what}; its clients start it themselves, so nothing holds ${changes.length === 1 ? "it" : "them"} back: read the change, then approve it (\`mcp-twin tools --approve ${server}\`) or remove the server (\`mcp-twin remove ${server}\`)`;
}
