/**
 * `mcp-twin tools`: each client's context budget — the servers and tools it loads, their size in
 * tokens, what it defers, its limit — from the caches, with a handshake for a server none knows;
 * each server's pinned tools, and `--approve <server>` for what changed in them.
 */
import { gatherBudgets } from "../core/budget/gather.js";
import { type Context, loadContext } from "../core/context/context.js";
import type { Machine } from "../core/environments/machine.js";
import { UsageError } from "../core/errors.js";
import { own } from "../core/plain-records.js";
import { parseTimeout, unknownName } from "../core/selectors.js";
import { sayErrors } from "../ui/report-error.js";
import { pinStateLines, pinStatesJson } from "../ui/reports/pin-lines.js";
import { renderTools, toolsJson } from "../ui/reports/tools-report.js";
import { approveChanges } from "./shared/approve-tools.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";
import type { toolsCommand } from "./tools-flags.js";

type Ctx = ContextOf<typeof toolsCommand>;

export async function run(ctx: Ctx): Promise<number> {
  const o = ctx.options;
  const timeoutMs = parseTimeout(o.timeout);
  const machine = await openCommandMachine(ctx);
  const options = { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project };
  if (o.approve !== undefined) return approve(ctx, machine, o.approve, timeoutMs);
  const gathered = await gatherBudgets(machine, options, ctx.output.progress);
  // Servers no cache knows, other than the gateway's (sync fills its cache): listed now, once.
  const shared = new Set(
    gathered.budgets.flatMap((b) => b.servers.filter((s) => s.shared).map((s) => s.server)),
  );
  const unknown = [...new Set(gathered.budgets.flatMap((b) => b.unknown))].filter((s) => !shared.has(s));
  let facts: Awaited<ReturnType<typeof gathered.again>> = gathered;
  const failed: Array<{ server: string; error: string }> = [];
  if (unknown.length > 0) {
    const listed = await listNow(ctx, machine, gathered.ctx, unknown, timeoutMs);
    for (const l of listed) if (l.error) failed.push({ server: l.server, error: l.error });
    facts = await gathered.again(new Set(listed.filter((l) => l.tools).map((l) => l.server)));
  }
  // The pins are the user-level manifest's servers' (the gateway runs those).
  const { pinStates } = await import("../core/sync/pin-review.js");
  const all = gathered.ctx.located.scope === "user" ? (await pinStates(gathered.ctx)).states : [];
  // --client/--env: only the servers those clients reach (an entry each, or behind their tools entry).
  const reached = new Set(
    facts.budgets.flatMap((b) => [...b.servers.map((s) => s.server), ...(b.onDemand?.servers ?? [])]),
  );
  const pins = o.client?.length || o.env?.length ? all.filter((p) => reached.has(p.server)) : all;
  if (ctx.output.json)
    ctx.output.result({ ...toolsJson(facts.budgets, facts.keep), pins: pinStatesJson(pins) });
  else {
    renderTools({ ...facts, failed, unreadable: gathered.unreadable }, ctx.output);
    if (pins.length > 0) {
      const { ok, warn, c } = ctx.output.theme;
      ctx.output.print("");
      ctx.output.print(c.bold("Pinned tools (what each server tells the model, as you approved it)"));
      for (const s of pins) for (const line of pinStateLines(s, { ok, warn })) ctx.output.print(line);
    }
  }
  // Each config it could not read, named with its repair, as status and doctor do: a part of
  // what was asked is not shown (exit 1).
  sayErrors(gathered.unreadable, ctx.output);
  return gathered.unreadable.length > 0 ? 1 : 0;
}

/** Servers listed now by a handshake, and remembered (core/doctor/probe/list-tools.ts). */
async function listNow(ctx: Ctx, machine: Machine, core: Context, servers: string[], timeoutMs: number) {
  const step = ctx.output.progress.step(`Listing the tools of ${servers.join(", ")}`);
  try {
    // Loaded only here: the handshakes bring the SDK's client and zod, which the caches need not.
    const { listByHandshake } = await import("../core/doctor/probe/list-tools.js");
    return await listByHandshake(machine, core, servers, {
      timeoutMs,
      manifest: ctx.options.manifest,
      addSecrets: (values) => ctx.output.addSecrets(values),
    });
  } finally {
    step.stop();
  }
}

/**
 * `tools --approve <server>`: its list as known now (listed first when it never was), what changed
 * since its tools were approved shown as a word diff with its flags, and approved on a yes.
 */
async function approve(ctx: Ctx, machine: Machine, server: string, timeoutMs: number): Promise<number> {
  const o = ctx.options;
  const options = { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project };
  const core = await loadContext(machine, options, ctx.output.progress);
  if (!own(core.manifest.servers, server))
    throw unknownName({
      code: "unknown-server",
      given: "--approve",
      name: server,
      isNot: `not a server in ${machine.shown(core.loaded.file)}`,
      knownAs: "Servers there",
      known: Object.keys(core.manifest.servers),
    });
  if (core.located.scope !== "user")
    throw new UsageError(
      "approve-project",
      `${machine.shown(core.loaded.file)} is a project's manifest: tools are pinned for the user-level manifest's servers (the gateway runs those).`,
      { hint: "Run it outside the project folder, or with --manifest naming the user-level manifest." },
    );
  const { pinStates } = await import("../core/sync/pin-review.js");
  let view = await pinStates(core, [server]);
  if (!view.states[0]?.listed) {
    const [listed] = await listNow(ctx, machine, core, [server], timeoutMs);
    if (listed?.error) {
      ctx.output.error(`${server} could not be listed: ${listed.error}`);
      return 1;
    }
    view = await pinStates(core, [server]);
  }
  const state = view.states[0];
  if (!state || state.changes.length === 0) {
    if (ctx.output.json) ctx.output.result({ server, approved: false, changes: [] });
    else ctx.output.info(`${server}: its tools are as approved; nothing to approve.`);
    return 0;
  }
  const approved = (await approveChanges(ctx, core, view, { shown: false, required: true })).includes(server);
  if (ctx.output.json) ctx.output.result({ server, approved, changes: state.changes });
  else if (!approved)
    ctx.output.info(
      state.held
        ? `Not approved: ${server}'s changed tools stay held back from every client.`
        : `Not approved: ${server}'s change stays reported by sync and doctor.`,
    );
  return 0;
}
