/**
 * The MCP Registry as commands use it: which registry (the `--registry` flag, else
 * `MCP_TWIN_REGISTRY`, else the home manifest's `registry`, else the official one), with the
 * home's cache and a timeout on every call.
 */
import path from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import type { Machine } from "../environments/machine.js";
import { readTextOrNull } from "../system/files.js";
import { registryCache } from "./answer-cache.js";
import { DEFAULT_TIMEOUT_MS, OFFICIAL_REGISTRY, RegistryClient, RegistryError } from "./api.js";

export { RegistryClient, RegistryError } from "./api.js";

/** `io.github.owner/server` (reverse-DNS namespace, one slash), optionally `@version`. */
const REGISTRY_NAME = /^([a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+)(?:@([^@\s/]+))?$/;

export function parseRegistryName(text: string): { name: string; version?: string } | undefined {
  if (text.startsWith("@")) return undefined; // a scoped npm package
  const m = REGISTRY_NAME.exec(text);
  if (!m) return undefined;
  const name = m[1] ?? "";
  return m[2] ? { name, version: m[2] } : { name };
}

export interface OpenRegistryOptions {
  /** `--registry <url>` */
  url?: string | undefined;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function openRegistry(
  machine: Machine,
  options: OpenRegistryOptions = {},
): Promise<RegistryClient> {
  const env = machine.host.env;
  const fromManifest = options.url || env.MCP_TWIN_REGISTRY ? undefined : await homeManifestRegistry(machine);
  const base = options.url || env.MCP_TWIN_REGISTRY || fromManifest || OFFICIAL_REGISTRY;
  const seconds = Number(env.MCP_TWIN_REGISTRY_TIMEOUT);
  return new RegistryClient({
    base,
    cache: registryCache(
      path.join(machine.paths.cache, "registry"),
      () => machine.host.now().getTime(),
      machine.caches,
    ),
    // The variable is the user's word: it wins over a command's own default.
    timeoutMs: seconds > 0 ? seconds * 1000 : (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    ...(options.signal ? { signal: options.signal } : {}),
    now: () => machine.host.now().getTime(),
  });
}

/** `registry` of the home manifest, read without validating the rest (search must not need it). */
async function homeManifestRegistry(machine: Machine): Promise<string | undefined> {
  // No home manifest (or unreadable): the default registry.
  const text = await readTextOrNull(machine.paths.manifest).catch(() => null);
  if (!text) return undefined;
  const value = (parseJsonc(text, [], { allowTrailingComma: true }) as { registry?: unknown } | undefined)
    ?.registry;
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new RegistryError("registry-url", `${machine.paths.manifest}: "registry" must be a URL.`);
  return value;
}
