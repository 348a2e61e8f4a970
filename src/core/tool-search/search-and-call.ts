/**
 * Tools on demand, as a client sees them (pure but for the call it is handed): `search_tools`,
 * `call_tool` and the kept tools in place of every server's list, and what a call to each answers.
 */
import type { ToolDef } from "../entries/tool-lists.js";
import { checkArguments, toolError } from "./arguments.js";
import { MAX_QUERY_CHARS } from "./bounds.js";
import type { Admits, Found, ToolIndex } from "./tool-index.js";

const SEARCH_TOOLS = "search_tools";
const CALL_TOOL = "call_tool";

/** What the gateway gives one client's requests: its servers, its rules, and a way to call. */
export interface OnDemand {
  index: ToolIndex;
  /** The servers the client gets here, each with its list's key in the index (none: its name) and what it is for. */
  servers: ReadonlyArray<{ name: string; key?: string; about?: string }>;
  /** Servers behind the entry left out of this request's search, and why (one line). */
  unsearched?: { servers: readonly string[]; why: string };
  /** The manifest's `tools`/`clientTools` for this client, by list: a tool it does not get is never found. */
  admits: Admits;
  /** `toolSearch.keep`: `<server>/<tool>` listed as they are. */
  keep: readonly string[];
  /** The server of `<server>/<tool>` the index does not hold: its call goes the gateway's one route, which refuses it. */
  route?(id: string): { server: string; tool: string } | undefined;
  /** Why a server whose tools are not known is unavailable ("did not start: …"; none: not started yet). */
  failure?(server: string): string | undefined;
  /** Calls a tool of a server as the request's own call (its client, progress, cancel and questions go with it). */
  call(c: OnDemandCall): Promise<Record<string, unknown>>;
}

/** One call of a tool: its server, its name, and the arguments as checked. */
export interface OnDemandCall {
  server: string;
  tool: string;
  args: Record<string, unknown>;
}

/**
 * Its input schema: every object has `properties` (OpenAI-family clients refuse one without) and
 * none is empty (Gemini-family clients refuse that), so `call_tool`'s free-form arguments are
 * described as JSON text; an object is taken as well.
 */
const SEARCH_SCHEMA = {
  type: "object",
  properties: {
    query: {
      type: "string",
      maxLength: MAX_QUERY_CHARS,
      description: "What the tool should do, in a few words; or select:<server>/<tool> for that one.",
    },
    limit: { type: "integer", minimum: 1, maximum: 10, description: "How many tools to return (default 5)." },
    server: { type: "string", description: "Search only this server's tools (one named above)." },
  },
  required: ["query"],
};

/** Below this share of the query's words matched (its context and everyday words weigh less), a weak match. */
const WEAK = 0.45;

/** A found tool's description is cut to this many characters (at a sentence's end where one is near). */
const DESCRIPTION_CUT = 300;
const CALL_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", description: "The tool's name as search_tools gave it: <server>/<tool>." },
    arguments: {
      type: "string",
      description:
        'The tool\'s arguments as one JSON object, fitting its inputSchema, e.g. {"path":"a.txt"}.',
    },
  },
  required: ["name"],
};

/**
 * The kept `<server>/<tool>`s by the names they are listed as: their own, or `<server>_<tool>` for one
 * whose name an earlier kept tool or search_tools/call_tool has (a later one never renames it).
 */
function keptByName(o: OnDemand): Map<string, { server: string; tool: ToolDef }> {
  const out = new Map<string, { server: string; tool: ToolDef }>();
  const taken = (name: string) => name === SEARCH_TOOLS || name === CALL_TOOL || out.has(name);
  for (const k of o.keep.map((id) => o.index.named(id, o.admits))) {
    if (!k) continue;
    const name = taken(k.tool.name) ? `${k.server}_${k.tool.name}` : k.tool.name;
    if (!taken(name)) out.set(name, k);
  }
  return out;
}

/** What the `tools/list` of the entry answers. */
export function onDemandTools(o: OnDemand): ToolDef[] {
  const listed = new Set(o.index.servers());
  const lines = o.servers.map(({ name, key = name, about }) => {
    // Never listed: a count of 0 would say it has no tools. Why, in a line's length.
    const why = !listed.has(key) && (o.failure?.(name) ?? "not started yet: its tools are not known");
    if (why) return `- ${name}: unavailable (${cut(why, 160)})`;
    const tools = o.index.tools(key).filter((t) => o.admits(key, t.name));
    const line = about ?? o.index.about(key, o.admits);
    return `- ${name} (${tools.length} tool${tools.length === 1 ? "" : "s"})${line ? `: ${line}` : ""}`;
  });
  for (const name of o.unsearched?.servers ?? [])
    lines.push(`- ${name} (not searched here: ${o.unsearched?.why})`);
  const search: ToolDef = {
    name: SEARCH_TOOLS,
    description: `Finds tools by what they do, among the tools of these servers (what each is for), and gives each one's name and inputSchema for call_tool:\n${lines.join("\n")}`,
    inputSchema: SEARCH_SCHEMA,
  };
  const call: ToolDef = {
    name: CALL_TOOL,
    description: "Calls a tool search_tools found, by its name, with arguments that fit its inputSchema.",
    inputSchema: CALL_SCHEMA,
  };
  const kept = [...keptByName(o)].map(([name, k]) => ({ ...k.tool, name }));
  return [search, call, ...kept];
}

