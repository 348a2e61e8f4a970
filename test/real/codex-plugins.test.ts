/**
 * The real Codex installs a plugin from a local marketplace (opt-in, see test/helpers/codex-cli.ts):
 * mcp-twin's status lists the server `codex mcp list` shows from it, and sync says that Codex runs
 * the entry of its name and skips the plugin's, as `codex mcp list --json` shows.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { codexCli, runCodex } from "../helpers/codex-cli.js";
import { createFakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";

const cli = codexCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Codex plugin tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

function write(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
}

describe.skipIf(skip !== undefined)(`real Codex plugins${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("a plugin `codex plugin add` installed is read as Codex reads it", async () => {
    if ("reason" in cli) return;
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    machines.push(m);
    const codexHome = path.join(m.paths.linuxHome, ".codex");
    mkdirSync(codexHome, { recursive: true });
    const market = path.join(m.paths.linuxHome, "mk");
    write(path.join(market, ".agents", "plugins", "marketplace.json"), {
      name: "mk",
      plugins: [{ name: "fxplug", source: { source: "local", path: "./plug" } }],
    });
    write(path.join(market, "plug", ".codex-plugin", "plugin.json"), {
      name: "fxplug",
      version: "1.0.0",
      description: "x",
    });
    write(path.join(market, "plug", ".mcp.json"), {
      mcpServers: { search: { command: "node", args: ["s.js"] }, other: { command: "node", args: ["o.js"] } },
    });
    console.info(runCodex(cli.bin, codexHome, ["plugin", "marketplace", "add", market]));
    console.info(runCodex(cli.bin, codexHome, ["plugin", "add", "fxplug@mk"]));
    writeManifest(m, { servers: { search: { command: process.execPath, args: ["search.js"] } } });

    const env = { CODEX_HOME: codexHome };
    const sync = await m.run(["sync", "--client", "codex"], { env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(
      "search: this entry has the name of fxplug@mk's server \"search\": Codex runs this entry and skips the plugin's server",
    );
    console.info(`\`codex mcp list\` after sync:\n${runCodex(cli.bin, codexHome, ["mcp", "list"])}`);
    const listed = JSON.parse(runCodex(cli.bin, codexHome, ["mcp", "list", "--json"])) as Array<{
      name: string;
      transport: { args?: string[] };
    }>;
    expect(listed.find((s) => s.name === "search")?.transport.args).toEqual(["search.js"]);
    expect(listed.map((s) => s.name).sort()).toEqual(["other", "search"]);

    const status = await m.run(["status"], { env });
    expect(status.stdout).toMatch(/ {2}other {2}linux codex, from fxplug@mk \(.*\.mcp\.json\)/);
  }, 300_000);
});
