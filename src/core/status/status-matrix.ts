/**
 * status: every server × target, read-only, each entry in the state ownership.ts gives it (the
 * rule sync plans with): synced, missing, drifted (edited by hand), foreign (same name, not ours),
 * stale (ours, but out of date or no longer wanted: the next sync changes it).
 */

import { entriesInFiles, type RuleView, ruleView } from "../budget/in-file.js";
import { readEntry } from "../clients/entry-view.js";
import { type FoundNotice, foundNotices } from "../clients/notices.js";
import { ownEntryClash } from "../clients/own-entries.js";
import { pluginShadows, shadowText } from "../clients/plugin-clash.js";
import { type PluginServerSeen, seenIn } from "../clients/plugin-servers.js";
import { startAgain } from "../clients/restarts.js";
import type { Target } from "../clients/types.js";
import { besidesDefaults } from "../clients/written-defaults.js";
import { type Context, loadContext, readableTargets, readTargetTexts } from "../context/context.js";
import { entriesNow, wireBridge } from "../entries/desired.js";
import { classifyTarget, type EntryState, entriesMeant } from "../entries/ownership.js";
import type { MissingProgram } from "../entries/programs/missing-programs.js";
import { resolveEntry } from "../entries/programs/resolve.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import type { Machine } from "../environments/machine.js";
import { isNodeProgram, programName } from "../environments/program.js";
import { installAdvice, programHint } from "../environments/program-hints.js";
import type { Environment } from "../environments/types.js";
import type { UsageError } from "../errors.js";
import { entryKeys, readTargetEntries, readTargetFields } from "../formats/index.js";
import { TOOLS_ENTRY, toolsNameHeld } from "../manifest/tool-search.js";
import { type LoginLine, loginLines } from "../oauth/needs-login.js";
import { own } from "../plain-records.js";
import { referenceProblems } from "../secrets/references.js";
import { checkSelectors } from "../selectors.js";
import type { Progress } from "../system/progress.js";
import { manifestShareList, type ShareItem } from "./shared-status.js";

/** Who owns each entry, as sync sees it (ownership.ts). */
type StatusState = EntryState;

export interface StatusRow {
  server: string;
  env: string;
  client: string;
  scope: string;
  path: string;
  state: StatusState;
  detail?: string;
  /**
   * `missing` although the entry is in the file: what it starts (its program, or its package's
   * script) is not there. The spec's state stays `missing` (it will not start); the text says
   * what is true (status's matrix: "not installed").
   */
  notInstalled?: true;
  /** Its program is missing where it runs: status says it once per environment and program. */
  missing?: MissingProgram;
  /**
   * `missing` because the file has no such entry (or there is no file): what the next sync does
   * about it — write it, after installing its package where it is not (`install`).
   */
  absent?: { fileExists: boolean; install?: { package: string; env: string } };
  /**
   * The client's own fields in the entry (Claude Code's `alwaysLoad`) the manifest does not set:
   * sync keeps them; `adopt` takes them into the manifest's `clientFields`. Names only (a value may
   * be a secret: Cursor's `auth`).
   */
  kept?: string[];
  /**
   * The entry sync writes here is the bridge's (a shared server's url entry or relay): derived, so
   * a hand edit of it has no place in the manifest — only the client's own fields go there.
   */
  bridged?: true;
  /** The manifest's tool rules for this client, and how it keeps them (its own field), or why not. */
  toolRules?: RuleView;
  /** Switched off in the client by its own field (`"disabled": true`, `"enabled": false`): it loads none of its tools. */
  off?: true;
}

