/**
 * What sync says of the tool rules its entries do not carry (pure): one line per server, naming its
 * clients — a rule that waits for the server's list, and one a client cannot keep — with the fix.
 */
import type { Target } from "../clients/types.js";
import type { DesiredEntries } from "../entries/desired.js";
import type { ServerSpec } from "../manifest/schema.js";
import { untrusted } from "../text/control-chars.js";
import { andList, orList } from "../text/prose-lists.js";

export interface ToolRuleNote {
  server: string;
  /** Client ids, each once, in the targets' order. */
  clients: string[];
  /** `not-yet`: the client takes names and the server's list is not known; `not-kept`: no field, not shared. */
  state: "not-yet" | "not-kept";
  message: string;
}

/** Why a server's tools could not be listed (its handshake's error), by server: this run tried and failed. */
type ListFailures = ReadonlyMap<string, string>;

/**
 * The servers whose rule some entry cannot write before their list is known (patterns, or a form
 * the client cannot say): the servers sync lists by a handshake. A shared server's url or relay
 * entry is not among them: the gateway keeps its rule.
 */
export function serversToList(desired: DesiredEntries): string[] {
  return [...new Set(waiting(desired, "not-yet").keys())];
}

/** Each server's line: `failures` says which lists this run tried to learn and could not. */
export function toolRuleNotes(
  desired: DesiredEntries,
  targets: readonly Target[],
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  options: { failures?: ListFailures; userManifest: boolean },
): ToolRuleNote[] {
  const byKey = new Map(targets.map((t) => [t.key, t]));
  const out: ToolRuleNote[] = [];
  for (const state of ["not-yet", "not-kept"] as const)
    for (const [server, keys] of waiting(desired, state)) {
      const found = keys.flatMap((k) => byKey.get(k) ?? []);
      const clients = [...new Map(found.map((t) => [t.client.id, t.client])).values()];
      if (clients.length === 0) continue;
      const spec = servers.find(([n]) => n === server)?.[1];
      const names = clients.map((c) => c.name);
      const message =
        state === "not-yet"
          ? notYet(server, names, options.failures, spec?.url !== undefined)
          : notKept(server, names, {
              // Sharing moves a user file's entry to the gateway, which keeps the rule: not a project file's.
              share:
                options.userManifest &&
                spec !== undefined &&
                spec.url === undefined &&
                !spec.share &&
                found.every((t) => t.scope === "user"),
            });
      out.push({ server, clients: clients.map((c) => c.id), state, message });
    }
  return out;
}

/** Server → the keys of the targets whose entry of it is in that state. */
function waiting(desired: DesiredEntries, state: ToolRuleNote["state"]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, entries] of desired)
    for (const [server, built] of entries) {
      if (!built.ok || !built.toolRules) continue;
      const s = built.toolRules.state;
      const is = state === "not-yet" ? s === "needs-list" || s === "cannot-say" : s === "no-field";
      if (is) out.set(server, [...(out.get(server) ?? []), key]);
    }
  return out;
}

function notYet(
  server: string,
  clients: readonly string[],
  failures: ListFailures | undefined,
  remote: boolean,
): string {
  const name = untrusted(server);
  const one = clients.length === 1;
  const head = `${name}'s tool rule is not in ${andList(clients.map((c) => `${c}'s`))} ${one ? "entry" : "entries"} yet: ${one ? "it takes" : "they take"} tool names only`;
  // A url server is asked, not started.
  const [start, starts] = remote ? ["asks", "answers"] : ["starts", "starts"];
  // Not tried by this run (a dry run): the run that writes lists it first.
  const error = failures?.get(server);
  if (error === undefined)
    return `${head}, and ${name}'s tools are not listed yet. \`mcp-twin sync\` lists them (it ${start} ${name} once) and writes the rule.`;
  return `${head}, and ${name} did not list its tools (${untrusted(error)}). Until it does, ${one ? "it loads" : "they load"} every tool of ${name}: run \`mcp-twin sync\` once ${name} ${starts} (\`mcp-twin doctor --server ${name}\` says why it does not).`;
}

function notKept(server: string, clients: readonly string[], can: { share: boolean }): string {
  const name = untrusted(server);
  const one = clients.length === 1;
  const who = andList([...clients]);
  const own = `turn ${name}'s tools off in ${one ? `${who} itself` : "each client itself"}`;
  const fixes = [
    ...(can.share ? [`\`mcp-twin share ${name} machine --sync\` (the bridge then keeps the rule)`] : []),
    own,
    `leave ${name} out of ${one ? "it" : "them"} ("clients" in the manifest)`,
  ];
  return `${who} ${one ? "does" : "do"} not keep ${name}'s tool rule: ${one ? "it has" : "they have"} no per-tool field in ${one ? "its config" : "their configs"}, so ${one ? "it loads" : "they load"} every tool of ${name}. Fix: ${orList(fixes)}.`;
}
