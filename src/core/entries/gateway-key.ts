/**
 * What changes a shared server's lists, hashed — its package and installed version, its command,
 * its arguments as the manifest writes them (`${secret:…}` unresolved), its variables' names, never a
 * value: the key the gateway keeps its lists under, and what sync and `tools` find them by.
 */
import { createHash } from "node:crypto";

/** A shared server's launch as it changes its lists (entries/share-launch.ts's `identity`). */
export interface GatewayIdentity {
  package?: string;
  command: string;
  args: string[];
  envNames: string[];
}

export function gatewayKey(identity: GatewayIdentity): string {
  const facts = { ...identity, envNames: [...identity.envNames].sort() };
  return createHash("sha256").update(JSON.stringify(facts)).digest("base64url").slice(0, 22);
}
