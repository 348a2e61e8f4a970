/**
 * A call's arguments checked against the tool's real input schema before its server sees them
 * (pure): what does not fit comes back as a tool error with the schema, so the model can fix it.
 */
import { isPlain } from "../plain-records.js";
import { zodValidator } from "../text/json-schema-validator.js";
import { withoutPatterns } from "./bounds.js";

/** A `tools/call` result that tells the model what went wrong (isError: a tool error, not a protocol one). */
export type ToolError = {
  content: Array<{ type: "text"; text: string }>;
  isError: true;
};

export const toolError = (text: string): ToolError => ({ content: [{ type: "text", text }], isError: true });

/**
 * The arguments to send `id` (`<server>/<tool>`), as given — an object, or a JSON string of one
 * (clients that cannot send a free-form object) — or the tool error saying what did not fit.
 * The server gets them as they came, not as the check read them (no defaults filled in).
 */
export function checkArguments(
  id: string,
  schema: unknown,
  given: unknown,
): { args: Record<string, unknown> } | { error: ToolError } {
  let args = given ?? {};
  if (typeof args === "string") {
    try {
      args = args.trim() === "" ? {} : JSON.parse(args);
    } catch (e) {
      return { error: toolError(`the arguments of ${id} are not JSON: ${(e as Error).message}`) };
    }
  }
  const shown = `Its input schema:\n${JSON.stringify(schema ?? {})}`;
  if (!isPlain(args))
    return {
      error: toolError(`the arguments of ${id} must be a JSON object, not ${JSON.stringify(args)}. ${shown}`),
    };
  // A tool that lists no schema (or not an object's) takes what it is given.
  if (!isPlain(schema)) return { args };
  const checked = zodValidator.getValidator(withoutPatterns(schema) as typeof schema)(args);
  if (checked.valid) return { args };
  return {
    error: toolError(`the arguments of ${id} do not fit its schema: ${checked.errorMessage}. ${shown}`),
  };
}
