/**
 * The handshake that lists a server's tools (doctor's, as `mcp-twin tools` uses it), handed to sync,
 * which sits below doctor: loaded only when a sync needs a list no cache holds.
 */
import type { ToolLister } from "../../core/sync/learn-lists.js";

export const listToolsForSync: ToolLister = async (machine, ctx, names, options) => {
  // The handshakes bring the SDK's client and zod, which a sync without such a rule never loads.
  const { listByHandshake } = await import("../../core/doctor/probe/list-tools.js");
  return listByHandshake(machine, ctx, names, options);
};
