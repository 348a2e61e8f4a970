/**
 * The only place that starts processes. Everything else receives a `Runner`, so tests can run
 * the real code against stand-in executables (cmd.exe, wsl.exe, npm) on a temp PATH.
 * `startProcess` is the streaming variant, for long-running children (doctor's live probes).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Writable } from "node:stream";

// node:child_process is loaded on first use: most runs (a no-op sync) start no process at all,
// and loading it slows start-up (docs/dev/performance.md).
let childProcessModule: typeof import("node:child_process") | undefined;
const childProcess = () => {
  childProcessModule ??= createRequire(import.meta.url)(
    "node:child_process",
  ) as typeof import("node:child_process");
  return childProcessModule;
};

export interface RunOptions {
  cwd?: string;
  /** Full environment of the child (not merged with ours unless `extendEnv`). */
  env?: Record<string, string | undefined>;
  extendEnv?: boolean;
  input?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Output as it comes (it is still buffered into the result): progress for long commands. */
  onOutput?: (chunk: Buffer, stream: "stdout" | "stderr") => void;
  /** Windows: pass the arguments as they are, unquoted (a `cmd.exe /d /s /c "…"` line). */
  verbatim?: boolean;
}

export interface RunResult {
  /** Undefined when the process could not start or was killed by a signal. */
  exitCode: number | undefined;
  stdout: Buffer;
  stderr: Buffer;
  /** Non-zero exit, spawn failure, timeout or signal. */
  failed: boolean;
  timedOut: boolean;
  /** Spawn error code such as ENOENT or EACCES, when the process never ran. */
  spawnError?: string;
}

export interface Runner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Start a long-running process with pipes (see `startProcess`). */
  start(file: string, args: readonly string[], options?: StartOptions): StartedProcess;
  /** Start a process that outlives this one (see `startDetached`). */
  detach(file: string, args: readonly string[], options: DetachOptions): DetachedProcess;
}

/**
 * A runner backed by execa: no shell, buffers output, never throws for a failed command.
 * On POSIX each process starts in a group of its own, so a stop (an aborted `signal`, a timeout)
 * reaches everything it started — npm run through the cmd.exe of interop leaves a child npm that
 * would outlive its parent. A run whose `signal` aborts throws the signal's reason (Ctrl-C:
 * an InterruptedError) once the group is stopped: it never returns a result to go on with.
 */
export function createRunner(): Runner {
  return {
    start: startProcess,
    detach: startDetached,
    async run(file, args, options = {}) {
      const signal = options.signal;
      signal?.throwIfAborted();
      // Loaded on first use: a no-op sync starts no process and should not pay for execa.
      const { execa } = await import("execa");
      signal?.throwIfAborted();
      const subprocess = execa(file, [...args], {
        cwd: options.cwd,
        env: options.env,
        extendEnv: options.extendEnv ?? false,
        input: options.input,
        encoding: "buffer",
        reject: false,
        stripFinalNewline: false,
        windowsHide: true,
        windowsVerbatimArguments: options.verbatim ?? false,
        stdin: options.input === undefined ? "ignore" : "pipe",
        detached: process.platform !== "win32",
        // Not execa's `timeout`/`cancelSignal`: they stop the child only, not what it started.
      });
      const onOutput = options.onOutput;
      if (onOutput) {
        subprocess.stdout?.on("data", (chunk: Uint8Array) => onOutput(Buffer.from(chunk), "stdout"));
        subprocess.stderr?.on("data", (chunk: Uint8Array) => onOutput(Buffer.from(chunk), "stderr"));
      }
      const stop = groupStopper(subprocess);
      const onAbort = () => stop.stop();
      signal?.addEventListener("abort", onAbort, { once: true });
      let timedOut = false;
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              stop.stop();
            }, options.timeoutMs);
      try {
        const result = await subprocess;
        if (signal?.aborted || timedOut) stop.kill();
        signal?.throwIfAborted();
        const spawnError = (result as { code?: string }).code;
        const started = !(result.failed && result.exitCode === undefined && result.signal === undefined);
        return {
          exitCode: result.exitCode,
          stdout: Buffer.from(result.stdout ?? new Uint8Array()),
          stderr: Buffer.from(result.stderr ?? new Uint8Array()),
          failed: result.failed || timedOut,
          timedOut,
          ...(started || !spawnError ? {} : { spawnError }),
        };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        stop.done();
      }
    },
  };
}

