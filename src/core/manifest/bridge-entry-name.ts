/** The name of the bridge's entry in every client config (a module of its own: sync loads the
 * bridge wiring only when the manifest enables the bridge). */
export const BRIDGE_ENTRY = "mcp-twin";
