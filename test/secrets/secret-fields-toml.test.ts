/** Secrets in a Codex config.toml found by where they sit, and a TOML diff that never shows one. */
import { describe, expect, test } from "vitest";
import { tomlSecretFields } from "../../src/core/secrets/secret-fields-toml.js";
import { unifiedDiff } from "../../src/ui/diff.js";

const OLD = "plainoldvalue0123";
const NEW = "plainnewvalue4567";
const config = (key: string) =>
  [
    "# my codex config",
    'model = "o3"',
    "",
    "[mcp_servers.search]",
    'command = "npx"',
    'args = ["-y", "search-mcp"]',
    `env = { SEARCH_KEY = "${key}", MODE = 'fast' }`,
    "",
    "[mcp_servers.remote]",
    'url = "https://example.com/mcp"',
    'bearer_token_env_var = "REMOTE_TOKEN"',
    'env_vars = ["HOME_TOKEN"]',
    "",
    "[mcp_servers.remote.http_headers]",
    `X-Api = "${key}"`,
    "",
    "[mcp_servers.other.env]",
    `OTHER = "${key}"`,
    'REF = "${secret:X}"',
    "",
  ].join("\r\n");

describe("tomlSecretFields", () => {
  test("env (inline and sub-table) and headers values; variable names, commands and references are not secrets", () => {
    const text = config(OLD);
    const values = tomlSecretFields(text).map((f) => f.value);
    expect(values).toEqual([OLD, "fast", OLD, OLD]);
    for (const f of tomlSecretFields(text))
      expect(text.slice(f.offset + 1, f.offset + f.length - 1)).toBe(f.value);
  });

  test("a file that does not parse yields nothing (known values and shapes still mask it)", () => {
    expect(tomlSecretFields('[mcp_servers.x\nenv = { K = "v"')).toEqual([]);
  });
});

describe("a TOML diff", () => {
  test("a rotated key shows as a changed line, with neither the old nor the new value", async () => {
    const learned: string[] = [];
    const out = {
      theme: { c: new Proxy({}, { get: () => (s: string) => s }) },
      addSecrets: (v: Iterable<string>) => learned.push(...v),
    } as unknown as Parameters<typeof unifiedDiff>[3];
    const diff = await unifiedDiff("/home/bob/.codex/config.toml", config(OLD), config(NEW), out);
    expect(diff).not.toContain(OLD);
    expect(diff).not.toContain(NEW);
    expect(diff).toMatch(/^-env = \{ SEARCH_KEY = "/m);
    expect(diff).toMatch(/^\+env = \{ SEARCH_KEY = "/m);
    expect(learned).toContain(OLD);
  });
});
