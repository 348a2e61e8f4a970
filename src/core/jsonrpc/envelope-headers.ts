/**
 * What protocol 2026-07-28 puts in HTTP headers beside the body (pure): the era a request claims, the
 * headers a client sends (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, the `Mcp-Param-*` mirrors
 * of a tool's `x-mcp-header` arguments), their encoding, and whether a server finds the mirrors true.
 */
import type { RequestId } from "@modelcontextprotocol/client";

/** The envelope member naming a request's protocol revision. */
export const VERSION_KEY = "io.modelcontextprotocol/protocolVersion";
/**
 * The envelope's other members and a 2026-07-28 result's server stamp, written out as the SDK
 * names them (test/jsonrpc/envelope-headers.test.ts checks): a module that needs only these loads no SDK.
 */
export const CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo";
export const CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities";
export const LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel";
export const SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo";
const SENTINEL_START = "=?base64?";
const SENTINEL_END = "?=";
/** What a header value may hold as it is: visible ASCII, space and tab. */
const VISIBLE = /^[\t\x20-\x7e]*$/;
/** RFC 9110's token: what an `x-mcp-header` name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIMITIVE = new Set(["string", "integer", "boolean"]);
/** Where an `x-mcp-header` may not be: anything but a chain of `properties`. */
const UNREACHABLE = [
  "items",
  "prefixItems",
  "contains",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "propertyNames",
  "patternProperties",
  "dependentSchemas",
  "oneOf",
  "anyOf",
  "allOf",
  "not",
  "if",
  "then",
  "else",
  "$defs",
  "definitions",
] as const;
/** Of those, the ones whose value maps names to subschemas. */
const BY_NAME = new Set(["patternProperties", "dependentSchemas", "$defs", "definitions"]);

type Params = Record<string, unknown> | undefined;

export const objectOr = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The protocol revision a request's envelope claims (2026-07-28 and later carry one), if any. */
export function envelopeVersion(params: Params): string | undefined {
  const version = objectOr(params?._meta)?.[VERSION_KEY];
  return typeof version === "string" ? version : undefined;
}

/** `notifications/cancelled`'s request id, if it names one. */
export function cancelledId(params: Params): RequestId | undefined {
  const id = params?.requestId;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : undefined;
}

/**
 * A value as a header carries it: as it is when it is visible ASCII (spaces and tabs inside),
 * else — non-ASCII, a control character, space at either end, empty, or the sentinel's own shape —
 * Base64 of its UTF-8 between `=?base64?` and `?=`.
 */
export function headerValue(value: string): string {
  let plain = value.length > 0 && value === value.trim() && VISIBLE.test(value);
  plain &&= !(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END));
  return plain ? value : `${SENTINEL_START}${Buffer.from(value, "utf8").toString("base64")}${SENTINEL_END}`;
}

/** One `x-mcp-header` of a tool: where its value is in the arguments, the header's name, its type. */
export interface ParamHeader {
  path: readonly string[];
  name: string;
  /** "integer": the header and the body are compared as numbers (`42.0` is `42`). */
  type?: "string" | "integer" | "boolean";
}

/**
 * A tool's `x-mcp-header` declarations, or why the tool is invalid (a client over HTTP must leave
 * such a tool out): a name that is no token or not unique, a type that is not string, integer or
 * boolean, a place not reached by `properties` alone.
 */
export function paramHeaders(
  inputSchema: unknown,
): { ok: true; headers: ParamHeader[] } | { ok: false; why: string } {
  const headers: ParamHeader[] = [];
  const seen = new Set<string>();
  const visit = (node: unknown, path: string[], reachable: boolean): string | undefined => {
    const schema = objectOr(node);
    if (!schema) return undefined;
    if ("x-mcp-header" in schema) {
      const name = schema["x-mcp-header"];
      const where = path.join(".") || "the schema's root";
      if (!reachable || path.length === 0) return `${where}: x-mcp-header is allowed only on a property`;
      if (typeof name !== "string" || !TOKEN.test(name))
        return `${where}: x-mcp-header ${JSON.stringify(name)} is not a header name`;
      if (typeof schema.type !== "string" || !PRIMITIVE.has(schema.type))
        return `${where}: x-mcp-header on a ${String(schema.type ?? "untyped")} property (string, integer or boolean only)`;
      if (seen.has(name.toLowerCase())) return `x-mcp-header ${name} is declared twice`;
      seen.add(name.toLowerCase());
      headers.push({ path, name, type: schema.type as "string" | "integer" | "boolean" });
    }
    for (const [key, child] of Object.entries(objectOr(schema.properties) ?? {})) {
      const fault = visit(child, [...path, key], reachable);
      if (fault) return fault;
    }
    for (const keyword of UNREACHABLE) {
      const sub = schema[keyword];
      if (sub === undefined) continue;
      const branches = Array.isArray(sub)
        ? sub
        : BY_NAME.has(keyword)
          ? Object.values(objectOr(sub) ?? {})
          : [sub];
      for (const branch of branches) {
        const fault = visit(branch, [...path, `<${keyword}>`], false);
        if (fault) return fault;
      }
    }
    return undefined;
  };
  const fault = visit(inputSchema, [], true);
  return fault ? { ok: false, why: fault } : { ok: true, headers };
}

