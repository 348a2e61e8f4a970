/**
 * What mcp-twin knows about one environment (Windows, a WSL distro, macOS, Linux): its node, npm
 * prefix and home in its own path syntax, and how to run a program there.
 */
import type { RunOptions, RunResult } from "../system/run.js";

export type EnvKind = "windows" | "wsl" | "macos" | "linux";

/** What we know about one environment, in its own path syntax. Serialisable: it is cached. */
export interface EnvFacts {
  /** `windows`, `wsl:<distro>`, `macos`, `linux`. */
  id: string;
  kind: EnvKind;
  distro?: string;
  wslVersion?: 1 | 2;
  /** The user's home in this environment (`C:\Users\alice`, `/home/bob`). */
  home: string;
  /** Variables that locate things there: APPDATA, LOCALAPPDATA, USERPROFILE, XDG_CONFIG_HOME, … */
  vars: Record<string, string>;
  node?: { path: string; version?: string };
  /** npm's global prefix; packages live in `prefix\node_modules` (Windows) or `prefix/lib/node_modules`. */
  npm?: { prefix: string; version?: string /** The npm program found there (POSIX). */; bin?: string };
  /** Can mcp-twin install packages and run servers here? */
  usable: boolean;
  /** Why not: what is missing (or fails) there. */
  reason?: string;
  /** What makes it usable, when mcp-twin knows (one sentence, said once). */
  fix?: string;
  /** Windows: the 8.3 short names Windows reported for folders with spaces (shortname.ts). */
  shortNames?: Record<string, string>;
}

/** An environment plus the means to reach it from where mcp-twin runs. */
export interface Environment extends EnvFacts {
  /** mcp-twin runs here. */
  local: boolean;
  style: "win32" | "posix";
  /** A path of this environment → a path this process can open, or undefined if unreachable. */
  access(nativePath: string): string | undefined;
  /** Run a program inside this environment (`command` in its own path syntax). */
  exec(command: string, args: readonly string[], options?: EnvRunOptions): Promise<RunResult>;
  /** Find a program on this environment's PATH (local environments only; file stats). */
  findProgram?(name: string): Promise<string | undefined>;
  /** Run an npm command line there (through `cmd.exe` on Windows). */
  runNpm(args: readonly string[], options?: EnvRunOptions): Promise<RunResult>;
}

export interface EnvRunOptions extends Pick<RunOptions, "timeoutMs" | "input" | "signal" | "onOutput"> {
  /** Extra variables for the child; crossing into or out of WSL they are listed in WSLENV. */
  env?: Record<string, string>;
}
