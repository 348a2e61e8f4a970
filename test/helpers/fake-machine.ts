/**
 * A fake Windows PC with WSL, built from real files in a temp folder: a sysroot whose /proc says
 * "microsoft-standard-WSL2" and whose /etc/wsl.conf moves the automount root into the temp folder,
 * a C: drive with a user profile, Windows' npm prefix and stand-ins for cmd.exe, node.exe,
 * wsl.exe, powershell.exe and tasklist.exe (test/fixtures/fake-windows), a Linux home with its own
 * npm prefix, and a PATH that mixes both as WSL's does. mcp-twin reaches all of it through its
 * seams (MCP_TWIN_SYSROOT, the environment table, the runner), so the real code runs unchanged.
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { endStartLoopsUnder } from "./bridge-loop.js";
import { writeStandIns } from "./fake-windows-front.js";
import { reservePort } from "./net.js";
import { linuxReplay, REAL_NPM } from "./npm-replay.js";
import { testFile } from "./test-file.js";

// MCP_TWIN_REPO: set by bench/run.js, which bundles this file elsewhere.
export const REPO = process.env.MCP_TWIN_REPO ?? fileURLToPath(new URL("../../", import.meta.url));
export const BIN = path.join(REPO, "bin", "mcp-twin.js");
const REAL_NPM_VERSION = (
  JSON.parse(readFileSync(path.join(path.dirname(REAL_NPM), "..", "package.json"), "utf8")) as {
    version: string;
  }
).version;

/**
 * Linux's npm: the real one, except for the question mcp-twin asks on every run, `npm prefix -g
 * --loglevel=verbose`, answered here with the lines the real npm prints for it (its stdout, and the
 * stderr lines it prints but for its log file's name) — without its 300 ms start, which the suite
 * would pay on every sync, status and doctor. Only while NPM_CONFIG_PREFIX is set (the machine sets
 * it): the environment wins over every npmrc then, so the real npm would print that same prefix.
 */
function npmStandIn(replay?: { dir: string; registry: string }): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const node = process.execPath;
  return [
    "#!/bin/sh",
    `if [ "$*" = "prefix -g --loglevel=verbose" ] && [ -n "$NPM_CONFIG_PREFIX" ] && [ -z "$npm_config_prefix" ]; then`,
    `  printf '%s\\n' "$NPM_CONFIG_PREFIX"`,
    `  printf 'npm verbose cli %s %s\\n' ${q(node)} "$0" >&2`,
    `  printf '%s\\n' ${q(`npm info using npm@${REAL_NPM_VERSION}`)} ${q(`npm info using node@${process.version}`)} 'npm verbose title npm prefix' 'npm verbose argv "prefix" "--global" "--loglevel" "verbose"' >&2`,
    `  printf 'npm verbose cwd %s\\n' "$PWD" >&2`,
    `  printf '%s\\n' ${q(`npm verbose os ${os.type()} ${os.release()}`)} ${q(`npm verbose node ${process.version}`)} ${q(`npm verbose npm  v${REAL_NPM_VERSION}`)} 'npm verbose exit 0' 'npm info ok' >&2`,
    "  exit 0",
    "fi",
    // The fixture's install, recorded once this run (npm-replay.ts), when the call is the recorded one.
    ...(replay ? linuxReplay(replay.dir, replay.registry) : []),
    `exec ${q(node)} ${q(REAL_NPM)} "$@"`,
    "",
  ].join("\n");
}

/** This run's recorded installs (npm-replay.ts), for a machine on the run's registry. */
function runRecordings(registryUrl: string | undefined): { dir: string; registry: string } | undefined {
  try {
    const registry = inject("registryUrl");
    return registryUrl === registry ? { dir: inject("npmInstalls"), registry } : undefined;
  } catch {
    // Not in a vitest worker: no run, no recordings.
    return undefined;
  }
}

let standInFolder: string | undefined;

