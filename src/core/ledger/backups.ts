/**
 * Backups of one target, in HOME/backups/<slug>/ (folders 0700, files 0600): the bytes before each
 * change, the original, hand-written entries, and which entries mcp-twin owned; keys sealed out.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { targetSlug } from "../clients/targets.js";
import { UsageError } from "../errors.js";
import { dict, own } from "../plain-records.js";
import { parseChecked } from "../system/checked-json.js";
import { readTextOrNull, removePath, setFileTime, writePrivateFile } from "../system/files.js";
import { type KeyValues, type Sealed, sealKeys, unsealKeys } from "./sealed-keys.js";

const KEEP_BACKUPS = 10;
const ORIGINAL = "original.bak";
const ORIGINAL_NONE = "original.none";
const HAND_WRITTEN = "hand-written.json";
const INDEX = "target.json";
const LAST_WRITTEN = "last-written.txt";
/** 2: a file of the folder may hold sealed keys (sealed-keys.ts), which a version 1 would write out as markers. */
const BOOKKEEPING_VERSION = 2;

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
 *
 * No file holds a key the store knows: each is sealed (ledger/sealed-keys.ts) when written, and
 * put back from the store when read.
 */
export interface BackupTarget {
  key: string;
  env: string;
  client: string;
  scope: string;
  path: string;
}

