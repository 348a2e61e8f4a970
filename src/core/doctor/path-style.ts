/**
 * How doctor shows a path (pure): one style per side — run inside WSL, a file on a Windows drive in
 * its Windows form (`C:\Users\…`), a Linux file in its Linux form.
 */
import { pathShown } from "../environments/path-translation.js";

export interface Show {
  /** A path as this machine shows it. */
  path(p: string): string;
  /**
   * A text with every known file in its shown form: the home's files (the home folder, anything
   * under it) and the manifest, plus `known` (exact paths, or folders whose files the text names).
   */
  text(s: string, ...known: Array<string | undefined>): string;
}

/** Paths as they are (a machine that is not WSL, or unit tests of a check). */
export const AS_IS: Show = { path: (p) => p, text: (s) => s };

/** What ends a path in running text: blanks, quotes, brackets, and `:` of `file:line:column`. */
const TAIL = /^(?:\/[^\s"'`()<>,;:]*)*/;

/**
 * The rule of `pathShown`, for paths a check writes into a message, and for texts of other modules
 * (a loader's error names its file as this process opened it) that name a known file on a Windows
 * drive. Fixes keep a path in the form the command they give accepts: a `chmod`/`mv` typed in the
 * WSL shell needs the Linux form, `mcp-twin restore` the path it recorded.
 */
export function showFor(local: { kind: string; mountRoot: string } | undefined, homeFiles: string[]): Show {
  if (local?.kind !== "wsl") return AS_IS;
  const path = pathShown(local);
  const text = (s: string, ...known: Array<string | undefined>): string => {
    // Longest first, so a file is converted whole rather than as its folder plus a Linux tail.
    const roots = [...new Set([...homeFiles, ...known])]
      .filter((k): k is string => k !== undefined && k !== "" && path(k) !== k)
      .sort((a, b) => b.length - a.length);
    let out = s;
    for (const root of roots) {
      let from = 0;
      for (;;) {
        const at = out.indexOf(root, from);
        if (at < 0) break;
        // A known path followed by letters is another path (`…/mcp-twin-old`): not this one.
        const next = out[at + root.length];
        if (next !== undefined && /[A-Za-z0-9_-]/.test(next)) {
          from = at + root.length;
          continue;
        }
        const tail = TAIL.exec(out.slice(at + root.length))?.[0] ?? "";
        const shown = path(root + tail);
        out = out.slice(0, at) + shown + out.slice(at + root.length + tail.length);
        from = at + shown.length;
      }
    }
    return out;
  };
  return { path, text };
}
