/**
 * Which process of a shared server a request belongs to: one for the machine, one per project
 * folder (`Mcp-Twin-Project`, a Windows path taken to this side), one per session (its credential's).
 */
import type { IncomingHttpHeaders } from "node:http";
import path from "node:path";
import { looksWindowsTyped, windowsToWsl } from "../../core/environments/path-translation.js";
import type { ShareMode } from "../../core/manifest/schema.js";
import { credentialOf, labelOf } from "../credential.js";
import { headerOf } from "../http-guards.js";
import type { OpenUpstream } from "./upstream.js";

/** The project folder a client works in (its entry sends it; the relay sends its own cwd). */
export const PROJECT_HEADER = "mcp-twin-project";
/** A client session's own key where its protocol has none (2026-07-28; the relay adds it). */
export const SESSION_HEADER = "mcp-twin-session";

/** How this side reads a Windows path (inside WSL: the automount root and the distro's name). */
export interface PathSide {
  platform: NodeJS.Platform;
  mountRoot: string;
  distro?: string | undefined;
}

/** full: a cap met (every key held in use): 503, try again; forbidden: a credential not served here: 403. */
export type ChildKey =
  | { ok: true; key: string; cwd?: string; open?: OpenUpstream }
  | { ok: false; why: string; full?: true; forbidden?: true };

/**
 * A header as the client wrote it (node reads header bytes as latin1, paths are UTF-8): undefined
 * when absent, "" when sent empty.
 */
const headerText = (headers: IncomingHttpHeaders | Headers, name: string): string | undefined => {
  const value = headerOf(headers, name);
  return value === undefined ? undefined : Buffer.from(value.trim(), "latin1").toString("utf8");
};

const PER_FOLDER = "this server runs once per project folder";
/** What a client sends when the folder variable its entry names was not set. */
const EMPTY_FOLDER = `${PER_FOLDER}, and the request's Mcp-Twin-Project header was empty: the client sent its folder variable unset (\`\${PWD}\` is set by the shell a client is started from, \`\${workspaceFolder}\` only while a folder is open). Start the client from the project's folder, or open the folder in it`;

/** The project folder named by the header, as a path of this side, or why it cannot be used. */
export function projectFolder(value: string, side: PathSide): ChildKey {
  let folder = value;
  if (side.platform !== "win32" && looksWindowsTyped(value)) {
    const here = windowsToWsl(value, side.mountRoot, side.distro);
    if (!here)
      return {
        ok: false,
        why: `${PER_FOLDER}, and the Mcp-Twin-Project header named ${JSON.stringify(value)}, a Windows folder not reachable from here (not on a drive mounted under ${side.mountRoot}, nor in this distro): open the project from a folder this side can reach`,
      };
    folder = here;
  }
  const absolute = side.platform === "win32" ? path.win32.isAbsolute(folder) : path.posix.isAbsolute(folder);
  if (!absolute)
    return {
      ok: false,
      why: `${PER_FOLDER}, and the Mcp-Twin-Project header named ${JSON.stringify(value)}: the project folder must be an absolute path (the client's folder variable, as the entries \`mcp-twin sync\` writes send it, or the full path when you set the header yourself)`,
    };
  const normal = side.platform === "win32" ? path.win32.normalize(folder) : path.posix.normalize(folder);
  const trimmed = normal.length > 1 ? normal.replace(/[\\/]+$/, "") : normal;
  return { ok: true, key: `project:${trimmed}`, cwd: trimmed };
}

/**
 * The child a request goes to. `session`: the 2025-11-25 session's id when it has one (every
 * such session is its own, and only its opener's credential reaches it: sessions.ts), else the
 * `Mcp-Twin-Session` header under the request's credential — two credentials naming the same
 * value never share a process. Either is kept as a label (credential.ts), never as the id itself.
 */
export function childKeyOf(
  mode: ShareMode,
  headers: IncomingHttpHeaders | Headers,
  side: PathSide,
  session?: string,
): ChildKey {
  if (mode === "machine") return { ok: true, key: "machine" };
  if (mode === "project") {
    const value = headerText(headers, PROJECT_HEADER);
    if (value === undefined)
      return {
        ok: false,
        why: `${PER_FOLDER}, and the request named none: its entry must send the Mcp-Twin-Project header (the entries \`mcp-twin sync\` writes do; run it again)`,
      };
    return value === "" ? { ok: false, why: EMPTY_FOLDER } : projectFolder(value, side);
  }
  if (session !== undefined) return { ok: true, key: `session:${labelOf("session", session)}` };
  const id = headerText(headers, SESSION_HEADER);
  if (!id)
    return {
      ok: false,
      why: "this server runs once per client session, and protocol 2026-07-28 has no sessions: connect with 2025-11-25 (initialize), or through `mcp-twin connect`, which names its session",
    };
  return { ok: true, key: `session:${labelOf("relay", credentialOf(headers), id)}` };
}
