/**
 * `serve --http --listen-ipc`: the bridge under the Node keeper (Windows, where no `sh` can hold a
 * socket; `--keep` runs the keeper itself, core/bridge-control/socket-keeper.ts), handed its connections.
 */
import type { HandedConnections } from "../../bridge-server/connections-from.js";
import { HANDED, TAKING, TOOK } from "../../core/bridge-control/socket-keeper.js";
import { UsageError } from "../../core/errors.js";

/**
 * `--listen-ipc`: the connections its keeper hands over the message channel it was started with;
 * the keeper gone (nothing hands it any more), the bridge ends (`end`).
 */
export async function handedByKeeper(end: () => void): Promise<HandedConnections> {
  const send = process.send?.bind(process);
  if (!send)
    throw new UsageError(
      "bad-option",
      "--listen-ipc: this process has no channel to a keeper (only its keeper starts it so).",
    );
  const { Socket } = await import("node:net");
  process.once("disconnect", end);
  return {
    open(take) {
      process.on("message", (message: { kind?: unknown; id?: unknown } | null, socket) => {
        if (message?.kind !== HANDED || !(socket instanceof Socket)) return;
        take(socket);
        // The keeper closes its own copy once told (see socket-keeper.ts).
        send({ kind: TOOK, id: message.id });
      });
      send(TAKING);
    },
  };
}
