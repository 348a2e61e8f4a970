/**
 * Paths with spaces in Windows entries (Claude Desktop splits arguments at spaces): sync writes
 * the 8.3 names Windows reports (cmd.exe's `%~sI`, asked once and cached), `node.exe` where a
 * drive has none, or says on the target's line why it cannot and what to do — and doctor agrees.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { doctor, pick } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";

runInProcessByDefault();
const machines = machinesCleanedAfterAll();

function machine(options: Parameters<typeof createFakeMachine>[0]): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl"), cursor: false, ...options });
  machines.push(m);
  writeManifest(m, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
  return m;
}

const desktopEntry = (m: FakeMachine) =>
  JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers.fixture as {
    command: string;
    args: string[];
  };
const shortAsks = (m: FakeMachine) => m.interopCalls().filter((c) => /\tcmd\.exe\t.*for %I in/.test(c));

describe("8.3 names come from Windows", () => {
  test("on Windows: the short name Windows reports, asked once; a second sync asks nothing", async () => {
    const m = machine({ kind: "windows" });
    const first = await m.run(["sync"], { cwd: m.paths.profile });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(desktopEntry(m).command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(shortAsks(m)).toHaveLength(1);
    m.clearInteropLog();
    const again = await m.run(["sync"], { cwd: m.paths.profile });
    expect(again.code).toBe(0);
    expect(m.interopCalls()).toEqual([]);
  });

  test("from WSL: the same answer, through cmd.exe's own environment (WSLENV)", async () => {
    const m = machine({});
    const r = await m.run(["sync", "--client", "claude-desktop"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(desktopEntry(m).command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(shortAsks(m).some((c) => c.includes("%MCP_TWIN_PATHS%"))).toBe(true);
  });
});

describe("a drive without 8.3 names", () => {
  test("node.exe (the first on the Windows PATH) instead of its spaced path; doctor agrees", async () => {
    const m = machine({ kind: "windows", shortNames: false });
    const sync = await m.run(["sync"], { cwd: m.paths.profile });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const entry = desktopEntry(m);
    expect(entry.command).toBe("node.exe");
    expect([entry.command, ...entry.args].some((a) => a.includes(" "))).toBe(false);
    const d = await doctor(m, ["--no-probe"], { cwd: m.paths.profile });
    expect(pick(d, "entry.spaces").filter((c) => c.status !== "pass")).toEqual([]);
    // The drive has no short names: Windows was asked once, and is not asked again.
    m.clearInteropLog();
    await m.run(["sync"], { cwd: m.paths.profile });
    expect(m.interopCalls()).toEqual([]);
  });

  test("a user folder with spaces: sync says why on the target's line and what to do; doctor says the same, never just 'sync'", async () => {
    const m = machine({ kind: "windows", shortNames: false, windowsUser: "John Smith" });
    const sync = await m.run(["sync"], { cwd: m.paths.profile });
    const out = sync.stdout + sync.stderr;
    expect(sync.code, out).toBe(1);
    expect(out).toContain('Windows has no 8.3 short name for "C:\\Users\\John Smith"');
    expect(out).toContain("npm config set prefix C:\\npm");
    expect(out).toMatch(
      /✖ fixture: Claude Desktop on Windows splits arguments at spaces, so it cannot start this entry/,
    );
    const spaces = pick(await doctor(m, ["--no-probe"], { cwd: m.paths.profile }), "entry.spaces");
    expect(spaces).toHaveLength(1);
    expect(spaces[0]!.status).toBe("fail");
    expect(spaces[0]!.fix).toContain("npm config set prefix C:\\npm");
    expect(spaces[0]!.fix).not.toMatch(/^Run `mcp-twin sync`/);
    // The folder may be given a short name later: while it has none, each run asks again.
    m.clearInteropLog();
    await m.run(["sync"], { cwd: m.paths.profile });
    expect(shortAsks(m)).toHaveLength(1);
  });
});

test("doctor on Windows without WSL does not say the home is shared with WSL distros", async () => {
  const m = machine({ kind: "windows", wslDistros: [] });
  const doctor = await m.run(["doctor", "--no-probe"], { cwd: m.paths.profile });
  const home = doctor.stdout.split("\n").find((l) => l.includes("[env.home]"));
  expect(home).toBeDefined();
  expect(home).not.toContain("WSL");
  const withWsl = machine({ kind: "windows" });
  const other = await withWsl.run(["doctor", "--no-probe"], { cwd: withWsl.paths.profile });
  expect(other.stdout).toContain("(shared by Windows and WSL: Ubuntu)");
});

describe("a command run in WSL from a Windows client", () => {
  test("by name: through a login shell whose script has spaces, which sync says, with what to do; by absolute path: no shell", async () => {
    const m = machine({ kind: "windows" });
    writeManifest(m, {
      servers: {
        byName: { command: "uvx", args: ["mcp-server-time"], environments: ["wsl"] },
        byPath: {
          command: path.join(m.root, "linux-bin", "uvx"),
          args: ["mcp-server-time"],
          environments: ["wsl"],
        },
      },
    });
    const r = await m.run(["sync", "--client", "claude-desktop"], { cwd: m.paths.profile });
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toContain("✖ byName: Claude Desktop on Windows splits arguments at spaces");
    expect(out).toContain("(`command -v uvx` there) in the manifest");
    expect(out).not.toContain("✖ byPath");
    const servers = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers;
    expect(servers.byName.args).toContain("-lc");
    expect(servers.byPath.args).toEqual([
      "-d",
      "Ubuntu",
      "--exec",
      path.join(m.root, "linux-bin", "uvx"),
      "mcp-server-time",
    ]);
  });
});
