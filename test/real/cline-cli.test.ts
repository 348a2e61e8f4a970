/**
 * The real Cline CLI judges what sync wrote (opt-in, see test/helpers/cline-cli.ts): one turn against
 * a stand-in model shows which servers of `~/.cline/data/settings/cline_mcp_settings.json` loaded —
 * a direct one, a shared one (url entry to the gateway), a Streamable HTTP and an SSE remote, and a
 * remote shared for its key (the gateway adds it: the file holds none).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { packEraFixtures, remoteEraFixture } from "../bridge-server/gateway/era-fixtures.js";
import { clineCli, clineTurn, startModelStandIn, useStandIn } from "../helpers/cline-cli.js";
import { createFakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { startKeyedRemote } from "../helpers/keyed-remote.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";
import { startSseServer } from "../helpers/sse-server.js";

const SECRET = "fx-c11e0b5a7d2e9f41";
const SSE_KEY = "sk-c11e-55e-key";
const REMOTE_KEY = "rk_c11e_9d3f7a2b6c";
const cli = clineCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Cline CLI tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

/** The person's own file: strict JSON (what Cline reads), their server and Cline's own keys. */
const HAND_WRITTEN = `{
  "mcpServers": {
    "mine": { "command": "node", "args": ["-e", "process.exit(3)"], "disabled": true }
  }
}
`;

describe.skipIf(skip !== undefined)(`real Cline CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("a Cline turn offers the model the tools of every server sync wrote: direct, shared, remote, SSE", async () => {
    if ("reason" in cli) return;
    const eras = await packEraFixtures(path.join(os.tmpdir(), `mcp-twin-cline-eras-${process.pid}`));
    const remote = await remoteEraFixture(eras.v1);
    const sse = await startSseServer({ apiKey: SSE_KEY });
    const keyed = await startKeyedRemote(REMOTE_KEY);
    const model = await startModelStandIn();
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
    machines.push(m);
    const port = await freePort();
    const fixture = inject("fixtureName");
    writeManifest(m, {
      bridge: { port },
      servers: {
        // Its CLI gives a stdio server 3 s to answer initialize unless `timeout` says more: on a busy
        // 2-core machine node and the bundled SDK take longer, so the manifest gives Cline's own key.
        fixture: {
          package: `${fixture}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
          clientFields: { cline: { timeout: 60 } },
        },
        shared: { package: `${fixture}@1.0.0`, share: "machine" },
        remote: { url: remote.url },
        // A key in its headers would share it (the gateway adding the key): its subject is the SSE url entry.
        legacy: {
          url: sse.url,
          transport: "sse",
          headers: { Authorization: "Bearer ${secret:SSE_KEY}" },
          share: "off",
        },
        keyed: {
          url: keyed.url,
          headers: { Authorization: "Bearer ${secret:REMOTE_KEY}" },
          share: "machine",
        },
      },
    });
    writeSecrets(m, { FIXTURE_TOKEN: SECRET, SSE_KEY, REMOTE_KEY });
    const home = m.paths.linuxHome;
    const file = path.join(home, ".cline", "data", "settings", "cline_mcp_settings.json");
    mkdirSync(path.dirname(file), { recursive: true });
    // Readable by no one else, so the shared server gets its url entry (with a token), not the relay.
    writeFileSync(file, HAND_WRITTEN, { mode: 0o600 });
    const work = path.join(home, "work");
    mkdirSync(work, { recursive: true });
    try {
      const sync = await m.run(["sync", "--client", "cline"]);
      expect(sync.code, sync.stdout + sync.stderr).toBe(0);
      const written = JSON.parse(readFileSync(file, "utf8")).mcpServers;
      expect(written.mine).toEqual({ command: "node", args: ["-e", "process.exit(3)"], disabled: true });
      expect(written.shared).toMatchObject({
        type: "streamableHttp",
        url: `http://127.0.0.1:${port}/share/shared`,
      });
      expect(written.remote).toEqual({ type: "streamableHttp", url: remote.url });
      expect(written.legacy).toMatchObject({ type: "sse", url: sse.url });
      expect(written.keyed).toMatchObject({
        type: "streamableHttp",
        url: `http://127.0.0.1:${port}/share/keyed`,
      });
      expect(readFileSync(file, "utf8")).not.toContain(REMOTE_KEY);

      useStandIn(cli.bin, home, model);
      const turn = await clineTurn(cli.bin, home, work, model);
      const names = ["fixture", "shared", "remote", "legacy", "keyed"];
      console.info(
        `${cli.version}: the tools its turn offered the model, by server:\n${names
          .map((n) => `  ${n}: ${turn.servers.get(n)?.join(", ") ?? "none (not connected)"}`)
          .join("\n")}`,
      );
      for (const n of names) expect(turn.servers.get(n), `${n}\n${turn.output}`).toEqual(expect.any(Array));
      expect(turn.servers.get("fixture")).toContain("echo");
      expect(turn.servers.get("shared")).toContain("echo");
      expect(turn.servers.get("keyed")).toContain("echo");
      expect(turn.servers.has("mine")).toBe(false);
      expect(sse.refused).toBe(0);

      // One comment, and Cline loads no server of the file: what doctor's config.strict-json says.
      writeFileSync(file, `// mine\n${readFileSync(file, "utf8")}`);
      const commented = await clineTurn(cli.bin, home, work, model);
      console.info(
        `with a comment in the file: ${[...commented.servers.keys()].join(", ") || "no server loaded"}`,
      );
      expect([...commented.servers.keys()]).toEqual([]);
    } finally {
      await m.run(["bridge", "stop"]);
      remote.stop();
      await sse.close();
      await keyed.close();
      await model.close();
    }
  }, 600_000);
});
