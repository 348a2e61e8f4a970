/**
 * sync inside (fake) WSL, end to end with the built binary: packages land in both npm prefixes
 * (Windows through interop), entries land in the Windows Claude Desktop and Cursor configs and
 * the WSL Claude Code config, and each entry really starts the server (MCP handshake).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-9c1d7e2a4b6f8d0e";
let machine: FakeMachine;
let first: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  // The real npm on both sides: this file judges the installs themselves (other files get the run's
  // recording of them, test/helpers/npm-replay.ts).
  machine = createFakeMachine({ registryUrl: inject("registryUrl"), realNpm: true });
  writeManifest(machine, {
    servers: {
      fixture: {
        package: inject("fixtureName"),
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  });
  writeSecrets(machine, { FIXTURE_TOKEN: SECRET });
  first = await machine.run(["sync"]);
}, 180_000);

afterAll(() => machine?.cleanup());

/** How Windows would start a command: C:\… is a file on the fake drive. */
const onDrive = (m: FakeMachine) => (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

describe("sync inside WSL", () => {
  test("succeeds and reports both environments", () => {
    expect(first.stderr).not.toContain("Unexpected");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/wsl:Ubuntu/);
    expect(first.stdout).toMatch(/windows/);
  });

  test("installs the package into each environment's own prefix and layout", () => {
    const version = "1.1.0"; // latest on the loopback registry
    const linuxPkg = path.join(
      machine.paths.linuxPrefix,
      "lib",
      "node_modules",
      inject("fixtureName"),
      "package.json",
    );
    const windowsPkg = path.join(
      machine.paths.windowsPrefix,
      "node_modules",
      inject("fixtureName"),
      "package.json",
    );
    expect(JSON.parse(readFileSync(linuxPkg, "utf8")).version).toBe(version);
    expect(JSON.parse(readFileSync(windowsPkg, "utf8")).version).toBe(version);
    expect(existsSync(path.join(machine.paths.windowsPrefix, "mcp-twin-fixture-server.cmd"))).toBe(true);
  });

  test("writes Windows entries with Windows paths, short names and no npx", () => {
    const desktop = JSON.parse(readFileSync(machine.paths.claudeDesktopConfig, "utf8"));
    const entry = desktop.mcpServers.fixture;
    expect(entry.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(entry.args).toEqual([
      `C:\\Users\\${machine.windowsUser}\\AppData\\Roaming\\npm\\node_modules\\mcp-twin-fixture-server\\dist\\server.js`,
    ]);
    expect(entry.env).toEqual({ FIXTURE_TOKEN: SECRET });
    const cursor = JSON.parse(readFileSync(machine.paths.cursorConfig, "utf8"));
    expect(cursor.mcpServers.fixture).toEqual(entry);
  });

  test("writes the WSL Claude Code entry with the Linux node and script", () => {
    const code = JSON.parse(readFileSync(machine.paths.claudeCodeConfig, "utf8"));
    expect(code.numStartups).toBe(1);
    expect(code.mcpServers.fixture).toEqual({
      type: "stdio",
      command: "/usr/bin/node",
      args: [
        path.join(
          machine.paths.linuxPrefix,
          "lib",
          "node_modules",
          "mcp-twin-fixture-server",
          "dist",
          "server.js",
        ),
      ],
      env: { FIXTURE_TOKEN: SECRET },
    });
  });

  test("every written entry completes a real MCP handshake, with the secret delivered", async () => {
    for (const file of [
      machine.paths.claudeDesktopConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeCodeConfig,
    ]) {
      const entry = JSON.parse(readFileSync(file, "utf8")).mcpServers.fixture;
      const session = await handshake(entry, {
        resolveCommand: onDrive(machine),
        baseEnv: { PATH: machine.env.PATH ?? "" },
      });
      try {
        expect(session.serverName).toBe("mcp-twin-fixture");
        expect(session.tools).toContain("echo");
        expect(JSON.parse(await session.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
          set: true,
          length: SECRET.length,
        });
      } finally {
        await session.close();
      }
    }
  });

  test("never prints the secret", () => {
    expect(first.stdout + first.stderr).not.toContain(SECRET);
  });

  test("a second sync writes nothing, backs nothing up, starts no Windows process and needs no network", async () => {
    const files = [
      machine.paths.claudeDesktopConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeCodeConfig,
    ];
    const before = files.map((f) => ({ bytes: readFileSync(f, "utf8"), mtime: statSync(f).mtimeMs }));
    const backups = readdirSync(path.join(machine.paths.home, "backups"), { recursive: true }).length;
    machine.clearInteropLog();
    const second = await machine.run(["sync", "--json"], {
      env: { npm_config_registry: "http://127.0.0.1:9/" },
    });
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.targets.map((t: { action: string }) => t.action)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(files.map((f) => ({ bytes: readFileSync(f, "utf8"), mtime: statSync(f).mtimeMs }))).toEqual(
      before,
    );
    expect(readdirSync(path.join(machine.paths.home, "backups"), { recursive: true }).length).toBe(backups);
    expect(machine.interopCalls()).toEqual([]);
  });
});
