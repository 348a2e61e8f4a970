/** `mcp-twin remove <name>`: take a server out of the manifest (then `mcp-twin sync` removes its entries). */
import type { CommandContext } from "../cli.js";
import { UsageError } from "../core/errors.js";
import { editManifest, serverNames, withoutServer } from "../core/manifest/edit.js";
import { locateManifest } from "../core/manifest/load.js";
import { assertKnown } from "../core/selectors.js";
import { unifiedDiff } from "../ui/diff.js";
import { openCommandMachine } from "./machine.js";

export async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.args[0];
  if (!name) throw new UsageError("missing-argument", "remove needs a server name.");
  const machine = await openCommandMachine(ctx);
  const file = locateManifest({
    manifest: ctx.options.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const result = await editManifest(
    machine,
    file,
    (current) => {
      assertKnown({
        code: "unknown-server",
        given: "remove",
        name,
        isNot: `not a server in ${machine.shown(file)}`,
        knownAs: "Servers there",
        known: serverNames(current, file),
      });
      return withoutServer(current!, file, name);
    },
    { dryRun: Boolean(ctx.options.dryRun) },
  );
  if (ctx.output.json)
    ctx.output.result({ removed: name, manifest: file, dryRun: Boolean(ctx.options.dryRun) });
  else if (ctx.options.dryRun && result.after !== null)
    ctx.output.print(await unifiedDiff(machine.shown(file), result.before, result.after, ctx.output));
  else
    ctx.output.print(
      `${ctx.output.theme.ok} Removed ${name} from ${machine.shown(file)}. Run \`mcp-twin sync\` to take it out of every client.`,
    );
  return 0;
}
