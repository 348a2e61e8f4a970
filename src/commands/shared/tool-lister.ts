/**
 * The handshake that lists a server's tools (doctor's, as `mcp-twin tools` uses it), handed to sync,
 * which sits below doctor: loaded only when a sync needs a list no cache holds.
 */
import type { ToolLister } from "../../core/sync/learn-lists.js";

export const listToolsForSync: ToolLister = async (machine, ctx, names, options) => {
  const { listByHandshake } = await import("../../core/doctor/probe/list-tools.js");
  // A stdio server by a plain handshake: the SDK's client (and zod) would cost a sync more CPU than
  // the lists themselves; only a remote loads it.
  return listByHandshake(machine, ctx, names, { ...options, plain: true });
};
