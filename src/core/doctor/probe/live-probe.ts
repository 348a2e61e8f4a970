/**
 * Live probes: start a server exactly as its client would (see entries/programs/resolve.ts), complete MCP `initialize`
 * + `tools/list` with the SDK client, and measure start-up time.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { VERSION } from "../../../version.js";
import type { SpawnPlan } from "../../entries/programs/resolve.js";
import { InterruptedError } from "../../errors.js";
import type { Runner } from "../../system/run.js";
import { ProbeTransport } from "./probe-transport.js";

export interface ProbeResult {
  ok: boolean;
  /** From spawn to the initialize answer. */
  startupMs?: number;
  tools?: number;
  serverName?: string;
  /** Why it failed, in a sentence. */
  error?: string;
  timedOut?: boolean;
  /** The lines of stderr that name the error, and its last lines (stderrExcerpt). */
  stderr: string[];
  /** Lines on stdout that are not JSON-RPC. */
  noise: string[];
  /** It answered a request with a JSON-RPC error (it ran, and said why it would not go on). */
  refused?: { method: string; code: number; message: string };
  /** A remote's failure, by kind (remote-probe.ts names it). */
  cause?: "dns" | "refused" | "tls" | "network" | "login" | "no-login" | "http" | "timeout" | "other";
  /** The HTTP status a remote answered with. */
  status?: number;
}

export async function probeServer(
  runner: Runner,
  plan: SpawnPlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  if (signal?.aborted) throw new InterruptedError();
  const transport = new ProbeTransport(runner, plan);
  const client = new Client({ name: "mcp-twin-doctor", version: VERSION });
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const abort = new AbortController();
  const onAbort = () => {
    transport.kill();
    abort.abort();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      transport.kill();
      abort.abort();
      reject(new Error("timeout"));
    }, timeoutMs);
  });
  deadline.catch(() => {});
  const result: ProbeResult = { ok: false, stderr: [], noise: [] };
  try {
    const options = { signal: abort.signal, timeout: timeoutMs };
    await Promise.race([client.connect(transport, options), deadline]);
    result.startupMs = Math.round(performance.now() - started);
    result.serverName = client.getServerVersion()?.name;
    const listed = await Promise.race([client.listTools(undefined, options), deadline]);
    result.tools = listed.tools.length;
    result.ok = true;
  } catch (error) {
    if (signal?.aborted) {
      await transport.close(0);
      throw new InterruptedError();
    }
    // Let the exit status arrive, so the report can say "exited with code 3".
    if (!timedOut) await new Promise((r) => setTimeout(r, 150));
    result.timedOut = timedOut;
    result.error = describeFailure(plan, transport, error, timedOut, timeoutMs);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    await client.close().catch(() => {});
    await transport.close();
  }
  result.stderr = stderrExcerpt(transport.stderr);
  result.noise = [...transport.noise];
  if (!result.ok && transport.refused) result.refused = transport.refused;
  return result;
}

/** Where a remote entry (or a relay's) points, as its client expands it. */
export interface RemotePlan {
  url: string;
  headers: Record<string, string>;
  transport: "http" | "sse";
  /** The relay sends mcp-twin's login to this server (`connect --auth`). */
  login?: { oauthDir: string; server: string };
}

/**
 * An SSE remote: open its event stream and complete `initialize` + `tools/list` with the SDK's
 * SSE client transport, as the client would. Nothing is started, so nothing is left running.
 */
export async function probeSseRemote(
  plan: RemotePlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  if (signal?.aborted) throw new InterruptedError();
  const result: ProbeResult = { ok: false, stderr: [], noise: [] };
  let url: URL;
  try {
    url = new URL(plan.url);
  } catch {
    return { ...result, error: `"${plan.url}" is not a URL` };
  }
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
  deadline.catch(() => {});
  const started = performance.now();
  try {
    const options = { signal: abort.signal, timeout: timeoutMs };
    await Promise.race([client.connect(transport, options), deadline]);
    result.startupMs = Math.round(performance.now() - started);
    result.serverName = client.getServerVersion()?.name;
    const listed = await Promise.race([client.listTools(undefined, options), deadline]);
    result.tools = listed.tools.length;
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
    await client.close().catch(() => {});
    await transport.close().catch(() => {});
  }
  return result;
}

function describeFailure(
  plan: SpawnPlan,
  t: ProbeTransport,
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
): string {
  if (t.spawnError)
    return `could not start ${plan.file}: ${t.spawnError === "ENOENT" ? "not found (ENOENT)" : t.spawnError === "EACCES" ? "not executable (EACCES)" : t.spawnError}`;
  if (timedOut)
    return `no answer to initialize/tools/list within ${Math.round(timeoutMs / 1000)} s; the server hangs or starts too slowly`;
  const exit = t.exit && (t.exit.code !== null || t.exit.signal) ? t.exit : undefined;
  const how = exit ? (exit.code !== null ? `with code ${exit.code}` : `on ${exit.signal}`) : "";
  // It answered: its own words, and how it ended after (a server ends when its stdin closes).
  if (t.refused)
    return `the server answered ${t.refused.method} with an error (${t.refused.code}): ${t.refused.message}${
      exit ? `; it exited ${how} ${exit.afterStdinClosed ? "when doctor closed its stdin" : "after"}` : ""
    }`;
  if (exit && !exit.afterStdinClosed) return `the server exited ${how} before completing the handshake`;
  const message = error instanceof Error ? error.message : String(error);
  return `the handshake failed: ${message}${exit ? `; the server exited ${how} when doctor closed its stdin` : ""}`;
}

/**
 * Run probes with at most `concurrency` at once; results in input order.
 *
 * In parallel with a bound, each with a timeout, always cleaned up — also on Ctrl-C, when every
 * running probe's process tree is killed before the error goes up.
 */
export async function probeAll<T>(
  items: readonly T[],
  run: (item: T) => Promise<ProbeResult>,
  options: { concurrency: number; signal?: AbortSignal; onDone?: (done: number) => void },
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      if (options.signal?.aborted) throw new InterruptedError();
      const i = next++;
      const item = items[i];
      if (item === undefined) break;
      results[i] = await run(item);
      options.onDone?.(++done);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  return results;
}

/** A line that says what went wrong: `Error: Cannot find module …`, `ModuleNotFoundError: …`, … */
const DECISIVE =
  /^\s*(?:[A-Za-z_.]*(?:Error|Exception)\b|Traceback\b|fatal\b|panic\b)|\bERR_[A-Z_]+\b|\b(?:ENOENT|EACCES|EADDRINUSE|ECONNREFUSED)\b|command not found|No such file or directory|Cannot find (?:module|package)/;

/**
 * What of a failed server's stderr the report shows: at most `max` lines, the ones that name the
 * error first (a Node crash puts `Error: Cannot find module …` above a dozen stack lines and
 * `Node.js v20…`, so its last lines alone miss the cause), then the last lines; in their order,
 * `…` where lines were left out.
 */
export function stderrExcerpt(text: string, max = 8): string[] {
  const lines = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .filter((l) => l.trim().length > 0);
  if (lines.length <= max) return lines;
  const keep = new Set<number>();
  for (const [i, l] of lines.entries()) if (keep.size < Math.ceil(max / 2) && DECISIVE.test(l)) keep.add(i);
  for (let i = lines.length - 1; i >= 0 && keep.size < max; i--) keep.add(i);
  const out: string[] = [];
  let previous = -1;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (i > previous + 1) out.push("…");
    out.push(lines[i] ?? "");
    previous = i;
  }
  return out;
}
