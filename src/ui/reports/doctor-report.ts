/**
 * What `mcp-twin doctor` shows: the checks grouped by where they apply, or (`--json`) the stable
 * shape of the spec.
 */
import { clientById } from "../../core/clients/index.js";
import { messageOf } from "../../core/doctor/group.js";
import type { Check, DoctorReport } from "../../core/doctor/index.js";
import { placesTitle } from "../../core/doctor/places.js";
import { commandText } from "../../core/doctor/probe/probe-command.js";
import { untrusted } from "../../core/text/control-chars.js";
import type { Output } from "../output.js";

/**
 * The stable `doctor --json` shape of the spec; extra lines (stderr tail) go into the message, and
 * so do the client configs a grouped finding applies to (it has no `client`).
 */
export function doctorJson(report: DoctorReport) {
  return {
    ok: report.ok,
    ...(report.manifest ? { manifest: report.manifest } : {}),
    checks: report.checks.map((c) => ({
      id: c.id,
      ...(c.env ? { env: c.env } : {}),
      ...(c.client ? { client: c.client } : {}),
      ...(c.server ? { server: c.server } : {}),
      status: c.status,
      message: c.detail ? [messageOf(c), ...c.detail].join("\n") : messageOf(c),
      ...(c.fix ? { fix: c.fix } : {}),
      ...(c.command ? { command: c.command } : {}),
    })),
  };
}

interface Target {
  title: string;
  checks: Check[];
  /** Checks of each server. */
  servers: Map<string, Check[]>;
  /** Findings shared with other configs, reported once under another heading: server → those headings. */
  sharedAt: Map<string, Shared[]>;
}

/** Where a config's shared findings about a server are: the heading, above or below this line. */
interface Shared {
  title: string;
  where: string;
  checks: Check[];
}

interface Group {
  title: string;
  checks: Check[];
  /** Per target (a config file, or the configs that share findings). */
  targets: Map<string, Target>;
}

/** A target's key in its group: the client and which of its files. */
function fileKey(client: string, scope: string | undefined): string {
  return `${client}|${scope === "local" ? "user" : (scope ?? "user")}`;
}

