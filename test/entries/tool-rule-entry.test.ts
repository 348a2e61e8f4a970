/**
 * The tool rules in one target's entry (entries/tool-rule-entry.ts) and the lists they expand from
 * (entries/tool-lists.ts), pure: each client's own field, or why it cannot keep them (in words:
 * budget/rule-problems.ts); and the gateway's cache keyed as the gateway keys it.
 */
import { describe, expect, test } from "vitest";
import { launchKey } from "../../src/bridge-server/gateway/list-cache.js";
import { ruleNote } from "../../src/core/budget/rule-problems.js";
import { clientModule } from "../../src/core/clients/index.js";
import type { Target } from "../../src/core/clients/types.js";
import { gatewayKey } from "../../src/core/entries/gateway-key.js";
import type { BuiltEntry } from "../../src/core/entries/target-entry.js";
import { sharedIdentity } from "../../src/core/entries/tool-lists.js";
import { withToolRules } from "../../src/core/entries/tool-rule-entry.js";
import type { ServerSpec } from "../../src/core/manifest/schema.js";

const TOOLS = ["read_file", "write_file", "list_dir", "search"];
const built: BuiltEntry = {
  ok: true,
  value: { command: "node", args: ["s.js"] },
  secretValues: [],
  references: [],
  runsIn: "linux",
};
const target = (id: Parameters<typeof clientModule>[0]) =>
  ({ client: clientModule(id) }) as unknown as Target;

/** `null`: the server's list is not known. */
function entry(id: Parameters<typeof clientModule>[0], spec: ServerSpec, tools: string[] | null = TOOLS) {
  const out = withToolRules(built, "fs", spec, target(id), tools ?? undefined);
  if (!out.ok) throw new Error("not built");
  return out;
}

