/**
 * import: every server already configured in any client of any environment, as manifest entries.
 * Client configs are never edited: an adopted entry is only recorded in state as mcp-twin's.
 */
import path from "node:path";
import { CLIENT_IDS, type ClientId } from "../clients/ids.js";
import { seenIn } from "../clients/plugin-servers.js";
import { discoverTargets, targetKey } from "../clients/targets.js";
import type { Target } from "../clients/types.js";
import { loadContext } from "../context/context.js";
import type { Machine } from "../environments/machine.js";
import type { EnvInfo } from "../environments/path-translation.js";
import { entryKeys, loadFormats, ownedView } from "../formats/index.js";
import { entryHash, isOurs } from "../ledger/state.js";
import type { ServerSpec } from "../manifest/schema.js";
import { referencesOf } from "../manifest/spec.js";
import { dict, own } from "../plain-records.js";
import { checkSelectors } from "../selectors.js";
import { type Progress, silentProgress } from "../system/progress.js";
import { type ClashChoices, findClashes, type SecretClash, settle } from "./clashes.js";
import { compareWithManifest } from "./compare.js";
import { type FoldedServer, fold, type Occurrence, type Source } from "./fold.js";
import { allocateSecrets, type Form, type SecretUse } from "./inline-keys.js";
import { CLASSIC_DESKTOP_NOTE, envInfo, occurrence, readTarget } from "./read-config.js";
import { handWrittenKey, type ImportFilters, type ImportPlan, type Skipped } from "./types.js";

export { applyImport, type ImportResult } from "./apply-import.js";
export type { ClashChoices } from "./clashes.js";
export type { ImportCandidate, ImportFilters, ImportPlan } from "./types.js";

/**
 * Read (never write) every client config, then plan with the choices given.
 *
 * `scanImports` reads (never writes) every client config in every environment, recognises each
 * entry (recognize.ts), moves inline keys out (inline-keys.ts), folds the same server found in several
 * places into one entry (fold.ts) and compares it with the manifest: a plan, as plain data, for
 * the `import` command to apply and for `init` to offer as choices. `applyImport` (apply-import.ts)
 * writes the chosen entries, stores their secrets and adopts the entries they came from.
 * The next sync may then rewrite an adopted entry into the installed form.
 */
export async function scanImports(
  machine: Machine,
  filters: ImportFilters = {},
  progress?: Progress,
  choices: ClashChoices = {},
): Promise<ImportPlan> {
  return planImports(await readImports(machine, filters, progress), choices);
}

/** What import read: the manifest, the stored secrets, every entry found, recognised. */
export interface ImportScan {
  manifestFile: string;
  manifestExists: boolean;
  servers: Readonly<Record<string, ServerSpec>>;
  stored: Readonly<Record<string, string>>;
  environments: EnvInfo[];
  /** Present user-level targets: which clients a server would go to. */
  present: Array<{ env: string; client: string }>;
  found: Found[];
  skipped: Skipped[];
  managed: ImportPlan["managed"];
  plugins: ImportPlan["plugins"];
  files: ImportPlan["files"];
}

interface Found {
  occurrence: Occurrence;
  uses: Array<SecretUse & { proposed?: string }>;
  value: unknown;
}

