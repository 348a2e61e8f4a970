/**
 * The `error.message` of a JSON-RPC error quoted in some text (an HTTP error's body, an SDK error's
 * message), so a failure says the other end's own reason. Pure.
 */

/** The message of the first `"message": "…"` in the text, decoded; undefined when there is none. */
export function jsonRpcMessageIn(text: string): string | undefined {
  const quoted = /"message"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
  if (!quoted) return undefined;
  try {
    const said: unknown = JSON.parse(quoted);
    return typeof said === "string" ? said : undefined;
  } catch {
    return undefined;
  }
}
