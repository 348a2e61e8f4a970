/**
 * Where a manifest server's program (uvx, docker, …) is not found, looked at before a sync writes
 * it: the lines sync's report would give (one per environment), so `add` and `init` can say them
 * before they ask.
 */
import type { ContextOptions } from "../../context/context.js";
import type { Machine } from "../../environments/machine.js";
import type { Progress } from "../../system/progress.js";

/**
 * What sync would check after writing (program-check.ts), looked at first, for the servers
 * `names`; file stats, no process. `preview`: the manifest (and keys) not yet written (init).
 * Nothing when it cannot be told (a manifest or environment that does not load: sync says why).
 */
export async function missingProgramsAhead(
  machine: Machine,
  selection: Pick<ContextOptions, "manifest" | "project" | "envs" | "clients" | "preview">,
  names: readonly string[],
  progress: Progress,
): Promise<string[]> {
  try {
    const { loadContext } = await import("../../context/context.js");
    const { entriesNow, wireBridge } = await import("../desired.js");
    const { checkPrograms } = await import("./program-check.js");
    const { missingProgramLines } = await import("./missing-programs.js");
    const loaded = await loadContext(machine, selection, progress);
    const servers = loaded.servers.filter(([n]) => names.includes(n));
    if (servers.length === 0) return [];
    // A shared server runs in the bridge: its program is looked for there, as sync will.
    const bridge = await wireBridge(machine, loaded.manifest, loaded.allEnvs, {
      createToken: false,
      state: loaded.state,
    });
    const desired = await entriesNow(machine, { ...loaded, servers, bridge }, loaded.state);
    await checkPrograms(desired, loaded.allEnvs, machine.host.env, loaded.targets);
    // The lines sync's report has for them (one per environment): said here, not again there.
    return missingProgramLines(
      loaded.targets.flatMap((t) =>
        servers.flatMap(([name]) => {
          const built = desired.get(t.key)?.get(name);
          if (!built?.ok) return [];
          return (built.problems ?? []).flatMap((p) =>
            p.missing ? [{ missing: p.missing, server: name, client: t.client }] : [],
          );
        }),
      ),
    );
  } catch {
    return [];
  }
}
