/** Drift against what sync wrote: builds the entries sync would write now and compares. */
import { harnessTwin } from "../../clients/harness.js";
import { pluginShadows, shadowText } from "../../clients/plugin-clash.js";
import type { Target } from "../../clients/types.js";
import { type DesiredEntries, entriesNow, harnessReads, wireBridge } from "../../entries/desired.js";
import { classifyTarget, entriesMeant } from "../../entries/ownership.js";
import type { BuiltEntry } from "../../entries/target-entry.js";
import type { Machine } from "../../environments/machine.js";
import type { Environment } from "../../environments/types.js";
import { clientFieldsOf, entryKeys, ownedView } from "../../formats/index.js";
import type { State } from "../../ledger/state.js";
import type { Manifest, ServerSpec } from "../../manifest/schema.js";
import { TOOLS_ENTRY } from "../../manifest/tool-search.js";
import { own } from "../../plain-records.js";
import { isWiped } from "../checks/configs.js";
import type { DriftItem, HarnessFact, PluginFact } from "../facts.js";
import type { ConfigFacts } from "./read-configs.js";

/**
 * Each user file's plugin and extension servers (read only), by target key: every one is named,
 * with the manifest's entry of that file that shadows it, if any (the rule status uses).
 */
export async function pluginFacts(
  configs: readonly ConfigFacts[],
  drift: readonly DriftItem[],
): Promise<Map<string, PluginFact[]>> {
  const out = new Map<string, PluginFact[]>();
  for (const c of configs) {
    const t = c.target;
    if (!t.client.pluginServers || t.scope !== "user" || c.parseError) continue;
    const servers = await t.client.pluginServers(t.env);
    if (servers.length === 0) continue;
    const mine = new Set(
      drift
        .filter(
          (d) => d.where.env === t.env.id && d.where.client === t.client.id && d.where.scope === t.scope,
        )
        .map((d) => d.name),
    );
    const entries = c.sets.find((s) => s.scope === t.scope)?.entries ?? {};
    const ours = Object.fromEntries(Object.entries(entries).filter(([n]) => mine.has(n)));
    const shadows = pluginShadows(t.client, ours, servers);
    out.set(
      t.key,
      servers.map((p) => {
        const s = shadows.find((x) => x.plugin === p.plugin && x.pluginServer === p.name);
        return {
          plugin: p.plugin,
          server: p.name,
          file: p.file,
          ...(p.project ? { project: p.project } : {}),
          ...(s ? { shadow: { server: s.server, text: shadowText(s, t.client.name) } } : {}),
        };
      }),
    );
  }
  return out;
}

/** The plugin servers each manifest entry in a user file shadows in its client, in words, by entry name. */
async function shadowsIn(
  t: Target,
  current: Readonly<Record<string, unknown>>,
  wanted: ReadonlyMap<string, BuiltEntry>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!t.client.pluginServers || t.scope !== "user") return out;
  const ours = Object.fromEntries(Object.entries(current).filter(([n]) => wanted.has(n)));
  for (const s of pluginShadows(t.client, ours, await t.client.pluginServers(t.env)))
    out.set(s.server, [...(out.get(s.server) ?? []), shadowText(s, t.client.name)]);
  return out;
}

/** The loopback port an entry reaches the bridge at (its url, or its relay's). */
function bridgePort(entry: unknown): number | undefined {
  if (!entry || typeof entry !== "object") return undefined;
  const strings = Object.values(entry as Record<string, unknown>).flatMap((v) =>
    typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((a): a is string => typeof a === "string") : [],
  );
  for (const v of strings) {
    const port = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)\//.exec(v)?.[1];
    if (port) return Number(port);
  }
  return undefined;
}

/** The port a bridged entry names, when the bridge's port is another one now (it moved). */
function movedPort(current: unknown, wanted: unknown): number | undefined {
  const was = bridgePort(current);
  const now = bridgePort(wanted);
  return was !== undefined && now !== undefined && was !== now ? was : undefined;
}

/**
 * Each config whose app's harness reads another client's file (VS Code's Copilot harness reads
 * Copilot CLI's): the servers sync writes there only, and those that file does not hold now.
 */
