/**
 * The tool index (core/tool-search): found by what people ask, in their words, over the catalogue
 * servers' real tools; `select:` and exact names first; a tool the client does not get never found.
 */
import { expect, test } from "vitest";
import { type Admits, ToolIndex } from "../../src/core/tool-search/tool-index.js";
import { catalogue, queries } from "./catalogue.js";

const everyTool: Admits = () => true;

function full(): ToolIndex {
  const index = new ToolIndex();
  for (const [server, { tools }] of Object.entries(catalogue)) index.put(server, tools);
  return index;
}

const ids = (index: ToolIndex, q: string, admits = everyTool, limit = 5) =>
  index.search(q, limit, admits).map((f) => `${f.server}/${f.tool.name}`);

test(`the wanted tool is in the top 5 for at least 90 % of ${queries.length} queries in people's words`, () => {
  const index = full();
  const missed = queries.filter(({ q, want }) => !ids(index, q).some((id) => want.includes(id)));
  const share = 1 - missed.length / queries.length;
  expect(queries.length).toBeGreaterThanOrEqual(40);
  expect(share, `missed: ${missed.map((m) => m.q).join("; ")}`).toBeGreaterThanOrEqual(0.9);
});

test("select: gives those tools in that order; an exact name comes first", () => {
  const index = full();
  expect(ids(index, "select:github/get_me, fetch/fetch,nope/x")).toEqual(["github/get_me", "fetch/fetch"]);
  expect(ids(index, "memory/search_nodes")[0]).toBe("memory/search_nodes");
  expect(ids(index, "read_graph")[0]).toBe("memory/read_graph");
  expect(ids(index, "web", everyTool, 2)).toHaveLength(2);
});

test("a tool the client does not get is neither ranked, selected nor named", () => {
  const index = full();
  const denied = (server: string, tool: string) =>
    !(server === "playwright" && tool === "browser_take_screenshot");
  expect(ids(index, "take a screenshot of the page", denied, 10)).not.toContain(
    "playwright/browser_take_screenshot",
  );
  expect(ids(index, "select:playwright/browser_take_screenshot", denied)).toEqual([]);
  expect(ids(index, "browser_take_screenshot", denied, 10)).not.toContain(
    "playwright/browser_take_screenshot",
  );
});

test("a server's list put again replaces its tools; dropped, none of them is found", () => {
  const index = full();
  index.put("fetch", [
    { name: "fetch_page", description: "Downloads a page", inputSchema: { type: "object" } },
  ]);
  expect(ids(index, "select:fetch/fetch")).toEqual([]);
  expect(ids(index, "downloads a page")[0]).toBe("fetch/fetch_page");
  index.drop("fetch");
  expect(ids(index, "downloads a page", everyTool, 10).filter((id) => id.startsWith("fetch/"))).toEqual([]);
  expect(index.servers()).not.toContain("fetch");
});

test("a question finds a tool that only reads first: as its annotations say, else as its name does", () => {
  const index = new ToolIndex(() => undefined);
  const tool = (name: string, readOnlyHint?: boolean) => ({
    name,
    description: "The issues of a project.",
    inputSchema: { type: "object" },
    ...(readOnlyHint === undefined ? {} : { annotations: { readOnlyHint } }),
  });
  index.put("tracker", [tool("issues_a", false), tool("issues_b", true), tool("issues_c")]);
  expect(ids(index, "which issues are open in the project", everyTool, 1)).toEqual(["tracker/issues_b"]);
  expect(ids(index, "close the issues of the project", everyTool, 1)).toEqual(["tracker/issues_a"]);
  index.put("tracker", [tool("issues_a"), tool("get_issues")]);
  expect(ids(index, "what issues does the project have", everyTool, 1)).toEqual(["tracker/get_issues"]);
});