/** The run's folder for stand-ins: none outside a vitest run (a benchmark) or in the unit project. */
function runFolder(): string | undefined {
  try {
    return inject("standInRoot");
  } catch {
    // Not in a vitest worker: there is no run to provide one.
    return undefined;
  }
}
/**
 * A folder holding only the npm stand-in, for a PATH of the host's own (the bridge tests' homes):
 * put first, with NPM_CONFIG_PREFIX set, it answers `npm prefix -g` as the machine's does. One per
 * test process, readable by every account (a bridge run as another user finds it too).
 */
export function npmStandInFolder(): string {
  if (standInFolder) return standInFolder;
  // In the run's folder for them (global-setup.ts), which the run removes: a worker's own "exit"
  // is not reached when the pool ends it, and its folder was left in /tmp (70 a run).
  const root = runFolder();
  const dir = root
    ? path.join(root, String(process.pid))
    : mkdtempSync(path.join(os.tmpdir(), "mcp-twin-npm-"));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, "npm"), npmStandIn(), { mode: 0o755 });
  if (!root) process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  standInFolder = dir;
  return dir;
}

export interface FakeMachineOptions {
  /** What mcp-twin runs as: inside WSL (default), on plain Linux, or on Windows itself. */
  kind?: "wsl" | "linux" | "windows";
  /** Claude Desktop from the Store (MSIX): its config lives in the package folder. */
  msix?: boolean;
  /** Install the classic Claude Desktop (its %APPDATA%\Claude folder exists). Default true. */
  claudeDesktop?: boolean;
  /** Cursor on Windows (~\.cursor exists). Default true. */
  cursor?: boolean;
  /** Claude Code inside WSL / Linux (~/.claude.json exists). Default true. */
  claudeCode?: boolean;
  /** Node.js installed on Windows. Default true. */
  windowsNode?: boolean;
  /** Linux npm present; false puts Windows' npm first on the WSL PATH (the classic trap). */
  linuxNpm?: boolean;
  /**
   * uv installed on both sides (`uvx` on the Linux PATH, `uvx.exe` on Windows'), so manifests that
   * use a `uvx` server as a stand-in sync clean. Default true; false: a machine without uv.
   */
  uv?: boolean;
  /** WSL interop on. Default true. */
  interop?: boolean;
  /** Windows programs reported running by tasklist (and Get-Process). */
  running?: string[];
  /** When each running program started (ISO time, UTC), as Get-Process reports StartTime. */
  runningSince?: Record<string, string>;
  /**
   * Every npm install runs the real npm. Otherwise the fixture server's install from the run's
   * registry into a prefix holding no package is the run's recording of that real install, copied
   * (test/helpers/npm-replay.ts): for files that install only to have it installed.
   */
  realNpm?: boolean;
  /** npm installs of packages starting with this name fail on Windows (E404). */
  failWindowsInstall?: string;
  registryUrl?: string;
  /** The MCP Registry `search`, `add` and init's picker ask (default: one that never answers). */
  mcpRegistryUrl?: string;
  /** A Windows user name (spaces allowed: "John Smith"). */
  windowsUser?: string;
  /** Windows' npm prints no "npm info using npm@…" with its prefix (it still answers --version). */
  npmQuietVersion?: boolean;
  /**
   * C: has 8.3 short names (`PROGRA~1`, links beside the long folders; cmd.exe's `%~sI` reports
   * them). Default true; false: a volume with 8.3 names off, where Windows reports none.
   */
  shortNames?: boolean;
  /** The WSL distros `wsl.exe -l` lists (default Ubuntu and Docker's two); [] = none installed. */
  wslDistros?: string[];
  /** Build the machine in this (absent or empty) folder rather than a new temp folder. */
  root?: string;
  /**
   * The sysroot's /proc/net is this machine's own (/proc/net/tcp: a bridge started under the
   * sysroot tells the account of each connection, as on any Linux or WSL). Default: the sysroot has
   * none, so its bridge cannot (as where there is no /proc/net/tcp: macOS).
   */
  procNet?: boolean;
  /**
   * The gateway's port, recorded in the home's `bridge.json` as mcp-twin records the one it chose
   * (a sync that starts the gateway — a catalogue server is shared by default — then never reaches
   * for 7760, which other runs and people use). Default: a port of this machine's own; false: no
   * record, and no home folder until a command makes one (tests that check nothing was written).
   */
  bridgePort?: number | false;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface FakeMachine {
  root: string;
  env: Record<string, string>;
  /** A shell inside the WSL distro of this same PC (for running mcp-twin from "the other side"). */
  wslEnv: Record<string, string>;
  /** Linux paths (as this test process opens them). */
  paths: {
    drive: string;
    profile: string;
    appdata: string;
    localappdata: string;
    home: string;
    linuxHome: string;
    linuxPrefix: string;
    windowsPrefix: string;
    claudeDesktopConfig: string;
    cursorConfig: string;
    claudeCodeConfig: string;
    interopLog: string;
  };
  windowsUser: string;
  /** The gateway port recorded in the home when the machine was made (undefined: none). */
  bridgePort: number | undefined;
  /**
   * Run mcp-twin on this machine: the built binary (bin/mcp-twin.js, a process of its own), or —
   * in a file that called `runInProcessByDefault()` — `main(argv, host, terminal)` in this process.
   */
  run(
    args: string[],
    options?: { input?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  /** Always the built binary: signals, two runs racing for the lock, exit codes of the process. */
  runBinary(
    args: string[],
    options?: { input?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  /** Windows programs started so far (one line each). */
  interopCalls(): string[];
  clearInteropLog(): void;
  cleanup(): void;
}

export function createFakeMachine(options: FakeMachineOptions = {}): FakeMachine {
  const kind = options.kind ?? "wsl";
  if (options.root) mkdirSync(options.root, { recursive: true });
  const root = realpathSync(options.root ?? mkdtempSync(path.join(os.tmpdir(), "mcp-twin-machine-")));
  const user = options.windowsUser ?? "alice";
  const mnt = path.join(root, "mnt");
  const drive = path.join(mnt, "c");
  const profile = path.join(drive, "Users", user);
  const appdata = path.join(profile, "AppData", "Roaming");
  const localappdata = path.join(profile, "AppData", "Local");
  const windowsPrefix = path.join(appdata, "npm");
  const system32 = path.join(drive, "Windows", "System32");
  const nodejs = path.join(drive, "Program Files", "nodejs");
  const linuxHome = path.join(root, "home", "bob");
  const linuxPrefix = path.join(linuxHome, ".npm-global");
  const linuxBin = path.join(root, "linux-bin");
  const replay = options.realNpm ? undefined : runRecordings(options.registryUrl);
  const interopLog = path.join(root, "interop.log");
  const sys = path.join(root, "sys");

  for (const dir of [
    appdata,
    localappdata,
    windowsPrefix,
    system32,
    nodejs,
    path.join(linuxPrefix, "bin"),
    linuxBin,
    path.join(sys, "proc", "sys", "kernel"),
    path.join(sys, "etc"),
  ]) {
    mkdirSync(dir, { recursive: true });
  }
  if (options.shortNames !== false) symlinkSync("Program Files", path.join(drive, "PROGRA~1"));
  // DrvFs is case-insensitive: Windows' PATH and %ComSpec% say C:\Windows\system32.
  symlinkSync("System32", path.join(drive, "Windows", "system32"));
  if (user.includes(" ") && options.shortNames !== false)
    symlinkSync(user, path.join(drive, "Users", `${user.replace(/\s/g, "").slice(0, 6).toUpperCase()}~1`));
  writeFileSync(interopLog, "");

  // Linux side: /proc says WSL2 (or plain Linux), wsl.conf moves the automount root here.
  // The PC runs WSL unless it is a plain Linux machine (the Windows view shares the same distro).
  const wsl = kind !== "linux";
  writeFileSync(
    path.join(sys, "proc", "version"),
    wsl
      ? "Linux version 5.15.167.4-microsoft-standard-WSL2 (root@f9c826d3017f) (gcc (GCC) 11.2.0) #1 SMP\n"
      : "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)\n",
  );
  writeFileSync(
    path.join(sys, "proc", "sys", "kernel", "osrelease"),
    wsl ? "5.15.167.4-microsoft-standard-WSL2\n" : "6.1.0-13-amd64\n",
  );
  writeFileSync(path.join(sys, "etc", "wsl.conf"), `[boot]\nsystemd=true\n\n[automount]\nroot = ${mnt}/\n`);
  if (options.procNet) symlinkSync("/proc/net", path.join(sys, "proc", "net"));
  symlinkSync(process.execPath, path.join(linuxBin, "node"));
  if (options.linuxNpm !== false) {
    writeFileSync(path.join(linuxBin, "npm"), npmStandIn(replay), { mode: 0o755 });
    // npm ships npx beside it (project entries run `npx -y <pkg>@<version>`).
    symlinkSync(path.join(path.dirname(REAL_NPM), "npx-cli.js"), path.join(linuxBin, "npx"));
  }
  if (options.uv !== false) {
    writeFileSync(path.join(linuxBin, "uvx"), "#!/bin/sh\nexit 0\n");
    chmodSync(path.join(linuxBin, "uvx"), 0o755);
    writeFileSync(path.join(system32, "uvx.exe"), "");
  }
  for (const tool of ["sh", "bash", "env", "readlink", "cat"]) {
    const found = ["/bin", "/usr/bin"].map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (found) symlinkSync(found, path.join(linuxBin, tool));
  }

  // Windows side: stand-ins, Node.js (maybe), npm's .cmd shims, client folders.
  const standIns = ["cmd.exe", "wsl.exe", "tasklist.exe", "schtasks.exe"].map((n) => path.join(system32, n));
  mkdirSync(path.join(system32, "WindowsPowerShell", "v1.0"), { recursive: true });
  standIns.push(path.join(system32, "WindowsPowerShell", "v1.0", "powershell.exe"));
  if (options.windowsNode !== false) {
    standIns.push(path.join(nodejs, "node.exe"));
    writeFileSync(
      path.join(nodejs, "npm.cmd"),
      '@ECHO off\r\nnode "%~dp0\\node_modules\\npm\\bin\\npm-cli.js" %*\r\n',
    );
    // What Linux finds on the Windows PATH: npm's CRLF shell script, which fails inside WSL.
    writeFileSync(
      path.join(nodejs, "npm"),
      '#!/bin/sh\necho "npm: 3: /bin/sh^M: not found" >&2\necho "$0: 12: node: not found" >&2\nexit 127\n',
    );
    chmodSync(path.join(nodejs, "npm"), 0o755);
  }
  // \\wsl.localhost\Ubuntu\… from a simulated Windows host: the distro's files are this machine's.
  mkdirSync(path.join(mnt, "wsl.localhost"), { recursive: true });
  symlinkSync("/", path.join(mnt, "wsl.localhost", "Ubuntu"));
  if (options.msix)
    mkdirSync(
      path.join(localappdata, "Packages", "Claude_pzs8sxrjxfjjc", "LocalCache", "Roaming", "Claude"),
      { recursive: true },
    );
  else if (options.claudeDesktop !== false) mkdirSync(path.join(appdata, "Claude"), { recursive: true });
  if (options.cursor !== false) mkdirSync(path.join(profile, ".cursor"), { recursive: true });
  if (options.claudeCode !== false)
    writeFileSync(path.join(linuxHome, ".claude.json"), '{\n  "numStartups": 1,\n  "mcpServers": {}\n}\n');

  const winPath = (p: string) => `C:${p.slice(drive.length).replace(/\//g, "\\")}`;
  const vars: Record<string, string> = {
    ALLUSERSPROFILE: "C:\\ProgramData",
    APPDATA: winPath(appdata),
    COMPUTERNAME: "DESKTOP-TEST",
    ComSpec: "C:\\Windows\\system32\\cmd.exe",
    HOMEDRIVE: "C:",
    HOMEPATH: `\\Users\\${user}`,
    LOCALAPPDATA: winPath(localappdata),
    OS: "Windows_NT",
    Path: [
      "C:\\Windows\\system32",
      "C:\\Windows",
      "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\",
      ...(options.windowsNode !== false ? ["C:\\Program Files\\nodejs\\"] : []),
      winPath(windowsPrefix),
    ].join(";"),
    PATHEXT: ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
    ProgramFiles: "C:\\Program Files",
    SystemRoot: "C:\\Windows",
    TEMP: `${winPath(localappdata)}\\Temp`,
    USERNAME: user,
    USERPROFILE: winPath(profile),
    windir: "C:\\Windows",
  };
  const linuxPath = [linuxBin, path.join(linuxPrefix, "bin")].join(":");
  const standInConfig = {
    drive,
    log: interopLog,
    vars,
    node: options.windowsNode !== false ? "C:\\Program Files\\nodejs\\node.exe" : null,
    nodeVersion: "v22.11.0",
    npmVersion: "10.9.0",
    ...(options.npmQuietVersion ? { npmQuietVersion: true } : {}),
    npmPrefix: winPath(windowsPrefix),
    distros: options.wslDistros ?? ["Ubuntu", "docker-desktop", "docker-desktop-data"],
    // Each side has its own npm configuration (as each has its own .npmrc).
    npmEnv: {
      npm_config_cache: path.join(root, "npm-cache-windows"),
      ...(options.registryUrl ? { npm_config_registry: options.registryUrl } : {}),
    },
    distroEnv: {
      Ubuntu: {
        home: linuxHome,
        user: "bob",
        path: `${linuxPath}:/usr/bin:/bin`,
        env: {
          NPM_CONFIG_PREFIX: linuxPrefix,
          npm_config_cache: path.join(root, "npm-cache"),
          ...(options.registryUrl ? { npm_config_registry: options.registryUrl } : {}),
        },
      },
    },
    running: options.running ?? [],
    runningSince: options.runningSince ?? {},
    failInstall: options.failWindowsInstall ?? null,
    ...(replay ? { installs: replay } : {}),
    realNode: process.execPath,
    realNpm: REAL_NPM,
  };
  const configText = JSON.stringify(standInConfig, null, 2);
  writeFileSync(path.join(drive, ".fake-windows.json"), configText);
  // The stand-ins: bash fronts (absolute shebangs: on a simulated Windows host PATH holds Windows
  // paths) over fake-windows.cjs, which they start with the real node.
  writeStandIns(standIns, standInConfig, configText);

  const windowsPathOnLinux = [
    system32,
    path.join(drive, "Windows"),
    path.join(system32, "WindowsPowerShell", "v1.0"),
    ...(options.windowsNode !== false ? [nodejs] : []),
    windowsPrefix,
  ];
  const wslEnv: Record<string, string> = {
    HOME: linuxHome,
    USER: "bob",
    LANG: "C.UTF-8",
    PATH: [linuxPath, ...windowsPathOnLinux].join(":"),
    NPM_CONFIG_PREFIX: linuxPrefix,
    npm_config_cache: path.join(root, "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    MCP_TWIN_SYSROOT: sys,
    XDG_CACHE_HOME: path.join(linuxHome, ".cache"),
    XDG_CONFIG_HOME: path.join(linuxHome, ".config"),
    XDG_DATA_HOME: path.join(linuxHome, ".local", "share"),
    NO_COLOR: "1",
    ...(options.registryUrl ? { npm_config_registry: options.registryUrl } : {}),
    // Tests are offline: the MCP Registry is a local one (test/helpers/mcp-registry.ts), else a
    // loopback port nothing listens on (2: not one fetch refuses to dial), never the real one.
    MCP_TWIN_REGISTRY: options.mcpRegistryUrl ?? "http://127.0.0.1:2",
  };
  if (wsl) {
    wslEnv.WSL_DISTRO_NAME = "Ubuntu";
    if (options.interop !== false) wslEnv.WSL_INTEROP = "/run/WSL/1_interop";
    // Keys in secrets.json, as on a machine with no keychain: a WSL run would otherwise start the
    // powershell.exe stand-in for Credential Manager at each read (test/secrets/wsl-keychain.test.ts
    // turns it on).
    wslEnv.MCP_TWIN_KEYCHAIN = "off";
  }
  let env = wslEnv;
  if (kind === "linux") env = { ...wslEnv, PATH: linuxPath };
  if (kind === "windows") {
    // mcp-twin on Windows itself: a Windows environment table; C: is <root>/mnt/c through the sysroot.
    const npmVars = Object.fromEntries(
      Object.entries(wslEnv).filter(
        ([k]) => k.startsWith("npm_config_") || k === "NO_COLOR" || k === "MCP_TWIN_REGISTRY",
      ),
    );
    env = { ...npmVars, ...vars, PATH: vars.Path!, MCP_TWIN_PLATFORM: "win32", MCP_TWIN_SYSROOT: mnt };
    delete env.Path;
    if (options.claudeCode !== false)
      writeFileSync(path.join(profile, ".claude.json"), '{\n  "numStartups": 7\n}\n');
  }

  const home =
    kind === "linux" ? path.join(linuxHome, ".config", "mcp-twin") : path.join(appdata, "mcp-twin");
  // A catalogue server is shared by default, and a sync then starts the gateway: at the port the
  // home keeps, one of this machine's own — never the 7760 other runs (and people) use.
  const bridgePort = options.bridgePort ?? reservePort();
  if (bridgePort !== false) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(home, "bridge.json"), `${JSON.stringify({ port: bridgePort })}\n`, {
      mode: 0o600,
    });
  }
  const machine: FakeMachine = {
    root,
    env,
    wslEnv,
    windowsUser: user,
    bridgePort: bridgePort === false ? undefined : bridgePort,
    paths: {
      drive,
      profile,
      appdata,
      localappdata,
      home,
      linuxHome,
      linuxPrefix,
      windowsPrefix,
      claudeDesktopConfig: options.msix
        ? path.join(
            localappdata,
            "Packages",
            "Claude_pzs8sxrjxfjjc",
            "LocalCache",
            "Roaming",
            "Claude",
            "claude_desktop_config.json",
          )
        : path.join(appdata, "Claude", "claude_desktop_config.json"),
      cursorConfig: path.join(profile, ".cursor", "mcp.json"),
      claudeCodeConfig: path.join(linuxHome, ".claude.json"),
      interopLog,
    },
    run: (args, runOptions = {}) =>
      (cliMode() === "in-process" ? runInProcess : runCli)(
        args,
        { ...env, ...runOptions.env },
        runOptions.cwd ?? linuxHome,
        runOptions.input,
        runOptions.timeoutMs,
      ),
    runBinary: (args, runOptions = {}) =>
      runCli(
        args,
        { ...env, ...runOptions.env },
        runOptions.cwd ?? linuxHome,
        runOptions.input,
        runOptions.timeoutMs,
      ),
    interopCalls: () => readFileSync(interopLog, "utf8").split("\n").filter(Boolean),
    clearInteropLog: () => writeFileSync(interopLog, ""),
    cleanup: () => {
      // A bridge a sync started (for shared servers) outlives the run that started it: stopped here.
      // Their start loops first: a bridge killed during the test may be starting again.
      endStartLoopsUnder(root);
      stopBridgesIn([path.join(linuxHome, ".local", "share"), localappdata]);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return machine;
}

/**
 * The test files that asked for in-process runs. By file, not one flag: the files a worker runs
 * share this module (vitest.config.ts, `isolate: false`), and a flag would send the next file's
 * runs in-process too, silently testing less of the binary.
 */
const inProcessFiles = new Set<string>();

/**
 * From now on (in this test file), `machine.run` drives mcp-twin in-process: the same `main` the
 * binary calls, with the machine's environment table, working folder and streams, and no process
 * start or build in between. `MCP_TWIN_TEST_CLI=binary` sends every run to the binary again (to
 * compare the two, or to check the build).
 */
export function runInProcessByDefault(): void {
  inProcessFiles.add(testFile() ?? "");
}

function cliMode(): "binary" | "in-process" {
  const forced = process.env.MCP_TWIN_TEST_CLI;
  if (forced === "binary" || forced === "in-process") return forced;
  return inProcessFiles.has(testFile() ?? "") ? "in-process" : "binary";
}

/** mcp-twin's `main` in this process, over the machine's environment, folder and stdin. */
async function runInProcess(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  input?: string,
): Promise<RunResult> {
  const { runMain } = await import("./in-process.js");
  return runMain(args, env, cwd, input);
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  input?: string,
  timeoutMs = 120_000,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code =
          error && typeof (error as { code?: unknown }).code === "number"
            ? (error as { code: number }).code
            : error
              ? 1
              : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/** Calls to Credential Manager (the powershell.exe stand-in) since the interop log was cleared: one per keychain read. */
export function credentialManagerCalls(machine: FakeMachine): number {
  return machine.interopCalls().filter((c) => c.includes("powershell.exe")).length;
}

/** Write a manifest into the machine's home. */
export function writeManifest(machine: FakeMachine, manifest: unknown): string {
  mkdirSync(machine.paths.home, { recursive: true });
  const file = path.join(machine.paths.home, "mcp-twin.jsonc");
  writeFileSync(file, typeof manifest === "string" ? manifest : `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/**
 * A catalogue server as the user's own template (`<home>/templates/<name>.jsonc`: the same name
 * overrides the shipped one) without the catalogue's `share`: `add <name>` then adds it unshared,
 * each client's side running its own process.
 */
export function writeUnsharedTemplate(machine: FakeMachine, name: string): void {
  const shipped = readFileSync(path.join(REPO, "templates", `${name}.jsonc`), "utf8");
  const shippedTemplate = JSON.parse(shipped.replace(/^\s*\/\/.*$/gm, "")) as Record<string, unknown>;
  // "off": its key in each client's entry, where the tests that use it look (a key-carrying
  // server is otherwise shared).
  const template = { ...shippedTemplate, share: { mode: "off", why: "each client keeps its own entry" } };
  mkdirSync(path.join(machine.paths.home, "templates"), { recursive: true });
  writeFileSync(path.join(machine.paths.home, "templates", `${name}.jsonc`), JSON.stringify(template));
}

export function writeSecrets(machine: FakeMachine, secrets: Record<string, string>): void {
  mkdirSync(machine.paths.home, { recursive: true });
  writeFileSync(path.join(machine.paths.home, "secrets.json"), JSON.stringify({ version: 1, secrets }), {
    mode: 0o600,
  });
}

/** Stops the bridge recorded under each data folder (`<dir>/mcp-twin/bridge/serve.json`), by its pid. */
function stopBridgesIn(dirs: string[]): void {
  for (const dir of dirs) {
    try {
      const { pid } = JSON.parse(
        readFileSync(path.join(dir, "mcp-twin", "bridge", "serve.json"), "utf8"),
      ) as {
        pid?: unknown;
      };
      if (typeof pid === "number" && pid > 0) {
        process.kill(pid, "SIGTERM");
        waitForExit(pid);
      }
    } catch {
      // none recorded, or gone already
    }
  }
}

/**
 * Until `pid` has ended (at most 10 s): a bridge writes its state folder as it stops (sessions
 * open, its record removed), and the machine's folder is removed only after that. Ended is a
 * zombie too: a bridge whose keeper was ended first waits there for PID 1 to collect it.
 */
function waitForExit(pid: number): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    if (!alive(pid)) return;
    Atomics.wait(tick, 0, 0, 20);
  }
}

/**
 * A file written where a client (or one of its plugins) keeps it, its folders made: a string as it
 * is, anything else as JSON (`pretty`: indented, with a final newline, as the CLIs write theirs).
 */
export function writeClientFile(file: string, value: unknown, options: { pretty?: boolean } = {}): string {
  const text =
    typeof value === "string"
      ? value
      : options.pretty
        ? `${JSON.stringify(value, null, 2)}\n`
        : JSON.stringify(value);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return text;
}
