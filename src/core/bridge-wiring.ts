/**
 * With `bridge.enabled` in the manifest, sync registers the bridge (`mcp-twin serve`) in every
 * client under the name `mcp-twin`.
 *
 * - Where the bridge lives: `bridge.environment`, else WSL when there is one (this distro first),
 *   else here. Inside WSL it listens on 127.0.0.1: Windows reaches it through localhost forwarding
 *   (NAT) or directly (mirrored), with no firewall rule; a bridge on Windows would be out of WSL's
 *   reach in NAT mode.
 * - HTTP-capable clients in the bridge's own environment get `url` + `Authorization: Bearer`
 *   (but Codex, which takes no inline bearer token: it gets the relay).
 * - Every other client (stdio-only ones such as Claude Desktop, and every client on the other side)
 *   gets `mcp-twin connect <url>` run in the bridge's environment (through `wsl.exe --exec` from
 *   Windows). connect reads the token there and starts the bridge when none answers, so nothing
 *   has to keep a WSL service alive.
 *
 * I/O only in `planBridge` (reads the token, or creates it on a real sync; looks for a global
 * install of mcp-twin there, whose stable path entries prefer to this process's own) and in
 * `start()`; building entries is pure.
 */
import { existsSync } from "node:fs";
import { ensureBridge } from "../bridge/instance.js";
import { bridgeFiles, bridgeHome, bridgeHomeIn, bridgeUrl } from "../bridge/paths.js";
import { ensureToken, readToken } from "../bridge/token.js";
import type { Launch, Target } from "./clients/types.js";
import type { BuiltEntry } from "./entries.js";
import { crossOver, type EntryContext, startsAcross } from "./entries.js";
import { type Environment, envMatches, globalModulesDir, joinNative } from "./environments/types.js";
import type { Machine } from "./machine.js";
import type { Manifest } from "./manifest/schema.js";

/** Shown in dry runs before the token exists; never a usable credential. */
const TOKEN_PLACEHOLDER = "<created by the first sync>";

export interface BridgeWiring {
  /** The environment the bridge runs in. */
  env: Environment;
  url: string;
  /** The bearer token, when it can be read from here. */
  token: string | null;
  /** How to run this mcp-twin in the bridge's environment (native paths there). */
  program: { node: string; script: string } | null;
  /** Why `program` is null. */
  reason?: string;
  /** The bridge's entry for one target (see bridgeEntry). */
  entry(target: Target, ctx: EntryContext): BuiltEntry | undefined;
  /** Start the bridge when none answers (it must live here). */
  start(): Promise<{ started: boolean; error?: string }>;
}

export interface PlanBridgeOptions {
  /** Create the token when missing (a real sync); otherwise only read it. */
  createToken: boolean;
}

/** Where the bridge lives, given the environments found (undefined: none usable). */
function bridgeEnvironment(manifest: Manifest, envs: readonly Environment[]): Environment | undefined {
  const wanted = manifest.bridge?.environment;
  if (wanted) return envs.find((e) => envMatches(wanted, e.id));
  const usable = envs.filter((e) => e.usable || e.local);
  const wsl = usable
    .filter((e) => e.kind === "wsl" && e.usable)
    .sort((a, b) => Number(b.local) - Number(a.local));
  return wsl[0] ?? usable.find((e) => e.local);
}

export async function planBridge(
  manifest: Manifest,
  envs: readonly Environment[],
  machine: Machine,
  options: PlanBridgeOptions,
): Promise<BridgeWiring | undefined> {
  if (!manifest.bridge?.enabled) return undefined;
  const env = bridgeEnvironment(manifest, envs);
  if (!env) return undefined;
  const url = bridgeUrl("127.0.0.1", manifest.bridge.port);
  const token = await bridgeToken(env, machine, options);
  const installed = installedCopy(env);
  let program: BridgeWiring["program"] = null;
  let reason: string | undefined;
  if (installed && env.node) program = { node: env.node.path, script: installed };
  else if (env.local) program = machine.host.self;
  else
    reason =
      `the bridge lives in ${env.id}, where mcp-twin is not installed: run \`npm install -g mcp-twin\` ` +
      `there, or run \`mcp-twin sync\` from ${env.id}`;
  const wiring: BridgeWiring = {
    env,
    url,
    token,
    program,
    ...(reason ? { reason } : {}),
    entry: (target, ctx) => bridgeEntry(target, wiring, ctx),
    start: () => startBridge(machine, manifest.bridge!.port),
  };
  return wiring;
}

async function startBridge(machine: Machine, port: number): Promise<{ started: boolean; error?: string }> {
  try {
    const r = await ensureBridge({
      files: bridgeFiles(bridgeHome(machine.host)),
      self: machine.host.self,
      port,
      env: machine.host.env,
      log: () => {},
    });
    return { started: r.started };
  } catch (error) {
    // Not fatal: connect entries start it on first use.
    return { started: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `<prefix>/lib/node_modules/mcp-twin/bin/mcp-twin.js` when mcp-twin is installed globally there. */
function installedCopy(env: Environment): string | undefined {
  const modules = globalModulesDir(env);
  if (!modules) return undefined;
  const script = joinNative(env.kind, modules, "mcp-twin", "bin", "mcp-twin.js");
  const file = env.access(script);
  return file !== undefined && existsSync(file) ? script : undefined;
}

async function bridgeToken(
  env: Environment,
  machine: Machine,
  options: PlanBridgeOptions,
): Promise<string | null> {
  if (env.local) {
    const file = bridgeFiles(bridgeHome(machine.host)).token;
    if (options.createToken) return (await ensureToken(file)).token;
    // A dry run before the first sync previews the entries that sync will write.
    return (await readToken(file)) ?? TOKEN_PLACEHOLDER;
  }
  // The other side's state folder, read through the file system when reachable.
  const file = env.access(joinNative(env.kind, bridgeHomeIn(env.kind, env.vars, env.home), "token"));
  return file ? readToken(file) : null;
}

/**
 * The bridge's entry for one target, or undefined when the target gets none (project files: the
 * bridge is per machine, not per repository).
 */
function bridgeEntry(target: Target, wiring: BridgeWiring, ctx: EntryContext): BuiltEntry | undefined {
  if (target.scope === "project") return undefined;
  const here = target.env.id === wiring.env.id;
  if (here && target.client.remoteEntry && !target.client.relayBridge && wiring.token) {
    return {
      ok: true,
      value: target.client.remoteEntry({
        url: wiring.url,
        headers: { Authorization: `Bearer ${wiring.token}` },
      }),
      secretValues: [wiring.token],
      references: [],
      runsIn: wiring.env.id,
    };
  }
  if (!here && !startsAcross(target.env, wiring.env)) {
    return {
      ok: false,
      code: "no-environment",
      reason: `the bridge lives in ${wiring.env.id}, which ${target.env.id} cannot start programs in`,
    };
  }
  if (!wiring.program) {
    return { ok: false, code: "no-environment", reason: wiring.reason ?? "mcp-twin is not installed" };
  }
  const launch: Launch = {
    command: wiring.program.node,
    args: [wiring.program.script, "connect", wiring.url],
    env: {},
  };
  return {
    ok: true,
    value: target.client.stdioEntry(crossOver(launch, wiring.env, target.env, ctx)),
    secretValues: [],
    references: [],
    runsIn: wiring.env.id,
  };
}
