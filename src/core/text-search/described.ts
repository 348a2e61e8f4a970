/**
 * What a thing with a description and a JSON schema (a tool) says of itself, in the words search
 * reads: its description's first sentence, and its parameters' words at any depth (pure).
 */

/** How deep a schema's parameters are read, and how many words of them at most. */
const PARAMS_DEPTH = 8;
const PARAMS_WORDS = 400;

/** The words of a JSON schema's parameters, at any depth: each one's name and description. */
export function paramsText(schema: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (!node || typeof node !== "object" || depth > PARAMS_DEPTH || out.length > PARAMS_WORDS) return;
    const { properties, items, anyOf, oneOf, allOf } = node as Record<string, unknown>;
    if (properties && typeof properties === "object")
      for (const [name, p] of Object.entries(properties as Record<string, unknown>)) {
        const description = (p as { description?: unknown } | null)?.description;
        out.push(name, ...(typeof description === "string" ? description.split(/\s+/, 60) : []));
        walk(p, depth + 1);
      }
    walk(items, depth + 1);
    for (const list of [anyOf, oneOf, allOf])
      if (Array.isArray(list)) for (const n of list) walk(n, depth + 1);
  };
  walk(schema, 0);
  return out.slice(0, PARAMS_WORDS).join(" ");
}

/** A description's first sentence (at most 40 words): what it says the thing is for. */
export function firstSentence(description: string): string {
  const text = description.replace(/\s+/g, " ").trim();
  const sentence = /^(.{12,}?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  return sentence.split(" ", 40).join(" ");
}
