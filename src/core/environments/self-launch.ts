/**
 * How client entries start this mcp-twin in an environment (url servers' relays and the bridge's
 * entry alike: one path): its global install there, else, here, the copy running now.
 */
import { existsSync } from "node:fs";
import { globalModulesDir, joinNative } from "./native-paths.js";
import type { Environment } from "./types.js";

export interface SelfLaunch {
  node: string;
  script: string;
}

/** undefined: mcp-twin is not installed there, and it is not here either. */
export function mcpTwinIn(env: Environment, running: SelfLaunch): SelfLaunch | undefined {
  const installed = installedCopy(env);
  if (installed && env.node) return { node: env.node.path, script: installed };
  return env.local ? running : undefined;
}

/** `<prefix>/lib/node_modules/mcp-twin/bin/mcp-twin.js` when mcp-twin is installed globally there. */
function installedCopy(env: Environment): string | undefined {
  const modules = globalModulesDir(env);
  if (!modules) return undefined;
  const script = joinNative(env.kind, modules, "mcp-twin", "bin", "mcp-twin.js");
  const file = env.access(script);
  return file !== undefined && existsSync(file) ? script : undefined;
}
