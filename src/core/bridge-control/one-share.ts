/**
 * One shared server looked after on its own (`mcp-twin bridge status|restart|logs <server>`): which
 * server a name means, stopping its processes in the running bridge, and reading its own log.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { type BridgeFiles, control, ownedInstance, readToken } from "../bridge-link/index.js";
import { UsageError } from "../errors.js";
import type { ServerSpec } from "../manifest/schema.js";
import { own } from "../plain-records.js";
import { unknownName } from "../selectors.js";

/**
 * The shared server `name` names, by the manifest's servers (undefined: it could not be read) and
 * those the running bridge reports (a `serve --share` one too): its mode when the manifest says
 * it. Exit 2 for a name that is not shared, saying how to share it, and for an unknown one.
 */
export function sharedNamed(
  given: string,
  name: string,
  servers: Readonly<Record<string, ServerSpec>> | undefined,
  reported: readonly string[],
): { mode?: string } {
  const spec = servers ? own(servers, name) : undefined;
  if (reported.includes(name)) return spec?.share ? { mode: spec.share } : {};
  if (spec?.share && !spec.disabled) return { mode: spec.share };
  if (spec?.disabled)
    throw new UsageError(
      "not-shared",
      `${name} is disabled in the manifest, so the bridge does not run it.`,
      { hint: `Take "disabled": true out of servers.${name}, then run \`mcp-twin sync\`.` },
    );
  if (spec)
    throw new UsageError(
      "not-shared",
      `${name} is not shared: each client starts its own process of it, so the bridge has none to look after.`,
      {
        hint: `To run it once in the bridge for every session: \`mcp-twin share ${name} machine\` (or project, or session), then \`mcp-twin sync\`.`,
      },
    );
  const shared = Object.entries(servers ?? {}).filter(([, s]) => s.share && !s.disabled);
  const known = [...new Set([...shared.map(([n]) => n), ...reported])].sort();
  throw unknownName({
    code: "unknown-server",
    given,
    name,
    isNot: "not a shared server",
    knownAs: "Shared servers",
    known,
    candidates: [...known, ...Object.keys(servers ?? {})],
    noneKnown: "No server is shared: `mcp-twin share <server> machine` shares one, then `mcp-twin sync`.",
  });
}

/** What `bridge restart <server>` did: the bridge's answer (ShareRestart in the gateway), or why none. */
export type ShareRestartOutcome =
  | { state: "restarted"; stopped: number; pids: number[]; sessions: number; cannotRun?: string }
  | { state: "bridge-down" }
  | { state: "unknown" }
  | { state: "failed"; error: string };

/** Stop every process of one shared server in the bridge running here (the next call starts it). */
export async function restartShare(files: BridgeFiles, name: string): Promise<ShareRestartOutcome> {
  const instance = await ownedInstance(files);
  const token = await readToken(files.token);
  if (!instance || !token) return { state: "bridge-down" };
  const answer = await control(
    { url: instance.url, token },
    { method: "POST", route: `restart/${encodeURIComponent(name)}`, timeoutMs: 30_000 },
  );
  if (!answer.ok)
    return answer.status === 404 ? { state: "unknown" } : { state: "failed", error: answer.error };
  const body = answer.body as Partial<Record<"stopped" | "sessions" | "pids" | "cannotRun", unknown>>;
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : 0);
  return {
    state: "restarted",
    stopped: count(body.stopped),
    pids: Array.isArray(body.pids) ? body.pids.filter((p): p is number => typeof p === "number") : [],
    sessions: count(body.sessions),
    ...(typeof body.cannotRun === "string" ? { cannotRun: body.cannotRun } : {}),
  };
}

/** A log's text, its older half (`<file>.1`) first; "" for a file that is not there. */
const textOf = (file: string) => readFile(file, "utf8").catch(() => "");

/** The last `count` lines of a shared server's log (its `.1` too), and whether it has one. */
export async function logTail(file: string, count: number): Promise<{ lines: string[]; exists: boolean }> {
  const [older, now] = await Promise.all([textOf(`${file}.1`), textOf(file)]);
  // No such file (or none that can be seen): it has no log.
  const exists = older !== "" || now !== "" || (await stat(file).catch(() => undefined)) !== undefined;
  const lines = `${older}${now}`.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return { lines: count > 0 ? lines.slice(-count) : [], exists };
}

/**
 * What is written to the log from now on, a line at a time, until `signal` aborts — across a
 * rotation, moved or emptied in place (the rest of the file, in `.1`, is read first). Polled: it costs a stat every 250 ms.
 */
export async function followLog(
  file: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  // No log file yet: it is followed from its creation.
  const at = await stat(file).catch(() => undefined);
  let ino = at?.ino;
  let offset = at?.size ?? 0;
  let partial = "";
  const emit = (text: string) => {
    const parts = `${partial}${text}`.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  };
  while (!signal.aborted) {
    // Aborted: the wait ends at once (rejected), and so does the loop.
    await sleep(250, undefined, { signal }).catch(() => {});
    if (signal.aborted) break;
    // The log is being replaced: read again on the next tick.
    const now = await stat(file).catch(() => undefined);
    if (ino !== undefined && now?.ino !== ino) {
      // Rotated: what was not read yet of the old file is in `.1` now.
      const moved = await stat(`${file}.1`).catch(() => undefined);
      if (moved?.ino === ino) emit(await readFrom(`${file}.1`, offset, moved.size));
      offset = 0;
    }
    ino = now?.ino;
    if (now && now.size < offset) {
      // Emptied in place (serve.log, serve-log.ts): what was not read yet was copied to `.1`.
      const copied = await stat(`${file}.1`).catch(() => undefined);
      if (copied && copied.size > offset) emit(await readFrom(`${file}.1`, offset, copied.size));
      offset = 0;
    }
    if (now && now.size > offset) {
      emit(await readFrom(file, offset, now.size));
      offset = now.size;
    }
  }
}

/** The bytes of `file` from `start` to `end`, as text ("" when it cannot be read). */
function readFrom(file: string, start: number, end: number): Promise<string> {
  if (end <= start) return Promise.resolve("");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start, end: end - 1 })
      .on("data", (chunk) => chunks.push(chunk as Buffer))
      .on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
      .on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
