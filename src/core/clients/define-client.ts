/**
 * A client as one small descriptor: `defineClient` turns where its files are, its entry shapes and
 * its facts into a ClientModule, with the defaults most clients share; code only for a real quirk.
 */

import { joinNative } from "../environments/native-paths.js";
import type { Environment, EnvKind } from "../environments/types.js";
import type { EntryShapes } from "./entry-shapes.js";
import { anyExists, existsIn, inHome } from "./locate.js";
import type { ClientDocs, ClientModule, ConfigLocation, EntryView } from "./types.js";
import type { VariableSyntax } from "./variables.js";

/**
 * Where a folder of one environment starts: the home folder, `$XDG_CONFIG_HOME` (else ~/.config),
 * Windows' `%APPDATA%`, macOS's ~/Library/Application Support.
 */
type FolderBase = "home" | "xdg-config" | "appdata" | "app-support";

/** A client's user file in one kind of environment. */
interface FileSpec {
  base: FolderBase;
  /** Folders below the base, then the file's name. */
  path: readonly string[];
  /**
   * Other names the client reads in the same folder, in its order: the first that exists is the
   * one written (opencode's `opencode.jsonc` beside `opencode.json`); none: `path`'s own name.
   */
  alternatives?: readonly string[];
  /** A program on PATH that tells the client is installed even before it made its folder. */
  program?: string;
  /**
   * Present only where the file itself exists (default: where its folder does): the client needs
   * keys in it that mcp-twin does not write (Continue's `name` and `version`). Give
   * `createWhenNamed: []` with it, so `--client` does not create the file either.
   */
  presentIfFile?: true;
  /**
   * Paths below the same base any of which says the client is installed, in place of the file's
   * folder (Claude Code's file sits in the home folder itself: `~/.claude.json` or `~/.claude`).
   */
  presentIf?: readonly (readonly string[])[];
  /** Said with the location wherever it is shown (whose file this is: "a VS Code window connected to WSL"). */
  note?: string;
  /**
   * A variable of the environment that names the file's folder in place of the base and folders
   * (Codex's CODEX_HOME); set, the location's note names it.
   */
  movedBy?: string;
}

/** A location found by code, for a real quirk (a Store build's package folder, a home pointer). */
type Locator = (env: Environment) => Promise<ConfigLocation | undefined>;

/** What clients that document no start-up timeout are seen to allow. */
export const UNDOCUMENTED_STARTUP_TIMEOUT_MS = 60_000;

/** What a descriptor says; every ClientModule field not named here may be given as it is. */
export interface ClientDescriptor
  extends Partial<
    Omit<ClientModule, "kinds" | "userConfig" | "stdioEntry" | "remoteEntry" | "sseEntry" | "reading">
  > {
  id: ClientModule["id"];
  name: string;
  /** The user file in each kind of environment the client runs in (the kinds are these keys). */
  files: Partial<Record<EnvKind, FileSpec | Locator>>;
  serversPath: readonly string[];
  entry: EntryShapes;
  /** How it expands references in an entry's values. */
  variables: VariableSyntax;
  /**
   * Its entry in the other clients' vocabulary (`command` + `args`, `env`, `url`, `headers`, `type`):
   * how doctor, status and import read it. Undefined: its keys are those already.
   */
  common?(entry: Record<string, unknown>): Record<string, unknown>;
  /** How its entries are read beyond `variables` and `common` (clients/types.ts EntryReading). */
  reading?: Partial<ClientModule["reading"]>;
  /** A desktop app (started from the desktop, reads its config at start) or a command line. */
  app: "desktop" | "cli" | "editor";
  /** Process names, one for both systems or each its own. */
  processes: string | { windows: readonly string[]; posix: readonly string[] };
  /** Its start-up timeout in ms (default: what undocumented clients allow). */
  timeoutMs?: number;
  sources: NonNullable<ClientModule["sources"]>;
}

