/**
 * Whether a client that reads its file as strict JSON takes a text, and if not what in it it
 * refuses (pure): comments, trailing commas, a byte-order mark, as its reader's dialect says.
 */
import { stripComments } from "jsonc-parser";
import type { ClientModule } from "./types.js";

type Dialect = NonNullable<ClientModule["reading"]["strictJsonDialect"]>;

/** JSON.parse's dialect, as Claude Desktop reads its file: no comments, a BOM skipped. */
const PLAIN: Dialect = { comments: false, bom: true };

export interface StrictJsonRefusal {
  /** What the parser said. */
  error: string;
  /** What in the file it refuses, in words ("comments or trailing commas"). */
  cause: string;
}

export function strictJsonRefusal(text: string, dialect: Dialect = PLAIN): StrictJsonRefusal | undefined {
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom && !dialect.bom)
    return { error: "the file starts with a byte-order mark (U+FEFF)", cause: "a byte-order mark" };
  const body = bom ? text.slice(1) : text;
  try {
    // Comments become spaces: the positions a parse error names stay the file's.
    JSON.parse(dialect.comments ? stripComments(body) : body);
    return undefined;
  } catch (error) {
    const cause = dialect.comments ? "trailing commas" : "comments or trailing commas";
    return { error: (error as Error).message, cause };
  }
}
