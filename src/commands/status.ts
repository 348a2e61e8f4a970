/**
 * `mcp-twin status`: the servers × targets matrix. It reports states, it does not judge them: exit 0
 * whatever the states; 1 when a client config cannot be read (named, the others shown); 2 for bad
 * input (an unknown --client, a manifest that does not parse), as every command.
 */

import { sharedStatus } from "../core/status/shared-status.js";
import { type SharedView, sharedFix } from "../core/status/shared-view.js";
import { computeStatus } from "../core/status/status-matrix.js";
import { sayErrors } from "../ui/report-error.js";
import { loginJson, loginsNote, loginText } from "../ui/reports/login-lines.js";
import { manifestLine } from "../ui/reports/manifest-line.js";
import { renderMatrix, renderPlugins, renderShared, renderToolRules } from "../ui/reports/status-render.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";
import type { statusCommand } from "./status-flags.js";

export async function run(ctx: ContextOf<typeof statusCommand>): Promise<number> {
  const o = ctx.options;
  const machine = await openCommandMachine(ctx);
  const asked = { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project };
  const facts = await computeStatus(machine, asked, ctx.output.progress);
  const { rows, manifest, scope, blockers, counts, logins, shares, behindTools, plugins, unreadable } = facts;
  // The bridge is asked how it runs the shared servers and those behind /tools; nothing is started.
  const behind = new Set(behindTools.map((s) => s.name));
  const shared = await sharedStatus(machine, [...shares, ...behindTools], o.manifest);
  // A server behind /tools only is no shared server: its rows (direct entries elsewhere) say nothing of it.
  const sharedOf = new Map((shared?.shared ?? []).filter((v) => !behind.has(v.name)).map((v) => [v.name, v]));
  const loginOf = new Map(loginJson(logins).map((l) => [l.server, l]));
  if (ctx.output.json)
    ctx.output.result(
      rows.map(({ server, env, client, scope, state, path, detail, kept, toolRules, off }) => {
        const login = loginOf.get(server);
        return {
          server,
          env,
          client,
          scope,
          state,
          path,
          ...(detail ? { detail } : {}),
          ...(kept ? { kept } : {}),
          ...(off ? { off } : {}),
          ...(toolRules
            ? {
                toolRules:
                  toolRules.state === "kept"
                    ? { state: "kept", fields: toolRules.keys }
                    : { state: toolRules.state },
              }
            : {}),
          ...(login
            ? { login: { mode: login.mode, state: login.state, ...(login.fix ? { fix: login.fix } : {}) } }
            : {}),
          ...(sharedOf.has(server) ? { shared: sharedJson(sharedOf.get(server)) } : {}),
          manifest,
        };
      }),
    );
  else {
    ctx.output.print(manifestLine({ manifest, manifestScope: scope }, ctx.output.shown));
    renderMatrix(rows, blockers, ctx.output, { ...counts, unreadable: unreadable.length });
    if (logins.length > 0) {
      ctx.output.print(ctx.output.theme.c.bold("Logins"));
      for (const l of logins) ctx.output.print(`  ${loginText(l, ctx.output.theme, Date.now())}`);
      const note = loginsNote(logins);
      if (note) ctx.output.print(ctx.output.theme.c.dim(`  ${note}`));
    }
    if (shared) renderShared(shared, behind, ctx.output);
    renderToolRules(rows, ctx.output);
    renderPlugins(plugins, ctx.output);
    for (const n of facts.notices) ctx.output.print(`${ctx.output.theme.warn} ${n.text}`);
  }
  // Each config it could not read, named with its repair (on stderr, --json too): the run showed
  // only part of what was asked, so it fails in part (exit 1), as doctor does.
  sayErrors(unreadable, ctx.output);
  return unreadable.length > 0 ? 1 : 0;
}

/** A shared server in `--json`: how it runs now (docs/commands.md). */
function sharedJson(v: SharedView | undefined) {
  if (!v) return undefined;
  const { mode, state, processes, sessions, rssBytes, idleMs, pids } = v;
  return {
    mode,
    state,
    processes,
    sessions,
    rssBytes,
    idleMs,
    pids,
    ...(v.manifestMode ? { manifestMode: v.manifestMode } : {}),
    ...(v.lastError ? { lastError: v.lastError } : {}),
    ...(v.lastErrorIn ? { lastErrorIn: v.lastErrorIn } : {}),
    ...(v.lastErrorAt ? { lastErrorAt: v.lastErrorAt } : {}),
    ...(v.missing ? { missing: { program: v.missing.program, env: v.missing.env, fix: sharedFix(v) } } : {}),
  };
}
