declare const __MCP_TWIN_VERSION__: string;

/** The package version, inlined at build time so `--version` needs no file read. */
export const VERSION: string = typeof __MCP_TWIN_VERSION__ === "string" ? __MCP_TWIN_VERSION__ : "0.0.0-dev";
