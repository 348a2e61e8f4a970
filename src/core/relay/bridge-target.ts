/**
 * Where a relay goes and with which credentials. Only this home's bridge gets the bridge token, and
 * only once what holds its port is proven to be it (bridge-link/proof.ts); a loopback URL held by anything
 * else is a remote server like any other, unless it is the bridge's address, now or before.
 */
import type { Agent } from "node:http";
import type { LifecycleContext, LifecycleHost } from "../bridge-control/lifecycle.js";
import type { BridgeSettings } from "../bridge-control/settings.js";
import {
  BRIDGE_PATH,
  type BridgeFiles,
  bridgeAgent,
  bridgeFiles,
  bridgeHome,
  bridgeUrl,
  ownedInstance,
  portOpen,
  proven,
  tokenScope,
  wasAddress,
} from "../bridge-link/index.js";
import { isLoopback } from "../system/loopback.js";

/** Where a relay goes: this home's bridge (`bridge`: messages name it so), or the server at `url`. */
export interface RelayTarget {
  bridge: boolean;
  url: URL;
  /** Request headers; for the bridge, with the token only while what answers is proven to be it. */
  headers(): Promise<Record<string, string>>;
  /** For the bridge: the agent whose every connection is proven before a request goes over it. */
  agent?: Agent;
  /** Nothing answers (or not the bridge): start it, prove it again; where it answers now. */
  recover?: () => Promise<URL | undefined>;
}

/** A URL of the bridge's shape: loopback, plain HTTP, one of its endpoint paths. */
export function bridgeShaped(url: URL): boolean {
  return (
    isLoopback(url.hostname) &&
    url.protocol === "http:" &&
    (url.pathname === BRIDGE_PATH || tokenScope(url.pathname) !== undefined)
  );
}

export interface BridgeTargetOptions {
  url: URL;
  /** Start the bridge when none answers (and follow it to where it runs). */
  start: boolean;
  /** This process's host (where the bridge's state is; how to start it). */
  host: LifecycleHost;
  /** What the lifecycle says (starting the bridge, following it). */
  log: (line: string) => void;
  /** The manifest's bridge settings: asked only when the URL's holder is not proven to be it. */
  configured(): Promise<Pick<BridgeSettings, "enabled" | "host" | "port" | "pinned" | "shared">>;
  /** Headers sent besides the token. */
  headers: Record<string, string>;
  /**
   * The client this relay serves (`<env>:<client>`): to a shared server, its own client token goes
   * instead of the bridge token, so the gateway keeps that client's tool rules (tool-policy.ts).
   */
  client?: string;
  /** Each token read is masked in everything printed. */
  secret(value: string): void;
}

/**
 * The bridge at a URL of its shape: proven at once when it runs there (the common case), else
 * started or followed (lifecycle.ts, loaded then). An entry written before the bridge moved (the URL
 * is an address it listened on, and its settings put it elsewhere now) follows it to where they
 * say — never to what holds the old port now. Something else holding the port makes the URL a
 * remote server's — or, on the bridge's own port, an error that names the holder.
 */
export async function bridgeTarget(o: BridgeTargetOptions): Promise<RelayTarget> {
  const files = bridgeFiles(bridgeHome(o.host));
  let url = o.url;
  // Every connection is proven with the token as the file holds it then (a rotation included).
  const agent = bridgeAgent(files);
  /** What to present (see proven), once what answers at `url` now is proven to be this home's bridge. */
  const prove = async (): Promise<string | null> => {
    const at = await proven(files, url, { client: o.client });
    if (!at) return null;
    o.secret(at.token);
    o.secret(at.credential);
    url = at.url;
    return at.credential;
  };
  const ensure = async () => {
    const { ensureBridge } = await import("../bridge-control/lifecycle.js");
    const ensured = await ensureBridge(await lifecycleOf(o), addressOf(url), { follow: true });
    url = new URL(url); // a copy: the URL it was given stays as it was
    url.port = String(ensured.port);
    await prove();
    return url;
  };
  if (!(await prove())) {
    const moved = await movedTo(o, files);
    if (moved) {
      o.log(
        `this entry names ${o.url.host}, where this home's bridge listened before; its settings put it on ${moved.host}:${moved.port} now: relaying there (restart the client to load the entry sync wrote)`,
      );
      url = new URL(bridgeUrl(moved.host, moved.port, o.url.pathname));
      if (!(await prove()) && o.start) await ensure();
    } else {
      const foreign = await foreignHolder(o, files);
      if (foreign === "remote") return { bridge: false, url: o.url, headers: async () => o.headers };
      if (o.start) await ensure();
    }
  }
  return {
    bridge: true,
    get url() {
      return url;
    },
    headers: async () => {
      const credential = await prove();
      return credential ? { ...o.headers, Authorization: `Bearer ${credential}` } : o.headers;
    },
    agent,
    ...(o.start ? { recover: ensure } : {}),
  };
}

/**
 * Not proven, and an address this home's bridge listened on before, while the settings (with the
 * bridge on, or servers shared) give it another — the manifest's, or the port the home recorded
 * when it moved: where they put it. Otherwise undefined.
 */
async function movedTo(
  o: BridgeTargetOptions,
  files: BridgeFiles,
): Promise<{ host: string; port: number } | undefined> {
  const { host, port } = addressOf(o.url);
  if (!(await wasAddress(files, host, port))) return undefined;
  const settings = await o.configured();
  const runs = settings.enabled || (settings.shared?.length ?? 0) > 0;
  if (!runs || (settings.port === port && settings.host.replace(/^\[|\]$/g, "") === host)) return undefined;
  return { host: settings.host, port: settings.port };
}

/**
 * Not proven: is something else there? Nothing at the URL, or this home's bridge on that port in a
 * state the lifecycle deals with (hung): undefined. Anything else is a remote server ("remote") —
 * on the manifest's bridge port, the error that names it, unless this home's bridge runs elsewhere
 * (the lifecycle follows it there).
 */
async function foreignHolder(o: BridgeTargetOptions, files: BridgeFiles): Promise<"remote" | undefined> {
  const { host, port } = addressOf(o.url);
  if (!(await portOpen(host, port))) return undefined;
  if ((await ownedInstance(files))?.port === port) return undefined;
  const settings = await o.configured();
  if (port !== settings.port) return "remote";
  const { inspectBridge, portTakenError } = await import("../bridge-control/lifecycle.js");
  const state = await inspectBridge(await lifecycleOf(o), { host, port });
  if (state.state === "taken") throw await portTakenError(state, port, undefined, settings.pinned);
}

const addressOf = (u: URL) => ({ host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || 80) });

/** The lifecycle (loaded only when the bridge is not where the URL says, or not proven there). */
async function lifecycleOf(o: BridgeTargetOptions): Promise<LifecycleContext> {
  const { localLifecycle } = await import("../bridge-control/lifecycle.js");
  return localLifecycle(o.host, o.log);
}