/**
 * A runner whose every process also stops when `signal` aborts (the CLI's Ctrl-C) — except a
 * detached one (the bridge), which is meant to outlive the command that started it.
 */
export function abortableRunner(runner: Runner, signal: AbortSignal): Runner {
  return {
    start: runner.start,
    detach: runner.detach,
    run: (file, args, options = {}) =>
      runner.run(file, args, {
        ...options,
        signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal,
      }),
  };
}

/** How long a stopped process group may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 2_000;

/**
 * Stops a child and its process group: SIGTERM (npm rolls back a half-done install), SIGKILL
 * after a grace period. While the child runs it is in `live`, so a process exit (a second Ctrl-C)
 * kills the group at once.
 */
function groupStopper(child: ChildProcess) {
  let escalation: NodeJS.Timeout | undefined;
  const handle = { killTree: () => killTree(child, "SIGKILL") };
  liveRuns.add(handle);
  installExitHook();
  return {
    stop() {
      killTree(child, "SIGTERM");
      escalation ??= setTimeout(() => killTree(child, "SIGKILL"), STOP_GRACE_MS);
      escalation.unref();
    },
    /** The leader has exited: whatever is left of its group goes now. */
    kill() {
      killTree(child, "SIGKILL");
    },
    done() {
      clearTimeout(escalation);
      liveRuns.delete(handle);
    },
  };
}

/**
 * Text of a Windows program's output: UTF-16LE when it looks like it (wsl.exe, `cmd /u`),
 * else UTF-8; CRLF folded to LF and NULs dropped.
 */
export function decodeWindowsOutput(buffer: Buffer): string {
  let text: string;
  const looksUtf16 =
    (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) ||
    (buffer.length >= 4 && buffer[1] === 0 && buffer[3] === 0 && buffer[0] !== 0);
  if (looksUtf16) {
    text = buffer.toString("utf16le");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  } else {
    text = buffer.toString("utf8");
  }
  return text.replace(/\u0000/g, "").replace(/\r\n?/g, "\n");
}

/** The last `lines` non-empty lines of a process's output, for error messages. */
export function tail(text: string, lines = 8): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .slice(-lines)
    .join("\n");
}

export interface StartOptions {
  cwd?: string;
  /** Full environment of the child. */
  env?: Record<string, string | undefined>;
  /** Windows: pass arguments without quoting (a `cmd.exe /d /s /c "…"` line built by the caller). */
  verbatim?: boolean;
  /**
   * Give it, and so everything it starts, a tag of its own in the environment (TAG_VARIABLE):
   * `killTree` then also ends what left its process group (a `setsid` grandchild), found by the
   * tag through /proc (Linux and WSL).
   */
  tagged?: boolean;
}

/** A process started with pipes for stdin/stdout/stderr (MCP stdio servers, for doctor's probes). */
export interface StartedProcess {
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  /** Resolves once the process runs; rejects with its spawn error (ENOENT, EACCES, EINVAL…). */
  readonly spawned: Promise<void>;
  /**
   * Resolves the moment the process is gone (or could not start), whatever still holds its pipes;
   * what it started goes with it. Never rejects.
   */
  readonly ended: Promise<{ code: number | null; signal: string | null }>;
  /**
   * Resolves once its output is all read too (its pipes closed: at most PIPES_AFTER_END_MS after
   * `ended`, when something that escaped the kill still holds them). Never rejects.
   */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Kill the process and everything it started (its process group; `taskkill /T` on Windows). */
  killTree(): void;
  /**
   * Nothing of it keeps this process running (the child, its pipes): one still running when this
   * process exits is killed then, as every started process is.
   */
  unref(): void;
}

