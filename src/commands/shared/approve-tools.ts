/**
 * Pinned tools' changes put to the person: each server's shown as a word diff with its flags (unless
 * shown already), approved on a yes on a terminal — or with --yes, which a person chose — then
 * written and told to the gateway. `tools --approve` and sync (on a terminal) ask this way.
 */
import type { Context } from "../../core/context/context.js";
import { UsageError } from "../../core/errors.js";
import { changeBlock, waitingLine } from "../../core/pins/def-diff.js";
import { approveShown, type PinState, type PinView } from "../../core/sync/pin-review.js";
import { andList } from "../../core/text/prose-lists.js";
import type { CommandContext, SharedOptions } from "./command.js";

/** Whether there is a person to ask: a terminal, and no --json. */
const canAsk = (ctx: CommandContext) => !ctx.output.json && ctx.terminal.stdin.isTTY === true;

/**
 * Show and ask about each server of `view` with changes; the servers approved. Without a terminal
 * and without --yes (`required`: tools --approve) that is a usage error, after the changes are shown.
 */
export async function approveChanges(
  ctx: CommandContext<SharedOptions<"yes">>,
  core: Context,
  view: PinView,
  options: { shown: boolean; required: boolean },
): Promise<string[]> {
  const out = ctx.output;
  const waiting = view.states.filter((s) => s.changes.length > 0);
  if (waiting.length === 0) return [];
  if (!options.shown && !out.json)
    for (const s of waiting) {
      out.print(`${out.theme.warn} ${waitingLine(s.server, s.held, s.changes)}`);
      for (const line of changeBlock(s.changes)) out.print(line);
    }
  let chosen: string[];
  if (ctx.options.yes) chosen = waiting.map((s) => s.server);
  else if (canAsk(ctx)) chosen = await ask(ctx, waiting);
  else if (options.required)
    throw new UsageError(
      "approve-needs-yes",
      `Approving ${andList(waiting.map((s) => s.server))}'s tools needs an answer, and there is no terminal to ask on.`,
      {
        hint: "Run it on a terminal to see the change and be asked; --yes approves it as shown (`mcp-twin tools --approve <server> --json` shows it here).",
      },
    );
  else return [];
  const { approved, reloaded } = await approveShown(core, view, chosen);
  for (const server of approved) {
    const s = view.states.find((x) => x.server === server);
    out.info(
      s?.held
        ? `Approved ${server}'s tools as shown: every client gets them${reloaded ? " now" : " once the gateway reloads (`mcp-twin sync`)"}.`
        : `Approved ${server}'s tools as shown: sync and doctor compare ${server} with them from now on.`,
    );
  }
  return approved;
}

/** One question per server, its change shown above it; the servers the person said yes to. */
async function ask(ctx: CommandContext, waiting: readonly PinState[]): Promise<string[]> {
  const { inquirerPrompts } = await import("../../ui/prompts.js");
  const prompts = inquirerPrompts(ctx.signal);
  const yes: string[] = [];
  for (const s of waiting) {
    const reach = s.held ? "every client gets them" : "they are taken as they are";
    if (
      await prompts.confirm({
        message: `Approve ${s.server}'s tools as shown above (${reach})?`,
        default: false,
      })
    )
      yes.push(s.server);
  }
  return yes;
}
