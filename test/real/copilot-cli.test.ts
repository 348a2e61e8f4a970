/**
 * The real GitHub Copilot CLI judges what sync wrote (opt-in, see test/helpers/copilot-cli.ts): its
 * own `copilot mcp list` reads every entry from a file that also holds the user's comments and
 * server, and a Copilot session connects to each one: stdio, the gateway's url, an SSE remote.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { doctor } from "../doctor/helpers.js";
import { copilotCacheEnv, copilotCli, copilotSessionServers, runCopilot } from "../helpers/copilot-cli.js";
import { createFakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";
import { startSseServer } from "../helpers/sse-server.js";

const SECRET = "fx-c0p1107ec7e7a11e";
const SSE_KEY = "sk-c0p1107-55e-key";
const cli = copilotCli();
const version = "reason" in cli ? "" : (cli.version.split("\n")[0] ?? "");
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real GitHub Copilot CLI tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

const HAND_WRITTEN = `// mine
{
  "mcpServers": {
    "mine": { "command": "node", "args": ["-e", "process.exit(3)"] },
  },
}
`;

describe.skipIf(skip !== undefined)(`real GitHub Copilot CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("copilot mcp list reads every entry sync wrote, and a Copilot session connects to each", async () => {
    if ("reason" in cli) return;
    const sse = await startSseServer({ apiKey: SSE_KEY });
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
    machines.push(m);
    const port = await freePort();
    const fixture = inject("fixtureName");
    writeManifest(m, {
      // enabled: the bridge's own tools get their entry; a port alone would not add it.
      bridge: { port, enabled: true },
      servers: {
        // `share: off`: a direct entry with its key, as the client itself starts it (the shared one is `shared`).
        fixture: {
          package: `${fixture}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
          share: "off",
        },
        shared: { package: `${fixture}@1.0.0`, share: "machine" },
        perproject: { package: `${fixture}@1.0.0`, share: "project" },
        // A key in its headers would share it (the gateway adding the key): its subject is the SSE url entry.
        legacy: {
          url: sse.url,
          transport: "sse",
          headers: { Authorization: "Bearer ${secret:SSE_KEY}" },
          share: "off",
        },
      },
    });
    writeSecrets(m, { FIXTURE_TOKEN: SECRET, SSE_KEY });
    const home = m.paths.linuxHome;
    const config = path.join(home, ".copilot", "mcp-config.json");
    mkdirSync(path.dirname(config), { recursive: true });
    // Readable by no one else, so a shared server gets its url entry (with a token), not the relay.
    writeFileSync(config, HAND_WRITTEN, { mode: 0o600 });
    try {
      const sync = await m.run(["sync", "--client", "copilot-cli"]);
      expect(sync.code, sync.stderr).toBe(0);
      expect(readFileSync(config, "utf8")).toContain('"mine": { "command": "node"');

      const text = runCopilot(cli.bin, home, ["mcp", "list"]);
      console.info(`${version}: \`copilot mcp list\` printed:\n${text}`);
      const listed = JSON.parse(runCopilot(cli.bin, home, ["mcp", "list", "--json"])) as {
        mcpServers: Record<string, { type?: string; command?: string; url?: string; enabled: boolean }>;
      };
      // mcp-twin: the bridge's own entry (its relay), written as bridge.enabled asks.
      const names = ["fixture", "shared", "perproject", "legacy", "mcp-twin"];
      expect(Object.keys(listed.mcpServers).sort()).toEqual([...names, "mine"].sort());
      expect(listed.mcpServers.fixture).toMatchObject({
        type: "stdio",
        command: "/usr/bin/node",
        enabled: true,
      });
      expect(listed.mcpServers.shared).toMatchObject({
        type: "http",
        url: `http://127.0.0.1:${port}/share/shared`,
        enabled: true,
      });
      expect(listed.mcpServers.perproject).toMatchObject({
        type: "http",
        url: `http://127.0.0.1:${port}/share/perproject`,
        headers: { "Mcp-Twin-Project": "${PWD}" },
      });
      expect(listed.mcpServers.legacy).toMatchObject({ type: "sse", url: sse.url, enabled: true });

      const project = path.join(home, "work", "app");
      mkdirSync(project, { recursive: true });
      // Started from a shell, as people start it: PWD is its folder.
      const { servers } = await copilotSessionServers(cli.bin, home, {
        cwd: project,
        deadPort: await freePort(),
        env: { PWD: project },
      });
      const outcomes = [...names, "mine"].map(servers);
      console.info(
        `${version}: what its session made of each entry:\n${outcomes
          .map(
            (o) =>
              `  ${o.name}: ${o.tools.length > 0 ? `connected, tools ${o.tools.join(", ")}` : `not connected (${o.error ?? "no tools"})`}`,
          )
          .join("\n")}`,
      );
      for (const o of outcomes.filter((x) => names.includes(x.name))) {
        expect(o.error, o.name).toBeUndefined();
        expect(o.tools, o.name).toContain(o.name === "mcp-twin" ? "bridge_status" : "echo");
      }
      expect(sse.refused).toBe(0);
      // The project-shared server runs in the gateway once for this folder: Copilot expanded ${PWD}.
      const token = readFileSync(path.join(home, ".local", "share", "mcp-twin", "bridge", "token"), "utf8");
      const control = (await (
        await fetch(`http://127.0.0.1:${port}/control/status`, {
          headers: { Authorization: `Bearer ${token.trim()}` },
        })
      ).json()) as { shares: Array<{ name: string; children: Array<{ key: string }> }> };
      expect(control.shares.find((x) => x.name === "perproject")?.children.map((c) => c.key)).toEqual([
        `project:${project}`,
      ]);

      // doctor asks Copilot itself, with `copilot` on PATH: every server of the file is listed.
      const run = await doctor(m, ["--client", "copilot-cli", "--no-probe"], {
        env: { PATH: `${path.dirname(cli.bin)}:${m.env.PATH}`, ...copilotCacheEnv() },
      });
      const own = run.checks.filter((c) => c.id === "config.own-list");
      console.info(`doctor's config.own-list: ${JSON.stringify(own)}`);
      expect(own).toMatchObject([{ status: "pass", client: "copilot-cli" }]);
      expect(run.stdout).not.toContain(SECRET);
    } finally {
      await m.run(["bridge", "stop"]);
      await sse.close();
    }
  }, 600_000);
});
