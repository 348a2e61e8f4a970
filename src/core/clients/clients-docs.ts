/**
 * docs/clients.md's table of clients and its list of sources, and docs/manifest.md's table of tool
 * fields, written from the client modules (pure): `npm run docs:clients` writes them between their
 * markers, and test/clients/clients-docs.test.ts fails when a page is not what this gives.
 */
import type { EnvKind } from "../environments/types.js";
import { CLIENTS } from "./index.js";
import { toolFieldRows } from "./tool-fields-docs.js";
import type { ClientModule } from "./types.js";

const KIND_WORDS: Record<EnvKind, string> = {
  windows: "Windows",
  wsl: "WSL",
  macos: "macOS",
  linux: "Linux",
};

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function cells(c: ClientModule): string[] {
  const where = c.docs?.where ?? c.kinds.map((k) => KIND_WORDS[k]).join(", ");
  const project = c.docs?.project ?? (c.projectConfig ? `\`${c.projectConfig.join("/")}\`` : "–");
  const key = c.serversPath.map((k) => `\`${k}\``).join(".");
  const format = formatWords(c);
  const shapes = c.docs?.shapes ?? "`command`, `args`, `env`; remote: `url`, `headers`";
  const remote = c.remoteEntry
    ? c.sseEntry
      ? ""
      : "; SSE through the relay"
    : "; remote servers through the relay";
  const variables = c.docs?.variables ?? (c.projectConfig ? `\`${c.referenceStyle("VAR")}\`` : "–");
  const judge = c.judge ?? "–";
  return [
    `${c.name} (\`${c.id}\`)`,
    where,
    c.docs?.file ?? "–",
    project,
    `${format}, ${key}: ${shapes}${shapes.includes("relay") ? "" : remote}`,
    variables,
    judge,
  ];
}

/**
 * Its format in words, as its own reader takes it: JSON(C) unless the reader is stricter
 * (`reading.strictJson`), then what its dialect refuses.
 */
function formatWords(c: ClientModule): string {
  if (c.format === "toml") return "TOML";
  if (c.format === "yaml") return "YAML";
  const strict = c.reading.strictJson;
  const user = strict?.("user") ?? false;
  const project = c.projectConfig ? (strict?.("project") ?? false) : user;
  if (!user && !project) return "JSON(C)";
  const d = c.reading.strictJsonDialect ?? { comments: false, bom: true };
  const refused = [
    ...(d.comments && !d.trailingCommas ? ["no trailing comma"] : []),
    ...(d.bom ? [] : ["no BOM"]),
  ];
  const base = !d.comments ? "JSON" : d.trailingCommas ? "JSON(C)" : "JSON with comments";
  const words = refused.length > 0 ? `${base} (${refused.join(", ")})` : base;
  if (user === project) return words;
  return user
    ? `${words} in its user file, JSON(C) in a project's`
    : `JSON(C) in its user file, ${words} in a project's`;
}

/** The table: one row per client, in the manifest schema's order. */
function clientTableMarkdown(): string {
  const head = [
    "client (`--client` id)",
    "where",
    "user file",
    "project file",
    "format, servers key: entries",
    "references in a project file",
    "judged with",
  ];
  return markdownTable(head, CLIENTS.map(cells));
}

/** A Markdown table padded as the formatter pads them (npm run format), so the page stays as written. */
function markdownTable(head: string[], body: string[][]): string {
  const rows = [head, ...body.map((r) => r.map(cell))];
  const widths = head.map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

/** Each client's sources on one line: every fact a link to where it comes from. */
function clientSourcesMarkdown(): string {
  const text = (fact: string) => fact.replace(/([[\]])/g, "\\$1");
  return CLIENTS.filter((c) => c.sources?.length)
    .map((c) => {
      const links = (c.sources ?? []).map((s) => `[${text(s.fact)}](${s.url})`).join("; ");
      return `- ${c.name} (\`${c.id}\`): ${links}`;
    })
    .join("\n");
}

/** Put `content` between `<!-- generated: name (npm run docs:clients) -->` and its end marker. */
function withGenerated(text: string, name: string, content: string): string {
  const start = `<!-- generated: ${name} (npm run docs:clients) -->`;
  const end = `<!-- /generated: ${name} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`the markers of "${name}" are missing: ${start} … ${end}`);
  return `${text.slice(0, a + start.length)}\n${content}\n${text.slice(b)}`;
}

/**
 * The files the client modules write into, and what each should hold: docs/clients.md's table and
 * sources, docs/manifest.md's table of the clients' tool fields.
 */
export const GENERATED: ReadonlyArray<{ file: string; apply: (text: string) => string }> = [
  {
    file: "docs/clients.md",
    apply: (t) =>
      withGenerated(
        withGenerated(t, "client-table", clientTableMarkdown()),
        "client-sources",
        clientSourcesMarkdown(),
      ),
  },
  {
    file: "docs/manifest.md",
    apply: (t) => {
      const { head, rows, rest, sources } = toolFieldRows();
      const others = `None of the other clients has a per-tool field in its entries, a tool limit or deferral that mcp-twin knows of: ${rest.join(", ")}. Sources: ${sources.join(", ")}.`;
      return withGenerated(t, "tool-fields", `${markdownTable(head, rows)}\n\n${others}`);
    },
  },
];
