/**
 * The shared servers now: the bridge asked how it runs them (nothing is started: a bridge that is
 * not running is said to be so), joined with the manifest's shares (shared-view.ts).
 */
import { controlBridge } from "../bridge-control/control.js";
import type { Machine } from "../environments/machine.js";
import { type SharedView, sharedLine, sharedViews } from "./shared-view.js";

export interface SharedStatus {
  /** The bridge's state, as `bridge status` says it; its url and pid when it runs. */
  bridge: { state: string; url?: string; pid?: number; fix?: string; error?: string };
  shared: SharedView[];
}

/** Undefined when the manifest shares nothing (the bridge is not asked). */
export async function sharedStatus(
  machine: Machine,
  shares: ReadonlyArray<{ name: string; mode: string }>,
  manifest: string | undefined,
): Promise<SharedStatus | undefined> {
  if (shares.length === 0) return undefined;
  try {
    const r = await controlBridge(machine, "status", { manifest, log: () => {} });
    const up = r.state === "running" || r.state === "elsewhere";
    const reported = up ? (Array.isArray(r.shares) ? r.shares : null) : undefined;
    return {
      bridge: {
        state: r.state,
        ...(r.url ? { url: r.url } : {}),
        ...(r.pid !== undefined ? { pid: r.pid } : {}),
        ...(r.fix ? { fix: r.fix } : {}),
      },
      shared: sharedViews(shares, reported),
    };
  } catch (error) {
    // Its state cannot be had (the bridge's side cannot be reached): said, never guessed.
    return {
      bridge: { state: "unknown", error: error instanceof Error ? error.message : String(error) },
      shared: sharedViews(shares, null),
    };
  }
}

/** The manifest's shared servers (enabled ones), by name and mode. */
export function manifestShareList(
  servers: Iterable<[string, { share?: string | undefined; disabled?: boolean | undefined }]>,
): Array<{ name: string; mode: string }> {
  return [...servers].flatMap(([name, s]) => (s.share && !s.disabled ? [{ name, mode: s.share }] : []));
}

/** A shared server's line, with why the bridge is not there when it is not. */
export function sharedLineFor(v: SharedView, s: SharedStatus): string {
  const why =
    s.bridge.state === "stopped"
      ? "`mcp-twin bridge start` starts it"
      : s.bridge.state === "taken"
        ? `another program holds its port; ${lowerFirst((s.bridge.fix ?? "`mcp-twin bridge status` says which").replace(/\.$/, ""))}`
        : s.bridge.state === "unresponsive"
          ? "its process does not answer: `mcp-twin bridge restart`"
          : s.bridge.error
            ? `its state cannot be had: ${s.bridge.error}`
            : undefined;
  return sharedLine(v, why);
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
