/**
 * `mcp-twin tools`: each client's context budget — the servers and tools it loads, their size in
 * tokens, what it defers, its limit — from the caches, with a handshake for a server none knows.
 */
import { gatherBudgets } from "../core/budget/gather.js";
import { parseTimeout } from "../core/selectors.js";
import { sayErrors } from "../ui/report-error.js";
import { renderTools, toolsJson } from "../ui/reports/tools-report.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";
import type { toolsCommand } from "./tools-flags.js";

export async function run(ctx: ContextOf<typeof toolsCommand>): Promise<number> {
  const o = ctx.options;
  const timeoutMs = parseTimeout(o.timeout);
  const machine = await openCommandMachine(ctx);
  const options = { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project };
  const gathered = await gatherBudgets(machine, options, ctx.output.progress);
  // Servers no cache knows, other than the gateway's (sync fills its cache): listed now, once.
  const shared = new Set(
    gathered.budgets.flatMap((b) => b.servers.filter((s) => s.shared).map((s) => s.server)),
  );
  const unknown = [...new Set(gathered.budgets.flatMap((b) => b.unknown))].filter((s) => !shared.has(s));
  let facts: Awaited<ReturnType<typeof gathered.again>> = gathered;
  const failed: Array<{ server: string; error: string }> = [];
  if (unknown.length > 0) {
    const step = ctx.output.progress.step(`Listing the tools of ${unknown.join(", ")}`);
    try {
      // Loaded only here: the handshakes bring the SDK's client and zod, which the caches need not.
      const { listByHandshake } = await import("../core/doctor/probe/list-tools.js");
      const listed = await listByHandshake(machine, gathered.ctx, unknown, {
        timeoutMs,
        manifest: o.manifest,
        addSecrets: (values) => ctx.output.addSecrets(values),
      });
      for (const l of listed) if (l.error) failed.push({ server: l.server, error: l.error });
      facts = await gathered.again(new Set(listed.filter((l) => l.tools).map((l) => l.server)));
    } finally {
      step.stop();
    }
  }
  if (ctx.output.json) ctx.output.result(toolsJson(facts.budgets, facts.keep));
  else renderTools({ ...facts, failed, unreadable: gathered.unreadable }, ctx.output);
  // Each config it could not read, named with its repair, as status and doctor do: a part of
  // what was asked is not shown (exit 1).
  sayErrors(gathered.unreadable, ctx.output);
  return gathered.unreadable.length > 0 ? 1 : 0;
}