/** What a `tools/call` of the entry answers (a tool error for a tool not there: not the client's, or none). */
export async function onDemandCall(
  o: OnDemand,
  name: unknown,
  given: unknown,
): Promise<Record<string, unknown>> {
  if (name === SEARCH_TOOLS) {
    const checked = checkArguments(SEARCH_TOOLS, SEARCH_SCHEMA, given);
    if ("error" in checked) return checked.error;
    // checkArguments held them to SEARCH_SCHEMA, which SearchArgs spells: its result is typed as any record.
    return searched(o, checked.args as unknown as SearchArgs);
  }
  if (name === CALL_TOOL) {
    const checked = checkArguments(CALL_TOOL, CALL_SCHEMA, withText(given));
    if ("error" in checked) return checked.error;
    const id = checked.args.name as string;
    const found = o.index.named(id, o.admits);
    const to = found ? { server: found.server, tool: found.tool.name } : o.route?.(id);
    if (!to)
      return toolError(
        `there is no tool "${id}" here: search_tools finds tools by what they do${o.unsearched ? `. ${unsearchedLine(o)}` : ""}`,
      );
    return checkedCall(o, to, found?.tool.inputSchema, checked.args.arguments);
  }
  const kept = typeof name === "string" ? keptByName(o).get(name) : undefined;
  const keptId = kept ? undefined : o.keep.find((id) => id.endsWith(`/${String(name)}`));
  const to = kept ? { server: kept.server, tool: kept.tool.name } : keptId && o.route?.(keptId);
  if (!to)
    return toolError(
      `there is no tool ${JSON.stringify(name)} here: search_tools finds tools by what they do`,
    );
  return checkedCall(o, to, kept?.tool.inputSchema, given);
}

type SearchArgs = { query: string; limit?: number; server?: string };

/**
 * What search_tools answers: each tool found (its description cut, whole for `select:`), within one
 * server when asked; a note when the best match is weak, naming the servers nearest to the query.
 */
function searched(o: OnDemand, { query, limit = 5, server }: SearchArgs): Record<string, unknown> {
  if (server !== undefined && !o.servers.some((s) => s.name === server))
    return toolError(
      `there is no server "${server}" here: search within one of ${o.servers.map((s) => s.name).join(", ")}, or leave server out`,
    );
  const whole = query.trim().startsWith("select:");
  const found = o.index.search(query, Math.max(limit, whole ? 0 : 10), o.admits, server);
  const tools = found.slice(0, limit).map(({ server: s, tool }) => ({
    name: `${s}/${tool.name}`,
    ...(typeof tool.description === "string" && {
      description: whole ? tool.description : cut(tool.description),
    }),
    inputSchema: tool.inputSchema ?? { type: "object", properties: {} },
  }));
  const weak = tools.length === 0 ? noneLine(o, query, server) : whole ? undefined : weakLine(found, server);
  const note = [unsearchedLine(o), weak].filter(Boolean).join(" ");
  const answer = { tools, ...(note ? { note } : {}) };
  const text = [JSON.stringify({ tools }), ...(note ? [note] : [])].join("\n");
  return { content: [{ type: "text", text }], structuredContent: answer };
}

/** Said when no tool matched at all, with what to try: a bare empty list reads as "no tools here". */
function noneLine(o: OnDemand, query: string, within: string | undefined): string {
  const selected = /^select:(.*)$/.exec(query.trim())?.[1];
  const q = JSON.stringify(query);
  if (selected !== undefined)
    return `There is no tool ${JSON.stringify(selected)} here: search by what the tool should do.`;
  if (within) return `No tool matches ${q} in ${within}: try other words, or leave server out.`;
  if (o.unsearched) return `No tool matches ${q} among the servers searched.`;
  return `No tool matches ${q}. Try other or fewer words for what the tool should do (a verb and a thing: "read file"), or a server's name (${o.servers.map((s) => s.name).join(", ")}).`;
}

/** Said when nothing matched most of the query's words: the servers of the nearest tools, to search within. */
function weakLine(found: readonly Found[], within: string | undefined): string | undefined {
  const best = found[0];
  if (!best || best.coverage >= WEAK) return undefined;
  const nearest = [...new Set(found.map((f) => f.server))].slice(0, 3);
  return `No tool matched most of these words: the ones above are the nearest. Try other words${
    within
      ? ", or leave server out"
      : `, or search within the nearest servers (server: ${nearest.join(", ")})`
  }.`;
}

/** A description's first sentences, up to DESCRIPTION_CUT characters: "…" says there is more (select: gives it whole). */
function cut(description: string, most = DESCRIPTION_CUT): string {
  const text = description.replace(/\s+/g, " ").trim();
  if (text.length <= most) return text;
  const head = text.slice(0, most);
  const end = Math.max(head.lastIndexOf(". "), head.lastIndexOf("! "), head.lastIndexOf("? "));
  return `${end > most / 3 ? head.slice(0, end + 1) : head.trimEnd()} …`;
}

/** A tool's call as the request's own, its arguments checked against its schema (one the index does not hold: any object). */
async function checkedCall(o: OnDemand, to: Omit<OnDemandCall, "args">, schema: unknown, given: unknown) {
  const args = checkArguments(`${to.server}/${to.tool}`, schema, given);
  if ("error" in args) return args.error;
  try {
    return await o.call({ ...to, args: args.args });
  } catch (error) {
    return toolError(
      `${to.server}/${to.tool} could not be called: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** One line: the servers left out of this request's search, and why. */
const unsearchedLine = (o: OnDemand) =>
  o.unsearched && `Not searched: ${o.unsearched.servers.join(", ")}: ${o.unsearched.why}.`;

/** call_tool's own arguments, its `arguments` member as text for the check (an object is taken too). */
function withText(given: unknown): unknown {
  if (typeof given !== "object" || given === null || Array.isArray(given)) return given;
  const { arguments: args, ...rest } = given as Record<string, unknown>;
  if (args === undefined || args === null) return rest;
  return typeof args === "string" ? given : { ...rest, arguments: JSON.stringify(args) };
}