interface TargetIndex extends BackupTarget {
  version: number;
  /** Backup name → the entries mcp-twin owned in the file when it was taken. */
  owned: Record<string, string[]>;
  /**
   * Backup name → those of them edited by hand then, each with the hash mcp-twin had recorded for
   * it (state.ts handEdits): put back, such an entry is a hand edit again. Absent: none (or a
   * backup of an older version).
   */
  edited?: Record<string, Record<string, string>>;
  /** File name → the keys sealed in it (absent: it holds none). */
  sealed?: Record<string, string[]>;
  /**
   * The keys (their names and the store's change mark) every file here was sealed with or checked
   * against: while they are the same, sealOldBackups reads none of them again.
   */
  checked?: string;
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
  /** The keys sealed in it, put back from the store when it is read. */
  sealed?: string[];
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
    keys: KeyValues;
  },
): Promise<string> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  const sealed = sealKeys(content, await options.keys());
  if (options.firstChange !== false)
    await noteOriginal(backupsDir, target, content, now, options.keys, options.owned);
  const stampText = now.toISOString().replace(/[:.]/g, "-");
  let name = `${stampText}.bak`;
  for (let n = 1; exists(path.join(dir, name)); n++) name = `${stampText}-${n}.bak`;
  // Said sealed before it is written: a sealed file is never read as plain.
  if (sealed) await updateIndex(dir, target, (_owned, _edited, keys) => (keys[name] = sealed.names));
  await writePrivateFile(path.join(dir, name), sealed?.text ?? content);
  const all = timestamped(dir);
  const dropped = all.slice(0, Math.max(0, all.length - (options.keep ?? KEEP_BACKUPS)));
  for (const old of dropped) await removePath(path.join(dir, old));
  await updateIndex(dir, target, (owned, edited, keys) => {
    owned[name] = [...options.owned];
    if (options.edited && Object.keys(options.edited).length > 0) edited[name] = { ...options.edited };
    if (sealed) keys[name] = sealed.names;
    for (const old of dropped) {
      delete owned[old];
      delete edited[old];
      delete keys[old];
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
  keys: KeyValues,
  owned: readonly string[] = [],
): Promise<void> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (exists(path.join(dir, ORIGINAL)) || exists(path.join(dir, ORIGINAL_NONE))) return;
  if (timestamped(dir).length > 0) return;
  const name = content === null ? ORIGINAL_NONE : ORIGINAL;
  const file = path.join(dir, name);
  const sealed = content === null ? undefined : sealKeys(content, await keys());
  // Said sealed before it is written: a sealed file is never read as plain.
  if (sealed) await updateIndex(dir, target, (_owned, _edited, keys) => (keys[name] = sealed.names));
  await writePrivateFile(file, sealed?.text ?? content ?? "");
  // The file's time says when it was taken.
  await setFileTime(file, now).catch(() => {});
  await updateIndex(dir, target, (index, _edited, sealedIn) => {
    index[name] = [...owned];
    if (sealed) sealedIn[name] = sealed.names;
  });
}

/** The original first, then the timestamped backups, newest first. */
/** `{ owned, edited, sealed }` as the bookkeeping says them of this backup. */
function ownedOf(
  index: TargetIndex | undefined,
  name: string,
): Pick<BackupInfo, "owned" | "edited" | "sealed"> {
  const owned = index ? own(index.owned, name) : undefined;
  const edited = index?.edited ? own(index.edited, name) : undefined;
  const sealed = index?.sealed ? own(index.sealed, name) : undefined;
  return {
    ...(owned ? { owned } : {}),
    ...(edited ? { edited: dict(edited) } : {}),
    ...(sealed ? { sealed } : {}),
  };
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
  return {
    ...data,
    owned: dict(data.owned),
    ...(data.edited ? { edited: dict(data.edited) } : {}),
    ...(data.sealed ? { sealed: dict(data.sealed) } : {}),
    ...(typeof data.checked === "string" ? { checked: data.checked } : {}),
  };
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
  change: (
    owned: Record<string, string[]>,
    edited: Record<string, Record<string, string>>,
    sealed: Record<string, string[]>,
  ) => void,
  checked?: string,
): Promise<void> {
  const was = await readIndex(dir);
  // Kept across writes: a file written now is sealed with the keys of this run, and keys that
  // changed since the mark make the mark differ anyway.
  const mark = checked ?? was?.checked;
  const owned = dict(was?.owned ?? {});
  const edited = dict(was?.edited ?? {});
  const sealed = dict(was?.sealed ?? {});
  change(owned, edited, sealed);
  const anySealed = Object.keys(sealed).length > 0;
  const index: TargetIndex = {
    // Version 1 while nothing is sealed: an older mcp-twin still reads the folder.
    version: anySealed ? BOOKKEEPING_VERSION : 1,
    key: target.key,
    env: target.env,
    client: target.client,
    scope: target.scope,
    path: target.path,
    owned,
    ...(Object.keys(edited).length > 0 ? { edited } : {}),
    ...(anySealed ? { sealed } : {}),
    ...(mark ? { checked: mark } : {}),
  };
  await writePrivateFile(path.join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
}

/**
 * Keep what mcp-twin just wrote to the target (`text`; null: it removed the file, and the note goes
 * too), with the write's time.
 */
export async function noteWritten(
  backupsDir: string,
  target: BackupTarget,
  text: string | null,
  now: Date,
  keys: KeyValues,
): Promise<void> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  const file = path.join(dir, LAST_WRITTEN);
  const sealed = text === null ? undefined : sealKeys(text, await keys());
  const was = (await readIndex(dir))?.sealed;
  if (sealed || (was && Object.hasOwn(was, LAST_WRITTEN)))
    await updateIndex(dir, target, (_owned, _edited, sealedIn) => {
      if (sealed) sealedIn[LAST_WRITTEN] = sealed.names;
      else delete sealedIn[LAST_WRITTEN];
    });
  if (text === null) return removePath(file);
  await writePrivateFile(file, sealed?.text ?? text);
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
  const sealed = (await readIndex(dir))?.sealed;
  const names = sealed ? own(sealed, LAST_WRITTEN) : undefined;
  return {
    file,
    name: `${LAST_WRITTEN} (what mcp-twin last wrote, ${at})`,
    at,
    original: false,
    size: st.size,
    ...(names ? { sealed: names } : {}),
  };
}

/** What a file that does not parse can be put back from: its backups, and what mcp-twin last wrote. */
export async function repairSources(backupsDir: string, key: string): Promise<BackupInfo[]> {
  const written = await lastWritten(backupsDir, key);
  return [...(await listBackups(backupsDir, key)), ...(written ? [written] : [])];
}

/**
 * A backup's text (losslessly decoded), its keys put back from the store; null for
 * `original.none`. A key the store no longer has stays a `${secret:NAME}` reference, its name
 * added to `missing`.
 */
export async function readBackup(
  info: BackupInfo,
  keys: KeyValues,
  missing: string[] = [],
): Promise<string | null> {
  if (info.absent) return null;
  const text = await readTextOrNull(info.file);
  if (text === null || !info.sealed) return text;
  const open = unsealKeys(text, await keys());
  missing.push(...open.missing);
  return open.text;
}

/** Entries mcp-twin took over from the user, as they were written by hand (validated), their keys put back. */
export async function loadHandWritten(
  backupsDir: string,
  key: string,
  keys: KeyValues,
  missing: string[] = [],
): Promise<Record<string, unknown>> {
  return readHandWritten(path.join(backupsDir, targetSlug(key)), keys, missing);
}

async function readHandWritten(
  dir: string,
  keys?: KeyValues,
  missing: string[] = [],
): Promise<Record<string, unknown>> {
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
  // Version 2: keys are sealed in its strings (the markers parse as they are: a check needs no keys).
  if (data.version === 2 && keys) {
    const open = unsealKeys(text, await keys());
    missing.push(...open.missing);
    return dict((JSON.parse(open.text) as typeof data).entries);
  }
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
  for (const load of [readIndex, (d: string) => readHandWritten(d)])
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
  keys: KeyValues,
): Promise<void> {
  // A file that does not load stops here (exit 2): saving over it would lose what it holds.
  const entries = await loadHandWritten(backupsDir, target.key, keys);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete entries[name];
    else entries[name] = value;
  }
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (!(await readIndex(dir))) await updateIndex(dir, target, () => {});
  const text = `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;
  const sealed = sealKeys(text, await keys());
  await writePrivateFile(
    path.join(dir, HAND_WRITTEN),
    sealed ? sealed.text.replace(/^\{\n {2}"version": 1,/, '{\n  "version": 2,') : text,
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

/**
 * Seal the keys out of every backup an older mcp-twin (or a run before a key was stored) left
 * holding them: each file not sealed yet is read, and written again sealed, with its time, when it
 * holds a key the store knows. After a sync that wrote: a no-op run reads none of them. A folder
 * is marked with the keys it was checked against (`changeMark`: keysChangeMark), and read again
 * only when they changed.
 */
export async function sealOldBackups(backupsDir: string, keys: KeyValues, changeMark: string): Promise<void> {
  const known = await keys();
  if (Object.keys(known).length === 0) return;
  const checked = `${changeMark} ${Object.keys(known).sort().join(",")}`;
  for (const folder of backupFolders(backupsDir)) {
    const dir = path.join(backupsDir, folder);
    // A folder whose index does not load is left as it is: doctor's backups.file names it.
    const index = await readIndex(dir).catch(() => undefined);
    if (!index || index.checked === checked) continue;
    const found: Array<[string, Sealed]> = [];
    for (const name of [ORIGINAL, ...timestamped(dir), LAST_WRITTEN]) {
      if (index.sealed && Object.hasOwn(index.sealed, name)) continue;
      const text = await readTextOrNull(path.join(dir, name));
      const sealed = text === null ? undefined : sealKeys(text, known);
      if (sealed) found.push([name, sealed]);
    }
    // The index first: a run stopped in between leaves a plain file said sealed (read as it is),
    // never a sealed one read as plain.
    if (found.length > 0)
      await updateIndex(dir, index, (_owned, _edited, sealedIn) => {
        for (const [name, sealed] of found) sealedIn[name] = sealed.names;
      });
    for (const [name, sealed] of found) {
      const file = path.join(dir, name);
      const { mtime } = statSync(file);
      await writePrivateFile(file, sealed.text);
      // Its time says when it was taken: a file system that cannot set it leaves it newer.
      await setFileTime(file, mtime).catch(() => {});
    }
    const hand = await readTextOrNull(path.join(dir, HAND_WRITTEN));
    if (hand !== null && !/^\{\n {2}"version": 2,/.test(hand) && sealKeys(hand, known))
      await saveHandWritten(backupsDir, index, {}, keys);
    // Marked last: a run stopped before this point reads the folder again next time.
    await updateIndex(dir, index, () => {}, checked);
  }
}
