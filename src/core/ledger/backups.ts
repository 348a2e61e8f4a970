/**
 * Backups of one target, in HOME/backups/<slug>/ (folders 0700, files 0600: they may hold keys): the
 * bytes before each change, the original, hand-written entries, and which entries mcp-twin owned.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { targetSlug } from "../clients/targets.js";
import { UsageError } from "../errors.js";
import { dict, own } from "../plain-records.js";
import { parseChecked } from "../system/checked-json.js";
import { readTextOrNull, removePath, setFileTime, writePrivateFile } from "../system/files.js";

const KEEP_BACKUPS = 10;
const ORIGINAL = "original.bak";
const ORIGINAL_NONE = "original.none";
const HAND_WRITTEN = "hand-written.json";
const INDEX = "target.json";
const LAST_WRITTEN = "last-written.txt";
const BOOKKEEPING_VERSION = 1;

/**
 * A target as its backups know it.
 *
 * The files of a target's backups:
 * - `<time>.bak`: the bytes before each change mcp-twin made, the newest 10 kept;
 * - `original.bak`: the bytes before mcp-twin first changed the file, kept for good
 *   (`original.none` when mcp-twin created the file);
 * - `hand-written.json`: entries mcp-twin took over from the user (adopted by import, or taken
 *   over with --force), as they were written by hand, so uninstall can give them back;
 * - `last-written.txt`: the bytes mcp-twin last wrote to the target (its time: that write's), what
 *   a file broken since is repaired to — the backups are all from before a write;
 * - `target.json`: which target this is (so backups stay usable when state is lost) and, per
 *   backup, the entries mcp-twin owned when it was taken (what `restore --from` puts back).
 */
export interface BackupTarget {
  key: string;
  env: string;
  client: string;
  scope: string;
  path: string;
}

interface TargetIndex extends BackupTarget {
  version: 1;
  /** Backup name → the entries mcp-twin owned in the file when it was taken. */
  owned: Record<string, string[]>;
  /**
   * Backup name → those of them edited by hand then, each with the hash mcp-twin had recorded for
   * it (state.ts handEdits): put back, such an entry is a hand edit again. Absent: none (or a
   * backup of an older version).
   */
  edited?: Record<string, Record<string, string>>;
}

export interface BackupInfo {
  /** Absolute path of the backup file. */
  file: string;
  /** Its name, as `restore --from` accepts it. */
  name: string;
  /** When it was taken (ISO time). */
  at: string;
  /** The bytes before mcp-twin first changed the target. */
  original: boolean;
  /** The original is "no file": mcp-twin created the target. */
  absent?: boolean;
  size: number;
  /** The entries mcp-twin owned in the file then (unknown for backups of older versions). */
  owned?: string[];
  /** Of those, the ones edited by hand then, with the hash mcp-twin had recorded for each. */
  edited?: Record<string, string>;
}

/**
 * Keep `content` (the target's bytes before a change) as a timestamped backup; the newest
 * `keep` survive. The first backup of a target mcp-twin never changed is also kept for good as
 * its original.
 */
export async function keepBackup(
  backupsDir: string,
  target: BackupTarget,
  content: string,
  now: Date,
  options: {
    /** The entries mcp-twin owns in `content`. */
    owned: readonly string[];
    /** Of those, the ones edited by hand, with the hash mcp-twin recorded for each (state.ts handEdits). */
    edited?: Readonly<Record<string, string>>;
    /** False when state says mcp-twin changed the target before (its original is older). */
    firstChange?: boolean;
    keep?: number;
  },
): Promise<string> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (options.firstChange !== false) await noteOriginal(backupsDir, target, content, now, options.owned);
  const stampText = now.toISOString().replace(/[:.]/g, "-");
  let name = `${stampText}.bak`;
  for (let n = 1; exists(path.join(dir, name)); n++) name = `${stampText}-${n}.bak`;
  await writePrivateFile(path.join(dir, name), content);
  const all = timestamped(dir);
  const dropped = all.slice(0, Math.max(0, all.length - (options.keep ?? KEEP_BACKUPS)));
  for (const old of dropped) await removePath(path.join(dir, old));
  await updateIndex(dir, target, (owned, edited) => {
    owned[name] = [...options.owned];
    if (options.edited && Object.keys(options.edited).length > 0) edited[name] = { ...options.edited };
    for (const old of dropped) {
      delete owned[old];
      delete edited[old];
    }
  });
  return path.join(dir, name);
}

