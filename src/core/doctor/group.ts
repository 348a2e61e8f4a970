/**
 * One cause, one finding (pure). Claude Desktop and Cursor on one Windows run the very same entry:
 * a program missing there, a package runner that fetches on every start, a slow start are one
 * cause, so the same finding — same check, environment, server, status, message, fix and extra
 * lines — in several client configs of one environment is reported once, naming every config it
 * applies to. Passes stay per config: each client's line says its server works there.
 *
 * A grouped finding keeps the stable `--json` keys as `secrets.placeholder` does: `env` and
 * `server`, no `client`, and the places named in its message (`messageOf`).
 */
import { clientById } from "../clients/index.js";
import type { Check } from "./types.js";

type Place = NonNullable<Check["places"]>[number];

export function groupShared(checks: readonly Check[]): Check[] {
  const groups = new Map<string, Check[]>();
  const keyOf = (c: Check): string | undefined =>
    c.status !== "pass" && c.client && c.server && c.env
      ? JSON.stringify([c.id, c.env, c.server, c.status, c.message, c.fix ?? "", c.detail ?? []])
      : undefined;
  for (const c of checks) {
    const key = keyOf(c);
    if (key) groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: Check[] = [];
  for (const c of checks) {
    const key = keyOf(c);
    const members = key ? groups.get(key)! : [c];
    if (members.length < 2) {
      out.push(c);
      continue;
    }
    // The group takes the place of its first member; the others are in it.
    if (members[0] !== c) continue;
    const { client: _client, scope: _scope, ...rest } = c;
    out.push({ ...rest, places: members.map(placeOf) });
  }
  return out;
}

function placeOf(c: Check): Place {
  return { client: c.client!, ...(c.scope && c.scope !== "user" ? { scope: c.scope } : {}) };
}

/** "Claude Code (project)": a place as the report names it. */
function placeName(p: Place): string {
  return `${clientById(p.client)?.name ?? p.client}${p.scope ? ` (${p.scope})` : ""}`;
}

/** "Claude Desktop and Cursor", "Claude Desktop, Cursor and Windsurf". */
export function placesTitle(places: readonly Place[]): string {
  const names = places.map(placeName);
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** A finding's whole message: a grouped one names where it applies, as `secrets.placeholder` does. */
export function messageOf(c: Check): string {
  if (!c.places) return c.message;
  const where = c.places.map((p) => `${placeName(p)} (${c.env})`).join(", ");
  return `${c.message} In ${c.places.length} client configs: ${where}.`;
}
