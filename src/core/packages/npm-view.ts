/**
 * Does an npm package (at a version) exist, and what does it say of itself? Asked of the registry npm
 * is configured with, through `npm view <spec> … --json` (so .npmrc, scopes, proxies and tokens
 * apply as for installs). The answer tells apart: there, not there, no such version, "could not ask".
 */
import type { Host } from "../system/host.js";

/** What a package says of itself, as far as `add` asks: its programs, and what it is about. */
export interface PackageMeta {
  /** package.json's "bin": one program (a string) or name → script. */
  bin?: string | Record<string, string>;
  keywords?: string[];
  /** The name it is published under in the MCP Registry (package.json's "mcpName"). */
  mcpName?: string;
  description?: string;
  dependencies?: Record<string, string>;
}

/** The fields asked for, after name and version. */
const META_FIELDS = ["bin", "keywords", "mcpName", "description", "dependencies"] as const;

export type NpmLookup =
  | ({ found: true; name: string; version: string } & PackageMeta)
  | { found: false; why: "no-package"; registry?: string }
  | { found: false; why: "no-version"; detail: string }
  | { found: false; why: "unknown"; detail: string };

export async function npmView(host: Host, spec: string, signal?: AbortSignal): Promise<NpmLookup> {
  const r = await host.runner.run("npm", ["view", spec, "name", "version", ...META_FIELDS, "--json"], {
    env: { ...host.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
    timeoutMs: 30_000,
    ...(signal ? { signal } : {}),
  });
  if (r.spawnError) return { found: false, why: "unknown", detail: `npm could not start (${r.spawnError})` };
  if (r.timedOut) return { found: false, why: "unknown", detail: "npm did not answer within 30 s" };
  return parseNpmView(r.exitCode, r.stdout.toString("utf8"), r.stderr.toString("utf8"));
}

/** What `npm view <spec> name version … --json` printed, read. */
export function parseNpmView(exitCode: number | undefined, stdout: string, stderr: string): NpmLookup {
  let value: unknown;
  try {
    value = stdout.trim() ? JSON.parse(stdout) : undefined;
  } catch {
    value = undefined;
  }
  // A range matching several versions prints one object per version.
  const last = Array.isArray(value) ? value.at(-1) : value;
  const obj = (last ?? {}) as {
    name?: string;
    version?: string;
    error?: { code?: string; summary?: string };
  } & Record<string, unknown>;
  if (exitCode === 0 && obj.name && obj.version)
    return { found: true, name: obj.name, version: obj.version, ...metaOf(obj) };
  const code = obj.error?.code ?? /npm error code (\S+)/.exec(stderr)?.[1];
  const summary = obj.error?.summary ?? /npm error 404 (.*)/.exec(stderr)?.[1] ?? "";
  if (code === "E404") {
    if (/No match found for version/i.test(summary))
      return { found: false, why: "no-version", detail: summary };
    // "Not Found - GET https://registry.npmjs.org/@scope%2fname - Not found": the registry is
    // that URL without the package's own part.
    const url = /GET (https?:\/\/\S+)/.exec(summary)?.[1];
    const registry = url?.replace(/\/(?:@[^/]+(?:\/|%2f))?[^/]+$/i, "/");
    return { found: false, why: "no-package", ...(registry ? { registry } : {}) };
  }
  if (exitCode === 0 && value === undefined)
    // npm 6–8 print nothing (exit 0) for a version that does not exist.
    return { found: false, why: "no-version", detail: "no version matches" };
  const detail = (
    summary ||
    stderr.split("\n").find((l) => /error/i.test(l)) ||
    `exit code ${exitCode}`
  ).trim();
  return { found: false, why: "unknown", detail };
}

/** The fields of `META_FIELDS` that have the type they should (a registry may send anything). */
function metaOf(obj: Record<string, unknown>): PackageMeta {
  const meta: PackageMeta = {};
  const strings = (v: unknown): v is Record<string, string> =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string");
  if (typeof obj.bin === "string" || strings(obj.bin)) meta.bin = obj.bin;
  if (Array.isArray(obj.keywords))
    meta.keywords = obj.keywords.filter((k): k is string => typeof k === "string");
  if (typeof obj.mcpName === "string") meta.mcpName = obj.mcpName;
  if (typeof obj.description === "string") meta.description = obj.description;
  if (strings(obj.dependencies)) meta.dependencies = obj.dependencies;
  return meta;
}
