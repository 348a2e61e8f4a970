/**
 * The gateway's one door: what the rest of the bridge uses of it (the engine that runs shared
 * servers once for every session, and the forwarding the stdio face reuses).
 */
export { type FillInput, fillApart, fillHere } from "./fill-apart.js";
export type { SessionRef } from "./forward-server.js";
export { Gateway } from "./gateway.js";
export { type CachedServer, ListCache } from "./list-cache.js";
export { ReverseShim } from "./reverse-shim.js";
export type { PathSide } from "./session-keys.js";
export type { ShareStatus } from "./share-host.js";
export { SharedChild } from "./shared-child.js";

/**
 * The forwarding, loaded when it is needed: it holds the SDK's server (and zod), which an idle
 * bridge does not load (docs/dev/performance.md).
 */
export const loadForwardServer = async () => (await import("./forward-server.js")).forwardServer;
