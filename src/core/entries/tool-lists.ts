/**
 * What each server lists as its tools, known without starting anything: a shared server's from the
 * gateway's list cache (its last start in the bridge), any server's from the home's cache of the
 * handshakes doctor and `mcp-twin tools` made. Each list is used only under the launch it was read with.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { bridgeHomeIn } from "../bridge-link/index.js";
import type { Machine } from "../environments/machine.js";
import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { splitSpec } from "../manifest/package-spec.js";
import type { ServerSpec } from "../manifest/schema.js";
import { serverIn } from "../manifest/spec.js";
import { own } from "../plain-records.js";
import { readTextOrNull } from "../system/files.js";
import { type GatewayIdentity, gatewayKey } from "./gateway-key.js";

/** One tool as a server lists it (`tools/list`): what a client sends the model of it. */
export interface ToolDef {
  name: string;
  /** Its description, input schema and the rest, as the server wrote them. */
  [member: string]: unknown;
}

/** A server's tools, and where they were read: the gateway's list cache, or the home's handshake cache. */
export interface ServerToolList {
  tools: ToolDef[];
  from: "gateway" | "handshake";
  /** When the server said them (ISO time). */
  at: string;
}

export type ToolLists = ReadonlyMap<string, ServerToolList>;

/** A shared server's identity as the bridge reads it in its environment (entries/share-launch.ts). */
export function sharedIdentity(
  spec: ServerSpec,
  bridgeEnvId: string,
  installedVersion: string | undefined,
): GatewayIdentity {
  const run = serverIn(spec, bridgeEnvId);
  const pkg =
    spec.package && installedVersion ? `${splitSpec(spec.package).name}@${installedVersion}` : undefined;
  return {
    ...(pkg ? { package: pkg } : {}),
    command: spec.command ?? `${spec.package ?? ""}${spec.bin ? ` ${spec.bin}` : ""}`,
    args: run.args,
    envNames: Object.keys(run.env),
  };
}

/**
 * The home cache's key of a server: what changes its list — its package at the version in use, its
 * command, its arguments as written (`${secret:…}` unresolved), its variables' names, or its url.
 */
export function homeKey(spec: ServerSpec, version: string | undefined): string {
  const facts = spec.url
    ? { url: spec.url, headers: Object.keys(spec.headers ?? {}).sort() }
    : {
        package: spec.package ? `${splitSpec(spec.package).name}@${version ?? "?"}` : undefined,
        command: spec.command,
        bin: spec.bin,
        args: spec.args ?? [],
        envNames: Object.keys(spec.env ?? {}).sort(),
      };
  return createHash("sha256").update(JSON.stringify(facts)).digest("base64url").slice(0, 22);
}

const HOME_CACHE_VERSION = 1;

interface HomeEntry {
  key: string;
  tools: ToolDef[];
  at: string;
}

