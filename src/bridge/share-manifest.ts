/**
 * `serve --share <name>`: how to launch a manifest server here, with its `${secret:}`/`${env:}`
 * references resolved (values stay in the child's environment, never in argv or logs).
 */
import type { CommandContext } from "../cli.js";
import { envMatches } from "../core/environments/types.js";
import { UsageError } from "../core/errors.js";
import { type Machine, openMachine } from "../core/machine.js";
import { findManifest, type LoadedManifest, loadManifest } from "../core/manifest/load.js";
import { resolveString } from "../core/manifest/resolve.js";
import { loadSecrets } from "../core/manifest/secrets.js";
import { isTrusted, programServers } from "../core/manifest/trust.js";
import { own } from "../core/own.js";
import { unknownName } from "../core/selectors.js";
import { loadState } from "../core/state.js";
import type { ShareLaunch } from "./share.js";

export async function shareLaunches(ctx: CommandContext, names: readonly string[]): Promise<ShareLaunch[]> {
  if (names.length === 0) return [];
  const machine = await openMachine(ctx.host);
  const located = findManifest({
    manifest: ctx.options.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const file = located.file;
  const loaded = await loadManifest(file, { required: true, cacheDir: machine.paths.cache });
  const { manifest } = loaded;
  // sync's rule: a project manifest's server that runs a program runs only once trusted.
  if (located.scope === "project") await requireTrust(machine, loaded, names);
  const secrets = await loadSecrets(machine.paths.secrets);
  const launches: ShareLaunch[] = [];
  for (const name of new Set(names)) {
    const spec = own(manifest.servers, name);
    if (!spec)
      throw unknownName({
        code: "unknown-server",
        given: "--share",
        name,
        isNot: `not a server in ${file}`,
        knownAs: "Servers there",
        known: Object.keys(manifest.servers),
      });
    const envId = machine.local.id;
    const over = Object.entries(spec.overrides ?? {}).find(([sel]) => envMatches(sel, envId))?.[1] ?? {};
    if (spec.url !== undefined || over.url !== undefined)
      throw new UsageError(
        "share-remote",
        `"${name}" is already an HTTP server (url): clients reach it directly.`,
      );
    const missing: string[] = [];
    const resolve = (text: string) => {
      const r = resolveString(text, { secrets, env: ctx.host.env });
      for (const m of r.missing) missing.push(`${m.kind} ${m.name}`);
      ctx.output.addSecrets(r.secretValues);
      return r.text;
    };
    const args = (over.args ?? spec.args ?? []).map(resolve);
    const env = Object.fromEntries(
      Object.entries({ ...spec.env, ...over.env }).map(([k, v]) => [k, resolve(v)]),
    );
    let command: string;
    let fullArgs = args;
    if (spec.package) {
      const { detectEnvironments } = await import("../core/environments/detect.js");
      const { readInstalledPackage, pickBin, splitSpec } = await import("../core/install.js");
      const local = (await detectEnvironments(machine, { limitTo: [envId] })).environments.find(
        (e) => e.local,
      );
      const pkgName = splitSpec(spec.package).name;
      const pkg = local ? await readInstalledPackage(local, pkgName) : undefined;
      const script = pkg ? pickBin(pkg, spec.bin) : undefined;
      if (!local?.node || !script)
        throw new UsageError("share-not-installed", `${pkgName} is not installed in ${envId}.`, {
          hint: "Run `mcp-twin sync` first.",
        });
      command = local.node.path;
      fullArgs = [script, ...args];
    } else {
      command = over.command ?? spec.command!;
    }
    if (missing.length > 0)
      throw new UsageError("unresolved", `servers.${name} needs ${[...new Set(missing)].join(", ")}.`, {
        hint: "Set it with `mcp-twin secret set NAME` (or in the environment).",
      });
    launches.push({ name, command, args: fullArgs, env });
  }
  return launches;
}

/**
 * A project manifest (./mcp-twin.jsonc of a cloned repo) is someone else's: its servers that run
 * programs are shared only after the user trusted this very text — as sync asks before its first
 * sync. serve never asks (a client starts it, with no one at a terminal).
 */
async function requireTrust(
  machine: Machine,
  loaded: LoadedManifest,
  names: readonly string[],
): Promise<void> {
  const programs = programServers(loaded.manifest).filter((p) => names.includes(p.server));
  if (programs.length === 0) return;
  if (isTrusted(await loadState(machine.paths.state), loaded.file, loaded.text ?? "")) return;
  throw new UsageError(
    "untrusted-manifest",
    `${loaded.file}: this project's manifest is not trusted, and sharing ${programs.map((p) => `${p.server} would run ${p.runs}`).join("; ")}. Nothing was started.`,
    {
      location: { file: loaded.file },
      hint: "Read the file. If you trust it, run `mcp-twin sync` in that folder: it shows the programs and asks (`--yes` trusts), and the trust is kept for this version of the file.",
    },
  );
}
