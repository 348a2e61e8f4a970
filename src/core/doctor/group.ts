/**
 * One cause, one finding (pure): the same finding in several client configs of one environment (Claude
 * Desktop and Cursor on one Windows run the very same entry) is reported once, naming every config.
 */
import type { Check } from "./all-checks.js";
import { placesList } from "./places.js";
import type { Place } from "./types.js";

/**
 * A program missing there, a package runner that fetches on every start, a slow start are one
 * cause, so the same finding — same check, environment, server, status, message, fix and extra
 * lines — is reported once. Passes too: one start that answered for Claude Desktop and Cursor is one
 * finding, not one per config (and counted once).
 *
 * A grouped finding keeps the stable `--json` keys: `env` (when it is one: a remote contacted once for
 * configs in several environments has none) and `server`, no
 * `client`, and the places named at the end of its message (`messageOf`) — `secrets.placeholder`
 * groups a key several clients' entries carry the same way.
 */
export function groupShared(checks: readonly Check[]): Check[] {
  const groups = new Map<string, Check[]>();
  const keyOf = (c: Check): string | undefined =>
    c.client && c.server && c.env
      ? JSON.stringify([
          c.id,
          // One contact for configs in several environments is one finding, not one per environment.
          c.oneForAll ? "" : c.env,
          c.server,
          c.status,
          c.message,
          c.fix ?? "",
          c.detail ?? [],
          c.command?.line ?? "",
          // Two starts alike to the tenth of a second are still two starts.
          c.launch ?? "",
        ])
      : undefined;
  for (const c of checks) {
    const key = keyOf(c);
    if (key) groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: Check[] = [];
  for (const c of checks) {
    const key = keyOf(c);
    const members = (key && groups.get(key)) || [c];
    if (members.length < 2) {
      out.push(c);
      continue;
    }
    // The group takes the place of its first member; the others are in it.
    if (members[0] !== c) continue;
    const { client: _client, scope: _scope, env, oneForAll: _one, ...rest } = c;
    const envs = new Set(members.map((m) => m.env));
    out.push({ ...rest, ...(envs.size === 1 && env ? { env } : {}), places: members.flatMap(placeOf) });
  }
  return out;
}

/** Where a grouped finding is (each member has a place: keyOf groups only those). */
function placeOf(c: Check): Place[] {
  if (!c.env || !c.client) return [];
  return [{ env: c.env, client: c.client, ...(c.scope && c.scope !== "user" ? { scope: c.scope } : {}) }];
}

/** A finding's whole message: one for several client configs names them at its end. */
export function messageOf(c: Check): string {
  if (!c.places) return c.message;
  // Its own sentence ends first, whether or not the check's message has its full stop.
  return `${c.message.replace(/([^.!?])$/, "$1.")} In ${c.places.length} client configs: ${placesList(c.places)}.`;
}