export async function readImports(
  machine: Machine,
  filters: ImportFilters = {},
  progress?: Progress,
): Promise<ImportScan> {
  checkSelectors({ clients: filters.clients ?? [], envs: filters.envs ?? [] });
  // Servers of user-level configs go into the user-level manifest, never a project's
  // ./mcp-twin.jsonc; with --project, that project's manifest is the place. Every environment is
  // looked at (not only the manifest's): servers may be configured anywhere.
  const ctx = await loadContext(
    machine,
    {
      manifest: filters.manifest,
      which: filters.project ? "here" : "user",
      required: false,
      envs: filters.envs ?? [],
      clients: [],
      everyEnvironment: true,
      targets: "none",
    },
    progress ?? silentProgress,
  );
  const { loaded, state, allEnvs: environments } = ctx;
  const stored = ctx.secrets;
  const manifestFile = loaded.file;
  const step = progress?.step("Reading every client config");
  const clients = filters.clients ?? [];
  const targets = await discoverTargets(ctx.envs, { clients, includeAbsent: true });
  if (filters.project)
    targets.push(
      ...(await discoverTargets(environments, { clients, project: filters.project, includeAbsent: true })),
    );
  await loadFormats(targets.map((t) => t.client));
  step?.stop();

  const scan: ImportScan = {
    manifestFile,
    manifestExists: !loaded.missing,
    servers: loaded.manifest.servers,
    stored,
    environments: environments.map((e) => envInfo(e)),
    present: targets
      .filter((t) => t.present && t.scope === "user")
      .map((t) => ({ env: t.env.id, client: t.client.id })),
    found: [],
    skipped: [],
    managed: [],
    plugins: [],
    files: [],
  };
  const seen = new Set<string>();
  const project = filters.project ? path.resolve(machine.host.cwd, filters.project) : undefined;
  for (const target of targets) {
    if (seen.has(target.file)) continue;
    seen.add(target.file);
    const sets = await readTarget(target, project, scan);
    for (const set of sets) {
      const where = set.ignoredFile ?? set.movedFrom ?? target.path;
      const moved = set.movedFrom ? movedNote(target, set.movedFrom) : undefined;
      const ignored =
        set.ignoredFile && (target.client.reading.ignoredFile?.(target)?.why ?? CLASSIC_DESKTOP_NOTE);
      // The client's own entries (Goose's built-in extensions) are no servers: none is imported.
      const servers = Object.entries(set.entries).filter(
        ([, v]) => target.client.ownEntry?.(v) === undefined,
      );
      scan.files.push({
        env: target.env.id,
        client: target.client.id,
        scope: set.scope,
        path: where,
        entries: servers.length,
        ...(ignored ? { ignoredByApp: true, note: ignored } : {}),
        ...(moved ? { note: moved } : {}),
      });
      // Sync compares (and records) only the keys it owns in an entry (Codex keeps its own there).
      const compared = ownedView(set.entries, entryKeys(target.client).owned, entryKeys(target.client).kept);
      const managed = set.scope !== "local" && set.ignoredFile === undefined && set.movedFrom === undefined;
      // What an earlier mcp-twin wrote into the moved-from file is still its own there (ledger/moved-claims.ts).
      const recordKey = set.movedFrom
        ? targetKey(target.env.id, target.client.id, "user", set.movedFrom)
        : target.key;
      for (const [entry, value] of servers) {
        if ((managed || moved) && isOurs(own(state.targets[recordKey]?.entries, entry), compared[entry])) {
          scan.managed.push({ path: where, server: entry });
          continue;
        }
        const source: Source = {
          env: target.env.id,
          client: target.client.id,
          scope: set.scope,
          path: where,
          ...(managed
            ? { targetKey: target.key }
            : moved
              ? { unmanaged: moved }
              : ignored
                ? {
                    unmanaged: `${ignored}; sync writes the file the app reads instead`,
                    ignoredByApp: true,
                  }
                : {
                    unmanaged:
                      "Claude Code's local scope (~/.claude.json projects): mcp-twin does not manage it",
                  }),
        };
        const occ = occurrence(target, source, entry, value, environments);
        if ("reason" in occ) scan.skipped.push({ file: target.path, server: entry, reason: occ.reason });
        else scan.found.push({ ...occ, value: compared[entry] });
      }
    }
  }
  scan.plugins = await pluginServersOf(targets, loaded.manifest.servers);
  return scan;
}

/** Why entries of a file its client moves into the target's own are imported but not adopted. */
function movedNote(target: Target, file: string): string {
  return `${target.client.name}'s older ${file}, whose servers it moves into ${target.path} when it starts; sync writes that one, never this`;
}

