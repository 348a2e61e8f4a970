/**
 * The plugin and extension servers the entries sync writes would shadow in their client (Claude
 * Code drops a plugin's server that runs the same command or url): said on each such entry, never
 * silent. Plugin files are only read.
 */
import { pluginShadows, shadowText } from "../clients/plugin-clash.js";
import type { Target } from "../clients/types.js";
import type { DesiredEntries } from "../entries/desired.js";

export async function checkPluginShadows(desired: DesiredEntries, targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const read = target.client.pluginServers;
    if (!read || target.scope !== "user") continue;
    const entries = desired.get(target.key);
    if (!entries) continue;
    const written = Object.fromEntries([...entries].flatMap(([n, b]) => (b.ok ? [[n, b.value]] : [])));
    if (Object.keys(written).length === 0) continue;
    const plugins = await read(target.env);
    for (const shadow of pluginShadows(target.client, written, plugins)) {
      const built = entries.get(shadow.server);
      if (!built?.ok) continue;
      built.problems = [
        ...(built.problems ?? []),
        { code: "shadows-plugin", message: shadowText(shadow, target.client.name) },
      ];
    }
  }
}
