/**
 * The wrappers around the program a launch line really runs (pure): `wsl.exe …`, `cmd /c …`, `bash -lc
 * '…'` and `env VAR=… …`, one parser each, read the same way for doctor and import.
 */

import { programName } from "../../environments/program.js";
import { dict } from "../../plain-records.js";
import { cmdLineWords, splitCmdLine, splitShellCommands, splitShellWords } from "./command-lines.js";

export interface Call {
  command: string;
  args: string[];
}

export interface WslCall {
  distro?: string;
  user?: string;
  /** `--cd <folder>`: where it starts. */
  cd?: string;
  /** `--exec`/`-e`: no shell. Otherwise the rest goes through the distro's default shell. */
  exec: boolean;
  command?: string;
  args: string[];
  /** An option mcp-twin does not know (read from there on as the command), or one without its value. */
  problem?: string;
}

/** wsl.exe options followed by a value. */
const WSL_VALUE_OPTIONS = new Set(["-d", "--distribution", "-u", "--user", "--cd", "--shell-type"]);

/** `wsl.exe [~] -d Ubuntu --exec /usr/bin/node …` and friends. */
export function wslCall(command: string, args: readonly string[]): WslCall | undefined {
  if (programName(command) !== "wsl") return undefined;
  const call: WslCall = { exec: false, args: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? "";
    if (WSL_VALUE_OPTIONS.has(a)) {
      if (i + 1 >= args.length) {
        call.problem = `wsl.exe ${a} without a value`;
        i++;
        break;
      }
      const value = args[++i] ?? "";
      if (a === "-d" || a === "--distribution") call.distro = value;
      else if (a === "-u" || a === "--user") call.user = value;
      else if (a === "--cd") call.cd = value;
      // --shell-type changes how the default shell starts, not what runs.
    } else if (a === "~") {
      // start in the home folder
    } else if (a === "-e" || a === "--exec") {
      call.exec = true;
      i++;
      break;
    } else if (a === "--") {
      i++;
      break;
    } else {
      if (a.startsWith("-")) call.problem = `wsl.exe option ${a} is not one mcp-twin understands`;
      break;
    }
  }
  const rest = args.slice(i);
  if (rest.length > 0) {
    call.command = rest[0];
    call.args = rest.slice(1);
  }
  return call;
}

export interface CmdCall extends Call {
  /** False when cmd.exe does more than run it: `&&`, `|`, `>`, `%VAR%` (the words are a best guess). */
  plain: boolean;
}

/** `cmd [/d /s …] /c npx -y pkg` or `cmd /c "npx -y pkg"` → `npx -y pkg`. */
export function cmdCall(command: string, args: readonly string[]): CmdCall | undefined {
  if (programName(command) !== "cmd") return undefined;
  let i = 0;
  while (i < args.length && /^\/[a-z](:.*)?$/i.test(args[i] ?? "") && !/^\/[ck]$/i.test(args[i] ?? "")) i++;
  if (i >= args.length || !/^\/[ck]$/i.test(args[i] ?? "")) return undefined;
  let rest = args.slice(i + 1);
  let plain = !rest.some((a) => /^(&&?|\|\|?)$/.test(a));
  const [one] = rest;
  if (one !== undefined && rest.length === 1) {
    // `cmd /c "npx -y pkg"`: one line for cmd.exe to split.
    const line = one.trim().replace(/^"(.*)"$/s, "$1");
    const words = cmdLineWords(line);
    if (!words) return undefined;
    plain = splitCmdLine(line) !== undefined;
    rest = words;
  }
  const [program] = rest;
  if (program === undefined) return undefined;
  return { command: program, args: rest.slice(1), plain };
}

export interface ShellCall {
  shell: string;
  login: boolean;
  interactive: boolean;
  script: string;
  /** Arguments after the script ($0, $1, …). */
  rest: string[];
}

const SHELLS = new Set(["bash", "sh", "zsh", "dash", "ksh"]);

/** `bash -lc '<script>' …`, `sh -c …`, `bash -l -c …`, `zsh -ic …`, `bash --noprofile -c …`. */
export function shellCall(command: string, args: readonly string[]): ShellCall | undefined {
  const shell = programName(command);
  if (!SHELLS.has(shell)) return undefined;
  let login = false;
  let interactive = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--login") login = true;
    else if (a === "--norc" || a === "--noprofile") continue;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (a.includes("l")) login = true;
      if (a.includes("i")) interactive = true;
      if (a.includes("c")) {
        const script = args[i + 1];
        return script === undefined
          ? undefined
          : { shell, login, interactive, script, rest: args.slice(i + 2) };
      }
    } else return undefined;
  }
  return undefined;
}

