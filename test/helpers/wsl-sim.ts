/**
 * The simulated WSL machine (../shared/wsl-sim: root and util-linux `unshare`, a private mount
 * namespace in which /proc says WSL2 and cmd.exe, powershell.exe and wsl.exe are stand-ins that log
 * every call in STATE/interop.log): where it is, whether it can run here, and a command run in it.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO } from "./fake-machine.js";

/** wsl-sim.sh: MCP_TWIN_WSL_SIM (its folder), else `shared/wsl-sim` beside the repository (or its parent). */
export function findWslSim(): { script: string } | { reason: string } {
  const candidates = [
    process.env.MCP_TWIN_WSL_SIM,
    path.resolve(REPO, "..", "shared", "wsl-sim"),
    path.resolve(REPO, "..", "..", "shared", "wsl-sim"),
  ].filter((d): d is string => Boolean(d));
  const dir = candidates.find((d) => existsSync(path.join(d, "wsl-sim.sh")));
  if (!dir)
    return { reason: `no WSL simulation (wsl-sim.sh) in ${candidates.join(" or ")}; set MCP_TWIN_WSL_SIM` };
  if (process.getuid?.() !== 0)
    return { reason: "the WSL simulation needs root (it mounts in a private namespace)" };
  try {
    execFileSync("unshare", ["--mount", "--propagation", "private", "true"], { stdio: "ignore" });
  } catch {
    return { reason: "`unshare --mount` does not work here (util-linux missing, or no permission)" };
  }
  return { script: path.join(dir, "wsl-sim.sh") };
}

export interface SimResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One command in the simulation with state folder `state`; `browser`: WSL_SIM_BROWSER; `live`: an
 * object whose stdout and stderr grow as the command prints (to wait for a line while it runs).
 */
export function inWslSim(
  script: string,
  state: string,
  command: string[],
  options: { fresh?: boolean; browser?: string; live?: Omit<SimResult, "code"> } = {},
): Promise<SimResult> {
  const args = [script, "--state", state, ...(options.fresh ? ["--fresh"] : []), "--", ...command];
  return new Promise((resolve) => {
    const child = spawn("bash", args, {
      env: { ...process.env, WSL_SIM_BROWSER: options.browser ?? "", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (options.live) options.live.stdout = stdout;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (options.live) options.live.stderr = stderr;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
