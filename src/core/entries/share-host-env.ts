/**
 * Whether a shared server can run where the bridge runs; one that cannot (no npm there for its
 * package, or limited by its `environments` to other ones: a Windows-only program while the bridge
 * runs in WSL) gets its clients' direct entries where they can run it, never nothing. Pure.
 */

import { envMatches } from "../environments/env-selector.js";
import type { Environment } from "../environments/types.js";
import type { ServerSpec } from "../manifest/schema.js";

/** Why the bridge's environment cannot run this shared server, and what would let it (undefined: it can). */
export function cannotHost(
  server: Pick<ServerSpec, "package" | "environments">,
  bridgeEnv: Pick<Environment, "id" | "npm">,
): { why: string; fix: string } | undefined {
  const limits = server.environments;
  if (limits && !limits.some((s) => envMatches(s, bridgeEnv.id)))
    return {
      why: `it runs only in ${limits.join(", ")}, and the bridge runs in ${bridgeEnv.id}`,
      fix: `add ${bridgeEnv.id} to its "environments" (an override there can say how it runs in ${bridgeEnv.id})`,
    };
  if (server.package && !bridgeEnv.npm)
    return {
      why: `${bridgeEnv.id} has no npm to install ${server.package} in`,
      fix: `install Node.js (with npm) in ${bridgeEnv.id}`,
    };
  return undefined;
}
