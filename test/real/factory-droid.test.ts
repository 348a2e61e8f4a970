/**
 * The real Factory Droid CLI judges what sync wrote (opt-in, see test/helpers/droid-cli.ts): its own
 * `droid mcp list`, which connects to each server, lists every entry and connects to each (as its
 * log records) — a direct stdio
 * server, a shared one (url to the gateway), an SSE remote, the bridge's relay — from a user file
 * that also holds the person's comment and a broken server of their own, which it reports failed;
 * and, in a project, the project file's entries, whose secrets are `${VAR}` references.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { doctor } from "../doctor/helpers.js";
import { droidCli, droidConnections, droidList, droidStatuses } from "../helpers/droid-cli.js";
import { createFakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";
import { startSseServer } from "../helpers/sse-server.js";

const SECRET = "fx-d401dc11e7e5a1f3";
const SSE_KEY = "sk-d401d-55e-key";
const cli = droidCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Factory Droid CLI tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();

const HAND_WRITTEN = `// my droid servers
{
  "mcpServers": {
    "mine": { "type": "stdio", "command": "node", "args": ["-e", "process.exit(3)"] }
  }
}
`;

describe.skipIf(skip !== undefined)(`real Factory Droid CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("droid mcp list lists every entry sync wrote and connects to each, not to the person's broken one", async () => {
    if ("reason" in cli) return;
    const sse = await startSseServer({ apiKey: SSE_KEY });
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
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
    const config = path.join(home, ".factory", "mcp.json");
    mkdirSync(path.dirname(config), { recursive: true });
    // Readable by no one else, so the shared server gets its url entry (with a token), not the relay.
    writeFileSync(config, HAND_WRITTEN, { mode: 0o600 });
    // A project (a git work tree: droid reads .factory/mcp.json at its root).
    const project = path.join(home, "work", "app");
    mkdirSync(path.join(project, ".factory"), { recursive: true });
    execFileSync("git", ["init", "-q", project]);
    try {
      const sync = await m.run(["sync", "--client", "factory-droid"]);
      expect(sync.code, sync.stderr).toBe(0);
      const projectSync = await m.run(["sync", "--client", "factory-droid", "--project", project]);
      expect(projectSync.code, projectSync.stderr).toBe(0);
      expect(readFileSync(config, "utf8")).toContain("// my droid servers");
      const projectFile = readFileSync(path.join(project, ".factory", "mcp.json"), "utf8");
      expect(projectFile).toContain('"FIXTURE_TOKEN": "${FIXTURE_TOKEN}"');
      expect(projectFile).not.toContain(SECRET);

      // The user file, from a folder outside any project.
      const text = await droidList(cli.bin, home, home);
      console.info(`droid ${cli.version}: \`droid mcp list\` printed:\n${text}`);
      const listed = droidStatuses(text);
      const connected = droidConnections(home);
      console.info(`droid's log: connected to ${connected.join(", ")}`);
      for (const name of ["fixture", "shared", "legacy", "mcp-twin"]) {
        expect(listed[name]?.source, name).toBe("user");
        expect(connected, name).toContain(name);
      }
      expect(listed.shared?.type).toBe("http");
      expect(listed.legacy?.type).toBe("sse");
      // The person's broken server is listed, and droid did not connect to it.
      expect(listed.mine?.source).toBe("user");
      expect(connected).not.toContain("mine");
      // In the project its file's entries are the ones listed, each secret read from a variable of
      // droid's environment (an unset one fails that entry, and with it every server's reload); a
      // project file runs a package with npx (here from the test's loopback registry).
      const inProject = await droidList(cli.bin, home, project, {
        FIXTURE_TOKEN: SECRET,
        SSE_KEY,
        npm_config_registry: inject("registryUrl"),
      });
      console.info(`droid ${cli.version} in the project:\n${inProject}`);
      const fromProject = droidStatuses(inProject);
      const connectedInProject = droidConnections(home);
      console.info(`droid's log: connected to ${connectedInProject.join(", ")}`);
      for (const name of ["fixture", "shared", "legacy"]) {
        expect(fromProject[name]?.source, name).toBe("project");
        expect(connectedInProject, name).toContain(name);
      }
      // droid 0.225.2 may open an SSE entry without its headers before it connects with them
      // (such a GET carries no key at all, and droid then connects): a wrong key would be ours.
      expect(
        sse.refusals.filter((r) => !r.endsWith("(no key)")),
        sse.refusals.join("; "),
      ).toEqual([]);

      // doctor asks droid itself, with `droid` on PATH: every server of the user file is listed.
      const run = await doctor(m, ["--client", "factory-droid", "--no-probe"], {
        env: { PATH: `${path.dirname(cli.bin)}:${m.env.PATH}` },
      });
      const own = run.checks.filter((c) => c.id === "config.own-list");
      console.info(`doctor's config.own-list: ${JSON.stringify(own)}`);
      expect(own).toMatchObject([{ status: "pass", client: "factory-droid" }]);
      expect(run.stdout).not.toContain(SECRET);
    } finally {
      await m.run(["bridge", "stop"]);
      await sse.close();
    }
  }, 600_000);
});
