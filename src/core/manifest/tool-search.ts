/**
 * Tools on demand (the manifest's `toolSearch`): which clients get the one `tools` entry to the
 * gateway's `/tools` endpoint in place of an entry per server, and which servers stand behind it.
 */
import type { ClientId, Manifest, ServerSpec } from "./schema.js";

/** The name of the one entry a tool-search client gets in place of its servers' entries. */
export const TOOLS_ENTRY = "tools";

/** Whether `client` gets the `tools` entry in place of one entry per server. */
export function searchesThroughGateway(manifest: Pick<Manifest, "toolSearch">, client: ClientId): boolean {
  return manifest.toolSearch?.clients.includes(client) === true;
}

/**
 * The servers a tool-search client reaches through `/tools`: every enabled one it gets that the
 * bridge can start (`hostable`; entries/share-host-env.ts says why not). A url server and one the
 * bridge cannot run keep their own entries in that client. In manifest order.
 */
export function serversBehindTools(
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  client: ClientId,
  hostable: (spec: ServerSpec) => boolean,
): string[] {
  return servers
    .filter(
      ([, s]) =>
        !s.disabled && s.url === undefined && (!s.clients || s.clients.includes(client)) && hostable(s),
    )
    .map(([name]) => name);
}

/** `<server>/<tool>` split at its first `/` (a tool name may hold more). */
export function splitKept(kept: string): { server: string; tool: string } | undefined {
  const at = kept.indexOf("/");
  if (at <= 0 || at === kept.length - 1) return undefined;
  return { server: kept.slice(0, at), tool: kept.slice(at + 1) };
}

/**
 * Said where an entry of the person's holds the name `tools` (entries/ownership.ts, entriesMeant):
 * what sync does instead, and the fix (a clause each, for sync's line and doctor's finding).
 */
export function toolsNameHeld(client: string, file: string): { what: string; fix: string } {
  return {
    what: `an entry of your own holds the name "${TOOLS_ENTRY}", which toolSearch's one entry needs, so ${client} keeps an entry per server (no tools on demand there) and yours is left as it is`,
    fix: `rename yours in ${file} (or remove it), then run \`mcp-twin sync\``,
  };
}
