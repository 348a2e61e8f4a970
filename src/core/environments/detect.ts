/**
 * Every environment reachable from here, with facts cached in the home. A cached entry is
 * trusted while its stamp (file stats only) still matches, so a no-op run starts no process —
 * in particular no Windows process, each of which costs tens to hundreds of milliseconds.
 */
import path from "node:path";
import type { CacheFiles } from "../system/caches.js";
import { openSealedJson, sealJson } from "../system/sealed-json.js";
import { envMatches } from "./env-selector.js";
import type { Machine } from "./machine.js";
import { gatherPosixFacts, posixEnvironment, posixStamp } from "./posix.js";
import type { EnvFacts, Environment } from "./types.js";
import {
  gatherWindowsFacts,
  keepWindowsVars,
  learnShortNames,
  readWindowsVars,
  statStamp,
  windowsEnvironment,
  windowsStamp,
} from "./windows.js";
import { distroEnvironment, gatherDistroFacts, listDistros, wslExePath } from "./wsl-remote.js";

// 2: facts carry `fix`, and reasons name Windows files as Windows does. (Facts cached without
// `shortNames` need no new version: the names are asked for once, then kept.)
const CACHE_VERSION = 2;
/** The list of WSL distros has no cheap stamp; look again once a day. */
const DISTRO_LIST_TTL_MS = 24 * 60 * 60 * 1000;

interface CacheEntry {
  facts: EnvFacts;
  stamp: string;
  savedAt: string;
}

interface CacheFile {
  version: number;
  entries: Record<string, CacheEntry>;
  distros?: { list: string[]; savedAt: string };
}

export interface DetectOptions {
  /** Ignore the cache and look again. */
  refresh?: boolean;
  /** Environment selectors the manifest limits itself to (e.g. only some distros). */
  limitTo?: readonly string[];
  /** Told before facts are gathered afresh (processes started: slow across WSL interop). */
  onGather?: (what: string) => void;
}

export interface Detection {
  environments: Environment[];
  /** How many facts were gathered afresh (0 on a warm cache). */
  gathered: number;
}

export async function detectEnvironments(machine: Machine, options: DetectOptions = {}): Promise<Detection> {
  const { host, local } = machine;
  const cacheFile = path.join(machine.paths.cache, "environments.json");
  const cache = options.refresh ? emptyCache() : readCache(machine.caches, cacheFile);
  let dirty = false;
  let gathered = 0;

  async function cached(
    key: string,
    what: string,
    stamp: (f: EnvFacts) => Promise<string>,
    gather: () => Promise<EnvFacts>,
  ): Promise<EnvFacts> {
    const hit = cache.entries[key];
    if (hit && (await stamp(hit.facts)) === hit.stamp) return hit.facts;
    options.onGather?.(what);
    const facts = await gather();
    gathered++;
    cache.entries[key] = { facts, stamp: await stamp(facts), savedAt: host.now().toISOString() };
    dirty = true;
    return facts;
  }

  const environments: Environment[] = [];
  const wanted = (id: string) =>
    !options.limitTo || options.limitTo.length === 0 || options.limitTo.some((s) => envMatches(s, id));

  if (local.kind !== "windows") {
    const facts = await cached(
      local.id,
      local.id,
      (f) => posixStamp(host, f),
      () => gatherPosixFacts(host, local),
    );
    environments.push(posixEnvironment(facts, host));
  }

  const bridge = machine.windows;
  if (bridge && local.kind === "wsl" && wanted("windows")) {
    const vars = machine.home.windowsVars;
    let facts: EnvFacts;
    if (!local.interop || !local.cmdExe) {
      // Files on C: are still reachable through the mount; installing there is not.
      facts = {
        id: "windows",
        kind: "windows",
        home: vars?.USERPROFILE ?? "",
        vars: vars ?? {},
        usable: false,
        reason: local.interopReason ?? "WSL interop is not available",
      };
    } else {
      facts = await cached(
        `windows@${local.id}`,
        "windows (through WSL interop)",
        (f) => windowsStamp(bridge, f),
        async () => gatherWindowsFacts(bridge, vars ?? (await readWindowsVars(bridge))),
      );
      if (await learnShortNames(bridge, facts, [facts.node?.path, facts.npm?.prefix])) dirty = true;
    }
    environments.push(windowsEnvironment(facts, bridge, false));
  }

  if (bridge && local.kind === "windows") {
    const vars = keepWindowsVars(host.env);
    const facts = await cached(
      "windows",
      "windows",
      (f) => windowsStamp(bridge, f),
      () => gatherWindowsFacts(bridge, vars),
    );
    const paths = [facts.node?.path, facts.npm?.prefix, host.self.node, host.self.script];
    if (await learnShortNames(bridge, facts, paths, vars.PATH)) dirty = true;
    environments.push(windowsEnvironment(facts, bridge, true));

    const fresh =
      cache.distros && host.now().getTime() - Date.parse(cache.distros.savedAt) < DISTRO_LIST_TTL_MS;
    let distros = fresh ? cache.distros?.list : undefined;
    if (!distros) {
      options.onGather?.("the WSL distros");
      distros = await listDistros(host, wslExePath(host, bridge));
      cache.distros = { list: distros, savedAt: host.now().toISOString() };
      dirty = true;
    }
    for (const distro of distros.filter((d) => wanted(`wsl:${d}`))) {
      const distroFacts = await cached(
        `wsl:${distro}@windows`,
        `wsl:${distro} (through wsl.exe)`,
        async (f) =>
          statStamp(
            f.node?.path
              ? bridge.access(`\\\\wsl.localhost\\${distro}${f.node.path.replace(/\//g, "\\")}`)
              : undefined,
          ),
        () => gatherDistroFacts(host, wslExePath(host, bridge), distro),
      );
      environments.push(distroEnvironment(distroFacts, host, bridge));
    }
  }

  if (dirty) await machine.caches.write(cacheFile, sealJson(cache));
  return { environments, gathered };
}

function emptyCache(): CacheFile {
  return { version: CACHE_VERSION, entries: {} };
}

function readCache(caches: CacheFiles, file: string): CacheFile {
  // Missing, unreadable or damaged (or of another shape): no cache, the facts are gathered again.
  const data = openSealedJson(caches.read(file)) as CacheFile | undefined;
  if (data?.version === CACHE_VERSION && data.entries && typeof data.entries === "object") return data;
  return emptyCache();
}
