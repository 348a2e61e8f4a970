/**
 * Reading one client config for import (I/O): its entries (and Claude Code's local scope for a
 * project), each recognised and with its keys moved out, as occurrences to fold. A file that does
 * not parse is reported with file:line:column and skipped.
 */
import { readFileSync, statSync } from "node:fs";
import {
  type EntrySet,
  type EntrySets,
  readEntrySets,
  readIgnoredSets,
  readMovedSets,
} from "../clients/entry-sets.js";
import { movedFileOf } from "../clients/moved-file.js";
import type { Target } from "../clients/types.js";
import { joinNative } from "../environments/native-paths.js";
import type { EnvInfo } from "../environments/path-translation.js";
import type { Environment } from "../environments/types.js";
import { urlProblem } from "../manifest/remote-checks.js";
import { readTextOrNull } from "../system/files.js";
import { normalizeServerName, type Occurrence, type Source } from "./fold.js";
import { extractSecrets, type SecretUse } from "./inline-keys.js";
import { type PackageJson, type RunsIn, recognizeEntry } from "./recognize.js";
import type { Skipped } from "./types.js";

/** Why entries of the classic Claude Desktop file are imported but not adopted. */
export const CLASSIC_DESKTOP_NOTE =
  "the classic %APPDATA%\\Claude file, which the Store (MSIX) build of Claude Desktop ignores";

/**
 * A config's entries (and Claude Code's local scope for the project, and the classic file a Store
 * Claude Desktop ignores); a file that does not read or parse is skipped, with file:line:column.
 */
export async function readTarget(
  target: Target,
  project: string | undefined,
  plan: { skipped: Skipped[] },
): Promise<EntrySet[]> {
  const own = await readText(target.file, target.path, plan);
  // Whole entries (not only the keys sync owns): import adopts what the user wrote.
  const sets =
    own === null ? [] : usable(readEntrySets(target, own, target.path, project), target.path, plan);
  const classic = target.client.reading.ignoredFile?.(target);
  if (classic) {
    const text = await readText(classic.file, classic.path, plan);
    if (text !== null) sets.push(...usable(readIgnoredSets(target, text, classic.path), classic.path, plan));
  }
  const moved = movedFileOf(target);
  if (moved) {
    const text = await readText(moved.file, moved.path, plan);
    if (text !== null) sets.push(...usable(readMovedSets(target, text, moved.path), moved.path, plan));
  }
  return sets;
}

async function readText(file: string, shown: string, plan: { skipped: Skipped[] }): Promise<string | null> {
  try {
    return await readTextOrNull(file);
  } catch (error) {
    plan.skipped.push({ file: shown, reason: `cannot be read: ${(error as Error).message}` });
    return null;
  }
}

/** A file's sets, or none when it does not parse or one of its sets is not an object of entries. */
function usable(read: EntrySets, shown: string, plan: { skipped: Skipped[] }): EntrySet[] {
  const error = "parseError" in read ? read.parseError : read.shapeErrors[0];
  if (error) {
    plan.skipped.push({ file: shown, reason: error.message, ...at(error.location) });
    return [];
  }
  return "sets" in read ? read.sets : [];
}

function at(location: { line?: number; column?: number }): { line?: number; column?: number } {
  return location.line !== undefined ? { line: location.line, column: location.column ?? 1 } : {};
}

export function occurrence(
  target: Target,
  source: Source,
  entry: string,
  value: unknown,
  environments: readonly Environment[],
): { occurrence: Occurrence; uses: SecretUse[] } | { reason: string } {
  const theirs = target.client.ownEntry?.(value);
  if (theirs !== undefined) return { reason: `${theirs}, not a server` };
  const { commonEntry } = target.client.reading;
  const recognized = recognizeEntry(commonEntry ? commonEntry(value) : value, {
    client: target.client.id,
    envKind: target.env.kind,
    readPackageJson: (dir, runsIn) => readPackageJson(envFor(runsIn, target.env, environments), dir),
    exists: (file, runsIn) => pathExists(envFor(runsIn, target.env, environments), file),
  });
  if (recognized.kind === "unknown") return { reason: recognized.reason };
  const name = normalizeServerName(entry);
  const extracted = extractSecrets(recognized, name, target.client.id);
  if ("problem" in extracted) return { reason: extracted.problem };
  const url = extracted.form.url === undefined ? undefined : urlProblem(extracted.form.url);
  if (url) return { reason: `"url" ${url}` };
  const runsIn =
    recognized.kind === "url" ? target.env.id : runsInId(recognized.runsIn, target.env, environments);
  return {
    occurrence: {
      source,
      entry,
      name,
      runsIn,
      via: recognized.via,
      form: extracted.form,
      extraKeys: recognized.extraKeys,
      placeholders: 0,
      notes: [
        ...extracted.notes,
        ...extracted.empty.map((f) => `${f} is empty in ${source.path}: kept empty (not a secret to store)`),
      ],
    },
    uses: extracted.secrets,
  };
}

function runsInId(runsIn: RunsIn, here: Environment, environments: readonly Environment[]): string {
  if (runsIn.where === "here") return here.id;
  const distros = environments.filter((e) => e.kind === "wsl");
  const wanted = runsIn.distro;
  if (wanted) {
    const match = distros.find((e) => e.distro?.toLowerCase() === wanted.toLowerCase());
    return match?.id ?? `wsl:${wanted}`;
  }
  const [only] = distros;
  return only && distros.length === 1 ? only.id : "wsl";
}

function envFor(
  runsIn: RunsIn,
  here: Environment,
  environments: readonly Environment[],
): Environment | undefined {
  if (runsIn.where === "here") return here;
  const id = runsInId(runsIn, here, environments);
  return environments.find((e) => e.id === id) ?? environments.find((e) => e.kind === "wsl");
}

function readPackageJson(env: Environment | undefined, dir: string): PackageJson | undefined {
  if (!env) return undefined;
  const file = env.access(joinNative(env.kind === "windows" ? "windows" : "linux", dir, "package.json"));
  if (!file) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return data && typeof data === "object" ? (data as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

/** Is something at `file` where it runs? undefined when that cannot be told from here. */
function pathExists(env: Environment | undefined, file: string): boolean | undefined {
  const local = env?.access(file);
  if (!local) return undefined;
  try {
    statSync(local);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? false : undefined;
  }
}

export function envInfo(e: Environment): EnvInfo {
  return {
    id: e.id,
    kind: e.kind,
    ...(e.distro ? { distro: e.distro } : {}),
    ...(e.vars.WSL_MOUNT_ROOT ? { mountRoot: e.vars.WSL_MOUNT_ROOT } : {}),
  };
}