/**
 * Record the target's original (its text, or null when there was no file), once: only when no
 * original and no backup exists yet — a target changed by a version of mcp-twin that kept no
 * originals has none, and a later backup must not pretend to be one.
 */
export async function noteOriginal(
  backupsDir: string,
  target: BackupTarget,
  content: string | null,
  now: Date,
  owned: readonly string[] = [],
): Promise<void> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (exists(path.join(dir, ORIGINAL)) || exists(path.join(dir, ORIGINAL_NONE))) return;
  if (timestamped(dir).length > 0) return;
  const name = content === null ? ORIGINAL_NONE : ORIGINAL;
  const file = path.join(dir, name);
  await writePrivateFile(file, content ?? "");
  // The file's time says when it was taken.
  await setFileTime(file, now).catch(() => {});
  await updateIndex(dir, target, (index) => {
    index[name] = [...owned];
  });
}

/** The original first, then the timestamped backups, newest first. */
/** `{ owned, edited }` as the bookkeeping says them of this backup. */
function ownedOf(index: TargetIndex | undefined, name: string): Pick<BackupInfo, "owned" | "edited"> {
  const owned = index ? own(index.owned, name) : undefined;
  const edited = index?.edited ? own(index.edited, name) : undefined;
  return { ...(owned ? { owned } : {}), ...(edited ? { edited: dict(edited) } : {}) };
}

export async function listBackups(backupsDir: string, key: string): Promise<BackupInfo[]> {
  const dir = path.join(backupsDir, targetSlug(key));
  const owned = await readIndex(dir);
  const out: BackupInfo[] = [];
  for (const [name, absent] of [
    [ORIGINAL, false],
    [ORIGINAL_NONE, true],
  ] as const) {
    const file = path.join(dir, name);
    if (!exists(file)) continue;
    const st = statSync(file);
    out.push({
      file,
      name,
      at: st.mtime.toISOString(),
      original: true,
      ...(absent ? { absent } : {}),
      size: absent ? 0 : st.size,
      ...ownedOf(owned, name),
    });
  }
  for (const name of timestamped(dir).reverse()) {
    const file = path.join(dir, name);
    out.push({
      file,
      name,
      at: stampOf(name),
      original: false,
      size: statSync(file).size,
      ...ownedOf(owned, name),
    });
  }
  return out;
}

/** Every target that has backups, as its backups know it (also when state has lost it). */
export async function backedUpTargets(backupsDir: string): Promise<BackupTarget[]> {
  const out: BackupTarget[] = [];
  for (const name of backupFolders(backupsDir)) {
    const index = await readIndex(path.join(backupsDir, name));
    if (index)
      out.push({
        key: index.key,
        env: index.env,
        client: index.client,
        scope: index.scope,
        path: index.path,
      });
  }
  return out;
}

