/**
 * Find and read the manifest. Validation (zod) runs when the text changed since it last passed;
 * the validated result is cached in the home, so a no-op run does not even load zod.
 */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { VERSION } from "../../version.js";
import { UsageError } from "../errors.js";
import { type CacheFiles, cacheFiles } from "../system/caches.js";
import { readTextOrNull } from "../system/files.js";
import { openSealedJson, sealJson } from "../system/sealed-json.js";
import type { Manifest } from "./schema.js";
import { withSecretShares } from "./secret-shares.js";

export const PROJECT_MANIFEST = "mcp-twin.jsonc";

export interface LoadedManifest {
  file: string;
  /** The file did not exist: an empty manifest stands in for it. */
  missing: boolean;
  text: string | null;
  manifest: Manifest;
}

export interface ManifestChoice {
  manifest?: string | undefined;
  cwd: string;
  homeManifest: string;
}

export interface LocatedManifest {
  file: string;
  /**
   * `project`: ./mcp-twin.jsonc of the current folder (committed with a repo, written by someone
   * else). It drives only that project's project-scope files, never a user-level config.
   */
  scope: "user" | "project";
}

/** `--manifest` (user level), else ./mcp-twin.jsonc when present (project), else HOME/mcp-twin.jsonc. */
export function findManifest(options: ManifestChoice): LocatedManifest {
  if (options.manifest) return { file: path.resolve(options.cwd, options.manifest), scope: "user" };
  const project = path.join(options.cwd, PROJECT_MANIFEST);
  if (path.resolve(project) !== path.resolve(options.homeManifest) && existsSync(project))
    return { file: project, scope: "project" };
  return { file: options.homeManifest, scope: "user" };
}

/** The manifest's file (see findManifest). */
export function locateManifest(options: ManifestChoice): string {
  return findManifest(options).file;
}

/** The manifest of user-level files: `--manifest`, else the home's — never a project's. */
export function userManifest(options: ManifestChoice): string {
  return options.manifest ? path.resolve(options.cwd, options.manifest) : options.homeManifest;
}

export async function loadManifest(
  file: string,
  options: { required?: boolean; cacheDir?: string; caches?: CacheFiles } = {},
): Promise<LoadedManifest> {
  const text = await readTextOrNull(file);
  if (text === null) {
    if (options.required) {
      throw new UsageError("no-manifest", `No manifest at ${file}.`, {
        location: { file },
        hint: "Run `mcp-twin init` to create one, or pass --manifest <path>.",
      });
    }
    return { file, missing: true, text: null, manifest: { servers: {} } };
  }
  return {
    file,
    missing: false,
    text,
    manifest: withSecretShares(await validated(text, file, options.cacheDir, options.caches ?? cacheFiles())),
  };
}

interface CachedManifest {
  version: string;
  hash: string;
  manifest: Manifest;
}

async function validated(
  text: string,
  file: string,
  cacheDir: string | undefined,
  caches: CacheFiles,
): Promise<Manifest> {
  const hash = createHash("sha256").update(text).digest("hex");
  const cacheFile = cacheDir
    ? path.join(cacheDir, `manifest-${createHash("sha256").update(file).digest("hex").slice(0, 12)}.json`)
    : undefined;
  if (cacheFile) {
    // No cache yet, or a damaged one: the text is validated again.
    const cached = openSealedJson(caches.read(cacheFile)) as CachedManifest | undefined;
    // The mcp-twin version is part of the key: a newer schema must look at the text again.
    if (cached?.hash === hash && cached.version === VERSION) return cached.manifest;
  }
  const { parseManifestText } = await import("./validate.js");
  const manifest = parseManifestText(text, file);
  if (cacheFile)
    await caches.write(cacheFile, sealJson({ version: VERSION, hash, manifest } satisfies CachedManifest));
  return manifest;
}
