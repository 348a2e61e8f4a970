/**
 * Values: which are secrets, placeholders or references, what their secrets are named, and how
 * inline keys leave an entry (and never two different keys under one name).
 */
import { describe, expect, test } from "vitest";
import { allocateSecrets, type Extracted, extractSecrets } from "../../src/core/import/inline-keys.js";
import { type Recognized, recognizeEntry } from "../../src/core/import/recognize.js";
import {
  convertReferences,
  hasSecretPrefix,
  looksLikeCredential,
  secretNameFor,
} from "../../src/core/import/values.js";
import type { ClientId } from "../../src/core/manifest/schema.js";
import { isPlaceholder, isSecretName } from "../../src/core/secrets/placeholders.js";

describe("judging names and values", () => {
  test.each([
    ["TAVILY_API_KEY", true],
    ["GITHUB_PERSONAL_ACCESS_TOKEN", true],
    ["GITHUB_PAT", true],
    ["DB_PASSWORD", true],
    ["CLIENT_SECRET", true],
    ["Authorization", true],
    ["X-API-Key", true],
    ["apiKey", true],
    ["tavilyApiKey", true],
    ["NODE_AUTH_TOKEN", true],
    ["PYTHONPATH", false],
    ["PATH", false],
    ["KEYBOARD_LAYOUT", false],
    ["EBAY_CLIENT_ID", false],
    ["NODE_ENV", false],
    ["MONKEY", false],
    // Names with a secret's letters but not its word (doctor's old pattern took them for keys).
    ["AUTHOR", false],
    ["OAUTH_REDIRECT_URI", false],
    ["MAX_TOKENS", false],
    ["TOKENIZER_PATH", false],
    ["SESSION_COOKIE", true],
    ["MINIO_ACCESSKEY", true],
    ["SECRETKEY", true],
  ])("%s is a secret name: %s", (name, expected) => expect(isSecretName(name)).toBe(expected));

  test.each([
    ["your-key-here", true],
    ["YOUR_PERPLEXITY_API_KEY", true],
    ["your_api_key", true],
    ["<YOUR_KEY>", true],
    ["<token>", true],
    ["[API_KEY]", true],
    ["{API_KEY}", true],
    ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", true],
    ["XXXX", true],
    ["sk-xxxxxxxx", true],
    ["ghp_XXXXXXXXXXXX", true],
    ["***", true],
    ["...", true],
    ["changeme", true],
    ["insert_key_here", true],
    ["", false],
    ["tvly-dev-8b2kq9x1m4", false],
    ["fx-live-123456", false],
    ["${env:TOKEN}", false],
    ["production", false],
  ])("%j is a placeholder: %s", (value, expected) => expect(isPlaceholder(value)).toBe(expected));

  test.each([
    ["sk-proj-4f9a8b7c6d5e4f3a2b1c", true],
    ["ghp_1234567890abcdefABCDEF1234", true],
    ["github_pat_11ABCDEFG0123456789_abcdef", true],
    ["tvly-dev-8b2kq9x1m4abcd", true],
    ["xoxb-123456789012-abcdefghijkl", true],
    ["AIzaSyA1b2C3d4E5f6G7h8I9j0", true],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig", true],
    ["sk-learn-something", false],
    ["sk-xxxxxxxxxxxxxxxxxxxx", false],
    ["secret_sauce_config_file", false],
    ["ghp_ short", false],
  ])("%j has a known key prefix: %s", (value, expected) => expect(hasSecretPrefix(value)).toBe(expected));

  test.each([
    ["fx-live-123456", true],
    ["Bearer abc123def", true],
    ["hunter22", true],
    ["production", false],
    ["oauth", false],
    ["true", false],
    ["4000", false],
    ["https://example.com/token", false],
    ["/run/secrets/token", false],
    ["C:\\keys\\token.txt", false],
    ["abc", false],
    ["two words", false],
  ])("%j looks like a credential: %s", (value, expected) =>
    expect(looksLikeCredential(value)).toBe(expected),
  );

  test.each([
    ["tavily", "TAVILY_API_KEY", "TAVILY_API_KEY"],
    ["supabase", "--access-token", "SUPABASE_ACCESS_TOKEN"],
    ["desktop-commander", "--key", "DESKTOP_COMMANDER_KEY"],
    ["docs", "token", "DOCS_TOKEN"],
    ["docs", "X-API-Key", "DOCS_API_KEY"],
    ["tavily-mcp", "tavilyApiKey", "TAVILY_API_KEY"],
    ["context7", "CONTEXT7_API_KEY", "CONTEXT7_API_KEY"],
    ["brave", "brave_api_key", "BRAVE_API_KEY"],
    ["1password", "token", "_1PASSWORD_TOKEN"],
  ])("server %s, field %s → %s", (server, field, name) => expect(secretNameFor(server, field)).toBe(name));

  test.each<[string, ClientId, string]>([
    ["${BRAVE_API_KEY}", "claude-code", "${env:BRAVE_API_KEY}"],
    ["${env:TOKEN}", "cursor", "${env:TOKEN}"],
    ["Bearer ${TOKEN}", "claude-code", "Bearer ${env:TOKEN}"],
    ["${HOME}/data", "claude-desktop", "${env:HOME}/data"],
    ["$TOKEN", "gemini-cli", "${env:TOKEN}"],
    ["$TOKEN", "cursor", "$TOKEN"],
    ["plain", "cursor", "plain"],
  ])("%j from %s → %j", (text, client, expected) =>
    expect(convertReferences(text, client)).toMatchObject({ text: expected }),
  );

  test("a default is dropped, with a note", () => {
    const c = convertReferences("${DATA_DIR:-.}", "claude-code");
    expect(c).toMatchObject({ text: "${env:DATA_DIR}" });
    expect((c as { notes: string[] }).notes[0]).toContain("lost its default");
  });

  test.each([
    "${workspaceFolder}/x",
    "${userHome}",
    "${input:api-key}",
    "${env:A:-b}",
    "${CLAUDE_PROJECT_DIR:-.}",
  ])("%j cannot be expressed in the manifest", (text) =>
    expect(convertReferences(text, "vscode")).toHaveProperty("problem"),
  );
});

