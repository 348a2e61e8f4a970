/**
 * `mcp-twin init`: from nothing to both sides working, every question asked before the first write, so
 * Ctrl-C at any prompt (or "no") leaves every file as it was. Its steps are in ./init/.
 */

import { openRegistry, type RegistryClient } from "../core/registry/index.js";
import { localHomedir } from "../core/system/host.js";
import { inquirerPrompts } from "../ui/prompts.js";
import { chooseImports, chooseServers, offerBridge, somethingChosen } from "./init/choose.js";
import { dryRun, syncNow, writeFiles } from "./init/init-apply.js";
import {
  emptyAnswers,
  emptyPlan,
  type InitContext,
  type InitTerminal,
  pinnedPort,
} from "./init/init-context.js";
import { goAhead, planChanges, showPlan } from "./init/init-plan.js";
import { askKeys } from "./init/keys.js";
import { look } from "./init/look.js";
import type { initCommand } from "./init-flags.js";
import type { ContextOf } from "./shared/command.js";
import { offerLogins } from "./shared/offer-login.js";
import { openCommandMachine } from "./shared/open-machine.js";

/** In the picker, a registry that does not answer soon is given up on (the catalogue goes on). */
const PICKER_TIMEOUT_MS = 5_000;

/**
 * `mcp-twin init`: from nothing to both sides working. Shows what it found, offers the servers
 * already configured anywhere, lets the user pick more from the catalogue, asks each input and key
 * once, shows the plan, and asks once to go ahead. Every question comes before the first write and
 * the caches it fills meanwhile are held in memory, so Ctrl-C at any prompt (or "no") leaves every
 * file as it was (exit 130). Run again on a configured machine, it adds to the existing manifest.
 * `--yes` with `--server`/`--secret` does the same unattended.
 *
 */
export async function run(
  command: ContextOf<typeof initCommand>,
  term: InitTerminal = { stdinIsTTY: Boolean(command.terminal.stdin.isTTY), prompts: inquirerPrompts },
): Promise<number> {
  const options = command.options;
  pinnedPort(options); // a bad --port is refused before anything is looked at
  const out = command.output;
  const prompts = !options.yes && !options.json && term.stdinIsTTY ? term.prompts(command.signal) : undefined;
  // Nothing reaches the disk before the user agrees, caches included.
  const machine = await openCommandMachine(command, { holdCaches: true });
  const found = await look(machine, { out, options, cwd: command.host.cwd });
  let registry: Promise<RegistryClient> | undefined;
  const ctx: InitContext = {
    ...found,
    ...emptyAnswers(),
    out,
    options,
    prompts,
    signal: command.signal,
    homedir: localHomedir(command.host),
    env: command.host.env,
    openRegistry: () => {
      registry ??= openRegistry(machine, {
        url: options.registry,
        signal: command.signal,
        timeoutMs: PICKER_TIMEOUT_MS,
      });
      return registry;
    },
    planned: emptyPlan(),
  };

  await chooseImports(ctx);
  await chooseServers(ctx);
  await askKeys(ctx);
  await offerBridge(ctx);
  somethingChosen(ctx);
  ctx.planned = await planChanges(ctx);
  showPlan(ctx);
  if (options.dryRun) return dryRun(ctx);
  const go = await goAhead(ctx);
  if (!go.write) {
    out.print("Nothing written.");
    return 0;
  }
  await writeFiles(ctx);
  const code = await syncNow(ctx, go.sync);
  // Remote servers that ask for a login: the sync's report said so; without one, said here. On a
  // terminal the login is offered right away.
  const { loadManifest } = await import("../core/manifest/load.js");
  // No manifest written (or unreadable): there is nothing to log in to.
  const written = await loadManifest(ctx.manifestFile).catch(() => undefined);
  if (written)
    await offerLogins(command, machine, Object.entries(written.manifest.servers), {
      say: !go.sync,
      ...(prompts
        ? {
            ask: (n: string) =>
              prompts.confirm({ message: `Log in to ${n} now (in your browser)?`, default: true }),
          }
        : {}),
    });
  return code;
}
