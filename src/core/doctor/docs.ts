/**
 * docs/doctor.md's list of checks, each with its id, written from the registry (pure).
 * `npm run docs:doctor` writes them between their markers; test/doctor/all-checks.test.ts fails when
 * the page is not what this gives.
 */
import { CHECKS } from "./all-checks.js";
import type { CheckScope } from "./check-def.js";

const SCOPE_WORDS: Record<CheckScope, string> = {
  machine: "the whole machine",
  environment: "each environment",
  "manifest-server": "each manifest server",
  "config-file": "each client config file",
  entry: "each entry",
  "manifest-entry": "each manifest server in each client",
  probe: "each started server",
};

/** One bullet per check: `- \`id\` (runs on) — what it finds. **Fix:** what to do.` */
function checkListMarkdown(): string {
  return CHECKS.map((c) => {
    const fix = c.fix ? ` **Fix:** ${c.fix}` : "";
    return `- \`${c.id}\` (${SCOPE_WORDS[c.scope]}) — ${c.doc}${fix}`;
  }).join("\n");
}

/** Put `content` between `<!-- generated: name -->` and `<!-- /generated: name -->` in `text`. */
export function withGenerated(text: string, name: string, content: string): string {
  const start = `<!-- generated: ${name} (npm run docs:doctor) -->`;
  const end = `<!-- /generated: ${name} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`the markers of "${name}" are missing: ${start} … ${end}`);
  return `${text.slice(0, a + start.length)}\n${content}\n${text.slice(b)}`;
}

/** The files the registry writes into (docs/doctor.md alone), and what each should hold. */
export const GENERATED: ReadonlyArray<{ file: string; apply: (text: string) => string }> = [
  {
    file: "docs/doctor.md",
    apply: (t) => withGenerated(t, "checks", checkListMarkdown()),
  },
];