/** What status shows: the rows, and what is said beside them. */
export interface StatusFacts {
  manifest: string;
  scope: "user" | "project";
  rows: StatusRow[];
  blockers: SyncBlocker[];
  /** Servers that need a login, and the state of mcp-twin's login for each (no network). */
  logins: LoginLine[];
  /** How many servers (enabled, and disabled ones) and client configs the rows cross. */
  counts: { servers: number; disabled: number; targets: number };
  /** The user manifest's shared servers (a project manifest shares none: the bridge is the machine's). */
  shares: ShareItem[];
  /**
   * The servers the bridge runs behind tools entries only (the manifest's toolSearch; one process per
   * client session), which the manifest does not share.
   */
  behindTools: ShareItem[];
  /** Servers the clients' plugins and extensions provide, and what an mcp-twin entry does to one. */
  plugins: PluginLine[];
  /** The client configs that cannot be read or do not parse (left out of the rows), each with its repair. */
  unreadable: UsageError[];
  /** What moved of the clients whose files are found (a successor, an end), once each (clients/notices.ts). */
  notices: FoundNotice[];
}

/**
 * What stops the next sync before it writes anything (exit 2), by sync's own rule
 * (references.ts): a `${secret:…}` that is not set, a placeholder where a key belongs. Each is its
 * message and what to do; status says them instead of promising that sync writes the entries.
 */
export interface SyncBlocker {
  message: string;
  hint?: string;
}

export async function computeStatus(
  machine: Machine,
  options: { manifest?: string | undefined; envs: string[]; clients: string[]; project?: string | undefined },
  progress: Progress,
): Promise<StatusFacts> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  // A file that cannot be read or parsed is named (and how to repair it), and every other one shown.
  const { ctx, texts, unreadable } = await readableTargets(await loadContext(machine, options, progress));
  const wiring = { createToken: false, checkPort: true, state: ctx.state };
  const bridge = await wireBridge(machine, ctx.manifest, ctx.allEnvs, wiring);
  const desired = await entriesNow(machine, { ...ctx, bridge }, ctx.state);
  // Values go into user-level files only, so sync checks them only there (as plan.ts does).
  const refs = { secrets: ctx.secrets, accepted: ctx.accepted, env: machine.host.env };
  const blockers: SyncBlocker[] = ctx.targets.some((t) => t.scope === "user")
    ? referenceProblems(ctx.servers, refs).errors.map((e) => ({
        message: e.message,
        ...(e.hint ? { hint: e.hint } : {}),
      }))
    : [];
  const first = blockers.length > 0 ? ` once this is fixed: ${blockerText(blockers)}` : "";
  const rows: StatusRow[] = [];
  const plugins: PluginLine[] = [];
  const inFiles = entriesInFiles(ctx.targets, texts, ctx.state, desired);
  for (const target of ctx.targets) {
    const text = texts.get(target.key) ?? null;
    const current = readTargetEntries(target, text ?? "");
    const fields = readTargetFields(target, text ?? "");
    const owned = ctx.state.targets[target.key]?.entries ?? {};
    const base = { env: target.env.id, client: target.client.id, scope: target.scope, path: target.path };
    // An entry of the person's named `tools`: the servers keep their own entries (said on its row).
    const { desired: wanted, held } = entriesMeant(current, owned, desired.get(target.key) ?? new Map());
    if (held) rows.push({ ...base, server: TOOLS_ENTRY, state: "foreign", detail: toolsHeldText(target) });
    plugins.push(...(await pluginLines(target, current, wanted)));
    for (const entry of classifyTarget(current, owned, wanted, fields)) {
      const built = wanted.get(entry.name);
      const clash = ownClash(target, entry.state, current[entry.name], fields[entry.name]);
      if (clash) {
        rows.push({ ...base, server: entry.name, state: entry.state, detail: clash });
        continue;
      }
      const kept = keptFields(target, entry.name, fields[entry.name], built);
      const inFile = inFiles.get(target.key)?.get(entry.name);
      const rules = ruleView(target.client, built, inFile);
      const row: StatusRow = {
        ...base,
        server: entry.name,
        state: entry.state,
        ...(kept.length > 0 ? { kept } : {}),
        ...(built?.bridged ? { bridged: true as const } : {}),
        ...(rules ? { toolRules: rules } : {}),
        ...(inFile?.off && entry.state !== "missing" ? { off: true as const } : {}),
      };
      if (entry.state === "synced") {
        // What the file holds is what sync writes: but is what it starts still there?
        const gone = await missingParts(target, current[entry.name], {
          machine,
          envs: ctx.allEnvs,
          project: ctx.project ?? machine.host.cwd,
        });
        rows.push(
          gone
            ? {
                ...row,
                state: "missing",
                notInstalled: true,
                detail: gone.detail,
                ...(gone.missing ? { missing: gone.missing } : {}),
              }
            : row,
        );
        continue;
      }
      // Not in the file, and sync can write it (installing its package first where it is not
      // there): that is the account, not "its package is not installed" alone.
      const writable = built && (built.ok || built.missing);
      if (entry.state === "missing" && writable) {
        const fileExists = text !== null;
        const install = !built.ok ? built.missing : undefined;
        const where = `not in ${target.path}${fileExists ? "" : ", which does not exist"}`;
        rows.push({
          ...row,
          absent: { fileExists, ...(install ? { install } : {}) },
          detail: install
            ? `${where}: \`mcp-twin sync\` installs ${install.package} in ${install.env} and writes it${first}`
            : `${where}: \`mcp-twin sync\` writes it${first}`,
        });
        continue;
      }
      const detail = !entry.wanted
        ? "no longer in the manifest for this client"
        : entry.state === "missing" && built && !built.ok
          ? built.reason
          : entry.state === "stale"
            ? "out of date: sync will update it"
            : undefined;
      rows.push(detail ? { ...row, detail } : row);
    }
  }
  return {
    manifest: ctx.loaded.file,
    scope: ctx.located.scope,
    rows,
    blockers,
    logins: loginLines(machine, ctx.servers),
    ...inTheBridge(ctx, bridge?.env, desired),
    plugins,
    unreadable,
    notices: foundNotices(ctx.targets.map((target) => ({ target, text: texts.get(target.key) ?? null }))),
    counts: {
      servers: ctx.servers.length,
      disabled: Object.keys(ctx.manifest.servers).length - ctx.servers.length,
      targets: ctx.targets.length,
    },
  };
}

