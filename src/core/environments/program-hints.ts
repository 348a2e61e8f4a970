/**
 * How to install a program a server runs (uvx, python, docker, …) in one kind of environment: the one
 * command (or step) to give the user when it is missing there. Pure; no look-ups.
 */

import { own } from "../plain-records.js";
import { programName } from "./program.js";
import type { EnvKind } from "./types.js";

type Hints = Partial<Record<EnvKind, string>>;

/** Linux and WSL share their answers (a WSL distro is a Linux install). */
const linux = (hint: string): Hints => ({ linux: hint, wsl: hint });

// The uv installers are Astral's documented ones (docs.astral.sh/uv/getting-started/installation).
const UV: Hints = {
  windows: '`powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"`',
  macos: "`brew install uv`",
  ...linux("`curl -LsSf https://astral.sh/uv/install.sh | sh`"),
};

const PYTHON: Hints = {
  windows: "`winget install -e --id Python.Python.3.12`",
  macos: "`brew install python`",
  ...linux("use your distribution's package manager (Ubuntu: `sudo apt install python3`)"),
};

/**
 * Node.js (and npm with it). On Linux and in WSL through nvm, not the distribution's package:
 * Ubuntu's `nodejs` (and the `npm` that pulls it in) is older than what mcp-twin and most MCP
 * servers need (Node ^20.19, ^22.13 or 24+; Ubuntu 22.04 ships 12, 24.04 ships 18).
 */
const NODE: Hints = {
  windows: "`winget install -e --id OpenJS.NodeJS.LTS`",
  macos: "`brew install node`",
  ...linux("install nvm (github.com/nvm-sh/nvm), then `nvm install --lts`"),
};

const HINTS: Record<string, Hints> = {
  uv: UV,
  uvx: UV,
  python: PYTHON,
  python3: PYTHON,
  pip: PYTHON,
  node: NODE,
  npx: NODE,
  npm: NODE,
  docker: {
    windows: "install Docker Desktop: `winget install -e --id Docker.DockerDesktop`",
    macos: "install Docker Desktop: `brew install --cask docker`",
    // Docker Desktop on Windows puts `docker` into each distro it is enabled for.
    wsl: "turn on Docker Desktop's WSL integration for this distro (Settings → Resources → WSL integration), or install Docker Engine in the distro",
    linux: "install Docker Engine (docs.docker.com/engine/install)",
  },
  deno: {
    windows: '`powershell -c "irm https://deno.land/install.ps1 | iex"`',
    macos: "`brew install deno`",
    ...linux("`curl -fsSL https://deno.land/install.sh | sh`"),
  },
  bun: {
    windows: '`powershell -c "irm bun.sh/install.ps1 | iex"`',
    macos: "`brew install oven-sh/bun/bun`",
    ...linux("`curl -fsSL https://bun.sh/install | bash`"),
  },
};

/**
 * The install command for `program` in an environment of `envKind`, or undefined when mcp-twin
 * does not know it. `program` may be a path or carry `.exe`: its base name is what counts.
 */
function installHint(program: string, envKind: EnvKind): string | undefined {
  const base = (program.split(/[\\/]/).pop() ?? program).replace(/\.(exe|cmd|bat)$/i, "").toLowerCase();
  return own(HINTS, base)?.[envKind];
}

/** What provides each known program ("uv" provides uvx), for advice that names it. */
const PROVIDERS: Record<string, string> = {
  uv: "uv",
  uvx: "uv",
  python: "Python",
  python3: "Python",
  pip: "Python",
  node: "Node.js LTS",
  npx: "Node.js LTS",
  npm: "Node.js LTS",
  docker: "Docker",
  deno: "Deno",
  bun: "Bun",
};

export interface ProgramHint {
  /** What provides the program ("uv" provides uvx, "Node.js LTS" provides npx). */
  provider: string;
  /** What to run (or do) there. */
  install: string;
}

/**
 * The provider and install command of a known program in an environment kind.
 *
 * Unknown programs get no hint (undefined): say "install X there", never guess a package name.
 * Every command is written in backticks, so the sentence around it (its full stop, a semicolon)
 * never runs into what the user copies: `curl … | sh`, not `curl … | sh.`.
 */
export function programHint(program: string, envKind: EnvKind): ProgramHint | undefined {
  const install = installHint(program, envKind);
  const name = programName(program);
  return install ? { provider: PROVIDERS[name] ?? name, install } : undefined;
}

