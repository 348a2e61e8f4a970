/**
 * MCP_TWIN_TRACE=1 prints milliseconds since process start at named points, on stderr: how the
 * start-up budget of a run is spent (see bench/sync.ts). A no-op otherwise.
 */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return ((user + system) / 1000).toFixed(0);
};

// The process's own CPU beside the wall time: under load the two part, and a budget counts CPU.
export const trace: (label: string) => void = process.env.MCP_TWIN_TRACE
  ? (label) => process.stderr.write(`[trace] ${performance.now().toFixed(1)} cpu ${cpuMs()} ${label}\n`)
  : () => {};
