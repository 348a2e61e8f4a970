// The MCP SDK's client and server packages each import `@modelcontextprotocol/<package>/_shims`,
// whose Node build exports Ajv (with ajv-formats, three dialects) as the default JSON Schema
// validator. Ajv is evaluated when the module loads, not when a schema is first checked: every
// process that loads the SDK pays for it — the bridge at idle, each relay-facing gateway, doctor —
// although mcp-twin only ever validates a tool's output against its outputSchema, which zod (loaded
// anyway, the SDK's own schemas are zod) does. This points both imports at src/sdk-shims-without-ajv.ts, which
// exports the same names; test/e2e/sdk-shims.test.ts fails the build's test if the SDK's shims
// export anything else.

import { fileURLToPath } from "node:url";

/** The module the SDK's `_shims` imports resolve to. */
export const SHIMS = fileURLToPath(new URL("../src/sdk-shims-without-ajv.ts", import.meta.url));

const SHIM_IMPORT = /^@modelcontextprotocol\/(client|server)\/_shims$/;

export const sdkShimsEsbuildPlugin = {
  name: "sdk-shims-alias",
  setup(build) {
    build.onResolve({ filter: SHIM_IMPORT }, () => ({ path: SHIMS }));
  },
};

/** For Vitest (Vite): the SDK must be inlined (`server.deps.inline`) for Vite to see its imports. */
export const sdkShimsVitePlugin = {
  name: "sdk-shims-alias",
  enforce: "pre",
  resolveId(id) {
    return SHIM_IMPORT.test(id) ? SHIMS : undefined;
  },
};
