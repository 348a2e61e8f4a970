/**
 * Validate manifest text against the zod schema. Kept apart from load.ts so zod (the largest
 * module we load) is imported only when a manifest has changed since it was last validated.
 */
import { findNodeAtLocation, getNodeValue, type Node, type ParseError, parseTree } from "jsonc-parser";
import type { z } from "zod";
import { CLIENT_IDS } from "../clients/ids.js";
import { lineColumnAt, UsageError, UsageErrors } from "../errors.js";
import { MAX_DEPTH, tooDeepAt } from "../formats/index.js";
import { didYouMean } from "../selectors.js";
import { describeParseError } from "../text/parse-errors.js";
import { issueWords } from "./issue-words.js";
import {
  bridgeSchema,
  type Manifest,
  manifestSchema,
  overrideSchema,
  serverSchema,
  toolSearchSchema,
} from "./schema.js";

/**
 * `raw` validated; `edited`: the text is a change mcp-twin made and has not written, so a problem
 * in it has no line and column in the file on disk (they would point at a line that does not hold
 * it) and is said as what the change would do.
 */
export function parseManifestText(raw: string, file: string, edited = false): Manifest {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    // The parser and zod descend once per level: thousands of levels would exhaust the stack.
    const { line, column } = lineColumnAt(text, deep);
    throw new UsageError(
      "manifest-parse",
      `${file}:${line}:${column}: nested more than ${MAX_DEPTH} levels deep; a manifest is a few levels deep, and mcp-twin does not read one this deep.`,
      { location: { file, line, column }, hint: "Fix it by hand at that line and column." },
    );
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    // No value at all is not a syntax slip at some position: it is refused below, in its own words.
    allowEmptyContent: true,
  });
  if (errors.length > 0) {
    // jsonc-parser recovers after an error and often reports the same slip again a character or
    // two later (`,,` gives three errors): the first error of each line is the one to fix.
    const seenLines = new Set<number>();
    const firstOfEachLine = errors.filter((e) => {
      const { line } = lineColumnAt(text, e.offset);
      if (seenLines.has(line)) return false;
      seenLines.add(line);
      return true;
    });
    throw new UsageErrors(
      firstOfEachLine.slice(0, 5).map((e) => {
        const { line, column } = lineColumnAt(text, e.offset);
        return new UsageError(
          "manifest-parse",
          `${file}:${line}:${column}: ${describeParseError(e)}; the manifest is not valid JSON (JSONC).`,
          {
            location: { file, line, column },
            hint: "Fix the syntax at that position; comments and trailing commas are allowed.",
          },
        );
      }),
    );
  }
  if (!root) throw emptyManifest(text, file);
  const value = getNodeValue(root);
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageErrors(result.error.issues.map((issue) => issueToError(issue, text, root, file, edited)));
}

/**
 * `next`, the text an edit made of `current`, validated: a problem `current` already had is
 * reported at its line and column in the file; one the edit brings is said without a position.
 */
export function parseEditedManifest(current: string | null, next: string, file: string): Manifest {
  try {
    return parseManifestText(next, file);
  } catch (error) {
    if (current !== null) parseManifestText(current, file);
    if (error instanceof UsageError && error.code === "manifest-invalid") parseManifestText(next, file, true);
    throw error;
  }
}

/**
 * Text that holds no JSON value at all (nothing, whitespace, comments) is refused, never read as
 * "no servers": an editor crash, a full disk or `> file` leaves such a file, and taking it at its
 * word would make the next sync remove every server from every client. `{ "servers": {} }` says it.
 */
export function refuseEmptyManifest(raw: string, file: string): void {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const errors: ParseError[] = [];
  // A comment left open is a syntax error, parseManifestText's to report where it is.
  if (!parseTree(text, errors, { allowEmptyContent: true }) && errors.length === 0)
    throw emptyManifest(text, file);
}

function emptyManifest(text: string, file: string): UsageError {
  const what =
    text === ""
      ? "the manifest is empty"
      : text.trim() === ""
        ? "the manifest holds only whitespace"
        : "the manifest holds only comments";
  return new UsageError(
    "manifest-empty",
    `${file}:1:1: ${what}; mcp-twin does not read that as "no servers" (an editor crash or a full disk can empty a file), so it changes nothing until the file holds a manifest.`,
    {
      location: { file, line: 1, column: 1 },
      hint: 'Put its servers back (from a copy, version control or your editor\'s history: mcp-twin keeps no copy of the manifest), or write { "servers": {} } in it if you mean no servers.',
    },
  );
}

