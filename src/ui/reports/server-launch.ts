/**
 * What a manifest server will run, for `add` to show before anything starts it: program or URL,
 * arguments, environment and headers — as written, only secrets masked, others' text escaped.
 */

import type { ServerSpec } from "../../core/manifest/schema.js";
import { withEffectiveShare } from "../../core/manifest/secret-shares.js";
import { specFields } from "../../core/manifest/spec.js";
import { MASK } from "../../core/secrets/mask.js";
import { isSecretName } from "../../core/secrets/placeholders.js";
import { untrusted } from "../../core/text/control-chars.js";

/** After taking its `${…}` references out, a value holds no secret of its own (`Bearer ${secret:X}`). */
const ONLY_REFERENCES = /^(?:bearer|basic|token)?\s*$/i;

/** A value under a secret's name: shown when it only refers to the secret, masked otherwise. */
function secretValue(value: string): string {
  return value.includes("${") && ONLY_REFERENCES.test(value.replace(/\$\{[^}]*\}/g, "")) ? value : MASK;
}

/** An argument as a shell would need it to read back the same (`"two words"`, `""`). */
function quoted(arg: string): string {
  // A Windows path reads back the same with its backslashes as they are (in quotes for a space).
  if (/^(?:[A-Za-z]:\\|\\\\)/.test(arg) && !/["`$]/.test(arg)) return /\s/.test(arg) ? `"${arg}"` : arg;
  return arg === "" || /[\s"'\\$`]/.test(arg) ? JSON.stringify(arg) : arg;
}

/** The arguments, with a secret's value after its flag masked (`--api-key <value>`, `--token=<value>`). */
function shownArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const inline = /^(--?[A-Za-z0-9_-]+)=(.*)$/s.exec(arg);
    if (inline && isSecretName(inline[1] ?? "")) return `${inline[1]}=${secretValue(inline[2] ?? "")}`;
    const flag = i > 0 ? /^--?([A-Za-z0-9_-]+)$/.exec(args[i - 1] ?? "") : null;
    if (flag && isSecretName(flag[1] ?? "") && !arg.startsWith("-")) return secretValue(arg);
    return arg;
  });
}

/** The lines, each `  label  value`, values escaped (they come from a registry or a template). */
export function launchLines(server: ServerSpec): string[] {
  const rows: Array<[string, string]> = [];
  if (server.package)
    rows.push([
      "runs",
      `npm package ${server.package}${server.bin ? ` (its bin ${server.bin})` : ""}, with node`,
    ]);
  if (server.command) rows.push(["runs", server.command]);
  if (server.url)
    rows.push(["url", `${server.url} (${server.transport === "sse" ? "SSE" : "Streamable HTTP"})`]);
  if (server.args?.length) rows.push(["args", shownArgs(server.args).map(quoted).join(" ")]);
  // Where an environment runs it with other arguments (a folder as that side spells it).
  for (const [env, o] of Object.entries(server.overrides ?? {}))
    if (o.args) rows.push([`args in ${env}`, shownArgs(o.args).map(quoted).join(" ")]);
  for (const [name, value] of Object.entries(server.env ?? {}))
    rows.push(["env", `${name}=${isSecretName(name) ? secretValue(value) : value}`]);
  for (const [name, value] of Object.entries(server.headers ?? {}))
    rows.push(["header", `${name}: ${isSecretName(name) ? secretValue(value) : value}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value], i) => {
    const shownLabel = i > 0 && rows[i - 1]?.[0] === label ? "" : label;
    return `  ${shownLabel.padEnd(width)}  ${untrusted(value)}`;
  });
}

/**
 * How many processes a share mode runs, said the same by add, init and sync: `servers` of them
 * shared alike ("one process of each").
 */
export function shareModeSays(mode: string, servers = 1, remote = false): string {
  const kind = remote ? "connection" : "process";
  const one = servers === 1 ? `one ${kind}` : remote ? "one connection to each" : "one process of each";
  if (mode === "machine") return `${one} for every client session`;
  if (mode === "project") return `${one} per project folder`;
  if (mode === "session")
    return `${one} per client session, ${remote ? "opened" : "started"} on its first call`;
  return mode;
}

/**
 * How many processes of it run, and why (a catalogue default's reason), or that it is not shared;
 * for a url server, the bridge's connection to it — or, not shared, that its key (if it has one)
 * goes into each client's entry.
 */
export function shareLine(added: {
  name: string;
  server: ServerSpec;
  shareWhy?: string | undefined;
}): string | undefined {
  const { name } = added;
  // As the manifest will be read: a server whose key is in its headers, url or env is shared.
  const server = withEffectiveShare(added.server);
  const share = server.share;
  const why = added.shareWhy
    ? `: ${untrusted(added.shareWhy)}`
    : share && !added.server.share
      ? ": its key stays in mcp-twin's home, the bridge adding it"
      : "";
  if (server.url !== undefined) {
    if (server.share)
      return `Shared per ${server.share} (${shareModeSays(server.share, 1, true)}, from the bridge)${why}. \`mcp-twin share ${name} machine|session|off\` changes it.`;
    const keyed = specFields(server).some((f) => f.references.some((r) => r.kind === "secret"));
    return keyed
      ? `Not shared: its key goes into each client's entry (\`mcp-twin share ${name} machine\` keeps it in mcp-twin's home, the bridge adding it on the way out).`
      : undefined;
  }
  if (!server.share)
    return `Not shared: each client session starts its own (\`mcp-twin share ${name} machine|project|session\` runs it once in the bridge).`;
  const says = shareModeSays(server.share);
  return `Shared per ${server.share} (${says}, in the bridge)${why}. \`mcp-twin share ${name} <mode>|off\` changes it.`;
}
