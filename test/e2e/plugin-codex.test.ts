/**
 * Codex's plugin servers, from the files `codex plugin marketplace add` and `codex plugin add`
 * (0.169.0) write: config.toml's enabled [plugins."<name>@<marketplace>"], the plugin's folder in
 * plugins/cache; status, doctor and sync name them, and the entry Codex runs over one of its name.
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

describe("Codex's plugin servers", () => {
  test("status and doctor list an enabled plugin's servers; sync says the entry of its name wins", async () => {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    machines.push(m);
    const codex = path.join(m.paths.linuxHome, ".codex");
    const cache = path.join(codex, "plugins", "cache", "mk");
    // searcher: servers in its root's .mcp.json; tools: plugin.json names a file of its own; idle: off.
    writeClientFile(path.join(cache, "searcher", "1.0.0", ".codex-plugin", "plugin.json"), {
      name: "searcher",
      version: "1.0.0",
    });
    writeClientFile(path.join(cache, "searcher", "1.0.0", ".mcp.json"), {
      mcpServers: { search: { command: "node", args: ["s.js"] } },
    });
    writeClientFile(path.join(cache, "tools", "2.0.0", ".codex-plugin", "plugin.json"), {
      name: "tools",
      version: "2.0.0",
      mcpServers: "./servers.json",
    });
    writeClientFile(path.join(cache, "tools", "2.0.0", "servers.json"), {
      mcpServers: { lint: { command: "node", args: ["l.js"] } },
    });
    writeClientFile(path.join(cache, "tools", "2.0.0", ".mcp.json"), {
      mcpServers: { ignored: { command: "node" } },
    });
    writeClientFile(path.join(cache, "idle", "1.0.0", ".mcp.json"), {
      mcpServers: { sleepy: { command: "node" } },
    });
    const config = path.join(codex, "config.toml");
    writeClientFile(
      config,
      `[marketplaces.mk]\nsource_type = "local"\nsource = "/src/mk"\n\n[plugins."searcher@mk"]\nenabled = true\n\n[plugins."tools@mk"]\nenabled = true\n\n[plugins."idle@mk"]\nenabled = false\n`,
    );
    writeManifest(m, { servers: { search: { command: process.execPath, args: ["search.js"] } } });

    const sync = await m.run(["sync", "--client", "codex"]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(
      "search: this entry has the name of searcher@mk's server \"search\": Codex runs this entry and skips the plugin's server",
    );
    expect(readFileSync(config, "utf8")).toContain('[plugins."searcher@mk"]\nenabled = true');

    const status = await m.run(["status"]);
    expect(status.stdout).toContain(
      `  search  linux codex, from searcher@mk (${cache}/searcher/1.0.0/.mcp.json)`,
    );
    expect(status.stdout).toContain(`  lint  linux codex, from tools@mk (${cache}/tools/2.0.0/servers.json)`);
    expect(status.stdout).not.toContain("sleepy");
    expect(status.stdout).not.toContain("ignored");

    const doctor = await m.run(["doctor", "--no-probe", "--json", "--client", "codex"]);
    const found = (JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; message: string }>)
      .filter((c) => c.id === "config.plugin-server")
      .map((c) => `${c.status} ${c.message}`);
    expect(found).toEqual([
      `warn "search" comes from searcher@mk (${cache}/searcher/1.0.0/.mcp.json); mcp-twin's entry "search" clashes with it: this entry has the name of searcher@mk's server "search": Codex runs this entry and skips the plugin's server.`,
      `pass "lint" comes from tools@mk (${cache}/tools/2.0.0/servers.json); no mcp-twin entry clashes with it.`,
    ]);
  }, 120_000);
});
