/** Shared timing helpers: interleaved runs, medians, side-by-side tables, a process tree's memory. */
import { type ChildProcess, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface Timed {
  name: string;
  ms: number[];
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function timeOnce(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: "ignore" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.status}`);
  return ms;
}

/** Run commands round-robin so machine load hits them all alike. */
export function interleave(
  commands: Array<{ name: string; run: () => number }>,
  rounds: number,
  warmup = 2,
): Timed[] {
  const results = commands.map((c) => ({ name: c.name, ms: [] as number[] }));
  for (let i = 0; i < warmup; i++) for (const c of commands) c.run();
  for (let i = 0; i < rounds; i++) {
    for (const [j, c] of commands.entries()) results[j]!.ms.push(c.run());
  }
  return results;
}

export function table(rows: Array<Record<string, string | number>>): void {
  const keys = Object.keys(rows[0] ?? {});
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join("  ");
  console.log(line(keys));
  for (const r of rows) console.log(line(keys.map((k) => String(r[k]))));
}

export function verdict(label: string, value: number, target: number, lowerIsBetter = true): boolean {
  const ok = lowerIsBetter ? value <= target : value >= target;
  console.log(
    `${ok ? "✔" : "✖"} ${label}: ${value.toFixed(2)} (target ${lowerIsBetter ? "≤" : "≥"} ${target})`,
  );
  return ok;
}

/**
 * The gateway's budgets, one line each ("budget … : measured X vs limit Y ✔/✘"), kept for the summary
 * `npm run bench -- --budgets` prints at the end (bench/run.js reads them off globalThis: each
 * benchmark is bundled on its own, so a module variable would not be shared). The verdict too.
 */
export function budget(
  label: string,
  measured: number,
  limit: number,
  unit = "",
  lowerIsBetter = true,
): boolean {
  const ok = lowerIsBetter ? measured <= limit : measured >= limit;
  const figure = (v: number) => `${v.toFixed(v >= 10 ? 1 : 2)}${unit}`;
  const line = `budget ${label} : measured ${figure(measured)} vs limit ${lowerIsBetter ? "≤" : "≥"} ${figure(limit)} ${ok ? "✔" : "✘"}`;
  console.log(line);
  const kept = globalThis as { benchBudgets?: string[] };
  kept.benchBudgets ??= [];
  kept.benchBudgets.push(line);
  return ok;
}

/** `npm run bench -- --budgets`: only what the gateway's budgets need, with the cuts each bench says. */
export const BUDGETS = process.env.BENCH_BUDGETS === "1";

/** "median (min–max over n)": how far a figure's rounds spread, to judge whether it is stable. */
export function spread(xs: number[], digits = 2): string {
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)} over ${xs.length})`;
}

/**
 * SIGTERM to each child, then its exit awaited (not a fixed wait); one still there 5 s later is
 * killed.
 */
export async function endAll(children: ChildProcess[]): Promise<void> {
  const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exits = live.map((c) => new Promise((r) => c.once("exit", r)));
  for (const c of live) {
    c.kill("SIGTERM");
    setTimeout(() => c.kill("SIGKILL"), 5000).unref();
  }
  await Promise.all(exits);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `probe`'s first answer other than undefined (a throw is "not yet"), polled every 50 ms. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A process's resident memory now (VmRSS), in MB; 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  } catch {
    return 0;
  }
}

/** A process's proportional share of memory now (Pss, /proc/PID/smaps_rollup), in MB; 0 once it is gone. */
export function pssMb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))![1]) / 1024;
  } catch {
    return 0;
  }
}

/** A process and all its descendants (from /proc/<pid>/task/<tid>/children). */
export function tree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    // gone
  }
  return [pid, ...kids.flatMap(tree)];
}
