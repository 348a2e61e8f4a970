/**
 * The only writer. Private files (state, secrets, cache) go through write-file-atomic with mode
 * 0600. Client configs go through `replaceFile`, a compare-and-swap rename: the file is read again
 * just before the rename, and if the app rewrote it meanwhile (Claude Code rewrites ~/.claude.json
 * constantly) our edit is recomputed on the fresh text instead of overwriting it. No library offers
 * that hook, hence the hand-written temp-file + rename here.
 */
import { randomBytes } from "node:crypto";
import fs, { readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OperationError } from "./errors.js";

export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Write a file only we read (state, secrets, cache): atomic, mode 0600, folders created. */
export async function writePrivateFile(file: string, data: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const { default: writeFileAtomic } = await import("write-file-atomic");
  await writeFileAtomic(file, data, { mode: 0o600 });
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
 */
export async function replaceFile(
  file: string,
  compute: (current: string | null) => string | null,
  options: { newFileMode?: number; beforeRename?: (current: string | null) => Promise<void> } = {},
): Promise<ReplaceResult> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  let current = await readTextOrNull(file);
  for (let attempt = 0; attempt < 8; attempt++) {
    const next = compute(current);
    if (next === null || next === current) return { written: false, before: current, after: current };
    const mode = await existingMode(file, options.newFileMode ?? 0o600);
    const temp = path.join(
      dir,
      `.${path.basename(file)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
    );
    try {
      await writeAndSync(temp, next, mode);
      const again = await readTextOrNull(file);
      if (again !== current) {
        // The app wrote the file while we prepared ours: merge into its version instead.
        current = again;
        await fs.promises.unlink(temp).catch(() => {});
        continue;
      }
      await options.beforeRename?.(current);
      await renameWithRetry(temp, file);
      await syncDir(dir);
      return { written: true, before: current, after: next };
    } catch (error) {
      await fs.promises.unlink(temp).catch(() => {});
      throw error;
    }
  }
  throw new OperationError("write-contended", `${file} kept changing while mcp-twin tried to update it.`, {
    hint: "Close the app that keeps rewriting it, then run the command again.",
  });
}

async function existingMode(file: string, fallback: number): Promise<number> {
  try {
    return statSync(file).mode & 0o7777;
  } catch {
    return fallback;
  }
}

async function writeAndSync(file: string, data: string, mode: number): Promise<void> {
  const handle = await fs.promises.open(file, "wx", mode);
  try {
    await handle.writeFile(data, "utf8");
    // DrvFs (/mnt/c) ignores modes without the metadata option; chmod failing there is fine.
    await handle.chmod(mode).catch(() => {});
    await handle.sync();
  } finally {
    await handle.close();
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
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp") || name.startsWith(`${prefix}${process.pid}-`))
      continue;
    await fs.promises.rm(path.join(dir, name), { force: true }).catch(() => {});
  }
}

/** Keep the previous bytes of a target in the home; the newest `keep` per target survive. */
export async function backupFile(
  backupsDir: string,
  key: string,
  content: string,
  now: Date,
  keep = 10,
): Promise<string> {
  const dir = path.join(backupsDir, key);
  const stampText = now.toISOString().replace(/[:.]/g, "-");
  let name = `${stampText}.bak`;
  for (let n = 1; await pathExists(path.join(dir, name)); n++) name = `${stampText}-${n}.bak`;
  await writePrivateFile(path.join(dir, name), content);
  const all = readdirSync(dir)
    .filter((n) => n.endsWith(".bak"))
    .sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    await fs.promises.rm(path.join(dir, old), { force: true });
  return path.join(dir, name);
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run `fn` holding the home's lock, so two mcp-twin runs (from WSL and PowerShell, say) cannot
 * interleave. The lock is a folder whose mtime is refreshed while held, so a lock left by a killed
 * run goes stale after a few seconds; one left by a dead process of this same machine (same boot,
 * same environment, pid gone) is taken over at once.
 */
export async function withLock<T>(
  home: string,
  fn: () => Promise<T>,
  options: { waitMs?: number } = {},
): Promise<T> {
  await fs.promises.mkdir(home, { recursive: true });
  const lockDir = path.join(home, "sync.lock");
  // Who holds it, beside the lock (proper-lockfile removes the lock folder with rmdir: it must stay empty).
  const ownerFile = `${lockDir}.owner`;
  const waitMs = options.waitMs ?? 60_000;
  await breakDeadLock(lockDir, ownerFile);
  const { default: lockfile } = await import("proper-lockfile");
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(home, {
      lockfilePath: lockDir,
      realpath: false,
      stale: 5_000,
      update: 1_000,
      retries: { retries: Math.ceil(waitMs / 200), factor: 1, minTimeout: 200, maxTimeout: 200 },
      onCompromised: () => {
        // Another run took over a lock it judged stale; our writes are still compare-and-swap.
      },
    });
  } catch (error) {
    throw new OperationError(
      "locked",
      `Another mcp-twin run is using ${home} (its lock did not free up in ${Math.round(waitMs / 1000)} s).`,
      {
        hint: "Wait for the other run to finish and try again.",
        cause: error,
      },
    );
  }
  await fs.promises.writeFile(ownerFile, JSON.stringify(await lockOwner())).catch(() => {});
  try {
    return await fn();
  } finally {
    await fs.promises.rm(ownerFile, { force: true }).catch(() => {});
    await release().catch(() => {});
  }
}

interface LockOwner {
  pid: number;
  boot: string;
}

async function lockOwner(): Promise<LockOwner> {
  let boot = `${os.hostname()}/${process.platform}`;
  try {
    boot += `/${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}`;
  } catch {
    // not Linux: hostname and platform tell this machine's processes apart from WSL's
  }
  return { pid: process.pid, boot };
}

async function breakDeadLock(lockDir: string, ownerFile: string): Promise<void> {
  let owner: LockOwner;
  try {
    owner = JSON.parse(readFileSync(ownerFile, "utf8")) as LockOwner;
  } catch {
    return;
  }
  const me = await lockOwner();
  if (owner.boot !== me.boot || owner.pid === me.pid || isAlive(owner.pid)) return;
  await fs.promises.rm(lockDir, { recursive: true, force: true });
  await fs.promises.rm(ownerFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
