/** A text's own line ending: the one most of its lines end with (a tie: the first line's). */

/** "\r\n" or "\n": a bare LF inside a comment or string of a CRLF file is not the file's ending. */
export function lineEnding(text: string): "\r\n" | "\n" {
  const crlf = text.split("\r\n").length - 1;
  const bare = text.split("\n").length - 1 - crlf;
  if (crlf !== bare) return crlf > bare ? "\r\n" : "\n";
  const lf = text.indexOf("\n");
  return lf > 0 && text[lf - 1] === "\r" ? "\r\n" : "\n";
}
