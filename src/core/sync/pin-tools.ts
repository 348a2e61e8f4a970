/**
 * Each server's tools pinned as sync knows its list (core/pins): pinned as first listed, an
 * update the person asked for approved and said, any other change said — and held back where the
 * gateway runs the server.
 */
import type { Context } from "../context/context.js";
import type { BridgeWiring } from "../entries/bridge-wiring.js";
import { homeKey, readToolLists, type ServerToolList } from "../entries/tool-lists.js";
import { isTwinError } from "../errors.js";
import { splitSpec } from "../manifest/package-spec.js";
import type { ClientId, ServerSpec } from "../manifest/schema.js";
import { serversBehindTools } from "../manifest/tool-search.js";
import type { InstalledIndex } from "../packages/installs.js";
import { approve, changesOf, setupOf, type ToolChange, unflagged } from "../pins/pin-changes.js";
import { loadPins, type PinBook, readPinsText, type ServerPins, savePins } from "../pins/pin-file.js";
import { dict, own } from "../plain-records.js";
import { withLock } from "../system/files.js";
import { type Progress, silentProgress } from "../system/progress.js";
import { trace } from "../system/trace.js";
import { type DirectLists, FIRST_LIST_TIMEOUT_MS, joinEarly } from "./direct-lists.js";
import { type GatewayReport, reloadGateway } from "./gateway-sync.js";
import type { EarlyLists, ToolLister } from "./learn-lists.js";

export interface PinReport {
  /** Servers pinned now for the first time, and how many of their tools. */
  pinned: Array<{ server: string; tools: number }>;
  /** An update the person asked for: its changes, approved with it (those the scan flags are not). */
  updated: Array<{ server: string; from?: string; to?: string; changes: ToolChange[] }>;
  /** Changes not approved: held back by the gateway (`held`), or only said (entries it is not in). */
  unapproved: Array<{ server: string; held: boolean; changes: ToolChange[] }>;
  /** Servers sync tried to list for their first pins and could not, and why (the next sync tries again). */
  unlisted?: Array<{ server: string; why: string }>;
  /** A dry run: the servers a sync would start and list for their first pins (it starts none). */
  toList?: string[];
}

/** What lists, at sync, the servers never pinned whose list nothing knows yet (learn-lists.ts). */
export interface FirstLister {
  list: ToolLister;
  progress: Progress;
  /** The lists started before the installs and writes (startFirstLists), awaited here. */
  early?: Promise<EarlyLists | undefined>;
}

/**
 * The first lists that need nothing the sync puts in place (no package to install: a command or a
 * url), started now so they overlap the installs and writes instead of following them; pinTools
 * awaits them. Silent (the step would be a second spinner); never rejects: a server whose early
 * list did not happen is listed at pinTools as before. `packaged`: the servers run from a package
 * instead, once the installs put it in place (firstListsAround); `onStart`: told once the lister
 * has been asked (or there was nothing to ask it); `skip`: servers the direct lists took (direct-lists.ts).
 */
export function startFirstLists(
  ctx: Context,
  wiring: BridgeWiring | undefined,
  packages: { index: InstalledIndex; versions: ReadonlyMap<string, string> },
  list: ToolLister,
  packaged = false,
  onStart: () => void = () => {},
  skip: ReadonlySet<string> = new Set(),
): Promise<EarlyLists | undefined> {
  const early = async (): Promise<EarlyLists | undefined> => {
    if (ctx.located.scope !== "user" || ctx.servers.length === 0) return undefined;
    const hosted = hostedServers(ctx.servers, ctx.manifest.toolSearch, wiring);
    const lists = await knownLists(ctx, wiring, hosted, packages.index, packages.versions);
    const unknown = await neverListed(ctx, hosted, lists);
    const servers = unknown.filter(
      (name) => (ctx.manifest.servers[name]?.package !== undefined) === packaged && !skip.has(name),
    );
    if (servers.length === 0) return undefined;
    trace("first pins: early lists");
    const { learnToolLists } = await import("./learn-lists.js");
    const learning = learnToolLists(list, ctx, servers, silentProgress, FIRST_LIST_TIMEOUT_MS);
    onStart();
    const learned = await learning;
    return { servers, learned };
  };
  const listing = early().finally(onStart);
  // Not said here: pinTools lists a server whose early list did not happen, and says its failure.
  return listing.catch(() => undefined);
}