/** The ClientModule a descriptor says, its defaults filled in. */
export function defineClient(d: ClientDescriptor): ClientModule {
  const { files, entry, variables, common, reading, app, processes, timeoutMs, docs, ...rest } = d;
  const kinds = Object.keys(files) as EnvKind[];
  const timeout = timeoutMs ?? UNDOCUMENTED_STARTUP_TIMEOUT_MS;
  return {
    referenceStyle: (name) => `\${${name}}`,
    restartToApply: app === "desktop",
    gui: app !== "cli",
    ...(app === "cli" ? { newSessionToApply: true as const } : {}),
    startupTimeoutMs: () => timeout,
    processNames:
      typeof processes === "string" ? { windows: [`${processes}.exe`], posix: [processes] } : processes,
    ...rest,
    kinds,
    docs: { file: filesInWords(files), ...docs } satisfies ClientDocs,
    userConfig: (env) => locate(env, files[env.kind]),
    stdioEntry: entry.stdio,
    ...(entry.remote ? { remoteEntry: entry.remote } : {}),
    ...(entry.sse ? { sseEntry: entry.sse } : {}),
    reading: {
      variables,
      ...(common
        ? {
            commonKeys: (e: Record<string, unknown>, _view: EntryView) => common(e),
            commonEntry: commonOf(common),
          }
        : {}),
      ...reading,
    },
  };
}

function commonOf(common: (entry: Record<string, unknown>) => Record<string, unknown>) {
  return (raw: unknown): unknown =>
    raw && typeof raw === "object" && !Array.isArray(raw) ? common(raw as Record<string, unknown>) : raw;
}

/** The folder a base names in an environment (undefined: that environment has none). */
function baseFolder(env: Environment, base: FolderBase): string | undefined {
  switch (base) {
    case "home":
      return env.home;
    case "appdata":
      return env.kind === "windows" ? env.vars.APPDATA : undefined;
    case "app-support":
      return env.kind === "macos" ? inHome(env, "Library", "Application Support") : undefined;
    case "xdg-config": {
      // Honoured on Windows too, as the clients' own XDG libraries do (xdg-basedir, Go's).
      const own = env.vars.XDG_CONFIG_HOME;
      return own && own.trim() !== "" ? own : inHome(env, ".config");
    }
  }
}

async function locate(env: Environment, spec: FileSpec | Locator | undefined) {
  if (!spec) return undefined;
  if (typeof spec === "function") return spec(env);
  const moved = spec.movedBy ? env.vars[spec.movedBy] : undefined;
  const base = baseFolder(env, spec.base);
  if (!base) return undefined;
  const dir = moved && moved.trim() !== "" ? moved : joinNative(env.kind, base, ...spec.path.slice(0, -1));
  const names = [spec.path[spec.path.length - 1] ?? "", ...(spec.alternatives ?? [])];
  let name = names[0] ?? "";
  // Without alternatives there is nothing to choose: no file is looked for.
  for (const n of names.length > 1 ? names : [])
    if (await existsIn(env, joinNative(env.kind, dir, n))) {
      name = n;
      break;
    }
  const path = joinNative(env.kind, dir, name);
  const said = moved ? `$${spec.movedBy}` : spec.note;
  const note = said ? { note: said } : {};
  if (spec.presentIfFile) return { path, present: await existsIn(env, path), ...note };
  const markers =
    spec.presentIf && !moved ? spec.presentIf.map((p) => joinNative(env.kind, base, ...p)) : [dir];
  let present = await anyExists(env, markers);
  if (!present && spec.program && env.findProgram)
    present = (await env.findProgram(spec.program)) !== undefined;
  return { path, present, ...note };
}

const BASE_WORDS: Record<FolderBase, string> = {
  home: "~",
  "xdg-config": "~/.config",
  appdata: "%APPDATA%",
  "app-support": "~/Library/Application Support",
};
const KIND_WORDS: Record<EnvKind, string> = {
  windows: "Windows",
  wsl: "WSL",
  macos: "macOS",
  linux: "Linux",
};

/** The user files in words: `~/.config/zed/settings.json` (Linux, WSL); `%APPDATA%\Zed\settings.json` (Windows). */
function filesInWords(files: Partial<Record<EnvKind, FileSpec | Locator>>): string {
  const groups = new Map<string, EnvKind[]>();
  for (const [kind, spec] of Object.entries(files) as [EnvKind, FileSpec | Locator][]) {
    if (typeof spec === "function") continue; // found by code: its docs.file says where
    const sep = kind === "windows" ? "\\" : "/";
    const home = kind === "windows" && spec.base === "home" ? "%USERPROFILE%" : BASE_WORDS[spec.base];
    const more = spec.alternatives?.length
      ? ` (or ${spec.alternatives.map((a) => `\`${a}\``).join(", ")})`
      : "";
    const text = `\`${[home, ...spec.path].join(sep)}\`${more}`;
    groups.set(text, [...(groups.get(text) ?? []), kind]);
  }
  return [...groups]
    .map(([text, kinds]) => `${text} (${kinds.map((k) => KIND_WORDS[k]).join(", ")})`)
    .join("; ");
}