/** The row of a person's own entry named `tools` where toolSearch writes its one entry. */
function toolsHeldText(target: Target): string {
  const { what, fix } = toolsNameHeld(target.client.name, target.path);
  return `${what}: ${fix}`;
}

export interface PluginLine extends PluginServerSeen {
  /** The mcp-twin entry that shadows it, and how (shadowText). */
  shadow?: { server: string; text: string };
}

/** The servers a user target's client gets from its plugins, and which of them an entry of the manifest's shadows. */
async function pluginLines(
  target: Target,
  current: Readonly<Record<string, unknown>>,
  wanted: ReadonlyMap<string, BuiltEntry>,
): Promise<PluginLine[]> {
  if (!target.client.pluginServers || target.scope !== "user") return [];
  const servers = await target.client.pluginServers(target.env);
  const ours = Object.fromEntries(Object.entries(current).filter(([n]) => wanted.has(n)));
  const shadows = pluginShadows(target.client, ours, servers);
  return servers.map((p) => {
    const s = shadows.find((x) => x.plugin === p.plugin && x.pluginServer === p.name);
    return {
      ...seenIn(target, p),
      ...(s ? { shadow: { server: s.server, text: shadowText(s, target.client.name) } } : {}),
    };
  });
}

/**
 * An entry of the client's own holds the server's name (Goose's built-in `developer`): the words
 * for it. `value` and `fields` are the entry's keys mcp-twin compares and the client's own.
 */
function ownClash(
  target: Target,
  state: EntryState,
  value: unknown,
  fields: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (state !== "drifted" && state !== "foreign") return undefined;
  const entry = value && typeof value === "object" ? { ...value, ...fields } : value;
  const theirs = target.client.ownEntry?.(entry);
  return theirs === undefined ? undefined : ownEntryClash(theirs, target.client.name);
}

/**
 * The names of an entry's fields of the client's own (its keptKeys) that the manifest does not set
 * and that are not what sync writes on a new entry itself (Goose's `enabled: true`).
 */
function keptFields(
  target: Target,
  name: string,
  fields: Readonly<Record<string, unknown>> | undefined,
  built: BuiltEntry | undefined,
): string[] {
  const declared = built?.ok ? (built.fields ?? {}) : {};
  const own = entryKeys(target.client).kept ?? [];
  return Object.keys(besidesDefaults(target.client, name, fields ?? {})).filter(
    (k) => own.includes(k) && !Object.hasOwn(declared, k),
  );
}

