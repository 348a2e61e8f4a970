/**
 * Does the npm registry have what a project entry fetches through npx (a relay's `mcp-twin@<version>`)?
 * A teammate's client fetches it each time it starts the entry: when the registry lacks it, sync says so
 * on the entry it writes.
 */
import type { DesiredEntries } from "../entries/desired.js";
import { npmView } from "../packages/npm-view.js";
import type { Host } from "../system/host.js";

/** Adds a problem to each entry whose npx package the registry does not have (or could not be asked). */
export async function checkFetchedPackages(desired: DesiredEntries, host: Host): Promise<void> {
  const specs = new Set<string>();
  for (const entries of desired.values())
    for (const built of entries.values()) if (built.ok && built.fetches) specs.add(built.fetches);
  if (specs.size === 0) return;
  const why = new Map<string, string | undefined>();
  for (const spec of specs) why.set(spec, await absence(host, spec));
  for (const entries of desired.values())
    for (const built of entries.values()) {
      if (!built.ok || !built.fetches) continue;
      const missing = why.get(built.fetches);
      if (missing)
        built.problems = [
          ...(built.problems ?? []),
          {
            code: "not-published",
            message: `this project entry runs \`npx -y ${built.fetches}\`, and ${missing}: it starts for nobody who opens the project until that version is there. Keep this server in your user manifest (its entries run this machine's mcp-twin), or give the project a client that takes the url itself.`,
          },
        ];
    }
}

/** Why the registry cannot give `spec` (undefined: it can). */
async function absence(host: Host, spec: string): Promise<string | undefined> {
  const found = await npmView(host, spec);
  if (found.found) return undefined;
  if (found.why === "no-package")
    return `the npm registry${found.registry ? ` (${found.registry})` : ""} has no such package`;
  if (found.why === "no-version") return `the npm registry has no such version (${found.detail})`;
  return `whether the npm registry has it could not be checked (${found.detail})`;
}
