/** mcp-twin's own version, inlined by the build (tsup's `define`), so `--version` reads no file. */
declare const __MCP_TWIN_VERSION__: string;

export const VERSION: string = typeof __MCP_TWIN_VERSION__ === "string" ? __MCP_TWIN_VERSION__ : "0.0.0-dev";
