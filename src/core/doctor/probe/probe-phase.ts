/** Probe every planned entry once (identical launches are shared); checks/probe-results.ts reads the results. */

import type { SpawnPlan } from "../../entries/programs/resolve.js";
import type { Progress } from "../../system/progress.js";
import type { Runner } from "../../system/run.js";
import { andList } from "../../text/prose-lists.js";
import type { EntryWork, ProbeItem } from "../facts.js";
import { type ProbeResult, probeServer, type RemotePlan } from "./live-probe.js";
import { probeAll } from "./probe-all.js";
import { probeHttpRemote } from "./remote-probe.js";
import { probeSseRemote } from "./sse-probe.js";

/** The longest doctor waits for a server without --timeout, however long its client allows. */
const CLIENT_WAIT_MAX_MS = 60_000;

function planKey(plan: SpawnPlan): string {
  const env = Object.entries(plan.env)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([plan.file, plan.args, env, plan.cwd ?? "", plan.verbatim ?? false]);
}

/** One remote, however many entries reach it (a native url entry and a relay's alike). */
function remoteKey(plan: RemotePlan): string {
  return JSON.stringify([
    plan.transport,
    plan.url,
    Object.entries(plan.headers).sort(([a], [b]) => (a < b ? -1 : 1)),
    plan.login?.server ?? "",
  ]);
}

/**
 * Start every planned entry and contact every remote (identical ones once, in parallel), and pair
 * each with its result. A project file's remote is not contacted: its URL would get the user's
 * headers.
 */
export async function runProbes(
  runner: Runner,
  work: readonly EntryWork[],
  options: { timeoutMs: number; followClients?: boolean; concurrency: number; signal?: AbortSignal },
  progress: Progress,
): Promise<ProbeItem[]> {
  // Each entry's launch, read once before anything starts: Node's spawn adds NODE_V8_COVERAGE to
  // the env object it is given when this process has it, so a key read again after the probes
  // named another launch, and every result went unpaired ("cannot be started from here").
  const keyOf = new Map<EntryWork, string | undefined>(
    work.map((w) => [
      w,
      w.remote && w.where.scope !== "project"
        ? remoteKey(w.remote)
        : w.kind === "stdio" && w.plan
          ? planKey(w.plan)
          : undefined,
    ]),
  );
  const unique = new Map<string, SpawnPlan | RemotePlan>();
  for (const w of work) {
    const key = keyOf.get(w);
    // keyOf names a launch only with its plan: a remote's, or a stdio entry's.
    const plan = w.remote && w.where.scope !== "project" ? w.remote : w.plan;
    if (key && plan) unique.set(key, plan);
  }
  const keys = [...unique.keys()];
  // Without --timeout a launch is waited for as long as its clients wait (the longest of those
  // sharing it), never less than doctor's own wait nor more than CLIENT_WAIT_MAX_MS: a server a
  // client allows 60 s is not failed at 10 s, and a hung one does not hold doctor for minutes.
  const waitOf = new Map<SpawnPlan | RemotePlan, number>();
  for (const [key, plan] of unique) {
    const client = Math.max(0, ...work.filter((w) => keyOf.get(w) === key).map((w) => w.timeoutMs));
    const wait = options.followClients ? Math.min(client, CLIENT_WAIT_MAX_MS) : 0;
    waitOf.set(plan, Math.max(options.timeoutMs, wait));
  }
  const step = progress.step(`Starting ${keys.length} server${keys.length === 1 ? "" : "s"}`);
  let results: ProbeResult[];
  try {
    results = await probeAll(
      [...unique.values()],
      (plan, signal) => {
        const wait = waitOf.get(plan) ?? options.timeoutMs;
        return "file" in plan
          ? probeServer(runner, plan, wait, signal)
          : plan.transport === "sse"
            ? probeSseRemote(plan, wait, signal)
            : probeHttpRemote(plan, wait, signal);
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
  const byKey = new Map<string, ProbeResult>();
  for (const [i, k] of keys.entries()) {
    const result = results[i];
    if (result) byKey.set(k, result);
  }
  // One start answers for every entry of the same launch: each of them says so.
  const sharing = new Map<string, EntryWork[]>();
  for (const w of work) {
    const key = keyOf.get(w);
    if (key) sharing.set(key, [...(sharing.get(key) ?? []), w]);
  }
  return work
    .filter((w) => w.kind === "stdio" || (w.kind === "remote" && (w.remote || w.noSpawn)))
    .map((w) => {
      const key = keyOf.get(w);
      const sharers = key ? (sharing.get(key) ?? []) : [];
      const shared = sharedBy(sharers);
      const across = new Set(sharers.map((x) => x.where.env)).size > 1;
      const result = key ? byKey.get(key) : undefined;
      return {
        work: w,
        ...(key ? { launch: key } : {}),
        ...(result ? { result } : {}),
        ...(shared ? { sharedBy: shared, ...(across ? { sharedAcross: true } : {}) } : {}),
        probeTimeoutMs: (key && waitOf.get(unique.get(key) as SpawnPlan | RemotePlan)) || options.timeoutMs,
      };
    });
}

/** "Claude Desktop and Cursor" (with their environments when they differ); undefined for one. */
function sharedBy(works: readonly EntryWork[]): string | undefined {
  if (works.length < 2) return undefined;
  const envs = new Set(works.map((w) => w.where.env));
  const names = [
    ...new Set(works.map((w) => (envs.size > 1 ? `${w.clientName} (${w.where.env})` : w.clientName))),
  ];
  if (names.length < 2) return undefined;
  return andList(names);
}
