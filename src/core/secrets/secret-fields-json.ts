/**
 * Secrets recognised by where they sit, in any JSON(C) text mcp-twin shows (a client config, a backup,
 * a manifest), also one that does not parse.
 */
import { createScanner } from "jsonc-parser";
import { MASK } from "./mask.js";

// jsonc-parser's SyntaxKind is a const enum (not inlined under isolatedModules): its values.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const COLON = 6;
const STRING = 10;
const EOF = 17;

/** Objects whose every value is a secret: an entry's environment and its HTTP headers. */
const SECRET_OBJECTS = /^(?:env|headers|http_headers|environment|envVars|requestHeaders)$/i;
/** Keys that name a credential wherever they are. */
export const SECRET_KEYS =
  /(?:token|secret|passw(?:or)?d|api[-_]?key|apikey|authorization|credential|private[-_]?key)/i;
/** A value that only refers to a secret (`${secret:X}`, `${X}`, `${env:X}`) holds none. */
export const REFERENCE_ONLY = /^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;

export interface SecretField {
  /** Offsets of the string token (quotes included). */
  offset: number;
  length: number;
  value: string;
}

interface Frame {
  kind: "object" | "array";
  /** The key this container is the value of. */
  key: string | undefined;
  /** In an object: the next string is a key. */
  expectKey: boolean;
  /** The key of the value being read (in an object). */
  current: string | undefined;
}

/**
 * Every string value that sits where a secret sits.
 *
 * Every string under an `env` or `headers` object (and their kin), and every string whose key names
 * a credential (token, api key, password, Authorization, …). Found with jsonc-parser's scanner,
 * token by token — no tree, so a broken or 5,000-deep file is read as well as a good one.
 */
export function secretFields(text: string): SecretField[] {
  const scanner = createScanner(text, true);
  const stack: Frame[] = [];
  const out: SecretField[] = [];
  let underSecretObject = 0;
  const secretHere = (): boolean => {
    const top = stack[stack.length - 1];
    if (!top) return false;
    if (underSecretObject > 0) return true;
    const key = top.kind === "object" ? top.current : top.key;
    return key !== undefined && SECRET_KEYS.test(key);
  };
  const open = (kind: Frame["kind"]) => {
    const top = stack[stack.length - 1];
    const key = top?.kind === "object" ? top.current : top?.key;
    const frame: Frame = { kind, key, expectKey: kind === "object", current: undefined };
    if (kind === "object" && key !== undefined && top?.kind === "object" && SECRET_OBJECTS.test(key))
      underSecretObject++;
    stack.push(frame);
  };
  const close = () => {
    const frame = stack.pop();
    const parent = stack[stack.length - 1];
    if (
      frame?.kind === "object" &&
      frame.key !== undefined &&
      parent?.kind === "object" &&
      SECRET_OBJECTS.test(frame.key) &&
      underSecretObject > 0
    )
      underSecretObject--;
  };
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    const top = stack[stack.length - 1];
    switch (token) {
      case OPEN_BRACE:
        open("object");
        break;
      case OPEN_BRACKET:
        open("array");
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        close();
        break;
      case COMMA:
        if (top?.kind === "object") {
          top.expectKey = true;
          top.current = undefined;
        }
        break;
      case COLON:
        if (top?.kind === "object") top.expectKey = false;
        break;
      case STRING: {
        const value = scanner.getTokenValue();
        if (top?.kind === "object" && top.expectKey) {
          top.current = value;
          break;
        }
        if (value !== "" && !REFERENCE_ONLY.test(value) && secretHere())
          out.push({ offset: scanner.getTokenOffset(), length: scanner.getTokenLength(), value });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The text with every secret field's value replaced by the mask (same lines, same layout). */
export function maskSecretFields(text: string, fields: readonly SecretField[] = secretFields(text)): string {
  let out = "";
  let at = 0;
  for (const f of fields) {
    out += `${text.slice(at, f.offset)}"${MASK}"`;
    at = f.offset + f.length;
  }
  return out + text.slice(at);
}
