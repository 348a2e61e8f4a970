/**
 * The Windows stand-ins' bash front answers the calls it answers exactly as fake-windows.cjs does:
 * stdout, stderr, exit code and interop log line, byte for byte, on real fake machines.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { createFakeMachine, type FakeMachine, type FakeMachineOptions } from "./fake-machine.js";
import { machinesCleanedAfterAll } from "./machines.js";

const machines = machinesCleanedAfterAll();

function make(options: FakeMachineOptions): FakeMachine {
  const m = createFakeMachine({ bridgePort: false, ...options });
  machines.push(m);
  return m;
}

interface Call {
  program: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

const system32 = (m: FakeMachine, name: string) => path.join(m.paths.drive, "Windows", "System32", name);
const powershell = (m: FakeMachine) =>
  path.join(m.paths.drive, "Windows", "System32", "WindowsPowerShell", "v1.0", "powershell.exe");

/** One run of a stand-in: what it printed, its exit code, and the line it logged (stamp apart). */
function run(m: FakeMachine, call: Call, front: "node" | "only" | "") {
  const before = readFileSync(m.paths.interopLog, "utf8");
  const start = Date.now();
  const r = spawnSync(call.program, call.args, {
    env: { ...m.env, ...call.env, ...(front ? { FAKE_WINDOWS_FRONT: front } : {}) },
    cwd: call.cwd ?? m.paths.drive,
  });
  const end = Date.now();
  const logged = readFileSync(m.paths.interopLog, "utf8").slice(before.length);
  // Nothing logged only where FAKE_WINDOWS_FRONT=only refused the call.
  const stamp = /^(\d+)\t/.exec(logged);
  if (logged !== "" || r.status !== 99) {
    expect(stamp, `${logged}${r.stderr}${r.stdout} ${r.status}`).not.toBeNull();
    expect(Number(stamp?.[1])).toBeGreaterThanOrEqual(start);
    expect(Number(stamp?.[1])).toBeLessThanOrEqual(end);
  }
  return {
    stdout: r.stdout.toString("latin1"),
    stderr: r.stderr.toString("latin1"),
    status: r.status,
    log: logged.slice(stamp?.[0].length ?? 0),
  };
}

/** The front answers `call` itself (FAKE_WINDOWS_FRONT=only would fail otherwise) as Node does. */
function expectSame(m: FakeMachine, call: Call) {
  const fast = run(m, call, "only");
  expect(fast.stderr).not.toContain("not answered here");
  const node = run(m, call, "node");
  expect(fast).toEqual(node);
  expect(run(m, call, "")).toEqual(node);
  return node;
}

const SET = ["/d", "/s", "/c", "set"];
const NPM_PREFIX = ["/d", "/s", "/c", "npm", "prefix", "-g", "--loglevel=verbose"];
const SHORT_NAMES = ["/d", "/s", "/c", "for", "%I", "in", "(%MCP_TWIN_PATHS%)", "do", "@echo", "%~sI"];
const GET_PROCESS = (names: string) => [
  "-NoProfile",
  "-NonInteractive",
  "-Command",
  `Get-Process -Name ${names} -ErrorAction SilentlyContinue | ForEach-Object { $_.ProcessName + '|' + $_.StartTime.ToUniversalTime().ToString('o') }`,
];

