/**
 * The link to this home's bridge, its one door: its state folder, token and process records (all of
 * them), who holds a port (all of it), the proof that a listener is the bridge and reaching it.
 */
export { bearerToken, clientToken, presentedLabel, verifyClientToken } from "./client-token.js";
export * from "./heartbeat.js";
export * from "./holder.js";
export * from "./process-records.js";
export { addressKey, answerChallenge, bridgeAgent, CHALLENGE_HEADER, proven } from "./proof.js";
export { type ControlAnswer, type ControlStatus, control, describeAnswer, portOpen, reach } from "./reach.js";
export { canTellOwners, readSocketTable, type SocketTable, socketOwner } from "./socket-owner.js";
export * from "./state-folder.js";
export * from "./token-file.js";
