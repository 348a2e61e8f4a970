/**
 * The real Qwen Code judges what sync wrote (opt-in, see test/helpers/qwen-cli.ts): `qwen mcp list`
 * connects to every entry — the fixture server (stdio), a shared one (the relay to the gateway:
 * Qwen rewrites its file readable by others), an SSE remote (`url`), the bridge's relay — in a file
 * that keeps the user's comments and server.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { createFakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";
import { qwenCli, qwenMcpList } from "../helpers/qwen-cli.js";
import { startSseServer } from "../helpers/sse-server.js";

const SECRET = "fx-qw3nc0de7e7a11e";
const SSE_KEY = "sk-qw3n-55e-key";
const cli = qwenCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Qwen Code tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

// Comments are fine for Qwen Code (a trailing comma is not).
const HAND_WRITTEN = `// mine
{
  "mcpServers": {
    "mine": { "command": "node", "args": ["-e", "process.exit(3)"] }
  }
}
`;

describe.skipIf(skip !== undefined)(`real Qwen Code${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("`qwen mcp list` reports every entry sync wrote connected: stdio, the relay to the gateway, an SSE url, the bridge", async () => {
    if ("reason" in cli) return;
    const sse = await startSseServer({ apiKey: SSE_KEY });
    // Qwen writes its file anew readable by others, where no token may go: a shared server is
    // reached through the relay, which presents its client's token from the bridge's state folder.
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl"), procNet: true });
    machines.push(m);
    const port = await freePort();
    const fixture = inject("fixtureName");
    writeManifest(m, {
      bridge: { port, enabled: true },
      servers: {
        fixture: { package: `${fixture}@1.0.0`, env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
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
    const config = path.join(home, ".qwen", "settings.json");
    mkdirSync(path.dirname(config), { recursive: true });
    writeFileSync(config, HAND_WRITTEN, { mode: 0o600 });
    try {
      const sync = await m.run(["sync", "--client", "qwen-code"]);
      expect(sync.code, sync.stderr).toBe(0);
      const written = readFileSync(config, "utf8");
      expect(written).toContain("// mine");
      expect(JSON.parse(written.replace(/^\/\/ mine\n/, "")).mcpServers.shared.args).toEqual([
        "--v8-pool-size=1",
        expect.stringMatching(/mcp-twin\.js$/),
        "connect",
        `http://127.0.0.1:${port}/share/shared`,
        "--as",
        "linux:qwen-code",
      ]);
      expect(written).toContain(`"url": "${sse.url}"`);

      const project = path.join(home, "work");
      mkdirSync(project, { recursive: true });
      const listed = await qwenMcpList(cli, home, project);
      console.info(`qwen mcp list (${cli.version}):\n${listed}`);
      for (const name of ["fixture", "shared", "legacy", "mcp-twin"])
        expect(listed).toMatch(new RegExp(`✓.*\\b${name}: .* - Connected`));
      expect(listed).toMatch(/✗.*\bmine: .* - Disconnected/);
      expect(listed).not.toContain(SECRET);
      expect(sse.refused).toBe(0);

      // Qwen adds its own "$version" on its first run (comments kept), writing the file anew
      // readable by others: its key is its own, and there is no token to take out.
      const afterQwen = readFileSync(config, "utf8");
      expect(afterQwen).toContain('"$version": 4');
      expect(afterQwen).toContain("// mine");
      console.info(`after Qwen's first run: mode ${(statSync(config).mode & 0o777).toString(8)}`);
      expect(afterQwen).not.toContain('Authorization": "Bearer mt');
      const again = await m.run(["sync", "--client", "qwen-code"]);
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(config, "utf8")).toBe(afterQwen);
    } finally {
      await m.run(["bridge", "stop"]);
      await sse.close();
    }
  }, 600_000);
});
