// The MCP SDK tells a JSON-RPC message's kind with its zod schemas: `isJSONRPCRequest(m)` is
// `JSONRPCRequestSchema.safeParse(m).success`, and the same for notifications, results and errors.
// Every message passes several of these guards on its way (the HTTP classification, the stdio
// entry, the protocol layer, the outbound path), and most of them fail — a request is asked first
// whether it is a response. A failing zod parse builds its whole list of issues, which is most of
// what a 2026-07-28 call through the bridge cost (docs/dev/performance.md).
//
// All four schemas are `.strict()` objects: a message without a member its kind requires, or with
// a member of another kind, can never pass. This puts that test in front of each guard, so such a
// message is refused at once; every other message is still parsed by the SDK's own schema, so each
// guard answers exactly as before (test/build/sdk-guards.test.ts holds it against the schemas).

/** The SDK's bundles that define the guards (the server's and the client's; core's own types). */
const LIBRARY = /[\\/]@modelcontextprotocol[\\/](server|client|core)[\\/]dist[\\/][^\\/]+\.mjs$/;

/** What each guard's message cannot lack, or carry, and still match its strict schema. */
export const PREFILTERS = {
  request:
    'm !== null && typeof m === "object" && !Array.isArray(m) && typeof m.method === "string" && m.id !== undefined && !Object.hasOwn(m, "result") && !Object.hasOwn(m, "error")',
  notification:
    'm !== null && typeof m === "object" && !Array.isArray(m) && typeof m.method === "string" && !Object.hasOwn(m, "id") && !Object.hasOwn(m, "result") && !Object.hasOwn(m, "error")',
  result:
    'm !== null && typeof m === "object" && !Array.isArray(m) && m.result !== undefined && !Object.hasOwn(m, "method") && !Object.hasOwn(m, "error")',
  error:
    'm !== null && typeof m === "object" && !Array.isArray(m) && m.error !== undefined && !Object.hasOwn(m, "method") && !Object.hasOwn(m, "result")',
};

const GUARDS = [
  ["isJSONRPCRequest", "JSONRPCRequestSchema", "__mcpTwinMayBeRequest(value)"],
  ["isJSONRPCNotification", "JSONRPCNotificationSchema", "__mcpTwinMayBeNotification(value)"],
  ["isJSONRPCResultResponse", "JSONRPCResultResponseSchema", "__mcpTwinMayBeResult(value)"],
  ["isJSONRPCErrorResponse", "JSONRPCErrorResponseSchema", "__mcpTwinMayBeError(value)"],
  [
    "isJSONRPCResponse",
    "JSONRPCResponseSchema",
    "(__mcpTwinMayBeResult(value) || __mcpTwinMayBeError(value))",
  ],
];

const HELPERS = `
function __mcpTwinMayBeRequest(m) { return ${PREFILTERS.request}; }
function __mcpTwinMayBeNotification(m) { return ${PREFILTERS.notification}; }
function __mcpTwinMayBeResult(m) { return ${PREFILTERS.result}; }
function __mcpTwinMayBeError(m) { return ${PREFILTERS.error}; }
`;

/**
 * The library's code with each guard it defines prefiltered; code that defines none is returned
 * as it is. A file that defines some but not all of them, or in another form, is an SDK this patch
 * was not written for: the build stops and says so.
 */
export function patchSdkGuards(code) {
  let patched = code;
  let found = 0;
  for (const [name, schema, prefilter] of GUARDS) {
    const original = `const ${name} = (value) => ${schema}.safeParse(value).success;`;
    if (!patched.includes(original)) continue;
    found++;
    patched = patched.replace(
      original,
      `const ${name} = (value) => ${prefilter} && ${schema}.safeParse(value).success;`,
    );
  }
  if (found === 0) {
    if (/const isJSONRPC(Request|Notification|ResultResponse|ErrorResponse|Response) = /.test(code))
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
