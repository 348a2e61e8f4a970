/**
 * The user docs stay readable: the pages under docs/ (docs/dev/ aside) are at most 3,000 lines
 * together. Past that, a fact is said twice or a page carries what belongs in docs/dev/.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const DOCS = fileURLToPath(new URL("../../docs/", import.meta.url));
const MAX_USER_DOC_LINES = 3000;

/** Lines as `wc -l` counts them, and one more for a last line without its newline. */
function lineCount(text: string): number {
  const newlines = text.split("\n").length - 1;
  return text === "" || text.endsWith("\n") ? newlines : newlines + 1;
}

test(`the user docs (docs/*.md) are at most ${MAX_USER_DOC_LINES} lines together`, () => {
  const pages = readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => ({ page: `docs/${f}`, lines: lineCount(readFileSync(path.join(DOCS, f), "utf8")) }));
  expect(pages.length).toBeGreaterThan(10);
  const total = pages.reduce((sum, p) => sum + p.lines, 0);
  const counts = pages.map((p) => `${p.page} ${p.lines}`).join(", ");
  expect(total, `${total} lines: ${counts}`).toBeLessThanOrEqual(MAX_USER_DOC_LINES);
});

test("lines are counted as wc -l counts them", () => {
  expect(lineCount("")).toBe(0);
  expect(lineCount("a\nb\n")).toBe(2);
  expect(lineCount("a\nb")).toBe(2);
});
