/**
 * The machine a command runs on, opened one way for every command: from then on its output names files
 * as this machine shows them (inside WSL, a file on a Windows drive as `C:\…`).
 */

import { type Machine, openMachine } from "../../core/environments/machine.js";
import type { AnyOptions, CommandContext } from "./command.js";

/**
 * Commands open the machine only through this, so reports and errors alike name files so. Its
 * caches (environment facts, checked files, the Windows home's locator) are held in memory and
 * written when the command ends well (cli.ts): a run stopped by bad input (exit 2) or Ctrl-C
 * writes none, and a `--dry-run` never writes them.
 */
export async function openCommandMachine(
  ctx: Pick<CommandContext, "host" | "output"> & {
    options?: AnyOptions & { dryRun?: boolean | undefined };
    heldCaches?: CommandContext["heldCaches"];
  },
  /** holdCaches: the command writes them itself when it goes ahead (init, after its question). */
  options: { holdCaches?: boolean } = {},
): Promise<Machine> {
  const machine = await openMachine(ctx.host, { holdCaches: true });
  // A dry run says "nothing was written": its caches are never flushed, so that is true on a
  // machine mcp-twin has never written to.
  if (options.holdCaches === undefined && ctx.options?.dryRun !== true) ctx.heldCaches?.push(machine.caches);
  ctx.output.showPathsAs(machine.shown);
  return machine;
}
