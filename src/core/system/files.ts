/**
 * The only writer: private files atomically with mode 0600, client configs by a compare-and-swap
 * rename that recomputes our edit when the app rewrote the file meanwhile.
 */
import { randomBytes } from "node:crypto";
import fs, { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
import { OperationError, UsageError } from "../errors.js";
import { decodeLossless, encodeLossless } from "../text/lossless-text.js";
import { noteFileChange } from "./journal.js";
import { isAlive } from "./process-alive.js";

/** A file's text, losslessly decoded (bytes that are not UTF-8 survive a write back); null when absent. */
export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return decodeLossless(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** A file opened to read only: the caller reads it through the handle and closes it. */
export function openForReading(file: string): Promise<fs.promises.FileHandle> {
  return fs.promises.open(file, "r");
}

/**
 * Write a file only we read (state, secrets, cache, backups): atomic, mode 0600, folders 0700.
 * `cache`: a file kept only for speed (an interrupted run names it as "mcp-twin's cache").
 */
export async function writePrivateFile(
  file: string,
  data: string,
  options: { cache?: boolean } = {},
): Promise<void> {
  const owner = await makeFolder(path.dirname(file), 0o700);
  const { default: writeFileAtomic } = await import("write-file-atomic");
  // An existing file keeps its owner (write-file-atomic copies it); a new one takes its folder's.
  const fresh = owner && !(await pathExists(file)) ? { chown: owner } : {};
  await writeFileAtomic(file, encodeLossless(data), { mode: 0o600, ...fresh });
  noteFileChange(file, options.cache);
}

/**
 * mkdir -p, and who new files in the folder should belong to. Run as root (sudo keeping HOME),
 * what mcp-twin creates in a user's folders must stay the user's, or the user's own runs (and
 * apps) can no longer read them: new folders and files take the owner of the nearest existing
 * folder. Undefined when not root, or when that folder is root's.
 */
export async function makeFolder(
  dir: string,
  mode?: number,
): Promise<{ uid: number; gid: number } | undefined> {
  const first = await fs.promises.mkdir(dir, { recursive: true, ...(mode ? { mode } : {}) });
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const parent = statSync(first ? path.dirname(first) : dir);
  if (parent.uid === 0 && parent.gid === 0) return undefined;
  const owner = { uid: parent.uid, gid: parent.gid };
  if (first) {
    // Every folder mkdir made, from the first one down to `dir`.
    for (let d = dir; ; d = path.dirname(d)) {
      // Not root's to give away (or no such account): the folder stays the caller's, as mkdir made it.
      await fs.promises.chown(d, owner.uid, owner.gid).catch(() => {});
      if (d === first || path.dirname(d) === d) break;
    }
  }
  return owner;
}

/**
 * A folder only its owner may enter (0700) — also when it existed before with a wider mode, since
 * it holds a token or a store that must not be readable by other users.
 */
export async function makePrivateFolder(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir made it 0700; a file system without modes (drvfs) refuses chmod and shows every mode.
  await fs.promises.chmod(dir, 0o700).catch(() => {});
}

/**
 * Open a log file for appending (created 0600), first moving it to `<file>.1` once it passed
 * `rotateAt` bytes, so a long-lived process's log cannot grow without bound. The caller hands the
 * descriptor to a child process (which keeps its own copy) and then closes it with `closeLog`.
 */
export function openLogForAppend(file: string, rotateAt: number): number {
  try {
    if (statSync(file).size > rotateAt) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  return fs.openSync(file, "a", 0o600);
}

export function closeLog(fd: number): void {
  fs.closeSync(fd);
}

/**
 * Rotate a log that a running process holds open for appending (its stderr): copied to `<file>.1`
 * (the one before it is dropped, mode 0600), then emptied in place. A rename would leave the
 * process writing into `.1`; emptied, its appends (O_APPEND) start again at the top of `file`.
 */
export function rotateLogInPlace(file: string): void {
  fs.copyFileSync(file, `${file}.1`);
  fs.chmodSync(`${file}.1`, 0o600);
  fs.truncateSync(file, 0);
}

/**
 * Append `text` to a log kept under `capBytes` (created 0600, its folder 0700): when what it holds
 * and `text` would pass the cap, it is first moved to `<file>.1` (the one before it is dropped), so
 * the two never hold more than twice the cap. `text` itself is at most the cap (its end is kept).
 */
export async function appendCappedLog(file: string, text: string, capBytes: number): Promise<void> {
  let data = Buffer.from(text, "utf8");
  if (data.length > capBytes) data = data.subarray(data.length - capBytes);
  const size = await fs.promises.stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) await makeFolder(path.dirname(file), 0o700);
  else if (size > 0 && size + data.length > capBytes) await fs.promises.rename(file, `${file}.1`);
  await fs.promises.appendFile(file, data, { mode: 0o600 });
}

/** What writing `file` will really touch. */
export interface FileFacts {
  /** The file that is really replaced: `file` itself, or where its symlink(s) lead. */
  real: string;
  symlink: boolean;
  exists: boolean;
  /** Permission bits, owner and group of the real file (when it exists). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** How many names (hard links) the real file has. */
  nlink?: number;
}

/** Follow `file`'s symlinks (a dangling one too: a write creates the file it points to). */
export function inspectFile(file: string): FileFacts {
  let current = file;
  let symlink = false;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) break;
      link = readlinkSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return { real: current, symlink, exists: false };
      throw error;
    }
    symlink = true;
    current = path.resolve(path.dirname(current), link);
    if (hops === 39)
      throw new OperationError("symlink-loop", `${file}: too many levels of symbolic links.`, {
        hint: "Fix the link by hand.",
      });
  }
  try {
    const st = statSync(current);
    return {
      real: current,
      symlink,
      exists: true,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      nlink: st.nlink,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { real: current, symlink, exists: false };
    throw error;
  }
}