/**
 * A sync's first lists, each started as soon as it can be: those that need no install at once (or
 * as the caller started them), those run from a package as soon as this environment's installs
 * are in (`installed`: called by the installs, and after them for packages already in place), so
 * their servers start while other environments install and the files are written. `all`: what
 * they found, once the installs are done; `direct`: those started as the manifest was read.
 */
export function firstListsAround(
  ctx: Context,
  wiring: BridgeWiring | undefined,
  packages: { index: InstalledIndex; versions: ReadonlyMap<string, string> },
  list: ToolLister,
  started: Promise<EarlyLists | undefined> | undefined,
  direct?: DirectLists,
) {
  const plain = started ?? startFirstLists(ctx, wiring, packages, list, false, undefined, direct?.names);
  const unpackaged = joinEarly(direct?.lists, plain);
  let packaged: Promise<EarlyLists | undefined> | undefined;
  return {
    /** Resolves once those servers' lister is asked: what follows (the writes) overlaps their starts. */
    installed(env?: { local: boolean }): Promise<void> {
      if (env?.local === false || packaged) return Promise.resolve();
      return new Promise((started) => {
        packaged = startFirstLists(ctx, wiring, packages, list, true, started);
      });
    },
    all: (): Promise<EarlyLists | undefined> => joinEarly(unpackaged, packaged),
  };
}

/** The early lists, with a step shown while they still run (a server that hangs takes its 5 s). */
async function stillListing(early: Promise<EarlyLists | undefined>, progress: Progress) {
  let done = false;
  void early.then(() => {
    done = true;
  });
  await Promise.resolve(); // a promise already settled has said so by now
  if (done) return early;
  const step = progress.step("Listing the tools of the servers sync pins for the first time");
  try {
    return await early;
  } finally {
    step.stop();
  }
}

/** What a server's list is pinned for: its launch (entries/tool-lists.ts homeKey) and version. */
export interface PinnedFor {
  launch: string;
  version?: string | undefined;
}

/** A server's list as known now, and what it is pinned for. */
export interface KnownList {
  tools: ServerToolList["tools"];
  for: PinnedFor;
}

/**
 * What this run's lists do to the pins (pure): the book after it, what to say, and whether it
 * changed. Servers no longer in the manifest lose their pins (added again, they are pinned again).
 */
export function pinLists(
  before: PinBook,
  lists: ReadonlyMap<string, KnownList>,
  manifestServers: ReadonlySet<string>,
  hosted: ReadonlySet<string>,
  at: string,
): { book: PinBook; report: PinReport; changed: boolean } {
  const book = dict<ServerPins>();
  const report: PinReport = { pinned: [], updated: [], unapproved: [] };
  for (const [name, pins] of Object.entries(before)) if (manifestServers.has(name)) book[name] = pins;
  for (const [name, known] of lists) {
    const pins = own(book, name);
    const stamp = { at, ...known.for };
    const changes = changesOf(pins, known.tools, setupOf(name, lists, before));
    const flagged = changes.filter((c) => c.kind !== "removed" && !unflagged(c));
    const held = hosted.has(name);
    if (!pins) {
      book[name] = approve(undefined, changes, unflagged, stamp);
      report.pinned.push({ server: name, tools: Object.keys(book[name]?.tools ?? {}).length });
      if (flagged.length > 0) report.unapproved.push({ server: name, held, changes: flagged });
    } else if (pins.launch !== known.for.launch) {
      // Another launch (a version `sync --update` or the manifest moved to, a changed command):
      // the person asked for it, so its changes are approved with it — but for what the scan flags.
      book[name] = approve(pins, changes, unflagged, stamp);
      const taken = changes.filter((c) => c.kind === "removed" || unflagged(c));
      if (taken.length > 0)
        report.updated.push({
          server: name,
          ...(pins.version ? { from: pins.version } : {}),
          ...(known.for.version ? { to: known.for.version } : {}),
          changes: taken,
        });
      if (flagged.length > 0) report.unapproved.push({ server: name, held, changes: flagged });
    } else {
      // A removed tool just goes; the rest waits for the person.
      if (changes.some((c) => c.kind === "removed"))
        book[name] = approve(pins, changes, () => false, {
          at: pins.at,
          launch: pins.launch,
          version: pins.version,
        });
      const waiting = changes.filter((c) => c.kind !== "removed");
      if (waiting.length > 0) report.unapproved.push({ server: name, held, changes: waiting });
    }
  }
  return { book, report, changed: !sameBook(before, book) };
}

