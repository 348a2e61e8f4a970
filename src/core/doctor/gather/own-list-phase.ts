/**
 * A client's own list of its servers (`copilot mcp list --json`), asked where doctor runs and the
 * program is on PATH: which servers of its user file the client itself reads.
 */
import type { ConfigFacts } from "./read-configs.js";

/** What the client's own command said: the servers it lists, or why it said nothing readable. */
export interface OwnListFacts {
  /** The command as run, for the report: `copilot mcp list --json`. */
  command: string;
  names?: string[];
  /** It did not run, exited non-zero, or printed what is not a list (its first line of stderr). */
  error?: string;
}

/** Each user file of a client with its own list command, in the environment doctor runs in. */
export async function askOwnLists(
  configs: readonly ConfigFacts[],
  timeoutMs: number,
): Promise<Map<string, OwnListFacts>> {
  const asked = configs.filter(
    (c) => c.target.client.ownList && c.target.scope === "user" && c.target.env.local && c.text !== null,
  );
  const out = new Map<string, OwnListFacts>();
  await Promise.all(
    asked.map(async ({ target: t }) => {
      const list = t.client.ownList;
      const program = list && (await t.env.findProgram?.(list.program));
      if (!list || !program) return;
      const command = [list.program, ...list.args].join(" ");
      const r = await t.env.exec(program, list.args, { timeoutMs }).catch((error: Error) => error);
      if (r instanceof Error) {
        out.set(t.key, { command, error: r.message.split("\n")[0] ?? "it did not start" });
        return;
      }
      const stderr = r.stderr.toString("utf8").trim().split("\n")[0] ?? "";
      if (r.exitCode !== 0) {
        out.set(t.key, {
          command,
          error: `exit ${r.exitCode ?? "by a signal"}${stderr ? `: ${stderr}` : ""}`,
        });
        return;
      }
      const names = list.names(r.stdout.toString("utf8"));
      out.set(t.key, names ? { command, names } : { command, error: "its output is not the list it prints" });
    }),
  );
  return out;
}
