/**
 * What one client entry says, read the way its own client reads it (pure): clients differ in their
 * keys for remote servers and in how they expand variables.
 */
import { stringMap } from "./entry-fields.js";
import type { ClientId } from "./ids.js";
import { clientModule } from "./index.js";
import type { EntryView } from "./types.js";
import type { ExpandContext } from "./variables.js";

const REMOTE_TYPES = new Set(["http", "streamable-http", "sse", "ws"]);

/**
 * Claude Code needs `type` on remote entries (an entry with `url` and no `type` is a broken stdio
 * entry), Windsurf's remote key is `serverUrl`, Gemini's `httpUrl`, VS Code wants `type` always.
 * Codex (TOML) names its keys differently (`http_headers`, `bearer_token_env_var`).
 */
export function readEntry(raw: unknown, client: ClientId): EntryView {
  const view: EntryView = {
    kind: "invalid",
    args: [],
    env: {},
    headers: {},
    forward: [],
    headerVars: {},
    problems: [],
  };
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    view.problems.push("is not an object");
    return view;
  }
  const { name, reading } = clientModule(client);
  const e = reading.commonKeys
    ? reading.commonKeys(raw as Record<string, unknown>, view)
    : (raw as Record<string, unknown>);
  const type = typeof e.type === "string" ? e.type : undefined;
  if (type) view.type = type;
  const urlKey = ["url", "serverUrl", "httpUrl"].find((k) => typeof e[k] === "string");
  if (urlKey) {
    view.url = e[urlKey] as string;
    view.urlKey = urlKey;
  }
  const env = stringMap(e.env);
  const headers = stringMap(e.headers);
  if (env) view.env = env;
  else view.problems.push('"env" must be an object of strings');
  if (headers) view.headers = headers;
  else view.problems.push('"headers" must be an object of strings');
  if (e.args !== undefined) {
    if (Array.isArray(e.args) && e.args.every((a) => typeof a === "string")) view.args = e.args as string[];
    else view.problems.push('"args" must be an array of strings');
  }
  const command = typeof e.command === "string" && e.command.trim() !== "" ? e.command : undefined;
  if (command) view.command = command;

  if (command && view.url) view.problems.push("has both a command and a url");
  else if (command) view.kind = "stdio";
  else if (view.url) view.kind = "remote";
  else view.problems.push("has neither a command nor a url");

  if (reading.type) {
    if (view.kind === "remote" && !(type && REMOTE_TYPES.has(type)))
      view.problems.push(
        type
          ? `"type": "${type}" cannot carry a url (use "http" or "sse")`
          : `has a url but no "type": ${name} reads it as a stdio entry without a command`,
      );
    if (view.kind === "stdio" && type && type !== "stdio")
      view.problems.push(`"type": "${type}" with a command (use "stdio")`);
    if (reading.type === "required" && !type)
      view.problems.push(`has no "type" (${name} requires "stdio" or "http")`);
  }
  if (view.problems.length > 0) view.kind = "invalid";
  return view;
}

export interface Expanded {
  view: EntryView;
  /** References the client expands but which are not set. */
  unset: string[];
  /** `${…}` text the client passes literally (it does not expand variables). */
  literal: string[];
}

/**
 * The entry as its client hands it to the server: references expanded as that client does.
 *
 * Each client expands variables its own way, or (Claude Desktop) not at all; Codex expands nothing:
 * it passes variables named in `env_vars` on from its own environment instead.
 */
export function expandEntry(view: EntryView, client: ClientId, ctx: ExpandContext): Expanded {
  const unset: string[] = [];
  const literal: string[] = [];
  const { variables } = clientModule(client).reading;
  const found = { unset, literal };
  const one = (text: string): string => variables.expand(text, ctx, found);
  const map = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, one(v)]));
  // Variables the client passes on by name (Codex): looked up where it starts.
  const passed: Record<string, string> = {};
  for (const name of view.forward) {
    const v = ctx.vars(name);
    if (v === undefined) unset.push(name);
    else passed[name] = v;
  }
  const fromVars: Record<string, string> = {};
  for (const [header, { variable, prefix }] of Object.entries(view.headerVars)) {
    const v = ctx.vars(variable);
    if (v === undefined || v.trim() === "") unset.push(variable);
    else fromVars[header] = `${prefix}${v}`;
  }
  const out: EntryView = {
    ...view,
    args: view.args.map(one),
    env: { ...passed, ...map(view.env) },
    headers: { ...map(view.headers), ...fromVars },
    ...(view.command !== undefined ? { command: one(view.command) } : {}),
    ...(view.url !== undefined ? { url: one(view.url) } : {}),
  };
  return { view: out, unset: [...new Set(unset)], literal: [...new Set(literal)] };
}
