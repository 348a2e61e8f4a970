/** Running `mcp-twin doctor --json` on a fake machine and picking checks out of its report. */
import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import type { FakeMachine } from "../helpers/fake-machine.js";

export interface JsonCheck {
  id: string;
  env?: string;
  client?: string;
  server?: string;
  status: "pass" | "warn" | "fail" | "skip";
  message: string;
  fix?: string;
}

export interface DoctorRun {
  code: number;
  stdout: string;
  stderr: string;
  ok: boolean;
  checks: JsonCheck[];
}

export async function doctor(
  machine: FakeMachine,
  args: string[] = [],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<DoctorRun> {
  const r = await machine.run(["doctor", "--json", ...args], options);
  let parsed: { ok: boolean; checks: JsonCheck[] };
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, ok: parsed.ok, checks: parsed.checks ?? [] };
}

export function pick(run: DoctorRun, id: string, where: Partial<JsonCheck> = {}): JsonCheck[] {
  return run.checks.filter(
    (c) =>
      c.id === id &&
      Object.entries(where).every(([k, v]) => (c as unknown as Record<string, unknown>)[k] === v),
  );
}

/** The one check with this id there; fails the test with the whole list when absent. */
export function one(run: DoctorRun, id: string, where: Partial<JsonCheck> = {}): JsonCheck {
  const found = pick(run, id, where);
  if (found.length !== 1)
    throw new Error(
      `expected one ${id} ${JSON.stringify(where)}, found ${found.length}:\n${JSON.stringify(
        run.checks.filter((c) => c.id === id),
        null,
        2,
      )}`,
    );
  return found[0]!;
}

export function failures(run: DoctorRun): JsonCheck[] {
  return run.checks.filter((c) => c.status === "fail");
}

export function expectClean(run: DoctorRun): void {
  expect(failures(run), JSON.stringify(failures(run), null, 2)).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.ok).toBe(true);
}

/**
 * Processes (pid, command line) whose command line or environment contains `marker`: what a run
 * left behind. The environment too, because npm renames itself (`npm install <pkg>`), and a fake
 * machine's processes all carry its folder in their environment (PATH, npm's cache).
 */
export function processesWith(marker: string): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const state = /^\S+ \(.*\) (\S)/.exec(readFileSync(`/proc/${name}/stat`, "utf8"))?.[1];
      if (state === "Z") continue;
      if (cmd.includes(marker) || environ(name).includes(marker)) out.push({ pid: Number(name), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function environ(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return ""; // another user's process
  }
}

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Every failure doctor reports has its fix: the text report ends "the → lines say what to do"
 * whenever something failed, so a failure without one leaves the user with nothing to do.
 */
export function expectEveryFailureFixed(run: DoctorRun): void {
  const unfixed = failures(run).filter((c) => !c.fix);
  expect(unfixed, JSON.stringify(unfixed, null, 2)).toEqual([]);
}