/** The blockers as one text: each message, then what to do. */
function blockerText(blockers: readonly SyncBlocker[]): string {
  return blockers.map((b) => (b.hint ? `${b.message} ${b.hint}` : b.message)).join(" ");
}

/** What a sync would change in one target's entries: +added, ~updated, -removed. */
export interface SyncChange {
  env: string;
  client: string;
  path: string;
  added: string[];
  updated: string[];
  removed: string[];
  /** Entries as sync writes them whose program or script is gone (sync installs a package again). */
  notInstalled: Array<{ server: string; detail: string }>;
  /** mcp-twin's entries to the bridge's `/share/<name>` for a server the manifest does not share. */
  notServed: string[];
  /** Entries edited by hand since mcp-twin wrote them: sync leaves them as they are. */
  kept: string[];
}

/** The shared server a url or relay entry reaches at the bridge (`…/share/<name>` on loopback). */
const SHARE_URL = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+\/share\/([^/?#]+)/;

/** The name of the shared server an entry reaches at the bridge, if it is such an entry. */
function sharedReached(entry: unknown): string | undefined {
  if (!entry || typeof entry !== "object") return undefined;
  const values = Object.values(entry as Record<string, unknown>).flatMap((v) =>
    typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((a): a is string => typeof a === "string") : [],
  );
  for (const v of values) {
    const name = SHARE_URL.exec(v)?.[1];
    if (name === undefined) continue;
    try {
      return decodeURIComponent(name);
    } catch {
      return name;
    }
  }
  return undefined;
}

/**
 * What the next plain `mcp-twin sync` would change in these (user-level) targets, by the rule
 * status and sync share (ownership.ts): an entry it would add, update or remove; entries edited
 * by hand or not mcp-twin's it leaves alone — and the entries as it writes them whose program or
 * script is gone. undefined when that cannot be told (no manifest, one that does not load). Reads
 * only (file stats); never asks npm.
 */
export async function syncChanges(
  machine: Machine,
  which: ReadonlyArray<{ env: string; client: string; scope: string; path: string }>,
  progress: Progress,
): Promise<SyncChange[] | undefined> {
  try {
    const ctx = await loadContext(machine, { envs: [], clients: [] }, progress);
    const targets = ctx.targets.filter((t) =>
      which.some(
        (w) => w.env === t.env.id && w.client === t.client.id && w.scope === t.scope && w.path === t.path,
      ),
    );
    if (targets.length === 0) return [];
    const { texts } = await readTargetTexts({ ...ctx, targets });
    const bridge = await wireBridge(machine, ctx.manifest, ctx.allEnvs, {
      createToken: false,
      checkPort: true,
      state: ctx.state,
    });
    const desired = await entriesNow(machine, { ...ctx, targets, bridge }, ctx.state);
    const out: SyncChange[] = [];
    for (const target of targets) {
      let current: Record<string, unknown>;
      let fields: Record<string, Record<string, unknown>>;
      try {
        current = readTargetEntries(target, texts.get(target.key) ?? "");
        fields = readTargetFields(target, texts.get(target.key) ?? "");
      } catch {
        continue; // it does not parse: sync stops there, and says so
      }
      const owned = ctx.state.targets[target.key]?.entries ?? {};
      const wanted = entriesMeant(current, owned, desired.get(target.key) ?? new Map()).desired;
      const change: SyncChange = {
        env: target.env.id,
        client: target.client.id,
        path: target.path,
        added: [],
        updated: [],
        removed: [],
        notInstalled: [],
        notServed: [],
        kept: [],
      };
      for (const entry of classifyTarget(current, owned, wanted, fields)) {
        const built = wanted.get(entry.name);
        // An entry to the bridge for a server it does not run (the manifest shares it no more).
        const reached = entry.state === "foreign" ? undefined : sharedReached(current[entry.name]);
        if (reached !== undefined && !own(ctx.manifest.servers, reached)?.share)
          change.notServed.push(entry.name);
        if (entry.state === "missing" && built && (built.ok || built.missing)) change.added.push(entry.name);
        else if (entry.state === "stale") (entry.wanted ? change.updated : change.removed).push(entry.name);
        else if (entry.state === "drifted") change.kept.push(entry.name);
        else if (entry.state === "synced") {
          // As sync writes it, but what it starts may be gone (an uninstall --packages since).
          const gone = await missingParts(target, current[entry.name], {
            machine,
            envs: ctx.allEnvs,
            project: ctx.project ?? machine.host.cwd,
          });
          if (gone) change.notInstalled.push({ server: entry.name, detail: gone.detail });
        }
      }
      if (
        change.added.length +
          change.updated.length +
          change.removed.length +
          change.notInstalled.length +
          change.notServed.length +
          change.kept.length >
        0
      )
        out.push(change);
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Does the entry's program (and, for `node <script>`, its script) still exist where it runs? File
 * stats only, no process. Returns what is gone and what to do, or undefined when all is there (or
 * cannot be told from here).
 */
async function missingParts(
  target: Target,
  entry: unknown,
  ctx: { machine: Machine; envs: readonly Environment[]; project: string },
): Promise<{ detail: string; missing?: MissingProgram } | undefined> {
  const view = readEntry(entry, target.client.id);
  if (view.kind !== "stdio" || !view.command) return undefined;
  const r = await resolveEntry(target, view, ctx);
  const program = r.command.exists === false ? r.command : r.inner?.exists === false ? r.inner : undefined;
  const gone = program ?? (r.script?.exists === false ? r.script : undefined);
  if (!gone) return undefined;
  const env = ctx.envs.find((e) => e.id === gone.env);
  const known = program && env && programHint(program.path, env.kind);
  const what = program ? `its program \`${program.path}\`` : `its script ${gone.path}`;
  // The same advice as sync's for a program that is not there (entries/programs/program-check.ts).
  const then = `then ${startAgain([target.client])}`;
  // A program of its own (not node): status says it once per environment and program, naming every
  // server and client it stops (missing-programs.ts, as sync says it), so it carries `missing`.
  const missing = (install: string) => ({ program: program?.path ?? "", env: gone.env, install });
  if (known) {
    const install = installAdvice(program.path, env).replace(/\.$/, "");
    return {
      detail: `the entry is there, but ${what} is not found in ${gone.env}. ${install}; ${then}.`,
      missing: missing(install),
    };
  }
  // sync installs packages (and writes the node it finds), never a program of its own.
  if (program && !isNodeProgram(program.path))
    return {
      detail: `the entry is there, but ${what} is not found in ${gone.env}: install it there, or set "command" to its absolute path; ${then}.`,
      missing: missing(`Install ${programName(program.path)} there, or set "command" to its absolute path`),
    };
  return {
    detail: `the entry is there, but ${what} is not found in ${gone.env}: \`mcp-twin sync\` installs it again; ${then}.`,
  };
}

/**
 * What the bridge runs: the manifest's shares, and the servers behind the tools entries sync writes
 * (each target's `tools`) that it does not share.
 */
function inTheBridge(
  ctx: Pick<Context, "located" | "servers">,
  bridgeEnv: Environment | undefined,
  desired: ReadonlyMap<string, ReadonlyMap<string, BuiltEntry>>,
): { shares: ShareItem[]; behindTools: ShareItem[] } {
  // A project manifest shares none: the bridge is the machine's.
  const shares = ctx.located.scope === "user" ? manifestShareList(ctx.servers, bridgeEnv) : [];
  const names = new Set<string>();
  for (const entries of desired.values()) {
    const door = entries.get(TOOLS_ENTRY);
    for (const name of door?.ok ? (door.behind ?? []) : []) names.add(name);
  }
  const behindTools = ctx.servers.flatMap(([name, spec]) =>
    names.has(name) && !shares.some((s) => s.name === name)
      ? [{ name, mode: "session", ...(spec.command ? { program: spec.command } : {}) }]
      : [],
  );
  return { shares, behindTools };
}
