// The MCP SDK tells a JSON-RPC message's kind with its zod schemas: `isJSONRPCRequest(m)` is
// `JSONRPCRequestSchema.safeParse(m).success`, and the same for notifications, results and errors.
// Every message passes several of these guards on its way (the HTTP classification, the stdio
// entry, the protocol layer, the outbound path): a 2026-07-28 call through the bridge asked them
// about ten times, most of them failing — a request is asked first whether it is a response — and
// a failing zod parse builds its whole list of issues; a passing one, a copy of the message.
//
// This puts a plain test in front of each guard, written from the schemas (all four are `.strict()`
// objects): a message without a member its kind requires, or with a member of another kind, is
// refused at once; a message of the ordinary shape — exactly the members its kind allows, each of a
// type the schema takes without looking further — is accepted at once; anything else is still
// parsed by the SDK's own schema. test/e2e/sdk-guards.test.ts holds every answer against the
// schemas over tens of thousands of shapes, so each guard answers exactly as before.

/** The SDK's bundles that define the guards (the server's and the client's; core's own types). */
const LIBRARY = /[\\/]@modelcontextprotocol[\\/](server|client|core)[\\/]dist[\\/][^\\/]+\.mjs$/;

/**
 * The tests, as source: each `kind(m)` answers -1 (the schema refuses m), 1 (it accepts m) or 0 (ask
 * the schema).
 */
export const HELPERS = `
function __mcpTwinPlain(m) { return m !== null && typeof m === "object" && !Array.isArray(m); }
function __mcpTwinOnly(m, keys) { for (const k of Object.keys(m)) if (!keys.includes(k)) return false; return true; }
function __mcpTwinId(id) { return typeof id === "string" || Number.isSafeInteger(id); }
function __mcpTwinParams(p) {
  if (p === undefined) return true;
  if (!__mcpTwinPlain(p)) return false;
  const meta = p._meta;
  if (meta === undefined) return true;
  if (!__mcpTwinPlain(meta)) return false;
  const token = meta.progressToken;
  return (token === undefined || __mcpTwinId(token)) && meta["io.modelcontextprotocol/related-task"] === undefined;
}
function __mcpTwinRequestKind(m) {
  if (!__mcpTwinPlain(m) || typeof m.method !== "string" || m.id === undefined || Object.hasOwn(m, "result") || Object.hasOwn(m, "error")) return -1;
  return m.jsonrpc === "2.0" && __mcpTwinId(m.id) && __mcpTwinOnly(m, ["jsonrpc", "id", "method", "params"]) && __mcpTwinParams(m.params) ? 1 : 0;
}
function __mcpTwinNotificationKind(m) {
  if (!__mcpTwinPlain(m) || typeof m.method !== "string" || Object.hasOwn(m, "id") || Object.hasOwn(m, "result") || Object.hasOwn(m, "error")) return -1;
  return m.jsonrpc === "2.0" && __mcpTwinOnly(m, ["jsonrpc", "method", "params"]) && __mcpTwinParams(m.params) ? 1 : 0;
}
function __mcpTwinResultKind(m) {
  if (!__mcpTwinPlain(m) || m.result === undefined || Object.hasOwn(m, "method") || Object.hasOwn(m, "error")) return -1;
  const r = m.result;
  return m.jsonrpc === "2.0" && __mcpTwinId(m.id) && __mcpTwinOnly(m, ["jsonrpc", "id", "result"]) && __mcpTwinPlain(r) && (r._meta === undefined || __mcpTwinPlain(r._meta)) ? 1 : 0;
}
function __mcpTwinErrorKind(m) {
  if (!__mcpTwinPlain(m) || m.error === undefined || Object.hasOwn(m, "method") || Object.hasOwn(m, "result")) return -1;
  const e = m.error;
  return m.jsonrpc === "2.0" && (m.id === undefined || __mcpTwinId(m.id)) && __mcpTwinOnly(m, ["jsonrpc", "id", "error"]) && __mcpTwinPlain(e) && Number.isSafeInteger(e.code) && typeof e.message === "string" ? 1 : 0;
}
`;

/** [guard, its schema, the kind test in front of it]. */
const GUARDS = [
  ["isJSONRPCRequest", "JSONRPCRequestSchema", "__mcpTwinRequestKind"],
  ["isJSONRPCNotification", "JSONRPCNotificationSchema", "__mcpTwinNotificationKind"],
  ["isJSONRPCResultResponse", "JSONRPCResultResponseSchema", "__mcpTwinResultKind"],
  ["isJSONRPCErrorResponse", "JSONRPCErrorResponseSchema", "__mcpTwinErrorKind"],
];

/**
 * The library's code with each guard it defines put behind its test; code that defines none is
 * returned as it is. A file that defines some but not all of them, or in another form, is an SDK
 * this patch was not written for: the build stops and says so.
 */
export function patchSdkGuards(code) {
  let patched = code;
  let found = 0;
  for (const [name, schema, kind] of GUARDS) {
    const original = `const ${name} = (value) => ${schema}.safeParse(value).success;`;
    if (!patched.includes(original)) continue;
    found++;
    patched = patched.replace(
      original,
      `const ${name} = (value) => { const kind = ${kind}(value); return kind === 1 || (kind === 0 && ${schema}.safeParse(value).success); };`,
    );
  }
  if (found === 0) {
    if (/const isJSONRPC(Request|Notification|ResultResponse|ErrorResponse) = /.test(code))
      throw new Error("@modelcontextprotocol SDK: its JSON-RPC guards are not written as this patch expects");
    return code;
  }
  if (found !== GUARDS.length)
    throw new Error(`@modelcontextprotocol SDK: ${found} of its ${GUARDS.length} JSON-RPC guards found`);
  return `${patched}${HELPERS}`;
}

/** For tsup (esbuild). */
export const sdkGuardsEsbuildPlugin = {
  name: "sdk-guards-patch",
  setup(build) {
    build.onLoad({ filter: LIBRARY }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      return { contents: patchSdkGuards(await readFile(args.path, "utf8")), loader: "js" };
    });
  },
};

/** For Vitest (Vite): the SDK must be inlined (`server.deps.inline`) for Vite to see it. */
export const sdkGuardsVitePlugin = {
  name: "sdk-guards-patch",
  transform(code, id) {
    return LIBRARY.test(id.split("?")[0]) ? { code: patchSdkGuards(code), map: null } : undefined;
  },
};
