/**
 * Tools on demand (core/tool-search), side by side: the definitions a toolSearch client loads with
 * the eight catalogue servers against all their tools; search time over 500 tools; the index's
 * memory; and the share of the query set whose wanted tool is in the top 5.
 */
import { availableParallelism, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { toolTokens } from "../src/core/budget/tokens.js";
import { onDemandTools } from "../src/core/tool-search/search-and-call.js";
import { ToolIndex } from "../src/core/tool-search/tool-index.js";
import { catalogue, queries } from "../test/tool-search/catalogue.js";
import { table, verdict } from "./_lib.js";

const servers = Object.keys(catalogue);

/** The catalogue's real tools five times over (servers `github`, `github-2`, …): 500 tools of real words. */
function fiveFold(index: ToolIndex): number {
  let n = 0;
  for (let copy = 1; copy <= 5; copy++)
    for (const [server, { tools }] of Object.entries(catalogue)) {
      index.put(copy === 1 ? server : `${server}-${copy}`, tools);
      n += tools.length;
    }
  return n;
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? 0;

export async function run(): Promise<{ ok: boolean }> {
  // Definitions: every tool as a client loads them, against search_tools and call_tool alone.
  const index = new ToolIndex();
  for (const [server, { tools }] of Object.entries(catalogue)) index.put(server, tools);
  const all = Object.values(catalogue).flatMap((s) => s.tools);
  const before = all.reduce((sum, t) => sum + toolTokens(t), 0);
  const defs = onDemandTools({
    index,
    servers: servers.map((name) => ({ name })),
    admits: () => true,
    keep: [],
    call: async () => ({}),
  });
  const after = defs.reduce((sum, t) => sum + toolTokens(t), 0);
  table([
    { "definitions loaded": `every tool of ${servers.length} servers`, tools: all.length, tokens: before },
    { "definitions loaded": "toolSearch: search_tools + call_tool", tools: defs.length, tokens: after },
  ]);

  // Search time over 500 tools, the query set over and over.
  const big = new ToolIndex();
  const size = fiveFold(big);
  for (const { q } of queries) big.search(q, 5, () => true);
  // Wall time is what a client waits; CPU time is the search's own cost (a loaded machine's other
  // processes take the core away mid-search, which only the wall time shows).
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < 20; round++)
    for (const { q } of queries) {
      const used = process.cpuUsage();
      const start = process.hrtime.bigint();
      big.search(q, 5, () => true);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      const { user, system } = process.cpuUsage(used);
      cpu.push((user + system) / 1000);
    }
  const p50 = quantile(ms, 0.5);
  const p99 = quantile(ms, 0.99);

  // Memory: ten indexes of 500 tools held at once, the heap measured after a full collection each side.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const held = Array.from({ length: 10 }, () => {
    const i = new ToolIndex();
    fiveFold(i);
    return i;
  });
  gc();
  const mb = (process.memoryUsage().heapUsed - heapBefore) / held.length / 1024 / 1024;

  // Quality: the wanted tool in the top 5.
  const hits = queries.filter(({ q, want }) =>
    index.search(q, 5, () => true).some((f) => want.includes(`${f.server}/${f.tool.name}`)),
  ).length;
  const share = (100 * hits) / queries.length;
  table([
    { measure: `search p50 over ${size} tools (ms)`, value: p50.toFixed(3) },
    { measure: `search p99 over ${size} tools (ms)`, value: p99.toFixed(3) },
    {
      measure: "search CPU time p50 / p99 (ms)",
      value: `${quantile(cpu, 0.5).toFixed(3)} / ${quantile(cpu, 0.99).toFixed(3)}`,
    },
    {
      measure: "load average (1 min) / cores",
      value: `${loadavg()[0]?.toFixed(1)} / ${availableParallelism()}`,
    },
    { measure: `index memory, ${size} tools (MB)`, value: mb.toFixed(2) },
    { measure: `wanted tool in top 5 (${hits} of ${queries.length} queries, %)`, value: share.toFixed(1) },
  ]);
  const ok = [
    verdict("toolSearch definitions (tokens)", after, 1500),
    verdict("search p50 (ms)", p50, 5),
    verdict("search p99 (ms)", p99, 20),
    verdict("index memory for 500 tools (MB)", mb, 10),
    verdict("wanted tool in top 5 (%)", share, 90, false),
  ].every(Boolean);
  held.length = 0;
  return { ok };
}
