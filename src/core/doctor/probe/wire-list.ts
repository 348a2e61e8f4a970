/**
 * A stdio server's tools by a plain JSON-RPC handshake on its pipes (initialize, initialized,
 * tools/list page after page), without the SDK's client: sync's first pins, at a fraction of its
 * cost (no SDK to load, no era probe to wait out, no exit to wait for).
 */

import { VERSION } from "../../../version.js";
import type { SpawnPlan } from "../../entries/programs/resolve.js";
import { type ToolDef, toolDefs } from "../../entries/tool-lists.js";
import { InterruptedError } from "../../errors.js";
import { RPC } from "../../jsonrpc/codes.js";
import { nextCursor, SERVER_INFO_KEY } from "../../jsonrpc/envelope-headers.js";
import { LineSplitter } from "../../jsonrpc/lines.js";
import { MAX_MESSAGE_BYTES } from "../../jsonrpc/messages.js";
import type { Runner, StartedProcess } from "../../system/run.js";
import { trace } from "../../system/trace.js";
import type { ProbeResult } from "./live-probe.js";

/** What one list may hold, as the gateway bounds it (bridge-server/gateway/whole-list.ts). */
const BOUNDS = { pages: 64, items: 10_000, bytes: 16 * 1024 * 1024 };
/** The name doctor's probe and `mcp-twin tools` give: a server sees the same client either way. */
const CLIENT = { name: "mcp-twin-doctor", version: VERSION };
const MODERN = "2026-07-28";
/** How long a listed server has to end on EOF before it is killed (doctor's probe gives it as long). */
const STOP_GRACE_MS = 300;
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": CLIENT,
  "io.modelcontextprotocol/clientCapabilities": {},
};

type Json = Record<string, unknown>;
/** Why a start ended without a list: the sentence said, and whether it was the time bound. */
class Failed extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
    readonly refused?: { method: string; code: number; message: string },
  ) {
    super(message);
  }
}

/**
 * Start the server, list its tools, stop it (nothing waits for its exit: Wire.close).
 * In 2025-11-25 first; a server that refuses that era (-32022) is started again in 2026-07-28, as
 * the gateway connects (era-probe.ts). Bounded by `timeoutMs` in all; a command that cannot start
 * fails at its spawn error, and one that exits fails when it does.
 */
export async function listOverStdio(
  runner: Runner,
  plan: SpawnPlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  try {
    const first = await session(runner, plan, deadline, signal, false);
    return { ...first, startupMs: first.startupMs ?? Math.round(performance.now() - started) };
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError();
    const f = error as Failed;
    if (f.refused?.code === RPC.unsupportedProtocolVersion || /unsupported protocol version/i.test(f.message))
      return session(runner, plan, deadline, signal, true).catch((again: unknown) =>
        failed(again, timeoutMs),
      );
    return failed(error, timeoutMs);
  }
}

function failed(error: unknown, timeoutMs: number): ProbeResult {
  const f = error instanceof Failed ? error : new Failed(String((error as Error)?.message ?? error));
  return {
    ok: false,
    stderr: [],
    noise: [],
    timedOut: f.timedOut,
    error: f.timedOut
      ? `no answer to initialize/tools/list within ${Math.round(timeoutMs / 1000)} s; the server hangs or starts too slowly`
      : f.message,
    ...(f.refused ? { refused: f.refused } : {}),
  };
}

/** One start: its handshake in one era, every page of its list; always stopped. */
async function session(
  runner: Runner,
  plan: SpawnPlan,
  deadline: number,
  signal: AbortSignal | undefined,
  modern: boolean,
): Promise<ProbeResult> {
  if (signal?.aborted) throw new InterruptedError();
  const proc = runner.start(plan.file, plan.args, {
    env: plan.env,
    ...(plan.cwd ? { cwd: plan.cwd } : {}),
    ...(plan.verbatim ? { verbatim: true } : {}),
  });
  trace("list: started");
  const wire = new Wire(proc, plan.file, Math.max(1, deadline - performance.now()));
  const stop = () => wire.end(new InterruptedError());
  signal?.addEventListener("abort", stop, { once: true });
  try {
    const began = performance.now();
    const meta = modern ? { _meta: ENVELOPE } : {};
    let serverName: unknown;
    if (modern) serverName = ((await wire.request("server/discover", meta))._meta as Json)?.[SERVER_INFO_KEY];
    else {
      const init = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: CLIENT };
      serverName = (await wire.request("initialize", init)).serverInfo;
      wire.notify("notifications/initialized");
    }
    const startupMs = Math.round(performance.now() - began);
    const tools = await everyTool((cursor) =>
      wire.request("tools/list", { ...meta, ...(cursor ? { cursor } : {}) }),
    );
    trace("list: answered");
    const name = (serverName as Json | undefined)?.name;
    return {
      ok: true,
      stderr: [],
      noise: [],
      startupMs,
      tools: tools.length,
      toolDefs: tools,
      ...(typeof name === "string" ? { serverName: name } : {}),
    };
  } finally {
    signal?.removeEventListener("abort", stop);
    wire.close();
  }
}