/** No write bit at all (chmod a-w, or Windows' read-only attribute). */
export function isReadOnly(facts: FileFacts): boolean {
  return facts.exists && facts.mode !== undefined && (facts.mode & 0o222) === 0;
}

export interface ReplaceResult {
  written: boolean;
  /** The bytes the file held right before our rename (what we merged into). */
  before: string | null;
  after: string | null;
}

const TEMP_MARK = ".mcp-twin-";

/**
 * Atomically replace `file` with `compute(current)`. `compute` returns null to leave the file alone.
 * The current text is read again after the temp file is written; if it changed, compute runs again.
 * A symlink is followed (the file it points to is replaced); owner, group and mode are kept; a
 * read-only file is refused unless `force`.
 *
 * Claude Code rewrites ~/.claude.json constantly, so the file is read again just before the rename
 * and our edit recomputed on the fresh text instead of overwriting it. No library offers that hook,
 * hence the hand-written temp-file + rename here.
 *
 * Writing a file keeps what it is: a symlink stays a symlink (the file it points to is replaced),
 * a file with several hard links stays one file under all its names (written in place, see
 * writeInPlace), owner, group and mode stay (also when run as root), bytes that are not valid
 * UTF-8 stay exactly (see core/text/lossless-text.ts), and a read-only file is refused unless forced.
 */
