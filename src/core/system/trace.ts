/**
 * MCP_TWIN_TRACE=1 prints milliseconds since process start at named points, on stderr: how the
 * start-up budget of a run is spent (see bench/sync.ts). A no-op otherwise.
 */
export const trace: (label: string) => void = process.env.MCP_TWIN_TRACE
  ? (label) => process.stderr.write(`[trace] ${performance.now().toFixed(1)} ${label}\n`)
  : () => {};
