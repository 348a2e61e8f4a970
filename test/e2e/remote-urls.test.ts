/**
 * Every way a remote server's URL comes in — the manifest, the MCP Registry (search, add, init),
 * a client config (import) — takes http(s) only, never credentials in the URL, and never a line
 * break in a header: refused with the field named, nothing written.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { registryMachines } from "../helpers/registry-machines.js";

runInProcessByDefault();

const remote = (name: string, r: Record<string, unknown>) => ({
  server: {
    name: `io.hostile/${name}`,
    description: `A hostile ${name} remote.`,
    version: "1.0.0",
    remotes: [r],
  },
  _meta: { "io.modelcontextprotocol.registry/official": { status: "active", isLatest: true } },
});
const HOSTILE = [
  remote("js", { type: "streamable-http", url: "javascript:alert(1)" }),
  remote("file", { type: "sse", url: "file:///etc/passwd" }),
  remote("creds", { type: "streamable-http", url: "https://admin:hunter2@evil.example/mcp" }),
  remote("crlf", {
    type: "streamable-http",
    url: "https://evil.example/mcp",
    headers: [{ name: "X-Client", value: "mcp\r\nX-Injected: yes" }],
  }),
];

const { machine } = registryMachines(() => ({ entries: HOSTILE }));
const manifestFile = (m: FakeMachine) => path.join(m.paths.home, "mcp-twin.jsonc");

describe("from the MCP Registry", () => {
  test("search says why each cannot be added, and never shows the URL's password", async () => {
    const m = machine();
    const r = await m.run(["search", "hostile", "--json"]);
    expect(r.code).toBe(0);
    const why = Object.fromEntries(
      JSON.parse(r.stdout).servers.map((s: { name: string; why?: string; way?: string }) => [s.name, s.why]),
    );
    expect(why).toEqual({
      "io.hostile/js": "its URL must be an http:// or https:// URL (not javascript:)",
      "io.hostile/file": "its URL must be an http:// or https:// URL (not file:)",
      "io.hostile/creds": expect.stringMatching(/^its URL holds a user name or password/),
      "io.hostile/crlf":
        'its header "X-Client" holds a line break or another control character (a header value is one line of text)',
    });
    expect(r.stdout).not.toContain("hunter2");
  });

  test.each(["js", "file", "creds", "crlf"])(
    "add io.hostile/%s: exit 2, why, nothing written",
    async (name) => {
      const m = machine();
      const r = await m.run(["add", `io.hostile/${name}`, "--yes"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/its (URL|header)/);
      expect(r.stderr + r.stdout).not.toContain("hunter2");
      expect(existsSync(manifestFile(m))).toBe(false);
    },
  );

  test("init --server: the same refusal", async () => {
    const m = machine();
    const r = await m.run(["init", "--yes", "--server", "io.hostile/file", "--no-sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("its URL must be an http:// or https:// URL (not file:)");
    expect(existsSync(manifestFile(m))).toBe(false);
  });
});

test("a manifest with a file: URL, credentials or a CR/LF header: sync and status exit 2 naming the field, nothing written", async () => {
  const m = machine();
  writeManifest(m, {
    servers: {
      f: { url: "file:///etc/passwd", transport: "sse" },
      c: { url: "https://u:hunter2@x.example/mcp" },
      h: { url: "https://x.example/mcp", headers: { "X-A": "a\r\nX-B: b" } },
    },
  });
  const claude = readFileSync(m.paths.claudeCodeConfig, "utf8");
  for (const command of ["sync", "status"]) {
    const r = await m.run([command]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /mcp-twin\.jsonc:\d+:\d+: servers\.f\.url: must be an http:\/\/ or https:\/\/ URL \(not file:\)/,
    );
    expect(r.stderr).toMatch(/mcp-twin\.jsonc:\d+:\d+: servers\.c\.url: holds a user name or password/);
    expect(r.stderr).toMatch(/mcp-twin\.jsonc:\d+:\d+: servers\.h\.headers\.X-A: holds a line break/);
    expect(r.stderr).not.toContain("hunter2");
  }
  expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(claude);
});

test("import moves a URL's password to a secret; a token as user name or a CR/LF header is left as it is, said", async () => {
  const m = machine();
  writeFileSync(
    m.paths.claudeCodeConfig,
    JSON.stringify({
      mcpServers: {
        creds: { type: "http", url: "https://u:hunter2@x.example/mcp" },
        token: { type: "http", url: "https://tok3n-0a9b8c@x.example/mcp" },
        crlf: { type: "http", url: "https://x.example/mcp", headers: { "X-A": "a\r\nX-B: b" } },
      },
    }),
  );
  const r = await m.run(["import", "--yes", "--json"]);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  const skipped = Object.fromEntries(
    doc.skipped.map((s: { server: string; reason: string }) => [s.server, s.reason]),
  );
  expect(skipped.token).toMatch(/^"url" holds a user name or password \(user:password@\) in plain text/);
  expect(skipped.crlf).toBe(
    'the header "X-A" holds a line break or another control character (a header value is one line of text)',
  );
  expect(r.stdout).not.toContain("hunter2");
  expect(r.stdout).not.toContain("tok3n-0a9b8c");
  const text = readFileSync(manifestFile(m), "utf8");
  expect(text).not.toContain("hunter2");
  const manifest = JSON.parse(text.replace(/^\/\/.*$/gm, ""));
  expect(manifest.servers).toEqual({ creds: { url: "https://u:${secret:CREDS_PASSWORD}@x.example/mcp" } });
});
