/**
 * `mcp-twin doctor`: gather the facts (gather/collect.ts, all the I/O), run every check of the
 * registry on them (all-checks.ts, pure), keep what --server asks for, and report one cause once
 * (group.ts).
 */

import { checkSelectors } from "../selectors.js";
import type { Host } from "../system/host.js";
import type { Progress } from "../system/progress.js";
import { type Check, runChecks } from "./all-checks.js";
import { type Collected, collectFacts, type DoctorOptions } from "./gather/collect.js";
import { groupShared } from "./group.js";

export interface DoctorReport {
  ok: boolean;
  /** The manifest used (absent when the home could not be found). */
  manifest?: Collected["manifest"];
  checks: Check[];
  /** Servers were started and contacted (no --no-probe). */
  probed: boolean;
  /** Values to mask in any output. */
  secretValues: string[];
  /** Config files looked at, for headings (paths as this machine shows them). */
  files: Collected["files"];
  /** Every manifest server (within --server), for the report's "Manifest servers" section. */
  manifestServers: Collected["manifestServers"];
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

export type { Check } from "./all-checks.js";