describe("each client in its own field", () => {
  const spec: ServerSpec = {
    command: "x",
    tools: { deny: ["write_*"] },
    clientTools: { codex: { allow: ["*_file", "search"] } },
  };
  test("Gemini CLI: the names it leaves out; Codex: the names it loads; Copilot CLI: only those it loads", () => {
    expect(entry("gemini-cli", spec)).toMatchObject({
      value: { excludeTools: ["write_file"] },
      toolRules: { state: "kept", keys: ["excludeTools"] },
    });
    expect(entry("codex", spec).value).toMatchObject({ enabled_tools: ["read_file", "search"] });
    expect(entry("copilot-cli", spec).value).toMatchObject({ tools: ["read_file", "list_dir", "search"] });
  });
  test("Qwen Code, Crush, Factory Droid in their own fields; Kiro, which takes only a deny list, the rest of the list", () => {
    expect(entry("qwen-code", spec).value).toMatchObject({ excludeTools: ["write_file"] });
    expect(entry("crush", spec).value).toMatchObject({ disabled_tools: ["write_file"] });
    expect(entry("factory-droid", spec).value).toMatchObject({ disabledTools: ["write_file"] });
    const allow: ServerSpec = { command: "x", clientTools: { kiro: { allow: ["read_file", "search"] } } };
    expect(entry("kiro", allow)).toMatchObject({
      value: { disabledTools: ["write_file", "list_dir"] },
      toolRules: { state: "kept", keys: ["disabledTools"], names: { deny: ["write_file", "list_dir"] } },
    });
    // Without the list, an allow rule cannot be said as a deny list.
    expect(entry("kiro", allow, null).toolRules).toEqual({ state: "cannot-say" });
  });
  test("Roo Code (a deny list, as Kiro) and Goose (an allow list, empty meaning all) in their own fields", () => {
    expect(entry("roo-code", spec)).toMatchObject({
      value: { disabledTools: ["write_file"] },
      toolRules: { state: "kept", keys: ["disabledTools"] },
    });
    expect(entry("goose", spec)).toMatchObject({
      value: { available_tools: ["read_file", "list_dir", "search"] },
      toolRules: {
        state: "kept",
        keys: ["available_tools"],
        names: { allow: ["read_file", "list_dir", "search"] },
      },
    });
    const exact: ServerSpec = { command: "x", clientTools: { goose: { allow: ["search"] } } };
    expect(entry("goose", exact, null).value).toMatchObject({ available_tools: ["search"] });
    // A deny list without the server's list: Goose cannot say it (not an empty list: that is all).
    expect(entry("goose", { command: "x", tools: { deny: ["search"] } }, null).toolRules).toEqual({
      state: "cannot-say",
    });
    // Rules that leave nothing: an empty `available_tools` would load every tool, so none is written.
    const none: ServerSpec = {
      command: "x",
      tools: { allow: ["search"] },
      clientTools: { goose: { deny: ["search"] }, "roo-code": { deny: ["search"] } },
    };
    for (const tools of [TOOLS, null]) {
      const out = entry("goose", none, tools);
      expect(out.toolRules).toEqual({ state: "leaves-none" });
      expect(out.value).not.toHaveProperty("available_tools");
    }
    // Roo Code says the same rules as the whole list left out, once it is known.
    expect(entry("roo-code", none).value).toMatchObject({ disabledTools: TOOLS });
    // Amp's `includeTools` narrows a skill's servers only: no field for a settings server.
    expect(entry("amp", spec).toolRules).toEqual({ state: "no-field" });
  });
  test("a client with no field is said so, its entry untouched", () => {
    const vscode = entry("vscode", spec);
    expect(vscode.toolRules).toEqual({ state: "no-field" });
    expect(vscode.value).toEqual(built.ok ? built.value : {});
  });
  test("an entry to the gateway, url or relay: the gateway keeps what the client's own field cannot", () => {
    const url: BuiltEntry = { ...built, gateway: true, bridged: true } as BuiltEntry;
    const viaGateway = (id: Parameters<typeof clientModule>[0], tools: string[] | null = TOOLS) =>
      withToolRules(url, "fs", spec, target(id), tools ?? undefined);
    expect(viaGateway("vscode")).toMatchObject({ toolRules: { state: "gateway" } });
    expect(viaGateway("vscode")).toMatchObject({ value: built.ok ? built.value : {} });
    // Patterns and no list, or a field that cannot say it: the gateway keeps it all the same.
    expect(viaGateway("gemini-cli", null)).toMatchObject({ toolRules: { state: "gateway" } });
    // A client whose field says it: its own field (the gateway keeps it too).
    expect(viaGateway("gemini-cli")).toMatchObject({ toolRules: { state: "kept", keys: ["excludeTools"] } });
    // The relay names its client to the gateway too (`--as`, the client's own token).
    const relay: BuiltEntry = { ...built, bridged: true, relay: "shared-stdio-only" } as BuiltEntry;
    expect(withToolRules(relay, "fs", spec, target("claude-desktop"), TOOLS)).toMatchObject({
      toolRules: { state: "gateway" },
    });
    // Not shared: nothing keeps it for a client without a field.
    expect(withToolRules(built, "fs", spec, target("claude-desktop"), TOOLS)).toMatchObject({
      toolRules: { state: "no-field" },
    });
  });
  test("without the list: exact names are written, patterns wait; Copilot cannot say a deny", () => {
    expect(entry("gemini-cli", spec, null).toolRules).toEqual({ state: "needs-list" });
    const exact: ServerSpec = { command: "x", tools: { deny: ["write_file"] } };
    expect(entry("gemini-cli", exact, null).value).toMatchObject({ excludeTools: ["write_file"] });
    expect(entry("copilot-cli", exact, null).toolRules).toEqual({ state: "cannot-say" });
  });
  test("no rule: nothing added", () => {
    expect(entry("codex", { command: "x" })).toBe(built);
  });
});

test("a rule a client cannot keep is said in the words of its own field", () => {
  const said = (id: Parameters<typeof clientModule>[0], state: "cannot-say" | "leaves-none") =>
    ruleNote("fs", state, clientModule(id));
  expect(said("copilot-cli", "cannot-say")).toContain("its field names only the tools it loads");
  expect(said("kiro", "cannot-say")).toContain("its field names only the tools it leaves out");
  expect(said("roo-code", "cannot-say")).toContain("its field names only the tools it leaves out");
  expect(said("goose", "leaves-none")).toBe(
    'Goose does not keep fs\'s tool rule: the rules leave none of fs\'s tools, and its field cannot say none (an empty list means every tool to it), so it loads every tool of fs. Leave fs out of it ("clients"), or share fs ("share" in the manifest: the bridge then keeps the rule for it).',
  );
});

test("the gateway's list cache is read under the key the gateway writes it with", () => {
  const spec: ServerSpec = {
    package: "@scope/pkg@^1",
    args: ["--x", "${secret:K}"],
    env: { B: "1", A: "2" },
    share: "machine",
  };
  const identity = sharedIdentity(spec, "wsl:Ubuntu", "1.2.3");
  expect(identity).toEqual({
    package: "@scope/pkg@1.2.3",
    command: "@scope/pkg@^1",
    args: ["--x", "${secret:K}"],
    envNames: ["B", "A"],
  });
  expect(gatewayKey(identity)).toBe(
    launchKey({ name: "s", mode: "machine", command: "node", args: [], env: {}, identity }),
  );
});