/**
 * The variable a tagged process (StartOptions.tagged) and everything it starts carry: a child that
 * leaves its process group keeps its environment, so it is found by it.
 */
const TAG_VARIABLE = "MCP_TWIN_SERVER";

/**
 * After a process ends, how long its pipes may stay open before they are closed for it: its last
 * output is read by then, and only a process that escaped the kill (one that cleared its
 * environment, or any on macOS) can still hold them.
 */
const PIPES_AFTER_END_MS = 1_000;

/**
 * End every process whose environment holds `tag` (Linux and WSL, through `proc`): those a tagged
 * process started, however they left its group. How many were ended.
 */
function endTagged(tag: string, proc = "/proc"): number {
  if (process.platform !== "linux") return 0;
  const needle = Buffer.from(`\0${TAG_VARIABLE}=${tag}\0`);
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    // No /proc here: the process group is all there is to end.
    return 0;
  }
  let ended = 0;
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(path.join(proc, name, "environ"));
    } catch {
      // Gone meanwhile, or another account's: not one of ours.
      continue;
    }
    if (!Buffer.concat([Buffer.from([0]), environ]).includes(needle)) continue;
    try {
      process.kill(pid, "SIGKILL");
      ended++;
    } catch {
      // gone meanwhile
    }
  }
  return ended;
}

const live = new Set<StartedProcess>();
/** Processes of `Runner.run` still running (their groups are killed when this process exits). */
const liveRuns = new Set<{ killTree(): void }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const p of live) p.killTree();
    for (const p of liveRuns) p.killTree();
  });
}

/**
 * Start a long-running process with pipes, in its own process group (POSIX), so that it and every
 * process it starts can be killed at once. Whatever is still running when this process exits is
 * killed then, so nothing outlives mcp-twin.
 */
export function startProcess(
  file: string,
  args: readonly string[],
  options: StartOptions = {},
): StartedProcess {
  const tag = options.tagged ? randomBytes(16).toString("hex") : undefined;
  const env = tag ? { ...(options.env ?? process.env), [TAG_VARIABLE]: tag } : options.env;
  const child = childProcess().spawn(file, [...args], {
    cwd: options.cwd,
    env: env as NodeJS.ProcessEnv | undefined,
    stdio: ["pipe", "pipe", "pipe"],
    shell: false,
    windowsHide: true,
    windowsVerbatimArguments: options.verbatim ?? false,
    detached: process.platform !== "win32",
  });
  let resolveSpawned: () => void = () => {};
  let rejectSpawned: (e: Error) => void = () => {};
  const spawned = new Promise<void>((resolve, reject) => {
    resolveSpawned = resolve;
    rejectSpawned = reject;
  });
  // Awaited by whoever needs the spawn; this keeps a failure nobody awaits from being unhandled.
  spawned.catch(() => {});
  const failed = new Promise<{ code: null; signal: null }>((resolve) =>
    child.once("error", (error) => {
      rejectSpawned(error);
      resolve({ code: null, signal: null });
    }),
  );
  const ended = Promise.race([
    failed,
    new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    ),
  ]);
  const exited = Promise.race([
    failed,
    new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("close", (code, signal) => resolve({ code, signal })),
    ),
  ]);
  child.once("spawn", () => resolveSpawned());
  // A server that exits while we write must not crash us with EPIPE.
  child.stdin.on("error", () => {});
  const handle: StartedProcess = {
    pid: child.pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    spawned,
    ended,
    exited,
    killTree: () => killTree(child, "SIGKILL", tag),
    unref: () => {
      child.unref();
      for (const pipe of [child.stdin, child.stdout, child.stderr]) (pipe as { unref?(): void }).unref?.();
    },
  };
  live.add(handle);
  void ended.then(() => {
    // The leader is gone; what it started may not be (a child that ignored stdin EOF, one that
    // holds its stdout, one that left its group): ended too, so its pipes close.
    killTree(child, "SIGKILL", tag);
    live.delete(handle);
    const timer = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, PIPES_AFTER_END_MS);
    timer.unref();
    void exited.then(() => clearTimeout(timer));
  });
  installExitHook();
  return handle;
}

