/**
 * The installed version of each program the servers run where the bridge runs: a package's from its
 * package.json in the prefix, a `command`'s found on the PATH sync sends the bridge (no npm call).
 * An upgrade done by hand (`npm i -g <it>@newer`) changes it, so the next sync has the bridge read again.
 */
import { installedProgram } from "../entries/installed-program.js";
import type { Environment } from "../environments/types.js";
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

/** Command → what identifies its installed program; a command not found is left out. */
async function commandPackages(
  servers: Servers,
  pathVar: string | undefined,
  platform: string,
): Promise<Array<[string, string]>> {
  const commands = [...new Set(servers.flatMap(([, s]) => (s.command ? [s.command] : [])))].sort();
  const out: Array<[string, string]> = [];
  for (const command of commands) {
    const program = await installedProgram(command, pathVar, platform);
    if (program !== undefined) out.push([command, program]);
  }
  return out;
}
