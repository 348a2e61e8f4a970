/**
 * The bridge's settings, resolved in one place from the user-level manifest's `bridge` section (never
 * a project manifest's: the bridge is one per machine) and what the home keeps, for every way of reaching the bridge.
 */
import path from "node:path";
import { bridgeUrl, DEFAULT_BRIDGE_PORT } from "../bridge-link/index.js";
import { openMachine } from "../environments/machine.js";
import { BRIDGE_ENTRY } from "../manifest/bridge-entry-name.js";
import { loadManifest } from "../manifest/load.js";
import type { BridgeSpec } from "../manifest/schema.js";
import type { Host } from "../system/host.js";
import { readRecordedPort } from "./port-record.js";

const DEFAULT_BRIDGE_HOST = "127.0.0.1";

export interface BridgeSettings {
  /** Sync registers the bridge's own tools (memory, notes, hand-off) in the clients. */
  enabled: boolean;
  /**
   * `enabled` is not in the manifest, and is true only because mcp-twin wrote the bridge's own
   * entry before (state records it): no one loses an entry they had.
   */
  enabledImplied?: boolean;
  host: string;
  port: number;
  /** `bridge.port` in the manifest: the port is that one, whatever holds it. */
  pinned: boolean;
  /** The port the home recorded (port-record.ts); undefined before the first start. */
  recorded?: number;
  /** The keys of where it runs that the manifest's `bridge` section sets (the rest are defaults). */
  inManifest: Array<"host" | "port" | "environment">;
  /** http://host:port/mcp */
  url: string;
  /** The manifest they came from (or would: defaults when it does not exist). */
  source: string;
  /** The manifest's shared servers (they run in the bridge whatever `enabled` says), when read from it. */
  shared?: string[];
  /** Where the home records the port (port-record.ts), when read from the home. */
  recordFile?: string;
}

/** What the home keeps that the settings depend on. */
export interface HomeBridgeFacts {
  /** The gateway's port as the home recorded it (port-record.ts). */
  port?: number | undefined;
  /** State records the bridge's own entry in a client config (bridge-entries.ts). */
  hadEntry?: boolean;
}

/**
 * Every way of reaching the bridge (stdio `serve`, `serve --http` without flags, `bridge`, sync,
 * doctor, and the entries sync writes for `connect`) uses what this returns. The port: `bridge.port`
 * when the manifest pins it, else the one the home recorded, else 7760 — the first one tried when
 * the port is chosen (port-choice.ts).
 */
export function resolveBridgeSettings(
  spec: BridgeSpec | undefined,
  source: string,
  home: HomeBridgeFacts = {},
): BridgeSettings {
  // An address, never a name: a client may resolve `localhost` to ::1 first, where the bridge
  // (bound to one address) does not listen and another account could.
  const host = !spec?.host || spec.host.toLowerCase() === "localhost" ? DEFAULT_BRIDGE_HOST : spec.host;
  const port = spec?.port ?? home.port ?? DEFAULT_BRIDGE_PORT;
  const implied = spec?.enabled === undefined && home.hadEntry === true;
  return {
    enabled: spec?.enabled ?? implied,
    ...(implied ? { enabledImplied: true } : {}),
    host,
    port,
    pinned: spec?.port !== undefined,
    ...(home.port !== undefined ? { recorded: home.port } : {}),
    inManifest: (["host", "port", "environment"] as const).filter((k) => spec?.[k] !== undefined),
    url: bridgeUrl(host, port),
    source,
  };
}

/** The same settings at another port (the one chosen). */
export function settingsAt(settings: BridgeSettings, port: number): BridgeSettings {
  return { ...settings, port, url: bridgeUrl(settings.host, port) };
}

/** The settings of the user-level manifest (or `--manifest`); defaults when there is none. */
export async function loadBridgeSettings(host: Host, manifestOption?: string): Promise<BridgeSettings> {
  const machine = await openMachine(host);
  const file = manifestOption ? path.resolve(host.cwd, manifestOption) : machine.paths.manifest;
  const { manifest } = await loadManifest(file, { cacheDir: machine.paths.cache });
  const shared = Object.entries(manifest.servers)
    .filter(([, spec]) => spec.share && !spec.disabled)
    .map(([name]) => name);
  const home: HomeBridgeFacts = { port: await readRecordedPort(machine.paths.bridge) };
  // Only with `enabled` unsaid does state matter (an entry mcp-twin wrote before stays). Does it
  // record the bridge's own entry anywhere? (A state that does not load: no.)
  if (manifest.bridge?.enabled === undefined) {
    const { loadState, recordsEntry } = await import("../ledger/state.js");
    home.hadEntry = await loadState(machine.paths.state).then(
      (s) => recordsEntry(s, BRIDGE_ENTRY),
      () => false,
    );
  }
  return { ...resolveBridgeSettings(manifest.bridge, file, home), shared, recordFile: machine.paths.bridge };
}
