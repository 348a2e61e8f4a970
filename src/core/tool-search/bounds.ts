/**
 * What tools on demand takes from the servers behind it and from its clients, bounded (pure), so
 * one server or one request never holds the gateway for the others: a query's length, a tool's
 * depth and size before it is indexed, and no server's regular expression run in a check.
 */
import { pastBounds, TOOL_BOUNDS } from "../text/json-bounds.js";

/**
 * A search is a few words (what the tool should do): two queries of 3.6 MB held every door of
 * the gateway for 12 s. search_tools' schema says it (`maxLength`), so a longer one is refused
 * at once as arguments that do not fit, before a word of it is searched.
 */
export const MAX_QUERY_CHARS = 1000;

export { TOOL_BOUNDS };

/** Lists already walked: what of each may be indexed, and why the rest may not. */
const walked = new WeakMap<readonly unknown[], { kept: readonly unknown[]; why: string[] }>();

/** The list as it may be indexed: without each tool past TOOL_BOUNDS (all, past them together); `leftOut` told why once. */
export function indexable(tools: readonly unknown[], leftOut: (why: string) => void): readonly unknown[] {
  if (!walked.has(tools)) {
    walked.set(tools, leftOutOfSearch(tools));
    for (const why of walked.get(tools)?.why ?? []) leftOut(why);
  }
  return walked.get(tools)?.kept ?? tools;
}

const TOO_MANY = `its tools are larger than ${TOOL_BOUNDS.listChars / 1024 / 1024} MiB together`;

/** What of a list search takes (`kept`), and why it leaves out the rest: a tool past TOOL_BOUNDS, or all of them together. */
export function leftOutOfSearch(tools: readonly unknown[]): { kept: readonly unknown[]; why: string[] } {
  let total = 0;
  const [kept, why]: [unknown[], string[]] = [[], []];
  for (const [index, tool] of tools.entries()) {
    const name = (tool as { name?: unknown } | null)?.name;
    const which = `its tool ${typeof name === "string" ? JSON.stringify(name.slice(0, 80)) : `#${index + 1}`}`;
    const bounded = pastBounds(tool, which);
    if ("why" in bounded) why.push(`${bounded.why}: that tool left out`);
    else total += kept.push(tool) && bounded.chars;
    if (total > TOOL_BOUNDS.listChars) return { kept: [], why: [TOO_MANY] };
  }
  return { kept: why.length === 0 ? tools : kept, why };
}

/** Schemas already made checkable, by the server's own. */
const checkable = new WeakMap<object, unknown>();

/**
 * A tool's input schema as the gateway checks arguments against it: without its regular
 * expressions (`pattern`; `patternProperties`, and the `additionalProperties` beside it, which
 * depends on them). JavaScript's engine runs a server's expression with no bound on the event
 * loop that serves every client — `^(a+)+$` took 4 s on 29 characters — and has no time limit to
 * give it; the server checks its own arguments anyway, so what is left out here is checked there.
 * Read loosely (a member named so in any object is taken as the keyword): what that misreads
 * is only checked less here. The schema is within TOOL_BOUNDS (it was indexed).
 */
export function withoutPatterns(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(withoutPatterns);
  const done = checkable.get(schema);
  if (done) return done;
  const patterned = typeof (schema as { patternProperties?: unknown }).patternProperties === "object";
  const kept = Object.entries(schema).flatMap(([key, value]) =>
    (key === "pattern" && typeof value === "string") ||
    (patterned && (key === "patternProperties" || key === "additionalProperties"))
      ? []
      : [[key, withoutPatterns(value)]],
  );
  const out = Object.fromEntries(kept);
  checkable.set(schema, out);
  return out;
}
