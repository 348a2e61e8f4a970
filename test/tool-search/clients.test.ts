/**
 * One client's tools on demand (core/tool-search/clients.ts): the servers toolSearch puts behind its
 * entry and no other, the manifest's tools/clientTools applied first, and one index fed from the
 * lists the gateway holds, indexed again only when a list changed.
 */
import { expect, test } from "vitest";
import type { ToolDef } from "../../src/core/entries/tool-lists.js";
import type { ServerToolRules } from "../../src/core/manifest/tool-rules.js";
import { onDemandOf, refreshIndex } from "../../src/core/tool-search/clients.js";
import { onDemandCall, onDemandTools } from "../../src/core/tool-search/search-and-call.js";
import { ToolIndex } from "../../src/core/tool-search/tool-index.js";
import { catalogue } from "./catalogue.js";

const plan = {
  clients: [
    { client: "gemini-cli", servers: ["memory", "github", "fetch"] },
    { client: "claude-desktop", servers: ["memory"] },
  ],
  keep: ["fetch/fetch"],
};
const rules: Record<string, ServerToolRules> = {
  github: {
    tools: { deny: ["delete_*"] },
    clientTools: { "gemini-cli": { allow: ["*_issue*", "delete_file"] } },
  },
};
const lists: Record<string, readonly ToolDef[]> = Object.fromEntries(
  Object.entries(catalogue).map(([s, v]) => [s, v.tools]),
);
const known = { rulesOf: (s: string) => rules[s], toolsOf: (s: string) => lists[s] };
const never = async () => {
  throw new Error("no call expected");
};

test("a client gets only the servers behind its entry, its rules applied, the kept tools it can reach", async () => {
  const index = new ToolIndex();
  refreshIndex(index, plan, known);
  expect(index.servers().sort()).toEqual(["fetch", "github", "memory"]);
  const gemini = onDemandOf(plan, "gemini-cli", index, known, never);
  expect(gemini?.admits("github", "add_issue_comment")).toBe(true);
  // tools.deny applies first, then clientTools.allow narrows: delete_file is allowed but denied.
  expect(gemini?.admits("github", "delete_file")).toBe(false);
  expect(gemini?.admits("github", "create_pull_request")).toBe(false);
  expect(gemini?.admits("playwright", "browser_click")).toBe(false);
  const desktop = onDemandOf(plan, "claude-desktop", index, known, never);
  if (!desktop) throw new Error("claude-desktop is named");
  expect(onDemandTools(desktop).map((t) => t.name)).toEqual(["search_tools", "call_tool"]);
  const found = await onDemandCall(desktop, "search_tools", { query: "fetch a url", limit: 10 });
  expect(JSON.stringify(found.structuredContent)).not.toMatch(/"name":"(fetch|github)\//);
  expect(onDemandOf(plan, "cursor", index, known, never)).toBeUndefined();
  expect(onDemandOf(plan, undefined, index, known, never)).toBeUndefined();
});

test("the index is built once per list: the same list again is not indexed again, a changed one is", () => {
  const index = new ToolIndex();
  refreshIndex(index, plan, known);
  const before = index.tools("memory");
  refreshIndex(index, plan, known);
  expect(index.tools("memory")[0]).toBe(before[0]);
  lists.memory = [{ name: "recall", description: "Recalls what was said", inputSchema: { type: "object" } }];
  refreshIndex(index, plan, known);
  expect(index.search("recall what was said", 1, () => true).map((f) => f.tool.name)).toEqual(["recall"]);
  refreshIndex(index, { clients: [{ client: "gemini-cli", servers: ["fetch"] }], keep: [] }, known);
  expect(index.servers()).toEqual(["fetch"]);
});
