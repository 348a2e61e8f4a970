/**
 * An imported server against the manifest (pure). The same launch counts as the same server
 * whatever version each side names: sync installs the manifest's version either way, so an entry
 * written `npx -y tavily-mcp` is adopted under a manifest's `tavily-mcp@0.2.22`.
 */

import { splitSpec } from "../manifest/package-spec.js";
import type { ServerSpec } from "../manifest/schema.js";
import { own } from "../plain-records.js";
import { canonicalJson } from "../text/canonical-json.js";

export type ManifestStatus =
  | { status: "new" }
  | { status: "same"; existing: ServerSpec }
  | { status: "conflict"; existing: ServerSpec }
  | { status: "duplicate"; duplicateOf: string };

function sameLaunch(a: ServerSpec, b: ServerSpec): boolean {
  // `share` says how clients reach it (through the bridge or not), never how it runs: an entry
  // found in a client holds none, and one the manifest keeps unshared (`"off"`) is the same server.
  const strip = ({ share: _, ...s }: ServerSpec) =>
    s.package ? { ...s, package: splitSpec(s.package).name } : s;
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

export function compareWithManifest(
  servers: Readonly<Record<string, ServerSpec>>,
  name: string,
  server: ServerSpec,
): ManifestStatus {
  const existing = own(servers, name);
  if (existing)
    return sameLaunch(existing, server) ? { status: "same", existing } : { status: "conflict", existing };
  const duplicateOf = Object.entries(servers).find(([, s]) => sameLaunch(s, server))?.[0];
  return duplicateOf ? { status: "duplicate", duplicateOf } : { status: "new" };
}