function harnessFacts(usable: readonly ConfigFacts[], desired: DesiredEntries): HarnessFact[] {
  return usable.flatMap(({ target: t }) => {
    const twin = harnessTwin(
      t,
      usable.map((c) => c.target),
    );
    const reads = twin && harnessReads(desired, t.key);
    if (!twin || !reads?.length || !t.client.harness || !t.version) return [];
    const there = usable.find((c) => c.target.key === twin.key)?.sets.find((s) => s.scope === "user");
    const where = { env: t.env.id, client: t.client.id, scope: t.scope };
    const missing = reads.filter((name) => !Object.hasOwn(there?.entries ?? {}, name));
    const { name: harness } = t.client.harness;
    return [
      { where, clientName: t.client.name, harness, version: t.version, path: twin.path, reads, missing },
    ];
  });
}

export async function driftItems(
  machine: Machine,
  manifest: Manifest,
  secrets: Record<string, string>,
  state: State,
  allEnvs: Environment[],
  configs: readonly ConfigFacts[],
  servers: Array<[string, ServerSpec]>,
  harness?: HarnessFact[],
): Promise<DriftItem[]> {
  const bridge = await wireBridge(machine, manifest, allEnvs, {
    createToken: false,
    checkPort: true,
    state,
  });
  const usable = configs.filter((c) => {
    const t = c.target;
    if (c.readError || c.parseError || c.shapeErrors.length > 0) return false;
    if (manifest.clients && !manifest.clients.includes(t.client.id)) return false;
    // Project files get entries only when sync was run with --project for them.
    if (t.scope === "project" && !state.targets[t.key]) return false;
    // A wiped file is reported once (config.wiped), not once per server.
    return !isWiped(c, Object.keys(state.targets[t.key]?.entries ?? {}).length);
  });
  if (usable.length === 0 || (servers.length === 0 && !bridge)) return [];
  // What sync would write now, with what is installed now (the rule status uses too).
  const desired = await entriesNow(
    machine,
    { manifest, servers, secrets, allEnvs, targets: usable.map((c) => c.target), bridge },
    state,
  );
  harness?.push(...harnessFacts(usable, desired));
  const out: DriftItem[] = [];
  for (const c of usable) {
    const t = c.target;
    // Only the keys sync owns (Codex keeps its own in the same entry).
    const raw = c.sets.find((s) => s.scope === t.scope)?.entries ?? {};
    const current = ownedView(raw, entryKeys(t.client).owned, entryKeys(t.client).kept);
    const fields = Object.fromEntries(Object.entries(raw).map(([n, e]) => [n, clientFieldsOf(e, t.client)]));
    const where = { env: t.env.id, client: t.client.id, scope: t.scope };
    const owned = state.targets[t.key]?.entries ?? {};
    const meant = entriesMeant(current, owned, desired.get(t.key) ?? new Map<string, BuiltEntry>());
    const wanted = meant.desired;
    const tools = desired.get(t.key)?.get(TOOLS_ENTRY);
    // An entry of the person's holds the name `tools`: said once, with the fix (drift.ts).
    if (meant.held && tools)
      out.push({ where, name: TOOLS_ENTRY, built: tools, entry: { state: "foreign" }, toolsHeld: t.path });
    const shadows = await shadowsIn(t, current, wanted);
    for (const entry of classifyTarget(current, owned, wanted, fields)) {
      const built = wanted.get(entry.name);
      const said = shadows.get(entry.name);
      const old =
        built?.ok && built.bridged && entry.state === "stale"
          ? movedPort(current[entry.name], built.value)
          : undefined;
      const theirs =
        entry.state === "drifted" || entry.state === "foreign"
          ? t.client.ownEntry?.(own(raw, entry.name))
          : undefined;
      if (built)
        out.push({
          where,
          name: entry.name,
          built,
          entry,
          ...(theirs !== undefined ? { clientOwn: { what: theirs, clientName: t.client.name } } : {}),
          ...(said ? { shadows: said } : {}),
          ...(old !== undefined ? { oldPort: old } : {}),
        });
    }
  }
  return out;
}
