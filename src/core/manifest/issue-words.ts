/**
 * A manifest problem in the product's words: what the field must be, and what it holds, where
 * zod's own message ("Invalid input: expected string, received number", "Too small: expected
 * number to be >=1") would name its types. A message the schema itself gives is kept.
 */
import type { z } from "zod";

const KINDS: Record<string, string> = {
  string: "a string (in quotes)",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list ([ … ])",
  object: "an object ({ … })",
  record: "an object ({ … })",
  map: "an object ({ … })",
};

/** zod's own English messages: each starts so; the schema's are lowercase sentences. */
const ZOD_WORDS = /^(Invalid|Too (small|big)|Unrecognized)\b/;

/**
 * The words for `issue`; `node` holds what the file holds at the issue's path (undefined: nothing,
 * the field is missing).
 */
export function issueWords(issue: z.core.$ZodIssue, node: { value: unknown } | undefined): string {
  if (issue.code === "invalid_key" && issue.issues[0])
    return issueWords(issue.issues[0] as z.core.$ZodIssue, node);
  if (!ZOD_WORDS.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type": {
      const kind = KINDS[issue.expected] ?? issue.expected;
      return node ? `must be ${kind}, not ${held(node)}` : `is missing: add it, as ${kind}`;
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      const not = node && typeof node.value !== "string" ? `, not ${held(node)}` : "";
      return `must be ${values.length === 1 ? values[0] : `one of ${oneOf(values)}`}${not}`;
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = Number(small ? issue.minimum : issue.maximum);
      const edge =
        issue.inclusive === false ? (small ? "more than" : "less than") : small ? "at least" : "at most";
      if (small && bound === 1 && (issue.origin === "string" || issue.origin === "array"))
        return issue.origin === "string" ? "must not be empty" : "must not be empty: list at least one";
      const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " entries" : "";
      return `must be ${edge} ${bound}${unit}`;
    }
    case "invalid_format":
      return issue.format === "url"
        ? "is not a URL: write it in full (https://…)"
        : "is not in the form this field takes";
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "invalid_union":
      return "is none of the forms this field takes";
    default:
      return "is not a value this field takes";
  }
}

/**
 * What the file holds, said as a person would: a number, true, false or null itself, else its kind
 * (never a string's text: one in the wrong place may be a key pasted there).
 */
function held(node: { value: unknown }): string {
  if (Array.isArray(node.value)) return "a list";
  if (typeof node.value === "string") return "a string";
  if (node.value !== null && typeof node.value === "object") return "an object";
  return String(node.value);
}

function oneOf(values: string[]): string {
  return values.length <= 2
    ? values.join(" or ")
    : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/** What `data` holds at `path` (undefined: nothing there), for issueWords. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): { value: unknown } | undefined {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { value };
}
