/**
 * The gateway's one door: what the rest of the bridge uses of it (the engine that runs shared
 * servers once for every session).
 */

export type { Call } from "./call.js";
export { type FillInput, fillApart, fillHere } from "./fill-apart.js";
export { Gateway } from "./gateway.js";
export { ListCache } from "./list-cache.js";
export type { PathSide } from "./session-keys.js";
export { ShareHost } from "./share-host.js";
export type { ShareStatus } from "./share-status.js";
export { saidBy, type Upstream, type UpstreamEvents } from "./upstream.js";
