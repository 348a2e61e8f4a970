/**
 * The manifest name a remote server's URL suggests (pure): its host's telling label, so that
 * `https://mcp.linear.app/mcp` is `linear` — the words every host uses (mcp, api, www) skipped.
 */

/** Labels that say nothing of whose server it is. */
const GENERIC = new Set(["mcp", "api", "www", "server", "remote", "app", "apps", "cloud", "gateway"]);

/** `fromHost`: the name is the host's; false when the host is an address and the name a stand-in. */
export function nameFromUrl(text: string): { name: string; fromHost: boolean } {
  const url = new URL(text);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // An IP address: nothing to tell it by but "remote".
  if (/^[\d.]+$/.test(host) || host.includes(":")) return { name: "remote", fromHost: false };
  const labels = host.split(".").filter(Boolean);
  const named = labels.length > 1 ? labels.slice(0, -1) : labels;
  const telling = named.find((label) => !GENERIC.has(label)) ?? named[0] ?? "remote";
  const cleaned = telling
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cleaned ? { name: cleaned, fromHost: true } : { name: "remote", fromHost: false };
}
