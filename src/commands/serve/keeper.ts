/**
 * `serve --http` under the Node keeper (Windows, where no `sh` can hold a socket): `--keep` runs
 * the keeper (core/bridge-control/socket-keeper.ts), `--listen-ipc` the bridge it hands connections to.
 */
import type { HandedConnections } from "../../bridge-server/connections-from.js";
import { HANDED, keepBridge, TAKING, TOOK } from "../../core/bridge-control/socket-keeper.js";
import { type BridgeFiles, SERVE_LOG_BYTES } from "../../core/bridge-link/index.js";
import { UsageError } from "../../core/errors.js";
import { appendCappedLog } from "../../core/system/files.js";
import type { Host } from "../../core/system/host.js";

/**
 * The keeper: holds the port and starts `serve --http --listen-ipc` on it until a stop. Its lines
 * go to the bridge's log: run by the start at logon, its own output goes nowhere.
 */
export function keep(
  host: Pick<Host, "env" | "self">,
  files: BridgeFiles,
  where: { host: string; port: number },
): Promise<number> {
  const { self } = host;
  return keepBridge({
    files,
    host: where.host,
    port: where.port,
    bridge: { file: self.node, args: [self.script, "serve", "--http"] },
    env: { ...host.env, NO_COLOR: "1" },
    script: self.script,
    log: (line) =>
      void appendCappedLog(
        files.log,
        `mcp-twin keeper (pid ${process.pid}): ${line}\n`,
        SERVE_LOG_BYTES,
      ).catch(
        // A line the log cannot take is lost; the keeper keeps the bridge all the same.
        () => {},
      ),
  });
}

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
