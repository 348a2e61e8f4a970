/**
 * A client's per-tool field read back as a tool rule, and the manifest edit adopt makes of it (pure).
 */
import { describe, expect, test } from "vitest";
import { clientById } from "../../src/core/clients/index.js";
import { adoptToolRule, ruleOfEntry } from "../../src/core/import/adopt-tool-rule.js";

const client = (id: string) => {
  const c = clientById(id);
  if (!c) throw new Error(`no client ${id}`);
  return c;
};

describe("ruleOfEntry", () => {
  test("each client's field as the rule it says; a field that limits nothing is no rule", () => {
    expect(ruleOfEntry(client("roo-code"), { disabledTools: ["a"] })).toEqual({ deny: ["a"] });
    expect(ruleOfEntry(client("goose"), { available_tools: ["a", "b"] })).toEqual({ allow: ["a", "b"] });
    expect(ruleOfEntry(client("codex"), { enabled_tools: ["a"], disabled_tools: ["b"] })).toEqual({
      allow: ["a"],
      deny: ["b"],
    });
    // Goose reads an empty list as every tool; Copilot CLI's "*" is every tool.
    expect(ruleOfEntry(client("goose"), { available_tools: [] })).toBeUndefined();
    expect(ruleOfEntry(client("copilot-cli"), { tools: ["*"] })).toBeUndefined();
    // A client with no per-tool field says nothing.
    expect(ruleOfEntry(client("claude-desktop"), { disabledTools: ["a"] })).toBeUndefined();
  });
});

describe("adoptToolRule", () => {
  const spec = { command: "node" };
  test("a field that differs from sync's becomes clientTools.<client>; the same field is no edit", () => {
    expect(adoptToolRule(client("roo-code"), "fx", spec, { disabledTools: ["a"] }, {})).toEqual({
      edits: [{ path: ["clientTools", "roo-code"], value: { deny: ["a"] } }],
      changes: ["servers.fx.clientTools.roo-code set: deny a (from the entry's disabledTools)"],
    });
    expect(
      adoptToolRule(client("roo-code"), "fx", spec, { disabledTools: ["a"] }, { disabledTools: ["a"] }),
    ).toBeUndefined();
  });

  test("a field removed by hand takes the client's rule out (with clientTools when it was the last)", () => {
    const ruled = { command: "node", clientTools: { "roo-code": { deny: ["a"] } } };
    expect(adoptToolRule(client("roo-code"), "fx", ruled, {}, { disabledTools: ["a"] })).toEqual({
      edits: [{ path: ["clientTools"], remove: true }],
      changes: ["servers.fx.clientTools.roo-code removed (the entry limits none of its tools)"],
    });
    const two = { command: "node", clientTools: { "roo-code": { deny: ["a"] }, goose: { allow: ["b"] } } };
    expect(adoptToolRule(client("roo-code"), "fx", two, {}, { disabledTools: ["a"] })?.edits).toEqual([
      { path: ["clientTools", "roo-code"], remove: true },
    ]);
  });
});
