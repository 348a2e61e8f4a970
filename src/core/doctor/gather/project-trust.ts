/**
 * Project files are someone else's: a cloned repo's committed `.mcp.json` or `.cursor/mcp.json` can
 * name any program, so doctor's probe starts a project-scope entry only when it is trusted.
 */
import path from "node:path";
import { isOurs, type State } from "../../ledger/state.js";
import { isTrusted, type TrustRequest } from "../../manifest/trust.js";
import { own } from "../../plain-records.js";
import { canonicalJson } from "../../text/canonical-json.js";
import type { EntryWork, HeldProbe } from "../facts.js";
import type { ConfigFacts } from "./read-configs.js";

export interface ProjectTrustContext {
  state: State;
  /** Ask the user (--yes answers yes; no terminal answers no). Absent: nobody to ask. */
  ask?: ((request: TrustRequest) => Promise<boolean>) | undefined;
  /** Record a trust in the home's state (not when the state does not load: it is never overwritten). */
  record: (file: string, trusted: string) => Promise<void>;
}

/**
 * A project-scope entry is started only when
 * - mcp-twin wrote it, as it is now (state's hash matches): sync wrote it from the user's own
 *   manifest, or from a project manifest that passed sync's trust rules; or
 * - the user trusted the file's other entries: recorded exactly like sync's trust of a project
 *   manifest (manifest/trust.ts, the home's state, by hash — of those entries, so mcp-twin's own
 *   writes to the file do not ask again, and an edit of them does), after `--yes` or a yes on a
 *   terminal.
 * Otherwise the entry is held back (probe.trust reports it, with why and how to allow it).
 */
export async function gateProjectProbes(
  configs: readonly ConfigFacts[],
  work: readonly EntryWork[],
  ctx: ProjectTrustContext,
): Promise<{ work: EntryWork[]; held: HeldProbe[] }> {
  const held = new Set<EntryWork>();
  const found: HeldProbe[] = [];
  for (const c of configs) {
    const t = c.target;
    if (t.scope !== "project") continue;
    const entries = c.sets.find((s) => s.scope === "project")?.entries ?? {};
    const record = ctx.state.targets[t.key];
    const startable = work.filter(
      (w) =>
        w.kind === "stdio" &&
        w.plan &&
        w.where.scope === "project" &&
        w.where.env === t.env.id &&
        w.where.client === t.client.id,
    );
    const foreign = startable.filter((w) => !isOurs(own(record?.entries, w.server), own(entries, w.server)));
    if (foreign.length === 0) continue;
    const file = path.resolve(t.file);
    // What is trusted: those entries as they are (not the file's bytes, which mcp-twin's own writes change).
    const trusted = canonicalJson(Object.fromEntries(foreign.map((w) => [w.server, own(entries, w.server)])));
    if (isTrusted(ctx.state, file, trusted)) continue;
    const programs = foreign.map((w) => ({
      server: w.server,
      runs: runs(own(entries, w.server)),
      asks: true,
    }));
    if (ctx.ask && (await ctx.ask({ file: t.path, programs }))) {
      await ctx.record(file, trusted);
      continue;
    }
    for (const w of foreign) {
      held.add(w);
      found.push({ where: w.where, path: t.path, server: w.server, runs: runs(own(entries, w.server)) });
    }
  }
  return { work: work.filter((w) => !held.has(w)), held: found };
}

/** What an entry runs, as the user should read it (no env values: those may be keys). */
function runs(entry: unknown): string {
  const e = (entry ?? {}) as { command?: unknown; args?: unknown };
  const args = Array.isArray(e.args) ? e.args.filter((a) => typeof a === "string") : [];
  return [typeof e.command === "string" ? e.command : "?", ...args].join(" ");
}
