/** `mcp-twin sync`: validate flags, run the core, render the report. */

import { loadContext } from "../core/context/context.js";
import type { Machine } from "../core/environments/machine.js";
import { takeKeysMoved } from "../core/manifest/secrets-file.js";
import type { TrustRequest } from "../core/manifest/trust.js";
import type { PinReport } from "../core/sync/pin-tools.js";
import { runSync, syncExitCode } from "../core/sync/run-sync.js";
import { trace } from "../core/system/trace.js";
import { renderSync, syncJson, syncVerboseLines } from "../ui/reports/sync-report.js";
import type { CommandContext, ContextOf, SharedOptions } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";
import { listToolsForSync } from "./shared/tool-lister.js";
import type { syncCommand } from "./sync-flags.js";

export async function run(ctx: ContextOf<typeof syncCommand>): Promise<number> {
  // Typed by the declaration (sync-flags.ts); no zod here: loading it would slow a no-op sync's
  // start-up (docs/dev/performance.md).
  const o = ctx.options;
  trace("command");
  const machine = await openCommandMachine(ctx);
  trace("machine");
  const report = await runSync(
    machine,
    {
      manifest: o.manifest,
      dryRun: Boolean(o.dryRun),
      force: Boolean(o.force),
      update: Boolean(o.update),
      prune: Boolean(o.prune),
      autostart: Boolean(o.autostart),
      envs: o.env,
      clients: o.client,
      project: o.project,
      signal: ctx.signal,
      trust: (request) => askTrust(ctx, request),
      listTools: listToolsForSync,
    },
    ctx.output.progress,
  );
  trace("synced");
  const moved = takeKeysMoved();
  if (moved)
    ctx.output.info(`Moved ${moved.names.join(", ")} from ${machine.shown(moved.from)} into ${moved.into}.`);
  ctx.output.addSecrets(report.secretValues);
  if (ctx.output.verbose)
    for (const line of syncVerboseLines(report, Boolean(o.dryRun))) ctx.output.debug(line);
  if (ctx.output.json) {
    ctx.output.result(syncJson(report));
  } else {
    await renderSync(report, ctx.output, Boolean(o.dryRun));
  }
  const asking = !ctx.output.json && ctx.terminal.stdin.isTTY === true;
  if (report.pins?.unapproved.length && !o.dryRun && asking) await askApproval(ctx, machine, report.pins);
  return syncExitCode(report);
}

/**
 * Tools whose change waits for approval, shown above as a word diff: on a terminal, sync asks
 * about each server (--yes answers only the trust question: a change reaches no client unasked).
 */
async function askApproval(
  ctx: ContextOf<typeof syncCommand>,
  machine: Machine,
  pins: PinReport,
): Promise<void> {
  const o = ctx.options;
  const core = await loadContext(
    machine,
    { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project },
    ctx.output.progress,
  );
  const { pinStates } = await import("../core/sync/pin-review.js");
  const { approveChanges } = await import("./shared/approve-tools.js");
  const view = await pinStates(
    core,
    pins.unapproved.map((u) => u.server),
  );
  await approveChanges({ ...ctx, options: { ...o, yes: false } }, core, view, {
    shown: true,
    required: false,
  });
}

/**
 * A project manifest that runs programs, before its first sync (and after each edit): shown on
 * stderr, then trusted with --yes or a yes on a terminal. Anything else leaves it untrusted.
 */
export async function askTrust(
  ctx: CommandContext<SharedOptions<"yes">>,
  request: TrustRequest,
): Promise<boolean> {
  const out = ctx.output;
  out.warn(
    `${out.shown(request.file)} is this project's manifest, written by whoever wrote the project. Trusting it (this version of the file) lets it write these servers into this project's files, where your clients start them:`,
  );
  for (const p of request.programs) out.note(`  ${p.server}: ${p.runs}`);
  if (ctx.options.yes) {
    out.info("Trusted (--yes) for this version of the file; an edit will ask again.");
    return true;
  }
  if (out.json || !ctx.terminal.stdin.isTTY) return false;
  const { inquirerPrompts } = await import("../ui/prompts.js");
  return inquirerPrompts(ctx.signal).confirm({
    message: "Trust it, and write these servers into this project's files?",
    default: false,
  });
}