export async function replaceFile(
  file: string,
  compute: (current: string | null) => string | null,
  options: {
    newFileMode?: number;
    beforeRename?: (current: string | null) => Promise<void>;
    force?: boolean;
  } = {},
): Promise<ReplaceResult> {
  const folderOwner = await makeFolder(path.dirname(file));
  const real = inspectFile(file).real;
  const dir = path.dirname(real);
  let current = await readTextOrNull(real);
  for (let attempt = 0; attempt < 8; attempt++) {
    const next = compute(current);
    if (next === null || next === current) return { written: false, before: current, after: current };
    const facts = inspectFile(real);
    if (isReadOnly(facts) && !options.force) throw readOnlyError(file);
    const temp = path.join(
      dir,
      `.${path.basename(real)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
    );
    try {
      await writeAndSync(temp, encodeLossless(next), {
        mode: facts.mode ?? options.newFileMode ?? 0o600,
        ...(facts.exists && facts.uid !== undefined && facts.gid !== undefined
          ? { uid: facts.uid, gid: facts.gid }
          : (folderOwner ?? {})),
      });
      const again = await readTextOrNull(real);
      if (again !== current) {
        // The app wrote the file while we prepared ours: merge into its version instead.
        current = again;
        // A temp file left behind is removed by the next write's sweep (sweepTemps).
        await fs.promises.unlink(temp).catch(() => {});
        continue;
      }
      await options.beforeRename?.(current);
      if ((facts.nlink ?? 1) > 1) {
        // Hard links: a rename would give this name a new file and leave the others on the old
        // one. The file is written in place instead — from the full, synced temp copy.
        await writeInPlace(real, await fs.promises.readFile(temp), { force: options.force === true });
        noteFileChange(file);
        // A temp file left behind is removed by the next write's sweep (sweepTemps).
        await fs.promises.unlink(temp).catch(() => {});
        return { written: true, before: current, after: next };
      }
      await renameWithRetry(temp, real);
      noteFileChange(file);
      await syncDir(dir);
      return { written: true, before: current, after: next };
    } catch (error) {
      // The write's own error is thrown below; a temp file left is swept next time.
      await fs.promises.unlink(temp).catch(() => {});
      throw error;
    }
  }
  throw new OperationError("write-contended", `${file} kept changing while mcp-twin tried to update it.`, {
    hint: "Close the app that keeps rewriting it, then run the command again.",
  });
}

/**
 * Write `data` into the file itself (same inode: every hard link sees it; owner and mode stay).
 * Not atomic like a rename, so it is made as safe as it can be: the content comes from a temp copy
 * already written and synced in full (a full disk fails there, not here); a file that grows gets
 * its new tail first, and if that fails it is cut back, leaving the old bytes as they were; then
 * the rest is overwritten, synced, and read back. A crash in the middle of that last step can leave
 * the file torn — the backup mcp-twin kept just before (`mcp-twin restore <file>`) repairs it.
 */
async function writeInPlace(file: string, data: Buffer, options: { force: boolean }): Promise<void> {
  const before = statSync(file);
  // A read-only file (--force): writable for the write, read-only again after.
  const unlock = (before.mode & 0o200) === 0 && options.force;
  if (unlock) await fs.promises.chmod(file, (before.mode & 0o7777) | 0o200);
  try {
    const handle = await fs.promises.open(file, "r+");
    try {
      const oldSize = (await handle.stat()).size;
      if (data.length > oldSize) {
        try {
          await writeAll(handle, data.subarray(oldSize), oldSize);
          await handle.sync();
        } catch (error) {
          // The write's own error is thrown below; a truncate that fails leaves what was written.
          await handle.truncate(oldSize).catch(() => {});
          throw error;
        }
      }
      await writeAll(handle, data.subarray(0, Math.min(data.length, oldSize)), 0);
      await handle.truncate(data.length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } finally {
    // The content is written; a mode not put back leaves the file writable, which loses nothing.
    if (unlock) await fs.promises.chmod(file, before.mode & 0o7777).catch(() => {});
  }
  if (!readFileSync(file).equals(data))
    throw new OperationError("write-verify", `${file} does not hold what mcp-twin wrote into it.`, {
      hint: `Its previous bytes are in mcp-twin's backups: \`mcp-twin restore '${file}'\` puts them back.`,
    });
}

