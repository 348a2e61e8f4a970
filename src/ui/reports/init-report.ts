/**
 * What `init` shows before it asks to go ahead: what it found, then the plan. Planned items get a
 * neutral bullet (•): ✔ is for what was done. Files are shown as their own system shows them.
 */
import { CLIENTS } from "../../core/clients/index.js";
import type { Target } from "../../core/clients/types.js";
import type { Environment } from "../../core/environments/types.js";
import type { LoadedManifest } from "../../core/manifest/load.js";
import { andList, orList } from "../../core/text/prose-lists.js";
import type { Output } from "../output.js";
import { shareModeSays } from "./server-launch.js";
import { noClientLine } from "./sync-report.js";

export function renderFound(
  out: Output,
  found: {
    environments: readonly Environment[];
    /** Clients found in the environments init will set up. */
    targets: readonly Target[];
    /** The manifest, as shown. */
    manifest: string;
    existing: LoadedManifest;
    clientNamed: boolean;
  },
): void {
  const { c, ok, warn } = out.theme;
  out.print(c.bold("Environments"));
  for (const e of found.environments) {
    const clients = found.targets.filter((t) => t.env.id === e.id).map((t) => t.client.name);
    // The clients on the environment's line; why it is not usable, and the fix, on lines of their own.
    out.print(
      `  ${e.usable ? ok : warn} ${e.id.padEnd(12)} ${e.usable ? `node ${e.node?.version ?? "?"}` : c.yellow("not usable")}  ${c.dim(clients.length > 0 ? clients.join(", ") : "no client found")}`,
    );
    if (!e.usable) {
      out.print(`      ${e.reason ?? "unknown"}`);
      if (e.fix) out.print(`      → ${e.fix}`);
    }
  }
  // A rename or a successor, said once where the client is found (Gemini CLI's individuals).
  for (const client of new Set(found.targets.map((t) => t.client)))
    if (client.notice) out.print(`  ${c.dim(client.notice)}`);
  out.print(
    found.existing.missing
      ? `Manifest: ${found.manifest} (new)`
      : `Manifest: ${found.manifest} (${serversAlready(Object.keys(found.existing.manifest.servers).length)})`,
  );
  if (found.targets.length === 0 && !found.clientNamed)
    out.print(
      `${warn} No AI client found here (no config file or program of ${orList(CLIENTS.map((k) => k.name))}): nothing would use these servers yet, so init installs nothing unless you say so.`,
    );
}

export interface PlanView {
  /** The manifest, as shown. */
  manifest: string;
  secretsFile: string;
  /** What keeps it private there: "mode 0600", or the Windows profile's ACL. */
  secretsPrivacy: string;
  created: boolean;
  manifestChanged: boolean;
  /** What goes into the manifest: server names (imported ones marked) and the bridge. */
  additions: string[];
  secretNames: string[];
  packages: string[];
  installInto: string[];
  /** Where each package goes, when known per package: one line per set of environments. */
  packageEnvs?: Record<string, string[]>;
  /** Environments that get nothing: no client there. */
  noClient: string[];
  registryNotes: string[];
  /** Client configs to write, as "env Client". */
  configs: string[];
  /** Whether packages and configs are part of this run (not with --no-sync). */
  sync: boolean;
  nobodyToConfigure: boolean;
  /** Configs others can read that will receive a key, with the chmod (before the question). */
  readable: string[];
  /** The manifest's shared servers after init, with their modes: the sync starts the bridge for them and leaves it running. */
  shared: Array<{ name: string; mode: string; remote?: boolean }>;
  /** New servers' programs not found where they run: sync's own lines, said before the question. */
  programs: string[];
  /** Each client's tools and tokens from the catalogue's measured figures (core/budget/plan-budget.ts). */
  budget: string[];
  /** The port the bridge will take, and why: said before it starts, while it can still be pinned. */
  port?: { port: number; how: "pinned" | "kept" | "default" };
}

