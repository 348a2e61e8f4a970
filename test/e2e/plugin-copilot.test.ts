/**
 * GitHub Copilot CLI's plugin servers, from the files `copilot plugin install <folder>` (1.0.102)
 * writes: config.json's installedPlugins (enabled ones), each plugin's .mcp.json. status, doctor,
 * import and sync name them, and the entry a plugin's server of its name wins over.
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

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

/** A plugin as Copilot copies it into installed-plugins/_direct/<folder>: plugin.json and .mcp.json. */
function plugin(home: string, folder: string, name: string, server: string): string {
  const dir = path.join(home, ".copilot", "installed-plugins", "_direct", folder);
  writeClientFile(
    path.join(dir, "plugin.json"),
    JSON.stringify({ name, version: "1.0.0", description: "x" }),
  );
  writeClientFile(
    path.join(dir, ".mcp.json"),
    JSON.stringify({ mcpServers: { [server]: { command: "node", args: ["${PLUGIN_ROOT}/s.js"] } } }),
  );
  return dir;
}

/** config.json as 1.0.102 leaves it after two installs and `copilot plugin disable idle`. */
function config(home: string, plugins: Array<{ name: string; dir: string; enabled: boolean }>): string {
  const file = path.join(home, ".copilot", "config.json");
  const list = plugins.map((p) => ({
    name: p.name,
    marketplace: "",
    version: "1.0.0",
    installed_at: "2026-11-25T03:37:32.152626264Z",
    cache_path: p.dir,
    enabled: p.enabled,
    source: { source: "local", path: `/src/${p.name}` },
  }));
  const text = `// User settings belong in settings.json.\n// This file is managed automatically.\n${JSON.stringify({ installedPlugins: list }, null, 2)}\n`;
  writeClientFile(file, text);
  return text;
}

describe("GitHub Copilot CLI's plugin servers", () => {
  test("listed by status, doctor and import; sync says when a plugin's server of its name wins", async () => {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    machines.push(m);
    const home = m.paths.linuxHome;
    const search = plugin(home, "search", "searcher", "search");
    const idle = plugin(home, "idle", "idle", "sleepy");
    const text = config(home, [
      { name: "searcher", dir: search, enabled: true },
      { name: "idle", dir: idle, enabled: false },
    ]);
    // "search" has the name of the plugin's server: Copilot runs the plugin's.
    writeManifest(m, { servers: { search: { command: process.execPath, args: ["search.js"] } } });

    const sync = await m.run(["sync", "--client", "copilot-cli"]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(
      "search: this entry has the name of searcher's server \"search\": GitHub Copilot CLI runs the plugin's server and leaves this entry out",
    );

    const status = await m.run(["status"]);
    expect(status.stdout).toContain(`  search  linux copilot-cli, from searcher (${search}/.mcp.json)`);
    expect(status.stdout).not.toContain("sleepy");

    const doctor = await m.run(["doctor", "--no-probe", "--json", "--client", "copilot-cli"]);
    const found = (JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; message: string }>)
      .filter((c) => c.id === "config.plugin-server")
      .map((c) => `${c.status} ${c.message}`);
    expect(found).toEqual([
      `warn "search" comes from searcher (${search}/.mcp.json); mcp-twin's entry "search" clashes with it: this entry has the name of searcher's server "search": GitHub Copilot CLI runs the plugin's server and leaves this entry out.`,
    ]);

    const imported = await m.run(["import", "--dry-run"]);
    expect(imported.stdout).toContain(
      `search  linux copilot-cli, from searcher (the manifest's "search" has its name)`,
    );
    expect(readFileSync(path.join(home, ".copilot", "config.json"), "utf8")).toBe(text);
  }, 120_000);
});
