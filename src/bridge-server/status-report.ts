/**
 * What the bridge says about itself, asked by the `bridge_status` tool and by `GET /control/status`
 * (`mcp-twin bridge status`: no MCP session, so asking loads nothing into a bridge that idles).
 */
import { VERSION } from "../version.js";
import type { BridgeContext } from "./own-tools.js";

/** The bridge itself, without its shared servers (the control status has the gateway's own). */
export function bridgeReport(ctx: BridgeContext): Record<string, unknown> {
  const now = Date.now();
  // Open sessions (not proof their client still runs: one that exits without closing its session
  // leaves it open until its grace passes, sessions.ts). Probes ask /control/status: no session.
  const sessions = ctx.sessions();
  const items = ctx.handoff.data.items;
  return {
    version: VERSION,
    pid: process.pid,
    url: ctx.url(),
    stateDir: ctx.files.dir,
    startedAt: ctx.startedAt.toISOString(),
    uptimeSeconds: Math.round((now - ctx.startedAt.getTime()) / 1000),
    clients: {
      count: sessions.length,
      sessions: sessions.map((s) => ({
        client: s.client,
        endpoint: s.endpoint,
        since: s.since.toISOString(),
        lastSeen: s.lastSeen.toISOString(),
      })),
    },
    token: {
      createdAt: ctx.token.createdAt.toISOString(),
      ageSeconds: Math.round((now - ctx.token.createdAt.getTime()) / 1000),
    },
    memory: {
      namespaces: Object.keys(ctx.memory.data.namespaces).length,
      keys: Object.values(ctx.memory.data.namespaces).reduce((n, ns) => n + Object.keys(ns).length, 0),
    },
    handoff: {
      open: items.filter((i) => i.status === "open").length,
      claimed: items.filter((i) => i.status === "claimed").length,
      finished: items.filter((i) => i.status === "done" || i.status === "failed").length,
    },
    plugins: ctx.plugins,
  };
}