export function renderDoctor(report: DoctorReport, out: Output, verbose: boolean): void {
  const { c } = out.theme;
  const groups = new Map<string, Group>();
  const group = (key: string, title: string) => {
    const known = groups.get(key);
    if (known) return known;
    const made: Group = { title, checks: [], targets: new Map() };
    groups.set(key, made);
    return made;
  };
  const general = group("", "General");
  // Every manifest server gets its line, in the manifest's order, findings or not.
  const inManifest = new Map(report.manifestServers.map((s) => [s.name, s]));
  if (inManifest.size > 0) {
    const t = targetOf(general, "manifest", "Manifest servers");
    for (const name of inManifest.keys()) t.servers.set(name, []);
  }
  /** The heading of a client config file in its group. */
  const fileTarget = (g: Group, env: string | undefined, client: string, scope: string | undefined) => {
    const s = scope === "local" ? "user" : (scope ?? "user");
    const file = report.files.find((f) => f.env === env && f.client === client && f.scope === s);
    return targetOf(
      g,
      fileKey(client, s),
      `${clientName(client)}${s === "project" ? " (project)" : ""}  ${c.dim(file?.path ?? "")}`,
    );
  };
  // Each config's own findings first (its servers in their order), then the shared ones.
  const ordered = [...report.checks.filter((x) => !x.places), ...report.checks.filter((x) => x.places)];
  for (const check of ordered) {
    const g = check.env ? group(check.env, check.env) : general;
    if (check.places && check.server) {
      // A pass no line shows (all but a start's, without --verbose) needs no heading to be shown
      // under, nor a pointer there: it is in --json and the summary's count.
      if (check.status === "pass" && check.id !== "probe.handshake" && !verbose) continue;
      // One finding for several configs: under a heading naming them, after the configs of its
      // environment (under General when they are in several); each config's line for the server
      // points there.
      const title = placesTitle(check.places);
      const shared = targetOf(g, `shared|${title}`, `${title}  ${c.dim("what they share, reported once")}`);
      shared.servers.set(check.server, [...(shared.servers.get(check.server) ?? []), check]);
      for (const p of check.places) {
        const pg = group(p.env, p.env);
        const t = fileTarget(pg, p.env, p.client, p.scope);
        if (!t.servers.has(check.server)) t.servers.set(check.server, []);
        const list = t.sharedAt.get(check.server) ?? [];
        const at = list.find((x) => x.title === title);
        if (at) at.checks.push(check);
        else list.push({ title, where: pg === g ? "below" : `above, under ${g.title}`, checks: [check] });
        t.sharedAt.set(check.server, list);
      }
      continue;
    }
    if (!check.client) {
      if (check.server) {
        // A manifest server's own finding (its keys, its references) goes with its line.
        const t = inManifest.has(check.server)
          ? targetOf(general, "manifest", "Manifest servers")
          : targetOf(g, "several", "Servers in several client configs");
        t.servers.set(check.server, [...(t.servers.get(check.server) ?? []), check]);
      } else g.checks.push(check);
      continue;
    }
    const t = fileTarget(g, check.env, check.client, check.scope);
    if (check.server) t.servers.set(check.server, [...(t.servers.get(check.server) ?? []), check]);
    else t.checks.push(check);
  }
  for (const g of groups.values()) {
    if (g.checks.length === 0 && g.targets.size === 0) continue;
    out.print(c.bold(g.title));
    for (const check of g.checks) line(out, check, 2, verbose);
    for (const [key, t] of g.targets) {
      out.print(`  ${c.bold(t.title)}`);
      for (const check of t.checks) line(out, check, 4, verbose);
      for (const [server, checks] of t.servers) {
        const entry = key === "manifest" ? inManifest.get(server) : undefined;
        if (entry) manifestServerLine(out, entry, checks, report, verbose);
        else serverLines(out, server, checks, verbose, report.probed, t.sharedAt.get(server));
      }
    }
    out.print("");
  }
  if (report.files.length === 0)
    out.print(
      `${out.theme.skip} No AI client config found here; name one with --client to check where it would be.\n`,
    );
  summary(report, out);
}

function targetOf(g: Group, key: string, title: string): Target {
  const known = g.targets.get(key);
  if (known) return known;
  const made: Target = { title, checks: [], servers: new Map(), sharedAt: new Map() };
  g.targets.set(key, made);
  return made;
}

function clientName(id: string): string {
  return clientById(id)?.name ?? id;
}

function mark(out: Output, status: Check["status"]): string {
  const t = out.theme;
  return status === "pass" ? t.ok : status === "warn" ? t.warn : status === "fail" ? t.fail : t.skip;
}

function line(out: Output, check: Check, indent: number, verbose: boolean): void {
  if (check.status === "pass" && !verbose && indent > 4) return;
  const { c } = out.theme;
  const pad = " ".repeat(indent);
  // Findings quote client configs, programs and what servers said (names, stderr): others' text,
  // shown escaped (mcp-twin's own sentences hold no control character, so they read the same).
  out.print(`${pad}${mark(out, check.status)} ${untrusted(check.message)} ${c.dim(`[${check.id}]`)}`);
  for (const d of check.detail ?? []) out.print(`${pad}    ${c.dim(untrusted(d))}`);
  if (check.command) out.print(`${pad}    started as: ${untrusted(commandText(check.command))}`);
  if (check.fix) out.print(`${pad}  ${c.cyan("→")} ${untrusted(check.fix)}`);
}

/**
 * One line per server when everything passes; its findings otherwise. Findings it shares with other
 * configs are listed once, under their heading: the line says where. A server no start or contact
 * answered for is never ✔: its line says what doctor did not do, and why.
 */
