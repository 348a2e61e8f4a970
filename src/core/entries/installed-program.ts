/**
 * What identifies the program a `command` server starts, as installed now: name@version of its
 * package (found on PATH), else its file's size and time. An upgrade by hand changes it.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { findOnPath, isExecutableFile } from "../environments/which.js";

/** How far above the program its package.json may be (npm's bin link → lib/node_modules/<name>/dist/x.js). */
const PACKAGE_DEPTH = 4;

/** The installed program `command` starts on this PATH; undefined: not found. */
export async function installedProgram(
  command: string,
  pathVar: string | undefined,
  platform: string,
): Promise<string | undefined> {
  const file = await locate(command, pathVar, platform);
  return file === undefined ? undefined : installedAs(file);
}

/** The program a name starts, as a shell finds it on PATH (the bridge runs on this platform). */
async function locate(
  command: string,
  pathVar: string | undefined,
  platform: string,
): Promise<string | undefined> {
  const windows = platform === "win32";
  // A path is not looked up on PATH: absolute, it is the program; relative, it depends on a cwd.
  if (command.includes("/") || (windows && command.includes("\\")))
    return path.isAbsolute(command) && (await isExecutableFile(command, !windows)) ? command : undefined;
  const search = windows
    ? { pathext: ".COM;.EXE;.BAT;.CMD", access: (native: string) => native }
    : { posix: true as const };
  return findOnPath(command, pathVar ?? "", search);
}

/** name@version of the nearest package.json above the program's real file; else its size and time. */
function installedAs(file: string): string {
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // a link that broke since it was found: its own stat below says so
  }
  for (let dir = path.dirname(real), n = 0; n < PACKAGE_DEPTH; n++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (typeof pkg.name === "string" && typeof pkg.version === "string")
        return `${pkg.name}@${pkg.version}`;
    } catch {
      // no package.json here (or not one npm wrote): one folder up
    }
  }
  const stat = statSync(real, { throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeMs}` : "";
}