/** Canonical Base64 (RFC 4648, padded), as the sentinel must carry it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * What a header value says (headerValue read back): the sentinel's Base64 decoded as UTF-8, any
 * other value as it is — or undefined when it is not one a client may send (Base64 that is not
 * canonical, bytes that are not UTF-8, a character outside visible ASCII, space and tab).
 */
export function decodeHeaderValue(value: string): string | undefined {
  if (value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END) && value.length >= 11) {
    const b64 = value.slice(SENTINEL_START.length, -SENTINEL_END.length);
    if (!BASE64.test(b64)) return undefined;
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(b64, "base64"));
    } catch {
      return undefined;
    }
  }
  return VISIBLE.test(value) ? value : undefined;
}

/**
 * Whether a request's `Mcp-Param-*` headers say what its arguments say, for the tool's
 * declarations (`header` looks a header up by its lower-case name): undefined when they do, else
 * the header at fault and why. An argument that is absent or null expects no header (one sent is
 * ignored); one that is not a primitive is the tool's to refuse, not the headers'.
 */
export function paramMismatch(
  mirrored: readonly ParamHeader[],
  args: unknown,
  header: (name: string) => string | undefined,
): { header: string; why: string } | undefined {
  for (const h of mirrored) {
    const name = `Mcp-Param-${h.name}`;
    const value = valueAt(args, h.path);
    const text = argumentText(value);
    if (text === undefined) continue;
    // Worded as the SDK words it for its own servers, so both refusals read alike.
    const where = h.path.join(".");
    const sent = header(name.toLowerCase());
    const fault = (why: string) => ({ header: name, why });
    if (sent === undefined)
      return fault(`the body carries ${where}=${JSON.stringify(value)} but the ${name} header is absent`);
    const said = decodeHeaderValue(sent);
    if (said === undefined)
      return fault(
        sent.startsWith(SENTINEL_START) && sent.endsWith(SENTINEL_END)
          ? `the ${name} header carries an invalid Base64 sentinel value`
          : `the ${name} header carries characters a header value may not (visible ASCII, space and tab)`,
      );
    const same =
      h.type === "integer" && typeof value === "number" && DECIMAL.test(said)
        ? Number(said) === value
        : said === text;
    if (!same)
      return fault(
        `the ${name} header decodes to ${JSON.stringify(said)} but the body carries ${where}=${JSON.stringify(value)}`,
      );
  }
}

/** A primitive argument as its header's text (null, absent, or anything else: no header). */
function argumentText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
}

/** The methods whose `Mcp-Name` header names what they call: this member of their params. */
export const NAMED_BY: Readonly<Record<string, "name" | "uri">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/**
 * The headers one 2026-07-28 request's POST carries: the revision its envelope claims (else the
 * pinned one), its method, the name or URI of what it calls, and the tool's mirrored arguments.
 */
export function requestHeaders(
  method: string,
  params: Params,
  pinned: string,
  mirrored: readonly ParamHeader[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {
    "mcp-protocol-version": envelopeVersion(params) ?? pinned,
    "mcp-method": method,
  };
  const named = NAMED_BY[method];
  if (named && typeof params?.[named] === "string") out["mcp-name"] = headerValue(String(params[named]));
  if (method !== "tools/call" || !mirrored) return out;
  const args = objectOr(params?.arguments);
  for (const h of mirrored) {
    const text = argumentText(valueAt(args, h.path));
    if (text !== undefined) out[`Mcp-Param-${h.name}`] = headerValue(text);
  }
  return out;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const key of path) value = objectOr(value)?.[key];
  return value;
}

/**
 * What a `tools/list` result says to mirror, kept in `into` by tool name: a tool with
 * `x-mcp-header` arguments gets its headers, any other (or an invalid declaration) none.
 */
export function learnMirrors(result: unknown, into: Map<string, readonly ParamHeader[]>): void {
  const tools = objectOr(result)?.tools;
  if (!Array.isArray(tools)) return;
  for (const tool of tools) {
    const t = objectOr(tool);
    if (typeof t?.name !== "string") continue;
    const found = paramHeaders(t.inputSchema);
    if (found.ok && found.headers.length > 0) into.set(t.name, found.headers);
    else into.delete(t.name);
  }
}

/** A list result's next page, if it names one (an empty cursor names none). */
export function nextCursor(result: unknown): string | undefined {
  const cursor = objectOr(result)?.nextCursor;
  return typeof cursor === "string" && cursor !== "" ? cursor : undefined;
}