/** `tag`: also end every process carrying it (StartOptions.tagged), which the group may not hold. */
function killTree(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL", tag?: string): void {
  if (tag) endTagged(tag);
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === "win32") {
    if (child.exitCode === null && child.signalCode === null)
      childProcess().spawnSync("taskkill", ["/PID", String(pid), "/T", "/F"], {
        windowsHide: true,
        stdio: "ignore",
      });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

interface DetachOptions {
  /** Full environment of the child. */
  env: Record<string, string | undefined>;
  /** Its stdout and stderr go to this open file descriptor (the caller opens and closes it); none: nowhere. */
  logFd?: number;
  cwd?: string;
  /**
   * A listening socket's file descriptor, given to the child as its fd 3 (POSIX): the bridge's
   * keeper holds it for as long as it runs (supervisor.ts). The caller closes its own copy.
   */
  listenFd?: number;
}

interface DetachedProcess {
  readonly pid: number | undefined;
  /** Its exit code, should it end while this process still runs (never rejects). */
  readonly exited: Promise<number | null>;
}

/**
 * Start a process that outlives mcp-twin (the bridge, started by whichever client needs it first):
 * in a session of its own, stdin closed, output to the log file the caller opened, not waited for.
 */
function startDetached(file: string, args: readonly string[], options: DetachOptions): DetachedProcess {
  const log = options.logFd ?? "ignore";
  const child: ChildProcess = childProcess().spawn(file, [...args], {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["ignore", log, log, ...(options.listenFd === undefined ? [] : [options.listenFd])],
    windowsHide: true,
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("error", () => resolve(null));
    child.once("exit", (code) => resolve(code ?? 1));
  });
  child.unref();
  return { pid: child.pid, exited };
}

/** A child with a message channel to this process (Node's IPC), to hand it accepted connections. */
export interface ChanneledProcess {
  readonly pid: number | undefined;
  /** Its exit code (1 when it could not start or was killed); never rejects. */
  readonly exited: Promise<number>;
  /** Each message it sends (the bridge says when it takes connections). */
  onMessage(listener: (message: unknown) => void): void;
  /**
   * Send it a connection with `message` (the channel duplicates the socket into it; this process
   * keeps its own copy, for the child to say it has it): false when it could not be sent.
   */
  handOver(message: object, socket: import("node:net").Socket): Promise<boolean>;
  /** End it (TerminateProcess on Windows, SIGTERM elsewhere). */
  stop(): void;
}

/**
 * Start a process with a message channel (its fd 3, `process.send` there), stdin closed, its
 * stdout and stderr to the log the caller opened: the keeper's bridge on Windows, which takes the
 * connections its keeper accepts (bridge-control/socket-keeper.ts). Not detached: it is the
 * keeper's own, and ends with it when the keeper's job does.
 */
export function startWithChannel(
  file: string,
  args: readonly string[],
  options: { env: Record<string, string | undefined>; logFd: number },
): ChanneledProcess {
  const child = childProcess().spawn(file, [...args], {
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", options.logFd, options.logFd, "ipc"],
    windowsHide: true,
    serialization: "json",
  });
  const exited = new Promise<number>((resolve) => {
    child.once("error", () => resolve(1));
    child.once("exit", (code) => resolve(code ?? 1));
  });
  return {
    pid: child.pid,
    exited,
    onMessage: (listener) => child.on("message", listener),
    handOver: (message, socket) =>
      new Promise((resolve) => {
        if (!child.connected) return resolve(false);
        try {
          child.send(message, socket, { keepOpen: true }, (error) => resolve(!error));
        } catch {
          resolve(false);
        }
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };
}
