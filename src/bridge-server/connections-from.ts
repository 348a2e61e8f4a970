/**
 * Where the bridge's HTTP server takes its connections from: a port it binds, a listening socket it
 * inherits (its keeper's), or connections its keeper accepts and hands over (Windows).
 */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** Connections accepted elsewhere (the bridge's keeper on Windows) and handed to this process. */
export interface HandedConnections {
  /** From now on, give each connection handed over to `take`. */
  open(take: (socket: Socket) => void): void;
}

/**
 * Serve `server` on what `from` names (`handed`, else `fd`, else `port` on `host`); the port it
 * serves on once it takes connections (`port` itself when they are handed over).
 */
export async function takeConnections(
  server: Server,
  from: { host: string; port: number; fd?: number; handed?: HandedConnections },
): Promise<number> {
  if (from.handed) {
    // Node tracks a server's connections (the header and request deadlines, closing them all)
    // from its `listening` event: said here, as this server takes connections without listening.
    server.emit("listening");
    from.handed.open((socket) => {
      server.emit("connection", socket);
      // Accepted paused by the keeper, so that no byte was read there.
      socket.resume();
    });
    return from.port;
  }
  const listening = once(server, "listening");
  if (from.fd !== undefined) server.listen({ fd: from.fd });
  else server.listen(from.port, from.host);
  await listening;
  return (server.address() as AddressInfo).port;
}
