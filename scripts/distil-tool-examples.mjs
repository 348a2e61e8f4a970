#!/usr/bin/env node
// Writes src/core/tool-search/tool-examples.json: for each tool of the 26 captured tool lists
// (test/fixtures/tool-search/servers), the needs people wrote for it in the tune, report, dev and
// fresh sets. Never the held-out set (needs-fresh2.json): what search is measured on stays unseen
// (test/tool-search/tool-examples.test.ts holds both). `--check`: exit 1 if the file is not what
// the sets make. Each tool is kept under its name and its description's opening, as
// src/core/text-search/examples.ts's examplesKey reads it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const dir = path.join(repo, "test", "fixtures", "tool-search");
const out = path.join(repo, "src", "core", "tool-search", "tool-examples.json");
/** The sets the needs are taken from: every one but the held-out fresh2. */
const SETS = ["needs.json", "needs-dev.json", "needs-fresh.json"];
const OPENING = 80;

const tools = new Map();
for (const f of readdirSync(path.join(dir, "servers"))
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  const server = f.slice(0, -".json".length);
  for (const t of JSON.parse(readFileSync(path.join(dir, "servers", f), "utf8")).tools) {
    const opens =
      typeof t.description === "string" ? t.description.replace(/\s+/g, " ").trim().slice(0, OPENING) : "";
    tools.set(`${server}/${t.name}`, { name: t.name, opens, needs: [] });
  }
}
for (const set of SETS)
  for (const { need, want } of JSON.parse(readFileSync(path.join(dir, set), "utf8")).needs)
    for (const id of want) {
      const tool = tools.get(id);
      if (!tool) throw new Error(`${set}: "${need}" wants ${id}, which no captured list holds`);
      if (!tool.needs.includes(need)) tool.needs.push(need);
    }
// Two servers' tools of the same name and opening are one entry (their needs together).
const byKey = new Map();
for (const t of tools.values()) {
  if (t.needs.length === 0) continue;
  const key = `${t.name}\n${t.opens}`;
  const held = byKey.get(key);
  if (held) held.needs.push(...t.needs.filter((n) => !held.needs.includes(n)));
  else byKey.set(key, { ...t, needs: [...t.needs] });
}
const file = {
  about:
    "Needs people wrote in their own words for tools of 26 servers' captured lists (test/fixtures/tool-search), " +
    `from ${SETS.join(", ")}: never from the held-out needs-fresh2.json. A tool's needs apply only to a tool of ` +
    `that name whose description opens (its first ${OPENING} characters, spaces collapsed) with \`opens\`. ` +
    "Made by scripts/distil-tool-examples.mjs.",
  tools: [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.opens.localeCompare(b.opens)),
};
const text = `${JSON.stringify(file, null, 1)}\n`;
if (process.argv.includes("--check")) {
  let held = "";
  try {
    held = readFileSync(out, "utf8").replaceAll("\r\n", "\n");
  } catch {}
  if (held !== text) {
    process.stderr.write(
      `${path.relative(repo, out)} is not what the sets make: run node scripts/distil-tool-examples.mjs\n`,
    );
    process.exit(1);
  }
} else writeFileSync(out, text);
