/** bridge_status: what a session can ask about the bridge itself (status-report.ts). */
import type { BridgeContext } from "../own-tools.js";
import { bridgeReport } from "../status-report.js";
import { type BridgeTool, defineTool } from "./define.js";
import { ok } from "./result.js";

export function statusTool(ctx: BridgeContext): BridgeTool {
  return defineTool(
    {
      name: "bridge_status",
      title: "Bridge status",
      description:
        "The bridge itself: version, uptime, open client sessions (each open until its client closes it or leaves), token age, plugins, shared servers and how much is stored.",
      annotations: { readOnlyHint: true },
    },
    async () => ok({ ...bridgeReport(ctx), shares: ctx.shares() }),
  );
}
