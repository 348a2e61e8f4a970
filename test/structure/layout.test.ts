/**
 * The layout a newcomer reads is the tree as it is: docs/dev/layout.md is generated from the header
 * comments of src/ (every module has one, of at most three lines), every file and folder the
 * Layout paragraph of docs/dev/architecture.md names exists, every folder of src/ is named there,
 * and each "where is the rule for X" answer is one file that exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  filesWithoutHeader,
  headerLines,
  headerSentence,
  layoutMarkdown,
  longHeaders,
} from "../../scripts/layout.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARCHITECTURE = readFileSync(path.join(ROOT, "docs/dev/architecture.md"), "utf8");

/** architecture.md's "Layout: …" paragraph and its list (up to the "Where is the rule for" table). */
function layoutParagraph(): string {
  const start = ARCHITECTURE.indexOf("\nLayout: ");
  expect(start, "docs/dev/architecture.md has a paragraph starting with 'Layout: '").toBeGreaterThan(0);
  const end = ARCHITECTURE.indexOf("\nWhere is the rule for", start);
  expect(end, "the Layout paragraph is followed by the 'Where is the rule for' table").toBeGreaterThan(start);
  return ARCHITECTURE.slice(start, end);
}

function folders(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => [`${dir}/${e.name}`, ...folders(`${dir}/${e.name}`)]);
}

describe("the layout", () => {
  test("every module under src/ has a header comment (docs/dev/layout.md is made of them)", () => {
    expect(filesWithoutHeader(ROOT)).toEqual([]);
  });

  test("every header says the file's job and why in at most three lines (details go where they apply)", () => {
    expect(longHeaders(ROOT, 3)).toEqual([]);
    expect(headerLines("/** One line. */\nexport {}")).toBe(1);
    expect(headerLines("/**\n * One.\n * Two.\n *\n * Four.\n */\nexport {}")).toBe(4);
    expect(headerLines("export {}")).toBe(0);
  });

  test("docs/dev/layout.md is what `npm run docs:layout` writes", () => {
    const text = readFileSync(path.join(ROOT, "docs/dev/layout.md"), "utf8");
    expect(layoutMarkdown(ROOT), "docs/dev/layout.md is stale: run `npm run docs:layout`").toBe(text);
  });

  test("the first sentence is the header's, not the whole comment", () => {
    expect(headerSentence("/**\n * One job. And more words.\n */\nexport {}")).toBe("One job.");
    expect(headerSentence("/** Uses e.g. a map: fine. Next. */")).toBe("Uses e.g. a map: fine.");
    expect(headerSentence("// a line comment\nexport {}")).toBeUndefined();
  });

  test("every path the Layout paragraph of architecture.md names exists", () => {
    const named = [...layoutParagraph().matchAll(/`([^`\s]+(?:\/|\.ts|\.js))`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  test("every folder of src/ is named in the Layout paragraph of architecture.md", () => {
    const text = layoutParagraph();
    const unnamed = folders("src").filter((dir) => !text.includes(`\`${dir}/\``));
    expect(unnamed).toEqual([]);
  });

  test('each "where is the rule for X" answer is one file that exists', () => {
    const start = ARCHITECTURE.indexOf("Where is the rule for");
    expect(start, "docs/dev/architecture.md has the 'Where is the rule for' table").toBeGreaterThan(0);
    const rows = ARCHITECTURE.slice(start, ARCHITECTURE.indexOf("\n\n", ARCHITECTURE.indexOf("| ---", start)))
      .split("\n")
      .filter((l) => l.startsWith("| ") && !l.startsWith("| ---") && !l.startsWith("| the rule"));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      const files = [...row.split("|")[2]!.matchAll(/`(src\/[^`]+)`/g)].map((m) => m[1]!);
      expect(files, row).toHaveLength(1);
      expect(existsSync(path.join(ROOT, files[0]!)), row).toBe(true);
    }
  });
});
