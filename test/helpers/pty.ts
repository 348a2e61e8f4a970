/**
 * Drive the built CLI in a real pseudo-terminal (util-linux `script`), the way a person at a
 * keyboard would: wait for text, type keys. Prompts see a TTY; Ctrl-C is a real ^C byte.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { BIN } from "./fake-machine.js";

export interface PtySession {
  /** Wait until the screen output (ANSI stripped) matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  exit: Promise<{ code: number | null; output: string }>;
  output(): string;
  /** Everything the terminal received, escape sequences and all. */
  raw(): string;
  /**
   * Send a signal to the CLI itself (not to `script` or its shell), as `kill`, a parent process or
   * a closing terminal does: a signal, not a keypress.
   */
  kill(signal: NodeJS.Signals): void;
  /** The exit, if it comes within `ms`; else the CLI is killed (SIGKILL) and this fails. */
  exitWithin(ms: number): Promise<{ code: number | null; output: string }>;
}

export const KEY = {
  enter: "\r",
  down: "\u001b[B",
  up: "\u001b[A",
  space: " ",
  ctrlC: "\u0003",
  backspace: "\u007f",
};

const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p)) ?? "script";
// By absolute path too: a fake machine's PATH has no stty, and without it the pty stays 0×0
// (no spinner then: a terminal without a width cannot host one).
const STTY = ["/usr/bin/stty", "/bin/stty"].find((p) => existsSync(p)) ?? "stty";
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]|\r/g, "");

/** The process under `root` (itself or a descendant) whose command line holds `marker`. */
function processUnder(root: number, marker: string): number | undefined {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid …: the command's name may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p))
      if (p === root) return true;
    return false;
  };
  for (const pid of parent.keys()) {
    if (!under(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(marker)) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export function runInPty(args: string[], env: Record<string, string>, cwd: string): PtySession {
  // A real size, as a terminal window has (script's new pty starts at 0×0).
  const quoted = `${STTY} cols 120 rows 40; ${[process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")}`;
  // `script` by absolute path: a fake machine's PATH holds only its own folders.
  const child = spawn(SCRIPT, ["-qfec", quoted, "/dev/null"], {
    env: { ...env, TERM: "xterm", COLUMNS: "120", LINES: "40" },
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let raw = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    raw += d.toString("utf8");
    for (const l of listeners) l();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, output: strip(raw) })),
  );
  return {
    output: () => strip(raw),
    raw: () => raw,
    type: (keys) => child.stdin.write(keys),
    kill(signal) {
      const cli = child.pid === undefined ? undefined : processUnder(child.pid, BIN);
      if (cli === undefined) throw new Error(`no ${BIN} running under the pty`);
      process.kill(cli, signal);
    },
    exitWithin(ms) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          // Still running: nothing else would stop it (it may ignore the pty's hang-up too).
          const cli = child.pid === undefined ? undefined : processUnder(child.pid, BIN);
          if (cli !== undefined) process.kill(cli, "SIGKILL");
          reject(new Error(`still running after ${ms} ms; screen so far:\n${strip(raw).slice(-2000)}`));
        }, ms);
        void exit.then((result) => {
          clearTimeout(timer);
          resolve(result);
        });
      });
    },
    exit,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(strip(raw))) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(strip(raw));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          // A failed wait must not leave the CLI running on its pty: interrupt it, then the pty.
          child.stdin.write(KEY.ctrlC);
          setTimeout(() => child.kill("SIGKILL"), 500).unref();
          reject(new Error(`timed out waiting for ${pattern}; screen so far:\n${strip(raw).slice(-2000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
