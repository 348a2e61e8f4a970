/**
 * 8.3 short names for Windows paths with spaces (`C:\Program Files` → `C:\PROGRA~1`): Claude Desktop
 * on Windows has split paths with spaces when spawning servers; a short name has none.
 */
import { statSync } from "node:fs";

/** Candidate short names for one path component, most likely first. */
export function shortNameCandidates(component: string): string[] {
  const dot = component.lastIndexOf(".");
  const hasExt = dot > 0 && dot < component.length - 1 && !component.slice(dot + 1).includes(" ");
  const base = hasExt ? component.slice(0, dot) : component;
  const ext = hasExt ? component.slice(dot + 1) : "";
  const clean = (s: string) => s.toUpperCase().replace(/[\s.+,;=[\]"*<>|?:/\\]/g, "");
  const b = clean(base);
  const e = clean(ext).slice(0, 3);
  if (!b) return [];
  const out: string[] = [];
  for (let n = 1; n <= 4; n++) out.push(`${b.slice(0, 6)}~${n}${e ? `.${e}` : ""}`);
  return out;
}

async function identity(file: string): Promise<string | undefined> {
  try {
    const s = statSync(file);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Shorten every component with a space. `access` maps a native path to one we can stat.
 * Returns undefined when some component has no verifiable short name (8.3 names can be off).
 *
 * Windows does not list short names, but opens them: we guess the usual candidates and keep the
 * one that leads to the same file (same device and inode) as the long name. Stats only, no process.
 */
export async function shortenWindowsPath(
  nativePath: string,
  access: (p: string) => string | undefined,
): Promise<string | undefined> {
  if (!nativePath.includes(" ")) return nativePath;
  const m = /^([A-Za-z]:)\\(.*)$/.exec(nativePath);
  if (!m) return undefined;
  let long = m[1]!;
  let short = m[1]!;
  for (const part of m[2]!.split("\\").filter(Boolean)) {
    long = `${long}\\${part}`;
    if (!part.includes(" ")) {
      short = `${short}\\${part}`;
      continue;
    }
    const target = access(long);
    const want = target ? await identity(target) : undefined;
    if (!want) return undefined;
    let found: string | undefined;
    for (const candidate of shortNameCandidates(part)) {
      const local = access(`${short}\\${candidate}`);
      if (local && (await identity(local)) === want) {
        found = candidate;
        break;
      }
    }
    if (!found) return undefined;
    short = `${short}\\${found}`;
  }
  return short;
}
