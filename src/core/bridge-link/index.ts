/**
 * The link to this home's bridge, its one door: where it keeps its state (where.ts, all of it), who
 * holds a port (holder.ts, all of it), the proof that a listener is the bridge and reaching it.
 */
export { clientToken, presentedLabel, verifyClientToken } from "./client-token.js";
export * from "./holder.js";
export { addressKey, answerChallenge, bridgeAgent, CHALLENGE_HEADER, proven } from "./proof.js";
export {
  type ControlAnswer,
  type ControlStatus,
  control,
  describeAnswer,
  portOpen,
  reach,
} from "./reach.js";
export * from "./where.js";
