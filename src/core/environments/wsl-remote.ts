/**
 * WSL distros seen from Windows: listed with `wsl.exe -l -q` (UTF-16LE), each looked at with one
 * `wsl.exe -d <distro> --exec sh -lc <script>` call, reached afterwards through
 * `\\wsl.localhost\<distro>\...` and `wsl.exe --exec`.
 */

import { getEnv, type Host } from "../system/host.js";
import { decodeWindowsOutput, tail } from "../system/run.js";
import { wslToWindows } from "./path-translation.js";
import { npmAdvice } from "./program-hints.js";
import type { EnvFacts, Environment, EnvRunOptions } from "./types.js";
import type { WindowsInterop } from "./windows.js";

/** Distros that belong to tools, not to the user. */
const TOOL_OWNED = /^(docker-desktop|rancher-desktop|podman-machine|podman-net)/i;

/** `%SystemRoot%\System32\wsl.exe` as this process starts it. */
export function wslExePath(host: Host, windows: WindowsInterop): string {
  const native = `${getEnv(host.env, "SystemRoot") ?? "C:\\Windows"}\\System32\\wsl.exe`;
  return windows.access(native) ?? native;
}

export async function listDistros(host: Host, wslExe: string): Promise<string[]> {
  const result = await host.runner.run(wslExe, ["-l", "-q"], { env: { ...host.env }, timeoutMs: 30_000 });
  if (result.exitCode !== 0) return [];
  return decodeWindowsOutput(result.stdout)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !TOOL_OWNED.test(l));
}

// Not a login shell's job to load nvm (its loader sits behind the "not interactive" guard in
// ~/.bashrc), so source it ourselves, quietly: nothing may reach stdout but our key=value lines.
const FACTS_SCRIPT = [
  '[ -s "$HOME/.nvm/nvm.sh" ] && . "$HOME/.nvm/nvm.sh" >/dev/null 2>&1',
  'echo "home=$HOME"',
  'echo "xdg=${XDG_CONFIG_HOME:-}"',
  'n=$(command -v node 2>/dev/null); [ -n "$n" ] && echo "node=$(readlink -f "$n")" && echo "nodeVersion=$(node --version 2>/dev/null)"',
  'm=$(command -v npm 2>/dev/null); echo "npmOnPath=$m"',
  '[ -n "$m" ] && echo "npm=$(readlink -f "$m")" && echo "prefix=$(npm prefix -g 2>/dev/null)" && echo "npmVersion=$(npm --version 2>/dev/null)"',
  "true",
].join("\n");

export async function gatherDistroFacts(host: Host, wslExe: string, distro: string): Promise<EnvFacts> {
  const facts: EnvFacts = { id: `wsl:${distro}`, kind: "wsl", distro, home: "", vars: {}, usable: false };
  const result = await host.runner.run(wslExe, ["-d", distro, "--exec", "sh", "-lc", FACTS_SCRIPT], {
    env: { ...host.env },
    timeoutMs: 60_000,
  });
  if (result.exitCode !== 0) {
    facts.reason = `wsl.exe could not start ${distro}: ${tail(decodeWindowsOutput(result.stderr), 2) || `exit ${result.exitCode}`}`;
    return facts;
  }
  const kv: Record<string, string> = {};
  for (const line of decodeWindowsOutput(result.stdout).split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) kv[m[1] ?? ""] = m[2] ?? "";
  }
  facts.home = kv.home ?? "";
  if (kv.xdg) facts.vars.XDG_CONFIG_HOME = kv.xdg;
  if (kv.node) facts.node = { path: kv.node, ...(kv.nodeVersion ? { version: kv.nodeVersion } : {}) };
  if (kv.npmOnPath && /^\/mnt\/[a-z]\//i.test(kv.npmOnPath)) {
    facts.reason = `${facts.node ? "no Linux npm" : "no Linux Node.js or npm"} in ${distro}: its PATH finds Windows' npm (${wslToWindows(kv.npmOnPath, "/mnt/", distro)}), which does not run there`;
    facts.fix = npmAdvice(facts, Boolean(facts.node));
    return facts;
  }
  if (kv.prefix && kv.npm)
    facts.npm = { prefix: kv.prefix, bin: kv.npm, ...(kv.npmVersion ? { version: kv.npmVersion } : {}) };
  if (!facts.node) facts.reason = `Node.js is not installed in ${distro}`;
  else if (!facts.npm) facts.reason = `npm is not installed in ${distro}`;
  else facts.usable = true;
  if (!facts.usable) facts.fix = npmAdvice(facts, Boolean(facts.node));
  return facts;
}

/** Variables crossing from Windows into Linux must be named in WSLENV (`/u`: Windows → WSL only). */
function wslenvFor(host: Host, extra: Record<string, string> = {}) {
  const names = Object.keys(extra);
  if (names.length === 0) return { ...host.env };
  return {
    ...host.env,
    ...extra,
    WSLENV: [host.env.WSLENV, ...names.map((n) => `${n}/u`)].filter(Boolean).join(":"),
  };
}

export function distroEnvironment(facts: EnvFacts, host: Host, windows: WindowsInterop): Environment {
  // A distro's facts name it.
  const distro = facts.distro ?? "";
  const wslExe = wslExePath(host, windows);
  const exec = (command: string, args: readonly string[], options: EnvRunOptions = {}) =>
    host.runner.run(wslExe, ["-d", distro, "--exec", command, ...args], {
      env: wslenvFor(host, options.env),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  return {
    ...facts,
    local: false,
    style: "posix",
    access: (p) =>
      p.startsWith("/") ? windows.access(`\\\\wsl.localhost\\${distro}${p.replace(/\//g, "\\")}`) : undefined,
    exec,
    // npm's shebang would look for node on the bare --exec PATH: run npm-cli.js with our node.
    runNpm: (args, options) => exec(facts.node?.path ?? "node", [facts.npm?.bin ?? "npm", ...args], options),
  };
}
