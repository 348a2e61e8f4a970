/**
 * The bridge's settings, resolved in one place from the user-level manifest's `bridge` section (never
 * a project manifest's: the bridge is one per machine), for every way of reaching the bridge.
 */
import path from "node:path";
import { openMachine } from "../environments/machine.js";
import { DEFAULT_IDLE_MINUTES } from "../manifest/bridge-defaults.js";
import { loadManifest } from "../manifest/load.js";
import type { BridgeSpec } from "../manifest/schema.js";
import { getEnv, type Host } from "../system/host.js";
import { bridgeUrl, DEFAULT_BRIDGE_PORT } from "./state-folder.js";

const DEFAULT_BRIDGE_HOST = "127.0.0.1";

export interface BridgeSettings {
  /** Sync registers it in the clients. */
  enabled: boolean;
  host: string;
  port: number;
  /** `bridge.environment`: where it runs (undefined: WSL when there is one, else here). */
  environment: string | undefined;
  /** http://host:port/mcp */
  url: string;
  /** The manifest they came from (or would: defaults when it does not exist). */
  source: string;
  /** `bridge.idleMinutes`: a shared server with no call for this long stops (decimals allowed). */
  idleMinutes: number;
  /** The manifest's shared servers (they run in the bridge whatever `enabled` says), when read from it. */
  shared?: string[];
}

/**
 * Every way of reaching the bridge (stdio `serve`, `serve --http` without flags, `bridge`, sync,
 * doctor, and the entries sync writes for `connect`) uses what this returns.
 */
export function resolveBridgeSettings(
  spec: BridgeSpec | undefined,
  source: string,
  env: Readonly<Record<string, string | undefined>> = {},
): BridgeSettings {
  const host = spec?.host ?? DEFAULT_BRIDGE_HOST;
  const port = spec?.port ?? testDefaultPort(env) ?? DEFAULT_BRIDGE_PORT;
  return {
    enabled: spec?.enabled ?? false,
    host,
    port,
    environment: spec?.environment,
    url: bridgeUrl(host, port),
    source,
    idleMinutes: spec?.idleMinutes ?? DEFAULT_IDLE_MINUTES,
  };
}

/**
 * The test suite's seam: every fake machine gets its own default port, so a sync that starts the
 * gateway (a catalogue server is shared by default) never reaches for 7760, which other runs share.
 */
function testDefaultPort(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const port = Number(getEnv(env, "MCP_TWIN_TEST_BRIDGE_PORT"));
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
}

/** The settings of the user-level manifest (or `--manifest`); defaults when there is none. */
export async function loadBridgeSettings(host: Host, manifestOption?: string): Promise<BridgeSettings> {
  const machine = await openMachine(host);
  const file = manifestOption ? path.resolve(host.cwd, manifestOption) : machine.paths.manifest;
  const { manifest } = await loadManifest(file, { cacheDir: machine.paths.cache });
  const shared = Object.entries(manifest.servers)
    .filter(([, spec]) => spec.share && !spec.disabled)
    .map(([name]) => name);
  return { ...resolveBridgeSettings(manifest.bridge, file, host.env), shared };
}
