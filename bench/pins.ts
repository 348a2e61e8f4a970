/**
 * Pinning at sync, and the gateway's check per call: 500 real tools (the catalogue's servers'
 * lists, repeated under other names) scanned, hashed and pinned within 50 ms; a call's check of a
 * list already judged is a lookup (a few µs), not a rehash.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { toolPolicy } from "../src/bridge-server/gateway/tool-policy.js";
import type { ListedTool } from "../src/core/pins/tool-pin.js";
import { pinLists } from "../src/core/sync/pin-tools.js";
import { median, table, verdict } from "./_lib.js";

const TOOLS = 500;

export async function run(): Promise<{ ok: boolean }> {
  const repo = process.env.MCP_TWIN_REPO ?? process.cwd();
  const catalogue = JSON.parse(
    readFileSync(path.join(repo, "test", "fixtures", "tool-search", "catalogue-tools.json"), "utf8"),
  ) as Record<string, { tools: ListedTool[] }>;
  const real = Object.values(catalogue).flatMap((s) => s.tools);
  // 500 tools over 10 servers, each a real definition under a name of its own.
  const lists = new Map(
    Array.from({ length: 10 }, (_, s) => [
      `s${s}`,
      {
        tools: Array.from({ length: TOOLS / 10 }, (_, t) => {
          const tool = real[(s * 50 + t) % real.length] as ListedTool;
          return { ...tool, name: `${tool.name}_${s}_${t}` };
        }),
        for: { launch: `k${s}` },
      },
    ]),
  );
  const names = new Set(lists.keys());
  const pinMs: number[] = [];
  let book = {};
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    book = pinLists({}, lists, names, names, "2026-12-01T00:00:00Z").book;
    pinMs.push(performance.now() - t0);
  }
  // The gateway's policy (tool-policy.ts): a list judged once, then every call and list a lookup.
  const listed = { tools: lists.get("s0")?.tools ?? [] };
  const policy = () => toolPolicy("s0", undefined, "zed", { pins: book, listed });
  policy();
  const calls = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    policy()?.refusal("read_file_0_1");
    policy()?.list(listed);
  }
  const perCallUs = ((performance.now() - t0) / calls) * 1000;
  table([
    { what: `pin ${TOOLS} tools (scan, hash, pins)`, "median ms": median(pinMs).toFixed(1) },
    { what: "a call's check and a list's, judged before (µs)", "median ms": (perCallUs / 1000).toFixed(4) },
  ]);
  const pinned = verdict(`pinning ${TOOLS} tools (median ms)`, median(pinMs), 50);
  const lookup = verdict("a call's check and a list's (µs)", perCallUs, 20);
  return { ok: pinned && lookup };
}