function extract(entry: unknown, server = "srv", client: ClientId = "claude-desktop"): Extracted {
  const r = recognizeEntry(entry, { client, envKind: "windows" });
  if (r.kind === "unknown") throw new Error(r.reason);
  const e = extractSecrets(r as Recognized, server, client);
  if ("problem" in e) throw new Error(e.problem);
  return e;
}

describe("moving inline keys out of an entry", () => {
  test("env: keys become ${secret:NAME}; other values, references and empties stay", () => {
    const e = extract({
      command: "npx",
      args: ["-y", "tavily-mcp"],
      env: {
        TAVILY_API_KEY: "tvly-dev-8b2kq9x1m4",
        NODE_ENV: "production",
        AUTH_MODE: "oauth",
        GITHUB_TOKEN: "${GITHUB_TOKEN}",
        OPTIONAL_TOKEN: "",
        OPENAI_KEY_FILE: "/run/secrets/openai",
        SOME_SETTING: "sk-proj-4f9a8b7c6d5e4f3a2b1c",
      },
    });
    expect(e.form.env).toEqual({
      TAVILY_API_KEY: "${secret:TAVILY_API_KEY}",
      NODE_ENV: "production",
      AUTH_MODE: "oauth",
      GITHUB_TOKEN: "${env:GITHUB_TOKEN}",
      OPTIONAL_TOKEN: "",
      OPENAI_KEY_FILE: "/run/secrets/openai",
      SOME_SETTING: "${secret:SOME_SETTING}",
    });
    expect(e.secrets).toEqual([
      { name: "TAVILY_API_KEY", value: "tvly-dev-8b2kq9x1m4", field: "env.TAVILY_API_KEY" },
      { name: "SOME_SETTING", value: "sk-proj-4f9a8b7c6d5e4f3a2b1c", field: "env.SOME_SETTING" },
    ]);
    expect(e.empty).toEqual(["env.OPTIONAL_TOKEN"]);
  });

  test("placeholders become references with no value", () => {
    const e = extract({
      command: "npx",
      args: ["pkg"],
      env: { PERPLEXITY_API_KEY: "YOUR_PERPLEXITY_API_KEY" },
    });
    expect(e.form.env).toEqual({ PERPLEXITY_API_KEY: "${secret:PERPLEXITY_API_KEY}" });
    expect(e.secrets).toEqual([
      { name: "PERPLEXITY_API_KEY", placeholder: "YOUR_PERPLEXITY_API_KEY", field: "env.PERPLEXITY_API_KEY" },
    ]);
  });

  test("headers keep their scheme; Authorization is named after the server", () => {
    const e = extract(
      {
        type: "http",
        url: "https://docs.example/mcp",
        headers: {
          Authorization: "Bearer abc123def456",
          "X-API-Key": "k-123456789",
          CONTEXT7_API_KEY: "",
          Accept: "text/plain",
        },
      },
      "docs",
      "claude-code",
    );
    expect(e.form.url).toBe("https://docs.example/mcp");
    expect(e.form.headers).toEqual({
      Authorization: "Bearer ${secret:DOCS_TOKEN}",
      "X-API-Key": "${secret:DOCS_API_KEY}",
      CONTEXT7_API_KEY: "",
      Accept: "text/plain",
    });
    expect(e.secrets.map((s) => [s.name, s.value])).toEqual([
      ["DOCS_TOKEN", "abc123def456"],
      ["DOCS_API_KEY", "k-123456789"],
    ]);
    expect(e.empty).toEqual(["headers.CONTEXT7_API_KEY"]);
  });

  test("args: --flag value, --flag=value, bare known keys, URL passwords", () => {
    const e = extract(
      {
        command: "npx",
        args: [
          "-y",
          "@supabase/mcp-server-supabase",
          "--access-token",
          "sbp_0123456789abcdef0123",
          "--api-key=k1234567890",
          "--token-limit",
          "4000",
          "sk-proj-4f9a8b7c6d5e4f3a2b1c",
          "redis://:s3cr3tpass@10.0.0.2:6379/0",
          "postgres://me:${env:PGPASS}@db/app",
        ],
      },
      "supabase",
    );
    expect(e.form.args).toEqual([
      "--access-token",
      "${secret:SUPABASE_ACCESS_TOKEN}",
      "--api-key=${secret:SUPABASE_API_KEY}",
      "--token-limit",
      "4000",
      "${secret:SUPABASE_API_KEY_2}",
      "redis://:${secret:SUPABASE_PASSWORD}@10.0.0.2:6379/0",
      "postgres://me:${env:PGPASS}@db/app",
    ]);
    expect(e.secrets.map((s) => s.name)).toEqual([
      "SUPABASE_ACCESS_TOKEN",
      "SUPABASE_API_KEY",
      "SUPABASE_API_KEY_2",
      "SUPABASE_PASSWORD",
    ]);
  });

  test("Smithery's --key is one SMITHERY_API_KEY; the redacted xxx key is a placeholder", () => {
    const e = extract({
      command: "npx",
      args: ["-y", "@smithery/cli@latest", "run", "@wonderwhy-er/desktop-commander", "--key", "x".repeat(36)],
    });
    expect(e.form).toMatchObject({
      package: "@smithery/cli",
      range: "",
      args: ["run", "@wonderwhy-er/desktop-commander", "--key", "${secret:SMITHERY_API_KEY}"],
    });
    expect(e.secrets).toEqual([{ name: "SMITHERY_API_KEY", placeholder: "x".repeat(36), field: "args[3]" }]);
  });

  test("url query keys and passwords move; the rest of the URL stays as written", () => {
    const e = extract(
      { url: "https://u:pa55word1@mcp.example/sse?tavilyApiKey=tvly-abc123456789&profile=x%20y" },
      "tavily-mcp",
      "cursor",
    );
    expect(e.form.url).toBe(
      "https://u:${secret:TAVILY_MCP_PASSWORD}@mcp.example/sse?tavilyApiKey=${secret:TAVILY_API_KEY}&profile=x%20y",
    );
    expect(e.secrets.map((s) => s.value)).toEqual(["pa55word1", "tvly-abc123456789"]);
  });

  test("an env var's URL password is named after the variable", () => {
    const e = extract({
      command: "uvx",
      args: ["mcp-pg"],
      env: { DATABASE_URL: "postgres://app:pw-12345@db:5432/app" },
    });
    expect(e.form.env.DATABASE_URL).toBe("postgres://app:${secret:DATABASE_URL_PASSWORD}@db:5432/app");
  });

  test("a reference only one client understands makes the entry not importable", () => {
    const r = recognizeEntry(
      { command: "npx", args: ["pkg", "${workspaceFolder}"] },
      { client: "vscode", envKind: "windows" },
    );
    expect(extractSecrets(r as Recognized, "srv", "vscode")).toEqual({
      problem: "uses ${workspaceFolder}, which only vscode understands",
    });
  });
});

