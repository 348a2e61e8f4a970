/**
 * Find and read the manifest. Validation (zod) runs when the text changed since it last passed;
 * the validated result is cached in the home, so a no-op run does not even load zod.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { VERSION } from "../../version.js";
import { UsageError } from "../errors.js";
import { readTextOrNull, writePrivateFile } from "../files.js";
import type { Manifest } from "./schema.js";

export const PROJECT_MANIFEST = "mcp-twin.jsonc";

export interface LoadedManifest {
  file: string;
  /** The file did not exist: an empty manifest stands in for it. */
  missing: boolean;
  text: string | null;
  manifest: Manifest;
}

/** `--manifest`, else ./mcp-twin.jsonc when present, else HOME/mcp-twin.jsonc. */
export function locateManifest(options: {
  manifest?: string | undefined;
  cwd: string;
  homeManifest: string;
}): string {
  if (options.manifest) return path.resolve(options.cwd, options.manifest);
  const project = path.join(options.cwd, PROJECT_MANIFEST);
  if (existsSync(project)) return project;
  return options.homeManifest;
}

export async function loadManifest(
  file: string,
  options: { required?: boolean; cacheDir?: string } = {},
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
  return { file, missing: false, text, manifest: await validated(text, file, options.cacheDir) };
}

interface CachedManifest {
  version: string;
  hash: string;
  manifest: Manifest;
}

async function validated(text: string, file: string, cacheDir: string | undefined): Promise<Manifest> {
  const hash = createHash("sha256").update(text).digest("hex");
  const cacheFile = cacheDir
    ? path.join(cacheDir, `manifest-${createHash("sha256").update(file).digest("hex").slice(0, 12)}.json`)
    : undefined;
  if (cacheFile) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as CachedManifest;
      // The mcp-twin version is part of the key: a newer schema must look at the text again.
      if (cached.hash === hash && cached.version === VERSION) return cached.manifest;
    } catch {
      // no cache yet
    }
  }
  const { parseManifestText } = await import("./validate.js");
  const manifest = parseManifestText(text, file);
  if (cacheFile)
    await writePrivateFile(
      cacheFile,
      JSON.stringify({ version: VERSION, hash, manifest } satisfies CachedManifest),
    ).catch(() => {});
  return manifest;
}
