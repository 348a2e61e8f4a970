/**
 * Each server's pinned tools against its list as known once the probes ran (their lists are
 * remembered first): what `tools.pinned` and `pins.file` judge. The pins are the user-level
 * manifest's servers' only.
 */

import type { Machine } from "../../environments/machine.js";
import type { Environment } from "../../environments/types.js";
import { isTwinError } from "../../errors.js";
import type { State } from "../../ledger/state.js";
import type { Manifest } from "../../manifest/schema.js";
import type { PinFacts } from "../facts.js";

export async function pinFacts(
  machine: Machine,
  home: { manifest: Manifest; state: State },
  allEnvs: readonly Environment[],
  selected: (server: string) => boolean,
): Promise<PinFacts> {
  try {
    const { pinStates } = await import("../../sync/pin-review.js");
    const servers = Object.entries(home.manifest.servers).filter(
      ([name, s]) => !s.disabled && selected(name),
    );
    const view = await pinStates({
      machine,
      manifest: home.manifest,
      allEnvs: [...allEnvs],
      state: home.state,
      servers,
    });
    return { file: machine.paths.pins, states: view.states };
  } catch (error) {
    // A pins file that does not load: said with its line and column and how to recover.
    if (!isTwinError(error)) throw error;
    return { file: machine.paths.pins, states: [], error: { message: error.message, fix: error.hint } };
  }
}
