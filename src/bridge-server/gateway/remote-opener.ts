/**
 * A url server shared, as an upstream: core/remote-upstream drives it over HTTP (its key added on
 * the way out, masked on the way back), connected in its era as a process is (era-probe.ts), each
 * client's call carried across eras as a process's is (process-upstream.ts).
 */
import { type RemoteTarget, RemoteUpstream } from "../../core/remote-upstream/remote-upstream.js";
import { connectInEra } from "./era-probe.js";
import { upstreamOver } from "./process-upstream.js";
import type { OpenUpstream } from "./upstream.js";
import type { Json } from "./wire-json.js";

/** `log`: what happened on the way, masked (the share's own log, where a process's stderr goes). */
export function remoteOpener(target: RemoteTarget, log: (line: string) => void): OpenUpstream {
  return async (events, known) => {
    let kept: RemoteUpstream | undefined;
    const open = async () => {
      // The end of one the handshake gave up on is not the end of the one it keeps.
      const closed = (why: string) => kept === remote && events.closed(why);
      const remote: RemoteUpstream = new RemoteUpstream(target, { ...events, log, closed });
      await remote.start();
      return remote;
    };
    const connected = await connectInEra(known, open);
    kept = connected.wire;
    return upstreamOver(connected, undefined, (c, params) => {
      // Its progress comes back under the token the call named: the client's own.
      const progress = (p: Json) => c.notify("notifications/progress", p);
      return connected.wire.send({ method: c.request.method, params, progress, signal: c.stop.signal });
    });
  };
}
