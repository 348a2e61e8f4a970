/**
 * Which servers are shared as the manifest is read: one whose headers, url or env carry a
 * `${secret:…}` is reached through the gateway ("machine"), so its key stays in mcp-twin's home and
 * no client's file holds it, unless its `share` says "off" (then its key is in its entries).
 */

import type { Manifest, ServerSpec, ShareMode } from "./schema.js";
import { referencedNames, serverForms, specFields } from "./spec.js";

/**
 * The parts whose key the gateway keeps: a remote's header or url, a process's env (the bridge
 * starts it with the key in its environment). An argument is the person's command line, left as is.
 */
const KEPT_PARTS = new Set(["url", "headers", "env"]);

/** A `${secret:…}` in the server's headers, url or env (an override's too). */
export function carriesKey(spec: ServerSpec): boolean {
  return specFields(spec).some(
    (f) => KEPT_PARTS.has(f.part) && f.references.some((r) => r.kind === "secret"),
  );
}

/**
 * Its environments use different keys (an override names another `${secret:…}`, as import's
 * --keep-both writes): one process in the bridge would give every client the bridge's, so it is
 * not shared unless the manifest says so.
 */
function keysPerEnvironment(spec: ServerSpec): boolean {
  const keys = serverForms(spec).map((f) =>
    [f.url ?? "", ...Object.values(f.env), ...Object.values(f.headers)]
      .flatMap((text) =>
        referencedNames(text)
          .filter((r) => r.kind === "secret")
          .map((r) => r.name),
      )
      .sort()
      .join(" "),
  );
  return new Set(keys).size > 1;
}

/** How a server as written is shared: its `share`, "machine" for a key-carrying one, none for "off". */
function effectiveShare(spec: ServerSpec): ShareMode | undefined {
  if (spec.share === "off") return undefined;
  if (spec.share) return spec.share;
  // A login the relay or the client keeps is no key of the manifest's: the schema refuses sharing it.
  const keyed = spec.auth !== "oauth" && spec.auth !== "client" && carriesKey(spec);
  return keyed && !keysPerEnvironment(spec) ? "machine" : undefined;
}

/** One server as the manifest is read: its effective `share` in place of the one written. */
export function withEffectiveShare(spec: ServerSpec): ServerSpec {
  const share = effectiveShare(spec);
  if (share === spec.share) return spec;
  const { share: _, ...rest } = spec;
  return share ? { ...rest, share } : rest;
}

/** The manifest with each server's effective `share`: "off" gone, a key-carrying server "machine". */
export function withSecretShares(manifest: Manifest): Manifest {
  let servers: Manifest["servers"] | undefined;
  for (const [name, spec] of Object.entries(manifest.servers)) {
    const next = withEffectiveShare(spec);
    if (next === spec) continue;
    servers ??= { ...manifest.servers };
    servers[name] = next;
  }
  return servers ? { ...manifest, servers } : manifest;
}

/** The mode a shared server runs in (a manifest as read has no "off" left: that is for the types). */
export const shareModeOf = (spec: ServerSpec): ShareMode =>
  spec.share === undefined || spec.share === "off" ? "machine" : spec.share;
