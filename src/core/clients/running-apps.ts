/**
 * Is an app running? Apps that read their config only at start must be restarted after a sync;
 * we say so, and warn when one is running. Linux/WSL: /proc (no process). Windows: one tasklist.exe
 * call, made only when a Windows app's config actually changed.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Machine } from "../environments/machine.js";
import { sysPath } from "../system/host.js";
import { decodeWindowsOutput } from "../system/run.js";
import type { Target } from "./types.js";

/** Names of apps found running; null when it could not be told. */
export async function runningApps(machine: Machine, targets: readonly Target[]): Promise<string[] | null> {
  const running = new Set<string>();
  let unknown = false;
  const windowsTargets = targets.filter((t) => t.env.kind === "windows");
  const localTargets = targets.filter((t) => t.env.local && t.env.kind !== "windows");

  if (
    windowsTargets.length > 0 &&
    machine.windows &&
    (machine.local.kind === "windows" || machine.local.interop)
  ) {
    const root = machine.home.windowsVars?.SYSTEMROOT ?? "C:\\Windows";
    const result = await machine.windows.exe(`${root}\\System32\\tasklist.exe`, ["/FO", "CSV", "/NH"], {
      timeoutMs: 15_000,
    });
    if (result.exitCode === 0) {
      const images = new Set(
        decodeWindowsOutput(result.stdout)
          .split("\n")
          .map((l) => /^"([^"]+)"/.exec(l)?.[1]?.toLowerCase())
          .filter((x): x is string => Boolean(x)),
      );
      for (const t of windowsTargets)
        if (t.client.processNames.windows.some((n) => images.has(n.toLowerCase())))
          running.add(t.client.name);
    } else {
      unknown = true;
    }
  } else if (windowsTargets.length > 0) {
    unknown = true;
  }
  if (localTargets.length > 0 && machine.local.kind !== "windows") {
    const names = await processNames(sysPath(machine.host, "/proc"));
    if (names === null) unknown = true;
    else
      for (const t of localTargets)
        if (t.client.processNames.posix.some((n) => names.has(n))) running.add(t.client.name);
  }
  if (unknown && running.size === 0) return null;
  return [...running];
}

async function processNames(proc: string): Promise<Set<string> | null> {
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
  const names = new Set<string>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        names.add(readFileSync(`${proc}/${pid}/comm`, "utf8").trim());
      } catch {
        // gone
      }
    }),
  );
  return names;
}
