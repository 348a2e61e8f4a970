/**
 * `mcp-twin doctor`: gather the facts (gather/collect.ts, all the I/O), run every check of the
 * registry on them (all-checks.ts, pure), keep what --server asks for, and report one cause once
 * (group.ts).
 */

import type { TrustRequest } from "../manifest/trust.js";
import { checkSelectors } from "../selectors.js";
import type { Host } from "../system/host.js";
import type { Progress } from "../system/progress.js";
import { runChecks } from "./all-checks.js";
import { collectFacts } from "./gather/collect.js";
import { groupShared } from "./group.js";
import type { Check } from "./types.js";

export interface DoctorOptions {
  manifest?: string | undefined;
  envs: string[];
  clients: string[];
  servers: string[];
  project?: string | undefined;
  probe: boolean;
  timeoutMs: number;
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Asked before a project's own entries (a cloned repo's .mcp.json) are started by the probe:
   * --yes or a yes on a terminal. Absent: they are not started.
   */
  trust?: (request: TrustRequest) => Promise<boolean>;
}

export interface DoctorReport {
  ok: boolean;
  /** The manifest used (absent when the home could not be found). */
  manifest?: { path: string; scope: "user" | "project" };
  checks: Check[];
  /** Servers were started and contacted (no --no-probe). */
  probed: boolean;
  /** Values to mask in any output. */
  secretValues: string[];
  /** Config files looked at, for headings (paths as this machine shows them). */
  files: Array<{ env: string; client: string; scope: string; path: string; note?: string }>;
  /** Every manifest server (within --server), for the report's "Manifest servers" section. */
  manifestServers: Array<{ name: string; disabled: boolean; runs: string; wipedIn: string[] }>;
}

export async function runDoctor(
  host: Host,
  options: DoctorOptions,
  progress: Progress,
): Promise<DoctorReport> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  const collected = await collectFacts(host, options, progress);
  const checks = runChecks(collected.facts);
  // --server: the servers' own findings, and those about a whole file or the machine — but not a
  // file's finding about other servers only (their keys in it).
  const wanted = (c: Check) =>
    c.server
      ? options.servers.includes(c.server)
      : !c.about || c.about.some((s) => options.servers.includes(s));
  const kept = groupShared(options.servers.length === 0 ? checks : checks.filter(wanted));
  return {
    ok: !kept.some((c) => c.status === "fail"),
    ...(collected.manifest ? { manifest: collected.manifest } : {}),
    checks: kept,
    probed: options.probe,
    secretValues: [...new Set(collected.secretValues)],
    files: collected.files,
    manifestServers: collected.manifestServers,
  };
}

export type { Check } from "./types.js";
