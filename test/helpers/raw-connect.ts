/**
 * `mcp-twin connect …` as a real process fed raw stdin lines, for the relay's tests: its stdout
 * lines (parsed), its stderr and exit code once it ends.
 */
import { spawn } from "node:child_process";
import { BIN } from "./fake-machine.js";

export interface RawConnectRun {
  code: number | null;
  out: Array<Record<string, unknown>>;
  err: string;
}

/**
 * `end`: stdin closes that many ms after the lines are written (0: at once), or with
 * "first-answer" once the relay has written its first line.
 */
export function rawConnect(
  args: string[],
  env: Record<string, string>,
  lines: string[],
  end: number | "first-answer" = 0,
): Promise<RawConnectRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "connect", ...args], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (end === "first-answer" && out.includes("\n")) child.stdin.end();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdin.write(lines.map((l) => `${l}\n`).join(""));
    if (end !== "first-answer") setTimeout(() => child.stdin.end(), end);
    child.once("exit", (code) =>
      resolve({
        code,
        out: out
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
        err,
      }),
    );
  });
}
