/**
 * Which era a shared server's process is connected in: the one its cache entry remembers, else
 * 2025-11-25 first and 2026-07-28 when it refuses initialize.
 */
import type { Client, PriorDiscovery } from "@modelcontextprotocol/client";
import { RPC } from "../../core/jsonrpc/codes.js";
import type { CachedServer } from "./list-cache.js";

/** How one attempt connects: after what a prior start learned (the SDK's discovery), or pinned. */
export type Connection = { prior: PriorDiscovery } | { pin: string };

/** A 2026-07-28-only server refuses initialize with "unsupported protocol version". */
const refusesInitialize = (error: unknown) =>
  (error as { code?: unknown })?.code === RPC.unsupportedProtocolVersion ||
  /unsupported protocol version/i.test(String(error));

/**
 * Connect in the era the cache remembers; with none (or when the remembered one fails), ask in
 * 2025-11-25 first — a server that speaks both is driven in it, since servers written for it ask
 * their clients things in ways 2026-07-28 no longer carries — and in 2026-07-28 when it refuses.
 */
export async function connectInEra(
  cached: CachedServer | undefined,
  open: (how: Connection) => Promise<Client>,
): Promise<Client> {
  if (cached?.era === "2026-07-28" && cached.discover)
    return open({ prior: { kind: "modern", discover: cached.discover } as PriorDiscovery }).catch(() =>
      probe(open),
    );
  if (cached?.era === "2025-11-25")
    return open({ prior: { kind: "legacy" } satisfies PriorDiscovery }).catch(() => probe(open));
  return probe(open);
}

async function probe(open: (how: Connection) => Promise<Client>): Promise<Client> {
  try {
    return await open({ prior: { kind: "legacy" } satisfies PriorDiscovery });
  } catch (error) {
    if (!refusesInitialize(error)) throw error;
    return open({ pin: "2026-07-28" });
  }
}
