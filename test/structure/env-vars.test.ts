/**
 * The environment variables the product reads are its users' (and the machine's), each written in
 * docs/dev/environment.md; tests reach their seams through options and the machine's files, never
 * through a variable of their own (`MCP_TWIN_TEST_*`).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { tsSources } from "./sources.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every `MCP_TWIN_<NAME>` written in the text (a prefix ending in `_` is a family, e.g. `MCP_TWIN_HEADER_`). */
function twinVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\bMCP_TWIN_[A-Z0-9_]*[A-Z0-9_]/g)].map((m) => m[0]))];
}

describe("environment variables", () => {
  const found = new Map<string, string[]>();
  for (const file of tsSources(path.join(ROOT, "src")))
    for (const name of twinVariables(readFileSync(file, "utf8")))
      found.set(name, [...(found.get(name) ?? []), path.relative(ROOT, file)]);
  const documented = readFileSync(path.join(ROOT, "docs/dev/environment.md"), "utf8");

  test("the product reads no test-only variable (MCP_TWIN_TEST_*)", () => {
    expect([...found].filter(([name]) => name.startsWith("MCP_TWIN_TEST_"))).toEqual([]);
  });

  test("every MCP_TWIN_* name in src/ is in docs/dev/environment.md", () => {
    // Build-time constants (tsup's define) and header families are names, not variables, and say so there too.
    const missing = [...found].filter(([name]) => !documented.includes(`\`${name}`));
    expect(missing).toEqual([]);
  });

  test("the scanner finds names and families, and only those", () => {
    expect(
      twinVariables('env.MCP_TWIN_HOME; "MCP_TWIN_HEADER_" + k; MCP_TWIN_VERSION__; mcp_twin_home'),
    ).toEqual(["MCP_TWIN_HOME", "MCP_TWIN_HEADER_", "MCP_TWIN_VERSION__"]);
  });
});
