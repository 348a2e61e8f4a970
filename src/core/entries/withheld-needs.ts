/**
 * Variables a server needs that its client withholds (Gemini CLI: names like secrets), as doctor
 * found them (their names only, cached); sync puts their values in that client's private user entries.
 */
import path from "node:path";
import type { Target } from "../clients/types.js";
import type { Machine } from "../environments/machine.js";
import { getEnv } from "../system/host.js";
import { privateFile } from "./private-file.js";
import type { BuiltEntry } from "./target-entry.js";

const CACHE_VERSION = 1;

/** Client id → server → the withheld names its error named. */
export type WithheldNeeds = Record<string, Record<string, string[]>>;

function cacheFile(machine: Pick<Machine, "paths">): string {
  return path.join(machine.paths.cache, "withheld-needs.json");
}

export function readWithheldNeeds(machine: Pick<Machine, "paths" | "caches">): WithheldNeeds {
  try {
    const data = JSON.parse(machine.caches.read(cacheFile(machine)) ?? "") as {
      version?: number;
      needs?: WithheldNeeds;
    };
    return data.version === CACHE_VERSION && data.needs && typeof data.needs === "object" ? data.needs : {};
  } catch {
    return {};
  }
}

/** Remember what doctor found (added to what it found before: a need does not go away by itself). */
export async function rememberWithheldNeeds(
  machine: Pick<Machine, "paths" | "caches">,
  found: ReadonlyArray<{ client: string; server: string; names: readonly string[] }>,
): Promise<void> {
  if (found.length === 0) return;
  const needs = readWithheldNeeds(machine);
  for (const f of found) {
    const client = Object.hasOwn(needs, f.client) ? (needs[f.client] ?? {}) : {};
    const had = Object.hasOwn(client, f.server) ? (client[f.server] ?? []) : [];
    client[f.server] = [...new Set([...had, ...f.names])].sort();
    needs[f.client] = client;
  }
  await machine.caches.write(
    cacheFile(machine),
    `${JSON.stringify({ version: CACHE_VERSION, needs }, null, 2)}\n`,
  );
}

/**
 * A stdio entry of a user file whose client withholds variables, for a server doctor found needs
 * some: each value from the environment sync runs in goes into the entry's `env` (not one the
 * manifest's env sets already) where the file is private; otherwise the entry is as built, and a
 * problem says why and what to do. Never a value into a file others can read.
 */
export function withWithheldNeeds(
  built: BuiltEntry,
  name: string,
  target: Target,
  needs: WithheldNeeds,
  processEnv: Readonly<Record<string, string | undefined>>,
): BuiltEntry {
  if (!built.ok || target.scope !== "user" || !target.client.serverEnvFilter) return built;
  const client = Object.hasOwn(needs, target.client.id) ? needs[target.client.id] : undefined;
  const names = client && Object.hasOwn(client, name) ? (client[name] ?? []) : [];
  const value = built.value;
  if (names.length === 0 || typeof value.command !== "string") return built;
  const env = (value.env && typeof value.env === "object" ? value.env : {}) as Record<string, string>;
  const wanted = names.filter((n) => !Object.hasOwn(env, n));
  if (wanted.length === 0) return built;
  const clientName = target.client.name;
  const list = wanted.join(", ");
  const one = wanted.length === 1;
  const unset = wanted.filter((n) => getEnv(processEnv, n) === undefined);
  const manifestFix = `or add ${one ? "it" : "them"} to the manifest's "${name}" env (\`"${wanted[0]}": "\${env:${wanted[0]}}"\`)`;
  if (unset.length > 0)
    return withProblem(
      built,
      `doctor found it needs ${list}, which ${clientName} withholds from servers, and ${unset.join(", ")} ${unset.length === 1 ? "is" : "are"} not set where sync runs: set ${unset.length === 1 ? "it" : "them"} and run \`mcp-twin sync\` again, ${manifestFix}`,
    );
  if (!privateFile(target))
    return withProblem(
      built,
      `doctor found it needs ${list}, which ${clientName} withholds from servers; sync did not write ${one ? "its value" : "their values"} into ${target.path}, which other users can read: run \`chmod 600 ${target.path}\` and \`mcp-twin sync\` again, ${manifestFix}`,
    );
  const values = Object.fromEntries(wanted.map((n) => [n, getEnv(processEnv, n) ?? ""]));
  return withProblem(
    {
      ...built,
      value: { ...value, env: { ...env, ...values } },
      secretValues: [...built.secretValues, ...Object.values(values)],
    },
    `doctor found it needs ${list}, which ${clientName} withholds from servers: its entry's env carries ${one ? "its value" : "their values"} from your environment (${target.path} is private)`,
    "withheld-written",
  );
}

function withProblem(built: BuiltEntry, message: string, code = "withheld-needed"): BuiltEntry {
  return built.ok ? { ...built, problems: [...(built.problems ?? []), { code, message }] } : built;
}
