/**
 * Claude Desktop: Windows, macOS and Linux (beta). Its config file cannot hold remote servers (they
 * are skipped), so url servers get a stdio relay.
 */

import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { defineClient } from "./define-client.js";
import { commandEntry } from "./entry-shapes.js";
import { anyExists, existsIn, inHome, listIn } from "./locate.js";
import type { ConfigLocation, Target } from "./types.js";
import { LITERAL } from "./variables.js";

const FILE = "claude_desktop_config.json";
const MSIX_NOTE = "Store (MSIX) build: its packaged config, not %APPDATA%\\Claude";
const LINUX_NOTE = "Linux (beta) build";

/**
 * For the Store (MSIX) build's target: the classic %APPDATA%\Claude file, which that build
 * ignores — servers written there by hand (or by an older install) never start. doctor reports
 * it, import reads it (sync never writes it). Undefined for every other target.
 */
function classicDesktopFile(target: Target): { path: string; file: string } | undefined {
  if (target.env.kind !== "windows") return undefined;
  if (target.scope !== "user" || target.note !== MSIX_NOTE) return undefined;
  const appdata = target.env.vars.APPDATA;
  if (!appdata) return undefined;
  const native = joinNative("windows", appdata, "Claude", FILE);
  const file = target.env.access(native);
  return file ? { path: native, file } : undefined;
}

/** Electron's folder for an app named Claude: $XDG_CONFIG_HOME/Claude, else ~/.config/Claude. */
async function onLinux(env: Environment): Promise<ConfigLocation> {
  const dir = joinNative("linux", env.vars.XDG_CONFIG_HOME || inHome(env, ".config"), "Claude");
  return { path: joinNative("linux", dir, FILE), present: await existsIn(env, dir), note: LINUX_NOTE };
}

async function onMacos(env: Environment): Promise<ConfigLocation> {
  const dir = inHome(env, "Library", "Application Support", "Claude");
  return {
    path: joinNative("macos", dir, FILE),
    present: await anyExists(env, [dir, "/Applications/Claude.app"]),
  };
}

/**
 * The Store (MSIX) build's file when its package is installed (a real quirk: the package folder's
 * name carries a publisher hash), else the classic %APPDATA%\Claude one.
 */
async function onWindows(env: Environment): Promise<ConfigLocation | undefined> {
  const local = env.vars.LOCALAPPDATA;
  const appdata = env.vars.APPDATA;
  if (local) {
    const packages = joinNative("windows", local, "Packages");
    const pkg = (await listIn(env, packages)).find((n) => /^Claude_/i.test(n));
    if (pkg) {
      return {
        path: joinNative("windows", packages, pkg, "LocalCache", "Roaming", "Claude", FILE),
        present: true,
        note: MSIX_NOTE,
      };
    }
  }
  if (!appdata) return undefined;
  const dir = joinNative("windows", appdata, "Claude");
  const installed = local ? [joinNative("windows", local, "AnthropicClaude")] : [];
  return {
    path: joinNative("windows", dir, FILE),
    present: (await existsIn(env, dir)) || (await anyExists(env, installed)),
    note: "classic install: %APPDATA%\\Claude",
  };
}

/**
 * On Windows the Store (MSIX) build — the default installer since early 2026 — reads its config
 * from inside its package folder and ignores the classic %APPDATA%\Claude file, so the package
 * folder is probed first and the choice is reported.
 */
export const claudeDesktop = defineClient({
  id: "claude-desktop",
  name: "Claude Desktop",
  docs: {
    where: "Windows, macOS, Linux (beta: once the app made `~/.config/Claude`)",
    file: "Windows: the Store (MSIX) build's `%LOCALAPPDATA%\\Packages\\Claude_*\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json` when that package is installed (it ignores the classic file), else `%APPDATA%\\Claude\\…`; macOS: `~/Library/Application Support/Claude/…`; Linux: `~/.config/Claude/…`",
    shapes: "`command`, `args`, `env`",
    variables: "none (values reach the server as written)",
  },
  sources: [
    {
      fact: "the file and its entries",
      url: "https://modelcontextprotocol.io/docs/develop/connect-local-servers",
    },
  ],
  files: { windows: onWindows, macos: onMacos, linux: onLinux },
  // On Linux only once the app made its folder: its file there is known from builds of the same
  // app, not from Anthropic's documentation, so `--client` alone does not create it.
  createWhenNamed: ["windows", "macos"],
  serversPath: ["mcpServers"],
  entry: { stdio: (launch) => commandEntry(launch) },
  app: "desktop",
  processes: { windows: ["claude.exe"], posix: ["Claude"] },
  windowsSpaces: "splits",
  windowsEntryEnv: (target) => (target.note === MSIX_NOTE ? storeBuildEnv(target) : undefined),
  // It started bare `npx` / `.cmd` commands on Windows from this version on.
  windowsBatch: { since: "0.7.5" },
  async windowsBuild(target) {
    const store = target.note === MSIX_NOTE;
    const version = store ? undefined : await classicVersion(target.env);
    return { store, ...(version ? { version } : {}) };
  },
  builtInNode: { key: "isUsingBuiltInNodeForMcp", setting: "Use Built-in Node.js for MCP" },
  variables: LITERAL,
  reading: { strictJson: () => true, ignoredFile: classicDesktopFile },
});

/** Classic Claude Desktop (Squirrel) keeps one `app-<version>` folder per installed version. */
async function classicVersion(env: Environment): Promise<string | undefined> {
  const local = env.vars.LOCALAPPDATA;
  if (!local) return undefined;
  const dir = env.access(joinNative("windows", local, "AnthropicClaude"));
  if (!dir) return undefined;
  // Loaded here only: the client table is read at every start, doctor alone asks this.
  const { readdir } = await import("node:fs/promises");
  const { default: semver } = await import("semver");
  try {
    const versions = (await readdir(dir)).flatMap((n) => {
      const v = /^app-(\d+\.\d+\.\d+)$/.exec(n)?.[1];
      return v ? [v] : [];
    });
    return versions.sort(semver.rcompare)[0];
  } catch {
    return undefined;
  }
}

/**
 * The Store (MSIX) build starts servers with PATHEXT cut to `.CPL` and WINDIR empty, so a server
 * that starts other programs by name (PowerShell, git, py) finds none: its entries carry the
 * user's own values.
 */
function storeBuildEnv(target: Target): Record<string, string> | undefined {
  const pathext = target.env.vars.PATHEXT;
  const windir = target.env.vars.SYSTEMROOT;
  const env: Record<string, string> = {};
  if (pathext) env.PATHEXT = pathext;
  if (windir) env.WINDIR = windir;
  return Object.keys(env).length > 0 ? env : undefined;
}
