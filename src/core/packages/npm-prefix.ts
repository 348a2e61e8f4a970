/**
 * npm packages per environment: what is installed is read from the global prefix's folders (no npm
 * process, so a no-op sync starts nothing); what is missing is installed in one npm call per
 * environment.
 */
import { readFileSync } from "node:fs";
import { globalModulesDir, joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { dict, own } from "../plain-records.js";
import { noteNpmChange } from "../system/journal.js";
import type { NpmPhase } from "../system/progress.js";
import { decodeWindowsOutput, tail } from "../system/run.js";
import { lineSplitter, npmPhaseReader, withoutNpmLog } from "./npm-log.js";

/** A dry run's stand-in for the script of a package not installed yet (its bins are unknown). */
export const BIN_AFTER_INSTALL = "<bin script, known after install>";

export interface InstalledPackage {
  name: string;
  version: string;
  /** Native folder of the package. */
  dir: string;
  /** Bin name → native absolute path of its script. */
  bins: Record<string, string>;
}

/**
 * Each package's bin script is resolved to an absolute path, so entries run `<node> <script>` with
 * no npx, no shell and no network at launch.
 */
export async function readInstalledPackage(
  env: Environment,
  name: string,
): Promise<InstalledPackage | undefined> {
  const modules = globalModulesDir(env);
  if (!modules) return undefined;
  const dir = joinNative(env.kind, modules, ...name.split("/"));
  const file = env.access(joinNative(env.kind, dir, "package.json"));
  if (!file) return undefined;
  let pkg: { name?: string; version?: string; bin?: string | Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(file, "utf8")) as typeof pkg;
  } catch {
    return undefined;
  }
  if (!pkg.version) return undefined;
  const binField =
    typeof pkg.bin === "string" ? { [name.split("/").pop() ?? name]: pkg.bin } : (pkg.bin ?? {});
  const bins = dict<string>();
  for (const [bin, rel] of Object.entries(binField))
    bins[bin] = joinNative(env.kind, dir, ...rel.split(/[\\/]+/).filter((p) => p && p !== "."));
  return { name, version: pkg.version, dir, bins };
}

/** The script to run: the bin named in the manifest, else the one named like the package, else the only one. */
export function pickBin(pkg: Pick<InstalledPackage, "name" | "bins">, wanted?: string): string | undefined {
  if (wanted) return own(pkg.bins, wanted);
  const names = Object.keys(pkg.bins);
  const [only] = names;
  if (only !== undefined && names.length === 1) return pkg.bins[only];
  const base = pkg.name.split("/").pop() ?? pkg.name;
  return own(pkg.bins, base) ?? own(pkg.bins, names.find((n) => base.includes(n) || n.includes(base)) ?? "");
}

export interface InstallOutcome {
  installed: string[];
  failed: Array<{ spec: string; error: string }>;
}

/**
 * npm logs everything it does at `silly`: the phases people wait through (resolving the tree,
 * unpacking, scripts) are read from there for progress; errors are shown without those lines.
 */
const NPM_INSTALL_FLAGS = ["install", "-g", "--no-fund", "--no-audit", "--loglevel=silly"];

/**
 * Install exact specs in one npm call. When that call fails, each package is tried on its own so
 * the report names the one that failed and the others still go ahead. `onPhase` hears where npm is.
 */
export async function installPackages(
  env: Environment,
  specs: readonly string[],
  signal?: AbortSignal,
  onPhase?: (phase: NpmPhase) => void,
): Promise<InstallOutcome> {
  if (specs.length === 0) return { installed: [], failed: [] };
  const run = async (list: readonly string[]) => {
    const reader = npmPhaseReader();
    const lines = lineSplitter((line) => {
      const phase = reader.read(line);
      if (phase) onPhase?.(phase);
    });
    noteNpmChange(env.id);
    const result = await env.runNpm([...NPM_INSTALL_FLAGS, ...list], {
      timeoutMs: 15 * 60_000,
      ...(signal ? { signal } : {}),
      ...(onPhase
        ? { onOutput: (chunk: Buffer, stream: string) => stream === "stderr" && lines.push(chunk) }
        : {}),
    });
    lines.end();
    return result;
  };
  const all = await run(specs);
  if (all.exitCode === 0) return { installed: [...specs], failed: [] };
  const [only] = specs;
  if (only !== undefined && specs.length === 1)
    return { installed: [], failed: [{ spec: only, error: npmError(all) }] };
  const outcome: InstallOutcome = { installed: [], failed: [] };
  for (const spec of specs) {
    const one = await run([spec]);
    if (one.exitCode === 0) outcome.installed.push(spec);
    else outcome.failed.push({ spec, error: npmError(one) });
  }
  return outcome;
}

export async function uninstallPackages(env: Environment, names: readonly string[]): Promise<InstallOutcome> {
  if (names.length === 0) return { installed: [], failed: [] };
  noteNpmChange(env.id);
  const result = await env.runNpm(["uninstall", "-g", "--loglevel=error", ...names], {
    timeoutMs: 5 * 60_000,
  });
  return result.exitCode === 0
    ? { installed: [...names], failed: [] }
    : { installed: [], failed: names.map((spec) => ({ spec, error: npmError(result) })) };
}

function npmError(result: {
  stderr: Buffer;
  stdout: Buffer;
  exitCode: number | undefined;
  spawnError?: string;
  timedOut: boolean;
}): string {
  if (result.spawnError) return `npm could not start (${result.spawnError})`;
  if (result.timedOut) return "npm timed out";
  const text =
    tail(withoutNpmLog(decodeWindowsOutput(result.stderr)), 6) ||
    tail(withoutNpmLog(decodeWindowsOutput(result.stdout)), 6);
  return text || `npm exited with code ${result.exitCode}`;
}

/**
 * Resolve a range or tag to one exact version, once, with `npm view` in one environment.
 * The full version list is fetched and matched here, so no range syntax crosses cmd.exe.
 */
export async function resolveVersion(env: Environment, name: string, range: string): Promise<string> {
  const result = await env.runNpm(["view", name, "versions", "dist-tags", "--json"], { timeoutMs: 120_000 });
  if (result.exitCode !== 0) throw new Error(`npm view ${name} failed: ${npmError(result)}`);
  const data = JSON.parse(decodeWindowsOutput(result.stdout)) as {
    versions?: string[] | string;
    "dist-tags"?: Record<string, string>;
  };
  const versions = Array.isArray(data.versions) ? data.versions : data.versions ? [data.versions] : [];
  const tags = data["dist-tags"] ?? {};
  const wanted = range || "latest";
  const tagged = own(tags, wanted);
  if (tagged) return tagged;
  const { default: semver } = await import("semver");
  const best = semver.maxSatisfying(versions, wanted);
  if (!best)
    throw new Error(`no version of ${name} matches "${wanted}" (latest is ${tags.latest ?? "unknown"})`);
  return best;
}
