/**
 * The only place that starts processes. Everything else receives a `Runner`, so tests can run
 * the real code against stand-in executables (cmd.exe, wsl.exe, npm) on a temp PATH.
 */

export interface RunOptions {
  cwd?: string;
  /** Full environment of the child (not merged with ours unless `extendEnv`). */
  env?: Record<string, string | undefined>;
  extendEnv?: boolean;
  input?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
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
}

/** A runner backed by execa: no shell, buffers output, never throws for a failed command. */
export function createRunner(): Runner {
  return {
    async run(file, args, options = {}) {
      // Loaded on first use: a no-op sync starts no process and should not pay for execa.
      const { execa } = await import("execa");
      const result = await execa(file, [...args], {
        cwd: options.cwd,
        env: options.env,
        extendEnv: options.extendEnv ?? false,
        input: options.input,
        timeout: options.timeoutMs,
        cancelSignal: options.signal,
        encoding: "buffer",
        reject: false,
        stripFinalNewline: false,
        windowsHide: true,
        stdin: options.input === undefined ? "ignore" : "pipe",
      });
      const spawnError = (result as { code?: string }).code;
      const started = !(result.failed && result.exitCode === undefined && result.signal === undefined);
      return {
        exitCode: result.exitCode,
        stdout: Buffer.from(result.stdout ?? new Uint8Array()),
        stderr: Buffer.from(result.stderr ?? new Uint8Array()),
        failed: result.failed,
        timedOut: result.timedOut,
        ...(started || !spawnError ? {} : { spawnError }),
      };
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
