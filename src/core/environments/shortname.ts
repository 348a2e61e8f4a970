/**
 * 8.3 short names for Windows paths with spaces (`C:\Program Files` → `C:\PROGRA~1`), as Windows
 * itself reports them (cmd.exe's `%~sI`): Claude Desktop on Windows splits arguments at spaces.
 */

/** A path's folders up to the last one with a space (what needs a short name), and the rest. */
export function spacedPrefix(windowsPath: string): { prefix: string; rest: string } | undefined {
  if (!windowsPath.includes(" ")) return undefined;
  const m = /^([A-Za-z]:)\\(.*)$/.exec(windowsPath);
  if (!m) return undefined;
  const parts = (m[2] ?? "").split("\\");
  let last = -1;
  parts.forEach((p, i) => {
    if (p.includes(" ")) last = i;
  });
  return {
    prefix: [m[1] ?? "", ...parts.slice(0, last + 1)].join("\\"),
    rest: parts.slice(last + 1).join("\\"),
  };
}

/**
 * What Windows said of each spaced prefix (lower-cased): its short form, "" when it has none
 * (8.3 names are off on that volume, or were stripped), or UNREADABLE when it was asked and its
 * answer could not be read. Cached with the environment's facts.
 */
export type ShortNames = Record<string, string>;

/** Asked, and the answer could not be read: not known, but asked again only when it matters. */
export const UNREADABLE = "?";

const key = (prefix: string) => prefix.toLowerCase();

/** What is known of a path: its short form, `none` (Windows has none for it) or `unknown`. */
export function shortForm(windowsPath: string, names: ShortNames | undefined): string | "none" | "unknown" {
  const spaced = spacedPrefix(windowsPath);
  if (!spaced) return windowsPath;
  const answer = names?.[key(spaced.prefix)];
  if (answer === undefined || answer === UNREADABLE) return "unknown";
  if (answer === "") return "none";
  return spaced.rest ? `${answer}\\${spaced.rest}` : answer;
}

/** A folder to learn the short name of, and the path (in it) Windows is asked about. */
export interface ShortNameQuestion {
  prefix: string;
  path: string;
}

/**
 * The spaced prefixes of `paths` to ask Windows about: not known yet, or known to have none — a
 * folder may get one later (`fsutil file setshortname`), so while it has none it is asked again
 * (the caller leaves out those whose lack harms no entry). Each is asked through a whole path
 * that exists (wine's GetShortPathName leaves a path's last folder long, Windows' does not).
 * Paths cmd.exe would read as syntax (`"`, `%`) are never asked.
 */
export function questions(
  paths: ReadonlyArray<string | undefined>,
  names: ShortNames | undefined,
): ShortNameQuestion[] {
  const out = new Map<string, ShortNameQuestion>();
  for (const p of paths) {
    const spaced = p ? spacedPrefix(p) : undefined;
    if (!p || !spaced || out.has(key(spaced.prefix)) || /["%\r\n]/.test(p)) continue;
    const answer = names?.[key(spaced.prefix)];
    if (answer === undefined || answer === "" || answer === UNREADABLE)
      out.set(key(spaced.prefix), { prefix: spaced.prefix, path: p });
  }
  return [...out.values()];
}

/**
 * cmd.exe's answer (`for %I in ("…" …) do @echo %~sI`), one line per asked path in order: its
 * short form, or the path itself (in part) where a folder has no short name. The asked folder's
 * part of it is kept; anything else (a line missing, garbled) is not recorded.
 */
export function readShortNames(asked: readonly ShortNameQuestion[], output: string): ShortNames {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const out: ShortNames = {};
  if (lines.length !== asked.length) return out;
  const parts = (p: string) => p.split("\\");
  asked.forEach(({ prefix, path }, i) => {
    const answer = parts(lines[i] ?? "");
    if (
      answer.length !== parts(path).length ||
      (answer[0] ?? "").toLowerCase() !== (parts(prefix)[0] ?? "").toLowerCase()
    )
      return;
    const short = answer.slice(0, parts(prefix).length).join("\\");
    // Still a space: some folder on the way has no short name, so no form without spaces exists.
    out[key(prefix)] = /\s/.test(short) ? "" : short;
  });
  return out;
}
