/**
 * What a sync that writes nothing judges its pins from, hashed with the report it came to: the same
 * inputs as a judgement that settled (nothing pinned, listed or written) give that report again
 * without loading the pins' code or judging a tool (pin-tools.ts).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { VERSION } from "../../version.js";
import type { Context } from "../context/context.js";
import type { BridgeWiring } from "../entries/bridge-wiring.js";
import { gatewayCacheFile, homeCacheFile } from "../entries/tool-lists.js";
import { splitSpec } from "../manifest/package-spec.js";
import type { InstalledIndex } from "../packages/installs.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";
import type { PinReport } from "./pin-tools.js";

const stampFile = (ctx: Pick<Context, "machine">) => path.join(ctx.machine.paths.cache, "pins-stamp.json");

/**
 * Everything pinTools reads: the manifest, the pins, both caches of lists, the versions each
 * server runs (here and where the bridge runs it), which servers the gateway runs, this mcp-twin.
 */
export async function pinInputs(
  ctx: Pick<Context, "machine" | "loaded" | "servers">,
  wiring: BridgeWiring | undefined,
  packages: { index: InstalledIndex; versions: ReadonlyMap<string, string> },
): Promise<string> {
  const gateway = wiring ? gatewayCacheFile(wiring.env) : undefined;
  const texts = await Promise.all([
    readTextOrNull(ctx.machine.paths.pins),
    readTextOrNull(homeCacheFile(ctx.machine)),
    gateway ? readTextOrNull(gateway) : null,
  ]);
  const versions = ctx.servers.flatMap(([, s]) => {
    const name = s.package ? splitSpec(s.package).name : undefined;
    const there = name && wiring ? packages.index.get(wiring.env.id)?.get(name)?.version : undefined;
    return name ? [[name, packages.versions.get(name) ?? null, there ?? null]] : [];
  });
  const hosted = wiring && [
    wiring.env.id,
    wiring.shares.map((s) => s.name),
    wiring.unhosted.map((u) => u.name),
  ];
  const all = [VERSION, ctx.loaded.file, ctx.loaded.text, texts, versions, hosted ?? null];
  return createHash("sha256").update(JSON.stringify(all)).digest("hex");
}

/** The report of the judgement that settled on these inputs; undefined: none did (judge them). */
export async function stampedPins(
  ctx: Pick<Context, "machine">,
  inputs: string,
): Promise<{ report?: PinReport } | undefined> {
  try {
    const kept = JSON.parse((await readTextOrNull(stampFile(ctx))) ?? "") as {
      inputs?: unknown;
      report?: PinReport;
    };
    if (kept.inputs !== inputs) return undefined;
    return kept.report ? { report: kept.report } : {};
  } catch {
    return undefined; // no stamp, or not JSON: judged as ever
  }
}

/** A judgement that settled: its inputs and report kept (a cache: a failed write only costs the next run a judgement). */
export async function keepPinStamp(
  ctx: Pick<Context, "machine">,
  inputs: string,
  report: PinReport | undefined,
): Promise<void> {
  const text = `${JSON.stringify({ inputs, ...(report ? { report } : {}) })}\n`;
  // A failed write only costs the next run a judgement.
  await writePrivateFile(stampFile(ctx), text).catch(() => {});
}
