/**
 * Is what listens at a loopback address this home's bridge? Proven on each connection, before any
 * credential goes over it, by a challenge only a holder of the token can answer: both sides of it.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import type net from "node:net";
import type { Duplex } from "node:stream";
import { clientToken } from "./client-token.js";
import { BRIDGE_PATH, type BridgeFiles, tokenScope } from "./state-folder.js";
import { readToken, tokenNow } from "./token-file.js";

/*
 * The challenge: the caller sends a fresh nonce with no credential; the bridge answers (on its 401)
 * with an HMAC of the nonce and the address and port the connection reached, keyed by the token.
 */
/** An address as both ends spell it: an IPv4-mapped IPv6 address as plain IPv4 (as /proc has it). */
export const addressKey = (ip: string) => ip.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");

/** The request header carrying the nonce, and the answer header carrying the proof. */
export const CHALLENGE_HEADER = "mcp-twin-challenge";
const PROOF_HEADER = "mcp-twin-proof";

/**
 * The proof for one nonce at one address and port. The address and port are where the connection
 * arrived, so a listener elsewhere that forwards the challenge to the bridge gets a proof for the
 * bridge's own address, not its own.
 */
export function challengeProof(token: string, nonce: string, address: string, port: number): string {
  return createHmac("sha256", token)
    .update(`mcp-twin bridge proof v1\n${nonce}\n${addressKey(address)}\n${port}`)
    .digest("base64url");
}

/** The bridge's side: the proof header for a request that carries a well-formed nonce. */
export function answerChallenge(
  nonce: string | string[] | undefined,
  socket: { localAddress?: string | undefined; localPort?: number | undefined },
  token: string,
): Record<string, string> | undefined {
  if (typeof nonce !== "string" || !/^[A-Za-z0-9_-]{16,128}$/.test(nonce)) return undefined;
  if (!socket.localAddress || !socket.localPort) return undefined;
  return { [PROOF_HEADER]: challengeProof(token, nonce, socket.localAddress, socket.localPort) };
}

/** The caller's side: does `proof` answer `nonce` at the address and port it connected to? */
export function proofHolds(
  proof: string | string[] | undefined,
  token: string,
  nonce: string,
  address: string,
  port: number,
): boolean {
  if (typeof proof !== "string") return false;
  const want = Buffer.from(challengeProof(token, nonce, address, port));
  const got = Buffer.from(proof);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The challenge's answer is a 401 with a short body; anything longer is not the bridge. */
const MAX_ANSWER_BYTES = 16 * 1024;

/** A connection whose holder did not prove it is this home's bridge: nothing was sent over it. */
class UnprovenBridgeError extends Error {
  readonly code = "EBRIDGEPROOF";
}

/** The head and body lengths of an HTTP answer in `buf`, once it is whole; undefined before. */
function parseAnswer(buf: Buffer): { status: number; headers: Map<string, string> } | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine = "", ...lines] = buf.subarray(0, end).toString("latin1").split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? Number.NaN);
  if (!Number.isInteger(length) || length < 0) throw new UnprovenBridgeError("its answer has no length");
  if (buf.length < end + 4 + length) return undefined;
  if (buf.length > end + 4 + length) throw new UnprovenBridgeError("it answered more than was asked");
  return { status: Number(statusLine.split(" ")[1]), headers };
}

/**
 * A connection to `host:port` whose holder proved it holds `token`, ready for requests (kept
 * alive); rejects with UnprovenBridgeError (or the connection's own error) otherwise. Its first
 * request carries a fresh nonce and no credential (the challenge above); a listener that cannot
 * answer never sees a credential, nor one that forwards the challenge to the bridge (the proof
 * names the address and port the bridge was reached at).
 */
