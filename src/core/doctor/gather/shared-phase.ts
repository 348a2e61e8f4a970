/**
 * The shared servers' facts: how the bridge runs them now (asked, nothing started), where it runs
 * and whether it tells accounts there, and every client entry that reaches the bridge (a shared
 * server's `…/share/<name>`, a tools entry's `/tools`), with its file's mode. I/O.
 */
import { bridgeFiles, bridgeHome, heldWords, reach } from "../../bridge-link/index.js";
import type { Machine } from "../../environments/machine.js";
import type { Environment } from "../../environments/types.js";
import type { Manifest } from "../../manifest/schema.js";
import { manifestShareList, sharedStatus } from "../../status/shared-status.js";
import { sysPath } from "../../system/host.js";
import type { SharedEntryFact, SharedFacts } from "../facts.js";
import type { ConfigFacts } from "./read-configs.js";

const SHARE_PATH = /^\/share\/([^/]+)$/;
const TOOLS_PATH = /^\/(tools)$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** The shared server (or /tools) an entry reaches, how, and what it carries (undefined: none). */
function sharedTarget(entry: unknown):
  | {
      name: string;
      url: string;
      relay: boolean;
      token: boolean;
      foreignToken: boolean;
      project: boolean;
      tools?: true;
    }
  | undefined {
  if (!entry || typeof entry !== "object") return undefined;
  const e = entry as Record<string, unknown>;
  const direct = [e.url, e.serverUrl, e.httpUrl].find((u): u is string => typeof u === "string");
  const args = Array.isArray(e.args) ? e.args.filter((a): a is string => typeof a === "string") : [];
  const at = args.indexOf("connect");
  const url = direct ?? (at >= 0 ? args[at + 1] : undefined);
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const tools = TOOLS_PATH.exec(parsed.pathname);
  const m = tools ?? SHARE_PATH.exec(parsed.pathname);
  if (!m || !LOOPBACK.has(parsed.hostname)) return undefined;
  const text = JSON.stringify([e.headers, e.http_headers, e.env_http_headers]);
  const name = decodeURIComponent(m[1] ?? "");
  // A client token names the share it opens (client-token.ts).
  const token = /\bmt2\.([A-Za-z0-9_-]*)/.exec(text);
  return {
    name,
    url,
    relay: direct === undefined,
    token: token !== null,
    foreignToken: token !== null && token[1] !== name,
    project: /mcp-twin-project/i.test(text),
    ...(tools ? { tools: true as const } : {}),
  };
}

/** The port of a url, when it is one. */
function portOf(url: string | undefined): number | undefined {
  try {
    return url ? Number(new URL(url).port) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * url entries that name another port than the one the running bridge listens on (a start moved it
 * off a port another program held, and no sync has pointed them here yet): what holds that port
 * now, named as `bridge status` names it — each port asked once.
 */
async function markOldPorts(
  machine: Machine,
  entries: SharedEntryFact[],
  running: string | undefined,
): Promise<void> {
  const now = portOf(running);
  if (now === undefined) return;
  const asked = new Map<number, Promise<string | undefined>>();
  const files = bridgeFiles(bridgeHome(machine.host));
  const proc = machine.host.platform === "linux" ? sysPath(machine.host, "/proc") : undefined;
  for (const e of entries) {
    const port = portOf(e.url);
    if (e.relay || port === undefined || port === now) continue;
    // What answers at a port that is not this home's bridge (undefined: nothing does).
    if (!asked.has(port))
      asked.set(
        port,
        reach(files, e.url, { proc }).then((r) =>
          r.state === "other" ? heldWords(r.what, r.holder) : undefined,
        ),
      );
    const what = await asked.get(port);
    e.oldPort = { port, ...(what ? { heldBy: what } : {}) };
  }
}

export async function gatherShared(
  machine: Machine,
  manifest: Manifest,
  scope: "user" | "project",
  configs: readonly ConfigFacts[],
  manifestOption: string | undefined,
  bridgeEnv?: Environment,
): Promise<SharedFacts | undefined> {
  const shares = scope === "user" ? manifestShareList(Object.entries(manifest.servers), bridgeEnv) : [];
  const entries: SharedEntryFact[] = [];
  for (const c of configs)
    for (const set of c.sets)
      for (const [name, entry] of Object.entries(set.entries)) {
        const t = sharedTarget(entry);
        if (!t) continue;
        const spec =
          !t.tools && Object.hasOwn(manifest.servers, t.name) ? manifest.servers[t.name] : undefined;
        entries.push({
          where: { env: c.target.env.id, client: c.target.client.id, scope: c.target.scope },
          path: c.target.path,
          ...t,
          name: name === t.name ? name : t.name,
          readable: c.mode !== undefined && (c.mode & 0o044) !== 0,
          manifestMode: spec && !spec.disabled ? spec.share : undefined,
        });
      }
  // The bridge is asked only when the manifest shares something, or puts servers behind its /tools.
  const tools = scope === "user" && manifest.toolSearch !== undefined;
  if (shares.length === 0 && entries.length === 0 && !tools) return undefined;
  const status = await sharedStatus(machine, shares, manifestOption, tools);
  await markOldPorts(machine, entries, status?.bridge.url);
  return { status, entries };
}
