/**
 * What is wrong with a tool rule, in words (pure): a name or pattern that matches nothing its server
 * lists (a typo, or a tool a new version dropped: file:line:column and the list's names), and a
 * rule a client does not keep (why, and what to do — never claimed).
 */

import { CLIENT_IDS } from "../clients/ids.js";
import { clientById } from "../clients/index.js";
import { toolFieldForms } from "../clients/tool-field.js";
import type { ToolLists } from "../entries/tool-lists.js";
import type { LoadedManifest } from "../manifest/load.js";
import type { ServerSpec } from "../manifest/schema.js";
import { ruleField, ruleLine, rulesFor, unmatchedNames } from "../manifest/tool-rules.js";
import { untrusted } from "../text/control-chars.js";
import { countOf } from "../text/prose-lists.js";

export interface RuleProblem {
  server: string;
  /** `servers.github.clientTools.vscode.deny[1]`. */
  field: string;
  name: string;
  file: string;
  line?: number;
  column?: number;
  /** The names the server lists. */
  listed: string[];
  message: string;
}

/** Every name or pattern of every rule that matches none of its server's known tools. */
export function unmatchedRules(
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  lists: ToolLists,
  loaded: Pick<LoadedManifest, "file" | "text">,
): RuleProblem[] {
  const out: RuleProblem[] = [];
  const seen = new Set<string>();
  for (const [name, spec] of servers) {
    const list = lists.get(name);
    if (!list) continue;
    const listed = list.tools.map((t) => t.name);
    // The server's rule and each client's: every client id, each rule once.
    for (const client of CLIENT_IDS)
      for (const u of unmatchedNames(rulesFor(spec, name, client), listed)) {
        const field = ruleField(u.path, u.part, u.index);
        if (seen.has(field)) continue;
        seen.add(field);
        const at = loaded.text ? ruleLine(loaded.text, u.path, u.part, u.index) : undefined;
        const where = at ? `${loaded.file}:${at.line}:${at.column}` : loaded.file;
        out.push({
          server: name,
          field,
          name: u.name,
          file: loaded.file,
          ...(at ?? {}),
          listed,
          message: `${where}: ${field}: "${u.name}" matches none of ${name}'s ${countOf(listed.length, "tool")} (${listed.join(", ")})`,
        });
      }
  }
  return out;
}

/** Why one client does not keep a server's tool rule, and what to do: never claimed. */
export function ruleNote(
  server: string,
  state: "no-field" | "needs-list" | "cannot-say" | "leaves-none" | "not-ours" | "edited",
  client: { id: string; name: string },
): string {
  const name = untrusted(server);
  // Sync leaves these entries as they are: the client loads what the entry itself says.
  if (state === "not-ours")
    return `${client.name} does not keep ${name}'s tool rule: its ${name} entry is not mcp-twin's (sync leaves it alone), so it loads every tool that entry does not leave out itself. \`mcp-twin sync --force\` replaces it with the manifest's entry, with the rule.`;
  if (state === "edited")
    return `${client.name} does not keep ${name}'s tool rule: its ${name} entry was edited by hand since mcp-twin wrote it (sync leaves it alone), so it loads every tool that entry does not leave out itself. \`mcp-twin sync --force\` puts mcp-twin's entry back, with the rule.`;
  if (state === "needs-list")
    return `${client.name} does not keep ${name}'s tool rule yet: it has patterns, and ${name}'s tools are not listed yet (\`mcp-twin tools\` lists them; then \`mcp-twin sync\`).`;
  const filter = clientById(client.id)?.toolBudget?.filter;
  if (state === "cannot-say") {
    const only = filter && !toolFieldForms(filter).allow ? "leaves out" : "loads";
    return `${client.name} does not keep ${name}'s tool rule: its field names only the tools it ${only}, and ${name}'s tools are not listed yet (\`mcp-twin tools\` lists them; then \`mcp-twin sync\`).`;
  }
  if (state === "leaves-none")
    return `${client.name} does not keep ${name}'s tool rule: the rules leave none of ${name}'s tools, and its field cannot say none (an empty list means every tool to it), so it loads every tool of ${name}. Leave ${name} out of it ("clients"), or share ${name} ("share" in the manifest: the bridge then keeps the rule for it).`;
  // A shared server's entries name their client to the gateway, which keeps the rule: not this one.
  return `${client.name} does not keep ${name}'s tool rule: it has no per-tool field in its config, so it loads every tool of ${name}. Turn them off in ${client.name} itself, share ${name} ("share" in the manifest: the bridge then keeps the rule for it), or leave ${name} out of it ("clients").`;
}
