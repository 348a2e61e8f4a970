/**
 * A shared server's entry (or the toolSearch `tools` entry) in one target: a url entry to the gateway
 * with its own client token where the client takes url entries and its file is private, else
 * mcp-twin's relay to the same address (it reads the token in the bridge's state folder). Pure.
 */
import { clientToken, SHARE_PREFIX, TOOLS_PATH } from "../bridge-link/index.js";
import type { Target } from "../clients/types.js";
import type { Environment } from "../environments/types.js";
import type { ServerSpec } from "../manifest/schema.js";
import { serverIn, specFields } from "../manifest/spec.js";
import { relayArgs } from "./relay-node-flags.js";
import {
  type BuiltEntry,
  clientLaunch,
  type EntryContext,
  manifestFields,
  type RelayWhy,
  startsAcross,
} from "./target-entry.js";

/** The header that names a project-shared server's folder (the gateway's seam). */
const PROJECT_HEADER = "Mcp-Twin-Project";

/** How clients reach the gateway, and what a url entry to it may carry. */
export interface GatewayReach {
  /** `http://<host>:<port>`: the same from Windows (localhost forwarding into WSL). */
  origin: string;
  /** Where the bridge runs: the relay runs there too (it reads the token there). */
  env: Environment;
  /** This mcp-twin in the bridge's environment (null: not installed there, `reason` says why). */
  program: { node: string; script: string } | null;
  reason?: string | undefined;
  /** The bridge token (null: none yet, or not readable from here). Never written anywhere. */
  token: string | null;
  /** No other user can read the target's file: a Windows profile's, or mode without group/other read. */
  private(target: Target): boolean;
}

/** The endpoint of a shared server. */
function shareUrl(origin: string, name: string): string {
  return `${origin}${SHARE_PREFIX}${encodeURIComponent(name)}`;
}

/**
 * The label of a target's client tokens: its environment and client (user files only get url
 * entries). Characters a client token does not take become `-`.
 */
function tokenLabel(target: Target): string {
  return `${target.env.id}:${target.client.id}`.replace(/[^A-Za-z0-9._~:@+-]/g, "-").slice(0, 200);
}

/**
 * Why this target gets the relay rather than a url entry (undefined: a url entry): the client
 * takes none; a project server and no variable of the client names its folder; no token to derive
 * one from, or a file other users can read (a token there would be theirs too). Nothing opens a
 * shared server without a credential: being the user's account is not enough, as a sandboxed
 * process of that account (its home hidden) is that account too.
 */
function sharedRelayWhy(server: ServerSpec, target: Target, reach: GatewayReach): RelayWhy | undefined {
  if (!target.client.remoteEntry) return "shared-stdio-only";
  if (server.share === "project" && !target.client.workingFolder) return "no-folder";
  if (!reach.token) return "no-token";
  if (!reach.private(target)) return "readable";
  return undefined;
}

/**
 * - The url entry carries `Authorization: Bearer <client token>` (derived from the bridge token
 *   for this server's endpoint alone, never the bridge token itself); and, for a project server,
 *   `Mcp-Twin-Project` as the client's own variable for the folder it works in.
 * - The relay (`mcp-twin connect <share url> --as <env>:<client>`) runs where the bridge runs —
 *   through `wsl.exe` from Windows — reads the token there, presents the client token it derives
 *   from it for this target (as the url entry's), and starts the bridge when none answers.
 * - The server itself runs in the bridge; one limited to other environments is not hosted there
 *   (share-host-env.ts) and gets the direct entries instead.
 * - The manifest's clientFields for the client go beside either, as on any entry.
 */
