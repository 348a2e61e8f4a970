/**
 * Reading a launch command line (pure): which program really runs after `wsl.exe …`,
 * `cmd /c …` and `sh -lc 'exec "$0" "$@"' …` wrappers, which argument is its script, and whether
 * it downloads on start (npx, uvx).
 */

/** `C:\Program Files\nodejs\npx.cmd` → `npx.cmd`. Lower case. */
export function baseName(command: string): string {
  return (command.split(/[\\/]/).pop() ?? command).toLowerCase();
}

export function stripExe(base: string): string {
  return base.replace(/\.(exe|cmd|bat|com)$/i, "");
}

export function isBatchFile(command: string): boolean {
  return /\.(cmd|bat)$/i.test(command);
}

export function isAbsoluteAny(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

export function isWindowsAbsolute(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

export function isNodeProgram(command: string): boolean {
  return /^node(js)?$/.test(stripExe(baseName(command)));
}

/** Programs that fetch the package on start (`npx -y pkg`, `uvx pkg`, `pnpm dlx`, `bunx`). */
export function downloadsOnStart(command: string, args: readonly string[]): string | undefined {
  const base = stripExe(baseName(command));
  if (["npx", "uvx", "bunx", "pnpx"].includes(base)) return base;
  if (base === "pnpm" && args[0] === "dlx") return "pnpm dlx";
  if (base === "npm" && (args[0] === "exec" || args[0] === "x")) return "npm exec";
  return undefined;
}

export interface ShellCall {
  shell: string;
  login: boolean;
  interactive: boolean;
  script: string;
  /** Arguments after the script ($0, $1, …). */
  rest: string[];
}

/** `bash -lc '<script>' …`, `sh -c …`, `bash -l -c …`, `zsh -ic …`. */
export function shellCall(command: string, args: readonly string[]): ShellCall | undefined {
  const shell = stripExe(baseName(command));
  if (!["bash", "sh", "zsh", "dash", "ksh"].includes(shell)) return undefined;
  let login = false;
  let interactive = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--login") login = true;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (a.includes("l")) login = true;
      if (a.includes("i")) interactive = true;
      if (a.includes("c")) {
        i++;
        break;
      }
    } else return undefined;
  }
  const script =
    args[i - 1] !== undefined && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(args[i - 1]!) ? args[i] : undefined;
  if (script === undefined) return undefined;
  return { shell, login, interactive, script, rest: args.slice(i + 1) };
}

export interface WslCall {
  distro?: string;
  user?: string;
  /** `--exec`/`-e`: no shell. Otherwise the rest goes through the distro's default shell. */
  exec: boolean;
  command?: string;
  args: string[];
}

/** `wsl.exe -d Ubuntu --exec /usr/bin/node …` and friends. */
export function wslCall(command: string, args: readonly string[]): WslCall | undefined {
  if (stripExe(baseName(command)) !== "wsl") return undefined;
  const call: WslCall = { exec: false, args: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-d" || a === "--distribution") call.distro = args[++i];
    else if (a === "-u" || a === "--user") call.user = args[++i];
    else if (a === "--cd" || a === "--shell-type") i++;
    else if (a === "-e" || a === "--exec") {
      call.exec = true;
      i++;
      break;
    } else if (a === "--") {
      i++;
      break;
    } else break;
  }
  const rest = args.slice(i);
  if (rest.length > 0) {
    call.command = rest[0];
    call.args = rest.slice(1);
  }
  return call;
}

/** `cmd /c npx -y pkg` → `npx -y pkg`. */
export function cmdCall(
  command: string,
  args: readonly string[],
): { command: string; args: string[] } | undefined {
  if (stripExe(baseName(command)) !== "cmd") return undefined;
  const i = args.findIndex((a) => /^\/[ck]$/i.test(a));
  if (i === -1 || i + 1 >= args.length) return undefined;
  const rest = args.slice(i + 1);
  // `cmd /c "npx -y pkg"` as one argument: split it the simple way.
  const line = rest.length === 1 ? rest[0]!.trim().replace(/^"(.*)"$/, "$1") : undefined;
  const words =
    line !== undefined ? (line.match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"|"$/g, "")) : rest;
  return words.length > 0 ? { command: words[0]!, args: words.slice(1) } : undefined;
}

/** The program that finally runs, looking through wsl.exe, cmd /c and `sh -c 'exec "$0" "$@"'`. */
export function innerProgram(command: string, args: readonly string[]): { command: string; args: string[] } {
  const wsl = wslCall(command, args);
  if (wsl?.command) return innerProgram(wsl.command, wsl.args);
  const cmd = cmdCall(command, args);
  if (cmd) return innerProgram(cmd.command, cmd.args);
  const sh = shellCall(command, args);
  if (sh && /^exec "\$0" "\$@"$/.test(sh.script.trim()) && sh.rest[0])
    return innerProgram(sh.rest[0], sh.rest.slice(1));
  return { command, args: [...args] };
}

/** The script a node command runs (its first argument that is not an option). */
export function nodeScript(command: string, args: readonly string[]): string | undefined {
  if (!isNodeProgram(command)) return undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-r" || a === "--require" || a === "--import" || a === "--loader") {
      i++;
      continue;
    }
    if (a === "-e" || a === "--eval" || a === "-p" || a === "--print") return undefined;
    if (a.startsWith("-")) continue;
    return a;
  }
  return undefined;
}

/** Does a path sit under a version manager's folder (nvm, fnm, volta, asdf, n)? */
export function underVersionManager(p: string): string | undefined {
  const m = /[\\/](\.nvm|\.fnm|fnm|\.volta|\.asdf|\.n|nvm)[\\/]/i.exec(p);
  if (!m) return undefined;
  const name = m[1]!.replace(/^\./, "").toLowerCase();
  return name === "n" ? "n" : name;
}