async function writeAll(handle: fs.promises.FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

export function readOnlyError(file: string): UsageError {
  return new UsageError("read-only", `${file} is read-only; mcp-twin will not change it.`, {
    location: { file },
    hint: `Make it writable (chmod u+w '${file}') if you want mcp-twin to edit it, or pass --force to edit it anyway (it stays read-only).`,
  });
}

async function writeAndSync(
  file: string,
  data: Buffer,
  keep: { mode: number; uid?: number; gid?: number },
): Promise<void> {
  const handle = await fs.promises.open(file, "wx", keep.mode);
  try {
    await handle.writeFile(data);
    // DrvFs (/mnt/c) ignores modes without the metadata option; chmod failing there is fine.
    await handle.chmod(keep.mode).catch(() => {});
    if (keep.uid !== undefined && keep.gid !== undefined) await keepOwner(handle, keep.uid, keep.gid);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The new file must belong to whoever owned the old one: a sync run as root (sudo keeping HOME)
 * must not leave the user's config root:root. Where the file system fixes ownership itself
 * (DrvFs), chown may fail and the owner is already right; otherwise a failure stops the write.
 */
async function keepOwner(handle: fs.promises.FileHandle, uid: number, gid: number): Promise<void> {
  const mine = await handle.stat();
  if (mine.uid === uid && mine.gid === gid) return;
  try {
    await handle.chown(uid, gid);
  } catch (error) {
    const now = await handle.stat();
    if (now.uid === uid && now.gid === gid) return;
    throw new OperationError(
      "owner",
      `mcp-twin cannot keep the file's owner (uid ${uid}, gid ${gid}): ${(error as Error).message}.`,
      { hint: "Run mcp-twin as the user who owns the file." },
    );
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // On Windows an antivirus or the app may hold the file for a moment (EPERM/EBUSY/EACCES).
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.promises.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 10 || !(code === "EPERM" || code === "EBUSY" || code === "EACCES")) throw error;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.promises.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every file system lets a directory be fsynced (DrvFs, Windows); the rename is still atomic.
  }
}

/**
 * Remove temp files left beside `file` by a run that was killed. Called with the home lock held,
 * so no other mcp-twin run (on this side or the other) can be writing one now.
 */
export async function removeStaleTemps(file: string): Promise<void> {
  const real = inspectFile(file).real;
  const dir = path.dirname(real);
  const prefix = `.${path.basename(real)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp") || name.startsWith(`${prefix}${process.pid}-`))
      continue;
    // A stale temp file that will not go is tried again at the next write here.
    await fs.promises.rm(path.join(dir, name), { force: true }).catch(() => {});
  }
}

/**
 * Create a private file (mode 0600, folders 0700) only when none exists, exclusively against other
 * processes doing the same at once: a temp file hard-linked into place. False when the file
 * existed already (it is left as it is). Where hard links are refused (some network file
 * systems) it falls back to a plain atomic write.
 */
export async function createPrivateFileOnce(file: string, data: string): Promise<boolean> {
  await makeFolder(path.dirname(file), 0o700);
  const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  await fs.promises.writeFile(temp, data, { mode: 0o600 });
  // The file is made 0600 by writeFile; a file system without modes refuses chmod.
  await fs.promises.chmod(temp, 0o600).catch(() => {});
  try {
    await fs.promises.link(temp, file);
    noteFileChange(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "EPERM" || code === "ENOTSUP" || code === "EXDEV") {
      await writePrivateFile(file, data);
      return true;
    }
    throw error;
  } finally {
    // Renamed into place already, or the error above is thrown: nothing to remove.
    await fs.promises.unlink(temp).catch(() => {});
  }
}

/** Remove a file (or, with `recursive`, a folder and what it holds); one that is gone already is fine. */
export async function removePath(file: string, options: { recursive?: boolean } = {}): Promise<void> {
  const there = await pathExists(file);
  await fs.promises.rm(file, { force: true, recursive: Boolean(options.recursive) });
  if (there) noteFileChange(file);
}

/** `removePath` for code that must stay synchronous (pruning a cache folder while reading it). */
export function removePathSync(file: string, options: { cache?: boolean } = {}): void {
  const there = fs.existsSync(file);
  fs.rmSync(file, { force: true });
  if (there) noteFileChange(file, options.cache);
}

/** When a file was last modified (ms since the epoch, the wall clock file times use); undefined when absent or unreadable. */
export function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  } catch {
    return undefined; // a folder we may not read: nothing it says counts
  }
}

/** Set a file's access and modification times (a backup's time says when it was taken). */
export async function setFileTime(file: string, time: Date): Promise<void> {
  await fs.promises.utimes(file, time, time);
}

/**
 * A file another program reads to start mcp-twin at logon (a systemd unit, a launchd agent, a
 * scheduled task's definition): written atomically, its folder created, readable by that program.
 */
export async function writeServiceFile(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  await makeFolder(path.dirname(file));
  const { default: writeFileAtomic } = await import("write-file-atomic");
  await writeFileAtomic(file, typeof data === "string" ? encodeLossless(data) : data, { mode });
  noteFileChange(file);
}

/**
 * A file that only helps (the JSON Schema beside a manifest, for editors): written plainly with
 * the default mode, its folder created; with `onlyIfMissing` an existing one is left. Returns
 * false instead of throwing: nothing depends on it.
 */
export async function writeHelperFile(
  file: string,
  data: string,
  options: { onlyIfMissing?: boolean } = {},
): Promise<boolean> {
  try {
    if (options.onlyIfMissing && (await pathExists(file))) return false;
    await makeFolder(path.dirname(file));
    await fs.promises.writeFile(file, data);
    noteFileChange(file);
    return true;
  } catch {
    return false;
  }
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    return statSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Run `fn` holding the home's lock, so two mcp-twin runs (from WSL and PowerShell, say) cannot
 * interleave. The lock is a folder whose mtime is refreshed while held, so a lock left by a killed
 * run goes stale after a few seconds; one left by a dead process of this same machine (same boot,
 * same environment, pid gone) is taken over at once. `name`: another lock in the same folder (a
 * login's refresh takes one of its own, so relays never wait for a sync).
 */
export async function withLock<T>(
  home: string,
  fn: () => Promise<T>,
  options: { waitMs?: number; name?: string; onWait?: () => void } = {},
): Promise<T> {
  await fs.promises.mkdir(home, { recursive: true });
  const lockDir = path.join(home, options.name ?? "sync.lock");
  // Who holds it, beside the lock (proper-lockfile removes the lock folder with rmdir: it must stay empty).
  const ownerFile = `${lockDir}.owner`;
  const waitMs = options.waitMs ?? 60_000;
  await breakDeadLock(lockDir, ownerFile);
  const { default: lockfile } = await import("proper-lockfile");
  const lock = (retries: number) =>
    lockfile.lock(lockDir, {
      lockfilePath: lockDir,
      realpath: false,
      stale: 5_000,
      update: 1_000,
      retries: { retries, factor: 1, minTimeout: 200, maxTimeout: 200 },
      onCompromised: () => {
        // Another run took over a lock it judged stale; our writes are still compare-and-swap.
      },
    });
  const retries = Math.ceil(waitMs / 200);
  const { onWait } = options;
  let release: () => Promise<void>;
  try {
    // `onWait`: told once when the lock is taken, before waiting for it.
    release = onWait
      ? await lock(0).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException)?.code !== "ELOCKED") throw error;
          onWait();
          return lock(retries);
        })
      : await lock(retries);
  } catch (error) {
    throw new OperationError(
      "locked",
      `Another mcp-twin run is using ${options.name ? lockDir : home} (its lock did not free up in ${Math.round(waitMs / 1000)} s).`,
      {
        hint: "Wait for the other run to finish and try again.",
        cause: error,
      },
    );
  }
  // The owner file only names the holder in a message to whoever waits for the lock.
  await fs.promises.writeFile(ownerFile, JSON.stringify(await lockOwner())).catch(() => {});
  // A process that ends while holding the lock (its work never settled) leaves no owner file
  // behind; proper-lockfile removes the lock folder itself on exit.
  const onExit = () => fs.rmSync(ownerFile, { force: true });
  process.once("exit", onExit);
  try {
    return await fn();
  } finally {
    process.off("exit", onExit);
    // The lock is released below; an owner file left names a process that no longer holds it.
    await fs.promises.rm(ownerFile, { force: true }).catch(() => {});
    await release().catch(() => {});
  }
}

/** This process as a lock's owner file names it: its pid, and which machine and boot it runs on. */
export function thisProcess(): Promise<{ pid: number; boot: string }> {
  return lockOwner();
}

/**
 * Whether the process an owner record names (`thisProcess()` written down) still runs: undefined
 * when it ran on another machine or boot (Windows and WSL share a home), where no one can tell.
 */
export async function ownerAlive(owner: { pid?: unknown; boot?: unknown }): Promise<boolean | undefined> {
  if (typeof owner.boot !== "string" || !Number.isSafeInteger(owner.pid) || (owner.pid as number) <= 0)
    return undefined;
  if (owner.boot !== (await lockOwner()).boot) return undefined;
  return isAlive(owner.pid as number);
}

/** The pid of the live process of this machine that holds `withLock(home)`, if any. */
export async function lockHolder(home: string): Promise<number | undefined> {
  const lockDir = path.join(home, "sync.lock");
  let owner: LockOwner;
  try {
    if (!fs.statSync(lockDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
    owner = JSON.parse(readFileSync(`${lockDir}.owner`, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(owner.pid) || owner.boot !== (await lockOwner()).boot) return undefined;
  return isAlive(owner.pid) ? owner.pid : undefined;
}

interface LockOwner {
  pid: number;
  boot: string;
}

async function lockOwner(): Promise<LockOwner> {
  // node:os here, not imported: every relay loads this module, never a lock (bench/relay.ts).
  let boot = `${process.getBuiltinModule("node:os").hostname()}/${process.platform}`;
  // Linux only: on Windows "/proc/…" names a folder on the current drive, which differs from one
  // process to the next (and under wine, Z: is Linux's root: the file is there for some of them).
  if (process.platform === "linux")
    try {
      boot += `/${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}`;
    } catch {
      // no boot id: hostname and platform tell this machine's processes apart from WSL's
    }
  return { pid: process.pid, boot };
}

async function breakDeadLock(lockDir: string, ownerFile: string): Promise<void> {
  let owner: Partial<LockOwner> | null;
  try {
    owner = JSON.parse(readFileSync(ownerFile, "utf8")) as Partial<LockOwner> | null;
  } catch {
    return;
  }
  // A damaged owner file proves nothing: the lock is left to go stale on its own.
  const pid = owner?.pid;
  if (typeof owner?.boot !== "string" || typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0)
    return;
  const me = await lockOwner();
  if (owner.boot !== me.boot || pid === me.pid || isAlive(pid)) return;
  await fs.promises.rm(lockDir, { recursive: true, force: true });
  await fs.promises.rm(ownerFile, { force: true });
}
