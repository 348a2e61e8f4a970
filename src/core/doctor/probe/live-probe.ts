/**
 * Live probes: start a server exactly as its client would (see entries/programs/resolve.ts), settle
 * its protocol era as a negotiating client does (`server/discover`, else `initialize`), list its
 * tools with the SDK's client, and measure start-up time.
 */
import { Client, type VersionNegotiationMode } from "@modelcontextprotocol/client";
import { VERSION } from "../../../version.js";
import type { SpawnPlan } from "../../entries/programs/resolve.js";
import { type ToolDef, toolDefs } from "../../entries/tool-lists.js";
import { InterruptedError } from "../../errors.js";
import { RPC } from "../../jsonrpc/codes.js";
import type { Runner } from "../../system/run.js";
import { ProbeTransport } from "./probe-transport.js";

/**
 * How long a stdio server has to answer `server/discover` before doctor sends `initialize` on the
 * same pipe (a 2025-11-25 server may never answer a request it does not know). Claude Code waits
 * about 2.4 s; a 2026-07-28-only server slower than this is started again, asked in that era only.
 */
export const DISCOVER_WAIT_MS = 2000;

/** What the handshake settled on, and what the era probe (`server/discover`) got on the way. */
export interface ProtocolSeen {
  /** The protocol revision in use: "2026-07-28", "2025-11-25", or an older one the server chose. */
  version: string;
  discover: {
    /** Milliseconds from the start to its answer, when it answered. */
    answeredMs?: number;
    /** A 2025 server's refusal: its JSON-RPC error, and over HTTP the status. */
    error?: { code?: number; message?: string; status?: number };
    /** doctor stopped waiting for an answer after this long and sent `initialize`. */
    gaveUpMs?: number;
    /** It exited when asked (doctor started it again for `initialize`). */
    exited?: boolean;
    /** Not asked: the transport has one era only (SSE). */
    notAsked?: boolean;
  };
  /** Started twice: once for the question, once in the era it answered with. */
  restarted?: boolean;
}

