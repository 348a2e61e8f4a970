/**
 * The opening of a stdio client of `serve`: each `server/discover` before its first other message
 * answered at once from what the bridge is known to be, then the rest of stdin for the relay.
 */
import { PassThrough, type Readable, type Writable } from "node:stream";
import { bridgeDiscoverResult } from "../../bridge-server/description.js";
import { MAX_MESSAGE_BYTES } from "../../core/jsonrpc/messages.js";

/** A line's message when it is a `server/discover` request (it has an id), else undefined. */
function discoverRequest(line: string): { id: unknown } | undefined {
  try {
    const m = JSON.parse(line) as { method?: unknown; id?: unknown };
    return m.method === "server/discover" && (typeof m.id === "string" || typeof m.id === "number")
      ? { id: m.id }
      : undefined;
  } catch {
    // Not JSON: the relay answers it with the JSON-RPC error it gets.
  }
}

/**
 * Read stdin until the client's first message that is not `server/discover` (or its end, or a line
 * over the message limit) and give back a stream of that message and the rest. A client's discover
 * is answered on `stdout` meanwhile, without waiting for a bridge that may be starting: it decides
 * nothing, and asks what is known before the bridge runs.
 */
export function readOpening(stdin: Readable, stdout: Writable): Promise<Readable> {
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const handOver = (ended = false) => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      const rest = new PassThrough();
      if (ended) rest.end(pending);
      else {
        rest.write(pending);
        stdin.pipe(rest);
      }
      resolve(rest);
    };
    const onEnd = () => handOver(true);
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let nl = pending.indexOf(10); nl !== -1; nl = pending.indexOf(10)) {
        const line = pending.subarray(0, nl).toString("utf8").trim();
        const discover = line ? discoverRequest(line) : undefined;
        if (line && !discover) return handOver();
        pending = pending.subarray(nl + 1);
        if (discover)
          stdout.write(
            `${JSON.stringify({ jsonrpc: "2.0", id: discover.id, result: bridgeDiscoverResult() })}\n`,
          );
      }
      if (pending.length > MAX_MESSAGE_BYTES) handOver();
    };
    stdin.on("data", onData);
    stdin.once("end", onEnd);
  });
}
