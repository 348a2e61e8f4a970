/**
 * Is what listens at a loopback URL this home's bridge? Decided before any credential is sent: by
 * its serve.json, the state lock and the pid holding the port in /proc (each new connection is then
 * checked the same way), or elsewhere by a challenge only a holder of the token can answer.
 */
import http from "node:http";
import { isIP } from "node:net";
import { CHALLENGE_HEADER, newNonce, PROOF_HEADER, proofHolds } from "./bridge-challenge.js";
import { ownedInstance } from "./instance.js";
import {
  addressKey,
  type Connection,
  listenerCovers,
  listenersOf,
  peerHeldBy,
  socketInodes,
  socketTable,
} from "./proc-sockets.js";
import type { BridgeFiles } from "./state-folder.js";

export interface ProofContext {
  /** This home's bridge state (serve.json, the lock): the /proc proof needs it. */
  files?: BridgeFiles | undefined;
  /** /proc, where there is one (Linux, WSL). */
  proc?: string | undefined;
  token: string;
  timeoutMs?: number;
}

export interface Proof {
  how: "proc" | "challenge";
  /** The address the proof was made for (an IP literal): the one to connect to. */
  address: string;
  port: number;
  /**
   * A /proc proof checks every new connection the same way before a credential goes over it: a
   * bridge that ended and a stranger that took its port in between are told apart.
   */
  verify?: (socket: Connection) => boolean;
}

export async function proveBridge(url: URL, ctx: ProofContext): Promise<Proof | null> {
  return (await procProof(url, ctx)) ?? (await challengeProof(url, ctx.token, ctx.timeoutMs ?? 3000));
}

/** `url` pointed at the address the proof holds for (so a name like localhost cannot go elsewhere). */
export function provenUrl(url: URL, proof: Proof): URL {
  const at = new URL(url.href);
  at.hostname = proof.address.includes(":") ? `[${proof.address}]` : proof.address;
  at.port = String(proof.port);
  return at;
}

const portOf = (url: URL) => Number(url.port || (url.protocol === "https:" ? 443 : 80));

async function procProof(url: URL, ctx: ProofContext): Promise<Proof | null> {
  const { files, proc } = ctx;
  if (!files || !proc || url.protocol !== "http:") return null;
  const port = portOf(url);
  const instance = await ownedInstance(files);
  if (!instance || instance.port !== port) return null;
  const { pid } = instance;
  const rows = socketTable(proc);
  const inodes = socketInodes(pid, proc);
  if (!rows || !inodes) return null;
  const listeners = listenersOf(rows, inodes, port);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const candidates = isIP(host) ? [host] : ["127.0.0.1", "::1"];
  const address = candidates.find((c) => listeners.some((l) => listenerCovers(l, addressKey(c))));
  if (!address) return null;
  return {
    how: "proc",
    address,
    port,
    verify: (socket) => {
      const now = socketTable(proc);
      const held = socketInodes(pid, proc);
      return Boolean(now && held && peerHeldBy(now, held, socket));
    },
  };
}

/** Ask for a proof with a fresh nonce and no credential; the answer's body is never read. */
function challengeProof(url: URL, token: string, timeoutMs: number): Promise<Proof | null> {
  if (url.protocol !== "http:") return Promise.resolve(null);
  const nonce = newNonce();
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: "GET",
      headers: { [CHALLENGE_HEADER]: nonce, accept: "text/event-stream" },
      timeout: timeoutMs,
      agent: false,
    });
    req.on("response", (res) => {
      const { remoteAddress, remotePort } = res.socket;
      const held =
        remoteAddress !== undefined &&
        remotePort !== undefined &&
        proofHolds(res.headers[PROOF_HEADER], token, nonce, remoteAddress, remotePort);
      req.destroy();
      resolve(held ? { how: "challenge", address: addressKey(remoteAddress), port: remotePort } : null);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.on("close", () => resolve(null));
    req.end();
  });
}
