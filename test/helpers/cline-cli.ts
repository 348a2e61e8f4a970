/**
 * The real Cline CLI for opt-in tests (npm `cline`, installed by real-cli.ts). It has no command that
 * lists its servers: one turn against a stand-in for the model's endpoint shows which loaded, by the
 * tools Cline offers the model (`<server>__<tool>`).
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { type RealCli, realCli } from "./real-cli.js";
import { startChatStandIn } from "./search-model.js";

export function clineCli(): RealCli {
  // A 150 MB binary with its runtime inside: its first `--version` on a busy machine takes ~30 s.
  return realCli({
    pkg: "cline",
    version: "3.0.65",
    command: "cline",
    binVariable: "MCP_TWIN_CLINE_BIN",
    versionTimeoutMs: 180_000,
  });
}

/** An OpenAI-compatible chat endpoint on loopback that answers "Done." and keeps each request's tools. */
export interface ModelStandIn {
  baseUrl: string;
  /** The tool names of each chat request, in order. */
  requests: string[][];
  close(): Promise<void>;
}

export async function startModelStandIn(): Promise<ModelStandIn> {
  const requests: string[][] = [];
  const chat = await startChatStandIn(({ tools }) => {
    requests.push(tools);
    return undefined;
  });
  return { ...chat, requests };
}

function clineEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: home, CLINE_NO_AUTO_UPDATE: "1", NO_COLOR: "1" };
}

/** Point Cline at the stand-in (its `auth` command writes ~/.cline/data/settings/providers.json). */
export function useStandIn(bin: string, home: string, model: ModelStandIn): void {
  execFileSync(bin, ["auth", "-p", "openai", "-k", "stand-in-key", "-m", "stand-in", "-b", model.baseUrl], {
    env: clineEnv(home),
    stdio: "pipe",
    timeout: 300_000,
  });
}

/**
 * One turn of `cline --json "<prompt>"` in `cwd`: the tools it offered the model, grouped by the
 * server they came from. Its hub daemon (started for the turn, left running) is stopped by pid.
 */
export async function clineTurn(
  bin: string,
  home: string,
  cwd: string,
  model: ModelStandIn,
): Promise<{ servers: Map<string, string[]>; output: string }> {
  const before = model.requests.length;
  const output = await new Promise<string>((resolve) => {
    const child = spawn(bin, ["--json", "say hello"], {
      cwd,
      env: clineEnv(home),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("close", () => resolve(out));
  });
  stopHubsFor(cwd);
  const servers = new Map<string, string[]>();
  for (const name of model.requests[before] ?? []) {
    const at = name.indexOf("__");
    if (at <= 0) continue;
    const server = name.slice(0, at);
    servers.set(server, [...(servers.get(server) ?? []), name.slice(at + 2)]);
  }
  return { servers, output };
}

/** Cline's hub daemons started for this very folder (`--cline-hub-daemon --cwd <cwd>`), by pid. */
export function stopHubsFor(cwd: string): void {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const at = argv.indexOf("--cwd");
    if (argv.includes("--cline-hub-daemon") && at > 0 && argv[at + 1] === cwd) {
      try {
        process.kill(Number(pid), "SIGTERM");
      } catch {
        // Gone already.
      }
    }
  }
}
