/**
 * One MCP Registry server made ready to add, for `add` and `init` alike: fetched (latest or a
 * version), checked (deleted: refused; deprecated: said), one way to run it chosen (`--use`, else
 * mcp-twin's order), and what to tell the user about it. No printing here: warnings go to `warn`.
 */
import type { ServerTemplate } from "../catalogue/schema.js";
import { UsageError } from "../errors.js";
import type { ServerSpec } from "../manifest/schema.js";
import type { Progress } from "../system/progress.js";
import { untrusted } from "../text/control-chars.js";
import type { RegistryClient } from "./api.js";
import { toTemplate, type Way, waysToRun } from "./convert.js";
import type { RegistryEntry } from "./schema.js";

export interface ChosenServer {
  template: ServerTemplate;
  /** Said in `add --json` and kept in the manifest's description. */
  registry: {
    name: string;
    version: string;
    way: Way;
    /** What the entry runs, for people (answers filled in once known: see `describeRuns`). */
    runs: string;
    url: string;
    notes: string[];
    optional: string[];
  };
  /** Other ways the server offers. */
  others: Way[];
}

export async function fetchRegistryServer(
  registry: RegistryClient,
  wanted: { name: string; version?: string },
  io: { progress: Progress; warn: (line: string) => void },
): Promise<RegistryEntry> {
  const label = `${wanted.name}${wanted.version ? `@${wanted.version}` : ""}`;
  const step = io.progress.step(`Asking ${registry.base} for ${label}`);
  let entry: Awaited<ReturnType<typeof registry.get>>;
  try {
    entry = await registry.get(wanted.name, wanted.version ?? "latest");
  } finally {
    step.stop();
  }
  if (!entry) {
    const tail = wanted.name.slice(wanted.name.indexOf("/") + 1);
    const word = tail.split(/[-_.]/).sort((a, b) => b.length - a.length)[0] || tail;
    const close = await registry
      .find([word], { limit: 3, maxPages: 1 })
      .then((p) => p.entries.map((e) => e.server.name))
      .catch(() => [] as string[]);
    throw new UsageError("unknown-server", `${label} is not in the MCP Registry at ${registry.base}.`, {
      hint:
        close.length > 0
          ? `Did you mean ${close.join(", ")}? (\`mcp-twin search ${word}\`)`
          : "`mcp-twin search <words>` searches it; `mcp-twin add --list` shows the catalogue.",
    });
  }
  if (entry.meta.status === "deleted")
    throw new UsageError(
      "registry-deleted",
      `${label} was deleted from the MCP Registry${entry.meta.statusMessage ? `: ${untrusted(entry.meta.statusMessage)}` : "."}`,
    );
  if (entry.meta.status === "deprecated")
    io.warn(
      `${wanted.name} is deprecated${entry.meta.statusMessage ? `: ${untrusted(entry.meta.statusMessage)}` : "."}`,
    );
  if (entry.staleMs !== undefined)
    io.warn(`The registry did not answer; using what it said ${Math.round(entry.staleMs / 60_000)} min ago.`);
  return entry;
}

/** The way to run it (`use`, else the first mcp-twin can), as a template; exit 2 when there is none. */
export function chooseWay(registry: RegistryClient, entry: RegistryEntry, use?: Way): ChosenServer {
  const server = entry.server;
  const ways = waysToRun(server);
  const usable = use ? ways.usable.find((u) => u.way === use) : ways.usable[0];
  if (!usable) {
    const offered = [
      ...ways.usable.map((u) => `  ${u.way}: use --use ${u.way}`),
      ...ways.unusable.map((u) => `  ${untrusted(`${u.what}: ${u.why}; to run it: ${u.run}`)}`),
    ];
    throw new UsageError(
      "cannot-add",
      use && ways.usable.length > 0
        ? `${server.name} offers no ${use} way to run it. It offers:\n${offered.join("\n")}`
        : `mcp-twin cannot add ${server.name}${offered.length > 0 ? `:\n${offered.join("\n")}` : ": it lists no package and no remote."}`,
      { hint: `Its entry in the registry: ${registry.serverUrl(server.name)}` },
    );
  }
  const made = toTemplate(server, usable);
  return {
    template: made.template,
    registry: {
      name: server.name,
      version: server.version,
      way: made.way,
      runs: made.runs,
      url: registry.base,
      notes: made.notes,
      optional: made.optional,
    },
    others: ways.usable.map((u) => u.way).filter((w) => w !== usable.way),
  };
}

/** The manifest server as added: the registry's description and where it came from. */
export function withProvenance(chosen: ChosenServer, server: ServerSpec): ServerSpec {
  if (server.command) chosen.registry.runs = [server.command, ...(server.args ?? [])].join(" ");
  return {
    description: `${chosen.template.description} (MCP Registry: ${chosen.registry.name}@${chosen.registry.version})`,
    ...server,
  };
}

/** What to tell the user about it: what runs it, and what mcp-twin does not do. */
export function registryNotes(chosen: ChosenServer): string[] {
  const made = chosen.registry;
  const lines: string[] = [];
  if (made.way === "npm") lines.push(`npm package ${made.runs}: sync installs it where a client runs it.`);
  const sse = chosen.template.server.transport === "sse";
  // Shared (its key kept home), every client reaches it through the bridge: a url entry to the
  // bridge, or the relay to it.
  if (made.way === "remote")
    lines.push(
      chosen.template.share
        ? `remote server ${made.runs}${sse ? " (SSE, the older HTTP transport)" : ""}: every client reaches it through the bridge, which speaks to it.`
        : sse
          ? `remote server ${made.runs} (SSE, the older HTTP transport): an SSE entry where the client takes one, a \`mcp-twin connect --transport sse\` relay where it cannot (Claude Desktop, Codex).`
          : `remote server ${made.runs}: a URL entry where the client takes one, a \`mcp-twin connect\` relay where it speaks only stdio.`,
    );
  if (made.way === "pypi")
    lines.push(
      `A Python package: mcp-twin does not install it. Its entry runs \`${made.runs}\`, which needs uv (https://docs.astral.sh/uv/) wherever a client starts it.`,
    );
  if (made.way === "oci")
    lines.push(
      `A container image: mcp-twin neither installs Docker nor pulls the image. Its entry runs \`${made.runs}\`.`,
    );
  for (const note of made.notes) lines.push(`Note: ${note}.`);
  if (made.optional.length > 0)
    lines.push(
      `Optional settings it reads (add them to its "env" in the manifest): ${made.optional.join("; ")}`,
    );
  if (chosen.others.length > 0)
    lines.push(`Also offered: ${chosen.others.join(", ")} (\`--use ${chosen.others[0]}\`).`);
  // The registry's text (identifiers, URLs, descriptions) in our sentences: shown escaped.
  return lines.map(untrusted);
}
