/**
 * Which tools of a server a client gets, by the manifest's rules (pure): a server's `tools` and its
 * `clientTools.<client>` narrowing it, each an allow and a deny list of exact names or `*` patterns.
 * sync, status, doctor, `mcp-twin tools` and the gateway all decide through here.
 */
import { findNodeAtLocation, parseTree } from "jsonc-parser";
import { lineColumnAt } from "../errors.js";
import { own } from "../plain-records.js";
import { escapeRegExp } from "../text/escape-regexp.js";

/** One rule: the tools it lets through (`allow`, when given) and those it keeps out (`deny`). */
interface ToolRule {
  allow?: readonly string[] | undefined;
  deny?: readonly string[] | undefined;
}

/** What a server says of its tools: `tools` for every client, `clientTools` per client. */
export interface ServerToolRules {
  tools?: ToolRule | undefined;
  clientTools?: Readonly<Partial<Record<string, ToolRule | undefined>>> | undefined;
}

/** A rule that applies to one client, with where it is in the manifest. */
export interface AppliedRule {
  rule: ToolRule;
  /** Its path in the manifest: ["servers", "github", "clientTools", "vscode"]. */
  path: readonly string[];
}

/** What keeps a tool out: the rule, its part, and the pattern that matched (deny) or none did (allow). */
interface Dropper {
  path: readonly string[];
  part: "allow" | "deny";
  /** The deny pattern that matched it; absent for an allow it matched nothing of. */
  pattern?: string;
}

export interface ToolChoice {
  /** The tools the client gets, in the list's order. */
  kept: string[];
  /** The tools it does not get, in the list's order. */
  dropped: string[];
  /** The first rule that keeps `tool` out (undefined: it is kept, or not in the list). */
  ruleFor(tool: string): Dropper | undefined;
}

/** The rules that apply to `client` for server `name`: the server's own, then the client's. */
export function rulesFor(server: ServerToolRules, name: string, client: string): AppliedRule[] {
  const out: AppliedRule[] = [];
  if (server.tools) out.push({ rule: server.tools, path: ["servers", name, "tools"] });
  const mine = server.clientTools ? own(server.clientTools, client) : undefined;
  if (mine) out.push({ rule: mine, path: ["servers", name, "clientTools", client] });
  return out;
}

/** Does the server have any rule for any client? */
export function hasToolRules(server: ServerToolRules): boolean {
  return server.tools !== undefined || Object.keys(server.clientTools ?? {}).length > 0;
}

const compiled = new Map<string, RegExp>();

/** `*` matches any run of characters (none included); everything else matches itself, case included. */
export function matchesTool(pattern: string, tool: string): boolean {
  if (!pattern.includes("*")) return pattern === tool;
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.split("*").map(escapeRegExp).join(".*");
    re = new RegExp(`^${body}$`, "s");
    compiled.set(pattern, re);
  }
  return re.test(tool);
}

const isPattern = (name: string): boolean => name.includes("*");

/** Why one tool does not pass one rule (undefined: it passes). */
function failing(applied: AppliedRule, tool: string): Dropper | undefined {
  const { allow, deny } = applied.rule;
  if (allow && !allow.some((p) => matchesTool(p, tool))) return { path: applied.path, part: "allow" };
  const pattern = deny?.find((p) => matchesTool(p, tool));
  return pattern === undefined ? undefined : { path: applied.path, part: "deny", pattern };
}

/**
 * The tools of `toolNames` that `client` gets: a tool must pass every rule that applies (its allow,
 * when given, then its deny), the server's first.
 */
export function toolsFor(rules: readonly AppliedRule[], toolNames: readonly string[]): ToolChoice {
  const why = new Map<string, Dropper>();
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const tool of toolNames) {
    let first: Dropper | undefined;
    for (const r of rules) {
      first = failing(r, tool);
      if (first) break;
    }
    if (first) {
      why.set(tool, first);
      dropped.push(tool);
    } else kept.push(tool);
  }
  return { kept, dropped, ruleFor: (tool) => why.get(tool) };
}

/** A name or pattern of a rule that matches none of the server's tools, with where it is. */
export interface Unmatched {
  path: readonly string[];
  part: "allow" | "deny";
  index: number;
  name: string;
}

/** Each name or pattern of these rules that matches none of `toolNames` (a typo, or a tool gone). */
export function unmatchedNames(rules: readonly AppliedRule[], toolNames: readonly string[]): Unmatched[] {
  const out: Unmatched[] = [];
  for (const r of rules)
    for (const part of ["allow", "deny"] as const)
      (r.rule[part] ?? []).forEach((name, index) => {
        if (!toolNames.some((t) => matchesTool(name, t))) out.push({ path: r.path, part, index, name });
      });
  return out;
}

/**
 * What a client that takes tool names (not patterns) is told: the names it loads (`allow`), or —
 * when no rule of it has an allow list — the names it leaves out (`deny`), so a tool a new version
 * adds reaches it as the rules say; with the server's list, both expansions (`kept`, `dropped`) for
 * a client that takes only one form. Without the list, only rules of exact names can be said
 * (`needsList` otherwise). Undefined: no rule applies.
 */
export type NameFilter =
  | { allow: string[]; deny?: undefined; kept?: string[]; dropped?: string[] }
  | { allow?: undefined; deny: string[]; kept?: string[]; dropped?: string[] }
  | { needsList: true };

export function nameFilter(
  rules: readonly AppliedRule[],
  toolNames: readonly string[] | undefined,
): NameFilter | undefined {
  if (rules.length === 0) return undefined;
  const allows = rules.flatMap((r) => (r.rule.allow ? [r.rule.allow] : []));
  if (toolNames) {
    const { kept, dropped } = toolsFor(rules, toolNames);
    return allows.length > 0 ? { allow: kept, kept, dropped } : { deny: dropped, kept, dropped };
  }
  const names = rules.flatMap((r) => [...(r.rule.allow ?? []), ...(r.rule.deny ?? [])]);
  if (names.some(isPattern)) return { needsList: true };
  const denied = [...new Set(rules.flatMap((r) => r.rule.deny ?? []))];
  if (allows.length === 0) return { deny: denied };
  const [first = [], ...rest] = allows;
  const allow = [...new Set(first)].filter((n) => rest.every((a) => a.includes(n)) && !denied.includes(n));
  return { allow };
}

/** `servers.github.clientTools.vscode.deny[2]`: a rule's part as the manifest's errors name fields. */
export function ruleField(path: readonly string[], part?: "allow" | "deny", index?: number): string {
  return `${path.join(".")}${part ? `.${part}` : ""}${index === undefined ? "" : `[${index}]`}`;
}

/** Where a rule (or one of its names) is written in the manifest's text, 1-based. */
export function ruleLine(
  manifestText: string,
  path: readonly string[],
  part?: "allow" | "deny",
  index?: number,
): { line: number; column: number } | undefined {
  const text = manifestText.charCodeAt(0) === 0xfeff ? manifestText.slice(1) : manifestText;
  const root = parseTree(text, [], { allowTrailingComma: true });
  if (!root) return undefined;
  const full: Array<string | number> = [
    ...path,
    ...(part ? [part] : []),
    ...(index === undefined ? [] : [index]),
  ];
  for (let n = full.length; n > 0; n--) {
    const node = findNodeAtLocation(root, full.slice(0, n));
    if (!node) continue;
    const at =
      node.parent?.type === "property" && node.parent.children?.[1] === node
        ? node.parent.offset
        : node.offset;
    return lineColumnAt(text, at);
  }
  return undefined;
}
