/**
 * The real Windows test bed (../shared/win-wine): the official node.exe and Windows npm under wine,
 * one WINEPREFIX per C: drive. Sets it up, runs Windows command lines in it (through cmd.exe, or
 * node.exe directly), maps its paths to Linux ones, and lists the Windows processes still running.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO } from "./fake-machine.js";

/** Where setup.sh is: MCP_TWIN_WINE_BED, else `shared/win-wine` beside the repository (or its parent). */
export function findTestBed(): { setup: string } | { reason: string } {
  const candidates = [
    process.env.MCP_TWIN_WINE_BED,
    path.resolve(REPO, "..", "shared", "win-wine"),
    path.resolve(REPO, "..", "..", "shared", "win-wine"),
  ].filter((d): d is string => Boolean(d));
  const dir = candidates.find((d) => existsSync(path.join(d, "setup.sh")));
  return dir
    ? { setup: path.join(dir, "setup.sh") }
    : { reason: `no win-wine test bed (setup.sh) in ${candidates.join(" or ")}; set MCP_TWIN_WINE_BED` };
}

export interface WinResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface WineDrive {
  /** The test bed's folder (WW). */
  dir: string;
  prefix: string;
  /** The Windows user's profile, as Linux opens it. */
  profile: string;
  user: string;
  /** C:\… → the Linux path of that file. */
  linux(windowsPath: string): string;
  /** A Windows command line through cmd.exe (`npm …`, `mcp-twin …`). */
  cmd(line: string, env?: Record<string, string>): Promise<WinResult>;
  /** node.exe with these arguments. */
  node(args: string[], env?: Record<string, string>): Promise<WinResult>;
  /** node.exe processes of this prefix still running (pid and command line). */
  nodeProcesses(): string[];
  /** Stop every process of this prefix (wineserver -k). */
  shutdown(): void;
}

/**
 * A fresh C: drive (`setup.sh --fresh`), with 8.3 names or without (WIN_8DOT3=0). The downloads
 * (node.exe, npm) are shared between drives and runs.
 */
export function wineDrive(setup: string, name: string, shortNames: boolean): WineDrive {
  const base = process.env.MCP_TWIN_WINE_DIR ?? os.tmpdir();
  const dir = path.join(base, `mcp-twin-wine-${name}`);
  const downloads = path.join(base, "mcp-twin-wine-downloads");
  mkdirSync(downloads, { recursive: true });
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path.join(dir, "dl"))) symlinkSync(downloads, path.join(dir, "dl"));
  execFileSync("bash", [setup, "--fresh"], {
    env: { ...process.env, WW: dir, WIN_8DOT3: shortNames ? "1" : "0" },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 600_000,
  });
  const prefix = path.join(dir, "prefix");
  const users = path.join(prefix, "drive_c", "users");
  const user = readdirSync(users).find((u) => u !== "Public" && !u.startsWith("."))!;
  const run = (runner: string, args: string[], env: Record<string, string> = {}) =>
    new Promise<WinResult>((resolve) => {
      const started = Date.now();
      execFile(
        path.join(dir, runner),
        args,
        { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({
            code,
            stdout: stdout.replace(/\r\n/g, "\n"),
            stderr: stderr.replace(/\r\n/g, "\n"),
            ms: Date.now() - started,
          });
        },
      );
    });
  return {
    dir,
    prefix,
    profile: path.join(users, user),
    user,
    linux: (windowsPath) => {
      const m = /^([A-Za-z]):\\?(.*)$/.exec(windowsPath);
      if (!m) throw new Error(`not a drive path: ${windowsPath}`);
      // C: is drive_c (what the tests write to); other letters through wine's dosdevices links.
      const letter = m[1]!.toLowerCase();
      const drive =
        letter === "c" ? path.join(prefix, "drive_c") : path.join(prefix, "dosdevices", `${letter}:`);
      return resolveCaseInsensitive(drive, m[2]!.split("\\").filter(Boolean));
    },
    cmd: (line, env) => run("win", [line], env),
    node: (args, env) => run("winnode", args, env),
    nodeProcesses: () => processesOf(prefix).filter((p) => /node\.exe/i.test(p)),
    shutdown: () => {
      try {
        execFileSync("wineserver", ["-k"], { env: { ...process.env, WINEPREFIX: prefix }, stdio: "ignore" });
      } catch {
        // None was running.
      }
    },
  };
}

/** Windows opens names in any case; Linux does not: walk the folders as Windows would. */
function resolveCaseInsensitive(root: string, parts: string[]): string {
  let at = root;
  for (const part of parts) {
    const exact = path.join(at, part);
    if (existsSync(exact)) {
      at = exact;
      continue;
    }
    let names: string[] = [];
    try {
      names = readdirSync(at);
    } catch {
      // Not a folder (or missing): keep the name as written.
    }
    at = path.join(at, names.find((n) => n.toLowerCase() === part.toLowerCase()) ?? part);
  }
  return at;
}

/** Processes whose environment names this WINEPREFIX, as `pid command line`. */
function processesOf(prefix: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!environ.includes(`WINEPREFIX=${prefix}`)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push(`${pid} ${cmdline}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}
