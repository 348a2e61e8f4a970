/**
 * Where the bridge lives, one rule for sync's entries and `mcp-twin bridge`: `bridge.environment`,
 * else WSL when there is one (this distro first), else here; and the mcp-twin that runs it there.
 */
import { envMatches } from "../environments/env-selector.js";
import { mcpTwinIn, type SelfLaunch } from "../environments/self-launch.js";
import type { Environment } from "../environments/types.js";
import type { Manifest } from "../manifest/schema.js";

export interface BridgePlace {
  env: Environment;
  /** How to run this mcp-twin in the bridge's environment (native paths there). */
  program: SelfLaunch | null;
  /** Why `program` is null. */
  reason?: string;
}

/** Where the bridge lives, given the environments found (undefined: none usable). */
export function bridgeEnvironment(manifest: Manifest, envs: readonly Environment[]): Environment | undefined {
  const wanted = manifest.bridge?.environment;
  if (wanted) return envs.find((e) => envMatches(wanted, e.id));
  const usable = envs.filter((e) => e.usable || e.local);
  const wsl = usable
    .filter((e) => e.kind === "wsl" && e.usable)
    .sort((a, b) => Number(b.local) - Number(a.local));
  return wsl[0] ?? usable.find((e) => e.local);
}

/**
 * Inside WSL the bridge listens on 127.0.0.1: Windows reaches it through localhost forwarding (NAT)
 * or directly (mirrored), with no firewall rule; a bridge on Windows would be out of WSL's reach in
 * NAT mode. Looks for a global install of mcp-twin there, whose stable path entries prefer to this
 * process's own (`self`).
 */
export function bridgePlace(
  manifest: Manifest,
  envs: readonly Environment[],
  self: SelfLaunch,
): BridgePlace | undefined {
  const env = bridgeEnvironment(manifest, envs);
  if (!env) return undefined;
  const program = mcpTwinIn(env, self) ?? null;
  if (program) return { env, program };
  return {
    env,
    program,
    reason:
      `the bridge lives in ${env.id}, where mcp-twin is not installed: run \`npm install -g mcp-twin\` ` +
      `there, or run \`mcp-twin sync\` from ${env.id}`,
  };
}