function serverLines(
  out: Output,
  server: string,
  checks: Check[],
  verbose: boolean,
  probed: boolean,
  shared: readonly Shared[] = [],
): void {
  const { c } = out.theme;
  const probe = checks.find((x) => x.id === "probe.handshake" && x.status === "pass");
  const notRun = checks.find((x) => x.id === "probe.handshake" && x.status === "skip");
  const elsewhere = shared.flatMap((s) => s.checks);
  // A line that only points at the shared heading takes the mark of what it points at (with this
  // config's own problems, listed under it): never ✔ for a server shown there as skipped.
  const judged =
    probe || shared.length === 0
      ? worstOf([...checks, ...elsewhere])
      : worstOf([...checks.filter((x) => x.status !== "pass"), ...elsewhere]);
  const answered = [...checks, ...elsewhere].some((x) => x.id === "probe.handshake" && x.status === "pass");
  const worst = judged === "pass" && !answered ? "skip" : judged;
  const headline = [
    probe
      ? shared.length > 0
        ? probe.message.replace(/\.$/, "")
        : probe.message
      : worst === "skip" && shared.length === 0
        ? notRun
          ? notRun.message.replace(/\.$/, "")
          : notStarted(probed, checks)
        : "",
    ...shared.map((s) => `see "${s.title}" ${s.where}`),
  ]
    .filter(Boolean)
    .join("; ");
  out.print(
    `    ${mark(out, worst)} ${c.bold(untrusted(server))}${headline ? `  ${untrusted(headline)}` : ""}`,
  );
  // The cause first: failures, then warnings, then what was not checked (a skip may point at one).
  const rank = { fail: 0, warn: 1, skip: 2, pass: 3 } as const;
  for (const check of [...checks].sort((a, b) => rank[a.status] - rank[b.status])) {
    if (check.status === "pass" && !verbose) continue;
    if (check === probe) continue;
    // Said on the server's line already.
    if (check === notRun && headline.startsWith(notRun.message.replace(/\.$/, ""))) continue;
    line(out, check, 6, verbose);
  }
}

/** "not contacted by doctor" for a remote (a url entry), "not started by doctor" for a program. */
function notDone(checks: readonly Check[]): string {
  return checks.some((x) => x.id === "entry.remote") ? "not contacted by doctor" : "not started by doctor";
}

/** A server's line when nothing started it or contacted it: what was checked, and what was not. */
function notStarted(probed: boolean, checks: readonly Check[]): string {
  const why = `${notDone(checks)}${probed ? "" : " (--no-probe)"}`;
  return checks.some((x) => x.status === "pass") ? `${why}; its entry's checks pass` : why;
}

function worstOf(checks: readonly Check[]): Check["status"] {
  return checks.some((x) => x.status === "fail")
    ? "fail"
    : checks.some((x) => x.status === "warn")
      ? "warn"
      : checks.length === 0 || checks.every((x) => x.status === "skip")
        ? "skip"
        : "pass";
}

/**
 * A manifest server's line: how it runs, and how it fares in every client config (its findings
 * there are listed under each client); its own findings (keys, references) below it.
 */