export interface ProbeResult {
  ok: boolean;
  /** From spawn to the handshake's end (`initialize`'s answer, or `server/discover`'s). */
  startupMs?: number;
  tools?: number;
  /** What it listed (every page): its tools as a client sends them to the model. */
  toolDefs?: ToolDef[];
  serverName?: string;
  /** The era it speaks, once the handshake succeeded. */
  protocol?: ProtocolSeen;
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

/** Where a remote entry (or a relay's) points, as its client expands it. */
export interface RemotePlan {
  url: string;
  headers: Record<string, string>;
  transport: "http" | "sse";
  /** The relay sends mcp-twin's login to this server (`connect --auth`). */
  login?: { oauthDir: string; server: string };
}

/**
 * A remote probe's first step (http and SSE alike): stopped if already interrupted; the plan's URL,
 * or the failed result that says it is not one.
 */
export function parseProbeUrl(plan: RemotePlan, signal?: AbortSignal): URL | ProbeResult {
  if (signal?.aborted) throw new InterruptedError();
  try {
    return new URL(plan.url);
  } catch {
    return { ok: false, stderr: [], noise: [], cause: "other", error: `"${plan.url}" is not a URL` };
  }
}

/** 2026-07-28 refuses `initialize` with this code (UnsupportedProtocolVersion). */
const UNSUPPORTED_VERSION = RPC.unsupportedProtocolVersion;

/**
 * Start the server and settle its era in place, as a negotiating client does on stdio. Two cases
 * start it a second time: it exited when asked `server/discover` (some 2025 servers end on any
 * request before `initialize`), or it refused `initialize` with -32022 after doctor stopped waiting
 * for its `server/discover` answer (a 2026-07-28-only server that starts slowly).
 */
export async function probeServer(
  runner: Runner,
  plan: SpawnPlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const started = performance.now();
  const wait = Math.min(DISCOVER_WAIT_MS, Math.max(1, Math.floor(timeoutMs / 2)));
  const first = await attempt(runner, plan, timeoutMs, { mode: "auto", waitMs: wait }, signal);
  const seen = first.transport.discover;
  const exited =
    !first.result.ok &&
    !first.result.timedOut &&
    first.transport.exit !== undefined &&
    seen !== undefined &&
    !seen.answer &&
    seen.initializeMs === undefined;
  const late2026 =
    !first.result.ok &&
    first.result.refused?.method === "initialize" &&
    first.result.refused.code === UNSUPPORTED_VERSION;
  if (!exited && !late2026) return first.result;
  const left = Math.max(1000, Math.round(timeoutMs - (performance.now() - started)));
  const mode: VersionNegotiationMode = exited ? "legacy" : { pin: "2026-07-28" };
  const second = await attempt(runner, plan, left, { mode, waitMs: left }, signal);
  const protocol = second.result.protocol;
  if (!second.result.ok || !protocol) return second.result;
  protocol.restarted = true;
  if (exited) protocol.discover = { exited: true };
  else
    protocol.discover = {
      gaveUpMs: wait,
      ...(seen?.answer ? { answeredMs: seen.answer.ms } : {}),
    };
  return second.result;
}

/** One start: the handshake in the era `negotiation` says, then tools/list; always cleaned up. */
async function attempt(
  runner: Runner,
  plan: SpawnPlan,
  timeoutMs: number,
  negotiation: { mode: VersionNegotiationMode; waitMs: number },
  signal?: AbortSignal,
): Promise<{ result: ProbeResult; transport: ProbeTransport }> {
  if (signal?.aborted) throw new InterruptedError();
  const transport = new ProbeTransport(runner, plan);
  const client = new Client(
    { name: "mcp-twin-doctor", version: VERSION },
    { versionNegotiation: { mode: negotiation.mode, probe: { timeoutMs: negotiation.waitMs } } },
  );
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
  // Raced below; this only keeps a rejection nobody awaited any more from being unhandled.
  deadline.catch(() => {});
  const result: ProbeResult = { ok: false, stderr: [], noise: [] };
  try {
    const options = { signal: abort.signal, timeout: timeoutMs };
    await Promise.race([client.connect(transport, options), deadline]);
    result.startupMs = Math.round(performance.now() - started);
    result.serverName = client.getServerVersion()?.name;
    result.protocol = protocolSeen(client, transport, negotiation.waitMs);
    result.toolDefs = await Promise.race([listEveryTool(client, options), deadline]);
    result.tools = result.toolDefs.length;
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
    // The probe's result is decided; closing the client is best effort.
    await client.close().catch(() => {});
    await transport.close();
  }
  result.stderr = stderrExcerpt(transport.stderr);
  result.noise = [...transport.noise];
  if (!result.ok && transport.refused) result.refused = transport.refused;
  return { result, transport };
}

/** Pages `tools/list` asks at most: a server that pages on past this is read no further. */
const MAX_TOOL_PAGES = 50;

/** Every tool the server lists, page after page (a client loads them all). */
export async function listEveryTool(
  client: Client,
  options: { signal: AbortSignal; timeout: number },
): Promise<ToolDef[]> {
  const tools: ToolDef[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const listed = await client.listTools(cursor === undefined ? undefined : { cursor }, options);
    tools.push(...(toolDefs(listed.tools) ?? []));
    cursor = listed.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/** The era the handshake settled on, and what `server/discover` got before it. */
function protocolSeen(client: Client, transport: ProbeTransport, waitMs: number): ProtocolSeen {
  const version = client.getNegotiatedProtocolVersion() ?? "unknown";
  const seen = transport.discover;
  if (!seen) return { version, discover: {} };
  const answer = seen.answer;
  // An answer that came after initialize was sent is one doctor no longer waited for.
  const inTime = answer && (seen.initializeMs === undefined || answer.ms <= seen.initializeMs);
  return {
    version,
    discover: {
      ...(answer ? { answeredMs: answer.ms } : {}),
      ...(answer?.error ? { error: answer.error } : {}),
      ...(!inTime && seen.initializeMs !== undefined ? { gaveUpMs: waitMs } : {}),
    },
  };
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
    return `the server answered ${t.refused.method} with an error (${t.refused.code}): ${t.refused.message.replace(/\.+$/, "")}${
      exit ? `; it exited ${how} ${exit.afterStdinClosed ? "when doctor closed its stdin" : "after"}` : ""
    }`;
  if (exit && !exit.afterStdinClosed) return `the server exited ${how} before completing the handshake`;
  const message = error instanceof Error ? error.message : String(error);
  return `the handshake failed: ${message}${exit ? `; the server exited ${how} when doctor closed its stdin` : ""}`;
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
