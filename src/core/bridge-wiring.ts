/**
 * With `bridge.enabled` in the manifest, sync registers the bridge (`mcp-twin serve`) in every
 * client. Filled in by the bridge work; until the bridge exists it adds nothing.
 */
import type { Machine } from "./machine.js";
import type { Manifest, ServerSpec } from "./manifest/schema.js";

export function bridgeServers(manifest: Manifest, _machine: Machine): Record<string, ServerSpec> {
  if (!manifest.bridge?.enabled) return {};
  return {};
}
