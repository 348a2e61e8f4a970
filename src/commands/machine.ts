/**
 * The machine a command runs on, opened one way for every command: from then on its output names
 * files as this machine shows them (inside WSL, a file on a Windows drive as `C:\…`), in reports
 * and in errors alike. Commands open the machine only through this.
 */
import type { CommandContext } from "../cli.js";
import { type Machine, openMachine } from "../core/machine.js";

export async function openCommandMachine(
  ctx: Pick<CommandContext, "host" | "output">,
  options: { holdCaches?: boolean } = {},
): Promise<Machine> {
  const machine = await openMachine(ctx.host, options);
  ctx.output.showPathsAs(machine.shown);
  return machine;
}
