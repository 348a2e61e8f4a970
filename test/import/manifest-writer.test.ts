/** The manifest writer: edits keep the user's bytes, results are validated, new files get a $schema. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { UsageErrors } from "../../src/core/errors.js";
import { newManifestText, withServers, writeManifest } from "../../src/core/import/manifest-writer.js";

const FILE = "/home/bob/.config/mcp-twin/mcp-twin.jsonc";

describe("withServers", () => {
  test("adds entries after the existing ones, keeping comments, CRLF and the other keys", () => {
    const before = [
      "{",
      "  // my servers",
      '  "servers": {',
      '    "memory": { "package": "@modelcontextprotocol/server-memory" } // keep me',
      "  },",
      '  "bridge": { "enabled": false }',
      "}",
      "",
    ].join("\r\n");
    const { text, manifest } = withServers(before, FILE, [
      { name: "servers", server: { package: "@smithery/cli", args: ["run", "@jlia0/servers"] } },
      {
        name: "fixture",
        server: { package: "mcp-twin-fixture-server", env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" } },
      },
    ]);
    expect(text.split("\r\n").every((line) => !line.includes("\n"))).toBe(true);
    expect(text.replace(/\r\n/g, "\n")).toMatchInlineSnapshot(`
      "{
        // my servers
        "servers": {
          "memory": { "package": "@modelcontextprotocol/server-memory" }, // keep me
          "servers": {
            "package": "@smithery/cli",
            "args": [
              "run",
              "@jlia0/servers"
            ]
          },
          "fixture": {
            "package": "mcp-twin-fixture-server",
            "env": {
              "FIXTURE_API_KEY": "\${secret:FIXTURE_API_KEY}"
            }
          }
        },
        "bridge": { "enabled": false }
      }
      "
    `);
    expect(Object.keys(manifest.servers)).toEqual(["memory", "servers", "fixture"]);
  });

  test("replaces an entry of the same name in place", () => {
    const before =
      '{\n  "servers": {\n    "a": { "command": "uvx" },\n    "b": { "command": "gh" }\n  }\n}\n';
    const { text } = withServers(before, FILE, [{ name: "a", server: { package: "pkg" } }]);
    expect(text).toBe(
      '{\n  "servers": {\n    "a": {\n      "package": "pkg"\n    },\n    "b": { "command": "gh" }\n  }\n}\n',
    );
  });

  test("a missing (or empty) manifest starts with init's header comment, $schema and servers", () => {
    for (const before of [null, "", "  \n"]) {
      const { text } = withServers(before, FILE, [{ name: "x", server: { url: "https://x.example/mcp" } }]);
      // The same header `init` and `add` write: import creates the file just as they do.
      expect(text.split("\n").slice(0, 2)).toEqual([
        "// mcp-twin manifest: the MCP servers to set up in every environment and client.",
        "// Edit it by hand or with `mcp-twin add` / `mcp-twin remove`, then run `mcp-twin sync`.",
      ]);
      expect(JSON.parse(text.replace(/^\/\/.*$/gm, ""))).toEqual({
        $schema: "./mcp-twin.schema.json",
        servers: { x: { url: "https://x.example/mcp" } },
      });
    }
    expect(newManifestText("\r\n")).toMatch(
      /^\/\/ mcp-twin manifest: .*\r\n\/\/ Edit it .*\r\n\{\r\n {2}"\$schema": "\.\/mcp-twin\.schema\.json",\r\n {2}"servers": \{\}\r\n\}\r\n$/,
    );
  });

  test("a result the schema rejects is an error naming file:line:column", () => {
    expect(() => withServers(null, FILE, [{ name: "bad name", server: { package: "pkg" } }])).toThrow(
      UsageErrors,
    );
    try {
      withServers(null, FILE, [{ name: "x", server: { package: "pkg", url: "https://x" } }]);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/mcp-twin\.jsonc:\d+:\d+: servers\.x: has package and url/);
    }
  });
});

describe("writeManifest", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("creates the manifest and a schema copy beside it; an existing file is replaced atomically", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-writer-"));
    const file = path.join(dir, "home", "mcp-twin.jsonc");
    const first = await writeManifest(
      file,
      (current) => withServers(current, file, [{ name: "a", server: { package: "pkg" } }]).text,
    );
    expect(first).toMatchObject({ written: true, created: true, before: null });
    const schema = JSON.parse(readFileSync(path.join(dir, "home", "mcp-twin.schema.json"), "utf8"));
    expect(schema.title).toBe("mcp-twin manifest");
    writeFileSync(path.join(dir, "home", "mcp-twin.schema.json"), "{}");
    const second = await writeManifest(
      file,
      (current) => withServers(current, file, [{ name: "b", server: { command: "gh" } }]).text,
    );
    expect(second).toMatchObject({ written: true, created: false });
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8").replace(/^\/\/.*$/gm, "")).servers)).toEqual([
      "a",
      "b",
    ]);
    expect(readFileSync(path.join(dir, "home", "mcp-twin.schema.json"), "utf8")).toBe("{}");
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const none = await writeManifest(file, () => null);
    expect(none.written).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
