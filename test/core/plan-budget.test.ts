/**
 * init's per-client budget lines (core/budget/plan-budget.ts), pure: measured figures summed per
 * client, its limit and deferral said, servers without figures named once.
 */
import { expect, test } from "vitest";
import { planBudgetLines } from "../../src/core/budget/plan-budget.js";
import { clientModule } from "../../src/core/clients/index.js";
import type { Target } from "../../src/core/clients/types.js";

const target = (id: Parameters<typeof clientModule>[0], env = "linux") =>
  ({ client: clientModule(id), env: { id: env } }) as unknown as Target;

test("each client once, its own servers only; a server without figures is named, not counted", () => {
  const lines = planBudgetLines(
    [target("claude-code"), target("windsurf"), target("windsurf", "windows"), target("gemini-cli")],
    [
      { name: "pw", spec: { package: "p@1" }, measured: { tools: 100, tokens: 16_000 } },
      { name: "mem", spec: { package: "m@1", clients: ["windsurf"] }, measured: { tools: 30, tokens: 900 } },
      { name: "off", spec: { package: "o@1", disabled: true }, measured: { tools: 500, tokens: 1 } },
      { name: "fetch", spec: { command: "uvx" } },
    ],
  );
  expect(lines).toEqual([
    "Claude Code: 100 tools, ≈16,000 tokens, deferred: its tool search",
    "Devin Desktop (Windsurf): 130 tools, ≈16,900 tokens: over its limit of 100",
    "Gemini CLI: 100 tools, ≈16,000 tokens",
    "not counted: fetch (`mcp-twin tools` counts them once they run)",
  ]);
});

test("past 25,000 tokens it does not defer, a client is told so", () => {
  const heavy = [{ name: "pw", spec: { package: "p@1" }, measured: { tools: 60, tokens: 26_000 } }];
  expect(planBudgetLines([target("gemini-cli"), target("claude-code")], heavy)).toEqual([
    "Gemini CLI: 60 tools, ≈26,000 tokens: over the 25,000 tokens doctor warns at",
    "Claude Code: 60 tools, ≈26,000 tokens, deferred: its tool search",
  ]);
});

test("a client that searches its tools itself is counted as deferring them, as the manifest's toolSearch refuses it", () => {
  const heavy = [{ name: "pw", spec: { package: "p@1" }, measured: { tools: 140, tokens: 30_000 } }];
  expect(
    planBudgetLines([target("cursor"), target("vscode"), target("qwen-code"), target("codex")], heavy),
  ).toEqual([
    "Cursor: 140 tools, ≈30,000 tokens, deferred: its dynamic context discovery",
    "VS Code: 140 tools, ≈30,000 tokens, deferred: its progressive tool discovery (about 30 tools a turn)",
    "Qwen Code: 140 tools, ≈30,000 tokens, deferred: its tool_search and tool_call (tools.toolSearch.enabled)",
    "Codex: 140 tools, ≈30,000 tokens, deferred: its tool_search",
  ]);
  // Codex defers from 100 tools on: below, it sends them all.
  expect(
    planBudgetLines(
      [target("codex")],
      [{ name: "pw", spec: { package: "p@1" }, measured: { tools: 60, tokens: 26_000 } }],
    ),
  ).toEqual(["Codex: 60 tools, ≈26,000 tokens: over the 25,000 tokens doctor warns at"]);
});

test("no figures at all: no lines (nothing to say is not said as zero)", () => {
  expect(planBudgetLines([target("codex")], [{ name: "x", spec: { package: "x@1" } }])).toEqual([]);
});

test('one tool is one tool, never "1 tools"', () => {
  const fetch = [{ name: "fetch", spec: { command: "uvx" }, measured: { tools: 1, tokens: 253 } }];
  expect(planBudgetLines([target("gemini-cli")], fetch)).toEqual(["Gemini CLI: 1 tool, ≈253 tokens"]);
});