/** Whether two books pin the same servers' same tools, for the same launches (compared by hash). */
function sameBook(a: PinBook, b: PinBook): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const x = own(a, name);
    const y = own(b, name);
    if (!x || !y || x.at !== y.at || x.launch !== y.launch || x.version !== y.version) return false;
    const tools = Object.keys(x.tools);
    return (
      tools.length === Object.keys(y.tools).length &&
      tools.every((t) => own(y.tools, t)?.hash === x.tools[t]?.hash)
    );
  });
}

/** The servers the gateway runs (shared, or behind a client's `/tools`): a change of theirs is held back there. */
export function hostedServers(
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  toolSearch: { clients: readonly ClientId[] } | undefined,
  wiring: BridgeWiring | undefined,
): Set<string> {
  if (!wiring) return new Set();
  const unhosted = new Set(wiring.unhosted.map((u) => u.name));
  const behind = (toolSearch?.clients ?? []).flatMap((c) => serversBehindTools(servers, c, () => true));
  return new Set([...wiring.shares.map((s) => s.name), ...behind].filter((n) => !unhosted.has(n)));
}

/** Every enabled server's list as known now (the gateway's cache, else the home's), with what it is pinned for. */
export async function knownLists(
  ctx: Pick<Context, "machine" | "servers">,
  wiring: BridgeWiring | undefined,
  hosted: ReadonlySet<string>,
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
): Promise<Map<string, KnownList>> {
  const bridgeVersion = (pkg: string) => (wiring ? index.get(wiring.env.id)?.get(pkg)?.version : undefined);
  const lists = await readToolLists(ctx.machine, {
    servers: ctx.servers,
    version: (pkg) => versions.get(pkg),
    bridge: wiring ? { env: wiring.env, shares: [...hosted].map((name) => ({ name })) } : undefined,
    bridgeVersion,
  });
  const out = new Map<string, KnownList>();
  for (const [name, spec] of ctx.servers) {
    const list = lists.get(name);
    if (!list) continue;
    const pkg = spec.package ? splitSpec(spec.package).name : undefined;
    const version = pkg
      ? ((hosted.has(name) ? bridgeVersion(pkg) : undefined) ?? versions.get(pkg))
      : undefined;
    out.set(name, {
      tools: list.tools,
      for: { launch: homeKey(spec, version), ...(pkg && version ? { version: `${pkg}@${version}` } : {}) },
    });
  }
  return out;
}

/** The servers the gateway does not run that have no pin and no list known: sync lists them first. */
async function neverListed(
  ctx: Pick<Context, "machine" | "servers">,
  hosted: ReadonlySet<string>,
  lists: ReadonlyMap<string, KnownList>,
): Promise<string[]> {
  const book = await loadPins(ctx.machine.paths.pins);
  const due = ctx.servers.filter(([name]) => !hosted.has(name) && !own(book, name) && !lists.has(name));
  if (!due.some(([, s]) => s.url !== undefined)) return due.map(([name]) => name);
  // A remote behind a login (mcp-twin's, or each client's own) answers no list without it: asking
  // at every sync would only be refused; it is pinned when first listed with its login.
  const { loginLines } = await import("../oauth/needs-login.js");
  const behindLogin = new Set(loginLines(ctx.machine, due).map((l) => l.server));
  return due.map(([name]) => name).filter((name) => !behindLogin.has(name));
}

/** What a dry run says of the pins: the servers a sync would list first (none started now). */
export async function firstPinsDue(
  ctx: Context,
  wiring: BridgeWiring | undefined,
  packages: { index: InstalledIndex; versions: ReadonlyMap<string, string> },
): Promise<PinReport | undefined> {
  if (ctx.located.scope !== "user" || ctx.servers.length === 0) return undefined;
  const hosted = hostedServers(ctx.servers, ctx.manifest.toolSearch, wiring);
  const lists = await knownLists(ctx, wiring, hosted, packages.index, packages.versions);
  // A pins file that does not load: the run itself says so; a dry run says nothing of it here.
  const toList = await neverListed(ctx, hosted, lists).catch(() => []);
  return toList.length > 0 ? { pinned: [], updated: [], unapproved: [], toList } : undefined;
}

/**
 * The step of sync that pins: the lists known now judged against the pins, the pins written when
 * that changed them (under the home's lock: `locked` when the caller holds it). Only the
 * user-level manifest's servers are pinned (the gateway runs those). A server the gateway does not
 * run, never pinned and never listed, is listed first (`first`): so its first pin is the list as
 * it is at the sync that wrote it, not whatever it lists later. `report`: what to say, if
 * anything; `repinned`: the pins changed (a running gateway reads them again).
 */
