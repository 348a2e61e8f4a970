/**
 * An MCP stdio client transport for doctor's probes: unlike the SDK's StdioClientTransport, it starts
 * the server in its own process group, so the whole tree dies with it, and it notes what became of
 * the era probe (`server/discover`).
 */
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from "@modelcontextprotocol/client";
import type { SpawnPlan } from "../../entries/programs/resolve.js";
import type { Runner, StartedProcess } from "../../system/run.js";

const MAX_STDERR = 64 * 1024;
const MAX_NOISE = 20;

/** What the server did with the era probe (`server/discover`, sent before anything else). */
export interface DiscoverSeen {
  /** Milliseconds from the start to the probe. */
  sentMs: number;
  /** Its answer: a result, or an error (-32601 from a 2025 server). */
  answer?: { ms: number; error?: { code: number; message: string } };
  /** Milliseconds from the start to `initialize` (sent when the probe got no answer in time, or an error). */
  initializeMs?: number;
}

/**
 * Its own process group: `cmd /c npx` → node, `wsl.exe` → the Linux server all go with it. It keeps
 * what the server printed on stdout that is not JSON-RPC (banners break clients), and the tail of
 * stderr for the report.
 */
export class ProbeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private proc: StartedProcess | undefined;
  private buffer = "";
  private stderrText = "";
  readonly noise: string[] = [];
  /** How it ended; `afterStdinClosed`: only once doctor had closed its stdin (servers end on EOF). */
  exit: { code: number | null; signal: string | null; afterStdinClosed: boolean } | undefined;
  spawnError: string | undefined;
  /** The first request the server answered with a JSON-RPC error, and that error. */
  refused: { method: string; code: number; message: string } | undefined;
  /** The era probe, once the SDK's client sent one. */
  discover: DiscoverSeen | undefined;
  private stdinClosed = false;
  private readonly methods = new Map<string | number, string>();
  private started = 0;

  constructor(
    private readonly runner: Runner,
    private readonly plan: SpawnPlan,
  ) {}

  /** The server's process id; with `stderr`, what makes the SDK treat this transport as stdio. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    this.started = performance.now();
    const proc = this.runner.start(this.plan.file, this.plan.args, {
      env: this.plan.env,
      ...(this.plan.cwd ? { cwd: this.plan.cwd } : {}),
      ...(this.plan.verbatim ? { verbatim: true } : {}),
    });
    this.proc = proc;
    proc.stdout.on("data", (chunk: Buffer) => this.read(chunk.toString("utf8")));
    proc.stderr.on("data", (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString("utf8")).slice(-MAX_STDERR);
    });
    void proc.exited.then((exit) => {
      this.exit = { ...exit, afterStdinClosed: this.stdinClosed };
      this.onclose?.();
    });
    try {
      await proc.spawned;
    } catch (error) {
      this.spawnError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw error;
    }
  }

  private read(text: string): void {
    this.buffer += text;
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl === -1) break;
      const line = this.buffer.slice(0, nl).replace(/\r$/, "");
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === "") continue;
      let message: JSONRPCMessage | undefined;
      try {
        message = parseJSONRPCMessage(JSON.parse(line));
      } catch {
        // not JSON-RPC
      }
      if (message && "id" in message && message.id !== undefined && !("method" in message)) {
        const method = this.methods.get(message.id);
        const error = "error" in message ? message.error : undefined;
        // The era probe's error is a 2025 server's answer, not a refusal to go on.
        if (method === "server/discover" && this.discover && !this.discover.answer)
          this.discover.answer = {
            ms: this.elapsed(),
            ...(error ? { error: { code: error.code, message: error.message } } : {}),
          };
        else if (method && error && !this.refused)
          this.refused = { method, code: error.code, message: error.message };
      }
      if (message) this.onmessage?.(message);
      else if (this.noise.length < MAX_NOISE)
        this.noise.push(line.length > 200 ? `${line.slice(0, 200)}…` : line);
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.proc?.stdin;
    if (!stdin) throw new Error("Not connected");
    if ("method" in message && "id" in message) {
      this.methods.set(message.id, message.method);
      if (message.method === "server/discover") this.discover ??= { sentMs: this.elapsed() };
      else if (message.method === "initialize" && this.discover)
        this.discover.initializeMs ??= this.elapsed();
    }
    await new Promise<void>((resolve) => {
      if (stdin.write(`${JSON.stringify(message)}\n`)) resolve();
      else stdin.once("drain", () => resolve());
    });
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Close stdin (servers exit on EOF), give it a moment, then kill the whole tree. */
  async close(graceMs = 300): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.stdinClosed = true;
    try {
      proc.stdin.end();
    } catch {
      // already closed
    }
    await Promise.race([proc.exited, new Promise((r) => setTimeout(r, graceMs).unref())]);
    proc.killTree();
    await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Kill at once (timeout, Ctrl-C). */
  kill(): void {
    this.proc?.killTree();
  }
}
