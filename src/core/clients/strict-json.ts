/**
 * Whether a client whose reader is stricter than JSONC takes a text, and if not what in it it
 * refuses (pure): comments, trailing commas, a byte-order mark, as its reader's dialect says.
 */
import { type ParseError, parse, stripComments } from "jsonc-parser";
import { lineColumnAt } from "../errors.js";
import type { ClientModule } from "./types.js";

type Dialect = NonNullable<ClientModule["reading"]["strictJsonDialect"]>;

/** JSON.parse's dialect, as Claude Desktop reads its file: no comments, a BOM skipped. */
const PLAIN: Dialect = { comments: false, bom: true };

export interface StrictJsonRefusal {
  /** What the parser said, or where the refused part is. */
  error: string;
  /** What in the file it refuses, in words. */
  cause: "a byte-order mark" | "trailing commas" | "comments or trailing commas";
}

export function strictJsonRefusal(text: string, dialect: Dialect = PLAIN): StrictJsonRefusal | undefined {
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom && !dialect.bom)
    return { error: "the file starts with a byte-order mark (U+FEFF)", cause: "a byte-order mark" };
  const body = bom ? text.slice(1) : text;
  if (dialect.comments && dialect.trailingCommas) return undefined;
  if (dialect.comments) return trailingComma(body);
  try {
    JSON.parse(body);
    return undefined;
  } catch (error) {
    return { error: (error as Error).message, cause: "comments or trailing commas" };
  }
}

/** A reader of comments that refuses a trailing comma: where the first one is. */
function trailingComma(body: string): StrictJsonRefusal | undefined {
  // Comments become spaces, so offsets stay the file's; a file JSONC cannot parse at all is a
  // parse error reported elsewhere, not this.
  const bare = stripComments(body);
  try {
    JSON.parse(bare);
    return undefined;
  } catch {
    const errors: ParseError[] = [];
    parse(body, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true });
    const after = errors[0];
    if (!after) return undefined;
    const { line, column } = lineColumnAt(body, Math.max(0, body.lastIndexOf(",", after.offset)));
    return { error: `line ${line}, column ${column}`, cause: "trailing commas" };
  }
}
