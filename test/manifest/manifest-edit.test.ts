/**
 * The one manifest writer (add, remove, init, import, adopt): edits keep the user's bytes, results
 * are validated, new files get a $schema.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Machine, openMachine } from "../../src/core/environments/machine.js";
import { UsageErrors } from "../../src/core/errors.js";
import {
  newManifestText,
  withServer,
  withServerFields,
  withServers,
  writeManifest,
} from "../../src/core/manifest/edit.js";
import { parseManifestText } from "../../src/core/manifest/validate.js";
import { createRunner } from "../../src/core/system/run.js";
import { createFakeMachine, type FakeMachine } from "../helpers/fake-machine.js";

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
    const text = withServers(before, FILE, [
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
    expect(Object.keys(parseManifestText(text, FILE).servers)).toEqual(["memory", "servers", "fixture"]);
  });

  test("replaces an entry of the same name in place", () => {
    const before =
      '{\n  "servers": {\n    "a": { "command": "uvx" },\n    "b": { "command": "gh" }\n  }\n}\n';
    const text = withServers(before, FILE, [{ name: "a", server: { package: "pkg" } }]);
    expect(text).toBe(
      '{\n  "servers": {\n    "a": {\n      "package": "pkg"\n    },\n    "b": { "command": "gh" }\n  }\n}\n',
    );
  });

  test("a missing manifest starts with init's header comment, $schema and servers", () => {
    const text = withServers(null, FILE, [{ name: "x", server: { url: "https://x.example/mcp" } }]);
    // The same header `init` and `add` write: import creates the file just as they do.
    expect(text.split("\n").slice(0, 2)).toEqual([
      "// mcp-twin manifest: the MCP servers to set up in every environment and client.",
      "// Edit it by hand or with `mcp-twin add` / `mcp-twin remove`, then run `mcp-twin sync`.",
    ]);
    expect(JSON.parse(text.replace(/^\/\/.*$/gm, ""))).toEqual({
      $schema: "./mcp-twin.schema.json",
      servers: { x: { url: "https://x.example/mcp" } },
    });
    expect(newManifestText("./mcp-twin.schema.json", "\r\n")).toMatch(
      /^\/\/ mcp-twin manifest: .*\r\n\/\/ Edit it .*\r\n\{\r\n {2}"\$schema": "\.\/mcp-twin\.schema\.json",\r\n {2}"servers": \{\}\r\n\}\r\n$/,
    );
  });

  test("an empty manifest is not started afresh: it lost what it held, and is refused at 1:1", () => {
    for (const before of ["", "  \n", "// servers\n"])
      expect(() =>
        withServers(before, FILE, [{ name: "x", server: { url: "https://x.example/mcp" } }]),
      ).toThrow(/mcp-twin\.jsonc:1:1: the manifest (is empty|holds only whitespace|holds only comments);/);
  });

  test("a result the schema rejects is said as what the change would do, at no line the file does not hold", () => {
    expect(() => withServers(null, FILE, [{ name: "bad name", server: { package: "pkg" } }])).toThrow(
      UsageErrors,
    );
    const before = '{\n  "toolSearch": { "clients": ["cline"] },\n  "servers": {}\n}\n';
    for (const [text, name] of [
      [null, "x"],
      [before, "tools"],
    ] as const) {
      const server = name === "x" ? { package: "pkg", url: "https://x" } : { url: "https://x.example/mcp" };
      try {
        withServers(text, FILE, [{ name, server }]);
        expect.unreachable();
      } catch (error) {
        const message = (error as UsageErrors).message;
        expect(message).toMatch(new RegExp(`^${FILE}: this change would make servers\\.${name} wrong: `));
        expect(message).not.toMatch(/jsonc:\d/);
        expect((error as UsageErrors).location).toEqual({ file: FILE });
      }
    }
  });

  test("a problem the file already had is at its own line and column, not the edit's", () => {
    const before = '{\n  "servers": {\n    "a": { "package": "p", "url": "https://x" }\n  }\n}\n';
    expect(() =>
      withServers(before, FILE, [{ name: "b", server: { url: "https://b.example/mcp" } }]),
    ).toThrow(`${FILE}:3:5: servers.a: has package and url`);
  });
});

describe("withServerFields", () => {
  test("changes the named fields of one server only (adopt's edit), comments elsewhere kept", () => {
    const before = [
      "{",
      '  "servers": {',
      '    "a": { "package": "pkg", "env": { "MODE": "x", "OLD": "y" } }, // mine',
      '    "b": { "command": "gh" }',
      "  }",
      "}",
      "",
    ].join("\n");
    const text = withServerFields(before, FILE, "a", [
      { path: ["env", "MODE"], value: "z" },
      { path: ["env", "OLD"], remove: true },
      { path: ["args"], value: ["--verbose"] },
    ]);
    expect(text).toContain("// mine");
    expect(text).toContain('"b": { "command": "gh" }');
    expect(parseManifestText(text, FILE).servers.a).toEqual({
      package: "pkg",
      env: { MODE: "z" },
      args: ["--verbose"],
    });
  });
});

describe("writeManifest", () => {
  let m: FakeMachine;
  let machine: Machine;
  beforeAll(async () => {
    m = createFakeMachine();
    machine = await openMachine({
      platform: "linux",
      env: m.env,
      cwd: m.paths.linuxHome,
      sysroot: m.env.MCP_TWIN_SYSROOT!,
      runner: createRunner(),
      now: () => new Date(),
      self: { node: process.execPath, script: path.join(m.root, "mcp-twin.js") },
    });
  });
  afterAll(() => m?.cleanup());

  test("creates a manifest and the schema copy it names beside it; an existing file is replaced atomically", async () => {
    const dir = path.join(m.root, "project");
    const file = path.join(dir, "mcp-twin.jsonc");
    const first = await writeManifest(machine, file, (current) =>
      withServers(current, file, [{ name: "a", server: { package: "pkg" } }]),
    );
    expect(first).toMatchObject({ written: true, created: true, before: null });
    const schema = JSON.parse(readFileSync(path.join(dir, "mcp-twin.schema.json"), "utf8"));
    expect(schema.title).toBe("mcp-twin manifest");
    writeFileSync(path.join(dir, "mcp-twin.schema.json"), "{}");
    const second = await writeManifest(machine, file, (current) =>
      withServers(current, file, [{ name: "b", server: { command: "gh" } }]),
    );
    expect(second).toMatchObject({ written: true, created: false });
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8").replace(/^\/\/.*$/gm, "")).servers)).toEqual([
      "a",
      "b",
    ]);
    // Not the home manifest: a copy the user changed is theirs.
    expect(readFileSync(path.join(dir, "mcp-twin.schema.json"), "utf8")).toBe("{}");
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const none = await writeManifest(machine, file, () => null);
    expect(none.written).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  test("a result the schema rejects is never written", async () => {
    const file = path.join(m.root, "rejected", "mcp-twin.jsonc");
    await expect(writeManifest(machine, file, () => '{ "servers": { "bad name": {} } }')).rejects.toThrow(
      UsageErrors,
    );
    expect(existsSync(file)).toBe(false);
  });

  test("a new manifest naming the published schema gets no copy; the home manifest's copy is refreshed", async () => {
    const dir = path.join(m.root, "published");
    const file = path.join(dir, "mcp-twin.jsonc");
    const published = "https://unpkg.com/mcp-twin/schema/manifest.schema.json";
    await writeManifest(machine, file, (current) =>
      withServer(current, file, "a", { package: "pkg" }, published),
    );
    expect(existsSync(path.join(dir, "mcp-twin.schema.json"))).toBe(false);

    const copy = path.join(machine.home.dir, "mcp-twin.schema.json");
    const home = machine.paths.manifest;
    await writeManifest(machine, home, (current) =>
      withServers(current, home, [{ name: "a", server: { package: "pkg" } }]),
    );
    writeFileSync(copy, "{}");
    await writeManifest(machine, home, (current) =>
      withServers(current, home, [{ name: "b", server: { package: "pkg" } }]),
    );
    expect(JSON.parse(readFileSync(copy, "utf8")).title).toBe("mcp-twin manifest");
  });
});