function manifestServerLine(
  out: Output,
  server: DoctorReport["manifestServers"][number],
  own: Check[],
  report: DoctorReport,
  verbose: boolean,
): void {
  const { c } = out.theme;
  const all = report.checks;
  if (server.disabled) {
    out.print(
      `    ${mark(out, "skip")} ${c.bold(server.name)}  disabled in the manifest (sync leaves it out)`,
    );
    return;
  }
  const everywhere = all.filter((x) => x.server === server.name);
  // Findings of its entries: one config's, or one finding for several (group.ts).
  const elsewhere = everywhere.filter((x) => x.client || x.places);
  const fileSet = (checks: readonly Check[]) =>
    new Set(
      checks.flatMap((x) =>
        (x.places ?? (x.client ? [{ client: x.client, scope: x.scope }] : [])).map(
          (p) => `${x.env}|${fileKey(p.client, p.scope)}`,
        ),
      ),
    );
  // A file that was reset is reported once (config.wiped), with no per-server finding: it still
  // counts here as a config the server is missing from.
  const wiped = server.wipedIn.length;
  const files = fileSet(elsewhere).size + wiped;
  // The configs that do not hold it yet (drift.entry fails only for a missing entry): "in 3 client
  // configs" would be false of a server never synced, or taken out by uninstall.
  const missing =
    fileSet(elsewhere.filter((x) => x.id === "drift.entry" && x.status === "fail")).size + wiped;
  // A check that did not run is never a ✔: entries not started or contacted leave it unchecked.
  const handshakes = everywhere.filter((x) => x.id === "probe.handshake");
  const notRun = handshakes.filter((x) => x.status === "skip");
  const judged = wiped > 0 ? "fail" : worstOf(everywhere);
  const unchecked = judged === "pass" && (notRun.length > 0 || !handshakes.some((x) => x.status === "pass"));
  const worst = unchecked ? "skip" : judged;
  const count = (n: number) => `${n} client config${n === 1 ? "" : "s"}`;
  const configs =
    missing === 0
      ? `in ${count(files)}`
      : missing === files
        ? `missing from ${files === 1 ? "its" : `all ${files}`} client config${files === 1 ? "" : "s"}`
        : `in ${count(files - missing)}, missing from ${missing}`;
  // Where to read on: the environments whose sections hold its warnings and failures.
  const envs = [
    ...new Set([
      ...elsewhere.filter((x) => x.status === "fail" || x.status === "warn").map((x) => x.env),
      ...server.wipedIn,
    ]),
  ];
  const notRunEnvs = [...new Set(notRun.map((x) => x.env ?? x.places?.[0]?.env).filter(Boolean))];
  const where =
    files === 0
      ? "no client config here holds it"
      : envs.length > 0
        ? `${configs}; its findings are below, under ${envs.join(" and ")}`
        : !unchecked
          ? `checked ${configs}`
          : !report.probed
            ? `${configs}; ${notDone(everywhere)} (--no-probe)`
            : notRunEnvs.length > 0
              ? `${configs}; not started or contacted by doctor: why is below, under ${notRunEnvs.join(" and ")}`
              : `${configs}; ${notDone(everywhere)}`;
  out.print(`    ${mark(out, worst)} ${c.bold(server.name)}  ${untrusted(server.runs)}; ${where}`);
  for (const check of own) {
    if (check.status === "pass" && !verbose) continue;
    line(out, check, 6, verbose);
  }
}

function summary(report: DoctorReport, out: Output): void {
  const { c } = out.theme;
  const count = (s: Check["status"]) => report.checks.filter((x) => x.status === s).length;
  const [fail, warn, pass, skip] = [count("fail"), count("warn"), count("pass"), count("skip")];
  const parts = [
    fail ? c.red(`${fail} failed`) : "",
    warn ? c.yellow(`${warn} warning${warn === 1 ? "" : "s"}`) : "",
    c.green(`${pass} passed`),
    skip ? c.dim(`${skip} skipped`) : "",
  ].filter(Boolean);
  const lead = fail ? out.theme.fail : warn ? out.theme.warn : out.theme.ok;
  // "Everything works" is said of what was tried: servers doctor did not start are not known to.
  const unstarted = report.checks.some((x) => x.id === "probe.handshake" && x.status === "skip");
  const verdict = unstarted
    ? `: everything doctor tried works; the ${out.theme.skip} lines say what it did not start or contact.`
    : ": everything works.";
  out.print(`${lead} ${parts.join(", ")}${fail ? " — the → lines say what to do." : warn ? "." : verdict}`);
}
