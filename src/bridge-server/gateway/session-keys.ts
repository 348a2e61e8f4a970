/**
 * Which process of a shared server a request belongs to: one for the machine, one per project
 * folder (the `Mcp-Twin-Project` header, a Windows path taken to this side), one per session.
 */
import type { IncomingHttpHeaders } from "node:http";
import path from "node:path";
import { looksWindowsTyped, windowsToWsl } from "../../core/environments/path-translation.js";
import type { ShareMode } from "../../core/manifest/schema.js";

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

export type ChildKey = { ok: true; key: string; cwd?: string } | { ok: false; why: string };

/** A header as the client wrote it: node reads header bytes as latin1, paths are UTF-8. */
const headerText = (headers: IncomingHttpHeaders | Headers, name: string): string | undefined => {
  const raw = headers instanceof Headers ? headers.get(name) : headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null || value.trim() === "") return undefined;
  return Buffer.from(value.trim(), "latin1").toString("utf8");
};

/** The project folder named by the header, as a path of this side, or why it cannot be used. */
export function projectFolder(value: string, side: PathSide): ChildKey {
  let folder = value;
  if (side.platform !== "win32" && looksWindowsTyped(value)) {
    const here = windowsToWsl(value, side.mountRoot, side.distro);
    if (!here) return { ok: false, why: `the project folder ${value} is not reachable from here` };
    folder = here;
  }
  const absolute = side.platform === "win32" ? path.win32.isAbsolute(folder) : path.posix.isAbsolute(folder);
  if (!absolute)
    return { ok: false, why: `the project folder must be an absolute path, not ${JSON.stringify(value)}` };
  const normal = side.platform === "win32" ? path.win32.normalize(folder) : path.posix.normalize(folder);
  const trimmed = normal.length > 1 ? normal.replace(/[\\/]+$/, "") : normal;
  return { ok: true, key: `project:${trimmed}`, cwd: trimmed };
}

/**
 * The child a request goes to. `session`: the 2025-11-25 session's id when it has one (every
 * such session is its own), else the `Mcp-Twin-Session` header.
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
        why: "this server runs once per project folder, and the request named none: its entry must send the Mcp-Twin-Project header (the entries `mcp-twin sync` writes do; run it again)",
      };
    return projectFolder(value, side);
  }
  const id = session ?? headerText(headers, SESSION_HEADER);
  if (id === undefined)
    return {
      ok: false,
      why: "this server runs once per client session, and protocol 2026-07-28 has no sessions: connect with 2025-11-25 (initialize), or through `mcp-twin connect`, which names its session",
    };
  return { ok: true, key: `session:${id}` };
}
