/**
 * Running the built mcp-twin as another user account (the test runs as root): that account must
 * reach every folder above what it runs. A clone under a private folder (a `mktemp -d`, a home of
 * mode 0700) it cannot enter: then bin/, dist/ and package.json are copied, once per run, to a
 * temp folder it can read. Node itself out of its reach: a reason to skip, said by the caller.
 */
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** `file` and every folder above it can be reached by an account that is neither owner nor group. */
function othersReach(file: string): boolean {
  try {
    if ((statSync(file).mode & 0o004) === 0) return false;
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (path.dirname(dir) === dir) return true;
    }
  } catch {
    return false;
  }
}

/** Every folder under `dir` (and it) 0755, every file 0644: a clone made under umask 077 is 0600. */
function openToAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) openToAll(p);
    else chmodSync(p, 0o644);
  }
}

let staged: string | undefined;

/** Why another account cannot run node here (undefined: it can). */
export function nodeOutOfReach(): string | undefined {
  return othersReach(process.execPath)
    ? undefined
    : `${process.execPath} is out of another account's reach (a folder above it is private)`;
}

/**
 * bin/mcp-twin.js as another account can run it: the checkout's own, else a copy made once (bin/,
 * dist/, package.json) in a temp folder every account can read, removed when the run ends.
 */
export function binForOthers(): string {
  const own = path.join(REPO, "bin", "mcp-twin.js");
  if (othersReach(own) && othersReach(path.join(REPO, "dist", "cli.js"))) return own;
  if (!staged) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-staged-"));
    for (const part of ["bin", "dist", "package.json"])
      cpSync(path.join(REPO, part), path.join(dir, part), { recursive: true });
    openToAll(dir);
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    staged = dir;
  }
  return path.join(staged, "bin", "mcp-twin.js");
}