/** Every page `nextCursor` names, within BOUNDS: past one, the list ends there (as the gateway's does). */
async function everyTool(page: (cursor?: string) => Promise<Json>): Promise<ToolDef[]> {
  const tools: ToolDef[] = [];
  let cursor: string | undefined;
  for (let pages = 0, bytes = 0; pages < BOUNDS.pages; pages++) {
    const result = await page(cursor);
    const got = toolDefs(result.tools) ?? [];
    bytes += JSON.stringify(got).length;
    if (bytes > BOUNDS.bytes) break;
    tools.push(...got);
    if (tools.length >= BOUNDS.items) return tools.slice(0, BOUNDS.items);
    cursor = nextCursor(result);
    if (!cursor) break;
  }
  return tools;
}

/** The process's pipes as requests and answers; every wait ends by the deadline, its exit or `end`. */
class Wire {
  #next = 0;
  readonly #pending = new Map<number, { method: string; answer(r: Json): void; fail(e: Error): void }>();
  #over: Error | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly proc: StartedProcess,
    file: string,
    timeoutMs: number,
  ) {
    this.#timer = setTimeout(() => this.end(new Failed("timeout", true)), timeoutMs);
    const lines = new LineSplitter(
      MAX_MESSAGE_BYTES,
      (line) => this.#read(line),
      () => {},
    );
    proc.stdout.on("data", (chunk: Buffer) => lines.push(chunk));
    // Read so the server never blocks on a full pipe; what it says there is not the list.
    proc.stderr.on("data", () => {});
    proc.spawned.catch((error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const why =
        code === "ENOENT" ? "not found (ENOENT)" : code === "EACCES" ? "not executable (EACCES)" : code;
      this.end(new Failed(`could not start ${file}: ${why}`));
    });
    // Once its output is all read (an answer it wrote as it exited is taken first); a spawn
    // error resolves this too, said above.
    void proc.exited.then(({ code, signal }) => {
      if (code === null && signal === null) return;
      const how = code !== null ? `with code ${code}` : `on ${signal}`;
      this.end(new Failed(`the server exited ${how} before completing the handshake`));
    });
  }

  request(method: string, params: Json): Promise<Json> {
    if (this.#over) return Promise.reject(this.#over);
    const id = this.#next++;
    return new Promise<Json>((answer, fail) => {
      this.#pending.set(id, { method, answer, fail });
      this.#write({ jsonrpc: "2.0", id, method, params });
    });
  }

  notify(method: string): void {
    this.#write({ jsonrpc: "2.0", method });
  }

  /** Every wait fails with `error` (the first reason given is the one said). */
  end(error: Error): void {
    this.#over ??= error;
    for (const p of this.#pending.values()) p.fail(this.#over);
    this.#pending.clear();
  }

  /**
   * Its stdin closed (a server ends on EOF, as it would with its client) and nothing waits for its
   * exit, not even this process's end (killed then, if it still runs): one still running after a
   * grace is killed, with what it started; one that hung or was interrupted at once.
   */
  close(): void {
    clearTimeout(this.#timer);
    const over = this.#over;
    this.end(new Failed("closed"));
    try {
      this.proc.stdin.end();
    } catch {
      // already closed: it is killed below all the same
    }
    const now = (over instanceof Failed && over.timedOut) || over instanceof InterruptedError;
    const kill = setTimeout(() => this.proc.killTree(), now ? 0 : STOP_GRACE_MS);
    kill.unref();
    this.proc.unref();
    void this.proc.ended.then(() => clearTimeout(kill));
  }

  #write(message: Json): void {
    // A server gone meanwhile: its end fails what waits (run.ts keeps EPIPE from throwing).
    this.proc.stdin.write(`${JSON.stringify(message)}\n`);
  }

  #read(line: string): void {
    let message: Json;
    try {
      message = JSON.parse(line) as Json;
    } catch {
      return; // not JSON-RPC (a banner): nothing waits for it
    }
    if (typeof message !== "object" || message === null) return;
    const { id, method } = message;
    if (typeof method === "string") {
      // Its own question: a ping is answered, anything else refused (this client offers nothing).
      if (id !== undefined && !this.#over)
        this.#write(
          method === "ping"
            ? { jsonrpc: "2.0", id, result: {} }
            : {
                jsonrpc: "2.0",
                id,
                error: { code: RPC.methodNotFound, message: `${method} is not offered` },
              },
        );
      return;
    }
    const pending = typeof id === "number" ? this.#pending.get(id) : undefined;
    if (!pending) return;
    this.#pending.delete(id as number);
    const error = message.error as { code?: unknown; message?: unknown } | undefined;
    if (error) {
      const refused = { method: pending.method, code: Number(error.code), message: String(error.message) };
      pending.fail(
        new Failed(
          `the server answered ${refused.method} with an error (${refused.code}): ${refused.message.replace(/\.+$/, "")}`,
          false,
          refused,
        ),
      );
    } else pending.answer((message.result ?? {}) as Json);
  }
}