describe("allocating secret names", () => {
  test("one name per distinct value; a second value gets _2; equal values share", () => {
    const a = allocateSecrets(
      [
        { name: "GITHUB_TOKEN", value: "ghp_one" },
        { name: "GITHUB_TOKEN", value: "ghp_two" },
        { name: "GITHUB_TOKEN", value: "ghp_one" },
        { name: "TAVILY_API_KEY", value: "tvly-1" },
      ],
      {},
    );
    expect(a.rename("GITHUB_TOKEN", "ghp_one")).toBe("GITHUB_TOKEN");
    expect(a.rename("GITHUB_TOKEN", "ghp_two")).toBe("GITHUB_TOKEN_2");
    expect(a.store).toEqual({ GITHUB_TOKEN: "ghp_one", GITHUB_TOKEN_2: "ghp_two", TAVILY_API_KEY: "tvly-1" });
    expect(a.renamed).toEqual([{ from: "GITHUB_TOKEN", to: "GITHUB_TOKEN_2" }]);
  });

  test("a stored secret is never overwritten: the same value is reused, another one is suffixed", () => {
    const a = allocateSecrets(
      [
        { name: "TAVILY_API_KEY", value: "tvly-same" },
        { name: "GITHUB_TOKEN", value: "ghp_new" },
      ],
      { TAVILY_API_KEY: "tvly-same", GITHUB_TOKEN: "ghp_old", GITHUB_TOKEN_2: "ghp_older" },
    );
    expect(a.rename("TAVILY_API_KEY", "tvly-same")).toBe("TAVILY_API_KEY");
    expect(a.rename("GITHUB_TOKEN", "ghp_new")).toBe("GITHUB_TOKEN_3");
    expect(a.store).toEqual({ GITHUB_TOKEN_3: "ghp_new" });
  });
});
