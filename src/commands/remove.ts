/**
 * `mcp-twin remove <name>`: take a server out of the manifest, then (`--sync`, or yes to the
 * question on a terminal) `mcp-twin sync`, which takes its entries out of every client — the same
 * offer `add` makes.
 */

import { UsageError } from "../core/errors.js";
import { loadState } from "../core/ledger/state.js";
import { withoutServer } from "../core/manifest/edit.js";
import { locateManifest } from "../core/manifest/load.js";
import { own } from "../core/plain-records.js";
import { unifiedDiff } from "../ui/diff.js";
import type { removeCommand } from "./remove-flags.js";
import type { ContextOf } from "./shared/command.js";
import { editServerInManifest } from "./shared/edit-server.js";
import { syncAfterEdit, syncNow } from "./shared/edit-then-sync.js";
import { openCommandMachine } from "./shared/open-machine.js";

/** What this command gets: its options typed by remove-flags.ts. */
type Ctx = ContextOf<typeof removeCommand>;

export async function run(ctx: Ctx): Promise<number> {
  const o = ctx.options;
  const name = ctx.args[0];
  if (!name) throw new UsageError("missing-argument", "remove needs a server name.");
  const machine = await openCommandMachine(ctx);
  const file = locateManifest({
    manifest: o.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const dryRun = Boolean(o.dryRun);
  const result = await editServerInManifest(
    machine,
    file,
    { command: "remove", name },
    (text) => withoutServer(text, file, name),
    { dryRun },
  );
  // Stopped from here on (at the question, or during the sync), the manifest no longer has it.
  if (!dryRun) ctx.afterInterrupt = "Run `mcp-twin sync` to finish.";
  const out = ctx.output;
  const summary = { removed: name, manifest: file, dryRun };
  if (!out.json) {
    if (dryRun && result.after !== null)
      out.print(await unifiedDiff(machine.shown(file), result.before, result.after, out));
    else if (!dryRun) out.print(`${out.theme.ok} Removed ${name} from ${machine.shown(file)}.`);
  }

  // A server never synced is in no client config mcp-twin wrote: there is nothing to take out, so
  // neither the offer nor "run sync" (a state that does not load: say what sync would do, as before).
  const written = dryRun || (await inSomeClient(machine.paths.state, name));
  // Sync now: --sync, or yes to the question on a terminal (--no-sync: neither), as `add` offers.
  if (!(await syncNow(ctx, written, "Take it out of every client now?"))) {
    if (out.json) out.result(summary);
    else if (!dryRun)
      out.print(
        written
          ? "Run `mcp-twin sync` to take it out of every client."
          : "No client config holds an entry mcp-twin wrote for it, so nothing else changes.",
      );
    return 0;
  }
  return syncAfterEdit(ctx, machine, { file, after: result.after, secrets: {}, summary });
}

/** Does any client config hold an entry mcp-twin wrote (or adopted) under this name, by its state? */
async function inSomeClient(stateFile: string, name: string): Promise<boolean> {
  try {
    const state = await loadState(stateFile);
    return Object.values(state.targets).some((t) => own(t.entries, name) !== undefined);
  } catch {
    return true;
  }
}
