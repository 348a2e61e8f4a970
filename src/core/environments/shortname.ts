/**
 * 8.3 short names for Windows paths with spaces (`C:\Program Files` → `C:\PROGRA~1`), as Windows
 * itself reports them (cmd.exe's `%~sI`): Claude Desktop on Windows splits arguments at spaces.
 */

/** A path's folders up to the last one with a space (what needs a short name), and the rest. */
export function spacedPrefix(windowsPath: string): { prefix: string; rest: string } | undefined {
  if (!windowsPath.includes(" ")) return undefined;
  const m = /^([A-Za-z]:)\\(.*)$/.exec(windowsPath);
  if (!m) return undefined;
  const parts = m[2]!.split("\\");
  let last = -1;
  parts.forEach((p, i) => {
    if (p.includes(" ")) last = i;
  });
  return {
    prefix: [m[1]!, ...parts.slice(0, last + 1)].join("\\"),
    rest: parts.slice(last + 1).join("\\"),
  };
}

/**
 * What Windows said of each spaced prefix (lower-cased): its short form, or "" when it has none
 * (8.3 names are off on that volume, or were stripped). Cached with the environment's facts.
 */
export type ShortNames = Record<string, string>;

const key = (prefix: string) => prefix.toLowerCase();

/** What is known of a path: its short form, `none` (Windows has none for it) or `unknown`. */
export function shortForm(windowsPath: string, names: ShortNames | undefined): string | "none" | "unknown" {
  const spaced = spacedPrefix(windowsPath);
  if (!spaced) return windowsPath;
  const answer = names?.[key(spaced.prefix)];
  if (answer === undefined) return "unknown";
  if (answer === "") return "none";
  return spaced.rest ? `${answer}\\${spaced.rest}` : answer;
}

/**
 * The spaced prefixes of `paths` to ask Windows about: not known yet, or known to have none — a
 * folder may get one later (`fsutil file setshortname`), so while it has none it is asked again
 * (the caller leaves out those whose lack harms no entry).
 */
export function prefixesToAsk(
  paths: ReadonlyArray<string | undefined>,
  names: ShortNames | undefined,
): string[] {
  const out = new Map<string, string>();
  for (const p of paths) {
    const spaced = p ? spacedPrefix(p) : undefined;
    if (!spaced || out.has(key(spaced.prefix))) continue;
    const answer = names?.[key(spaced.prefix)];
    if (answer === undefined || answer === "") out.set(key(spaced.prefix), spaced.prefix);
  }
  return [...out.values()];
}

/**
 * The `for %I in ("…" …) do @echo %~sI` line cmd.exe runs to answer (its own syntax: the quotes
 * are part of it). Paths cmd.exe would read as syntax (`"`, `%`) are left out: never asked.
 */
export function askable(prefixes: readonly string[]): string[] {
  return prefixes.filter((p) => !/["%\r\n]/.test(p));
}

/**
 * cmd.exe's answer, one line per asked path in order: its short form, or the path itself (in part)
 * where a folder has no short name. Anything else (a line missing, garbled) is not recorded.
 */
export function readShortNames(asked: readonly string[], output: string): ShortNames {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const out: ShortNames = {};
  if (lines.length !== asked.length) return out;
  asked.forEach((prefix, i) => {
    const answer = lines[i]!;
    const depth = (p: string) => p.split("\\").length;
    if (
      depth(answer) !== depth(prefix) ||
      answer.slice(0, 2).toLowerCase() !== prefix.slice(0, 2).toLowerCase()
    )
      return;
    // Still a space: some folder on the way has no short name, so no form without spaces exists.
    out[key(prefix)] = /\s/.test(answer) ? "" : answer;
  });
  return out;
}
