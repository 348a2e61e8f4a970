/**
 * What this process has changed on the machine so far — files written or removed, npm installs started
 * — so a run stopped by Ctrl-C says what is true for it.
 */

type Change = { kind: "file"; file: string; cache: boolean } | { kind: "npm"; env: string };

/**
 * Files are noted by files.ts, installs by npm-prefix.ts: "Stopped before anything was written."
 * when nothing was, else which files it wrote (each whole: files.ts writes atomically) and that an
 * install was cut short.
 *
 * A command reads the changes made since its own start (`journalMark`), so runs in one process
 * (tests drive `main` in-process) do not see each other's. The list lives on `globalThis`: the
 * build copies shared code into each bundle (the command line, the commands, sync), and the copy
 * that notes a write must feed the list the command line reads.
 */
const KEY = Symbol.for("mcp-twin.journal");
const shared = globalThis as { [KEY]?: Change[] };
shared[KEY] ??= [];
const changes: Change[] = shared[KEY];

/** A file was written (created, replaced) or removed; `cache`: one kept only for speed. */
export function noteFileChange(file: string, cache = false): void {
  changes.push({ kind: "file", file, cache });
}

/** An npm install or uninstall started in an environment (it changes that environment's prefix). */
export function noteNpmChange(env: string): void {
  changes.push({ kind: "npm", env });
}

/** A mark to read the changes from (one per command run). */
export function journalMark(): number {
  return changes.length;
}

export interface Changes {
  /** Files written or removed, each once, in the order first changed (cache files apart). */
  files: string[];
  /** Whether a cache file was written or removed. */
  cache: boolean;
  /** Environments where npm ran, each once. */
  npm: string[];
}

/** What changed since `mark`. */
export function changesSince(mark: number): Changes {
  const out: Changes = { files: [], cache: false, npm: [] };
  for (const c of changes.slice(mark)) {
    if (c.kind === "file" && c.cache) out.cache = true;
    else if (c.kind === "file" && !out.files.includes(c.file)) out.files.push(c.file);
    if (c.kind === "npm" && !out.npm.includes(c.env)) out.npm.push(c.env);
  }
  return out;
}