async function pinTools(
  ctx: Context,
  wiring: BridgeWiring | undefined,
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
  locked: boolean,
  first: FirstLister | undefined,
): Promise<{ report?: PinReport; repinned: boolean; secretValues: string[]; settled?: true }> {
  if (ctx.located.scope !== "user") return { repinned: false, secretValues: [] };
  const hosted = hostedServers(ctx.servers, ctx.manifest.toolSearch, wiring);
  let lists = await knownLists(ctx, wiring, hosted, index, versions);
  const file = ctx.machine.paths.pins;
  const names = new Set(Object.keys(ctx.manifest.servers));
  const unlisted: Array<{ server: string; why: string }> = [];
  const secretValues: string[] = [];
  let asked = false;
  if (first) {
    const early = first.early && (await stillListing(first.early, first.progress));
    trace("first pins: early lists in");
    asked = early !== undefined;
    if (early) {
      secretValues.push(...early.learned.secretValues);
      // One the manifest no longer names (it changed while this run waited for the lock): not said.
      for (const [server, why] of early.learned.failures)
        if (ctx.manifest.servers[server]) unlisted.push({ server, why });
      if (early.learned.listed.length > 0) lists = await knownLists(ctx, wiring, hosted, index, versions);
    }
    // Tried early and failed: said once, tried again by the next sync, not started twice. One listed
    // early whose list is not known by its launch now (the manifest changed meanwhile) goes again.
    const unknown = (await neverListed(ctx, hosted, lists)).filter((n) => !early?.learned.failures.has(n));
    if (unknown.length > 0) {
      asked = true;
      const { learnToolLists } = await import("./learn-lists.js");
      const learned = await learnToolLists(first.list, ctx, unknown, first.progress, FIRST_LIST_TIMEOUT_MS);
      secretValues.push(...learned.secretValues);
      for (const [server, why] of learned.failures) unlisted.push({ server, why });
      if (learned.listed.length > 0) lists = await knownLists(ctx, wiring, hosted, index, versions);
    }
  }
  const at = ctx.machine.host.now().toISOString();
  const judge = async (text: string | null) => pinLists(await loadPins(file, text), lists, names, hosted, at);
  const seen = await readPinsText(file);
  let judged = await judge(seen);
  trace("pins: judged");
  if (judged.changed) {
    const write = async () => {
      // Judged again under the lock when another run wrote the pins meanwhile (it may have
      // approved something); the same text is the same judgement (pinLists is pure).
      const now = await readPinsText(file);
      if (now !== seen) judged = await judge(now);
      if (judged.changed) await savePins(file, judged.book);
      trace("pins: saved");
    };
    await (locked ? write() : withLock(ctx.machine.home.dir, write));
  }
  trace("first pins: judged");
  const report: PinReport = { ...judged.report, ...(unlisted.length > 0 ? { unlisted } : {}) };
  const said = report.pinned.length + report.updated.length + report.unapproved.length + unlisted.length > 0;
  // Nothing listed, written or left to pin: the same inputs come to the same report (pin-stamp.ts).
  const settled = !asked && !judged.changed && ctx.servers.every(([name]) => own(judged.book, name));
  return {
    ...(said ? { report } : {}),
    repinned: judged.changed,
    secretValues,
    ...(settled ? { settled } : {}),
  };
}

/**
 * After sync wrote and its gateway ran: the pins (pinTools), then that gateway told to read them
 * again when they changed. What to say, if anything; a pins file that does not load is an error
 * of the run (the files are written by then), said with its line and column.
 */
export async function pinAfterSync(
  ctx: Context,
  wiring: BridgeWiring | undefined,
  gateway: GatewayReport | undefined,
  packages: { index: InstalledIndex; versions: ReadonlyMap<string, string> },
  locked: boolean,
  first?: FirstLister,
): Promise<{
  report?: PinReport;
  error?: { code: string; message: string };
  secretValues?: string[];
  settled?: true;
}> {
  try {
    const pinned = await pinTools(ctx, wiring, packages.index, packages.versions, locked, first);
    const { report, repinned, secretValues, settled } = pinned;
    const run = gateway?.gateway;
    if (repinned && wiring && run && run.state !== "failed") await reloadGateway(ctx, wiring);
    const kept = { ...(report ? { report } : {}), ...(settled ? { settled } : {}) };
    return { ...kept, ...(secretValues.length > 0 ? { secretValues } : {}) };
  } catch (error) {
    if (!isTwinError(error)) throw error;
    return { error: { code: error.code, message: `${error.message}${error.hint ? ` ${error.hint}` : ""}` } };
  }
}
