/**
 * The manifest's `toolSearch` (tools on demand): what it accepts, and each mistake refused at its
 * file:line:column with the reason (core/manifest/schema.ts, validate.ts), pure.
 */
import { describe, expect, test } from "vitest";
import { CLIENT_IDS } from "../../src/core/clients/ids.js";
import { UsageError, UsageErrors } from "../../src/core/errors.js";
import { manifestJsonSchema, type ServerSpec } from "../../src/core/manifest/schema.js";
import { serversBehindTools, splitKept } from "../../src/core/manifest/tool-search.js";
import { parseManifestText } from "../../src/core/manifest/validate.js";

function errorsOf(text: string): Array<{ message: string; line?: number; column?: number }> {
  try {
    parseManifestText(text, "m.jsonc");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return (error instanceof UsageErrors ? error.errors : [error]).map((e) => ({
      message: e.message,
      line: e.location?.line,
      column: e.location?.column,
    }));
  }
  throw new Error("the manifest was accepted");
}

const manifest = (toolSearch: string, servers = '"github": { "command": "gh-mcp" }') =>
  `{\n  "servers": { ${servers} },\n  "toolSearch": ${toolSearch}\n}\n`;

describe("toolSearch in the manifest", () => {
  test("clients and kept tools as <server>/<tool> are read as given", () => {
    const m = parseManifestText(
      manifest('{ "clients": ["opencode", "cline"], "keep": ["github/get_me", "github/a/b"] }'),
      "m.jsonc",
    );
    expect(m.toolSearch).toEqual({
      clients: ["opencode", "cline"],
      keep: ["github/get_me", "github/a/b"],
    });
  });

  test("an unknown client id is refused at its line and column, with a did-you-mean", () => {
    const [e, ...rest] = errorsOf(manifest('{ "clients": ["opencod"] }'));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ line: 3, column: 31 });
    expect(e?.message).toContain("m.jsonc:3:31: toolSearch.clients.0:");
    expect(e?.message).toContain('(did you mean "opencode"?)');
  });

  test.each([
    ["claude-code", "Claude Code", "its tool search"],
    ["vscode", "VS Code", "its progressive tool discovery (about 30 tools a turn)"],
    ["codex", "Codex", "its tool_search"],
    ["copilot-cli", "GitHub Copilot CLI", "its tool search"],
    ["cursor", "Cursor", "its dynamic context discovery"],
    ["qwen-code", "Qwen Code", "its tool_search and tool_call (tools.toolSearch.enabled)"],
  ])("%s searches its tools itself: refused with that reason, where it is", (id, name, how) => {
    const [e, ...rest] = errorsOf(manifest(`{ "clients": ["opencode", "${id}"] }`));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ line: 3, column: 43 });
    expect(e?.message).toContain(`toolSearch.clients.1: ${name} searches its tools itself (${how})`);
  });

  test("the manifest's JSON Schema offers toolSearch only the clients it takes: none that searches its tools itself", () => {
    const schema = manifestJsonSchema() as {
      properties: Record<string, { properties?: Record<string, { items?: { enum?: string[] } }> }>;
    };
    const offered = schema.properties.toolSearch?.properties?.clients?.items?.enum ?? [];
    const accepted = (id: string) => {
      try {
        return parseManifestText(manifest(`{ "clients": ["${id}"] }`), "m.jsonc") !== undefined;
      } catch {
        return false;
      }
    };
    expect(offered).toEqual(CLIENT_IDS.filter(accepted));
    for (const id of ["claude-code", "cursor", "vscode", "codex", "copilot-cli", "qwen-code"])
      expect(offered).not.toContain(id);
    // Every other place a client id goes still takes them all.
    const top = schema.properties.clients as { items?: { enum?: string[] } } | undefined;
    expect(top?.items?.enum).toEqual([...CLIENT_IDS]);
  });

  test("a kept tool not written <server>/<tool>, or of a server the manifest lacks, is refused", () => {
    const errors = errorsOf(manifest('{ "clients": ["opencode"], "keep": ["get_me", "gitlab/x"] }'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ line: 3, column: 53 });
    expect(errors[0]?.message).toContain('toolSearch.keep.0: is not "<server>/<tool>"');
    expect(errors[1]).toMatchObject({ line: 3, column: 63 });
    expect(errors[1]?.message).toContain(
      'toolSearch.keep.1: "gitlab" is not a server of this manifest (servers: github)',
    );
  });

  test.each([
    ["true", "toolSearch: must be an object ({ … }), not true"],
    ["{}", "toolSearch.clients: is missing"],
    ['{ "clients": "opencode" }', "toolSearch.clients: must be a list"],
  ])("toolSearch: %s is refused with what it needs: clients, and an example", (value, start) => {
    const [e, ...rest] = errorsOf(manifest(value));
    expect(rest).toEqual([]);
    expect(e?.message).toContain(start);
    expect(e?.message).toContain('"toolSearch": { "clients": ["opencode", "cline"] }');
  });

  test("no client, an unknown field, and a server named tools beside it are refused", () => {
    expect(errorsOf(manifest('{ "clients": [] }'))[0]?.message).toContain(
      "toolSearch.clients: name the clients",
    );
    expect(errorsOf(manifest('{ "clients": ["opencode"], "kep": [] }'))[0]?.message).toContain(
      'unknown field "kep" (did you mean "keep"?)',
    );
    const [e] = errorsOf(manifest('{ "clients": ["opencode"] }', '"tools": { "command": "t" }'));
    expect(e).toMatchObject({ line: 2, column: 16 });
    expect(e?.message).toContain("servers.tools: is the name of the toolSearch clients' one entry");
  });

  test("the servers behind a client's tools entry: enabled, its own, started by mcp-twin, hostable", () => {
    const servers: Array<[string, ServerSpec]> = [
      ["a", { command: "a" }],
      ["off", { command: "o", disabled: true }],
      ["web", { url: "https://example.com/mcp" }],
      ["theirs", { command: "t", clients: ["cline"] }],
      ["mine", { command: "m", clients: ["opencode"] }],
      ["winonly", { command: "w" }],
    ];
    const behind = serversBehindTools(servers, "opencode", (s) => s.command !== "w");
    expect(behind).toEqual(["a", "mine"]);
    expect(splitKept("github/a/b")).toEqual({ server: "github", tool: "a/b" });
    expect(splitKept("github/")).toBeUndefined();
  });
});
