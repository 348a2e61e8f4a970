/**
 * An SSE remote's live probe (the HTTP+SSE transport of 2024-11-05, one era only): `initialize` +
 * `tools/list` over the SDK's SSE client transport, as its client does; nothing is started.
 */
import { Client, SSEClientTransport } from "@modelcontextprotocol/client";
import { VERSION } from "../../../version.js";
import { InterruptedError } from "../../errors.js";
import { listEveryTool, type ProbeResult, parseProbeUrl, type RemotePlan } from "./live-probe.js";

export async function probeSseRemote(
  plan: RemotePlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const url = parseProbeUrl(plan, signal);
  if (!(url instanceof URL)) return url;
  const result: ProbeResult = { ok: false, stderr: [], noise: [] };
  const transport = new SSEClientTransport(url, { requestInit: { headers: plan.headers } });
  const client = new Client({ name: "mcp-twin-doctor", version: VERSION });
  const abort = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let stop: (error: Error) => void = () => {};
  // Opening the stream is not abortable by signal: the deadline (or Ctrl-C) stops the wait.
  const deadline = new Promise<never>((_, reject) => {
    stop = reject;
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
      reject(new Error("timeout"));
    }, timeoutMs);
  });
  const onAbort = () => {
    abort.abort();
    stop(new InterruptedError());
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  // Raced below; this only keeps a rejection nobody awaited any more from being unhandled.
  deadline.catch(() => {});
  const started = performance.now();
  try {
    const options = { signal: abort.signal, timeout: timeoutMs };
    await Promise.race([client.connect(transport, options), deadline]);
    result.startupMs = Math.round(performance.now() - started);
    result.serverName = client.getServerVersion()?.name;
    result.protocol = {
      version: client.getNegotiatedProtocolVersion() ?? "unknown",
      discover: { notAsked: true },
    };
    result.toolDefs = await Promise.race([listEveryTool(client, options), deadline]);
    result.tools = result.toolDefs.length;
    result.ok = true;
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError();
    result.timedOut = timedOut;
    if (timedOut) {
      result.cause = "timeout";
      result.error = `no answer to initialize/tools/list over SSE within ${Math.round(timeoutMs / 1000)} s`;
    } else {
      const { remoteCause } = await import("./remote-probe.js");
      const named = remoteCause(url, error, undefined);
      result.cause = named.cause;
      result.error =
        named.cause === "other"
          ? `the SSE handshake with ${url.origin}${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`
          : named.text;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    // The probe's result is decided; closing is best effort.
    await client.close().catch(() => {});
    await transport.close().catch(() => {});
  }
  return result;
}
