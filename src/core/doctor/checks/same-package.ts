/**
 * Two entries of one client config that run the same package (pure): a hand-written `npx -y
 * @modelcontextprotocol/server-memory` beside the catalogue's installed copy loads its tools twice.
 */

import { readEntry } from "../../clients/entry-view.js";
import { nodeScript } from "../../entries/launch/node-script.js";
import { parseRunner, uvxTool } from "../../entries/launch/runners.js";
import { innerProgram } from "../../entries/launch/wrappers.js";
import { programName } from "../../environments/program.js";
import { andList } from "../../text/prose-lists.js";
import { defineCheck } from "../check-def.js";
import type { ScopeItems } from "../facts.js";
import type { Show } from "../path-style.js";
import { type Finding, finding } from "../types.js";

export const samePackageChecks = [
  defineCheck({
    id: "config.same-package",
    scope: "config-file",
    doc: "two entries of one client config run the same package (one by hand, `npx -y <package>`, one from the manifest, say): the client starts it twice and loads its tools twice, under two names.",
    fix: "keep one: remove the other entry from the file, or the server from the manifest (`mcp-twin remove <name>`), then `mcp-twin sync`.",
    run: (item, show) => samePackage(item, show),
  }),
] as const;

function samePackage({ config: f }: ScopeItems["config-file"], show: Show): Finding[] {
  if (f.text === null || f.parseError) return [];
  const t = f.target;
  const byPackage = new Map<string, string[]>();
  for (const set of f.sets)
    for (const [name, raw] of Object.entries(set.entries)) {
      const view = readEntry(raw, t.client.id);
      const runs = view.kind === "stdio" && view.command ? packageRun(view.command, view.args) : undefined;
      if (runs) byPackage.set(runs, [...(byPackage.get(runs) ?? []), name]);
    }
  const where = { env: t.env.id, client: t.client.id, scope: t.scope };
  return [...byPackage]
    .filter(([, names]) => new Set(names).size > 1)
    .map(([pkg, names]) =>
      finding(
        "warn",
        where,
        `${andList([...new Set(names)])} in ${show.path(t.path)} both run ${pkg.replace(/^\w+:/, "")}: ${t.client.name} starts it twice and loads its tools twice.`,
        {
          fix: `Keep one: remove the other entry from ${show.path(t.path)}, or the server from the manifest (\`mcp-twin remove <name>\`), then \`mcp-twin sync\`.`,
        },
      ),
    );
}

/** mcp-twin's own entries (the bridge's, each relay) all run mcp-twin: that is no second copy. */
const ownPackage = (name: string) => (name === "mcp-twin" ? undefined : `npm:${name}`);

/**
 * The package an entry runs, as `npm:<name>` or `uvx:<name>` (no version: two versions are two
 * copies all the same), through its wrappers; undefined for any other program.
 */
function packageRun(command: string, args: readonly string[]): string | undefined {
  const call = innerProgram(command, args);
  const program = programName(call.command);
  if (program === "uvx") {
    const tool = uvxTool(call.args)?.install.replace(/[=<>~!].*$/, "");
    return tool ? `uvx:${tool}` : undefined;
  }
  const runner = parseRunner(program, call.args);
  if (runner && "name" in runner) return ownPackage(runner.name);
  const script = nodeScript(call.command, call.args);
  const inPackage = script && /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(script);
  return inPackage?.[1] ? ownPackage(inPackage[1].replace("\\", "/")) : undefined;
}
