/**
 * jsonc-parser's error codes in words a person reads ("comma expected", not "CommaExpected"):
 * one wording for the manifest, client configs and mcp-twin's own files.
 */
import { type ParseError, printParseErrorCode } from "jsonc-parser";

export function describeParseError(error: Pick<ParseError, "error">): string {
  const names: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "invalid number",
    PropertyNameExpected: "property name expected",
    ValueExpected: "value expected",
    ColonExpected: "colon expected",
    CommaExpected: "comma expected",
    CloseBraceExpected: "closing brace expected",
    CloseBracketExpected: "closing bracket expected",
    EndOfFileExpected: "end of file expected",
    InvalidCommentToken: "invalid comment",
    UnexpectedEndOfComment: "unterminated comment",
    UnexpectedEndOfString: "unterminated string",
    UnexpectedEndOfNumber: "unterminated number",
    InvalidUnicode: "invalid unicode escape",
    InvalidEscapeCharacter: "invalid escape character",
    InvalidCharacter: "invalid character",
  };
  const code = printParseErrorCode(error.error);
  return names[code] ?? code;
}
