/**
 * What to tell someone whose client finds the gateway (the bridge running shared servers) down: the
 * relay's JSON-RPC error, and doctor's fix. Pure.
 */
import { SHARE_PREFIX, tokenScope } from "../bridge-link/index.js";
import type { AutostartRecord } from "../ledger/state.js";

/** The code of sync's error for a gateway that is not running (sync/gateway-sync.ts). */
export const GATEWAY_DOWN = "gateway-not-running";

const KIND_WORDS: Record<AutostartRecord["kind"], string> = {
  "windows-task": "the Windows logon task",
  systemd: "the systemd user unit",
  launchd: "the launchd agent",
  "xdg-autostart": "the XDG autostart entry",
};

/** The shared server a gateway URL names (`/share/<name>`), or undefined for any other URL. */
export function sharedServerOf(url: URL): string | undefined {
  const scope = tokenScope(url.pathname.replace(/\/+$/, ""));
  return scope && url.pathname.startsWith(SHARE_PREFIX) ? scope : undefined;
}

/**
 * The fix for a gateway that is not running. `autostart`: what sync recorded as the bridge's start
 * at logon (undefined: none is installed).
 */
export function gatewayDownFix(autostart?: AutostartRecord): string {
  if (!autostart)
    return "run `mcp-twin sync`: it starts the gateway now and installs its start at logon (or `mcp-twin bridge start` for this time only)";
  return `run \`mcp-twin bridge start\`; at logon ${KIND_WORDS[autostart.kind]} "${autostart.name}" (${autostart.file}) starts it — if it did not, \`mcp-twin sync\` installs it again and \`mcp-twin bridge status\` shows its log`;
}

/** The JSON-RPC error text a client reads when its shared server's gateway does not answer. */
export function gatewayDownMessage(url: URL, why: string, autostart?: AutostartRecord): string {
  const name = sharedServerOf(url);
  const what = name ? `the gateway that runs the shared server "${name}"` : "the gateway";
  return `mcp-twin: ${what} is not running at ${url.origin} (${why}). Fix: ${gatewayDownFix(autostart)}.`;
}