describe("cmd.exe", () => {
  test("set and npm prefix, started on the drive and in a Linux folder (the UNC warning)", () => {
    for (const options of [
      {},
      { windowsNode: false },
      { npmQuietVersion: true, windowsUser: "John Smith" },
    ]) {
      const m = make(options);
      for (const cwd of [m.paths.drive, m.paths.linuxHome, path.join(m.paths.profile, "AppData")]) {
        const set = expectSame(m, { program: system32(m, "cmd.exe"), args: SET, cwd });
        expect(set.stdout).toContain("\r\nUSERPROFILE=C:\\Users\\");
        expect(set.stderr.includes("UNC paths are not supported")).toBe(cwd === m.paths.linuxHome);
        const npm = expectSame(m, { program: system32(m, "cmd.exe"), args: NPM_PREFIX, cwd });
        expect(npm.status).toBe(options.windowsNode === false ? 1 : 0);
      }
    }
  });

  test("each path's short form, from a variable WSLENV brings along (WSL) or on the line (Windows)", () => {
    for (const options of [{ windowsUser: "John Smith" }, { windowsUser: "John Smith", shortNames: false }]) {
      const m = make(options);
      // A folder with a second 8.3-style name that is no link, and one that points elsewhere.
      mkdirSync(path.join(m.paths.drive, "Program Files", "nodejs", "NODE~2"));
      symlinkSync("Other", path.join(m.paths.drive, "Program Files", "OTHER~1"));
      const paths = [
        '"C:\\Program Files\\nodejs\\node.exe"',
        '"C:\\Users\\John Smith\\AppData"',
        "C:\\Windows",
        '"c:\\program files\\nodejs"',
        '"C:\\Missing\\a b"',
        "C:\\\\Program Files\\\\",
        "C:\\",
        'relative "unclosed',
      ].join(" ");
      for (const [env, cwd] of [
        [{ MCP_TWIN_PATHS: paths, WSLENV: "MCP_TWIN_PATHS/w" }, m.paths.drive],
        [{ MCP_TWIN_PATHS: paths, WSLENV: "OTHER:MCP_TWIN_PATHS" }, m.paths.linuxHome],
        [
          { mcp_twin_paths: "C:\\Windows", MCP_TWIN_PATHS: paths, WSLENV: "mcp_twin_paths:MCP_TWIN_PATHS" },
          m.paths.drive,
        ],
        [{ MCP_TWIN_PATHS: paths, WSLENV: "MCP_TWIN_PATHS/u:MCP_TWIN_PATHS/w" }, m.paths.drive],
      ] as const) {
        const r = expectSame(m, { program: system32(m, "cmd.exe"), args: SHORT_NAMES, env, cwd });
        expect(r.stdout.split("\r\n").length).toBeGreaterThan(1);
      }
      const windows = make({ ...options, kind: "windows" });
      const line = `"for %I in ("C:\\Program Files\\nodejs\\node.exe" "C:\\Users\\John Smith") do @echo %~sI"`;
      const r = expectSame(windows, {
        program: system32(windows, "cmd.exe"),
        args: ["/d", "/s", "/c", line],
        cwd: windows.paths.profile,
      });
      expect(r.stdout).toBe(
        options.shortNames === false
          ? "C:\\Program Files\\nodejs\\node.exe\r\nC:\\Users\\John Smith\r\n"
          : "C:\\PROGRA~1\\nodejs\\node.exe\r\nC:\\Users\\JOHNSM~1\r\n",
      );
    }
  });

  test("what it cannot be sure of goes to the Node script, with the environment it was given", () => {
    const m = make({ kind: "windows" });
    const dump = {
      program: path.join(m.paths.drive, "Program Files", "nodejs", "node.exe"),
      args: ["-e", "process.stdout.write(JSON.stringify(process.env))"],
      cwd: m.paths.profile,
    };
    expect(run(m, dump, "only").status).toBe(99);
    const node = run(m, dump, "");
    expect(JSON.parse(node.stdout)).toEqual(m.env);
    const wsl = make({});
    const other = { MCP_TWIN_PATHS: '"D:\\x"', WSLENV: "MCP_TWIN_PATHS/w" };
    for (const call of [
      { program: system32(wsl, "cmd.exe"), args: SHORT_NAMES, env: other },
      { program: system32(wsl, "cmd.exe"), args: ["/d", "/s", "/c", "set", "x"] },
    ]) {
      expect(run(wsl, call, "only").status).toBe(99);
      expect(run(wsl, call, "")).toEqual(run(wsl, call, "node"));
    }
  });
});

describe("tasklist.exe and powershell.exe", () => {
  test("the programs running, and a test that edits the machine's file reaches the Node script", () => {
    const m = make({
      running: ["Claude.exe", "cursor.exe", "Code.exe"],
      runningSince: { "Claude.exe": "2020-01-01T08:00:00.0000000Z" },
    });
    const tasklist = { program: system32(m, "tasklist.exe"), args: ["/FO", "CSV", "/NH"] };
    expect(expectSame(m, tasklist).stdout).toContain('"cursor.exe","1003"');
    for (const names of ["claude,Cursor", "claude", "Code,nope", "nope"])
      expectSame(m, { program: powershell(m), args: GET_PROCESS(names) });
    expect(run(m, { program: powershell(m), args: GET_PROCESS("claude,Cursor") }, "").stdout).toBe(
      "Claude|2020-01-01T08:00:00.0000000Z\r\ncursor|2026-01-01T08:00:00.0000000Z\r\n",
    );

    const config = path.join(m.paths.drive, ".fake-windows.json");
    writeFileSync(config, readFileSync(config, "utf8").replace("2020-01-01T08", "2021-01-01T08"));
    const edited = { program: powershell(m), args: GET_PROCESS("claude") };
    expect(run(m, edited, "only").status).toBe(99);
    expect(run(m, edited, "").stdout).toBe("Claude|2021-01-01T08:00:00.0000000Z\r\n");
  });
});
