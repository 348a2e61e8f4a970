/**
 * A tool past the gateway's bounds (core/tool-search/bounds.ts) is left out of search alone, and
 * `mcp-twin tools` says so where the person looks (core/budget/on-demand.ts): that tool, not its
 * server; the other tools of its server still counted and found.
 */
import { expect, test } from "vitest";
import { onDemandBudget } from "../../src/core/budget/on-demand.js";
import type { ToolLists } from "../../src/core/entries/tool-lists.js";
import type { ServerSpec } from "../../src/core/manifest/schema.js";
import { TOOL_BOUNDS } from "../../src/core/tool-search/bounds.js";

test("one tool past 256 KiB: that tool left out of search, said by `tools`; its server's other tools stay", () => {
  const wide = {
    name: "wide_tool",
    description: `w${"x".repeat(TOOL_BOUNDS.chars)}`,
    inputSchema: { type: "object" },
  };
  const narrow = {
    name: "narrow_tool",
    description: "reads the narrow thing",
    inputSchema: { type: "object" },
  };
  const lists: ToolLists = new Map([
    ["big", { tools: [wide, narrow], from: "gateway", at: "2026-11-29T00:00:00Z" }],
  ]);
  const specs = new Map([["big", { command: "node" } as unknown as ServerSpec]]);
  const budget = onDemandBudget("gemini-cli", ["big"], specs, lists, ["big/narrow_tool"]);
  expect(budget.leftOut).toEqual([
    { server: "big", why: 'its tool "wide_tool" is larger than 256 KiB: that tool left out' },
  ]);
  // Its tools entry keeps the other tool of the server (kept by name), never the one left out.
  expect(budget.kept).toBe(1);
  const none = onDemandBudget(
    "gemini-cli",
    ["big"],
    specs,
    new Map([["big", { tools: [narrow], from: "gateway", at: "" }]]),
    [],
  );
  expect(none.leftOut).toEqual([]);
});
