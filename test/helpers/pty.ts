/**
 * Drive the built CLI in a real pseudo-terminal (util-linux `script`), the way a person at a
 * keyboard would: wait for text, type keys. Prompts see a TTY; Ctrl-C is a real ^C byte.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { BIN } from "./fake-machine.js";

export interface PtySession {
  /** Wait until the screen output (ANSI stripped) matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  exit: Promise<{ code: number | null; output: string }>;
  output(): string;
  /** Everything the terminal received, escape sequences and all. */
  raw(): string;
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
