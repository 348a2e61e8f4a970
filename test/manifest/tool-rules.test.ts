/** The manifest's tool rules (core/manifest/tool-rules.ts, pure) and their validation (validate.ts). */
import { describe, expect, test } from "vitest";
import { UsageError, UsageErrors } from "../../src/core/errors.js";
import {
  matchesTool,
  nameFilter,
  ruleLine,
  rulesFor,
  toolsFor,
  unmatchedNames,
} from "../../src/core/manifest/tool-rules.js";
import { parseManifestText } from "../../src/core/manifest/validate.js";

const TOOLS = [
  "browser_click",
  "browser_type",
  "browser_snapshot",
  "create_issue",
  "get_issue",
  "search.code",
];

function errorsOf(text: string): Array<{ message: string; line?: number; column?: number; hint?: string }> {
  try {
    parseManifestText(text, "m.jsonc");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return (error instanceof UsageErrors ? error.errors : [error]).map((e) => ({
      message: e.message,
      line: e.location?.line,
      column: e.location?.column,
      hint: e.hint,
    }));
  }
  throw new Error("the manifest was accepted");
}

describe("patterns", () => {
  test("`*` is any run of characters; the rest matches itself, dots and case included", () => {
    expect(matchesTool("browser_*", "browser_click")).toBe(true);
    expect(matchesTool("browser_*", "browser_")).toBe(true);
    expect(matchesTool("*issue", "get_issue")).toBe(true);
    expect(matchesTool("search.code", "search.code")).toBe(true);
    expect(matchesTool("search.*", "searchXcode")).toBe(false);
    expect(matchesTool("Browser_*", "browser_click")).toBe(false);
    expect(matchesTool("get_issue", "get_issues")).toBe(false);
  });
});

describe("toolsFor: every rule that applies, allow then deny, the server's first", () => {
  const server = {
    tools: { deny: ["browser_type"] },
    clientTools: { vscode: { allow: ["browser_*", "get_issue"] }, cursor: { deny: ["*issue"] } },
  };
  test("a client with its own rule gets what passes both", () => {
    const choice = toolsFor(rulesFor(server, "gh", "vscode"), TOOLS);
    expect(choice.kept).toEqual(["browser_click", "browser_snapshot", "get_issue"]);
    expect(choice.dropped).toEqual(["browser_type", "create_issue", "search.code"]);
    expect(choice.ruleFor("browser_type")).toEqual({
      path: ["servers", "gh", "tools"],
      part: "deny",
      pattern: "browser_type",
    });
    expect(choice.ruleFor("create_issue")).toEqual({
      path: ["servers", "gh", "clientTools", "vscode"],
      part: "allow",
    });
    expect(choice.ruleFor("get_issue")).toBeUndefined();
  });
  test("a client without one gets the server's rule alone; no rule at all keeps everything", () => {
    expect(toolsFor(rulesFor(server, "gh", "codex"), TOOLS).dropped).toEqual(["browser_type"]);
    expect(toolsFor(rulesFor({}, "gh", "codex"), TOOLS).kept).toEqual(TOOLS);
  });
  test("a name or pattern that matches nothing the server lists is found, with where it is", () => {
    expect(unmatchedNames(rulesFor(server, "gh", "cursor"), TOOLS)).toEqual([]);
    const typo = { clientTools: { cursor: { allow: ["browse_*", "get_issue"] } } };
    expect(unmatchedNames(rulesFor(typo, "gh", "cursor"), TOOLS)).toEqual([
      { path: ["servers", "gh", "clientTools", "cursor"], part: "allow", index: 0, name: "browse_*" },
    ]);
  });
});

describe("nameFilter: what a client that takes names is told", () => {
  test("with the list: the names it loads when a rule allows, else those it leaves out", () => {
    expect(nameFilter(rulesFor({ tools: { allow: ["*issue"] } }, "gh", "codex"), TOOLS)).toEqual({
      allow: ["create_issue", "get_issue"],
      kept: ["create_issue", "get_issue"],
      dropped: ["browser_click", "browser_type", "browser_snapshot", "search.code"],
    });
    expect(nameFilter(rulesFor({ tools: { deny: ["browser_*"] } }, "gh", "codex"), TOOLS)).toMatchObject({
      deny: ["browser_click", "browser_type", "browser_snapshot"],
    });
  });
  test("without it: exact names are said as they are, patterns wait for the list", () => {
    const rules = rulesFor(
      { tools: { allow: ["a", "b", "c"], deny: ["c"] }, clientTools: { codex: { allow: ["b", "c", "d"] } } },
      "gh",
      "codex",
    );
    expect(nameFilter(rules, undefined)).toEqual({ allow: ["b"] });
    expect(nameFilter(rulesFor({ tools: { deny: ["x", "y"] } }, "gh", "codex"), undefined)).toEqual({
      deny: ["x", "y"],
    });
    expect(nameFilter(rulesFor({ tools: { deny: ["x*"] } }, "gh", "codex"), undefined)).toEqual({
      needsList: true,
    });
    expect(nameFilter([], TOOLS)).toBeUndefined();
  });
});

describe("the manifest", () => {
  test("a rule's line and column, for the errors and the gateway's refusals", () => {
    const text =
      '{\n  "servers": {\n    "gh": {\n      "package": "x",\n      "clientTools": { "vscode": { "deny": ["a", "b*"] } }\n    }\n  }\n}\n';
    expect(ruleLine(text, ["servers", "gh", "clientTools", "vscode"], "deny", 1)).toEqual({
      line: 5,
      column: 50,
    });
    expect(ruleLine(text, ["servers", "gh", "tools"])).toEqual({ line: 3, column: 5 });
  });
  test("an unknown client is named with a did-you-mean, at its line and column", () => {
    const [e] = errorsOf(
      '{\n  "servers": {\n    "gh": { "package": "x",\n      "clientTools": { "vscod": { "deny": ["a"] } } }\n  }\n}\n',
    );
    expect(e?.message).toBe(
      'm.jsonc:4:24: servers.gh.clientTools: unknown client "vscod" (did you mean "vscode"?)',
    );
    expect(e?.hint).toContain("Clients: claude-desktop, claude-code, cursor, vscode");
  });
  test("an empty allow, a rule with neither list, a name with a space: each refused where it is", () => {
    expect(errorsOf('{"servers":{"gh":{"package":"x","tools":{"allow":[]}}}}')[0]?.message).toContain(
      "servers.gh.tools.allow: an empty allow lets no tool through",
    );
    expect(errorsOf('{"servers":{"gh":{"package":"x","tools":{}}}}')[0]?.message).toContain(
      'servers.gh.tools: give "allow", "deny" or both',
    );
    expect(errorsOf('{"servers":{"gh":{"package":"x","tools":{"deny":["a b"]}}}}')[0]?.message).toContain(
      "is not a tool name or pattern",
    );
  });
  test("a client's tool-rule field in clientFields points at clientTools", () => {
    const [e] = errorsOf(
      '{"servers":{"gh":{"package":"x","clientFields":{"gemini-cli":{"includeTools":["a"]}}}}}',
    );
    expect(e?.message).toContain('say them in "clientTools": { "gemini-cli"');
  });
});
