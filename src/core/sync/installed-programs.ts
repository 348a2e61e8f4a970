/**
 * The installed version of each program the servers run where the bridge runs: a package's from its
 * package.json in the prefix, a `command`'s found on the PATH sync sends the bridge (no npm call).
 * An upgrade done by hand (`npm i -g <it>@newer`) changes it, so the next sync has the bridge read again.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Environment } from "../environments/types.js";
import { findOnPath, isExecutableFile } from "../environments/which.js";
import { splitSpec } from "../manifest/package-spec.js";
import type { ServerSpec } from "../manifest/schema.js";
import { readInstalledPackage } from "../packages/npm-prefix.js";

type Servers = ReadonlyArray<readonly [string, ServerSpec]>;

/** Each package's installed version in the bridge's environment (this one), then each command's program. */
export async function installedPrograms(
  servers: Servers,
  local: Environment | undefined,
  pathVar: string | undefined,
  platform: string,
): Promise<Array<[string, string]>> {
  const names = [
    ...new Set(servers.flatMap(([, s]) => (s.package ? [splitSpec(s.package).name] : []))),
  ].sort();
  const packages = await Promise.all(
    names.map(async (name): Promise<[string, string]> => {
      const pkg = local ? await readInstalledPackage(local, name) : undefined;
      return [name, pkg?.version ?? ""];
    }),
  );
  return [...packages, ...(await commandPackages(servers, pathVar, platform))];
}

/** How far above the program its package.json may be (npm's bin link → lib/node_modules/<name>/dist/x.js). */
const PACKAGE_DEPTH = 4;

/** Command → what identifies its installed program; a command not found is left out. */
async function commandPackages(
  servers: Servers,
  pathVar: string | undefined,
  platform: string,
): Promise<Array<[string, string]>> {
  const commands = [...new Set(servers.flatMap(([, s]) => (s.command ? [s.command] : [])))].sort();
  const out: Array<[string, string]> = [];
  for (const command of commands) {
    const file = await locate(command, pathVar, platform);
    if (file) out.push([command, installedAs(file)]);
  }
  return out;
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