function provenConnection(
  options: { host: string; port: number },
  token: string | null,
  timeoutMs = 5000,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const host = options.host.replace(/^\[|\]$/g, "");
    const socket = process.getBuiltinModule("node:net").connect({ host, port: options.port });
    const nonce = randomBytes(24).toString("base64url");
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.off("data", onData).off("error", done).off("close", closed);
      socket.setTimeout(0);
      if (!error) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const closed = () => done(new UnprovenBridgeError("it closed the connection"));
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        if (buf.length > MAX_ANSWER_BYTES) throw new UnprovenBridgeError("its answer is too long");
        const answer = parseAnswer(buf);
        if (!answer) return;
        const { remoteAddress, remotePort } = socket;
        const held =
          token !== null &&
          answer.status === 401 &&
          remoteAddress !== undefined &&
          remotePort !== undefined &&
          proofHolds(answer.headers.get(PROOF_HEADER), token, nonce, remoteAddress, remotePort);
        if (!held) throw new UnprovenBridgeError("what answers there is not this home's bridge");
        if (/close/i.test(answer.headers.get("connection") ?? ""))
          throw new UnprovenBridgeError("it closed the proven connection");
        done();
      } catch (error) {
        done(error as Error);
      }
    };
    socket.on("data", onData);
    socket.setTimeout(timeoutMs, () =>
      done(new UnprovenBridgeError("it did not answer the challenge in time")),
    );
    socket.on("error", done);
    socket.on("close", closed);
    socket.once("connect", () => {
      // Without a token nothing can be proven (and nothing is sent): after the connect, so that
      // nothing answering still reads as "connection refused".
      if (!token) return done(new UnprovenBridgeError("this home's bridge has no token to prove it with"));
      const hostHeader = host.includes(":") ? `[${host}]:${options.port}` : `${host}:${options.port}`;
      socket.write(
        `GET ${BRIDGE_PATH} HTTP/1.1\r\nHost: ${hostHeader}\r\n${CHALLENGE_HEADER}: ${nonce}\r\nAccept: text/event-stream\r\nContent-Length: 0\r\n\r\n`,
      );
    });
  });
}

/**
 * Where this home's bridge answers at `url` — proven, nothing secret sent — and its token; else null.
 * The URL is pointed at the address the proof holds for (so a name like localhost cannot go elsewhere).
 * `credential`: what a caller presents there — for `client` (`<env>:<client>`) at a shared server's
 * URL or `/tools`, its client token (so the gateway keeps that client's tool rules); else the token.
 */
export async function proven(
  files: Pick<BridgeFiles, "token">,
  url: URL,
  options: { timeoutMs?: number; client?: string | undefined } = {},
): Promise<{ url: URL; token: string; credential: string } | null> {
  const { timeoutMs = 3000, client } = options;
  const token = await readToken(files.token);
  if (!token || url.protocol !== "http:") return null;
  const share = tokenScope(url.pathname);
  const credential = client && share ? clientToken(token, share, client) : token;
  try {
    const socket = await provenConnection(
      { host: url.hostname, port: Number(url.port || 80) },
      token,
      timeoutMs,
    );
    // A connected socket has both.
    const [address, port] = [socket.remoteAddress ?? "", socket.remotePort ?? 0];
    socket.destroy();
    const at = new URL(url.href);
    at.hostname = address.includes(":") ? `[${address}]` : address;
    at.port = String(port);
    return { url: at, token, credential };
  } catch {
    // Refused, or not proven: not this home's bridge there.
    return null;
  }
}

/**
 * A keep-alive agent for this home's bridge: every connection it opens is proven first
 * (provenConnection) with the token as `token()` reads it then (a rotated token included), so no
 * request, with or without the token, ever goes to something that is not the bridge.
 */
export function provenAgent(token: () => string | null): http.Agent {
  const agent = new (process.getBuiltinModule("node:http").Agent)({
    keepAlive: true,
    keepAliveMsecs: 10_000,
  });
  agent.createConnection = (options, callback) => {
    const { host, port } = options;
    provenConnection({ host: host ?? "127.0.0.1", port: Number(port) }, token()).then(
      (socket) => callback?.(null, socket),
      // @types/node has the callback always given a socket; http.Agent's `oncreate(err)` reads none
      // with an error (and there is none to give).
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    // The socket comes through the callback once proven (http.Agent waits for it).
    return undefined;
  };
  return agent;
}

/** A proven agent for the bridge of a state folder: each connection with the token its file holds then. */
export const bridgeAgent = (files: Pick<BridgeFiles, "token">): http.Agent =>
  provenAgent(() => tokenNow(files.token));
