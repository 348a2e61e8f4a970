/**
 * The gateway's one door: what the rest of the bridge uses of it (the engine that runs shared
 * servers once for every session).
 */
export { type FillInput, fillApart, fillHere } from "./fill-apart.js";
export { Gateway } from "./gateway.js";
export type { PathSide } from "./session-keys.js";
export type { ShareStatus } from "./share-status.js";
