/**
 * What `init`'s steps share. Each step takes only the part it needs (`Pick<InitContext, …>`),
 * uses a flag's answer before asking, and records its answer here; nothing is written until the
 * one confirmation (create-astro's wizard: steps over a narrow context, side effects last).
 */

import { readRecordedPort } from "../../core/bridge-control/port-record.js";
import { DEFAULT_BRIDGE_PORT } from "../../core/bridge-link/index.js";
import type { MeasuredTools } from "../../core/budget/plan-budget.js";
import type { Catalogue, ServerTemplate } from "../../core/catalogue/index.js";
import type { Target } from "../../core/clients/types.js";
import type { Machine } from "../../core/environments/machine.js";
import type { Environment } from "../../core/environments/types.js";
import { UsageError } from "../../core/errors.js";
import type { ImportCandidate, ImportPlan, ImportResult } from "../../core/import/index.js";
import type { LoadedManifest } from "../../core/manifest/load.js";
import type { ServerSpec } from "../../core/manifest/schema.js";
import { dict } from "../../core/plain-records.js";
import type { RegistryClient } from "../../core/registry/index.js";
import type { ChosenServer } from "../../core/registry/pick.js";
import type { ReadableSecret } from "../../core/sync/target-safety.js";
import type { SecretAnswers } from "../../ui/ask.js";
import type { Output } from "../../ui/output.js";
import type { Prompts } from "../../ui/prompts.js";
import type { initCommand } from "../init-flags.js";
import type { OptionsOf } from "../shared/command.js";

/** init's flags, as its declaration (init-flags.ts) types them. */
export type InitOptions = OptionsOf<typeof initCommand>;

/** How init meets the terminal: injected, so steps never read `process.stdin` themselves. */
export interface InitTerminal {
  /** stdin is a terminal someone can answer on. */
  stdinIsTTY: boolean;
  /** The prompts to ask with, when asking is allowed; the run's signal ends the one on screen. */
  prompts: (signal: AbortSignal) => Prompts;
}

/** What `look` found: the machine, its environments and clients, the manifest and stored keys. */
export interface Found {
  machine: Machine;
  environments: Environment[];
  /** Client configs found (every environment). */
  targets: Target[];
  catalogue: Catalogue;
  manifestFile: string;
  existing: LoadedManifest;
  /** Secrets already stored (never asked again). */
  stored: Record<string, string>;
  /** Servers configured in client configs already. */
  scan: ImportPlan;
  /** A path as the user's system shows it (a Windows file as Windows shows it). */
  shown: (file: string) => string;
}

/** The user's answers, filled in step by step. */
export interface Answers {
  imports: ImportCandidate[];
  chosen: Array<{ template: ServerTemplate; registry?: ChosenServer }>;
  /** Keys for imported entries that held a placeholder. */
  importAnswers: SecretAnswers;
  /** Servers from the catalogue, with its measured tool figures where it has them (the plan's budget). */
  newServers: Array<{ name: string; server: ServerSpec; measured?: MeasuredTools | undefined }>;
  newSecrets: Record<string, string>;
  registryNotes: string[];
  enableBridge: boolean;
}

/** What would change: computed before the question, applied after it. */
export interface Planned {
  /** The manifest's text after the change (null: it stays missing). */
  nextText: string | null;
  manifestChanged: boolean;
  importPreview: ImportResult | undefined;
  secretNames: string[];
  packages: string[];
  /**
   * Environments packages would be installed into: where a client of this run runs them (sync's
   * rule), every usable one selected when --env names them, or — no client at all — where they
   * would go if the user says to install anyway.
   */
  installInto: string[];
  /** Where each new package goes, when that differs by package (a shared server's: where the bridge runs). */
  packageEnvs?: Record<string, string[]>;
  /** Usable environments selected that get nothing: no client there. */
  noClient: string[];
  /** No client anywhere to configure (and none named with --client). */
  nobodyToConfigure: boolean;
  schemaRef: string;
  /** Client configs others can read that the sync would write a key into: said in the plan, before. */
  readable: Array<ReadableSecret & { path: string }>;
  /** New servers' programs not found where they run (sync's lines for them): said in the plan, before. */
  programs: string[];
  /** The port the sync's bridge will listen on, and why that one: said in the plan, before it starts. */
  port?: { port: number; how: "pinned" | "kept" | "default" };
}

export interface InitContext extends Found, Answers {
  out: Output;
  options: InitOptions;
  /** Undefined when nothing may be asked (--yes, --json, no terminal). */
  prompts: Prompts | undefined;
  signal: AbortSignal;
  homedir: string;
  /** The process environment (keys already exported are offered). */
  env: Readonly<Record<string, string | undefined>>;
  openRegistry: () => Promise<RegistryClient>;
  planned: Planned;
}

export function emptyAnswers(): Answers {
  return {
    imports: [],
    chosen: [],
    importAnswers: { values: {}, skipped: [] },
    newServers: [],
    newSecrets: dict<string>(),
    registryNotes: [],
    enableBridge: false,
  };
}

/** `--port`, checked: a port the manifest's bridge.port takes (1 to 65535), or undefined. */
export function pinnedPort(options: Pick<InitOptions, "port">): number | undefined {
  if (options.port === undefined) return undefined;
  const n = Number(options.port);
  if (!Number.isInteger(n) || n < 1 || n > 65535 || options.port.trim() === "")
    throw new UsageError("bad-option", `--port ${options.port}: expected a port number from 1 to 65535.`);
  return n;
}

/** The port a sync's bridge would take: `--port` or bridge.port, else the one the home kept, else 7760. */
export async function bridgePortAhead(
  ctx: Pick<InitContext, "existing" | "machine">,
  pin: number | undefined,
): Promise<NonNullable<Planned["port"]>> {
  const pinned = pin ?? ctx.existing.manifest.bridge?.port;
  if (pinned !== undefined) return { port: pinned, how: "pinned" };
  // A record that cannot be read is chosen again at the start (port-record.ts): none kept, then.
  const kept = await readRecordedPort(ctx.machine.paths.bridge).catch(() => undefined);
  return kept !== undefined ? { port: kept, how: "kept" } : { port: DEFAULT_BRIDGE_PORT, how: "default" };
}

export function emptyPlan(): Planned {
  return {
    nextText: null,
    manifestChanged: false,
    importPreview: undefined,
    secretNames: [],
    packages: [],
    installInto: [],
    noClient: [],
    nobodyToConfigure: false,
    readable: [],
    programs: [],
    schemaRef: "",
  };
}
