/**
 * Whether a shared server can run where the bridge runs; one that cannot (no npm there for its
 * package) gets its clients' direct entries where they can install it, never nothing. Pure.
 */
import type { Environment } from "../environments/types.js";
import type { ServerSpec } from "../manifest/schema.js";

/** Why the bridge's environment cannot run this shared server, and what would let it (undefined: it can). */
export function cannotHost(
  server: Pick<ServerSpec, "package">,
  bridgeEnv: Pick<Environment, "id" | "npm">,
): { why: string; fix: string } | undefined {
  if (server.package && !bridgeEnv.npm)
    return {
      why: `${bridgeEnv.id} has no npm to install ${server.package} in`,
      fix: `install Node.js (with npm) in ${bridgeEnv.id}`,
    };
  return undefined;
}
