/**
 * Places in words: the client configs a grouped finding applies to, as the report names them
 * ("Claude Desktop and Cursor", "Claude Code (wsl:Ubuntu), Cursor (windows)").
 */
import { clientById } from "../clients/index.js";
import { andList } from "../text/prose-lists.js";
import type { Place } from "./types.js";

/** "Claude Code (project)": a place as the report names it. */
function placeName(p: Place): string {
  return `${clientById(p.client)?.name ?? p.client}${p.scope ? ` (${p.scope})` : ""}`;
}

/** "Claude Code (wsl:Ubuntu), Cursor (windows)": places with their environments. */
export function placesList(places: readonly Place[]): string {
  return places.map((p) => `${placeName(p)} (${p.env})`).join(", ");
}

/**
 * A heading for the places: "Claude Desktop and Cursor" in one environment, "Claude Code
 * (wsl:Ubuntu) and Cursor (windows)" across them.
 */
export function placesTitle(places: readonly Place[]): string {
  const oneEnv = new Set(places.map((p) => p.env)).size === 1;
  const names = places.map((p) => (oneEnv ? placeName(p) : `${placeName(p)} (${p.env})`));
  return andList(names);
}
