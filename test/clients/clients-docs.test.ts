/**
 * docs/clients.md's table and sources are the client modules' own (`npm run docs:clients` writes
 * them): the page must be what they give, every client cites where its facts come from, and the
 * README says how many clients there are and links the table.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { GENERATED } from "../../src/core/clients/clients-docs.js";
import { CLIENTS } from "../../src/core/clients/index.js";
import { entryKeys } from "../../src/core/formats/index.js";

const REPO = path.join(import.meta.dirname, "..", "..");

test("docs/clients.md is what `npm run docs:clients` writes", () => {
  for (const { file, apply } of GENERATED) {
    const text = readFileSync(path.join(REPO, file), "utf8");
    expect(apply(text), `${file} is stale: run \`npm run docs:clients\``).toBe(text);
  }
});

test("every client's row names it, its id and its sources, and each source is a URL", () => {
  const docs = readFileSync(path.join(REPO, "docs", "clients.md"), "utf8");
  for (const c of CLIENTS) {
    expect(docs).toContain(`| ${c.name} (\`${c.id}\`)`);
    expect(c.sources?.length, `${c.id} cites no source`).toBeGreaterThan(0);
    for (const s of c.sources ?? []) expect(s.url).toMatch(/^https:\/\/\S+$/);
    const line = docs.split("\n").find((l) => l.startsWith(`- ${c.name} (\`${c.id}\`): [`)) ?? "";
    for (const s of c.sources ?? []) expect(line, `${c.id} cites ${s.url}`).toContain(`](${s.url})`);
  }
});

test("every client's row states its own user file and entry shapes, not a default", () => {
  for (const c of CLIENTS) {
    expect(c.docs?.file, `${c.id} states no user file`).toBeTruthy();
    expect(c.docs?.shapes, `${c.id} states no entry shapes`).toBeTruthy();
  }
});

test("a client whose reader is stricter than JSONC is not shown as JSON(C)", () => {
  const docs = readFileSync(path.join(REPO, "docs", "clients.md"), "utf8");
  const row = (id: string) => docs.split("\n").find((l) => l.includes(`(\`${id}\`) `)) ?? "";
  expect(row("warp")).toContain("| JSON (no BOM), `mcpServers`:");
  expect(row("crush")).toContain("| JSON (no BOM), `mcp`:");
  expect(row("qwen-code")).toContain("| JSON with comments (no trailing comma), `mcpServers`:");
  expect(row("factory-droid")).toContain("| JSON with comments (no trailing comma, no BOM), `mcpServers`:");
  expect(row("augment")).toContain("| JSON(C) (no BOM), `mcpServers`:");
  expect(row("cursor")).toContain("| JSON(C), `mcpServers`:");
});

test("the table of kept fields names every field each client keeps, and the clients that keep none", () => {
  const docs = readFileSync(path.join(REPO, "docs", "clients.md"), "utf8");
  const start = docs.indexOf("## The fields mcp-twin owns, and the ones it keeps");
  const section = docs.slice(start, docs.indexOf("Any other key on an mcp-twin entry", start));
  const rows = section
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| client ") && !l.startsWith("| ---"))
    .map((l) => l.split("|").map((c) => c.trim()));
  const bare = (name: string) => name.replace(/ \(.*\)$/, "");
  for (const c of CLIENTS) {
    const row = rows.find((r) => (r[1] ?? "").split(", ").some((n) => bare(n) === bare(c.name)));
    expect(row, `${c.name} has no row in the table of kept fields`).toBeDefined();
    const keys = entryKeys(c).kept ?? [];
    if (keys.length === 0) expect(row?.[2]).toMatch(/^none/);
    for (const k of keys) expect(row?.[2], `${c.name}'s row leaves out ${k}`).toContain(`\`${k}\``);
    // Its tool-rule fields are mcp-twin's (sync writes and removes them), not fields it keeps.
    for (const k of c.toolBudget?.filter?.keys ?? [])
      expect(row?.[2], `${c.name}'s row says it keeps ${k}, where sync writes its tool rules`).not.toContain(
        `\`${k}\``,
      );
  }
});

test("docs/manifest.md's table of tool fields names each client's field, and where it has none, why", () => {
  const docs = readFileSync(path.join(REPO, "docs", "manifest.md"), "utf8");
  const start = docs.indexOf("<!-- generated: tool-fields");
  const table = docs.slice(start, docs.indexOf("<!-- /generated: tool-fields -->", start));
  const row = (name: string) => table.split("\n").find((l) => l.startsWith(`| ${name} `)) ?? "";
  expect(row("Roo Code")).toContain("| `disabledTools` (the names it leaves out)");
  expect(row("Goose")).toContain("| `available_tools` (the names it loads)");
  expect(row("Gemini CLI")).toContain("| `includeTools` / `excludeTools` (names)");
  expect(row("Amp")).toContain("none: its `includeTools` narrows only a skill's servers");
  for (const c of CLIENTS) {
    expect(table, `${c.name} is not in the table of tool fields`).toContain(c.name);
    for (const k of c.toolBudget?.filter?.keys ?? []) expect(row(c.name)).toContain(`\`${k}\``);
  }
});

test("the README says how many clients there are and links the table", () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  expect(readme).toContain(
    `Clients: ${CLIENTS.length} of them ([the table](docs/clients.md#the-clients-and-their-files))`,
  );
});
