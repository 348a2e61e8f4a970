/**
 * The catalogue's figures the docs give are the ones measured from the eight servers' real lists
 * (test/fixtures/tool-search/catalogue-tools.json, sized as `mcp-twin tools` sizes them): one set of
 * figures in docs/manifest.md's table, its worked example and the README, where they disagreed.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import type { ClientBudget } from "../../src/core/budget/budget.js";
import { budgetFix, overruns } from "../../src/core/budget/fix.js";
import { toolTokens } from "../../src/core/budget/tokens.js";
import { clientById } from "../../src/core/clients/index.js";
import { defersTools } from "../../src/core/clients/tool-search-fact.js";
import type { Target } from "../../src/core/clients/types.js";
import { catalogue } from "./catalogue.js";

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), "utf8");
const figure = (n: number) => n.toLocaleString("en-US");

const measured = Object.entries(catalogue).map(([server, { tools }]) => ({
  server,
  tools: tools.length,
  tokens: tools.reduce((n, t) => n + toolTokens(t), 0),
}));
const all = {
  tools: measured.reduce((n, s) => n + s.tools, 0),
  tokens: measured.reduce((n, s) => n + s.tokens, 0),
};

describe("the catalogue's eight servers, as the docs give them", () => {
  test("docs/manifest.md's table: each server's tools and ≈tokens, and all eight's, as measured", () => {
    const rows = new Map(
      [
        ...read("docs/manifest.md").matchAll(
          /^\| (\*\*all eight\*\*|[a-z0-9-]+) [^|]*\| (\d+) +\| ([\d,]+) +\|$/gm,
        ),
      ].map((m) => [m[1] === "**all eight**" ? "all" : m[1], { tools: Number(m[2]), tokens: m[3] }]),
    );
    for (const s of measured)
      expect(rows.get(s.server), s.server).toEqual({ tools: s.tools, tokens: figure(s.tokens) });
    expect(rows.get("all")).toEqual({ tools: all.tools, tokens: figure(all.tokens) });
  });

  test("the README and the worked example say the same totals", () => {
    expect(read("README.md")).toContain(`${all.tools} tools and ${figure(all.tokens)} tokens`);
    const manifest = read("docs/manifest.md");
    expect(manifest).toContain(`every client loads all ${all.tools}`);
    expect(manifest).toMatch(
      new RegExp(`\\| Claude Code +\\| — +\\| ${all.tools} tools, ≈${figure(all.tokens)} d`),
    );
    // commands.md's `mcp-twin tools` example: GitHub's row, and VS Code deferring them all, no limit.
    const github = measured.find((s) => s.server === "github");
    const commands = read("docs/commands.md");
    expect(commands).toMatch(new RegExp(`\\ngithub +${github?.tools} +${figure(github?.tokens ?? 0)} `));
    expect(commands).toMatch(new RegExp(`\\n≈tokens +${figure(all.tokens)} d +${figure(all.tokens)} d\\n`));
  });

  test("tools on demand is said where the bridge and `mcp-twin tools` are", () => {
    for (const page of ["docs/bridge.md", "docs/commands.md"])
      expect(read(page), page).toContain("[tools on demand](manifest.md#tools-on-demand)");
  });
});

/** A client's budget over the eight before any rule: GitHub reached directly, the other seven shared. */
function budgetOf(id: string): ClientBudget {
  const client = clientById(id);
  if (!client) throw new Error(id);
  const servers = Object.entries(catalogue).map(([server, { tools }]) => {
    const loaded = tools.map((t) => ({ name: t.name, tokens: toolTokens(t) }));
    const tokens = loaded.reduce((n, t) => n + t.tokens, 0);
    return {
      server,
      tools: tools.length,
      kept: tools.length,
      tokens,
      size: tokens,
      state: "synced" as const,
      deferred: defersTools(client, {}, all.tools),
      from: "cache" as const,
      loaded,
      ...(server === "github" ? {} : { shared: true }),
    };
  });
  const limit = client.toolBudget?.limit?.tools;
  const eager = servers.reduce((n, s) => n + (s.deferred ? 0 : s.tokens), 0);
  return {
    target: { client } as unknown as Target,
    servers,
    tools: all.tools,
    tokens: all.tokens,
    eager,
    unknown: [],
    ...(limit === undefined ? {} : { limit, over: all.tools > limit }),
  };
}

describe("doctor over the eight, as the worked example says", () => {
  test("Windsurf is over its 100: the fix is playwright's browser_* (kept by the bridge), 77 left", () => {
    const fix = budgetFix(budgetOf("windsurf"));
    expect(fix?.deny).toEqual([expect.objectContaining({ server: "playwright", names: ["browser_*"] })]);
    expect(fix?.after.tools).toBe(77);
    expect(read("docs/manifest.md")).toContain("doctor proposes playwright: deny\n`browser_*`, 77 left");
  });

  test.each(["claude-code", "copilot-cli", "vscode", "cursor", "codex", "gemini-cli"])(
    "%s is within every limit: nothing proposed",
    (id) => {
      expect(overruns(budgetOf(id))).toEqual([]);
    },
  );

  test.each(["claude-code", "copilot-cli", "vscode", "cursor", "codex"])(
    "%s defers the eight's tools (d in the table)",
    (id) => {
      expect(budgetOf(id).servers.every((s) => s.deferred)).toBe(true);
    },
  );
});
