/**
 * A url server shared, as an upstream: core/remote-upstream drives it over HTTP (its key added on
 * the way out, masked on the way back), connected in its era as a process is (era-probe.ts), each
 * client's call carried across eras as a process's is (process-upstream.ts).
 */
import { type RemoteTarget, RemoteUpstream } from "../../core/remote-upstream/remote-upstream.js";
import { connectInEra } from "./era-probe.js";
import { callInEra } from "./process-upstream.js";
import type { OpenUpstream } from "./upstream.js";

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
    const { wire: remote, said } = await connectInEra(known, open);
    kept = remote;
    return {
      said,
      // Its progress comes back under the token the call named: the client's own.
      call: (c) =>
        callInEra(c, said.era, (params) =>
          remote.send({
            method: c.request.method,
            params,
            progress: (p) => c.notify("notifications/progress", p),
            signal: c.stop.signal,
          }),
        ),
      request: (method, params, timeoutMs) => remote.request(method, params, timeoutMs),
      listen: (filter) => remote.listen(filter),
      notify: (method) => remote.notify(method),
      close: () => remote.close(),
    };
  };
}
