/**
 * The real GitHub Copilot CLI installs a plugin (opt-in, see test/helpers/copilot-cli.ts): mcp-twin's
 * status lists the server Copilot's own `copilot mcp list` shows from it, and sync says that the
 * plugin's server wins over the entry of its name, as `copilot mcp list --json` shows.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { copilotCli, runCopilot } from "../helpers/copilot-cli.js";
import { createFakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";

const cli = copilotCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real GitHub Copilot CLI plugin tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

describe.skipIf(skip !== undefined)(
  `real GitHub Copilot CLI plugins${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("a plugin `copilot plugin install` put in place is read as Copilot reads it", async () => {
      if ("reason" in cli) return;
      const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
      machines.push(m);
      const home = m.paths.linuxHome;
      const source = path.join(m.root, "plug");
      mkdirSync(source, { recursive: true });
      writeFileSync(path.join(source, "plugin.json"), JSON.stringify({ name: "fxplug", version: "1.0.0" }));
      writeFileSync(
        path.join(source, ".mcp.json"),
        JSON.stringify({ mcpServers: { search: { command: "node", args: ["${PLUGIN_ROOT}/s.js"] } } }),
      );
      mkdirSync(path.join(home, ".copilot"), { recursive: true });
      console.info(runCopilot(cli.bin, home, ["plugin", "install", source]));
      writeManifest(m, { servers: { search: { command: process.execPath, args: ["search.js"] } } });

      const sync = await m.run(["sync", "--client", "copilot-cli"]);
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stdout).toContain(
        "search: this entry has the name of fxplug's server \"search\": GitHub Copilot CLI runs the plugin's server and leaves this entry out",
      );
      const listed = JSON.parse(runCopilot(cli.bin, home, ["mcp", "list", "--json"])) as {
        mcpServers: Record<string, { source?: string; sourcePlugin?: string }>;
      };
      console.info(`\`copilot mcp list\` after sync:\n${runCopilot(cli.bin, home, ["mcp", "list"])}`);
      expect(listed.mcpServers.search).toMatchObject({ source: "plugin", sourcePlugin: "fxplug" });

      const status = await m.run(["status"]);
      expect(status.stdout).toMatch(/ {2}search {2}linux copilot-cli, from fxplug \(.*\.mcp\.json\)/);
    }, 300_000);
  },
);
