/**
 * A shared server's process connected in its protocol era, over its wire: the era its cache entry
 * remembers, else 2025-11-25 first (initialize) and 2026-07-28 (server/discover) when it refuses.
 */
import { RPC } from "../../core/jsonrpc/codes.js";
import { isPlain } from "../../core/plain-records.js";
import { VERSION } from "../../version.js";
import { LEGACY } from "../route/handshake.js";
import type { ChildWire } from "./child-wire.js";
import type { CachedServer } from "./list-cache.js";
import { type Said, saidBy } from "./upstream.js";
import type { Json } from "./wire-json.js";

/** A start waits this long for the server to answer its handshake. */
const READY_TIMEOUT_MS = 30_000;
const MODERN = "2026-07-28";

const GATEWAY = { name: "mcp-twin-gateway", version: VERSION };
/** What the gateway can do for its servers: ask its sessions' clients (asks.ts). */
const CAPABILITIES = { elicitation: { form: {}, url: {} }, sampling: {}, roots: { listChanged: true } };

/** A process past its handshake: its wire, and what it said of itself (the era it is driven in). */
export interface Connected {
  wire: ChildWire;
  said: Said;
}

type Handshake = (wire: ChildWire) => Promise<Connected>;

/**
 * Connect in the era the cache remembers; with none (or when the remembered one fails), ask in
 * 2025-11-25 first — a server that speaks both is driven in it, since servers written for it ask
 * their clients things in ways 2026-07-28 no longer carries — and in 2026-07-28 when it refuses
 * initialize (-32022, or "unsupported protocol version"). `open` starts a process.
 */
export async function connectInEra(
  cached: CachedServer | undefined,
  open: () => Promise<ChildWire>,
): Promise<Connected> {
  const known = cached?.era === MODERN ? cached.discover : undefined;
  const remembered = (handshake: Handshake) => attempt(open, handshake).catch(() => probe(open));
  if (known && offersModern(known)) return remembered(async (wire) => adopt(wire, known));
  return cached?.era === "2025-11-25" ? remembered(initialize) : probe(open);
}

async function probe(open: () => Promise<ChildWire>): Promise<Connected> {
  try {
    return await attempt(open, initialize);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code !== RPC.unsupportedProtocolVersion && !/unsupported protocol version/i.test(String(message)))
      throw error;
    return attempt(open, discover);
  }
}

/** One process and its handshake; one whose handshake fails is closed (its failure is the start's). */
async function attempt(open: () => Promise<ChildWire>, handshake: Handshake): Promise<Connected> {
  const wire = await open();
  return handshake(wire).catch((error: unknown) => {
    // Its failure is the start's; the process only has to go.
    void wire.close().catch(() => {});
    throw error;
  });
}

/** 2025-11-25: initialize, answered in a revision of that era, then initialized. */
async function initialize(wire: ChildWire): Promise<Connected> {
  const params = { protocolVersion: LEGACY[0], capabilities: CAPABILITIES, clientInfo: GATEWAY };
  const result = await wire.request("initialize", params, READY_TIMEOUT_MS);
  if (!LEGACY.includes(result.protocolVersion as string))
    throw new Error(`Server's protocol version is not supported: ${String(result.protocolVersion)}`);
  if (!isPlain(result.capabilities)) throw new Error("the server's initialize answer has no capabilities");
  wire.notify("notifications/initialized");
  return { wire, said: saidBy(result, "2025-11-25") };
}

/** 2026-07-28: server/discover, with the envelope each request of the gateway's carries from then on. */
async function discover(wire: ChildWire): Promise<Connected> {
  wire.envelope = ENVELOPE;
  const answer = await wire.request("server/discover", {}, READY_TIMEOUT_MS);
  if (!offersModern(answer)) throw new Error(`the server's server/discover answer does not offer ${MODERN}`);
  return adopt(wire, answer);
}

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": GATEWAY,
  "io.modelcontextprotocol/clientCapabilities": CAPABILITIES,
};

/** A process driven in 2026-07-28 after a server/discover answer (its own, or one its cache kept). */
function adopt(wire: ChildWire, answer: Json): Connected {
  wire.envelope = ENVELOPE;
  return { wire, said: saidBy(answer) };
}

const offersModern = (answer: Json) =>
  Array.isArray(answer.supportedVersions) &&
  answer.supportedVersions.includes(MODERN) &&
  isPlain(answer.capabilities);
