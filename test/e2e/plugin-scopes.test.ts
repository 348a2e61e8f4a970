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

/** A plugin folder as `claude plugin install` leaves it in the cache, with one server in its .mcp.json. */
function plugin(home: string, name: string, server: string): string {
  const dir = path.join(home, ".claude", "plugins", "cache", "mk", name, "1.0.0");
  write(path.join(dir, ".claude-plugin", "plugin.json"), { name, version: "1.0.0" });
  write(path.join(dir, ".mcp.json"), {
    mcpServers: { [server]: { command: process.execPath, args: ["${CLAUDE_PLUGIN_ROOT}/s.js"] } },
  });
  return dir;
}

/** A Gemini extension as `gemini extensions install` leaves it. */
function extension(home: string, name: string, server: string): string {
  const dir = path.join(home, ".gemini", "extensions", name);
  write(path.join(dir, "gemini-extension.json"), {
    name,
    version: "1.0.0",
    mcpServers: { [server]: { command: "node", args: ["${extensionPath}/s.js"] } },
  });
  return dir;
}

function fakeMachine(): { m: FakeMachine; home: string; proj: string; other: string } {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  machines.push(m);
  const home = m.paths.linuxHome;
  const proj = path.join(home, "proj");
  const other = path.join(home, "other");
  const shared = plugin(home, "shared", "shared-search");
  const team = plugin(home, "team", "team-db");
  const mine = plugin(home, "mine", "my-notes");
  const off = plugin(home, "off", "off-server");
  write(path.join(home, ".claude", "plugins", "installed_plugins.json"), {
    version: 2,
    plugins: {
      "shared@mk": [{ scope: "user", installPath: shared, version: "1.0.0" }],
      // `claude plugin install --scope project` in proj: on by proj/.claude/settings.json.
      "team@mk": [{ scope: "project", projectPath: proj, installPath: team, version: "1.0.0" }],
      // --scope local: on by proj/.claude/settings.local.json.
      "mine@mk": [{ scope: "local", projectPath: proj, installPath: mine, version: "1.0.0" }],
      // Installed for another project whose settings do not turn it on.
      "off@mk": [{ scope: "project", projectPath: other, installPath: off, version: "1.0.0" }],
    },
  });
  write(path.join(home, ".claude", "settings.json"), { enabledPlugins: { "shared@mk": true } });
  write(path.join(proj, ".claude", "settings.json"), { enabledPlugins: { "team@mk": true } });
  write(path.join(proj, ".claude", "settings.local.json"), { enabledPlugins: { "mine@mk": true } });
  write(path.join(other, ".claude", "settings.json"), { enabledPlugins: {} });
  extension(home, "kept", "kept-fx");
  extension(home, "dropped", "dropped-fx");
  extension(home, "elsewhere", "elsewhere-fx");
  // `gemini extensions disable dropped` (user scope) and `--scope workspace` in proj for elsewhere.
  write(path.join(home, ".gemini", "extensions", "extension-enablement.json"), {
    dropped: { overrides: [`!${home}/*`] },
    elsewhere: { overrides: [`!${proj}/*`] },
  });
  return { m, home, proj, other };
}

describe("plugin and extension servers where the clients turn them on", () => {
  test("status lists project and local installs for their folder and leaves out disabled extensions", async () => {
    const { m, proj } = fakeMachine();
    writeManifest(m, { servers: { team: { command: process.execPath, args: ["team.js"] } } });
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    const status = await m.run(["status"]);
    const lines = status.stdout.split("\n");
    const from = lines.slice(lines.indexOf("From plugins and extensions (not mcp-twin's; left as they are)"));
    const cache = path.join(m.paths.linuxHome, ".claude", "plugins", "cache", "mk");
    const ext = path.join(m.paths.linuxHome, ".gemini", "extensions");
    expect(from.slice(0, 6)).toEqual([
      "From plugins and extensions (not mcp-twin's; left as they are)",
      `  shared-search  linux claude-code, from shared@mk (${cache}/shared/1.0.0/.mcp.json)`,
      `  team-db  linux claude-code, from team@mk installed for ${proj} (${cache}/team/1.0.0/.mcp.json)`,
      `  my-notes  linux claude-code, from mine@mk installed for ${proj} (${cache}/mine/1.0.0/.mcp.json)`,
      `  elsewhere-fx  linux gemini-cli, from elsewhere (${ext}/elsewhere/gemini-extension.json)`,
      `  kept-fx  linux gemini-cli, from kept (${ext}/kept/gemini-extension.json)`,
    ]);
    expect(status.stdout).not.toContain("off-server");
    expect(status.stdout).not.toContain("dropped-fx");
  }, 120_000);

  test("doctor names every plugin server, and the one an entry shadows in its project", async () => {
    const { m, proj } = fakeMachine();
    // team runs what team@mk's server runs: in proj, Claude Code drops the plugin's.
    writeManifest(m, {
      servers: {
        team: {
          command: process.execPath,
          args: [
            `${path.join(m.paths.linuxHome, ".claude", "plugins", "cache", "mk", "team", "1.0.0")}/s.js`,
          ],
        },
      },
    });
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    const doctor = await m.run(["doctor", "--no-probe", "--json"]);
    const found = (
      JSON.parse(doctor.stdout).checks as Array<{
        id: string;
        status: string;
        client?: string;
        message: string;
      }>
    )
      .filter((c) => c.id === "config.plugin-server")
      .map((c) => `${c.status} ${c.client}: ${c.message}`);
    const cache = path.join(m.paths.linuxHome, ".claude", "plugins", "cache", "mk");
    const ext = path.join(m.paths.linuxHome, ".gemini", "extensions");
    expect(found).toEqual([
      `pass claude-code: "shared-search" comes from shared@mk (${cache}/shared/1.0.0/.mcp.json); no mcp-twin entry clashes with it.`,
      `warn claude-code: "team-db" comes from team@mk installed for ${proj} (${cache}/team/1.0.0/.mcp.json); mcp-twin's entry "team" clashes with it: this entry runs the same command as team@mk's server "team-db" (installed for ${proj}): Claude Code drops the plugin's server without a word (anthropics/claude-code#31682).`,
      `pass claude-code: "my-notes" comes from mine@mk installed for ${proj} (${cache}/mine/1.0.0/.mcp.json); no mcp-twin entry clashes with it.`,
      `pass gemini-cli: "elsewhere-fx" comes from elsewhere (${ext}/elsewhere/gemini-extension.json); no mcp-twin entry clashes with it.`,
      `pass gemini-cli: "kept-fx" comes from kept (${ext}/kept/gemini-extension.json); no mcp-twin entry clashes with it.`,
    ]);
  }, 120_000);
});
