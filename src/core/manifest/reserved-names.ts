/**
 * The server names no one may take, and why: Claude Code's own, and the bridge's entry (a server
 * under that name would take the bridge's place in every client config). No zod: import reads it.
 */
import { BRIDGE_ENTRY } from "./bridge-entry-name.js";

const RESERVED_NAMES = new Map<string, string>([
  ["workspace", "is reserved by Claude Code"],
  ["claude-in-chrome", "is reserved by Claude Code"],
  ["computer-use", "is reserved by Claude Code"],
  [BRIDGE_ENTRY, "is the name of mcp-twin's bridge entry in every client"],
]);

/** Why no server may be named `name` (undefined: it may). */
export function reservedNameWhy(name: string): string | undefined {
  return RESERVED_NAMES.get(name);
}

/**
 * The name for a server whose name came from elsewhere (a registry, a package, a template, a
 * client config): itself, or `<name>-server` when `name` is reserved — with the sentence that
 * says so.
 */
export function unreservedName(name: string): { name: string; renamed?: string } {
  const why = reservedNameWhy(name);
  if (!why) return { name };
  const other = `${name}-server`;
  return { name: other, renamed: `named ${other}: "${name}" ${why}` };
}
