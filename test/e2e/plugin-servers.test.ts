/**
 * Servers from plugins and extensions: Claude Code's enabled plugin (installed_plugins.json,
 * enabledPlugins, its `.mcp.json` with `${CLAUDE_PLUGIN_ROOT}`) and a Gemini CLI extension
 * (gemini-extension.json). status lists them; sync says when an entry it writes shadows one (the
 * same command for Claude Code, the same name for Gemini), doctor warns of it; import lists them,
 * not imported; their files are never written.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeClientFile,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const write = (file: string, value: unknown) => writeClientFile(file, value, { pretty: true });

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function withPlugins(m: FakeMachine) {
  const home = m.paths.linuxHome;
  const plugin = path.join(home, ".claude", "plugins", "cache", "mk", "searcher", "1.0.0");
  const other = path.join(home, ".claude", "plugins", "cache", "mk", "idle", "1.0.0");
  const files: Record<string, string> = {
    [path.join(plugin, ".mcp.json")]: write(path.join(plugin, ".mcp.json"), {
      mcpServers: { search: { command: process.execPath, args: ["${CLAUDE_PLUGIN_ROOT}/server.js"] } },
    }),
    [path.join(other, ".mcp.json")]: write(path.join(other, ".mcp.json"), {
      mcpServers: { sleepy: { command: "sleepy-server" } },
    }),
    [path.join(home, ".claude", "plugins", "installed_plugins.json")]: write(
      path.join(home, ".claude", "plugins", "installed_plugins.json"),
      {
        version: 2,
        plugins: {
          "searcher@mk": [{ scope: "user", installPath: plugin, version: "1.0.0" }],
          "idle@mk": [{ scope: "user", installPath: other, version: "1.0.0" }],
        },
      },
    ),
    [path.join(home, ".claude", "settings.json")]: write(path.join(home, ".claude", "settings.json"), {
      enabledPlugins: { "searcher@mk": true, "idle@mk": false },
    }),
    [path.join(home, ".gemini", "extensions", "notes", "gemini-extension.json")]: write(
      path.join(home, ".gemini", "extensions", "notes", "gemini-extension.json"),
      {
        name: "notes",
        version: "1.0.0",
        mcpServers: { fx: { command: "node", args: ["${extensionPath}/notes.js"] } },
      },
    ),
  };
  return { plugin, files };
}

describe("servers from plugins and extensions", () => {
  test("status lists them, sync names the one each entry shadows, no plugin file is written", async () => {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
    machines.push(m);
    const { plugin, files } = withPlugins(m);
    // fx runs what the plugin's "search" runs (Claude Code drops the plugin's), and has the name of
    // the Gemini extension's server.
    writeManifest(m, {
      servers: { fx: { command: process.execPath, args: [path.join(plugin, "server.js")] } },
    });

    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(
      "fx: this entry runs the same command as searcher@mk's server \"search\": Claude Code drops the plugin's server without a word (anthropics/claude-code#31682)",
    );
    expect(sync.stdout).toContain(
      "fx: this entry has the name of notes's server \"fx\": Gemini CLI lays the entry over it (the entry's keys win)",
    );

    const status = await m.run(["status"]);
    expect(status.stdout).toContain("From plugins and extensions");
    expect(status.stdout).toContain("search  linux claude-code, from searcher@mk");
    expect(status.stdout).toContain("fx  linux gemini-cli, from notes");
    // A plugin that is installed but not enabled provides nothing.
    expect(status.stdout).not.toContain("sleepy");

    const doctor = await m.run(["doctor", "--no-probe", "--json"]);
    const shadows = (
      JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; message: string }>
    )
      .filter((c) => c.id === "drift.entry" && c.status === "warn")
      .map((c) => c.message);
    expect(shadows).toContain(
      "this entry runs the same command as searcher@mk's server \"search\": Claude Code drops the plugin's server without a word (anthropics/claude-code#31682).",
    );

    const imported = await m.run(["import", "--dry-run"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(
      "From plugins and extensions, not imported (each comes and goes with its plugin):",
    );
    expect(imported.stdout).toContain("search  linux claude-code, from searcher@mk");
    expect(imported.stdout).toContain('fx  linux gemini-cli, from notes (the manifest\'s "fx" has its name)');

    for (const [file, text] of Object.entries(files)) expect(readFileSync(file, "utf8")).toBe(text);
  }, 120_000);
});