export function sharedEntry(
  name: string,
  server: ServerSpec,
  target: Target,
  ctx: EntryContext,
  reach: GatewayReach,
): BuiltEntry {
  // A command server's program must be there where the bridge runs it (program-check.ts looks).
  const command = server.package ? undefined : serverIn(server, reach.env.id).command;
  const program = command ? { program: command, shared: true as const } : {};
  const folder = target.client.workingFolder;
  const keyed = specFields(server).some((f) => f.references.some((r) => r.kind === "secret"));
  return gatewayEntry(
    {
      url: shareUrl(reach.origin, name),
      scope: name,
      why: sharedRelayWhy(server, target, reach),
      headers: server.share === "project" && folder ? { [PROJECT_HEADER]: folder } : {},
      extra: { ...program, ...manifestFields(server, target), ...(keyed ? { keyKept: true as const } : {}) },
    },
    target,
    ctx,
    reach,
  );
}

/**
 * The `tools` entry of a client the manifest's `toolSearch` names: the gateway's `/tools` endpoint
 * (search_tools, call_tool, the kept tools), reached as a shared server's endpoint is — a url entry
 * with this target's own client token (scope `tools`), else the relay — in place of its servers'
 * entries. Its working folder goes with it, for the project-shared servers behind it.
 */
export function toolsEntry(
  target: Target,
  ctx: EntryContext,
  reach: GatewayReach,
  behind: readonly string[],
  /** A server behind it runs once per project folder (`share: "project"`): the request must name its folder. */
  perFolder = false,
): BuiltEntry {
  const folder = target.client.workingFolder;
  const why: RelayWhy | undefined = !target.client.remoteEntry
    ? "shared-stdio-only"
    : perFolder && !folder
      ? // No variable of the client names its folder: the relay names its own (where the client starts it).
        "no-folder"
      : !reach.token
        ? "no-token"
        : !reach.private(target)
          ? "readable"
          : undefined;
  return gatewayEntry(
    {
      url: `${reach.origin}${TOOLS_PATH}`,
      // The scope tokenScope gives `/tools`: its path, which no server's name can be.
      scope: TOOLS_PATH,
      why,
      headers: folder ? { [PROJECT_HEADER]: folder } : {},
      extra: { behind: [...behind] },
    },
    target,
    ctx,
    reach,
  );
}

/** One endpoint of the gateway as a target reaches it: the url entry, or the relay and why. */
interface GatewayDoor {
  url: string;
  /** What its client token opens (a shared server's name, or `tools`). */
  scope: string;
  why: RelayWhy | undefined;
  /** Beside the Authorization header of a url entry. */
  headers: Record<string, string>;
  /** What the built entry carries besides (a command server's program, the manifest's clientFields). */
  extra: Partial<Extract<BuiltEntry, { ok: true }>>;
}

function gatewayEntry(door: GatewayDoor, target: Target, ctx: EntryContext, reach: GatewayReach): BuiltEntry {
  const { url, why, extra } = door;
  const native = target.client.remoteEntry;
  const token = reach.token && clientToken(reach.token, door.scope, tokenLabel(target));
  if (!why && native && token) {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...door.headers };
    return {
      ok: true,
      value: native({ url, headers }),
      secretValues: [token],
      references: [],
      runsIn: reach.env.id,
      gateway: true,
      bridged: true,
      ...extra,
    };
  }
  if (target.env.id !== reach.env.id && !startsAcross(target.env, reach.env))
    return {
      ok: false,
      code: "no-environment",
      reason: `the bridge lives in ${reach.env.id}, which ${target.env.id} cannot start programs in`,
      bridged: true,
    };
  if (!reach.program)
    return {
      ok: false,
      code: "no-environment",
      reason: reach.reason ?? "mcp-twin is not installed",
      bridged: true,
    };
  // The relay presents this client's own token, derived where it runs: the gateway keeps its rules.
  const args = relayArgs(reach.program.script, url, "--as", tokenLabel(target));
  const launch = { command: reach.program.node, args, env: {} };
  const entry = clientLaunch(launch, reach.env, target, ctx);
  return {
    ok: true,
    value: target.client.stdioEntry(entry.launch),
    secretValues: [],
    references: [],
    runsIn: reach.env.id,
    relay: why ?? "shared-stdio-only",
    bridged: true,
    ...extra,
    ...(entry.problems.length > 0 ? { problems: entry.problems } : {}),
  };
}
