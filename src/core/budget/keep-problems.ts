/**
 * The manifest's `toolSearch.keep` entries that list nothing (pure): a pattern (keep takes exact
 * names), a tool its server does not list, one the tool rules keep out, a server not behind the entry.
 */
import type { BuiltEntry } from "../entries/target-entry.js";
import type { ToolLists } from "../entries/tool-lists.js";
import type { ServerSpec } from "../manifest/schema.js";
import { matchesTool, ruleField, ruleLine, rulesFor, toolsFor } from "../manifest/tool-rules.js";
import { splitKept, TOOLS_ENTRY } from "../manifest/tool-search.js";
import { own } from "../plain-records.js";
import { didYouMean } from "../selectors.js";
import { untrusted } from "../text/control-chars.js";
import { andList } from "../text/prose-lists.js";

export interface KeepProblem {
  /** The entry as written (`<server>/<tool>`). */
  kept: string;
  /** Where it is and why it lists nothing (file:line:column first). */
  message: string;
  fix: string;
}

/** A client's `tools` entry: the servers behind it. */
export interface KeepReach {
  client: { id: string; name: string };
  behind: readonly string[];
}

/**
 * Each keep entry that lists nothing in any toolSearch client of `reach`, once, with the fix. One
 * whose server's list is not known yet is not judged (nor one of a run with no such client).
 */
export function keepProblems(
  keep: readonly string[],
  servers: Readonly<Record<string, ServerSpec>>,
  reach: readonly KeepReach[],
  lists: ToolLists,
  loaded: { file: string; text?: string | null | undefined },
): KeepProblem[] {
  const out: KeepProblem[] = [];
  keep.forEach((kept, i) => {
    const split = splitKept(kept);
    // The manifest's schema refuses anything else.
    const spec = split ? own(servers, split.server) : undefined;
    if (!split || !spec) return;
    const { server, tool } = split;
    const at = loaded.text ? ruleLine(loaded.text, ["toolSearch", "keep"], undefined, i) : undefined;
    const where = `${loaded.file}${at ? `:${at.line}:${at.column}` : ""}: toolSearch.keep[${i}] "${kept}"`;
    // A server's own words (its tools' names) are shown made safe.
    const listed = lists.get(server)?.tools.map((t) => untrusted(t.name));
    if (tool.includes("*")) {
      const meant = (listed ?? []).filter((n) => matchesTool(tool, n));
      out.push({
        kept,
        message: `${where} is a pattern: keep lists each tool by its exact name (tool rules take patterns, keep does not), so it lists nothing`,
        fix:
          meant.length > 0
            ? `List the tools it means instead: ${meant.map((n) => `"${server}/${n}"`).join(", ")}.`
            : `List each tool by its exact name, as ${server} lists it (\`mcp-twin tools\` shows them).`,
      });
      return;
    }
    if (reach.length === 0) return;
    const behind = reach.filter((r) => r.behind.includes(server));
    if (behind.length > 0 && !listed) return; // its list is not known yet: nothing to judge by
    if (behind.length > 0 && listed && !listed.includes(tool)) {
      const near = didYouMean(tool, listed)[0];
      out.push({
        kept,
        message: `${where}: ${server} lists no tool "${tool}" (its ${listed.length} tools: ${listed.join(", ")}), so it lists nothing`,
        fix: `Correct it${near ? ` (did you mean "${server}/${near}"?)` : ""}, or take it out of keep.`,
      });
      return;
    }
    const denied = behind.flatMap((r) => {
      const choice = toolsFor(rulesFor(spec, server, r.client.id), [tool]);
      const rule = choice.ruleFor(tool);
      return rule ? [{ r, field: ruleField(rule.path, rule.part) }] : [];
    });
    // Listed in some client: the rules and the manifest's clients meant the others.
    if (denied.length < behind.length) return;
    const away = reach.filter((r) => !r.behind.includes(server));
    const reasons = [
      ...(away.length > 0 ? [notBehind(server, spec, away)] : []),
      ...denied.map(({ r, field }) => `the tool rules keep it out of ${r.client.name} (${field})`),
    ];
    out.push({
      kept,
      message: `${where} lists nothing: ${reasons.join("; ")}`,
      fix:
        denied.length > 0
          ? `Take it out of keep, or let ${tool} through the rule named.`
          : `Take it out of keep${spec.url === undefined && !spec.disabled ? `, or give ${andList(away.map((r) => r.client.name))} ${server} (servers.${server}.clients)` : ""}.`,
    });
  });
  return out;
}

/** Why these clients do not reach `server` through their tools entry. */
function notBehind(server: string, spec: ServerSpec, away: readonly KeepReach[]): string {
  const who = andList([...new Set(away.map((r) => r.client.name))]);
  if (spec.disabled) return `${server} is disabled`;
  if (spec.url !== undefined)
    return `${server} is a url server, which keeps an entry of its own in ${who} (its tools come from there)`;
  const allowed = spec.clients;
  if (allowed && away.every((r) => !(allowed as readonly string[]).includes(r.client.id)))
    return `servers.${server}.clients leaves out ${who}`;
  return `the bridge cannot run ${server}, so ${who} ${away.length === 1 ? "keeps" : "keep"} an entry of its own for it`;
}

/** The toolSearch clients of these targets, each with the servers behind its `tools` entry. */
export function keepReach(
  targets: ReadonlyArray<{ key: string; client: { id: string; name: string } }>,
  desired: ReadonlyMap<string, ReadonlyMap<string, BuiltEntry>>,
): KeepReach[] {
  const out: KeepReach[] = [];
  for (const t of targets) {
    const built = desired.get(t.key)?.get(TOOLS_ENTRY);
    if (built?.ok && built.behind)
      out.push({ client: { id: t.client.id, name: t.client.name }, behind: built.behind });
  }
  return out;
}
