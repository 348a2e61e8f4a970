/**
 * The link to this home's bridge, its one door: where it keeps its state (where.ts), how a listener
 * proves it is the bridge (proof.ts), reaching it and its control routes (reach.ts), and who holds a port (holder.ts).
 */
export { heldWords, type PortHolder, portHeldBy, portHolder } from "./holder.js";
export { answerChallenge, bridgeAgent, CHALLENGE_HEADER } from "./proof.js";
export {
  type ControlAnswer,
  type ControlStatus,
  control,
  describeAnswer,
  nodeFetch,
  portOpen,
  proven,
  reach,
} from "./reach.js";
export {
  BRIDGE_PATH,
  BRIDGE_SERVER_NAME,
  type BridgeFiles,
  bridgeFiles,
  bridgeFilesThere,
  bridgeHome,
  bridgeHomeIn,
  bridgeUrl,
  DEFAULT_BRIDGE_PORT,
  ensureToken,
  type InstanceInfo,
  isAlive,
  type KeeperInfo,
  liveInstance,
  ownedInstance,
  parseInstance,
  readInstance,
  readKeeper,
  readToken,
  removeInstance,
  rotateToken,
  SERVE_LOG_BYTES,
  SHARE_PREFIX,
  shareLogFile,
  tokenFile,
  wasAddress,
  writeInstance,
  writeKeeper,
} from "./where.js";
