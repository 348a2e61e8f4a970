/**
 * The names completion offers from this machine's home — servers of the manifest, environments and
 * targets of the records, secret names (never values), catalogue entries — read from files only:
 * no process (from WSL the home is found through the locator a command left), no network.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "jsonc-parser";
import { detectLocal } from "../../core/environments/local.js";
import { windowsToWsl } from "../../core/environments/path-translation.js";
import { type Host, localHomedir } from "../../core/system/host.js";
import type { Names } from "./candidates.js";

function readJson(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

const keys = (value: unknown): string[] =>
  value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];

/**
 * The home as the command line finds it, but only from what is written down: MCP_TWIN_HOME, then
 * %APPDATA% (on Windows, or from WSL through the locator `~/.cache/mcp-twin/windows.json`), then
 * $XDG_CONFIG_HOME. Undefined when WSL has no locator yet (no Windows process is started for it).
 */
async function homeDir(host: Host): Promise<string | undefined> {
  if (host.env.MCP_TWIN_HOME) return host.env.MCP_TWIN_HOME;
  const local = await detectLocal(host);
  const home = localHomedir(host);
  if (local.kind === "windows") return host.env.APPDATA ? path.join(host.env.APPDATA, "mcp-twin") : undefined;
  if (local.kind === "wsl") {
    const cache = host.env.XDG_CACHE_HOME || path.join(home, ".cache");
    const saved = readJson(path.join(cache, "mcp-twin", "windows.json")) as
      | { vars?: { APPDATA?: unknown } }
      | undefined;
    const appdata = saved?.vars?.APPDATA;
    const mounted = typeof appdata === "string" ? windowsToWsl(appdata, local.mountRoot) : undefined;
    return mounted ? path.posix.join(mounted, "mcp-twin") : undefined;
  }
  return path.join(host.env.XDG_CONFIG_HOME || path.join(home, ".config"), "mcp-twin");
}

/** The catalogue's entries: the package's templates/ and the user's own (HOME/templates). */
function catalogue(folders: readonly string[]): string[] {
  const out = new Set<string>();
  for (const dir of folders)
    try {
      for (const f of readdirSync(dir)) if (f.endsWith(".jsonc")) out.add(f.slice(0, -".jsonc".length));
    } catch {
      // no such folder
    }
  return [...out].sort();
}

/** A server `login` takes: a url of its own, not the older HTTP+SSE transport. */
const isRemote = (spec: { url?: unknown; transport?: unknown } | undefined): boolean =>
  typeof spec?.url === "string" && spec.transport !== "sse";

export async function readNames(host: Host, packageRoot: string, manifestFlag?: string): Promise<Names> {
  const home = await homeDir(host);
  const manifest = readJson(manifestFlag ?? (home ? path.join(home, "mcp-twin.jsonc") : "")) as
    | {
        servers?: Record<
          string,
          {
            environments?: unknown;
            overrides?: unknown;
            url?: unknown;
            transport?: unknown;
            share?: unknown;
            disabled?: unknown;
          }
        >;
      }
    | undefined;
  const state = (home ? readJson(path.join(home, "state.json")) : undefined) as
    | { targets?: Record<string, { env?: unknown; client?: unknown }> }
    | undefined;
  const secrets = (home ? readJson(path.join(home, "secrets.json")) : undefined) as
    | { secrets?: unknown }
    | undefined;
  const servers = keys(manifest?.servers);
  const envs = new Set<string>();
  const targets = new Set<string>();
  for (const spec of Object.values(manifest?.servers ?? {})) {
    if (Array.isArray(spec?.environments))
      for (const e of spec.environments) if (typeof e === "string") envs.add(e);
    for (const e of keys(spec?.overrides)) envs.add(e);
  }
  for (const t of Object.values(state?.targets ?? {}))
    if (typeof t?.env === "string" && typeof t.client === "string") {
      envs.add(t.env);
      targets.add(`${t.env}:${t.client}`);
    }
  return {
    servers: servers.sort(),
    remote: servers.filter((name) => isRemote(manifest?.servers?.[name])).sort(),
    shared: servers
      .filter((name) => {
        const spec = manifest?.servers?.[name];
        return typeof spec?.share === "string" && spec.disabled !== true;
      })
      .sort(),
    catalogue: catalogue([
      path.join(packageRoot, "templates"),
      ...(home ? [path.join(home, "templates")] : []),
    ]),
    envs: [...envs].sort(),
    targets: [...targets].sort(),
    secrets: keys(secrets?.secrets).sort(),
  };
}
