/** Import tests: corpus configs placed in a fake machine's clients, `import --json` runs, state checks. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type FakeMachine, REPO } from "../helpers/fake-machine.js";

const CORPUS = path.join(REPO, "test", "fixtures", "corpus");

/** Config files of the fake machine, as mcp-twin names them (native) and as tests open them. */
export function places(m: FakeMachine) {
  const winProfile = `C:\\Users\\${m.windowsUser}`;
  return {
    desktop: {
      file: m.paths.claudeDesktopConfig,
      native: `${winProfile}\\AppData\\Roaming\\Claude\\claude_desktop_config.json`,
      env: "windows",
      client: "claude-desktop",
    },
    winCode: {
      file: path.join(m.paths.profile, ".claude.json"),
      native: `${winProfile}\\.claude.json`,
      env: "windows",
      client: "claude-code",
    },
    cursor: {
      file: m.paths.cursorConfig,
      native: `${winProfile}\\.cursor\\mcp.json`,
      env: "windows",
      client: "cursor",
    },
    vscode: {
      file: path.join(m.paths.appdata, "Code", "User", "mcp.json"),
      native: `${winProfile}\\AppData\\Roaming\\Code\\User\\mcp.json`,
      env: "windows",
      client: "vscode",
    },
    windsurf: {
      file: path.join(m.paths.profile, ".codeium", "windsurf", "mcp_config.json"),
      native: `${winProfile}\\.codeium\\windsurf\\mcp_config.json`,
      env: "windows",
      client: "windsurf",
    },
    wslCode: {
      file: m.paths.claudeCodeConfig,
      native: m.paths.claudeCodeConfig,
      env: "wsl:Ubuntu",
      client: "claude-code",
    },
    gemini: {
      file: path.join(m.paths.linuxHome, ".gemini", "settings.json"),
      native: path.join(m.paths.linuxHome, ".gemini", "settings.json"),
      env: "wsl:Ubuntu",
      client: "gemini-cli",
    },
  } as const;
}

export type Place = ReturnType<typeof places>[keyof ReturnType<typeof places>];

export function placeCorpus(place: Place, corpusFile: string): void {
  mkdirSync(path.dirname(place.file), { recursive: true });
  copyFileSync(path.join(CORPUS, corpusFile), place.file);
}

export function placeJson(place: Place, data: unknown): void {
  mkdirSync(path.dirname(place.file), { recursive: true });
  writeFileSync(place.file, `${JSON.stringify(data, null, 2)}\n`);
}

interface ImportJson {
  manifest: string;
  dryRun: boolean;
  servers: Array<{
    name: string;
    action: string;
    server: Record<string, unknown>;
    found: Array<{
      env: string;
      client: string;
      scope: string;
      path: string;
      entry: string;
      via: string;
      adopted: boolean;
      why?: string;
      ignoredByApp?: boolean;
    }>;
    notes?: string[];
  }>;
  secrets: string[];
  secretClashes: Array<{
    name: string;
    servers: string[];
    needsChoice: boolean;
    resolution: { kind: string; by: string; label?: string } | null;
    values: Array<{
      label: string;
      fingerprint?: string;
      stored?: boolean;
      storedAs?: string;
      found: Array<{ env: string; client: string; path: string; server: string; field: string }>;
    }>;
  }>;
  missingSecrets: Array<{ server: string; name: string; placeholder: string; path: string; field: string }>;
  adopted: Array<{ env: string; client: string; scope: string; path: string; server: string }>;
  files: Array<{
    env: string;
    client: string;
    scope: string;
    path: string;
    entries: number;
    ignoredByApp?: boolean;
  }>;
  skipped: Array<{ file: string; server?: string; reason: string; line?: number; column?: number }>;
  notes?: string[];
}

export async function importJson(m: FakeMachine, args: string[] = [], options: { cwd?: string } = {}) {
  const r = await m.run(["import", "--json", ...args], options);
  let json: ImportJson;
  try {
    json = JSON.parse(r.stdout) as ImportJson;
  } catch {
    throw new Error(`import --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, json, server: (name: string) => json.servers.find((s) => s.name === name) };
}

function readJsonc(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8").replace(/^\s*\/\/.*$/gm, ""));
}

export function manifestOf(m: FakeMachine): { servers: Record<string, Record<string, unknown>> } {
  return readJsonc(path.join(m.paths.home, "mcp-twin.jsonc")) as {
    servers: Record<string, Record<string, unknown>>;
  };
}

export function stateOf(m: FakeMachine): {
  targets: Record<string, { entries: Record<string, { hash: string }> }>;
} {
  return JSON.parse(readFileSync(path.join(m.paths.home, "state.json"), "utf8"));
}
