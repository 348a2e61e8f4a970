/**
 * The inside of an empty `{}` or `[]` laid out as another text of the same tokens has it: undo gives a
 * file back as it was when removing mcp-twin's last entry leaves `{}` where the file had `{\n  }`.
 */
import { createScanner } from "jsonc-parser";

// jsonc-parser's SyntaxKind is a const enum (not inlined under isolatedModules): its values.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const LINE_BREAK = 14;
const WHITESPACE = 15;
const EOF = 17;

interface Token {
  kind: number;
  value: string;
  /** The whitespace and line breaks before it. */
  before: string;
}

const TRIVIA = new Set([WHITESPACE, LINE_BREAK]);

function tokens(text: string): Token[] {
  const scanner = createScanner(text, false);
  const out: Token[] = [];
  let before = "";
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (TRIVIA.has(kind)) before += scanner.getTokenValue();
    else {
      out.push({ kind, value: text.slice(scanner.getTokenOffset(), scanner.getPosition()), before });
      before = "";
    }
  }
  out.push({ kind: EOF, value: "", before });
  return out;
}

const CLOSES: Readonly<Record<number, number>> = { [OPEN_BRACE]: CLOSE_BRACE, [OPEN_BRACKET]: CLOSE_BRACKET };

/**
 * `text`, with each empty object or array laid out as in `model` when the two hold the same tokens
 * (comments included) and differ only in whitespace; else `text` unchanged. Only the insides of
 * empty ones are taken from `model`: any other layout in `text` (a client's own reformatting) stays.
 */
export function emptyLayoutLike(text: string, model: string): string {
  if (text === model) return text;
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const mine = tokens(text.slice(bom.length));
  const theirs = tokens(model.replace(/^\uFEFF/, ""));
  if (mine.length !== theirs.length) return text;
  for (let i = 0; i < mine.length; i++) {
    const a = mine[i];
    const b = theirs[i];
    if (!a || !b || a.kind !== b.kind || a.value !== b.value) return text;
  }
  let out = bom;
  for (let i = 0; i < mine.length; i++) {
    const token = mine[i] as Token;
    const prev = mine[i - 1];
    const empty = prev !== undefined && CLOSES[prev.kind] === token.kind;
    out += (empty ? (theirs[i] as Token).before : token.before) + token.value;
  }
  return out;
}
