/**
 * The local POSIX environment: Linux, macOS, or the WSL distro mcp-twin runs in.
 * node and npm are found on PATH with file stats; a `node`/`npm` that lives on a Windows drive
 * (WSL's appended Windows PATH) is the classic trap and makes the environment unusable.
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { getEnv, type Host, localHomedir } from "../system/host.js";
import { tail } from "../system/run.js";
import type { LocalInfo } from "./local.js";
import { NPM_INFO_ARGS, parseNodeVersion, parseNpmInfo } from "./npm-info.js";
import { isOnWindowsDrive, pathShown } from "./path-translation.js";
import { npmAdvice } from "./program-hints.js";
import type { EnvFacts, Environment, EnvRunOptions } from "./types.js";
import { findOnPath } from "./which.js";
import { statStamp } from "./windows.js";

const XDG_VARS = [
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_CACHE_HOME",
  "XDG_STATE_HOME",
  "NPM_CONFIG_PREFIX",
  // Where this environment's bridge keeps its state (the gateway's list cache among it) when set.
  "MCP_TWIN_BRIDGE_HOME",
];

function childEnv(host: Host, nodeDir: string | undefined, extra: Record<string, string> = {}) {
  const PATH = getEnv(host.env, "PATH") ?? "";
  // npm's `#!/usr/bin/env node` must find *this* node, not another one earlier on PATH.
  return { ...host.env, ...extra, PATH: nodeDir ? `${nodeDir}:${PATH}` : PATH };
}

async function real(p: string): Promise<string> {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export async function gatherPosixFacts(host: Host, local: LocalInfo): Promise<EnvFacts> {
  const PATH = getEnv(host.env, "PATH") ?? "";
  const vars: Record<string, string> = {};
  for (const name of XDG_VARS) {
    const value = host.env[name];
    if (value) vars[name] = value;
  }
  // Entries that start Windows programs from here spell C:\ through the automount root.
  if (local.kind === "wsl") vars.WSL_MOUNT_ROOT = local.mountRoot;
  const facts: EnvFacts = {
    id: local.id,
    kind: local.kind,
    ...(local.distro ? { distro: local.distro } : {}),
    ...(local.wslVersion ? { wslVersion: local.wslVersion } : {}),
    home: localHomedir(host),
    vars,
    usable: false,
  };
  const onWindows = (p: string) =>
    local.kind === "wsl" && (isOnWindowsDrive(p, local.mountRoot) || /\.(exe|cmd|bat)$/i.test(p));

  const node = await findOnPath("node", PATH, { posix: true });
  const npm = await findOnPath("npm", PATH, { posix: true });
  if (node && !onWindows(node)) {
    const nodeReal = await real(node);
    let version: string | undefined;
    if (nodeReal === (await real(host.self.node))) version = process.version;
    else
      version = parseNodeVersion(
        (
          await host.runner.run(node, ["--version"], { env: childEnv(host, undefined), timeoutMs: 20_000 })
        ).stdout.toString(),
      );
    facts.node = { path: nodeReal, ...(version ? { version } : {}) };
  }
  // What is missing is named (npm alone when this side's node is there); the fix is said apart.
  const shown = pathShown(local);
  if (npm && onWindows(npm)) {
    facts.reason = `${facts.node ? "no Linux npm" : "no Linux Node.js or npm"}: PATH finds Windows' npm (${shown(npm)}), which does not run inside WSL`;
    facts.fix = npmAdvice(local, Boolean(facts.node));
    return facts;
  }
  if (!facts.node) {
    facts.reason = node
      ? `no Linux Node.js: PATH finds Windows' node (${shown(node)})`
      : `Node.js is not installed here (no node on PATH)`;
    facts.fix = npmAdvice(local, false);
    return facts;
  }
  if (!npm) {
    facts.reason = "npm is not installed here (no npm on PATH)";
    facts.fix = npmAdvice(local, true);
    return facts;
  }
  const nodeDir = path.dirname(facts.node.path);
  const run = await host.runner.run(npm, [...NPM_INFO_ARGS], {
    env: childEnv(host, nodeDir),
    cwd: facts.home,
    timeoutMs: 60_000,
  });
  const info = parseNpmInfo(run.stdout.toString(), run.stderr.toString());
  if (run.exitCode !== 0 || !info.prefix) {
    facts.reason = `npm did not answer: ${tail(run.stderr.toString(), 2) || run.spawnError || `exit ${run.exitCode}`}`;
    return facts;
  }
  facts.npm = { prefix: info.prefix, bin: npm, ...(info.npmVersion ? { version: info.npmVersion } : {}) };
  facts.usable = true;
  return facts;
}

/** File stats and the variables that steer npm: changes here mean the facts must be gathered again. */
export async function posixStamp(host: Host, facts: EnvFacts): Promise<string> {
  const PATH = getEnv(host.env, "PATH") ?? "";
  const [node, npm, nodeStat, npmrc] = await Promise.all([
    findOnPath("node", PATH, { posix: true }).then((p) => (p ? real(p) : "-")),
    findOnPath("npm", PATH, { posix: true }).then((p) => (p ? real(p) : "-")),
    statStamp(facts.node?.path),
    statStamp(path.join(facts.home, ".npmrc")),
  ]);
  return [node, nodeStat, npm, npmrc, getEnv(host.env, "NPM_CONFIG_PREFIX") ?? ""].join("|");
}

export function posixEnvironment(facts: EnvFacts, host: Host): Environment {
  const nodeDir = facts.node ? path.dirname(facts.node.path) : undefined;
  const run = (command: string, args: readonly string[], options: EnvRunOptions = {}) =>
    host.runner.run(command, args, {
      env: childEnv(host, nodeDir, options.env),
      cwd: facts.home,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  // Read where it runs, not cached: a client's own home (Codex's, Copilot's, Crush's, Qwen's) can move between two runs.
  const homes: Record<string, string> = {};
  for (const name of ["CODEX_HOME", "COPILOT_HOME", "CRUSH_GLOBAL_CONFIG", "QWEN_HOME"]) {
    const value = getEnv(host.env, name);
    if (value) homes[name] = value;
  }
  return {
    ...facts,
    vars: { ...facts.vars, ...homes },
    local: true,
    style: "posix",
    access: (p) => p,
    findProgram: (name) => findOnPath(name, getEnv(host.env, "PATH") ?? "", { posix: true }),
    exec: run,
    runNpm: (args, options) => run(facts.npm?.bin ?? "npm", args, options),
  };
}
