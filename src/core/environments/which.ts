/**
 * PATH look-ups done with file stats, never with `which`/`where` processes (each interop call
 * costs tens to hundreds of milliseconds).
 */
import { accessSync, constants, statSync } from "node:fs";

interface PosixSearch {
  posix: true;
}

interface WindowsSearch {
  posix?: false;
  /** PATHEXT, e.g. `.COM;.EXE;.BAT;.CMD`. */
  pathext: string;
  /** Native Windows path → a path this process can stat. */
  access: (nativePath: string) => string | undefined;
}

export async function isExecutableFile(file: string, needExecBit = true): Promise<boolean> {
  try {
    // No Error built for a file that is not there: a PATH look-up misses in most folders.
    const s = statSync(file, { throwIfNoEntry: false });
    if (!s?.isFile()) return false;
    if (needExecBit) accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first match for `name` on a PATH value. POSIX: returns the path as found on PATH.
 * Windows: tries PATHEXT extensions and returns the native Windows path.
 */
export async function findOnPath(
  name: string,
  pathValue: string,
  search: PosixSearch | WindowsSearch,
): Promise<string | undefined> {
  if (search.posix) {
    for (const dir of pathValue.split(":")) {
      if (!dir) continue;
      const candidate = `${dir.replace(/\/+$/, "")}/${name}`;
      if (await isExecutableFile(candidate)) return candidate;
    }
    return undefined;
  }
  const exts = /\.[A-Za-z0-9]+$/.test(name) ? [""] : search.pathext.split(";").filter(Boolean);
  for (const raw of pathValue.split(";")) {
    const dir = raw
      .trim()
      .replace(/^"|"$/g, "")
      .replace(/[\\/]+$/, "");
    if (!dir) continue;
    for (const ext of exts) {
      const native = `${dir}\\${name}${ext.toLowerCase()}`;
      const local = search.access(native);
      // Windows has no exec bit; DrvFs reports one anyway, a simulated drive may not.
      if (local && (await isExecutableFile(local, false))) return native;
    }
  }
  return undefined;
}