export function homeCacheFile(machine: Pick<Machine, "paths">): string {
  return path.join(machine.paths.cache, "tool-lists.json");
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A `tools/list` result's tools, each with a string name (anything else is not a list). */
export function toolDefs(value: unknown): ToolDef[] | undefined {
  const tools = isObject(value) ? value.tools : value;
  if (!Array.isArray(tools)) return undefined;
  const out: ToolDef[] = [];
  for (const t of tools) if (isObject(t) && typeof t.name === "string") out.push({ ...t, name: t.name });
  return out;
}

function readHomeCache(machine: Pick<Machine, "paths" | "caches">): Record<string, HomeEntry> {
  try {
    const data = JSON.parse(machine.caches.read(homeCacheFile(machine)) ?? "") as {
      version?: unknown;
      servers?: unknown;
    };
    if (data.version !== HOME_CACHE_VERSION || !isObject(data.servers)) return {};
    const out: Record<string, HomeEntry> = {};
    for (const [name, raw] of Object.entries(data.servers)) {
      if (!isObject(raw) || typeof raw.key !== "string" || typeof raw.at !== "string") continue;
      const tools = toolDefs(raw.tools);
      if (tools) out[name] = { key: raw.key, tools, at: raw.at };
    }
    return out;
  } catch {
    return {};
  }
}

/** Each home cache's update under way in this process: the next reads that cache after it. */
const remembering = new Map<string, Promise<void>>();

/**
 * Remember what handshakes listed (one entry per server name: the latest launch's). One update at
 * a time in a process (sync lists first pins and a rule's lists at once): one that read the cache
 * before another's write would drop that one's lists.
 */
export function rememberToolLists(
  machine: Pick<Machine, "paths" | "caches">,
  found: ReadonlyArray<{ server: string; key: string; tools: readonly ToolDef[] }>,
): Promise<void> {
  if (found.length === 0) return Promise.resolve();
  const file = homeCacheFile(machine);
  const update = (remembering.get(file) ?? Promise.resolve()).then(async () => {
    const servers = readHomeCache(machine);
    const at = new Date().toISOString();
    for (const f of found) servers[f.server] = { key: f.key, tools: [...f.tools], at };
    await machine.caches.write(file, `${JSON.stringify({ version: HOME_CACHE_VERSION, servers })}\n`);
  });
  // Its failure is its caller's; the next update goes ahead all the same.
  const done = update.catch(() => {});
  remembering.set(file, done);
  void done.then(() => {
    if (remembering.get(file) === done) remembering.delete(file);
  });
  return update;
}

/** The gateway's list cache file in the bridge's environment, as this process opens it. */
export function gatewayCacheFile(bridge: Environment): string | undefined {
  const dir = bridge.vars.MCP_TWIN_BRIDGE_HOME ?? bridgeHomeIn(bridge.kind, bridge.vars, bridge.home);
  return bridge.access(joinNative(bridge.kind, dir, "shares-cache.json"));
}

/** Each shared server's cached tools/list, by name, as the gateway keyed it (no process asked). */
async function readGatewayCache(
  bridge: Environment,
): Promise<Record<string, { key: string; tools: ToolDef[]; at: string }>> {
  const file = gatewayCacheFile(bridge);
  if (!file) return {};
  try {
    const data = JSON.parse((await readTextOrNull(file)) ?? "") as { servers?: unknown };
    const out: Record<string, { key: string; tools: ToolDef[]; at: string }> = {};
    if (!isObject(data.servers)) return out;
    for (const [name, raw] of Object.entries(data.servers)) {
      if (!isObject(raw) || typeof raw.key !== "string" || !isObject(raw.lists)) continue;
      const tools = toolDefs(raw.lists["tools/list"]);
      const at = typeof raw.updatedAt === "string" ? raw.updatedAt : "";
      if (tools) out[name] = { key: raw.key, tools, at };
    }
    return out;
  } catch {
    return {};
  }
}

export interface ToolListInput {
  servers: ReadonlyArray<readonly [string, ServerSpec]>;
  /** The version of each package in use (state's, or installed), by package name. */
  version(packageName: string): string | undefined;
  /** The bridge's environment and the servers it runs, when it runs any. */
  bridge?: { env: Environment; shares: ReadonlyArray<{ name: string }> } | undefined;
  /** The version of a package installed where the bridge runs. */
  bridgeVersion?(packageName: string): string | undefined;
}

/**
 * Every server's known list: a shared server's from the gateway's cache when it holds one for its
 * launch now, else (any server) from the home's cache of handshakes for its launch now.
 */
export async function readToolLists(
  machine: Pick<Machine, "paths" | "caches">,
  input: ToolListInput,
): Promise<Map<string, ServerToolList>> {
  const out = new Map<string, ServerToolList>();
  if (input.servers.length === 0) return out;
  const hosted = new Set(input.bridge?.shares.map((s) => s.name));
  const bridge = input.bridge;
  const gateway = bridge && hosted.size > 0 ? await readGatewayCache(bridge.env) : {};
  const home = readHomeCache(machine);
  for (const [name, spec] of input.servers) {
    const pkg = spec.package ? splitSpec(spec.package).name : undefined;
    if (bridge && hosted.has(name)) {
      const cached = own(gateway, name);
      const version = pkg ? (input.bridgeVersion?.(pkg) ?? input.version(pkg)) : undefined;
      if (cached && cached.key === gatewayKey(sharedIdentity(spec, bridge.env.id, version))) {
        out.set(name, { tools: cached.tools, from: "gateway", at: cached.at });
        continue;
      }
    }
    const mine = own(home, name);
    if (mine && mine.key === homeKey(spec, pkg ? input.version(pkg) : undefined))
      out.set(name, { tools: mine.tools, from: "handshake", at: mine.at });
  }
  return out;
}
