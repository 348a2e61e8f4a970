/**
 * People's needs for the tools the project has seen (src/core/tool-search/tool-examples.json): what
 * the sets make and never the held-out set, each pinned to its tool's name and opening, read at the
 * first search only, and a need in people's words finding the tool they meant by it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import type { ToolDef } from "../../src/core/entries/tool-lists.js";
import { type ExamplesFile, examplesKey, opening } from "../../src/core/text-search/examples.js";
import { ToolIndex } from "../../src/core/tool-search/tool-index.js";
import { devNeeds, fresh2Needs, freshNeeds, needs, servers, unseenServers } from "./needs.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const file: ExamplesFile = JSON.parse(
  readFileSync(new URL("../../src/core/tool-search/tool-examples.json", import.meta.url), "utf8"),
);
const everyTool = () => true;
const ids = (index: ToolIndex, q: string, limit = 5) =>
  index.search(q, limit, everyTool).map((f) => `${f.server}/${f.tool.name}`);
const withLists = (index: ToolIndex, change: (s: string, t: ToolDef) => ToolDef = (_, t) => t) => {
  for (const s of servers)
    index.put(
      s.name,
      s.tools.map((t) => change(s.name, t)),
    );
  return index;
};

test("the file is what scripts/distil-tool-examples.mjs makes from the sets, and holds no need of the held-out set", () => {
  execFileSync(process.execPath, ["scripts/distil-tool-examples.mjs", "--check"], { cwd: REPO });
  const held = new Set(file.tools.flatMap((t) => t.needs));
  const taught = [...needs, ...devNeeds, ...freshNeeds];
  expect(held.size).toBe(new Set(taught.map((n) => n.need)).size);
  expect(fresh2Needs.length).toBeGreaterThan(400);
  expect(fresh2Needs.filter((n) => held.has(n.need))).toEqual([]);
  for (const t of taught) expect(held.has(t.need), t.need).toBe(true);
});

test("every entry is pinned to a captured tool: its name, and its description's opening as examplesKey reads it", () => {
  const keys = new Set(servers.flatMap((s) => s.tools.map((t) => examplesKey(t.name, t.description))));
  expect(file.tools.length).toBeGreaterThan(300);
  for (const t of file.tools) {
    expect(keys.has(`${t.name}\n${t.opens}`), t.name).toBe(true);
    expect(opening(t.opens)).toBe(t.opens.trim());
  }
});

test("a need in people's words finds the tool they meant by it, where the tools' own words do not", () => {
  const shipped = withLists(new ToolIndex());
  const ownWords = withLists(new ToolIndex(undefined, undefined, undefined, () => undefined));
  const need = "let everyone in the channel know the deploy is done";
  expect(ids(shipped, need, 1)).toEqual(["slack/slack_post_message"]);
  expect(ids(ownWords, need, 1)).not.toEqual(["slack/slack_post_message"]);
  // What the name says is counted by the name, not again by people's needs: the word that tells
  // two tools apart decides.
  expect(ids(shipped, "nobody needs the scratch collection any more, get rid of it", 1)).toEqual([
    "mongodb/drop-collection",
  ]);
});

test("a tool that took a known tool's name but opens its description otherwise gets none of its needs", () => {
  const shipped = withLists(new ToolIndex());
  const ownWords = withLists(new ToolIndex(undefined, undefined, undefined, () => undefined));
  const post = "slack/slack_post_message";
  // The words only people's needs give it: each finds it first with them, not at all without.
  const told = (file.tools.find((t) => t.name === "slack_post_message")?.needs ?? [])
    .flatMap((n) => n.toLowerCase().split(/[^a-z]+/))
    .filter((w) => w.length > 3 && ids(shipped, w, 1)[0] === post && !ids(ownWords, w, 10).includes(post));
  expect(told.length).toBeGreaterThan(0);
  const reworded = withLists(new ToolIndex(), (server, t) =>
    server === "slack" && t.name === "slack_post_message"
      ? { ...t, description: `(v2) ${t.description}` }
      : t,
  );
  for (const w of told) expect(ids(reworded, w, 10), w).not.toContain(post);
});

test("a tool no examples file knows borrows what people asked of known tools named like it, never of one its name only shares a common word with", () => {
  const playwright = unseenServers.find((s) => s.name === "executeautomation-playwright");
  const of = (examples?: () => undefined) => {
    const index = new ToolIndex(undefined, undefined, undefined, examples);
    index.put("executeautomation-playwright", playwright?.tools ?? []);
    return index;
  };
  const shipped = of();
  const ownWords = of(() => undefined);
  const shot = "executeautomation-playwright/playwright_screenshot";
  // The words only what was asked of the known screenshot tools gives it: first with them, not at all without.
  const told = file.tools
    .filter((t) => /screenshot/i.test(t.name))
    .flatMap((t) => t.needs.flatMap((n) => n.toLowerCase().split(/[^a-z]+/)))
    .filter((w) => w.length > 3 && ids(shipped, w, 1)[0] === shot && !ids(ownWords, w, 10).includes(shot));
  expect(told.length).toBeGreaterThan(0);
  // Its click tool shares "playwright" with the known playwright server's tools, and no more: none of it.
  for (const w of told)
    expect(ids(shipped, w, 10), w).not.toContain("executeautomation-playwright/playwright_click");
});

test("the needs are read at the first search (or prepare), once, never by putting, listing or describing", () => {
  let reads = 0;
  const lazy = new ToolIndex(undefined, undefined, undefined, () => {
    reads++;
    return new Map([
      [
        examplesKey(
          "git_stash",
          servers.find((s) => s.name === "git")?.tools.find((t) => t.name === "git_stash")?.description,
        ),
        "shelve it",
      ],
    ]);
  });
  lazy.put("git", servers.find((s) => s.name === "git")?.tools ?? []);
  lazy.tools("git");
  const about = lazy.about("git", everyTool);
  expect(reads).toBe(0);
  // A tool put before the needs were read gets its own when they are.
  expect(ids(lazy, "shelve", 1)).toEqual(["git/git_stash"]);
  lazy.prepare();
  lazy.search("commit", 5, everyTool);
  expect(reads).toBe(1);
  // What search_tools says of each server is the same before the examples are read and after.
  expect(lazy.about("git", everyTool)).toBe(about);
});

test("search_tools' line of what each server is for is the same with the examples read as without", () => {
  const shipped = withLists(new ToolIndex());
  const ownWords = withLists(new ToolIndex(undefined, undefined, undefined, () => undefined));
  shipped.prepare();
  ownWords.prepare();
  const lines = (index: ToolIndex) => servers.map((s) => `${s.name}: ${index.about(s.name, everyTool)}`);
  expect(lines(shipped)).toEqual(lines(ownWords));
  expect(lines(shipped).join("\n")).toContain("git: ");
});
