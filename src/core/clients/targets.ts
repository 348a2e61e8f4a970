/**
 * Targets: the config files mcp-twin may edit, one per (environment, client, scope).
 * A client gets a target where it is present, or anywhere it can run when `--client` names it.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { envMatches } from "../environments/env-selector.js";
import type { Environment } from "../environments/types.js";
import { pathExists } from "../system/files.js";
import { extensionFiles, extensionPresent } from "./editor-storage.js";
import { CLIENTS } from "./index.js";
import type { ClientModule, ConfigLocation, Target } from "./types.js";

export interface TargetFilter {
  /** --env selectors (repeatable); empty means all. */
  envs?: readonly string[];
  /** --client ids; naming a client makes mcp-twin create its file where it can run. */
  clients?: readonly string[];
  /** The manifest's own limit on clients. */
  manifestClients?: readonly string[];
  /** --project DIR: project-scope files in that folder (of the local environment) instead of user files. */
  project?: string;
  /** Also return targets of absent clients (status/doctor want to show them). */
  includeAbsent?: boolean;
}

export async function discoverTargets(
  environments: readonly Environment[],
  filter: TargetFilter = {},
): Promise<Target[]> {
  const named = new Set(filter.clients ?? []);
  const clients = CLIENTS.filter(
    (c) =>
      (named.size === 0 || named.has(c.id)) &&
      (!filter.manifestClients || filter.manifestClients.includes(c.id)),
  );
  const envs = environments.filter(
    (e) => !filter.envs || filter.envs.length === 0 || filter.envs.some((s) => envMatches(s, e.id)),
  );
  const targets: Target[] = [];

  if (filter.project) {
    const local = environments.find((e) => e.local);
    if (!local) return targets;
    for (const client of clients) {
      if (!client.projectConfig || !client.kinds.includes(local.kind)) continue;
      const file = path.join(path.resolve(filter.project), ...client.projectConfig);
      const user = await userLocations(client, local);
      const present = named.has(client.id) || user.some((u) => u.present) || (await pathExists(file));
      if (!present && !filter.includeAbsent) continue;
      targets.push(makeTarget(local, client, "project", file, file, present));
    }
    return targets;
  }

  // Every (environment, client) pair is a few stats; over /mnt/c each costs a round trip, so ask
  // them all at once and keep the table's order.
  const pairs = envs.flatMap((env) =>
    clients.filter((c) => c.kinds.includes(env.kind)).map((client) => ({ env, client })),
  );
  const locations = await Promise.all(pairs.map(({ env, client }) => userLocations(client, env)));
  pairs.forEach(({ env, client }, i) => {
    for (const location of locations[i] ?? []) {
      const file = env.access(location.path);
      if (!file) continue;
      const present =
        location.present ||
        (named.has(client.id) && (client.createWhenNamed ?? client.kinds).includes(env.kind));
      if (!present && !filter.includeAbsent) continue;
      const made = makeTarget(env, client, "user", location.path, file, present, location.note);
      targets.push(location.notice ? { ...made, notice: location.notice } : made);
    }
  });
  // The installed version, for the few facts that depend on it (clients/harness.ts).
  await Promise.all(
    targets.map(async (t) => {
      const version = await t.client.harness?.version(t.env);
      if (version) t.version = version;
    }),
  );
  await Promise.all(targets.map((t) => findHarnessFile(t, clients, filter)));
  return targets;
}

/**
 * The user file of the client a target's harness also reads, when `--client` left that client out:
 * whether a server is written here still depends on it (clients/harness.ts). Only a file mcp-twin
 * writes in a whole sync: present, and of a client the manifest's `clients` allows.
 */
async function findHarnessFile(
  target: Target,
  chosen: readonly ClientModule[],
  filter: TargetFilter,
): Promise<void> {
  const reads = target.client.harness?.reads;
  if (!reads || target.scope !== "user" || !target.version || chosen.some((c) => c.id === reads)) return;
  if (filter.manifestClients && !filter.manifestClients.includes(reads)) return;
  const client = CLIENTS.find((c) => c.id === reads);
  if (!client?.kinds.includes(target.env.kind)) return;
  const location = (await userLocations(client, target.env)).find((l) => l.present);
  const file = location && target.env.access(location.path);
  if (location && file)
    target.harnessFile = makeTarget(target.env, client, "user", location.path, file, true);
}

/**
 * A client's user files in an environment: an editor extension's one per editor there, else its
 * one file — present, too, where an editor has the extension installed.
 */
async function userLocations(client: ClientModule, env: Environment): Promise<ConfigLocation[]> {
  const ext = client.extension;
  if (ext?.file) return extensionFiles(env, ext);
  const location = await client.userConfig(env);
  if (!location) return [];
  if (ext && !location.present && (await extensionPresent(env, ext.ids)))
    return [{ ...location, present: true }];
  return [location];
}

function makeTarget(
  env: Environment,
  client: ClientModule,
  scope: Target["scope"],
  nativePath: string,
  file: string,
  present: boolean,
  note?: string,
): Target {
  return {
    key: targetKey(env.id, client.id, scope, nativePath),
    env,
    client,
    scope,
    path: nativePath,
    file,
    serversPath: client.serversPath,
    present,
    ...(note ? { note } : {}),
  };
}

export function targetKey(envId: string, clientId: string, scope: string, nativePath: string): string {
  return `${envId}|${clientId}|${scope}|${nativePath}`;
}

/** A file-system-safe folder name for a target's backups. */
export function targetSlug(key: string): string {
  const [envId, clientId, scope] = key.split("|");
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return `${envId}-${clientId}-${scope}-${hash}`.replace(/[^A-Za-z0-9._-]+/g, "_");
}
