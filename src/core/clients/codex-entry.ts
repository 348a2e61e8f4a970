/**
 * A Codex entry (config.toml) in the vocabulary of the other clients' entries, so doctor, status and
 * import read it like theirs (pure).
 */
import { stringMap } from "./entry-fields.js";
import type { EntryView } from "./types.js";

// Not `enabled_tools`/`disabled_tools`: those are mcp-twin's tool rules (a rewrite would drop a
// hand-written one), so an entry that has them is not taken over by import.
const CODEX_OWN = [
  "tools",
  "default_tools_approval_mode",
  "startup_timeout_sec",
  "startup_timeout_ms",
  "tool_timeout_sec",
  "required",
  "supports_parallel_tool_calls",
  "experimental_environment",
  "name",
];

/**
 * `enabled = false` is disabled, `http_headers` are headers, and the variables Codex passes on by
 * name (`env_vars`, `bearer_token_env_var`, `env_http_headers`) become `${NAME}` references (the
 * manifest's `${env:NAME}`). Keys Codex keeps for itself in the entry (tool approvals, timeouts)
 * are left out: sync never touches them, so importing the server loses nothing there.
 */
export function commonCodexEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const e = { ...(raw as Record<string, unknown>) };
  const out: Record<string, unknown> = {};
  if (e.enabled === false) out.disabled = true;
  const headers: Record<string, unknown> = isTable(e.http_headers) ? { ...e.http_headers } : {};
  if (e.http_headers !== undefined && !isTable(e.http_headers)) out.headers = e.http_headers;
  if (isTable(e.env_http_headers))
    for (const [h, v] of Object.entries(e.env_http_headers))
      headers[h] = typeof v === "string" ? `\${${v}}` : v;
  if (typeof e.bearer_token_env_var === "string")
    headers.Authorization = `Bearer \${${e.bearer_token_env_var}}`;
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (Array.isArray(e.env_vars)) {
    const env: Record<string, unknown> = isTable(e.env) ? { ...e.env } : {};
    for (const v of e.env_vars) {
      const name = typeof v === "string" ? v : isTable(v) ? v.name : undefined;
      if (typeof name === "string" && env[name] === undefined) env[name] = `\${${name}}`;
    }
    e.env = env;
  }
  for (const [k, v] of Object.entries(e)) {
    if (
      [
        "enabled",
        "http_headers",
        "env_http_headers",
        "bearer_token_env_var",
        "env_vars",
        ...CODEX_OWN,
      ].includes(k)
    )
      continue;
    out[k] = v;
  }
  return out;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A Codex entry in the common vocabulary: `http_headers` as `headers`; `env_vars`,
 * `bearer_token_env_var` and `env_http_headers` as variables it passes on (into `view`).
 */
export function codexKeys(e: Record<string, unknown>, view: EntryView): Record<string, unknown> {
  const { http_headers, env_vars, bearer_token_env_var, env_http_headers, bearer_token, ...rest } = e;
  if (bearer_token !== undefined)
    view.problems.push(
      'has an inline "bearer_token", which makes Codex refuse the whole file (use bearer_token_env_var)',
    );
  if (env_vars !== undefined) {
    const names = Array.isArray(env_vars)
      ? env_vars.map((v) => (typeof v === "string" ? v : (v as { name?: unknown } | null)?.name))
      : [undefined];
    if (names.every((n): n is string => typeof n === "string")) view.forward = names;
    else view.problems.push('"env_vars" must be a list of variable names');
  }
  if (typeof bearer_token_env_var === "string")
    view.headerVars.Authorization = { variable: bearer_token_env_var, prefix: "Bearer " };
  const fromEnv = stringMap(env_http_headers);
  if (fromEnv)
    for (const [h, variable] of Object.entries(fromEnv)) view.headerVars[h] = { variable, prefix: "" };
  else view.problems.push('"env_http_headers" must be a table of variable names');
  return { ...rest, ...(http_headers !== undefined ? { headers: http_headers } : {}) };
}
