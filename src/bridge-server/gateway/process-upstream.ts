/**
 * A shared server's process as an upstream: its stdio (child-transport.ts) and wire (child-wire.ts)
 * in the era it speaks (era-probe.ts), each client's call carried in that era whichever the client's
 * (envelope added or taken off; a 2026-07-28 server's `input_required` asked of the client).
 */
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import type { Clock } from "../clock.js";
import type { AskMethod } from "./asks.js";
import type { Call } from "./call.js";
import type { ChildTransport } from "./child-transport.js";
import { ChildWire } from "./child-wire.js";
import { type Connected, connectInEra } from "./era-probe.js";
import { withEnvelope } from "./eras.js";
import type { OpenUpstream, Said, Upstream } from "./upstream.js";
import type { Json } from "./wire-json.js";

/**
 * Starts a process of server `name` (`transport` makes one; a handshake that probes the era may
 * make two) and connects it in its era. A process that exits before it answered says so.
 */
export function processOpener(transport: () => ChildTransport, name: string, clock: Clock): OpenUpstream {
  return async (events, known) => {
    let last: ChildTransport | undefined;
    let opened: ProcessUpstream | undefined;
    const open = async () => {
      const t = transport();
      last = t;
      // The end of a process the handshake gave up on is not the end of the one it keeps.
      const closed = () => opened?.wire === wire && events.closed(t.exit);
      const wire: ChildWire = new ChildWire(t, name, { ...events, closed }, clock);
      await t.start();
      return wire;
    };
    try {
      opened = new ProcessUpstream(await connectInEra(known, open), last?.pid);
      return opened;
    } catch (error) {
      const exit = (error as { closed?: boolean }).closed && last?.exit;
      throw exit ? new Error(`the server exited (${exit}) before it answered`) : error;
    }
  };
}

class ProcessUpstream implements Upstream {
  readonly said: Said;
  readonly wire: ChildWire;
  readonly pid: number | undefined;

  constructor(connected: Connected, pid: number | undefined) {
    this.said = connected.said;
    this.wire = connected.wire;
    this.pid = pid;
  }

  request(method: string, params: Json = {}, timeoutMs?: number): Promise<Json> {
    return this.wire.request(method, params, timeoutMs);
  }

  listen(filter: Json): Promise<() => void> {
    return this.wire.listen(filter);
  }

  notify(method: string): void {
    this.wire.notify(method);
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  /**
   * The call written as it came over the wire when its client speaks the process's era (under an
   * id of the gateway's, its progress under a token of the gateway's, handed back under the
   * client's): no schema between them. Otherwise carried across as the SDK's clients carry it.
   */
  async call(c: Call): Promise<Json> {
    const { method, params: received } = c.request;
    const token = (received?._meta as Json | undefined)?.progressToken;
    const progress = (p: Json) => c.notify("notifications/progress", { ...p, progressToken: token });
    const send = async (params: Json | undefined): Promise<Json> => {
      const response = await this.wire.send({ method, params }, { progress, stop: c.stop });
      if ("error" in response) throw Object.assign(new Error(response.error.message), response.error);
      return ("result" in response ? response.result : {}) as Json;
    };
    const { era } = this.said;
    if (era === c.client.era) return send(received);
    if (era === "2025-11-25") {
      // What the SDK's 2025-11-25 client keeps of a result: all but a `resultType`.
      const { resultType: _, ...result } = await send(withEnvelope(received, c.client, era));
      return result;
    }
    const params = withEnvelope(received, c.client, era);
    for (let sent = params; ; ) {
      const result = await send(sent);
      if (result.resultType !== "input_required") return result;
      const inputResponses: Json = {};
      const asked = (result.inputRequests ?? {}) as Record<string, { method: AskMethod; params?: Json }>;
      for (const [key, q] of Object.entries(asked)) {
        if (!c.ask) throw rpcError(`${q.method}: this client cannot be asked during a call`, RPC.serverError);
        inputResponses[key] = await c.ask(q.method, q.params, c.stop.signal);
      }
      sent = {
        ...params,
        inputResponses,
        ...(result.requestState !== undefined ? { requestState: result.requestState } : {}),
      };
    }
  }
}
