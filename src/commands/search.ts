/**
 * `mcp-twin search <words>`: servers of the MCP Registry (and of the catalogue) matching every
 * word — name, version, what mcp-twin would run, its transport and the secrets it needs.
 */

import { loadCatalogue, searchTemplates } from "../core/catalogue/index.js";
import { UsageError } from "../core/errors.js";
import { type Summary, summarize } from "../core/registry/convert.js";
import { openRegistry, RegistryError } from "../core/registry/index.js";
import { untrusted } from "../core/text/control-chars.js";
import type { Output } from "../ui/output.js";
import type { searchCommand } from "./search-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

export async function run(ctx: ContextOf<typeof searchCommand>): Promise<number> {
  const o = ctx.options;
  const words = ctx.args.flatMap((a) => a.split(/\s+/)).filter(Boolean);
  if (words.length === 0)
    throw new UsageError(
      "missing-argument",
      "search needs words to look for, e.g. `mcp-twin search github`.",
      {
        hint: "`mcp-twin add --list` shows the whole catalogue.",
      },
    );
  const limit = o.limit === undefined ? 20 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new UsageError("bad-option", `--limit ${o.limit}: give a whole number from 1 to 100.`);
  const machine = await openCommandMachine(ctx);
  const catalogue = searchTemplates(loadCatalogue({ homeDir: machine.home.dir }).templates, words.join(" "));
  const registry = await openRegistry(machine, { url: o.registry, signal: ctx.signal });

  const step = ctx.output.progress.step(`Searching ${registry.base}`);
  let page: Awaited<ReturnType<typeof registry.find>> | undefined;
  let failure: RegistryError | undefined;
  try {
    page = await registry.find(words, { limit, ...(o.cursor ? { cursor: o.cursor } : {}) });
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    failure = error;
  } finally {
    step.stop();
  }
  const servers = (page?.entries ?? []).map(summarize);

  if (ctx.output.json) {
    ctx.output.result({
      registry: registry.base,
      servers,
      ...(page?.nextCursor ? { nextCursor: page.nextCursor } : {}),
      ...(page?.staleMs !== undefined ? { cachedSecondsAgo: Math.round(page.staleMs / 1000) } : {}),
      catalogue: catalogue.map((t) => ({ name: t.name, description: t.description, runtime: t.runtime })),
      ...(failure ? { errors: [{ code: failure.code, message: failure.message }] } : {}),
    });
    return failed(failure, catalogue.length);
  }

  const out = ctx.output;
  const { c } = out.theme;
  if (catalogue.length > 0) {
    out.print(c.bold("In the catalogue") + c.dim("  (mcp-twin add <name>)"));
    const width = Math.max(...catalogue.map((t) => t.name.length));
    const columns = ctx.terminal.stdout.isTTY ? ctx.terminal.stdout.columns || 100 : undefined;
    for (const t of catalogue) {
      // A template in the home's templates/ folder may come from anywhere.
      const description = untrusted(t.description);
      const room = columns ? columns - width - 4 : description.length;
      const about =
        description.length > room ? `${description.slice(0, Math.max(0, room - 1))}…` : description;
      out.print(`  ${t.name.padEnd(width)}  ${c.dim(about)}`);
    }
    out.print("");
  }
  if (failure) {
    // The same sentence as init's picker says it; a warning when the catalogue answered.
    const line = `The MCP Registry could not be searched: ${failure.reason}.`;
    if (catalogue.length > 0) out.warn(line);
    else out.error(line);
    if (failure.hint) out.info(failure.hint);
    return failed(failure, catalogue.length);
  }
  if (page?.staleMs !== undefined)
    out.warn(
      `The registry did not answer; these results were cached ${Math.round(page.staleMs / 60_000)} min ago.`,
    );
  if (servers.length === 0) {
    out.print(`No server in the MCP Registry at ${registry.base} matches "${words.join(" ")}".`);
    return 0;
  }
  out.print(c.bold(`In the MCP Registry`) + c.dim(`  ${registry.base}  (mcp-twin add <name>)`));
  printTable(out, servers, ctx.terminal.stdout.isTTY ? ctx.terminal.stdout.columns || 100 : undefined);
  if (page?.skipped)
    out.print(c.dim(`(${page.skipped} entries that do not follow the server.json schema were left out)`));
  if (page?.nextCursor)
    out.print(c.dim(`More: mcp-twin search ${words.join(" ")} --cursor ${JSON.stringify(page.nextCursor)}`));
  return 0;
}

/** Columns sized to their content; on a terminal, cut to its width (descriptions on their own line). */
function printTable(out: Output, rows: readonly Summary[], columns: number | undefined): void {
  const { c } = out.theme;
  // Every cell is the registry's text (anyone can publish): shown escaped, on one line.
  const cells = rows.map((r) =>
    [r.name, r.version, r.package, r.transport, r.secrets.join(", ") || "-"].map(untrusted),
  );
  const head = ["NAME", "VERSION", "PACKAGE", "TRANSPORT", "SECRETS"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? "").length)));
  // On a terminal, the package column gives way first, then the name.
  if (columns) {
    const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) + 2;
    for (const i of [2, 0, 4]) {
      const over = total() - columns;
      if (over > 0) widths[i] = Math.max((head[i] ?? "").length + 2, (widths[i] ?? 0) - over);
    }
  }
  const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
  const line = (row: readonly string[], first: (text: string) => string = (t) => t) =>
    `  ${row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const text = clip(cell, width);
        const padded = i === row.length - 1 ? text : text.padEnd(width);
        return i === 0 ? first(padded) : padded;
      })
      .join("  ")}`.trimEnd();
  out.print(c.dim(line(head)));
  rows.forEach((r, i) => {
    out.print(line(cells[i] ?? [], c.bold));
    const about = untrusted(r.description || r.title || "");
    if (about) out.print(c.dim(`    ${columns ? clip(about, columns - 4) : about}`));
    if (r.status === "deprecated") out.print(`    ${c.yellow("deprecated")}`);
    if (!r.way && r.why) out.print(`    ${c.yellow(`mcp-twin cannot add it: ${untrusted(r.why)}`)}`);
  });
}

/**
 * The exit status: 1 when the registry could not be searched and nothing was found — a match in the
 * catalogue is an answer a script can act on (`search X && add X`), so 0 then (`errors` still says
 * what failed).
 */
function failed(failure: RegistryError | undefined, catalogueMatches: number): number {
  return failure && catalogueMatches === 0 ? 1 : 0;
}