/** The servers each present client's plugins and extensions provide (read only), once per client and environment. */
async function pluginServersOf(
  targets: readonly Target[],
  servers: Readonly<Record<string, ServerSpec>>,
): Promise<ImportPlan["plugins"]> {
  const out: ImportPlan["plugins"] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.env.id}\u0000${t.client.id}`;
    if (!t.client.pluginServers || !t.present || t.scope !== "user" || seen.has(key)) continue;
    seen.add(key);
    for (const p of await t.client.pluginServers(t.env))
      out.push({ ...seenIn(t, p), ...(Object.hasOwn(servers, p.name) ? { clash: p.name } : {}) });
  }
  return out;
}

/** One name per distinct secret value, as allocateSecrets gives it. */
type Allocation = ReturnType<typeof allocateSecrets>;
type Valued = SecretUse & { value: string };

/**
 * The plan (pure): clashing secrets settled by `choices`, one name per distinct value, the same
 * server found in several places folded into one entry, each compared with the manifest. Cheap:
 * call it again with the answers to a clash.
 */
export function planImports(scan: ImportScan, choices: ClashChoices = {}): ImportPlan {
  // Planning rewrites forms and names: work on copies, so the scan can be planned again.
  const found: Found[] = scan.found.map((f) => ({
    occurrence: { ...f.occurrence, form: structuredClone(f.occurrence.form), notes: [...f.occurrence.notes] },
    uses: f.uses.map((u) => ({ ...u })),
    value: f.value,
  }));
  const plan: ImportPlan = {
    manifestFile: scan.manifestFile,
    manifestExists: scan.manifestExists,
    candidates: [],
    secrets: [],
    secretValues: {},
    maskValues: [
      ...new Set(found.flatMap((f) => f.uses.flatMap((u) => (u.value !== undefined ? [u.value] : [])))),
    ],
    clashes: [],
    skipped: [...scan.skipped],
    managed: [...scan.managed],
    plugins: [...scan.plugins],
    files: [...scan.files],
    notes: [],
    replan: (more) =>
      planImports(scan, { ...choices, ...more, secrets: { ...choices.secrets, ...more.secrets } }),
  };
  const { clashes, clashValues, given } = settleClashes(found, scan, choices);
  plan.clashes = clashes;
  // A value for every client (--secret, --prefer-client, an answer): every use of the name gets it,
  // placeholders included. A value typed or given replaces the stored one; a chosen value that the
  // secrets file holds under another name than this one is stored as NAME_2 like any other.
  for (const f of found)
    for (const u of f.uses) {
      const value = own(given, u.name);
      if (value !== undefined) {
        u.value = value;
        delete u.placeholder;
      }
    }
  const replacing = new Set(Object.keys(choices.secrets ?? {}));
  const stored = dict<string>();
  for (const [name, value] of Object.entries(scan.stored)) if (!replacing.has(name)) stored[name] = value;
  const allocation = nameSecrets(found, clashes, stored, plan);
  const known = (name: string) =>
    own(stored, name) !== undefined || own(allocation.store, name) !== undefined;
  for (const f of found)
    f.occurrence.placeholders = f.uses.filter((u) => u.value === undefined && !known(u.name)).length;
  addCandidates(plan, found, scan, clashes, known);
  tellStoredNames(plan, clashValues, allocation, stored);
  storeSecrets(plan, found, allocation);
  return plan;
}

const valuedUses = (found: readonly Found[]): Valued[] =>
  found.flatMap((f) => f.uses.filter((u) => u.value !== undefined)) as Valued[];

/**
 * Secrets that clash (one name, different values in different places): settled by the choices —
 * a value for every client, or each place keeps its own. `given`: the names with one value now.
 */
function settleClashes(found: readonly Found[], scan: ImportScan, choices: ClashChoices) {
  const given = dict<string>();
  for (const [name, value] of Object.entries(choices.secrets ?? {})) given[name] = value;
  const { clashes, values: clashValues } = findClashes(
    found.flatMap((f) =>
      f.uses.flatMap((u) =>
        u.value === undefined
          ? []
          : [
              {
                name: u.name,
                value: u.value,
                group: f.occurrence.name,
                place: {
                  env: f.occurrence.source.env,
                  client: f.occurrence.source.client,
                  path: f.occurrence.source.path,
                  server: f.occurrence.entry,
                  field: u.field,
                },
              },
            ],
      ),
    ),
    scan.stored,
  );
  for (const clash of clashes) {
    // findClashes gives every clash its values.
    const settled = settle(clash, clashValues.get(clash.name) ?? [], choices);
    if (settled.resolution) clash.resolution = settled.resolution;
    if (settled.undecided) clash.undecided = settled.undecided;
    if (settled.value !== undefined && settled.resolution?.kind === "value")
      given[clash.name] = settled.value;
  }
  return { clashes, clashValues, given };
}

/**
 * One name per distinct secret value (across files and the secrets already stored): each form's
 * references renamed, renames noted.
 */
function nameSecrets(
  found: Found[],
  clashes: readonly SecretClash[],
  stored: Readonly<Record<string, string>>,
  plan: ImportPlan,
): Allocation {
  const allocation = allocateSecrets(valuedUses(found), stored);
  for (const f of found) {
    const names = new Map(
      f.uses.flatMap((u) =>
        u.value !== undefined ? [[u.name, allocation.rename(u.name, u.value)] as const] : [],
      ),
    );
    f.occurrence.form = renameSecrets(f.occurrence.form, names);
    for (const u of f.uses)
      if (u.value !== undefined) {
        u.proposed = u.name;
        u.name = names.get(u.name) ?? u.name;
      }
  }
  const clashed = new Set(clashes.map((c) => c.name));
  for (const r of allocation.renamed)
    if (!clashed.has(r.from))
      plan.notes.push(`${r.from} is already used for another value: this one is stored as ${r.to}`);
  return allocation;
}

/**
 * Each clash's values told the name they are stored under: only a value an imported entry refers to
 * (or the one the secrets file holds). After folding, since that is when a value can drop out: of two
 * clients in one environment with different values only one launch fits the manifest, and the other
 * value is neither stored nor adopted — the report must not say it is kept.
 */
function tellStoredNames(
  plan: ImportPlan,
  clashValues: ReadonlyMap<string, string[]>,
  allocation: Allocation,
  stored: Readonly<Record<string, string>>,
): void {
  const referenced = new Set(plan.candidates.flatMap((c) => c.secrets));
  for (const clash of plan.clashes) {
    const all = clashValues.get(clash.name) ?? [];
    clash.values.forEach((v, i) => {
      const kept = allocation.rename(clash.name, all[i] ?? "");
      if (referenced.has(kept) || (v.stored && own(stored, clash.name) === all[i])) v.storedAs = kept;
    });
  }
}

/** The same server found in several places folded into one candidate, compared with the manifest. */
function addCandidates(
  plan: ImportPlan,
  found: readonly Found[],
  scan: ImportScan,
  clashes: readonly SecretClash[],
  known: (name: string) => boolean,
): void {
  const folded = fold(
    found.map((f) => f.occurrence),
    scan.environments,
  );
  for (const s of folded.skipped)
    plan.skipped.push({ file: s.occurrence.source.path, server: s.occurrence.entry, reason: s.reason });
  const foundBy = new Map(found.map((f) => [f.occurrence, f]));
  for (const f of folded.servers) {
    // Every folded occurrence is one of those found.
    const uses = f.found.flatMap((p) =>
      (foundBy.get(p.occurrence)?.uses ?? []).map((u) => ({ u, path: p.occurrence.source.path })),
    );
    for (const clash of clashes)
      if (uses.some(({ u }) => (u.proposed ?? u.name) === clash.name)) clash.servers.push(f.name);
    keepOwnKeys(f, uses, clashes, scan.present);
    const refs = referencesOf(f.server, "secret");
    const compared = compareWithManifest(scan.servers, f.name, f.server);
    plan.candidates.push({
      name: f.name,
      server: f.server,
      status: compared.status,
      ...(compared.status === "conflict" || compared.status === "same"
        ? { existing: compared.existing }
        : {}),
      ...(compared.status === "duplicate" ? { duplicateOf: compared.duplicateOf } : {}),
      found: f.found.map((p) => ({
        env: p.occurrence.source.env,
        client: p.occurrence.source.client,
        scope: p.occurrence.source.scope,
        path: p.occurrence.source.path,
        entry: p.occurrence.entry,
        runsIn: p.occurrence.runsIn,
        via: p.occurrence.via,
        adopt: p.adopt,
        ...(p.why ? { why: p.why } : {}),
        ...(p.occurrence.source.targetKey ? { targetKey: p.occurrence.source.targetKey } : {}),
        ...(p.occurrence.source.ignoredByApp ? { ignoredByApp: true } : {}),
        hash: entryHash(foundBy.get(p.occurrence)?.value),
      })),
      secrets: refs,
      variables: referencesOf(f.server, "env"),
      missing: uniqueBy(
        uses
          .filter(({ u }) => u.value === undefined && refs.includes(u.name) && !known(u.name))
          .map(({ u, path }) => ({ name: u.name, placeholder: u.placeholder ?? "", path, field: u.field })),
        (m) => `${m.name}\u0000${m.path}`,
      ),
      notes: [...new Set([...f.notes, ...f.found.flatMap((p) => p.occurrence.notes)])],
    });
  }
}

/** The secrets to store (each with where it was found), and every entry's hand-written form. */
function storeSecrets(plan: ImportPlan, found: readonly Found[], allocation: Allocation): void {
  const values = dict<string>();
  for (const [name, value] of Object.entries(allocation.store)) {
    values[name] = value;
    const from = found.flatMap((f) =>
      f.uses
        .filter((u) => u.name === name && u.value !== undefined)
        .map((u) => ({ path: f.occurrence.source.path, server: f.occurrence.entry, field: u.field })),
    );
    plan.secrets.push({ name, from });
  }
  plan.secretValues = values;
  const handWritten: Record<string, unknown> = {};
  for (const f of found)
    if (f.occurrence.source.targetKey)
      handWritten[handWrittenKey(f.occurrence.source.targetKey, f.occurrence.entry)] = f.value;
  plan.handWritten = handWritten;
}

/**
 * A server whose places each keep their own value of one key (keep-both) goes only to the clients
 * that had it: a client that never had it gets none of those keys. The manifest sets values per
 * environment, not per client, so a client of the same kind in another place is named in a note.
 */
function keepOwnKeys(
  f: FoldedServer,
  uses: ReadonlyArray<{ u: SecretUse & { proposed?: string } }>,
  clashes: readonly SecretClash[],
  present: ReadonlyArray<{ env: string; client: string }>,
): void {
  for (const clash of clashes) {
    if (clash.resolution?.kind === "value" || clash.resolution?.kind === "given") continue;
    const names = new Set(uses.filter(({ u }) => u.proposed === clash.name).map(({ u }) => u.name));
    if (names.size < 2) continue;
    const had = new Set(f.found.map((p) => `${p.occurrence.source.env} ${p.occurrence.source.client}`));
    const clients = [...new Set(f.found.map((p) => p.occurrence.source.client as ClientId))];
    const wouldGet = (p: { env: string; client: string }) =>
      !had.has(`${p.env} ${p.client}`) &&
      (!f.server.clients || f.server.clients.includes(p.client as ClientId));
    if (!present.some(wouldGet)) continue;
    f.server.clients = CLIENT_IDS.filter((id) => clients.includes(id));
    f.notes.push(
      `${clash.name} differs between the places ${f.name} was found and each keeps its own: only ${f.server.clients.join(", ")} get ${f.name}, so no client gets a key it did not have`,
    );
    const also = present.filter((p) => wouldGet(p)).map((p) => `${p.env} ${p.client}`);
    if (also.length > 0)
      f.notes.push(
        `${also.join(", ")} will get ${f.name} too, with its environment's value (the manifest keeps values per environment, not per client); remove it from "clients" or choose one value to avoid it`,
      );
  }
}

/** `${secret:OLD}` → `${secret:NEW}` everywhere in a form. */
function renameSecrets(form: Form, names: ReadonlyMap<string, string>): Form {
  if ([...names].every(([a, b]) => a === b)) return form;
  const swap = (s: string) =>
    s.replace(/\$\{secret:([A-Za-z0-9_]+)\}/g, (w, n: string) =>
      names.has(n) ? `\${secret:${names.get(n)}}` : w,
    );
  const map = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, swap(v)]));
  return {
    ...form,
    args: form.args.map(swap),
    env: map(form.env),
    headers: map(form.headers),
    ...(form.url !== undefined ? { url: swap(form.url) } : {}),
  };
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
