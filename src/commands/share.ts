/**
 * `mcp-twin share <server> machine|project|session|off`: set (or remove) the server's `share` in
 * the manifest, then (`--sync`, or yes to the question on a terminal) sync, which rewrites its
 * entry in every client: a url entry to the bridge when shared, the direct entry when off.
 */
import { UsageError } from "../core/errors.js";
import { parseConfig, readEntries } from "../core/formats/index.js";
import { withServerFields } from "../core/manifest/edit.js";
import { userManifest } from "../core/manifest/load.js";
import { SHARE_MODES } from "../core/manifest/schema.js";
import { shareEdit } from "../core/manifest/share-edit.js";
import { assertKnown } from "../core/selectors.js";
import { unifiedDiff } from "../ui/diff.js";
import type { shareCommand } from "./share-flags.js";
import type { ContextOf } from "./shared/command.js";
import { editServerInManifest } from "./shared/edit-server.js";
import { syncAfterEdit, syncNow } from "./shared/edit-then-sync.js";
import { openCommandMachine } from "./shared/open-machine.js";

type Ctx = ContextOf<typeof shareCommand>;

export async function run(ctx: Ctx): Promise<number> {
  const o = ctx.options;
  const [name, mode] = ctx.args;
  if (!name || !mode)
    throw new UsageError(
      "missing-argument",
      "share needs a server name and a mode: machine, project, session or off.",
      { hint: "E.g. `mcp-twin share tavily machine`." },
    );
  assertKnown({
    code: "bad-mode",
    given: "share",
    name: mode,
    isNot: "not a mode",
    knownAs: "Modes",
    known: [...SHARE_MODES, "off"],
  });
  const machine = await openCommandMachine(ctx);
  // The bridge reads the user manifest (a project's servers run in each client session).
  const file = userManifest({
    manifest: o.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const dryRun = Boolean(o.dryRun);
  const edit = await shareEdit(file, name, mode);
  // The result is validated (a url server cannot be shared).
  const result = await editServerInManifest(
    machine,
    file,
    { command: "share", name },
    (text) => withServerFields(text, file, name, [edit]),
    { dryRun },
  );
  if (!dryRun) ctx.afterInterrupt = "Run `mcp-twin sync` to finish.";
  const out = ctx.output;
  const changed = result.after !== null && result.after !== result.before;
  const summary = { server: name, share: mode === "off" ? null : mode, manifest: file, changed, dryRun };
  if (!out.json) {
    if (dryRun && changed)
      out.print(await unifiedDiff(machine.shown(file), result.before, result.after, out));
    else if (!dryRun)
      out.print(
        !changed
          ? `${out.theme.skip} ${name} is already ${mode === "off" ? "not shared" : `shared per ${mode}`} in ${machine.shown(file)}.`
          : mode === "off"
            ? `${out.theme.ok} ${name} is no longer shared in ${machine.shown(file)}: each client session starts its own once synced.`
            : isDisabled(result.after ?? result.before, file, name)
              ? `${out.theme.ok} ${name} is shared per ${mode} in ${machine.shown(file)}, but it is disabled there: the bridge runs it once you take "disabled": true out of servers.${name} and sync.`
              : `${out.theme.ok} ${name} is shared per ${mode} in ${machine.shown(file)}: it runs in the bridge once synced.`,
      );
  }
  if (!(await syncNow(ctx, changed, "Rewrite its entry in every client now?"))) {
    if (out.json) out.result(summary);
    else if (!dryRun && changed) out.print("Run `mcp-twin sync` to rewrite its entry in every client.");
    return 0;
  }
  return syncAfterEdit(ctx, machine, { file, after: result.after, secrets: {}, summary });
}

/** The server's `"disabled": true`: the bridge runs no disabled server, shared or not. */
function isDisabled(text: string | null, file: string, name: string): boolean {
  if (!text) return false;
  const spec = Object.entries(readEntries(parseConfig(text, file), ["servers"], file)).find(
    ([n]) => n === name,
  )?.[1];
  return (spec as { disabled?: unknown } | undefined)?.disabled === true;
}
