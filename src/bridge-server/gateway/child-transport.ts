/**
 * The stdio of a shared server's process: newline-delimited JSON-RPC over its stdin and stdout,
 * started through the process runner, each line bounded, its stderr logged.
 */
import { stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import { findSharedProgram, kindOfPlatform } from "../../core/environments/program-search.js";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { LineSplitter } from "../../core/jsonrpc/lines.js";
import { MAX_MESSAGE_BYTES, peekId } from "../../core/jsonrpc/messages.js";
import { maskedHead } from "../../core/secrets/mask.js";
import { type StartedProcess, startProcess } from "../../core/system/run.js";
import { launchSecrets } from "./share-log.js";

/** A line of the server's stderr is logged up to this size. */
const MAX_LOG_LINE_BYTES = 64 * 1024;

/**
 * Bytes that may wait to be written to the server's stdin. A server that stops reading would
 * otherwise hold in the bridge every message sent to it, without end. Twice the largest message
 * (16 MiB): one of the largest still fits behind another, and a bridge sharing several servers
 * that all stall stays in the low hundreds of MiB.
 */
export const MAX_STDIN_BACKLOG = 2 * MAX_MESSAGE_BYTES;

/**
 * A bare command looked for at each start, as the install advice promises: on the PATH the bridge
 * has now, else in the folder its installer puts it (then started from there, that folder first on
 * its PATH, so what it runs beside it is found too). Anything else is started as written.
 */
async function located(
  command: string,
  env: Record<string, string | undefined>,
): Promise<{ command: string; env: Record<string, string | undefined> }> {
  if (/[\\/]/.test(command)) return { command, env };
  const kind = kindOfPlatform(process.platform);
  const place = await findSharedProgram(command, { kind, vars: env, home: os.homedir() });
  if (!place?.folder) return { command, env };
  const key = Object.keys(env).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
  const rest = env[key];
  return {
    command: place.file,
    env: { ...env, [key]: rest ? `${place.folder}${path.delimiter}${rest}` : place.folder },
  };
}

/** The child's stdio, read by its wire (child-wire.ts). */
export class ChildTransport {
  onclose?: () => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #launch: ShareLaunch;
  readonly #log: (line: string) => void;
  readonly #stderr: (line: string) => void;
  #child: StartedProcess | undefined;
  #closed = false;
  /** Whether the stdin backlog's refusals were logged since the server last read it all. */
  #refusing = false;
  /** How the process ended ("code 1", "SIGKILL"), once it did. */
  exit: string | undefined;

  /**
   * `log`: what happens to the process; `stderr`: what it writes there, and its stdout lines that
   * are not JSON-RPC (default: `log` too).
   */
  constructor(launch: ShareLaunch, log: (line: string) => void, stderr: (line: string) => void = log) {
    this.#launch = launch;
    this.#log = log;
    this.#stderr = stderr;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    const { command, args, env, cwd } = this.#launch;
    // A folder that is not there fails the spawn as "spawn <command> ENOENT", which blames the
    // program: the folder is named instead (a project's comes from its client's entry).
    const folder = cwd ? await stat(cwd).catch(() => undefined) : undefined;
    if (cwd && !folder?.isDirectory())
      throw new Error(
        `its project folder ${cwd} does not exist here (the client's entry names it in its Mcp-Twin-Project header): start the client in a folder that exists`,
      );
    const run = await located(command, { ...process.env, ...env });
    // Tagged: what it starts is ended with it, also a grandchild that left its process group.
    const child = startProcess(run.command, args, { env: run.env, tagged: true, ...(cwd ? { cwd } : {}) });
    this.#child = child;
    const stdout = new LineSplitter(
      MAX_MESSAGE_BYTES,
      (line) => this.#line(line),
      (start) => this.#oversize(start),
    );
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    const stderr = new LineSplitter(
      MAX_LOG_LINE_BYTES,
      (line) => this.#stderr(line.trimEnd()),
      (start) =>
        this.#stderr(
          `${this.#excerpt(start).trimEnd()}… (a line longer than ${MAX_LOG_LINE_BYTES / 1024} KiB, cut)`,
        ),
    );
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // Gone when it exits, not when its pipes close: a grandchild holding its stdout would keep it
    // "running" (run.ts ends what it started, and its pipes close once its last output is read).
    void child.ended.then(({ code, signal }) => {
      this.exit = signal ?? `code ${code}`;
      if (!this.#closed) this.#log(`the server exited (${this.exit})`);
      this.#closed = true;
    });
    void child.exited.then(() => this.onclose?.());
    await child.spawned;
  }

  /** Bytes written to the server's stdin that it has not read yet (at most `MAX_STDIN_BACKLOG`). */
  get queuedBytes(): number {
    return this.#child?.stdin.writableLength ?? 0;
  }

  /**
   * A message that would take the stdin backlog past its bound is not written: a request is
   * refused (the caller answers its client with the error at once), anything else is dropped.
   */
  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.#child;
    if (this.#closed || !child) throw new Error("the shared server is not running");
    const line = Buffer.from(`${JSON.stringify(message)}\n`);
    if (child.stdin.writableLength + line.length <= MAX_STDIN_BACKLOG) {
      child.stdin.write(line);
      return;
    }
    const limit = `${MAX_STDIN_BACKLOG / (1024 * 1024)} MiB`;
    if (!this.#refusing) {
      this.#refusing = true;
      this.#log(
        `stdin: the server is not reading what is sent to it (${limit} waiting): requests are refused and notifications dropped until it reads again`,
      );
      child.stdin.once("drain", () => {
        this.#refusing = false;
      });
    }
    if ("method" in message && "id" in message)
      throw rpcError(
        `the shared server "${this.#launch.name}" is not reading its requests (${limit} already wait for it): try again later`,
        RPC.serverError,
      );
  }

  /** Stdin closed first (a server's cue to exit), then its whole process tree. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child || this.#closed) return;
    this.#closed = true;
    try {
      child.stdin.end();
    } catch {
      // already closed
    }
    await Promise.race([child.ended, new Promise((r) => setTimeout(r, 500).unref())]);
    child.killTree();
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /**
   * The start of a line too long to log whole: masked before it is cut, so a secret across the cut
   * shows no half of itself.
   */
  #excerpt(text: string): string {
    return maskedHead(text, launchSecrets(this.#launch), 200);
  }

  #line(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      // What the server printed, not what happened to it: its own log (capped), like its stderr.
      this.#stderr(`stdout (not JSON-RPC, ignored): ${this.#excerpt(line)}`);
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) return;
    this.onmessage?.(message as JSONRPCMessage);
  }

  /**
   * A line past the message limit: never held whole (a server that writes without end cannot grow
   * the bridge), and the request it answers, when its id can be told, gets an error.
   */
  #oversize(start: string): void {
    const limit = `${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB`;
    this.#log(`stdout: dropped a message larger than the ${limit} limit`);
    const id = peekId(start);
    if (id === null) return;
    this.onmessage?.({
      jsonrpc: "2.0",
      id,
      error: {
        code: RPC.internalError,
        message: `the shared server "${this.#launch.name}" answered with a message larger than the ${limit} limit`,
      },
    });
  }
}