function issueToError(
  issue: z.core.$ZodIssue,
  text: string,
  root: Node | undefined,
  file: string,
  edited: boolean,
): UsageError {
  const fieldPath = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // Point at the deepest node that exists: the field itself, or the object missing it.
  let node: Node | undefined;
  // An unknown field is pointed at itself (its key), not at the object holding it.
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0 && root)
    node = findNodeAtLocation(root, [...fieldPath, issue.keys[0] as string]);
  for (let n = fieldPath.length; n >= 0 && !node; n--)
    node = root ? findNodeAtLocation(root, fieldPath.slice(0, n)) : undefined;
  const at = node
    ? node.parent?.type === "property" && node.parent.children?.[1] === node
      ? node.parent.offset
      : node.offset
    : 0;
  const { line, column } = lineColumnAt(text, at);
  const field = fieldPath.length > 0 ? fieldPath.join(".") : "(top level)";
  // `node` may be the object holding a missing field: the field itself is what the words are of.
  const exact = root ? findNodeAtLocation(root, fieldPath) : undefined;
  let message = issueWords(issue, exact && { value: getNodeValue(exact) });
  let hint = "See docs/manifest.md in the package (or let your editor check it against the $schema).";
  // `"toolSearch": true` or `{}` says what is wrong but not what it takes: the one field it needs, shown.
  if (issue.code === "invalid_type" && isToolSearchShape(fieldPath))
    message += `; toolSearch names the clients that get the tools entry: "toolSearch": ${TOOL_SEARCH_EXAMPLE}`;
  // A value outside a fixed set ("share": "machin"): the nearest one, as for a misspelt field.
  if (
    issue.code === "invalid_value" &&
    node?.type === "string" &&
    issue.values.every((v) => typeof v === "string")
  ) {
    const guesses = didYouMean(String(node.value), issue.values.map(String));
    if (guesses.length > 0) message += ` (did you mean ${guesses.map((g) => `"${g}"`).join(" or ")}?)`;
  }
  const byClient = issue.code === "unrecognized_keys" && isClientMap(fieldPath);
  if (issue.code === "unrecognized_keys") {
    message = `unknown ${byClient ? "client" : "field"}${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    const known = byClient ? [...CLIENT_IDS] : knownFields(fieldPath);
    const guesses = issue.keys.flatMap((k) => didYouMean(k, known).map((g) => `"${g}"`));
    if (guesses.length > 0) message += ` (did you mean ${[...new Set(guesses)].join(" or ")}?)`;
    if (known.length > 0)
      hint = `${byClient ? "Clients" : "Fields allowed here"}: ${known.join(", ")}. ${hint}`;
  }
  if (edited)
    return new UsageError("manifest-invalid", `${file}: this change would make ${field} wrong: ${message}`, {
      location: { file },
      hint: "Nothing was written. Change what you asked for (another name or value).",
    });
  return new UsageError("manifest-invalid", `${file}:${line}:${column}: ${field}: ${message}`, {
    location: { file, line, column },
    hint,
  });
}

const TOOL_SEARCH_EXAMPLE = '{ "clients": ["opencode", "cline"] }';

/** `toolSearch` itself, or its `clients`: where a wrong or missing value leaves the reader without the form. */
function isToolSearchShape(fieldPath: readonly PropertyKey[]): boolean {
  return (
    fieldPath[0] === "toolSearch" &&
    (fieldPath.length === 1 || (fieldPath.length === 2 && fieldPath[1] === "clients"))
  );
}

/** `servers.<name>.clientTools` and `servers.<name>.clientFields`: objects keyed by client id. */
function isClientMap(fieldPath: readonly PropertyKey[]): boolean {
  const [first, , third] = fieldPath;
  return (
    first === "servers" && fieldPath.length === 3 && (third === "clientTools" || third === "clientFields")
  );
}

/** The fields the object at `fieldPath` may hold: the schema's own keys, nothing hand-listed. */
function knownFields(fieldPath: readonly PropertyKey[]): string[] {
  const [first, , third] = fieldPath;
  const shape =
    fieldPath.length === 0
      ? manifestSchema.shape
      : first === "bridge" && fieldPath.length === 1
        ? bridgeSchema.shape
        : first === "toolSearch" && fieldPath.length === 1
          ? toolSearchSchema.shape
          : first === "servers" && fieldPath.length === 2
            ? serverSchema.shape
            : first === "servers" && third === "overrides" && fieldPath.length === 4
              ? overrideSchema.shape
              : undefined;
  return shape ? Object.keys(shape) : [];
}
