/**
 * Edit one server of the manifest a command names (`remove`, `share`): a name not there is a usage
 * error listing the servers that are, and nothing is written; otherwise as `editManifest` does.
 */
import type { Machine } from "../../core/environments/machine.js";
import { editManifest, serverNames } from "../../core/manifest/edit.js";
import { assertKnown } from "../../core/selectors.js";

export function editServerInManifest(
  machine: Machine,
  file: string,
  server: { command: string; name: string },
  edit: (text: string) => string,
  options: { dryRun: boolean },
): Promise<{ before: string | null; after: string | null }> {
  return editManifest(
    machine,
    file,
    (current) => {
      assertKnown({
        code: "unknown-server",
        given: server.command,
        name: server.name,
        isNot: `not a server in ${machine.shown(file)}`,
        knownAs: "Servers there",
        known: serverNames(current, file),
      });
      // Known, so the manifest has text.
      return edit(current ?? "");
    },
    options,
  );
}