/** The folders of `backups/`, one per target. */
function backupFolders(backupsDir: string): string[] {
  try {
    return readdirSync(backupsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/**
 * A target's `target.json`, validated; undefined when there is none (yet).
 *
 * The two JSON files are records of what the user had, so they are validated when read: one that
 * does not parse or holds a malformed record is an error (exit 2) at its line and column that says
 * how to recover — never read as empty, which the next save would make permanent.
 */
async function readIndex(dir: string): Promise<TargetIndex | undefined> {
  const file = path.join(dir, INDEX);
  const text = await readTextOrNull(file);
  if (text === null) return undefined;
  const data = (await parseChecked(file, text, {
    what: "backup index",
    code: "backups-corrupt",
    mark: false,
    recover: indexRecovery,
    validate: async (d) => {
      const { firstIssue, backupIndexSchema } = await import("../system/stored-schemas.js");
      return firstIssue(backupIndexSchema, d);
    },
  })) as TargetIndex;
  newerCheck(file, data.version);
  return { ...data, owned: dict(data.owned), ...(data.edited ? { edited: dict(data.edited) } : {}) };
}

/** What to do about a `target.json` that does not load (nothing was changed). */
function indexRecovery(file: string): string {
  return `Nothing was changed. Fix it at that position, or move it aside (rename it to ${path.basename(file)}.broken, in the same folder): the backups beside it stay (\`mcp-twin restore --list\`), but which entries mcp-twin owned in each of them is then forgotten, so \`restore --from\` one of them puts back only the entries mcp-twin owns now.`;
}

/** What to do about a `hand-written.json` that does not load (nothing was changed). */
function handWrittenRecovery(file: string): string {
  return `Nothing was changed. This file keeps the entries you wrote by hand before mcp-twin adopted them, so \`mcp-twin uninstall\` can give them back (it may hold keys: keep a copy). Fix it at that position, or move it aside (rename it to ${path.basename(file)}.broken, in the same folder): uninstall then leaves those entries as mcp-twin wrote them.`;
}

function newerCheck(file: string, version: number | undefined): void {
  if (version !== undefined && version > BOOKKEEPING_VERSION)
    throw new UsageError(
      "backups-newer",
      `${file}: written by a newer mcp-twin (version ${version}; this one knows ${BOOKKEEPING_VERSION}).`,
      { location: { file }, hint: "Update mcp-twin (npm install -g mcp-twin) on this side too." },
    );
}

async function updateIndex(
  dir: string,
  target: BackupTarget,
  change: (owned: Record<string, string[]>, edited: Record<string, Record<string, string>>) => void,
): Promise<void> {
  const was = await readIndex(dir);
  const owned = dict(was?.owned ?? {});
  const edited = dict(was?.edited ?? {});
  change(owned, edited);
  const index: TargetIndex = {
    version: BOOKKEEPING_VERSION,
    key: target.key,
    env: target.env,
    client: target.client,
    scope: target.scope,
    path: target.path,
    owned,
    ...(Object.keys(edited).length > 0 ? { edited } : {}),
  };
  await writePrivateFile(path.join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
}

/**
 * Keep what mcp-twin just wrote to the target (`text`; null: it removed the file, and the note goes
 * too), with the write's time.
 */
export async function noteWritten(
  backupsDir: string,
  key: string,
  text: string | null,
  now: Date,
): Promise<void> {
  const file = path.join(backupsDir, targetSlug(key), LAST_WRITTEN);
  if (text === null) return removePath(file);
  await writePrivateFile(file, text);
  // The time only orders backups of the same second: the content is written.
  await setFileTime(file, now).catch(() => {});
}

/**
 * What mcp-twin last wrote to the target, as a backup to put back whole; undefined when no write
 * of this version was noted, or a backup was taken since (a write that did not finish: a power
 * cut mid-copy leaves that backup the newer good state).
 */
export async function lastWritten(backupsDir: string, key: string): Promise<BackupInfo | undefined> {
  const dir = path.join(backupsDir, targetSlug(key));
  const file = path.join(dir, LAST_WRITTEN);
  if (!exists(file)) return undefined;
  const st = statSync(file);
  const at = st.mtime.toISOString();
  const newest = timestamped(dir).at(-1);
  if (newest && stampOf(newest) > at) return undefined;
  return {
    file,
    name: `${LAST_WRITTEN} (what mcp-twin last wrote, ${at})`,
    at,
    original: false,
    size: st.size,
  };
}

/** What a file that does not parse can be put back from: its backups, and what mcp-twin last wrote. */
export async function repairSources(backupsDir: string, key: string): Promise<BackupInfo[]> {
  const written = await lastWritten(backupsDir, key);
  return [...(await listBackups(backupsDir, key)), ...(written ? [written] : [])];
}

/** A backup's text (losslessly decoded); "" for `original.none`. */
export async function readBackup(info: BackupInfo): Promise<string | null> {
  if (info.absent) return null;
  return readTextOrNull(info.file);
}

/** Entries mcp-twin took over from the user, as they were written by hand (validated). */
export async function loadHandWritten(backupsDir: string, key: string): Promise<Record<string, unknown>> {
  return readHandWritten(path.join(backupsDir, targetSlug(key)));
}

async function readHandWritten(dir: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, HAND_WRITTEN);
  const text = await readTextOrNull(file);
  if (text === null) return dict();
  const data = (await parseChecked(file, text, {
    what: "hand-written entries file",
    code: "backups-corrupt",
    mark: false,
    recover: handWrittenRecovery,
    validate: async (d) => {
      const { firstIssue, handWrittenSchema } = await import("../system/stored-schemas.js");
      return firstIssue(handWrittenSchema, d);
    },
  })) as { version?: number; entries: Record<string, unknown> };
  newerCheck(file, data.version);
  return dict(data.entries);
}

/**
 * The backup bookkeeping of these targets, loaded as a run that writes them will load it: the
 * problems (exit 2), found before anything is written.
 */
export async function backupProblems(backupsDir: string, keys: Iterable<string>): Promise<UsageError[]> {
  const problems: UsageError[] = [];
  for (const slug of new Set([...keys].map(targetSlug)))
    problems.push(...(await folderProblems(path.join(backupsDir, slug))));
  return problems;
}

/** Every target folder of `backups/`, checked (doctor): how many, and the problems found. */
export async function checkAllBackups(
  backupsDir: string,
): Promise<{ folders: number; problems: UsageError[] }> {
  const folders = backupFolders(backupsDir);
  const problems: UsageError[] = [];
  for (const name of folders) problems.push(...(await folderProblems(path.join(backupsDir, name))));
  return { folders: folders.length, problems };
}

async function folderProblems(dir: string): Promise<UsageError[]> {
  const problems: UsageError[] = [];
  for (const load of [readIndex, readHandWritten])
    try {
      await load(dir);
    } catch (error) {
      if (error instanceof UsageError) problems.push(error);
      else throw error;
    }
  return problems;
}

/** Add (or, with `undefined`, drop) hand-written entries of a target. */
export async function saveHandWritten(
  backupsDir: string,
  target: BackupTarget,
  changes: Record<string, unknown>,
): Promise<void> {
  // A file that does not load stops here (exit 2): saving over it would lose what it holds.
  const entries = await loadHandWritten(backupsDir, target.key);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete entries[name];
    else entries[name] = value;
  }
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (!(await readIndex(dir))) await updateIndex(dir, target, () => {});
  await writePrivateFile(
    path.join(dir, HAND_WRITTEN),
    `${JSON.stringify({ version: 1, entries }, null, 2)}\n`,
  );
}

/** Timestamped backups, oldest first (`<time>-2.bak` after `<time>-1.bak` after `<time>.bak`). */
function timestamped(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".bak") && n !== ORIGINAL);
  } catch {
    return [];
  }
  const key = (n: string) => {
    const m = /^(.*?)(?:-(\d+))?\.bak$/.exec(n);
    return { stamp: m?.[1] ?? n, n: Number(m?.[2] ?? 0) };
  };
  return names.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka.stamp < kb.stamp ? -1 : ka.stamp > kb.stamp ? 1 : ka.n - kb.n;
  });
}

/** `2026-01-02T03-04-05-678Z(-n).bak` → the ISO time it stands for. */
function stampOf(name: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(name);
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z` : name;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
