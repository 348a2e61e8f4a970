/** `mcp-twin status`: the servers × targets matrix. Exit 0 unless something is drifted or missing. */
import type { CommandContext } from "../cli.js";
import { openMachine } from "../core/machine.js";
import { computeStatus, type StatusRow } from "../core/status.js";
import { manifestLine } from "../ui/manifest-line.js";
import type { Output } from "../ui/output.js";

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const machine = await openMachine(ctx.host);
  const { rows, manifest, scope } = await computeStatus(
    machine,
    { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project },
    ctx.output.progress,
  );
  if (ctx.output.json)
    ctx.output.result(
      rows.map(({ server, env, client, scope, state, path, detail }) => ({
        server,
        env,
        client,
        scope,
        state,
        path,
        ...(detail ? { detail } : {}),
        manifest,
      })),
    );
  else {
    ctx.output.print(manifestLine({ manifest, manifestScope: scope }));
    render(rows, ctx.output);
  }
  return 0;
}

function render(rows: StatusRow[], out: Output): void {
  const { c } = out.theme;
  if (rows.length === 0) {
    out.print("No servers or no targets: add servers to the manifest, or name a client with --client.");
    return;
  }
  const colour: Record<StatusRow["state"], (s: string) => string> = {
    synced: c.green,
    missing: c.red,
    drifted: c.yellow,
    foreign: c.magenta,
    stale: c.cyan,
  };
  const targets = [
    ...new Set(rows.map((r) => `${r.env} ${r.client}${r.scope === "project" ? " (project)" : ""}`)),
  ];
  const servers = [...new Set(rows.map((r) => r.server))].sort();
  const width = Math.max(6, ...servers.map((s) => s.length));
  out.print(c.bold(`${"server".padEnd(width)}  ${targets.join("  ")}`));
  for (const server of servers) {
    const cells = targets.map((t) => {
      const row = rows.find(
        (r) =>
          r.server === server && `${r.env} ${r.client}${r.scope === "project" ? " (project)" : ""}` === t,
      );
      const text = row ? row.state : "–";
      return (row ? colour[row.state] : c.dim)(text.padEnd(t.length));
    });
    out.print(`${server.padEnd(width)}  ${cells.join("  ")}`);
  }
  const notes = rows.filter((r) => r.detail);
  for (const r of notes) out.print(c.dim(`${r.server} in ${r.env} ${r.client}: ${r.detail}`));
}