export function renderPlan(out: Output, plan: PlanView): void {
  const { c, bullet, skip } = out.theme;
  out.print("");
  out.print(c.bold("Plan"));
  if (plan.manifestChanged)
    out.print(
      `  ${bullet} ${plan.created ? "create" : "update"} ${plan.manifest}: ${plan.additions.join(", ")}`,
    );
  if (plan.secretNames.length > 0)
    out.print(
      `  ${bullet} store ${plan.secretNames.join(", ")} in ${plan.secretsFile} (${plan.secretsPrivacy})`,
    );
  const where = plan.installInto.join(" and ") || "no usable environment";
  if (plan.packages.length > 0) {
    if (!plan.sync) out.print(`  ${skip} install ${plan.packages.join(", ")}: later, with \`mcp-twin sync\``);
    else if (plan.nobodyToConfigure)
      out.print(
        `  ${bullet} install ${plan.packages.join(", ")} in ${where}: only if you say so (no client found)`,
      );
    else if (plan.packageEnvs) {
      // Packages grouped by where they go (a shared server's goes only where the bridge runs).
      const groups = new Map<string, string[]>();
      for (const pkg of plan.packages) {
        const envs = (plan.packageEnvs[pkg] ?? plan.installInto).join(" and ");
        if (envs) groups.set(envs, [...(groups.get(envs) ?? []), pkg]);
      }
      for (const [envs, pkgs] of groups) out.print(`  ${bullet} install ${pkgs.join(", ")} in ${envs}`);
    } else if (plan.installInto.length > 0)
      out.print(`  ${bullet} install ${plan.packages.join(", ")} in ${where}`);
  }
  // Said here once (the sync's report after it does not repeat it).
  if (plan.sync && !plan.nobodyToConfigure)
    for (const env of plan.noClient) out.print(`  ${skip} ${noClientLine(env)}`);
  for (const line of plan.registryNotes) out.print(`  ${c.dim(line)}`);
  if (!plan.sync) out.print(`  ${skip} write client configs: later, with \`mcp-twin sync\``);
  else
    out.print(
      `  ${plan.configs.length > 0 ? bullet : skip} write ${plan.configs.length > 0 ? plan.configs.join(", ") : "no client config (none found)"}`,
    );
  for (const line of plan.readable) out.print(`      ${out.theme.warn} ${line}`);
  if (plan.sync && plan.configs.length > 0 && plan.budget.length > 0) {
    out.print(
      `  ${bullet} tools each client will load (the catalogue's figures; \`mcp-twin tools\` counts them after the sync):`,
    );
    for (const line of plan.budget) out.print(`      ${line}`);
  }
  if (plan.sync && !plan.nobodyToConfigure && plan.shared.length > 0)
    out.print(`  ${bullet} ${gatewayPlanLine(plan.shared, plan.port)}`);
  for (const line of plan.programs) out.print(`  ${out.theme.fail} ${line}`);
}

/**
 * Shared servers: the sync starts the bridge (their gateway) in the background and leaves it
 * running, and sets it to start at logon where the system has a way (systemd, launchd, a Windows
 * logon task); said before the question, with how to stop it.
 */
function gatewayPlanLine(
  shared: ReadonlyArray<{ name: string; mode: string; remote?: boolean }>,
  port: PlanView["port"],
): string {
  const one = shared.length === 1;
  // How many processes each runs there, by its mode (a session server runs one per client session);
  // a url server is a connection, not a process.
  const kinds = [...new Set(shared.map((s) => `${s.mode}${s.remote ? " remote" : ""}`))];
  const groups = kinds.map((kind) => {
    const names = shared.filter((s) => `${s.mode}${s.remote ? " remote" : ""}` === kind).map((s) => s.name);
    const [mode = "machine", remote] = kind.split(" ");
    return `${andList(names)} (${shareModeSays(mode, names.length, remote !== undefined)})`;
  });
  const on = !port
    ? ""
    : port.how === "pinned"
      ? ` on port ${port.port} (bridge.port)`
      : port.how === "kept"
        ? ` on port ${port.port} (the one this home keeps)`
        : ` on port ${port.port} (the default, or the first free one above it; \`--port <n>\` pins another)`;
  return `start the bridge in the background${on} for ${andList(groups)}, and leave it running, started again at logon where this system allows: \`mcp-twin bridge stop\` stops it until the next sync or logon; \`mcp-twin share ${one ? shared[0]?.name : "<server>"} off\`, then \`mcp-twin sync\`, runs ${one ? "it" : "a server"} in each client instead`;
}

function serversAlready(n: number): string {
  return `${n} server${n === 1 ? "" : "s"} already`;
}
