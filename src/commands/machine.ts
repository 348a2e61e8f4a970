/**
 * The machine a command runs on, opened one way for every command: from then on its output names
 * files as this machine shows them (inside WSL, a file on a Windows drive as `C:\…`), in reports
 * and in errors alike. Commands open the machine only through this. A `--dry-run` holds its caches
 * in memory: it writes no file at all.
 */
import type { CommandContext } from "../cli.js";
import { type Machine, openMachine } from "../core/machine.js";

export async function openCommandMachine(
  ctx: Pick<CommandContext, "host" | "output"> & { options?: { dryRun?: boolean | undefined } },
  options: { holdCaches?: boolean } = {},
): Promise<Machine> {
  // A dry run says "nothing was written": its caches (environment facts, checked files) stay in
  // memory and are never flushed, so that is true on a machine mcp-twin has never written to.
  const machine = await openMachine(ctx.host, {
    holdCaches: options.holdCaches ?? ctx.options?.dryRun === true,
  });
  ctx.output.showPathsAs(machine.shown);
  return machine;
}
