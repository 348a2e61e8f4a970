/** Probe every planned entry once (identical launches are shared) and turn results into checks. */

import type { Progress } from "../progress.js";
import type { Runner } from "../run.js";
import type { EntryWork } from "./entries-phase.js";
import { type ProbeResult, probeAll, probeServer, probeSseRemote, type RemotePlan } from "./probe.js";
import type { SpawnPlan } from "./resolve.js";
import { type Check, check, SYNC_FIX, seconds } from "./types.js";

function planKey(plan: SpawnPlan): string {
  const env = Object.entries(plan.env)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([plan.file, plan.args, env, plan.cwd ?? "", plan.verbatim ?? false]);
}

export async function probeChecks(
  runner: Runner,
  work: readonly EntryWork[],
  options: { timeoutMs: number; concurrency: number; signal?: AbortSignal },
  progress: Progress,
): Promise<Check[]> {
  const out: Check[] = [];
  const unique = new Map<string, SpawnPlan | RemotePlan>();
  for (const w of work) if (w.kind === "stdio" && w.plan) unique.set(planKey(w.plan), w.plan);
  // SSE remotes are contacted (never a project file's: its URL would get the user's headers).
  for (const w of work)
    if (w.kind === "remote" && w.sse && w.where.scope !== "project") unique.set(remoteKey(w.sse), w.sse);
  const keys = [...unique.keys()];
  const step = progress.step(`Starting ${keys.length} server${keys.length === 1 ? "" : "s"}`);
  let results: ProbeResult[];
  try {
    results = await probeAll(
      keys,
      (k) => {
        const plan = unique.get(k)!;
        return "file" in plan
          ? probeServer(runner, plan, options.timeoutMs, options.signal)
          : probeSseRemote(plan, options.timeoutMs, options.signal);
      },
      {
        concurrency: options.concurrency,
        ...(options.signal ? { signal: options.signal } : {}),
        onDone: (done) => step.update(`Starting servers… ${done}/${keys.length} answered or gave up`),
      },
    );
  } finally {
    step.stop();
  }
  const byKey = new Map(keys.map((k, i) => [k, results[i]!]));
  for (const w of work) {
    if (w.kind === "remote" && w.sse) {
      out.push(...remoteChecks(w, w.where.scope === "project" ? undefined : byKey.get(remoteKey(w.sse))));
      continue;
    }
    if (w.kind !== "stdio") continue;
    if (!w.plan) {
      out.push(
        check(
          "probe.handshake",
          "skip",
          w.where,
          `not started: ${w.noSpawn ?? "cannot be started from here"}.`,
        ),
      );
      continue;
    }
    out.push(...resultChecks(w, byKey.get(planKey(w.plan))!, options.timeoutMs));
  }
  return out;
}

function remoteKey(plan: RemotePlan): string {
  return JSON.stringify(["sse", plan.url, Object.entries(plan.headers).sort(([a], [b]) => (a < b ? -1 : 1))]);
}

function remoteChecks(w: EntryWork, r: ProbeResult | undefined): Check[] {
  if (!r)
    return [
      check(
        "probe.handshake",
        "skip",
        w.where,
        "not contacted: a project file's remote would receive your headers; doctor contacts the ones in your own files.",
      ),
    ];
  if (!r.ok)
    return [
      check("probe.handshake", "fail", w.where, `${r.error ?? "failed"}.`, {
        fix: w.managed
          ? `${SYNC_FIX} If it still fails, check the URL and headers with the server's owner (it may have moved to Streamable HTTP).`
          : "Check the URL and headers; if the server now speaks Streamable HTTP, write it as an http entry.",
      }),
    ];
  return [
    check(
      "probe.handshake",
      "pass",
      w.where,
      `SSE handshake in ${seconds(r.startupMs ?? 0)} with ${r.tools} tool${r.tools === 1 ? "" : "s"} (${r.serverName ?? "unnamed server"}).`,
    ),
  ];
}

function resultChecks(w: EntryWork, r: ProbeResult, probeTimeoutMs: number): Check[] {
  const out: Check[] = [];
  const allows = `${w.clientName} allows ${seconds(w.timeoutMs)}`;
  const detail = [...r.noise.map((l) => `stdout: ${l}`), ...r.stderr.map((l) => `stderr: ${l}`)];
  if (!r.ok) {
    const fix = r.timedOut
      ? probeTimeoutMs < w.timeoutMs
        ? `Start the command by hand to see where it stops; if it is only slow, run doctor with --timeout ${Math.ceil(w.timeoutMs / 1000)} (${allows}).`
        : "Start the command by hand to see where it stops."
      : w.managed
        ? `${SYNC_FIX} If it still fails, start the command by hand to see its error.`
        : "Start the command by hand to see its error (its stderr is shown above).";
    out.push(check("probe.handshake", "fail", w.where, `${r.error ?? "failed"}.`, { fix, detail }));
  } else {
    out.push(
      check(
        "probe.handshake",
        "pass",
        w.where,
        `started in ${seconds(r.startupMs ?? 0)} with ${r.tools} tool${r.tools === 1 ? "" : "s"} (${r.serverName ?? "unnamed server"}).`,
      ),
    );
    const ms = r.startupMs ?? 0;
    if (ms >= w.timeoutMs)
      out.push(
        check(
          "probe.startup",
          "fail",
          w.where,
          `start-up took ${seconds(ms)}; ${allows}, so it gives up first.`,
          {
            fix: w.managed
              ? SYNC_FIX
              : "Install the package and run it with node + its script instead of npx.",
          },
        ),
      );
    else if (ms >= w.timeoutMs / 2)
      out.push(
        check(
          "probe.startup",
          "warn",
          w.where,
          `start-up took ${seconds(ms)}, over half of what ${allows}.`,
          {
            fix: w.managed
              ? SYNC_FIX
              : "Install the package and run it with node + its script instead of npx.",
          },
        ),
      );
    else out.push(check("probe.startup", "pass", w.where, `start-up ${seconds(ms)}; ${allows}.`));
  }
  if (r.noise.length > 0)
    out.push(
      check(
        "probe.stdout",
        "fail",
        w.where,
        `printed ${r.noise.length} line${r.noise.length === 1 ? "" : "s"} on stdout that ${r.noise.length === 1 ? "is" : "are"} not JSON-RPC; clients may drop the connection (stdout is for protocol messages only).`,
        {
          fix: "Make the server log to stderr: look for a quiet/--stdio option, update it, or report it to its author.",
          detail: r.noise.map((l) => `stdout: ${l}`),
        },
      ),
    );
  else if (r.ok) out.push(check("probe.stdout", "pass", w.where, "stdout carries JSON-RPC only."));
  return out;
}
