/**
 * The real Auggie (Augment's CLI) judges what sync wrote (opt-in, see test/helpers/auggie-cli.ts):
 * `auggie mcp list --json` reads every entry — the fixture server (stdio), a shared one (url to the
 * gateway), an SSE remote — from a file that keeps the user's comments, server and settings. It
 * lists, it does not connect: each entry is also started here as Auggie starts it (a shell).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor } from "../doctor/helpers.js";
import { auggieCli, auggieMcpList } from "../helpers/auggie-cli.js";
import { createFakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";
import { startSseServer } from "../helpers/sse-server.js";

const SECRET = "fx-4ugg1e7e7a11e";
const SSE_KEY = "sk-4ugg1e-55e-key";
const cli = auggieCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Auggie tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

const HAND_WRITTEN = `// mine
{
  "model": "sonnet",
  "mcpServers": {
    "mine": { "type": "stdio", "command": "node", "args": ["-e", "process.exit(3)"], "disabled": true },
  },
}
`;

describe.skipIf(skip !== undefined)(`real Auggie${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("`auggie mcp list --json` lists every entry sync wrote; each starts as Auggie starts it", async () => {
    if ("reason" in cli) return;
    const sse = await startSseServer({ apiKey: SSE_KEY });
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl"), procNet: true });
    machines.push(m);
    const port = await freePort();
    const fixture = inject("fixtureName");
    writeManifest(m, {
      bridge: { port },
      servers: {
        // `share: off`: a direct entry with its key, as the client itself starts it (the shared one is `shared`).
        fixture: {
          package: `${fixture}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
          share: "off",
        },
        shared: { package: `${fixture}@1.0.0`, share: "machine" },
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
    const config = path.join(home, ".augment", "settings.json");
    mkdirSync(path.dirname(config), { recursive: true });
    writeFileSync(config, HAND_WRITTEN, { mode: 0o600 });
    try {
      const sync = await m.run(["sync", "--client", "augment"]);
      expect(sync.code, sync.stderr).toBe(0);
      expect(readFileSync(config, "utf8")).toContain('"model": "sonnet"');

      const project = path.join(home, "work");
      mkdirSync(project, { recursive: true });
      const listed = await auggieMcpList(cli.bin, home, project);
      console.info(`auggie mcp list --json (${cli.version}):\n${JSON.stringify(listed, null, 2)}`);
      const byName = Object.fromEntries(listed.map((s) => [s.name, s]));
      expect(Object.keys(byName).sort()).toEqual(["fixture", "legacy", "mine", "shared"]);
      expect(byName.fixture).toMatchObject({ transport: "stdio", enabled: true, source: "user" });
      expect(byName.fixture?.command).toMatch(/^\/usr\/bin\/node \S+server\.js$/);
      expect(byName.shared).toMatchObject({
        transport: "http",
        url: `http://127.0.0.1:${port}/share/shared`,
        enabled: true,
      });
      expect(byName.legacy).toMatchObject({ transport: "sse", url: sse.url, enabled: true });
      expect(byName.mine).toMatchObject({ enabled: false });
      expect(JSON.stringify(listed)).not.toContain(SECRET);

      // Auggie starts a stdio server as `/bin/sh -c "<command> <args>"`: so does this handshake.
      const entries = readEntries(parseConfig(readFileSync(config, "utf8"), config), ["mcpServers"], config);
      const entry = entries.fixture as { command: string; args: string[]; env: Record<string, string> };
      const session = await handshake(
        { command: "/bin/sh", args: ["-c", [entry.command, ...entry.args].join(" ")], env: entry.env },
        { baseEnv: { PATH: m.env.PATH ?? "" } },
      );
      try {
        expect(session.tools).toContain("echo");
      } finally {
        await session.close();
      }

      // doctor asks Auggie itself, with `auggie` on PATH: every server of the file is listed.
      const run = await doctor(m, ["--client", "augment", "--no-probe"], {
        env: { PATH: `${path.dirname(cli.bin)}:${m.env.PATH}` },
      });
      const own = run.checks.filter((c) => c.id === "config.own-list");
      console.info(`doctor's config.own-list: ${JSON.stringify(own)}`);
      expect(own).toMatchObject([{ status: "pass", client: "augment" }]);
      expect(execFileSync(cli.bin, ["--version"], { encoding: "utf8" })).toContain(cli.version);
    } finally {
      await m.run(["bridge", "stop"]);
      await sse.close();
    }
  }, 600_000);
});
