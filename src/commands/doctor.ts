/** `mcp-twin doctor`: validate flags, run the checks and probes, render the report (ui/reports/doctor-report.ts). */

import { runDoctor } from "../core/doctor/index.js";
import type { TrustRequest } from "../core/manifest/trust.js";
import { parseTimeout } from "../core/selectors.js";
import { untrusted } from "../core/text/control-chars.js";
import { doctorJson, renderDoctor } from "../ui/reports/doctor-report.js";
import type { doctorCommand } from "./doctor-flags.js";
import type { CommandContext, ContextOf, SharedOptions } from "./shared/command.js";

export async function run(ctx: ContextOf<typeof doctorCommand>): Promise<number> {
  const o = ctx.options;
  const timeoutMs = parseTimeout(o.timeout, ownWait(ctx.host.env.MCP_TWIN_PROBE_TIMEOUT));
  const report = await runDoctor(
    ctx.host,
    {
      manifest: o.manifest,
      envs: o.env,
      clients: o.client,
      servers: o.server,
      project: o.project,
      probe: o.probe,
      timeoutMs,
      ...(o.timeout === undefined ? { followClients: true } : {}),
      ...concurrency(ctx.host.env.MCP_TWIN_PROBE_CONCURRENCY),
      signal: ctx.signal,
      trust: (request) => askProbeTrust(ctx, request),
    },
    ctx.output.progress,
  );
  if (ctx.signal.aborted) throw ctx.signal.reason;
  ctx.output.addSecrets(report.secretValues);
  if (ctx.output.json) ctx.output.result(doctorJson(report));
  else renderDoctor(report, ctx.output, o.verbose ?? false);
  return report.ok ? 0 : 1;
}

/**
 * A project's own config names programs someone else chose (a cloned repo's .mcp.json): before
 * doctor starts them, they are shown on stderr and trusted with --yes or a yes on a terminal.
 */
async function askProbeTrust(
  ctx: CommandContext<SharedOptions<"yes">>,
  request: TrustRequest,
): Promise<boolean> {
  const out = ctx.output;
  out.warn(
    `${request.file} is this project's own config (written by whoever wrote the project, not by mcp-twin); checking its servers starts them:`,
  );
  for (const p of request.programs) out.note(`  ${untrusted(p.server)}: ${untrusted(p.runs)}`);
  if (ctx.options.yes) {
    out.info("Trusted (--yes) for these entries as they are; an edit will ask again.");
    return true;
  }
  if (out.json || !ctx.terminal.stdin.isTTY) return false;
  const { inquirerPrompts } = await import("../ui/prompts.js");
  return inquirerPrompts(ctx.signal).confirm({
    message: "Trust them, and start them to check them?",
    default: false,
  });
}

/**
 * MCP_TWIN_PROBE_TIMEOUT: seconds doctor waits for a server when --timeout is not given (10 when
 * unset or not such a number); a server whose client waits longer is still waited for that long.
 */
function ownWait(value: string | undefined): number {
  const seconds = Number(value);
  return value !== undefined && value.trim() !== "" && seconds > 0 && seconds <= 3600 ? seconds : 10;
}

/** MCP_TWIN_PROBE_CONCURRENCY: how many servers start at once (default 16). */
function concurrency(value: string | undefined): { concurrency?: number } {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? { concurrency: n } : {};
}