/** `env FOO=1 program …` → the program, with the variables it sets. */
export function envCall(
  command: string,
  args: readonly string[],
): (Call & { env: Record<string, string> }) | undefined {
  if (programName(command) !== "env" || args.length === 0) return undefined;
  const env = dict<string>();
  let i = 0;
  for (; i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i] ?? ""); i++) {
    const a = args[i] ?? "";
    env[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
  }
  const program = args[i];
  if (program === undefined || program.startsWith("-")) return undefined;
  return { command: program, args: args.slice(i + 1), env };
}

/** One wrapper taken off a launch line. */
export interface Peeled {
  /** For people: "cmd /c", "wsl", "bash -c", "env". */
  via: string;
  /** What it runs; undefined when that cannot be told. */
  inner?: Call;
  /** Variables the wrapper sets for what it runs (`env X=1`, `export X=1; …`, `X=1 exec …`). */
  env: Record<string, string>;
  /** Set when the wrapper is wsl.exe: what it runs runs inside WSL. */
  wsl?: WslCall;
  /** Why the inner program is only a best guess, or cannot be told. */
  problem?: string;
}

/**
 * Take one wrapper off; undefined when the line has none.
 *
 * `peel` takes one wrapper off and `innerProgram` all of them. What a faithful copy of the line
 * would lose (an option mcp-twin does not know, shell syntax) is said as a `problem`, and each
 * reader decides: doctor looks inside anyway, import keeps the entry as written or leaves it out.
 */
export function peel(call: Call): Peeled | undefined {
  const wsl = wslCall(call.command, call.args);
  if (wsl) {
    if (wsl.command === undefined)
      return { via: "wsl", env: {}, wsl, problem: wsl.problem ?? "wsl.exe with no command" };
    return {
      via: "wsl",
      inner: { command: wsl.command, args: wsl.args },
      env: {},
      wsl,
      ...(wsl.problem ? { problem: wsl.problem } : {}),
    };
  }
  const cmd = cmdCall(call.command, call.args);
  if (cmd)
    return {
      via: "cmd /c",
      inner: { command: cmd.command, args: cmd.args },
      env: {},
      ...(cmd.plain ? {} : { problem: "cmd.exe does more than run it (&&, |, >, %VAR%)" }),
    };
  const shell = shellCall(call.command, call.args);
  if (shell) return peelShell(shell);
  const env = envCall(call.command, call.args);
  if (env) return { via: "env", inner: { command: env.command, args: env.args }, env: env.env };
  return undefined;
}

/**
 * What a shell runs: `sh -lc 'exec "$0" "$@"' prog args…` (how sync starts a command inside WSL),
 * or one simple command after preambles that only find programs or set variables
 * (`source ~/.nvm/nvm.sh && nvm use 22 && export A=1; exec npx -y pkg`).
 */
function peelShell(sh: ShellCall): Peeled {
  const via = `${sh.shell} -c`;
  const unreadable = { via, env: {}, problem: `${sh.shell} -c runs a script that needs the shell` };
  if (/^exec "\$0" "\$@"$/.test(sh.script.trim()))
    return sh.rest[0] === undefined
      ? unreadable
      : { via, inner: { command: sh.rest[0], args: sh.rest.slice(1) }, env: {} };
  if (sh.rest.length > 0) return unreadable;
  const commands = splitShellCommands(sh.script);
  if (!commands || commands.length === 0) return unreadable;
  const env = dict<string>();
  const assign = (w: string) => {
    env[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1);
  };
  for (const pre of commands.slice(0, -1)) {
    // Loading nvm (or a profile) only finds programs; exports add to the environment.
    if (/^(source|\.)\s+\S+$/.test(pre) || /^nvm\s+use(\s+\S+)?$/.test(pre)) continue;
    const words = splitShellWords(pre);
    if (words?.[0] === "export" && words.slice(1).every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))) {
      for (const w of words.slice(1)) assign(w);
      continue;
    }
    return unreadable;
  }
  const words = splitShellWords(commands[commands.length - 1] ?? "");
  if (!words || words.length === 0) return unreadable;
  for (;;) {
    const [first] = words;
    if (first === "exec") words.shift();
    else if (first !== undefined && words.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) {
      words.shift();
      assign(first);
    } else break;
  }
  const [command] = words;
  if (command === undefined) return unreadable;
  return { via, inner: { command, args: words.slice(1) }, env };
}

/** The program that finally runs, looking through every wrapper (best guess where one is unclear). */
export function innerProgram(command: string, args: readonly string[]): Call {
  let call: Call = { command, args: [...args] };
  for (let depth = 0; depth < 8; depth++) {
    const layer = peel(call);
    if (!layer?.inner) break;
    call = layer.inner;
  }
  return call;
}
