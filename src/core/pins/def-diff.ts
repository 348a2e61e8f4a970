/**
 * A tool's change as a word diff, one line per member that changed (`description: Echo
 * [-text-]{+words+} back`), hidden characters written as escapes: what sync, `tools --approve`
 * and doctor show before anyone approves it.
 */
import { diffWordsWithSpace } from "diff";
import { shown } from "./injection-scan.js";
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
