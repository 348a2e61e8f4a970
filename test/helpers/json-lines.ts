/** Each line a stream writes (newline-delimited JSON, as stdio MCP is framed), parsed, to `each` in order. */
import type { Readable } from "node:stream";

export function onJsonLines<T = Record<string, unknown>>(stream: Readable, each: (message: T) => void): void {
  let buffered = "";
  stream.on("data", (chunk: Buffer | string) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      each(JSON.parse(buffered.slice(0, nl)) as T);
      buffered = buffered.slice(nl + 1);
    }
  });
}