/** "Install uv in wsl:Ubuntu (it provides uvx): `curl … | sh`." — or a plain sentence for others. */
export function installAdvice(program: string, env: { id: string; kind: EnvKind }): string {
  const name = programName(program);
  const where = env.kind === "windows" ? "on Windows" : `in ${env.id}`;
  const hint = programHint(program, env.kind);
  if (!hint) return `Install ${name} ${where} (so it is on the PATH there), or use its absolute path.`;
  const provides = hint.provider.toLowerCase().startsWith(name) ? "" : ` (it provides ${name})`;
  return `Install ${hint.provider} ${where}${provides}: ${hint.install}.`;
}

/**
 * How to get npm (with the Node.js it comes with) into an environment that has no npm of its own —
 * inside WSL, most often because PATH finds Windows' npm first, which does not run there. The one
 * text every report gives for it: the environment line of sync and init, and doctor's fix.
 * `nodeThere`: the environment's own node was found (then only npm is missing).
 */
export function npmAdvice(env: { kind: EnvKind }, nodeThere: boolean): string {
  if (env.kind === "windows") return `Install Node.js on Windows (it brings npm): ${NODE.windows}.`;
  if (env.kind === "macos") return `Install Node.js (it brings npm): ${NODE.macos}.`;
  const inside = env.kind === "wsl" ? " inside WSL" : "";
  // Not the distribution's nodejs/npm packages: too old for mcp-twin's engines (see NODE).
  return nodeThere
    ? `Install npm${inside}: ${NODE.linux} (npm comes with its Node.js)${env.kind === "wsl" ? "; keep appendWindowsPath on" : ""}.`
    : `Install Node.js and npm${inside}: ${NODE.linux}${env.kind === "wsl" ? "; keep appendWindowsPath on" : ""}.`;
}

type Vars = Readonly<Record<string, string | undefined>>;

/** The user's own folder for programs the uv installer uses, on every platform (docs.astral.sh/uv/reference/installer). */
function userBin(vars: Vars, home: string, sep: string): string[] {
  const data = vars.XDG_DATA_HOME;
  return [
    ...(vars.UV_INSTALL_DIR ? [vars.UV_INSTALL_DIR] : []),
    ...(vars.XDG_BIN_HOME ? [vars.XDG_BIN_HOME] : []),
    ...(data ? [`${data.replace(/[\\/]+$/, "")}${sep}..${sep}bin`] : []),
    `${home}${sep}.local${sep}bin`,
  ];
}

/** Homebrew's bin folder (Apple silicon, then Intel): what every macOS command above installs into. */
const BREW = ["/opt/homebrew/bin", "/usr/local/bin"];

/**
 * Where the install step above puts the program, in an environment of `kind` (`vars` its
 * variables, `home` its home): the folders the bridge also looks in, so a program installed as
 * the advice says starts on the next call although the bridge's PATH predates the install. Empty
 * when the step leaves it in a folder that cannot be named (nvm's, a package manager's of choice).
 */
export function installFolders(program: string, kind: EnvKind, vars: Vars, home: string): string[] {
  const name = programName(program);
  const provider = PROVIDERS[name];
  if (kind === "macos") return provider ? BREW : [];
  const win = kind === "windows";
  const sep = win ? "\\" : "/";
  const at = (base: string | undefined, ...parts: string[]) =>
    base ? [[base.replace(/[\\/]+$/, ""), ...parts].join(sep)] : [];
  const local = vars.LOCALAPPDATA;
  const programs = vars.ProgramFiles ?? vars.PROGRAMFILES ?? "C:\\Program Files";
  switch (provider) {
    case "uv":
      return userBin(vars, home, sep);
    case "Deno":
      return at(vars.DENO_INSTALL ?? `${home}${sep}.deno`, "bin");
    case "Bun":
      return at(vars.BUN_INSTALL ?? `${home}${sep}.bun`, "bin");
    case "Python":
      // winget's Python 3.12 (per user); a distribution's package goes to /usr/bin.
      return win
        ? [
            ...at(local, "Programs", "Python", "Python312"),
            ...at(local, "Programs", "Python", "Python312", "Scripts"),
          ]
        : ["/usr/bin"];
    case "Docker":
      return win ? at(programs, "Docker", "Docker", "resources", "bin") : ["/usr/bin"];
    case "Node.js LTS":
      // nvm's folder holds the version's number: only Windows' installer has a fixed one.
      return win ? at(programs, "nodejs") : [];
    default:
      return [];
  }
}

/**
 * What starts a shared server once its program is installed as the advice says: the bridge on
 * the next call when the advice's installer puts it where the bridge looks (installFolders, or
 * PATH); otherwise a sync from a terminal that finds it, which gives the running bridge its PATH.
 */
export function sharedStartsAfter(program: string, kind: EnvKind): string {
  return installFolders(program, kind, {}, "~").length > 0
    ? "the bridge starts it on the next call"
    : "run `mcp-twin sync` from a terminal that finds it (the running bridge takes that PATH): the next call starts it";
}
