/**
 * Text from the network or from files others wrote, made safe to show on a terminal: control and
 * bidi characters (C0, DEL, C1, U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) shown escaped.
 */

/** Every control and bidi character. */
const ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, but for line breaks and tabs, and colour sequences (`ESC [ … m`), kept whole. */
const ALL_BUT_OURS =
  /\u001b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify does not escape: DEL, C1 and bidi controls. */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  if (NAMED[c]) return NAMED[c];
  return code <= 0xff
    ? `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * One value from elsewhere (a name, a description, a reason) put into a sentence: every control
 * shown escaped, line breaks too, so it stays on its line as it is.
 */
export function untrusted(text: string): string {
  return text.replace(ALL, escapeOne);
}

/**
 * What the output layer applies to every line: nothing in it can move the cursor, clear, retitle
 * or reorder — mcp-twin's own line breaks, tabs and colours are kept.
 */
export function printable(text: string): string {
  return text.replace(ALL_BUT_OURS, (m) => (m.length > 1 ? m : escapeOne(m)));
}

/** A JSON text with what JSON.stringify leaves raw escaped as JSON (`\u202e`): the same value. */
export function jsonPrintable(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
