/**
 * Antigravity end to end on a fake Linux machine, on a file as a person keeps it (strict JSON, CRLF,
 * servers of theirs): init finds it by ~/.gemini/config, sync writes `command`/`args` and
 * `serverUrl` entries keeping every byte, a second sync writes nothing, status and doctor read it,
 * import takes the person's servers, restore and uninstall give the bytes back; Gemini CLI's folder
 * alone is not Antigravity's.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor, pick } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const CRLF = (lines: string[]) => `${lines.join("\r\n")}\r\n`;

/** The person's file: strict JSON (agy takes no comment), a stdio server and a remote one of theirs. */
function personFile(node: string, script: string): string {
  return CRLF([
    "{",
    '  "mcpServers": {',
    `    "mine": { "command": "${node}", "args": ["${script}"], "disabled": false },`,
    '    "docs": {',
    '      "serverUrl": "https://developerknowledge.example/mcp",',
    '      "headers": { "X-goog-user-project": "p1" },',
    '      "disabledTools": ["delete_all"]',
    "    }",
    "  }",
    "}",
  ]);
}

function machine(): { m: FakeMachine; file: string; before: string } {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  const file = path.join(m.paths.linuxHome, ".gemini", "config", "mcp_config.json");
  mkdirSync(path.dirname(file), { recursive: true });
  const before = personFile(process.execPath, inject("fixtureScript"));
  writeFileSync(file, before);
  writeManifest(m, {
    servers: {
      fx: { command: process.execPath, args: [inject("fixtureScript")] },
      api: { url: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } },
      events: { url: "https://mcp.example.com/sse", transport: "sse" },
    },
  });
  return { m, file, before };
}

function servers(text: string): Record<string, Record<string, unknown>> {
  return readEntries(parseConfig(text, "mcp_config.json"), ["mcpServers"], "mcp_config.json") as Record<
    string,
    Record<string, unknown>
  >;
}

describe("Antigravity on a person's file", () => {
  test("sync writes its entries, every other byte kept; again: nothing; status, doctor; restore and uninstall give the bytes back", async () => {
    const { m, file, before } = machine();
    try {
      const found = await m.run(["init", "--dry-run", "--yes"]);
      expect(found.stdout).toMatch(/linux .*Antigravity/);

      const first = await m.run(["sync", "--json"]);
      expect(first.code, first.stderr).toBe(0);
      const written = readFileSync(file, "utf8");
      const lines = written.split("\r\n");
      let at = 0;
      for (const line of before.split("\r\n")) {
        at = lines.indexOf(line, at);
        expect(at, line).toBeGreaterThanOrEqual(0);
      }
      expect(written.replace(/\r\n/g, "")).not.toContain("\n");
      // Strict JSON still: agy stops on a comment or a trailing comma.
      expect(() => JSON.parse(written)).not.toThrow();
      const entries = servers(written);
      expect(entries.fx).toEqual({ command: process.execPath, args: [inject("fixtureScript")] });
      expect(entries.api).toEqual({
        serverUrl: "https://mcp.example.com/mcp",
        headers: { "X-Team": "blue" },
      });
      // No SSE form is documented: the relay speaks SSE for it.
      expect(entries.events?.serverUrl).toBeUndefined();
      expect(entries.events?.args).toEqual(
        expect.arrayContaining(["connect", "https://mcp.example.com/sse", "--transport", "sse"]),
      );
      expect(entries.mine).toBeDefined();
      expect(entries.docs).toBeDefined();

      const second = await m.run(["sync"]);
      expect(second.code, second.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(written);

      const status = await m.run(["status", "--json"]);
      const rows = (
        JSON.parse(status.stdout) as Array<{ client: string; server: string; state: string }>
      ).filter((r) => r.client === "antigravity" && r.server === "fx");
      expect(rows.map((r) => r.state)).toEqual(["synced"]);

      const checked = await doctor(m, ["--client", "antigravity", "--server", "fx"]);
      const probes = pick(checked, "probe.handshake").filter((p) => p.status !== "skip");
      expect(probes.length, JSON.stringify(checked.checks, null, 1)).toBeGreaterThan(0);
      for (const p of probes) expect(p.status, p.message).toBe("pass");
      expect(pick(checked, "drift.entry").filter((d) => d.status === "fail")).toEqual([]);

      const restored = await m.run(["restore", file, "--yes"]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(before);

      expect((await m.run(["sync"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(written);
      const gone = await m.run(["uninstall", "--yes"]);
      expect(gone.code, gone.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(before);
    } finally {
      m.cleanup();
    }
  }, 180_000);

  test("import takes the person's servers, `serverUrl` read as the remote's url; doctor says a `url` entry does not connect", async () => {
    const { m, file, before } = machine();
    try {
      writeManifest(m, { servers: {} });
      const r = await m.run(["import", "--yes", "--client", "antigravity"]);
      expect(r.code, r.stderr).toBe(0);
      const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
      expect(manifest).toContain('"mine"');
      expect(manifest).toContain(inject("fixtureScript"));
      expect(manifest).toContain("https://developerknowledge.example/mcp");
      expect(readFileSync(file, "utf8")).toBe(before);

      const withUrl = before.replace('"serverUrl"', '"url"');
      writeFileSync(file, withUrl);
      const checked = await doctor(m, ["--client", "antigravity"]);
      const said = checked.checks.filter((c) => /reads "serverUrl", not "url"/.test(c.message ?? ""));
      expect(said.length, JSON.stringify(checked.checks, null, 1)).toBeGreaterThan(0);
      expect(readFileSync(file, "utf8")).toBe(withUrl);
    } finally {
      m.cleanup();
    }
  });

  test("Gemini CLI's folder and the IDE 1.x file are not Antigravity's; init says Gemini CLI's successor; --client creates the file", async () => {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    try {
      const gemini = path.join(m.paths.linuxHome, ".gemini");
      mkdirSync(path.join(gemini, "antigravity"), { recursive: true });
      writeFileSync(path.join(gemini, "settings.json"), "{}\n");
      const legacy = '{ "mcpServers": {} }\n';
      writeFileSync(path.join(gemini, "antigravity", "mcp_config.json"), legacy);
      writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
      const file = path.join(gemini, "config", "mcp_config.json");

      const found = await m.run(["init", "--dry-run", "--yes"]);
      expect(found.stdout).toMatch(/Gemini CLI/);
      expect(found.stdout).toMatch(/individuals moved to the Antigravity CLI \(`agy`\)\./);
      expect(found.stdout).not.toMatch(/linux .*Antigravity/);

      const synced = await m.run(["sync"]);
      expect(synced.code, synced.stderr).toBe(0);
      expect(existsSync(file)).toBe(false);
      expect(readFileSync(path.join(gemini, "antigravity", "mcp_config.json"), "utf8")).toBe(legacy);

      const named = await m.run(["sync", "--client", "antigravity"]);
      expect(named.code, named.stderr).toBe(0);
      expect(servers(readFileSync(file, "utf8")).fx).toEqual({
        command: process.execPath,
        args: [inject("fixtureScript")],
      });
    } finally {
      m.cleanup();
    }
  });
});
